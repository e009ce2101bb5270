"""Bind a spec to the data's schema: every name to a column, every value to the column's type.

All problems are collected and raised together as one `SpecError`, each with its spec path,
what it was checked against, and a suggestion.
"""

from __future__ import annotations

import datetime as dt

from crmreports.errors import Problem, SpecError, format_names, show_value, suggest
from crmreports.resolve.resolved import (
    AnyOfPredicate,
    Between,
    Comparison,
    Contains,
    FilterValue,
    Membership,
    NullTest,
    Predicate,
    ResolvedDimension,
    ResolvedMeasure,
    ResolvedReport,
    ResolvedVisual,
    SortOrder,
)
from crmreports.resolve.types import DataType, Schema
from crmreports.spec import (
    AnyOf,
    BarVisual,
    BetweenFilter,
    CompareFilter,
    ContainsFilter,
    Dimension,
    Filter,
    Format,
    InFilter,
    LineVisual,
    Measure,
    NullFilter,
    ReportSpec,
    TableVisual,
    check_structure,
)

_NUMERIC_AGGS = {"sum", "avg", "median"}


def resolve(report: ReportSpec, schema: Schema) -> ResolvedReport:
    """Check `report` against `schema` (source -> column -> type); raise every problem at once."""
    problems = list(check_structure(report))
    source, columns = _bind_source(report, schema, problems)
    if columns is None:
        raise SpecError.from_problems(in_spec_order(problems), report=report.name)
    binder = _Binder(source, columns, problems)
    dimensions = tuple(binder.dimension(d, i) for i, d in enumerate(report.dimensions))
    measures = tuple(binder.measure(m, i) for i, m in enumerate(report.measures))
    filters = tuple(binder.predicate(f, f"filters[{i}]") for i, f in enumerate(report.filters))
    visual = _resolve_visual(report, dimensions, measures, problems)
    if problems:
        raise SpecError.from_problems(in_spec_order(problems), report=report.name)
    return ResolvedReport(
        spec=report,
        source=source,
        dimensions=dimensions,  # type: ignore[arg-type]  # no None once problems is empty
        measures=measures,  # type: ignore[arg-type]
        filters=filters,  # type: ignore[arg-type]
        sort=_sort_order(report),
        limit=report.limit,
        visual=visual,
        source_columns=tuple(columns),
    )


_KEY_ORDER = ("", "name", "source", "dimensions", "measures", "filters", "sort", "limit", "visual")


def in_spec_order(problems: list[Problem]) -> list[Problem]:
    """Problems in the order a reader meets them in the spec (stable within a section)."""

    def section(p: Problem) -> int:
        head = p.path.split(".", 1)[0].split("[", 1)[0]
        return _KEY_ORDER.index(head) if head in _KEY_ORDER else len(_KEY_ORDER)

    return sorted(problems, key=section)


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


