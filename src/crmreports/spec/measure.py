"""Measures: exact aggregations of a source's rows. Variants are told apart by `agg`."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field

from crmreports.spec._base import FieldName, Name, SpecModel


class Format(StrEnum):
    """How a measure's values are shown in charts and tables."""

    NUMBER = "number"
    INTEGER = "integer"
    CURRENCY = "currency"
    PERCENT = "percent"


class _MeasureBase(SpecModel):
    name: Name = Field(description="Result column name, unique within the report.")
    label: str | None = Field(default=None, description="Human-readable title.")
    format: Format | None = Field(
        default=None,
        description="number, integer, currency or percent (a ratio: 0.25 shows as 25%). "
        "Defaults to integer for counts and number otherwise.",
    )


class CountMeasure(_MeasureBase):
    """`count` of rows; with `field`, of the rows where that column is not null."""

    agg: Literal["count"] = Field(description="count")
    field: FieldName | None = Field(
        default=None, description="Count only rows where this column is not null."
    )


FieldAgg = Literal["count_distinct", "sum", "avg", "min", "max", "median"]


class FieldMeasure(_MeasureBase):
    """An aggregation of one column. Nulls are skipped, as in SQL.

    `sum` of no values is 0; `avg`, `min`, `max` and `median` of no values are null;
    `count_distinct` does not count null. `median` is exact (the mean of the two middle values
    for an even count), never an approximation.
    """

    agg: FieldAgg = Field(description="count_distinct, sum, avg, min, max or median")
    field: FieldName = Field(description="Column to aggregate.")


Measure = Annotated[CountMeasure | FieldMeasure, Field(discriminator="agg")]
