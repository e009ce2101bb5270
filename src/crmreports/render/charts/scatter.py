"""A scatter: one point per row, a measure against a measure, optionally sized and coloured."""

from __future__ import annotations

from typing import Any

import altair as alt

from crmreports.render.charts.common import Canvas
from crmreports.render.formats import number_expr
from crmreports.resolve import Scatter


def scatter_chart(c: Canvas, v: Scatter) -> Any:
    loose = alt.Scale(zero=False, nice=True)
    enc: dict[str, Any] = {
        "x": c.quantity(v.x, "x", scale=loose),
        "y": c.quantity(v.y, "y", scale=loose),
        "tooltip": c.tooltips(),
    }
    if v.size:
        legend = alt.Legend(orient="bottom", labelExpr=number_expr(c.style(v.size)))
        enc["size"] = alt.Size(f"{v.size}:Q", title=c.label(v.size), legend=legend)
    if v.color:
        enc["color"] = c.color(v.color)
        if v.size:  # two legends side by side would not fit a phone: colours go on top
            enc["color"] = enc["color"].legend(orient="top", titleOrient="left")
    points = alt.Chart(c.data).mark_circle(opacity=0.8, stroke="#fff", strokeWidth=0.5)
    return c.finish(points.encode(**enc))
