"""`Dashboard`: several reports run together on the same data, shown on one page.

Every report of a dashboard runs with the same `as_of` date (so "this month" means the same
month on every tile, even across midnight), the same parameter values and the dashboard's
shared filters, where its data has the filter's columns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Self

from pydantic import ConfigDict, PrivateAttr

from crmreports.cache import ResultCache
from crmreports.dashboard.loaders import ReportLoader, SpecFolder
from crmreports.dashboard.result import DashboardResult
from crmreports.dashboard.run import check_dashboard_data, run_dashboard
from crmreports.errors import DataError, Problem, SpecError
from crmreports.report import Report, as_date
from crmreports.spec.dashboard import (
    DashboardSpec,
    check_dashboard,
    relocate,
    validate_dashboard,
)
from crmreports.spec.io import SpecDocument


class Dashboard(DashboardSpec, SpecDocument):
    """A dashboard spec that can load its reports and run them on data.

    Build one in Python (`Dashboard(title=..., items=[...])`), from YAML/JSON text or from a
    file (`Dashboard.from_file(path)`: report references are then found beside the file).
    `from_dict`, `from_yaml`, `from_json` and `from_file` take a `loader=` that finds the
    reports items name by text.
    """

    model_config = ConfigDict(title="Dashboard")
    _loader: ReportLoader | None = PrivateAttr(default=None)

    # --- authoring (the rest is shared with Report: `SpecDocument`) ----------------------------

    @classmethod
    def from_dict(
        cls, data: Any, *, origin: str = "<dict>", loader: ReportLoader | None = None
    ) -> Self:
        """Build from plain data; structural problems raise one located `SpecError`."""
        dashboard: Self = validate_dashboard(cls, data, origin)
        return dashboard.with_loader(loader) if loader is not None else dashboard

    @classmethod
    def from_file(
        cls, path: str | Path, *, loader: ReportLoader | None = None, **options: Any
    ) -> Self:
        """Load a .yaml/.yml/.json dashboard; references are found in its folder by default."""
        found = loader or SpecFolder(Path(path).parent)
        return super().from_file(path, loader=found, **options)

    def with_loader(self, loader: ReportLoader) -> Self:
        """A copy that finds referenced reports with `loader`."""
        copy = self.model_copy()
        copy._loader = loader
        return copy

    @property
    def loader(self) -> ReportLoader:
        """How references are found: set by `from_file`/`with_loader`, else the working folder."""
        return self._loader or SpecFolder(Path.cwd())

    # --- reports -------------------------------------------------------------------------------

    def reports(self, params: Mapping[str, Any] | None = None) -> list[Report]:
        """Every item's report (references loaded); raise one `SpecError` with every problem
        found without data, each located (`items[2].report`)."""
        problems: list[Problem] = []
        loaded: list[Report | None] = []
        for i, item in enumerate(self.items):
            if not isinstance(item.report, str):
                loaded.append(Report.model_validate(item.report.model_dump(by_alias=True)))
                continue
            try:
                spec = self.loader.load(item.report)
            except SpecError as exc:
                problems += [relocate(p, f"items[{i}].report", item.report) for p in exc.problems]
                loaded.append(None)
                continue
            loaded.append(Report.model_validate(spec.model_dump(by_alias=True)))
        reports = [r for r in loaded if r is not None]
        if problems or len(reports) < len(loaded):
            raise SpecError.from_problems(problems)
        problems += check_dashboard(self, reports, params)
        if problems:
            raise SpecError.from_problems(problems)
        return reports

    def check(
        self,
        data: Any = None,
        *,
        params: Mapping[str, Any] | None = None,
        as_of: dt.date | str | None = None,
    ) -> None:
        """Raise a `SpecError` listing every problem; without data, only data-free checks."""
        values = {**self.params, **(params or {})}
        if data is None:
            self.reports(values)
            return
        day = self._day(as_of)  # a bad `as_of` is reported before any report is loaded
        check_dashboard_data(self, self.reports(values), data, values, day)

    def run(
        self,
        data: Any,
        *,
        as_of: dt.date | str | None = None,
        params: Mapping[str, Any] | None = None,
        cache: ResultCache | None = None,
        strict: bool = False,
    ) -> DashboardResult:
        """Run every report on `data` (a frame, a file path, or {source_name: frame}).

        `as_of` (default: the spec's, else today) is the same for every report; `params`
        override the spec's parameter values. Problems of all reports are raised together.
        With a `cache`, a report whose spec and data are unchanged is not run again. With
        `strict`, a filter value that no row holds fails the run (as `Report.run`).
        """
        day = self._day(as_of)
        values = {**self.params, **(params or {})}
        reports = self.reports(values)
        return run_dashboard(self, reports, data, values, day, cache=cache, strict=strict)

    def _day(self, as_of: dt.date | str | None) -> dt.date:
        return as_date(as_of) or self.as_of or dt.date.today()


def load_dashboard(path: str | Path) -> Dashboard:
    """Load a dashboard spec from a .yaml, .yml or .json file."""
    if not Path(path).is_file():
        raise DataError(f"dashboard file not found: {str(path)!r}", code="file-not-found")
    return Dashboard.from_file(path)
