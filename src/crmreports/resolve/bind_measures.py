"""Measures -> resolved measures: aggregates over rows, formulas and windows over measures."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import assert_never

from crmreports.errors import Problem, format_names, suggest, unknown_name
from crmreports.resolve.bind_dimensions import humanize
from crmreports.resolve.bind_filters import bind_filter
from crmreports.resolve.context import Context
from crmreports.resolve.measures import (
    Presentation,
    ResolvedAggregate,
    ResolvedCompare,
    ResolvedFormula,
    ResolvedMeasure,
    ResolvedPacing,
    ResolvedRank,
    ResolvedRolling,
    ResolvedRollingDistinct,
    ResolvedRunning,
    ResolvedShare,
)
from crmreports.resolve.presentation import present
from crmreports.resolve.resolved import ResolvedDimension
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
    WindowMeasure,
)
from crmreports.spec.formula import Node, Ref, parse_with_problems, references
from crmreports.spec.measure import AGGREGATIONS, measures_read

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
        deps = measures_read(measures[i])
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


def _aggregate(
    ctx: Context, m: CountMeasure | FieldMeasure | ExprMeasure, i: int
) -> ResolvedAggregate | None:
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
    p = None if isinstance(m, CountMeasure) else m.p
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
    numeric = AGGREGATIONS[agg].numeric
    if input_dtype is not None and not _fits(agg, input_dtype):
        needs = "numbers" if numeric else "numbers, dates or text"
        ctx.problems.append(
            Problem(
                "not-numeric",
                f"`{agg}` needs a numeric column, but {what!r} is {input_dtype.value}"
                if numeric
                else f"`{agg}` needs {needs}, but {what!r} is {input_dtype.value}",
                f"{path}.{'expr' if isinstance(m, ExprMeasure) else 'field'}",
                checked_against="numeric columns: "
                + (", ".join(c for c, t in ctx.columns.items() if t.is_numeric) or "none"),
                hint="use `count` or `count_distinct` for non-numeric columns",
            )
        )
        return None
    looked_up = sorted(n for n in ctx.used_by(value) if "." in n and n not in ctx.own_columns)
    if looked_up and not AGGREGATIONS[agg].duplicate_safe:
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
    fill = m.fill or ("zero" if AGGREGATIONS[agg].zero_when_empty else "null")
    shown = Presentation(m.label or humanize(m.name), dtype, fmt, fill)
    return ResolvedAggregate(m.name, shown, agg, value, tuple(where), p, input_dtype)


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
    source = m.source
    other = Context(
        m.source, ctx.schema[m.source], ctx.params, ctx.time, ctx.problems,
        hint_for=lambda name: ctx.hint_in(source, name),  # a mapped target: how to map
    )  # fmt: skip
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
    if resolved is None:
        return None
    types = ctx.schema[m.source]
    match = tuple(
        (dim, column, types[column]) for column, dim in m.match.items() if dim in dim_names
    )
    return replace(resolved, source=m.source, match=match)


def _fits(agg: str, dtype: DataType) -> bool:
    match AGGREGATIONS[agg].reads:
        case "numeric":
            return dtype.is_numeric
        case "numeric_or_bool":  # a boolean sums or averages as 0/1
            return dtype.is_numeric or dtype is DataType.BOOLEAN
        case "ordered":
            return dtype in _ORDERED
        case "any":
            return True


def _aggregate_dtype(agg: str, input_dtype: DataType | None) -> DataType:
    match AGGREGATIONS[agg].result:
        case "integer":
            return DataType.INTEGER
        case "sum":
            return DataType.FLOAT if input_dtype is DataType.FLOAT else DataType.INTEGER
        case "float":
            return DataType.FLOAT
        case "input":  # min, max keep the column's type
            return input_dtype or DataType.OTHER


@dataclass(frozen=True)
class _Scope:
    """What resolving one formula or window measure reads."""

    ctx: Context
    m: Measure
    path: str
    types: dict[str, DataType]  # the measures resolved so far
    dims: list[ResolvedDimension]
    filter_names: set[str]
    measures: list[Measure]

    @property
    def failed(self) -> set[str]:
        """Measures already reported as wrong: what reads them says nothing more."""
        return {x.name for x in self.measures} - set(self.types)

    @property
    def dim_names(self) -> list[str]:
        return [d.name for d in self.dims]

    def shown(self, dtype: DataType, fmt: Format) -> Presentation:
        return Presentation(self.m.label or humanize(self.m.name), dtype, fmt, "null")

    def unknown_measure(self, name: str, path: str) -> None:
        names = [x.name for x in self.measures if x.name != self.m.name]
        self.ctx.problems.append(
            unknown_name("unknown-measure", f"unknown measure {name!r}", path, name, names,
                         "measures")
        )  # fmt: skip

    def problem(self, code: str, message: str, path: str, hint: str | None = None) -> None:
        self.ctx.problems.append(Problem(code, message, path, hint=hint))


def _derived(
    ctx: Context,
    m: Measure,
    i: int,
    types: dict[str, DataType],
    dims: list[ResolvedDimension],
    filter_names: set[str],
    measures: list[Measure],
) -> ResolvedMeasure | None:
    s = _Scope(ctx, m, f"measures[{i}]", types, dims, filter_names, measures)
    match m:
        case CountMeasure() | FieldMeasure() | ExprMeasure():  # pragma: no cover
            raise TypeError("aggregates are bound before the measures built on them")
        case FormulaMeasure():
            return _formula(s, m)
        case (
            RunningMeasure() | RollingMeasure() | CompareMeasure() | ShareMeasure()
            | RankMeasure() | PacingMeasure()
        ):  # fmt: skip
            of = _window_input(s, m)
            if of is None:
                return None
            return _window(s, m, *of)
        case _:
            assert_never(m)


def _formula(s: _Scope, m: FormulaMeasure) -> ResolvedFormula | None:
    node_or_none, _ = parse_with_problems(m.formula)
    if node_or_none is not None and references(node_or_none) & s.failed:
        return None
    typed = s.ctx.formula(m.formula, f"{s.path}.formula", s.types, what="measures")
    if typed is None:
        return None
    node, dtype = typed
    fmt = m.format or (Format.INTEGER if dtype is DataType.INTEGER else Format.NUMBER)
    label = m.label or humanize(m.name)
    return ResolvedFormula(m.name, Presentation(label, dtype, fmt, m.fill or "null"), node)


def _window_input(s: _Scope, m: WindowMeasure) -> tuple[Measure, DataType, Format] | None:
    """The measure a window reads (`of`), its type and format, when the window may read it."""
    of, path = m.of, s.path
    if of in s.failed:
        return None
    if of not in s.types:
        s.unknown_measure(of, f"{path}.of")
        return None
    base = next(x for x in s.measures if x.name == of)
    across = isinstance(base, CountMeasure | FieldMeasure | ExprMeasure) and base.source
    if across and isinstance(m, RollingMeasure | CompareMeasure | ShareMeasure):
        s.problem(
            "invalid-value",
            f"{_kind(m)} of a measure from another source ({across!r}) is not "
            "supported; use it on the report's own measures, or a running total",
            f"{path}.of",
        )
        return None
    of_dtype = s.types[of]
    of_format = base.format or (Format.INTEGER if of_dtype is DataType.INTEGER else Format.NUMBER)
    timed = any(d.grain is not None for d in s.dims)
    if isinstance(m, RunningMeasure | RollingMeasure | CompareMeasure) and not timed:
        s.problem(
            "needs-time-dimension",
            f"`{_kind(m)}` works along a time axis, but the report has no dimension with a `grain`",
            path,
            hint="add e.g. `{field: order_date, grain: month}` to the dimensions",
        )
        return None
    if not _numeric(of_dtype):
        s.problem(
            "not-numeric",
            f"`{_kind(m)}` needs a numeric measure, but {of!r} is {of_dtype.value}",
            f"{path}.of",
        )
        return None
    return base, of_dtype, of_format


def _window(
    s: _Scope, m: WindowMeasure, base: Measure, of_dtype: DataType, of_format: Format
) -> ResolvedMeasure | None:
    match m:
        case RunningMeasure():
            if not _is_additive(base):
                s.ctx.problems.append(_not_additive(s.path, m.of, base, "a running total adds up"))
                return None
            shown = s.shown(of_dtype, m.format or of_format)
            return ResolvedRunning(m.name, shown, m.of, m.running.reset)
        case RollingMeasure():
            if m.rolling.agg == "sum" and _counts_distinct(base):
                # Recounted over the window's rows: a customer of two months counts once.
                shown = s.shown(of_dtype, m.format or of_format)
                return ResolvedRollingDistinct(m.name, shown, m.of, m.rolling.periods)
            if m.rolling.agg == "sum" and not _is_additive(base):
                s.ctx.problems.append(_not_additive(s.path, m.of, base, "a rolling sum adds up"))
                return None
            dtype = DataType.FLOAT if m.rolling.agg == "avg" else of_dtype
            shown = s.shown(dtype, m.format or of_format)
            return ResolvedRolling(m.name, shown, m.of, m.rolling.periods, m.rolling.agg)
        case CompareMeasure():
            return _compare(s, m, of_dtype, of_format)
        case ShareMeasure():
            return _share(s, m, base)
        case PacingMeasure():
            return _pacing(s, m)
        case RankMeasure():
            bad = [w for w in m.rank.within if w not in s.dim_names]
            if _unknown_names(s.ctx, bad, s.dim_names, f"{s.path}.rank.within", "dimensions"):
                return None
            shown = s.shown(DataType.INTEGER, m.format or Format.INTEGER)
            return ResolvedRank(
                m.name, shown, m.of, tuple(m.rank.within), m.rank.desc, m.rank.buckets
            )
        case _:
            assert_never(m)


def _compare(
    s: _Scope, m: CompareMeasure, of_dtype: DataType, of_format: Format
) -> ResolvedCompare | None:
    match = _OFFSET.match(m.compare.offset)
    if match is None:
        s.problem(
            "invalid-value",
            f"cannot read the offset {m.compare.offset!r}",
            f"{s.path}.compare.offset",
            hint="write e.g. '1 period', '1 year', '3 months'",
        )
        return None
    n, unit = int(match.group(1)), match.group(2)
    show = m.compare.show
    dtype = DataType.FLOAT if show == "pct_change" else of_dtype
    fmt = m.format or (Format.PERCENT if show == "pct_change" else of_format)
    return ResolvedCompare(m.name, s.shown(dtype, fmt), m.of, n, unit, show)


def _share(s: _Scope, m: ShareMeasure, base: Measure) -> ResolvedShare | None:
    path = s.path
    if not isinstance(base, CountMeasure | FieldMeasure | ExprMeasure):
        s.problem(
            "invalid-value",
            f"a share is recomputed from base rows, so {m.of!r} must be an aggregate "
            "measure (agg: ...), not a formula or window",
            f"{path}.of",
        )
        return None
    dim_names = s.dim_names
    bad = [w for w in m.share_of.within if w not in dim_names]
    if _unknown_names(s.ctx, bad, dim_names, f"{path}.share_of.within", "dimensions"):
        return None
    before = m.share_of.before_filter
    if before is not None and before not in s.filter_names:
        names = sorted(s.filter_names)
        s.ctx.problems.append(
            Problem(
                "unknown-name",
                f"no filter is named {before!r}",
                f"{path}.share_of.before_filter",
                checked_against=format_names(names, "filter names"),
                suggestion=suggest(before, names),
                hint="give the filter a `name:`",
            )
        )
        return None
    shown = s.shown(DataType.FLOAT, m.format or Format.PERCENT)
    return ResolvedShare(m.name, shown, m.of, tuple(m.share_of.within), before)


def _pacing(s: _Scope, m: PacingMeasure) -> ResolvedPacing | None:
    if not any(d.grain is not None for d in s.dims):
        s.problem(
            "needs-time-dimension",
            "`pacing` compares each period with its elapsed part, but the report has "
            "no dimension with a `grain`",
            s.path,
        )
        return None
    target = m.pacing.target
    if target in s.failed:
        return None  # the target's own problem is already reported
    if target not in s.types:
        s.unknown_measure(target, f"{s.path}.pacing.target")
        return None
    shown = s.shown(DataType.FLOAT, m.format or Format.PERCENT)
    return ResolvedPacing(m.name, shown, m.of, target)


def _kind(m: WindowMeasure) -> str:
    """The key that names the window kind in a spec (`share_of` for a share)."""
    match m:
        case RunningMeasure():
            return "running"
        case RollingMeasure():
            return "rolling"
        case CompareMeasure():
            return "compare"
        case ShareMeasure():
            return "share_of"
        case RankMeasure():
            return "rank"
        case PacingMeasure():
            return "pacing"
        case _:
            assert_never(m)


def _numeric(dtype: DataType) -> bool:
    return dtype.is_numeric or dtype is DataType.BOOLEAN


def _is_additive(m: Measure) -> bool:
    return isinstance(m, CountMeasure | FieldMeasure | ExprMeasure) and (
        AGGREGATIONS[m.agg].additive
    )


def _counts_distinct(m: Measure) -> bool:
    return isinstance(m, FieldMeasure | ExprMeasure) and m.agg == "count_distinct"


def _not_additive(path: str, of: str, base: Measure, why: str) -> Problem:
    agg = base.agg if isinstance(base, CountMeasure | FieldMeasure | ExprMeasure) else "formula"
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
