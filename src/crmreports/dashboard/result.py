"""`DashboardResult`: the computed reports of a dashboard, as a page, an image, or a notebook
display (written through the same code as a report's result: `crmreports.result`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import altair as alt

from crmreports.render.dashboard import (
    DashboardPage,
    Tile,
    TileKind,
    kpi_figure,
    render_dashboard,
    render_fragment,
)
from crmreports.render.export import DEFAULT_WIDTH
from crmreports.render.layout import PAGE_WIDTH, compose
from crmreports.report import Report
from crmreports.result import ReportResult, ResultExports
from crmreports.spec.dashboard import DashboardSpec, KpiItem, ReportItem, describe_filter

Item = ReportItem | KpiItem


@dataclass(frozen=True)
class TileResult:
    """One item's outcome: its report as written, the result of running it with the shared
    filters its data could take (`applied`: their indices), and the dashboard's notes on it."""

    item: Item
    report: Report
    result: ReportResult
    applied: tuple[int, ...] = ()
    notes: tuple[str, ...] = ()


class DashboardResult(ResultExports):
    """The computed reports of a dashboard, as a page, an image, or a notebook display."""

    # Images are the static layout of the whole page (`chart()`), this many px wide.
    IMAGE_WIDTH = PAGE_WIDTH

    def __init__(
        self,
        dashboard: DashboardSpec,
        tiles: tuple[TileResult, ...],
        *,
        as_of: dt.date,
        params: Mapping[str, Any],
        generated_at: dt.datetime | None = None,
        scans: int | None = None,
    ) -> None:
        self.dashboard = dashboard
        self.tiles = tiles
        # How many aggregations ran: compatible reports share one (crmreports.sharing).
        self.scans = len(tiles) if scans is None else scans
        self.as_of = as_of
        self.params = dict(params)
        self.generated_at = generated_at or dt.datetime.now(dt.UTC)

    @property
    def results(self) -> tuple[ReportResult, ...]:
        """Each item's `ReportResult`, in item order."""
        return tuple(t.result for t in self.tiles)

    def __getitem__(self, key: int | str) -> ReportResult:
        """An item's result by position, or by its report's name (the first such item)."""
        if isinstance(key, int):
            return self.tiles[key].result
        for tile in self.tiles:
            if tile.report.name == key:
                return tile.result
        names = [t.report.name for t in self.tiles]
        raise KeyError(f"no report {key!r} on this dashboard; reports: {', '.join(names)}")

    def __len__(self) -> int:
        return len(self.tiles)

    def __repr__(self) -> str:
        names = ", ".join(t.report.name for t in self.tiles)
        return f"<DashboardResult {self.dashboard.title!r} as of {self.as_of}: {names}>"

    # --- presentation --------------------------------------------------------------------------

    def page(self) -> DashboardPage:
        """What every rendering of this dashboard shows, formatted for people."""
        colors: dict[str, str] = {}  # one colour per category value, filled chart by chart
        tiles = [self._tile(t, colors) for t in self.tiles]
        # A relative date filter's note gives its dates ("... (2024-01-01 .. 2024-12-31)"):
        # shown once in the header for a dashboard filter, rather than on every tile.
        shared = []
        for f in self.dashboard.filters:
            text = describe_filter(f, self.params)
            notes = (n for t in tiles for n in t.notes if n.startswith(f"{text} ("))
            shared.append(next(notes, text))
        tiles = [replace(t, notes=tuple(n for n in t.notes if n not in shared)) for t in tiles]
        return DashboardPage(
            title=self.dashboard.title,
            description=self.dashboard.description,
            tiles=tuple(tiles),
            generated_at=self.generated_at,
            as_of=self.as_of,
            filters=tuple(shared),
            params=tuple(f"{k} = {v}" for k, v in self.params.items()),
        )

    def _tile(self, tile: TileResult, colors: dict[str, str]) -> Tile:
        result = tile.result
        filters = tuple(describe_filter(f, self.params) for f in tile.report.filters)
        notes = tuple(result.notes) + tile.notes
        title = tile.report.display_title
        if isinstance(tile.item, KpiItem):
            figure = kpi_figure(result.to_pandas(), result.resolved, tile.item.measure)
            return Tile("kpi", tile.item.width, title, tile.report.description, kpi=figure,
                        filters=filters, notes=notes)  # fmt: skip
        section = result.section(colors=colors)
        kind: TileKind = "table" if section.chart is None else "chart"
        chart = section.chart if section.chart is not None else result.chart().to_dict()
        return Tile(kind, tile.item.width, title, section.description, chart=chart,
                    table=section.table, filters=filters, notes=notes)  # fmt: skip

    def page_html(self) -> str:
        """One self-contained, responsive page (no network needed)."""
        return render_dashboard(self.page())

    def chart(self, width: int = PAGE_WIDTH) -> alt.VConcatChart:
        """The dashboard as one static Altair layout (rows of charts and KPI tiles), for
        images: no tooltips, tables only for table reports, notes in the subtitle."""
        return alt.VConcatChart.from_dict(compose(self.page(), width))

    def drawing(self, width: int) -> tuple[dict[str, Any], int]:
        # The layout is composed at `width`; the image renderer keeps its default.
        return compose(self.page(), width), DEFAULT_WIDTH

    def cannot_write(self, target: Path) -> str:
        return (
            f"cannot write a dashboard to {str(target)!r}: use a .html, .png, .svg or .pdf "
            "file name"
        )

    # --- notebooks -----------------------------------------------------------------------------

    def _repr_html_(self) -> str:
        """The dashboard as HTML, its charts drawn to SVG (no JavaScript)."""
        return render_fragment(self.page())
