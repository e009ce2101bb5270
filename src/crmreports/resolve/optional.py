"""Optional measures and filters: left out, with a note, when the data lacks what they read.

A report written for a data model (the built-in reports) can offer profit where orders have a
cost column without failing for the teams whose orders have none. Everything built on a left-out
measure (formulas, windows, sort keys, having, the visual's references) goes with it.
"""

from __future__ import annotations

from typing import Any

from crmreports.resolve.types import Schema
from crmreports.spec.formula import parse_with_problems, references
from crmreports.spec.report import ReportSpec


def prune_optional(report: ReportSpec, schema: Schema) -> tuple[ReportSpec, tuple[str, ...]]:
    """`report` without the optional measures the data cannot feed, and a note for each."""
    if not any(m.optional for m in report.measures) and not any(
        getattr(f, "optional", False) for f in report.filters
    ):
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
            c
            for c in _filter_columns(f.model_dump())
            if not _present(c, source, schema) and c not in params
        )
        if getattr(f, "optional", False) and missing:
            skipped.append(
                f"filter {i + 1} skipped: source {source!r} has no {_columns_text(missing)}"
            )
        else:
            kept_filters.append(f)
    dropped: dict[str, str] = {}
    for m in report.measures:
        if not m.optional:
            continue
        reads_from = getattr(m, "source", None) or source
        if reads_from not in schema:
            dropped[m.name] = f"the data has no source {reads_from!r}"
            continue
        missing = [
            c
            for c in sorted(_columns_read(m))
            if not _present(c, reads_from, schema) and c not in params
        ]
        if missing:  # every missing column, so one fix in the data brings the measure back
            dropped[m.name] = f"source {reads_from!r} has no {_columns_text(missing)}"
    if not dropped:
        if skipped:
            return report.model_copy(update={"filters": kept_filters}), tuple(skipped)
        return report, ()
    changed = True
    built_on: dict[str, Any] = {}
    while changed:  # measures built on a dropped measure go too
        changed = False
        for m in report.measures:
            if m.name in dropped or m.name in built_on:
                continue
            if _measures_used(m) & (set(dropped) | set(built_on)):
                built_on[m.name] = m
                changed = True
    gone = set(dropped) | set(built_on)
    for name, m in built_on.items():  # named once all are known: every left-out input
        uses = [x.name for x in report.measures if x.name in _measures_used(m) & gone]
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
            "having": [h for h in report.having if getattr(h, "field", None) not in dropped],
            "visual": visual,
        }
    )
    return pruned, notes


def _columns_text(names: list[str]) -> str:
    """ "column 'a'" or "columns 'a', 'b'"."""
    quoted = ", ".join(repr(n) for n in names)
    return f"column {quoted}" if len(names) == 1 else f"columns {quoted}"


def _present(column: str, source: str, schema: Schema) -> bool:
    if column in schema[source]:
        return True
    table, _, rest = column.partition(".")
    return bool(rest) and rest in schema.get(table, {})


def _columns_read(measure: Any) -> set[str]:
    """Columns a measure's aggregate reads: its field, its row formula, its filters and, for
    a measure of another source, that source's columns it is matched on."""
    found: set[str] = set()
    if getattr(measure, "formula", None) is not None or hasattr(measure, "of"):
        return found  # built on other measures, handled by _measures_used
    if getattr(measure, "field", None):
        found.add(measure.field)
    found |= set(getattr(measure, "match", None) or {})
    if getattr(measure, "expr", None):
        found |= _formula_refs(measure.expr)
    for f in getattr(measure, "filter", []) or []:
        found |= _filter_columns(f.model_dump())
    return found


def _filter_columns(data: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(data, dict):
        if isinstance(data.get("field"), str):
            found.add(data["field"])
        if isinstance(data.get("expr"), str):
            found |= _formula_refs(data["expr"])
        for value in data.values():
            if isinstance(value, list | dict):
                found |= _filter_columns(value)
    elif isinstance(data, list):
        for item in data:
            found |= _filter_columns(item)
    return found


def _formula_refs(text: str) -> set[str]:
    node, _ = parse_with_problems(text)
    return references(node) if node is not None else set()


def _measures_used(measure: Any) -> set[str]:
    used = {getattr(measure, "of", None)} - {None}
    pacing = getattr(measure, "pacing", None)
    if pacing is not None:
        used.add(pacing.target)
    if getattr(measure, "formula", None):
        used |= _formula_refs(measure.formula)
    return {str(u) for u in used}


def _names_in(data: Any) -> set[str]:
    """Every string in a dumped visual: the names it refers to, among other text."""
    if isinstance(data, str):
        return {data}
    if isinstance(data, dict):
        return set().union(*(_names_in(v) for v in data.values())) if data else set()
    if isinstance(data, list):
        return set().union(*(_names_in(v) for v in data)) if data else set()
    return set()
