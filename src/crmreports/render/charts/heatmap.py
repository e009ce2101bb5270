"""A heatmap: two dimensions as a grid of cells coloured by a measure (cohort x months
since first order, weekday x hour)."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from crmreports.render.charts.common import INK, Canvas, as_text, label_angle, text_field
from crmreports.resolve import Heatmap

CELL = 26


def heatmap_chart(c: Canvas, v: Heatmap) -> Any:
    x_field, x_order = _axis(c, v.x)
    y_field, y_order = _axis(c, v.y)
    x = alt.X(
        field=x_field,
        type="ordinal",
        sort=x_order,
        title=c.label(v.x),
        axis=alt.Axis(
            labelAngle=label_angle(len(x_order), max(map(len, x_order), default=0)),
            labelLimit=120,
        ),
    )
    y = alt.Y(field=y_field, type="ordinal", sort=y_order, title=c.label(v.y))
    color = c.color(v.color, scale=alt.Scale(scheme="blues"))
    tips = c.tooltips()
    cells = alt.Chart(c.data).mark_rect(stroke="#fff", strokeWidth=0.5)
    chart: Any = cells.encode(x=x, y=y, color=color, tooltip=tips)
    if v.labels:
        values = pd.to_numeric(c.data[v.color], errors="coerce")
        middle = (
            float(values.min() + (values.max() - values.min()) / 2) if values.notna().any() else 0
        )
        text = (
            alt.Chart(c.data)
            .mark_text(fontSize=10)
            .encode(
                x=x,
                y=y,
                text=alt.Text(field=text_field(v.color), type="nominal"),
                color=alt.condition(
                    f"datum[{v.color!r}] > {middle!r}", alt.value("#fff"), alt.value(INK)
                ),
                tooltip=tips,
            )
        )
        chart = alt.layer(chart, text)
    return c.finish(chart, height=max(160, CELL * len(y_order)))


def _axis(c: Canvas, name: str) -> tuple[str, list[str]]:
    """The field a grid axis shows (periods as their labels), and its categories in the
    order of the underlying values, whatever order the rows come in."""
    dim = c.dim(name)
    shown = name
    if dim is not None and dim.is_time and not as_text(dim):
        shown = text_field(name)
    return shown, c.category_order(name, shown)
