"""Silent-wrong-answer traps: one test each, on every input backend.

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


def test_count_distinct_does_not_count_null(constructor: Any) -> None:
    frame = constructor({"customer": ["a", "a", "b", None, None]}, {"customer": pa.string()})
    result = run(
        {"measures": [{"name": "customers", "agg": "count_distinct", "field": "customer"}]}, frame
    )
    # {a, b} -> 2. Careless (pandas nunique(dropna=False), polars n_unique, DuckDB over a
    # struct/list): 3, counting null as one more customer.
    assert_rows_equal(result, [(2,)])


def test_count_distinct_with_null_per_group(constructor: Any) -> None:
    frame = constructor(
        {"g": ["x", "x", "x", "y", "y"], "v": [1, None, 1, None, None]},
        {"g": pa.string(), "v": pa.int64()},
    )
    result = run(
        {
            "dimensions": ["g"],
            "measures": [{"name": "distinct", "agg": "count_distinct", "field": "v"}],
        },
        frame,
    )
    # x: {1} -> 1, y: {} -> 0. Careless: x 2, y 1 (null counted); or y null.
    assert_rows_equal(result, [("x", 1), ("y", 0)])


def test_ne_drops_null_rows(constructor: Any) -> None:
    frame = constructor({"region": ["EU", "US", None, "US"]}, {"region": pa.string()})
    result = run(
        {
            "measures": [{"name": "n", "agg": "count"}],
            "filters": [{"field": "region", "op": "ne", "value": "EU"}],
        },
        frame,
    )
    # SQL: null != 'EU' is not true -> 2 rows. Careless pandas `df[df.region != "EU"]`: 3.
    assert_rows_equal(result, [(2,)])


def test_not_in_drops_null_rows(constructor: Any) -> None:
    frame = constructor({"region": ["EU", "US", None, "APAC"]}, {"region": pa.string()})
    result = run(
        {
            "measures": [{"name": "n", "agg": "count"}],
            "filters": [{"field": "region", "op": "not_in", "value": ["EU"]}],
        },
        frame,
    )
    # US, APAC -> 2. Careless pandas `~df.region.isin(["EU"])`: 3 (keeps the null row).
    assert_rows_equal(result, [(2,)])


def test_any_of_is_not_a_tautology_on_null(constructor: Any) -> None:
    frame = constructor({"region": ["EU", "US", None]}, {"region": pa.string()})
    result = run(
        {
            "measures": [{"name": "n", "agg": "count"}],
            "filters": [
                {
                    "any_of": [
                        {"field": "region", "op": "eq", "value": "EU"},
                        {"field": "region", "op": "ne", "value": "EU"},
                    ]
                }
            ],
        },
        frame,
    )
    # SQL: for the null row both are unknown -> 2 rows. Careless (`~(col == v)` with
    # null == v read as False): 3.
    assert_rows_equal(result, [(2,)])


def test_grouped_median_is_exact_on_arrow_and_pandas_input() -> None:
    import pandas as pd

    cubes = [float(i**3) for i in range(1001)]  # 0, 1, 8, ..., 10**9: heavily skewed
    table = pa.table({"g": ["a"] * 1001 + ["b"] * 2, "x": [*cubes, 1.0, 2.0]})
    spec = {"dimensions": ["g"], "measures": [{"name": "med", "agg": "median", "field": "x"}]}
    # a: 1001 values, the middle (501st) is 500**3 = 125,000,000 exactly; b: (1 + 2) / 2 = 1.5.
    # Careless (narwhals' eager pyarrow group_by median = Arrow t-digest): 125,419,574 for a.
    expected = [("a", 125_000_000.0), ("b", 1.5)]
    assert_rows_equal(run(spec, table), expected, rel=0)
    assert_rows_equal(run(spec, table.to_pandas()), expected, rel=0)
    assert isinstance(run(spec, table.to_pandas()).data, pd.DataFrame)


def test_week_spanning_new_year_is_one_bucket(constructor: Any) -> None:
    days = [D(2024, 12, 30) + dt.timedelta(days=i) for i in range(7)]  # Mon 12-30 .. Sun 01-05
    frame = constructor(
        {"d": days, "ts": [T(d.year, d.month, d.day, 23, 59) for d in days]},
        {"d": pa.date32(), "ts": pa.timestamp("us")},
    )
    result = run(
        {
            "dimensions": [
                {"field": "d", "grain": "week"},
                {"field": "ts", "grain": "week", "name": "ts_week"},
            ],
            "measures": [{"name": "n", "agg": "count"}],
        },
        frame,
    )
    # One ISO week starting Monday 2024-12-30 -> 7 rows. Careless strftime('%W') + year:
    # two groups, "2024-53" with 2 rows and "2025-00" with 5 (or a Sunday-start week: 3 groups).
    assert_rows_equal(result, [(D(2024, 12, 30), T(2024, 12, 30), 7)])


def test_last_microsecond_of_a_month_stays_in_that_month(constructor: Any) -> None:
    frame = constructor(
        {
            "ts": [
                T(2024, 1, 31, 23, 59, 59, 999999),
                T(2024, 2, 29, 23, 59, 59, 999999),  # leap day
                T(2024, 12, 31, 23, 59, 59, 999999),
                T(2025, 1, 1),
            ]
        },
        {"ts": pa.timestamp("us")},
    )
    spec = {
        "dimensions": [{"field": "ts", "grain": "month"}],
        "measures": [{"name": "n", "agg": "count"}],
    }
    # Jan, Feb, Dec, Jan 2025: one row each. Careless (rounding to milliseconds or to float
    # epoch seconds, or converting to local time first): Jan 31's row lands in February
    # (Feb 2 rows, Jan 0), the leap-day row in March, and Dec 31's in 2025 (Jan 2025: 2 rows).
    assert_rows_equal(
        run(spec, frame),
        [(T(2024, 1, 1), 1), (T(2024, 2, 1), 1), (T(2024, 12, 1), 1), (T(2025, 1, 1), 1)],
    )


def test_last_nanosecond_of_a_month_stays_in_that_month(
    constructor: Any, request: pytest.FixtureRequest
) -> None:
    # Careless DuckDB path: date_trunc rounds TIMESTAMP_NS to microseconds first, so the last
    # nanosecond of January is counted in February (Jan 0, Feb 2 instead of Jan 1, Feb 1).
    jan_31_last_ns = 1_706_745_599_999_999_999  # 2024-01-31 23:59:59.999999999 (ns since 1970)
    feb_1 = 1_706_745_600_000_000_000  # 2024-02-01 00:00:00
    frame = constructor({"ts": [jan_31_last_ns, feb_1]}, {"ts": pa.timestamp("ns")})
    spec = {
        "dimensions": [{"field": "ts", "grain": "month"}],
        "measures": [{"name": "n", "agg": "count"}],
    }
    # pandas' default datetime64[ns] holds "end of day" values such as
    # `day + Timedelta("1D") - Timedelta("1ns")`. January 1, February 1. Careless (rounding
    # nanoseconds to the nearest microsecond first): January 0, February 2.
    assert_rows_equal(run(spec, frame), [(T(2024, 1, 1), 1), (T(2024, 2, 1), 1)])


def test_null_dimension_values_keep_their_group(constructor: Any) -> None:
    frame = constructor(
        {"region": ["EU", None, "US", None, "EU"], "amount": [1.0, 2.0, 3.0, 4.0, 5.0]},
        {"region": pa.string(), "amount": pa.float64()},
    )
    result = run(
        {
            "dimensions": ["region"],
            "measures": [{"name": "total", "agg": "sum", "field": "amount"}],
        },
        frame,
    )
    # EU 1 + 5 = 6, US 3, null 2 + 4 = 6 -> totals add up to 15. Careless pandas groupby
    # (dropna=True): the null group vanishes and the report adds up to 9.
    assert_rows_equal(result, [("EU", 6.0), ("US", 3.0), (None, 6.0)])


def test_sum_of_a_group_without_values_is_zero(constructor: Any) -> None:
    frame = constructor(
        {"g": ["a", "a", "b"], "amount": [None, None, 2.5], "qty": [None, None, 3]},
        {"g": pa.string(), "amount": pa.float64(), "qty": pa.int64()},
    )
    result = run(
        {
            "dimensions": ["g"],
            "measures": [
                {"name": "total", "agg": "sum", "field": "amount"},
                {"name": "units", "agg": "sum", "field": "qty"},
            ],
        },
        frame,
    )
    # a: 0.0 and 0. Careless SQL SUM(): NULL; careless pandas sum(min_count=1): NaN.
    assert_rows_equal(result, [("a", 0.0, 0), ("b", 2.5, 3)])


def test_avg_skips_nulls_instead_of_counting_them_as_zero(constructor: Any) -> None:
    frame = constructor(
        {"amount": [10.0, None, 20.0, None], "won": [True, None, False, None]},
        {"amount": pa.float64(), "won": pa.bool_()},
    )
    result = run(
        {
            "measures": [
                {"name": "avg_amount", "agg": "avg", "field": "amount"},
                {"name": "win_rate", "agg": "avg", "field": "won"},
            ]
        },
        frame,
    )
    # (10 + 20) / 2 = 15 and 1 true of 2 known = 0.5. Careless fillna(0): 7.5 and 0.25.
    assert_rows_equal(result, [(15.0, 0.5)])


def test_measure_on_the_bucketed_column_reads_raw_values(constructor: Any) -> None:
    frame = constructor(
        {"order_date": [D(2024, 1, 3), D(2024, 1, 31), D(2024, 2, 14)]},
        {"order_date": pa.date32()},
    )
    result = run(
        {
            "dimensions": [{"field": "order_date", "grain": "month"}],
            "measures": [{"name": "last", "agg": "max", "field": "order_date"}],
        },
        frame,
    )
    # January's last order is 2024-01-31. Careless (the bucket overwrites the column before
    # aggregating): 2024-01-01, the bucket itself.
    assert_rows_equal(result, [(D(2024, 1, 1), D(2024, 1, 31)), (D(2024, 2, 1), D(2024, 2, 14))])


def test_sort_descending_keeps_nulls_last(constructor: Any) -> None:
    frame = constructor(
        {"g": ["a", "b", "c"], "amount": [1.0, None, 3.0]},
        {"g": pa.string(), "amount": pa.float64()},
    )
    result = run(
        {
            "dimensions": ["g"],
            "measures": [{"name": "avg", "agg": "avg", "field": "amount"}],
            "sort": [{"field": "avg", "desc": True}],
            "limit": 2,
        },
        frame,
    )
    # c 3.0, a 1.0. Careless (PostgreSQL-style DESC puts NULLs first): b (null) tops the list.
    assert_rows_equal(result, [("c", 3.0), ("a", 1.0)])


def test_contains_is_a_plain_substring(constructor: Any) -> None:
    frame = constructor({"note": ["50% off", "half", "a.c", "abc", "a_c"]}, {"note": pa.string()})

    def count(value: str) -> Any:
        return run(
            {
                "measures": [{"name": "n", "agg": "count"}],
                "filters": [{"field": "note", "op": "contains", "value": value}],
            },
            frame,
        )

    # "%" -> 1 ("50% off"); careless LIKE '%%%': 5. "a.c" -> 1; careless regex: 3 (a.c, abc, a_c).
    assert_rows_equal(count("%"), [(1,)])
    assert_rows_equal(count("a.c"), [(1,)])


def test_internal_column_names_do_not_shadow_source_columns(constructor: Any) -> None:
    frame = constructor(
        {"__d0": [10, 20, 30], "g": [1, 1, 2]}, {"__d0": pa.int64(), "g": pa.int64()}
    )
    result = run(
        {"dimensions": ["g"], "measures": [{"name": "s", "agg": "sum", "field": "__d0"}]}, frame
    )
    # g=1: 10 + 20 = 30; g=2: 30. Careless (derived key `__d0` = g replaces the source column
    # `__d0`): 1 + 1 = 2 and 2, silently.
    assert_rows_equal(result, [(1, 30), (2, 30)])
