"""Plan pieces as narwhals expressions, written once for every backend.

Null rule: every comparison is made two-valued here (`col IS NOT NULL AND col <op> v`), so SQL's
"a comparison with null is false" holds on every engine, including inside `any_of` (OR).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import narwhals as nw

from crmreports.plan import AsInteger, CopyColumn, Derived, NullFlag, TimeBucket
from crmreports.resolve import (
    AnyOfPredicate,
    Between,
    Comparison,
    Contains,
    DataType,
    Membership,
    NullTest,
    Predicate,
)
from crmreports.spec import Grain

_TRUNCATE_EVERY = {Grain.DAY: "1d", Grain.MONTH: "1mo", Grain.QUARTER: "1q", Grain.YEAR: "1y"}


def predicate_expr(p: Predicate, zones: dict[str, str | None]) -> nw.Expr:
    if isinstance(p, AnyOfPredicate):
        expr = predicate_expr(p.children[0], zones)
        for child in p.children[1:]:
            expr = expr | predicate_expr(child, zones)
        return expr
    col = nw.col(p.field)
    if isinstance(p, NullTest):
        return col.is_null() if p.is_null else ~col.is_null()
    if isinstance(p, Contains):
        text = col.str.to_lowercase() if p.ignore_case else col
        needle = p.value.lower() if p.ignore_case else p.value
        return ~col.is_null() & text.str.contains(needle, literal=True)
    zone = zones.get(p.field)
    if isinstance(p, Comparison):
        test = _compare(col, p.op, _literal(p.value, zone))
    elif isinstance(p, Membership):
        test = col.is_in([_literal(v, zone) for v in p.values])
        if p.negate:
            test = ~test
    elif isinstance(p, Between):
        test = (col >= _literal(p.low, zone)) & (col <= _literal(p.high, zone))
    else:  # pragma: no cover
        raise AssertionError(p)
    if p.keep_nulls:
        return col.is_null() | (~col.is_null() & test)
    return ~col.is_null() & test


def _compare(col: nw.Expr, op: str, value: Any) -> nw.Expr:
    if op == "eq":
        return col == value
    if op == "ne":
        return col != value
    if op == "lt":
        return col < value
    if op == "le":
        return col <= value
    if op == "gt":
        return col > value
    return col >= value


def _literal(value: Any, zone: str | None) -> Any:
    # A naive date-time compared with a timezone-aware column is read as UTC (documented), and
    # expressed in the column's own zone: polars refuses to compare across time zones.
    if zone and isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(zone))
    return value


def derived_expr(d: Derived, zones: dict[str, str | None]) -> nw.Expr:
    if isinstance(d, CopyColumn):
        expr = nw.col(d.field)
        return (expr.cast(nw.String) if d.as_text else expr).alias(d.name)
    if isinstance(d, NullFlag):
        return nw.col(d.field).is_null().cast(nw.Int8).alias(d.name)
    if isinstance(d, AsInteger):
        return nw.col(d.field).cast(nw.Int64).alias(d.name)
    if isinstance(d, TimeBucket):
        return time_bucket(d, zones.get(d.field)).alias(d.name)
    raise AssertionError(d)  # pragma: no cover


def time_bucket(d: TimeBucket, zone: str | None) -> nw.Expr:
    """Start of the period containing each value; timezone-aware values are bucketed in UTC."""
    col = nw.col(d.field)
    if zone is not None and zone != "UTC":
        col = col.dt.convert_time_zone("UTC")
    if d.grain is Grain.WEEK:
        bucket = _week_start(col)
    else:
        bucket = col.dt.truncate(_TRUNCATE_EVERY[d.grain])
    # Engines return timestamps when truncating dates; a date dimension stays a date.
    return bucket.cast(nw.Date) if d.dtype is DataType.DATE else bucket


def _week_start(col: nw.Expr) -> nw.Expr:
    """Monday of the ISO week. narwhals has no weekly truncation, so step back weekday-1 days,
    which every backend evaluates the same way."""
    day = col.dt.truncate("1d")
    weekday = col.dt.weekday()  # ISO: Monday=1 ... Sunday=7
    expr = day.dt.offset_by("-6d")
    for back in range(5, -1, -1):
        shifted = day.dt.offset_by(f"-{back}d") if back else day
        expr = nw.when(weekday == back + 1).then(shifted).otherwise(expr)
    return expr
