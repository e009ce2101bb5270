"""A dashboard as one static Vega-Lite layout (vconcat of hconcat rows), for PNG/SVG/PDF.

An image has no browser to lay out a grid, so the 12-column grid is composed here: tiles are
packed into rows the way CSS grid packs them (a tile that does not fit the rest of a row starts
the next), each tile gets its share of a fixed page width, and KPI tiles become text marks.
vl-convert then draws the whole thing without a browser. Composed at the dict level (not with
`alt.hconcat`), because Altair refuses to concatenate charts that carry their own `config`.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import altair as alt

from crmreports.render.dashboard import DashboardPage, KpiFigure, Tile, with_shared_colors

PAGE_WIDTH = 1200  # px of the composed image (before `scale`)
GAP = 24  # px between tiles in a row
AXIS_ROOM = 90  # px a chart's axis and padding take beside its plot
KPI_HEIGHT = 70


def grid_rows(widths: Sequence[int], columns: int = 12) -> list[list[int]]:
    """Indices of the tiles in each row, packed like CSS grid's auto-placement.

    >>> grid_rows([3, 3, 3, 3, 8, 4, 6, 7])
    [[0, 1, 2, 3], [4, 5], [6], [7]]
    """
    rows: list[list[int]] = []
    used = columns
    for i, width in enumerate(widths):
        span = min(max(width, 1), columns)
        if used + span > columns:
            rows.append([])
            used = 0
        rows[-1].append(i)
        used += span
    return rows


def kpi_spec(title: str, kpi: KpiFigure, width: int) -> dict[str, Any]:
    """A KPI tile as text marks: the big number, its label, the other measures."""
    lines = [kpi.label] if kpi.label.lower() != title.lower() else []
    lines += [f"{label}: {value}" for label, value in kpi.others]
    data = {"value": kpi.value, "more": "  ·  ".join(lines)}
    base = alt.Chart(alt.Data(values=[data]))  # type: ignore[no-untyped-call]  # alt.Data has no types
    number = base.mark_text(
        align="left", baseline="top", fontSize=34, fontWeight="bold", color="#1f2933"
    ).encode(text="value:N", x=alt.value(0), y=alt.value(0))
    more = base.mark_text(
        align="left", baseline="top", fontSize=13, color="#52606d", limit=width
    ).encode(text="more:N", x=alt.value(0), y=alt.value(46))
    chart = alt.layer(number, more).properties(
        title=alt.TitleParams(title, anchor="start"),
        width=width,
        height=KPI_HEIGHT,
        view=alt.ViewBackground(stroke=None),
    )
    return chart.to_dict()


def compose(page: DashboardPage, width: int = PAGE_WIDTH) -> dict[str, Any]:
    """The dashboard's tiles as one Vega-Lite spec: title and provenance lines on top, then
    one hconcat per grid row. Tables show as text-mark tables; descriptions are page-only."""
    tiles = with_shared_colors(page.tiles)
    column = (width + GAP) / 12
    datasets: dict[str, Any] = {}
    config: dict[str, Any] = {}
    rows = []
    for row in grid_rows([t.width for t in tiles]):
        views = []
        for i in row:
            tile = tiles[i]
            room = max(int(column * tile.width - GAP), 120)
            views.append(_view(tile, room, datasets, config))
        rows.append(_independent({"hconcat": views, "spacing": GAP}))
    subtitle = list(page.meta_lines) + _notes(tiles)
    spec: dict[str, Any] = {
        "$schema": alt.SCHEMA_URL,
        "title": {
            "text": page.title,
            "subtitle": subtitle,
            "anchor": "start",
            "fontSize": 22,
            "subtitleFontSize": 12,
            "subtitleColor": "#52606d",
            "limit": width,
            "offset": 16,
        },
        "vconcat": rows,
        "spacing": 28,
        "padding": 20,
        "background": "white",
        "config": config,
    }
    if datasets:
        spec["datasets"] = datasets
    return _independent(spec)


def _notes(tiles: Sequence[Tile]) -> list[str]:
    """Each tile's notes, as subtitle lines: a note every tile shares is listed once."""
    everywhere = set.intersection(*(set(t.notes) for t in tiles)) if tiles else set()
    lines = sorted(everywhere)
    for tile in tiles:
        lines += [f"{tile.title}: {note}" for note in tile.notes if note not in everywhere]
    return lines


def _view(tile: Tile, room: int, datasets: dict[str, Any], config: dict[str, Any]) -> Any:
    if tile.kind == "kpi" and tile.kpi is not None:
        spec = kpi_spec(tile.title, tile.kpi, room)
    elif tile.chart is not None:
        spec = copy.deepcopy(tile.chart)
    else:  # nothing to draw: keep the tile's place with its title
        spec = {"mark": "text", "title": tile.title, "width": room, "height": 20}
    spec.pop("$schema", None)
    datasets.update(spec.pop("datasets", {}))
    for key, value in spec.pop("config", {}).items():
        config.setdefault(key, value)
    if "mark" in spec or "layer" in spec:  # a single or layered view: size its plot
        spec["width"] = max(room - (0 if tile.kind == "kpi" else AXIS_ROOM), 80)
    return spec


def _independent(spec: dict[str, Any]) -> dict[str, Any]:
    """Each chart keeps its own colour scale (already page-consistent) and its own legend."""
    spec["resolve"] = {"scale": {"color": "independent"}, "legend": {"color": "independent"}}
    return spec
