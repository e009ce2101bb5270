"""A KPI: one big number, its change against a comparison, and an optional sparkline.

The number is the grand total row when the report has `totals: true`, else the latest period
of the time dimension, else the only row. The change is green when it is good news and red when
it is bad, as the value measure's `direction` says (grey without a direction).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import altair as alt
import pandas as pd

from crmreports.render.charts.common import BAD, GOOD, INK, NEUTRAL, Canvas, missing, text_field
from crmreports.render.colors import PALETTE
from crmreports.render.formats import NULL_TEXT, format_number, measure_formatter
from crmreports.resolve import Kpi, ResolvedCompare
from crmreports.spec import Format

NUMBER_HEIGHT = 96
SPARK_HEIGHT = 56


def kpi_chart(c: Canvas, v: Kpi) -> Any:
    row = headline(c, v.time)
    change, good = _change(c, v, row)
    caption = c.label(v.value)
    if row is not None and v.time is not None and c.total is None:
        period = row.get(text_field(v.time), row[v.time])  # periods shown as text have no twin
        caption += f" · {period}"
    card = pd.DataFrame(
        [
            {
                "number": NULL_TEXT if row is None else row[text_field(v.value)],
                "caption": caption,
                "change": change,
                "compare": "" if row is None or not v.compare else row[text_field(v.compare)],
            }
        ]
    )
    tips = [alt.Tooltip(field=k, type="nominal", title=t) for k, t in _titles(c, v).items()]
    number = _text(card, "number", 0, size=40, weight="bold", color=INK, tips=tips)
    layers = [number, _text(card, "caption", 52, size=13, color=NEUTRAL, tips=tips)]
    if change:
        color = NEUTRAL if good is None else (GOOD if good else BAD)
        layers.append(_text(card, "change", 72, size=15, weight="bold", color=color, tips=tips))
    height = NUMBER_HEIGHT
    if v.sparkline is not None and not c.data.empty:
        height += SPARK_HEIGHT
        layers.append(_sparkline(c, v.value, v.sparkline, height))
    card_view = alt.ViewBackground(stroke=None)  # a number on the page, not a plot in a frame
    return c.finish(alt.layer(*layers).properties(view=card_view), height=height)


def headline(c: Canvas, time: str | None) -> pd.Series | None:
    """The row whose value the KPI shows: the total row, or the latest period of the time
    dimension `time`, or the first row."""
    if c.total is not None:
        return c.total
    if c.data.empty:
        return None
    if time is not None:
        times = (c.raw if c.raw is not None else c.data)[time]
        if not times.notna().any():
            return c.data.iloc[-1]
        latest: Any = times.idxmax()  # a label of the row index, which `raw` shares
        row: pd.Series = c.data.loc[latest]
        return row
    return c.data.iloc[0]


def _change(c: Canvas, v: Kpi, row: pd.Series | None) -> tuple[str, bool | None]:
    """The change text ('▲ +12.5% vs Previous month') and whether it is good news.

    A `compare` measure showing a change or a percent change is shown as it is; any other
    comparison measure (an earlier value, a target) gives the percent change against it, or
    the plain difference when it is 0 (a change against nothing has no percentage).
    """
    compare = c.measure(v.compare)
    if row is None or compare is None:
        return "", None
    value, other = row[v.value], row[compare.name]
    if missing(other) or missing(value):
        return f"{NULL_TEXT} vs {compare.label}", None
    if isinstance(compare, ResolvedCompare) and compare.show != "value":
        delta = float(other)
        show = measure_formatter(compare) if compare.show == "change" else _percent
        text, against = _signed(delta, show), _period(compare.offset_n, compare.offset_unit)
    else:
        delta = float(value) - float(other)
        against = compare.label
        if float(other) == 0:
            text = _signed(delta, measure_formatter(compare))
        else:
            text = _signed(delta / abs(float(other)), _percent)
    return f"{_arrow(delta)} {text} vs {against}", _good(c, v, delta)


def _good(c: Canvas, v: Kpi, delta: float) -> bool | None:
    measure = c.measure(v.value)
    direction = measure.direction if measure is not None else None
    if delta == 0 or direction is None:
        return None
    return (delta > 0) == (direction == "higher_is_better")


def _arrow(delta: float) -> str:
    return "▲" if delta > 0 else ("▼" if delta < 0 else "=")


def _percent(value: float) -> str:
    return format_number(value, Format.PERCENT)


def _signed(number: float, show: Callable[[Any], str]) -> str:
    """'+12.5%' for a rise: the sign says which way without reading the colour."""
    text = show(number)
    return text if text.startswith("-") or number == 0 else f"+{text}"


def _period(n: int, unit: str) -> str:
    if n == 1:
        return "previous period" if unit == "period" else f"a {unit.replace('_', ' ')} earlier"
    return f"{n} {unit.replace('_', ' ')}s earlier"


def _titles(c: Canvas, v: Kpi) -> dict[str, str]:
    titles = {"number": c.label(v.value)}
    if v.compare is not None:
        titles["compare"] = c.label(v.compare)
        titles["change"] = "Change"
    return titles


def _text(
    card: pd.DataFrame,
    field: str,
    y: int,
    *,
    size: int,
    color: str,
    tips: list[alt.Tooltip],
    weight: Literal["normal", "bold"] = "normal",
) -> alt.Chart:
    mark = alt.Chart(card).mark_text(
        align="left", baseline="top", fontSize=size, fontWeight=weight, color=color, limit=0
    )
    chart: alt.Chart = mark.encode(
        x=alt.value(0), y=alt.value(y), text=alt.Text(field=field, type="nominal"), tooltip=tips
    )
    return chart


def _sparkline(c: Canvas, value: str, time: str, height: int) -> alt.Chart:
    """The value over time in the bottom strip, no axes: the shape, not the numbers."""
    scale = alt.Scale(zero=False, range=[height - 4, height - SPARK_HEIGHT + 8])
    chart: alt.Chart = (
        alt.Chart(c.data)
        .mark_line(color=PALETTE[0], strokeWidth=2, point=alt.OverlayMarkDef(size=14))
        .encode(
            x=alt.X(f"{time}:T", axis=None)
            if text_field(time) in c.data
            else alt.X(f"{time}:O", sort=None, axis=None),
            y=alt.Y(f"{value}:Q", axis=None, scale=scale),
            tooltip=c.tooltips([time, value]),
        )
    )
    return chart
