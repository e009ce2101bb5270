"""The whole plan: the queries and the steps after them, with the result's columns.

Apart from the nodes (`plan/nodes.py`); the listing (`plan/explain.py`) reads both and neither
imports it back: `explain(plan)` is a function of the plan, not a method.
"""

from __future__ import annotations

from dataclasses import dataclass

from crmreports.plan.nodes import AggQuery, PostStep, TopQuery


@dataclass(frozen=True)
class Plan:
    pre: tuple[TopQuery, ...]
    queries: tuple[AggQuery, ...]  # queries[0] is the main one
    post: tuple[PostStep, ...]
    columns: tuple[str, ...]
    hidden: tuple[str, ...] = ()  # helper columns dropped at the end
    dimensions: tuple[str, ...] = ()  # the report's dimensions, in order (totals' row_level)
    notes: tuple[str, ...] = ()  # what the plan could not do as asked, for the result's notes

    @property
    def source(self) -> str:
        return self.queries[0].source

    def query(self, name: str) -> AggQuery:
        return next(q for q in self.queries if q.name == name)
