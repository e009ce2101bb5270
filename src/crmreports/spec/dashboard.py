"""Dashboard specs: a titled 12-column grid of report tiles and KPI tiles, with parameters and
filters shared by every report.

Structure only, like `spec/report.py`. A tile's report is written inline or named by a reference
(a spec file or a report name); references are kept as text here and found by a loader in
`crmreports.dashboard`, so a dashboard round-trips through YAML/JSON exactly as written. Whether
a shared filter fits a report is decided there too, against the data's schema.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    Discriminator,
    Field,
    Tag,
    WithJsonSchema,
)
from pydantic import StringConstraints as Text
from pydantic_core import PydanticCustomError

from crmreports.errors import Problem, show_value, unknown_name
from crmreports.spec._base import Name, SpecModel
from crmreports.spec.checks import check_structure
from crmreports.spec.filters import AnyOf, ExprFilter, Filter, ParamRef
from crmreports.spec.formula import parse_with_problems, references
from crmreports.spec.pydantic_errors import Handler, Issue, validate_model
from crmreports.spec.report import ReportSpec

GRID_COLUMNS = 12
ITEM_KINDS = ("report", "kpi")
SPEC_SUFFIXES = (".yaml", ".yml", ".json")


def _report_tag(value: Any) -> str:
    return "ref" if isinstance(value, str) else "inline"


ReportRef = Annotated[str, Text(min_length=1, strip_whitespace=True)]
# A mapping is an inline report; text is a reference (a spec file, or a report name).
ReportOrRef = Annotated[
    Annotated[ReportSpec, Tag("inline")] | Annotated[ReportRef, Tag("ref")],
    Discriminator(_report_tag),
]
REPORT_DESCRIPTION = (
    "The report: an inline report spec, or a reference: the path of a .yaml/.yml/.json spec "
    "file (relative to the dashboard file) or a report name the loader knows "
    "(`revenue_by_month` finds revenue_by_month.yaml beside the dashboard)."
)


class ReportItem(SpecModel):
    """A tile that shows a report as its chart (its table one click away), or as a table."""

    kind: Literal["report"] = Field(default="report", description="Tile kind (the default).")
    report: ReportOrRef = Field(description=REPORT_DESCRIPTION)
    width: int = Field(
        default=6, ge=1, le=GRID_COLUMNS, description="Columns of the 12-column grid it spans."
    )


class KpiItem(SpecModel):
    """A tile that shows one number big: a measure of a report without dimensions."""

    kind: Literal["kpi"]
    report: ReportOrRef = Field(description=REPORT_DESCRIPTION)
    width: int = Field(
        default=3, ge=1, le=GRID_COLUMNS, description="Columns of the 12-column grid it spans."
    )
    measure: Name | None = Field(
        default=None,
        description="The measure shown big; the report's other measures are listed under it. "
        "Default: the first measure.",
    )


def _item_tag(value: Any) -> str | None:
    kind = value.get("kind", "report") if isinstance(value, dict) else getattr(value, "kind", None)
    return kind if kind in ITEM_KINDS else None


DashboardItem = Annotated[
    Annotated[ReportItem, Tag("report")] | Annotated[KpiItem, Tag("kpi")],
    Discriminator(
        _item_tag, custom_error_type="unknown-item-kind", custom_error_message="unknown kind"
    ),
]


def _param_value(value: Any) -> Any:
    """Parameter values are plain scalars; dates travel as ISO text so JSON round-trips."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bool | int | float | str):
        return value
    raise PydanticCustomError(
        "invalid-value",
        "a parameter value must be text, a number, a boolean or a date, got {value}",
        {"value": show_value(value)},
    )


# One validator instead of a union of scalars, so a wrong value gives one error, not four.
ParamValue = Annotated[
    Any,
    AfterValidator(_param_value),
    WithJsonSchema({"type": ["string", "number", "boolean"]}),
]


class DashboardSpec(SpecModel):
    """A dashboard: reports and KPIs on a 12-column grid, run together on the same data with
    one `as_of` date, shared parameter values and shared filters."""

    title: str = Field(description="Title of the page.")
    description: str | None = Field(default=None, description="What the dashboard is for.")
    as_of: dt.date | None = Field(
        default=None,
        description="The date every report runs as of (relative date filters count from it). "
        "Default: today, or the `as_of` passed to `run()`.",
    )
    params: dict[Name, ParamValue] = Field(
        default_factory=dict,
        description="Parameter values passed to every report that declares the parameter; a "
        "value no report declares is an error.",
    )
    filters: list[Filter] = Field(
        default_factory=list,
        description="Filters added to every report whose data has the filter's column(s). A "
        "report without them is shown unfiltered, with a note on its tile saying so; a filter "
        "that fits no report at all is an error.",
    )
    items: list[DashboardItem] = Field(
        min_length=1,
        description="The tiles, in reading order: left to right, then down. A tile that does "
        "not fit in the rest of a row starts the next row. On a phone they stack.",
    )


