"""Core correctness of `Report.run`: every measure, every filter op, null semantics, time grains,
sorting, empty inputs, result types, on every input backend.

Expected values are worked out by hand (the arithmetic is in the comments) for the small
fixtures, and by the naive reference (tests/reference.py) for a medium random fixture.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
from typing import Any

import pyarrow as pa
import pytest

from crmreports import Report
from tests import reference
from tests.helpers import arrow_table, assert_rows_equal, frame_to_rows, run, to_pandas

D = dt.date
T = dt.datetime


# --- the small hand-checked fixture ------------------------------------------------------------
#
#  id | region | channel | amount | qty  | won   | day        | note
#  ---+--------+---------+--------+------+-------+------------+---------
#   1 | Zürich | web     |  10.0  |  1   | True  | 2024-01-05 | 50% off
#   2 | Zürich | shop    |  20.0  |  2   | False | 2024-01-20 | x.y
#   3 | Zürich | web     |  null  |  3   | True  | 2024-02-01 | plain
#   4 | Zürich | null    |  40.0  | null | null  | 2024-03-31 | null
#   5 | 東京   | web     |   7.5  |  5   | False | 2024-04-01 | xay
#   6 | 東京   | web     |   2.5  |  6   | True  | null       | X.Y
#   7 | null   | shop    |   1.0  |  7   | null  | 2024-06-30 | 100%
#   8 | Oslo   | null    |  null  | null | null  | 2024-07-01 | a_b

SMALL = {
    "id": [1, 2, 3, 4, 5, 6, 7, 8],
    "region": ["Zürich", "Zürich", "Zürich", "Zürich", "東京", "東京", None, "Oslo"],
    "channel": ["web", "shop", "web", None, "web", "web", "shop", None],
    "amount": [10.0, 20.0, None, 40.0, 7.5, 2.5, 1.0, None],
    "qty": [1, 2, 3, None, 5, 6, 7, None],
    "won": [True, False, True, None, False, True, None, None],
    "day": [
        D(2024, 1, 5),
        D(2024, 1, 20),
        D(2024, 2, 1),
        D(2024, 3, 31),
        D(2024, 4, 1),
        None,
        D(2024, 6, 30),
        D(2024, 7, 1),
    ],
    "note": ["50% off", "x.y", "plain", None, "xay", "X.Y", "100%", "a_b"],
}
SMALL_SCHEMA = {
    "id": pa.int64(),
    "region": pa.string(),
    "channel": pa.string(),
    "amount": pa.float64(),
    "qty": pa.int64(),
    "won": pa.bool_(),
    "day": pa.date32(),
    "note": pa.string(),
}


@pytest.fixture
def small(constructor: Any) -> Any:
    return constructor(SMALL, SMALL_SCHEMA)


# --- measures ----------------------------------------------------------------------------------

ALL_MEASURES = [
    {"name": "n", "agg": "count"},
    {"name": "n_amount", "agg": "count", "field": "amount"},
    {"name": "channels", "agg": "count_distinct", "field": "channel"},
    {"name": "total", "agg": "sum", "field": "amount"},
    {"name": "qty_sum", "agg": "sum", "field": "qty"},
    {"name": "avg_amount", "agg": "avg", "field": "amount"},
    {"name": "med_amount", "agg": "median", "field": "amount"},
    {"name": "med_qty", "agg": "median", "field": "qty"},
    {"name": "min_amount", "agg": "min", "field": "amount"},
    {"name": "max_amount", "agg": "max", "field": "amount"},
    {"name": "won_sum", "agg": "sum", "field": "won"},
    {"name": "won_avg", "agg": "avg", "field": "won"},
    {"name": "first_day", "agg": "min", "field": "day"},
    {"name": "last_day", "agg": "max", "field": "day"},
    {"name": "min_channel", "agg": "min", "field": "channel"},
    {"name": "max_channel", "agg": "max", "field": "channel"},
]

# Groups in default order: region ascending by code point ("O" < "Z" < "東"), null last.
#
# Oslo   = row 8         : amount [], qty [], won [], channel [null], day [07-01]
# Zürich = rows 1,2,3,4  : amount [10, 20, 40], qty [1, 2, 3], won [T, F, T], channel
#                          [web, shop, web, null], day [01-05, 01-20, 02-01, 03-31]
# 東京   = rows 5,6      : amount [7.5, 2.5], qty [5, 6], won [F, T], channel [web, web],
#                          day [04-01, null]
# null   = row 7         : amount [1.0], qty [7], won [], channel [shop], day [06-30]
EXPECTED_BY_REGION = [
    # region, n, n_amount, channels, total, qty_sum, avg_amount, med_amount, med_qty,
    # min_amount, max_amount, won_sum, won_avg, first_day, last_day, min_channel, max_channel
    (
        "Oslo",
        1,  # one row
        0,  # amount is null
        0,  # channel is null: a null is not a distinct value
        0.0,  # sum of no values is 0
        0,  # sum of no int values is 0 (an int)
        None,  # avg of no values is null
        None,  # median of no values is null
        None,
        None,
        None,
        0,  # sum of no booleans is 0
        None,  # avg of no booleans is null
        D(2024, 7, 1),
        D(2024, 7, 1),
        None,
        None,
    ),
    (
        "Zürich",
        4,  # rows 1-4
        3,  # 10, 20, 40 (row 3 null)
        2,  # web, shop (null not counted)
        70.0,  # 10 + 20 + 40
        6,  # 1 + 2 + 3
        70.0 / 3,  # (10 + 20 + 40) / 3 = 23.333...
        20.0,  # median(10, 20, 40)
        2.0,  # median(1, 2, 3)
        10.0,
        40.0,
        2,  # True + False + True
        2 / 3,  # 2 true of 3 non-null
        D(2024, 1, 5),
        D(2024, 3, 31),
        "shop",  # "shop" < "web"
        "web",
    ),
    (
        "東京",
        2,
        2,
        1,  # web only
        10.0,  # 7.5 + 2.5
        11,  # 5 + 6
        5.0,  # 10 / 2
        5.0,  # (2.5 + 7.5) / 2
        5.5,  # (5 + 6) / 2
        2.5,
        7.5,
        1,  # False + True
        0.5,  # 1 / 2
        D(2024, 4, 1),  # the null day is skipped
        D(2024, 4, 1),
        "web",
        "web",
    ),
    (
        None,
        1,
        1,
        1,
        1.0,
        7,
        1.0,
        1.0,
        7.0,
        1.0,
        1.0,
        0,  # won is null: sum of no values
        None,
        D(2024, 6, 30),
        D(2024, 6, 30),
        "shop",
        "shop",
    ),
]


def test_every_measure_by_hand(constructor: Any, small: Any) -> None:
    result = run({"dimensions": ["region"], "measures": ALL_MEASURES}, small)
    assert result.columns == ["region"] + [m["name"] for m in ALL_MEASURES]
    assert_rows_equal(frame_to_rows(result, as_tuples=True), EXPECTED_BY_REGION)
    # the native result holds the same rows
    assert constructor.is_native_result(result.data)
    assert_rows_equal(frame_to_rows(result.data, as_tuples=True), EXPECTED_BY_REGION)


def test_every_measure_without_dimensions(constructor: Any, small: Any) -> None:
    result = run({"measures": ALL_MEASURES}, small)
    expected = [
        (
            8,  # all rows
            6,  # amount non-null: rows 1,2,4,5,6,7
            2,  # web, shop
            81.0,  # 10 + 20 + 40 + 7.5 + 2.5 + 1
            24,  # 1 + 2 + 3 + 5 + 6 + 7
            13.5,  # 81 / 6
            8.75,  # sorted 1, 2.5, 7.5, 10, 20, 40: (7.5 + 10) / 2
            4.0,  # sorted 1, 2, 3, 5, 6, 7: (3 + 5) / 2
            1.0,
            40.0,
            3,  # rows 1, 3, 6
            0.6,  # 3 true of 5 non-null (rows 1,2,3,5,6)
            D(2024, 1, 5),
            D(2024, 7, 1),
            "shop",
            "web",
        )
    ]
    assert_rows_equal(frame_to_rows(result, as_tuples=True), expected)


def test_result_column_types(constructor: Any, small: Any) -> None:
    result = run({"dimensions": ["region", "day"], "measures": ALL_MEASURES}, small)
    types = dict(zip(result.to_arrow().column_names, result.to_arrow().schema.types, strict=True))
    assert pa.types.is_date32(types["day"])
    for name in ("n", "n_amount", "channels", "qty_sum", "won_sum"):
        assert types[name] == pa.int64(), name
    for name in ("total", "avg_amount", "med_amount", "med_qty", "won_avg", "min_amount"):
        assert types[name] == pa.float64(), name
    assert pa.types.is_date32(types["first_day"])
    assert pa.types.is_string(types["min_channel"]) or pa.types.is_large_string(
        types["min_channel"]
    )


def test_count_vs_count_field_vs_count_distinct(constructor: Any) -> None:
    frame = constructor(
        {"g": ["a", "a", "a", "a", "a"], "v": ["x", "x", None, "y", None]},
        {"g": pa.string(), "v": pa.string()},
    )
    result = run(
        {
            "dimensions": ["g"],
            "measures": [
                {"name": "rows", "agg": "count"},
                {"name": "values", "agg": "count", "field": "v"},
                {"name": "distinct", "agg": "count_distinct", "field": "v"},
            ],
        },
        frame,
    )
    # rows: 5; values: x, x, y = 3; distinct: {x, y} = 2 (null is not a value)
    assert_rows_equal(result, [("a", 5, 3, 2)])


def test_all_null_group_sum_zero_avg_median_null(constructor: Any) -> None:
    frame = constructor(
        {"g": ["a", "a", "b"], "x": [None, None, 4], "f": [None, None, 1.5]},
        {"g": pa.string(), "x": pa.int64(), "f": pa.float64()},
    )
    result = run(
        {
            "dimensions": ["g"],
            "measures": [
                {"name": "sx", "agg": "sum", "field": "x"},
                {"name": "sf", "agg": "sum", "field": "f"},
                {"name": "ax", "agg": "avg", "field": "x"},
                {"name": "mx", "agg": "median", "field": "x"},
                {"name": "mnx", "agg": "min", "field": "x"},
                {"name": "cdx", "agg": "count_distinct", "field": "x"},
            ],
        },
        frame,
    )
    # a: no values -> sum 0, sum 0.0, avg/median/min null, distinct 0; b: one value 4 / 1.5
    assert_rows_equal(
        result,
        [("a", 0, 0.0, None, None, None, 0), ("b", 4, 1.5, 4.0, 4.0, 4, 1)],
    )
    types = result.to_arrow().schema.types
    assert types[1] == pa.int64()  # sum of ints stays an int
    assert types[2] == pa.float64()


def test_boolean_sum_and_avg(constructor: Any) -> None:
    frame = constructor(
        {"g": ["a", "a", "a", "a", "b"], "flag": [True, True, False, None, None]},
        {"g": pa.string(), "flag": pa.bool_()},
    )
    result = run(
        {
            "dimensions": ["g"],
            "measures": [
                {"name": "yes", "agg": "sum", "field": "flag"},
                {"name": "share", "agg": "avg", "field": "flag"},
                {"name": "lo", "agg": "min", "field": "flag"},
                {"name": "hi", "agg": "max", "field": "flag"},
            ],
        },
        frame,
    )
    # a: 1 + 1 + 0 = 2 true; share 2 / 3 (the null is not a false); min False, max True
    # b: only null -> sum 0, share null
    assert_rows_equal(result, [("a", 2, 2 / 3, False, True), ("b", 0, None, None, None)])


def test_median_is_exact_for_even_and_odd_counts(constructor: Any) -> None:
    frame = constructor(
        {"g": ["odd"] * 5 + ["even"] * 4, "x": [9, 1, 100, 3, 2, 10, 1, 4, 1000]},
        {"g": pa.string(), "x": pa.int64()},
    )
    result = run(
        {"dimensions": ["g"], "measures": [{"name": "m", "agg": "median", "field": "x"}]}, frame
    )
    # even: sorted 1, 4, 10, 1000 -> (4 + 10) / 2 = 7.0; odd: sorted 1, 2, 3, 9, 100 -> 3.0
    assert_rows_equal(result, [("even", 7.0), ("odd", 3.0)])


def test_min_max_on_dates_and_strings(constructor: Any) -> None:
    frame = constructor(
        {
            "g": ["a", "a", "a", "b"],
            "d": [D(2024, 3, 1), D(2023, 12, 31), None, D(2024, 2, 29)],
            "ts": [T(2024, 1, 1, 0, 0, 1), T(2024, 1, 1), T(2023, 5, 5, 23, 59, 59), None],
            "s": ["Zürich", "Oslo", "東京", None],
        },
        {"g": pa.string(), "d": pa.date32(), "ts": pa.timestamp("us"), "s": pa.string()},
    )
    result = run(
        {
            "dimensions": ["g"],
            "measures": [
                {"name": "d_min", "agg": "min", "field": "d"},
                {"name": "d_max", "agg": "max", "field": "d"},
                {"name": "ts_min", "agg": "min", "field": "ts"},
                {"name": "ts_max", "agg": "max", "field": "ts"},
                {"name": "s_min", "agg": "min", "field": "s"},
                {"name": "s_max", "agg": "max", "field": "s"},
            ],
        },
        frame,
    )
    # strings compare by code point: "Oslo" < "Zürich" < "東京"
    assert_rows_equal(
        result,
        [
            (
                "a",
                D(2023, 12, 31),
                D(2024, 3, 1),
                T(2023, 5, 5, 23, 59, 59),
                T(2024, 1, 1, 0, 0, 1),
                "Oslo",
                "東京",
            ),
            ("b", D(2024, 2, 29), D(2024, 2, 29), None, None, None, None),
        ],
    )


# --- filters -----------------------------------------------------------------------------------

# (filters, ids of the rows kept) -- read the ids off the SMALL table above.
FILTER_CASES: dict[str, tuple[list[dict[str, Any]], list[int]]] = {
    "eq": ([{"field": "region", "op": "eq", "value": "Zürich"}], [1, 2, 3, 4]),
    "eq_keep_nulls": (
        [{"field": "region", "op": "eq", "value": "Zürich", "keep_nulls": True}],
        [1, 2, 3, 4, 7],  # + row 7 (region null)
    ),
    "ne_drops_nulls": ([{"field": "region", "op": "ne", "value": "Zürich"}], [5, 6, 8]),
    "ne_keep_nulls": (
        [{"field": "region", "op": "ne", "value": "Zürich", "keep_nulls": True}],
        [5, 6, 7, 8],
    ),
    "lt": ([{"field": "amount", "op": "lt", "value": 10}], [5, 6, 7]),  # 7.5, 2.5, 1.0
    "le": ([{"field": "amount", "op": "le", "value": 10}], [1, 5, 6, 7]),  # + 10.0
    "gt": ([{"field": "amount", "op": "gt", "value": 10}], [2, 4]),  # 20, 40
    "ge": ([{"field": "amount", "op": "ge", "value": 10.0}], [1, 2, 4]),  # 10, 20, 40
    "gt_keep_nulls": (
        [{"field": "amount", "op": "gt", "value": 10, "keep_nulls": True}],
        [2, 3, 4, 8],  # + rows 3 and 8 (amount null)
    ),
    "lt_int_column": ([{"field": "qty", "op": "lt", "value": 3}], [1, 2]),  # 1, 2 (4, 8 null)
    "in": ([{"field": "region", "op": "in", "value": ["Zürich", "Oslo"]}], [1, 2, 3, 4, 8]),
    "in_ints": ([{"field": "qty", "op": "in", "value": [1, 7, 99]}], [1, 7]),
    "in_keep_nulls": (
        [{"field": "qty", "op": "in", "value": [1, 7], "keep_nulls": True}],
        [1, 4, 7, 8],
    ),
    "not_in_drops_nulls": (
        [{"field": "region", "op": "not_in", "value": ["Zürich", "Oslo"]}],
        [5, 6],  # row 7 (null) dropped
    ),
    "not_in_keep_nulls": (
        [{"field": "region", "op": "not_in", "value": ["Zürich", "Oslo"], "keep_nulls": True}],
        [5, 6, 7],
    ),
    "between_inclusive": (
        [{"field": "amount", "op": "between", "value": [2.5, 10]}],
        [1, 5, 6],  # 10.0, 7.5, 2.5 (both ends kept); 1.0 out
    ),
    "between_keep_nulls": (
        [{"field": "amount", "op": "between", "value": [2.5, 10], "keep_nulls": True}],
        [1, 3, 5, 6, 8],
    ),
    "between_dates": (
        [{"field": "day", "op": "between", "value": ["2024-01-20", "2024-04-01"]}],
        [2, 3, 4, 5],  # 01-20, 02-01, 03-31, 04-01
    ),
    "is_null": ([{"field": "amount", "op": "is_null"}], [3, 8]),
    "not_null": ([{"field": "amount", "op": "not_null"}], [1, 2, 4, 5, 6, 7]),
    "is_null_dimension_column": ([{"field": "region", "op": "is_null"}], [7]),
    "contains": ([{"field": "channel", "op": "contains", "value": "e"}], [1, 3, 5, 6]),  # web
    "contains_case_sensitive": (
        [{"field": "region", "op": "contains", "value": "zü"}],
        [],  # "Zürich" has a capital Z
    ),
    "contains_ignore_case": (
        [{"field": "region", "op": "contains", "value": "zü", "ignore_case": True}],
        [1, 2, 3, 4],
    ),
    "contains_unicode": ([{"field": "region", "op": "contains", "value": "京"}], [5, 6]),
    "contains_percent_is_literal": (
        [{"field": "note", "op": "contains", "value": "%"}],
        [1, 7],  # "50% off", "100%" (a LIKE pattern would match every non-null note)
    ),
    "contains_dot_is_literal": (
        [{"field": "note", "op": "contains", "value": "x.y"}],
        [2],  # not "xay" (a regex would match it)
    ),
    "contains_dot_ignore_case": (
        [{"field": "note", "op": "contains", "value": "x.y", "ignore_case": True}],
        [2, 6],  # "x.y", "X.Y"
    ),
    "contains_underscore_is_literal": (
        [{"field": "note", "op": "contains", "value": "_"}],
        [8],
    ),
    "eq_bool": ([{"field": "won", "op": "eq", "value": True}], [1, 3, 6]),
    "ne_bool_drops_nulls": ([{"field": "won", "op": "ne", "value": True}], [2, 5]),
    "eq_date": ([{"field": "day", "op": "eq", "value": "2024-01-20"}], [2]),
    "lt_date": ([{"field": "day", "op": "lt", "value": "2024-02-01"}], [1, 2]),  # 6 null
    "ge_date": ([{"field": "day", "op": "ge", "value": "2024-04-01"}], [5, 7, 8]),
    "and": (
        [
            {"field": "channel", "op": "eq", "value": "web"},
            {"field": "amount", "op": "gt", "value": 5},
        ],
        [1, 5],  # web rows 1,3,5,6; amount > 5: 10, null, 7.5, 2.5
    ),
    "any_of": (
        [
            {
                "any_of": [
                    {"field": "region", "op": "eq", "value": "Oslo"},
                    {"field": "amount", "op": "lt", "value": 3},
                ]
            }
        ],
        [6, 7, 8],  # Oslo: 8; amount < 3: 2.5 (6), 1.0 (7)
    ),
    "any_of_with_is_null": (
        [
            {
                "any_of": [
                    {"field": "region", "op": "ne", "value": "Zürich"},
                    {"field": "region", "op": "is_null"},
                ]
            }
        ],
        [5, 6, 7, 8],
    ),
    "any_of_null_row_rescued_by_other_column": (
        [
            {
                "any_of": [
                    {"field": "region", "op": "ne", "value": "Zürich"},
                    {"field": "channel", "op": "eq", "value": "shop"},
                ]
            }
        ],
        [2, 5, 6, 7, 8],  # row 7: region null (false) OR channel shop (true); row 2: shop
    ),
    "any_of_all_false_on_null": (
        [
            {
                "any_of": [
                    {"field": "region", "op": "ne", "value": "Zürich"},
                    {"field": "region", "op": "eq", "value": "Zürich"},
                ]
            }
        ],
        [1, 2, 3, 4, 5, 6, 8],  # only row 7 (null) fails both: "x != a OR x = a" is not a tautology
    ),
    "nested_any_of_and": (
        [
            {"field": "qty", "op": "not_null"},
            {
                "any_of": [
                    {"field": "channel", "op": "eq", "value": "shop"},
                    {
                        "any_of": [
                            {"field": "won", "op": "eq", "value": False},
                            {"field": "note", "op": "contains", "value": "Y"},
                        ]
                    },
                ]
            },
        ],
        [2, 5, 6, 7],  # qty set: 1,2,3,5,6,7; shop: 2,7; won False: 2,5; "Y" in note: 6
    ),
    "removes_everything": ([{"field": "amount", "op": "gt", "value": 1000}], []),
}


@pytest.mark.parametrize("case", list(FILTER_CASES))
def test_filter_ops(constructor: Any, small: Any, case: str) -> None:
    filters, ids = FILTER_CASES[case]
    result = run(
        {"dimensions": ["id"], "measures": [{"name": "n", "agg": "count"}], "filters": filters},
        small,
    )
    assert result.columns == ["id", "n"]
    assert_rows_equal(result, [(i, 1) for i in ids])
    # and the reference agrees with the hand-written ids
    rows = [dict(zip(SMALL, values, strict=True)) for values in zip(*SMALL.values(), strict=True)]
    assert [r["id"] for r in rows if all(reference.keeps(r, f) for f in filters)] == ids


def test_filter_removing_everything_without_dimensions(constructor: Any, small: Any) -> None:
    result = run(
        {
            "measures": [
                {"name": "n", "agg": "count"},
                {"name": "total", "agg": "sum", "field": "amount"},
                {"name": "avg", "agg": "avg", "field": "amount"},
                {"name": "last", "agg": "max", "field": "day"},
            ],
            "filters": [{"field": "region", "op": "eq", "value": "Bern"}],
        },
        small,
    )
    # no rows: one result row, count 0, sum 0, avg null, max null
    assert_rows_equal(result, [(0, 0.0, None, None)])


def test_count_distinct_of_no_rows_is_zero(constructor: Any, small: Any) -> None:
    # filtered to nothing
    result = run(
        {
            "measures": [{"name": "distinct", "agg": "count_distinct", "field": "region"}],
            "filters": [{"field": "region", "op": "eq", "value": "Bern"}],
        },
        small,
    )
    assert_rows_equal(result, [(0,)])  # no values, so 0 distinct values (SQL: 0, never NULL)


def test_yaml_date_values_on_date_and_datetime_columns(constructor: Any) -> None:
    frame = constructor(
        {
            "id": [1, 2, 3, 4, 5],
            "d": [D(2024, 1, 30), D(2024, 1, 31), D(2024, 2, 1), None, D(2024, 3, 1)],
            "ts": [
                T(2024, 1, 30, 12),
                T(2024, 1, 31, 0, 0),
                T(2024, 1, 31, 18, 30),
                None,
                T(2024, 2, 1, 0, 0),
            ],
        },
        {"id": pa.int64(), "d": pa.date32(), "ts": pa.timestamp("us")},
    )
    text = """
