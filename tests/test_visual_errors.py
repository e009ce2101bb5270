"""Visual mistakes give located, actionable problems: a wrong field (with a suggestion), a
channel of the wrong kind (a measure where categories go, text where numbers go), a missing
channel, a dimension no channel draws. One factory per mistake and kind; the message is tested.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from crmreports import Report, SpecError
from crmreports.errors import ERROR_CODES
from tests.visual_cases import tables

HEAD = "name: r\nsource: orders\n"
ONE_DIM = "dimensions: [channel]\n"
TIME = "dimensions: [{field: order_date, grain: month}]\n"
TWO_DIMS = "dimensions: [channel, status]\n"
MEASURES = (
    "measures:\n"
    "  - {name: revenue, agg: sum, field: amount}\n"
    "  - {name: orders, agg: count}\n"
    "  - {name: first, agg: min, field: order_date}\n"
    "  - {name: top_product, agg: max, field: product}\n"
)
ONE, TWO, MONTHLY = (HEAD + dims + MEASURES for dims in (ONE_DIM, TWO_DIMS, TIME))


@dataclass(frozen=True)
class Case:
    name: str
    spec: str
    code: str
    path: str
    fragments: tuple[str, ...]
    suggestion: str | None = None


CASES = [
    # line / area / bar: x, y, color
    Case("line-wrong-y", MONTHLY + "visual: {kind: line, y: revnue}\n",
         "unknown-visual-field", "visual.y",
         ("the visual uses 'revnue', which is not a column of the result",
          "available result columns (5): order_date, revenue, orders, first, top_product"),
         "revenue"),
    Case("line-date-on-y", MONTHLY + "visual: {kind: line, y: first}\n",
         "visual-not-numeric", "visual.y",
         ("`y` of a line chart draws amounts, but 'first' is datetime, not a number",
          "available numeric measures (2): revenue, orders")),
    Case("line-measure-on-x", MONTHLY + "visual: {kind: line, x: orders}\n",
         "visual-needs-dimension", "visual.x",
         ("`x` of a line chart lays out categories, but 'orders' is a measure",
          "available dimensions (1): order_date")),
    Case("line-without-dimension", HEAD + MEASURES + "visual: {kind: line}\n",
         "visual-missing-channel", "visual",
         ("a line chart needs a dimension for x",)),
    Case("area-text-on-y", MONTHLY + "visual: {kind: area, y: top_product}\n",
         "visual-not-numeric", "visual.y",
         ("`y` of an area chart draws amounts, but 'top_product' is string, not a number",)),
    Case("area-undrawn-dimension",
         HEAD + "dimensions: [{field: order_date, grain: month}, channel, status]\n" + MEASURES
         + "visual: {kind: area, color: channel}\n",
         "visual-ambiguous-rows", "visual",
         ("the report has a row per status too, but an area chart draws x and color",)),
    Case("area-wrong-x", MONTHLY + "visual: {kind: area, x: order_dat}\n",
         "unknown-visual-field", "visual.x", ("'order_dat'",), "order_date"),
    Case("area-without-dimension", HEAD + MEASURES + "visual: {kind: area}\n",
         "visual-missing-channel", "visual", ("an area chart needs a dimension for x",)),
    Case("bar-wrong-color", TWO + "visual: {kind: bar, color: stauts}\n",
         "unknown-visual-field", "visual.color", ("'stauts'",), "status"),
    Case("bar-dimension-on-y", TWO + "visual: {kind: bar, y: status}\n",
         "visual-not-numeric", "visual.y",
         ("`y` of a bar chart draws amounts, but 'status' is a dimension",)),
    Case("bar-no-numeric-measure",
         HEAD + ONE_DIM + "measures: [{name: first, agg: min, field: order_date}]\n"
         "visual: {kind: bar}\n",
         "visual-missing-channel", "visual", ("a bar chart needs a numeric measure for y",)),
    Case("bar-wrong-reference", ONE + "visual: {kind: bar, reference: goal}\n",
         "unknown-visual-field", "visual.reference", ("'goal'",)),
    Case("bar-text-reference",
         ONE + "visual: {kind: bar, reference: top_product}\n",
         "visual-not-numeric", "visual.reference", ("'top_product' is string",)),
    # pie / donut
    Case("pie-wrong-category", ONE + "visual: {kind: pie, category: chanel}\n",
         "unknown-visual-field", "visual.category", ("'chanel'",), "channel"),
    Case("pie-text-value", ONE + "visual: {kind: pie, value: top_product}\n",
         "visual-not-numeric", "visual.value", ("`value` of a pie chart draws amounts",)),
    Case("donut-without-dimension", HEAD + MEASURES + "visual: {kind: donut}\n",
         "visual-missing-channel", "visual", ("a donut chart needs a dimension for the slices",)),
    Case("donut-two-dimensions", TWO + "visual: {kind: donut}\n",
         "visual-ambiguous-rows", "visual",
         ("a row per status too, but a donut chart draws one slice per category",)),
    # kpi
    Case("kpi-wrong-compare", MONTHLY + "visual: {kind: kpi, compare: prev}\n",
         "unknown-visual-field", "visual.compare", ("'prev'",)),
    Case("kpi-date-value", HEAD + MEASURES + "visual: {kind: kpi, value: first}\n",
         "visual-not-numeric", "visual.value", ("'first' is datetime",)),
    Case("kpi-sparkline-without-time", HEAD + MEASURES + "visual: {kind: kpi, sparkline: true}\n",
         "visual-missing-channel", "visual",
         ("a kpi chart needs a time dimension for its sparkline",)),
    Case("kpi-per-category", ONE + "visual: {kind: kpi}\n",
         "visual-ambiguous-rows", "visual", ("a row per channel too, but a kpi chart draws one",)),
    # funnel
    Case("funnel-wrong-stage", ONE + "visual: {kind: funnel, stage: stag}\n",
         "unknown-visual-field", "visual.stage", ("'stag'",)),
    Case("funnel-text-stage-value",
         HEAD + MEASURES + "visual: {kind: funnel, values: [revenue, top_product]}\n",
         "visual-not-numeric", "visual.values[1]", ("`values[1]` of a funnel chart",)),
    Case("funnel-one-stage", HEAD + MEASURES + "visual: {kind: funnel, values: [orders]}\n",
         "visual-missing-channel", "visual", ("needs at least two stages",)),
    Case("funnel-both-forms",
         HEAD + MEASURES + "visual: {kind: funnel, stage: orders, values: [orders, revenue]}\n",
         "invalid-value", "visual.values", ("either from `values`",)),
    # bullet
    Case("bullet-without-target", ONE + "visual: {kind: bullet}\n",
         "visual-missing-channel", "visual",
         ("a bullet chart needs a target", "or `target:` to measure 'revenue'")),
    Case("bullet-wrong-target", ONE + "visual: {kind: bullet, target: goal}\n",
         "unknown-visual-field", "visual.target", ("'goal'",)),
    Case("bullet-bad-bands",
         ONE + "visual: {kind: bullet, target: 5, bands: [0.9, 0.5]}\n",
         "invalid-value", "visual.bands", ("ascending order, got [0.9, 0.5]",)),
    Case("bullet-list-target", ONE + "visual: {kind: bullet, target: [1]}\n",
         "invalid-value", "visual.target",
         ("expected a number or the name of a measure, got [1]",)),
    Case("bullet-text-value", ONE + "visual: {kind: bullet, value: top_product, target: 1}\n",
         "visual-not-numeric", "visual.value", ("`value` of a bullet chart draws amounts",)),
    # heatmap
    Case("heatmap-wrong-x", TWO + "visual: {kind: heatmap, x: chanel}\n",
         "unknown-visual-field", "visual.x", ("'chanel'",), "channel"),
    Case("heatmap-one-dimension", ONE + "visual: {kind: heatmap}\n",
         "visual-missing-channel", "visual", ("two dimensions, one for x and one for y",)),
    Case("heatmap-dimension-colour",
         TWO + "visual: {kind: heatmap, color: status}\n",
         "visual-not-numeric", "visual.color", ("'status' is a dimension",)),
    Case("heatmap-measure-on-y", TWO + "visual: {kind: heatmap, y: orders}\n",
         "visual-needs-dimension", "visual.y", ("'orders' is a measure",)),
    # scatter
    Case("scatter-one-measure",
         HEAD + ONE_DIM + "measures: [{name: orders, agg: count}]\nvisual: {kind: scatter}\n",
         "visual-missing-channel", "visual", ("two numeric measures",)),
    Case("scatter-dimension-on-x", ONE + "visual: {kind: scatter, x: channel}\n",
         "visual-not-numeric", "visual.x", ("'channel' is a dimension",)),
    Case("scatter-wrong-size", ONE + "visual: {kind: scatter, size: ordrs}\n",
         "unknown-visual-field", "visual.size", ("'ordrs'",), "orders"),
    # pareto
    Case("pareto-wrong-x", ONE + "visual: {kind: pareto, x: chanel}\n",
         "unknown-visual-field", "visual.x", ("'chanel'",), "channel"),
    Case("pareto-date-y", ONE + "visual: {kind: pareto, y: first}\n",
         "visual-not-numeric", "visual.y", ("'first' is datetime",)),
    Case("pareto-without-dimension", HEAD + MEASURES + "visual: {kind: pareto}\n",
         "visual-missing-channel", "visual", ("a pareto chart needs a dimension for its bars",)),
    Case("pareto-two-dimensions", TWO + "visual: {kind: pareto}\n",
         "visual-ambiguous-rows", "visual", ("one bar per category",)),
    # table
    Case("table-wrong-highlight",
         HEAD + ONE_DIM + MEASURES
         + "visual: {kind: table, highlight: [{column: revnue, below: 1}]}\n",
         "unknown-visual-field", "visual.highlight[0].column", ("'revnue'",), "revenue"),
    Case("table-highlight-without-bound",
         ONE + "visual: {kind: table, highlight: [{column: revenue}]}\n",
         "missing-key", "visual.highlight[0]", ("needs `below` or `above`",)),
    Case("table-highlight-on-text",
         HEAD + ONE_DIM + MEASURES
         + "visual: {kind: table, highlight: [{column: channel, above: 1}]}\n",
         "visual-not-numeric", "visual.highlight[0].column", ("'channel' is a dimension",)),
    # measure presentation
    Case("measure-currency-not-iso",
         HEAD + "measures: [{name: revenue, agg: sum, field: amount, currency: euro}]\n",
         "invalid-value", "measures[0].currency", ("'euro' is not an ISO 4217 currency code",)),
    Case("report-currency-not-iso", HEAD + "currency: Euro\n" + MEASURES,
         "invalid-value", "currency", ("'Euro' is not an ISO 4217 currency code",)),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_visual_problem(case: Case) -> None:
    with pytest.raises(SpecError) as info:
        Report.from_yaml(case.spec).run(tables())
    err = info.value
    assert [p.code for p in err.problems] == [case.code], str(err)
    problem = err.problems[0]
    assert problem.path == case.path
    assert problem.suggestion == case.suggestion
    message = str(err)
    assert f"[code: {case.code}]" in message
    assert case.code in ERROR_CODES
    for fragment in case.fragments:
        assert fragment in message, f"{fragment!r} not in:\n{message}"


def test_wrong_names_are_found_without_data() -> None:
    """`crmreports validate SPEC` (no data) already reports a misspelt channel."""
    report = Report.from_yaml(ONE + "visual: {kind: pie, value: revnue}\n")
    with pytest.raises(SpecError) as info:
        report.check()
    assert info.value.codes == ["unknown-visual-field"]
    assert info.value.problems[0].suggestion == "revenue"


def test_every_visual_problem_at_once() -> None:
    spec = TWO + "visual: {kind: scatter, x: channel, y: first, size: nn}\n"
    with pytest.raises(SpecError) as info:
        Report.from_yaml(spec).run(tables())
    assert sorted(info.value.codes) == [
        "unknown-visual-field",
        "visual-not-numeric",
        "visual-not-numeric",
    ]
    assert "3 problems in report 'r'" in str(info.value)


def test_unknown_kind_lists_every_kind() -> None:
    with pytest.raises(SpecError) as info:
        Report.from_yaml(HEAD + MEASURES + "visual: {kind: guage}\n")
    message = str(info.value)
    assert "available kind values (12)" in message
    assert "bullet" in message and "heatmap" in message


def test_stack_typo_is_one_problem() -> None:
    with pytest.raises(SpecError) as info:
        Report.from_yaml(ONE + "visual: {kind: bar, stack: normalise}\n")
    assert info.value.codes == ["unknown-option"]
    assert info.value.problems[0].suggestion == "normalize"


def test_unknown_visual_key_lists_the_kinds_keys() -> None:
    with pytest.raises(SpecError) as info:
        Report.from_yaml(ONE + "visual: {kind: pie, cat: channel}\n")
    assert "available keys (4): category, kind, title, value" in str(info.value)
