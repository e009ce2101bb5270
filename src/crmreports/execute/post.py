"""Steps over the aggregated results: formulas, windows, joins, gap filling, having, sort.

The inputs are small (result rows, not source rows), so they always run on DuckDB over Arrow,
whatever backend computed the aggregates: a window or a join gives the same answer for every
input kind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, assert_never

import duckdb
import narwhals as nw
import pyarrow as pa
import pyarrow.compute as pc

from crmreports.execute.dtypes import to_data_type
from crmreports.execute.formula import to_expr
from crmreports.execute.inputs import quote_identifier
from crmreports.execute.rows import RowCompiler, time_bucket
from crmreports.plan import (
    AcrossStep,
    CompareStep,
    EmptyValue,
    FormulaStep,
    GapFill,
    HavingStep,
    LimitStep,
    PacingStep,
    PostStep,
    RankStep,
    RollingDistinctStep,
    RollingStep,
    RunningStep,
    ShareStep,
    SortStep,
    SpanRef,
    TotalsStep,
    WindowBase,
)
from crmreports.resolve import Calendar, DataType
from crmreports.spec import Grain

Frame = nw.LazyFrame[Any]


class PostRunner:
    def __init__(self, cursor: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> None:
        self.cursor = cursor
        self.tables = tables
        self._spans: dict[SpanRef, tuple[Any, Any] | None] = {}

    def frame(self, name: str) -> Frame:
        return nw.from_native(self.cursor.from_arrow(self.tables[name]))

    def run(self, frame: Frame, steps: Sequence[PostStep]) -> Frame:
        for step in steps:
            frame = self.step(frame, step)
        return frame

    def step(self, frame: Frame, s: PostStep) -> Frame:
        match s:
            case FormulaStep():
                return formula(frame, s)
            case AcrossStep():
                return self.across(frame, s.query, s.keys, s.zero_fill, s.time, s.span)
            case GapFill():
                return self.gap_fill(frame, s)
            case (
                RunningStep() | RollingStep() | RollingDistinctStep() | CompareStep()
                | ShareStep() | PacingStep() | RankStep()
            ):  # fmt: skip
                return self.window(frame, s)
            case HavingStep():
                rows = RowCompiler(types_of(frame))
                for p in s.predicates:
                    frame = frame.filter(rows.predicate(p))
                return frame
            case SortStep():
                if not s.keys:
                    return frame
                names = [k.name for k in s.keys]
                return frame.sort(names, descending=[k.desc for k in s.keys], nulls_last=True)
            case LimitStep():
                return frame.head(s.n)
            case TotalsStep():  # pragma: no cover
                # Totals rows are appended by the executor, from their own query.
                raise TypeError("totals are appended by the executor")
            case _:
                assert_never(s)

    def window(
        self,
        frame: Frame,
        s: RunningStep | RollingStep | RollingDistinctStep | CompareStep | ShareStep | PacingStep
        | RankStep,
    ) -> Frame:  # fmt: skip
        """A measure seen across the result's rows."""
        match s:
            case RunningStep():
                return self.running(frame, s)
            case RollingStep():
                return self.rolling(frame, s)
            case RollingDistinctStep():
                return self.rolling_distinct(frame, s)
            case CompareStep():
                return self.compare(frame, s)
            case ShareStep():
                return self.share(frame, s)
            case PacingStep():
                return self.pacing(frame, s)
            case RankStep():
                return rank(frame, s)
            case _:
                assert_never(s)

    # --- the calendar a source covers ---------------------------------------------------------

    def span(self, ref: SpanRef | None) -> tuple[Any, Any] | None:
        """The first and last period of a source's time axis; None when no row has a date."""
        if ref is None:
            return None
        if ref not in self._spans:
            table = self.tables[ref.query]
            if ref.column is not None:
                bounds = pc.min_max(table.column(ref.column)).as_py()
                first, last = bounds["min"], bounds["max"]
            else:
                row = table.to_pylist()[0] if table.num_rows else {}
                first, last = row.get("first"), row.get("last")
            self._spans[ref] = None if first is None or last is None else (first, last)
        return self._spans[ref]

    def empty_values(
        self, fills: Sequence[EmptyValue], missing: nw.Expr, time: str | None, frame: Frame
    ) -> list[nw.Expr]:
        """Each aggregate where `missing` holds (a period or key without rows): its empty
        value (0 for counts and sums) inside the covered span of its source; null outside it,
        where the source has no data."""
        schema = frame.collect_schema()
        exprs = []
        for f in fills:
            if f.fill != "zero":
                continue  # missing already reads null
            where = missing
            if f.span is not None and time is not None:
                span = self.span(f.span)
                if span is None:
                    continue  # the source has no dated row: no period has data
                where = where & (in_span(time, span, schema[time]) | nw.col(time).is_null())
            value = nw.when(where).then(nw.lit(0)).otherwise(nw.col(f.name))
            exprs.append(value.cast(schema[f.name]).alias(f.name))
        return exprs

    def base_rows(self, frame: Frame, base: WindowBase) -> Frame:
        """The aggregates a window reads, with their keys: the report's own rows (`frame`) or
        a wider query with the other sources' measures joined in."""
        main = base.query == "main"
        source = frame if main else self.run(self.frame(base.query), base.across)
        return source.select(*base.keys, *[f.name for f in base.fills])

    def complete(self, source: Frame, wanted: Frame, base: WindowBase, time: str) -> Frame:
        """`wanted` (key rows: periods of a window) with the aggregates of `source` (from
        `base_rows`); a key without rows reads each aggregate's empty value. Then the
        formulas and windows that derive the window's measure from them."""
        present = "__present"
        joined = null_safe_join(wanted, source.with_columns(nw.lit(1).alias(present)), base.keys)
        filled = self.empty_values(base.fills, nw.col(present).is_null(), time, source)
        joined = joined.with_columns(*filled) if filled else joined
        return self.run(joined.drop(present), base.derive)

    # --- steps that need other results --------------------------------------------------------

    def across(
        self,
        frame: Frame,
        query: str,
        keys: Sequence[str],
        zero_fill: Sequence[str],
        time: str | None = None,
        span: SpanRef | None = None,
    ) -> Frame:
        other = self.frame(query)
        if not keys:
            return frame.join(other, how="cross")
        # A date column matched to a datetime dimension (orders.order_date to the month of
        # tickets.created_at) buckets to dates on one side and datetimes on the other: read both
        # as the report's type, or they could neither be stacked nor match (keys compare as text).
        mine, theirs = frame.collect_schema(), other.collect_schema()
        recast = [
            nw.col(k).cast(mine[k])
            for k in keys
            if mine[k] != theirs[k] and mine[k].is_temporal() and theirs[k].is_temporal()
        ]
        other = other.with_columns(*recast) if recast else other
        everything = nw.concat([frame.select(*keys), other.select(*keys)]).unique()
        present = "__present"
        mine_marked = frame.with_columns(nw.lit(1).alias(present))
        joined = null_safe_join(null_safe_join(everything, mine_marked, keys), other, keys)
        fills = [EmptyValue(m, "zero", span) for m in zero_fill]
        zeros = self.empty_values(fills, nw.col(present).is_null(), time, frame)
        joined = joined.with_columns(*zeros) if zeros else joined
        return joined.drop(present)

    def gap_fill(self, frame: Frame, s: GapFill) -> Frame:
        """Every period from the filter's start (or the first in the data) to its end (or the
        last), for every combination of the other key columns seen."""
        schema = frame.collect_schema()
        measures = [f.name for f in s.fills]
        others = [c for c in schema if c != s.time and c not in measures]
        lo, hi = _bounds(frame, s.time)
        first = s.start if s.start is not None else lo
        last = s.end if s.end is not None else hi
        if first is None or last is None:
            return frame
        periods = _periods(first, last, s.grain, s.calendar, inclusive_end=s.end is None)
        if not periods:
            return frame
        grid = self.axis(s.time, periods, schema[s.time])
        if others:
            grid = frame.select(*others).unique().join(grid, how="cross")
        present = "__present"
        joined = null_safe_join(grid, frame.with_columns(nw.lit(1).alias(present)),
                                [*others, s.time])  # fmt: skip
        filled = self.empty_values(s.fills, nw.col(present).is_null(), s.time, frame)
        joined = joined.with_columns(*filled) if filled else joined
        # Rows without a date form their own group; the axis only adds periods around them.
        undated = frame.filter(nw.col(s.time).is_null())
        return nw.concat([joined.drop(present).select(*schema), undated.select(*schema)])

    def axis(self, time: str, periods: Sequence[Any], dtype: Any) -> Frame:
        """One row per period, typed like the report's time column."""
        is_date = _is_date(dtype)
        values = [_as_axis_value(p, is_date) for p in periods]
        table = pa.table({time: pa.array(values, pa.date32() if is_date else pa.timestamp("us"))})
        frame: Frame = nw.from_native(self.cursor.from_arrow(table))
        return frame.with_columns(nw.col(time).cast(dtype))

    def rolling(self, frame: Frame, s: RollingStep) -> Frame:
        """The window is the `periods` calendar periods ending at each row: the periods are
        completed first (each row of the completed axis is one period, empty inside the
        covered span, without data outside it), from `periods - 1` before the first row
        shown. A window with no period inside the span is null."""
        schema = frame.collect_schema()
        # DuckDB sums integers as DECIMAL; a rolling sum keeps the measure's own type.
        target = schema[s.of] if s.agg == "sum" else nw.Float64
        lo, hi = _bounds(frame, s.time)
        if self.span(s.span) is None or lo is None:
            return frame.with_columns(nw.lit(None).cast(target).alias(s.name))
        first = _periods_back(lo, s.periods - 1, s.grain, s.calendar)
        periods = _periods(first, hi, s.grain, s.calendar, inclusive_end=True)
        wanted = self.axis(s.time, periods, schema[s.time])
        if s.partition:
            dated = frame.filter(~nw.col(s.time).is_null())
            wanted = dated.select(*s.partition).unique().join(wanted, how="cross")
        filled = self.complete(self.base_rows(frame, s.base), wanted, s.base, s.time)
        column = nw.col(s.of)
        window = (column.rolling_sum if s.agg == "sum" else column.rolling_mean)(
            s.periods, min_samples=1
        )
        keys = [*s.partition, s.time]
        windowed = (
            window.over(*s.partition, order_by=s.time)
            if s.partition
            else window.over(order_by=s.time)
        )
        result = filled.select(*keys, windowed.cast(target).alias(s.name))
        return null_safe_join(frame, result, keys)

    def rolling_distinct(self, frame: Frame, s: RollingDistinctStep) -> Frame:
        """Each row's window is the `periods` calendar periods ending at its own (numbered on
        the completed axis, so a period without rows still takes its place); the values of
        the base rows whose period falls inside it, for the row's other keys, are counted
        once each. Nulls are no value (as in count_distinct)."""
        schema = frame.collect_schema()
        time_type = schema[s.time]
        span = self.span(s.span)
        lo, hi = _bounds(frame, s.time)
        if span is None or lo is None:
            return frame.with_columns(nw.lit(None).cast(nw.Int64).alias(s.name))
        first = _periods_back(lo, s.periods - 1, s.grain, s.calendar)
        periods = _periods(first, hi, s.grain, s.calendar, inclusive_end=True)
        is_date = _is_date(time_type)
        index, start = f"{s.name}__index", f"{s.name}__start"
        axis = pa.table(
            {
                s.time: pa.array(
                    [_as_axis_value(p, is_date) for p in periods],
                    pa.date32() if is_date else pa.timestamp("us"),
                ),
                index: pa.array(range(len(periods)), pa.int64()),
                # the first period of the window ending here
                start: pa.array(
                    [_as_axis_value(periods[max(k - s.periods + 1, 0)], is_date)
                     for k in range(len(periods))],
                    pa.date32() if is_date else pa.timestamp("us"),
                ),
            }
        )  # fmt: skip
        numbered: Frame = nw.from_native(self.cursor.from_arrow(axis)).with_columns(
            nw.col(s.time).cast(time_type), nw.col(start).cast(time_type)
        )
        keys = [*s.partition, s.time]
        wanted = frame.filter(~nw.col(s.time).is_null()).select(*keys).unique()
        wanted = null_safe_join(wanted, numbered, [s.time])
        # The base rows, each with its period's number (periods off the axis drop out).
        seen = f"{s.name}__seen"
        rows = self.frame(s.query).filter(~nw.col(s.value).is_null())
        rows = rows.with_columns(nw.col(s.time).cast(time_type))
        rows = null_safe_join(rows.select(*keys, s.value), numbered.select(s.time, index), [s.time])
        rows = rows.filter(~nw.col(index).is_null()).select(
            *s.partition, nw.col(s.value), nw.col(index).alias(seen)
        )
        pairs = null_safe_join(wanted.select(*keys, index), rows, list(s.partition))
        inside = (nw.col(seen) <= nw.col(index)) & (nw.col(seen) > nw.col(index) - s.periods)
        counted = (
            pairs.filter(inside)
            .group_by(*keys, drop_null_keys=False)
            .agg(nw.col(s.value).n_unique().alias(seen))
        )
        result = null_safe_join(wanted, counted, keys)
        # A window reaching into the covered span without values counts none; one entirely
        # outside it has no data.
        first_seen, last_seen = (nw.lit(_as_axis_value(v, is_date)) for v in span)
        covered = (nw.col(start) <= last_seen) & (nw.col(s.time) >= first_seen)
        empty = nw.lit(0) if s.fill == "zero" else nw.lit(None)
        value = (
            nw.when(~covered)
            .then(nw.lit(None))
            .otherwise(nw.when(nw.col(seen).is_null()).then(empty).otherwise(nw.col(seen)))
        )
        result = result.select(*keys, value.cast(nw.Int64).alias(s.name))
        return null_safe_join(frame, result, keys)

    def running(self, frame: Frame, s: RunningStep) -> Frame:
        """The cumulative sum from the source's first period (or the start of each reset
        period), whatever the report's time filter shows: the rows the report shows and the
        earlier ones of the base, each period once. Null where no period from the start to
        the row lies inside the covered span."""
        schema = frame.collect_schema()
        span = self.span(s.span)
        if span is None:
            return frame.with_columns(nw.lit(None).cast(schema[s.of]).alias(s.name))
        keys = [*s.partition, s.time]
        dated = ~nw.col(s.time).is_null()
        if s.base.query == "main":
            # The report's own rows are every period it reads: nothing to complete.
            filled = frame.filter(dated).select(*keys, s.of)
        else:
            source = self.base_rows(frame, s.base)
            shown = frame.filter(dated).select(*keys)
            earlier = source.filter(dated).select(*keys)
            earlier = earlier.with_columns(*[nw.col(k).cast(schema[k]) for k in keys])
            wanted = nw.concat([shown, earlier]).unique()
            filled = self.complete(source, wanted, s.base, s.time)
        partition = list(s.partition)
        first, last = (nw.lit(_as_axis_value(v, _is_date(schema[s.time]))) for v in span)
        covered = nw.col(s.time) >= first  # some period from the start to the row has data
        if s.reset != "none":
            period = f"{s.name}__period"
            time_type = to_data_type(schema[s.time])
            bucket = time_bucket(nw.col(s.time), Grain(s.reset), s.calendar, time_type)
            filled = filled.with_columns(bucket.alias(period))
            partition.append(period)
            covered = covered & (nw.col(period) <= last)
        # A period without data adds nothing; a partition without any value so far (no target
        # at all) stays null, not 0.
        total = nw.col(s.of).fill_null(0).cum_sum()
        seen = (~nw.col(s.of).is_null()).cast(nw.Int64).cum_sum()
        if partition:
            total, seen = (e.over(*partition, order_by=s.time) for e in (total, seen))
        else:
            total, seen = (e.over(order_by=s.time) for e in (total, seen))
        total = nw.when(covered & (seen > 0)).then(total)
        result = filled.select(*keys, total.cast(schema[s.of]).alias(s.name))
        # Rows without a date have no running total.
        return null_safe_join(frame, result, keys)

    def compare(self, frame: Frame, s: CompareStep) -> Frame:
        """Each row looks up the row `offset` earlier. The *current* date is moved back (Mar 31
        minus a month is Feb 29), so every row finds at most one earlier row; moving earlier
        rows forward would map Jan 29 and Jan 31 both onto Feb 29."""
        schema = frame.collect_schema()
        time_type = schema[s.time]
        target = nw.Float64 if s.dtype is DataType.FLOAT else schema[s.of]
        span = self.span(s.span)
        if span is None:
            return frame.with_columns(nw.lit(None).cast(target).alias(s.name))
        key, then_name = f"{s.name}__key", f"{s.name}__then"
        others = [k for k in s.keys if k != s.time]
        moved_back = nw.col(s.time).dt.offset_by(f"-{s.offset}").cast(time_type)
        # The earlier periods the rows ask for: inside the covered span an empty one reads as
        # such (a sum of 0), outside it there is no data. Rows without a date ask for none.
        source = self.base_rows(frame, s.base)
        present = f"{s.name}__present"
        if s.base.derive:  # `of` is derived: complete the aggregates, then derive it
            wanted = (
                frame.filter(~nw.col(s.time).is_null())
                .select(*others, moved_back.alias(s.time))
                .unique()
                .filter(in_span(s.time, span, time_type))
            )
            source = self.complete(source, wanted, s.base, s.time)
        earlier = source.filter(~nw.col(s.time).is_null()).select(
            *others,
            nw.col(s.time).alias(key),
            nw.col(s.of).alias(then_name),
            nw.lit(1).alias(present),
        )
        joined = null_safe_join(frame.with_columns(moved_back.alias(key)), earlier, [*others, key])
        fill = next(f for f in s.base.fills if f.name == s.of) if not s.base.derive else None
        if fill is not None and fill.fill == "zero":  # an aggregate: its empty value
            empty = nw.col(present).is_null() & in_span(key, span, time_type)
            then_filled = nw.when(empty).then(nw.lit(0)).otherwise(nw.col(then_name))
            joined = joined.with_columns(then_filled.cast(schema[s.of]).alias(then_name))
        then, now = nw.col(then_name), nw.col(s.of)
        if s.show == "value":
            value = then
        elif s.show == "change":
            value = now - then
        else:  # relative change; no base (0 or missing) gives null, never infinity
            value = nw.when(then != 0).then((now - then) / then)
        result = joined.with_columns(value.cast(target).alias(s.name))
        return result.drop(then_name, key, present)

    def pacing(self, frame: Frame, s: PacingStep) -> Frame:
        """The elapsed share of each period is worked out in Python for the few periods
        present, then joined: day arithmetic is not portable across engines."""
        starts = frame.select(nw.col(s.time)).unique().collect().to_arrow()
        time_type = frame.collect_schema()[s.time]
        values = starts.column(0).to_pylist()
        shares = [_elapsed(v, s.grain, s.calendar, s.as_of) for v in values]
        table = pa.table(
            {s.time: starts.column(0), f"{s.name}__elapsed": pa.array(shares, pa.float64())}
        )
        elapsed: Frame = nw.from_native(self.cursor.from_arrow(table)).with_columns(
            nw.col(s.time).cast(time_type)
        )
        joined = null_safe_join(frame, elapsed, [s.time])
        expected = nw.col(s.target) * nw.col(f"{s.name}__elapsed")
        value = nw.when(expected != 0).then(nw.col(s.of).cast(nw.Float64) / expected)
        return joined.with_columns(value.alias(s.name)).drop(f"{s.name}__elapsed")

    def share(self, frame: Frame, s: ShareStep) -> Frame:
        total = self.frame(s.query).select(*s.within, nw.col(s.of).alias(f"{s.name}__total"))
        if s.within:
            joined = null_safe_join(frame, total, list(s.within))
        else:
            joined = frame.join(total, how="cross")
        den, num = nw.col(f"{s.name}__total"), nw.col(s.of)
        share = nw.when(den != 0).then(num.cast(nw.Float64) / den)
        return joined.with_columns(share.alias(s.name)).drop(f"{s.name}__total")


