"""Bind a spec to the data's schema: every name to a column, every value to the column's type.

All problems are collected and raised together as one `SpecError`, each with its spec path,
what it was checked against, and a suggestion.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, assert_never
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crmreports.errors import Problem, SpecError, format_names, show_value, suggest
from crmreports.resolve.across import counterparts, unapplied
from crmreports.resolve.bind_dimensions import bind_dimension
from crmreports.resolve.bind_filters import bind_filter
from crmreports.resolve.bind_measures import bind_measures
from crmreports.resolve.calendar import Calendar
from crmreports.resolve.context import Context
from crmreports.resolve.measures import MeasureGraph, ResolvedAggregate
from crmreports.resolve.optional import prune_optional
from crmreports.resolve.params import resolve_params
from crmreports.resolve.predicates import (
    AnyOfPredicate,
    Between,
    Comparison,
    Contains,
    DateRange,
    ExprPredicate,
    Membership,
    NamedPredicate,
    NullTest,
    Predicate,
)
from crmreports.resolve.relationships import ResolvedJoin, reachable_columns
from crmreports.resolve.resolved import (
    ResolvedDimension,
    ResolvedMeasure,
    ResolvedReport,
    SortOrder,
    TimeSettings,
)
from crmreports.resolve.types import DataType, Schema
from crmreports.resolve.visual import resolve_visual
from crmreports.spec import (
    CountMeasure,
    ExprMeasure,
    FieldMeasure,
    ReportSpec,
    check_structure,
)

_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_KEY_ORDER = (
    "", "name", "source", "params", "time", "dimensions", "measures", "filters", "having",
    "sort", "limit", "totals", "subtotals", "currency", "visual",
)  # fmt: skip


def in_spec_order(problems: list[Problem]) -> list[Problem]:
    """Problems in the order a reader meets them in the spec (stable within a section)."""

    def section(p: Problem) -> int:
        head = p.path.split(".", 1)[0].split("[", 1)[0]
        return _KEY_ORDER.index(head) if head in _KEY_ORDER else len(_KEY_ORDER)

    return sorted(problems, key=section)


def resolve(
    report: ReportSpec,
    schema: Schema,
    *,
    params: Mapping[str, Any] | None = None,
    as_of: dt.date | None = None,
) -> ResolvedReport:
    """Check `report` against `schema` (source -> column -> type); raise every problem at once.

    `params` are the run's parameter values; `as_of` anchors relative dates (default: today).
    """
    report, left_out = prune_optional(report, schema)
    problems = list(check_structure(report))
    source, columns = _bind_source(report, schema, problems)
    if columns is None:
        raise SpecError.from_problems(in_spec_order(problems), report=report.name)
    failed: set[str] = set()
    values = resolve_params(report.params, params or {}, problems, failed)
    time = _time_settings(report, as_of or dt.date.today(), problems)
    joined, joins = reachable_columns(source, report.relationships, schema, problems)
    ctx = Context(
        source,
        {**columns, **joined},
        values,
        time,
        problems,
        hint_for=lambda name: _lookup_hint(name, source, schema, report),
        hint_in=lambda other, name: _lookup_hint(name, other, schema, report),
        schema=dict(schema),  # measures from other sources (targets) resolve against it
        failed_params=failed,
    )
    dims = [bind_dimension(ctx, d, i) for i, d in enumerate(report.dimensions)]
    good_dims = [d for d in dims if d is not None]
    filter_names = {f.name for f in report.filters if f.name}
    measures = bind_measures(
        ctx,
        report.measures,
        good_dims,
        filter_names,
        currency=report.currency,
    )
    filters = []
    for i, f in enumerate(report.filters):
        predicate = bind_filter(ctx, f, f"filters[{i}]")
        if predicate is not None:
            filters.append(NamedPredicate(predicate, f.name))
    good_measures = [m for m in measures if m is not None]
    good_measures, across_notes, caveats = _with_counterparts(
        good_measures, report, schema, ctx, good_dims, filters
    )
    result_types = {d.name: d.dtype for d in good_dims} | {m.name: m.dtype for m in good_measures}
    having = [
        bind_filter(ctx, f, f"having[{i}]", result_types) for i, f in enumerate(report.having)
    ]
    _check_top(ctx, good_dims, good_measures)
    _check_subtotals(report, problems)
    visual = resolve_visual(report, tuple(dims), tuple(measures), problems)
    if problems:
        raise SpecError.from_problems(in_spec_order(problems), report=report.name)
    notes = (
        left_out
        + tuple(f.predicate.description for f in filters if isinstance(f.predicate, DateRange))
        + across_notes
    )
    return ResolvedReport(
        spec=report,
        source=source,
        dimensions=tuple(good_dims),
        measures=tuple(good_measures),
        graph=MeasureGraph.of(good_measures),
        filters=tuple(filters),
        having=tuple(h for h in having if h is not None),
        sort=_sort_order(report),
        limit=report.limit,
        visual=visual,
        time=time,
        totals=report.totals,
        subtotals=tuple(report.subtotals),
        source_columns=tuple(columns),
        column_types=tuple(ctx.columns.items()),
        notes=notes,
        joins=_needed_joins(ctx.used, joins),
        caveats=caveats,
    )


def _with_counterparts(
    measures: list[ResolvedMeasure],
    report: ReportSpec,
    schema: Schema,
    ctx: Context,
    dims: list[ResolvedDimension],
    filters: list[NamedPredicate],
) -> tuple[list[ResolvedMeasure], tuple[str, ...], tuple[tuple[str, str], ...]]:
    """Measures of another source with the columns through which the report's filters restrict
    them (resolve/across.py); notes naming the filters that cannot (also the chart's caveats:
    a target summed over more than the report shows must be visible), and the inferred ones."""
    predicates = [f.predicate for f in filters]
    specs = {m.name: m for m in report.measures}
    out: list[ResolvedMeasure] = []
    notes: list[str] = []
    caveats: list[tuple[str, str]] = []
    for m in measures:
        if not isinstance(m, ResolvedAggregate) or m.source is None:
            out.append(m)
            continue
        spec = specs[m.name]
        match = (
            spec.match if isinstance(spec, CountMeasure | FieldMeasure | ExprMeasure) else None
        ) or {}
        pairs, inferred = counterparts(
            ctx.columns, schema[m.source], match, dims, predicates, m.where
        )
        out.append(replace(m, counterparts=pairs))
        what = f"{m.name} (from {m.source})"
        loose = unapplied(predicates, pairs)
        if loose and m.where:
            # Its own filter is what applies (won deals closed this year): say which, rather
            # than advise a filter it has.
            own = "; ".join(_describe(p) for p in m.where)
            caveats.append((m.name, f"{m.label} ({m.source}) does not follow the report's "
                                    f"filter(s) on {', '.join(loose)}"))  # fmt: skip
            notes.append(
                f"{what} reads the {m.source} rows its own filter keeps ({own}); the "
                f"report's filter(s) on {', '.join(loose)} do not apply to it"
            )
        elif loose:
            unrestricted = f"is not restricted by the report's filter(s) on {', '.join(loose)}"
            caveats.append((m.name, f"{m.label} ({m.source}) {unrestricted}"))
            notes.append(
                f"{what} {unrestricted}: give it its own `filter:` on {m.source}'s columns, "
                f"or `match:` the column of {m.source} that stands for it, if it should be"
            )
        if inferred:
            notes.append(f"{what} follows the report's filter(s) on {', '.join(inferred)}")
    return out, tuple(notes), tuple(caveats)


def _describe(p: Predicate) -> str:
    """A measure's own filter in a note: `stage = 'won'`, `closed_date: year to date (...)`."""
    match p:
        case DateRange():
            return p.description or p.field
        case Comparison():
            symbol = {"eq": "=", "ne": "≠", "lt": "<", "le": "≤", "gt": ">", "ge": "≥"}[p.op]
            return f"{p.field} {symbol} {show_value(p.value)}"
        case Membership():
            values = ", ".join(show_value(v) for v in p.values)
            return f"{p.field} {'not in' if p.negate else 'in'} [{values}]"
        case Between() | NullTest() | Contains():
            return p.field or "a formula"
        case ExprPredicate():
            return p.text or "a formula"
        case AnyOfPredicate():
            return "a formula"
        case _:
            assert_never(p)


