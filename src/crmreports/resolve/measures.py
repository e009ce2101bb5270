"""Resolved measures: one frozen type per kind, each carrying only its own fields.

Every kind shares one presentation record (`Presentation`: label, type, format, currency,
unit, direction, target, gap fill), decided once by the resolver. Code that treats kinds
differently `match`es on the type and ends with `assert_never`, so a type checker names the
place a new kind was forgotten.

`MeasureGraph` is the one place that knows which measures a measure reads: built once by the
resolver, carried on the resolved report, read by the planner for its step order and for the
measures a window recomputes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal, assert_never

from crmreports.resolve.predicates import Predicate
from crmreports.resolve.types import DataType
from crmreports.spec import Format
from crmreports.spec.formula import Node, references
from crmreports.spec.measure import AGGREGATIONS, AggName, ResetUnit

Fill = Literal["zero", "null"]


@dataclass(frozen=True)
class Presentation:
    """How a measure's values are typed and shown (never what is computed)."""

    label: str
    dtype: DataType
    format: Format
    fill: Fill  # value of a period without rows when the time axis is completed
    currency: str | None = None  # ISO code for currency (and compact money) formats
    unit: Literal["hours", "days"] | None = None  # of a duration
    direction: Literal["higher_is_better", "lower_is_better"] | None = None
    target: float | None = None


@dataclass(frozen=True)
class _Measure:
    """What every kind has: its result column and how it is shown."""

    name: str
    shown: Presentation

    # Renderers read these for any measure; they are the presentation record's.
    @property
    def label(self) -> str:
        return self.shown.label

    @property
    def dtype(self) -> DataType:
        return self.shown.dtype

    @property
    def format(self) -> Format:
        return self.shown.format

    @property
    def fill(self) -> Fill:
        return self.shown.fill

    @property
    def currency(self) -> str | None:
        return self.shown.currency

    @property
    def unit(self) -> Literal["hours", "days"] | None:
        return self.shown.unit

    @property
    def direction(self) -> Literal["higher_is_better", "lower_is_better"] | None:
        return self.shown.direction

    @property
    def target(self) -> float | None:
        return self.shown.target


@dataclass(frozen=True)
class ResolvedAggregate(_Measure):
    """An aggregation of a row value (None: count rows), over rows matching `where`."""

    agg: AggName
    value: Node | None
    where: tuple[Predicate, ...] = ()
    p: float | None = None
    input_dtype: DataType | None = None
    source: str | None = None  # another source (targets), aggregated at the report's grain
    match: tuple[tuple[str, str, DataType], ...] = ()  # (dimension, column of source, its type)
    # (report column, its counterpart in `source`, its type): the report filters on these
    # columns restrict `source` too (resolve/across.py)
    counterparts: tuple[tuple[str, str, DataType], ...] = ()

    @property
    def is_additive(self) -> bool:
        return AGGREGATIONS[self.agg].additive

    @property
    def across(self) -> bool:
        """Aggregated from another source (targets) and joined in at the report's grain."""
        return self.source is not None


@dataclass(frozen=True)
class ResolvedFormula(_Measure):
    """Arithmetic over other measures of the same row."""

    node: Node


@dataclass(frozen=True)
class ResolvedRunning(_Measure):
    of: str
    reset: ResetUnit = "none"


@dataclass(frozen=True)
class ResolvedRolling(_Measure):
    of: str
    periods: int
    agg: Literal["sum", "avg"] = "sum"


@dataclass(frozen=True)
class ResolvedRollingDistinct(_Measure):
    """A distinct count over the `periods` calendar periods ending at each row, recounted from
    base rows: a value seen in two periods of the window counts once (`of` is the
    count_distinct measure whose values and filter it reads)."""

    of: str
    periods: int


@dataclass(frozen=True)
class ResolvedCompare(_Measure):
    of: str
    offset_n: int  # how many units back
    offset_unit: str  # 'period' or a calendar unit
    show: Literal["value", "change", "pct_change"] = "pct_change"


@dataclass(frozen=True)
class ResolvedShare(_Measure):
    of: str
    within: tuple[str, ...] = ()
    before_filter: str | None = None


@dataclass(frozen=True)
class ResolvedRank(_Measure):
    of: str
    within: tuple[str, ...] = ()
    desc: bool = True
    buckets: int | None = None  # a quantile score instead of the position


@dataclass(frozen=True)
class ResolvedPacing(_Measure):
    of: str
    target_measure: str


ResolvedWindow = (
    ResolvedRunning | ResolvedRolling | ResolvedRollingDistinct | ResolvedCompare | ResolvedShare
    | ResolvedRank | ResolvedPacing
)  # fmt: skip
ResolvedMeasure = ResolvedAggregate | ResolvedFormula | ResolvedWindow


def measure_inputs(m: ResolvedMeasure) -> tuple[str, ...]:
    """The measures `m` is computed from (sorted, so every walk visits them in one order)."""
    match m:
        case ResolvedAggregate():
            return ()
        case ResolvedFormula():
            return tuple(sorted(references(m.node)))
        case ResolvedPacing():
            return tuple(sorted({m.of, m.target_measure}))
        case (
            ResolvedRunning() | ResolvedRolling() | ResolvedRollingDistinct() | ResolvedCompare()
            | ResolvedShare() | ResolvedRank()
        ):  # fmt: skip
            return (m.of,)
        case _:
            assert_never(m)


def is_window(m: ResolvedMeasure) -> bool:
    """A measure seen across result rows (a running total, a share ...)."""
    match m:
        case ResolvedAggregate() | ResolvedFormula():
            return False
        case (
            ResolvedRunning() | ResolvedRolling() | ResolvedRollingDistinct() | ResolvedCompare()
            | ResolvedShare() | ResolvedRank() | ResolvedPacing()
        ):  # fmt: skip
            return True
        case _:
            assert_never(m)


@dataclass(frozen=True)
class MeasureGraph:
    """Which measures each measure reads (only names of the report's measures: a formula's
    other references are parameters), in the report's order."""

    inputs: tuple[tuple[str, tuple[str, ...]], ...] = ()
    _by_name: dict[str, tuple[str, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        # A private index of the frozen `inputs` (filled once, while constructing).
        self._by_name.update(self.inputs)

    @classmethod
    def of(cls, measures: Iterable[ResolvedMeasure]) -> MeasureGraph:
        measures = list(measures)
        names = {m.name for m in measures}
        return cls(
            tuple((m.name, tuple(d for d in measure_inputs(m) if d in names)) for m in measures)
        )

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.inputs)

    def reads(self, name: str) -> tuple[str, ...]:
        return self._by_name.get(name, ())

    def closure(self, name: str) -> frozenset[str]:
        """`name` and every measure it is computed from, however indirectly."""
        found: set[str] = set()
        todo = [name]
        while todo:
            current = todo.pop()
            if current not in found:
                found.add(current)
                todo += self.reads(current)
        return frozenset(found)

    def order(self, among: Iterable[str] | None = None) -> tuple[str, ...]:
        """`among` (default: every measure), each after the measures it reads: depth first
        from each in report order (the resolver rejected cycles)."""
        subset = set(self.names if among is None else among)
        done: set[str] = set()
        out: list[str] = []

        def visit(name: str) -> None:
            if name in done:
                return
            done.add(name)
            for dep in self.reads(name):
                if dep in subset:
                    visit(dep)
            out.append(name)

        for name in self.names:
            if name in subset:
                visit(name)
        return tuple(out)
