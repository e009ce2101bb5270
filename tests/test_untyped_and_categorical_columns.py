"""Columns whose type is not plain text or a number: categorical and untyped (all-null) ones.

Rules (docs/semantics.md, "Input types"): a category, enum or dictionary column is text (its
values compare and sort as text, whatever the order of its categories); a column without a
type, which is all null, is text too. Both work with every filter, text function, dimension
and measure on every backend.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pytest

from crmreports import Report
from tests.helpers import assert_rows_equal, duckdb_relation, frame_to_rows

VALUES = ["Ab", "ba", "Cc", "ab", None, "12", " 7"]
# Categories in an order that is not the text's: comparisons and sorting must not follow it.
ORDER = [" 7", "ab", "Cc", "ba", "Ab", "12"][::-1]


def _pandas(values: list[Any]) -> Any:
    import pandas as pd

    return pd.DataFrame({"t": pd.Series(values, dtype=pd.CategoricalDtype(ORDER))})


def _pandas_plain_category(values: list[Any]) -> Any:
    import pandas as pd

    return pd.DataFrame({"t": pd.Series(values, dtype="category")})


def _arrow(values: list[Any]) -> Any:
    return pa.table({"t": pa.array(values, pa.string()).dictionary_encode()})


def _polars_categorical(values: list[Any]) -> Any:
    import polars as pl

    return pl.DataFrame({"t": pl.Series(values, dtype=pl.Categorical)})


def _polars_enum(values: list[Any]) -> Any:
    import polars as pl

    return pl.DataFrame({"t": pl.Series(values, dtype=pl.Enum(ORDER))}).lazy()


def _duckdb_enum(values: list[Any]) -> Any:
    table = pa.table({"t": pa.array(values, pa.string())})
    categories = ", ".join("'" + v.replace("'", "''") + "'" for v in ORDER)
    return duckdb_relation(table).project(f"CAST(t AS ENUM({categories})) AS t")


BUILDERS: dict[str, Callable[[list[Any]], Any]] = {
    "pandas-category": _pandas,
    "pandas-category-sorted": _pandas_plain_category,
    "arrow-dictionary": _arrow,
    "polars-categorical": _polars_categorical,
    "polars_lazy-enum": _polars_enum,
    "duckdb-enum": _duckdb_enum,
}
ENGINES = {  # the other engine each input can be run on
    "pandas-category": "polars",
    "pandas-category-sorted": "polars",
    "arrow-dictionary": "polars",
    "polars-categorical": "duckdb",
    "polars_lazy-enum": "duckdb",
}


@pytest.fixture(params=[(b, "auto") for b in BUILDERS] + list(ENGINES.items()), ids=str)
def categorical(request: pytest.FixtureRequest) -> tuple[Callable[[list[Any]], Any], str]:
    builder, engine = request.param
    return BUILDERS[builder], engine


TEXT_MEASURES = """
measures:
  - {name: has_b, agg: count, filter: {field: t, op: contains, value: B, ignore_case: true}}
  - {name: is_ba, agg: count, filter: {field: t, op: eq, value: ba}}
  - {name: not_ba, agg: count, filter: {field: t, op: ne, value: ba}}
  - {name: listed, agg: count, filter: {field: t, op: in, value: [ab, Cc]}}
  - {name: unlisted, agg: count, filter: {field: t, op: not_in, value: [ab]}}
  - {name: before_b, agg: count, filter: {field: t, op: lt, value: b}}
  - {name: upper_ab, agg: count, filter: {expr: "upper(t) == 'AB'"}}
  - {name: lower_cc, agg: sum, expr: "if(lower(t) == 'cc', 1, 0)"}
  - {name: chars, agg: sum, expr: "length(t)"}
  - {name: starts_a, agg: count, filter: {expr: "starts_with(t, 'a')"}}
  - {name: ends_c, agg: count, filter: {expr: "ends_with(t, 'c')"}}
  - {name: has_small_b, agg: count, filter: {expr: "contains(t, 'b')"}}
  - {name: numbers, agg: sum, expr: "to_int(t)"}
  - {name: distinct, agg: count_distinct, field: t}
  - {name: lowest, agg: min, field: t}
  - {name: highest, agg: max, field: t}
  - {name: nulls, agg: count, filter: {field: t, op: is_null}}
