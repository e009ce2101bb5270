"""Measures -> resolved measures: aggregates over rows, formulas and windows over measures."""

from __future__ import annotations

import re

from crmreports.errors import Problem, format_names, suggest, unknown_name
from crmreports.resolve.bind_dimensions import humanize
from crmreports.resolve.bind_filters import bind_filter
from crmreports.resolve.context import Context
from crmreports.resolve.presentation import present
from crmreports.resolve.resolved import (
    AggregateSpec,
    ResolvedDimension,
    ResolvedMeasure,
    WindowSpec,
)
from crmreports.resolve.types import DataType
from crmreports.spec import (
    CompareMeasure,
    CountMeasure,
    ExprMeasure,
    FieldMeasure,
    Format,
    FormulaMeasure,
    Measure,
    PacingMeasure,
    RankMeasure,
    RollingMeasure,
    RunningMeasure,
    ShareMeasure,
)
from crmreports.spec.formula import Node, Ref, parse_with_problems, references

_NUMERIC_AGGS = {"sum", "avg", "median", "percentile", "stddev"}
# Aggregates that give the same answer however often a looked-up row repeats.
_SAFE_ACROSS_LOOKUP = {"count_distinct", "min", "max"}
_ORDERED = {
    DataType.INTEGER,
    DataType.FLOAT,
    DataType.STRING,
    DataType.DATE,
    DataType.DATETIME,
    DataType.BOOLEAN,
}
_OFFSET = re.compile(
    r"^\s*(\d+)\s+(period|day|week|month|quarter|year|fiscal_quarter|fiscal_year)s?\s*$"
)


def bind_measures(
    ctx: Context,
    measures: list[Measure],
    dims: list[ResolvedDimension],
    filter_names: set[str],
    currency: str = "USD",
) -> list[ResolvedMeasure | None]:
    """Aggregates first (they read columns), then formulas and windows in dependency order;
    then how each is shown (`currency` is the report's default for money)."""
    bound: dict[int, ResolvedMeasure | None] = {}
    for i, m in enumerate(measures):
        if isinstance(m, CountMeasure | FieldMeasure | ExprMeasure):
            if m.source is not None or m.match is not None:
                bound[i] = _cross_source(ctx, m, i, dims)
            else:
                bound[i] = _aggregate(ctx, m, i)
    names = {m.name: i for i, m in enumerate(measures)}
    pending = [i for i, m in enumerate(measures) if i not in bound]
    visiting: set[int] = set()

    def visit(i: int) -> ResolvedMeasure | None:
        if i in bound:
            return bound[i]
        if i in visiting:
            ctx.problems.append(
                Problem(
                    "measure-cycle",
                    f"measure {measures[i].name!r} depends on itself",
                    f"measures[{i}]",
                    hint="a formula or window cannot refer back to its own result",
                )
            )
            bound[i] = None
            return None
        visiting.add(i)
        deps = _dependencies(measures[i])
        for dep in deps:
            if dep in names:
                visit(names[dep])
        visiting.discard(i)
        types = {
            measures[j].name: r.dtype for j, r in bound.items() if r is not None
        }  # measures resolved so far
        bound[i] = _derived(ctx, measures[i], i, types, dims, filter_names, measures)
        return bound[i]

    for i in pending:
        visit(i)
    return present(measures, [bound.get(i) for i in range(len(measures))], currency, ctx.problems)


def _dependencies(m: Measure) -> set[str]:
    if isinstance(m, FormulaMeasure):
        from crmreports.spec.formula import parse_with_problems

        node, _ = parse_with_problems(m.formula)
        return references(node) if node is not None else set()
    if isinstance(m, PacingMeasure):
        return {m.of, m.pacing.target}
    return {m.of}  # type: ignore[union-attr]


