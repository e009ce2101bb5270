"""`ReportResult`: the computed report, as a frame of the caller's kind, a chart, or a page.

`ResultExports` holds what a report's result and a dashboard's result write alike (the page,
the images, writing by extension, the notebook display), so the two never drift apart.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from pathlib import Path
from typing import Any, ClassVar

import altair as alt
import pandas as pd
import pyarrow as pa

from crmreports.errors import DataError
from crmreports.execute import ExecutedFrame
from crmreports.plan import Plan, explain
from crmreports.render import Section, build_chart, display_table, render_page
from crmreports.render.dashboard import Tile, TileKind, mime_bundle, report_fragment
from crmreports.render.export import DEFAULT_WIDTH, export_chart, require_suffix, write_xlsx
from crmreports.resolve import ResolvedReport
from crmreports.spec import ReportSpec

Writer = Callable[[Path], object]


class ResultExports(ABC):
    """Pages, images and the notebook display of a computed result.

    A subclass says what its page is (`page_html`), what an image of it draws (`drawing`) and
    which file kinds it writes (`writers`); the writing itself is here, once.
    """

    # The `width` of an image when none is given (a report's chart; a dashboard's page).
    IMAGE_WIDTH: ClassVar[int] = DEFAULT_WIDTH

    @abstractmethod
    def page_html(self) -> str:
        """The self-contained HTML page."""

    @abstractmethod
    def drawing(self, width: int) -> tuple[alt.TopLevelMixin | Mapping[str, Any], int]:
        """What an image of this result draws when `width` px are asked for, and the width
        the image renderer is given."""

    @abstractmethod
    def _repr_html_(self) -> str: ...

    @abstractmethod
    def cannot_write(self, target: Path) -> str:
        """The message for a file name of a kind `write` does not know."""

    def writers(self) -> dict[str, Writer]:
        """`write`'s writer per file extension."""
        return {".html": self.to_html, ".png": self.to_png, ".svg": self.to_svg,
                ".pdf": self.to_pdf}  # fmt: skip

    def to_html(self, path: str | Path | None = None) -> str:
        """A self-contained HTML page (no network needed); written to `path` when given."""
        page = self.page_html()
        if path is not None:
            Path(path).write_text(page, encoding="utf-8")
        return page

    def to_png(self, path: str | Path, *, scale: float = 2.0, width: int | None = None) -> Path:
        """The image as PNG, drawn without a browser; `scale` 2 gives sharp pixels on screens."""
        chart, fixed = self.drawing(width or self.IMAGE_WIDTH)
        return export_chart(chart, require_suffix(path, ".png"), scale=scale, width=fixed)

    def to_svg(self, path: str | Path, *, width: int | None = None) -> Path:
        chart, fixed = self.drawing(width or self.IMAGE_WIDTH)
        return export_chart(chart, require_suffix(path, ".svg"), width=fixed)

    def to_pdf(self, path: str | Path, *, width: int | None = None) -> Path:
        chart, fixed = self.drawing(width or self.IMAGE_WIDTH)
        return export_chart(chart, require_suffix(path, ".pdf"), width=fixed)

    def write(self, path: str | Path) -> Path:
        """Write by extension: one of `writers()` (.html, the image as .png, .svg, .pdf, and
        for a report's result its rows as .csv, .parquet, .json, .xlsx)."""
        target = Path(path)
        writer = self.writers().get(target.suffix.lower())
        if writer is None:
            raise DataError(self.cannot_write(target), code="unsupported-output")
        writer(target)
        return target

    def _repr_mimebundle_(
        self, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None
    ) -> dict[str, Any]:
        """What Jupyter shows without extra calls: the HTML display, plus plain text.

        No Vega-Lite MIME entry: a front end would pick it over the HTML and hide a report's
        table; `result.chart()` gives the interactive chart.
        """
        return mime_bundle({"text/html": self._repr_html_, "text/plain": self.__repr__},
                           include, exclude)  # fmt: skip


