"""Altair charts from an aggregated result, one module per visual family.

`build_chart(frame, report, colors=...)` is the entry point: it prepares the result rows once
(`common.chart_data`) and hands them to the family that draws the report's visual kind.
Pass one `colors` mapping to every chart of a page so a category keeps its colour throughout
(see `render.colors.assign_colors`).
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any, assert_never

import altair as alt
import pandas as pd

from crmreports.plan import ROW_LEVEL, ROW_TYPE
from crmreports.render.charts.bars import bar_chart
from crmreports.render.charts.bullet import bullet_chart
from crmreports.render.charts.common import Canvas, chart_data
from crmreports.render.charts.funnel import funnel_chart
from crmreports.render.charts.heatmap import heatmap_chart
from crmreports.render.charts.kpi import kpi_chart
from crmreports.render.charts.lines import area_chart, line_chart
from crmreports.render.charts.pareto import pareto_chart
from crmreports.render.charts.parts import pie_chart
from crmreports.render.charts.scatter import scatter_chart
from crmreports.render.charts.table import table_chart
from crmreports.render.colors import MUTED_VALUES, PALETTE, assign_colors
from crmreports.render.formats import NULL_CATEGORY, category_formatter
from crmreports.resolve import (
    Bullet,
    Funnel,
    Heatmap,
    Kpi,
    MeasureFunnel,
    Pareto,
    Pie,
    ResolvedReport,
    ResolvedVisual,
    Scatter,
    Table,
    XYVisual,
)


def build_chart(
    frame: pd.DataFrame,
    report: ResolvedReport,
    *,
    colors: MutableMapping[str, str] | None = None,
    buckets: tuple[str, ...] | None = None,
) -> alt.TopLevelMixin:
    """The report's visual as an Altair chart of `frame` (the result rows, as pandas).

    `colors` maps category values to colours and is extended in place: pass the same dict to
    every chart of a page or dashboard for one colour per value throughout. `buckets` are the
    labels of the run's top-N buckets (`ReportResult` passes them): they and the text of a
    null category are grey and come last in a Pareto chart; a real category called "Other"
    is not. Without them, any "Other" is taken for a bucket.
    """
    colors = {} if colors is None else colors
    everything = chart_data(frame, report, details=False)
    detail = _details(everything)
    data = detail.drop(columns=[ROW_TYPE, ROW_LEVEL], errors="ignore")
    canvas = Canvas(report, data, colors, muted=_muted(frame, report, buckets))
    canvas.total = _grand_total(everything)
    canvas.raw = _details(frame.reset_index(drop=True))
    chart: alt.TopLevelMixin = _draw(frame, canvas, report.visual)
    return chart


def _draw(frame: pd.DataFrame, canvas: Canvas, visual: ResolvedVisual) -> Any:
    """The chart family that draws `visual`, given the visual as its own type."""
    match visual:
        case XYVisual():
            return _xy(canvas, visual)
        case Pie():
            return pie_chart(canvas, visual)
        case Kpi():
            return kpi_chart(canvas, visual)
        case Funnel() | MeasureFunnel():
            return funnel_chart(canvas, visual)
        case Bullet():
            return bullet_chart(canvas, visual)
        case Heatmap():
            return heatmap_chart(canvas, visual)
        case Scatter():
            return scatter_chart(canvas, visual)
        case Pareto():
            return pareto_chart(canvas, visual)
        case Table():
            return table_chart(frame, canvas, visual)
        case _:
            assert_never(visual)


def _xy(canvas: Canvas, visual: XYVisual) -> Any:
    match visual.kind:
        case "bar":
            return bar_chart(canvas, visual)
        case "line":
            return line_chart(canvas, visual)
        case "area":
            return area_chart(canvas, visual)
        case _:
            assert_never(visual.kind)


def _muted(
    frame: pd.DataFrame, report: ResolvedReport, buckets: tuple[str, ...] | None
) -> frozenset[str]:
    """The category texts that stand for no category of their own: the buckets, and how
    each category column writes its nulls ("(null)", or "(no value)" beside a real one)."""
    if buckets is None:
        return MUTED_VALUES
    nulls = {
        category_formatter(frame[d.name])(None)
        for d in report.dimensions
        if d.name in frame.columns and not d.is_time and d.part is None
    }
    return frozenset({*buckets, *nulls})


def _details(frame: pd.DataFrame) -> pd.DataFrame:
    if ROW_TYPE not in frame.columns:
        return frame
    return frame[frame[ROW_TYPE] == "detail"].reset_index(drop=True)


def _grand_total(frame: pd.DataFrame) -> pd.Series | None:
    if ROW_TYPE not in frame.columns:
        return None
    totals = frame[frame[ROW_TYPE] == "total"]
    return totals.iloc[0] if len(totals) else None


__all__ = ["NULL_CATEGORY", "PALETTE", "assign_colors", "build_chart", "chart_data", "table_chart"]
