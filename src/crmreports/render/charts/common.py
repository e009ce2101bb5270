"""What every chart family shares: the result prepared for Vega, encodings, tooltips, colours,
reference lines and sizing.

Only the result's rows are embedded, so a chart's size depends on the report, never on the
input (a 10M-row source still gives a chart of a few dozen rows). Every number a reader sees
in a tooltip or label is written by `render.formats` in Python, into a text column beside the
value (`<name>#text`), so it reads exactly as the table cell below the chart.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import Any

import altair as alt
import pandas as pd

from crmreports.plan import ROW_LEVEL, ROW_TYPE
from crmreports.render.colors import MUTED_VALUES, colors_for
from crmreports.render.formats import (
    NumberStyle,
    category_formatter,
    d3_time_format,
    dimension_formatter,
    measure_formatter,
    number_expr,
)
from crmreports.resolve import (
    ResolvedDimension,
    ResolvedMeasure,
    ResolvedReport,
    ResolvedVisual,
    XYVisual,
)
from crmreports.spec import Format, Grain

HEIGHT = 300
INK = "#1f2933"
GOOD, BAD, NEUTRAL = "#2e7d32", "#c62828", "#52606d"
# Below the chart, a legend leaves the full width to the plot on a phone.
LEGEND = alt.Legend(orient="bottom", titleOrient="left")
_TIME_UNIT = {
    "day": "yearmonthdate",
    "week": "yearmonthdate",
    "month": "yearmonth",
    "quarter": "yearquarter",
    "year": "year",
}


def text_field(name: str) -> str:
    """The column holding `name`'s display text ('#' never occurs in a result name)."""
    return f"{name}#text"


