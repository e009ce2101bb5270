"""Checks a spec can fail without any data: names that clash or point nowhere.

They return problems instead of raising, so the resolver can report them together with the
problems found against the data, all in one error.
"""

from __future__ import annotations

from typing import Any

from crmreports.errors import Problem, format_names, suggest, under
from crmreports.spec.filters import AnyOf
from crmreports.spec.formula import parse_with_problems
from crmreports.spec.report import ReportSpec


def rollup_problems(report: ReportSpec, formulas: bool = False) -> list[Problem]:
    """Structure problems of each rollup, located under `rollups[i]`."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, rollup in enumerate(report.rollups):
        if rollup.name in seen:
            problems.append(
                Problem(
                    "duplicate-name",
                    f"two rollups are named {rollup.name!r}",
                    f"rollups[{i}].name",
                    hint="give each rollup its own name",
                )
            )
        seen.add(rollup.name)
        problems += under(check_structure(report.rollup_report(i), formulas), f"rollups[{i}]")
    return problems


def result_names(report: ReportSpec) -> list[str]:
    """Result columns in order: dimensions, then measures."""
    return [d.output_name for d in report.dimensions] + [m.name for m in report.measures]


def check_structure(report: ReportSpec, formulas: bool = False) -> list[Problem]:
    """Problems found without data. With `formulas`, every formula is also parsed (the
    resolver parses them itself when data is there, so it passes False to avoid repeats)."""
    problems: list[Problem] = []
    if formulas:
        problems += _formula_problems(report)
    if not report.dimensions and not report.measures:
        problems.append(
            Problem(
                "empty-spec",
                "the report has no dimensions and no measures, so there is nothing to compute",
                "",
                hint="add `measures: [{name: rows, agg: count}]` or a dimension",
            )
        )
    problems += _duplicate_names(report)
    names = result_names(report)
    for i, key in enumerate(report.sort):
        if key.field not in names:
            problems.append(
                Problem(
                    "unknown-name",
                    f"cannot sort by {key.field!r}: it is neither a dimension nor a measure",
                    f"sort[{i}].field",
                    checked_against=format_names(names, "result columns"),
                    suggestion=suggest(key.field, names),
                )
            )
    problems += _visual_fields(report, names)
    return problems


def _duplicate_names(report: ReportSpec) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, tuple[str, str]] = {}
    entries = [(f"dimensions[{i}]", d.output_name) for i, d in enumerate(report.dimensions)]
    entries += [(f"measures[{i}].name", m.name) for i, m in enumerate(report.measures)]
    # Compared ignoring case: results pass through DuckDB, whose names ignore case, and a
    # result column `Amount` beside `amount` would be one column there (the other lost).
    for path, name in entries:
        key = name.lower()
        if key in seen:
            hint = "give one of them a different `name`"
            if path.startswith("dimensions"):
                hint = "add `name: ...` to one dimension (e.g. `name: order_month`)"
            first, first_name = seen[key]
            also = ""
            if first_name != name:
                also = f" ({first_name!r}: names may not differ only in case)"
            problems.append(
                Problem(
                    "duplicate-name",
                    f"{name!r} is already the name of {first}{also}",
                    path,
                    hint=hint,
                )
            )
        else:
            seen[key] = (path, name)
    return problems


def _visual_fields(report: ReportSpec, names: list[str]) -> list[Problem]:
    visual = report.visual
    if visual is None:
        return []
    problems = []
    for channel, name in visual.named_fields():
        if name not in names:
            problems.append(
                Problem(
                    "unknown-visual-field",
                    f"the visual uses {name!r}, which is not a column of the result",
                    f"visual.{channel}",
                    checked_against=format_names(names, "result columns"),
                    suggestion=suggest(name, names),
                )
            )
    return problems


def _formula_problems(report: ReportSpec) -> list[Problem]:
    """Parse every formula in the spec: forbidden constructs are caught before any data."""
    found: list[Problem] = []

    def check(text: str | None, path: str) -> None:
        if text is not None:
            found.extend(parse_with_problems(text, path)[1])

    def check_filters(filters: list[Any], path: str) -> None:
        for i, f in enumerate(filters):
            check(getattr(f, "expr", None), f"{path}[{i}].expr")
            if isinstance(f, AnyOf):
                check_filters(f.any_of, f"{path}[{i}].any_of")

    for i, d in enumerate(report.dimensions):
        check(d.expr, f"dimensions[{i}].expr")
    for i, m in enumerate(report.measures):
        check(getattr(m, "expr", None), f"measures[{i}].expr")
        check(getattr(m, "formula", None), f"measures[{i}].formula")
        check_filters(getattr(m, "filter", []), f"measures[{i}].filter")
    check_filters(report.filters, "filters")
    check_filters(report.having, "having")
    return found