name: t
dimensions: [id]
measures: [{name: n, agg: count}]
filters:
  - {field: %s, op: %s, value: %s}
"""

    def ids(field: str, op: str, value: str) -> list[int]:
        result = Report.from_yaml(text % (field, op, value)).run(frame)
        return [row[0] for row in frame_to_rows(result, as_tuples=True)]

    # date column, unquoted YAML dates
    assert ids("d", "le", "2024-01-31") == [1, 2]
    assert ids("d", "eq", "2024-01-31") == [2]
    assert ids("d", "gt", "2024-01-31") == [3, 5]  # row 4 null
    assert ids("d", "between", "[2024-01-31, 2024-02-01]") == [2, 3]
    assert ids("d", "in", "[2024-01-30, 2024-03-01]") == [1, 5]
    # datetime column: a date means midnight at its start (SQL's cast), so
    # ts <= 2024-01-31 keeps 01-30 12:00 and 01-31 00:00 but not 01-31 18:30
    assert ids("ts", "le", "2024-01-31") == [1, 2]
    assert ids("ts", "lt", "2024-02-01") == [1, 2, 3]
    assert ids("ts", "ge", "2024-01-31") == [2, 3, 5]
    assert ids("ts", "between", "[2024-01-31, 2024-02-01]") == [2, 3, 5]
    # unquoted YAML datetime
    assert ids("ts", "gt", "2024-01-31T00:00:00") == [3, 5]


# --- nulls in dimensions, sort, limit ----------------------------------------------------------


def test_null_dimension_values_form_their_own_group_sorted_last(
    constructor: Any, small: Any
) -> None:
    result = run(
        {
            "dimensions": ["channel", "region"],
            "measures": [{"name": "n", "agg": "count"}],
        },
        small,
    )
    # channel asc (nulls last), then region asc (nulls last):
    # shop: Zürich (row 2), null (row 7); web: Zürich (1, 3), 東京 (5, 6);
    # null: Oslo (8), Zürich (4)
    assert_rows_equal(
        result,
        [
            ("shop", "Zürich", 1),
            ("shop", None, 1),
            ("web", "Zürich", 2),
            ("web", "東京", 2),
            (None, "Oslo", 1),
            (None, "Zürich", 1),
        ],
    )


def test_sort_desc_and_limit(constructor: Any, small: Any) -> None:
    spec = {
        "dimensions": ["region"],
        "measures": [{"name": "total", "agg": "sum", "field": "amount"}],
        "sort": [{"field": "total", "desc": True}],
        "limit": 2,
    }
    # totals: Zürich 70, 東京 10, null 1, Oslo 0 -> top 2
    assert_rows_equal(run(spec, small), [("Zürich", 70.0), ("東京", 10.0)])


def test_sort_desc_puts_null_measures_last(constructor: Any, small: Any) -> None:
    spec = {
        "dimensions": ["region"],
        "measures": [{"name": "avg_amount", "agg": "avg", "field": "amount"}],
        "sort": [{"field": "avg_amount", "desc": True}],
    }
    # Zürich 70/3, 東京 5, null-region 1, Oslo null (last even when descending)
    assert_rows_equal(
        run(spec, small), [("Zürich", 70 / 3), ("東京", 5.0), (None, 1.0), ("Oslo", None)]
    )


def test_sort_desc_on_dimension_nulls_last(constructor: Any, small: Any) -> None:
    spec = {
        "dimensions": ["region"],
        "measures": [{"name": "n", "agg": "count"}],
        "sort": [{"field": "region", "desc": True}],
    }
    assert_rows_equal(run(spec, small), [("東京", 2), ("Zürich", 4), ("Oslo", 1), (None, 1)])


def test_sort_ties_broken_by_dimensions(constructor: Any, small: Any) -> None:
    spec = {
        "dimensions": ["region", "channel"],
        "measures": [{"name": "n", "agg": "count"}],
        "sort": [{"field": "n", "desc": True}],
    }
    # Zürich/web 2, 東京/web 2 (tie -> region asc), then the 1s by region, channel asc
    assert_rows_equal(
        run(spec, small),
        [
            ("Zürich", "web", 2),
            ("東京", "web", 2),
            ("Oslo", None, 1),
            ("Zürich", "shop", 1),
            ("Zürich", None, 1),
            (None, "shop", 1),
        ],
    )


def test_sort_on_second_dimension_only(constructor: Any, small: Any) -> None:
    spec = {
        "dimensions": ["region", "channel"],
        "measures": [{"name": "n", "agg": "count"}],
        "sort": ["channel"],
        "limit": 3,
    }
    # channel asc first: shop (Zürich, null), web (Zürich, 東京), null ... -> first three
    assert_rows_equal(
        run(spec, small), [("Zürich", "shop", 1), (None, "shop", 1), ("Zürich", "web", 2)]
    )


def test_limit_larger_than_result(constructor: Any, small: Any) -> None:
    spec = {"dimensions": ["channel"], "measures": [{"name": "n", "agg": "count"}], "limit": 99}
    # shop: 2, 7; web: 1, 3, 5, 6; null: 4, 8
    assert_rows_equal(run(spec, small), [("shop", 2), ("web", 4), (None, 2)])


# --- empty inputs ------------------------------------------------------------------------------


def _empty(constructor: Any) -> Any:
    return constructor({name: [] for name in SMALL_SCHEMA}, SMALL_SCHEMA)


def test_empty_input_with_dimensions(constructor: Any) -> None:
    result = run(
        {
            "dimensions": ["region", {"field": "day", "grain": "month"}],
            "measures": [
                {"name": "n", "agg": "count"},
                {"name": "total", "agg": "sum", "field": "amount"},
                {"name": "med", "agg": "median", "field": "qty"},
            ],
        },
        _empty(constructor),
    )
    assert result.columns == ["region", "day", "n", "total", "med"]
    assert result.to_arrow().column_names == ["region", "day", "n", "total", "med"]
    assert result.to_arrow().num_rows == 0
    assert list(result.to_pandas().columns) == ["region", "day", "n", "total", "med"]
    assert constructor.is_native_result(result.data)


def test_empty_input_without_dimensions(constructor: Any) -> None:
    result = run(
        {
            "measures": [
                {"name": "n", "agg": "count"},
                {"name": "n_amount", "agg": "count", "field": "amount"},
                {"name": "total", "agg": "sum", "field": "amount"},
                {"name": "qty_sum", "agg": "sum", "field": "qty"},
                {"name": "avg", "agg": "avg", "field": "amount"},
                {"name": "med", "agg": "median", "field": "amount"},
                {"name": "last", "agg": "max", "field": "day"},
            ],
        },
        _empty(constructor),
    )
    assert_rows_equal(result, [(0, 0, 0.0, 0, None, None, None)])


def test_count_distinct_of_empty_input_is_zero(constructor: Any) -> None:
    result = run(
        {"measures": [{"name": "distinct", "agg": "count_distinct", "field": "region"}]},
        _empty(constructor),
    )
    assert_rows_equal(result, [(0,)])


# --- time grains -------------------------------------------------------------------------------
#
# row | date       | weekday | datetime
#  a  | 2024-02-29 | Thu     | 2024-02-29 23:59:59.999999
#  b  | 2024-03-31 | Sun     | 2024-03-31 23:59:59.999999
#  c  | 2024-04-01 | Mon     | 2024-04-01 00:00:00
#  d  | 2024-06-30 | Sun     | 2024-06-30 12:00:00
#  e  | 2024-07-01 | Mon     | 2024-07-01 00:00:00.000001
#  f  | 2024-12-29 | Sun     | 2024-12-29 23:59:59
#  g  | 2024-12-30 | Mon     | 2024-12-30 00:00:00
#  h  | 2025-01-01 | Wed     | 2025-01-01 08:30:00
#  i  | 2025-01-05 | Sun     | 2025-01-05 23:59:59.999999
#  j  | 2025-01-06 | Mon     | 2025-01-06 00:00:00
#  k  | null       |         | null

TIME_DATA = {
    "d": [
        D(2024, 2, 29),
        D(2024, 3, 31),
        D(2024, 4, 1),
        D(2024, 6, 30),
        D(2024, 7, 1),
        D(2024, 12, 29),
        D(2024, 12, 30),
        D(2025, 1, 1),
        D(2025, 1, 5),
        D(2025, 1, 6),
        None,
    ],
    "ts": [
        T(2024, 2, 29, 23, 59, 59, 999999),
        T(2024, 3, 31, 23, 59, 59, 999999),
        T(2024, 4, 1),
        T(2024, 6, 30, 12),
        T(2024, 7, 1, 0, 0, 0, 1),
        T(2024, 12, 29, 23, 59, 59),
        T(2024, 12, 30),
        T(2025, 1, 1, 8, 30),
        T(2025, 1, 5, 23, 59, 59, 999999),
        T(2025, 1, 6),
        None,
    ],
}
TIME_SCHEMA = {"d": pa.date32(), "ts": pa.timestamp("us")}

# (bucket start, rows in it); the null bucket last with 1 row.
GRAIN_BUCKETS: dict[str, list[tuple[tuple[int, int, int], int]]] = {
    "day": [
        ((2024, 2, 29), 1),
        ((2024, 3, 31), 1),
        ((2024, 4, 1), 1),
        ((2024, 6, 30), 1),
        ((2024, 7, 1), 1),
        ((2024, 12, 29), 1),
        ((2024, 12, 30), 1),
        ((2025, 1, 1), 1),
        ((2025, 1, 5), 1),
        ((2025, 1, 6), 1),
    ],
    "week": [
        ((2024, 2, 26), 1),  # a: Thu 02-29 - 3 days
        ((2024, 3, 25), 1),  # b: Sun 03-31 - 6 days
        ((2024, 4, 1), 1),  # c: a Monday
        ((2024, 6, 24), 1),  # d: Sun 06-30 - 6 days
        ((2024, 7, 1), 1),  # e: a Monday
        ((2024, 12, 23), 1),  # f: Sun 12-29 - 6 days
        ((2024, 12, 30), 3),  # g, h, i: Mon 12-30 .. Sun 01-05, one ISO week across New Year
        ((2025, 1, 6), 1),  # j: a Monday
    ],
    "month": [
        ((2024, 2, 1), 1),  # a
        ((2024, 3, 1), 1),  # b (23:59:59.999999 stays in March)
        ((2024, 4, 1), 1),  # c
        ((2024, 6, 1), 1),  # d
        ((2024, 7, 1), 1),  # e
        ((2024, 12, 1), 2),  # f, g
        ((2025, 1, 1), 3),  # h, i, j
    ],
    "quarter": [
        ((2024, 1, 1), 2),  # a, b: Feb, Mar
        ((2024, 4, 1), 2),  # c, d: Apr 1, Jun 30
        ((2024, 7, 1), 1),  # e: Jul 1
        ((2024, 10, 1), 2),  # f, g: Dec
        ((2025, 1, 1), 3),  # h, i, j
    ],
    "year": [
        ((2024, 1, 1), 7),  # a..g
        ((2025, 1, 1), 3),  # h, i, j
    ],
}


@pytest.mark.parametrize("grain", list(GRAIN_BUCKETS))
def test_time_grains_on_date_and_datetime(constructor: Any, grain: str) -> None:
    frame = constructor(TIME_DATA, TIME_SCHEMA)
    result = run(
        {
            "dimensions": [
                {"field": "d", "grain": grain},
                {"field": "ts", "grain": grain, "name": "ts_bucket"},
            ],
            "measures": [{"name": "n", "agg": "count"}],
        },
        frame,
    )
    # Each row's date and datetime fall on the same day, so the two buckets always agree.
    expected = [(D(*b), T(*b), n) for b, n in GRAIN_BUCKETS[grain]] + [(None, None, 1)]
    assert_rows_equal(result, expected)  # also checks date stays date, datetime stays datetime
    schema = result.to_arrow().schema
    assert pa.types.is_date32(schema.field("d").type)
    assert pa.types.is_timestamp(schema.field("ts_bucket").type)
    assert schema.field("ts_bucket").type.tz is None


def test_measure_reads_the_raw_column_not_the_bucket(constructor: Any) -> None:
    frame = constructor(TIME_DATA, TIME_SCHEMA)
    result = run(
        {
            "dimensions": [{"field": "d", "grain": "month"}],
            "measures": [
                {"name": "first", "agg": "min", "field": "d"},
                {"name": "last", "agg": "max", "field": "d"},
                {"name": "last_ts", "agg": "max", "field": "ts"},
                {"name": "days", "agg": "count_distinct", "field": "d"},
            ],
            # the filter reads the raw date too: bucketed, 12-01 < 12-15 would drop December
            "filters": [{"field": "d", "op": "ge", "value": "2024-12-15"}],
        },
        frame,
    )
    # December: f 12-29, g 12-30; January: h 01-01, i 01-05, j 01-06
    assert_rows_equal(
        result,
        [
            (D(2024, 12, 1), D(2024, 12, 29), D(2024, 12, 30), T(2024, 12, 30), 2),
            (D(2025, 1, 1), D(2025, 1, 1), D(2025, 1, 6), T(2025, 1, 6), 3),
        ],
    )


def test_same_column_bucketed_twice_and_sorted_desc_by_renamed_dimension(
    constructor: Any,
) -> None:
    frame = constructor(TIME_DATA, TIME_SCHEMA)
    result = run(
        {
            "dimensions": [
                {"field": "d", "grain": "year", "name": "year"},
                {"field": "d", "grain": "quarter", "name": "quarter"},
            ],
            "measures": [
                {"name": "n", "agg": "count"},
                {"name": "last", "agg": "max", "field": "d"},
            ],
            "filters": [{"field": "d", "op": "not_null"}],
            "sort": [{"field": "year", "desc": True}],
        },
        frame,
    )
    # year desc, then quarter asc (tie-break):
    # 2025: Q1 h, i, j; 2024: Q1 a, b; Q2 c, d; Q3 e; Q4 f, g
    assert result.columns == ["year", "quarter", "n", "last"]
    assert_rows_equal(
        result,
        [
            (D(2025, 1, 1), D(2025, 1, 1), 3, D(2025, 1, 6)),
            (D(2024, 1, 1), D(2024, 1, 1), 2, D(2024, 3, 31)),
            (D(2024, 1, 1), D(2024, 4, 1), 2, D(2024, 6, 30)),
            (D(2024, 1, 1), D(2024, 7, 1), 1, D(2024, 7, 1)),
            (D(2024, 1, 1), D(2024, 10, 1), 2, D(2024, 12, 30)),
        ],
    )


def test_bucketed_datetime_dimension_keeps_raw_values_for_measures(constructor: Any) -> None:
    frame = constructor(TIME_DATA, TIME_SCHEMA)
    result = run(
        {
            "dimensions": [{"field": "ts", "grain": "quarter"}],
            "measures": [{"name": "last", "agg": "max", "field": "ts"}],
            "filters": [{"field": "ts", "op": "lt", "value": "2024-07-01"}],
        },
        frame,
    )
    # Q1: a, b -> max 2024-03-31 23:59:59.999999; Q2: c, d -> 2024-06-30 12:00
    assert_rows_equal(
        result,
        [
            (T(2024, 1, 1), T(2024, 3, 31, 23, 59, 59, 999999)),
            (T(2024, 4, 1), T(2024, 6, 30, 12)),
        ],
    )


# --- sources and inputs ------------------------------------------------------------------------


def test_named_source_mapping(constructor: Any, small: Any) -> None:
    report = Report.from_dict(
        {
            "name": "t",
            "source": "orders",
            "dimensions": ["channel"],
            "measures": [{"name": "total", "agg": "sum", "field": "amount"}],
        }
    )
    # shop: 20 + 1 = 21; web: 10 + 7.5 + 2.5 = 20 (row 3 null); null: 40 (row 8 null)
    assert_rows_equal(report.run({"orders": small}), [("shop", 21.0), ("web", 20.0), (None, 40.0)])


def test_pandas_categorical_and_nullable_columns() -> None:
    import pandas as pd

    frame = pd.DataFrame(
        {
            "region": pd.Categorical(["b", "a", None, "b"], categories=["a", "b", "z"]),
            "qty": pd.array([1, None, 3, 4], dtype="Int64"),
            "amount": [1.5, float("nan"), 2.0, None],
        }
    )
    result = run(
        {
            "dimensions": ["region"],
            "measures": [
                {"name": "q", "agg": "sum", "field": "qty"},
                {"name": "a", "agg": "avg", "field": "amount"},
                {"name": "na", "agg": "count", "field": "amount"},
            ],
        },
        frame,
    )
    # a: qty null -> 0, amount NaN (missing) -> avg null, count 0
    # b: qty 1 + 4 = 5, amount 1.5 and missing -> avg 1.5, count 1
    # null: qty 3, amount 2.0
    assert_rows_equal(result, [("a", 0, None, 0), ("b", 5, 1.5, 1), (None, 3, 2.0, 1)])


# --- the caller's frame is never modified ------------------------------------------------------

MUTATION_SPEC = {
    "dimensions": [{"field": "day", "grain": "month", "name": "month"}, "region"],
    "measures": [
        {"name": "n", "agg": "count"},
        {"name": "won_sum", "agg": "sum", "field": "won"},
        {"name": "distinct", "agg": "count_distinct", "field": "channel"},
        {"name": "last", "agg": "max", "field": "day"},
        {"name": "med", "agg": "median", "field": "amount"},
    ],
    "filters": [{"field": "channel", "op": "ne", "value": "x", "keep_nulls": True}],
    "sort": [{"field": "n", "desc": True}],
    "limit": 3,
}


def test_pandas_input_is_not_modified() -> None:
    import pandas as pd

    frame = to_pandas(arrow_table(SMALL, SMALL_SCHEMA))
    frame["ts"] = pd.to_datetime(["2024-01-01 10:00"] * 4 + [None] * 4)
    frame["cat"] = pd.Categorical(["a", "b", None, "a", "b", "b", "a", None])
    frame = frame[["note", "won", "ts", "id", "amount", "region", "day", "cat", "channel", "qty"]]
    frame.index = pd.Index([70, 3, 9, 1, 55, 2, 8, 0], name="row")
    before = copy.deepcopy(frame)
    run({**MUTATION_SPEC, "dimensions": [*MUTATION_SPEC["dimensions"], "cat"]}, frame)
    run(
        {
            "dimensions": [{"field": "ts", "grain": "week"}],
            "measures": [{"name": "n", "agg": "count"}],
        },
        frame,
    )
    pd.testing.assert_frame_equal(frame, before, check_exact=True)
    assert list(frame.columns) == list(before.columns)
    assert frame.index.tolist() == [70, 3, 9, 1, 55, 2, 8, 0]
    assert frame.index.name == "row"


def test_pyarrow_input_is_not_modified() -> None:
    table = arrow_table(SMALL, SMALL_SCHEMA)
    before = arrow_table(SMALL, SMALL_SCHEMA)
    run(MUTATION_SPEC, table)
    assert table.equals(before, check_metadata=True)


@pytest.mark.parametrize("lazy", [False, True])
def test_polars_input_is_not_modified(lazy: bool) -> None:
    import polars as pl

    frame = pl.from_arrow(arrow_table(SMALL, SMALL_SCHEMA))
    before = frame.clone()
    run(MUTATION_SPEC, frame.lazy() if lazy else frame)
    assert frame.equals(before)
    assert frame.columns == before.columns
    assert frame.schema == before.schema


# --- the medium random fixture against the naive reference -------------------------------------

REGIONS = ["Zürich", "東京", "São Paulo", "Oslo", "north", "North", None]
CHANNELS = ["web", "shop", "partner", None]


def random_rows(seed: int = 7, n: int = 300) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        day = D(2024, 11, 1) + dt.timedelta(days=rng.randrange(0, 120))
        created = T(day.year, day.month, day.day) + dt.timedelta(
            seconds=rng.choice([0, 1, 43_200, 86_399]), microseconds=rng.choice([0, 999_999])
        )
        rows.append(
            {
                "id": i,
                "region": rng.choice(REGIONS),
                "channel": rng.choice(CHANNELS),
                # multiples of 0.25 are exact in binary, so sums do not depend on the order of
                # addition and ties stay ties on every engine
                "amount": None if rng.random() < 0.15 else rng.randrange(-8, 400) / 4,
                "qty": None if rng.random() < 0.1 else rng.choice([1, 1, 2, 3, 5, 8, 13]),
                "customer": None if rng.random() < 0.1 else rng.randrange(1, 40),
                "won": None if rng.random() < 0.2 else rng.random() < 0.4,
                "order_date": None if rng.random() < 0.05 else day,
                "created_at": None if rng.random() < 0.05 else created,
            }
        )
    return rows


RANDOM_SCHEMA = {
    "id": pa.int64(),
    "region": pa.string(),
    "channel": pa.string(),
    "amount": pa.float64(),
    "qty": pa.int64(),
    "customer": pa.int64(),
    "won": pa.bool_(),
    "order_date": pa.date32(),
    "created_at": pa.timestamp("us"),
}

RANDOM_SPECS: dict[str, dict[str, Any]] = {
    "all_measures_by_region_channel": {
        "dimensions": ["region", "channel"],
        "measures": [
            {"name": "n", "agg": "count"},
            {"name": "n_amount", "agg": "count", "field": "amount"},
            {"name": "customers", "agg": "count_distinct", "field": "customer"},
            {"name": "revenue", "agg": "sum", "field": "amount"},
            {"name": "units", "agg": "sum", "field": "qty"},
            {"name": "avg_amount", "agg": "avg", "field": "amount"},
            {"name": "avg_qty", "agg": "avg", "field": "qty"},
            {"name": "med_amount", "agg": "median", "field": "amount"},
            {"name": "med_qty", "agg": "median", "field": "qty"},
            {"name": "won_values", "agg": "count_distinct", "field": "won"},
            {"name": "timestamps", "agg": "count_distinct", "field": "created_at"},
            {"name": "lo", "agg": "min", "field": "amount"},
            {"name": "hi", "agg": "max", "field": "amount"},
            {"name": "wins", "agg": "sum", "field": "won"},
            {"name": "win_rate", "agg": "avg", "field": "won"},
            {"name": "first", "agg": "min", "field": "order_date"},
            {"name": "last_seen", "agg": "max", "field": "created_at"},
        ],
    },
    "month_top_revenue": {
        "dimensions": [{"field": "order_date", "grain": "month", "name": "month"}, "channel"],
        "measures": [
            {"name": "revenue", "agg": "sum", "field": "amount"},
            {"name": "orders", "agg": "count"},
            {"name": "last", "agg": "max", "field": "order_date"},
        ],
        "filters": [
            {"field": "region", "op": "ne", "value": "Zürich"},
            {"field": "amount", "op": "gt", "value": 0},
        ],
        "sort": [{"field": "revenue", "desc": True}],
        "limit": 7,
    },
    "week_any_of": {
        "dimensions": [{"field": "created_at", "grain": "week"}],
        "measures": [
            {"name": "n", "agg": "count"},
            {"name": "med_qty", "agg": "median", "field": "qty"},
            {"name": "customers", "agg": "count_distinct", "field": "customer"},
        ],
        "filters": [
            {
                "any_of": [
                    {"field": "channel", "op": "not_in", "value": ["web", "shop"]},
                    {"field": "won", "op": "eq", "value": True},
                    {"field": "region", "op": "is_null"},
                ]
            }
        ],
    },
    "no_dimensions_mixed_filters": {
        "measures": [
            {"name": "n", "agg": "count"},
            {"name": "revenue", "agg": "sum", "field": "amount"},
            {"name": "avg_amount", "agg": "avg", "field": "amount"},
            {"name": "med_amount", "agg": "median", "field": "amount"},
            {"name": "regions", "agg": "count_distinct", "field": "region"},
        ],
        "filters": [
            {"field": "amount", "op": "between", "value": [10, 60.5]},
            {"field": "channel", "op": "not_in", "value": ["partner"], "keep_nulls": True},
            {"field": "region", "op": "contains", "value": "o", "ignore_case": True},
        ],
    },
    "quarter_by_won": {
        "dimensions": [{"field": "order_date", "grain": "quarter"}, "won"],
        "measures": [
            {"name": "n", "agg": "count"},
            {"name": "units", "agg": "sum", "field": "qty"},
            {"name": "med_amount", "agg": "median", "field": "amount"},
        ],
        "filters": [{"field": "qty", "op": "not_null"}],
        "sort": [{"field": "won", "desc": True}],
    },
    "year_and_day_with_date_filters": {
        "dimensions": [
            {"field": "created_at", "grain": "year"},
            {"field": "order_date", "grain": "day", "name": "day"},
        ],
        "measures": [
            {"name": "n", "agg": "count"},
            {"name": "customers", "agg": "count_distinct", "field": "customer"},
        ],
        "filters": [
            {"field": "created_at", "op": "ge", "value": "2024-12-20"},
            {"field": "order_date", "op": "le", "value": "2025-01-10"},
            {"field": "qty", "op": "in", "value": [1, 2, 13], "keep_nulls": True},
        ],
        "sort": [{"field": "n", "desc": True}],
        "limit": 10,
    },
}


@pytest.fixture(scope="module")
def random_data() -> list[dict[str, Any]]:
    return random_rows()


def test_reference_agrees_with_the_hand_computed_values() -> None:
    # the reference is itself checked against the numbers worked out by hand above
    rows = [dict(zip(SMALL, values, strict=True)) for values in zip(*SMALL.values(), strict=True)]
    expected = reference.compute(rows, {"dimensions": ["region"], "measures": ALL_MEASURES})
    assert_rows_equal([tuple(r.values()) for r in expected], EXPECTED_BY_REGION)
    assert reference.bucket(D(2025, 1, 5), "week") == D(2024, 12, 30)
    assert reference.bucket(T(2024, 9, 30, 23, 59), "quarter") == T(2024, 7, 1)


def test_random_fixture_has_the_awkward_cases(random_data: list[dict[str, Any]]) -> None:
    # guard: the fixture must keep exercising nulls, unicode, negatives and ties
    for column in RANDOM_SCHEMA:
        if column != "id":
            assert any(r[column] is None for r in random_data), column
    assert {"Zürich", "東京"} <= {r["region"] for r in random_data}
    assert any(r["amount"] is not None and r["amount"] <= 0 for r in random_data)
    amounts = [r["amount"] for r in random_data if r["amount"] is not None]
    assert len(set(amounts)) < len(amounts)  # ties
    weeks = {reference.bucket(r["created_at"], "week") for r in random_data}
    assert T(2024, 12, 30) in weeks  # the week across New Year


@pytest.mark.parametrize("spec_name", list(RANDOM_SPECS))
def test_random_fixture_matches_reference(
    constructor: Any, random_data: list[dict[str, Any]], spec_name: str
) -> None:
    spec = RANDOM_SPECS[spec_name]
    columns = {name: [r[name] for r in random_data] for name in RANDOM_SCHEMA}
    frame = constructor(columns, RANDOM_SCHEMA)
    expected = reference.compute(random_data, spec)
    assert expected, "the spec should keep some rows"
    result = run(spec, frame)
    assert_rows_equal(frame_to_rows(result), expected)
