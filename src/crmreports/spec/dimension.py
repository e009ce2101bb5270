"""Dimensions: what a report groups by.

A dimension reads a column (`field`) or a row formula (`expr`), and may transform it: a time
`grain` (hour ... fiscal year), a date `part` for seasonality (month of year, day of week, ...),
numeric `bins` with labels, or value `groups` mapping raw values to named groups. `top` keeps
the N largest members by a measure and folds the rest into one bucket, re-aggregated from
base rows.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from crmreports.spec._base import FieldName, Name, SpecModel
from crmreports.spec.filters import Scalar


class Grain(StrEnum):
    """Time buckets, each labelled by its first instant. `week` starts on the report's
    `time.week_start` (Monday by default, ISO); fiscal grains follow `time.fiscal_year_start`."""

    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    FISCAL_QUARTER = "fiscal_quarter"
    FISCAL_YEAR = "fiscal_year"


class DatePart(StrEnum):
    """Seasonality: a number cycling within a larger period (ISO: Monday is day 1)."""

    HOUR_OF_DAY = "hour_of_day"
    DAY_OF_WEEK = "day_of_week"
    DAY_OF_MONTH = "day_of_month"
    MONTH_OF_YEAR = "month_of_year"
    QUARTER_OF_YEAR = "quarter_of_year"
    FISCAL_QUARTER_OF_YEAR = "fiscal_quarter_of_year"


class Bin(SpecModel):
    """One numeric tier: values below `below` (and at or above the previous tier's bound)."""

    label: str = Field(description="The tier's name, e.g. 'small'.")
    below: float | None = Field(
        default=None, description="Exclusive upper bound; omit on the last tier (no bound)."
    )


class TopN(SpecModel):
    """Keep the N members with the largest `by` measure; the rest become one bucket."""

    n: int = Field(ge=1, description="How many members to keep.")
    by: Name = Field(description="Measure that ranks members (over all filtered rows).")
    other_label: str = Field(default="Other", description="Label of the bucket for the rest.")
    bottom: bool = Field(default=False, description="Keep the N smallest instead.")


class Dimension(SpecModel):
    """Group rows by a column or row formula; the result column is called `name`, which
    defaults to `field`."""

    field: FieldName | None = Field(
        default=None, description="Column of the source to group by (or use `expr`)."
    )
    expr: str | None = Field(default=None, description="A row formula to group by; needs `name`.")
    name: Name | None = Field(default=None, description="Result column name; defaults to `field`.")
    label: str | None = Field(default=None, description="Human-readable title for axes and tables.")
    grain: Grain | None = Field(
        default=None,
        description="Bucket a date/datetime column: hour, day, week, month, quarter, year, "
        "fiscal_quarter or fiscal_year. Each bucket is labelled by its first day.",
    )
    part: DatePart | None = Field(
        default=None, description="Group by a date part instead, e.g. month_of_year."
    )
    bins: list[Bin] | None = Field(
        default=None, description="Numeric tiers in ascending order; null values stay null."
    )
    groups: dict[str, list[Scalar]] | None = Field(
        default=None,
        description="Map raw values to groups: {won: [Won, Closed Won], lost: [Lost]}.",
    )
    unmatched: Literal["keep", "null", "other"] = Field(
        default="keep",
        description="With `groups`: a value in no group keeps its own value (keep), becomes "
        "null, or goes to `other_label` (other).",
    )
    other_label: str = Field(default="Other", description="Group of unmatched values.")
    top: TopN | None = Field(
        default=None, description="Keep the top N members by a measure; fold the rest."
    )
    fill_gaps: bool = Field(
        default=False,
        description="With `grain`: show every period in range, even those without rows.",
    )

    @property
    def output_name(self) -> str:
        return self.name or self.field or ""
