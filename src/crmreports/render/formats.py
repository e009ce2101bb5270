"""How values are shown: one module for table cells, tooltips, mark labels and chart axes.

Tables, tooltips and labels are formatted here in Python (`format_number`, `measure_formatter`);
axis and legend ticks are formatted by Vega in the browser, with the expression that
`number_expr` builds from the same `NumberStyle`. `format_tick` is the Python twin of that
expression (tests render charts through Vega and compare), so an axis and a table cell never
disagree. Rounding is half-up on the exact binary value, as JavaScript's `toFixed` rounds.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from crmreports.plan import distinct_label
from crmreports.resolve import Calendar, ResolvedDimension, ResolvedMeasure
from crmreports.spec import DatePart, Format, Grain

NULL_TEXT = "–"  # shown for a missing value; a null *category* is labelled NULL_CATEGORY
NULL_CATEGORY = "(null)"

# Symbols readers recognise without ambiguity; any other code is written before the number.
CURRENCY_SYMBOLS = {
    "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "CN¥", "INR": "₹", "KRW": "₩",
    "BRL": "R$", "CAD": "CA$", "AUD": "A$", "NZD": "NZ$", "MXN": "MX$", "HKD": "HK$",
    "ILS": "₪", "NGN": "₦", "PHP": "₱", "VND": "₫", "TRY": "₺", "UAH": "₴",
}  # fmt: skip
# Currencies without minor units in everyday use: ¥1,235, never ¥1,234.50.
ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "KRW", "VND", "CLP", "ISK", "UGX", "PYG"})
_COMPACT = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))
_UNIT_SUFFIX = {"hours": " h", "days": " d"}


@dataclass(frozen=True)
class NumberStyle:
    """Everything that decides how a number is written: the format and its currency/unit."""

    format: Format = Format.NUMBER
    currency: str | None = None
    unit: str | None = None

    @classmethod
    def of(cls, measure: ResolvedMeasure) -> NumberStyle:
        return cls(measure.format, measure.currency, measure.unit)

    @property
    def prefix(self) -> str:
        if self.currency is None or self.format not in (Format.CURRENCY, Format.COMPACT):
            return ""
        return currency_prefix(self.currency)

    @property
    def suffix(self) -> str:
        return _UNIT_SUFFIX.get(self.unit or "hours", "") if self.format is Format.DURATION else ""


def currency_prefix(code: str) -> str:
    """'€' for EUR; the code and a space for currencies without a well-known symbol.

    >>> currency_prefix("GBP"), currency_prefix("CHF")
    ('£', 'CHF ')
    """
    return CURRENCY_SYMBOLS.get(code, f"{code} ")


def format_number(
    value: Any, fmt: Format, *, currency: str | None = None, unit: str | None = None
) -> str:
    """A number for people: tables, tooltips and labels.

    >>> format_number(1234.5, Format.CURRENCY)
    '$1,234.50'
    >>> format_number(-0.1234, Format.PERCENT)
    '-12.3%'
    >>> format_number(1_234_567, Format.COMPACT, currency="EUR")
    '€1.2M'
    >>> format_number(36.25, Format.DURATION, unit="hours")
    '36.3 h'
    >>> format_number(None, Format.NUMBER)
    '–'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NULL_TEXT
    style = NumberStyle(fmt, currency or ("USD" if fmt is Format.CURRENCY else None), unit)
    return _write(float(value), style, axis=False)


def format_tick(value: float, style: NumberStyle) -> str:
    """An axis or legend tick, exactly as `number_expr` writes it in the browser: fewer
    decimals than a table cell (trailing zeros dropped: '$2.5', '25%'), as ticks are round.

    >>> format_tick(2.5, NumberStyle(Format.CURRENCY, "USD"))
    '$2.5'
    >>> format_tick(0.25, NumberStyle(Format.PERCENT))
    '25%'
    """
    return _write(float(value), style, axis=True)


def _write(number: float, style: NumberStyle, axis: bool) -> str:
    if math.isinf(number):
        return "∞" if number > 0 else "-∞"
    body = _magnitude(abs(number), style, axis)
    sign = "-" if number < 0 and any(c in "123456789" for c in body) else ""
    return f"{sign}{style.prefix}{body}{style.suffix}"


def _magnitude(x: float, style: NumberStyle, axis: bool) -> str:
    """The unsigned number, without prefix or suffix."""
    fmt = style.format
    if fmt is Format.INTEGER:
        return _fixed(x, 0)
    if fmt is Format.PERCENT:
        return _fixed(x * 100, 1, trim=axis, group=False) + "%"
    if fmt is Format.COMPACT:
        return _compact(x, 2 if axis else 1)
    if fmt is Format.DURATION:
        return _fixed(x, 2 if axis else 1, trim=True)
    if fmt is Format.CURRENCY:
        decimals = 0 if style.currency in ZERO_DECIMAL_CURRENCIES else 2
        return _fixed(x, decimals, trim=axis)
    if not axis and x == int(x) and x < 1e15:
        return f"{int(x):,}"
    return _fixed(x, 2, trim=axis)


