"""Logical plan: small frozen records.

A plan has three parts, run in order:

1. `pre`: small aggregations whose results shape the main query (the members a top-N keeps).
2. `queries`: aggregations over the caller's data, on the caller's backend (the main one first;
   the others recompute totals, share denominators and shifted periods from base rows).
   Each keeps to the subset every backend runs identically (ARCHITECTURE.md): derive row
   values first, then only elementary aggregations, then arithmetic on the aggregates.
3. `post`: steps over those small aggregated results (formulas, windows, joins, gap filling,
   totals, having, sort, limit), always run by DuckDB over Arrow so they are the same for every
   input backend.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from crmreports.resolve import Calendar, DataType, Predicate, SortOrder
from crmreports.resolve.relationships import ResolvedJoin
from crmreports.resolve.resolved import FilterValue
from crmreports.spec import DatePart, Grain
from crmreports.spec.formula import Node

# --- row-level values derived inside an aggregation query --------------------------------


@dataclass(frozen=True)
class RowValue:
    """A column or row formula, as a new column."""

    name: str
    node: Node


@dataclass(frozen=True)
class TimeBucket:
    """`input` truncated to the start of its `grain` period, keeping a date a date."""

    name: str
    input: str
    grain: Grain
    calendar: Calendar
    dtype: DataType


@dataclass(frozen=True)
class DatePartValue:
    name: str
    input: str
    part: DatePart
    calendar: Calendar


@dataclass(frozen=True)
class BinValue:
    """Tier label of a number (and, in `index`, the tier's position for sorting)."""

    name: str
    index: str
    input: str
    bounds: tuple[float | None, ...]
    labels: tuple[str, ...]


@dataclass(frozen=True)
class GroupValue:
    name: str
    input: str
    groups: tuple[tuple[str, tuple[FilterValue, ...]], ...]
    unmatched: Literal["keep", "null", "other"]
    other_label: str


@dataclass(frozen=True)
class TopValue:
    """The member itself when `pre` query `query` kept it, else `other_label`; `is_other` is
    1 for the rest (so it sorts last)."""

    name: str
    is_other: str
    input: str
    query: str
    other_label: str


@dataclass(frozen=True)
class NullFlag:
    """1 where `input` is null, else 0: lets count_distinct leave nulls out on every backend."""

    name: str
    input: str


@dataclass(frozen=True)
class AsInteger:
    """A boolean as 0/1, so it can be summed or averaged (the share of true)."""

    name: str
    input: str


@dataclass(frozen=True)
class Masked:
    """`input` where every predicate holds, else null (a filtered measure's own rows).
    With `input=None`, 1 where they hold, else 0 (a filtered count)."""

    name: str
    input: str | None
    predicates: tuple[Predicate, ...]


Derived = (
    RowValue | TimeBucket | DatePartValue | BinValue | GroupValue | TopValue | NullFlag
    | AsInteger | Masked
)  # fmt: skip

AggFunction = Literal[
    "len", "count", "n_unique", "sum", "mean", "min", "max", "median", "quantile", "std"
]


@dataclass(frozen=True)
class Aggregation:
    name: str
    function: AggFunction
    column: str | None  # None only for `len`
    p: float | None = None  # quantile


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
class AggQuery:
    """Scan a source, read aware timestamps in the report's zone, filter, derive, aggregate,
    rename."""

    name: str
    source: str
    timezone: str  # timezone-aware columns are read as wall-clock time in this zone first
    joins: tuple[ResolvedJoin, ...]  # many-to-one lookups, left-joined before filtering
    filters: tuple[Predicate, ...]
    derived: tuple[Derived, ...]
    keys: tuple[str, ...]  # empty: one row over all input rows
    aggregations: tuple[Aggregation, ...]
    outputs: tuple[OutputColumn, ...]
    # (looked-up source, output column): rows without a match, counted in the same pass for
    # the result's notes; with `rows`, the column counting all rows. Dropped after reading.
    unmatched: tuple[tuple[str, str], ...] = ()
    rows: str | None = None


@dataclass(frozen=True)
class TopQuery:
    """Rank members of a dimension by a measure; keep the first `n`. The rest are labelled
    `other_label`, unless a member is already called that (`plan.labels.distinct_label`)."""

    name: str
    query: AggQuery  # outputs: "member", "value"
    n: int
    bottom: bool
    dimension: str = ""  # the dimension's result name, for notes
    other_label: str = "Other"


# --- post steps: on the aggregated results, run by DuckDB ------------------------------


@dataclass(frozen=True)
class GapFill:
    """Add the missing periods of `time` (and every combination of `others` seen) with each
    measure's fill value; added rows carry `filler = 1`."""

    time: str
    grain: Grain
    calendar: Calendar
    others: tuple[str, ...]
    fills: tuple[tuple[str, Literal["zero", "null"]], ...]
    start: FilterValue | None  # from a time filter, else the data's first period
    end: FilterValue | None  # exclusive; else the data's last period


@dataclass(frozen=True)
class FormulaStep:
    name: str
    node: Node
    dtype: DataType


@dataclass(frozen=True)
class RunningStep:
    name: str
    of: str
    time: str
    partition: tuple[str, ...]
    reset: str  # none or a calendar unit
    calendar: Calendar


@dataclass(frozen=True)
class RollingStep:
    """Window over the last `periods` periods, computed on `query` (the main query, or one
    whose time filter reaches `periods - 1` periods further back), then joined in."""

    name: str
    of: str
    time: str
    partition: tuple[str, ...]
    periods: int
    agg: str
    query: str
    grain: Grain
    calendar: Calendar
    fill: Literal["zero", "null"]
    prepare: tuple[PostStep, ...] = ()  # computes `of` on `query` when `of` is no aggregate


@dataclass(frozen=True)
class CompareStep:
    """`of` from `query` (periods shifted back), moved forward by the offset and joined."""

    name: str
    of: str
    time: str
    keys: tuple[str, ...]  # every dimension, time included
    query: str
    offset: str  # narwhals offset, e.g. "1mo"
    show: str
    dtype: DataType
    fill: Literal["zero", "null"] | None  # with fill_gaps: complete the earlier axis first
    grain: Grain
    calendar: Calendar
    start: FilterValue | None
    end: FilterValue | None
    prepare: tuple[PostStep, ...] = ()  # computes `of` on `query` when `of` is no aggregate


@dataclass(frozen=True)
class ShareStep:
    """`of` divided by `query`'s total over `within` (recomputed from base rows)."""

    name: str
    of: str
    within: tuple[str, ...]
    query: str


@dataclass(frozen=True)
class RankStep:
    name: str
    of: str
    within: tuple[str, ...]
    desc: bool
    buckets: int | None = None


@dataclass(frozen=True)
class AcrossStep:
    """Measures of another source (targets), aggregated by `query` at the report's grain:
    every key combination found on either side, each side's measures joined in; the
    report's own counts, sums and distinct counts are 0 where only the other source has
    rows."""

    query: str
    keys: tuple[str, ...]
    zero_fill: tuple[str, ...]


@dataclass(frozen=True)
class PacingStep:
    """`of / (target * elapsed)`; elapsed = share of each period's days passed by `as_of`."""

    name: str
    of: str
    target: str
    time: str
    grain: Grain
    calendar: Calendar
    as_of: FilterValue


@dataclass(frozen=True)
class TotalsStep:
    """Rows from `query` (fewer keys) appended with `row_type`, and `row_level` = how many
    leading dimensions they are grouped by (`keys`); the dimensions they span are null.
    `across` queries (other sources at the same level) are joined in first."""

    query: str
    row_type: Literal["subtotal", "total"]
    formulas: tuple[FormulaStep, ...]
    keys: tuple[str, ...] = ()
    across: tuple[str, ...] = ()


@dataclass(frozen=True)
class HavingStep:
    predicates: tuple[Predicate, ...]


@dataclass(frozen=True)
class SortStep:
    keys: tuple[SortOrder, ...]  # nulls always last


@dataclass(frozen=True)
class LimitStep:
    n: int


PostStep = (
    AcrossStep | GapFill | FormulaStep | PacingStep | RunningStep | RollingStep | CompareStep
    | ShareStep | RankStep | TotalsStep | HavingStep | SortStep | LimitStep
)  # fmt: skip


@dataclass(frozen=True)
class Plan:
    pre: tuple[TopQuery, ...]
    queries: tuple[AggQuery, ...]  # queries[0] is the main one
    post: tuple[PostStep, ...]
    columns: tuple[str, ...]
    hidden: tuple[str, ...] = ()  # helper columns dropped at the end
    drop_fillers: bool = True  # rows added only for windows are removed at the end
    dimensions: tuple[str, ...] = ()  # the report's dimensions, in order (totals' row_level)

    @property
    def source(self) -> str:
        return self.queries[0].source

    def query(self, name: str) -> AggQuery:
        return next(q for q in self.queries if q.name == name)

    def explain(self) -> str:
        from crmreports.plan.explain import explain

        return explain(self)
