"""Row filters, told apart by `op`. All filters of a report are AND-ed; `any_of` groups OR.

Null rule (SQL's, stated once here and emitted explicitly by the compiler so every backend
agrees): a comparison with a null value is false. So `ne`, `not_in`, `lt`, ... drop rows whose
column is null unless the filter says `keep_nulls: true`; only `is_null` selects them.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, assert_never

from pydantic import AfterValidator, BeforeValidator, Discriminator, Field, Tag, WithJsonSchema
from pydantic_core import PydanticCustomError

from crmreports.spec._base import FieldName, Name, SpecModel
from crmreports.spec.formula import parse_with_problems, references


def _dates_to_iso(value: Any) -> Any:
    """Dates are carried as ISO text so a spec round-trips through JSON unchanged.

    YAML reads `2024-01-31` as a date; JSON has no date type. Both become "2024-01-31" and the
    resolver converts them back against the column's real type.
    """
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_dates_to_iso(v) for v in value]
    return value


class ParamRef(SpecModel):
    """`{param: name}`: the value of a report parameter, supplied at run time."""

    param: Name = Field(description="Name of a parameter declared in `params`.")


def _check_scalar(value: Any) -> Any:
    if isinstance(value, bool | int | float | str | ParamRef):
        return value
    if isinstance(value, dict) and set(value) == {"param"} and isinstance(value["param"], str):
        return ParamRef(param=value["param"])
    if isinstance(value, list | tuple | dict | set):
        raise PydanticCustomError(
            "expects-scalar", "this operator compares with one value, not a list or mapping"
        )
    raise PydanticCustomError(
        "invalid-value", "a filter value must be text, a number, a boolean or a date"
    )


# One validator instead of a union of str|int|float|bool, so a wrong value gives one clear
# error instead of four (one per union member).
Scalar = Annotated[
    Any,
    BeforeValidator(_dates_to_iso),
    AfterValidator(_check_scalar),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": ["string", "number", "boolean"]},
                {
                    "type": "object",
                    "properties": {"param": {"type": "string"}},
                    "required": ["param"],
                    "additionalProperties": False,
                },
            ]
        }
    ),
]


class _Named(SpecModel):
    name: Name | None = Field(
        default=None,
        description="Names the filter so a share can be computed before it "
        "(`share_of: {before_filter: <name>}`).",
    )
    optional: bool = Field(
        default=False,
        description="When the data lacks a column this filter reads, skip the filter with a "
        "note instead of failing (a report filter only, not inside a measure).",
    )


class _FieldFilter(_Named):
    field: FieldName = Field(description="Column to test.")


class CompareFilter(_FieldFilter):
    """`field <op> value` for eq, ne, lt, le, gt, ge."""

    op: Literal["eq", "ne", "lt", "le", "gt", "ge"]
    value: Scalar = Field(description="A single value; dates as YYYY-MM-DD.")
    keep_nulls: bool = Field(default=False, description="Also keep rows where the column is null.")


class InFilter(_FieldFilter):
    """`field` is (or, with not_in, is not) one of the listed values."""

    op: Literal["in", "not_in"]
    value: Annotated[list[Scalar], BeforeValidator(_dates_to_iso)] = Field(
        min_length=1, description="A list of values, e.g. [won, open]."
    )
    keep_nulls: bool = Field(default=False, description="Also keep rows where the column is null.")


class BetweenFilter(_FieldFilter):
    """`low <= field <= high` (both ends included)."""

    op: Literal["between"]
    value: Annotated[list[Scalar], BeforeValidator(_dates_to_iso)] = Field(
        min_length=2, max_length=2, description="Two bounds [low, high], both included."
    )
    keep_nulls: bool = Field(default=False, description="Also keep rows where the column is null.")


class NullFilter(_FieldFilter):
    """`is_null` keeps rows where the column is null, `not_null` the others."""

    op: Literal["is_null", "not_null"]


class ContainsFilter(_FieldFilter):
    """The text column contains `value` (a plain substring, not a pattern)."""

    op: Literal["contains"]
    value: str = Field(description="Substring to look for.")
    ignore_case: bool = Field(default=False, description="Compare case-insensitively.")


RelativeUnit = Literal["day", "week", "month", "quarter", "year", "fiscal_quarter", "fiscal_year"]


class RelativeDateFilter(_FieldFilter):
    """A date range relative to the run's `as_of` date, in the report's time context.

    `this` (the period containing as_of), `previous` (the n-th period before it), `last` (the
    n complete periods before the current one; `include_current` counts the current partial
    period as one of them), `next` (the n periods after the current one), `to_date` (from the
    start of the current period through as_of).
    """

    op: Literal["this", "previous", "last", "next", "to_date"]
    unit: RelativeUnit = Field(description="Period unit; weeks and fiscal units follow `time`.")
    n: int = Field(default=1, ge=1, description="How many periods (for last, previous, next).")
    include_current: bool = Field(
        default=False, description="For `last`: count the current, partial period as one."
    )


class ExprFilter(_Named):
    """Keep rows where a row formula is true (a null result drops the row)."""

    expr: str = Field(description="A boolean row formula, e.g. `amount * quantity > 1000`.")


class AnyOf(_Named):
    """Keep a row when at least one of the nested filters keeps it (OR)."""

    any_of: list[Filter] = Field(min_length=1, description="Filters of which one must hold.")


_TAG_BY_OP = {
    **dict.fromkeys(["eq", "ne", "lt", "le", "gt", "ge"], "compare"),
    **dict.fromkeys(["in", "not_in"], "in"),
    "between": "between",
    **dict.fromkeys(["is_null", "not_null"], "null"),
    "contains": "contains",
    **dict.fromkeys(["this", "previous", "last", "next", "to_date"], "relative"),
}
FILTER_OPS: tuple[str, ...] = tuple(_TAG_BY_OP)
FILTER_TAGS: frozenset[str] = frozenset([*_TAG_BY_OP.values(), "any_of", "expr"])


def _filter_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        if "any_of" in value:
            return "any_of"
        if "expr" in value and "op" not in value:
            return "expr"
        op = value.get("op")
        return _TAG_BY_OP.get(op) if isinstance(op, str) else None
    if isinstance(value, AnyOf):
        return "any_of"
    if isinstance(value, ExprFilter):
        return "expr"
    op = getattr(value, "op", None)
    return _TAG_BY_OP.get(op) if isinstance(op, str) else None


Filter = Annotated[
    Annotated[CompareFilter, Tag("compare")]
    | Annotated[InFilter, Tag("in")]
    | Annotated[BetweenFilter, Tag("between")]
    | Annotated[NullFilter, Tag("null")]
    | Annotated[ContainsFilter, Tag("contains")]
    | Annotated[RelativeDateFilter, Tag("relative")]
    | Annotated[ExprFilter, Tag("expr")]
    | Annotated[AnyOf, Tag("any_of")],
    Discriminator(
        _filter_tag,
        custom_error_type="unknown-filter-op",
        custom_error_message="unknown filter: `op` must be one of "
        + ", ".join(FILTER_OPS)
        + " (or `expr: <formula>`, or `any_of: [...]` for OR)",
    ),
]

AnyOf.model_rebuild()

FieldFilter = (
    CompareFilter | InFilter | BetweenFilter | NullFilter | ContainsFilter | RelativeDateFilter
)


def filter_columns(f: Filter) -> set[str]:
    """The columns a filter reads (a formula filter: every name in its formula, parameters
    included: the caller keeps the ones it knows)."""
    match f:
        case AnyOf():
            return set().union(*(filter_columns(sub) for sub in f.any_of))
        case ExprFilter():
            node, _ = parse_with_problems(f.expr)
            return references(node) if node is not None else set()
        case (
            CompareFilter() | InFilter() | BetweenFilter() | NullFilter() | ContainsFilter()
            | RelativeDateFilter()
        ):  # fmt: skip
            return {f.field}
        case _:
            assert_never(f)
