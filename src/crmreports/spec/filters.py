"""Row filters, told apart by `op`. All filters of a report are AND-ed; `any_of` groups OR.

Null rule (SQL's, stated once here and emitted explicitly by the compiler so every backend
agrees): a comparison with a null value is false. So `ne`, `not_in`, `lt`, ... drop rows whose
column is null unless the filter says `keep_nulls: true`; only `is_null` selects them.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Discriminator, Field, Tag, WithJsonSchema
from pydantic_core import PydanticCustomError

from crmreports.spec._base import FieldName, SpecModel


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


def _check_scalar(value: Any) -> Any:
    if isinstance(value, bool | int | float | str):
        return value
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
    WithJsonSchema({"type": ["string", "number", "boolean"]}),
]


class _FieldFilter(SpecModel):
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


class AnyOf(SpecModel):
    """Keep a row when at least one of the nested filters keeps it (OR)."""

    any_of: list[Filter] = Field(min_length=1, description="Filters of which one must hold.")


_TAG_BY_OP = {
    **dict.fromkeys(["eq", "ne", "lt", "le", "gt", "ge"], "compare"),
    **dict.fromkeys(["in", "not_in"], "in"),
    "between": "between",
    **dict.fromkeys(["is_null", "not_null"], "null"),
    "contains": "contains",
}
FILTER_OPS: tuple[str, ...] = tuple(_TAG_BY_OP)
FILTER_TAGS: frozenset[str] = frozenset([*_TAG_BY_OP.values(), "any_of"])


def _filter_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        if "any_of" in value:
            return "any_of"
        op = value.get("op")
        return _TAG_BY_OP.get(op) if isinstance(op, str) else None
    if isinstance(value, AnyOf):
        return "any_of"
    op = getattr(value, "op", None)
    return _TAG_BY_OP.get(op) if isinstance(op, str) else None


Filter = Annotated[
    Annotated[CompareFilter, Tag("compare")]
    | Annotated[InFilter, Tag("in")]
    | Annotated[BetweenFilter, Tag("between")]
    | Annotated[NullFilter, Tag("null")]
    | Annotated[ContainsFilter, Tag("contains")]
    | Annotated[AnyOf, Tag("any_of")],
    Discriminator(
        _filter_tag,
        custom_error_type="unknown-filter-op",
        custom_error_message="unknown filter: `op` must be one of "
        + ", ".join(FILTER_OPS)
        + " (or use `any_of: [...]` for OR)",
    ),
]

AnyOf.model_rebuild()

FieldFilter = CompareFilter | InFilter | BetweenFilter | NullFilter | ContainsFilter
