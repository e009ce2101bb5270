"""Run a plan on bound sources through narwhals' lazy API; return the caller's kind of frame."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import narwhals as nw
import pyarrow as pa

from crmreports.execute.expressions import derived_expr, predicate_expr
from crmreports.execute.inputs import BoundSource, InputKind
from crmreports.plan import (
    AggregateNode,
    Aggregation,
    DeriveNode,
    FilterNode,
    FinalizeNode,
    LimitNode,
    Plan,
    ScanNode,
    SortNode,
)
from crmreports.resolve import DataType

_NW_TYPE = {
    DataType.INTEGER: nw.Int64,
    DataType.FLOAT: nw.Float64,
}


@dataclass(frozen=True)
class ExecutedFrame:
    """The aggregated result as Arrow (small), plus the kind of frame the caller gave us."""

    table: pa.Table
    kind: InputKind

    def native(self) -> Any:
        """The result as the same kind of frame as the input (pandas in, pandas out)."""
        if self.kind in (InputKind.PANDAS, InputKind.FILE):
            return to_pandas(self.table)
        if self.kind in (InputKind.POLARS, InputKind.POLARS_LAZY):
            import polars as pl

            return pl.from_arrow(self.table)
        return self.table


def to_pandas(table: pa.Table) -> Any:
    return table.to_pandas()


def execute(plan: Plan, source: BoundSource) -> ExecutedFrame:
    frame = compile_plan(plan, source)
    result = frame.collect()
    table = result.to_arrow()
    return ExecutedFrame(table, source.kind)


def compile_plan(plan: Plan, source: BoundSource) -> nw.LazyFrame[Any]:
    frame: nw.LazyFrame[Any] = source.frame
    zones = source.time_zones
    for node in plan.nodes:
        if isinstance(node, ScanNode):
            continue
        if isinstance(node, FilterNode):
            for predicate in node.predicates:
                frame = frame.filter(predicate_expr(predicate, zones))
        elif isinstance(node, DeriveNode):
            frame = frame.with_columns(*(derived_expr(d, zones) for d in node.columns))
        elif isinstance(node, AggregateNode):
            aggs = [_aggregation(a) for a in node.aggregations]
            if node.keys:
                frame = frame.group_by(*node.keys, drop_null_keys=False).agg(*aggs)
            else:
                frame = frame.select(*aggs)
        elif isinstance(node, FinalizeNode):
            outputs = []
            for out in node.outputs:
                expr = nw.col(out.column)
                if out.minus is not None:
                    # Over no rows both parts are null (narwhals' n_unique adds a max() on
                    # DuckDB); no rows means no distinct values and no null seen: 0 - 0.
                    expr = expr.fill_null(0) - nw.col(out.minus).fill_null(0)
                target = _NW_TYPE.get(out.dtype)
                if target is not None:
                    expr = expr.cast(target)
                outputs.append(expr.alias(out.name))
            frame = frame.select(*outputs)
        elif isinstance(node, SortNode):
            frame = frame.sort(
                [k.name for k in node.keys],
                descending=[k.desc for k in node.keys],
                nulls_last=True,
            )
        elif isinstance(node, LimitNode):
            frame = frame.head(node.n)
        else:  # pragma: no cover
            raise AssertionError(node)
    return frame


def _aggregation(a: Aggregation) -> nw.Expr:
    if a.function == "len":
        return nw.len().alias(a.name)
    col = nw.col(a.column or "")
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
