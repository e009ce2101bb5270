"""Time grains, date parts, time zones, bins, groups, formula dimensions, gap filling, relative
date filters, parameters, formula filters and `having`, on every input backend.

Every expected value is worked out by hand (the arithmetic is in the comments); none comes from
the code under test. Weekdays used below: 2024-01-01 is a Monday, so 2024-02-29 is a Thursday,
2024-06-01 a Saturday, 2024-06-30 a Sunday, 2024-10-01 and 2024-12-31 Tuesdays.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pytest

from crmreports import Report, SpecError
from tests.helpers import arrow_table, assert_rows_equal, run

D = dt.date
T = dt.datetime
UTC = dt.UTC

COUNT = {"name": "n", "agg": "count"}

# DuckDB relations made on the caller's own connection convert timezone-aware timestamps with
# that connection's TimeZone setting (the machine's zone), not with `time.timezone`.


def days(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every day from first through last (test input, not an expectation)."""
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


# --- week start ----------------------------------------------------------------------------------

WEEK_DAYS = [
    D(2024, 6, 1),
    D(2024, 6, 2),
    D(2024, 6, 3),
    D(2024, 6, 8),
    D(2024, 6, 9),
    D(2024, 6, 10),
]
#            Sat             Sun             Mon             Sat             Sun             Mon

WEEK_BUCKETS = {
    # monday: Sat 06-01, Sun 06-02 -> Mon 05-27; Mon 06-03, Sat 06-08, Sun 06-09 -> 06-03;
    #         Mon 06-10 -> 06-10
    "monday": [((2024, 5, 27), 2), ((2024, 6, 3), 3), ((2024, 6, 10), 1)],
    # sunday: Sat 06-01 -> Sun 05-26; Sun 06-02, Mon 06-03, Sat 06-08 -> 06-02;
    #         Sun 06-09, Mon 06-10 -> 06-09
    "sunday": [((2024, 5, 26), 1), ((2024, 6, 2), 3), ((2024, 6, 9), 2)],
    # saturday: Sat 06-01, Sun 06-02, Mon 06-03 -> 06-01; Sat 06-08 .. Mon 06-10 -> 06-08
    "saturday": [((2024, 6, 1), 3), ((2024, 6, 8), 3)],
    # wednesday: Sat 06-01 .. Mon 06-03 -> Wed 05-29; Sat 06-08 .. Mon 06-10 -> Wed 06-05
    "wednesday": [((2024, 5, 29), 3), ((2024, 6, 5), 3)],
}


@pytest.mark.parametrize("week_start", list(WEEK_BUCKETS))
def test_week_start_on_the_same_dates(constructor: Any, week_start: str) -> None:
    frame = constructor(
        {"d": WEEK_DAYS, "ts": [T(d.year, d.month, d.day, 23, 59, 59) for d in WEEK_DAYS]},
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
    # A date stays a date, a datetime a datetime at midnight of the week's first day.
    expected = [(D(*b), T(*b), n) for b, n in WEEK_BUCKETS[week_start]]
    assert_rows_equal(result, expected)


# --- fiscal years and quarters -------------------------------------------------------------------

FISCAL_DAYS = [
    D(2024, 9, 30),
    D(2024, 10, 1),
    D(2024, 12, 31),
    D(2025, 1, 1),
    D(2025, 3, 31),
    D(2025, 4, 1),
    D(2025, 9, 30),
    D(2025, 10, 1),
]
FISCAL_AMOUNTS = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0]


@pytest.mark.parametrize("named_by", ["end", "start"])
def test_fiscal_year_starting_october(constructor: Any, named_by: str) -> None:
    frame = constructor(
        {
            "d": FISCAL_DAYS,
            "ts": [T(d.year, d.month, d.day, 12) for d in FISCAL_DAYS],
            "amount": FISCAL_AMOUNTS,
        },
        {"d": pa.date32(), "ts": pa.timestamp("us")},
    )
    result = run(
        {
            "time": {"fiscal_year_start": 10, "fiscal_year_named_by": named_by},
            "dimensions": [
                {"field": "d", "grain": "fiscal_year"},
                {"field": "ts", "grain": "fiscal_year", "name": "ts_fy"},
            ],
            "measures": [COUNT, {"name": "total", "agg": "sum", "field": "amount"}],
        },
        frame,
    )
    # The bucket is labelled by its first day whatever the name (FY2025 by end, FY2024 by
    # start, rendered elsewhere):
    # 2024-09-30 -> FY from 2023-10-01: 1 row, 1
    # 2024-10-01 .. 2025-09-30 -> 2024-10-01: 6 rows, 2 + 4 + 8 + 16 + 32 + 64 = 126
    # 2025-10-01 -> 2025-10-01: 1 row, 128
    assert_rows_equal(
        result,
        [
            (D(2023, 10, 1), T(2023, 10, 1), 1, 1.0),
            (D(2024, 10, 1), T(2024, 10, 1), 6, 126.0),
            (D(2025, 10, 1), T(2025, 10, 1), 1, 128.0),
        ],
    )


def test_fiscal_quarter_starting_october(constructor: Any) -> None:
    frame = constructor({"d": FISCAL_DAYS}, {"d": pa.date32()})
    result = run(
        {
            "time": {"fiscal_year_start": 10},
            "dimensions": [{"field": "d", "grain": "fiscal_quarter"}],
            "measures": [COUNT],
        },
        frame,
    )
    # Fiscal quarters start in Oct, Jan, Apr, Jul:
    # 2024-09-30 -> 07-01; 10-01, 12-31 -> 10-01; 2025-01-01, 03-31 -> 01-01; 04-01 -> 04-01;
    # 2025-09-30 -> 07-01; 2025-10-01 -> 10-01
    assert_rows_equal(
        result,
        [
            (D(2024, 7, 1), 1),
            (D(2024, 10, 1), 2),
            (D(2025, 1, 1), 2),
            (D(2025, 4, 1), 1),
            (D(2025, 7, 1), 1),
            (D(2025, 10, 1), 1),
        ],
    )


NOVEMBER_DAYS = [
    D(2024, 1, 31),
    D(2024, 2, 1),
    D(2024, 4, 30),
    D(2024, 5, 1),
    D(2024, 10, 31),
    D(2024, 11, 1),
    D(2025, 1, 15),
]


@pytest.mark.parametrize(
    ("grain", "expected"),
    [
        # Fiscal quarters from November: Nov-Jan, Feb-Apr, May-Jul, Aug-Oct.
        # 2024-01-31 -> 2023-11-01; 02-01, 04-30 -> 02-01; 05-01 -> 05-01; 10-31 -> 08-01;
        # 11-01, 2025-01-15 -> 2024-11-01
        (
            "fiscal_quarter",
            [
                ((2023, 11, 1), 1),
                ((2024, 2, 1), 2),
                ((2024, 5, 1), 1),
                ((2024, 8, 1), 1),
                ((2024, 11, 1), 2),
            ],
        ),
        # Fiscal years from November: 2024-01-31 .. 2024-10-31 -> 2023-11-01 (5 rows);
        # 2024-11-01, 2025-01-15 -> 2024-11-01 (2 rows)
        ("fiscal_year", [((2023, 11, 1), 5), ((2024, 11, 1), 2)]),
    ],
)
def test_fiscal_grains_starting_november(
    constructor: Any, grain: str, expected: list[tuple[tuple[int, int, int], int]]
) -> None:
    frame = constructor(
        {"ts": [T(d.year, d.month, d.day, 6, 30) for d in NOVEMBER_DAYS]},
        {"ts": pa.timestamp("us")},
    )
    result = run(
        {
            "time": {"fiscal_year_start": 11},
            "dimensions": [{"field": "ts", "grain": grain}],
            "measures": [COUNT],
        },
        frame,
    )
    assert_rows_equal(result, [(T(*b), n) for b, n in expected])


# --- hour grain ----------------------------------------------------------------------------------


