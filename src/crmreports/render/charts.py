"""Altair charts from an aggregated result: line, bar and table.

Only the result's rows are embedded, so a chart's size depends on the report, never on the
input (a 10M-row source still gives a chart of a few dozen rows).
"""

from __future__ import annotations

import math
from typing import Any

import altair as alt
import pandas as pd

from crmreports.plan import ROW_TYPE
from crmreports.render.formats import (
    NULL_CATEGORY,
    d3_axis_format,
    d3_number_format,
    d3_time_format,
    dimension_formatter,
    format_category,
)
from crmreports.render.table import display_table
from crmreports.resolve import ResolvedDimension, ResolvedReport
from crmreports.spec import Format, Grain

# Colour-blind-safe categorical palette (Tableau 10).
PALETTE = "tableau10"


def build_chart(frame: pd.DataFrame, report: ResolvedReport) -> alt.TopLevelMixin:
    visual = report.visual
    title = visual.title or report.spec.display_title
    if visual.kind == "table":
        return table_chart(frame, report, title)
    data = chart_data(frame, report)
    # Horizontal bars put the categories on y, where labels read level.
    x_name, y_name = (visual.y, visual.x) if visual.horizontal else (visual.x, visual.y)
    x = _encoding(report, x_name, "x", visual.kind, data)
    y = _encoding(report, y_name, "y", visual.kind, data)
    color = _encoding(report, visual.color, "color", visual.kind, data) if visual.color else None
    tooltip = [_tooltip(report, name) for name in report.columns if name != ROW_TYPE]
    enc: dict[str, Any] = {"x": x, "y": y, "tooltip": tooltip}
    if visual.kind == "line":
        chart = alt.Chart(data).mark_line(point=True)
    else:
        chart = alt.Chart(data).mark_bar()
        if visual.color and not visual.stack:
            offset = alt.YOffset if visual.horizontal else alt.XOffset
            enc["offset"] = offset(f"{visual.color}:N")
    if color is not None:
        enc["color"] = color
    offset_channel = enc.pop("offset", None)
    chart = chart.encode(**enc)
    if offset_channel is not None:
        chart = chart.encode(offset_channel)
    return chart.properties(title=title, width="container", height=300)


def chart_data(frame: pd.DataFrame, report: ResolvedReport) -> pd.DataFrame:
    """The result as Vega wants it: dates as timestamps, null categories labelled."""
    if ROW_TYPE in frame.columns:  # totals are for tables; a chart shows the detail rows
        frame = frame[frame[ROW_TYPE] == "detail"]
    data = frame[[c for c in report.columns if c != ROW_TYPE]].copy()
    for dim in report.dimensions:
        if _as_text(dim):
            show = dimension_formatter(dim, report.time.calendar)
            data[dim.name] = [show(None if _missing(v) else v) for v in data[dim.name]]
        elif dim.is_time:
            data[dim.name] = pd.to_datetime(data[dim.name])
        else:
            data[dim.name] = [format_category(v) if _missing(v) else v for v in data[dim.name]]
    return data