def types_of(frame: Frame) -> dict[str, DataType]:
    return {str(c): to_data_type(t) for c, t in frame.collect_schema().items()}


def formula(frame: Frame, s: FormulaStep) -> Frame:
    expr = to_expr(s.node, types_of(frame))
    if s.dtype is DataType.FLOAT:
        expr = expr.cast(nw.Float64)
    return frame.with_columns(expr.alias(s.name))


def null_safe_join(left: Frame, right: Frame, keys: Sequence[str]) -> Frame:
    """Left join where null keys match each other (SQL's `=` never matches null): DuckDB's
    `IS NOT DISTINCT FROM`, written as one join (steps after aggregation always run on DuckDB;
    each relation narwhals builds costs a bind, and windows join several times)."""
    if not keys:
        return left.join(right, how="cross")
    mine = left.to_native().set_alias("__l")
    theirs = right.to_native().set_alias("__r")
    same = " AND ".join(
        f"__l.{quote_identifier(k)} IS NOT DISTINCT FROM __r.{quote_identifier(k)}" for k in keys
    )
    extra = [c for c in theirs.columns if c not in keys]
    assert not set(extra) & set(mine.columns), extra  # callers join new columns only
    columns = ", ".join(["__l.*", *(f"__r.{quote_identifier(c)}" for c in extra)])
    joined: nw.LazyFrame[Any] = nw.from_native(mine.join(theirs, same, how="left").project(columns))
    return joined


