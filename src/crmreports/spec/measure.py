"""Measures: what a report computes per group.

Three families, told apart by their keys:

- **aggregates** (`agg`): an exact aggregation of a column (`field`) or of a row formula (`expr`),
  optionally over only the rows matching their own `filter`;
- **formulas** (`formula`): arithmetic over other measures of the same row, e.g.
  `won / (won + lost)`; a division by zero or null gives null;
- **window measures** (`of` plus one of `running`, `rolling`, `compare`, `share_of`, `rank`):
  a measure seen across rows: running totals, rolling windows, period-over-period comparisons,
  shares of a total (recomputed from base rows), ranks.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal, assert_never, get_args

from pydantic import BeforeValidator, Discriminator, Field, Tag

from crmreports.spec._base import FieldName, Name, SpecModel
from crmreports.spec.filters import Filter, filter_columns
from crmreports.spec.formula import parse_with_problems, references


class Format(StrEnum):
    """How a measure's values are shown in charts and tables."""

    NUMBER = "number"
    INTEGER = "integer"
    CURRENCY = "currency"
    PERCENT = "percent"
    COMPACT = "compact"
    DURATION = "duration"


def _one_or_many(value: Any) -> Any:
    # `filter: {field: stage, op: eq, value: won}` is accepted for a one-item list.
    return [value] if isinstance(value, dict) else value


def _allow_single_item(schema: dict[str, Any]) -> None:
    """JSON Schema: a list of filters, or one filter on its own."""
    items = schema.pop("items")
    schema.pop("type", None)
    schema["anyOf"] = [{"type": "array", "items": items}, items]


class _MeasureBase(SpecModel):
    name: Name = Field(description="Result column name, unique within the report.")
    label: str | None = Field(default=None, description="Human-readable title.")
    format: Format | None = Field(
        default=None,
        description="number, integer, currency, percent (a ratio: 0.25 shows as 25.0%), "
        "compact (1.2M) or duration (with `unit`). Defaults to currency when `currency` is "
        "set, duration when `unit` is set, integer for counts and number otherwise.",
    )
    currency: str | None = Field(
        default=None,
        description="ISO 4217 code (EUR, GBP, JPY, ...) of a money measure; defaults to the "
        "report's `currency`.",
    )
    unit: Literal["hours", "days"] | None = Field(
        default=None, description="For `format: duration`: the unit the values are in."
    )
    direction: Literal["higher_is_better", "lower_is_better"] | None = Field(
        default=None,
        description="Whether a rise is good news: colours a KPI's change green or red.",
    )
    target: float | None = Field(
        default=None, description="A goal, drawn as a reference line and used by bullets."
    )
    fill: Literal["zero", "null"] | None = Field(
        default=None,
        description="Value for a period with no rows when the time axis is completed "
        "(`fill_gaps`): zero by default for counts and sums, null for everything else.",
    )
    optional: bool = Field(
        default=False,
        description="When the data lacks a column (or source) this measure reads, leave the "
        "measure out with a note instead of failing; measures built on it are left out too.",
    )


class _Aggregate(_MeasureBase):
    filter: Annotated[list[Filter], BeforeValidator(_one_or_many)] = Field(
        default_factory=list,
        description="Aggregate only the rows matching these filters (AND), independently of "
        "the report's other measures. A single filter may be written without a list.",
        json_schema_extra=_allow_single_item,
    )


class _CrossSource(SpecModel):
    source: Name | None = Field(
        default=None,
        description="Aggregate another source (targets, budgets) at the report's grain.",
    )
    match: dict[FieldName, Name] | None = Field(
        default=None,
        description="With `source`: which column of that source stands for each report "
        "dimension, {period: order_date, owner: salesperson}. Every dimension must be "
        "matched, so a target is never repeated across rows it does not belong to.",
    )


class CountMeasure(_Aggregate, _CrossSource):
    """`count` of rows; with `field`, of the rows where that column is not null."""

    agg: Literal["count"] = Field(description="count")
    field: FieldName | None = Field(
        default=None, description="Count only rows where this column is not null."
    )


