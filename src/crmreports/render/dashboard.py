"""Dashboard pages: tiles on a responsive 12-column grid, one colour per category value.

The page is self-contained like a report page (Jinja2 autoescape, the Vega JavaScript inlined,
chart specs as escaped JSON), so it opens offline and a customer called `<script>` stays text.
The same tiles also render as a static fragment for notebooks, with each chart drawn to SVG by
vl-convert instead of by JavaScript.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import pandas as pd

from crmreports.plan import ROW_TYPE
from crmreports.render.colors import MUTED, MUTED_VALUES
from crmreports.render.export import svg_data_uri
from crmreports.render.html import script_json, template_environment, vega_javascript
from crmreports.render.table import DisplayTable, display_table
from crmreports.resolve import ResolvedReport

TileKind = Literal["chart", "table", "kpi"]

# Vega's "tableau10" and "tableau20" schemes, spelled out so a value's colour can be fixed
# across charts; grey (`colors.MUTED`, one grey for every chart) is kept for missing values
# and "Other".
TABLEAU10 = (
    "#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b",
    "#eeca3b", "#b279a2", "#ff9da6", "#9d755d", "#bab0ac",
)  # fmt: skip
TABLEAU20 = (
    "#4c78a8", "#9ecae9", "#f58518", "#ffbf79", "#54a24b", "#88d27a", "#b79a20",
    "#f2cf5b", "#439894", "#83bcb6", "#e45756", "#ff9d98", "#79706e", "#bab0ac",
    "#d67195", "#fcbfd2", "#b279a2", "#d6a5c9", "#9e765f", "#d8b5a5",
)  # fmt: skip


@dataclass(frozen=True)
class KpiFigure:
    """A KPI tile's content, already formatted: the big number, its label, the other measures."""

    label: str
    value: str
    others: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Tile:
    """One grid cell. `chart` is the report's Vega-Lite dict: drawn on the page for chart
    tiles; for table tiles only images use it (a page shows the real <table>)."""

    kind: TileKind
    width: int
    title: str
    description: str | None = None
    chart: dict[str, Any] | None = None
    table: DisplayTable | None = None
    kpi: KpiFigure | None = None
    filters: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class DashboardPage:
    """Everything a dashboard page shows, independent of how the reports were computed."""

    title: str
    tiles: tuple[Tile, ...]
    description: str | None = None
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    as_of: dt.date | None = None
    filters: tuple[str, ...] = ()
    params: tuple[str, ...] = ()

    @property
    def stamp(self) -> str:
        return self.generated_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")

    @property
    def meta_lines(self) -> list[str]:
        """The provenance lines every rendering shows (page header, image subtitle)."""
        lines = [f"Generated {self.stamp}" + (f" · data as of {self.as_of}" if self.as_of else "")]
        lines.append(
            "Filters on every report: " + "; ".join(self.filters)
            if self.filters
            else "No dashboard-wide filters"
        )
        if self.params:
            lines.append("Parameters: " + "; ".join(self.params))
        return lines


def kpi_figure(frame: pd.DataFrame, report: ResolvedReport, measure: str | None) -> KpiFigure:
    """The KPI of a one-row result, formatted exactly as its table would show it."""
    names = [m.name for m in report.measures]
    chosen = measure or names[0]
    order = (chosen, *(n for n in names if n != chosen))
    detail = frame[frame[ROW_TYPE] == "detail"] if ROW_TYPE in frame.columns else frame
    table = display_table(detail, report, order, max_rows=1)
    cells = table.rows[0] if table.rows else ("–",) * len(order)
    others = tuple(zip(table.headers[1:], cells[1:], strict=True))
    return KpiFigure(label=table.headers[0], value=cells[0], others=others)


# --- one colour per category value across the page ---------------------------------------------


def _views(node: Any, rows: list[dict[str, Any]], datasets: Mapping[str, Any]) -> Iterator[Any]:
    """Every view of a (possibly layered or concatenated) spec with the data rows it draws."""
    if isinstance(node, dict):
        data = node.get("data")
        if isinstance(data, dict) and isinstance(data.get("name"), str):
            rows = list(datasets.get(data["name"], []))
        elif isinstance(data, dict) and isinstance(data.get("values"), list):
            rows = data["values"]
        if isinstance(node.get("encoding"), dict):
            yield node, rows
        for key in ("layer", "hconcat", "vconcat", "concat"):
            for child in node.get(key, ()):
                yield from _views(child, rows, datasets)
        if isinstance(node.get("spec"), dict):
            yield from _views(node["spec"], rows, datasets)


def _color_channel(view: dict[str, Any]) -> dict[str, Any] | None:
    color = view["encoding"].get("color")
    if not isinstance(color, dict) or not isinstance(color.get("field"), str):
        return None
    if color.get("type") != "nominal" or "timeUnit" in color or "aggregate" in color:
        return None
    return color


def _fixed(color: dict[str, Any]) -> list[tuple[Any, str]]:
    """(value, colour) pairs of a scale whose colours a chart builder already fixed."""
    scale = color.get("scale")
    if not isinstance(scale, dict):
        return []
    domain, colors = scale.get("domain"), scale.get("range")
    if not isinstance(domain, list) or not isinstance(colors, list):
        return []
    return list(zip(domain, colors, strict=False))


