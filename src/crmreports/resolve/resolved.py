"""The resolved report: every name bound to a column and a type, every default decided.

Frozen dataclasses; the planner reads only these, never the raw spec.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from crmreports.resolve.types import DataType
from crmreports.spec import Format, Grain, ReportSpec

FilterValue = str | int | float | bool | dt.date | dt.datetime


@dataclass(frozen=True)
class ResolvedDimension:
    name: str
    field: str
    dtype: DataType  # of the result column (a bucketed date stays a date)
    grain: Grain | None
    label: str

    @property
    def is_time(self) -> bool:
        return self.dtype.is_temporal


@dataclass(frozen=True)
class ResolvedMeasure:
    name: str
    agg: str  # count, count_distinct, sum, avg, min, max, median
    field: str | None
    input_dtype: DataType | None
    dtype: DataType  # of the result column
    format: Format
    label: str


# --- predicates: the filter tree with values converted to the column's type ---------------


@dataclass(frozen=True)
class Comparison:
    field: str
    op: Literal["eq", "ne", "lt", "le", "gt", "ge"]
    value: FilterValue
    keep_nulls: bool


@dataclass(frozen=True)
class Membership:
    field: str
    values: tuple[FilterValue, ...]
    negate: bool
    keep_nulls: bool


@dataclass(frozen=True)
class Between:
    field: str
    low: FilterValue
    high: FilterValue
    keep_nulls: bool


@dataclass(frozen=True)
class NullTest:
    field: str
    is_null: bool


@dataclass(frozen=True)
class Contains:
    field: str
    value: str
    ignore_case: bool


@dataclass(frozen=True)
class AnyOfPredicate:
    children: tuple[Predicate, ...]


Predicate = Comparison | Membership | Between | NullTest | Contains | AnyOfPredicate


@dataclass(frozen=True)
class ResolvedVisual:
    kind: Literal["line", "bar", "table"]
    x: str | None = None
    y: str | None = None
    color: str | None = None
    horizontal: bool = False
    stack: bool = True
    columns: tuple[str, ...] = ()
    title: str | None = None


@dataclass(frozen=True)
class SortOrder:
    name: str
    desc: bool


@dataclass(frozen=True)
class ResolvedReport:
    spec: ReportSpec
    source: str
    dimensions: tuple[ResolvedDimension, ...]
    measures: tuple[ResolvedMeasure, ...]
    filters: tuple[Predicate, ...]  # AND-ed
    sort: tuple[SortOrder, ...]  # spec keys, then the remaining dimensions as tie-breakers
    limit: int | None
    visual: ResolvedVisual
    source_columns: tuple[str, ...] = ()  # every column of the source, for collision checks

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.dimensions) + tuple(m.name for m in self.measures)

    def label_of(self, name: str) -> str:
        for item in (*self.dimensions, *self.measures):
            if item.name == name:
                return item.label
        return name