# --- the aggregation registry ------------------------------------------------------------

AggName = Literal[
    "count", "count_distinct", "sum", "avg", "min", "max", "median", "percentile", "stddev"
]  # fmt: skip
FieldAgg = Literal["count_distinct", "sum", "avg", "min", "max", "median", "percentile", "stddev"]


@dataclass(frozen=True)
class Aggregation:
    """What every layer needs to know of one aggregation, in one row.

    `reads`: the values it accepts ("any", "ordered": numbers, text, dates, booleans;
    "numeric"; "numeric_or_bool": a boolean summed or averaged as 0/1). `additive`: its values
    add up across periods and groups (a running total of it means something). `zero_when_empty`:
    its value over no rows is 0, not null (the default gap fill). `duplicate_safe`: the same
    answer however often a looked-up row repeats. `result`: the result type ("integer",
    "float", "input": the column's own, "sum": integer unless the input is a float).
    `function`: the elementary backend aggregation computing it (execute's table of narwhals
    methods has the same keys).
    """

    name: str
    reads: Literal["any", "ordered", "numeric", "numeric_or_bool"]
    additive: bool
    zero_when_empty: bool
    duplicate_safe: bool
    result: Literal["integer", "float", "input", "sum"]
    function: Literal["count", "n_unique", "sum", "mean", "min", "max", "median", "quantile", "std"]

    @property
    def numeric(self) -> bool:
        return self.reads in ("numeric", "numeric_or_bool")


AGGREGATIONS: dict[str, Aggregation] = {
    a.name: a
    for a in (
        Aggregation("count", "any", True, True, False, "integer", "count"),
        Aggregation("count_distinct", "any", False, True, True, "integer", "n_unique"),
        Aggregation("sum", "numeric_or_bool", True, True, False, "sum", "sum"),
        Aggregation("avg", "numeric_or_bool", False, False, False, "float", "mean"),
        Aggregation("min", "ordered", False, False, True, "input", "min"),
        Aggregation("max", "ordered", False, False, True, "input", "max"),
        Aggregation("median", "numeric", False, False, False, "float", "median"),
        Aggregation("percentile", "numeric", False, False, False, "float", "quantile"),
        Aggregation("stddev", "numeric", False, False, False, "float", "std"),
    )
}
# The literal types above are what a type checker and the JSON Schema see: the same names.
assert tuple(AGGREGATIONS) == get_args(AggName), "AggName and AGGREGATIONS disagree"
assert set(get_args(FieldAgg)) == set(AGGREGATIONS) - {"count"}, "FieldAgg disagrees"


class FieldMeasure(_Aggregate, _CrossSource):
    """An aggregation of one column. Nulls are skipped, as in SQL.

    `sum` of no values is 0; `avg`, `min`, `max`, `median`, `percentile` and `stddev` of no
    values are null; `count_distinct` does not count null. `median` and `percentile` are exact
    (linear interpolation between the two nearest values), never approximations. `stddev` is
    the sample standard deviation (n - 1).
    """

    agg: FieldAgg = Field(
        description="count_distinct, sum, avg, min, max, median, percentile or stddev"
    )
    field: FieldName = Field(description="Column to aggregate.")
    p: float | None = Field(
        default=None, ge=0, le=1, description="For `percentile`: 0.9 is the 90th percentile."
    )


class ExprMeasure(_Aggregate, _CrossSource):
    """An aggregation of a row formula, e.g. `sum` of `quantity * unit_price`."""

    agg: AggName = Field(
        description="Any aggregation; `count` counts rows where the formula is not null."
    )
    expr: str = Field(description="Row formula to aggregate.")
    p: float | None = Field(
        default=None, ge=0, le=1, description="For `percentile`: 0.9 is the 90th percentile."
    )


class FormulaMeasure(_MeasureBase):
    """Arithmetic over other measures of the same result row (`won / (won + lost)`)."""

    formula: str = Field(description="A formula over measure names and parameters.")


# --- window measures -----------------------------------------------------------------------

