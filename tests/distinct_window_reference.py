"""A deliberately naive reference for a distinct count over a rolling window ("active customers
in the trailing 3 months"): plain Python loops, written from docs/semantics.md ("Windows read
the whole calendar"), importing nothing from crmreports (only the calendar helpers of
tests/window_reference.py).

The reports it describes have an optional `region` dimension, a time dimension `period` over the
date column `day`, the measure `customers = count_distinct(customer)` (optionally over only the
rows whose `status` is "won") and `active = customers` over the `n` periods ending at each row:

- the covered span is the first to the last period holding any row, whatever the filters;
- at a period P the window is the n periods ending at P; when none of them lies inside the span
  it has no data (None), else it counts each non-null customer once, among the rows the other
  filters keep (the time filter only by its upper bound: a window reads periods before the
  filter's start) whose period lies in the window and whose region is the row's;
- rows without a date form their own row, whose window is None.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from tests.window_reference import TimeFilter, period_start, report_periods, step

Row = Mapping[str, Any]


def compute(
    rows: Sequence[Row],
    *,
    grain: str,
    periods: int,
    by_region: bool,
    time_filter: TimeFilter,
    region_is: str | None,
    won_only: bool,
    fill_gaps: bool,
) -> list[dict[str, Any]]:
    """Rows {region?, period, customers, active} in no particular order."""

    def other_filters(row: Row) -> bool:
        return region_is is None or row["region"] == region_is

    def counted(row: Row) -> bool:  # the measure's own filter
        return not won_only or row["status"] == "won"

    def group(row: Row) -> Any:
        return row["region"] if by_region else None

    dated = [period_start(r["day"], grain) for r in rows if r["day"] is not None]
    span = (min(dated), max(dated)) if dated else None

    def inside(period: dt.date) -> bool:
        return span is not None and span[0] <= period <= span[1]

    shown = [r for r in rows if other_filters(r) and time_filter.keeps(r["day"])]
    keys = report_periods(shown, grain, group, time_filter, fill_gaps, by_region)

    window_rows = [r for r in rows if other_filters(r) and time_filter.keeps(r["day"], lower=False)]
    out = []
    for (region, period), members in keys.items():
        row: dict[str, Any] = {"region": region, "period": period}
        customers = {r["customer"] for r in members if counted(r) and r["customer"] is not None}
        if members or (period is not None and inside(period)):
            row["customers"] = len(customers)
        else:
            row["customers"] = None  # a filled period outside the span has no data
        row["active"] = None
        if period is not None:
            window = [step(period, -k, grain) for k in range(periods)]
            if any(inside(q) for q in window):
                seen = set()
                for r in window_rows:
                    if r["day"] is None or r["customer"] is None or not counted(r):
                        continue
                    if group(r) == region and period_start(r["day"], grain) in window:
                        seen.add(r["customer"])
                row["active"] = len(seen)
        out.append(row)
    return out