@dataclass
class Canvas:
    """One chart in the making: the report, its rows ready for Vega, the shared colours."""

    report: ResolvedReport
    data: pd.DataFrame
    colors: MutableMapping[str, str] = field(default_factory=dict)
    total: pd.Series | None = None  # the grand total row, prepared like `data`
    raw: pd.DataFrame | None = None  # `data`'s rows as the result has them, for ordering
    muted: frozenset[str] = MUTED_VALUES  # texts that are no category of their own: grey

    @property
    def visual(self) -> ResolvedVisual:
        return self.report.visual

    @property
    def title(self) -> str:
        return self.visual.title or self.report.spec.display_title

    def dim(self, name: str | None) -> ResolvedDimension | None:
        return next((d for d in self.report.dimensions if d.name == name), None)

    def measure(self, name: str | None) -> ResolvedMeasure | None:
        return next((m for m in self.report.measures if m.name == name), None)

    def style(self, name: str) -> NumberStyle:
        measure = self.measure(name)
        return NumberStyle.of(measure) if measure is not None else NumberStyle()

    def label(self, name: str) -> str:
        return self.report.label_of(name)

    # --- tooltips ------------------------------------------------------------------------

    def tooltips(self, names: list[str] | None = None) -> list[alt.Tooltip]:
        """One line per result column (or per `names`), as the table writes it."""
        if names is None:
            names = [c for c in self.report.columns if c not in (ROW_TYPE, ROW_LEVEL)]
        return [tooltip(self.data, n, self.label(n)) for n in names]

    # --- encodings -----------------------------------------------------------------------

    def category(self, name: str, channel: str, *, bars: bool, sort: Any = None) -> Any:
        """A dimension laid out along `channel` ('x' or 'y'): periods by grain, categories in
        the result's order (or `sort`)."""
        cls = {"x": alt.X, "y": alt.Y}[channel]
        dim = self.dim(name)
        label = self.label(name)
        if dim is not None and dim.is_time and not as_text(dim):
            time_unit = _time_unit(dim)
            time_format = d3_time_format(dim.grain)
            if bars:  # one band per period: a temporal bar is one *day* wide whatever the grain
                angle = label_angle(self.data[name].nunique()) if channel == "x" else 0
                axis = alt.Axis(format=time_format, labelAngle=angle)
                return cls(f"{name}:O", title=label, axis=axis, timeUnit=time_unit, sort=sort)
            axis = alt.Axis(format=time_format, labelAngle=0)
            return cls(f"{name}:T", title=label, axis=axis, timeUnit=time_unit)
        angle = label_angle(*_label_sizes(self.data[name])) if channel == "x" else 0
        axis = alt.Axis(labelLimit=160, labelAngle=angle)
        return cls(f"{name}:N", title=label, sort=sort, axis=axis)

    def quantity(self, name: str, channel: str, *, stack: Any = alt.Undefined, **kw: Any) -> Any:
        """A measure along `channel`, its ticks written like its table cells."""
        cls = {"x": alt.X, "y": alt.Y, "theta": alt.Theta}[channel]
        style = NumberStyle(Format.PERCENT) if stack == "normalize" else self.style(name)
        if channel == "theta":
            return cls(f"{name}:Q", title=self.label(name), stack=stack, **kw)
        axis = self.value_axis(name, style)
        return cls(f"{name}:Q", title=self.label(name), axis=axis, stack=stack, **kw)

    def value_axis(self, name: str, style: NumberStyle | None = None) -> alt.Axis:
        """An axis whose ticks read like `name`'s table cells."""
        style = style or self.style(name)
        return alt.Axis(labelExpr=number_expr(style), values=self.whole_ticks(name, style))

    def color(self, name: str, **kw: Any) -> alt.Color:
        """Categories coloured from the shared mapping; a measure as a gradient."""
        label = self.label(name)
        if self.measure(name) is not None:
            legend = alt.Legend(orient="bottom", labelExpr=number_expr(self.style(name)))
            return alt.Color(f"{name}:Q", title=label, legend=legend, **kw)
        dim = self.dim(name)
        if dim is not None and dim.is_time and not as_text(dim):
            time_unit = _time_unit(dim)
            return alt.Color(f"{name}:O", title=label, timeUnit=time_unit, legend=LEGEND, **kw)
        return alt.Color(
            f"{name}:N", title=label, scale=self.color_scale(name), legend=LEGEND, **kw
        )

    def color_scale(self, name: str) -> alt.Scale:
        domain = list(dict.fromkeys(self.data[name].astype(str)))
        return alt.Scale(domain=domain, range=colors_for(domain, self.colors, self.muted))

    def category_order(self, name: str, shown: str | None = None) -> list[str]:
        """The texts of column `shown` (default `name`) ordered by `name`'s underlying values:
        months in time order, weekdays Monday first; tiers in their declared order."""
        texts = [str(t) for t in self.data[shown or name]]
        dim = self.dim(name)
        if self.raw is None or dim is None or dim.ordered_by_index:
            return list(dict.fromkeys(texts))
        pairs = [(v, t) for v, t in zip(self.raw[name], texts, strict=True)]
        present = sorted((p for p in pairs if not missing(p[0])), key=lambda p: p[0])
        nulls = [p for p in pairs if missing(p[0])]
        return list(dict.fromkeys(t for _, t in present + nulls))

    def whole_ticks(self, name: str, style: NumberStyle, totals: pd.Series | None = None) -> Any:
        """Explicit ticks 0, 1, 2, ... for small whole-number axes.

        Vega puts ticks at 0.5 steps when the largest count is small, and ',.0f' then prints
        "0 1 1 2 2"; `tickMinStep` does not prevent it in Vega-Lite 6.
        """
        if style.format is not Format.INTEGER or self.data.empty:
            return alt.Undefined
        values = pd.to_numeric(self.data[name], errors="coerce") if totals is None else totals
        stacked_by = _stacked_by(self.visual)
        if totals is None and stacked_by is not None:
            values = values.groupby(self.data[stacked_by]).sum()  # stacks reach the group's total
        top = values.max()
        if pd.isna(top) or top >= 10 or values.min() < 0:
            return alt.Undefined
        return list(range(0, math.ceil(top) + 1))

    def finish(self, chart: Any, height: int = HEIGHT) -> Any:
        return chart.properties(title=self.heading(), width="container", height=height)

    def heading(self) -> Any:
        """The chart's title, with the report's caveats (what its numbers do not cover) as a
        caption under it, so an exported image carries them too."""
        visual = self.report.visual
        caveats = [text for name, text in self.report.caveats if visual.draws(name)]
        if not caveats:
            return self.title
        # Vega does not wrap titles: short lines keep the caption readable on a phone.
        lines = [line for c in caveats for line in textwrap.wrap(f"Note: {c}", 56)]
        return alt.TitleParams(self.title, subtitle=lines, subtitleColor="#7b4f00")


def _stacked_by(visual: ResolvedVisual) -> str | None:
    """The category column of bars or areas stacked by colour (whose value axis must reach
    each stack's total), or None."""
    if isinstance(visual, XYVisual) and visual.kind in ("bar", "area"):
        return visual.x if visual.stack is True and visual.color else None
    return None