def in_span(time: str, span: tuple[Any, Any], dtype: Any) -> nw.Expr:
    """The rows whose period lies in the covered span (first and last period inclusive)."""
    first, last = (_as_axis_value(v, _is_date(dtype)) for v in span)
    return (nw.col(time) >= nw.lit(first)) & (nw.col(time) <= nw.lit(last))


def _is_date(dtype: Any) -> bool:
    return to_data_type(dtype) is DataType.DATE


def _bounds(frame: Frame, time: str) -> tuple[Any, Any]:
    """The first and last period present (None, None without a dated row)."""
    found = frame.select(nw.col(time).min().alias("lo"), nw.col(time).max().alias("hi"))
    row = found.collect().to_arrow().to_pylist()[0]
    return row["lo"], row["hi"]


def _as_axis_value(value: Any, is_date: bool) -> Any:
    """A period start as the axis' type: a date, or a date-time at midnight."""
    if is_date:
        return value.date() if isinstance(value, dt.datetime) else value
    return value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())


def _periods_back(value: Any, n: int, grain: Grain, calendar: Calendar) -> Any:
    """The start of the period `n` periods before `value`'s (a period start)."""
    if grain is Grain.HOUR:
        return value - dt.timedelta(hours=n)
    unit = {"fiscal_quarter": "quarter", "fiscal_year": "year"}.get(grain.value, grain.value)
    day = value.date() if isinstance(value, dt.datetime) else value
    moved = calendar.shift(day, -n, unit)
    return dt.datetime.combine(moved, dt.time()) if isinstance(value, dt.datetime) else moved