def _as_text(dim: ResolvedDimension) -> bool:
    """Dimensions charted by their label in result order (FY2025-Q1, Mon, Q3, tiers)."""
    return dim.part is not None or dim.grain in (Grain.FISCAL_QUARTER, Grain.FISCAL_YEAR)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _encoding(
    report: ResolvedReport, name: str | None, channel: str, kind: str, data: pd.DataFrame
) -> Any:
    assert name is not None
    label = report.label_of(name)
    dim = next((d for d in report.dimensions if d.name == name), None)
    cls = {"x": alt.X, "y": alt.Y, "color": alt.Color}[channel]
    # Below the chart, a legend leaves the full width to the plot on a phone.
    legend = alt.Legend(orient="bottom", titleOrient="left")
    if dim is not None and dim.is_time and not _as_text(dim):
        time_unit = _TIME_UNIT.get(dim.grain.value if dim.grain else "")
        time_format = d3_time_format(dim.grain)
        if channel == "color":
            return cls(f"{name}:O", title=label, timeUnit=time_unit, legend=legend)
        if kind == "bar":
            # One band per period: a temporal bar would be one *day* wide whatever the grain.
            angle = _label_angle(data[name].nunique())
            axis = alt.Axis(format=time_format, labelAngle=angle)
            return cls(f"{name}:O", title=label, axis=axis, timeUnit=time_unit)
        axis = alt.Axis(format=time_format, labelAngle=0)
        return cls(f"{name}:T", title=label, axis=axis, timeUnit=time_unit)
    if dim is not None:
        if channel == "color":
            return cls(f"{name}:N", title=label, scale=alt.Scale(scheme=PALETTE), legend=legend)
        angle = _label_angle(data[name].nunique()) if channel == "x" else 0
        axis = alt.Axis(labelLimit=160, labelAngle=angle)
        return cls(f"{name}:N", title=label, sort=None, axis=axis)
    measure = next(m for m in report.measures if m.name == name)
    fmt = d3_axis_format(measure.format)
    if channel == "color":
        return cls(f"{name}:Q", title=label, legend=alt.Legend(format=fmt, orient="bottom"))
    return cls(
        f"{name}:Q",
        title=label,
        axis=alt.Axis(format=fmt, values=_whole_ticks(data, name, measure.format, report)),
    )


def _whole_ticks(data: pd.DataFrame, name: str, fmt: Format, report: ResolvedReport) -> Any:
    """Explicit ticks 0, 1, 2, ... for small whole-number axes.

    Vega puts ticks at 0.5 steps when the largest count is small, and ',.0f' then prints
    "0 1 1 2 2"; `tickMinStep` does not prevent it in Vega-Lite 6.
    """
    if fmt is not Format.INTEGER or data.empty:
        return alt.Undefined
    values = pd.to_numeric(data[name], errors="coerce")
    visual = report.visual
    if visual.kind == "bar" and visual.color and visual.stack and visual.x:
        values = values.groupby(data[visual.x]).sum()  # stacked bars reach the group's total
    top = values.max()
    if pd.isna(top) or top >= 10 or values.min() < 0:
        return alt.Undefined
    return list(range(0, math.ceil(top) + 1))


def _label_angle(categories: int) -> int:
    """Level labels while they fit side by side; slanted past a handful of categories."""
    return 0 if categories <= 6 else -40


_TIME_UNIT = {
    "day": "yearmonthdate",
    "week": "yearmonthdate",
    "month": "yearmonth",
    "quarter": "yearquarter",
    "year": "year",
}


def _tooltip(report: ResolvedReport, name: str) -> alt.Tooltip:
    label = report.label_of(name)
    dim = next((d for d in report.dimensions if d.name == name), None)
    if dim is not None and dim.is_time and not _as_text(dim):
        return alt.Tooltip(f"{name}:T", title=label, format=d3_time_format(dim.grain))
    if dim is not None:
        return alt.Tooltip(f"{name}:N", title=label)
    measure = next(m for m in report.measures if m.name == name)
    if measure.dtype.is_temporal:
        return alt.Tooltip(f"{name}:T", title=label, format="%Y-%m-%d")
    if not measure.dtype.is_numeric:
        return alt.Tooltip(f"{name}:N", title=label)
    return alt.Tooltip(f"{name}:Q", title=label, format=d3_number_format(measure.format))


def table_chart(frame: pd.DataFrame, report: ResolvedReport, title: str) -> alt.TopLevelMixin:
    """A small text-mark table, for notebooks; HTML pages show a real <table> instead."""
    table = display_table(frame, report, report.visual.columns, max_rows=50)
    records = []
    for row_number, row in enumerate(table.rows):
        for header, value in zip(table.headers, row, strict=True):
            records.append({"row": row_number, "column": header, "value": value})
    data = pd.DataFrame(records, columns=["row", "column", "value"])
    return (
        alt.Chart(data)
        .mark_text(align="left", baseline="middle")
        .encode(
            x=alt.X("column:N", sort=list(table.headers), title=None, axis=alt.Axis(orient="top")),
            y=alt.Y("row:O", axis=None),
            text="value:N",
        )
        .properties(title=title, width="container")
    )


__all__ = ["NULL_CATEGORY", "PALETTE", "build_chart", "chart_data", "table_chart"]
