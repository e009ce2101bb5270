"""Every visual kind is handled everywhere: the spec's kinds, the resolved types and the chart
families agree, and each resolved type says which columns it draws."""

from __future__ import annotations

from typing import get_args

import pytest

from crmreports.resolve import (
    VISUAL_KINDS,
    Bullet,
    Funnel,
    Heatmap,
    Kpi,
    MeasureFunnel,
    Pareto,
    Pie,
    ResolvedVisual,
    Scatter,
    Table,
    VisualKind,
    XYVisual,
)
from crmreports.spec import VISUAL_KINDS as SPEC_KINDS
from tests.visual_cases import KINDS, run


def test_resolved_kinds_are_the_spec_kinds() -> None:
    # both lists are read from their unions; written out here once to pin them
    kinds = {
        "line", "area", "bar", "pie", "donut", "kpi", "funnel", "bullet", "heatmap", "scatter",
        "pareto", "table",
    }  # fmt: skip
    assert kinds == SPEC_KINDS == VISUAL_KINDS == set(get_args(VisualKind))


def test_every_kind_has_a_case_that_draws() -> None:
    # the shared cases exercise every chart family's match arm
    assert set(KINDS) >= VISUAL_KINDS


@pytest.mark.parametrize("kind", sorted(VISUAL_KINDS))
def test_each_kind_resolves_to_its_own_type(kind: str) -> None:
    visual = run(KINDS[kind]).resolved.visual
    assert visual.kind == kind
    assert isinstance(visual, get_args(ResolvedVisual))


DRAWS: list[tuple[ResolvedVisual, set[str]]] = [
    (XYVisual(kind="bar", x="a", y="b", color="c", reference="t"), {"a", "b", "c", "t"}),
    (XYVisual(kind="line", x="a", y="b", reference=0.5), {"a", "b"}),
    (Pareto(x="a", y="b"), {"a", "b"}),
    (Heatmap(x="a", y="b", color="c"), {"a", "b", "c"}),
    (Scatter(x="a", y="b", size="s"), {"a", "b", "s"}),
    (Pie(kind="donut", category="a", value="b"), {"a", "b"}),
    # a KPI reads its time dimension (the latest period) even without a sparkline
    (Kpi(value="v", compare="p", time="t"), {"v", "p", "t"}),
    (Funnel(stage="a", value="b"), {"a", "b"}),
    (MeasureFunnel(values=("a", "b")), {"a", "b"}),
    (Bullet(category=None, value="v", target="t", bands=(0.5,)), {"v", "t"}),
    (Table(columns=("a", "b")), {"a", "b"}),
]


@pytest.mark.parametrize(("visual", "drawn"), DRAWS, ids=lambda v: getattr(v, "kind", ""))
def test_draws_names_exactly_its_channels(visual: ResolvedVisual, drawn: set[str]) -> None:
    names = {"a", "b", "c", "p", "s", "t", "v", "z"}
    assert {n for n in names if visual.draws(n)} == drawn


def test_every_resolved_type_is_in_the_draws_cases() -> None:
    assert {type(v) for v, _ in DRAWS} == set(get_args(ResolvedVisual))


def test_a_table_without_columns_draws_every_column() -> None:
    assert Table().draws("anything")
    assert Table().columns == () == Kpi(value="v").columns  # the table under a chart shows all