ResetUnit = Literal["none", "week", "month", "quarter", "year", "fiscal_quarter", "fiscal_year"]


class Running(SpecModel):
    reset: ResetUnit = Field(
        default="none",
        description="Restart the total at each new period: `year` gives year-to-date, "
        "`month` month-to-date (on a daily or weekly axis).",
    )


class RunningMeasure(_MeasureBase):
    """Running total of an additive measure along the time dimension, restarting for each
    combination of the other dimensions (and at each `reset` period)."""

    of: Name = Field(description="The measure to accumulate (a sum or count).")
    running: Running = Field(description="Running-total options.")


class Rolling(SpecModel):
    periods: int = Field(ge=1, description="Window length in periods of the time dimension.")
    agg: Literal["sum", "avg"] = Field(
        default="sum",
        description="Add up the periods in the window, or average them (a period without "
        "rows counts as 0 for a sum or count measure and is skipped otherwise). The sum of a "
        "count_distinct counts the distinct values of the whole window.",
    )


class RollingMeasure(_MeasureBase):
    """A window over the last N calendar periods (the current one included). Periods without
    rows count as empty (0 for counts and sums), never as 'the previous row'. The sum of a
    distinct count is recounted over the window's rows, each value once ("active customers in
    the trailing 3 months": a customer of two of the months counts once)."""

    of: Name = Field(description="The measure to combine over the window.")
    rolling: Rolling = Field(description="Rolling-window options.")


class Compare(SpecModel):
    offset: str = Field(
        default="1 period",
        description="How far back: '1 period' (the previous bucket), '1 year' (same period "
        "last year), or 'N day(s)|week(s)|month(s)|quarter(s)|year(s)'.",
    )
    show: Literal["value", "change", "pct_change"] = Field(
        default="pct_change",
        description="The earlier value, the change (now - then), or the change relative to "
        "then ((now - then) / then; null when then is 0 or missing).",
    )


class CompareMeasure(_MeasureBase):
    """Period over period, by calendar shift: the value of the period `offset` earlier, taken
    from base rows even when the report's time filter excludes that period."""

    of: Name = Field(description="The measure to compare.")
    compare: Compare = Field(description="Comparison options.")


class ShareOf(SpecModel):
    within: list[Name] = Field(
        default_factory=list,
        description="Dimensions whose groups form the denominator (empty: the grand total).",
    )
    before_filter: Name | None = Field(
        default=None,
        description="Compute the denominator without the named filter (share of all rows "
        "before that filter).",
    )


class ShareMeasure(_MeasureBase):
    """The measure divided by its total over a declared denominator, recomputed from base
    rows (so shares of distinct counts are right)."""

    of: Name = Field(description="An aggregate measure.")
    share_of: ShareOf = Field(description="The denominator.")


class Rank(SpecModel):
    within: list[Name] = Field(
        default_factory=list, description="Rank separately within these dimensions."
    )
    desc: bool = Field(default=True, description="1 is the largest (false: the smallest).")
    buckets: int | None = Field(
        default=None,
        ge=2,
        le=100,
        description="Instead of the position, a quantile score from 1 to `buckets`: "
        "1 + floor(buckets * behind / n), `behind` the rows ranked strictly after it "
        "(smaller values; larger with desc: false), n the rows with a value. The first "
        "ranked score `buckets`; ties share a score, a tie at the bottom (customers with "
        "one order) all score 1. 5 gives RFM quintiles.",
    )


class RankMeasure(_MeasureBase):
    """Rank of the measure (1 = first; ties share the best rank: 1, 2, 2, 4), or its
    quantile score with `buckets`."""

    of: Name = Field(description="The measure to rank by.")
    rank: Rank = Field(description="Ranking options.")


class Pacing(SpecModel):
    target: Name = Field(description="The measure holding each period's target.")


class PacingMeasure(_MeasureBase):
    """Actual against the part of the target that should be reached by `as_of`:
    `of / (target * elapsed)`, where `elapsed` is the share of the period's days passed by
    as_of (1 for past periods; null for periods not yet begun). 1.0 means on pace."""

    of: Name = Field(description="The actual (e.g. revenue).")
    pacing: Pacing = Field(description="Pacing options.")


