"""A Pareto chart: bars largest first, and the running share of the total on a second axis,
so "which few categories make up 80%" can be read off directly."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from crmreports.render.charts.common import INK, Canvas, missing, text_field
from crmreports.render.colors import MUTED_VALUES, PALETTE
from crmreports.render.formats import NumberStyle, format_number, number_expr
from crmreports.resolve import Pareto
from crmreports.spec import Format

CUMULATIVE = "#cumulative"  # '#' never occurs in a result name
SHARE_LINE = 0.8


def pareto_chart(c: Canvas, v: Pareto) -> Any:
    data = ranked(c.data, v.x, v.y, c.muted)
    cat = c.category(v.x, "x", bars=True)
    tips = [
        *c.tooltips([v.x, v.y]),
        alt.Tooltip(field=text_field(CUMULATIVE), type="nominal", title="Cumulative share"),
    ]
    bars = (
        alt.Chart(data)
        .mark_bar(color=PALETTE[0])
        .encode(x=cat, y=c.quantity(v.y, "y"), tooltip=tips)
    )
    percent = alt.Axis(orient="right", labelExpr=number_expr(NumberStyle(Format.PERCENT)))
    share = alt.Y(
        field=CUMULATIVE,
        type="quantitative",
        title="Cumulative share",
        axis=percent,
        scale=alt.Scale(domain=[0, 1]),
    )
    line = (
        alt.Chart(data)
        .mark_line(color=PALETTE[1], point=alt.OverlayMarkDef(color=PALETTE[1]))
        .encode(x=cat, y=share, tooltip=tips)
    )
    rule_frame = pd.DataFrame({CUMULATIVE: [SHARE_LINE], "label": [f"{SHARE_LINE:.0%} of total"]})
    rule = (
        alt.Chart(rule_frame)
        .mark_rule(color=INK, strokeDash=[4, 4], opacity=0.6)
        .encode(
            y=share,
            tooltip=[alt.Tooltip(field="label", type="nominal", title="Reference")],
        )
    )
    chart = alt.layer(bars, alt.layer(line, rule)).resolve_scale(y="independent")
    return c.finish(chart)


def ranked(
    data: pd.DataFrame, x: str, y: str, muted: frozenset[str] = MUTED_VALUES
) -> pd.DataFrame:
    """Rows largest first (the "Other" bucket and null last), with the cumulative share of
    the total."""
    values = pd.to_numeric(data[y], errors="coerce")
    last = data[x].astype(str).isin(muted)
    order = sorted(range(len(data)), key=lambda i: (bool(last.iloc[i]), -_key(values.iloc[i])))
    out = data.iloc[order].reset_index(drop=True)
    sorted_values = values.iloc[order].reset_index(drop=True).fillna(0)
    total = sorted_values.sum()
    shares = sorted_values.cumsum() / total if total else sorted_values * float("nan")
    out[CUMULATIVE] = shares
    out[text_field(CUMULATIVE)] = [format_number(s, Format.PERCENT) for s in shares]
    return out


def _key(value: Any) -> float:
    return float("-inf") if missing(value) else float(value)
