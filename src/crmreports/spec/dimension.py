"""Dimensions: the columns a report groups by, optionally bucketed to a time grain."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from crmreports.spec._base import FieldName, Name, SpecModel


class Grain(StrEnum):
    """Time buckets. `week` is the ISO week, starting on Monday."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class Dimension(SpecModel):
    """Group rows by a column; a date or datetime column can be bucketed with `grain`.

    The result column is called `name`, which defaults to `field`.
    """

    field: FieldName = Field(description="Column of the source to group by.")
    grain: Grain | None = Field(
        default=None,
        description="Bucket a date/datetime column: day, week (ISO, Monday start), month, "
        "quarter or year. Each bucket is labelled by its first day.",
    )
    name: Name | None = Field(default=None, description="Result column name; defaults to `field`.")
    label: str | None = Field(default=None, description="Human-readable title for axes and tables.")

    @property
    def output_name(self) -> str:
        return self.name or self.field