def test_hour_grain(constructor: Any) -> None:
    frame = constructor(
        {
            "ts": [
                T(2024, 5, 1, 9, 0),
                T(2024, 5, 1, 9, 59, 59, 999999),
                T(2024, 5, 1, 10, 0),
                T(2024, 5, 1, 23, 30),
                T(2024, 5, 2, 0, 0),
                None,
            ],
            "amount": [1.0, 2.0, 4.0, 8.0, 16.0, 32.0],
        },
        {"ts": pa.timestamp("us")},
    )
    result = run(
        {
            "dimensions": [{"field": "ts", "grain": "hour"}],
            "measures": [COUNT, {"name": "total", "agg": "sum", "field": "amount"}],
        },
        frame,
    )
    # 09:00 and 09:59:59.999999 -> 09:00 (1 + 2); 10:00 (4); 23:30 -> 23:00 (8);
    # next midnight (16); null (32) last
    assert_rows_equal(
        result,
        [
            (T(2024, 5, 1, 9), 2, 3.0),
            (T(2024, 5, 1, 10), 1, 4.0),
            (T(2024, 5, 1, 23), 1, 8.0),
            (T(2024, 5, 2, 0), 1, 16.0),
            (None, 1, 32.0),
        ],
    )


# --- date parts ----------------------------------------------------------------------------------
#
#  row | datetime            | weekday | hour | day | month | quarter | FQ (Oct) | FQ (Nov)
#  ----+---------------------+---------+------+-----+-------+---------+----------+---------
#   a  | 2024-01-01 00:15    | Mon 1   |  0   |  1  |   1   |    1    |    2     |    1
#   b  | 2024-02-29 13:45    | Thu 4   | 13   | 29  |   2   |    1    |    2     |    2
#   c  | 2024-06-30 23:59    | Sun 7   | 23   | 30  |   6   |    2    |    3     |    3
#   d  | 2024-10-01 13:00    | Tue 2   | 13   |  1  |  10   |    4    |    1     |    4
#   e  | 2024-12-31 00:00    | Tue 2   |  0   | 31  |  12   |    4    |    1     |    1
#   f  | null

PART_TS = [
    T(2024, 1, 1, 0, 15),
    T(2024, 2, 29, 13, 45),
    T(2024, 6, 30, 23, 59),
    T(2024, 10, 1, 13, 0),
    T(2024, 12, 31, 0, 0),
    None,
]
PART_CASES: list[tuple[str, int, list[tuple[int, int]]]] = [
    ("hour_of_day", 1, [(0, 2), (13, 2), (23, 1)]),  # a, e | b, d | c
    ("day_of_week", 1, [(1, 1), (2, 2), (4, 1), (7, 1)]),  # a | d, e | b | c
    ("day_of_month", 1, [(1, 2), (29, 1), (30, 1), (31, 1)]),  # a, d | b | c | e
    ("month_of_year", 1, [(1, 1), (2, 1), (6, 1), (10, 1), (12, 1)]),
    ("quarter_of_year", 1, [(1, 2), (2, 1), (4, 2)]),  # a, b | c | d, e
    ("fiscal_quarter_of_year", 10, [(1, 2), (2, 2), (3, 1)]),  # d, e | a, b | c
    ("fiscal_quarter_of_year", 11, [(1, 2), (2, 1), (3, 1), (4, 1)]),  # a, e | b | c | d
]


@pytest.mark.parametrize(("part", "fiscal_start", "expected"), PART_CASES)
def test_date_parts(
    constructor: Any, part: str, fiscal_start: int, expected: list[tuple[int, int]]
) -> None:
    dates = [None if t is None else t.date() for t in PART_TS]
    frame = constructor({"ts": PART_TS, "d": dates}, {"ts": pa.timestamp("us"), "d": pa.date32()})
    dims = [{"field": "ts", "part": part}]
    if part != "hour_of_day":  # a date has no hour; every other part agrees on date and datetime
        dims.append({"field": "d", "part": part})
    result = run(
        {"time": {"fiscal_year_start": fiscal_start}, "dimensions": dims, "measures": [COUNT]},
        frame,
    )
    if part == "hour_of_day":
        rows = [(v, n) for v, n in expected] + [(None, 1)]
    else:
        rows = [(v, v, n) for v, n in expected] + [(None, None, 1)]
    assert_rows_equal(result, rows)  # integers, not floats; the null row forms its own group


# --- time zones ----------------------------------------------------------------------------------
#
# Europe/Berlin: CET = UTC+1; CEST = UTC+2 from 2024-03-31 01:00 UTC (02:00 local jumps to
# 03:00) to 2024-10-27 01:00 UTC (03:00 local falls back to 02:00). So local 2024-03-31 lasts
# 23 hours (UTC 03-30 23:00 .. 03-31 22:00) and local 2024-10-27 lasts 25 hours
# (UTC 10-26 22:00 .. 10-27 23:00).
#
#  row | UTC              | Berlin wall clock      | value
#  ----+------------------+------------------------+------
#  s1  | 03-30 22:30      | 03-30 23:30 (CET)      |   1
#  s2  | 03-30 23:30      | 03-31 00:30 (CET)      |   2
#  s3  | 03-31 00:59      | 03-31 01:59 (CET)      |   4
#  s4  | 03-31 01:00      | 03-31 03:00 (CEST)     |   8
#  s5  | 03-31 21:59      | 03-31 23:59 (CEST)     |  16
#  s6  | 03-31 22:00      | 04-01 00:00 (CEST)     |  32
#  f1  | 10-26 21:59      | 10-26 23:59 (CEST)     |  64
#  f2  | 10-26 22:00      | 10-27 00:00 (CEST)     | 128
#  f3  | 10-27 00:30      | 10-27 02:30 (CEST)     | 256
#  f4  | 10-27 01:30      | 10-27 02:30 (CET)      | 512
#  f5  | 10-27 22:59      | 10-27 23:59 (CET)      | 1024
#  f6  | 10-27 23:00      | 10-28 00:00 (CET)      | 2048

BERLIN_UTC = [
    T(2024, 3, 30, 22, 30),
    T(2024, 3, 30, 23, 30),
    T(2024, 3, 31, 0, 59),
    T(2024, 3, 31, 1, 0),
    T(2024, 3, 31, 21, 59),
    T(2024, 3, 31, 22, 0),
    T(2024, 10, 26, 21, 59),
    T(2024, 10, 26, 22, 0),
    T(2024, 10, 27, 0, 30),
    T(2024, 10, 27, 1, 30),
    T(2024, 10, 27, 22, 59),
    T(2024, 10, 27, 23, 0),
]
BERLIN_VALUES = [float(2**i) for i in range(12)]
AWARE = pa.timestamp("us", tz="UTC")


@pytest.fixture
def berlin(constructor: Any) -> Any:
    return constructor(
        {"ts": [t.replace(tzinfo=UTC) for t in BERLIN_UTC], "value": BERLIN_VALUES},
        {"ts": AWARE},
    )


def test_berlin_day_buckets_around_dst(
    constructor: Any, berlin: Any, request: pytest.FixtureRequest
) -> None:
    result = run(
        {
            "time": {"timezone": "Europe/Berlin"},
            "dimensions": [{"field": "ts", "grain": "day"}],
            "measures": [COUNT, {"name": "total", "agg": "sum", "field": "value"}],
        },
        berlin,
    )
    # 03-30: s1 (1); 03-31, 23 hours long: s2..s5 (2 + 4 + 8 + 16 = 30); 04-01: s6 (32);
    # 10-26: f1 (64); 10-27, 25 hours long: f2..f5 (128 + 256 + 512 + 1024 = 1920);
    # 10-28: f6 (2048). In UTC it would be 03-30: s1, s2 (3) and 10-26: f1, f2 (192).
    assert_rows_equal(
        result,
        [
            (T(2024, 3, 30), 1, 1.0),
            (T(2024, 3, 31), 4, 30.0),
            (T(2024, 4, 1), 1, 32.0),
            (T(2024, 10, 26), 1, 64.0),
            (T(2024, 10, 27), 4, 1920.0),
            (T(2024, 10, 28), 1, 2048.0),
        ],
    )


