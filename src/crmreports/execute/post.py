"""Steps over the aggregated results: formulas, windows, joins, gap filling, having, sort.

The inputs are small (result rows, not source rows), so they always run on DuckDB over Arrow,
whatever backend computed the aggregates: a window or a join gives the same answer for every
input kind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import duckdb
import narwhals as nw
import pyarrow as pa

from crmreports.execute.dtypes import to_data_type
from crmreports.execute.formula import to_expr
from crmreports.execute.rows import RowCompiler, time_bucket
from crmreports.plan import (
    AcrossStep,
    CompareStep,
    FormulaStep,
    GapFill,
    HavingStep,
    LimitStep,
    PacingStep,
    PostStep,
    RankStep,
    RollingStep,
    RunningStep,
    ShareStep,
    SortStep,
)
from crmreports.resolve import Calendar, DataType
from crmreports.spec import Grain

Frame = nw.LazyFrame[Any]


class PostRunner:
    def __init__(self, cursor: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> None:
        self.cursor = cursor
        self.tables = tables

    def frame(self, name: str) -> Frame:
        return nw.from_native(self.cursor.from_arrow(self.tables[name]))

    def run(self, frame: Frame, steps: Sequence[PostStep]) -> Frame:
        for step in steps:
            frame = self.step(frame, step)
        return frame

    def step(self, frame: Frame, s: PostStep) -> Frame:
        if isinstance(s, FormulaStep):
            return formula(frame, s)
        if isinstance(s, AcrossStep):
            return self.across(frame, s.query, s.keys, s.zero_fill)
        if isinstance(s, GapFill):
            return self.gap_fill(frame, s)
        if isinstance(s, RunningStep):
            return running(frame, s)
        if isinstance(s, RollingStep):
            return self.rolling(frame, s)
        if isinstance(s, CompareStep):
            return self.compare(frame, s)
        if isinstance(s, ShareStep):
            return self.share(frame, s)
        if isinstance(s, PacingStep):
            return self.pacing(frame, s)
        if isinstance(s, RankStep):
            return rank(frame, s)
        if isinstance(s, HavingStep):
            rows = RowCompiler(types_of(frame))
            for p in s.predicates:
                frame = frame.filter(rows.predicate(p))
            return frame
        if isinstance(s, SortStep):
            if not s.keys:
                return frame
            return frame.sort(
                [k.name for k in s.keys], descending=[k.desc for k in s.keys], nulls_last=True
            )
        if isinstance(s, LimitStep):
            return frame.head(s.n)
        raise AssertionError(s)  # pragma: no cover

    # --- steps that need other results --------------------------------------------------------

    def across(
        self, frame: Frame, query: str, keys: Sequence[str], zero_fill: Sequence[str]
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
        joined = null_safe_join(null_safe_join(everything, frame, keys), other, keys)
        schema = frame.collect_schema()
        zeros = [nw.col(m).fill_null(0).cast(schema[m]).alias(m) for m in zero_fill]
        return joined.with_columns(*zeros) if zeros else joined

    def gap_fill(self, frame: Frame, s: GapFill) -> Frame:
        measures = [name for name, _ in s.fills]
        return fill_gaps(self.cursor, frame, s.time, s.grain, s.calendar, s.fills, measures,
                         s.start, s.end)  # fmt: skip

    def rolling(self, frame: Frame, s: RollingStep) -> Frame:
        source = frame if s.query == "main" else self.run(self.frame(s.query), s.prepare)
        keys = [*s.partition, s.time]  # the dimensions only: other measures are no keys
        # Rows without a date belong to no window (their value stays null).
        source = source.filter(~nw.col(s.time).is_null()).select(*keys, s.of)
        filled = fill_gaps(self.cursor, source, s.time, s.grain, s.calendar,
                           ((s.of, s.fill),), [s.of], None, None)  # fmt: skip
        column = nw.col(s.of)
        # Rows are consecutive periods after filling, so N rows are N calendar periods.
        window = (column.rolling_sum if s.agg == "sum" else column.rolling_mean)(
            s.periods, min_samples=1
        )
        partition = [k for k in keys if k != s.time]
        if partition:
            windowed = window.over(*partition, order_by=s.time)
        else:
            windowed = window.over(order_by=s.time)
        # DuckDB sums integers as DECIMAL; a rolling sum keeps the measure's own type.
        target = source.collect_schema()[s.of] if s.agg == "sum" else nw.Float64
        result = filled.select(*keys, windowed.cast(target).alias(s.name))
        return null_safe_join(frame, result, keys)

    def compare(self, frame: Frame, s: CompareStep) -> Frame:
        """Each row looks up the row `offset` earlier. The *current* date is moved back (Mar 31
        minus a month is Feb 29), so every row finds at most one earlier row; moving earlier
        rows forward would map Jan 29 and Jan 31 both onto Feb 29."""
        source = frame if s.query == "main" else self.run(self.frame(s.query), s.prepare)
        keys = [k for k in s.keys if k in source.collect_schema()]
        if s.fill is not None:  # the axis is completed: an empty earlier period reads as such
            source = fill_gaps(
                self.cursor, source.select(*keys, s.of), s.time, s.grain, s.calendar,
                ((s.of, s.fill),), [s.of], s.start, s.end,
            )  # fmt: skip
        time_type = frame.collect_schema()[s.time]
        key = f"{s.name}__key"
        others = [k for k in keys if k != s.time]
        # Rows without a date have no "period before": they never match, nor are matched.
        earlier = source.filter(~nw.col(s.time).is_null()).select(
            *others, nw.col(s.time).alias(key), nw.col(s.of).alias(f"{s.name}__then")
        )
        moved_back = nw.col(s.time).dt.offset_by(f"-{s.offset}").cast(time_type).alias(key)
        joined = null_safe_join(frame.with_columns(moved_back), earlier, [*others, key])
        then, now = nw.col(f"{s.name}__then"), nw.col(s.of)
        if s.show == "value":
            value = then
        elif s.show == "change":
            value = now - then
        else:  # relative change; no base (0 or missing) gives null, never infinity
            value = nw.when(then != 0).then((now - then) / then)
        target = nw.Float64 if s.dtype is DataType.FLOAT else frame.collect_schema()[s.of]
        return joined.with_columns(value.cast(target).alias(s.name)).drop(f"{s.name}__then", key)

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


def running(frame: Frame, s: RunningStep) -> Frame:
    partition = list(s.partition)
    extra = None
    if s.reset != "none":
        extra = f"{s.name}__period"
        grain = Grain(s.reset)
        time_type = to_data_type(frame.collect_schema()[s.time])
        frame = frame.with_columns(
            time_bucket(nw.col(s.time), grain, s.calendar, time_type).alias(extra)
        )
        partition.append(extra)
    # Rows without a date are on no time axis: they have no running total, and their values
    # must not leak into the totals of the dated rows (a null date sorts first).
    dated = ~nw.col(s.time).is_null()
    total = nw.when(dated).then(nw.col(s.of)).otherwise(0).cum_sum()
    total = total.over(*partition, order_by=s.time) if partition else total.over(order_by=s.time)
    source_type = frame.collect_schema()[s.of]
    total = nw.when(dated).then(total)
    frame = frame.with_columns(total.cast(source_type).alias(s.name))
    return frame.drop(extra) if extra else frame


def _key_columns(frame: Frame, measures: Sequence[str]) -> list[str]:
    return [c for c in frame.collect_schema() if c not in measures]


def null_safe_join(left: Frame, right: Frame, keys: Sequence[str]) -> Frame:
    """Left join where null keys match each other (SQL's `=` never matches null).

    Each key is compared as (is it null, its text): a date, a number and a string cast to text
    on the same engine give the same text on both sides."""
    if not keys:
        return left.join(right, how="cross")
    pairs = []
    for i, k in enumerate(keys):
        pairs += [
            nw.col(k).is_null().alias(f"__k{i}_null"),
            nw.col(k).cast(nw.String).fill_null("").alias(f"__k{i}_text"),
        ]
    helper = [f"__k{i}_{part}" for i in range(len(keys)) for part in ("null", "text")]
    right = right.with_columns(*pairs).drop(*keys)
    joined = left.with_columns(*pairs).join(right, on=helper, how="left")
    return joined.drop(*helper)


def fill_gaps(
    cursor: duckdb.DuckDBPyConnection,
    frame: Frame,
    time: str,
    grain: Grain,
    calendar: Calendar,
    fills: Sequence[tuple[str, str]],
    measures: Sequence[str],
    start: Any,
    end: Any,
) -> Frame:
    """Every period from start (or the first in the data) to end (or the last), for every
    combination of the other key columns seen; missing measures take their fill value."""
    schema = frame.collect_schema()
    others = [c for c in schema if c != time and c not in measures]
    found = frame.select(nw.col(time).min().alias("lo"), nw.col(time).max().alias("hi"))
    bounds = found.collect().to_arrow().to_pylist()[0]
    first = start if start is not None else bounds["lo"]
    last = end if end is not None else bounds["hi"]
    if first is None or last is None:
        return frame
    is_date = to_data_type(schema[time]) is DataType.DATE
    periods = _periods(first, last, grain, calendar, inclusive_end=end is None)
    if not periods:
        return frame
    if not is_date:  # a datetime axis: calendar periods (dates) start at midnight
        periods = [p if isinstance(p, dt.datetime) else dt.datetime.combine(p, dt.time())
                   for p in periods]  # fmt: skip
    axis = pa.table({time: pa.array(periods, pa.date32() if is_date else pa.timestamp("us"))})
    grid: Frame = nw.from_native(cursor.from_arrow(axis))
    if others:
        combos = frame.select(*others).unique()
        grid = combos.join(grid, how="cross")
    marker = "__present"
    data = frame.with_columns(nw.lit(1).alias(marker))
    joined = null_safe_join(grid, data, [*others, time])
    filled = []
    for name, fill in fills:
        if fill == "zero":
            filled.append(
                nw.when(nw.col(marker).is_null()).then(nw.lit(0)).otherwise(nw.col(name))
                .cast(schema[name]).alias(name)
            )  # fmt: skip
    joined = joined.with_columns(*filled) if filled else joined
    # Rows without a date form their own group; the axis only adds periods around them.
    undated = frame.filter(nw.col(time).is_null())
    return nw.concat([joined.drop(marker).select(*schema), undated.select(*schema)])


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
    return ((as_of - day).days + 1) / (end - day).days


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