def _present(color: dict[str, Any], rows: list[dict[str, Any]]) -> list[Any]:
    values: list[Any] = []
    for row in rows:
        value = row.get(color["field"])
        if value is not None and value not in values:
            values.append(value)
    return values


def shared_color_mapping(specs: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Category value (as text) -> colour, for every nominal colour channel on the page.

    Colours a chart already fixed (a builder given a shared mapping) are kept; other values get
    the next unused palette colour in order of first appearance; missing values and "Other"
    are grey, so they never look like a category of their own.
    """
    mapping: dict[str, str] = {}
    views = [vr for spec in specs for vr in _views(spec, [], spec.get("datasets", {}))]
    for view, _ in views:
        color = _color_channel(view)
        for value, fixed in _fixed(color) if color else []:
            mapping.setdefault(str(value), fixed)
    palette = [*TABLEAU10[:9], *(c for c in TABLEAU20 if c not in TABLEAU10)]
    for view, rows in views:
        color = _color_channel(view)
        for value in _present(color, rows) if color else []:
            key = str(value)
            if key in mapping:
                continue
            if key in MUTED_VALUES:
                mapping[key] = MUTED
                continue
            free = [c for c in palette if c not in mapping.values()]
            mapping[key] = free[0] if free else palette[len(mapping) % len(palette)]
    return mapping


def apply_colors(spec: Mapping[str, Any], mapping: Mapping[str, str]) -> dict[str, Any]:
    """A copy of `spec` whose colour scales are `scale(domain=..., range=...)` from `mapping`.

    A chart's domain lists the values it draws (so its legend shows no stranger), in its own
    order when it fixed one; each value gets its page-wide colour.
    """
    result = copy.deepcopy(dict(spec))
    for view, rows in _views(result, [], result.get("datasets", {})):
        color = _color_channel(view)
        if color is None:
            continue
        fixed = _fixed(color)
        domain = [v for v, _ in fixed] if fixed else _present(color, rows)
        if not domain or any(str(v) not in mapping for v in domain):
            continue
        scale = {k: v for k, v in (color.get("scale") or {}).items() if k != "scheme"}
        color["scale"] = {**scale, "domain": domain, "range": [mapping[str(v)] for v in domain]}
    return result


def with_shared_colors(tiles: Sequence[Tile]) -> tuple[Tile, ...]:
    """The tiles with one colour per category value across all their charts."""
    mapping = shared_color_mapping([t.chart for t in tiles if t.chart is not None])
    return tuple(
        replace(t, chart=apply_colors(t.chart, mapping)) if t.chart is not None else t
        for t in tiles
    )


def _untitled(spec: dict[str, Any], title: str) -> dict[str, Any]:
    """The chart without its title when the tile's heading already says the same."""
    own = spec.get("title")
    text = own.get("text") if isinstance(own, dict) else own
    if text != title:
        return spec
    return {k: v for k, v in spec.items() if k != "title"}


# --- HTML -------------------------------------------------------------------------------------


def render_dashboard(page: DashboardPage) -> str:
    """The dashboard as one self-contained, responsive HTML page."""
    tiles = with_shared_colors(page.tiles)
    specs = [
        script_json(_untitled(t.chart, t.title)) if t.kind == "chart" and t.chart else None
        for t in tiles
    ]
    return (
        template_environment()
        .get_template("dashboard.html.j2")
        .render(
            page=page,
            tiles=list(zip(tiles, specs, strict=True)),
            images=[None] * len(tiles),
            header=True,
            vega_js=vega_javascript(),
        )
    )


def render_fragment(page: DashboardPage, *, header: bool = True, image_width: int = 560) -> str:
    """The dashboard as an HTML fragment with charts drawn to SVG images: no JavaScript, so it
    shows in a notebook (trusted or not), in nbconvert output and on code hosting sites."""
    tiles = with_shared_colors(page.tiles)
    images = [
        svg_data_uri(_untitled(t.chart, t.title), width=image_width)
        if t.kind == "chart" and t.chart
        else None
        for t in tiles
    ]
    return (
        template_environment()
        .get_template("dashboard_fragment.html.j2")
        .render(
            page=page,
            tiles=[(t, None) for t in tiles],
            images=images,
            header=header,
        )
    )


# --- notebooks --------------------------------------------------------------------------------


def report_fragment(tile: Tile, *, image_width: int = 640) -> str:
    """One report as an HTML fragment for a notebook: its chart (an SVG image), its table
    (folded under the chart) and its notes."""
    page = DashboardPage(title=tile.title, tiles=(replace(tile, width=12),))
    return render_fragment(page, header=False, image_width=image_width)


def mime_bundle(
    makers: Mapping[str, Callable[[], Any]],
    include: Iterable[str] | None = None,
    exclude: Iterable[str] | None = None,
) -> dict[str, Any]:
    """IPython's `_repr_mimebundle_` protocol: only the MIME types asked for are rendered."""
    wanted = set(makers) if include is None else set(include) & set(makers)
    wanted -= set(exclude or ())
    return {mime: make() for mime, make in makers.items() if mime in wanted}
