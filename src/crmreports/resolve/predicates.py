"""Resolved filters: predicates with their values converted to the column's type.

Apart from the report record (`resolved.py`) so the measure types (`measures.py`) can carry
their own filters without the two modules importing each other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, assert_never

from crmreports.spec.formula import Node, references

FilterValue = str | int | float | bool | dt.date | dt.datetime


@dataclass(frozen=True)
class Comparison:
    field: str
    op: Literal["eq", "ne", "lt", "le", "gt", "ge"]
    value: FilterValue
    keep_nulls: bool


@dataclass(frozen=True)
class Membership:
    field: str
    values: tuple[FilterValue, ...]
    negate: bool
    keep_nulls: bool


@dataclass(frozen=True)
class Between:
    field: str
    low: FilterValue
    high: FilterValue
    keep_nulls: bool


@dataclass(frozen=True)
class DateRange:
    """`start <= field < end`: a relative date filter, resolved against `as_of`."""

    field: str
    start: dt.date | dt.datetime
    end: dt.date | dt.datetime
    description: str  # e.g. "last 3 months (2024-02-01 .. 2024-04-30)"


@dataclass(frozen=True)
class NullTest:
    field: str
    is_null: bool


@dataclass(frozen=True)
class Contains:
    field: str
    value: str
    ignore_case: bool


@dataclass(frozen=True)
class ExprPredicate:
    node: Node
    text: str


@dataclass(frozen=True)
class AnyOfPredicate:
    children: tuple[Predicate, ...]


Predicate = (
    Comparison
    | Membership
    | Between
    | DateRange
    | NullTest
    | Contains
    | ExprPredicate
    | AnyOfPredicate
)


def columns_read(p: Predicate) -> set[str]:
    """The columns a predicate reads."""
    match p:
        case AnyOfPredicate():
            return set().union(*(columns_read(c) for c in p.children))
        case ExprPredicate():
            return references(p.node)
        case Comparison() | Membership() | Between() | DateRange() | NullTest() | Contains():
            return {p.field}
        case _:
            assert_never(p)


@dataclass(frozen=True)
class NamedPredicate:
    """A report filter with its optional name (shares can be computed before a named one)."""

    predicate: Predicate
    name: str | None = None
