"""How a dashboard finds the reports its items name by text (`report: revenue_by_month`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from crmreports.errors import UnknownNameError, unknown_name
from crmreports.report import Report
from crmreports.spec import ReportSpec
from crmreports.spec.dashboard import SPEC_SUFFIXES


class ReportLoader(Protocol):
    """Finds the report a dashboard item names by text (`report: revenue_by_month`)."""

    def load(self, ref: str) -> ReportSpec:
        """The report `ref` names; raise a `SpecError` (path relative to the report) if not."""
        ...


@dataclass(frozen=True)
class SpecFolder:
    """Reports as spec files in one folder: `ref` is a file name with its .yaml/.yml/.json
    suffix (sub-folders allowed), or a report name looked up as `<ref>.yaml|.yml|.json`.

    A reference cannot leave the folder (`../secrets.yaml` is refused), so a dashboard spec
    from someone else reads no other file on the machine.
    """

    folder: Path

    def load(self, ref: str) -> ReportSpec:
        root = self.folder.resolve()
        if Path(ref).suffix.lower() in SPEC_SUFFIXES:
            candidates = [root / ref]
        else:
            candidates = [root / f"{ref}{suffix}" for suffix in SPEC_SUFFIXES]
        for path in candidates:
            if not path.resolve().is_relative_to(root):
                raise UnknownNameError(
                    [
                        unknown_name(
                            "unknown-name",
                            f"report reference {ref!r} points outside the folder {str(root)!r}",
                            "",
                            ref,
                            self.names(),
                            "reports",
                            hint="keep referenced specs in the dashboard's folder or below it",
                        )
                    ]
                )
            if path.is_file():
                return Report.from_file(path)
        raise UnknownNameError(
            [
                unknown_name(
                    "unknown-name",
                    f"no report {ref!r} in {str(root)!r}",
                    "",
                    ref,
                    self.names(),
                    "reports",
                    hint="name a .yaml/.yml/.json spec file in that folder, or write the "
                    "report inline",
                )
            ]
        )

    def names(self) -> list[str]:
        """Report names found in the folder (the stems of its spec files)."""
        if not self.folder.is_dir():
            return []
        return sorted(p.stem for p in self.folder.iterdir() if p.suffix.lower() in SPEC_SUFFIXES)


@dataclass(frozen=True)
class ReportCatalog:
    """Reports held in memory, found by name: `ReportCatalog.of(report_a, report_b)`."""

    reports: Mapping[str, ReportSpec]

    @classmethod
    def of(cls, *reports: ReportSpec) -> ReportCatalog:
        return cls({r.name: r for r in reports})

    def load(self, ref: str) -> ReportSpec:
        if ref in self.reports:
            return self.reports[ref]
        raise UnknownNameError(
            [
                unknown_name(
                    "unknown-name",
                    f"no report named {ref!r} in the catalog",
                    "",
                    ref,
                    sorted(self.reports),
                    "reports",
                )
            ]
        )