def _periods(
    first: Any, last: Any, grain: Grain, calendar: Calendar, inclusive_end: bool
) -> list[Any]:
    if grain is Grain.HOUR:
        start = first.replace(minute=0, second=0, microsecond=0)
        out, current = [], start
        while current <= last if inclusive_end else current < last:
            out.append(current)
            current += dt.timedelta(hours=1)
        return out
    unit = grain.value
    first_day = first.date() if isinstance(first, dt.datetime) else first
    last_day = last.date() if isinstance(last, dt.datetime) else last
    if not inclusive_end:
        last_day = last_day - dt.timedelta(days=1)
    return calendar.periods(first_day, last_day, unit)


def _elapsed(start: Any, grain: Grain, calendar: Calendar, as_of: Any) -> float | None:
    """Share of the period starting at `start` that has passed by the end of `as_of`."""
    if start is None:
        return None
    day = start.date() if isinstance(start, dt.datetime) else start
    if grain is Grain.HOUR:
        return 1.0 if day <= as_of else None
    unit = {"fiscal_quarter": "quarter", "fiscal_year": "year"}.get(grain.value, grain.value)
    end = calendar.shift(day, 1, unit)
    if as_of < day:
        return None  # not begun: no part of the target is due yet
    if as_of >= end:
        return 1.0
    elapsed: float = ((as_of - day).days + 1) / (end - day).days
    return elapsed


def rank(frame: Frame, s: RankStep) -> Frame:
    """Position (ties share the best), or the quantile score 1..buckets (see `Rank`)."""
    position = nw.col(s.of).rank("min", descending=s.desc)
    position = position.over(*s.within) if s.within else position
    if s.buckets is None:
        return frame.with_columns(position.cast(nw.Int64).alias(s.name))
    # rank from the other end, minus one: how many rows are strictly behind this one
    behind = nw.col(s.of).rank("min", descending=not s.desc) - 1
    behind = behind.over(*s.within) if s.within else behind
    counted = nw.col(s.of).count()
    counted = counted.over(*s.within) if s.within else counted
    # Integer arithmetic: floor(b * behind / n) exactly, no float rounding at bucket edges.
    score = 1 + (s.buckets * behind) // counted
    return frame.with_columns(score.cast(nw.Int64).alias(s.name))
