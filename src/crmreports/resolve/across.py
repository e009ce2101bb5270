"""Which of the report's filters a measure of another source (targets, deals beside orders)
follows, and through which of its columns.

A report filter restricts the other source when every column it reads has a counterpart there:

1. the column of a dimension the measure is matched to (`match: {period: month}`: the targets'
   `period` stands for the month dimension's `order_date`);
2. a column of the report's source named in `match` (`match: {period: order_date}`), for a
   report without that dimension (a KPI);
3. a column of the same name and kind of type in the other source;
4. for a report without a time dimension whose filters read one date column: the other
   source's only date column (a "this month" KPI shows this month's target).

Rules 3 and 4 leave alone a column the measure filters itself: its author has said which of
those rows it reads (won deals closed this year, whatever the orders' dates).

Filters without counterparts do not restrict the other source; the result's notes and the
chart's caption say which. Rules 3 and 4 are stated in a note too, as they are inferred.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import assert_never

from crmreports.resolve.predicates import (
    AnyOfPredicate,
    Between,
    Comparison,
    Contains,
    DateRange,
    ExprPredicate,
    FilterValue,
    Membership,
    NullTest,
    Predicate,
    columns_read,
)
from crmreports.resolve.resolved import ResolvedDimension
from crmreports.resolve.types import DataType
from crmreports.spec.formula import Ref, rename_refs, to_text

# (column of the report's source, its counterpart in the other source, the counterpart's type)
Pair = tuple[str, str, DataType]


def counterparts(
    mine: Mapping[str, DataType],
    theirs: Mapping[str, DataType],
    match: Mapping[str, str],
    dims: Sequence[ResolvedDimension],
    filters: Sequence[Predicate],
    own: Sequence[Predicate] = (),
) -> tuple[tuple[Pair, ...], tuple[str, ...]]:
    """The column pairs through which report filters restrict the other source, and the
    inferred ones (rules 3 and 4) as text for a note. `match` maps the other source's columns
    to report dimensions or columns; `own` are the measure's own filters."""
    by_dim = {d.name: d.value.name for d in dims if isinstance(d.value, Ref)}
    pairs: dict[str, Pair] = {}
    for theirs_column, name in match.items():
        column = by_dim.get(name, name if name in mine else None)
        if column is not None and _kin(mine.get(column), theirs[theirs_column]):
            pairs.setdefault(column, (column, theirs_column, theirs[theirs_column]))
    read = sorted(set().union(*(columns_read(p) for p in filters)) if filters else set())
    kept = set().union(*(columns_read(p) for p in own)) if own else set()
    free = {c: t for c, t in theirs.items() if c not in kept}
    inferred: list[str] = []
    for column in read:
        if column not in pairs and column in free and _kin(mine.get(column), free[column]):
            pairs[column] = (column, column, free[column])
            inferred.append(f"{column} (same name)")
    dates = [c for c in read if c not in pairs and _is_time(mine.get(c))]
    their_dates = [c for c, t in theirs.items() if t.is_temporal]
    if any(c in kept for c in their_dates):
        their_dates = []
    has_time_dimension = any(d.grain is not None for d in dims)
    if not has_time_dimension and len(dates) == 1 and len(their_dates) == 1:
        pairs[dates[0]] = (dates[0], their_dates[0], theirs[their_dates[0]])
        inferred.append(f"{dates[0]} as {their_dates[0]} (its only date column)")
    return tuple(pairs.values()), tuple(inferred)


def translate(p: Predicate, pairs: Sequence[Pair]) -> Predicate | None:
    """`p` restated on the other source's columns, or None when a column it reads has no
    counterpart there."""
    by_column = {mine: (theirs, dtype) for mine, theirs, dtype in pairs}
    if not columns_read(p) <= set(by_column):
        return None
    renamed = {mine: theirs for mine, (theirs, _) in by_column.items()}

    def value(v: FilterValue, column: str) -> FilterValue:
        return _as_type(v, by_column[column][1])

    match p:
        case AnyOfPredicate():
            children = [translate(c, pairs) for c in p.children]
            if any(c is None for c in children):
                return None
            return AnyOfPredicate(tuple(c for c in children if c is not None))
        case ExprPredicate():
            node = rename_refs(p.node, renamed)
            return ExprPredicate(node, to_text(node))
        case Comparison():
            return replace(p, field=renamed[p.field], value=value(p.value, p.field))
        case Membership():
            values = tuple(value(v, p.field) for v in p.values)
            return replace(p, field=renamed[p.field], values=values)
        case Between():
            low, high = value(p.low, p.field), value(p.high, p.field)
            return replace(p, field=renamed[p.field], low=low, high=high)
        case DateRange():
            start, end = value(p.start, p.field), value(p.end, p.field)
            assert isinstance(start, dt.date) and isinstance(end, dt.date)
            return replace(p, field=renamed[p.field], start=start, end=end)
        case NullTest() | Contains():
            return replace(p, field=renamed[p.field])
        case _:
            assert_never(p)


def unapplied(filters: Sequence[Predicate], pairs: Sequence[Pair]) -> list[str]:
    """What the filters that cannot restrict the other source read, for a note."""
    loose = set()
    for p in filters:
        if translate(p, pairs) is None:
            if isinstance(p, ExprPredicate):
                loose.add(f"the formula {p.text!r}")
            else:
                loose.update(columns_read(p))
    return sorted(loose)


def _as_type(value: FilterValue, dtype: DataType) -> FilterValue:
    """A date bound for a date-time column is its midnight; a date-time bound for a date
    column its day."""
    if dtype is DataType.DATE and isinstance(value, dt.datetime):
        return value.date()
    if dtype is DataType.DATETIME and type(value) is dt.date:
        return dt.datetime.combine(value, dt.time())
    return value


def _is_time(dtype: DataType | None) -> bool:
    return dtype is not None and dtype.is_temporal


def _kin(a: DataType | None, b: DataType) -> bool:
    """Values of `a` can be compared with values of `b`."""
    if a is None:
        return False
    if a.is_temporal or b.is_temporal:
        return a.is_temporal and b.is_temporal
    if a.is_numeric or b.is_numeric:
        return a.is_numeric and b.is_numeric
    return a is b
