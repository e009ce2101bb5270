"""Turn a resolved report into a plan: the aggregation queries and the steps after them.

Internal column names start with a prefix no source column uses, so a derived bucket never
shadows a source column that a measure still reads (bucketing `order_date` must not change
`max(order_date)`).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import replace
from typing import assert_never

from crmreports.plan.explain import describe_predicate
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
    EmptyValue,
    FormulaStep,
    GapFill,
    GroupValue,
    HavingStep,
    LimitStep,
    Masked,
    NullFlag,
    OutputColumn,
    PacingStep,
    PostStep,
    RankStep,
    RollingDistinctStep,
    RollingStep,
    RowValue,
    RunningStep,
    ShareStep,
    SortStep,
    SpanRef,
    TimeBucket,
    TopQuery,
    TopValue,
    TotalsStep,
    WindowBase,
)
from crmreports.plan.plan import Plan
from crmreports.plan.shift import (
    fixed_time_filters,
    offset_text,
    shift_time_filters,
    time_filter_bounds,
    widen_time_filters,
)
from crmreports.resolve import (
    DataType,
    Predicate,
    ResolvedAggregate,
    ResolvedCompare,
    ResolvedDimension,
    ResolvedFormula,
    ResolvedMeasure,
    ResolvedPacing,
    ResolvedRank,
    ResolvedReport,
    ResolvedRolling,
    ResolvedRollingDistinct,
    ResolvedRunning,
    ResolvedShare,
    ResolvedWindow,
    SortOrder,
    is_window,
)
from crmreports.resolve.across import translate
from crmreports.spec.formula import Ref
from crmreports.spec.measure import AGGREGATIONS

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
        self.spans: dict[tuple[str, str | None], SpanRef] = {}
        self.notes: list[str] = []

    # --- aggregation queries ---------------------------------------------------------------

    def query(
        self,
        name: str,
        dims: list[tuple[int, ResolvedDimension]],
        measures: list[ResolvedAggregate],
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
        self, spec: ResolvedAggregate, j: int, column: str, derived: list[Derived]
    ) -> tuple[Aggregation, Aggregation | None]:
        p = self.p
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
        function: AggFunction = AGGREGATIONS[spec.agg].function
        return Aggregation(column, function, value, spec.p), None

    # --- the whole plan --------------------------------------------------------------------

    def build(self) -> Plan:
        r = self.report
        dims = list(enumerate(r.dimensions))
        aggregates = _own_aggregates(r.measures)
        pre = tuple(self._top_query(i, d) for i, d in dims if d.top is not None)
        queries = [self._with_unmatched_counts(self.query("main", dims, aggregates, self.filters))]
        post: list[PostStep] = list(self._across_steps(dims, queries, self.filters))
        time = r.time_dimension
        others = tuple(d.name for d in r.dimensions if d is not time)
        if time is not None and time.fill_gaps:
            start, end = time_filter_bounds(self.filters, time)
            fills = tuple(
                self._empty_value(m, queries)
                for m in r.measures
                if isinstance(m, ResolvedAggregate)
            )
            post.append(GapFill(time.name, time.grain, r.time.calendar, others, fills, start, end))  # type: ignore[arg-type]
        post += self._derive(_ordered(r, r.graph.order()), dims, queries, others)
        if r.having:
            post.append(HavingStep(r.having))
        keys = self._sort_keys()
        if keys:  # without dimensions or sort keys there is one row, and nothing to order
            post.append(SortStep(keys))
        if r.limit is not None:
            post.append(LimitStep(r.limit))
        post += self._totals(dims, aggregates, queries)
        hidden = tuple(self.hidden)
        names = tuple(d.name for d in r.dimensions)
        return Plan(pre, tuple(queries), tuple(post), r.columns, hidden, names, tuple(self.notes))

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

    # --- measures of other sources (targets) -----------------------------------------------

    def _across_steps(
        self,
        dims: list[tuple[int, ResolvedDimension]],
        queries: list[AggQuery],
        filters: tuple[Predicate, ...],
        measures: list[ResolvedAggregate] | None = None,
    ) -> list[AcrossStep]:
        """Join the measures of other sources in at the report's grain. A row only the other
        source has: the report's own counts, sums and distinct counts over no rows are 0 (as
        in a filled gap) where the report's source has data, else null."""
        r = self.report
        time = r.time_dimension
        keys = tuple(d.name for d in r.dimensions)
        own = _own_aggregates(r.measures)
        zero = tuple(m.name for m in own if m.fill == "zero")
        names = self._across_queries(dims, queries, None, filters, measures)
        if not names:
            return []
        span = self._span(r.source, queries) if time is not None else None
        time_name = time.name if time is not None else None
        return [AcrossStep(name, keys, zero, time_name, span) for name in names]

    def _across_queries(
        self,
        dims: list[tuple[int, ResolvedDimension]],
        queries: list[AggQuery],
        level: int | None,
        filters: tuple[Predicate, ...] | None = None,
        measures: list[ResolvedAggregate] | None = None,
    ) -> list[str]:
        """One query per other source (and matching), at the report's grain, or at the
        first `level` dimensions for subtotals (0: the grand total). The report's `filters`
        restrict it through the columns that stand for theirs (resolve/across.py)."""
        filters = self.filters if filters is None else filters
        groups: dict[tuple[str, tuple[tuple[str, str, DataType], ...]], list[ResolvedAggregate]]
        groups = {}
        for m in _across_aggregates(self.report.measures) if measures is None else measures:
            if m.source is not None:
                groups.setdefault((m.source, m.match), []).append(m)
        names = []
        for (source, match), group in groups.items():
            columns = {dim: (column, dtype) for dim, column, dtype in match}
            mapped = []
            for i, d in dims if level is None else dims[:level]:
                column, dtype = columns[d.name]
                mapped.append((i, replace(d, value=Ref(column), input_dtype=dtype)))
            pairs = group[0].counterparts
            translated = tuple(t for t in (translate(f, pairs) for f in filters) if t)
            suffix = "" if level is None else f"_level{level}"
            name = f"across{len(queries)}{suffix}"
            queries.append(self.query(name, mapped, group, translated, False, source=source))
            names.append(name)
        return names

    def _top_query(self, i: int, d: ResolvedDimension) -> TopQuery:
        assert d.top is not None
        by = self.report.measure(d.top.by)
        assert isinstance(by, ResolvedAggregate)  # the resolver checked `top.by`
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

    # --- the covered span of a time axis ---------------------------------------------------

    def _span(self, source: str, queries: list[AggQuery], column: str | None = None) -> SpanRef:
        """Where the first and last period of `source` on the report's time axis are read
        (`column`: the other source's column matched to the time dimension). One small query
        over every row of the source, unless the main query reads every row already."""
        key = (source, column)
        if key in self.spans:
            return self.spans[key]
        r, p = self.report, self.p
        time = r.time_dimension
        assert time is not None and time.grain is not None
        if column is None and not self.filters and source == r.source:
            ref = SpanRef("main", time.name)
        else:
            value, dtype, joins = time.value, time.input_dtype, r.joins
            if column is not None:
                value, dtype, joins = Ref(column), self._column_type(source, column), ()
            name = f"span{len(queries)}"
            derived = (
                RowValue(f"{p}sv", value),
                TimeBucket(f"{p}sb", f"{p}sv", time.grain, r.time.calendar, dtype),
            )
            aggregations = (
                Aggregation(f"{p}sf", "min", f"{p}sb"),
                Aggregation(f"{p}sl", "max", f"{p}sb"),
            )
            outputs = (
                OutputColumn("first", f"{p}sf", time.dtype),
                OutputColumn("last", f"{p}sl", time.dtype),
            )
            zone = r.time.timezone
            queries.append(
                AggQuery(name, source, zone, joins, (), derived, (), aggregations, outputs)
            )
            ref = SpanRef(name)
        self.spans[key] = ref
        return ref

    def _column_type(self, source: str, column: str) -> DataType:
        for m in _across_aggregates(self.report.measures):
            if m.source == source:
                for _, name, dtype in m.match:
                    if name == column:
                        return dtype
        raise AssertionError((source, column))  # pragma: no cover

    def _measure_span(self, m: ResolvedMeasure, queries: list[AggQuery]) -> SpanRef:
        """The span of the source `m` is aggregated from: another source's for its measures,
        the report's own for every other measure (formulas included)."""
        time = self.report.time_dimension
        assert time is not None
        if isinstance(m, ResolvedAggregate) and m.source is not None:
            column = next(c for dim, c, _ in m.match if dim == time.name)
            return self._span(m.source, queries, column)
        return self._span(self.report.source, queries)

    def _empty_value(self, m: ResolvedMeasure, queries: list[AggQuery]) -> EmptyValue:
        time = self.report.time_dimension
        span = self._measure_span(m, queries) if time is not None else None
        return EmptyValue(m.name, m.fill, span)

    # --- windows over time -----------------------------------------------------------------

    def _derive(
        self,
        measures: list[ResolvedMeasure],
        dims: list[tuple[int, ResolvedDimension]],
        queries: list[AggQuery],
        others: tuple[str, ...],
    ) -> list[PostStep]:
        """The steps computing formulas and windows after aggregation, in `measures`' order."""
        steps: list[PostStep] = []
        for m in measures:
            match m:
                case ResolvedAggregate():
                    pass  # computed by the queries
                case ResolvedFormula():
                    steps.append(FormulaStep(m.name, m.node, m.dtype))
                case (
                    ResolvedRunning() | ResolvedRolling() | ResolvedRollingDistinct()
                    | ResolvedCompare() | ResolvedShare() | ResolvedRank() | ResolvedPacing()
                ):  # fmt: skip
                    steps.append(self._window(m, dims, queries, others))
                case _:
                    assert_never(m)
        return steps

    def _window(
        self,
        m: ResolvedWindow,
        dims: list[tuple[int, ResolvedDimension]],
        queries: list[AggQuery],
        others: tuple[str, ...],
    ) -> PostStep:
        r = self.report
        match m:
            case ResolvedShare():
                return self._share(m, dims, queries)
            case ResolvedRank():
                return RankStep(m.name, m.of, m.within, m.desc, m.buckets)
            case ResolvedPacing():
                time = r.time_dimension
                assert time is not None and time.grain is not None
                return PacingStep(
                    m.name, m.of, m.target_measure, time.name, time.grain, r.time.calendar,
                    r.time.as_of,
                )  # fmt: skip
            case (
                ResolvedRunning() | ResolvedRolling() | ResolvedRollingDistinct()
                | ResolvedCompare()
            ):  # fmt: skip
                return self._over_time(m, dims, queries, others)
            case _:
                assert_never(m)

    def _share(
        self, m: ResolvedShare, dims: list[tuple[int, ResolvedDimension]], queries: list[AggQuery]
    ) -> ShareStep:
        r = self.report
        of = r.measure(m.of)
        assert isinstance(of, ResolvedAggregate)  # the resolver checked it
        within = [(i, d) for i, d in dims if d.name in m.within]
        filters = tuple(
            f.predicate for f in r.filters if m.before_filter is None or f.name != m.before_filter
        )
        name = f"share{len(queries)}"
        queries.append(self.query(name, within, [of], filters, outputs_hidden=False))
        return ShareStep(m.name, m.of, m.within, name)

    def _over_time(
        self,
        m: ResolvedRunning | ResolvedRolling | ResolvedRollingDistinct | ResolvedCompare,
        dims: list[tuple[int, ResolvedDimension]],
        queries: list[AggQuery],
        others: tuple[str, ...],
    ) -> PostStep:
        """A window reading other periods: its base covers them, from base rows."""
        r = self.report
        time = r.time_dimension
        assert time is not None and time.grain is not None
        of = r.measure(m.of)
        cal = r.time.calendar
        span = self._measure_span(of, queries)
        self._note_fixed_filters(m, time)
        match m:
            case ResolvedRunning():
                # Year to date counts from the start of the year, whatever the report shows.
                reset = None if m.reset == "none" else m.reset
                wide = widen_time_filters(
                    self.filters, time, cal, to_start_of=reset, unbounded=reset is None
                )
                base = self._window_base("run", of, dims, wide, queries, others)
                return RunningStep(m.name, m.of, time.name, others, m.reset, cal, base, span)
            case ResolvedRolling():
                wide = widen_time_filters(self.filters, time, cal, periods_back=m.periods - 1)
                base = self._window_base("roll", of, dims, wide, queries, others)
                return RollingStep(
                    m.name, m.of, time.name, others, m.periods, m.agg, time.grain, cal,
                    base, span,
                )  # fmt: skip
            case ResolvedRollingDistinct():
                wide = widen_time_filters(self.filters, time, cal, periods_back=m.periods - 1)
                assert isinstance(of, ResolvedAggregate)  # the resolver checked it
                query, value = self._distinct_rows("rolld", of, dims, wide, queries)
                return RollingDistinctStep(
                    m.name, m.of, time.name, others, m.periods, time.grain, cal, query, value,
                    span, of.fill,
                )  # fmt: skip
            case ResolvedCompare():
                # the earlier period's value, from base rows even outside the report's range
                offset = (m.offset_n, m.offset_unit)
                shifted = shift_time_filters(self.filters, time, offset, cal)
                base = self._window_base("cmp", of, dims, shifted, queries, others)
                keys = tuple(d.name for d in r.dimensions)
                step_offset = offset_text(m.offset_n, m.offset_unit, time.grain)
                return CompareStep(
                    m.name, m.of, time.name, keys, step_offset, m.show, m.dtype, base, span
                )
            case _:
                assert_never(m)

    def _distinct_rows(
        self,
        prefix: str,
        of: ResolvedAggregate,
        dims: list[tuple[int, ResolvedDimension]],
        filters: tuple[Predicate, ...],
        queries: list[AggQuery],
    ) -> tuple[str, str]:
        """A query with one row per key combination and value of `of` (null where its own
        filter fails), for counting distinct values over several periods; its name and the
        column holding the values."""
        r, p = self.report, self.p
        j = r.measures.index(of)
        derived: list[Derived] = []
        keys: list[str] = []
        outputs: list[OutputColumn] = []
        for i, d in dims:
            key = self._dimension(i, d, derived, keys, [])
            outputs.append(OutputColumn(d.name, key, d.dtype))
        assert of.value is not None  # a distinct count reads a value
        value = f"{p}x{j}"
        derived.append(RowValue(value, of.value))
        if of.where:
            derived.append(Masked(f"{p}w{j}", value, of.where))
            value = f"{p}w{j}"
        keys.append(value)
        outputs.append(OutputColumn(value, value, of.input_dtype or DataType.OTHER))
        rows = f"{p}rows"
        name = f"{prefix}{len(queries)}"
        aggregations = (Aggregation(rows, "len", None),)
        zone, joins = r.time.timezone, r.joins
        query = AggQuery(name, r.source, zone, joins, filters, tuple(derived), tuple(keys),
                         aggregations, tuple(outputs))  # fmt: skip
        queries.append(query)
        return name, value

    def _window_base(
        self,
        prefix: str,
        of: ResolvedMeasure,
        dims: list[tuple[int, ResolvedDimension]],
        filters: tuple[Predicate, ...],
        queries: list[AggQuery],
        others: tuple[str, ...],
    ) -> WindowBase:
        """The aggregates `of` is computed from, over the rows `filters` keep (the main query
        when they are the report's own), and the steps deriving `of` from them (a formula,
        or a window: year to date last year)."""
        r = self.report
        closure = r.graph.closure(of.name)
        needed = [x for x in r.measures if x.name in closure]  # in report order
        own = _own_aggregates(needed)
        others_ = _across_aggregates(needed)
        fills = tuple(self._empty_value(m, queries) for m in own + others_)
        keys = tuple(d.name for d in r.dimensions)
        query = "main"
        across: tuple[AcrossStep, ...] = ()
        if filters != self.filters:
            query = f"{prefix}{len(queries)}"
            queries.append(self.query(query, dims, own, filters, outputs_hidden=False))
            across = tuple(self._across_steps(dims, queries, filters, others_))
        inner = self._with_filters(filters)
        order = _ordered(r, r.graph.order(m.name for m in needed))
        derive = inner._derive(order, dims, queries, others)
        return WindowBase(query, keys, across, fills, tuple(derive))

    def _with_filters(self, filters: tuple[Predicate, ...]) -> _Builder:
        """This builder planning over other rows (a window's wider range); the top-N queries,
        spans and notes are shared."""
        other = copy.copy(self)
        other.filters = filters
        return other

    def _note_fixed_filters(self, m: ResolvedMeasure, time: ResolvedDimension) -> None:
        for p in fixed_time_filters(self.filters, time):
            note = (
                f"{m.name}: the filter {describe_predicate(p)} reads the time column but is "
                "no range on it, so the window reads only the periods it keeps"
            )
            if note not in self.notes:
                self.notes.append(note)

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
        aggregates: list[ResolvedAggregate],
        queries: list[AggQuery],
    ) -> list[PostStep]:
        r = self.report
        if not r.has_totals:
            return []
        # Formulas over windows are left out of totals rows: a window has no total.
        formulas = tuple(
            FormulaStep(m.name, m.node, m.dtype)
            for m in _ordered(r, r.graph.order())
            if isinstance(m, ResolvedFormula)
            and not any(is_window(r.measure(n)) for n in r.graph.closure(m.name))
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


def _own_aggregates(measures: Iterable[ResolvedMeasure]) -> list[ResolvedAggregate]:
    """The aggregates of the report's own source, in the order given."""
    return [m for m in measures if isinstance(m, ResolvedAggregate) and m.source is None]


def _across_aggregates(measures: Iterable[ResolvedMeasure]) -> list[ResolvedAggregate]:
    """The aggregates of other sources (targets), in the order given."""
    return [m for m in measures if isinstance(m, ResolvedAggregate) and m.source is not None]


def _ordered(r: ResolvedReport, names: Iterable[str]) -> list[ResolvedMeasure]:
    """The measures named, in the order given (the measure graph's)."""
    return [r.measure(n) for n in names]


__all__ = ["ROW_LEVEL", "ROW_TYPE", "Ref", "build_plan", "internal_prefix"]
