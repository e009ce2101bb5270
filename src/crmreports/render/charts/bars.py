"""Bars: grouped, stacked or stacked to 100%; vertical, or horizontal for rankings."""

from __future__ import annotations

from typing import Any

import altair as alt

from crmreports.render.charts.common import Canvas, reference_layer
from crmreports.resolve import XYVisual


def bar_chart(c: Canvas, v: XYVisual) -> Any:
    # Horizontal bars put the categories on y, where labels read level.
    cat_channel, value_channel = ("y", "x") if v.horizontal else ("x", "y")
    sort = alt.EncodingSortField(field=v.y, op="sum", order="descending") if v.sort else None
    grouped = bool(v.color) and v.stack is False
    stack: Any = "normalize" if v.stack == "normalize" else (None if grouped else "zero")
    enc: dict[str, Any] = {
        cat_channel: c.category(v.x, cat_channel, bars=True, sort=sort),
        value_channel: c.quantity(v.y, value_channel, stack=stack if v.color else alt.Undefined),
        "tooltip": c.tooltips(),
    }
    if v.color:
        enc["color"] = c.color(v.color)
    chart = alt.Chart(c.data).mark_bar().encode(**enc)
    if grouped:
        offset = alt.YOffset if v.horizontal else alt.XOffset
        chart = chart.encode(offset(f"{v.color}:N", sort=None))
    reference = (
        reference_layer(c, v, value_channel, cat_channel) if v.stack != "normalize" else None
    )
    if reference is not None:
        chart = alt.layer(chart, reference)
    return c.finish(chart)
