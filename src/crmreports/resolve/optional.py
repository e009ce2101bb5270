"""Optional measures and filters: left out, with a note, when the data lacks what they read.

A report written for a data model (the built-in reports) can offer profit where orders have a
cost column without failing for the teams whose orders have none. Everything built on a left-out
measure (formulas, windows, sort keys, having, the visual's references) goes with it.
"""

from __future__ import annotations

from typing import Any

from crmreports.resolve.types import Schema
from crmreports.spec.filters import AnyOf, ExprFilter, Filter, filter_columns
from crmreports.spec.measure import (
    CountMeasure,
    ExprMeasure,
    FieldMeasure,
    Measure,
    columns_read,
    measures_read,
)
from crmreports.spec.report import ReportSpec


def prune_optional(report: ReportSpec, schema: Schema) -> tuple[ReportSpec, tuple[str, ...]]:
    """`report` without the optional measures the data cannot feed, and a note for each."""
    if not any(m.optional for m in report.measures) and not any(f.optional for f in report.filters):
        return report, ()
    source = report.source or (next(iter(schema)) if len(schema) == 1 else None)
    if source not in schema:
        return report, ()  # the resolver says which source is missing
    # A name that is no column but a declared parameter is the parameter (as in the
    # resolver: columns shadow parameters), not a missing column.
    params = {p.name for p in report.params}
    skipped: list[str] = []
    kept_filters = []
    for i, f in enumerate(report.filters):
        missing = sorted(
            c for c in filter_columns(f) if not _present(c, source, schema) and c not in params
        )
        if f.optional and missing:
            skipped.append(
                f"filter {i + 1} skipped: source {source!r} has no {_columns_text(missing)}"
            )
        else:
            kept_filters.append(f)
    dropped = _unfed_measures(report, schema, source, params)
    if not dropped:
        if skipped:
            return report.model_copy(update={"filters": kept_filters}), tuple(skipped)
        return report, ()
    changed = True
    built_on: dict[str, Measure] = {}
    while changed:  # measures built on a dropped measure go too
        changed = False
        for m in report.measures:
            if m.name in dropped or m.name in built_on:
                continue
            if measures_read(m) & (set(dropped) | set(built_on)):
                built_on[m.name] = m
                changed = True
    gone = set(dropped) | set(built_on)
    for name, m in built_on.items():  # named once all are known: every left-out input
        uses = [x.name for x in report.measures if x.name in measures_read(m) & gone]
        quoted = [repr(u) for u in uses]
        what = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"
        dropped[name] = f"it is built on {what}, left out"
    notes = tuple(skipped) + tuple(f"measure {n!r} left out: {why}" for n, why in dropped.items())
    visual = report.visual
    if visual is not None and _names_in(visual.model_dump()) & set(dropped):
        visual = None  # chosen again from what is left
        notes += ("the visual named a left-out measure; a default visual is drawn instead",)
    pruned = report.model_copy(
        update={
            "measures": [m for m in report.measures if m.name not in dropped],
            "filters": kept_filters,
            "sort": [k for k in report.sort if k.field not in dropped],
            "having": [h for h in report.having if _field(h) not in dropped],
            "visual": visual,
        }
    )
    return pruned, notes


def _unfed_measures(
    report: ReportSpec, schema: Schema, source: str, params: set[str]
) -> dict[str, str]:
    """The optional measures whose source or columns the data lacks, each with why."""
    dropped: dict[str, str] = {}
    for m in report.measures:
        if not m.optional:
            continue
        own = m.source if isinstance(m, CountMeasure | FieldMeasure | ExprMeasure) else None
        reads_from = own or source
        if reads_from not in schema:
            dropped[m.name] = f"the data has no source {reads_from!r}"
            continue
        missing = [
            c
            for c in sorted(columns_read(m))
            if not _present(c, reads_from, schema) and c not in params
        ]
        if missing:  # every missing column, so one fix in the data brings the measure back
            dropped[m.name] = f"source {reads_from!r} has no {_columns_text(missing)}"
    return dropped


def _columns_text(names: list[str]) -> str:
    """ "column 'a'" or "columns 'a', 'b'"."""
    quoted = ", ".join(repr(n) for n in names)
    return f"column {quoted}" if len(names) == 1 else f"columns {quoted}"


def _present(column: str, source: str, schema: Schema) -> bool:
    if column in schema[source]:
        return True
    table, _, rest = column.partition(".")
    return bool(rest) and rest in schema.get(table, {})


def _field(f: Filter) -> str | None:
    """The column a one-column filter tests (a formula or `any_of` names none)."""
    return None if isinstance(f, AnyOf | ExprFilter) else f.field


def _names_in(data: Any) -> set[str]:
    """Every string in a dumped visual: the names it refers to, among other text."""
    if isinstance(data, str):
        return {data}
    if isinstance(data, dict):
        return set().union(*(_names_in(v) for v in data.values())) if data else set()
    if isinstance(data, list):
        return set().union(*(_names_in(v) for v in data)) if data else set()
    return set()