class _Binder:
    """Resolves one spec element at a time, appending problems instead of raising."""

    def __init__(self, source: str, columns: dict[str, DataType], problems: list[Problem]):
        self.source = source
        self.columns = columns
        self.problems = problems

    def column(self, name: str, path: str) -> DataType | None:
        if name in self.columns:
            return self.columns[name]
        names = list(self.columns)
        self.problems.append(
            Problem(
                "unknown-column",
                f"unknown column {name!r} in source {self.source!r}",
                path,
                checked_against=format_names(names, "columns"),
                suggestion=suggest(name, names),
            )
        )
        return None

    def dimension(self, dim: Dimension, i: int) -> ResolvedDimension | None:
        dtype = self.column(dim.field, f"dimensions[{i}].field")
        if dtype is None:
            return None
        if dim.grain is not None and not dtype.is_temporal:
            self.problems.append(
                Problem(
                    "not-temporal",
                    f"grain {dim.grain.value!r} needs a date or datetime column, "
                    f"but {dim.field!r} is {dtype.value}",
                    f"dimensions[{i}].grain",
                    hint="remove `grain`, or convert the column to dates first "
                    "(e.g. pandas.to_datetime)",
                )
            )
            return None
        label = dim.label or _humanize(dim.output_name)
        return ResolvedDimension(dim.output_name, dim.field, dtype, dim.grain, label)

    def measure(self, measure: Measure, i: int) -> ResolvedMeasure | None:
        input_dtype = None
        if measure.field is not None:
            input_dtype = self.column(measure.field, f"measures[{i}].field")
            if input_dtype is None:
                return None
        agg = measure.agg
        if agg in _NUMERIC_AGGS and input_dtype is not None:
            allowed = input_dtype.is_numeric or (
                input_dtype is DataType.BOOLEAN and agg in {"sum", "avg"}
            )
            if not allowed:
                self.problems.append(
                    Problem(
                        "not-numeric",
                        f"`{agg}` needs a numeric column, but {measure.field!r} "
                        f"is {input_dtype.value}",
                        f"measures[{i}].field",
                        checked_against="numeric columns: "
                        + (", ".join(c for c, t in self.columns.items() if t.is_numeric) or "none"),
                        hint="use `count` or `count_distinct` for non-numeric columns",
                    )
                )
                return None
        if agg in {"min", "max"} and input_dtype not in _ORDERED:
            self.problems.append(
                Problem(
                    "not-numeric",
                    f"`{agg}` needs numbers, dates or text, but {measure.field!r} "
                    f"is {input_dtype.value if input_dtype else 'unknown'}",
                    f"measures[{i}].field",
                )
            )
            return None
        dtype = _measure_dtype(agg, input_dtype)
        fmt = measure.format or (Format.INTEGER if dtype is DataType.INTEGER else Format.NUMBER)
        label = measure.label or _humanize(measure.name)
        return ResolvedMeasure(measure.name, agg, measure.field, input_dtype, dtype, fmt, label)

    def predicate(self, f: Filter, path: str) -> Predicate | None:
        if isinstance(f, AnyOf):
            children = [self.predicate(c, f"{path}.any_of[{j}]") for j, c in enumerate(f.any_of)]
            if any(c is None for c in children):
                return None
            return AnyOfPredicate(tuple(c for c in children if c is not None))
        dtype = self.column(f.field, f"{path}.field")
        if dtype is None:
            return None
        if isinstance(f, NullFilter):
            return NullTest(f.field, is_null=f.op == "is_null")
        if isinstance(f, ContainsFilter):
            if dtype is not DataType.STRING:
                self.problems.append(
                    Problem(
                        "not-text",
                        f"`contains` needs a text column, but {f.field!r} is {dtype.value}",
                        f"{path}.op",
                        hint="use eq, in or between for non-text columns",
                    )
                )
                return None
            return Contains(f.field, f.value, f.ignore_case)
        if isinstance(f, CompareFilter):
            value = self.value(f.value, dtype, f.field, f"{path}.value")
            if value is None:
                return None
            return Comparison(f.field, f.op, value, f.keep_nulls)
        if isinstance(f, InFilter):
            values = [
                self.value(v, dtype, f.field, f"{path}.value[{j}]") for j, v in enumerate(f.value)
            ]
            if any(v is None for v in values):
                return None
            clean = tuple(v for v in values if v is not None)
            return Membership(f.field, clean, negate=f.op == "not_in", keep_nulls=f.keep_nulls)
        if isinstance(f, BetweenFilter):
            low = self.value(f.value[0], dtype, f.field, f"{path}.value[0]")
            high = self.value(f.value[1], dtype, f.field, f"{path}.value[1]")
            if low is None or high is None:
                return None
            return Between(f.field, low, high, f.keep_nulls)
        raise AssertionError(f"unhandled filter {type(f).__name__}")  # pragma: no cover

    def value(self, value: object, dtype: DataType, field: str, path: str) -> FilterValue | None:
        converted = _convert_value(value, dtype)
        if converted is None:
            example = _EXAMPLES.get(dtype, "")
            self.problems.append(
                Problem(
                    "filter-type",
                    f"{show_value(value)} cannot be compared with {field!r}, "
                    f"which is {dtype.value}",
                    path,
                    hint=f"give a {dtype.value} value{example}",
                )
            )
        return converted


