"""A readable listing of a plan, one step a line, for `Report.explain()` and debugging."""

from __future__ import annotations

import datetime as dt
from typing import assert_never

from crmreports.plan.nodes import (
    AcrossStep,
    AggQuery,
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
    PacingStep,
    PostStep,
    RankStep,
    RollingDistinctStep,
    RollingStep,
    RowValue,
    RunningStep,
    ShareStep,
    SortStep,
    TimeBucket,
    TopValue,
    TotalsStep,
    WindowBase,
)
from crmreports.plan.plan import Plan
from crmreports.resolve import (
    AnyOfPredicate,
    Between,
    Comparison,
    Contains,
    DateRange,
    ExprPredicate,
    Membership,
    NullTest,
    Predicate,
)
from crmreports.resolve.predicates import FilterValue
from crmreports.spec.formula import Ref, to_text

_SYMBOL = {"eq": "=", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}


def explain(plan: Plan) -> str:
    lines: list[str] = []
    for top in plan.pre:
        lines.append(f"pre {top.name}: keep the {'bottom' if top.bottom else 'top'} {top.n}")
        lines += _query_lines(top.query, "   ")
    for query in plan.queries:
        lines.append(f"query {query.name}:")
        lines += _query_lines(query, "   ")
    if plan.post:
        lines.append("then (on the aggregated rows):")
        lines += [f"   {_describe_step(s)}" for s in plan.post]
    lines.append("-> columns: " + ", ".join(plan.columns))
    return "\n".join(lines)


def _query_lines(q: AggQuery, indent: str) -> list[str]:
    lines = [f"scan {q.source}"]
    for j in q.joins:
        keys = ", ".join(f"{a} = {j.to}.{b}" for a, b in zip(j.left_on, j.right_on, strict=True))
        lines.append(f"look up {j.to} (many-to-one, left join) on {keys}")
    if q.filters:
        lines.append("filter " + " AND ".join(describe_predicate(p) for p in q.filters))
    derived = [d for d in q.derived if not _trivial(d)]
    if derived:
        lines.append("derive " + ", ".join(_describe_derived(d) for d in derived))
    aggs = ", ".join(
        f"{a.name}={a.function}({a.column or ''}{'' if a.p is None else f', {a.p}'})"
        for a in q.aggregations
    )
    by = f" by {', '.join(q.keys)}" if q.keys else " over all rows"
    lines.append(f"aggregate{by}: {aggs}")
    outs = []
    for o in q.outputs:
        expr = f"{o.column} - {o.minus}" if o.minus else o.column
        outs.append(f"{o.name}={expr}::{o.dtype.value}")
    lines.append("select " + ", ".join(outs))
    return [indent + line for line in lines]


def _trivial(d: Derived) -> bool:
    """A plain column copied under an internal name says nothing worth printing."""
    return isinstance(d, RowValue) and isinstance(d.node, Ref)


def _describe_derived(d: Derived) -> str:
    match d:
        case RowValue():
            return f"{d.name}={to_text(d.node)}"
        case TimeBucket():
            return f"{d.name}={d.grain.value}_start({d.input})"
        case DatePartValue():
            return f"{d.name}={d.part.value}({d.input})"
        case BinValue():
            return f"{d.name}=bin({d.input}, {list(d.labels)})"
        case GroupValue():
            return f"{d.name}=group({d.input})"
        case TopValue():
            return f"{d.name}=top_member({d.input} via {d.query})"
        case NullFlag():
            return f"{d.name}=is_null({d.input})"
        case AsInteger():
            return f"{d.name}=int({d.input})"
        case Masked():
            where = " AND ".join(describe_predicate(p) for p in d.predicates)
            return f"{d.name}=({d.input or '1'} where {where})"
        case _:
            assert_never(d)


def _describe_step(s: PostStep) -> str:
    match s:
        case AcrossStep():
            return f"join measures of {s.query} on {', '.join(s.keys) or 'the single row'}"
        case GapFill():
            return f"fill missing {s.grain.value}s of {s.time} (empty inside the covered span)"
        case FormulaStep():
            return f"{s.name} = {to_text(s.node)}"
        case RunningStep() | RollingStep() | CompareStep():
            return _describe_window(s)
        case RollingDistinctStep():
            periods = f"the {s.periods} {s.grain.value}s ending at each row"
            return f"{s.name} = distinct values of {s.of} over {periods} (from {s.query})"
        case ShareStep():
            within = ", ".join(s.within) or "the grand total"
            return f"{s.name} = {s.of} / total of {s.of} within {within} ({s.query})"
        case PacingStep():
            each = f"each {s.grain.value} elapsed by {s.as_of}"
            return f"{s.name} = {s.of} / ({s.target} x share of {each})"
        case RankStep():
            within = f" within {', '.join(s.within)}" if s.within else ""
            return f"{s.name} = rank of {s.of}{within}{' (largest first)' if s.desc else ''}"
        case TotalsStep():
            return f"append {s.row_type} rows from {s.query}"
        case HavingStep():
            return "keep rows where " + " AND ".join(describe_predicate(p) for p in s.predicates)
        case SortStep():
            keys = ", ".join(f"{k.name} {'desc' if k.desc else 'asc'}" for k in s.keys)
            return f"sort {keys} (nulls last)"
        case LimitStep():
            return f"limit {s.n}"
        case _:
            assert_never(s)


def _describe_window(s: RunningStep | RollingStep | CompareStep) -> str:
    match s:
        case RunningStep():
            reset = "" if s.reset == "none" else f", restarting each {s.reset}"
            return f"{s.name} = running sum of {s.of} along {s.time}{reset}{_base(s.base)}"
        case RollingStep():
            periods = f"the {s.periods} {s.grain.value}s ending at each row"
            return f"{s.name} = {s.agg} of {s.of} over {periods}{_base(s.base)}"
        case CompareStep():
            return f"{s.name} = {s.show} of {s.of} against {s.offset} earlier{_base(s.base)}"
        case _:
            assert_never(s)


def _base(base: WindowBase) -> str:
    """Where a window reads its periods: the report's own rows or a wider query, with the
    other sources and formulas it needs."""
    parts = [base.query] + [a.query for a in base.across]
    derived = [_describe_step(d) for d in base.derive]
    tail = f"; then {'; '.join(derived)}" if derived else ""
    return f" (from {', '.join(parts)}, empty periods filled{tail})"


def describe_predicate(p: Predicate) -> str:
    match p:
        case Comparison():
            text = f"{p.field} {_SYMBOL[p.op]} {_literal(p.value)}"
        case Membership():
            values = ", ".join(_literal(v) for v in p.values)
            text = f"{p.field} {'not in' if p.negate else 'in'} [{values}]"
        case Between():
            text = f"{p.field} between {_literal(p.low)} and {_literal(p.high)}"
        case DateRange():
            return f"{p.field} in [{p.start.isoformat()}, {p.end.isoformat()})"
        case NullTest():
            return f"{p.field} is {'' if p.is_null else 'not '}null"
        case Contains():
            return f"{p.field} contains {p.value!r}{' (ignore case)' if p.ignore_case else ''}"
        case ExprPredicate():
            return f"({p.text})"
        case AnyOfPredicate():
            return "(" + " OR ".join(describe_predicate(c) for c in p.children) + ")"
        case _:
            assert_never(p)
    # comparisons, memberships and ranges may keep the rows where their column is null
    return f"({text} OR {p.field} is null)" if p.keep_nulls else text


def _literal(value: FilterValue) -> str:
    """A filter value as a reader writes it: dates as ISO dates (as date ranges print them),
    text quoted, numbers as numbers."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return repr(value)
