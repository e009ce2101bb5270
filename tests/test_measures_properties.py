"""Property tests for totals, top-N with "Other", and cross-backend agreement of the richer
measures, over random small order tables (nulls, ties, unicode categories).

Independent values come from plain-Python loops and the naive reference (tests/reference.py),
never from the code under test.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import reference
from tests.helpers import assert_rows_equal, frame_to_rows, make_frame, run

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

SCHEMA = {
    "region": pa.string(),
    "channel": pa.string(),
    "customer": pa.string(),
    "status": pa.string(),
    "amount": pa.float64(),
    "qty": pa.int64(),
    "day": pa.date32(),
}

# Unicode, case and empty-string categories; none of them is the "Other" label.
REGIONS = ["Zürich", "東京", "a", "A", "", None]
CHANNELS = ["web", "shop", "ß", "Ö", "ab", None]
CUSTOMERS = ["c1", "c2", "c3", "Ç4", "c5", None]
STATUSES = ["won", "lost", "open", None]

# Quarter steps are exact in binary floating point: sums do not depend on the order of addition.
amounts = st.one_of(st.none(), st.integers(-8, 80).map(lambda v: v / 4))
days = st.one_of(
    st.none(),
    st.dates(min_value=dt.date(2023, 10, 1), max_value=dt.date(2024, 3, 31)),
)

order = st.fixed_dictionaries(
    {
        "region": st.sampled_from(REGIONS),
        "channel": st.sampled_from(CHANNELS),
        "customer": st.sampled_from(CUSTOMERS),
        "status": st.sampled_from(STATUSES),
        "amount": amounts,
        "qty": st.one_of(st.none(), st.integers(0, 5)),
        "day": days,
    }
)
orders = st.lists(order, min_size=0, max_size=25)


def columns(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    return {name: [r[name] for r in rows] for name in SCHEMA}


def kept_rows(
    rows: list[dict[str, Any]], keep: Callable[[dict[str, Any]], bool] | None
) -> list[dict[str, Any]]:
    return [r for r in rows if keep is None or keep(r)]


def distinct(values: list[Any]) -> int:
    return len({v for v in values if v is not None})


def close(a: Any, b: Any) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


# A report filter, or none: (spec filters, the same rule in plain Python)
FILTERS: dict[str, tuple[list[dict[str, Any]], Callable[[dict[str, Any]], bool] | None]] = {
    "none": ([], None),
    "not_lost": (
        [{"field": "status", "op": "ne", "value": "lost"}],
        lambda r: r["status"] is not None and r["status"] != "lost",
    ),
}


# --- (1) grand totals reconcile with the detail rows -------------------------------------------


@SETTINGS
@given(rows=orders, which=st.sampled_from(sorted(FILTERS)))
def test_total_row_reconciles_with_detail_rows(
    constructor: Any, rows: list[dict[str, Any]], which: str
) -> None:
    filters, keep = FILTERS[which]
    measures = [
        {"name": "n", "agg": "count"},
        {"name": "s", "agg": "sum", "field": "amount"},
        {"name": "q", "agg": "sum", "field": "qty"},
        {"name": "customers", "agg": "count_distinct", "field": "customer"},
        {"name": "med", "agg": "median", "field": "amount"},
    ]
    spec = {
        "dimensions": ["region", "channel"],
        "measures": measures,
        "filters": filters,
        "totals": True,
    }
    result = frame_to_rows(run(spec, constructor(columns(rows), SCHEMA)))
    details = [r for r in result if r["row_type"] == "detail"]
    totals = [r for r in result if r["row_type"] == "total"]
    assert len(totals) == 1 and result[-1] is totals[0]
    total = totals[0]
    base = kept_rows(rows, keep)

    # the detail rows are the naive reference's
    expected = reference.compute(base, {k: v for k, v in spec.items() if k != "totals"})
    assert_rows_equal([{k: v for k, v in r.items() if k != "row_type"} for r in details], expected)

    # additive measures: the total is the sum of the detail rows and of the base rows
    assert total["n"] == sum(r["n"] for r in details) == len(base)
    assert close(total["s"], sum(r["s"] for r in details))
    assert close(total["s"], sum(r["amount"] for r in base if r["amount"] is not None))
    assert total["q"] == sum(r["q"] for r in details)
    # non-additive ones are recomputed from base rows (not summed over the groups)
    assert total["customers"] == distinct([r["customer"] for r in base])
    assert total["customers"] <= sum(r["customers"] for r in details)
    med = reference.aggregate("median", base, "amount")
    assert (total["med"] is None and med is None) or close(total["med"], med)
    assert total["region"] is None and total["channel"] is None


# --- (2) top-N members plus "Other" reconcile with the total ----------------------------------


@SETTINGS
@given(rows=orders, n=st.integers(1, 4), which=st.sampled_from(sorted(FILTERS)))
def test_top_n_and_other_reconcile_with_the_total(
    constructor: Any, rows: list[dict[str, Any]], n: int, which: str
) -> None:
    filters, keep = FILTERS[which]
    spec = {
        "dimensions": [{"field": "channel", "top": {"n": n, "by": "n", "other_label": "Rest"}}],
        "measures": [
            {"name": "n", "agg": "count"},
            {"name": "s", "agg": "sum", "field": "amount"},
            {"name": "customers", "agg": "count_distinct", "field": "customer"},
        ],
        "filters": filters,
        "totals": True,
    }
    result = frame_to_rows(run(spec, constructor(columns(rows), SCHEMA)))
    base = kept_rows(rows, keep)

    groups: dict[Any, list[dict[str, Any]]] = {}
    for r in base:
        groups.setdefault(r["channel"], []).append(r)
    count = {member: len(members) for member, members in groups.items()}

    details = [r for r in result if r["row_type"] == "detail"]
    total = result[-1]
    assert total["row_type"] == "total"
    kept = [r for r in details if r["channel"] != "Rest"]
    rest = [r for r in details if r["channel"] == "Rest"]

    # N members (or all of them), then at most one "Rest" row, last among the details
    assert len(kept) == min(n, len(groups))
    assert len(rest) == (1 if len(groups) > n else 0)
    if rest:
        assert details[-1] is rest[0]
    # every kept member has its own exact values, and at least as many rows as any folded one
    kept_members = [r["channel"] for r in kept]
    folded = [m for m in groups if m not in kept_members]
    for r in kept:
        members = groups[r["channel"]]
        assert r["n"] == len(members)
        assert close(r["s"], sum(x["amount"] for x in members if x["amount"] is not None))
        assert r["customers"] == distinct([x["customer"] for x in members])
    if kept and folded:
        assert min(count[m] for m in kept_members) >= max(count[m] for m in folded)
    # ties at the cut are broken by the member's text (checked when null is not in the tie:
    # where a null member ranks among equal counts is not specified)
    ranked = sorted(groups, key=lambda m: (-count[m], m is None, m or ""))
    tied_at_cut = {m for m in groups if folded and count[m] == count[ranked[n - 1]]}
    if None not in tied_at_cut:
        assert set(kept_members) == set(ranked[:n])

    # "Rest" is re-aggregated from the folded members' base rows
    folded_rows = [x for m in folded for x in groups[m]]
    if rest:
        assert rest[0]["n"] == len(folded_rows)
        assert close(rest[0]["s"], sum(x["amount"] for x in folded_rows if x["amount"] is not None))
        assert rest[0]["customers"] == distinct([x["customer"] for x in folded_rows])

    # count and sum: members + Rest = the total = the base rows
    assert sum(r["n"] for r in details) == total["n"] == len(base)
    assert close(sum(r["s"] for r in details), total["s"])
    assert close(total["s"], sum(x["amount"] for x in base if x["amount"] is not None))
    assert total["customers"] == distinct([x["customer"] for x in base])


# --- (3) every backend gives the same result --------------------------------------------------

RICH_SPEC = {
    "dimensions": ["region", {"field": "day", "grain": "month", "name": "month"}],
    "measures": [
        {"name": "n", "agg": "count"},
        {"name": "won", "agg": "count", "filter": {"field": "status", "op": "eq", "value": "won"}},
        {
            "name": "won_amount",
            "agg": "sum",
            "field": "amount",
            "filter": [
                {"field": "status", "op": "eq", "value": "won"},
                {"field": "qty", "op": "ge", "value": 1},
            ],
        },
        {"name": "s", "agg": "sum", "field": "amount"},
        {"name": "customers", "agg": "count_distinct", "field": "customer"},
        {"name": "win_rate", "formula": "won / n"},
        {"name": "p90", "agg": "percentile", "field": "amount", "p": 0.9},
        {"name": "cum", "of": "s", "running": {"reset": "year"}},
        {"name": "share", "of": "s", "share_of": {"within": ["region"]}},
        {"name": "customer_share", "of": "customers", "share_of": {}},
    ],
    "filters": [{"field": "channel", "op": "ne", "value": "ab", "keep_nulls": True}],
}


# A pandas column of nothing but None has no type (object dtype), so it cannot be a date axis:
# keep one dated row.
dated_orders = st.tuples(order, days.filter(lambda d: d is not None), orders).map(
    lambda t: [{**t[0], "day": t[1]}, *t[2]]
)


@SETTINGS
@given(rows=dated_orders)
def test_backends_agree(rows: list[dict[str, Any]]) -> None:
    data = columns(rows)
    backends = ("pandas", "pyarrow", "polars", "polars_lazy", "duckdb")
    results = {b: frame_to_rows(run(RICH_SPEC, make_frame(b, data, SCHEMA))) for b in backends}
    first = results["pandas"]
    for backend in backends[1:]:
        assert_rows_equal(results[backend], first, rel=1e-9)
    # and the counts are the base rows' (channel "ab" dropped, null channels kept)
    kept = [r for r in rows if r["channel"] != "ab"]
    assert sum(r["n"] for r in first) == len(kept)
    assert sum(r["won"] for r in first) == sum(1 for r in kept if r["status"] == "won")


@pytest.mark.parametrize("backend", ["pandas", "polars"])
def test_backends_agree_on_a_fixed_table(backend: str) -> None:
    # A fixed example so a failure of the property above has a readable twin.
    rows = [
        {"region": "Zürich", "channel": "web", "customer": "c1", "status": "won",
         "amount": 10.0, "qty": 1, "day": dt.date(2023, 12, 5)},
        {"region": "Zürich", "channel": None, "customer": "c2", "status": "lost",
         "amount": 30.0, "qty": 0, "day": dt.date(2024, 1, 5)},
        {"region": "東京", "channel": "ab", "customer": "c1", "status": "won",
         "amount": 99.0, "qty": 2, "day": dt.date(2024, 1, 6)},
        {"region": "東京", "channel": "shop", "customer": None, "status": "won",
         "amount": 4.0, "qty": 2, "day": dt.date(2024, 1, 7)},
    ]  # fmt: skip
    result = frame_to_rows(run(RICH_SPEC, make_frame(backend, columns(rows), SCHEMA)))
    # the "ab" row is filtered out; all customers {c1, c2} = 2
    expected = [
        # region, month, n, won, won_amount, s, customers, win_rate, p90, cum, share,
        # customer_share
        ("Zürich", dt.date(2023, 12, 1), 1, 1, 10.0, 10.0, 1, 1.0, 10.0, 10.0, 0.25, 0.5),
        # won 0 (lost); cum 30 (new year); share 30 / 40
        ("Zürich", dt.date(2024, 1, 1), 1, 0, 0.0, 30.0, 1, 0.0, 30.0, 30.0, 0.75, 0.5),
        # one won row with qty 2; no customer (null) -> 0 distinct
        ("東京", dt.date(2024, 1, 1), 1, 1, 4.0, 4.0, 0, 1.0, 4.0, 4.0, 1.0, 0.0),
    ]
    assert_rows_equal([tuple(r.values()) for r in result], expected)
