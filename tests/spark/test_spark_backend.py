"""The same specs give the same numbers on Spark (local mode) as the naive reference.

Spark runs the aggregation queries; the steps after aggregation run on DuckDB as for every
input. Behind the `spark` marker: a JVM start costs ~10 s, so CI runs it deliberately.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from crmreports import Report
from tests import reference
from tests.helpers import assert_rows_equal, frame_to_rows
from tests.test_run import RANDOM_SCHEMA, RANDOM_SPECS, random_rows

pytestmark = pytest.mark.spark


def spark_frame(spark: Any, rows: list[dict[str, Any]], schema: dict[str, pa.DataType]) -> Any:
    """Rows -> Spark through Arrow, keeping dates as dates and nulls typed."""
    table = pa.table({n: pa.array([r[n] for r in rows], t) for n, t in schema.items()})
    return spark.createDataFrame(table.to_pandas(types_mapper=None))


@pytest.mark.parametrize("spec_name", list(RANDOM_SPECS))
def test_random_fixture_matches_reference_on_spark(spark: Any, spec_name: str) -> None:
    rows = random_rows()
    spec = RANDOM_SPECS[spec_name]
    result = Report.from_dict({"name": "spark", **spec}).run(
        spark_frame(spark, rows, RANDOM_SCHEMA)
    )
    assert_rows_equal(frame_to_rows(result), reference.compute(rows, spec))


def test_language_features_match_pandas_on_spark(spark: Any) -> None:
    """Windows, comparisons, shares, top-N and totals: Spark and pandas input agree."""
    rows = random_rows(seed=11, n=200)
    spec = {
        "name": "spark_language",
        "dimensions": [
            {"field": "order_date", "grain": "month", "name": "month"},
            {"field": "channel", "top": {"n": 2, "by": "revenue"}},
        ],
        "measures": [
            {"name": "revenue", "agg": "sum", "field": "amount"},
            {"name": "customers", "agg": "count_distinct", "field": "customer"},
            {"name": "p90", "agg": "percentile", "p": 0.9, "field": "amount"},
            {"name": "wins", "agg": "count", "filter": {"field": "won", "op": "eq", "value": True}},
            {"name": "win_share", "formula": "wins / customers"},
            {"name": "running", "of": "revenue", "running": {"reset": "year"}},
            {"name": "prev", "of": "revenue", "compare": {"show": "value"}},
            {"name": "share", "of": "customers", "share_of": {"within": ["month"]}},
        ],
        "totals": True,
    }
    report = Report.from_dict(spec)
    on_spark = report.run(spark_frame(spark, rows, RANDOM_SCHEMA))
    table = pa.table({n: pa.array([r[n] for r in rows], t) for n, t in RANDOM_SCHEMA.items()})
    on_pandas = report.run(table.to_pandas())
    assert_rows_equal(frame_to_rows(on_spark), frame_to_rows(on_pandas))


# Built-in reports with rollups (per customer, then over customers) and lookups into them: the
# rollup runs on Spark, its small result joins the report on our DuckDB.
BUILTINS = [
    ("sales.performance", "main"),
    ("sales.purchase_behaviour", "main"),
    ("customers.value", "main"),
    ("customers.loyalty", "main"),
    ("customers.churn", "retention"),
]


@pytest.mark.parametrize(("name", "view"), BUILTINS, ids=[f"{n}/{v}" for n, v in BUILTINS])
def test_builtin_reports_match_pandas_on_spark(spark: Any, name: str, view: str) -> None:
    from crmreports import builtin
    from crmreports.datasets import generate

    orders = generate(seed=3, size=800).orders
    report = builtin.get(name, view=view)
    on_pandas = report.run({"orders": orders}, as_of="2024-12-31")
    on_spark = report.run({"orders": spark.createDataFrame(orders)}, as_of="2024-12-31")
    assert_rows_equal(frame_to_rows(on_spark), frame_to_rows(on_pandas))


def _spark_from_columns(spark: Any, data: dict[str, list[Any]], schema: dict[str, Any]) -> Any:
    """Spark frame with the Arrow schema's types, also when a column is all null."""
    from pyspark.sql import types as T

    spark_types = {
        pa.string(): T.StringType(), pa.float64(): T.DoubleType(), pa.int64(): T.LongType(),
        pa.date32(): T.DateType(), pa.bool_(): T.BooleanType(),
    }  # fmt: skip
    struct = T.StructType([T.StructField(n, spark_types[t], True) for n, t in schema.items()])
    rows = list(zip(*(data[n] for n in schema), strict=True))
    return spark.createDataFrame(rows, struct)


def test_differential_property_holds_on_spark(spark: Any) -> None:
    """The randomized differential suite (nulls, empty groups, ties, unicode categories) on
    Spark: every generated table gives pandas' result on Spark too."""
    from hypothesis import given, settings

    from tests.test_measures_properties import RICH_SPEC, SCHEMA, columns, dated_orders, run

    @settings(max_examples=20, deadline=None)
    @given(rows=dated_orders)
    def check(rows: list[dict[str, Any]]) -> None:
        data = columns(rows)
        on_pandas = frame_to_rows(
            run(RICH_SPEC, pa.table(data, schema=pa.schema(SCHEMA)).to_pandas())
        )
        on_spark = run(RICH_SPEC, _spark_from_columns(spark, data, SCHEMA))
        assert_rows_equal(on_spark, on_pandas, rel=1e-9)

    check()
