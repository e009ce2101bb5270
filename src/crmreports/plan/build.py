"""Turn a resolved report into a plan: the aggregation queries and the steps after them.

Internal column names start with a prefix no source column uses, so a derived bucket never
shadows a source column that a measure still reads (bucketing `order_date` must not change
`max(order_date)`).
"""

from __future__ import annotations

from dataclasses import replace

from crmreports.plan.nodes import (
    AcrossStep,
    AggFunction,
    AggQuery,
    Aggregation,
    AsInteger,
    BinValue,
    CompareStep,
    DatePartValue,
    Derived,
    FormulaStep,
    GapFill,
    GroupValue,
    HavingStep,
    LimitStep,
    Masked,
    NullFlag,
    OutputColumn,
    PacingStep,
    Plan,
    PostStep,
    RankStep,
    RollingStep,
    RowValue,
    RunningStep,
    ShareStep,
    SortStep,
    TimeBucket,
    TopQuery,
    TopValue,
    TotalsStep,
)
from crmreports.plan.shift import offset_text, shift_time_filters, time_filter_bounds
from crmreports.resolve import (
    DataType,
    Predicate,
    ResolvedDimension,
    ResolvedMeasure,
    ResolvedReport,
    SortOrder,
)
from crmreports.spec.formula import Ref

_FUNCTION: dict[str, AggFunction] = {
    "count_distinct": "n_unique",
    "sum": "sum",
    "avg": "mean",
    "min": "min",
    "max": "max",
    "median": "median",
    "percentile": "quantile",
    "stddev": "std",
}
ROW_TYPE = "row_type"
# On reports with totals: how many leading dimensions a row is grouped by (every dimension on
# detail rows, k on a subtotal of the first k, 0 on the grand total). A dimension at position
# >= row_level spans all its values on that row; one before it that is null is a real null.
ROW_LEVEL = "row_level"


def internal_prefix(columns: tuple[str, ...]) -> str:
    """A prefix no source column starts with, so internal columns never shadow real ones.

    >>> internal_prefix(("amount", "__d0"))
    '___'
    """
    prefix = "__"
    while any(c.startswith(prefix) for c in columns):
        prefix += "_"
    return prefix