D = TypeVar("D", bound=DashboardSpec)


# --- reading a dashboard from plain data, with located problems ------------------------------


def validate_dashboard(model: type[D], data: Any, origin: str) -> D:
    """Build `model` from plain data; every structural problem at once, located
    (`items[2].report.measures[0].agg`)."""
    return validate_model(
        model,
        data,
        origin,
        what="dashboard",
        start="start with `title: ...` and `items: [...]`",
        rules=_RULES,
        strip=_strip_tags,
    )


# A dashboard's own Pydantic errors; the rest are a report's (or shared), handled in
# `spec/pydantic_errors.py`.


def _unknown_item_kind(e: Issue) -> Problem | None:
    if e.kind != "unknown-item-kind":
        return None
    path = f"items[{e.loc[1]}]"
    if not isinstance(e.value, dict):
        return Problem(
            "invalid-value",
            f"each item must be a mapping of keys to values, got {show_value(e.value)}",
            path,
            hint="write it as `{report: revenue_by_month, width: 6}`",
        )
    return unknown_name(
        "unknown-option",
        f"unknown kind {show_value(e.value.get('kind'))}",
        f"{path}.kind",
        str(e.value.get("kind")),
        list(ITEM_KINDS),
        "kinds",
    )


def _item_report(e: Issue) -> Problem | None:
    if not (len(e.loc) == 3 and e.loc[0] == "items" and e.loc[2] == "report"):
        return None
    return Problem(
        "invalid-value",
        "report must be an inline report spec (a mapping) or a reference (text), got "
        f"{show_value(e.value)}",
        e.path,
        hint="write `report: revenue_by_month` or `report: {name: ..., measures: [...]}`",
    )


def _item_width(e: Issue) -> Problem | None:
    if not (len(e.loc) == 3 and e.loc[0] == "items" and e.loc[2] == "width"):
        return None
    return Problem(
        "invalid-value",
        f"width must be a whole number from 1 to {GRID_COLUMNS}, got {show_value(e.value)}",
        e.path,
        hint=f"a tile spans 1 to {GRID_COLUMNS} columns of the grid ({GRID_COLUMNS} = a full row)",
    )


def _no_items(e: Issue) -> Problem | None:
    if not (e.loc == ["items"] and e.kind == "too_short"):
        return None
    return Problem(
        "invalid-value",
        "a dashboard needs at least one item",
        e.path,
        hint="add `items: [{report: <name or file>}]`",
    )


_RULES: tuple[Handler, ...] = (_unknown_item_kind, _item_report, _item_width, _no_items)


