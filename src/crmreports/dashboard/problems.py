"""A report's problems located in the dashboard that holds it.

The author fixes a dashboard, not the reports as run: a problem of a report is shown at its
item (`items[2].report.measures[0]`, or `items[2].report (sales.yaml) -> measures[0]` for a
referenced one), and a problem of a shared filter added to it at the dashboard's own
`filters[j]`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from crmreports.errors import Problem
from crmreports.spec import ReportSpec
from crmreports.spec.dashboard import DashboardSpec, relocate


def locate(
    dashboard: DashboardSpec,
    problem: Problem,
    i: int,
    report: ReportSpec,
    applied: Sequence[int],
) -> Problem:
    """`problem` of item `i`'s `report` (as written) run with the shared filters `applied`."""
    own = len(report.filters)  # the shared filters come after the report's own
    for k, j in enumerate(applied):
        prefix = f"filters[{own + k}]"
        if problem.path == prefix or problem.path.startswith((prefix + ".", prefix + "[")):
            return replace(
                problem,
                message=f"{problem.message} (in report {report.name!r})",
                path=f"filters[{j}]" + problem.path[len(prefix) :],
            )
    item = dashboard.items[i]
    ref = item.report if isinstance(item.report, str) else None
    return relocate(problem, f"items[{i}].report", ref)
