"""Row-level plan pieces as narwhals expressions, written once for every backend.

Null rule: every comparison filter is made two-valued here (`col IS NOT NULL AND col <op> v`),
so SQL's "a comparison with null is false" holds on every engine, including inside `any_of`.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, assert_never
from zoneinfo import ZoneInfo

import narwhals as nw

from crmreports.execute.formula import to_expr
from crmreports.plan import (
    AsInteger,
    BinValue,
    DatePartValue,
    Derived,
    GroupValue,
    Masked,
    NullFlag,
    RowValue,
    TimeBucket,
    TopValue,
)
from crmreports.resolve import (
    AnyOfPredicate,
    Between,
    Calendar,
    Comparison,
    Contains,
    DataType,
    DateRange,
    ExprPredicate,
    Membership,
    NullTest,
    Predicate,
)
from crmreports.spec import DatePart, Grain
from crmreports.spec.formula import Node, Ref

UNGROUPED = " (ungrouped)"
# The derived values giving one column each (bins and top-N give two).
OneColumn = (
    RowValue | TimeBucket | DatePartValue | NullFlag | AsInteger | Masked | GroupValue
)  # fmt: skip
_TRUNCATE_EVERY = {
    Grain.HOUR: "1h",
    Grain.DAY: "1d",
    Grain.MONTH: "1mo",
    Grain.QUARTER: "1q",
    Grain.YEAR: "1y",
}


@dataclass(frozen=True)
class TopMembers:
    """What a top-N's pre-query decided: the members kept, and the label of the rest (never
    one of the dimension's own values)."""

    kept: tuple[Any, ...]
    other_label: str


