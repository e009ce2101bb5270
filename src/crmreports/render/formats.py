"""How values are shown: Python formatting for tables, d3 format strings for chart axes.

Both come from the same measure metadata, so an axis and a table cell never disagree.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from crmreports.resolve import Calendar, ResolvedDimension
from crmreports.spec import DatePart, Format, Grain

NULL_TEXT = "–"  # shown for a missing value; a null *category* is labelled NULL_CATEGORY
NULL_CATEGORY = "(null)"

_D3_NUMBER = {
    Format.INTEGER: ",.0f",
    Format.NUMBER: ",.2~f",
    Format.CURRENCY: "$,.2f",
    Format.PERCENT: ".1%",
}
_D3_TIME = {
    Grain.HOUR: "%Y-%m-%d %H:00",
    Grain.DAY: "%Y-%m-%d",
    Grain.WEEK: "%Y-%m-%d",
    Grain.MONTH: "%b %Y",
    Grain.QUARTER: "%Y-Q%q",
    Grain.YEAR: "%Y",
}


def d3_number_format(fmt: Format) -> str:
    return _D3_NUMBER[fmt]


def d3_axis_format(fmt: Format) -> str:
    """Axis ticks drop the cents: '$120,000' reads faster than '$120,000.00'."""
    return "$,.0f" if fmt is Format.CURRENCY else _D3_NUMBER[fmt]


def d3_time_format(grain: Grain | None) -> str:
    return _D3_TIME.get(grain, "%Y-%m-%d") if grain else "%Y-%m-%d"


def format_number(value: Any, fmt: Format) -> str:
    """`1234.5` as '1,234.50' (number), '1,235' (integer), '$1,234.50', or '12.3%'.

    >>> format_number(1234.5, Format.CURRENCY)
    '$1,234.50'
    >>> format_number(-0.1234, Format.PERCENT)
    '-12.3%'
    >>> format_number(None, Format.NUMBER)
    '–'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NULL_TEXT
    number = float(value)
    if fmt is Format.INTEGER:
        return f"{number:,.0f}"
    if fmt is Format.CURRENCY:
        sign = "-" if number < 0 else ""
        return f"{sign}${abs(number):,.2f}"
    if fmt is Format.PERCENT:
        return f"{number:.1%}"
    if number == int(number) and abs(number) < 1e15:
        return f"{int(number):,}"
    return f"{number:,.2f}"


def format_time(value: Any, grain: Grain | None) -> str:
    """A period label by grain: 'Jan 2024', '2024-Q1', '2024', or an ISO date.

    >>> format_time(dt.date(2024, 4, 1), Grain.QUARTER)
    '2024-Q2'
    """
    if value is None:
        return NULL_TEXT
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, float) and math.isnan(value):
        return NULL_TEXT
    if grain is Grain.MONTH:
        return value.strftime("%b %Y")
    if grain is Grain.QUARTER:
        return f"{value.year}-Q{(value.month - 1) // 3 + 1}"
    if grain is Grain.YEAR:
        return str(value.year)
    if grain in (Grain.DAY, Grain.WEEK) or type(value) is dt.date:
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.strftime("%Y-%m-%d")
        return value.isoformat(sep=" ")
    return str(value)


def format_category(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NULL_CATEGORY
    return str(value)


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_part(value: Any, part: DatePart) -> str:
    """A date part as people say it: 'Mon', 'Jan', 'Q3', '09:00'.

    >>> format_part(1, DatePart.DAY_OF_WEEK), format_part(12, DatePart.MONTH_OF_YEAR)
    ('Mon', 'Dec')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NULL_CATEGORY
    number = int(value)
    if part is DatePart.DAY_OF_WEEK:
        return _WEEKDAYS[number - 1]
    if part is DatePart.MONTH_OF_YEAR:
        return _MONTHS[number - 1]
    if part is DatePart.HOUR_OF_DAY:
        return f"{number:02d}:00"
    if part in (DatePart.QUARTER_OF_YEAR, DatePart.FISCAL_QUARTER_OF_YEAR):
        return f"Q{number}"
    return str(number)


def dimension_formatter(dim: ResolvedDimension, calendar: Calendar) -> Any:
    """The function that turns one value of `dim` into its display text."""
    if dim.part is not None:
        return lambda v, part=dim.part: format_part(v, part)
    if dim.grain in (Grain.FISCAL_QUARTER, Grain.FISCAL_YEAR):
        return lambda v, g=dim.grain: format_fiscal(v, g, calendar)
    if dim.grain is Grain.HOUR:
        return lambda v: NULL_TEXT if v is None else v.strftime("%Y-%m-%d %H:00")
    if dim.is_time:
        return lambda v, g=dim.grain: format_time(v, g)
    return format_category


def format_fiscal(value: Any, grain: Grain, calendar: Calendar) -> str:
    """'FY2025-Q1' / 'FY2025' for the fiscal period starting at `value`."""
    if value is None:
        return NULL_TEXT
    day = value.date() if isinstance(value, dt.datetime) else value
    if hasattr(day, "to_pydatetime"):
        day = day.to_pydatetime().date()
    return calendar.fiscal_label(day, grain.value)