def test_berlin_hour_buckets_around_dst(
    constructor: Any, berlin: Any, request: pytest.FixtureRequest
) -> None:
    result = run(
        {
            "time": {"timezone": "Europe/Berlin"},
            "dimensions": [{"field": "ts", "grain": "hour"}],
            "measures": [COUNT, {"name": "total", "agg": "sum", "field": "value"}],
        },
        berlin,
    )
    # Wall-clock hours: no 02:00 on 03-31 (s3 01:59 -> 01:00, s4 03:00 -> 03:00); on 10-27
    # 02:00 happens twice and both f3 and f4 fall in the wall-clock bucket 02:00 (256 + 512).
    assert_rows_equal(
        result,
        [
            (T(2024, 3, 30, 23), 1, 1.0),
            (T(2024, 3, 31, 0), 1, 2.0),
            (T(2024, 3, 31, 1), 1, 4.0),
            (T(2024, 3, 31, 3), 1, 8.0),
            (T(2024, 3, 31, 23), 1, 16.0),
            (T(2024, 4, 1, 0), 1, 32.0),
            (T(2024, 10, 26, 23), 1, 64.0),
            (T(2024, 10, 27, 0), 1, 128.0),
            (T(2024, 10, 27, 2), 2, 768.0),
            (T(2024, 10, 27, 23), 1, 1024.0),
            (T(2024, 10, 28, 0), 1, 2048.0),
        ],
    )


def test_berlin_filter_and_formula_see_wall_clock_time(
    constructor: Any, berlin: Any, request: pytest.FixtureRequest
) -> None:
    result = run(
        {
            "time": {"timezone": "Europe/Berlin"},
            "dimensions": [{"name": "h", "expr": "hour(ts)"}],
            "measures": [COUNT, {"name": "total", "agg": "sum", "field": "value"}],
            "filters": [
                {"field": "ts", "op": "ge", "value": "2024-03-31"},
                {"field": "ts", "op": "lt", "value": "2024-04-01"},
            ],
        },
        berlin,
    )
    # Local 2024-03-31: s2 00:30, s3 01:59, s4 03:00, s5 23:59 (2 + 4 + 8 + 16). A UTC
    # filter would keep s3..s6 (60) and hour() in UTC would give 0, 1, 21, 22.
    assert_rows_equal(result, [(0, 1, 2.0), (1, 1, 4.0), (3, 1, 8.0), (23, 1, 16.0)])


def test_berlin_parts_use_wall_clock_time(
    constructor: Any, berlin: Any, request: pytest.FixtureRequest
) -> None:
    result = run(
        {
            "time": {"timezone": "Europe/Berlin"},
            "dimensions": [{"field": "ts", "part": "day_of_month"}],
            "measures": [COUNT],
        },
        berlin,
    )
    # day 1: s6; 26: f1; 27: f2..f5; 28: f6; 30: s1; 31: s2..s5
    assert_rows_equal(result, [(1, 1), (26, 1), (27, 4), (28, 1), (30, 1), (31, 4)])


def test_berlin_week_bucket_and_an_aware_filter_value(
    constructor: Any, request: pytest.FixtureRequest
) -> None:
    frame = constructor(
        {"ts": [T(2024, 3, 31, 21, 30, tzinfo=UTC), T(2024, 3, 31, 22, 30, tzinfo=UTC)]},
        {"ts": AWARE},
    )
    spec: dict[str, Any] = {
        "time": {"timezone": "Europe/Berlin"},
        "dimensions": [{"field": "ts", "grain": "week"}],
        "measures": [COUNT],
    }
    # 21:30 UTC = Sun 03-31 23:30 CEST -> week of Mon 03-25; 22:30 UTC = Mon 04-01 00:30 CEST
    # -> week of 04-01 (in UTC both rows are on Sunday: one bucket, 03-25, with 2 rows)
    assert_rows_equal(run(spec, frame), [(T(2024, 3, 25), 1), (T(2024, 4, 1), 1)])
    # A value with an offset is the same instant in Berlin time: 04-01 00:00 CEST keeps only
    # the 22:30 UTC row (read as UTC wall-clock time it would keep neither).
    spec["filters"] = [{"field": "ts", "op": "ge", "value": "2024-04-01T00:00:00+02:00"}]
    assert_rows_equal(run(spec, frame), [(T(2024, 4, 1), 1)])


#  America/New_York: EST = UTC-5; EDT = UTC-4 from 2024-03-10 07:00 UTC (02:00 -> 03:00).
#  row | UTC              | New York wall clock
#  n1  | 03-10 04:59      | 03-09 23:59 (EST)
#  n2  | 03-10 05:00      | 03-10 00:00 (EST)
#  n3  | 03-10 06:30      | 03-10 01:30 (EST)
#  n4  | 03-10 07:30      | 03-10 03:30 (EDT)
#  n5  | 03-11 03:59      | 03-10 23:59 (EDT)
#  n6  | 03-11 04:00      | 03-11 00:00 (EDT)
#  n7  | 2024-01-01 03:00 | 2023-12-31 22:00 (EST)
NEW_YORK_UTC = [
    T(2024, 3, 10, 4, 59),
    T(2024, 3, 10, 5, 0),
    T(2024, 3, 10, 6, 30),
    T(2024, 3, 10, 7, 30),
    T(2024, 3, 11, 3, 59),
    T(2024, 3, 11, 4, 0),
    T(2024, 1, 1, 3, 0),
]


@pytest.mark.parametrize(
    ("grain", "expected"),
    [
        # n7 | n1 | n2..n5 (the 23-hour day) | n6
        (
            "day",
            [
                (T(2023, 12, 31), 1),
                (T(2024, 3, 9), 1),
                (T(2024, 3, 10), 4),
                (T(2024, 3, 11), 1),
            ],
        ),
        (
            "hour",
            [
                (T(2023, 12, 31, 22), 1),
                (T(2024, 3, 9, 23), 1),
                (T(2024, 3, 10, 0), 1),
                (T(2024, 3, 10, 1), 1),
                (T(2024, 3, 10, 3), 1),
                (T(2024, 3, 10, 23), 1),
                (T(2024, 3, 11, 0), 1),
            ],
        ),
        # n7 is still 2023 in New York (in UTC: 2024, with 7 rows)
        ("year", [(T(2023, 1, 1), 1), (T(2024, 1, 1), 6)]),
    ],
)
def test_new_york_buckets(
    constructor: Any,
    request: pytest.FixtureRequest,
    grain: str,
    expected: list[tuple[dt.datetime, int]],
) -> None:
    frame = constructor({"ts": [t.replace(tzinfo=UTC) for t in NEW_YORK_UTC]}, {"ts": AWARE})
    result = run(
        {
            "time": {"timezone": "America/New_York"},
            "dimensions": [{"field": "ts", "grain": grain}],
            "measures": [COUNT],
        },
        frame,
    )
    assert_rows_equal(result, expected)


def test_aware_timestamps_default_to_utc(constructor: Any) -> None:
    # Stored in Berlin time: 2024-01-01 00:30 CET is 2023-12-31 23:30 UTC;
    # 2024-06-30 23:30 CEST is 2024-06-30 21:30 UTC.
    berlin = dt.timezone(dt.timedelta(hours=1))
    summer = dt.timezone(dt.timedelta(hours=2))
    frame = constructor(
        {"ts": [T(2024, 1, 1, 0, 30, tzinfo=berlin), T(2024, 6, 30, 23, 30, tzinfo=summer)]},
        {"ts": pa.timestamp("us", tz="Europe/Berlin")},
    )
    result = run({"dimensions": [{"field": "ts", "grain": "day"}], "measures": [COUNT]}, frame)
    # No time.timezone: UTC days 2023-12-31 and 2024-06-30 (not the Berlin 01-01, 06-30).
    assert_rows_equal(result, [(T(2023, 12, 31), 1), (T(2024, 6, 30), 1)])


def test_naive_timestamps_are_already_local(constructor: Any) -> None:
    frame = constructor(
        {"ts": [T(2024, 3, 30, 23, 30), T(2024, 3, 31, 0, 30)]}, {"ts": pa.timestamp("us")}
    )
    result = run(
        {
            "time": {"timezone": "Europe/Berlin"},
            "dimensions": [{"field": "ts", "grain": "day"}],
            "measures": [COUNT],
        },
        frame,
    )
    # Not shifted by +1 hour: 23:30 stays on 03-30 (shifted, both rows would be on 03-31).
    assert_rows_equal(result, [(T(2024, 3, 30), 1), (T(2024, 3, 31), 1)])


