"""Run one aggregation query on a bound source, on the caller's own backend."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import narwhals as nw
import pyarrow as pa

from crmreports.execute.inputs import BoundSource, InputKind
from crmreports.execute.rows import RowCompiler
from crmreports.plan import AggQuery, Aggregation
from crmreports.resolve import DataType

_NW_TYPE = {DataType.INTEGER: nw.Int64, DataType.FLOAT: nw.Float64}
_POLARS = (InputKind.POLARS, InputKind.POLARS_LAZY)


def run_query(
    query: AggQuery, source: BoundSource, members: Mapping[str, Sequence[Any]]
) -> pa.Table:
    return compile_query(query, source, members).collect().to_arrow()


def compile_query(
    query: AggQuery, source: BoundSource, members: Mapping[str, Sequence[Any]]
) -> nw.LazyFrame[Any]:
    frame: nw.LazyFrame[Any] = _localized(source, query.timezone)
    rows = RowCompiler(source.schema, query.timezone, members)
    for predicate in query.filters:
        frame = frame.filter(rows.predicate(predicate))
    # One derived column at a time: later ones may read earlier ones (bucket of a formula).
    for d in query.derived:
        frame = frame.with_columns(*rows.derived_many(d))
    aggregations = [_aggregation(a) for a in query.aggregations]
    if query.keys:
        frame = frame.group_by(*query.keys, drop_null_keys=False).agg(*aggregations)
    else:
        frame = frame.select(*aggregations)
    outputs = []
    for out in query.outputs:
        expr = nw.col(out.column)
        if out.minus is not None:
            # Over no rows both parts are null (narwhals' n_unique adds a max() on DuckDB);
            # no rows means no distinct values and no null seen: 0 - 0.
            expr = expr.fill_null(0) - nw.col(out.minus).fill_null(0)
        target = _NW_TYPE.get(out.dtype)
        if target is not None:
            expr = expr.cast(target)
        outputs.append(expr.alias(out.name))
    return frame.select(*outputs)


def _localized(source: BoundSource, timezone: str) -> nw.LazyFrame[Any]:
    """Timezone-aware columns as wall-clock time in the report's zone, so filters, buckets and
    formulas all see one clock. DuckDB converts with its session zone (set per run); polars
    is told the zone explicitly."""
    aware = [c for c, zone in source.time_zones.items() if zone]
    if not aware:
        return source.frame
    if source.kind in _POLARS:
        exprs = [nw.col(c).dt.convert_time_zone(timezone).dt.replace_time_zone(None) for c in aware]
    else:
        exprs = [nw.col(c).cast(nw.Datetime("us")) for c in aware]
    return source.frame.with_columns(*exprs)


def _aggregation(a: Aggregation) -> nw.Expr:
    if a.function == "len":
        return nw.len().alias(a.name)
    col = nw.col(a.column or "")
    if a.function == "quantile":
        assert a.p is not None
        return col.quantile(a.p, "linear").alias(a.name)
    if a.function == "std":
        return col.std(ddof=1).alias(a.name)
    fn = {
        "count": col.count,
        "n_unique": col.n_unique,
        "sum": col.sum,
        "mean": col.mean,
        "min": col.min,
        "max": col.max,
        "median": col.median,
    }[a.function]
    return fn().alias(a.name)