class _Builder:
    def __init__(self, report: ResolvedReport) -> None:
        self.report = report
        self.p = internal_prefix(report.source_columns)
        self.filters = tuple(f.predicate for f in report.filters)
        self.top_queries: dict[int, str] = {}
        self.hidden: list[str] = []

    # --- aggregation queries ---------------------------------------------------------------

    def query(
        self,
        name: str,
        dims: list[tuple[int, ResolvedDimension]],
        measures: list[ResolvedMeasure],
        filters: tuple[Predicate, ...],
        outputs_hidden: bool = True,
        source: str | None = None,
    ) -> AggQuery:
        p = self.p
        derived: list[Derived] = []
        keys: list[str] = []
        outputs: list[OutputColumn] = []
        hidden: list[OutputColumn] = []
        for i, d in dims:
            key = self._dimension(i, d, derived, keys, hidden)
            outputs.append(OutputColumn(d.name, key, d.dtype))
        if outputs_hidden:
            outputs += hidden
        aggregations: list[Aggregation] = []
        for m in measures:
            j = self.report.measures.index(m)
            column = f"{p}m{j}"
            agg, extra = self._aggregation(m, j, column, derived)
            aggregations += [agg] + ([extra] if extra else [])
            outputs.append(OutputColumn(m.name, column, m.dtype, extra.name if extra else None))
        timezone = self.report.time.timezone
        joins = self.report.joins if source is None else ()
        return AggQuery(
            name, source or self.report.source, timezone, joins, filters, tuple(derived),
            tuple(keys), tuple(aggregations), tuple(outputs),
        )  # fmt: skip

    def _dimension(
        self,
        i: int,
        d: ResolvedDimension,
        derived: list[Derived],
        keys: list[str],
        hidden: list[OutputColumn],
    ) -> str:
        p, cal = self.p, self.report.time.calendar
        value = f"{p}v{i}"
        derived.append(RowValue(value, d.value))
        key = value
        if d.grain is not None:
            key = f"{p}d{i}"
            derived.append(TimeBucket(key, value, d.grain, cal, d.input_dtype))
        elif d.part is not None:
            key = f"{p}d{i}"
            derived.append(DatePartValue(key, value, d.part, cal))
        elif d.bins is not None:
            key, index = f"{p}d{i}", f"{p}i{i}"
            derived.append(BinValue(key, index, value, d.bins.bounds, d.bins.labels))
            keys.append(index)
            hidden.append(OutputColumn(index, index, DataType.INTEGER))
        elif d.groups is not None:
            key = f"{p}d{i}"
            g = d.groups
            derived.append(GroupValue(key, value, g.groups, g.unmatched, g.other_label))
        if i in self.top_queries and d.top is not None:
            member, is_other = f"{p}t{i}", f"{p}o{i}"
            derived.append(TopValue(member, is_other, key, self.top_queries[i], d.top.other_label))
            keys.append(is_other)
            hidden.append(OutputColumn(is_other, is_other, DataType.INTEGER))
            key = member
        keys.append(key)
        return key

    def _aggregation(
        self, m: ResolvedMeasure, j: int, column: str, derived: list[Derived]
    ) -> tuple[Aggregation, Aggregation | None]:
        p = self.p
        spec = m.aggregate
        assert spec is not None
        value: str | None = None
        if spec.value is not None:
            value = f"{p}x{j}"
            derived.append(RowValue(value, spec.value))
            if spec.input_dtype is DataType.BOOLEAN and spec.agg in {"sum", "avg"}:
                derived.append(AsInteger(f"{p}b{j}", value))
                value = f"{p}b{j}"
        if spec.where:
            masked = f"{p}w{j}"
            derived.append(Masked(masked, value, spec.where))
            if value is None:  # a filtered row count is the sum of a 0/1 flag
                return Aggregation(column, "sum", masked), None
            value = masked
        if spec.agg == "count":
            if value is None:
                return Aggregation(column, "len", None), None
            return Aggregation(column, "count", value), None
        assert value is not None
        if spec.agg == "count_distinct":
            # Backends count null as one more distinct value; SQL's COUNT(DISTINCT) does not.
            # Subtract one exactly when the group saw a null (max of a 0/1 flag).
            flag = f"{p}n{j}"
            derived.append(NullFlag(flag, value))
            return (
                Aggregation(column, "n_unique", value),
                Aggregation(f"{column}_has_null", "max", flag),
            )
        return Aggregation(column, _FUNCTION[spec.agg], value, spec.p), None

    # --- the whole plan --------------------------------------------------------------------

    def build(self) -> Plan:
        r = self.report
        dims = list(enumerate(r.dimensions))
        aggregates = [m for m in r.measures if m.aggregate is not None and not _across(m)]
        pre = tuple(self._top_query(i, d) for i, d in dims if d.top is not None)
        queries = [self._with_unmatched_counts(self.query("main", dims, aggregates, self.filters))]
        post: list[PostStep] = []
        keys = tuple(d.name for d in r.dimensions)
        # A row only the other source has: the report's own counts, sums and distinct counts
        # over no rows are 0 (as in a filled gap), the rest null.
        zero_when_empty = tuple(
            m.name
            for m in aggregates
            if m.is_additive or (m.aggregate is not None and m.aggregate.agg == "count_distinct")
        )
        for name in self._across_queries(dims, queries, level=None):
            post.append(AcrossStep(name, keys, zero_when_empty))
        time = r.time_dimension
        others = tuple(d.name for d in r.dimensions if d is not time)
        if time is not None and time.fill_gaps:
            start, end = time_filter_bounds(self.filters, time)
            fills = tuple((m.name, m.fill) for m in r.measures if m.aggregate is not None)
            post.append(GapFill(time.name, time.grain, r.time.calendar, others, fills, start, end))  # type: ignore[arg-type]
        for m in _dependency_order(r.measures):
            if m.formula is not None:
                post.append(FormulaStep(m.name, m.formula, m.dtype))
            elif m.window is not None:
                post.append(self._window(m, dims, queries, others))
        if r.having:
            post.append(HavingStep(r.having))
        post.append(SortStep(self._sort_keys()))
        if r.limit is not None:
            post.append(LimitStep(r.limit))
        post += self._totals(dims, aggregates, queries)
        hidden = tuple(self.hidden)
        names = tuple(d.name for d in r.dimensions)
        return Plan(pre, tuple(queries), tuple(post), r.columns, hidden, dimensions=names)

    def _with_unmatched_counts(self, query: AggQuery) -> AggQuery:
        """Count rows without a lookup match inside the main aggregation (one pass, not a
        second join over the whole source just for the notes)."""
        if not query.joins:
            return query
        p = self.p
        derived = list(query.derived)
        aggregations = list(query.aggregations)
        outputs = list(query.outputs)
        unmatched = []
        for k, join in enumerate(query.joins):
            flag, column = f"{p}uf{k}", f"{p}u{k}"
            derived.append(NullFlag(flag, f"{join.to}.__matched"))
            aggregations.append(Aggregation(column, "sum", flag))
            outputs.append(OutputColumn(column, column, DataType.INTEGER))
            unmatched.append((join.to, column))
        rows = f"{p}rows"
        aggregations.append(Aggregation(rows, "len", None))
        outputs.append(OutputColumn(rows, rows, DataType.INTEGER))
        return replace(
            query,
            derived=tuple(derived),
            aggregations=tuple(aggregations),
            outputs=tuple(outputs),
            unmatched=tuple(unmatched),
            rows=rows,
        )

    def _across_queries(
        self,
        dims: list[tuple[int, ResolvedDimension]],
        queries: list[AggQuery],
        level: int | None,
    ) -> list[str]:
        """One query per other source (and matching), at the report's grain, or at the
        first `level` dimensions for subtotals (0: the grand total)."""
        groups: dict[tuple[str, tuple[tuple[str, str, DataType], ...]], list[ResolvedMeasure]]
        groups = {}
        for m in self.report.measures:
            if _across(m):
                spec = m.aggregate
                assert spec is not None and spec.source is not None
                groups.setdefault((spec.source, spec.match), []).append(m)
        names = []
        for (source, match), measures in groups.items():
            columns = {dim: (column, dtype) for dim, column, dtype in match}
            mapped = []
            for i, d in dims if level is None else dims[:level]:
                column, dtype = columns[d.name]
                mapped.append((i, replace(d, value=Ref(column), input_dtype=dtype)))
            filters = _translated_filters(self.filters, dims, columns)
            suffix = "" if level is None else f"_level{level}"
            name = f"across{len(queries)}{suffix}"
            queries.append(self.query(name, mapped, measures, filters, False, source=source))
            names.append(name)
        return names

    def _top_query(self, i: int, d: ResolvedDimension) -> TopQuery:
        assert d.top is not None
        by = self.report.measure(d.top.by)
        before_top = DataType.STRING if (d.bins or d.groups) else d.input_dtype
        plain = ResolvedDimension(
            "member", d.label, d.value, d.input_dtype, before_top, d.grain, d.part, d.bins,
            d.groups,
        )  # fmt: skip
        name = f"top{i}"
        query = self.query(name, [(i, plain)], [by], self.filters, outputs_hidden=False)
        renamed = tuple(
            OutputColumn("value", o.column, o.dtype, o.minus) if o.name == by.name else o
            for o in query.outputs
        )
        self.top_queries[i] = name
        return TopQuery(
            name, _replace(query, outputs=renamed), d.top.n, d.top.bottom, d.name,
            d.top.other_label,
        )  # fmt: skip

    def _window(
        self,
        m: ResolvedMeasure,
        dims: list[tuple[int, ResolvedDimension]],
        queries: list[AggQuery],
        others: tuple[str, ...],
    ) -> PostStep:
        w = m.window
        assert w is not None
        r = self.report
        time = r.time_dimension
        of = r.measure(w.of)
        if w.kind == "share":
            within = [(i, d) for i, d in dims if d.name in w.within]
            filters = tuple(
                f.predicate
                for f in r.filters
                if w.before_filter is None or f.name != w.before_filter
            )
            name = f"share{len(queries)}"
            queries.append(self.query(name, within, [of], filters, outputs_hidden=False))
            return ShareStep(m.name, w.of, w.within, name)
        if w.kind == "rank":
            return RankStep(m.name, w.of, w.within, w.desc, w.buckets)
        if w.kind == "pacing":
            assert time is not None and time.grain is not None and w.target is not None
            return PacingStep(
                m.name, w.of, w.target, time.name, time.grain, r.time.calendar, r.time.as_of
            )
        assert time is not None and time.grain is not None
        if w.kind == "running":
            return RunningStep(m.name, w.of, time.name, others, w.reset, r.time.calendar)
        if w.kind == "rolling":
            back = (w.periods - 1, "period")
            shifted = shift_time_filters(self.filters, time, back, r.time.calendar, lower_only=True)
            name, prepare = "main", ()
            if shifted != self.filters:
                name = f"roll{len(queries)}"
                prepare = self._shifted_query(name, of, dims, shifted, queries, others)
            return RollingStep(
                m.name, w.of, time.name, others, w.periods, w.rolling_agg, name, time.grain,
                r.time.calendar, of.fill, prepare,
            )  # fmt: skip
        # compare: the earlier period's value, from base rows even outside the report's range
        offset = (w.offset_n, w.offset_unit)
        shifted = shift_time_filters(self.filters, time, offset, r.time.calendar)
        name, prepare = "main", ()
        if shifted != self.filters:
            name = f"cmp{len(queries)}"
            prepare = self._shifted_query(name, of, dims, shifted, queries, others)
        keys = tuple(d.name for d in r.dimensions)
        step_offset = offset_text(w.offset_n, w.offset_unit, time.grain)
        fill = of.fill if time.fill_gaps else None
        start, end = time_filter_bounds(shifted, time)
        return CompareStep(
            m.name, w.of, time.name, keys, name, step_offset, w.show, m.dtype, fill,
            time.grain, r.time.calendar, start, end, prepare,
        )  # fmt: skip

    def _shifted_query(
        self,
        name: str,
        of: ResolvedMeasure,
        dims: list[tuple[int, ResolvedDimension]],
        filters: tuple[Predicate, ...],
        queries: list[AggQuery],
        others: tuple[str, ...],
    ) -> tuple[PostStep, ...]:
        """A query over a moved time range computing `of`: its aggregates directly, and, when
        `of` is a formula or window (year-to-date last year), the steps that derive it."""
        needed = _closure(of, self.report)
        aggregates = [m for m in needed if m.aggregate is not None]
        queries.append(self.query(name, dims, aggregates, filters, outputs_hidden=False))
        steps: list[PostStep] = []
        for m in _dependency_order(tuple(needed)):
            if m.formula is not None:
                steps.append(FormulaStep(m.name, m.formula, m.dtype))
            elif m.window is not None:
                inner = _Builder(self.report)
                inner.filters = filters
                steps.append(inner._window(m, dims, queries, others))
        return tuple(steps)

    def _sort_keys(self) -> tuple[SortOrder, ...]:
        r, p = self.report, self.p
        keys: list[SortOrder] = []
        for k in r.sort:
            index = next(
                (i for i, d in enumerate(r.dimensions) if d.name == k.name and d.bins), None
            )
            keys.append(SortOrder(f"{p}i{index}", k.desc) if index is not None else k)
        for i, d in enumerate(r.dimensions):
            if d.bins is not None:
                self.hidden.append(f"{p}i{i}")
            if d.top is None:
                continue
            # "Other" comes after the members it stands beside: after the keys of the
            # dimensions before it (its group), ahead of everything else.
            flag = f"{p}o{i}"
            self.hidden.append(flag)
            parents = {x.name for x in r.dimensions[:i]} | {
                f"{p}i{j}" for j in range(i) if r.dimensions[j].bins
            }
            at = 0
            while at < len(keys) and keys[at].name in parents:
                at += 1
            keys.insert(at, SortOrder(flag, False))
        return tuple(keys)

    def _totals(
        self,
        dims: list[tuple[int, ResolvedDimension]],
        aggregates: list[ResolvedMeasure],
        queries: list[AggQuery],
    ) -> list[PostStep]:
        r = self.report
        if not r.has_totals:
            return []
        formulas = tuple(
            FormulaStep(m.name, m.formula, m.dtype)
            for m in _dependency_order(r.measures)
            if m.formula is not None and not _depends_on_window(m, r)
        )
        steps: list[PostStep] = []
        for level in range(len(r.subtotals), 0, -1):
            name = f"subtotal{level}"
            queries.append(self.query(name, dims[:level], aggregates, self.filters, False))
            across = tuple(self._across_queries(dims, queries, level))
            keys = tuple(d.name for _, d in dims[:level])
            steps.append(TotalsStep(name, "subtotal", formulas, keys, across))
        if r.totals:
            queries.append(self.query("total", [], aggregates, self.filters, False))
            across = tuple(self._across_queries(dims, queries, 0))
            steps.append(TotalsStep("total", "total", formulas, (), across))
        return steps


