"""Traps in how the caller's data is read: key types, NaN, category order, names in case.

Each test states the wrong number a careless engine gives.
"""

from __future__ import annotations

import math
from typing import Any

import pyarrow as pa
import pytest

from crmreports import DataError, Report, SpecError
from tests.helpers import assert_rows_equal

LOOKUP = (
    "name: trap\nsource: orders\nrelationships: [{to: customers, key: customer_id}]\n"
    "dimensions: [customers.region]\nmeasures: [{name: revenue, agg: sum, field: amount}]\n"
)


def test_text_keys_are_not_cast_to_match_numbers(constructor: Any) -> None:
    frames = {
        "orders": constructor({"customer_id": [1, 2], "amount": [10.0, 20.0]}),
        "customers": constructor({"customer_id": ["1", "01", " 1"], "region": ["a", "b", "c"]}),
    }
    # Careless (DuckDB casts the text to 1, 1, 1): order 1 in a, b and c, revenue 50 not 30.
    with pytest.raises(SpecError) as info:
        Report.from_yaml(LOOKUP).run(frames)
    assert info.value.codes == ["key-type"]


def test_null_keys_match_nothing(constructor: Any) -> None:
    frames = {
        "orders": constructor({"customer_id": [1, None], "amount": [10.0, 20.0]}),
        "customers": constructor({"customer_id": [1, None, None], "region": ["a", "b", "c"]}),
    }
    # Careless (null = null): the 20.0 order lands in b and c, 40.0 for one order.
    assert_rows_equal(Report.from_yaml(LOOKUP).run(frames), [("a", 10.0), ("unknown", 20.0)])


def test_keys_equal_only_as_floats_are_refused(constructor: Any) -> None:
    big = 2**53
    frames = {
        "orders": constructor({"customer_id": [float(big)], "amount": [5.0]}),
        "customers": constructor({"customer_id": [big, big + 1], "region": ["a", "b"]}),
    }
    # Careless (uniqueness checked on the integers, the join on floats): 10.0 for one order.
    with pytest.raises(DataError, match="needs a unique key"):
        Report.from_yaml(LOOKUP).run(frames)


def test_nan_is_not_the_largest_value(constructor: Any) -> None:
    frame = constructor({"x": [1.0, math.nan, 3.0]}, {"x": pa.float64()})
    spec = (
        "name: trap\n"
        "measures: [{name: top, agg: max, field: x}, {name: mean, agg: avg, field: x}]\n"
    )
    # Careless: DuckDB's max is NaN (NaN sorts above every number); avg is NaN everywhere
    # but pandas. Read as null: max 3.0, avg (1 + 3) / 2 = 2.0.
    assert_rows_equal(Report.from_yaml(spec).run(frame), [{"top": 3.0, "mean": 2.0}])


def test_enum_values_compare_as_text_not_by_category_order() -> None:
    import polars as pl

    frame = pl.DataFrame({"t": pl.Series(["a", "b", "c"], dtype=pl.Enum(["c", "b", "a"]))})
    spec = (
        "name: trap\nfilters: [{field: t, op: lt, value: b}]\nmeasures: [{name: n, agg: count}]\n"
    )
    # Careless (the Enum's order c < b < a): c passes, not a. As text, only 'a' < 'b'.
    result = Report.from_yaml(spec).run(frame)
    assert_rows_equal(result, [{"n": 1}])
    spec = "name: trap\nmeasures: [{name: first, agg: min, field: t}]\n"
    assert_rows_equal(Report.from_yaml(spec).run(frame), [{"first": "a"}])  # careless: 'c'


def test_result_names_differing_in_case_do_not_lose_a_column() -> None:
    import pandas as pd

    frame = pd.DataFrame({"Amount": ["x", "y"], "amount": [1.0, 2.0]})
    spec = "name: trap\ndimensions: [Amount]\nmeasures: [{name: amount, agg: sum, field: amount}]\n"
    # Careless: DuckDB takes `Amount` and `amount` for one column; the result silently had
    # only the dimension, the measure gone.
    with pytest.raises(SpecError) as info:
        Report.from_yaml(spec).run(frame)
    assert info.value.codes == ["duplicate-name"]
