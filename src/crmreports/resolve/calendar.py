"""Calendar arithmetic in plain Python: period starts, shifts, fiscal labels, relative ranges.

The resolver turns relative filters ("last 3 months") into fixed date ranges here, with the
same week start and fiscal year start that the grouping uses, so a filter and the buckets it
feeds always agree. Nothing here touches data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# Units a period can be counted in.
UNITS = ("day", "week", "month", "quarter", "year", "fiscal_quarter", "fiscal_year")


@dataclass(frozen=True)
class Calendar:
    """Week start (1 = Monday ... 7 = Sunday, ISO) and fiscal year start month (1 = January)."""

    week_start: int = 1
    fiscal_year_start: int = 1
    fiscal_year_named_by: str = "end"  # "end": FY2025 ends in 2025 (US); "start": begins in it

    def period_start(self, day: dt.date, unit: str) -> dt.date:
        """First day of the period of `unit` that contains `day`.

        >>> Calendar().period_start(dt.date(2025, 1, 1), "week")  # a Wednesday
        datetime.date(2024, 12, 30)
        >>> Calendar(fiscal_year_start=10).period_start(dt.date(2024, 11, 5), "fiscal_year")
        datetime.date(2024, 10, 1)
        """
        if unit == "day":
            return day
        if unit == "week":
            back = (day.isoweekday() - self.week_start) % 7
            return day - dt.timedelta(days=back)
        if unit == "month":
            return day.replace(day=1)
        if unit == "quarter":
            return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        if unit == "year":
            return dt.date(day.year, 1, 1)
        # Fiscal periods: months counted from the fiscal year's first month.
        offset = (day.month - self.fiscal_year_start) % 12
        if unit == "fiscal_quarter":
            return add_months(day.replace(day=1), -(offset % 3))
        if unit == "fiscal_year":
            return add_months(day.replace(day=1), -offset)
        raise ValueError(f"unknown unit {unit!r}")

    def shift(self, start: dt.date, n: int, unit: str) -> dt.date:
        """`start` moved by `n` periods of `unit` (months keep the day, clamped to month end).

        >>> Calendar().shift(dt.date(2024, 3, 31), -1, "month")
        datetime.date(2024, 2, 29)
        """
        if unit == "day":
            return start + dt.timedelta(days=n)
        if unit == "week":
            return start + dt.timedelta(weeks=n)
        months = {"month": 1, "quarter": 3, "fiscal_quarter": 3, "year": 12, "fiscal_year": 12}
        return add_months(start, n * months[unit])

    def fiscal_year(self, day: dt.date) -> int:
        """The fiscal year containing `day`, named by the calendar year in which it ends.

        With a fiscal year starting in October, 2024-10-01 .. 2025-09-30 is FY2025.

        >>> Calendar(fiscal_year_start=10).fiscal_year(dt.date(2024, 10, 1))
        2025
        >>> Calendar().fiscal_year(dt.date(2024, 10, 1))
        2024
        """
        if self.fiscal_year_start == 1:
            return day.year
        starts_in = day.year if day.month >= self.fiscal_year_start else day.year - 1
        return starts_in + 1 if self.fiscal_year_named_by == "end" else starts_in

    def fiscal_quarter(self, day: dt.date) -> int:
        """1-4: the quarter of the fiscal year containing `day`."""
        return (day.month - self.fiscal_year_start) % 12 // 3 + 1

    def fiscal_label(self, day: dt.date, unit: str) -> str:
        """'FY2025' or 'FY2025-Q1' for the fiscal period containing `day`.

        >>> Calendar(fiscal_year_start=10).fiscal_label(dt.date(2024, 12, 15), "fiscal_quarter")
        'FY2025-Q1'
        """
        year = f"FY{self.fiscal_year(day)}"
        return year if unit == "fiscal_year" else f"{year}-Q{self.fiscal_quarter(day)}"

    def relative_range(
        self, op: str, n: int, unit: str, as_of: dt.date, include_current: bool = False
    ) -> tuple[dt.date, dt.date]:
        """[start, end) of a relative period, seen from `as_of`.

        - `this`: the period containing as_of.
        - `previous`: the n-th period before it (n=1: last month).
        - `last`: the n complete periods before the current one; with include_current, the
          current (partial) period counts as one of the n.
        - `next`: the n periods after the current one.
        - `to_date`: from the start of the current period through as_of (inclusive).

        >>> Calendar().relative_range("last", 3, "month", dt.date(2024, 5, 31))
        (datetime.date(2024, 2, 1), datetime.date(2024, 5, 1))
        >>> Calendar().relative_range("to_date", 1, "year", dt.date(2024, 5, 31))
        (datetime.date(2024, 1, 1), datetime.date(2024, 6, 1))
        """
        current = self.period_start(as_of, unit)
        if op == "this":
            return current, self.shift(current, 1, unit)
        if op == "previous":
            start = self.shift(current, -n, unit)
            return start, self.shift(start, 1, unit)
        if op == "last":
            if include_current:
                return self.shift(current, -(n - 1), unit), as_of + dt.timedelta(days=1)
            return self.shift(current, -n, unit), current
        if op == "next":
            following = self.shift(current, 1, unit)
            return following, self.shift(following, n, unit)
        if op == "to_date":
            return current, as_of + dt.timedelta(days=1)
        raise ValueError(f"unknown relative op {op!r}")

    def periods(self, first: dt.date, last: dt.date, unit: str) -> list[dt.date]:
        """Every period start from the period of `first` through the period of `last`."""
        out = []
        current = self.period_start(first, unit)
        while current <= last:
            out.append(current)
            current = self.shift(current, 1, unit)
        return out


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus a number of months, clamped to the last day of the target month.

    >>> add_months(dt.date(2024, 1, 31), 1)
    datetime.date(2024, 2, 29)
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    days_in_month = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, days_in_month))