def build_plan(report: ResolvedReport) -> Plan:
    return _Builder(report).build()


def _replace(query: AggQuery, **changes: object) -> AggQuery:
    return replace(query, **changes)  # type: ignore[arg-type]


def _across(m: ResolvedMeasure) -> bool:
    return m.aggregate is not None and m.aggregate.source is not None


def _translated_filters(
    filters: tuple[Predicate, ...],
    dims: list[tuple[int, ResolvedDimension]],
    columns: dict[str, tuple[str, DataType]],
) -> tuple[Predicate, ...]:
    """The report's filters on a matched dimension's column, restated on the other source's
    column (a date range on order_date also limits the targets' periods); others drop."""
    renames = {
        d.value.name: columns[d.name][0]
        for _, d in dims
        if isinstance(d.value, Ref) and d.name in columns
    }
    out = []
    for p in filters:
        field = getattr(p, "field", None)
        if field in renames:
            out.append(replace(p, field=renames[field]))  # type: ignore[type-var]
    return tuple(out)


def _dependency_order(measures: tuple[ResolvedMeasure, ...]) -> list[ResolvedMeasure]:
    """Formulas and windows after the measures they read (the resolver rejected cycles)."""
    from crmreports.spec.formula import references

    by_name = {m.name: m for m in measures}
    done: set[str] = set()
    order: list[ResolvedMeasure] = []

    def visit(m: ResolvedMeasure) -> None:
        if m.name in done:
            return
        done.add(m.name)
        deps = references(m.formula) if m.formula is not None else set()
        if m.window is not None:
            deps = {m.window.of} | ({m.window.target} if m.window.target else set())
        for dep in sorted(deps):
            if dep in by_name:
                visit(by_name[dep])
        order.append(m)

    for m in measures:
        visit(m)
    return [m for m in order if m.aggregate is None]


def _closure(m: ResolvedMeasure, r: ResolvedReport) -> list[ResolvedMeasure]:
    """`m` and every measure it is computed from, in report order."""
    from crmreports.spec.formula import references

    names = {x.name for x in r.measures}
    found: set[str] = set()
    todo = [m.name]
    while todo:
        name = todo.pop()
        if name in found:
            continue
        found.add(name)
        x = r.measure(name)
        deps = references(x.formula) if x.formula is not None else set()
        if x.window is not None:
            deps = {x.window.of} | ({x.window.target} if x.window.target else set())
        todo += [d for d in deps if d in names]
    return [x for x in r.measures if x.name in found]


def _depends_on_window(m: ResolvedMeasure, r: ResolvedReport) -> bool:
    from crmreports.spec.formula import references

    if m.window is not None:
        return True
    if m.formula is None:
        return False
    return any(
        _depends_on_window(r.measure(n), r)
        for n in references(m.formula)
        if n in {x.name for x in r.measures}
    )


__all__ = ["ROW_LEVEL", "ROW_TYPE", "Ref", "build_plan", "internal_prefix"]
