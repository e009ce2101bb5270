"""A distinct count over a rolling window: "active customers in the trailing 3 months".

Each customer counts once however many of the window's periods it appears in (adding up the
monthly distinct counts would count it once a month), and the window reads the periods before
the report's time filter, as rolling sums do. Randomized against the naive reference in
tests/distinct_window_reference.py on every backend, plus pinned cases with the arithmetic.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmreports import Report
from crmreports.errors import SpecError
from tests import distinct_window_reference as ref
from tests.helpers import assert_rows_equal, frame_to_rows
from tests.window_reference import TimeFilter

D = dt.date
SCHEMA = {
    "region": pa.string(),
    "day": pa.date32(),
    "customer": pa.string(),
    "status": pa.string(),
}


def run(spec: dict[str, Any], frame: Any, **kwargs: Any) -> Any:
    return Report.from_dict({"name": "active", **spec}).run(frame, **kwargs)


def spec_of(case: dict[str, Any]) -> dict[str, Any]:
    time: dict[str, Any] = {"field": "day", "grain": case["grain"], "name": "period"}
    if case["fill_gaps"]:
        time["fill_gaps"] = True
    filters: list[dict[str, Any]] = []
    if case["lower"] is not None:
        filters.append({"field": "day", "op": "ge", "value": str(case["lower"])})
    if case["upper"] is not None:
        filters.append({"field": "day", "op": "lt", "value": str(case["upper"])})
    if case["region_is"] is not None:
        filters.append({"field": "region", "op": "eq", "value": case["region_is"]})
    customers: dict[str, Any] = {"name": "customers", "agg": "count_distinct", "field": "customer"}
    if case["won_only"]:
        customers["filter"] = {"field": "status", "op": "eq", "value": "won"}
    return {
        "dimensions": (["region"] if case["by_region"] else []) + [time],
        "filters": filters,
        "measures": [
            customers,
            {"name": "active", "of": "customers", "rolling": {"periods": case["periods"]}},
        ],
    }


days = st.one_of(st.none(), st.dates(min_value=D(2023, 1, 1), max_value=D(2024, 12, 31)))
rows = st.lists(
    st.fixed_dictionaries(
        {
            "region": st.sampled_from(["EU", "US", None]),
            "day": days,
            "customer": st.sampled_from(["ann", "bob", "cy", "dee", None]),
            # "lost" appears in every case, so a filter on "won" is checked against the data
            "status": st.sampled_from(["won", "lost"]),
        }
    ),
    max_size=18,
).filter(lambda rs: any(r["day"] is not None for r in rs))
bounds = st.one_of(st.none(), st.dates(min_value=D(2022, 11, 1), max_value=D(2025, 2, 1)))


@st.composite
def cases(draw: st.DrawFn) -> dict[str, Any]:
    lower, upper = draw(bounds), draw(bounds)
    if lower is not None and upper is not None and upper < lower:
        lower, upper = upper, lower
    return {
        "rows": draw(rows),
        "grain": draw(st.sampled_from(["month", "quarter", "week"])),
        "periods": draw(st.integers(1, 4)),
        "by_region": draw(st.booleans()),
        "lower": lower,
        "upper": upper,
        "region_is": draw(st.sampled_from([None, "EU"])),
        "won_only": draw(st.booleans()),
        "fill_gaps": draw(st.booleans()),
    }


def _key(row: dict[str, Any]) -> tuple[Any, ...]:
    region, period = row.get("region"), row["period"]
    return (region is None, region or "", period is None, period or D(1, 1, 1))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=cases())
def test_rolling_distinct_counts_match_the_naive_reference(
    constructor: Any, case: dict[str, Any]
) -> None:
    data = {name: [r[name] for r in case["rows"]] for name in SCHEMA}
    if case["won_only"]:
        data["status"] = [*data["status"], "won", "lost"]  # both values present in the data
        for name in ("region", "day", "customer"):
            data[name] = [*data[name], None, None]
        extra = [
            {"region": None, "day": None, "customer": None, "status": s} for s in ("won", "lost")
        ]
        case = {**case, "rows": [*case["rows"], *extra]}
    expected = ref.compute(
        case["rows"],
        grain=case["grain"],
        periods=case["periods"],
        by_region=case["by_region"],
        time_filter=TimeFilter(case["lower"], case["upper"], upper_inclusive=False),
        region_is=case["region_is"],
        won_only=case["won_only"],
        fill_gaps=case["fill_gaps"],
    )
    if not case["by_region"]:
        for row in expected:
            del row["region"]
    actual = frame_to_rows(run(spec_of(case), constructor(data, SCHEMA)))
    assert_rows_equal(sorted(actual, key=_key), sorted(expected, key=_key))


# --- pinned cases --------------------------------------------------------------------------------

# ann buys in January and March, bob in February, cy in May; nothing in April.
ORDERS = {
    "day": [D(2024, 1, 5), D(2024, 2, 9), D(2024, 3, 3), D(2024, 5, 20), D(2024, 5, 21)],
    "customer": ["ann", "bob", "ann", "cy", None],
}
ORDERS_SCHEMA = {"day": pa.date32(), "customer": pa.string()}
ACTIVE = [
    {"name": "customers", "agg": "count_distinct", "field": "customer"},
    {"name": "active_3m", "of": "customers", "rolling": {"periods": 3}},
]


def test_a_customer_active_in_two_months_of_the_window_counts_once(constructor: Any) -> None:
    spec = {
        "dimensions": [{"field": "day", "grain": "month", "fill_gaps": True}],
        "measures": ACTIVE,
    }
    actual = frame_to_rows(run(spec, constructor(ORDERS, ORDERS_SCHEMA)))
    # March: Jan {ann} + Feb {bob} + Mar {ann} = {ann, bob} = 2. Careless (summing the monthly
    # distinct counts 1 + 1 + 1): 3. April (no rows): Feb-Apr {bob, ann} = 2; May: Mar-May
    # {ann, cy} = 2 (the null customer is no customer).
    assert_rows_equal(
        actual,
        [
            {"day": D(2024, 1, 1), "customers": 1, "active_3m": 1},
            {"day": D(2024, 2, 1), "customers": 1, "active_3m": 2},
            {"day": D(2024, 3, 1), "customers": 1, "active_3m": 2},
            {"day": D(2024, 4, 1), "customers": 0, "active_3m": 2},
            {"day": D(2024, 5, 1), "customers": 1, "active_3m": 2},
        ],
    )


def test_the_window_reads_the_months_before_the_time_filter(constructor: Any) -> None:
    spec = {
        "dimensions": [{"field": "day", "grain": "month"}],
        "measures": ACTIVE,
        "filters": [{"field": "day", "op": "ge", "value": "2024-03-01"}],
    }
    actual = frame_to_rows(run(spec, constructor(ORDERS, ORDERS_SCHEMA)))
    # March still reads January and February: {ann, bob} = 2. Careless (only the rows the
    # filter keeps): {ann} = 1.
    assert_rows_equal(
        actual,
        [
            {"day": D(2024, 3, 1), "customers": 1, "active_3m": 2},
            {"day": D(2024, 5, 1), "customers": 1, "active_3m": 2},
        ],
    )


def test_a_window_before_the_data_has_no_data(constructor: Any) -> None:
    spec = {
        "dimensions": [{"field": "day", "grain": "month", "fill_gaps": True}],
        "measures": ACTIVE,
        "filters": [{"field": "day", "op": "between", "value": ["2023-10-01", "2024-01-31"]}],
    }
    actual = frame_to_rows(run(spec, constructor(ORDERS, ORDERS_SCHEMA)))
    # October to December 2023 lie before the first order (January 2024): no data, not 0.
    # January's window (Nov-Jan) reaches into the data: {ann} = 1.
    assert_rows_equal(
        actual,
        [
            {"day": D(2023, 10, 1), "customers": None, "active_3m": None},
            {"day": D(2023, 11, 1), "customers": None, "active_3m": None},
            {"day": D(2023, 12, 1), "customers": None, "active_3m": None},
            {"day": D(2024, 1, 1), "customers": 1, "active_3m": 1},
        ],
    )


def test_explain_names_the_distinct_window() -> None:
    spec = {"dimensions": [{"field": "day", "grain": "month"}], "measures": ACTIVE}
    text = Report.from_dict({"name": "active", **spec}).explain(
        pa.table(ORDERS, schema=pa.schema(ORDERS_SCHEMA))
    )
    assert "active_3m = distinct values of customers over the 3 months ending at each row" in text


def test_a_rolling_sum_of_an_average_is_still_refused() -> None:
    spec = {
        "dimensions": [{"field": "day", "grain": "month"}],
        "measures": [
            {"name": "n", "agg": "avg", "field": "amount"},
            {"name": "roll", "of": "n", "rolling": {"periods": 3}},
        ],
    }
    data = pa.table({"day": [D(2024, 1, 1)], "amount": [1.0]})
    with pytest.raises(SpecError, match="not-additive"):
        Report.from_dict({"name": "x", **spec}).run(data)