def _needed_joins(used: set[str], joins: dict[str, ResolvedJoin]) -> tuple[ResolvedJoin, ...]:
    """The lookups the report reads from, each after the lookup it starts from."""
    needed: list[ResolvedJoin] = []

    def need(source: str) -> None:
        join = joins.get(source)
        if join is None or join in needed:
            return
        need(join.from_)
        needed.append(join)

    for name in sorted(used):
        head = name.split(".", 1)[0]
        if "." in name and head in joins:
            need(head)
    return tuple(needed)


def _lookup_hint(name: str, source: str, schema: Schema, report: ReportSpec) -> str | None:
    head = name.split(".", 1)[0]
    if "." not in name or head not in schema or head == source:
        if source in report.mapping and name not in schema.get(source, {}):
            # A spec written for a data model (the built-in reports): map, do not rename.
            return (
                f"map one of your columns onto it: mapping: {{{source}: {{columns: "
                f"{{{name}: <your column>}}}}}} (builtin.get(..., columns={{'{source}': "
                f"{{'{name}': '<your column>'}}}}))"
            )
        return None
    declared = {r.to for r in report.relationships}
    if head in declared:
        return None
    return (
        f"{head!r} is a source, but no many-to-one relationship leads from {source!r} to "
        f"it; declare one (relationships: [{{to: {head}, key: <column>}}]). If one {source} "
        f"row has many {head} rows, make {head!r} the report's source instead: a lookup in "
        "that direction would count rows several times"
    )


