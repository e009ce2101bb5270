"""The resolved report: every name bound to a column and a type, every default decided,
parameters substituted, relative dates turned into fixed ranges.

Frozen dataclasses; the planner reads only these, never the raw spec. Row values are formula
trees (`spec.formula` nodes): a plain column is `Ref(column)`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from crmreports.resolve.calendar import Calendar
from crmreports.resolve.measures import MeasureGraph

# re-exported: the measure types moved to resolve/measures.py
from crmreports.resolve.measures import ResolvedMeasure as ResolvedMeasure
from crmreports.resolve.predicates import FilterValue, NamedPredicate, Predicate
from crmreports.resolve.relationships import ResolvedJoin
from crmreports.resolve.types import DataType

# The visual types live in visuals.py; re-exported here (`X as X`) for code importing them
# from this module.
from crmreports.resolve.visuals import HighlightRule as HighlightRule
from crmreports.resolve.visuals import ResolvedVisual
from crmreports.resolve.visuals import VisualKind as VisualKind
from crmreports.spec import DatePart, Grain, ReportSpec
from crmreports.spec.formula import Node

# --- dimensions --------------------------------------------------------------------------


@dataclass(frozen=True)
class BinsTransform:
    bounds: tuple[float | None, ...]  # exclusive upper bound of each tier; None = no bound
    labels: tuple[str, ...]


@dataclass(frozen=True)
class GroupsTransform:
    groups: tuple[tuple[str, tuple[FilterValue, ...]], ...]
    unmatched: Literal["keep", "null", "other"]
    other_label: str


@dataclass(frozen=True)
class TopTransform:
    n: int
    by: str  # an aggregate measure's name
    other_label: str
    bottom: bool


@dataclass(frozen=True)
class ResolvedDimension:
    name: str
    label: str
    value: Node  # the row value before any transform (a column or a formula)
    input_dtype: DataType
    dtype: DataType  # of the result column
    grain: Grain | None = None
    part: DatePart | None = None
    bins: BinsTransform | None = None
    groups: GroupsTransform | None = None
    top: TopTransform | None = None
    fill_gaps: bool = False

    @property
    def is_time(self) -> bool:
        return self.grain is not None or (
            self.dtype.is_temporal and self.part is None and self.bins is None
        )

    @property
    def ordered_by_index(self) -> bool:
        """Tiers sort in their declared order, not alphabetically."""
        return self.bins is not None


# --- the report ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SortOrder:
    name: str
    desc: bool


@dataclass(frozen=True)
class TimeSettings:
    calendar: Calendar = field(default_factory=Calendar)
    timezone: str = "UTC"  # tz-aware timestamps are converted to this zone's wall time
    as_of: dt.date = field(default_factory=dt.date.today)


@dataclass(frozen=True)
class ResolvedReport:
    spec: ReportSpec
    source: str
    dimensions: tuple[ResolvedDimension, ...]
    measures: tuple[ResolvedMeasure, ...]
    graph: MeasureGraph  # which measures each one reads, built once from `measures`
    filters: tuple[NamedPredicate, ...]  # AND-ed
    having: tuple[Predicate, ...]
    sort: tuple[SortOrder, ...]  # spec keys, then the remaining dimensions as tie-breakers
    limit: int | None
    visual: ResolvedVisual
    time: TimeSettings = field(default_factory=TimeSettings)
    totals: bool = False
    subtotals: tuple[str, ...] = ()
    source_columns: tuple[str, ...] = ()  # every column of the source, for collision checks
    column_types: tuple[tuple[str, DataType], ...] = ()
    notes: tuple[str, ...] = ()
    joins: tuple[ResolvedJoin, ...] = ()  # lookups, each after the one it starts from
    # (measure, sentence): what a measure's numbers do not cover (a target the report's filters
    # do not restrict); a chart drawing the measure carries it in its caption, besides the notes
    caveats: tuple[tuple[str, str], ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        names = tuple(d.name for d in self.dimensions) + tuple(m.name for m in self.measures)
        # row_type on totals; row_level (plan.build.ROW_LEVEL) with subtotals, where a null
        # dimension may be a real null or the span of a subtotal
        if self.subtotals:
            return (*names, "row_type", "row_level")
        return (*names, "row_type") if self.totals else names

    @property
    def has_totals(self) -> bool:
        return self.totals or bool(self.subtotals)

    @property
    def time_dimension(self) -> ResolvedDimension | None:
        return next((d for d in self.dimensions if d.grain is not None), None)

    def measure(self, name: str) -> ResolvedMeasure:
        return next(m for m in self.measures if m.name == name)

    def label_of(self, name: str) -> str:
        for item in (*self.dimensions, *self.measures):
            if item.name == name:
                return item.label
        return name.replace("_", " ").capitalize()
