"""A readable listing of a plan, one node a line, for `Report.explain()` and debugging."""

from __future__ import annotations

from crmreports.plan.nodes import (
    AggregateNode,
    CopyColumn,
    DeriveNode,
    FilterNode,
    FinalizeNode,
    LimitNode,
    NullFlag,
    Plan,
    PlanNode,
    ScanNode,
    SortNode,
    TimeBucket,
)
from crmreports.resolve import (
    AnyOfPredicate,
    Between,
    Comparison,
    Contains,
    Membership,
    NullTest,
    Predicate,
)

_SYMBOL = {"eq": "=", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}


def explain(plan: Plan) -> str:
    lines = [f"{i}. {_describe(node)}" for i, node in enumerate(plan.nodes, 1)]
    lines.append("   -> columns: " + ", ".join(plan.columns))
    return "\n".join(lines)


def _describe(node: PlanNode) -> str:
    if isinstance(node, ScanNode):
        return f"scan {node.source}"
    if isinstance(node, FilterNode):
        return "filter " + " AND ".join(describe_predicate(p) for p in node.predicates)
    if isinstance(node, DeriveNode):
        return "derive " + ", ".join(_describe_derived(d) for d in node.columns)
    if isinstance(node, AggregateNode):
        aggs = ", ".join(f"{a.name}={a.function}({a.column or ''})" for a in node.aggregations)
        by = f" by {', '.join(node.keys)}" if node.keys else " over all rows"
        return f"aggregate{by}: {aggs}"
    if isinstance(node, FinalizeNode):
        parts = []
        for o in node.outputs:
            expr = f"{o.column} - {o.minus}" if o.minus else o.column
            parts.append(f"{o.name}={expr}::{o.dtype.value}")
        return "select " + ", ".join(parts)
    if isinstance(node, SortNode):
        keys = ", ".join(f"{k.name} {'desc' if k.desc else 'asc'}" for k in node.keys)
        return f"sort {keys} (nulls last)"
    if isinstance(node, LimitNode):
        return f"limit {node.n}"
    raise AssertionError(node)  # pragma: no cover


def _describe_derived(d: object) -> str:
    if isinstance(d, TimeBucket):
        return f"{d.name}={d.grain.value}_start({d.field})"
    if isinstance(d, CopyColumn):
        return f"{d.name}={d.field}"
    if isinstance(d, NullFlag):
        return f"{d.name}=is_null({d.field})"
    return f"{d.name}=int({d.field})"  # type: ignore[attr-defined]


def describe_predicate(p: Predicate) -> str:
    if isinstance(p, Comparison):
        text = f"{p.field} {_SYMBOL[p.op]} {p.value!r}"
    elif isinstance(p, Membership):
        text = f"{p.field} {'not in' if p.negate else 'in'} {list(p.values)!r}"
    elif isinstance(p, Between):
        text = f"{p.field} between {p.low!r} and {p.high!r}"
    elif isinstance(p, NullTest):
        return f"{p.field} is {'' if p.is_null else 'not '}null"
    elif isinstance(p, Contains):
        return f"{p.field} contains {p.value!r}{' (ignore case)' if p.ignore_case else ''}"
    elif isinstance(p, AnyOfPredicate):
        return "(" + " OR ".join(describe_predicate(c) for c in p.children) + ")"
    else:  # pragma: no cover
        raise AssertionError(p)
    keep = getattr(p, "keep_nulls", False)
    return f"({text} OR {p.field} is null)" if keep else text
