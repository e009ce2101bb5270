"""The resolved visual: one frozen type per chart family, every channel decided and checked
against the report.

Each type holds only its own channels, and the channels a chart cannot be drawn without are
not optional, so a renderer reads `visual.y` without checking it. `ResolvedVisual` is their
union; code that handles every kind matches on it and ends with `assert_never`, so a type
checker names the place a new kind forgot. Each type keeps its `kind` tag (the spec's), for
code and templates that only need the name.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Literal, cast, get_args, get_type_hints

XYKind = Literal["line", "area", "bar"]
PieKind = Literal["pie", "donut"]


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
        number = cast(float, value)  # compared as it is (an int stays exact), not converted
        return (self.below is not None and number < self.below) or (
            self.above is not None and number > self.above
        )


# Keyword-only: the shared `title` (with its default) comes first, and a call names every
# channel it sets, which reads better than ten positional strings.
@dataclass(frozen=True, kw_only=True)
class _Visual:
    """What every resolved visual has: a title, and (each type its own) `draws(name)`, whether
    the visual shows the result column `name`: a chart's caption carries the caveats of the
    measures it draws, and mypy refuses a new type without one."""

    title: str | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        """The result columns the report's table shows, in order; () for every one. Only a
        table visual chooses; the table under a chart shows them all."""
        return ()


@dataclass(frozen=True, kw_only=True)
class XYVisual(_Visual):
    """Lines, areas and bars: a measure `y` over a dimension `x`, a series per `color`."""

    kind: XYKind
    x: str
    y: str
    color: str | None = None
    stack: bool | Literal["normalize"] = True  # area and bar
    horizontal: bool = False  # bar
    sort: Literal["value"] | None = None  # bar
    reference: float | str | None = None  # a number, or the name of a measure

    def draws(self, name: str) -> bool:
        return name in (self.x, self.y, self.color, self.reference)


@dataclass(frozen=True, kw_only=True)
class Pareto(_Visual):
    """Bars `y` per category `x`, largest first, and their cumulative share."""

    kind: Literal["pareto"] = "pareto"
    x: str
    y: str

    def draws(self, name: str) -> bool:
        return name in (self.x, self.y)


@dataclass(frozen=True, kw_only=True)
class Heatmap(_Visual):
    """A grid of two dimensions `x` and `y`, each cell coloured by the measure `color`."""

    kind: Literal["heatmap"] = "heatmap"
    x: str
    y: str
    color: str
    labels: bool = False

    def draws(self, name: str) -> bool:
        return name in (self.x, self.y, self.color)


@dataclass(frozen=True, kw_only=True)
class Scatter(_Visual):
    """A measure `y` against a measure `x`, a point per row."""

    kind: Literal["scatter"] = "scatter"
    x: str
    y: str
    size: str | None = None
    color: str | None = None  # a dimension (categories) or a measure (a gradient)

    def draws(self, name: str) -> bool:
        return name in (self.x, self.y, self.size, self.color)


@dataclass(frozen=True, kw_only=True)
class Pie(_Visual):
    """Pie and donut: a slice per `category`, sized by `value`."""

    kind: PieKind
    category: str
    value: str

    def draws(self, name: str) -> bool:
        return name in (self.category, self.value)


@dataclass(frozen=True, kw_only=True)
class Kpi(_Visual):
    """One number: `value` in the total row, the latest period of `time`, or the only row."""

    kind: Literal["kpi"] = "kpi"
    value: str
    compare: str | None = None
    time: str | None = None  # the time dimension, whose latest period is shown
    sparkline: str | None = None  # `time` when the value is drawn over it

    def draws(self, name: str) -> bool:
        return name in (self.value, self.compare, self.time)


@dataclass(frozen=True, kw_only=True)
class Funnel(_Visual):
    """A funnel whose stages are rows: one per value of the dimension `stage`."""

    kind: Literal["funnel"] = "funnel"
    stage: str
    value: str

    def draws(self, name: str) -> bool:
        return name in (self.stage, self.value)


@dataclass(frozen=True, kw_only=True)
class MeasureFunnel(_Visual):
    """A funnel whose stages are measures of one row, in funnel order."""

    kind: Literal["funnel"] = "funnel"
    values: tuple[str, ...]

    def draws(self, name: str) -> bool:
        return name in self.values


@dataclass(frozen=True, kw_only=True)
class Bullet(_Visual):
    """Attainment of `value` against `target`, a bullet per `category` row (or one)."""

    kind: Literal["bullet"] = "bullet"
    category: str | None
    value: str
    target: float | str  # a number, or the name of a measure
    bands: tuple[float, ...]  # where the qualitative bands end, as fractions of the target

    def draws(self, name: str) -> bool:
        return name in (self.category, self.value, self.target)


@dataclass(frozen=True, kw_only=True)
class Table(_Visual):
    """The result as formatted rows; `columns` () shows every one."""

    kind: Literal["table"] = "table"
    columns: tuple[str, ...] = ()
    highlights: tuple[HighlightRule, ...] = ()

    def draws(self, name: str) -> bool:
        return not self.columns or name in self.columns


ResolvedVisual = (
    XYVisual | Pareto | Heatmap | Scatter | Pie | Kpi | Funnel | MeasureFunnel | Bullet | Table
)

# Written once more for type checkers (a `Literal` cannot be computed); a test checks it
# against `VISUAL_KINDS` below, which is read from the types themselves.
VisualKind = Literal[
    XYKind, PieKind, "pareto", "heatmap", "scatter", "kpi", "funnel", "bullet", "table"
]


def _kinds() -> frozenset[str]:
    """Every `kind` tag of the union's members, read from their annotations."""
    tags: set[str] = set()
    for cls in get_args(ResolvedVisual):
        tags.update(get_args(get_type_hints(cls)["kind"]))
    return frozenset(tags)


VISUAL_KINDS = _kinds()

__all__ = [
    "VISUAL_KINDS",
    "Bullet",
    "Funnel",
    "Heatmap",
    "HighlightRule",
    "Kpi",
    "MeasureFunnel",
    "Pareto",
    "Pie",
    "PieKind",
    "ResolvedVisual",
    "Scatter",
    "Table",
    "VisualKind",
    "XYKind",
    "XYVisual",
]
