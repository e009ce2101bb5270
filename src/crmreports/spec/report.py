"""The report spec: what to group by, what to measure, which rows, in what order, drawn how.

Structure only: this module knows nothing about data. Checks that need the data's schema live
in `crmreports.resolve`.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, PositiveInt, field_validator

from crmreports.spec._base import Name, SpecModel
from crmreports.spec.dimension import Dimension
from crmreports.spec.filters import Filter
from crmreports.spec.measure import Measure
from crmreports.spec.visual import Visual


def _allow_string_items(schema: dict[str, Any]) -> None:
    """JSON Schema: list items may also be the string shorthand for {field: <string>}."""
    schema["items"] = {
        "anyOf": [
            schema["items"],
            {"type": "string", "description": "Shorthand for {field: <string>}."},
        ]
    }


class SortKey(SpecModel):
    """Order the result by a dimension or measure (by its result name)."""

    field: Name = Field(description="A dimension or measure name.")
    desc: bool = Field(default=False, description="Largest first.")


class ReportSpec(SpecModel):
    """A report: dimensions and measures over one source, filtered, sorted, limited, drawn."""

    name: Name = Field(description="Identifier of the report (letters, digits, underscores).")
    title: str | None = Field(default=None, description="Human-readable title.")
    description: str | None = Field(default=None, description="What the report answers.")
    source: Name | None = Field(
        default=None,
        description="Name of the table the report reads. Optional when a single frame is given.",
    )
    dimensions: list[Dimension] = Field(
        default_factory=list,
        description="Group-by columns. A plain string is shorthand for {field: <string>}.",
        json_schema_extra=_allow_string_items,
    )
    measures: list[Measure] = Field(default_factory=list, description="Aggregations.")
    filters: list[Filter] = Field(
        default_factory=list, description="Row filters, all of which must hold (AND)."
    )
    sort: list[SortKey] = Field(
        default_factory=list,
        description="Result order. Defaults to the dimensions in order, ascending; nulls last. "
        "A plain string is shorthand for {field: <string>}.",
        json_schema_extra=_allow_string_items,
    )
    limit: PositiveInt | None = Field(default=None, description="Keep the first N result rows.")
    visual: Visual | None = Field(
        default=None,
        description="How to draw the result; chosen from the dimensions when omitted.",
    )

    @field_validator("dimensions", mode="before")
    @classmethod
    def _dimension_shorthand(cls, value: Any) -> Any:
        # `- channel` is accepted for `- field: channel`.
        if isinstance(value, list):
            return [{"field": v} if isinstance(v, str) else v for v in value]
        return value

    @field_validator("sort", mode="before")
    @classmethod
    def _sort_shorthand(cls, value: Any) -> Any:
        # `- revenue` is accepted for `- field: revenue`.
        if isinstance(value, list):
            return [{"field": v} if isinstance(v, str) else v for v in value]
        return value

    @property
    def display_title(self) -> str:
        return self.title or self.name.replace("_", " ").capitalize()
