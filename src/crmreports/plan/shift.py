"""Moving a report's time filter: back by an offset (period-over-period reads the earlier
period from base rows) or further back at the start (rolling windows need the periods before
the first one shown). Only top-level comparisons, ranges and relative dates on the time
dimension's own column are moved; anything else applies unchanged."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from crmreports.resolve import (
    Between,
    Calendar,
    Comparison,
    DateRange,
    Predicate,
    ResolvedDimension,
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
    start = end = None
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