WINDOW_KEYS = ("running", "rolling", "compare", "share_of", "rank", "pacing")
AGGS = tuple(AGGREGATIONS)


def _measure_tag(value: Any) -> str | None:
    if not isinstance(value, dict):
        return _TAG_BY_TYPE.get(type(value))
    if "formula" in value:
        return "formula"
    if "of" in value:
        present = [k for k in WINDOW_KEYS if k in value]
        return present[0] if len(present) == 1 else None
    agg = value.get("agg")
    if agg not in AGGS:
        return None
    if "expr" in value:
        return "expr"
    return "count" if agg == "count" else "field"


Measure = Annotated[
    Annotated[CountMeasure, Tag("count")]
    | Annotated[FieldMeasure, Tag("field")]
    | Annotated[ExprMeasure, Tag("expr")]
    | Annotated[FormulaMeasure, Tag("formula")]
    | Annotated[RunningMeasure, Tag("running")]
    | Annotated[RollingMeasure, Tag("rolling")]
    | Annotated[CompareMeasure, Tag("compare")]
    | Annotated[ShareMeasure, Tag("share_of")]
    | Annotated[RankMeasure, Tag("rank")]
    | Annotated[PacingMeasure, Tag("pacing")],
    Discriminator(
        _measure_tag,
        custom_error_type="unknown-measure",
        custom_error_message="a measure needs `agg` (" + ", ".join(AGGS) + "), `formula`, "
        "or `of` with one of " + ", ".join(WINDOW_KEYS),
    ),
]
MEASURE_TAGS = frozenset(["count", "field", "expr", "formula", *WINDOW_KEYS])

AggregateMeasure = CountMeasure | FieldMeasure | ExprMeasure
WindowMeasure = (
    RunningMeasure | RollingMeasure | CompareMeasure | ShareMeasure | RankMeasure | PacingMeasure
)

# Tags of already-built models, so a Report built in Python validates without a dict.
_TAG_BY_TYPE: dict[type, str] = {
    CountMeasure: "count",
    FieldMeasure: "field",
    ExprMeasure: "expr",
    FormulaMeasure: "formula",
    RunningMeasure: "running",
    RollingMeasure: "rolling",
    CompareMeasure: "compare",
    ShareMeasure: "share_of",
    RankMeasure: "rank",
    PacingMeasure: "pacing",
}


def measures_read(m: Measure) -> set[str]:
    """The names a measure is computed from: for a formula, every name it refers to (other
    measures, and parameters: the caller keeps the ones it knows); none for an aggregate."""
    match m:
        case CountMeasure() | FieldMeasure() | ExprMeasure():
            return set()
        case FormulaMeasure():
            node, _ = parse_with_problems(m.formula)
            return references(node) if node is not None else set()
        case PacingMeasure():
            return {m.of, m.pacing.target}
        case (
            RunningMeasure() | RollingMeasure() | CompareMeasure() | ShareMeasure() | RankMeasure()
        ):
            return {m.of}
        case _:
            assert_never(m)


def columns_read(m: Measure) -> set[str]:
    """The columns of its source an aggregate reads: its field, its row formula, its filters
    and, for a measure of another source, that source's columns it is matched on. A measure
    built on other measures reads none itself (`measures_read` names what it reads)."""
    match m:
        case CountMeasure() | FieldMeasure() | ExprMeasure():
            found = set(m.match or {})
            if isinstance(m, ExprMeasure):
                node, _ = parse_with_problems(m.expr)
                found |= references(node) if node is not None else set()
            elif m.field is not None:
                found.add(m.field)
            for f in m.filter:
                found |= filter_columns(f)
            return found
        case (
            FormulaMeasure() | RunningMeasure() | RollingMeasure() | CompareMeasure()
            | ShareMeasure() | RankMeasure() | PacingMeasure()
        ):  # fmt: skip
            return set()
        case _:
            assert_never(m)