def _aggregate(
    ctx: Context, m: CountMeasure | FieldMeasure | ExprMeasure, i: int
) -> ResolvedMeasure | None:
    path = f"measures[{i}]"
    value: Node | None = None
    input_dtype: DataType | None = None
    what = ""
    if isinstance(m, ExprMeasure):
        typed = ctx.formula(m.expr, f"{path}.expr")
        if typed is None:
            return None
        value, input_dtype = typed
        what = m.expr
    elif m.field is not None:
        input_dtype = ctx.column(m.field, f"{path}.field")
        if input_dtype is None:
            return None
        value, what = Ref(m.field), m.field
    where = []
    for j, f in enumerate(m.filter):
        predicate = bind_filter(ctx, f, f"{path}.filter[{j}]")
        if predicate is None:
            return None
        where.append(predicate)
    agg = m.agg
    p = getattr(m, "p", None)
    if agg == "percentile" and p is None:
        ctx.problems.append(
            Problem("missing-key", "`percentile` needs `p`", f"{path}.p", hint="e.g. `p: 0.9`")
        )
        return None
    if agg != "percentile" and p is not None:
        ctx.problems.append(
            Problem("invalid-value", f"`p` only applies to percentile, not {agg}", f"{path}.p")
        )
        return None
    if input_dtype is not None and not _fits(agg, input_dtype):
        needs = "numbers" if agg in _NUMERIC_AGGS else "numbers, dates or text"
        ctx.problems.append(
            Problem(
                "not-numeric",
                f"`{agg}` needs a numeric column, but {what!r} is {input_dtype.value}"
                if agg in _NUMERIC_AGGS
                else f"`{agg}` needs {needs}, but {what!r} is {input_dtype.value}",
                f"{path}.{'expr' if isinstance(m, ExprMeasure) else 'field'}",
                checked_against="numeric columns: "
                + (", ".join(c for c, t in ctx.columns.items() if t.is_numeric) or "none"),
                hint="use `count` or `count_distinct` for non-numeric columns",
            )
        )
        return None
    looked_up = sorted(n for n in ctx.used_by(value) if "." in n and n not in ctx.own_columns)
    if looked_up and agg not in _SAFE_ACROSS_LOOKUP:
        ctx.problems.append(
            Problem(
                "fan-out",
                f"`{agg}` of {looked_up[0]!r} would count each {looked_up[0].split('.')[0]} row "
                f"once per {ctx.source} row that points at it",
                f"{path}.{'expr' if isinstance(m, ExprMeasure) else 'field'}",
                hint=f"use count_distinct, min or max of it, or make "
                f"{looked_up[0].split('.')[0]!r} the report's source",
            )
        )
        return None
    dtype = _aggregate_dtype(agg, input_dtype)
    fmt = m.format or (Format.INTEGER if dtype is DataType.INTEGER else Format.NUMBER)
    fill = m.fill or ("zero" if agg in {"count", "sum", "count_distinct"} else "null")
    return ResolvedMeasure(
        name=m.name,
        label=m.label or humanize(m.name),
        dtype=dtype,
        format=fmt,
        fill=fill,
        aggregate=AggregateSpec(agg, value, tuple(where), p, input_dtype),
    )


def _cross_source(
    ctx: Context, m: CountMeasure | FieldMeasure | ExprMeasure, i: int,
    dims: list[ResolvedDimension],
) -> ResolvedMeasure | None:  # fmt: skip
    """An aggregate of another source (targets), matched to the report's dimensions."""
    path = f"measures[{i}]"
    if m.source is None or m.match is None:
        missing = "source" if m.source is None else "match"
        ctx.problems.append(
            Problem(
                "missing-key",
                f"a measure over another source needs both `source` and `match`; `{missing}` "
                "is missing",
                f"{path}.{missing}",
                hint="e.g. `{source: targets, match: {period: order_date, owner: salesperson}}`",
            )
        )
        return None
    if m.source not in ctx.schema:
        names = list(ctx.schema)
        ctx.problems.append(
            Problem(
                "unknown-source",
                f"unknown source {m.source!r}",
                f"{path}.source",
                checked_against=format_names(names, "sources"),
                suggestion=suggest(m.source, names),
                hint=f"pass it with the data: run({{..., '{m.source}': frame}})",
            )
        )
        return None
    other = Context(m.source, ctx.schema[m.source], ctx.params, ctx.time, ctx.problems)
    source = m.source
    other.hint_for = lambda name: ctx.hint_in(source, name)  # a mapped target: how to map
    dim_names = [d.name for d in dims]
    ok = True
    for column, dim in m.match.items():
        if other.column(column, f"{path}.match") is None:
            ok = False
        # A column of the report's source (not a dimension) only carries its filters over.
        if dim not in dim_names and dim not in ctx.own_columns:
            ok = not _unknown_names(ctx, [dim], dim_names, f"{path}.match", "dimensions") and ok
    unmatched = [d for d in dim_names if d not in m.match.values()]
    if unmatched:
        ctx.problems.append(
            Problem(
                "fan-out",
                f"{m.source} is not matched to the dimension(s) {', '.join(unmatched)}: its "
                f"values would repeat on every {unmatched[0]} row and add up wrongly in totals",
                f"{path}.match",
                hint=f"map a column of {m.source} to each of: {', '.join(unmatched)}",
            )
        )
        ok = False
    if not ok:
        return None
    resolved = _aggregate(other, m, i)
    if resolved is None or resolved.aggregate is None:
        return None
    from dataclasses import replace

    types = ctx.schema[m.source]
    match = tuple(
        (dim, column, types[column]) for column, dim in m.match.items() if dim in dim_names
    )
    spec = replace(resolved.aggregate, source=m.source, match=match)
    return replace(resolved, aggregate=spec)


