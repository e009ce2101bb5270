"""The resolved visual: every channel decided and checked against the report.

Kept apart from `resolved.py` so the visual types grow on their own; `resolved.py` and the
package re-export them.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Literal

VisualKind = Literal[
    "line", "bar", "table", "area", "pie", "donut", "kpi", "funnel", "bullet", "heatmap",
    "scatter", "pareto",
]  # fmt: skip


@dataclass(frozen=True)
class HighlightRule:
    """Style a table cell of `column` whose value is < `below` or > `above`."""

    column: str
    style: Literal["good", "bad", "warn"]
    below: float | None = None
    above: float | None = None

    def matches(self, value: object) -> bool:
        if not isinstance(value, numbers.Real) or isinstance(value, bool) or value != value:
            return False
        return (self.below is not None and value < self.below) or (
            self.above is not None and value > self.above
        )


@dataclass(frozen=True)
class ResolvedVisual:
    """The visual with every channel decided. Which fields a kind reads:

    line/area/bar: x, y, color, stack, horizontal, sort, reference; pareto: x, y;
    heatmap: x, y, color (a measure), labels; scatter: x, y, size, color;
    pie/donut: category, value; kpi: value, compare, sparkline (the time dimension);
    funnel: category and value, or values; bullet: category, value, reference (the target),
    bands; table: columns, highlights.
    """

    kind: VisualKind
    x: str | None = None
    y: str | None = None
    color: str | None = None
    horizontal: bool = False
    stack: bool | Literal["normalize"] = True
    columns: tuple[str, ...] = ()
    title: str | None = None
    size: str | None = None
    category: str | None = None
    value: str | None = None
    values: tuple[str, ...] = ()
    compare: str | None = None
    sparkline: str | None = None
    reference: float | str | None = None  # a number, or the name of a measure
    bands: tuple[float, ...] = ()
    sort: Literal["value"] | None = None
    labels: bool = False
    highlights: tuple[HighlightRule, ...] = ()

    def draws(self, name: str) -> bool:
        """Whether the visual shows the result column `name` (a table with no `columns`
        shows every one)."""
        if self.kind == "table":
            return not self.columns or name in self.columns
        channels = (self.x, self.y, self.color, self.size, self.category, self.value,
                    self.compare, self.sparkline, self.reference)  # fmt: skip
        return name in channels or name in self.values or name in self.columns


__all__ = ["HighlightRule", "ResolvedVisual", "VisualKind"]
