"""Parts of a whole: pie and donut, one slice per category, with each slice's share."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from crmreports.render.charts.common import Canvas, text_field
from crmreports.render.formats import format_number
from crmreports.resolve import Pie
from crmreports.spec import Format

SHARE = "share"
ORDER = "#order"  # the result's row order ('#' never occurs in a result name)


def pie_chart(c: Canvas, v: Pie) -> Any:
    """Slices in the result's order (sort the report by the measure for largest first)."""
    data = c.data.copy()
    values = pd.to_numeric(data[v.value], errors="coerce")
    total = values[values > 0].sum()
    shares = values / total if total else values * float("nan")
    data[text_field(SHARE)] = [format_number(s, Format.PERCENT) for s in shares]
    data[ORDER] = range(len(data))
    tips = [*c.tooltips([v.category, v.value]), _share_tooltip()]
    arc = alt.Chart(data).mark_arc(
        innerRadius=60 if v.kind == "donut" else 0, stroke="#fff", strokeWidth=1
    )
    chart = arc.encode(
        theta=c.quantity(v.value, "theta", stack=True),
        color=c.color(v.category, sort=None),
        order=alt.Order(field=ORDER, type="quantitative"),
        tooltip=tips,
    )
    return c.finish(chart)


def _share_tooltip() -> alt.Tooltip:
    return alt.Tooltip(field=text_field(SHARE), type="nominal", title="Share")
