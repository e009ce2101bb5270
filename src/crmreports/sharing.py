"""Compatible reports of a dashboard share one aggregation.

Reports that read the same rows the same way (source, lookups, rollups, mapping, filters,
dimensions, time context, parameters) differ only in what they measure and how they are shown.
They are run as one report carrying the union of their measures, so the data is scanned once;
each report then takes its own columns in its own order. Every number is the one the report
computes alone (`tests/test_sharing.py` compares them), because a measure's value depends only
on the rows and groups, never on the other measures beside it.

Not shared (each runs alone): reports with `having`, `limit`, totals or subtotals (they act
on the result rows), and reports whose measures reuse a name with another definition.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from crmreports.execute import ExecutedFrame
from crmreports.plan import Plan
from crmreports.report import Report
from crmreports.resolve import ResolvedReport
from crmreports.result import ReportResult
from crmreports.spec import Measure

# What must be equal for two reports to share one aggregation.
_SAME_ROWS = (
    "source", "dimensions", "filters", "relationships", "rollups", "mapping", "time",
    "params", "currency",
)  # fmt: skip


@dataclass(frozen=True)
class Job:
    """One report to run, with its own parameter values."""

    report: Report
    params: Mapping[str, Any]


def groups(jobs: Sequence[Job]) -> list[list[int]]:
    """Indexes of `jobs` that can share one aggregation, in first-seen order."""
    found: dict[str, list[int]] = {}
    alone: list[list[int]] = []
    for i, job in enumerate(jobs):
        key = _key(job)
        if key is None:
            alone.append([i])
            continue
        for suffix in range(len(jobs)):  # a measure-name clash opens a new group
            group = found.setdefault(f"{key}#{suffix}", [])
            if all(_measures_agree(jobs[j].report, job.report) for j in group):
                group.append(i)
                break
    ordered = [g for g in found.values() if g] + alone
    return sorted(ordered, key=lambda g: g[0])


def run_group(
    jobs: Sequence[Job],
    data: Any,
    as_of: dt.date,
    prepared: Sequence[tuple[ResolvedReport, Plan]],
) -> list[ReportResult]:
    """The results of a group found by `groups`, from one aggregation. `prepared` holds each
    job's resolved report and plan (from checking it), so none is resolved twice."""
    merged = _merged([job.report for job in jobs])
    together = merged.run(data, params=jobs[0].params, as_of=as_of)
    table = together.to_arrow()
    results = []
    for job, (resolved, plan) in zip(jobs, prepared, strict=True):
        own = table.select(list(resolved.columns))
        order = [(s.name, "descending" if s.desc else "ascending", "at_end") for s in resolved.sort]
        if order:
            own = own.sort_by(order)  # nulls last, as every report sorts
        shared = together.executed
        executed = ExecutedFrame(own, shared.kind, shared.notes, shared.buckets)
        results.append(ReportResult(job.report, resolved, plan, executed))
    return results


def _key(job: Job) -> str | None:
    r = job.report
    if r.having or r.limit is not None or r.totals or r.subtotals:
        return None
    same = r.model_dump(mode="json", include=set(_SAME_ROWS), by_alias=True)
    return repr((sorted(same.items()), sorted(job.params.items(), key=str)))


def _measures_agree(a: Report, b: Report) -> bool:
    """No measure name means two different things in `a` and `b`."""
    mine = {m.name: m for m in a.measures}
    return all(mine.get(m.name, m) == m for m in b.measures)


def _merged(reports: Sequence[Report]) -> Report:
    measures: dict[str, Measure] = {}
    for report in reports:
        for m in report.measures:
            measures.setdefault(m.name, m)
    first = reports[0].model_dump(by_alias=True, exclude_defaults=True)
    first.update(
        name=f"{reports[0].name}_shared",
        measures=[m.model_dump(by_alias=True, exclude_defaults=True) for m in measures.values()],
        sort=[],
        visual={"kind": "table"},  # never drawn; a table fits any shape of result
    )
    return Report.model_validate(first)


__all__ = ["Job", "groups", "run_group"]
