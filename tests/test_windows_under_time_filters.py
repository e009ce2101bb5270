"""Windows read earlier periods than the report's time filter keeps, on every kind of axis.

A comparison reads the period `offset` earlier, a rolling window the periods before the first
one shown: on a weekly axis a year back is 52 weeks, on an hourly axis an hour, on a datetime
column the range moved back to the same instant, and a fiscal year or quarter is 12 or 3 months.
Every expected value is worked out by hand in the comments; a careless engine that reads only
the filtered rows gives null (or the shown period alone) for the first rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa

from tests.helpers import assert_rows_equal, run

D = dt.date
T = dt.datetime


def test_a_year_back_on_a_weekly_axis_is_52_weeks(constructor: Any) -> None:
    frame = constructor(
        {"day": [D(2023, 6, 5), D(2023, 6, 12), D(2024, 6, 3), D(2024, 6, 10)],
         "amount": [5.0, 7.0, 10.0, 14.0]},
        {"day": pa.date32()},
    )  # fmt: skip
    spec = {
        "dimensions": [{"field": "day", "grain": "week"}],
        "measures": [
            {"name": "revenue", "agg": "sum", "field": "amount"},
            {"name": "prev", "of": "revenue", "compare": {"offset": "1 year", "show": "value"}},
        ],
        "filters": [{"field": "day", "op": "ge", "value": "2024-06-03"}],
    }
    # Mon 2024-06-03 - 364 days = Mon 2023-06-05 (5); 2024-06-10 - 364 = 2023-06-12 (7).
    # Careless (filtered rows only): null, null.
    assert_rows_equal(run(spec, frame), [(D(2024, 6, 3), 10.0, 5.0), (D(2024, 6, 10), 14.0, 7.0)])


def test_fiscal_offsets_are_12_and_3_months(constructor: Any) -> None:
    frame = constructor(
        {"day": [D(2023, 3, 10), D(2023, 12, 5), D(2024, 3, 20)], "amount": [1.0, 2.0, 8.0]},
        {"day": pa.date32()},
    )
    spec = {
        "time": {"fiscal_year_start": 4},
        "dimensions": [{"field": "day", "grain": "month"}],
        "measures": [
            {"name": "revenue", "agg": "sum", "field": "amount"},
            {"name": "fy", "of": "revenue",
             "compare": {"offset": "1 fiscal_year", "show": "value"}},
            {"name": "fq", "of": "revenue",
             "compare": {"offset": "1 fiscal_quarter", "show": "value"}},
        ],
        "filters": [{"field": "day", "op": "ge", "value": "2024-03-01"}],
    }  # fmt: skip
    # March 2024: a fiscal year back is March 2023 (1), a fiscal quarter back December 2023 (2).
    assert_rows_equal(run(spec, frame), [(D(2024, 3, 1), 8.0, 1.0, 2.0)])


def test_on_a_datetime_column_a_comparison_moves_the_range_a_rolling_window_its_start(
    constructor: Any,
) -> None:
    frame = constructor(
        {"ts": [T(2024, 1, 10, 8), T(2024, 1, 20, 8), T(2024, 2, 20, 9)],
         "amount": [3.0, 5.0, 4.0]},
        {"ts": pa.timestamp("us")},
    )  # fmt: skip
    spec = {
        "dimensions": [{"field": "ts", "grain": "month"}],
        "measures": [
            {"name": "revenue", "agg": "sum", "field": "amount"},
            {"name": "prev", "of": "revenue", "compare": {"offset": "1 period", "show": "value"}},
            {"name": "roll", "of": "revenue", "rolling": {"periods": 2}},
        ],
        "filters": [{"field": "ts", "op": "ge", "value": "2024-02-15 00:00:00"}],
    }
    # February from the 15th: 4. The comparison reads the range moved back a month
    # (docs/semantics.md), January from the 15th 00:00: only the 20th, 5 (careless: 0 or all
    # of January, 8). The rolling window reads from the start of January: 3 + 5 + 4 = 12.
    assert_rows_equal(run(spec, frame), [(T(2024, 2, 1), 4.0, 5.0, 12.0)])


def test_an_hour_back_on_an_hourly_axis(constructor: Any) -> None:
    frame = constructor(
        {"ts": [T(2024, 1, 1, 10, 15), T(2024, 1, 1, 11, 5), T(2024, 1, 1, 12, 40)],
         "amount": [1.0, 2.0, 4.0]},
        {"ts": pa.timestamp("us")},
    )  # fmt: skip
    spec = {
        "dimensions": [{"field": "ts", "grain": "hour"}],
        "measures": [
            {"name": "revenue", "agg": "sum", "field": "amount"},
            {"name": "prev", "of": "revenue", "compare": {"offset": "1 period", "show": "value"}},
            {"name": "roll", "of": "revenue", "rolling": {"periods": 2}},
        ],
        "filters": [{"field": "ts", "op": "ge", "value": "2024-01-01 11:00:00"}],
    }
    # 11:00: 2, an hour back 1, rolling 1 + 2 = 3; 12:00: 4, 2, 2 + 4 = 6.
    assert_rows_equal(
        run(spec, frame),
        [(T(2024, 1, 1, 11), 2.0, 1.0, 3.0), (T(2024, 1, 1, 12), 4.0, 2.0, 6.0)],
    )


def test_a_running_total_inside_a_date_range_starts_at_the_first_row(constructor: Any) -> None:
    frame = constructor(
        {"day": [D(2024, 1, 5), D(2024, 2, 7), D(2024, 3, 9), D(2024, 4, 1)],
         "amount": [5.0, 7.0, 10.0, 100.0]},
        {"day": pa.date32()},
    )  # fmt: skip
    spec = {
        "dimensions": [{"field": "day", "grain": "month"}],
        "measures": [
            {"name": "revenue", "agg": "sum", "field": "amount"},
            {"name": "total", "of": "revenue", "running": {}},
        ],
        "filters": [{"field": "day", "op": "between", "value": ["2024-02-01", "2024-03-31"]}],
    }
    # February: 5 (January, before the range) + 7 = 12; March: 12 + 10 = 22. April is past
    # the range and never read. Careless (filtered rows only): 7 and 17.
    assert_rows_equal(run(spec, frame), [(D(2024, 2, 1), 7.0, 12.0), (D(2024, 3, 1), 10.0, 22.0)])