def _strip_tags(loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """Drop the union tags Pydantic puts in locations: `items.2.kpi.report.inline.name` ->
    `items.2.report.name`."""
    if len(loc) < 3 or loc[0] != "items" or loc[2] not in ITEM_KINDS:
        return loc
    rest = loc[3:]
    if len(rest) >= 2 and rest[0] == "report" and rest[1] in ("inline", "ref"):
        rest = rest[:1] + rest[2:]
    return (*loc[:2], *rest)


# --- checks that need no data ------------------------------------------------------------------


def check_dashboard(
    spec: DashboardSpec, reports: Sequence[ReportSpec], params: Mapping[str, Any] | None = None
) -> list[Problem]:
    """Problems found without data, once every item's report is known: KPI shapes, parameter
    values no report declares (`params`: the run's values, default the spec's), shared formulas
    that do not parse, and each report's own data-free problems (located under its item)."""
    problems: list[Problem] = []
    for i, (item, report) in enumerate(zip(spec.items, reports, strict=True)):
        where = f"items[{i}].report"
        problems += [
            relocate(p, where, ref=item.report if isinstance(item.report, str) else None)
            for p in check_structure(report)
        ]
        if isinstance(item, KpiItem):
            problems += _kpi_problems(item, report, i)
    declared = {p.name for report in reports for p in report.params}
    for name in spec.params if params is None else params:
        if name not in declared:
            problems.append(
                unknown_name(
                    "unknown-param",
                    f"parameter {name!r} is declared by none of the dashboard's reports",
                    f"params.{name}",
                    name,
                    sorted(declared),
                    "parameters",
                    hint="declare it under `params:` in a report, or remove it",
                )
            )
    for j, shared in enumerate(spec.filters):
        for expr, path in _formulas(shared, f"filters[{j}]"):
            problems += parse_with_problems(expr, path)[1]
    return problems


def _kpi_problems(item: KpiItem, report: ReportSpec, i: int) -> list[Problem]:
    problems = []
    if report.dimensions:
        problems.append(
            Problem(
                "invalid-value",
                "a KPI tile shows one number, so its report must have no dimensions "
                f"(it has {len(report.dimensions)})",
                f"items[{i}].report.dimensions",
                hint="remove the dimensions, or use `kind: report` to chart them",
            )
        )
    names = [m.name for m in report.measures]
    if item.measure is not None and item.measure not in names:
        problems.append(
            unknown_name(
                "unknown-measure",
                f"{item.measure!r} is not a measure of report {report.name!r}",
                f"items[{i}].measure",
                item.measure,
                names,
                "measures",
            )
        )
    elif not names:
        problems.append(
            Problem(
                "invalid-value",
                "a KPI tile needs a report with at least one measure",
                f"items[{i}].report.measures",
                hint="add e.g. `measures: [{name: orders, agg: count}]`",
            )
        )
    return problems


def relocate(problem: Problem, where: str, ref: str | None = None) -> Problem:
    """A report's problem located inside the dashboard: `measures[0]` -> `items[2].report
    .measures[0]`; for a referenced report, the file or name is kept in the path."""
    if ref:
        path = f"{where} ({ref})" + (f" -> {problem.path}" if problem.path else "")
    elif problem.path:
        path = f"{where}{'' if problem.path.startswith('[') else '.'}{problem.path}"
    else:
        path = where
    return Problem(
        problem.code,
        problem.message,
        path,
        problem.checked_against,
        problem.suggestion,
        problem.hint,
    )


# --- what a filter reads, and how it reads to a person ----------------------------------------


def _formulas(f: Any, path: str) -> list[tuple[str, str]]:
    if isinstance(f, ExprFilter):
        return [(f.expr, f"{path}.expr")]
    if isinstance(f, AnyOf):
        return [x for k, sub in enumerate(f.any_of) for x in _formulas(sub, f"{path}.any_of[{k}]")]
    return []


def filter_fields(f: Any) -> set[str]:
    """The columns a filter reads (formula filters: every name in the formula)."""
    if isinstance(f, AnyOf):
        return set().union(*(filter_fields(sub) for sub in f.any_of))
    if isinstance(f, ExprFilter):
        node, _ = parse_with_problems(f.expr)
        return references(node) if node is not None else set()
    return {f.field}


_SYMBOLS = {"eq": "=", "ne": "≠", "lt": "<", "le": "≤", "gt": ">", "ge": "≥"}


def describe_filter(f: Any, params: dict[str, Any] | None = None) -> str:
    """A filter as a reader would say it: `status in won, open`, `amount > 0`,
    `order_date: this year`. Parameter references show the value in force when known."""
    params = params or {}

    def show(value: Any) -> str:
        if isinstance(value, ParamRef):
            known = params.get(value.param)
            return f"{value.param} ({known})" if known is not None else f"{{{value.param}}}"
        return str(show_value(value)).strip("'")

    if isinstance(f, AnyOf):
        return "(" + " or ".join(describe_filter(sub, params) for sub in f.any_of) + ")"
    if isinstance(f, ExprFilter):
        return f.expr
    op = f.op
    if op in _SYMBOLS:
        return f"{f.field} {_SYMBOLS[op]} {show(f.value)}"
    if op in ("in", "not_in"):
        words = "in" if op == "in" else "not in"
        return f"{f.field} {words} {', '.join(show(v) for v in f.value)}"
    if op == "between":
        return f"{f.field} between {show(f.value[0])} and {show(f.value[1])}"
    if op == "is_null":
        return f"{f.field} is empty"
    if op == "not_null":
        return f"{f.field} is not empty"
    if op == "contains":
        return f"{f.field} contains {f.value!r}"
    # Worded as the resolver words a relative filter's note ("order_date: last 3 months
    # (2024-01-01 .. 2024-03-31)"), so a page can show the dates beside the dashboard filter.
    unit = f.unit.replace("_", " ")
    if op == "to_date":
        return f"{f.field}: {unit} to date"
    count = f"{f.n} " if op in {"last", "next"} or f.n > 1 else ""
    plural = "s" if f.n > 1 else ""
    return f"{f.field}: {op} {count}{unit}{plural}"
