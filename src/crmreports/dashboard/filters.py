"""A dashboard's shared filters: which reports can take each one, and which fit none.

A shared filter is added to every report whose rows have the filter's columns (its source's,
or reached through its relationships); a report without them is shown unfiltered with a note,
and a filter no report can take is reported as the typo it almost always is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from crmreports.errors import Problem, unknown_name
from crmreports.execute import bind_inputs, duckdb_cursor
from crmreports.report import Report
from crmreports.resolve.relationships import reachable_columns
from crmreports.spec import Filter
from crmreports.spec.dashboard import describe_filter, filter_fields


@dataclass(frozen=True)
class Fitted:
    """A report with the shared filters its data can take added after its own (`applied`:
    their indices in the dashboard's `filters`), and a note for each it cannot take."""

    report: Report
    applied: tuple[int, ...] = ()
    notes: tuple[str, ...] = ()


def columns_by_item(data: Any, reports: Iterable[Report]) -> list[set[str] | None]:
    """Per report: the columns its rows can be filtered on (its source's, plus `to.column`
    through its relationships); None when its source cannot be told (the run reports why)."""
    cursor = duckdb_cursor()
    bound: dict[str | None, Any] = {}
    out: list[set[str] | None] = []
    try:
        for report in reports:
            key = None if isinstance(data, Mapping) else report.source
            if key not in bound:
                bound[key] = bind_inputs(data, report.source, cursor)
            schema = {name: s.schema for name, s in bound[key].items()}
            source = report.source or (next(iter(schema)) if len(schema) == 1 else None)
            if source is None or source not in schema:
                out.append(None)
                continue
            joined, _ = reachable_columns(source, report.relationships, schema, [])
            out.append(set(schema[source]) | set(joined))
    finally:
        cursor.close()
    return out


def fit_filters(
    filters: Sequence[Filter],
    report: Report,
    columns: set[str] | None,
    values: Mapping[str, Any],
) -> Fitted:
    """The report with every shared filter its data can take; the others become notes."""
    if not filters or columns is None:
        return Fitted(report)
    params = {p.name for p in report.params}
    applied: list[int] = []
    notes: list[str] = []
    for j, shared in enumerate(filters):
        missing = sorted(filter_fields(shared) - columns - params)
        if missing:
            source = report.source or "the data"
            notes.append(
                f"Dashboard filter “{describe_filter(shared, dict(values))}” is not applied "
                f"here: {source} has no column {', '.join(repr(m) for m in missing)}."
            )
        else:
            applied.append(j)
    if not applied:
        return Fitted(report, (), tuple(notes))
    extra = [filters[j] for j in applied]
    fitted = report.model_copy(update={"filters": [*report.filters, *extra]})
    return Fitted(fitted, tuple(applied), tuple(notes))


def unused_filters(
    filters: Sequence[Filter],
    params: Mapping[str, Any],
    used: set[int],
    columns: Sequence[set[str] | None],
) -> list[Problem]:
    """A shared filter that fits no report is almost always a typo: say so. (Only when every
    report's columns are known: otherwise the run reports why they are not.)"""
    known = [c for c in columns if c is not None]
    if not known or len(known) < len(columns):
        return []
    every = sorted(set().union(*known))
    problems = []
    for j, shared in enumerate(filters):
        if j in used:
            continue
        fields = sorted(filter_fields(shared) - set(every))
        name = fields[0] if fields else ""
        problems.append(
            unknown_name(
                "unknown-column",
                f"dashboard filter “{describe_filter(shared, dict(params))}” fits none of the "
                f"reports: no report's data has column {name!r}",
                f"filters[{j}]",
                name,
                every,  # no name (a formula reading no column): no suggestion
                "columns",
            )
        )
    return problems
