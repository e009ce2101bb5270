"""Visual spec -> `ResolvedVisual`: every channel decided, and checked against the report.

Names a visual uses that are not result columns at all are reported by
`spec.checks.check_structure` (it needs no data); this module checks what only the resolved
report knows: that a category channel names a dimension, that a quantity channel names a
numeric measure, that a chart has what it needs, and that every dimension of the result is
drawn by some channel (otherwise several rows would land on one bar or slice).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import assert_never

from crmreports.errors import Problem, format_names
from crmreports.resolve.resolved import ResolvedDimension, ResolvedMeasure
from crmreports.resolve.visuals import (
    Bullet,
    Funnel,
    Heatmap,
    HighlightRule,
    Kpi,
    MeasureFunnel,
    Pareto,
    Pie,
    ResolvedVisual,
    Scatter,
    Table,
    XYVisual,
)
from crmreports.spec import ReportSpec
from crmreports.spec.visual import (
    AreaVisual,
    BarVisual,
    BulletVisual,
    FunnelVisual,
    HeatmapVisual,
    KpiVisual,
    LineVisual,
    ParetoVisual,
    PieVisual,
    ScatterVisual,
    TableVisual,
    Visual,
)

TABLE = Table()
# What a resolver returns when a channel the chart cannot do without is missing. It never
# reaches a renderer: the resolver has recorded the problem, and `resolve` raises when there
# is any (a channel naming no usable column was reported by the column's own check).
UNRESOLVED = TABLE


@dataclass
class _Scope:
    """The report's resolved columns, and the list problems go to."""

    report: ReportSpec
    dims: list[ResolvedDimension]
    measures: list[ResolvedMeasure]
    problems: list[Problem]
    kind: str = ""
    complete: bool = True  # False once a column or channel has a problem of its own

    @property
    def chart(self) -> str:
        """'a bar chart', 'an area chart', for messages."""
        article = "an" if self.kind[:1] in "aeiou" else "a"
        return f"{article} {self.kind} chart"

    def dim(self, name: str | None) -> ResolvedDimension | None:
        return next((d for d in self.dims if d.name == name), None)

    def measure(self, name: str | None) -> ResolvedMeasure | None:
        return next((m for m in self.measures if m.name == name), None)

    def numeric(self) -> list[str]:
        return [m.name for m in self.measures if m.dtype.is_numeric]

    def checkable(self, name: str) -> bool:
        """False for names already reported: not in the result, or failed to resolve."""
        return self.dim(name) is not None or self.measure(name) is not None

    def category(self, name: str | None, channel: str, default: str | None) -> str | None:
        """A channel laying out categories: it must name a dimension."""
        if name is None:
            return default
        if self.measure(name) is not None or not self.checkable(name):
            self.complete = False  # the channel's own problem says enough
        if self.measure(name) is not None:
            self.problems.append(
                Problem(
                    "visual-needs-dimension",
                    f"`{channel}` of {self.chart} lays out categories, but {name!r} is a measure",
                    f"visual.{channel}",
                    checked_against=format_names([d.name for d in self.dims], "dimensions"),
                    hint="name a dimension of the report",
                )
            )
        return name

    def quantity(self, name: str | None, channel: str, default: str | None) -> str | None:
        """A channel drawing amounts: it must name a numeric measure."""
        if name is None:
            return default
        measure = self.measure(name)
        if not self.checkable(name):
            self.complete = False
        elif measure is None or not measure.dtype.is_numeric:
            self.complete = False
            what = "a dimension" if measure is None else f"{measure.dtype.value}, not a number"
            self.problems.append(
                Problem(
                    "visual-not-numeric",
                    f"`{channel}` of {self.chart} draws amounts, but {name!r} is {what}",
                    f"visual.{channel}",
                    checked_against=format_names(self.numeric(), "numeric measures"),
                    hint="name a measure that gives numbers (a count, sum, average, ratio)",
                )
            )
        return name

    def missing(self, what: str, hint: str) -> None:
        self.problems.append(
            Problem("visual-missing-channel", f"{self.chart} needs {what}", "visual", hint=hint)
        )

    def all_drawn(self, drawn: set[str | None], allowed: str = "") -> None:
        """Every dimension must be on some channel, or rows would overlap on one mark."""
        loose = [d.name for d in self.dims if d.name not in drawn]
        if loose and self.complete:
            self.problems.append(
                Problem(
                    "visual-ambiguous-rows",
                    f"the report has a row per {', '.join(loose)} too, but {self.chart} "
                    f"draws {allowed or 'only the dimensions on its channels'}: several rows "
                    "would fall on one mark",
                    "visual",
                    hint="remove the extra dimension(s), put them on a channel, or use "
                    "`visual: {kind: table}`",
                )
            )

    def first_number(self) -> str | None:
        return next(iter(self.numeric()), None)

    def first_dim(self, prefer_time: bool = False, skip: tuple[str | None, ...] = ()) -> str | None:
        dims = [d for d in self.dims if d.name not in skip]
        if prefer_time:
            dims = sorted(dims, key=lambda d: not d.is_time)
        return dims[0].name if dims else None

    def reference(self, value: float | str | None, channel: str) -> float | str | None:
        if isinstance(value, str):
            return self.quantity(value, channel, None)
        return value


