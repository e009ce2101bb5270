"""Turn a resolved report into a logical plan.

Internal column names start with `__` so a derived bucket never shadows a source column that a
measure still reads (bucketing `order_date` must not change `max(order_date)`).
"""

from __future__ import annotations

from crmreports.plan.nodes import (
    AggFunction,
    AggregateNode,
    Aggregation,
    AsInteger,
    CopyColumn,
    Derived,
    DeriveNode,
    FilterNode,
    FinalizeNode,
    LimitNode,
    NullFlag,
    OutputColumn,
    Plan,
    PlanNode,
    ScanNode,
    SortNode,
    TimeBucket,
)
from crmreports.resolve import DataType, ResolvedMeasure, ResolvedReport

_FUNCTION: dict[str, AggFunction] = {
    "count_distinct": "n_unique",
    "sum": "sum",
    "avg": "mean",
    "min": "min",
    "max": "max",
    "median": "median",
}


def internal_prefix(columns: tuple[str, ...]) -> str:
    """A prefix no source column starts with, so internal columns never shadow real ones.

    >>> internal_prefix(("amount", "__d0"))
    '___'
    """
    prefix = "__"
    while any(c.startswith(prefix) for c in columns):
        prefix += "_"
    return prefix


def build_plan(report: ResolvedReport) -> Plan:
    nodes: list[PlanNode] = [ScanNode(report.source)]
    p = internal_prefix(report.source_columns)
    if report.filters:
        nodes.append(FilterNode(report.filters))

    derived: list[Derived] = []
    keys: list[str] = []
    outputs: list[OutputColumn] = []
    for i, dim in enumerate(report.dimensions):
        key = f"{p}d{i}"
        if dim.grain is not None:
            derived.append(TimeBucket(key, dim.field, dim.grain, dim.dtype))
        else:
            # Categoricals become plain text: they then sort and compare alike on every backend.
            derived.append(CopyColumn(key, dim.field, as_text=dim.dtype is DataType.STRING))
        keys.append(key)
        outputs.append(OutputColumn(dim.name, key, dim.dtype))

    aggregations: list[Aggregation] = []
    for i, measure in enumerate(report.measures):
        column = f"{p}m{i}"
        agg, extra = _aggregation(measure, column, derived)
        aggregations.append(agg)
        if extra is not None:
            aggregations.append(extra)
        outputs.append(
            OutputColumn(measure.name, column, measure.dtype, extra.name if extra else None)
        )

    if derived:
        nodes.append(DeriveNode(tuple(derived)))
    nodes.append(AggregateNode(tuple(keys), tuple(aggregations)))
    nodes.append(FinalizeNode(tuple(outputs)))
    if report.sort:
        nodes.append(SortNode(report.sort))
    if report.limit is not None:
        nodes.append(LimitNode(report.limit))
    return Plan(tuple(nodes), report.columns)


def _aggregation(
    measure: ResolvedMeasure, column: str, derived: list[Derived]
) -> tuple[Aggregation, Aggregation | None]:
    if measure.agg == "count":
        if measure.field is None:
            return Aggregation(column, "len", None), None
        return Aggregation(column, "count", measure.field), None
    field = measure.field
    assert field is not None, "the resolver guarantees a field for every agg but count"
    if measure.input_dtype is DataType.BOOLEAN and measure.agg in {"sum", "avg"}:
        as_int = f"{column}_int"
        derived.append(AsInteger(as_int, field))
        field = as_int
    if measure.agg == "count_distinct":
        # Backends count null as one more distinct value; SQL's COUNT(DISTINCT) does not.
        # Subtract one exactly when the group saw a null (max of a 0/1 flag).
        flag = f"{column}_null"
        derived.append(NullFlag(flag, field))
        return (
            Aggregation(column, "n_unique", field),
            Aggregation(f"{column}_has_null", "max", flag),
        )
    return Aggregation(column, _FUNCTION[measure.agg], field), None