class ReportResult(ResultExports):
    """The aggregated rows of one report run, with the metadata to present them.

    `report` is the `Report` that ran, typed by its spec: this module sits below
    `crmreports.report` (which makes results), so the dependency runs one way.
    """

    def __init__(
        self, report: ReportSpec, resolved: ResolvedReport, plan: Plan, executed: ExecutedFrame
    ) -> None:
        self.report = report
        self.resolved = resolved
        self.plan = plan
        self._executed = executed

    @property
    def data(self) -> Any:
        """The result as the same kind of frame as the input (pandas in, pandas out)."""
        return self._executed.native()

    @property
    def executed(self) -> ExecutedFrame:
        """The executed rows as Arrow, with the kind of frame the caller gave, the execution's
        notes and the time buckets (what a dashboard's shared run hands each report)."""
        return self._executed

    @property
    def notes(self) -> tuple[str, ...]:
        """What a reader should know: relative filters in force, unmatched join keys, ..."""
        return self.resolved.notes + self._executed.notes

    @property
    def columns(self) -> list[str]:
        return list(self.resolved.columns)

    def to_pandas(self) -> pd.DataFrame:
        return self._executed.table.to_pandas()

    def to_arrow(self) -> pa.Table:
        return self._executed.table

    def explain(self) -> str:
        return explain(self.plan)

    def __len__(self) -> int:
        rows: int = self._executed.table.num_rows
        return rows

    def __repr__(self) -> str:
        return (
            f"<ReportResult {self.report.name!r}: {len(self)} rows x "
            f"{len(self.columns)} columns ({', '.join(self.columns)})>"
        )

    # --- presentation --------------------------------------------------------------------------

    def chart(self, *, colors: MutableMapping[str, str] | None = None) -> alt.TopLevelMixin:
        """An Altair chart of the result (only the result's rows are embedded).

        Pass one `colors` dict to several charts to give a category one colour in all of them.
        """
        return build_chart(
            self.to_pandas(), self.resolved, colors=colors, buckets=self._executed.buckets
        )

    def section(self, *, colors: MutableMapping[str, str] | None = None) -> Section:
        """This result as one section of an HTML page (used by pages with several reports)."""
        frame = self.to_pandas()
        chart = build_chart(frame, self.resolved, colors=colors, buckets=self._executed.buckets)
        spec = None if self.resolved.visual.kind == "table" else chart.to_dict()
        return Section(
            title=self.report.display_title,
            description=self.report.description,
            chart=spec,
            table=display_table(frame, self.resolved, self.resolved.visual.columns),
            notes=self.notes,
        )

    def page_html(self) -> str:
        return render_page(self.report.display_title, [self.section()])

    def drawing(self, width: int) -> tuple[alt.TopLevelMixin, int]:
        return self.chart(), width

    # --- notebooks -------------------------------------------------------------------------------

    def _repr_html_(self) -> str:
        """The chart (an SVG image, no JavaScript needed), the table under it, the notes."""
        section = self.section()
        kind: TileKind = "table" if section.chart is None else "chart"
        tile = Tile(kind, 12, section.title, section.description, chart=section.chart,
                    table=section.table, notes=section.notes)  # fmt: skip
        return report_fragment(tile)

    # --- export --------------------------------------------------------------------------------

    def to_csv(self, path: str | Path) -> None:
        self.to_pandas().to_csv(path, index=False)

    def to_parquet(self, path: str | Path) -> None:
        import pyarrow.parquet as pq

        pq.write_table(self._executed.table, path)

    def to_json(self, path: str | Path | None = None) -> str:
        """Records as JSON (dates in ISO 8601, missing values as null)."""
        text: str = self.to_pandas().to_json(orient="records", date_format="iso", indent=2)
        if path is not None:
            Path(path).write_text(text + "\n", encoding="utf-8")
        return text

    def to_xlsx(self, path: str | Path) -> Path:
        """One Excel sheet: values stay numbers and dates, shown with each measure's format.

        Needs the `xlsx` extra (`pip install 'crmreports[xlsx]'`, which brings openpyxl).
        """
        formats = {
            m.name: str(getattr(m.format, "value", m.format)) for m in self.resolved.measures
        }
        return write_xlsx(self.to_pandas(), path, sheet=self.report.name, formats=formats)

    def writers(self) -> dict[str, Writer]:
        return {
            **super().writers(),
            ".csv": self.to_csv,
            ".parquet": self.to_parquet,
            ".json": self.to_json,
            ".xlsx": self.to_xlsx,
        }

    def cannot_write(self, target: Path) -> str:
        return f"cannot write {str(target)!r}: use a {', '.join(WRITE_SUFFIXES)} file"


WRITE_SUFFIXES = (".html", ".csv", ".parquet", ".json", ".xlsx", ".png", ".svg", ".pdf")
