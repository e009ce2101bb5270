"""A funnel: one centred bar per stage, labelled with its count and the conversion from the
stage before (what share of the previous stage made it this far)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, assert_never

import altair as alt
import pandas as pd

from crmreports.render.charts.common import INK, Canvas, missing, text_field
from crmreports.render.charts.kpi import headline
from crmreports.render.colors import PALETTE
from crmreports.render.formats import NULL_TEXT, format_number, measure_formatter
from crmreports.resolve import Funnel, MeasureFunnel
from crmreports.spec import Format

ROW = 44
INSIDE = 0.4  # a label fits inside bars at least this share of the widest


def funnel_chart(c: Canvas, v: Funnel | MeasureFunnel) -> Any:
    data = stages(c, v)
    widest = float(data["value"].max()) if data["value"].notna().any() else 0.0
    half = widest / 2 or 1.0
    y = alt.Y(
        "stage:N", sort=None, title=None, axis=alt.Axis(labelLimit=140, ticks=False, domain=False)
    )
    x = alt.X("start:Q", axis=None, scale=alt.Scale(domain=[-half, half], nice=False))
    tips = [
        alt.Tooltip(field="stage", type="nominal", title="Stage"),
        alt.Tooltip(field=text_field("value"), type="nominal", title=_value_label(c, v)),
        alt.Tooltip(field=text_field("step"), type="nominal", title="Conversion from previous"),
        alt.Tooltip(field=text_field("overall"), type="nominal", title="Conversion from first"),
    ]
    base = alt.Chart(data)
    bars = base.mark_bar(color=PALETTE[0]).encode(x=x, x2="end:Q", y=y, tooltip=tips)
    inside = base.transform_filter(f"datum.share >= {INSIDE}").mark_text(
        color="#fff", fontWeight="bold"
    )
    outside = base.transform_filter(f"datum.share < {INSIDE}").mark_text(
        color=INK, align="left", dx=6
    )
    text = alt.Text(field="label", type="nominal")
    layers = [
        bars,
        inside.encode(x=alt.X("zero:Q", axis=None), y=y, text=text, tooltip=tips),
        outside.encode(x=alt.X("end:Q", axis=None), y=y, text=text, tooltip=tips),
    ]
    return c.finish(alt.layer(*layers), height=ROW * max(len(data), 1))


def stages(c: Canvas, v: Funnel | MeasureFunnel | None = None) -> pd.DataFrame:
    """One row per stage: its value, where its centred bar starts and ends, and the labels.

    `v` defaults to the canvas's visual, which must then be a funnel."""
    if v is None:
        if not isinstance(c.visual, Funnel | MeasureFunnel):
            raise TypeError(f"stages() draws a funnel, not a {c.visual.kind} chart")
        v = c.visual
    rows: list[tuple[str, Any, Callable[[Any], str]]]
    match v:
        case MeasureFunnel():
            row = headline(c, None)
            rows = [
                (c.label(m), None if row is None else row[m], _formatter(c, m)) for m in v.values
            ]
        case Funnel():
            show = _formatter(c, v.value)
            pairs = zip(c.data[v.stage], c.data[v.value], strict=True)
            rows = [(str(stage), value, show) for stage, value in pairs]
        case _:
            assert_never(v)
    values = [None if missing(value) else float(value) for _, value, _ in rows]
    widest = max((x for x in values if x is not None), default=0.0)
    out = []
    for i, ((stage, _, show), value) in enumerate(zip(rows, values, strict=True)):
        before = values[i - 1] if i else None
        step = _ratio(value, before) if i else None
        overall = _ratio(value, values[0])
        label = show(value) if i == 0 or step is None else f"{show(value)} · {_pct(step)}"
        out.append(
            {
                "stage": stage,
                "value": value,
                "start": -(value or 0) / 2,
                "end": (value or 0) / 2,
                "zero": 0.0,
                "share": (value or 0) / widest if widest else 0.0,
                "label": label,
                text_field("value"): show(value),
                text_field("step"): _pct(step) if i else NULL_TEXT,
                text_field("overall"): _pct(overall),
            }
        )
    return pd.DataFrame(out)


def _value_label(c: Canvas, v: Funnel | MeasureFunnel) -> str:
    return c.label(v.value) if isinstance(v, Funnel) else "Value"


def _formatter(c: Canvas, name: str) -> Any:
    measure = c.measure(name)
    return measure_formatter(measure) if measure is not None else str


def _ratio(value: float | None, base: float | None) -> float | None:
    """Empty denominators give null, never 0 or infinity."""
    if value is None or base is None or base == 0:
        return None
    return value / base


def _pct(value: float | None) -> str:
    return format_number(value, Format.PERCENT)
