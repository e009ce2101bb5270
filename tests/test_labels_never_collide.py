"""Labels the library invents never read like a value of the data.

A top-N's "Other", a lookup's "unknown" for unmatched rows, the "Other" of `groups` and the
"(null)" shown for a missing category: when the data already holds that text, the invented
label takes a suffix ("Other (all others)", "unknown (no match)", "Paid (ungrouped)",
"(no value)"), so the bucket and the real value are two rows of the frame, two rows of the
HTML table and two marks of every chart. Expected values are worked out by hand.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from crmreports import Report, SpecError
from tests.helpers import assert_rows_equal, run

TOP = {
    "name": "t",
    "source": "orders",
    "dimensions": [{"field": "channel", "top": {"n": 1, "by": "revenue"}}],
    "measures": [{"name": "revenue", "agg": "sum", "field": "amount"}],
}
STRINGS = {"channel": pa.string(), "amount": pa.float64()}


def test_the_top_n_bucket_is_not_the_real_other(constructor: Any) -> None:
    frame = constructor(
        {"channel": ["a", "a", "b", "Other", "c"], "amount": [5.0, 5.0, 3.0, 1.0, 1.0]}, STRINGS
    )
    result = run(TOP, {"orders": frame})
    # a = 5 + 5 = 10 kept; the rest b 3 + Other 1 + c 1 = 5, labelled apart from "Other"
    assert_rows_equal(result, [("a", 10.0), ("Other (all others)", 5.0)])
    assert any("'Other' is one of the values of channel" in n for n in result.notes)


def test_a_kept_member_called_other_and_the_bucket_are_two_rows(constructor: Any) -> None:
    frame = constructor(
        {"channel": ["a", "a", "b", "Other", "c"], "amount": [5.0, 5.0, 3.0, 4.0, 1.0]}, STRINGS
    )
    spec = {**TOP, "dimensions": [{"field": "channel", "top": {"n": 2, "by": "revenue"}}]}
    result = run(spec, {"orders": frame})
    # kept: a 10, Other 4 (b 3 < 4); bucket: b 3 + c 1 = 4. Sorted by channel, bucket last.
    # Before: two rows both labelled "Other" (4 and 4), one bar of 8 in a chart.
    assert_rows_equal(result, [("Other", 4.0), ("a", 10.0), ("Other (all others)", 4.0)])


def test_the_suffixed_label_is_numbered_when_it_is_taken_too(constructor: Any) -> None:
    frame = constructor(
        {
            "channel": ["a", "a", "Rest", "Rest (all others)", "c"],
            "amount": [5.0, 5.0, 1.0, 2.0, 4.0],
        },
        STRINGS,
    )
    spec = {
        **TOP,
        "dimensions": [
            {"field": "channel", "top": {"n": 1, "by": "revenue", "other_label": "Rest"}}
        ],
    }
    # a 10 kept; rest 1 + 2 + 4 = 7
    assert_rows_equal(run(spec, {"orders": frame}), [("a", 10.0), ("Rest (all others 2)", 7.0)])


def test_without_a_clash_the_bucket_keeps_its_label(constructor: Any) -> None:
    frame = constructor({"channel": ["a", "a", "b", "c"], "amount": [5.0, 5.0, 3.0, 1.0]}, STRINGS)
    result = run(TOP, {"orders": frame})
    assert_rows_equal(result, [("a", 10.0), ("Other", 4.0)])  # 3 + 1
    assert not any("one of the values" in n for n in result.notes)


def test_a_top_n_over_groups_keeps_its_bucket_apart_from_the_groups_other(
    constructor: Any,
) -> None:
    frame = constructor(
        {"channel": ["web", "web", "shop", "fax", "x"], "amount": [5.0, 5.0, 3.0, 2.0, 1.0]},
        STRINGS,
    )
    spec = {
        **TOP,
        "dimensions": [
            {
                "field": "channel",
                "groups": {"Online": ["web"], "Store": ["shop"]},
                "unmatched": "other",
                "top": {"n": 2, "by": "revenue"},
            }
        ],
    }
    # groups: Online 10, Store 3, Other (fax 2 + x 1) 3. Top 2 by revenue: Online 10, then
    # the tie Other 3 / Store 3 broken by name: "Other" < "Store" -> kept; Store folds.
    result = run(spec, {"orders": frame})
    assert_rows_equal(result, [("Online", 10.0), ("Other", 3.0), ("Other (all others)", 3.0)])


def test_an_unmatched_lookup_is_not_a_customer_whose_segment_is_unknown(
    constructor: Any,
) -> None:
    orders = constructor(
        {"customer_id": [1, 2, 3, 9], "amount": [1.0, 2.0, 4.0, 8.0]},
        {"customer_id": pa.int64(), "amount": pa.float64()},
    )
    customers = constructor(
        {"customer_id": [1, 2, 3], "segment": ["a", "unknown", "a"]},
        {"customer_id": pa.int64(), "segment": pa.string()},
    )
    spec = {
        "name": "t",
        "source": "orders",
        "relationships": [{"to": "customers", "key": "customer_id"}],
        "dimensions": ["customers.segment"],
        "measures": [{"name": "revenue", "agg": "sum", "field": "amount"}],
    }
    result = run(spec, {"orders": orders, "customers": customers})
    # a: 1 + 4 = 5; customer 2 (segment "unknown") 2; order of customer 9 (no match) 8.
    # Careless: one "unknown" row of 2 + 8 = 10.
    assert_rows_equal(result, [("a", 5.0), ("unknown", 2.0), ("unknown (no match)", 8.0)])
    assert any("grouped as 'unknown (no match)'" in n for n in result.notes)


def test_an_unmatched_lookup_keeps_its_label_without_a_clash(constructor: Any) -> None:
    orders = constructor(
        {"customer_id": [1, 9], "amount": [1.0, 8.0]},
        {"customer_id": pa.int64(), "amount": pa.float64()},
    )
    customers = constructor(
        {"customer_id": [1], "segment": ["a"]},
        {"customer_id": pa.int64(), "segment": pa.string()},
    )
    spec = {
        "name": "t",
        "source": "orders",
        "relationships": [{"to": "customers", "key": "customer_id"}],
        "dimensions": ["customers.segment"],
        "measures": [{"name": "revenue", "agg": "sum", "field": "amount"}],
    }
    result = run(spec, {"orders": orders, "customers": customers})
    assert_rows_equal(result, [("a", 1.0), ("unknown", 8.0)])


def test_a_value_in_no_group_named_like_a_group_stays_apart(constructor: Any) -> None:
    frame = constructor(
        {"channel": ["google", "Paid", "fb", None, "x"], "amount": [1.0, 2.0, 4.0, 8.0, 16.0]},
        STRINGS,
    )
    spec = {
        "name": "t",
        "source": "orders",
        "dimensions": [{"field": "channel", "groups": {"Paid": ["google", "fb"]}}],
        "measures": [{"name": "revenue", "agg": "sum", "field": "amount"}],
    }
    # Paid = google 1 + fb 4 = 5; the data's own "Paid" 2 apart (careless: Paid 7)
    assert_rows_equal(
        run(spec, {"orders": frame}),
        [("Paid", 5.0), ("Paid (ungrouped)", 2.0), ("x", 16.0), (None, 8.0)],
    )


def test_a_group_named_like_the_other_label_is_refused() -> None:
    spec = {
        "name": "t",
        "dimensions": [{"field": "channel", "groups": {"Other": ["fax"]}, "unmatched": "other"}],
        "measures": [{"name": "n", "agg": "count"}],
    }
    with pytest.raises(SpecError) as info:
        Report.from_dict(spec).run(pa.table({"channel": ["fax", "web"]}))
    assert "dimensions[0].other_label" in str(info.value)
    assert "also the name of a group" in str(info.value)