def test_unknown_timezone_is_a_spec_error(constructor: Any) -> None:
    frame = constructor({"ts": [T(2024, 1, 1)]}, {"ts": pa.timestamp("us")})
    with pytest.raises(SpecError) as info:
        run({"time": {"timezone": "Europe/Berlim"}, "measures": [COUNT]}, frame)
    assert info.value.codes == ["unknown-timezone"]


# --- bins ----------------------------------------------------------------------------------------

BINS = [{"label": "small", "below": 100}, {"label": "medium", "below": 1000}, {"label": "large"}]


@pytest.mark.parametrize("desc", [False, True])
def test_bins_boundaries_null_and_tier_order(constructor: Any, desc: bool) -> None:
    frame = constructor(
        {"amount": [99.99, 100.0, -5.0, 1000.0, 999.0, None, 0.0]}, {"amount": pa.float64()}
    )
    spec: dict[str, Any] = {
        "dimensions": [{"field": "amount", "name": "size", "bins": BINS}],
        "measures": [COUNT, {"name": "total", "agg": "sum", "field": "amount"}],
    }
    if desc:
        spec["sort"] = [{"field": "size", "desc": True}]
    result = run(spec, frame)
    # small (< 100): 99.99, -5, 0 -> 3 rows, 94.99; medium (100 <= x < 1000): 100 (exactly the
    # bound goes up), 999 -> 2 rows, 1099; large (>= 1000): 1000 -> 1 row; null stays null.
    # Tier order, not alphabetical (which would be large, medium, small); nulls last either way.
    rows = [("small", 3, 94.99), ("medium", 2, 1099.0), ("large", 1, 1000.0)]
    if desc:
        rows.reverse()
    assert_rows_equal(result, [*rows, (None, 1, 0.0)])
    assert result.columns == ["size", "n", "total"]


def test_bins_tied_on_a_sorted_measure_keep_tier_order(constructor: Any) -> None:
    frame = constructor({"x": [1.0, 50.0, 500.0, 2.0, 60.0]}, {"x": pa.float64()})
    result = run(
        {
            "dimensions": [
                {
                    "field": "x",
                    "bins": [
                        {"label": "small", "below": 10},
                        {"label": "medium", "below": 100},
                        {"label": "large"},
                    ],
                }
            ],
            "measures": [COUNT],
            "sort": [{"field": "n", "desc": True}],
        },
        frame,
    )
    # small: 1, 2; medium: 50, 60; large: 500. The tie (2, 2) is broken by tier order
    # (small before medium), not alphabetically (medium before small).
    assert_rows_equal(result, [("small", 2), ("medium", 2), ("large", 1)])


def test_bins_on_integers(constructor: Any) -> None:
    frame = constructor({"qty": [0, 9, 10, 11, None, 10]}, {"qty": pa.int64()})
    result = run(
        {
            "dimensions": [{"field": "qty", "bins": [{"label": "z", "below": 10}, {"label": "a"}]}],
            "measures": [COUNT],
        },
        frame,
    )
    # z: 0, 9; a: 10, 11, 10 (10 is not below 10); null. Tier order puts "z" before "a".
    assert_rows_equal(result, [("z", 2), ("a", 3), (None, 1)])


# --- groups --------------------------------------------------------------------------------------

STAGES = ["Won", "Closed Won", "Lost", "Open", None, "Open", "Closed Won"]
GROUPS = {"won": ["Won", "Closed Won"], "lost": ["Lost"]}


@pytest.mark.parametrize(
    ("policy", "other_label", "expected"),
    [
        # won: Won + 2 x Closed Won = 3; lost: 1; Open keeps its value (2); null stays null (1).
        # Sorted by code point: "Open" < "lost" < "won".
        ("keep", None, [("Open", 2), ("lost", 1), ("won", 3), (None, 1)]),
        # Open becomes null and joins the null row: 2 + 1 = 3.
        ("null", None, [("lost", 1), ("won", 3), (None, 3)]),
        # Open goes to "Other"; the null value still stays null.
        ("other", None, [("Other", 2), ("lost", 1), ("won", 3), (None, 1)]),
        ("other", "Rest", [("Rest", 2), ("lost", 1), ("won", 3), (None, 1)]),
    ],
)
def test_groups_unmatched_policies(
    constructor: Any, policy: str, other_label: str | None, expected: list[Any]
) -> None:
    frame = constructor({"stage": STAGES}, {"stage": pa.string()})
    dim: dict[str, Any] = {"field": "stage", "groups": GROUPS, "unmatched": policy}
    if other_label is not None:
        dim["other_label"] = other_label
    result = run({"dimensions": [dim], "measures": [COUNT]}, frame)
    assert_rows_equal(result, expected)


def test_groups_on_integers_with_other(constructor: Any) -> None:
    frame = constructor({"tier": [1, 2, 3, None, 2]}, {"tier": pa.int64()})
    result = run(
        {
            "dimensions": [{"field": "tier", "groups": {"low": [1, 2]}, "unmatched": "other"}],
            "measures": [COUNT],
        },
        frame,
    )
    # low: 1, 2, 2; Other: 3; null stays null
    assert_rows_equal(result, [("Other", 1), ("low", 3), (None, 1)])


def test_groups_keep_on_a_number_column_is_refused(constructor: Any) -> None:
    frame = constructor({"tier": [1, 2]}, {"tier": pa.int64()})
    with pytest.raises(SpecError) as info:
        run({"dimensions": [{"field": "tier", "groups": {"low": [1]}}], "measures": [COUNT]}, frame)
    assert info.value.codes == ["invalid-value"]


# --- formula dimensions --------------------------------------------------------------------------


def test_formula_dimension(constructor: Any) -> None:
    frame = constructor({"amount": [50.0, 100.0, 150.0, None, 20.0]}, {"amount": pa.float64()})
    result = run(
        {
            "dimensions": [{"name": "size", "expr": "if(amount >= 100, 'large', 'small')"}],
            "measures": [COUNT, {"name": "total", "agg": "sum", "field": "amount"}],
        },
        frame,
    )
    # large: 100, 150 -> 250; small: 50, 20 and the null row (if() takes the else branch when
    # the condition is null) -> 3 rows, 70
    assert_rows_equal(result, [("large", 2, 250.0), ("small", 3, 70.0)])


def test_formula_dimension_with_a_grain(constructor: Any) -> None:
    frame = constructor(
        {
            "closed": [D(2024, 2, 3), None, D(2024, 3, 1), None],
            "created": [D(2024, 1, 10), D(2024, 1, 31), D(2024, 1, 5), D(2024, 2, 29)],
        },
        {"closed": pa.date32(), "created": pa.date32()},
    )
    result = run(
        {
            "dimensions": [
                {"name": "month", "expr": "coalesce(closed, created)", "grain": "month"}
            ],
            "measures": [COUNT],
        },
        frame,
    )
    # coalesce: 02-03, 01-31, 03-01, 02-29 -> Jan 1, Feb 2, Mar 1 (dates stay dates)
    assert_rows_equal(result, [(D(2024, 1, 1), 1), (D(2024, 2, 1), 2), (D(2024, 3, 1), 1)])


def test_formula_dimension_needs_a_name(constructor: Any) -> None:
    frame = constructor({"amount": [1.0]})
    with pytest.raises(SpecError) as info:
        run({"dimensions": [{"expr": "amount > 0"}], "measures": [COUNT]}, frame)
    assert info.value.codes == ["missing-key"]


# --- fill_gaps -----------------------------------------------------------------------------------

GAP_DATA = {
    "d": [D(2024, 1, 15), D(2024, 1, 20), D(2024, 3, 3), D(2024, 4, 30)],
    "region": ["EU", "US", "EU", "US"],
    "amount": [10.0, 5.0, 7.0, 1.0],
}
GAP_SCHEMA = {"d": pa.date32(), "region": pa.string(), "amount": pa.float64()}
GAP_MEASURES = [
    COUNT,
    {"name": "total", "agg": "sum", "field": "amount"},
    {"name": "avg", "agg": "avg", "field": "amount"},
]


def _empty_months(*months: tuple[int, int]) -> list[tuple[Any, ...]]:
    """EU and US rows of months without rows inside the data: count 0, sum 0, average null."""
    return [(D(y, m, 1), r, 0, 0.0, None) for y, m in months for r in ("EU", "US")]


