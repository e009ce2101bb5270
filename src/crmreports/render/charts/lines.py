"""Lines and areas over a (usually time) x axis, one series per colour."""

from __future__ import annotations

from typing import Any

import altair as alt

from crmreports.render.charts.common import Canvas, as_text, reference_layer
from crmreports.resolve import XYVisual


def line_chart(c: Canvas, v: XYVisual) -> Any:
    """A line per colour, with a point on every row (the points carry the tooltips)."""
    enc = _encoding(c, v)
    enc["y"] = c.quantity(v.y, "y")
    chart = alt.Chart(c.data).mark_line(point=True).encode(**enc)
    return _with_reference(c, v, chart)


def area_chart(c: Canvas, v: XYVisual) -> Any:
    """Stacked areas (`stack: true`), overlapping ones (false) or shares of 100% (normalize)."""
    enc = _encoding(c, v)
    stack: Any = v.stack if v.stack == "normalize" else ("zero" if v.stack else None)
    enc["y"] = c.quantity(v.y, "y", stack=stack if v.color else alt.Undefined)
    opacity = 0.85 if v.stack or not v.color else 0.45
    mark = alt.Chart(c.data).mark_area(
        opacity=opacity, line=True, point=alt.OverlayMarkDef(size=18, filled=True)
    )
    chart = mark.encode(**enc)
    return chart if v.stack == "normalize" else _with_reference(c, v, chart)


def _encoding(c: Canvas, v: XYVisual) -> dict[str, Any]:
    dim = c.dim(v.x)
    continuous = dim is not None and dim.is_time and not as_text(dim)
    enc: dict[str, Any] = {
        "x": c.category(v.x, "x", bars=not continuous),
        "tooltip": c.tooltips(),
    }
    if v.color:
        enc["color"] = c.color(v.color)
    return enc


def _with_reference(c: Canvas, v: XYVisual, chart: Any) -> Any:
    reference = reference_layer(c, v, "y", "x")
    return c.finish(chart if reference is None else alt.layer(chart, reference))