def _fits(agg: str, dtype: DataType) -> bool:
    if agg in _NUMERIC_AGGS:
        return dtype.is_numeric or (dtype is DataType.BOOLEAN and agg in {"sum", "avg"})
    if agg in {"min", "max"}:
        return dtype in _ORDERED
    return True


def _aggregate_dtype(agg: str, input_dtype: DataType | None) -> DataType:
    if agg in {"count", "count_distinct"}:
        return DataType.INTEGER
    if agg == "sum":
        return DataType.FLOAT if input_dtype is DataType.FLOAT else DataType.INTEGER
    if agg in {"avg", "median", "percentile", "stddev"}:
        return DataType.FLOAT
    return input_dtype or DataType.OTHER  # min, max keep the column's type


def _derived(
    ctx: Context,
    m: Measure,
    i: int,
    types: dict[str, DataType],
    dims: list[ResolvedDimension],
    filter_names: set[str],
    measures: list[Measure],
) -> ResolvedMeasure | None:
    path = f"measures[{i}]"
    label = m.label or humanize(m.name)
    failed = {x.name for x in measures} - set(types)  # their own problem is already reported
    if isinstance(m, FormulaMeasure):
        node_or_none, _ = parse_with_problems(m.formula)
        if node_or_none is not None and references(node_or_none) & failed:
            return None
        typed = ctx.formula(m.formula, f"{path}.formula", types, what="measures")
        if typed is None:
            return None
        node, dtype = typed
        fmt = m.format or (Format.INTEGER if dtype is DataType.INTEGER else Format.NUMBER)
        return ResolvedMeasure(m.name, label, dtype, fmt, m.fill or "null", formula=node)
    of = m.of  # type: ignore[union-attr]
    if of in failed:
        return None
    if of not in types:
        names = [x.name for x in measures if x.name != m.name]
        ctx.problems.append(
            unknown_name("unknown-measure", f"unknown measure {of!r}", f"{path}.of", of,
                         names, "measures")
        )  # fmt: skip
        return None
    base = next(x for x in measures if x.name == of)
    if getattr(base, "source", None) is not None and isinstance(
        m, RollingMeasure | CompareMeasure | ShareMeasure
    ):
        ctx.problems.append(
            Problem(
                "invalid-value",
                f"{_kind(m)} of a measure from another source ({base.source!r}) is not "  # type: ignore[union-attr]
                "supported; use it on the report's own measures, or a running total",
                f"{path}.of",
            )
        )
        return None
    of_dtype = types[of]
    of_format = base.format or (Format.INTEGER if of_dtype is DataType.INTEGER else Format.NUMBER)
    time_dims = [d for d in dims if d.grain is not None]
    dim_names = [d.name for d in dims]
    if isinstance(m, RunningMeasure | RollingMeasure | CompareMeasure) and not time_dims:
        ctx.problems.append(
            Problem(
                "needs-time-dimension",
                f"`{_kind(m)}` works along a time axis, but the report has no dimension with "
                "a `grain`",
                path,
                hint="add e.g. `{field: order_date, grain: month}` to the dimensions",
            )
        )
        return None
    if not _numeric(of_dtype):
        ctx.problems.append(
            Problem(
                "not-numeric",
                f"`{_kind(m)}` needs a numeric measure, but {of!r} is {of_dtype.value}",
                f"{path}.of",
            )
        )
        return None
    if isinstance(m, RunningMeasure):
        if not _is_additive(base):
            ctx.problems.append(_not_additive(path, of, base, "a running total adds up"))
            return None
        window = WindowSpec("running", of, reset=m.running.reset)
        return ResolvedMeasure(
            m.name, label, of_dtype, m.format or of_format, "null", window=window
        )
    if isinstance(m, RollingMeasure):
        if m.rolling.agg == "sum" and not _is_additive(base):
            ctx.problems.append(_not_additive(path, of, base, "a rolling sum adds up"))
            return None
        dtype = DataType.FLOAT if m.rolling.agg == "avg" else of_dtype
        window = WindowSpec("rolling", of, periods=m.rolling.periods, rolling_agg=m.rolling.agg)
        return ResolvedMeasure(m.name, label, dtype, m.format or of_format, "null", window=window)
    if isinstance(m, CompareMeasure):
        match = _OFFSET.match(m.compare.offset)
        if match is None:
            ctx.problems.append(
                Problem(
                    "invalid-value",
                    f"cannot read the offset {m.compare.offset!r}",
                    f"{path}.compare.offset",
                    hint="write e.g. '1 period', '1 year', '3 months'",
                )
            )
            return None
        n, unit = int(match.group(1)), match.group(2)
        show = m.compare.show
        dtype = DataType.FLOAT if show == "pct_change" else of_dtype
        fmt = m.format or (Format.PERCENT if show == "pct_change" else of_format)
        window = WindowSpec("compare", of, offset_n=n, offset_unit=unit, show=show)
        return ResolvedMeasure(m.name, label, dtype, fmt, "null", window=window)
    if isinstance(m, ShareMeasure):
        if base.__class__.__name__ not in {"CountMeasure", "FieldMeasure", "ExprMeasure"}:
            ctx.problems.append(
                Problem(
                    "invalid-value",
                    f"a share is recomputed from base rows, so {of!r} must be an aggregate "
                    "measure (agg: ...), not a formula or window",
                    f"{path}.of",
                )
            )
            return None
        bad = [w for w in m.share_of.within if w not in dim_names]
        if _unknown_names(ctx, bad, dim_names, f"{path}.share_of.within", "dimensions"):
            return None
        before = m.share_of.before_filter
        if before is not None and before not in filter_names:
            ctx.problems.append(
                Problem(
                    "unknown-name",
                    f"no filter is named {before!r}",
                    f"{path}.share_of.before_filter",
                    checked_against=format_names(sorted(filter_names), "filter names"),
                    suggestion=suggest(before, sorted(filter_names)),
                    hint="give the filter a `name:`",
                )
            )
            return None
        window = WindowSpec("share", of, within=tuple(m.share_of.within), before_filter=before)
        return ResolvedMeasure(
            m.name, label, DataType.FLOAT, m.format or Format.PERCENT, "null", window=window
        )
    if isinstance(m, PacingMeasure):
        if not time_dims:
            ctx.problems.append(
                Problem(
                    "needs-time-dimension",
                    "`pacing` compares each period with its elapsed part, but the report has "
                    "no dimension with a `grain`",
                    path,
                )
            )
            return None
        target = m.pacing.target
        if target in failed:
            return None  # the target's own problem is already reported
        if target not in types:
            names = [x.name for x in measures if x.name != m.name]
            ctx.problems.append(
                unknown_name("unknown-measure", f"unknown measure {target!r}",
                             f"{path}.pacing.target", target, names, "measures")
            )  # fmt: skip
            return None
        window = WindowSpec("pacing", of, target=target)
        fmt = m.format or Format.PERCENT
        return ResolvedMeasure(m.name, label, DataType.FLOAT, fmt, "null", window=window)
    if isinstance(m, RankMeasure):
        bad = [w for w in m.rank.within if w not in dim_names]
        if _unknown_names(ctx, bad, dim_names, f"{path}.rank.within", "dimensions"):
            return None
        window = WindowSpec(
            "rank", of, within=tuple(m.rank.within), desc=m.rank.desc, buckets=m.rank.buckets
        )
        return ResolvedMeasure(
            m.name, label, DataType.INTEGER, m.format or Format.INTEGER, "null", window=window
        )
    raise AssertionError(m)  # pragma: no cover


def _kind(m: Measure) -> str:
    for key in ("running", "rolling", "compare", "share_of", "rank", "pacing"):
        if hasattr(m, key):
            return key
    return "window"


def _numeric(dtype: DataType) -> bool:
    return dtype.is_numeric or dtype is DataType.BOOLEAN


def _is_additive(m: Measure) -> bool:
    return isinstance(m, CountMeasure) or (
        isinstance(m, FieldMeasure | ExprMeasure) and m.agg in {"sum", "count"}
    )


def _not_additive(path: str, of: str, base: Measure, why: str) -> Problem:
    agg = getattr(base, "agg", None) or "formula"
    return Problem(
        "not-additive",
        f"{why} period values, but {of!r} is "
        + ("a formula" if agg == "formula" else f"aggregated with `{agg}`")
        + ", which cannot be summed across periods",
        f"{path}.of",
        hint="use a sum or count measure (or rolling with `agg: avg`)",
    )


def _unknown_names(ctx: Context, bad: list[str], known: list[str], path: str, what: str) -> bool:
    for name in bad:
        message = f"{name!r} is not one of the report's {what}"
        ctx.problems.append(unknown_name("unknown-name", message, path, name, known, what))
    return bool(bad)