def _months_without_data(*months: tuple[int, int]) -> list[tuple[Any, ...]]:
    """EU and US rows of months before the first row or after the last: all null."""
    return [(D(y, m, 1), r, None, None, None) for y, m in months for r in ("EU", "US")]


def test_fill_gaps_over_the_data_range_with_another_dimension(constructor: Any) -> None:
    frame = constructor(GAP_DATA, GAP_SCHEMA)
    result = run(
        {
            "dimensions": [{"field": "d", "grain": "month", "fill_gaps": True}, "region"],
            "measures": GAP_MEASURES,
        },
        frame,
    )
    # Jan..Apr (first..last month with data) x {EU, US}: 8 rows, though only 4 have data.
    assert_rows_equal(
        result,
        [
            (D(2024, 1, 1), "EU", 1, 10.0, 10.0),
            (D(2024, 1, 1), "US", 1, 5.0, 5.0),
            *_empty_months((2024, 2)),
            (D(2024, 3, 1), "EU", 1, 7.0, 7.0),
            (D(2024, 3, 1), "US", 0, 0.0, None),
            (D(2024, 4, 1), "EU", 0, 0.0, None),
            (D(2024, 4, 1), "US", 1, 1.0, 1.0),
        ],
    )


def test_fill_gaps_over_the_filtered_range(constructor: Any) -> None:
    frame = constructor(GAP_DATA, GAP_SCHEMA)
    result = run(
        {
            "dimensions": [{"field": "d", "grain": "month", "fill_gaps": True}, "region"],
            "measures": GAP_MEASURES,
            "filters": [{"field": "d", "op": "between", "value": ["2023-12-01", "2024-05-31"]}],
        },
        frame,
    )
    # The filter's range Dec 2023 .. May 2024 (6 months) x {EU, US} = 12 rows. The data covers
    # Jan .. Apr 2024: December and May have no data (null; careless: 0 sales), February is
    # an empty month inside it (0).
    assert_rows_equal(
        result,
        [
            *_months_without_data((2023, 12)),
            (D(2024, 1, 1), "EU", 1, 10.0, 10.0),
            (D(2024, 1, 1), "US", 1, 5.0, 5.0),
            *_empty_months((2024, 2)),
            (D(2024, 3, 1), "EU", 1, 7.0, 7.0),
            (D(2024, 3, 1), "US", 0, 0.0, None),
            (D(2024, 4, 1), "EU", 0, 0.0, None),
            (D(2024, 4, 1), "US", 1, 1.0, 1.0),
            *_months_without_data((2024, 5)),
        ],
    )


def test_fill_gaps_on_days_of_a_datetime_column(constructor: Any) -> None:
    frame = constructor(
        {"ts": [T(2024, 2, 27, 8), T(2024, 3, 1, 23, 59), T(2024, 3, 1, 1)]},
        {"ts": pa.timestamp("us")},
    )
    result = run(
        {
            "dimensions": [{"field": "ts", "grain": "day", "fill_gaps": True}],
            "measures": [COUNT],
            "filters": [
                {"field": "ts", "op": "ge", "value": "2024-02-26"},
                {"field": "ts", "op": "lt", "value": "2024-03-03"},
            ],
        },
        frame,
    )
    # [02-26, 03-03) in a leap year: 26, 27, 28, 29, 03-01, 03-02 -> 6 days. The data covers
    # 02-27 .. 03-01: the 26th and 2nd have no data (null), the 28th and 29th are empty (0).
    assert_rows_equal(
        result,
        [
            (T(2024, 2, 26), None),
            (T(2024, 2, 27), 1),
            (T(2024, 2, 28), 0),
            (T(2024, 2, 29), 0),
            (T(2024, 3, 1), 2),
            (T(2024, 3, 2), None),
        ],
    )


def test_fill_gaps_on_weeks_starting_sunday(constructor: Any) -> None:
    frame = constructor({"d": [D(2024, 6, 1), D(2024, 6, 19)]}, {"d": pa.date32()})
    result = run(
        {
            "time": {"week_start": "sunday"},
            "dimensions": [{"field": "d", "grain": "week", "fill_gaps": True}],
            "measures": [COUNT],
        },
        frame,
    )
    # Sat 06-01 -> Sun 05-26; Wed 06-19 -> Sun 06-16; between them 06-02 and 06-09
    assert_rows_equal(
        result, [(D(2024, 5, 26), 1), (D(2024, 6, 2), 0), (D(2024, 6, 9), 0), (D(2024, 6, 16), 1)]
    )


def test_fill_gaps_gives_a_null_other_dimension_every_period(constructor: Any) -> None:
    frame = constructor(
        {"r": [None, "a"], "d": [D(2024, 1, 1), D(2024, 2, 1)]},
        {"r": pa.string(), "d": pa.date32()},
    )
    result = run(
        {
            "dimensions": ["r", {"field": "d", "grain": "month", "fill_gaps": True}],
            "measures": [COUNT],
        },
        frame,
    )
    # Combinations {a, null} x {Jan, Feb}; the time dimension second keeps its place
    assert result.columns == ["r", "d", "n"]
    assert_rows_equal(
        result,
        [
            ("a", D(2024, 1, 1), 0),
            ("a", D(2024, 2, 1), 1),
            (None, D(2024, 1, 1), 1),
            (None, D(2024, 2, 1), 0),
        ],
    )


def test_fill_gaps_keeps_the_null_period(constructor: Any) -> None:
    frame = constructor({"d": [D(2024, 1, 1), None, D(2024, 3, 1)]}, {"d": pa.date32()})
    result = run(
        {"dimensions": [{"field": "d", "grain": "month", "fill_gaps": True}], "measures": [COUNT]},
        frame,
    )
    # Null dimension values form their own group (without fill_gaps too): Jan 1, Feb 0 (filled),
    # Mar 1, null 1 -> 3 rows in all, as in the input.
    assert_rows_equal(
        result, [(D(2024, 1, 1), 1), (D(2024, 2, 1), 0), (D(2024, 3, 1), 1), (None, 1)]
    )


def test_fill_gaps_over_a_relative_range(constructor: Any) -> None:
    frame = constructor({"d": [D(2024, 2, 10), D(2024, 2, 11), D(2024, 4, 2)]}, {"d": pa.date32()})
    result = run(
        {
            "dimensions": [{"field": "d", "grain": "month", "fill_gaps": True}],
            "measures": [COUNT],
            "filters": [{"field": "d", "op": "last", "unit": "month", "n": 3}],
        },
        frame,
        as_of="2024-04-15",
    )
    # last 3 months as of 04-15: Jan 1 .. Mar 31 (April's row is cut). The data covers Feb ..
    # Apr whatever the filter: March is empty (0), January before the first row (null).
    assert_rows_equal(result, [(D(2024, 1, 1), None), (D(2024, 2, 1), 2), (D(2024, 3, 1), 0)])


def test_fill_gaps_on_fiscal_quarters(constructor: Any) -> None:
    frame = constructor(
        {"d": [D(2023, 12, 24), D(2024, 8, 1), D(2024, 10, 31)]}, {"d": pa.date32()}
    )
    result = run(
        {
            "time": {"fiscal_year_start": 11},
            "dimensions": [{"field": "d", "grain": "fiscal_quarter", "fill_gaps": True}],
            "measures": [COUNT],
        },
        frame,
    )
    # Quarters from November: 12-24 -> 2023-11-01; 08-01 and 10-31 -> 2024-08-01;
    # in between 2024-02-01 and 2024-05-01 without rows
    assert_rows_equal(
        result,
        [(D(2023, 11, 1), 1), (D(2024, 2, 1), 0), (D(2024, 5, 1), 0), (D(2024, 8, 1), 2)],
    )


def test_fill_gaps_on_hours(constructor: Any) -> None:
    frame = constructor(
        {"ts": [T(2024, 5, 1, 9, 10), T(2024, 5, 1, 12, 50)], "x": [1.0, 2.0]},
        {"ts": pa.timestamp("us")},
    )
    result = run(
        {
            "dimensions": [{"field": "ts", "grain": "hour", "fill_gaps": True}],
            "measures": [
                {"name": "total", "agg": "sum", "field": "x"},
                {"name": "top", "agg": "max", "field": "x"},
            ],
        },
        frame,
    )
    # 09:00 .. 12:00: the sum is 0 in empty hours, the max null
    assert_rows_equal(
        result,
        [
            (T(2024, 5, 1, 9), 1.0, 1.0),
            (T(2024, 5, 1, 10), 0.0, None),
            (T(2024, 5, 1, 11), 0.0, None),
            (T(2024, 5, 1, 12), 2.0, 2.0),
        ],
    )


