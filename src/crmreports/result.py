"""`ReportResult`: the computed report, as a frame of the caller's kind, a chart, or a page."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import altair as alt
import pandas as pd
import pyarrow as pa

from crmreports.execute import ExecutedFrame
from crmreports.plan import Plan
from crmreports.render import Section, build_chart, display_table, render_page
from crmreports.resolve import ResolvedReport

if TYPE_CHECKING:
    from crmreports.report import Report


class ReportResult:
    """The aggregated rows of one report run, with the metadata to present them."""

    def __init__(
        self, report: Report, resolved: ResolvedReport, plan: Plan, executed: ExecutedFrame
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
        return self.plan.explain()

    def __len__(self) -> int:
        return self._executed.table.num_rows

    def __repr__(self) -> str:
        return (
            f"<ReportResult {self.report.name!r}: {len(self)} rows x "
            f"{len(self.columns)} columns ({', '.join(self.columns)})>"
        )

    # --- presentation --------------------------------------------------------------------------

    def chart(self) -> alt.TopLevelMixin:
        """An Altair chart of the result (only the result's rows are embedded)."""
        return build_chart(self.to_pandas(), self.resolved)

    def section(self) -> Section:
        """This result as one section of an HTML page (used by pages with several reports)."""
        frame = self.to_pandas()
        chart = build_chart(frame, self.resolved)
        spec = None if self.resolved.visual.kind == "table" else chart.to_dict()
        return Section(
            title=self.report.display_title,
            description=self.report.description,
            chart=spec,
            table=display_table(frame, self.resolved, self.resolved.visual.columns),
            notes=self.notes,
        )

    def to_html(self, path: str | Path | None = None) -> str:
        """A self-contained HTML page (no network needed); written to `path` when given."""
        page = render_page(self.report.display_title, [self.section()])
        if path is not None:
            Path(path).write_text(page, encoding="utf-8")
        return page

    def _repr_html_(self) -> str:
        return self.to_pandas()._repr_html_()  # type: ignore[no-any-return, operator]

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

    def write(self, path: str | Path) -> Path:
        """Write by extension: .html, .csv, .parquet or .json."""
        target = Path(path)
        writers = {
            ".html": self.to_html,
            ".csv": self.to_csv,
            ".parquet": self.to_parquet,
            ".json": self.to_json,
        }
        writer = writers.get(target.suffix.lower())
        if writer is None:
            from crmreports.errors import DataError

            raise DataError(
                f"cannot write {str(target)!r}: use a .html, .csv, .parquet or .json file name"
            )
        writer(target)
        return target