_ORDERED = {
    DataType.INTEGER,
    DataType.FLOAT,
    DataType.STRING,
    DataType.DATE,
    DataType.DATETIME,
    DataType.BOOLEAN,
}
_EXAMPLES = {
    DataType.DATE: " such as 2024-01-31",
    DataType.DATETIME: " such as 2024-01-31 or 2024-01-31T09:30:00",
    DataType.STRING: " in quotes, e.g. '1001'",
    DataType.INTEGER: " such as 100",
    DataType.FLOAT: " such as 99.5",
    DataType.BOOLEAN: ": true or false",
}


def _convert_value(value: object, dtype: DataType) -> FilterValue | None:
    """The spec value as the column's type, or None when it does not fit (never a guess)."""
    if dtype.is_numeric:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        return None
    if dtype is DataType.BOOLEAN:
        return value if isinstance(value, bool) else None
    if dtype is DataType.STRING:
        return value if isinstance(value, str) else None
    if dtype is DataType.DATE and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    if dtype is DataType.DATETIME and isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _measure_dtype(agg: str, input_dtype: DataType | None) -> DataType:
    if agg in {"count", "count_distinct"}:
        return DataType.INTEGER
    if agg == "sum":
        return DataType.FLOAT if input_dtype is DataType.FLOAT else DataType.INTEGER
    if agg in {"avg", "median"}:
        return DataType.FLOAT
    return input_dtype or DataType.OTHER  # min, max keep the column's type


def _sort_order(report: ReportSpec) -> tuple[SortOrder, ...]:
    keys = [SortOrder(k.field, k.desc) for k in report.sort]
    used = {k.name for k in keys}
    # Dimensions break ties so the same data always gives the same row order on every backend.
    keys += [
        SortOrder(d.output_name, False) for d in report.dimensions if d.output_name not in used
    ]
    return tuple(keys)


def _resolve_visual(
    report: ReportSpec,
    dims: tuple[ResolvedDimension | None, ...],
    measures: tuple[ResolvedMeasure | None, ...],
    problems: list[Problem],
) -> ResolvedVisual:
    good_dims = [d for d in dims if d is not None]
    good_measures = [m for m in measures if m is not None]
    spec = report.visual
    if isinstance(spec, TableVisual):
        return ResolvedVisual("table", columns=tuple(spec.columns or ()), title=spec.title)
    time_dims = [d for d in good_dims if d.is_time]
    other_dims = [d for d in good_dims if not d.is_time]
    if spec is None:
        if not good_measures or not good_dims:
            return ResolvedVisual("table")
        x_dim = time_dims[0] if time_dims else other_dims[0]
        rest = [d for d in good_dims if d is not x_dim]
        return ResolvedVisual(
            "line" if time_dims else "bar",
            x=x_dim.name,
            y=good_measures[0].name,
            color=rest[0].name if len(rest) == 1 else None,
        )
    x = spec.x or (good_dims[0].name if good_dims else None)
    y = spec.y or (good_measures[0].name if good_measures else None)
    if x is None or y is None:
        problems.append(
            Problem(
                "unknown-visual-field",
                f"a {spec.kind} chart needs a dimension for x and a measure for y",
                "visual",
                hint="add a dimension and a measure, or use `visual: {kind: table}`",
            )
        )
    horizontal = spec.horizontal if isinstance(spec, BarVisual) else False
    stack = spec.stack if isinstance(spec, BarVisual) else True
    kind = "line" if isinstance(spec, LineVisual) else "bar"
    return ResolvedVisual(kind, x, y, spec.color, horizontal, stack, title=spec.title)


def _humanize(name: str) -> str:
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]
