"""How Spark input is bound: the same rules as every other backend.

Names differing only in case (Spark ignores case by default), NaN as null, an untyped
(NullType) column as text, lookups (whose `to.column` names once read as struct fields on
Spark) and their key types. Expected values are worked by hand.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from crmreports import DataError, Report, SpecError
from tests.helpers import assert_rows_equal

pytestmark = pytest.mark.spark

LOOKUP = (
    "name: keys\nsource: orders\nrelationships: [{to: customers, key: customer_id}]\n"
    "dimensions: [customers.region]\nmeasures: [{name: revenue, agg: sum, field: amount}]\n"
)


def test_names_differing_in_case_on_spark(spark: Any) -> None:
    frame = spark.createDataFrame(
        [("big", 1.0, "x"), ("small", 2.0, "y"), ("big", 4.0, "z")],
        "Amount string, amount double, Note string",
    )
    spec = (
        "name: case\n"
        "mapping: {data: {columns: {note: {expr: 'upper(Note)'}}}}\n"
        "filters: [{field: note, op: ne, value: Y}]\n"
        "dimensions: [Amount]\nmeasures: [{name: s, agg: sum, field: amount}]\n"
    )
    # big: 1 + 4 = 5; small (note Y) filtered out.
    assert_rows_equal(Report.from_yaml(spec).run(frame), [("big", 5.0)])


def test_nan_is_null_on_spark(spark: Any) -> None:
    frame = spark.createDataFrame([(1.0,), (math.nan,), (3.0,), (None,)], "x double")
    spec = (
        "name: nan\nmeasures:\n"
        "  - {name: top, agg: max, field: x}\n"
        "  - {name: mean, agg: avg, field: x}\n"
        "  - {name: values, agg: count, field: x}\n"
    )
    # Careless (Spark keeps NaN, the largest double there): max NaN, avg NaN, 3 values.
    assert_rows_equal(Report.from_yaml(spec).run(frame), [(3.0, 2.0, 2)])


def test_an_untyped_column_is_text_on_spark(spark: Any) -> None:
    from pyspark.sql.types import LongType, NullType, StructField, StructType

    schema = StructType([StructField("t", NullType()), StructField("x", LongType())])
    frame = spark.createDataFrame([(None, 1), (None, 2)], schema)
    spec = (
        "name: nulls\nfilters: [{field: t, op: ne, value: a, keep_nulls: true}]\n"
        "dimensions: [t]\n"
        "measures: [{name: n, agg: count}, {name: d, agg: count_distinct, field: t}]\n"
    )
    assert_rows_equal(Report.from_yaml(spec).run(frame), [(None, 2, 0)])


def test_lookups_and_their_key_types_on_spark(spark: Any) -> None:
    orders = spark.createDataFrame(
        [(1, 1.0), (2, 2.0), (3, 4.0), (None, 8.0)], "customer_id long, amount double"
    )
    customers = spark.createDataFrame(
        [(1.0, "north"), (2.0, "south"), (None, "x"), (None, "y")],
        "customer_id double, region string",
    )
    result = Report.from_yaml(LOOKUP).run({"orders": orders, "customers": customers})
    # 1 -> north, 2 -> south; 3 and the null key match nothing (nulls never match): 12.
    assert_rows_equal(result, [("north", 1.0), ("south", 2.0), ("unknown", 12.0)])

    texts = spark.createDataFrame([("1", "a"), ("01", "b")], "customer_id string, region string")
    with pytest.raises(SpecError) as info:
        Report.from_yaml(LOOKUP).run({"orders": orders, "customers": texts})
    assert info.value.codes == ["key-type"]

    mapping = "mapping: {customers: {columns: {customer_id: {expr: 'to_int(customer_id)'}}}}\n"
    # Careless (DuckDB's cast): order 1 counted in a and b.
    with pytest.raises(DataError, match="needs a unique key"):
        Report.from_yaml(LOOKUP + mapping).run({"orders": orders, "customers": texts})
