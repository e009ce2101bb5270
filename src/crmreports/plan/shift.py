"""Moving a report's time filter for the windows that read beyond it: back by an offset
(period-over-period reads the earlier period from base rows), or earlier at the start only
(a rolling window reads the periods before the first one shown, a running total the start of
its reset period or the whole history). A widened start is first moved to the start of its
period, so a window always adds up whole periods. Only top-level comparisons, ranges and
relative dates on the time dimension's own column are moved; anything else applies unchanged
(and `fixed_time_filters` names the ones that read the time column, for a note)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from crmreports.resolve import (
    Between,
    Calendar,
    Comparison,
    DateRange,
    NullTest,
    Predicate,
    ResolvedDimension,
    columns_read,
)
from crmreports.spec import Grain
from crmreports.spec.formula import Ref

# The unit "1 period" means, per grain.
_GRAIN_UNIT = {
    Grain.HOUR: "hour",
    Grain.DAY: "day",
    Grain.WEEK: "week",
    Grain.MONTH: "month",
    Grain.QUARTER: "quarter",
    Grain.YEAR: "year",
    Grain.FISCAL_QUARTER: "quarter",
    Grain.FISCAL_YEAR: "year",
}


def effective_unit(unit: str, grain: Grain) -> str:
    """'period' as the grain's unit; a year back on a weekly axis is 52 weeks, so the earlier
    bucket is again a week start."""
    if unit == "period":
        return _GRAIN_UNIT[grain]
    if unit == "fiscal_quarter":
        return "quarter"
    if unit == "fiscal_year":
        return "year"
    return unit


def offset_text(n: int, unit: str, grain: Grain) -> str:
    """A narwhals `offset_by` string for moving a bucket forward by n units.

    >>> offset_text(1, "year", Grain.MONTH), offset_text(1, "period", Grain.QUARTER)
    ('1y', '3mo')
    >>> offset_text(1, "year", Grain.WEEK)
    '364d'
    """
    unit = effective_unit(unit, grain)
    if grain is Grain.WEEK and unit in {"month", "quarter", "year"}:
        weeks = {"month": 4, "quarter": 13, "year": 52}[unit]
        return f"{7 * weeks * n}d"
    return {
        "hour": f"{n}h",
        "day": f"{n}d",
        "week": f"{7 * n}d",
        "month": f"{n}mo",
        "quarter": f"{3 * n}mo",
        "year": f"{n}y",
    }[unit]


def _shift_value(value: Any, n: int, unit: str, grain: Grain, calendar: Calendar) -> Any:
    unit = effective_unit(unit, grain)
    if grain is Grain.WEEK and unit in {"month", "quarter", "year"}:
        return value - dt.timedelta(days=7 * {"month": 4, "quarter": 13, "year": 52}[unit] * n)
    if unit == "hour":
        return value - dt.timedelta(hours=n)
    if isinstance(value, dt.datetime):
        moved = calendar.shift(value.date(), -n, unit)
        return dt.datetime.combine(moved, value.time(), value.tzinfo)
    if isinstance(value, dt.date):
        return calendar.shift(value, -n, unit)
    return value


def _on_time(p: Predicate, time: ResolvedDimension) -> bool:
    return isinstance(time.value, Ref) and getattr(p, "field", None) == time.value.name


def shift_time_filters(
    filters: tuple[Predicate, ...],
    time: ResolvedDimension,
    offset: tuple[int, str],
    calendar: Calendar,
    lower_only: bool = False,
) -> tuple[Predicate, ...]:
    """`filters` with the time dimension's bounds moved back by `offset` (only the lower
    bound with `lower_only`)."""
    n, unit = offset
    assert time.grain is not None
    if n == 0:
        return filters

    def move(value: Any) -> Any:
        return _shift_value(value, n, unit, time.grain, calendar)  # type: ignore[arg-type]

    out: list[Predicate] = []
    for p in filters:
        if not _on_time(p, time):
            out.append(p)
        elif isinstance(p, Comparison):
            lower = p.op in {"gt", "ge"}
            out.append(replace(p, value=move(p.value)) if lower or not lower_only else p)
        elif isinstance(p, Between):
            high = p.high if lower_only else move(p.high)
            out.append(replace(p, low=move(p.low), high=high))
        elif isinstance(p, DateRange):
            end = p.end if lower_only else move(p.end)
            out.append(replace(p, start=move(p.start), end=end))
        else:
            out.append(p)
    return tuple(out)


def time_filter_bounds(
    filters: tuple[Predicate, ...], time: ResolvedDimension
) -> tuple[Any | None, Any | None]:
    """[start, end) the filters put on the time column, where they say (for gap filling)."""
    start: Any = None
    end: Any = None
    for p in filters:
        if not _on_time(p, time):
            continue
        if isinstance(p, DateRange):
            start, end = p.start, p.end
        elif isinstance(p, Between):
            start, end = p.low, _after(p.high)
        elif isinstance(p, Comparison) and p.op in {"ge", "gt"}:
            start = p.value
        elif isinstance(p, Comparison) and p.op == "lt":
            end = p.value
        elif isinstance(p, Comparison) and p.op == "le":
            end = _after(p.value)
    return start, end


def _after(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value + dt.timedelta(microseconds=1)
    if isinstance(value, dt.date):
        return value + dt.timedelta(days=1)
    return value


def widen_time_filters(
    filters: tuple[Predicate, ...],
    time: ResolvedDimension,
    calendar: Calendar,
    *,
    periods_back: int = 0,
    to_start_of: str | None = None,
    unbounded: bool = False,
) -> tuple[Predicate, ...]:
    """`filters` with the lower bound on the time column moved to the start of its period,
    then `periods_back` periods earlier (a rolling window), or to the start of the period of
    unit `to_start_of` holding it (year to date), or dropped (`unbounded`: a running total
    from the first row). The upper bound stays: a window never reads past what is shown.

    >>> from crmreports.resolve import Calendar, Comparison, DataType
    >>> month = ResolvedDimension("m", "M", Ref("d"), DataType.DATE, DataType.DATE, Grain.MONTH)
    >>> since = (Comparison("d", "gt", dt.date(2024, 4, 15), False),)
    >>> widen_time_filters(since, month, Calendar(), periods_back=2)[0].value
    datetime.date(2024, 2, 1)
    >>> widen_time_filters(since, month, Calendar(), to_start_of="year")[0].value
    datetime.date(2024, 1, 1)
    """
    assert time.grain is not None
    grain = time.grain

    def earlier(value: Any) -> Any:
        start = _period_start(value, grain, calendar)
        if to_start_of is not None:
            return _period_start(start, Grain(to_start_of), calendar)
        return _shift_value(start, periods_back, "period", grain, calendar)

    out: list[Predicate] = []
    for p in filters:
        if not _on_time(p, time):
            out.append(p)
        elif isinstance(p, Comparison) and p.op in {"gt", "ge"}:
            if not unbounded:
                out.append(replace(p, op="ge", value=earlier(p.value)))
        elif isinstance(p, Between):
            high = Comparison(p.field, "le", p.high, p.keep_nulls)
            out.append(high if unbounded else replace(p, low=earlier(p.low)))
        elif isinstance(p, DateRange):
            end = Comparison(p.field, "lt", p.end, False)
            out.append(end if unbounded else replace(p, start=earlier(p.start)))
        else:
            out.append(p)
    return tuple(out)


def fixed_time_filters(
    filters: tuple[Predicate, ...], time: ResolvedDimension
) -> tuple[Predicate, ...]:
    """The filters that read the time column but are no plain range on it (a list of dates,
    a formula): windows cannot look past them, so their earlier periods are read from the
    filtered rows only."""
    if not isinstance(time.value, Ref):
        return ()
    column = time.value.name
    # A null test keeps or drops undated rows only, which are on no time axis anyway.
    harmless = (Comparison, Between, DateRange, NullTest)
    return tuple(
        p
        for p in filters
        if column in columns_read(p) and not (_on_time(p, time) and isinstance(p, harmless))
    )


def _period_start(value: Any, grain: Grain, calendar: Calendar) -> Any:
    """The first instant of the `grain` period holding `value`, of the same type."""
    if isinstance(value, dt.datetime):
        if grain is Grain.HOUR:
            return value.replace(minute=0, second=0, microsecond=0)
        day = calendar.period_start(value.date(), grain.value)
        return dt.datetime.combine(day, dt.time(), value.tzinfo)
    if isinstance(value, dt.date) and grain is not Grain.HOUR:
        return calendar.period_start(value, grain.value)
    return value
