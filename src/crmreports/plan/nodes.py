"""Logical plan nodes: small frozen records, read top to bottom, one relational step each.

The plan keeps to the subset of operations that every backend runs identically (measured, see
ARCHITECTURE.md): derive row values first, then only elementary aggregations, then finishing
arithmetic on the aggregates, then sort and limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from crmreports.resolve import DataType, Predicate, SortOrder
from crmreports.spec import Grain


@dataclass(frozen=True)
class ScanNode:
    source: str


@dataclass(frozen=True)
class FilterNode:
    predicates: tuple[Predicate, ...]  # all must hold


@dataclass(frozen=True)
class TimeBucket:
    """`field` truncated to the start of its `grain` period, keeping a date a date."""

    name: str
    field: str
    grain: Grain
    dtype: DataType


@dataclass(frozen=True)
class CopyColumn:
    name: str
    field: str
    as_text: bool = False  # cast categoricals to plain strings


@dataclass(frozen=True)
class NullFlag:
    """1 where `field` is null, else 0: lets count_distinct leave nulls out on every backend."""

    name: str
    field: str


@dataclass(frozen=True)
class AsInteger:
    """A boolean as 0/1, so it can be summed or averaged (the share of true)."""

    name: str
    field: str


Derived = TimeBucket | CopyColumn | NullFlag | AsInteger


@dataclass(frozen=True)
class DeriveNode:
    columns: tuple[Derived, ...]


AggFunction = Literal["len", "count", "n_unique", "sum", "mean", "min", "max", "median"]


@dataclass(frozen=True)
class Aggregation:
    name: str
    function: AggFunction
    column: str | None  # None only for `len`


@dataclass(frozen=True)
class AggregateNode:
    keys: tuple[str, ...]  # empty: one row over all input rows
    aggregations: tuple[Aggregation, ...]


@dataclass(frozen=True)
class OutputColumn:
    """A result column: an aggregate (or key) renamed and cast to its declared type.

    With `minus`, the value is `column - minus` (distinct count less one when nulls were seen).
    """

    name: str
    column: str
    dtype: DataType
    minus: str | None = None


@dataclass(frozen=True)
class FinalizeNode:
    outputs: tuple[OutputColumn, ...]


@dataclass(frozen=True)
class SortNode:
    keys: tuple[SortOrder, ...]  # nulls always last


@dataclass(frozen=True)
class LimitNode:
    n: int


PlanNode = ScanNode | FilterNode | DeriveNode | AggregateNode | FinalizeNode | SortNode | LimitNode


@dataclass(frozen=True)
class Plan:
    nodes: tuple[PlanNode, ...]
    columns: tuple[str, ...]

    @property
    def source(self) -> str:
        scan = self.nodes[0]
        assert isinstance(scan, ScanNode)
        return scan.source

    def explain(self) -> str:
        from crmreports.plan.explain import explain

        return explain(self)