def _time_unit(dim: ResolvedDimension) -> Any:
    """Vega-Lite's time unit for the dimension's grain (None for a date without a grain).
    Any: Altair types `timeUnit` as a literal of every unit, and these are among them."""
    return _TIME_UNIT.get(dim.grain.value if dim.grain else "")


def tooltip(data: pd.DataFrame, name: str, title: str) -> alt.Tooltip:
    shown = text_field(name) if text_field(name) in data.columns else name
    return alt.Tooltip(field=shown, type="nominal", title=title)


def as_text(dim: ResolvedDimension) -> bool:
    """Dimensions charted by their label in result order (FY2025-Q1, Mon, Q3, tiers)."""
    return dim.part is not None or dim.grain in (Grain.FISCAL_QUARTER, Grain.FISCAL_YEAR)


def label_angle(categories: int, longest: int = 10) -> int:
    """Level labels while they fit side by side (even on a phone); slanted otherwise."""
    return 0 if categories <= 6 or categories * (longest + 1) <= 48 else -40


def _label_sizes(values: pd.Series) -> tuple[int, int]:
    texts = set(values.astype(str))
    return len(texts), max((len(t) for t in texts), default=0)


def missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value is pd.NaT


# --- the result as Vega wants it ------------------------------------------------------------


def chart_data(
    frame: pd.DataFrame, report: ResolvedReport, *, details: bool = True
) -> pd.DataFrame:
    """The result as Vega wants it: dates as timestamps, null categories labelled, and a text
    column beside every measure and period with its display text.

    With `details`, subtotal and total rows are dropped (totals are for tables and KPIs)."""
    if details and ROW_TYPE in frame.columns:
        frame = frame[frame[ROW_TYPE] == "detail"]
    keep = [c for c in report.columns if c not in (ROW_TYPE, ROW_LEVEL) or not details]
    data = frame[keep].copy().reset_index(drop=True)
    calendar = report.time.calendar
    for dim in report.dimensions:
        raw = [None if missing(v) else v for v in data[dim.name]]
        if as_text(dim):
            show = dimension_formatter(dim, calendar)
            data[dim.name] = [show(v) for v in raw]
        elif dim.is_time:
            data[text_field(dim.name)] = [dimension_formatter(dim, calendar)(v) for v in raw]
            data[dim.name] = pd.to_datetime(data[dim.name])
        else:
            show = category_formatter(raw)
            data[dim.name] = [show(v) for v in raw]
    for measure in report.measures:
        show = measure_formatter(measure)
        data[text_field(measure.name)] = [
            show(None if missing(v) else v) for v in data[measure.name].astype(object)
        ]
    return data


# --- reference lines --------------------------------------------------------------------------


def reference_layer(c: Canvas, v: XYVisual, value_channel: str, category_channel: str) -> Any:
    """A dashed line at a number, or a measure drawn per row (a target), or None.

    The layer shares the chart's value scale, so the axis makes room for a target above
    every bar.
    """
    ref = v.reference
    if ref is None:
        return None
    title = c.label(v.y)
    if isinstance(ref, str):
        value_enc = {"x": alt.X, "y": alt.Y}[value_channel](f"{ref}:Q", title=title)
        tips = c.tooltips([n for n in (v.x, v.color, ref) if n])
        enc: dict[str, Any] = {value_channel: value_enc, "tooltip": tips}
        dim = c.dim(v.x)
        if v.kind == "bar":
            enc[category_channel] = c.category(v.x, category_channel, bars=True)
            mark = alt.Chart(c.data).mark_tick(color=INK, thickness=2)
        else:
            time = dim is not None and dim.is_time and not as_text(dim)
            enc[category_channel] = c.category(v.x, category_channel, bars=not time)
            mark = alt.Chart(c.data).mark_line(color=INK, strokeDash=[6, 4])
        if v.color:
            enc["detail"] = alt.Detail(f"{v.color}:N")
        return mark.encode(**enc)
    text = f"Target: {_format_reference(c, v.y, ref)}"
    frame = pd.DataFrame({"reference": [ref], text_field("reference"): [text]})
    value_enc = {"x": alt.X, "y": alt.Y}[value_channel]("reference:Q", title=title)
    rule = alt.Chart(frame).mark_rule(color=INK, strokeDash=[6, 4], strokeWidth=1.5)
    return rule.encode(
        **{value_channel: value_enc},
        tooltip=[alt.Tooltip(field=text_field("reference"), type="nominal", title="Reference")],
    )


def _format_reference(c: Canvas, measure: str, value: float) -> str:
    m = c.measure(measure)
    return measure_formatter(m)(value) if m is not None else str(value)
