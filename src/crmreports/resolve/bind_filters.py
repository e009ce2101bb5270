"""Filters -> predicates, with values in the column's type and relative dates made fixed."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any, assert_never

from crmreports.errors import Problem
from crmreports.resolve.context import Context
from crmreports.resolve.params import param_value
from crmreports.resolve.predicates import (
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
from crmreports.resolve.types import DataType
from crmreports.spec import (
    AnyOf,
    BetweenFilter,
    CompareFilter,
    ContainsFilter,
    ExprFilter,
    Filter,
    InFilter,
    NullFilter,
    ParamRef,
    RelativeDateFilter,
)
from crmreports.spec.filters import FieldFilter


def bind_filter(
    ctx: Context, f: Filter, path: str, columns: dict[str, DataType] | None = None
) -> Predicate | None:
    """`columns` overrides the source's columns (having filters see the result's columns)."""
    scope = ctx.columns if columns is None else columns
    if isinstance(f, AnyOf):
        children = [
            bind_filter(ctx, c, f"{path}.any_of[{j}]", columns) for j, c in enumerate(f.any_of)
        ]
        if any(c is None for c in children):
            return None
        return AnyOfPredicate(tuple(c for c in children if c is not None))
    if isinstance(f, ExprFilter):
        typed = ctx.formula(f.expr, f"{path}.expr", scope)
        if typed is None:
            return None
        node, dtype = typed
        if dtype is not DataType.BOOLEAN:
            ctx.problems.append(
                Problem(
                    "formula-type",
                    f"a filter formula must be true or false, but {f.expr!r} is {dtype.value}",
                    f"{path}.expr",
                    hint="compare it with something, e.g. `... > 0`",
                )
            )
            return None
        return ExprPredicate(node, f.expr)
    field_type = _column(ctx, f.field, f"{path}.field", scope)
    if field_type is None:
        return None
    return _field_filter(ctx, f, field_type, path)


def _field_filter(ctx: Context, f: FieldFilter, dtype: DataType, path: str) -> Predicate | None:
    """A filter on one column (of type `dtype`), its values read as that type."""
    match f:
        case NullFilter():
            return NullTest(f.field, is_null=f.op == "is_null")
        case ContainsFilter():
            if dtype is not DataType.STRING:
                ctx.problems.append(
                    Problem(
                        "not-text",
                        f"`contains` needs a text column, but {f.field!r} is {dtype.value}",
                        f"{path}.op",
                        hint="use eq, in or between for non-text columns",
                    )
                )
                return None
            return Contains(f.field, f.value, f.ignore_case)
        case RelativeDateFilter():
            return _relative(ctx, f, dtype, path)
        case CompareFilter():
            value = _value(ctx, f.value, dtype, f.field, f"{path}.value")
            return None if value is None else Comparison(f.field, f.op, value, f.keep_nulls)
        case InFilter():
            values = [
                _value(ctx, v, dtype, f.field, f"{path}.value[{j}]") for j, v in enumerate(f.value)
            ]
            if any(v is None for v in values):
                return None
            clean = tuple(v for v in values if v is not None)
            return Membership(f.field, clean, negate=f.op == "not_in", keep_nulls=f.keep_nulls)
        case BetweenFilter():
            low = _value(ctx, f.value[0], dtype, f.field, f"{path}.value[0]")
            high = _value(ctx, f.value[1], dtype, f.field, f"{path}.value[1]")
            if low is None or high is None:
                return None
            return Between(f.field, low, high, f.keep_nulls)
        case _:
            assert_never(f)


def _column(ctx: Context, name: str, path: str, scope: dict[str, DataType]) -> DataType | None:
    if scope is ctx.columns:
        return ctx.column(name, path)
    if name in scope:
        return scope[name]
    # the located unknown-name message, with the result's columns (problems are shared)
    return replace(ctx, columns=scope).column(name, path)


def _value(ctx: Context, value: Any, dtype: DataType, field: str, path: str) -> Any:
    if isinstance(value, ParamRef):
        value = param_value(value, ctx.params, path, ctx.problems, ctx.failed_params)
        if value is None:
            return None
    return ctx.value(value, dtype, field, path)


def _relative(ctx: Context, f: RelativeDateFilter, dtype: DataType, path: str) -> Predicate | None:
    if not dtype.is_temporal:
        ctx.problems.append(
            Problem(
                "not-temporal",
                f"`{f.op}` needs a date or datetime column, but {f.field!r} is {dtype.value}",
                f"{path}.field",
            )
        )
        return None
    calendar, as_of = ctx.time.calendar, ctx.time.as_of
    start, end = calendar.relative_range(f.op, f.n, f.unit, as_of, f.include_current)
    last_day = end - dt.timedelta(days=1)
    plural = "s" if f.n > 1 else ""
    count = f"{f.n} " if f.op in {"last", "next"} or f.n > 1 else ""
    unit = f.unit.replace("_", " ")
    text = (
        f"{unit} to date"
        if f.op == "to_date"
        else f"{f.op.replace('_', ' ')} {count}{unit}{plural}"
    )
    description = f"{f.field}: {text} ({start.isoformat()} .. {last_day.isoformat()})"
    if dtype is DataType.DATETIME:
        return DateRange(
            f.field,
            dt.datetime(start.year, start.month, start.day),
            dt.datetime(end.year, end.month, end.day),
            description,
        )
    return DateRange(f.field, start, end, description)
