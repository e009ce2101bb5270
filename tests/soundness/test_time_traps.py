"""Silent-wrong-answer traps of time and re-aggregation: one test each, on every input backend.

Each test states, in a comment, the number a careless engine gives. Expected values are worked
out by hand; none comes from the code under test.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pytest

from tests.helpers import assert_rows_equal, run

D = dt.date
T = dt.datetime
UTC = dt.UTC
AWARE = pa.timestamp("us", tz="UTC")
COUNT = {"name": "n", "agg": "count"}


@pytest.mark.parametrize(
    ("week_start", "expected"),
    [
        # Mon-start: Sat 12-28, Sun 12-29 -> Mon 12-23 (2 rows); Mon 12-30 .. Sat 01-04 -> 6.
        # Careless strftime('%W') + year: "2024-52" (12-28, 12-29: 2), "2024-53" (12-30, 12-31:
        # 2) and "2025-00" (01-01 .. 01-04: 4) -> the week of 12-30 split into 2 + 4.
        ("monday", [((2024, 12, 23), 2), ((2024, 12, 30), 6)]),
        # Sun-start: Sat 12-28 -> Sun 12-22 (1 row); Sun 12-29 .. Sat 01-04 -> 7.
        # Careless strftime('%U') + year: "2024-52" (12-29 .. 12-31: 3) and "2025-00"
        # (01-01 .. 01-04: 4); or an ISO (Monday) week regardless of week_start: 2 + 6.
        ("sunday", [((2024, 12, 22), 1), ((2024, 12, 29), 7)]),
    ],
)
def test_week_spanning_new_year(
    constructor: Any, week_start: str, expected: list[tuple[tuple[int, int, int], int]]
) -> None:
    days = [D(2024, 12, 28) + dt.timedelta(days=i) for i in range(8)]  # Sat 12-28 .. Sat 01-04
    frame = constructor(
        {"d": days, "ts": [T(d.year, d.month, d.day, 23, 59, 59) for d in days]},
        {"d": pa.date32(), "ts": pa.timestamp("us")},
    )
    result = run(
        {
            "time": {"week_start": week_start},
            "dimensions": [
                {"field": "d", "grain": "week"},
                {"field": "ts", "grain": "week", "name": "ts_week"},
            ],
            "measures": [COUNT],
        },
        frame,
    )
    assert_rows_equal(result, [(D(*b), T(*b), n) for b, n in expected])


@pytest.mark.parametrize("named_by", ["end", "start"])
def test_fiscal_year_spanning_two_calendar_years(constructor: Any, named_by: str) -> None:
    # One row on the 15th of each month from Sep 2024 to Oct 2025 (14 rows), amount = month
    # number in the sequence: Sep 2024 = 1, Oct 2024 = 2, ..., Oct 2025 = 14.
    months = [(2024, m) for m in range(9, 13)] + [(2025, m) for m in range(1, 11)]
    frame = constructor(
        {"d": [D(y, m, 15) for y, m in months], "amount": [float(i + 1) for i in range(14)]},
        {"d": pa.date32()},
    )
    result = run(
        {
            "time": {"fiscal_year_start": 10, "fiscal_year_named_by": named_by},
            "dimensions": [{"field": "d", "grain": "fiscal_year"}],
            "measures": [COUNT, {"name": "total", "agg": "sum", "field": "amount"}],
        },
        frame,
    )
    # FY from Oct 2023: Sep 2024 (1). FY from Oct 2024: Oct-Dec 2024 and Jan-Sep 2025 =
    # 12 rows, 2 + 3 + ... + 13 = 90. FY from Oct 2025: Oct 2025 (14). The bucket date is the
    # same whichever year names it. Careless (calendar year, then relabelled): 2024 with Sep-Dec
    # (4 rows, 10) and 2025 with Jan-Oct (10 rows, 95); or Oct-Dec 2024 split off (3 rows, 9).
    assert_rows_equal(
        result,
        [(D(2023, 10, 1), 1, 1.0), (D(2024, 10, 1), 12, 90.0), (D(2025, 10, 1), 1, 14.0)],
    )


def test_dst_days_in_berlin_keep_all_their_rows(
    constructor: Any, request: pytest.FixtureRequest
) -> None:
    # One row at hh:30 UTC for every hour of the Berlin days 2024-03-31 (23 hours: UTC
    # 03-30 23:00 .. 03-31 22:00) and 2024-10-27 (25 hours: UTC 10-26 22:00 .. 10-27 23:00),
    # plus one row on each neighbouring day at 23:30 / 00:30 local.
    spring = [T(2024, 3, 30, 23, 30) + dt.timedelta(hours=h) for h in range(23)]
    autumn = [T(2024, 10, 26, 22, 30) + dt.timedelta(hours=h) for h in range(25)]
    neighbours = [
        T(2024, 3, 30, 22, 30),  # 03-30 23:30 CET
        T(2024, 3, 31, 22, 30),  # 04-01 00:30 CEST
        T(2024, 10, 26, 21, 30),  # 10-26 23:30 CEST
        T(2024, 10, 27, 23, 30),  # 10-28 00:30 CET
    ]
    stamps = [t.replace(tzinfo=UTC) for t in spring + autumn + neighbours]
    frame = constructor({"ts": stamps}, {"ts": AWARE})
    result = run(
        {
            "time": {"timezone": "Europe/Berlin"},
            "dimensions": [{"field": "ts", "grain": "day"}],
            "measures": [COUNT],
        },
        frame,
    )
    # Berlin: 03-30 1, 03-31 23, 04-01 1, 10-26 1, 10-27 25, 10-28 1.
    # Careless (bucketing in UTC): the 00:30-local rows move to the previous day: 03-30 2,
    # 03-31 23, no 04-01; 10-26 3, 10-27 24, no 10-28. A fixed +01:00 offset: 10-27 24.
    assert_rows_equal(
        result,
        [
            (T(2024, 3, 30), 1),
            (T(2024, 3, 31), 23),
            (T(2024, 4, 1), 1),
            (T(2024, 10, 26), 1),
            (T(2024, 10, 27), 25),
            (T(2024, 10, 28), 1),
        ],
    )


@pytest.mark.parametrize("kind", ["date", "datetime"])
def test_last_month_at_a_month_end(constructor: Any, kind: str) -> None:
    days = [D(2024, 1, 15) + dt.timedelta(days=i) for i in range(92)]  # 01-15 .. 04-15
    if kind == "date":
        frame = constructor({"d": days}, {"d": pa.date32()})
    else:
        frame = constructor(
            {"d": [T(d.year, d.month, d.day, 23, 59) for d in days]}, {"d": pa.timestamp("us")}
        )
    result = run(
        {
            "measures": [
                {"name": "first", "agg": "min", "field": "d"},
                {"name": "last", "agg": "max", "field": "d"},
                COUNT,
            ],
            "filters": [{"field": "d", "op": "last", "unit": "month"}],
        },
        frame,
        as_of="2024-03-31",
    )
    # `last 1 month` as of 2024-03-31 is the complete month before March: Feb 1 .. Feb 29
    # (29 days). Careless (as_of minus one month = 02-29, through the day before as_of):
    # Feb 29 .. Mar 30, 31 days; or as_of minus 30 days: Mar 1 .. Mar 30.
    if kind == "date":
        expected = (D(2024, 2, 1), D(2024, 2, 29), 29)
    else:
        expected = (T(2024, 2, 1, 23, 59), T(2024, 2, 29, 23, 59), 29)
    assert_rows_equal(result, [expected])


def test_relative_filter_and_buckets_agree_in_tokyo(
    constructor: Any, request: pytest.FixtureRequest
) -> None:
    # Asia/Tokyo is UTC+9 (no DST).
    utc = [
        T(2024, 1, 31, 14, 30),  # 01-31 23:30 JST: January
        T(2024, 1, 31, 15, 0),  # 02-01 00:00 JST: February
        T(2024, 1, 31, 23, 30),  # 02-01 08:30 JST: February
        T(2024, 2, 29, 14, 59),  # 02-29 23:59 JST: February
        T(2024, 2, 29, 15, 0),  # 03-01 00:00 JST: March
    ]
    frame = constructor(
        {"ts": [t.replace(tzinfo=UTC) for t in utc], "amount": [1.0, 2.0, 4.0, 8.0, 16.0]},
        {"ts": AWARE},
    )
    result = run(
        {
            "time": {"timezone": "Asia/Tokyo"},
            "dimensions": [{"field": "ts", "grain": "month"}],
            "measures": [COUNT, {"name": "total", "agg": "sum", "field": "amount"}],
            "filters": [{"field": "ts", "op": "this", "unit": "month"}],
        },
        frame,
        as_of="2024-02-10",
    )
    # February in Tokyo: rows 2, 3, 4 -> one bucket, 3 rows, 2 + 4 + 8 = 14.
    # Careless (filter in UTC, buckets in Tokyo): the filter keeps the UTC-February rows 4
    # and 5, bucketed as February (1 row, 8) and March (1 row, 16): a "this month" report
    # showing March. All in UTC: one February bucket with rows 4, 5 (2 rows, 24).
    assert_rows_equal(result, [(T(2024, 2, 1), 3, 14.0)])


# Monthly revenue with holes: 2023 has Jan, Mar, Jun; 2024 has Jan, Feb, Jun.
#   2023-01: 40 + 60 = 100   2023-03: 300   2023-06: 600
#   2024-01: 110             2024-02: 220   2024-06: 690
YOY_DATA = {
    "d": [
        D(2023, 1, 5),
        D(2023, 1, 20),
        D(2023, 3, 3),
        D(2023, 6, 30),
        D(2024, 1, 31),
        D(2024, 2, 1),
        D(2024, 6, 1),
    ],
    "amount": [40.0, 60.0, 300.0, 600.0, 110.0, 220.0, 690.0],
}
YOY_MEASURES = [
    {"name": "revenue", "agg": "sum", "field": "amount"},
    {"name": "last_year", "of": "revenue", "compare": {"offset": "1 year", "show": "value"}},
    {"name": "growth", "of": "revenue", "compare": {"offset": "1 year", "show": "pct_change"}},
]


@pytest.mark.parametrize("filtered", [False, True])
def test_year_over_year_with_missing_months(constructor: Any, filtered: bool) -> None:
    frame = constructor(YOY_DATA, {"d": pa.date32()})
    spec: dict[str, Any] = {
        "dimensions": [{"field": "d", "grain": "month"}],
        "measures": YOY_MEASURES,
    }
    if filtered:
        spec["filters"] = [{"field": "d", "op": "between", "value": ["2024-01-01", "2024-12-31"]}]
    result = run(spec, frame)
    # Same month last year, by calendar: 2024-01 <- 2023-01 (100; growth (110 - 100) / 100 =
    # 0.1); 2024-02 <- 2023-02, inside the data but without rows: an empty month, 0 (growth
    # null: no base); 2024-06 <- 2023-06 (600; (690 - 600) / 600 = 0.15). Careless row lag:
    # the row 3 back ("3 rows a year" here) gives 2024-02 <- 2023-03's
    # 300; the previous row gives 2024-01 <- 600; lag(12) over 6 rows is null everywhere.
    # Filtered to 2024 before comparing, a careless engine has no 2023 rows left: last_year
    # is null on every row.
    rows_2024 = [
        (D(2024, 1, 1), 110.0, 100.0, 0.1),
        (D(2024, 2, 1), 220.0, 0.0, None),
        (D(2024, 6, 1), 690.0, 600.0, 0.15),
    ]
    rows_2023 = [
        (D(2023, 1, 1), 100.0, None, None),
        (D(2023, 3, 1), 300.0, None, None),
        (D(2023, 6, 1), 600.0, None, None),
    ]
    assert_rows_equal(result, rows_2024 if filtered else rows_2023 + rows_2024)


def test_empty_denominators_give_null(constructor: Any) -> None:
    frame = constructor(
        {
            "g": ["x", "x", "y", "y", "z", "w"],
            "a": [10.0, 0.0, 6.0, 9.0, 0.0, 5.0],
            "b": [0.0, 0.0, 3.0, 3.0, 0.0, None],
        },
        {"g": pa.string(), "a": pa.float64(), "b": pa.float64()},
    )
    ratio = run(
        {
            "dimensions": ["g"],
            "measures": [
                {"name": "a_sum", "agg": "sum", "field": "a"},
                {"name": "b_sum", "agg": "sum", "field": "b"},
                {"name": "ratio", "formula": "a_sum / b_sum"},
            ],
        },
        frame,
    )
    # w: 5 / (sum of no b = 0) -> null; x: 10 / 0 -> null; y: 15 / 6 = 2.5; z: 0 / 0 -> null.
    # Careless: inf for w and x, NaN (or 0) for z.
    assert_rows_equal(
        ratio,
        [
            ("w", 5.0, 0.0, None),
            ("x", 10.0, 0.0, None),
            ("y", 15.0, 6.0, 2.5),
            ("z", 0.0, 0.0, None),
        ],
    )


def test_pct_change_from_a_zero_base_is_null(constructor: Any) -> None:
    frame = constructor(
        {
            "d": [D(2024, 1, 10), D(2024, 2, 10), D(2024, 3, 10), D(2024, 3, 20)],
            "amount": [0.0, 50.0, 60.0, 40.0],
        },
        {"d": pa.date32(), "amount": pa.float64()},
    )
    result = run(
        {
            "dimensions": [{"field": "d", "grain": "month"}],
            "measures": [
                {"name": "revenue", "agg": "sum", "field": "amount"},
                {"name": "growth", "of": "revenue", "compare": {"show": "pct_change"}},
                {"name": "change", "of": "revenue", "compare": {"show": "change"}},
            ],
        },
        frame,
    )
    # Jan 0 (no previous month: null, null); Feb 50 from a base of 0: growth null, change 50;
    # Mar 60 + 40 = 100: growth (100 - 50) / 50 = 1.0, change 50.
    # Careless: Feb growth inf (float division) or 0 (fill_null(0)), or an error on DuckDB.
    assert_rows_equal(
        result,
        [
            (D(2024, 1, 1), 0.0, None, None),
            (D(2024, 2, 1), 50.0, None, 50.0),
            (D(2024, 3, 1), 100.0, 1.0, 50.0),
        ],
    )


def test_other_bucket_recomputes_distinct_counts_and_medians(constructor: Any) -> None:
    # rep | orders | customers  | amounts
    #  A  |   4    | c1, c2     | 1, 2, 3, 4
    #  B  |   3    | c3         | 10, 20, 30
    #  C  |   2    | c1, c4     | 5, 100
    #  D  |   1    | c4         | 7
    rows = [
        ("A", "c1", 1.0), ("A", "c2", 2.0), ("A", "c1", 3.0), ("A", "c2", 4.0),
        ("B", "c3", 10.0), ("B", "c3", 20.0), ("B", "c3", 30.0),
        ("C", "c1", 5.0), ("C", "c4", 100.0),
        ("D", "c4", 7.0),
    ]  # fmt: skip
    frame = constructor(
        {
            "rep": [r[0] for r in rows],
            "customer": [r[1] for r in rows],
            "amount": [r[2] for r in rows],
        },
        {"rep": pa.string(), "customer": pa.string(), "amount": pa.float64()},
    )
    result = run(
        {
            "dimensions": [{"field": "rep", "top": {"n": 2, "by": "orders"}}],
            "measures": [
                {"name": "orders", "agg": "count"},
                {"name": "customers", "agg": "count_distinct", "field": "customer"},
                {"name": "median", "agg": "median", "field": "amount"},
            ],
        },
        frame,
    )
    # Top 2 by orders: A (4), B (3). Other = C + D: 3 orders; customers {c1, c4} = 2; median
    # of [5, 7, 100] = 7. Careless: customers C 2 + D 1 = 3 (c4 counted twice); median of the
    # members' medians [52.5, 7] = 29.75.
    assert_rows_equal(
        result,
        [("A", 4, 2, 2.5), ("B", 3, 1, 20.0), ("Other", 3, 2, 7.0)],
    )