"""


def test_every_text_function_and_filter_on_categorical_input(
    categorical: tuple[Callable[[list[Any]], Any], str],
) -> None:
    build, engine = categorical
    result = Report.from_yaml("name: cat\n" + TEXT_MEASURES).run(build(VALUES), engine=engine)
    # Values: Ab, ba, Cc, ab, null, 12, ' 7' (6 non-null).
    expected = {
        "has_b": 3,  # Ab, ba, ab
        "is_ba": 1,
        "not_ba": 5,  # the other non-null values; null is dropped
        "listed": 2,  # ab, Cc
        "unlisted": 5,  # Ab, ba, Cc, 12, ' 7'
        # As text: ' 7' < '12' < 'Ab' < 'Cc' < 'ab' < 'b' < 'ba' (careless, by the category
        # order ['12', 'Ab', 'ba', 'Cc', 'ab', ' 7'] that polars Enum and DuckDB ENUM use: 1).
        "before_b": 5,
        "upper_ab": 2,  # Ab, ab
        "lower_cc": 1,
        "chars": 12,  # six values of two characters
        "starts_a": 1,  # ab
        "ends_c": 1,  # Cc
        "has_small_b": 3,  # Ab, ba, ab
        "numbers": 19,  # to_int: '12' -> 12, ' 7' -> 7, the rest null
        "distinct": 6,
        "lowest": " 7",  # by text (careless, by category order: '12')
        "highest": "ba",  # by text (careless: ' 7')
        "nulls": 1,
    }
    assert_rows_equal(result, [expected])


def test_categorical_dimensions_group_and_sort_as_text(
    categorical: tuple[Callable[[list[Any]], Any], str],
) -> None:
    build, engine = categorical
    spec = (
        "name: cat\n"
        "dimensions: [t, {name: shout, expr: 'upper(t)'}]\n"
        "measures: [{name: n, agg: count}]\n"
    )
    result = Report.from_yaml(spec).run(build([*VALUES, "ab"]), engine=engine)
    # Sorted as text, null last; 'ab' twice.
    assert_rows_equal(
        result,
        [
            (" 7", " 7", 1),
            ("12", "12", 1),
            ("Ab", "AB", 1),
            ("Cc", "CC", 1),
            ("ab", "AB", 2),
            ("ba", "BA", 1),
            (None, None, 1),
        ],
    )
    assert pa.types.is_string(result.to_arrow().schema.field("t").type)


# --- untyped, all-null columns ---------------------------------------------------------------


UNTYPED = {"t": [None, None, None], "x": [1, 2, 4]}


@pytest.mark.parametrize(
    ("filter_", "count"),
    [
        ("{field: t, op: eq, value: a}", 0),
        ("{field: t, op: ne, value: a}", 0),  # a comparison with null is false
        ("{field: t, op: ne, value: a, keep_nulls: true}", 3),
        ("{field: t, op: in, value: [a, b]}", 0),
        ("{field: t, op: not_in, value: [a]}", 0),
        ("{field: t, op: contains, value: a}", 0),
        ("{field: t, op: lt, value: a}", 0),
        ("{field: t, op: is_null}", 3),
        ("{field: t, op: not_null}", 0),
        ("{expr: \"lower(t) == 'a'\"}", 0),
        ("{expr: \"coalesce(t, 'none') == 'none'\"}", 3),
    ],
)
def test_an_all_null_column_can_be_filtered(constructor: Any, filter_: str, count: int) -> None:
    frame = constructor(UNTYPED, {"t": pa.null()})
    spec = f"name: nulls\nfilters: [{filter_}]\nmeasures: [{{name: n, agg: count}}]\n"
    # Before: "'a' cannot be compared with 't', which is other".
    assert_rows_equal(Report.from_yaml(spec).run(frame), [{"n": count}])


def test_an_all_null_column_is_a_text_dimension(constructor: Any) -> None:
    frame = constructor(UNTYPED, {"t": pa.null()})
    spec = (
        "name: nulls\n"
        "dimensions: [t, {name: label, expr: \"coalesce(t, 'none')\"}]\n"
        "measures:\n"
        "  - {name: n, agg: count}\n"
        "  - {name: distinct, agg: count_distinct, field: t}\n"
        "  - {name: first, agg: min, field: t}\n"
        "  - {name: s, agg: sum, field: x}\n"
    )
    result = Report.from_yaml(spec).run(frame)
    # One null group of three rows; no distinct value; 1 + 2 + 4 = 7.
    assert_rows_equal(result, [(None, "none", 3, 0, None, 7)])
    assert pa.types.is_string(result.to_arrow().schema.field("t").type)


def test_a_pandas_object_column_of_none_is_text() -> None:
    import pandas as pd

    frame = pd.DataFrame({"t": pd.Series([None, None], dtype=object), "x": [1, 2]})
    spec = (
        "name: nulls\nfilters: [{field: t, op: ne, value: a, keep_nulls: true}]\n"
        "dimensions: [t]\nmeasures: [{name: n, agg: count}]\n"
    )
    rows = frame_to_rows(Report.from_yaml(spec).run(frame))
    assert rows == [{"t": None, "n": 2}]
