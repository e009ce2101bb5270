"""Checking and running the reports of a dashboard together.

Every report is first fitted with the shared filters its data can take and checked on its own,
so each problem is located at its item; the problems of all reports are raised together.
Reports that read the same rows the same way then run as one aggregation
(`crmreports.sharing`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any, TypeVar

from crmreports.cache import ResultCache
from crmreports.dashboard.filters import Fitted, columns_by_item, fit_filters, unused_filters
from crmreports.dashboard.problems import locate
from crmreports.dashboard.result import DashboardResult, TileResult
from crmreports.errors import Problem, SpecError
from crmreports.plan import Plan
from crmreports.report import Report
from crmreports.resolve import ResolvedReport
from crmreports.result import ReportResult
from crmreports.sharing import Job, groups, run_group
from crmreports.spec.dashboard import DashboardSpec

T = TypeVar("T")
Prepared = tuple[ResolvedReport, Plan]


def check_dashboard_data(
    dashboard: DashboardSpec,
    reports: Sequence[Report],
    data: Any,
    values: Mapping[str, Any],
    day: dt.date,
) -> None:
    """Raise one `SpecError` with every problem of every report against `data`, located in
    the dashboard; nothing is computed."""
    fitted, unused = _fit(dashboard, reports, data, values)
    problems: list[Problem] = []
    for i, fit in enumerate(fitted):
        job = _job(fit, values)
        call = partial(job.report.prepare, data, job.params, day)
        problems += _attempt(dashboard, i, reports[i], fit, call)[1]
    _raise(problems + unused)


def run_dashboard(
    dashboard: DashboardSpec,
    reports: Sequence[Report],
    data: Any,
    values: Mapping[str, Any],
    day: dt.date,
    *,
    cache: ResultCache | None = None,
    strict: bool = False,
) -> DashboardResult:
    """Run every report on `data` as of `day` with the parameter `values`."""
    fitted, unused = _fit(dashboard, reports, data, values)
    jobs = [_job(fit, values) for fit in fitted]
    # With a cache, each report is looked up on its own; strict runs go one by one, so a value
    # no row holds is located at its own item.
    sharing = cache is None and not strict
    grouped = groups(jobs) if sharing else [[i] for i in range(len(jobs))]
    shared = {i for group in grouped if len(group) > 1 for i in group}
    misses = cache.misses if cache is not None else 0
    prepared: dict[int, Prepared] = {}
    results: dict[int, ReportResult] = {}
    problems: list[Problem] = []
    for i, (job, fit) in enumerate(zip(jobs, fitted, strict=True)):
        # A report's problems are located at its item, whichever way it runs.
        if i in shared:
            call = partial(job.report.prepare, data, job.params, day)
            ready, found = _attempt(dashboard, i, reports[i], fit, call)
            if ready is not None:
                prepared[i] = ready
        else:
            alone = partial(_run_alone, job, data, day, cache, strict)
            result, found = _attempt(dashboard, i, reports[i], fit, alone)
            if result is not None:
                results[i] = result
        problems += found
    _raise(problems + unused)
    for group in grouped:
        if len(group) > 1:
            made = run_group([jobs[i] for i in group], data, day, [prepared[i] for i in group])
            results.update(zip(group, made, strict=True))
    scans = cache.misses - misses if cache is not None else len(grouped)
    tiles = tuple(
        TileResult(item, report, results[i], fitted[i].applied, fitted[i].notes)
        for i, (item, report) in enumerate(zip(dashboard.items, reports, strict=True))
    )
    return DashboardResult(dashboard, tiles, as_of=day, params=values, scans=scans)


def _fit(
    dashboard: DashboardSpec, reports: Sequence[Report], data: Any, values: Mapping[str, Any]
) -> tuple[list[Fitted], list[Problem]]:
    """Each report with the shared filters it can take, and the problems of the shared
    filters no report can take."""
    columns = columns_by_item(data, reports)
    fitted = [
        fit_filters(dashboard.filters, report, found, values)
        for report, found in zip(reports, columns, strict=True)
    ]
    used = {j for fit in fitted for j in fit.applied}
    return fitted, unused_filters(dashboard.filters, dashboard.params, used, columns)


def _job(fit: Fitted, values: Mapping[str, Any]) -> Job:
    """The fitted report with the values of the parameters it declares."""
    own = {p.name: values[p.name] for p in fit.report.params if p.name in values}
    return Job(fit.report, own)


def _run_alone(
    job: Job, data: Any, day: dt.date, cache: ResultCache | None, strict: bool
) -> ReportResult:
    if cache is not None:
        return cache.run(job.report, data, params=job.params, as_of=day, strict=strict)
    return job.report.run(data, params=job.params, as_of=day, strict=strict)


def _attempt(
    dashboard: DashboardSpec, i: int, report: Report, fit: Fitted, call: Callable[[], T]
) -> tuple[T | None, list[Problem]]:
    """`call()`, or its problems located at item `i` of the dashboard."""
    try:
        return call(), []
    except SpecError as exc:
        return None, [locate(dashboard, p, i, report, fit.applied) for p in exc.problems]


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise SpecError.from_problems(problems)
