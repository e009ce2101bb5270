"""Logical plans: frozen nodes built from a resolved report, printable with `explain()`."""

from crmreports.plan.build import build_plan
from crmreports.plan.explain import describe_predicate, explain
from crmreports.plan.nodes import (
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

__all__ = [
    "AggregateNode",
    "Aggregation",
    "AsInteger",
    "CopyColumn",
    "DeriveNode",
    "Derived",
    "FilterNode",
    "FinalizeNode",
    "LimitNode",
    "NullFlag",
    "OutputColumn",
    "Plan",
    "PlanNode",
    "ScanNode",
    "SortNode",
    "TimeBucket",
    "build_plan",
    "describe_predicate",
    "explain",
]