def resolve_visual(
    report: ReportSpec,
    dims: tuple[ResolvedDimension | None, ...],
    measures: tuple[ResolvedMeasure | None, ...],
    problems: list[Problem],
) -> ResolvedVisual:
    """The report's visual with defaults filled in; problems are appended, never raised."""
    scope = _Scope(
        report,
        [d for d in dims if d is not None],
        [m for m in measures if m is not None],
        problems,
    )
    spec = report.visual
    if spec is None:
        return default_visual(scope.dims, scope.measures)
    scope.kind = spec.kind
    failed = len(scope.dims) < len(report.dimensions) or len(scope.measures) < len(report.measures)
    scope.complete = not failed  # a column that failed to resolve was reported already
    return _resolve(scope, spec)


def _resolve(s: _Scope, spec: Visual) -> ResolvedVisual:
    match spec:
        case LineVisual() | AreaVisual() | BarVisual():
            return _xy(s, spec)
        case PieVisual():
            return _pie(s, spec)
        case KpiVisual():
            return _kpi(s, spec)
        case FunnelVisual():
            return _funnel(s, spec)
        case BulletVisual():
            return _bullet(s, spec)
        case HeatmapVisual():
            return _heatmap(s, spec)
        case ScatterVisual():
            return _scatter(s, spec)
        case ParetoVisual():
            return _pareto(s, spec)
        case TableVisual():
            return _table(s, spec)
        case _:
            assert_never(spec)


def default_visual(
    dims: list[ResolvedDimension], measures: list[ResolvedMeasure]
) -> ResolvedVisual:
    """Time dimension -> line; one or two categories -> bar; no dimension -> a KPI for one
    measure; anything else (or nothing numeric to draw) -> table."""
    numeric = [m.name for m in measures if m.dtype.is_numeric]
    if not numeric or len(dims) > 2:
        return TABLE
    if not dims:
        return Kpi(value=numeric[0]) if len(measures) == 1 else TABLE
    time = [d for d in dims if d.is_time]
    x = time[0] if time else dims[0]
    rest = [d.name for d in dims if d is not x]
    target = next(m.target for m in measures if m.name == numeric[0])
    return XYVisual(
        kind="line" if time else "bar",
        x=x.name,
        y=numeric[0],
        color=rest[0] if rest else None,
        reference=target,
    )


def _xy(s: _Scope, v: LineVisual | AreaVisual | BarVisual) -> ResolvedVisual:
    x = s.category(v.x, "x", s.first_dim(prefer_time=v.kind != "bar"))
    y = s.quantity(v.y, "y", s.first_number())
    color = s.category(v.color, "color", None)
    if v.color is None:
        rest = [d.name for d in s.dims if d.name != x]
        color = rest[0] if len(rest) == 1 else None
    if x is None:
        s.missing("a dimension for x", "add a dimension, or use `visual: {kind: kpi}`")
    if y is None:
        s.missing("a numeric measure for y", "add a measure such as `{name: n, agg: count}`")
    s.all_drawn({x, color}, "x and color")
    measure = s.measure(y)
    reference = s.reference(v.reference, "reference")
    if reference is None and measure is not None:
        reference = measure.target
    if x is None or y is None:
        return UNRESOLVED
    return XYVisual(
        kind=v.kind,
        x=x,
        y=y,
        color=color,
        # a line has neither; its defaults are the ones a line was always drawn with
        horizontal=v.horizontal if isinstance(v, BarVisual) else False,
        stack=v.stack if isinstance(v, AreaVisual | BarVisual) else True,
        title=v.title,
        reference=reference,
        sort=v.sort if isinstance(v, BarVisual) else None,
    )


def _pie(s: _Scope, v: PieVisual) -> ResolvedVisual:
    category = s.category(v.category, "category", s.first_dim())
    value = s.quantity(v.value, "value", s.first_number())
    if category is None:
        s.missing("a dimension for the slices", "add a dimension such as `channel`")
    if value is None:
        s.missing("a numeric measure for the slice sizes", "add a measure")
    s.all_drawn({category}, "one slice per category")
    if category is None or value is None:
        return UNRESOLVED
    return Pie(kind=v.kind, category=category, value=value, title=v.title)


def _kpi(s: _Scope, v: KpiVisual) -> ResolvedVisual:
    value = s.quantity(v.value, "value", s.first_number())
    compare = s.quantity(v.compare, "compare", None)
    if value is None:
        s.missing("a numeric measure to show", "add a measure")
    time = next((d.name for d in s.dims if d.grain is not None), None)
    if v.sparkline and time is None:
        s.missing(
            "a time dimension for its sparkline",
            "add e.g. `{field: order_date, grain: month}`, or drop `sparkline`",
        )
    if not s.report.totals:
        s.all_drawn({time}, "one number (the latest period of a time dimension)")
    if value is None:
        return UNRESOLVED
    return Kpi(
        value=value,
        compare=compare,
        time=time,
        sparkline=time if v.sparkline else None,
        title=v.title,
    )


