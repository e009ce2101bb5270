"""A deliberately naive reference for windows over time: rolling, running and compare, with time
filters, empty periods and the covered span. Plain Python loops, written from the rules in
docs/semantics.md ("Windows read the whole calendar"), importing nothing from crmreports.

The reports it describes have one optional `region` dimension, a time dimension `period` over
the date column `day`, the measure `s = sum(amount)` and windows over `s`:

- the covered span is the first to the last period holding any row, whatever the filters;
- a period inside it without rows has s = 0; a period outside it has no data (None);
- a rolling window at P adds the `n` periods ending at P that lie inside the span; an average
  divides by their number; a running total adds the periods inside the span from its start
  (the first row, or the reset period's start) to P; either is None when no such period lies
  inside the span;
- running totals and rolling windows read every row the other filters keep up to the time
  filter's upper bound, whatever its lower bound (a running total from the first row, or from
  the start of its reset period);
- a comparison reads the rows of the report's time range moved back by the offset, and the
  earlier period's s (0 when empty inside the span, None outside it).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

Row = Mapping[str, Any]


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_start(day: dt.date, grain: str) -> dt.date:
    if grain == "day":
        return day
    if grain == "week":
        return day - dt.timedelta(days=day.weekday())
    if grain == "month":
        return dt.date(day.year, day.month, 1)
    if grain == "quarter":
        return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    if grain == "year":
        return dt.date(day.year, 1, 1)
    raise ValueError(grain)


def step(period: dt.date, n: int, grain: str) -> dt.date:
    """The period start `n` periods later (earlier for n < 0)."""
    if grain == "day":
        return period + dt.timedelta(days=n)
    if grain == "week":
        return period + dt.timedelta(days=7 * n)
    months = {"month": 1, "quarter": 3, "year": 12}[grain]
    return add_months(period, n * months)


def shift(day: dt.date, n: int, unit: str, grain: str) -> dt.date:
    """`day` moved back by n units ("period" = one grain); a year on a weekly axis is 52
    weeks, so a week start stays a week start."""
    if unit == "period":
        unit = grain
    if grain == "week" and unit in ("month", "quarter", "year"):
        return day - dt.timedelta(days=7 * {"month": 4, "quarter": 13, "year": 52}[unit] * n)
    if unit == "day":
        return day - dt.timedelta(days=n)
    if unit == "week":
        return day - dt.timedelta(days=7 * n)
    return add_months(day, -n * {"month": 1, "quarter": 3, "year": 12}[unit])


class TimeFilter:
    """`lower <= day` (when set) and `day < upper` / `day <= upper` (when set)."""

    def __init__(self, lower: dt.date | None, upper: dt.date | None, upper_inclusive: bool) -> None:
        self.lower, self.upper, self.upper_inclusive = lower, upper, upper_inclusive

    def keeps(self, day: dt.date | None, *, lower: bool = True) -> bool:
        if self.lower is None and self.upper is None:
            return True
        if day is None:
            return False
        if lower and self.lower is not None and day < self.lower:
            return False
        if self.upper is not None:
            if self.upper_inclusive and day > self.upper:
                return False
            if not self.upper_inclusive and day >= self.upper:
                return False
        return True

    def moved_back(self, n: int, unit: str, grain: str) -> TimeFilter:
        lower = None if self.lower is None else shift(self.lower, n, unit, grain)
        upper = None if self.upper is None else shift(self.upper, n, unit, grain)
        return TimeFilter(lower, upper, self.upper_inclusive)


def compute(
    rows: Sequence[Row],
    *,
    grain: str,
    by_region: bool,
    time_filter: TimeFilter,
    region_is: str | None,
    fill_gaps: bool,
    rolling: int,
    reset: str | None,
    offset: tuple[int, str],
) -> list[dict[str, Any]]:
    """Rows {region?, period, s, roll_sum, roll_avg, run, prev} in no particular order."""

    def other_filters(row: Row) -> bool:
        return region_is is None or row["region"] == region_is

    def group(row: Row) -> Any:
        return row["region"] if by_region else None

    dated = [period_start(r["day"], grain) for r in rows if r["day"] is not None]
    span = (min(dated), max(dated)) if dated else None

    def inside(period: dt.date | None) -> bool:
        return period is not None and span is not None and span[0] <= period <= span[1]

    def total(kept: list[Row], region: Any, periods: set[dt.date]) -> float:
        out = 0.0
        for r in kept:
            dated = r["day"] is not None and r["amount"] is not None
            if group(r) == region and dated and period_start(r["day"], grain) in periods:
                out += r["amount"]
        return out

    shown = [r for r in rows if other_filters(r) and time_filter.keeps(r["day"])]
    keys = report_periods(shown, grain, group, time_filter, fill_gaps, by_region)

    # Windows read every row the other filters keep up to the upper bound.
    window_rows = [r for r in rows if other_filters(r) and time_filter.keeps(r["day"], lower=False)]
    n_back, unit = offset
    earlier_filter = time_filter.moved_back(n_back, unit, grain)
    compare_rows = [r for r in rows if other_filters(r) and earlier_filter.keeps(r["day"])]

    out = []
    for (region, period), members in keys.items():
        row: dict[str, Any] = {"region": region, "period": period}
        if members:
            row["s"] = sum(r["amount"] for r in members if r["amount"] is not None) * 1.0
        else:
            row["s"] = 0.0 if inside(period) else None
        row["roll_sum"] = row["roll_avg"] = row["run"] = row["prev"] = None
        if period is not None and span is not None:
            values = []
            for k in range(rolling):
                q = step(period, -k, grain)
                if inside(q):
                    values.append(total(window_rows, region, {q}))
            if values:
                row["roll_sum"] = sum(values)
                row["roll_avg"] = sum(values) / len(values)
            start = span[0] if reset is None else period_start(period, reset)
            covered = set()
            q = max(start, span[0])
            while q <= min(period, span[1]):
                covered.add(q)
                q = step(q, 1, grain)
            if covered:
                row["run"] = total(window_rows, region, covered)
        if period is not None:
            then = shift(period, n_back, unit, grain)
            if inside(then):
                row["prev"] = total(compare_rows, region, {then})
        out.append(row)
    return out


def report_periods(
    shown: Sequence[Row],
    grain: str,
    group: Callable[[Row], Any],
    time_filter: TimeFilter,
    fill_gaps: bool,
    by_region: bool,
) -> dict[tuple[Any, dt.date | None], list[Row]]:
    """The report's rows by (group, period): those shown, and with `fill_gaps` every period from
    the filter's lower bound (else the first shown) to its upper bound (else the last shown),
    for every combination of the other dimensions seen (without any, the axis alone)."""
    keys: dict[tuple[Any, dt.date | None], list[Row]] = {}
    for r in shown:
        period = None if r["day"] is None else period_start(r["day"], grain)
        keys.setdefault((group(r), period), []).append(r)
    if not fill_gaps:
        return keys
    present = [p for _, p in keys if p is not None]
    first = period_start(time_filter.lower, grain) if time_filter.lower else None
    if first is None and present:
        first = min(present)
    if time_filter.upper is not None:
        last_day = time_filter.upper
        if not time_filter.upper_inclusive:
            last_day = last_day - dt.timedelta(days=1)
        last: dt.date | None = period_start(last_day, grain)
    else:
        last = max(present) if present else None
    regions = {region for region, _ in keys} if by_region else {None}
    if first is not None and last is not None:
        p = first
        while p <= last:
            for region in regions:
                keys.setdefault((region, p), [])
            p = step(p, 1, grain)
    return keys
