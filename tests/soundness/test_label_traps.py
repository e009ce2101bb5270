"""Traps where a label the library invents merges with a value of the data: one test each, on
every input backend, with the number a careless engine gives in a comment."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from crmreports import Report
from tests.helpers import assert_rows_equal


def test_top_n_other_bucket_beside_a_real_other(constructor: Any) -> None:
    frame = constructor(
        {"channel": ["a", "a", "b", "Other", "c"], "amount": [5.0, 5.0, 3.0, 4.0, 1.0]},
        {"channel": pa.string(), "amount": pa.float64()},
    )
    spec = {
        "name": "trap",
        "dimensions": [{"field": "channel", "top": {"n": 2, "by": "revenue"}}],
        "measures": [{"name": "revenue", "agg": "sum", "field": "amount"}],
    }
    result = Report.from_dict(spec).run(frame)
    # kept a 10 and the real Other 4; the bucket b 3 + c 1 = 4. Careless: two rows labelled
    # "Other" that a chart stacks into one bar of 8.
    assert_rows_equal(result, [("Other", 4.0), ("a", 10.0), ("Other (all others)", 4.0)])


def test_unmatched_lookup_beside_a_real_unknown(constructor: Any) -> None:
    orders = constructor(
        {"customer_id": [1, 2, 9], "amount": [1.0, 2.0, 8.0]},
        {"customer_id": pa.int64(), "amount": pa.float64()},
    )
    customers = constructor(
        {"customer_id": [1, 2], "region": ["EU", "unknown"]},
        {"customer_id": pa.int64(), "region": pa.string()},
    )
    spec = {
        "name": "trap",
        "source": "orders",
        "relationships": [{"to": "customers", "key": "customer_id"}],
        "dimensions": ["customers.region"],
        "measures": [{"name": "revenue", "agg": "sum", "field": "amount"}],
    }
    result = Report.from_dict(spec).run({"orders": orders, "customers": customers})
    # Careless: "unknown" 2 + 8 = 10, the unmatched order mixed with a real region.
    assert_rows_equal(result, [("EU", 1.0), ("unknown", 2.0), ("unknown (no match)", 8.0)])


def test_subtotal_of_a_real_null_beside_the_subtotal_spanning_it(constructor: Any) -> None:
    frame = constructor(
        {"g": ["x", "x"], "h": ["p", None], "k": ["a", "b"], "v": [1, 2]},
        {"g": pa.string(), "h": pa.string(), "k": pa.string(), "v": pa.int64()},
    )
    spec = {
        "name": "trap",
        "dimensions": ["g", "h", "k"],
        "subtotals": ["g", "h"],
        "measures": [{"name": "s", "agg": "sum", "field": "v"}],
    }
    rows = Report.from_dict(spec).run(frame).to_arrow().to_pylist()
    subtotals = [
        (r["g"], r["h"], r["s"], r["row_level"]) for r in rows if r["row_type"] != "detail"
    ]
    # (x, null h) = 2 at level 2, (x, all h) = 1 + 2 = 3 at level 1. Careless: two rows
    # (x, null, ...) that a reader cannot tell apart.
    assert subtotals == [("x", "p", 1, 2), ("x", None, 2, 2), ("x", None, 3, 1)]