# --- relative date filters -----------------------------------------------------------------------
#
# One row a day from 2023-07-01 to 2024-04-30; each case checks the first and last day kept and
# how many days (so both ends of the range are pinned).

RELATIVE_DAYS = days(D(2023, 7, 1), D(2024, 4, 30))

RELATIVE_CASES: list[tuple[str, dict[str, Any], int, tuple[dt.date, dt.date, int]]] = [
    # --- as_of 2024-01-31 (Wednesday, a month end) ---
    ("2024-01-31", {"op": "last", "unit": "month"}, 1, (D(2023, 12, 1), D(2023, 12, 31), 31)),
    ("2024-01-31", {"op": "this", "unit": "month"}, 1, (D(2024, 1, 1), D(2024, 1, 31), 31)),
    ("2024-01-31", {"op": "to_date", "unit": "month"}, 1, (D(2024, 1, 1), D(2024, 1, 31), 31)),
    # Q4 2023: Oct 31 + Nov 30 + Dec 31 = 92
    ("2024-01-31", {"op": "previous", "unit": "quarter"}, 1, (D(2023, 10, 1), D(2023, 12, 31), 92)),
    # Dec 1 .. Jan 31 (the current partial month counts as one of the two): 31 + 31
    (
        "2024-01-31",
        {"op": "last", "unit": "month", "n": 2, "include_current": True},
        1,
        (D(2023, 12, 1), D(2024, 1, 31), 62),
    ),
    # Fiscal quarters from November: Nov-Jan (current), so the previous one is Aug 1 .. Oct 31
    (
        "2024-01-31",
        {"op": "previous", "unit": "fiscal_quarter"},
        11,
        (D(2023, 8, 1), D(2023, 10, 31), 92),
    ),
    # Nov 1 .. Jan 31: 30 + 31 + 31
    (
        "2024-01-31",
        {"op": "to_date", "unit": "fiscal_quarter"},
        11,
        (D(2023, 11, 1), D(2024, 1, 31), 92),
    ),
    # FY from October: 2023-10-01 .. 2024-09-30, cut by the data's end 04-30:
    # Oct 31 + Nov 30 + Dec 31 + Jan 31 + Feb 29 + Mar 31 + Apr 30 = 213
    (
        "2024-01-31",
        {"op": "this", "unit": "fiscal_year"},
        10,
        (D(2023, 10, 1), D(2024, 4, 30), 213),
    ),
    # --- as_of 2024-02-29 (Thursday, leap day) ---
    ("2024-02-29", {"op": "last", "unit": "month"}, 1, (D(2024, 1, 1), D(2024, 1, 31), 31)),
    ("2024-02-29", {"op": "this", "unit": "month"}, 1, (D(2024, 2, 1), D(2024, 2, 29), 29)),
    ("2024-02-29", {"op": "to_date", "unit": "month"}, 1, (D(2024, 2, 1), D(2024, 2, 29), 29)),
    ("2024-02-29", {"op": "previous", "unit": "quarter"}, 1, (D(2023, 10, 1), D(2023, 12, 31), 92)),
    # Nov 1 .. Jan 31: 30 + 31 + 31
    (
        "2024-02-29",
        {"op": "last", "unit": "month", "n": 3},
        1,
        (D(2023, 11, 1), D(2024, 1, 31), 92),
    ),
    # previous 2 months: the second month before February, i.e. December
    (
        "2024-02-29",
        {"op": "previous", "unit": "month", "n": 2},
        1,
        (D(2023, 12, 1), D(2023, 12, 31), 31),
    ),
    ("2024-02-29", {"op": "next", "unit": "month"}, 1, (D(2024, 3, 1), D(2024, 3, 31), 31)),
    ("2024-02-29", {"op": "to_date", "unit": "year"}, 1, (D(2024, 1, 1), D(2024, 2, 29), 60)),
    # Thu 02-29: the week Mon 02-26 .. Sun 03-03; the last complete one Mon 02-19 .. Sun 02-25
    ("2024-02-29", {"op": "this", "unit": "week"}, 1, (D(2024, 2, 26), D(2024, 3, 3), 7)),
    ("2024-02-29", {"op": "last", "unit": "week"}, 1, (D(2024, 2, 19), D(2024, 2, 25), 7)),
    ("2024-02-29", {"op": "last", "unit": "day", "n": 7}, 1, (D(2024, 2, 22), D(2024, 2, 28), 7)),
    ("2024-02-29", {"op": "previous", "unit": "day"}, 1, (D(2024, 2, 28), D(2024, 2, 28), 1)),
    # Fiscal quarters from November: current Feb-Apr, the last complete one Nov 1 .. Jan 31
    (
        "2024-02-29",
        {"op": "last", "unit": "fiscal_quarter"},
        11,
        (D(2023, 11, 1), D(2024, 1, 31), 92),
    ),
    # FY from November: Nov 1 .. Feb 29 = 30 + 31 + 31 + 29 = 121
    (
        "2024-02-29",
        {"op": "to_date", "unit": "fiscal_year"},
        11,
        (D(2023, 11, 1), D(2024, 2, 29), 121),
    ),
    # FY from March: 2023-03-01 .. 2024-02-29 is the current one; the previous one
    # 2022-03-01 .. 2023-02-28 lies before the data: no rows (min/max null, count 0)
    # -> checked separately below. The next one 2024-03-01 .. 2025-02-28, cut at 04-30: 61
    (
        "2024-02-29",
        {"op": "next", "unit": "fiscal_year"},
        3,
        (D(2024, 3, 1), D(2024, 4, 30), 61),
    ),
    # --- as_of 2024-03-31 (the month end after a leap February) ---
    ("2024-03-31", {"op": "last", "unit": "month"}, 1, (D(2024, 2, 1), D(2024, 2, 29), 29)),
]


@pytest.mark.parametrize(("as_of", "rule", "fiscal_start", "expected"), RELATIVE_CASES)
def test_relative_date_filters(
    constructor: Any,
    as_of: str,
    rule: dict[str, Any],
    fiscal_start: int,
    expected: tuple[dt.date, dt.date, int],
) -> None:
    frame = constructor({"d": RELATIVE_DAYS}, {"d": pa.date32()})
    result = run(
        {
            "time": {"fiscal_year_start": fiscal_start},
            "measures": [
                {"name": "first", "agg": "min", "field": "d"},
                {"name": "last", "agg": "max", "field": "d"},
                COUNT,
            ],
            "filters": [{"field": "d", **rule}],
        },
        frame,
        as_of=as_of,
    )
    assert_rows_equal(result, [expected])


@pytest.mark.parametrize(
    ("week_start", "op", "expected"),
    [
        # as_of Thu 02-29. Sunday weeks: Sun 02-25 .. Sat 03-02 (this); Sun 02-18 .. Sat 02-24
        # (last complete). Monday weeks would give Mon 02-26 .. Sun 03-03.
        ("sunday", "this", [(D(2024, 2, 25), D(2024, 2, 25), D(2024, 3, 2), 7)]),
        ("sunday", "last", [(D(2024, 2, 18), D(2024, 2, 18), D(2024, 2, 24), 7)]),
        # Sunday through as_of Thursday: 02-25 .. 02-29
        ("sunday", "to_date", [(D(2024, 2, 25), D(2024, 2, 25), D(2024, 2, 29), 5)]),
        # Friday weeks: Fri 02-23 .. Thu 02-29 holds as_of; the next one Fri 03-01 .. Thu 03-07
        ("friday", "next", [(D(2024, 3, 1), D(2024, 3, 1), D(2024, 3, 7), 7)]),
    ],
)
def test_relative_weeks_follow_week_start(
    constructor: Any, week_start: str, op: str, expected: list[Any]
) -> None:
    frame = constructor({"d": RELATIVE_DAYS}, {"d": pa.date32()})
    result = run(
        {
            "time": {"week_start": week_start},
            "dimensions": [{"field": "d", "grain": "week"}],
            "measures": [
                {"name": "first", "agg": "min", "field": "d"},
                {"name": "last", "agg": "max", "field": "d"},
                COUNT,
            ],
            "filters": [{"field": "d", "op": op, "unit": "week"}],
        },
        frame,
        as_of="2024-02-29",
    )
    # The filter and the buckets share the week start: one week bucket, starting on its first day
    assert_rows_equal(result, expected)