def _funnel(s: _Scope, v: FunnelVisual) -> ResolvedVisual:
    if v.values is not None:
        return _measure_funnel(s, v, v.values)
    stage = s.category(v.stage, "stage", s.first_dim())
    value = s.quantity(v.value, "value", s.first_number())
    if stage is None:
        s.missing(
            "a dimension for its stages (or `values`: one measure per stage)",
            "add the stage dimension, or list measures in `values`",
        )
    if value is None:
        s.missing("a numeric measure counted at each stage", "add a measure")
    s.all_drawn({stage}, "one bar per stage")
    if stage is None or value is None:
        return UNRESOLVED
    return Funnel(stage=stage, value=value, title=v.title)


def _measure_funnel(s: _Scope, v: FunnelVisual, names: list[str]) -> ResolvedVisual:
    if v.stage is not None or v.value is not None:
        s.problems.append(
            Problem(
                "invalid-value",
                "a funnel takes its stages either from `values` (measures) or from "
                "`stage` and `value` (rows), not both",
                "visual.values",
            )
        )
    values = tuple(s.quantity(n, f"values[{i}]", None) or n for i, n in enumerate(names))
    if len(values) < 2:
        s.missing("at least two stages in `values`", "list the measures in funnel order")
    if not s.report.totals:
        s.all_drawn(set(), "one row when its stages are measures")
    return MeasureFunnel(values=values, title=v.title)


def _bullet(s: _Scope, v: BulletVisual) -> ResolvedVisual:
    category = s.category(v.category, "category", s.first_dim())
    value = s.quantity(v.value, "value", s.first_number())
    target = s.reference(v.target, "target")
    measure = s.measure(value)
    if target is None and measure is not None:
        target = measure.target
    if value is None:
        s.missing("a numeric measure to compare with its target", "add a measure")
    elif target is None and s.checkable(value):
        s.missing(
            "a target",
            f"add `target: <number or measure>` to the visual, or `target:` to measure {value!r}",
        )
    if any(b <= 0 for b in v.bands) or list(v.bands) != sorted(v.bands):
        s.problems.append(
            Problem(
                "invalid-value",
                f"bands must be positive fractions of the target in ascending order, got "
                f"{list(v.bands)}",
                "visual.bands",
                hint="e.g. `bands: [0.6, 0.9]`",
            )
        )
    s.all_drawn({category}, "one bullet per category")
    if value is None or target is None:
        return UNRESOLVED
    return Bullet(
        category=category, value=value, target=target, bands=tuple(v.bands), title=v.title
    )


def _heatmap(s: _Scope, v: HeatmapVisual) -> ResolvedVisual:
    x = s.category(v.x, "x", s.first_dim(prefer_time=True))
    y = s.category(v.y, "y", s.first_dim(skip=(x,)))
    color = s.quantity(v.color, "color", s.first_number())
    if x is None or y is None:
        s.missing("two dimensions, one for x and one for y", "add a second dimension")
    if color is None:
        s.missing("a numeric measure for the cell colour", "add a measure")
    s.all_drawn({x, y}, "x and y")
    if x is None or y is None or color is None:
        return UNRESOLVED
    return Heatmap(x=x, y=y, color=color, labels=v.labels, title=v.title)


def _scatter(s: _Scope, v: ScatterVisual) -> ResolvedVisual:
    numeric = s.numeric()
    x = s.quantity(v.x, "x", numeric[0] if numeric else None)
    y = s.quantity(v.y, "y", next((n for n in numeric if n != x), None))
    size = s.quantity(v.size, "size", None)
    if x is None or y is None:
        s.missing("two numeric measures, one for x and one for y", "add a second measure")
        return UNRESOLVED
    return Scatter(x=x, y=y, size=size, color=v.color, title=v.title)


def _pareto(s: _Scope, v: ParetoVisual) -> ResolvedVisual:
    x = s.category(v.x, "x", s.first_dim())
    y = s.quantity(v.y, "y", s.first_number())
    if x is None:
        s.missing("a dimension for its bars", "add a dimension such as `product`")
    if y is None:
        s.missing("a numeric measure for the bar heights", "add a measure")
    s.all_drawn({x}, "one bar per category")
    if x is None or y is None:
        return UNRESOLVED
    return Pareto(x=x, y=y, title=v.title)


def _table(s: _Scope, v: TableVisual) -> ResolvedVisual:
    rules = []
    for i, rule in enumerate(v.highlight):
        s.quantity(rule.column, f"highlight[{i}].column", None)
        if rule.below is None and rule.above is None:
            s.problems.append(
                Problem(
                    "missing-key",
                    "a highlight rule needs `below` or `above`",
                    f"visual.highlight[{i}]",
                    hint="e.g. `{column: attainment, below: 1, style: bad}`",
                )
            )
        rules.append(HighlightRule(rule.column, rule.style, rule.below, rule.above))
    return Table(columns=tuple(v.columns or ()), title=v.title, highlights=tuple(rules))


__all__ = ["default_visual", "resolve_visual"]
