"""Visuals, told apart by `kind`. When a report has none, the resolver picks a sensible one.

Every channel names a result column (a dimension or a measure of the report); a channel left out
is filled in by the resolver from the report (the first dimension, the first numeric measure),
so `visual: {kind: pie}` is a complete spec. Which column may go where (a category on `x`, a
number on `y`) is checked against the report in `crmreports.resolve.visual`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from crmreports.errors import show_value
from crmreports.spec._base import Name, SpecModel

# One literal, not `bool | Literal[...]`: a typo then gives one problem listing all three.
Stack = Literal[True, False, "normalize"]


def _number_or_name(value: Any) -> Any:
    # One clear problem instead of one per member of the union; a name that is not a
    # result column is reported (with a suggestion) by `check_structure`.
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise PydanticCustomError(
            "invalid-value", "expected a number or the name of a measure, got {value}",
            {"value": show_value(value)},
        )  # fmt: skip
    return value


# A number draws a constant line; a name draws that measure's value for each row.
Reference = Annotated[float | str, BeforeValidator(_number_or_name)]


_NOT_CHANNELS = frozenset({"kind", "title", "sort", "stack"})


class _Visual(SpecModel):
    title: str | None = Field(default=None, description="Chart title; defaults to the report's.")

    def named_fields(self) -> list[tuple[str, str]]:
        """(spec path, name) for every channel that names a result column, for name checks
        that need no data (`crmreports validate` without data)."""
        out: list[tuple[str, str]] = []
        for key, value in self:
            if isinstance(value, str) and key not in _NOT_CHANNELS:
                out.append((key, value))
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, str):
                        out.append((f"{key}[{i}]", item))
                    elif isinstance(item, Highlight):
                        out.append((f"{key}[{i}].column", item.column))
        return out


class _XYVisual(_Visual):
    x: Name | None = Field(default=None, description="Dimension on the x axis.")
    y: Name | None = Field(default=None, description="Measure on the y axis.")
    color: Name | None = Field(default=None, description="Dimension that splits colours.")


class _ReferencedXY(_XYVisual):
    reference: Reference | None = Field(
        default=None,
        description="A reference line: a number, or a measure of the report drawn per row "
        "(a target). Defaults to the y measure's `target`.",
    )


class LineVisual(_ReferencedXY):
    """A line per colour over a (usually time) x axis."""

    kind: Literal["line"]


class AreaVisual(_ReferencedXY):
    """Filled areas over a (usually time) x axis; stacked by colour unless `stack: false`."""

    kind: Literal["area"]
    stack: Stack = Field(
        default=True,
        description="true stacks the colours, false overlaps them, normalize shows each "
        "colour's share of 100%.",
    )


class BarVisual(_ReferencedXY):
    """Bars; with `color`, stacked unless `stack: false` (then grouped side by side)."""

    kind: Literal["bar"]
    horizontal: bool = Field(default=False, description="Bars along the y axis (for rankings).")
    stack: Stack = Field(
        default=True,
        description="Stack coloured bars; false groups them side by side; normalize stacks "
        "them to 100%.",
    )
    sort: Literal["value"] | None = Field(
        default=None,
        description="`value`: categories largest first (rankings); default: the result's order.",
    )


class PieVisual(_Visual):
    """Parts of a whole: one slice per category (`donut` leaves a hole in the middle)."""

    kind: Literal["pie", "donut"]
    category: Name | None = Field(default=None, description="Dimension giving the slices.")
    value: Name | None = Field(default=None, description="Measure giving each slice's size.")


class KpiVisual(_Visual):
    """One big number, its change against a comparison measure, and an optional sparkline.

    The number is the total row (with `totals: true`), else the latest period, else the only row.
    """

    kind: Literal["kpi"]
    value: Name | None = Field(default=None, description="The measure shown.")
    compare: Name | None = Field(
        default=None,
        description="A measure to compare with: an earlier value or a target (the change is "
        "computed), or a `compare` measure with `show: change | pct_change` (shown as is). "
        "The change is coloured by the value measure's `direction`.",
    )
    sparkline: bool = Field(
        default=False, description="Draw the value over the report's time dimension."
    )


class FunnelVisual(_Visual):
    """Stages with the conversion from each stage to the next.

    Either one row per stage (`stage` and `value`), or one measure per stage (`values`).
    """

    kind: Literal["funnel"]
    stage: Name | None = Field(default=None, description="Dimension whose rows are the stages.")
    value: Name | None = Field(default=None, description="Measure counted at each stage.")
    values: list[Name] | None = Field(
        default=None,
        description="Instead of `stage`/`value`: measures of a single row, one per stage, "
        "in funnel order (e.g. [sent, delivered, opens, clicks]).",
    )


class BulletVisual(_Visual):
    """Attainment against a target: a bar for the value over qualitative bands, a tick at the
    target; one bullet per `category` row (or a single one)."""

    kind: Literal["bullet"]
    category: Name | None = Field(default=None, description="Dimension giving one bullet a row.")
    value: Name | None = Field(default=None, description="The measure attained.")
    target: Reference | None = Field(
        default=None,
        description="The target: a number or a measure; defaults to the value measure's `target`.",
    )
    bands: list[float] = Field(
        default=[0.6, 0.9],
        description="Where the qualitative bands end, as fractions of the target (ascending).",
    )


class HeatmapVisual(_Visual):
    """A grid of two dimensions coloured by a measure (cohort x months since, day x hour)."""

    kind: Literal["heatmap"]
    x: Name | None = Field(default=None, description="Dimension across.")
    y: Name | None = Field(default=None, description="Dimension down.")
    color: Name | None = Field(default=None, description="Measure that colours each cell.")
    labels: bool = Field(default=False, description="Print each cell's value in it.")


class ScatterVisual(_Visual):
    """One point per row: a measure against a measure, optionally sized and coloured."""

    kind: Literal["scatter"]
    x: Name | None = Field(default=None, description="Measure across.")
    y: Name | None = Field(default=None, description="Measure up.")
    size: Name | None = Field(default=None, description="Measure sizing each point.")
    color: Name | None = Field(
        default=None, description="Dimension (categories) or measure (a gradient) colouring points."
    )


class ParetoVisual(_Visual):
    """Bars largest first with the cumulative share on a second axis (what makes up 80%)."""

    kind: Literal["pareto"]
    x: Name | None = Field(default=None, description="Dimension giving the bars.")
    y: Name | None = Field(default=None, description="Measure sizing the bars.")


class Highlight(SpecModel):
    """Style the cells of `column` whose value is below and/or above a bound."""

    column: Name = Field(description="A numeric result column.")
    below: float | None = Field(default=None, description="Cells with a value < this.")
    above: float | None = Field(default=None, description="Cells with a value > this.")
    style: Literal["good", "bad", "warn"] = Field(default="bad", description="How to mark them.")


class TableVisual(_Visual):
    """A formatted table of the result, totals rows included."""

    kind: Literal["table"]
    columns: list[Name] | None = Field(
        default=None, description="Result columns to show, in order; defaults to all."
    )
    highlight: list[Highlight] = Field(
        default_factory=list,
        description="Conditional styles, e.g. {column: attainment, below: 1, style: bad}.",
    )


Visual = Annotated[
    LineVisual
    | AreaVisual
    | BarVisual
    | PieVisual
    | KpiVisual
    | FunnelVisual
    | BulletVisual
    | HeatmapVisual
    | ScatterVisual
    | ParetoVisual
    | TableVisual,
    Field(discriminator="kind"),
]


def _kinds() -> frozenset[str]:
    """Every `kind` tag of the union's members, read from the models (never written twice)."""
    (union, *_) = get_args(Visual)
    return frozenset(
        tag for model in get_args(union) for tag in get_args(model.model_fields["kind"].annotation)
    )


VISUAL_KINDS = _kinds()
