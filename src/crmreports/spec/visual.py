"""Visuals, told apart by `kind`. When a report has none, the resolver picks a sensible one."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from crmreports.spec._base import Name, SpecModel


class _XYVisual(SpecModel):
    x: Name | None = Field(default=None, description="Result column on the x axis.")
    y: Name | None = Field(default=None, description="Measure on the y axis.")
    color: Name | None = Field(default=None, description="Result column that splits colours.")
    title: str | None = Field(default=None, description="Chart title; defaults to the report's.")


class LineVisual(_XYVisual):
    """A line per colour over a (usually time) x axis."""

    kind: Literal["line"]


class BarVisual(_XYVisual):
    """Bars; with `color`, stacked unless `stack: false` (then grouped side by side)."""

    kind: Literal["bar"]
    horizontal: bool = Field(default=False, description="Bars along the y axis (for rankings).")
    stack: bool = Field(default=True, description="Stack coloured bars; false groups them.")


class TableVisual(SpecModel):
    """A formatted table of the result."""

    kind: Literal["table"]
    columns: list[Name] | None = Field(
        default=None, description="Result columns to show, in order; defaults to all."
    )
    title: str | None = Field(default=None, description="Table title; defaults to the report's.")


Visual = Annotated[LineVisual | BarVisual | TableVisual, Field(discriminator="kind")]
