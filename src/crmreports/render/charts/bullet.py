"""Bullets: attainment against a target. Per row, a dark bar for the value over grey bands
(poor, fair, good: fractions of the target), and a tick at the target."""

from __future__ import annotations

import itertools
from typing import Any

import altair as alt
import pandas as pd

from crmreports.render.charts.common import INK, Canvas, missing, text_field
from crmreports.render.formats import NULL_TEXT, format_number, measure_formatter
from crmreports.resolve import Bullet
from crmreports.spec import Format

ROW = 52
# Darkest band first: the worst range stands out, the good one recedes.
DARKEST, LIGHTEST = (184, 190, 199), (244, 245, 247)


def bullet_chart(c: Canvas, v: Bullet) -> Any:
    rows, bands = _rows(c, v)
    name = v.category
    cat = alt.Y("row:N", sort=None, title=None, axis=alt.Axis(labelLimit=140))
    if name is None:
        cat = alt.Y("row:N", title=None, axis=None)
    end = float(bands["end"].max()) if len(bands) else 1.0
    scale = alt.Scale(domain=[0, end], nice=False)
    x = alt.X("start:Q", title=c.label(v.value), axis=c.value_axis(v.value), scale=scale)
    tips = [
        alt.Tooltip(field="row", type="nominal", title=c.label(name) if name else "Measure"),
        alt.Tooltip(field=text_field("value"), type="nominal", title=c.label(v.value)),
        alt.Tooltip(field=text_field("target"), type="nominal", title="Target"),
        alt.Tooltip(field=text_field("attainment"), type="nominal", title="Attainment"),
    ]
    band_tips = [*tips, alt.Tooltip(field="band", type="nominal", title="Band")]
    domain = list(dict.fromkeys(bands["band"])) or ["no target"]
    shades = alt.Scale(domain=domain, range=greys(len(domain)))
    layers = [
        alt.Chart(bands)
        .mark_bar()
        .encode(
            x=x,
            x2="end:Q",
            y=cat,
            color=alt.Color("band:N", scale=shades, legend=None),
            tooltip=band_tips,
        ),
        alt.Chart(rows)
        .mark_bar(color=INK, height={"band": 0.35})
        .encode(x=alt.X("value:Q", title=c.label(v.value)), y=cat, tooltip=tips),
        alt.Chart(rows[rows["target"].notna()])
        .mark_tick(color="#c62828", thickness=3, size=ROW * 0.6)
        .encode(x=alt.X("target:Q", title=c.label(v.value)), y=cat, tooltip=tips),
    ]
    return c.finish(alt.layer(*layers), height=ROW * max(len(rows), 1))


def _rows(c: Canvas, v: Bullet) -> tuple[pd.DataFrame, pd.DataFrame]:
    show = measure_formatter(c.measure(v.value))  # type: ignore[arg-type]
    records: list[dict[str, Any]] = []
    bands: list[dict[str, Any]] = []
    for _, r in c.data.iterrows():
        row = str(r[v.category]) if v.category else c.label(v.value)
        value = None if missing(r[v.value]) else float(r[v.value])
        target = _target(r, v.target)
        attainment = value / target if value is not None and target else None
        records.append(
            {
                "row": row,
                "value": value,
                "target": target,
                text_field("value"): show(value),
                text_field("target"): NULL_TEXT if target is None else show(target),
                text_field("attainment"): format_number(attainment, Format.PERCENT),
            }
        )
    top = max([x for rec in records for x in (rec["value"], rec["target"]) if x] or [1.0])
    for rec in records:
        bands += _bands(rec, v.bands, top * 1.1)
    columns = [
        "row",
        "value",
        "target",
        *(text_field(n) for n in ("value", "target", "attainment")),
    ]
    band_columns = [*columns, "start", "end", "band"]
    return pd.DataFrame(records, columns=columns), pd.DataFrame(bands, columns=band_columns)


def greys(n: int) -> list[str]:
    """`n` greys from dark to light."""
    steps = [i / (n - 1) if n > 1 else 0.0 for i in range(n)]
    pairs = list(zip(DARKEST, LIGHTEST, strict=True))
    return ["#" + "".join(f"{round(a + (b - a) * t):02x}" for a, b in pairs) for t in steps]


def _target(row: pd.Series, target: float | str) -> float | None:
    if isinstance(target, str):
        return None if missing(row[target]) else float(row[target])
    return float(target)


def _bands(rec: dict[str, Any], fractions: tuple[float, ...], end: float) -> list[dict[str, Any]]:
    """Qualitative ranges of one row, ending at fractions of its target, the last at `end`."""
    target = rec["target"]
    if not target:
        return [{**rec, "start": 0.0, "end": end, "band": "no target"}]
    edges = [0.0, *(f * target for f in fractions), max(end, fractions[-1] * target)]
    names = [f"below {fractions[0]:.0%}"]
    names += [f"{a:.0%} to {b:.0%}" for a, b in itertools.pairwise(fractions)]
    names.append(f"{fractions[-1]:.0%} or more")
    return [
        {**rec, "start": lo, "end": hi, "band": f"{name} of target"}
        for (lo, hi), name in zip(itertools.pairwise(edges), names, strict=True)
    ]