def test_relative_filter_outside_the_data_keeps_no_rows(constructor: Any) -> None:
    frame = constructor({"d": RELATIVE_DAYS}, {"d": pa.date32()})
    result = run(
        {
            "time": {"fiscal_year_start": 3},
            "measures": [{"name": "first", "agg": "min", "field": "d"}, COUNT],
            "filters": [{"field": "d", "op": "previous", "unit": "fiscal_year"}],
        },
        frame,
        as_of=D(2024, 2, 29),
    )
    # FY from March: previous is 2022-03-01 .. 2023-02-28, before the first row (2023-07-01)
    assert_rows_equal(result, [(None, 0)])


def test_relative_filter_on_datetimes_keeps_the_whole_last_day(constructor: Any) -> None:
    frame = constructor(
        {
            "ts": [
                T(2023, 12, 31, 23, 59, 59, 999999),
                T(2024, 1, 1, 0, 0),
                T(2024, 1, 31, 23, 59, 59, 999999),
                T(2024, 2, 1, 0, 0),
            ]
        },
        {"ts": pa.timestamp("us")},
    )
    result = run(
        {
            "measures": [COUNT, {"name": "last", "agg": "max", "field": "ts"}],
            "filters": [{"field": "ts", "op": "to_date", "unit": "month"}],
        },
        frame,
        as_of="2024-01-31",
    )
    # [2024-01-01 00:00, 2024-02-01 00:00): Jan 1 00:00 and Jan 31 23:59:59.999999
    assert_rows_equal(result, [(2, T(2024, 1, 31, 23, 59, 59, 999999))])


def test_relative_filter_defaults_to_today(constructor: Any) -> None:
    today = dt.date.today()
    frame = constructor(
        {"d": [today, D(today.year, 1, 1), D(today.year - 1, 12, 31), today + dt.timedelta(1)]},
        {"d": pa.date32()},
    )
    result = run(
        {"measures": [COUNT], "filters": [{"field": "d", "op": "to_date", "unit": "year"}]},
        frame,
    )
    # Jan 1 of this year through today: the rows dated today and Jan 1 (two rows, even when
    # today is Jan 1); not last year's Dec 31, not tomorrow.
    assert_rows_equal(result, [(2,)])


# --- parameters ----------------------------------------------------------------------------------
#
#  row | region | amount | d
#   1  | EU     |   50   | 2023-12-31
#   2  | EU     |  150   | 2024-01-01
#   3  | US     |  200   | 2024-02-01
#   4  | US     |   80   | 2024-03-01
#   5  | EU     |  300   | 2024-06-01

PARAM_DATA = {
    "region": ["EU", "EU", "US", "US", "EU"],
    "amount": [50.0, 150.0, 200.0, 80.0, 300.0],
    "d": [D(2023, 12, 31), D(2024, 1, 1), D(2024, 2, 1), D(2024, 3, 1), D(2024, 6, 1)],
}
PARAM_SCHEMA = {"region": pa.string(), "amount": pa.float64(), "d": pa.date32()}
PARAM_SPEC: dict[str, Any] = {
    "params": [
        {"name": "region_p", "type": "string", "allowed": ["EU", "US"]},
        {"name": "min_amount", "type": "number", "default": 100},
        {"name": "since", "type": "date", "default": "2024-01-01"},
        {"name": "rate", "type": "number", "default": 2},
        {"name": "divisor", "type": "integer", "default": 3},
    ],
    "measures": [
        COUNT,
        {"name": "total", "agg": "sum", "field": "amount"},
        {"name": "scaled", "agg": "sum", "expr": "amount * rate"},
        {"name": "share", "formula": "total / divisor"},
    ],
    "filters": [
        {"field": "region", "op": "eq", "value": {"param": "region_p"}},
        {"field": "amount", "op": "ge", "value": {"param": "min_amount"}},
        {"field": "d", "op": "ge", "value": {"param": "since"}},
    ],
}


@pytest.fixture
def param_frame(constructor: Any) -> Any:
    return constructor(PARAM_DATA, PARAM_SCHEMA)


def test_params_defaults(param_frame: Any) -> None:
    result = run(PARAM_SPEC, param_frame, params={"region_p": "EU"})
    # EU rows 1, 2, 5; amount >= 100 and d >= 2024-01-01: rows 2, 5 -> 150 + 300 = 450;
    # scaled (150 + 300) * 2 = 900; share 450 / 3 = 150
    assert_rows_equal(result, [(2, 450.0, 900.0, 150.0)])


@pytest.mark.parametrize("since", ["2024-02-15", D(2024, 2, 15)])
def test_params_supplied(param_frame: Any, since: Any) -> None:
    result = run(
        PARAM_SPEC,
        param_frame,
        params={"region_p": "US", "min_amount": 0, "since": since, "rate": 0.5, "divisor": 4},
    )
    # US rows 3 (200, 02-01), 4 (80, 03-01); amount >= 0 both; d >= 02-15: row 4 only
    # -> 1 row, 80; scaled 80 * 0.5 = 40; share 80 / 4 = 20
    assert_rows_equal(result, [(1, 80.0, 40.0, 20.0)])


def test_params_in_formula_filter_and_dimension(param_frame: Any) -> None:
    result = run(
        {
            "params": [
                {"name": "cutoff", "type": "number", "default": 150},
                {"name": "floor", "type": "integer", "default": 60},
                {"name": "big", "type": "string", "default": "big"},
            ],
            "dimensions": [{"name": "size", "expr": "if(amount >= cutoff, big, 'small')"}],
            "measures": [COUNT],
            "filters": [{"expr": "amount > floor"}],
        },
        param_frame,
        params={"big": "BIG"},
    )
    # amount > 60: 150, 200, 80, 300; >= 150 -> "BIG": 150, 200, 300; "small": 80
    assert_rows_equal(result, [("BIG", 3), ("small", 1)])


def test_boolean_param(param_frame: Any) -> None:
    spec = {
        "params": [{"name": "only_eu", "type": "boolean", "default": True}],
        "measures": [COUNT],
        "filters": [{"expr": "not only_eu or region == 'EU'"}],
    }
    assert_rows_equal(run(spec, param_frame), [(3,)])  # EU rows 1, 2, 5
    assert_rows_equal(run(spec, param_frame, params={"only_eu": False}), [(5,)])


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"region_p": "EU", "regoin": "US"}, "unknown-param"),
        ({}, "missing-param"),  # region_p has no default
        ({"region_p": "EU", "min_amount": "100"}, "param-type"),  # text for a number
        ({"region_p": "EU", "min_amount": True}, "param-type"),  # a bool is not a number
        ({"region_p": "EU", "divisor": 1.5}, "param-type"),  # not an integer
        ({"region_p": "EU", "since": "2024-13-01"}, "param-type"),  # no 13th month
        ({"region_p": 1}, "param-type"),
        ({"region_p": "APAC"}, "param-not-allowed"),
    ],
)
def test_param_errors(param_frame: Any, params: dict[str, Any], code: str) -> None:
    with pytest.raises(SpecError) as info:
        run(PARAM_SPEC, param_frame, params=params)
    # The parameter's own problem comes first (see the next test for what follows it).
    assert info.value.codes[0] == code


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "missing-param"),  # used in a filter value
        ({"region_p": "EU", "min_amount": "100"}, "param-type"),  # used in a filter value
        ({"region_p": "EU", "divisor": 1.5}, "param-type"),  # used in a formula measure
        ({"region_p": "APAC"}, "param-not-allowed"),  # used in a filter value
    ],
)
def test_param_error_is_reported_once(params: dict[str, Any], code: str) -> None:
    frame = arrow_table(PARAM_DATA, PARAM_SCHEMA)
    with pytest.raises(SpecError) as info:
        run(PARAM_SPEC, frame, params=params)
    # One problem: the parameter is declared, so "unknown parameter 'region_p'" is wrong.
    assert info.value.codes == [code]