def _time_settings(report: ReportSpec, as_of: dt.date, problems: list[Problem]) -> TimeSettings:
    ctx = report.time
    zone = ctx.timezone or "UTC"
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(
            Problem(
                "unknown-timezone",
                f"unknown time zone {zone!r}",
                "time.timezone",
                hint="use an IANA name such as Europe/Berlin or America/New_York",
            )
        )
        zone = "UTC"
    if isinstance(as_of, dt.datetime):
        as_of = as_of.date()
    calendar = Calendar(
        week_start=_WEEKDAYS.index(ctx.week_start) + 1,
        fiscal_year_start=ctx.fiscal_year_start,
        fiscal_year_named_by=ctx.fiscal_year_named_by,
    )
    return TimeSettings(calendar, zone, as_of)


def _check_top(
    ctx: Context, dims: list[ResolvedDimension], measures: list[ResolvedMeasure]
) -> None:
    aggregates = [m.name for m in measures if isinstance(m, ResolvedAggregate)]
    for i, d in enumerate(dims):
        if d.top is not None and d.top.by not in aggregates:
            ctx.problems.append(
                Problem(
                    "unknown-measure",
                    f"`top.by` must name an aggregate measure of the report, got {d.top.by!r}",
                    f"dimensions[{i}].top.by",
                    checked_against=format_names(aggregates, "aggregate measures"),
                    suggestion=suggest(d.top.by, aggregates),
                )
            )


def _check_subtotals(report: ReportSpec, problems: list[Problem]) -> None:
    names = [d.output_name for d in report.dimensions]
    for i, name in enumerate(report.subtotals):
        if name not in names:
            problems.append(
                Problem(
                    "unknown-name",
                    f"{name!r} is not a dimension of the report",
                    f"subtotals[{i}]",
                    checked_against=format_names(names, "dimensions"),
                    suggestion=suggest(name, names),
                )
            )
        elif names.index(name) != i:
            problems.append(
                Problem(
                    "invalid-value",
                    "subtotals must name the leading dimensions in order "
                    f"({', '.join(names[: len(report.subtotals)])})",
                    f"subtotals[{i}]",
                    hint="reorder the dimensions so the subtotalled ones come first",
                )
            )


def _bind_source(
    report: ReportSpec, schema: Schema, problems: list[Problem]
) -> tuple[str, dict[str, DataType] | None]:
    names = list(schema)
    if report.source is None:
        if len(names) == 1:
            return names[0], schema[names[0]]
        problems.append(
            Problem(
                "unknown-source",
                f"the report names no source and {len(names)} sources were supplied",
                "source",
                checked_against=format_names(names, "sources"),
                hint="add `source: <name>` to the report",
            )
        )
        return "", None
    if report.source in schema:
        return report.source, schema[report.source]
    problems.append(
        Problem(
            "unknown-source",
            f"unknown source {report.source!r}",
            "source",
            checked_against=format_names(names, "sources"),
            suggestion=suggest(report.source, names),
            hint="pass the data as {'" + report.source + "': frame} or correct `source`",
        )
    )
    return report.source, None


def _sort_order(report: ReportSpec) -> tuple[SortOrder, ...]:
    keys = [SortOrder(k.field, k.desc) for k in report.sort]
    used = {k.name for k in keys}
    # Dimensions break ties so the same data always gives the same row order on every backend.
    keys += [
        SortOrder(d.output_name, False) for d in report.dimensions if d.output_name not in used
    ]
    return tuple(keys)