def _fixed(x: float, decimals: int, *, trim: bool = False, group: bool = True) -> str:
    """`x` with `decimals` places, rounded half-up on its exact value (JavaScript `toFixed`)."""
    quantum = Decimal(1).scaleb(-decimals)
    text = format(Decimal(x).quantize(quantum, rounding=ROUND_HALF_UP), ",f" if group else "f")
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _compact(x: float, decimals: int) -> str:
    # A value that rounds up to 1000 of one unit is written in the next: 999,960 -> 1M.
    edge = 1 - 5 * 10 ** -(decimals + 4)
    for limit, suffix in _COMPACT:
        if x >= limit * edge:
            return _fixed(x / limit, decimals, trim=True, group=False) + suffix
    return _fixed(x, decimals, trim=True, group=False)


# --- the same formats as Vega expressions (axes and legends) --------------------------------


def number_expr(style: NumberStyle, ref: str = "datum.value") -> str:
    """A Vega expression writing the number `ref` as `format_tick` does, for `labelExpr`."""
    v = f"abs({ref})"
    fmt = style.format
    if fmt is Format.INTEGER:
        body = f"format({v}, ',.0f')"
    elif fmt is Format.PERCENT:
        body = f"format({v}, '.1~%')"
    elif fmt is Format.COMPACT:
        body = _compact_expr(v)
    elif fmt is Format.DURATION:
        body = f"format({v}, ',.2~f')"
    elif fmt is Format.CURRENCY and style.currency in ZERO_DECIMAL_CURRENCIES:
        body = f"format({v}, ',.0f')"
    else:
        body = f"format({v}, ',.2~f')"
    return f"({ref} < 0 ? '-' : '') + {_js(style.prefix)} + ({body}) + {_js(style.suffix)}"


def _compact_expr(v: str) -> str:
    edge = 1 - 5 * 10**-6
    expr = f"format({v}, '.2~f')"
    for limit, suffix in reversed(_COMPACT):
        expr = f"{v} >= {limit * edge!r} ? format({v} / {int(limit)}, '.2~f') + '{suffix}' : {expr}"
    return expr


def _js(text: str) -> str:
    """A JavaScript string literal (prefixes and suffixes are ours, never data)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


# --- time and categories ----------------------------------------------------------------------

_D3_TIME = {
    Grain.HOUR: "%Y-%m-%d %H:00",
    Grain.DAY: "%Y-%m-%d",
    Grain.WEEK: "%Y-%m-%d",
    Grain.MONTH: "%b %Y",
    Grain.QUARTER: "%Y-Q%q",
    Grain.YEAR: "%Y",
}


def d3_time_format(grain: Grain | None) -> str:
    """The d3 time format of a period axis: 'Jan 2025', '2025-Q1', '2025'."""
    return _D3_TIME.get(grain, "%Y-%m-%d") if grain else "%Y-%m-%d"


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
        return str(value.strftime("%b %Y"))
    if grain is Grain.QUARTER:
        return f"{value.year}-Q{(value.month - 1) // 3 + 1}"
    if grain is Grain.YEAR:
        return str(value.year)
    if grain in (Grain.DAY, Grain.WEEK) or type(value) is dt.date:
        return str(value.strftime("%Y-%m-%d"))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.strftime("%Y-%m-%d")
        return value.isoformat(sep=" ")
    return str(value)


def format_category(value: Any) -> str:
    """A category as text; a whole float (from `floor()` of a formula) without its '.0'.

    >>> format_category(3.0), format_category(2.5), format_category(None)
    ('3', '2.5', '(null)')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NULL_CATEGORY
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def category_formatter(values: Iterable[Any]) -> Callable[[Any], str]:
    """`format_category` for one column of categories: its null reads "(null)", unless a real
    value of the column already reads so; then "(no value)", so the two never share a row of
    a table or a mark of a chart.

    >>> category_formatter(["a", "(null)"])(None)
    '(no value)'
    """
    texts = {format_category(v) for v in values if not _missing(v)}
    if NULL_CATEGORY not in texts:
        return format_category
    null = distinct_label("(no value)", texts, "null")
    return lambda v: null if _missing(v) else format_category(v)


def _missing(value: Any) -> bool:
    try:
        return value is None or bool(value != value)  # None, NaN, NaT
    except (TypeError, ValueError):
        return False


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


def dimension_formatter(dim: ResolvedDimension, calendar: Calendar) -> Callable[[Any], str]:
    """The function that turns one value of `dim` into its display text."""
    part, grain = dim.part, dim.grain
    if part is not None:
        return lambda v: format_part(v, part)
    if grain in (Grain.FISCAL_QUARTER, Grain.FISCAL_YEAR):
        fiscal = grain
        return lambda v: format_fiscal(v, fiscal, calendar)
    if grain is Grain.HOUR:
        return lambda v: NULL_TEXT if v is None else str(v.strftime("%Y-%m-%d %H:00"))
    if dim.is_time:
        return lambda v: format_time(v, grain)
    return format_category


def measure_formatter(measure: ResolvedMeasure) -> Callable[[Any], str]:
    """The function that turns one value of `measure` into its display text."""
    if measure.dtype.is_temporal:  # min/max of a date column
        return lambda v: format_time(v, None)
    if not measure.dtype.is_numeric:  # min/max of text or booleans
        return format_category
    return lambda v: format_number(v, measure.format, currency=measure.currency, unit=measure.unit)


def format_fiscal(value: Any, grain: Grain, calendar: Calendar) -> str:
    """'FY2025-Q1' / 'FY2025' for the fiscal period starting at `value`."""
    if value is None:
        return NULL_TEXT
    day = value.date() if isinstance(value, dt.datetime) else value
    if hasattr(day, "to_pydatetime"):
        day = day.to_pydatetime().date()
    return calendar.fiscal_label(day, grain.value)
