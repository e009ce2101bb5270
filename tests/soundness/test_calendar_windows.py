"""Windows over time read the whole calendar, not only the rows the report's time filter keeps.

Randomized against the naive reference in tests/window_reference.py (grains, gaps, time
filters, partitions, every backend), plus one pinned test per trap with the number a careless
engine gives in a comment.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import window_reference as ref
from tests.helpers import assert_rows_equal, frame_to_rows, run

D = dt.date
SCHEMA = {"region": pa.string(), "day": pa.date32(), "amount": pa.float64()}


# --- randomized: every window against the naive reference ---------------------------------------

days = st.one_of(st.none(), st.dates(min_value=D(2023, 1, 1), max_value=D(2024, 12, 31)))
rows = st.lists(
    st.fixed_dictionaries(
        {
            "region": st.sampled_from(["EU", "US", None]),
            "day": days,
            # quarter steps: sums are exact in binary, whatever the order of addition
            "amount": st.one_of(st.none(), st.integers(-8, 80).map(lambda v: v / 4)),
        }
    ),
    max_size=18,
    # pandas cannot tell a column of nothing but None is one of dates (an object column)
).filter(lambda rs: not rs or any(r["day"] is not None for r in rs))
bounds = st.one_of(st.none(), st.dates(min_value=D(2022, 11, 1), max_value=D(2025, 2, 1)))


@st.composite
def cases(draw: st.DrawFn) -> dict[str, Any]:
    grain = draw(st.sampled_from(["month", "quarter", "week"]))
    lower, upper = draw(bounds), draw(bounds)
    if lower is not None and upper is not None and upper < lower:
        lower, upper = upper, lower
    form = draw(st.sampled_from(["ge_lt", "between"]))
    if form == "between" and (lower is None or upper is None):
        form = "ge_lt"
    offsets = [(1, "period")] + ([] if grain == "week" else [(1, "year"), (2, "month")])
    return {
        "rows": draw(rows),
        "grain": grain,
        "by_region": draw(st.booleans()),
        "lower": lower,
        "upper": upper,
        "form": form,
        "region_is": draw(st.sampled_from([None, "EU"])),
        "fill_gaps": draw(st.booleans()),
        "rolling": draw(st.integers(1, 4)),
        "reset": draw(st.sampled_from([None, "year", "quarter"] if grain != "week" else [None])),
        "offset": draw(st.sampled_from(offsets)),
    }


def spec_of(case: dict[str, Any]) -> dict[str, Any]:
    time: dict[str, Any] = {"field": "day", "grain": case["grain"], "name": "period"}
    if case["fill_gaps"]:
        time["fill_gaps"] = True
    filters: list[dict[str, Any]] = []
    lower, upper = case["lower"], case["upper"]
    if case["form"] == "between":
        filters.append({"field": "day", "op": "between", "value": [str(lower), str(upper)]})
    else:
        if lower is not None:
            filters.append({"field": "day", "op": "ge", "value": str(lower)})
        if upper is not None:
            filters.append({"field": "day", "op": "lt", "value": str(upper)})
    if case["region_is"] is not None:
        filters.append({"field": "region", "op": "eq", "value": case["region_is"]})
    n, unit = case["offset"]
    running: dict[str, Any] = {} if case["reset"] is None else {"reset": case["reset"]}
    return {
        "dimensions": (["region"] if case["by_region"] else []) + [time],
        "filters": filters,
        "measures": [
            {"name": "s", "agg": "sum", "field": "amount"},
            {"name": "roll_sum", "of": "s", "rolling": {"periods": case["rolling"]}},
            {"name": "roll_avg", "of": "s", "rolling": {"periods": case["rolling"], "agg": "avg"}},
            {"name": "run", "of": "s", "running": running},
            {"name": "prev", "of": "s", "compare": {"offset": f"{n} {unit}", "show": "value"}},
        ],
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
def test_windows_match_the_naive_reference(constructor: Any, case: dict[str, Any]) -> None:
    data = {name: [r[name] for r in case["rows"]] for name in SCHEMA}
    upper_inclusive = case["form"] == "between"
    expected = ref.compute(
        case["rows"],
        grain=case["grain"],
        by_region=case["by_region"],
        time_filter=ref.TimeFilter(case["lower"], case["upper"], upper_inclusive),
        region_is=case["region_is"],
        fill_gaps=case["fill_gaps"],
        rolling=case["rolling"],
        reset=case["reset"],
        offset=case["offset"],
    )
    if not case["by_region"]:
        for row in expected:
            del row["region"]
    actual = frame_to_rows(run(spec_of(case), constructor(data, SCHEMA)))
    assert_rows_equal(sorted(actual, key=_key), sorted(expected, key=_key))


# --- pinned traps --------------------------------------------------------------------------------

# Five in January 2023 and 48 in April 2024; nothing in between.
SPARSE = {"day": [D(2023, 1, 10), D(2024, 4, 10), D(2024, 4, 20)], "amount": [5.0, 20.0, 28.0]}
SPARSE_SCHEMA = {"day": pa.date32(), "amount": pa.float64()}
MONTH = {"field": "day", "grain": "month", "name": "month"}
REVENUE = {"name": "revenue", "agg": "sum", "field": "amount"}


@pytest.mark.parametrize("start", [None, "2024-02-01", "2024-02-15", "2024-04-01", "2023-12-31"])
def test_a_rolling_window_does_not_depend_on_where_the_filter_starts(
    constructor: Any, start: str | None
) -> None:
    # April's three months are Feb (0) + Mar (0) + Apr (48), inside the data's span: the average
    # is 48 / 3 = 16 whatever the filter's start. Careless: 48 / 1 = 48 when the filter starts
    # in February (the window reads only the filtered rows, so February and March vanish).
    spec = {
        "dimensions": [MONTH],
        "filters": [] if start is None else [{"field": "day", "op": "ge", "value": start}],
        "measures": [
            REVENUE,
            {"name": "avg3", "of": "revenue", "rolling": {"periods": 3, "agg": "avg"}},
            {"name": "sum3", "of": "revenue", "rolling": {"periods": 3}},
        ],
    }
    rows = frame_to_rows(run(spec, constructor(SPARSE, SPARSE_SCHEMA)))
    april = next(r for r in rows if r["month"] == D(2024, 4, 1))
    assert (april["avg3"], april["sum3"]) == (16.0, 48.0)


def test_the_first_periods_of_the_data_average_only_what_lies_inside_it(
    constructor: Any,
) -> None:
    # January 2023 is the first month with data: November and December 2022 have no data (not
    # zero), so the average is 5 / 1 (careless: 5 / 3). February 2023 is inside the span and
    # empty: 0.
    spec = {
        "dimensions": [{**MONTH, "fill_gaps": True}],
        "filters": [{"field": "day", "op": "between", "value": ["2023-01-01", "2023-03-31"]}],
        "measures": [
            REVENUE,
            {"name": "avg3", "of": "revenue", "rolling": {"periods": 3, "agg": "avg"}},
        ],
    }
    result = run(spec, constructor(SPARSE, SPARSE_SCHEMA))
    # Jan: 5 / 1; Feb: (5 + 0) / 2; Mar: (5 + 0 + 0) / 3
    assert_rows_equal(
        result,
        [(D(2023, 1, 1), 5.0, 5.0), (D(2023, 2, 1), 0.0, 2.5), (D(2023, 3, 1), 0.0, 5 / 3)],
    )


def test_a_rolling_sum_over_filled_months_is_zero_inside_the_data_and_null_outside(
    constructor: Any,
) -> None:
    # The data covers 2023-01 .. 2024-04. Months of 2024 with no rows inside it are empty (0,
    # careless: null); May .. July 2024 lie after the last row: no data, revenue null (careless:
    # 0). May's window still holds March (0) and April (48), June's April: 48; July's window
    # (May .. July) has no month with data: null.
    spec = {
        "dimensions": [{**MONTH, "fill_gaps": True}],
        "filters": [{"field": "day", "op": "between", "value": ["2024-01-01", "2024-07-31"]}],
        "measures": [REVENUE, {"name": "sum3", "of": "revenue", "rolling": {"periods": 3}}],
    }
    result = run(spec, constructor(SPARSE, SPARSE_SCHEMA))
    assert_rows_equal(
        result,
        [
            (D(2024, 1, 1), 0.0, 0.0),
            (D(2024, 2, 1), 0.0, 0.0),
            (D(2024, 3, 1), 0.0, 0.0),
            (D(2024, 4, 1), 48.0, 48.0),
            (D(2024, 5, 1), None, 48.0),
            (D(2024, 6, 1), None, 48.0),
            (D(2024, 7, 1), None, None),
        ],
    )


QUARTERLY = {
    "day": [D(2023, 12, 5), D(2024, 1, 10), D(2024, 2, 10), D(2024, 4, 10), D(2024, 5, 2)],
    "amount": [100.0, 1.0, 2.0, 4.0, 8.0],
}


@pytest.mark.parametrize(
    ("reset", "grain", "expected"),
    [
        # Year to date in April is Jan + Feb + Apr = 7 (careless: 4, April alone, when the
        # report shows this quarter only); May: 7 + 8 = 15.
        ("year", "month", [(D(2024, 4, 1), 4.0, 7.0), (D(2024, 5, 1), 8.0, 15.0)]),
        # Quarter to date restarts in April: 4, then 12.
        ("quarter", "month", [(D(2024, 4, 1), 4.0, 4.0), (D(2024, 5, 1), 8.0, 12.0)]),
        # From the first row, December 2023 included: 103 + 4 = 107, then 115 (careless: 4, 12).
        (None, "month", [(D(2024, 4, 1), 4.0, 107.0), (D(2024, 5, 1), 8.0, 115.0)]),
        # Weekly buckets inside this quarter, year to date: 3 + 4 = 7 in the week of April 8.
        ("year", "week", [(D(2024, 4, 8), 4.0, 7.0), (D(2024, 4, 29), 8.0, 15.0)]),
    ],
)
def test_a_running_total_counts_from_before_the_report_time_filter(
    constructor: Any, reset: str | None, grain: str, expected: list[tuple[Any, ...]]
) -> None:
    running: dict[str, Any] = {} if reset is None else {"reset": reset}
    spec = {
        "dimensions": [{"field": "day", "grain": grain, "name": "period"}],
        "filters": [{"field": "day", "op": "this", "unit": "quarter"}],
        "measures": [REVENUE, {"name": "to_date", "of": "revenue", "running": running}],
    }
    result = run(spec, constructor(QUARTERLY, SPARSE_SCHEMA), as_of="2024-05-15")
    assert_rows_equal(result, expected)


def test_a_dashboard_time_filter_never_turns_year_to_date_into_quarter_to_date(
    constructor: Any,
) -> None:
    from crmreports import Dashboard

    board = Dashboard.from_dict(
        {
            "title": "t",
            "as_of": "2024-05-15",
            "filters": [{"field": "day", "op": "this", "unit": "quarter"}],
            "items": [
                {
                    "report": {
                        "name": "ytd",
                        "dimensions": [MONTH],
                        "measures": [
                            REVENUE,
                            {"name": "ytd", "of": "revenue", "running": {"reset": "year"}},
                        ],
                    }
                }
            ],
        }
    )
    result = board.run({"orders": constructor(QUARTERLY, SPARSE_SCHEMA)})
    # Careless: 4 and 12, the quarter to date.
    assert_rows_equal(result[0], [(D(2024, 4, 1), 4.0, 7.0), (D(2024, 5, 1), 8.0, 15.0)])


def test_a_comparison_before_the_data_is_null_and_an_empty_period_inside_it_zero(
    constructor: Any,
) -> None:
    data = {"day": [D(2024, 1, 10), D(2024, 2, 10), D(2024, 4, 10)], "amount": [1.0, 2.0, 4.0]}
    spec = {
        "dimensions": [{**MONTH, "fill_gaps": True}],
        "filters": [{"field": "day", "op": "between", "value": ["2024-01-01", "2024-05-31"]}],
        "measures": [
            REVENUE,
            {"name": "prev", "of": "revenue", "compare": {"show": "value"}},
            {"name": "growth", "of": "revenue", "compare": {}},
            {
                "name": "last_year",
                "of": "revenue",
                "compare": {"offset": "1 year", "show": "value"},
            },
        ],
    }
    result = run(spec, constructor(data, SPARSE_SCHEMA))
    # December 2023 and all of 2023 lie before the first row: no data (careless: 0, and a
    # growth against it of null by luck). March 2024 is inside the data and empty: 0, so
    # April's growth against it is null (no base), not a number. May lies after the last row.
    assert_rows_equal(
        result,
        [
            (D(2024, 1, 1), 1.0, None, None, None),
            (D(2024, 2, 1), 2.0, 1.0, 1.0, None),
            (D(2024, 3, 1), 0.0, 2.0, -1.0, None),
            (D(2024, 4, 1), 4.0, 0.0, None, None),
            (D(2024, 5, 1), None, 4.0, None, None),
        ],
    )


def test_a_window_in_a_partition_reads_the_other_partitions_span(constructor: Any) -> None:
    # The source covers Jan .. Mar 2024; US has rows in March only. US February is inside the
    # span and empty: prev 0 (careless: null); US January too.
    data = {
        "region": ["EU", "EU", "US"],
        "day": [D(2024, 1, 5), D(2024, 2, 5), D(2024, 3, 5)],
        "amount": [1.0, 2.0, 4.0],
    }
    spec = {
        "dimensions": ["region", MONTH],
        "measures": [
            REVENUE,
            {"name": "prev", "of": "revenue", "compare": {"show": "value"}},
            {"name": "sum3", "of": "revenue", "rolling": {"periods": 3}},
        ],
    }
    result = run(spec, constructor(data, SCHEMA))
    assert_rows_equal(
        result,
        [
            ("EU", D(2024, 1, 1), 1.0, None, 1.0),
            ("EU", D(2024, 2, 1), 2.0, 1.0, 3.0),
            ("US", D(2024, 3, 1), 4.0, 0.0, 4.0),
        ],
    )


def test_a_filter_a_window_cannot_look_past_is_named_in_a_note(constructor: Any) -> None:
    spec = {
        "dimensions": [MONTH],
        "filters": [{"expr": "month(day) >= 4"}],
        "measures": [REVENUE, {"name": "sum3", "of": "revenue", "rolling": {"periods": 3}}],
    }
    result = run(spec, constructor(SPARSE, SPARSE_SCHEMA))
    assert any("sum3" in n and "reads only the periods it keeps" in n for n in result.notes)


# --- targets follow the report's filters ---------------------------------------------------------

TARGETS = {
    "month": [D(2024, 4, 1), D(2024, 5, 1), D(2024, 6, 1), D(2024, 5, 1)],
    "team": ["East", "East", "East", "West"],
    "target": [10.0, 20.0, 30.0, 200.0],
}
TARGET_SCHEMA = {"month": pa.date32(), "team": pa.string(), "target": pa.float64()}
DEALS = {
    "day": [D(2024, 4, 10), D(2024, 5, 2), D(2024, 5, 20)],
    "team": ["East", "East", "West"],
    "amount": [4.0, 8.0, 100.0],
}
DEAL_SCHEMA = {"day": pa.date32(), "team": pa.string(), "amount": pa.float64()}
TARGET = {"name": "target", "agg": "sum", "field": "target", "source": "targets"}


def _sources(constructor: Any) -> dict[str, Any]:
    return {
        "deals": constructor(DEALS, DEAL_SCHEMA),
        "targets": constructor(TARGETS, TARGET_SCHEMA),
    }


def test_a_this_month_kpi_shows_this_months_target(constructor: Any) -> None:
    spec = {
        "source": "deals",
        "filters": [{"field": "day", "op": "this", "unit": "month"}],
        "measures": [REVENUE, {**TARGET, "match": {}}],
    }
    result = run(spec, _sources(constructor), as_of="2024-05-15")
    # May: 8 + 100 won, 20 + 200 targeted (careless: 260, every month's target).
    assert_rows_equal(result, [(108.0, 220.0)])
    assert any("targets.month" in n or "as month" in n for n in result.notes)


def test_a_filter_on_a_column_the_target_also_has_restricts_it(constructor: Any) -> None:
    spec = {
        "source": "deals",
        "dimensions": [MONTH],
        "filters": [{"field": "team", "op": "eq", "value": "East"}],
        "measures": [REVENUE, {**TARGET, "match": {"month": "month"}}],
    }
    result = run(spec, _sources(constructor))
    # East only: April 4 vs 10, May 8 vs 20 (careless: 220, West's target too). June has a
    # target but lies after the last deal: revenue has no data there, null (careless: 0).
    assert_rows_equal(
        result,
        [(D(2024, 4, 1), 4.0, 10.0), (D(2024, 5, 1), 8.0, 20.0), (D(2024, 6, 1), None, 30.0)],
    )


def test_an_explicit_match_carries_the_time_filter_to_the_target(constructor: Any) -> None:
    spec = {
        "source": "deals",
        "filters": [{"field": "day", "op": "between", "value": ["2024-04-01", "2024-04-30"]}],
        "measures": [REVENUE, {**TARGET, "match": {"month": "day"}}],
    }
    result = run(spec, _sources(constructor))
    assert_rows_equal(result, [(4.0, 10.0)])  # careless: 260


def test_a_filter_that_cannot_restrict_the_target_is_in_the_notes_and_the_caption(
    constructor: Any,
) -> None:
    spec = {
        "source": "deals",
        "dimensions": [MONTH],
        "filters": [{"field": "amount", "op": "gt", "value": 5}],
        "measures": [REVENUE, {**TARGET, "match": {"month": "month"}}],
        "visual": {"kind": "bar", "x": "month", "y": "target"},
    }
    result = run(spec, _sources(constructor))
    assert any("not restricted" in n and "amount" in n for n in result.notes)
    title = result.chart().to_dict()["title"]
    caption = " ".join(title["subtitle"])
    assert "Target (targets) is not restricted" in caption and "amount" in caption
    # A chart that does not draw the target says nothing of it.
    spec["visual"] = {"kind": "bar", "x": "month", "y": "revenue"}
    assert isinstance(run(spec, _sources(constructor)).chart().to_dict()["title"], str)