class RowCompiler:
    """Compiles predicates and derived columns for one query (column types and time zone)."""

    def __init__(
        self,
        types: Mapping[str, DataType],
        timezone: str = "UTC",
        members: Mapping[str, TopMembers] | None = None,
        columns: Mapping[str, str] | None = None,
        instants: Mapping[str, str] | None = None,
        civil_durations: bool = False,
    ) -> None:
        self.types = dict(types)
        self.timezone = timezone
        self.members = members or {}
        # The frame's name of a column where it is not the spec's (see BoundSource.renamed).
        self.columns = dict(columns or {})
        self.instants = dict(instants or {})  # aware column -> its UTC instants (formulas)
        self.civil_durations = civil_durations  # elapsed time from civil dates (Spark)

    def col(self, name: str) -> nw.Expr:
        return nw.col(self.columns.get(name, name))

    def formula(self, node: Node) -> nw.Expr:
        return to_expr(
            node,
            self.types,
            columns=self.columns,
            instants=self.instants,
            civil_durations=self.civil_durations,
        )

    # --- filters ------------------------------------------------------------------------------

    def predicate(self, p: Predicate) -> nw.Expr:
        match p:
            case AnyOfPredicate():
                expr = self.predicate(p.children[0])
                for child in p.children[1:]:
                    expr = expr | self.predicate(child)
                return expr
            case ExprPredicate():
                # A null result drops the row, as a false one does: when(...) makes it false.
                return nw.when(self.formula(p.node)).then(nw.lit(True)).otherwise(nw.lit(False))
            case NullTest():
                col = self.col(p.field)
                return col.is_null() if p.is_null else ~col.is_null()
            case Contains():
                col = self.col(p.field)
                text = col.str.to_lowercase() if p.ignore_case else col
                needle = p.value.lower() if p.ignore_case else p.value
                return ~col.is_null() & text.str.contains(needle, literal=True)
            case DateRange():
                col = self.col(p.field)
                start, end = self.literal(p.start), self.literal(p.end)
                within: nw.Expr = ~col.is_null() & (col >= start) & (col < end)
                return within
            case Comparison() | Membership() | Between():
                return self._value_test(p)
            case _:
                assert_never(p)

    def _value_test(self, p: Comparison | Membership | Between) -> nw.Expr:
        """A test of a column's values; a null never passes unless `keep_nulls`."""
        col = self.col(p.field)
        match p:
            case Comparison():
                test = _compare(col, p.op, self.literal(p.value))
            case Membership():
                test = col.is_in([self.literal(v) for v in p.values])
                if p.negate:
                    test = ~test
            case Between():
                test = (col >= self.literal(p.low)) & (col <= self.literal(p.high))
            case _:
                assert_never(p)
        if p.keep_nulls:
            return col.is_null() | (~col.is_null() & test)
        return ~col.is_null() & test

    def literal(self, value: Any) -> Any:
        # Columns hold wall-clock time in the report's zone; an aware value is brought there.
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return value.astimezone(ZoneInfo(self.timezone)).replace(tzinfo=None)
        return value

    def all_of(self, predicates: Sequence[Predicate]) -> nw.Expr:
        expr = self.predicate(predicates[0])
        for p in predicates[1:]:
            expr = expr & self.predicate(p)
        return expr

    # --- derived columns ----------------------------------------------------------------------

    def derived(self, d: OneColumn) -> nw.Expr:
        match d:
            case RowValue():
                if isinstance(d.node, Ref):
                    return self.col(d.node.name).alias(d.name)
                return self.formula(d.node).alias(d.name)
            case TimeBucket():
                return time_bucket(self.col(d.input), d.grain, d.calendar, d.dtype).alias(d.name)
            case DatePartValue():
                return date_part(self.col(d.input), d.part, d.calendar).alias(d.name)
            case NullFlag():
                return self.col(d.input).is_null().cast(nw.Int8).alias(d.name)
            case AsInteger():
                return self.col(d.input).cast(nw.Int64).alias(d.name)
            case Masked():
                where = self.all_of(d.predicates)
                if d.input is None:
                    flag = nw.when(where).then(nw.lit(1)).otherwise(nw.lit(0))
                    return flag.cast(nw.Int64).alias(d.name)
                return nw.when(where).then(self.col(d.input)).alias(d.name)
            case GroupValue():
                return _groups(d, self.col(d.input)).alias(d.name)
            case _:
                assert_never(d)

    def derived_many(self, d: Derived) -> list[nw.Expr]:
        """Every derived value's columns (bins: label and tier index; a top-N: the member and
        whether it is one of the rest)."""
        match d:
            case BinValue():
                return _bins(d, self.col(d.input))
            case TopValue():
                return self._top(d)
            case (
                RowValue() | TimeBucket() | DatePartValue() | NullFlag() | AsInteger() | Masked()
                | GroupValue()
            ):  # fmt: skip
                return [self.derived(d)]
            case _:
                assert_never(d)

    def _top(self, d: TopValue) -> list[nw.Expr]:
        top = self.members[d.query]
        members = list(top.kept)
        value = self.col(d.input)
        known = [m for m in members if m is not None]
        kept = value.is_in(known) if known else nw.lit(False)
        if None in members:
            kept = value.is_null() | kept
        kept = nw.when(kept).then(nw.lit(True)).otherwise(nw.lit(False))
        member = nw.when(kept).then(value.cast(nw.String)).otherwise(nw.lit(top.other_label))
        is_other = nw.when(kept).then(nw.lit(0)).otherwise(nw.lit(1)).cast(nw.Int64)
        return [member.alias(d.name), is_other.alias(d.is_other)]


_COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "eq": operator.eq, "ne": operator.ne, "lt": operator.lt,
    "le": operator.le, "gt": operator.gt, "ge": operator.ge,
}  # fmt: skip


def _compare(col: nw.Expr, op: str, value: Any) -> nw.Expr:
    compared: nw.Expr = _COMPARISONS[op](col, value)
    return compared


# --- time ------------------------------------------------------------------------------------


def time_bucket(col: nw.Expr, grain: Grain, calendar: Calendar, dtype: DataType) -> nw.Expr:
    """Start of the period containing each value (in the wall-clock time of the report)."""
    if grain is Grain.WEEK:
        bucket = _step_back_days(col.dt.truncate("1d"), iso_weekday(col), calendar.week_start)
    elif grain is Grain.FISCAL_QUARTER:
        bucket = _step_back_months(col, calendar.fiscal_year_start, 3)
    elif grain is Grain.FISCAL_YEAR:
        bucket = _step_back_months(col, calendar.fiscal_year_start, 12)
    else:
        bucket = col.dt.truncate(_TRUNCATE_EVERY[grain])
    # Engines return timestamps when truncating dates; a date dimension stays a date.
    return bucket.cast(nw.Date) if dtype is DataType.DATE else bucket.cast(nw.Datetime("us"))


