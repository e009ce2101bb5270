"""NaN in a float column is null, on every backend, for every aggregate, filter, formula and
dimension: decided once when the data is bound.

pandas input always read NaN as null; Arrow, polars and DuckDB keep NaN as a value, which
DuckDB's `max` returned (NaN sorts above every number there) and every engine's `avg` spread.
Expected values come from the naive reference (tests/reference.py) run on the same rows with
NaN written as None, or from hand arithmetic.
"""

from __future__ import annotations

import math
from typing import Any

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import reference
from tests.helpers import assert_rows_equal, frame_to_rows, run

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SCHEMA = {"g": pa.string(), "x": pa.float64()}

# Quarter steps are exact in binary floating point: sums do not depend on the order of addition.
values = st.one_of(st.none(), st.just(math.nan), st.integers(-8, 40).map(lambda v: v / 4))
rows = st.lists(
    st.fixed_dictionaries({"g": st.sampled_from(["a", "b", None]), "x": values}), max_size=20
)
MEASURES = [
    {"name": "n", "agg": "count"},
    {"name": "values", "agg": "count", "field": "x"},
    {"name": "distinct", "agg": "count_distinct", "field": "x"},
    {"name": "total", "agg": "sum", "field": "x"},
    {"name": "mean", "agg": "avg", "field": "x"},
    {"name": "low", "agg": "min", "field": "x"},
    {"name": "high", "agg": "max", "field": "x"},
    {"name": "middle", "agg": "median", "field": "x"},
]
SPECS = [
    {"dimensions": ["g"], "measures": MEASURES},
    {"measures": MEASURES, "filters": [{"field": "x", "op": "gt", "value": 0}]},
    {
        "dimensions": ["g"],
        "measures": MEASURES,
        "filters": [{"field": "x", "op": "ne", "value": 1}],
    },
    {"measures": MEASURES[:2], "filters": [{"field": "x", "op": "is_null"}]},
    {"measures": MEASURES[:2], "filters": [{"field": "x", "op": "not_null"}]},
    {"measures": MEASURES, "filters": [{"field": "x", "op": "between", "value": [-1, 5]}]},
    {"dimensions": ["x"], "measures": MEASURES[:1]},
]


def as_null(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rule under test, applied to the reference's input: NaN is written None."""
    out = []
    for row in rows:
        x = row["x"]
        out.append({"g": row["g"], "x": None if x is not None and math.isnan(x) else x})
    return out


@SETTINGS
@given(data=rows, spec=st.sampled_from(SPECS))
def test_nan_agrees_with_null_on_every_backend(
    constructor: Any, data: list[dict[str, Any]], spec: dict[str, Any]
) -> None:
    frame = constructor({n: [r[n] for r in data] for n in SCHEMA}, SCHEMA)
    result = run(spec, frame)
    assert_rows_equal(frame_to_rows(result), reference.compute(as_null(data), spec))


X = {"x": [1.0, math.nan, 3.0, None], "g": ["a", "b", "a", "b"]}


def test_formulas_read_nan_as_null(constructor: Any) -> None:
    result = run(
        "measures:\n"
        "  - {name: doubled, agg: sum, expr: 'x * 2'}\n"
        "  - {name: filled, agg: sum, expr: 'coalesce(x, 10)'}\n"
        "  - {name: missing, agg: sum, expr: 'if(is_null(x), 1, 0)'}\n"
        "  - {name: big, agg: count, filter: {expr: 'x > 2'}}\n",
        constructor(X, SCHEMA),
    )
    # doubled: 2 + 6 = 8 (careless: NaN); filled: 1 + 10 + 3 + 10 = 24 (careless: NaN);
    # missing: NaN and None = 2 (careless: 1); big: only 3.0 = 1 (careless DuckDB: NaN > 2
    # holds, 2).
    assert_rows_equal(result, [{"doubled": 8.0, "filled": 24.0, "missing": 2, "big": 1}])


def test_a_nan_dimension_value_is_the_null_group(constructor: Any) -> None:
    result = run(
        "dimensions: [{name: bucket, expr: 'floor(x)'}]\nmeasures: [{name: n, agg: count}]\n",
        constructor(X, SCHEMA),
    )
    # 1.0 and 3.0 alone; NaN joins None in the one null group (careless: a NaN group too).
    assert_rows_equal(result, [(1.0, 1), (3.0, 1), (None, 2)])