def test_filter_naming_an_undeclared_param(param_frame: Any) -> None:
    spec = {
        "measures": [COUNT],
        "filters": [{"field": "region", "op": "eq", "value": {"param": "nope"}}],
    }
    with pytest.raises(SpecError) as info:
        run(spec, param_frame)
    assert info.value.codes == ["unknown-param"]


def test_param_default_not_allowed(param_frame: Any) -> None:
    spec = {
        "params": [{"name": "r", "type": "string", "default": "APAC", "allowed": ["EU", "US"]}],
        "measures": [COUNT],
        "filters": [{"field": "region", "op": "eq", "value": {"param": "r"}}],
    }
    with pytest.raises(SpecError) as info:
        run(spec, param_frame)
    assert info.value.codes[0] == "param-not-allowed"
    # An allowed value supplied at run time replaces the bad default: EU rows 1, 2, 5
    assert_rows_equal(run(spec, param_frame, params={"r": "EU"}), [(3,)])


# --- formula filters -----------------------------------------------------------------------------

EXPR_DATA = {"amount": [10.0, None, 30.0, 40.0], "qty": [1, 2, None, 4]}
EXPR_SCHEMA = {"amount": pa.float64(), "qty": pa.int64()}


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        # 10, null, null, 160: only row 4 is true; null products drop their rows
        ("amount * qty > 20", 1),
        # true, null, false, false: a negated null is still null -> only row 1
        ("not (amount > 20)", 1),
        # row 1 (10 < 20) and row 2 (amount is null)
        ("is_null(amount) or amount < 20", 2),
        # SQL: null or true = true, false or null = null. Row 1: F or T; row 2: null or T (kept);
        # row 3: F or null (dropped); row 4: T -> 3
        ("amount > 35 or qty < 3", 3),
        ("coalesce(qty, 0) >= 2", 2),  # 1, 2, 0, 4 -> rows 2, 4
    ],
)
def test_expr_filters_with_nulls(constructor: Any, expr: str, expected: int) -> None:
    frame = constructor(EXPR_DATA, EXPR_SCHEMA)
    result = run({"measures": [COUNT], "filters": [{"expr": expr}]}, frame)
    assert_rows_equal(result, [(expected,)])


def test_expr_filter_must_be_boolean(constructor: Any) -> None:
    frame = constructor(EXPR_DATA, EXPR_SCHEMA)
    with pytest.raises(SpecError) as info:
        run({"measures": [COUNT], "filters": [{"expr": "amount * 2"}]}, frame)
    assert info.value.codes == ["formula-type"]


# --- having --------------------------------------------------------------------------------------

HAVING_DATA = {"g": ["A", "A", "B", "C", "D", "D", "D"], "x": [50.0, 60.0, 100.0, None, 1, 2, 3]}
# A: n 2, total 110, avg 55; B: n 1, total 100, avg 100; C: n 1, total 0, avg null;
# D: n 3, total 6, avg 2


@pytest.mark.parametrize(
    ("having", "expected_groups"),
    [
        ([{"field": "total", "op": "gt", "value": 100}], ["A"]),
        ([{"field": "total", "op": "ge", "value": 100}], ["A", "B"]),
        # avg null for C: a comparison with null is false
        ([{"field": "avg", "op": "lt", "value": 100}], ["A", "D"]),
        ([{"field": "avg", "op": "is_null"}], ["C"]),
        ([{"field": "n", "op": "between", "value": [2, 3]}], ["A", "D"]),
        # a formula measure: total / n
        ([{"field": "per_row", "op": "eq", "value": 100}], ["B"]),
        ([{"expr": "n > 1 and total > 10"}], ["A"]),
        (
            [
                {
                    "any_of": [
                        {"field": "n", "op": "eq", "value": 3},
                        {"field": "avg", "op": "ge", "value": 100},
                    ]
                }
            ],
            ["B", "D"],
        ),
    ],
)
def test_having(constructor: Any, having: list[Any], expected_groups: list[str]) -> None:
    frame = constructor(HAVING_DATA, {"g": pa.string(), "x": pa.float64()})
    result = run(
        {
            "dimensions": ["g"],
            "measures": [
                COUNT,
                {"name": "total", "agg": "sum", "field": "x"},
                {"name": "avg", "agg": "avg", "field": "x"},
                {"name": "per_row", "formula": "total / n"},
            ],
            "having": having,
        },
        frame,
    )
    table = {
        "A": ("A", 2, 110.0, 55.0, 55.0),
        "B": ("B", 1, 100.0, 100.0, 100.0),
        "C": ("C", 1, 0.0, None, 0.0),
        "D": ("D", 3, 6.0, 2.0, 2.0),
    }
    assert_rows_equal(result, [table[g] for g in expected_groups])


def test_having_on_an_unknown_measure(constructor: Any) -> None:
    frame = constructor(HAVING_DATA, {"g": pa.string(), "x": pa.float64()})
    with pytest.raises(SpecError) as info:
        run(
            {
                "dimensions": ["g"],
                "measures": [COUNT],
                "having": [{"field": "totl", "op": "gt", "value": 1}],
            },
            frame,
        )
    assert info.value.codes == ["unknown-column"]


# --- row formulas in measures --------------------------------------------------------------------


def test_formula_measures_over_rows(constructor: Any) -> None:
    frame = constructor(
        {
            "won": [True, False, True, None],
            "amount": [100.0, 50.0, None, 10.0],
            "qty": [1, 2, 3, 4],
        },
        {"won": pa.bool_(), "amount": pa.float64(), "qty": pa.int64()},
    )
    result = run(
        {
            "measures": [
                {"name": "won_amount", "agg": "sum", "expr": "if(won, amount, 0)"},
                {"name": "value", "agg": "sum", "expr": "amount * qty"},
                {"name": "n_valued", "agg": "count", "expr": "amount * qty"},
                {"name": "max_ratio", "agg": "max", "expr": "amount / (qty - 1)"},
            ]
        },
        frame,
    )
    # won_amount: 100 + 0 (lost) + null (won, amount null) + 0 (won null -> else) = 100
    # value: 100 + 100 + null + 40 = 240; n_valued: 3 non-null products
    # max_ratio: 100 / 0 -> null, 50 / 1 = 50, null, 10 / 3 -> max 50
    assert_rows_equal(result, [(100.0, 240.0, 3, 50.0)])


# --- the same features written in YAML -----------------------------------------------------------

YAML_SPEC = """
name: yaml_time
params:
  - {name: since, type: date, default: 2024-01-01}
time:
  week_start: sunday
  fiscal_year_start: 10
  fiscal_year_named_by: start
dimensions:
  - {field: d, grain: fiscal_quarter}
  - {field: d, part: day_of_week, name: weekday}
measures:
  - {name: n, agg: count}
filters:
  - {field: d, op: ge, value: {param: since}}
  - {field: d, op: last, unit: fiscal_year, n: 2, include_current: true}
"""


def test_yaml_spec_with_time_params_and_relative_filter(constructor: Any) -> None:
    frame = constructor(
        {"d": [D(2023, 12, 31), D(2024, 1, 1), D(2024, 9, 30), D(2024, 10, 1), D(2024, 10, 2)]},
        {"d": pa.date32()},
    )
    report = Report.from_yaml(YAML_SPEC)
    result = report.run(frame, as_of=D(2024, 10, 1))
    # last 2 fiscal years incl. the current one, as of 2024-10-01 (FY from October): the
    # previous FY 2023-10-01 .. 2024-09-30 and the current one through as_of 2024-10-01.
    # since 2024-01-01 (an unquoted YAML date) drops 2023-12-31; 10-02 is after as_of.
    # Kept: 2024-01-01 Mon (FQ from 01-01), 2024-09-30 Mon (FQ from 07-01), 2024-10-01 Tue
    # (FQ from 10-01). Weekdays are ISO whatever the week start: Mon 1, Tue 2.
    assert_rows_equal(
        result, [(D(2024, 1, 1), 1, 1), (D(2024, 7, 1), 1, 1), (D(2024, 10, 1), 2, 1)]
    )