def iso_weekday(col: nw.Expr) -> nw.Expr:
    """Monday = 1 ... Sunday = 7 on every engine. narwhals' weekday is ISO on DuckDB and
    polars but Sunday = 0 on Spark; `(w + 6) % 7 + 1` maps both conventions to ISO."""
    return (col.dt.weekday().cast(nw.Int64) + 6) % 7 + 1


def _step_back_days(day: nw.Expr, weekday: nw.Expr, week_start: int) -> nw.Expr:
    """The week's first day: step back (weekday - week_start) mod 7 days. narwhals has no
    weekly truncation, and a when/then chain runs identically on every backend."""
    expr: nw.Expr = day
    for iso in range(1, 8):
        back = (iso - week_start) % 7
        if back:
            expr = nw.when(weekday == iso).then(day.dt.offset_by(f"-{back}d")).otherwise(expr)
    return expr


def _step_back_months(col: nw.Expr, first_month: int, period: int) -> nw.Expr:
    """Start of a fiscal quarter (period 3) or year (12) starting in `first_month`."""
    month_start = col.dt.truncate("1mo")
    month = col.dt.month()
    expr: nw.Expr = month_start
    for m in range(1, 13):
        back = (m - first_month) % 12 % period
        if back:
            shifted = month_start.dt.offset_by(f"-{back}mo")
            expr = nw.when(month == m).then(shifted).otherwise(expr)
    return expr


def date_part(col: nw.Expr, part: DatePart, calendar: Calendar) -> nw.Expr:
    if part is DatePart.HOUR_OF_DAY:
        value = col.dt.hour()
    elif part is DatePart.DAY_OF_WEEK:
        value = iso_weekday(col)
    elif part is DatePart.DAY_OF_MONTH:
        value = col.dt.day()
    elif part is DatePart.MONTH_OF_YEAR:
        value = col.dt.month()
    elif part is DatePart.QUARTER_OF_YEAR:
        value = (col.dt.month().cast(nw.Int64) + 2) // 3
    else:  # fiscal quarter of year; +12 keeps the remainder positive on every engine
        value = (col.dt.month().cast(nw.Int64) - calendar.fiscal_year_start + 12) % 12 // 3 + 1
    return value.cast(nw.Int64)


# --- tiers and groups -----------------------------------------------------------------------


def _bins(d: BinValue, value: nw.Expr) -> list[nw.Expr]:
    label: nw.Expr = nw.lit(None, dtype=nw.String)
    index: nw.Expr = nw.lit(None, dtype=nw.Int64)
    # Built from the last tier back, so the first matching `value < bound` wins.
    for i in range(len(d.labels) - 1, -1, -1):
        bound = d.bounds[i]
        if bound is None:
            label, index = nw.lit(d.labels[i]), nw.lit(i)
            continue
        label = nw.when(value < bound).then(nw.lit(d.labels[i])).otherwise(label)
        index = nw.when(value < bound).then(nw.lit(i)).otherwise(index)
    missing = value.is_null()
    return [
        nw.when(missing).then(nw.lit(None, dtype=nw.String)).otherwise(label).alias(d.name),
        nw.when(missing)
        .then(nw.lit(None, dtype=nw.Int64))
        .otherwise(index)
        .cast(nw.Int64)
        .alias(d.index),
    ]


def _groups(d: GroupValue, value: nw.Expr) -> nw.Expr:
    if d.unmatched == "keep":
        expr: nw.Expr = value.cast(nw.String)
        # A value in no group that reads like a group's name stays apart from the group:
        # "Paid" of the data is shown as "Paid (ungrouped)" beside the group "Paid".
        listed = [v for _, values in d.groups for v in values]
        names = [label for label, _ in d.groups]
        lookalike = value.is_in(names) & ~value.is_in(listed) if listed else value.is_in(names)
        expr = nw.when(lookalike).then(nw.concat_str([expr, nw.lit(UNGROUPED)])).otherwise(expr)
    elif d.unmatched == "null":
        expr = nw.lit(None, dtype=nw.String)
    else:
        expr = nw.lit(d.other_label)
    for label, values in reversed(d.groups):
        expr = nw.when(value.is_in(list(values))).then(nw.lit(label)).otherwise(expr)
    # A null value is no member of any group: it stays null whatever the unmatched policy.
    return nw.when(value.is_null()).then(nw.lit(None, dtype=nw.String)).otherwise(expr)
