"""The label of rows without a lookup match, kept apart from the looked-up table's values.

A relationship's `unmatched_label` ("unknown") replaces the text columns of rows whose key
finds no match. When a looked-up text column already holds that text (a customer whose segment
is "unknown"), unmatched rows and that customer would share one row of the report: the label
becomes "unknown (no match)" instead, and a note says so.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import narwhals as nw

from crmreports.execute.inputs import BoundSource
from crmreports.plan import Plan, distinct_label
from crmreports.resolve import DataType
from crmreports.resolve.relationships import ResolvedJoin

_WHAT = "no match"


def with_distinct_unmatched_labels(
    plan: Plan, sources: dict[str, BoundSource]
) -> tuple[Plan, list[str]]:
    """`plan` with every lookup's unmatched label distinct from its table's text values:
    one small aggregation of the looked-up table per lookup with a label."""
    joins = {j.to: j for q in plan.queries for j in q.joins}
    changed: dict[str, str] = {}
    notes = []
    for to, join in joins.items():
        if join.unmatched_label is None:
            continue
        label = _free_label(join, sources[to])
        if label != join.unmatched_label:
            changed[to] = label
            notes.append(
                f"{join.unmatched_label!r} is a value of {to}: rows without a match in {to} "
                f"are grouped as {label!r}"
            )
    if not changed:
        return plan, []
    queries = tuple(
        replace(q, joins=tuple(_relabel(j, changed) for j in q.joins)) for q in plan.queries
    )
    return replace(plan, queries=queries), notes


def _relabel(join: ResolvedJoin, labels: dict[str, str]) -> ResolvedJoin:
    return replace(join, unmatched_label=labels[join.to]) if join.to in labels else join


def _free_label(join: ResolvedJoin, target: BoundSource) -> str:
    text = [c for c, t in target.schema.items() if t is DataType.STRING and c not in join.right_on]
    label = join.unmatched_label
    assert label is not None
    taken: list[str] = []
    while text:
        candidate = distinct_label(label, taken, _WHAT)
        if not _holds(target, text, candidate):
            return candidate
        taken.append(candidate)
    return label


def _holds(target: BoundSource, columns: list[str], value: str) -> bool:
    flags = [
        (nw.col(target.column(c)) == value).any().alias(f"f{i}") for i, c in enumerate(columns)
    ]
    row: dict[str, Any] = target.frame.select(*flags).collect().to_arrow().to_pylist()[0]
    return any(v is True for v in row.values())


__all__ = ["with_distinct_unmatched_labels"]
