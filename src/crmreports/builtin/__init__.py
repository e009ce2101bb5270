"""The standard CRM reports, shipped as spec files over a documented data model.

    from crmreports import builtin
    builtin.names()                                   # ['customers.churn', ...]
    report = builtin.get(
        "sales.win_rate",
        columns={"opportunities": {"stage": "deal_stage", "amount": "close_value"}},
        values={"opportunities.stage": {"Won": "won", "Lost": "lost"}},
    )
    report.run({"opportunities": my_frame}).chart()

Each report is a YAML file under `crmreports/builtin/reports/<domain>/<report>/` (`main.yaml`,
plus further views of the same question), written in the public spec language: read it with
`builtin.path(name)`, copy it, change it. The tables and columns it reads are those of
`crmreports.builtin.model`; `columns` and `values` map yours onto them, without touching your
data.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from crmreports.builtin.binding import Binding, tables_read
from crmreports.builtin.model import TABLES
from crmreports.builtin.probe import Requirements
from crmreports.builtin.probe import requirements as probe_requirements
from crmreports.builtin.segments import SEGMENT_MAP, with_segment_map
from crmreports.dashboard import Dashboard
from crmreports.errors import DataError, SpecError, unknown_name
from crmreports.report import Report

ROOT = Path(__file__).parent
REPORTS = ROOT / "reports"
DASHBOARDS = ROOT / "dashboards"
MAIN_VIEW = "main"


def names(domain: str | None = None) -> list[str]:
    """The built-in reports, `domain.report`, sorted (only `domain`'s with a domain)."""
    found = sorted(
        f"{p.parent.parent.name}.{p.parent.name}"
        for p in _catalog(REPORTS, f"*/*/{MAIN_VIEW}.yaml", "reports")
    )
    return [n for n in found if domain is None or n.split(".")[0] == domain]


def views(name: str) -> list[str]:
    """The views of a built-in report: `main` first, then the others by name."""
    folder = _folder(name)
    others = sorted(p.stem for p in folder.glob("*.yaml") if p.stem != MAIN_VIEW)
    return [MAIN_VIEW, *others]


def path(name: str, view: str = MAIN_VIEW) -> Path:
    """The spec file of a built-in report's view, to read or copy."""
    file = _folder(name) / f"{view}.yaml"
    if not file.is_file():
        raise _unknown("view", view, views(name), f"built-in report {name!r}", "view")
    return file


def get(
    name: str,
    *,
    view: str = MAIN_VIEW,
    columns: Mapping[str, Any] | None = None,
    values: Mapping[str, Any] | None = None,
    params: Mapping[str, Any] | None = None,
) -> Report:
    """A built-in report as a normal `Report`, bound to your column names and values.

    `columns` maps the data model's columns to yours: `{"orders": {"amount": "total"}}`, or
    `{"orders.amount": "total"}`, or `{"amount": "total"}` for every table the report reads
    that has an `amount`. `values` recodes your values into the model's, in the same three
    forms: `{"opportunities.stage": {"Won": "won"}}`. `params` replaces the defaults of the
    report's parameters (a run's `params=` still wins).
    """
    report = Report.from_file(path(name, view))
    binding = Binding.parse(columns, values, origin=name)
    report = binding.apply(report)
    params = dict(params or {})
    if SEGMENT_MAP in params:
        report = with_segment_map(report, params.pop(SEGMENT_MAP), name)
    return _with_defaults(report, params, name) if params else report


def requirements(name: str, view: str = MAIN_VIEW) -> Requirements:
    """The model columns a built-in report's view cannot run without, and those it uses
    when present (`required`, `optional`: {table: (column, ...)})."""
    return probe_requirements(get(name, view=view))


def dashboard_names() -> list[str]:
    """The built-in dashboards: sales, customers, marketing, service."""
    return sorted(p.stem for p in _catalog(DASHBOARDS, "*.yaml", "dashboards"))


def _catalog(folder: Path, pattern: str, what: str) -> list[Path]:
    """The spec files of the catalog; none at all means a broken installation, never an
    empty catalog (a wheel built without its data files once listed no reports)."""
    found = list(folder.glob(pattern))
    if not found:
        raise DataError(
            f"the built-in {what} are missing from this installation: no {pattern} under "
            f"{folder}. The package was built without its data files; reinstall crmreports "
            "from a release wheel, or report it at the project's issue tracker",
            code="broken-installation",
        )
    return found


def dashboard(
    name: str,
    *,
    columns: Mapping[str, Any] | None = None,
    values: Mapping[str, Any] | None = None,
    params: Mapping[str, Any] | None = None,
) -> Dashboard:
    """A built-in dashboard whose tiles are built-in reports bound with one mapping."""
    file = DASHBOARDS / f"{name}.yaml"
    if not file.is_file():
        raise _unknown("dashboard", name, dashboard_names(), "the built-in dashboards", "name")
    loader = BuiltinLoader(columns, values, params)
    return Dashboard.from_file(file, loader=loader)


class BuiltinLoader:
    """Resolves `report: sales.performance` (or `sales.performance/by_channel` for a view)
    in a dashboard to the built-in report, bound with one mapping for every tile."""

    def __init__(
        self,
        columns: Mapping[str, Any] | None = None,
        values: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        self.columns, self.values, self.params = columns, values, params

    def load(self, ref: str) -> Report:
        name, _, view = ref.partition("/")
        report = get(name, view=view or MAIN_VIEW, columns=self.columns, values=self.values)
        if self.params:  # a dashboard's parameters reach only the reports that declare them
            declared = {p.name for p in report.params}
            mine = {k: v for k, v in self.params.items() if k in declared}
            report = _with_defaults(report, mine, name) if mine else report
        return report

    def names(self) -> list[str]:
        return names()


def _with_defaults(report: Report, params: Mapping[str, Any], name: str) -> Report:
    declared = {p.name: p for p in report.params}
    problems = [
        unknown_name(
            "unknown-param",
            f"built-in report {name!r} has no parameter {key!r}",
            f"params.{key}",
            key,
            sorted(declared),
            "parameters",
        )
        for key in params
        if key not in declared
    ]
    if problems:
        raise SpecError.from_problems(problems, report=report.name)
    updated = [
        p.model_copy(update={"default": params[p.name]}) if p.name in params else p
        for p in report.params
    ]
    return report.model_copy(update={"params": updated})


def _folder(name: str) -> Path:
    domain, _, report = name.partition(".")
    folder = REPORTS / domain / report
    if not report or not (folder / f"{MAIN_VIEW}.yaml").is_file():
        raise _unknown("report", name, names(), "the built-in reports", "name")
    return folder


def _unknown(kind: str, value: str, known: list[str], where: str, path: str) -> SpecError:
    return SpecError.from_problems(
        [
            unknown_name(
                f"unknown-builtin-{kind}",
                f"unknown {kind} {value!r} in {where}",
                path,
                value,
                known,
                f"{kind}s",
                hint="`crmreports builtin list` shows them all",
            )
        ]
    )


__all__ = [
    "MAIN_VIEW",
    "TABLES",
    "BuiltinLoader",
    "Requirements",
    "dashboard",
    "dashboard_names",
    "get",
    "names",
    "path",
    "requirements",
    "tables_read",
    "views",
]
