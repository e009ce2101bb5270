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
from crmreports.resolve.predicates import FilterValue
from crmreports.resolve.relationships import ResolvedJoin
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


# --- the calendar a time axis covers --------------------------------------------------------

Fill = Literal["zero", "null"]


@dataclass(frozen=True)
class SpanRef:
    """Where to read a source's covered span: its first and last period with any row, whatever
    the report's filters. A period outside it has no data (null); a period inside it without
    rows is empty (a count or sum of 0).

    `query` has one row with columns `first` and `last`; with `column`, the span is that
    column's min and max in `query`'s result (the main query, when it reads every row).
    """

    query: str
    column: str | None = None


@dataclass(frozen=True)
class EmptyValue:
    """What an aggregate reads in a period without rows: `fill` ("zero" for counts and sums)
    inside the covered span of its source (`span`), null outside it."""

    name: str
    fill: Fill
    span: SpanRef | None  # None: no time axis, the fill always applies


# --- post steps: on the aggregated results, run by DuckDB ------------------------------


@dataclass(frozen=True)
class GapFill:
    """Add the missing periods of `time` (and every combination of `others` seen), each
    aggregate reading its empty value there."""

    time: str
    grain: Grain
    calendar: Calendar
    others: tuple[str, ...]
    fills: tuple[EmptyValue, ...]
    start: FilterValue | None  # from a time filter, else the data's first period
    end: FilterValue | None  # exclusive; else the data's last period


@dataclass(frozen=True)
class WindowBase:
    """The rows a window over time reads: the aggregates of `query` (the report's own result,
    "main", or one over a wider time range), the other sources' measures joined in
    (`across`), the wanted periods completed with each aggregate's empty value (`fills`),
    then the formulas and windows that derive the measure from them (`derive`)."""

    query: str
    keys: tuple[str, ...]  # every dimension, the time dimension included
    across: tuple[AcrossStep, ...]
    fills: tuple[EmptyValue, ...]
    derive: tuple[PostStep, ...]


@dataclass(frozen=True)
class FormulaStep:
    name: str
    node: Node
    dtype: DataType


@dataclass(frozen=True)
class RunningStep:
    """Cumulative `of` along `time` per `partition`, from the source's first period (or the
    start of each `reset` period), read from `base`, whatever the report's time filter shows;
    null at a period outside the covered span (`span`)."""

    name: str
    of: str
    time: str
    partition: tuple[str, ...]
    reset: str  # none or a calendar unit
    calendar: Calendar
    base: WindowBase
    span: SpanRef


@dataclass(frozen=True)
class RollingStep:
    """`agg` of `of` over the `periods` calendar periods ending at each row, read from `base`
    (whose time range reaches `periods - 1` periods before the first row shown). Periods
    inside the covered span without rows are empty; outside it they have no data."""

    name: str
    of: str
    time: str
    partition: tuple[str, ...]
    periods: int
    agg: str
    grain: Grain
    calendar: Calendar
    base: WindowBase
    span: SpanRef


@dataclass(frozen=True)
class RollingDistinctStep:
    """The distinct values of `of` over the `periods` calendar periods ending at each row,
    counted from `query`'s rows (one per key combination and value, the time range reaching
    `periods - 1` periods before the first row shown, the value null where `of`'s own filter
    fails). A window inside the covered span without values counts 0 (null with
    `fill` "null"); one with no period inside the span is null."""

    name: str
    of: str
    time: str
    partition: tuple[str, ...]
    periods: int
    grain: Grain
    calendar: Calendar
    query: str
    value: str  # the column of `query` holding the values counted
    span: SpanRef
    fill: Fill


@dataclass(frozen=True)
class CompareStep:
    """`of` at the period `offset` earlier, read from `base` (the report's time range moved
    back by the offset): an earlier period inside the covered span without rows is empty,
    one outside it has no data."""

    name: str
    of: str
    time: str
    keys: tuple[str, ...]  # every dimension, time included
    offset: str  # narwhals offset, e.g. "1mo"
    show: str
    dtype: DataType
    base: WindowBase
    span: SpanRef


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
    rows (inside the covered span of the report's source, `span` on `time`; null outside)."""

    query: str
    keys: tuple[str, ...]
    zero_fill: tuple[str, ...]
    time: str | None = None
    span: SpanRef | None = None


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
    AcrossStep | GapFill | FormulaStep | PacingStep | RunningStep | RollingStep
    | RollingDistinctStep | CompareStep | ShareStep | RankStep | TotalsStep | HavingStep
    | SortStep | LimitStep
)  # fmt: skip
