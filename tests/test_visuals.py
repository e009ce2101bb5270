"""Visual kinds: valid Vega-Lite, stable output, formats, colours, defaults and the numbers
charts print (KPI change, funnel conversion, Pareto shares), checked against hand calculation.

Snapshots live in tests/snapshots/; rewrite them with `pytest --update-snapshots` after an
intended change, then review the diff.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import altair as alt
import jsonschema
import pandas as pd
import pytest
import vl_convert

from crmreports import Report
from crmreports.render import assign_colors, build_chart, display_table
from crmreports.render.charts.common import text_field
from crmreports.render.charts.funnel import stages
from crmreports.render.charts.pareto import CUMULATIVE, ranked
from crmreports.render.colors import MUTED, PALETTE
from crmreports.render.formats import (
    NumberStyle,
    dimension_formatter,
    format_number,
    format_tick,
    format_time,
    number_expr,
)
from crmreports.resolve import Calendar, ResolvedDimension
from crmreports.resolve.types import DataType
from crmreports.spec import Format, Grain
from crmreports.spec.formula import Ref
from tests.visual_cases import KINDS, run, tables

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
VL_VERSION = alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0]


@cache
def _validator() -> Any:
    """jsonschema's validator for the Vega-Lite schema file Altair ships."""
    path = Path(alt.__file__).parent / "vegalite" / "v6" / "schema" / "vega-lite-schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


@cache
def _spec(kind: str) -> dict[str, Any]:
    return run(KINDS[kind]).chart().to_dict()


# --- 1. every kind is valid Vega-Lite --------------------------------------------------------


@pytest.mark.parametrize("kind", list(KINDS))
def test_vega_lite_is_valid(kind: str) -> None:
    chart = run(KINDS[kind]).chart()
    spec = chart.to_dict(validate=True)  # Altair's own validation
    errors = sorted(_validator().iter_errors(spec), key=str)
    assert not errors, errors[0].message


@pytest.mark.parametrize("kind", list(KINDS))
def test_vega_renders_every_kind(kind: str) -> None:
    """Valid JSON is not enough: Vega itself draws the chart (no errors, some marks)."""
    svg = vl_convert.vegalite_to_svg(_spec(kind), vl_version=VL_VERSION)
    assert 'role="graphics-symbol"' in svg or "<path" in svg


@pytest.mark.parametrize("kind", list(KINDS))
def test_snapshot(kind: str, update_snapshots: bool) -> None:
    path = SNAPSHOTS / f"{kind}.json"
    text = json.dumps(_spec(kind), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if update_snapshots:
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no snapshot {path.name}: run pytest --update-snapshots"
    assert text == path.read_text(encoding="utf-8"), (
        f"{kind} chart differs from {path.name}; if intended, run pytest --update-snapshots"
    )


def _units(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every single-view spec (those with a mark), however deeply layered."""
    if "mark" in spec:
        return [spec]
    return [u for child in spec.get("layer", []) for u in _units(child)]


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_mark_has_a_tooltip(kind: str) -> None:
    for unit in _units(_spec(kind)):
        assert "tooltip" in unit.get("encoding", {}), f"{kind}: a {unit['mark']} has no tooltip"


@pytest.mark.parametrize("kind", list(KINDS))
def test_charts_embed_only_result_rows(kind: str) -> None:
    """The embedded data grows with the result, never with the 30 input orders."""
    result = run(KINDS[kind])
    datasets = _spec(kind)["datasets"].values()
    per_row = 4  # a bullet draws each result row with its bands (3) and itself
    assert all(len(rows) <= per_row * len(result) + 1 for rows in datasets)


# --- 2. formats: one module for tables, tooltips, labels and axes ------------------------------

NUMBERS = [
    (1234.5, Format.CURRENCY, "EUR", None, "€1,234.50"),
    (-1234.5, Format.CURRENCY, "GBP", None, "-£1,234.50"),
    (1234.5, Format.CURRENCY, "JPY", None, "¥1,235"),
    (1234.5, Format.CURRENCY, "CHF", None, "CHF 1,234.50"),
    (1234.5, Format.CURRENCY, None, None, "$1,234.50"),
    (1_234_567, Format.COMPACT, None, None, "1.2M"),
    (1_234_567, Format.COMPACT, "EUR", None, "€1.2M"),
    (999_950, Format.COMPACT, None, None, "1M"),
    (12_345, Format.COMPACT, None, None, "12.3K"),
    (2_500_000_000, Format.COMPACT, None, None, "2.5B"),
    (-1_500, Format.COMPACT, None, None, "-1.5K"),
    (999, Format.COMPACT, None, None, "999"),
    (36.25, Format.DURATION, None, "hours", "36.3 h"),
    (2.0, Format.DURATION, None, "days", "2 d"),
    (1.25, Format.DURATION, None, "days", "1.3 d"),
    (0.1234, Format.PERCENT, None, None, "12.3%"),
    (1, Format.PERCENT, None, None, "100.0%"),
    (-0.05, Format.PERCENT, None, None, "-5.0%"),
    (1234.5, Format.INTEGER, None, None, "1,235"),
    (1234, Format.NUMBER, None, None, "1,234"),
    (1234.567, Format.NUMBER, None, None, "1,234.57"),
    (-0.001, Format.NUMBER, None, None, "0.00"),
    (None, Format.CURRENCY, "EUR", None, "–"),
]


@pytest.mark.parametrize(("value", "fmt", "currency", "unit", "expected"), NUMBERS)
def test_format_number(
    value: float | None, fmt: Format, currency: str | None, unit: str | None, expected: str
) -> None:
    assert format_number(value, fmt, currency=currency, unit=unit) == expected


TICKS = [
    (1_250_000, NumberStyle(Format.COMPACT, "USD"), "$1.25M"),
    (0.125, NumberStyle(Format.PERCENT), "12.5%"),
    (2500, NumberStyle(Format.CURRENCY, "EUR"), "€2,500"),
    (2.5, NumberStyle(Format.CURRENCY, "GBP"), "£2.5"),
    (2.5, NumberStyle(Format.DURATION, unit="hours"), "2.5 h"),
    (40, NumberStyle(Format.DURATION, unit="days"), "40 d"),
    (-3000, NumberStyle(Format.INTEGER), "-3,000"),
]


@pytest.mark.parametrize(("value", "style", "expected"), TICKS)
def test_format_tick(value: float, style: NumberStyle, expected: str) -> None:
    assert format_tick(value, style) == expected


STYLES = [
    NumberStyle(Format.CURRENCY, "EUR"),
    NumberStyle(Format.CURRENCY, "JPY"),
    NumberStyle(Format.CURRENCY, "SEK"),
    NumberStyle(Format.COMPACT, "GBP"),
    NumberStyle(Format.COMPACT),
    NumberStyle(Format.PERCENT),
    NumberStyle(Format.DURATION, unit="hours"),
    NumberStyle(Format.DURATION, unit="days"),
    NumberStyle(Format.INTEGER),
    NumberStyle(Format.NUMBER),
]
TICK_VALUES = [-1500, 0, 0.125, 2.5, 999.995, 12_500, 1_250_000, 3e9]


@pytest.mark.parametrize("style", STYLES, ids=lambda s: f"{s.format.value}-{s.currency or s.unit}")
def test_axis_labels_in_the_browser_match_python(style: NumberStyle) -> None:
    """Vega writes axis ticks with `number_expr`; they read exactly as `format_tick` says."""
    data = pd.DataFrame({"v": TICK_VALUES})
    axis = alt.Axis(labelExpr=number_expr(style), values=TICK_VALUES, title=None)
    chart = alt.Chart(data).mark_point().encode(y=alt.Y("v:Q", axis=axis))
    svg = vl_convert.vegalite_to_svg(chart.to_dict(), vl_version=VL_VERSION)
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert labels == [format_tick(v, style) for v in TICK_VALUES]


def _time_dim(grain: Grain) -> ResolvedDimension:
    return ResolvedDimension("d", "D", Ref("d"), DataType.DATE, DataType.DATE, grain=grain)


def test_time_labels_by_grain() -> None:
    day = dt.date(2025, 1, 1)
    assert format_time(day, Grain.MONTH) == "Jan 2025"
    assert format_time(day, Grain.QUARTER) == "2025-Q1"
    assert format_time(day, Grain.YEAR) == "2025"
    fiscal = Calendar(fiscal_year_start=10)
    october = dt.date(2024, 10, 1)
    assert dimension_formatter(_time_dim(Grain.FISCAL_YEAR), fiscal)(october) == "FY2025"
    assert dimension_formatter(_time_dim(Grain.FISCAL_QUARTER), fiscal)(october) == "FY2025-Q1"


def test_formats_reach_tables_tooltips_and_axes() -> None:
    result = run(KINDS["line"])  # revenue in EUR
    table = display_table(result.to_pandas(), result.resolved)
    revenue = table.headers.index("Revenue")
    assert all(row[revenue].startswith("€") for row in table.rows)
    spec = result.chart().to_dict()
    line = _units(spec)[0]
    rows = spec["datasets"][line["data"]["name"]]
    tooltip_texts = sorted(r[text_field("revenue")] for r in rows)
    assert tooltip_texts == sorted(row[revenue] for row in table.rows)
    assert "'€'" in line["encoding"]["y"]["axis"]["labelExpr"]
    month = {r[text_field("order_date")] for r in rows}
    assert month == {"Jan 2024", "Feb 2024", "Mar 2024"}


def test_report_currency_is_the_default_for_money() -> None:
    spec = KINDS["pareto"].replace("name: pareto_case", "name: pareto_case\ncurrency: EUR")
    result = Report.from_yaml(spec).run(tables())
    assert result.resolved.measure("revenue").currency == "EUR"
    cells = display_table(result.to_pandas(), result.resolved).rows
    assert all(row[1].startswith("€") for row in cells)


def test_windows_inherit_currency_and_unit() -> None:
    spec = """
name: running
source: orders
dimensions: [{field: order_date, grain: month}]
measures:
  - {name: revenue, agg: sum, field: amount, currency: GBP}
  - {name: to_date, of: revenue, running: {}}
  - {name: growth, of: revenue, compare: {offset: 1 period}}
"""
    resolved = Report.from_yaml(spec).run(tables()).resolved
    assert (resolved.measure("to_date").format, resolved.measure("to_date").currency) == (
        Format.CURRENCY,
        "GBP",
    )
    assert resolved.measure("growth").format is Format.PERCENT


def test_target_draws_a_reference_line() -> None:
    spec = _spec("line")  # revenue has target: 1500
    rules = [u for u in _units(spec) if u["mark"]["type"] == "rule"]
    assert len(rules) == 1
    rows = spec["datasets"][rules[0]["data"]["name"]]
    assert rows == [{"reference": 1500.0, text_field("reference"): "Target: €1,500.00"}]


def test_reference_can_be_a_measure() -> None:
    spec = """
name: with_goal
source: orders
dimensions: [channel]
measures:
  - {name: revenue, agg: sum, field: amount}
  - {name: goal, agg: avg, field: amount}
visual: {kind: bar, reference: goal}
"""
    chart = Report.from_yaml(spec).run(tables()).chart().to_dict()
    ticks = [u for u in _units(chart) if u["mark"]["type"] == "tick"]
    assert [t["encoding"]["y"]["field"] for t in ticks] == ["goal"]


# --- 3. colours: one per category value across the charts of a page --------------------------


def _scale(spec: dict[str, Any]) -> dict[str, str]:
    for unit in _units(spec):
        color = unit.get("encoding", {}).get("color", {})
        if "scale" in color and "range" in color["scale"]:
            return dict(zip(color["scale"]["domain"], color["scale"]["range"], strict=True))
    raise AssertionError("no categorical colour scale")


def test_one_colour_per_value_across_charts() -> None:
    by_channel = Report.from_yaml(KINDS["pie"]).run(tables())
    # the same channels in another order, in another kind of chart
    bars = KINDS["bar"].replace("[channel, status]", "[status, channel]")
    bars = bars.replace("x: channel, y: orders, color: status", "x: status, color: channel")
    by_status = Report.from_yaml(bars).run(tables())
    shared: dict[str, str] = {}
    first = _scale(by_channel.chart(colors=shared).to_dict())
    second = _scale(by_status.chart(colors=shared).to_dict())
    assert set(first) == set(second) == set(shared) == {"Online", "Retail", "Phone"}
    assert first == second
    assert len(set(first.values())) == 3


def test_colours_without_a_shared_mapping_follow_first_appearance() -> None:
    frame = run(KINDS["pie"]).to_pandas()
    spec = build_chart(frame, run(KINDS["pie"]).resolved).to_dict()
    scale = _scale(spec)
    assert list(scale.values()) == list(PALETTE[: len(scale)])


def test_assign_colors() -> None:
    shared: dict[str, str] = {}
    assign_colors(["a", "b", None, "Other"], shared)
    assert shared == {"a": PALETTE[0], "b": PALETTE[1], "None": PALETTE[2], "Other": MUTED}
    assign_colors(["b", "c"], shared)
    assert shared["b"] == PALETTE[1] and shared["c"] == PALETTE[3]
    # past the palette, colours repeat across the page but never within one chart
    many = [f"v{i}" for i in range(12)]
    assign_colors(many, shared)
    assert len({shared[v] for v in many[:9]}) == 9
    fresh: dict[str, str] = {}
    assign_colors(["(null)", "x"], fresh)
    assert fresh == {"(null)": MUTED, "x": PALETTE[0]}


# --- 4. the numbers charts print, against hand calculation -----------------------------------


def _row(spec: dict[str, Any], field: str) -> dict[str, Any]:
    return next(r for rows in spec["datasets"].values() for r in rows if field in r)


def test_kpi_shows_the_latest_period_and_its_change() -> None:
    frame = tables()["orders"]
    by_month = frame.groupby(frame.order_date.dt.month).amount.sum()
    march, february = by_month[3], by_month[2]
    card = _row(_spec("kpi"), "number")
    assert card["number"] == format_number(march, Format.CURRENCY)
    assert card["caption"] == "Revenue · Mar 2024"
    change = (march - february) / february
    arrow = "▲" if change > 0 else "▼"
    sign = "+" if change > 0 else ""
    assert card["change"] == f"{arrow} {sign}{change:.1%} vs Previous"
    texts = [u for u in _units(_spec("kpi")) if u["mark"]["type"] == "text"]
    colour = next(u["mark"]["color"] for u in texts if u["encoding"]["text"]["field"] == "change")
    assert colour == ("#2e7d32" if change > 0 else "#c62828")  # higher is better


def test_kpi_change_colour_follows_direction() -> None:
    spec = KINDS["kpi"].replace("higher_is_better", "lower_is_better")
    chart = Report.from_yaml(spec).run(tables()).chart().to_dict()
    card = _row(chart, "change")
    texts = [u for u in _units(chart) if u["mark"]["type"] == "text"]
    colour = next(u["mark"]["color"] for u in texts if u["encoding"]["text"]["field"] == "change")
    rising = card["change"].startswith("▲")
    assert colour == ("#c62828" if rising else "#2e7d32")


def test_kpi_shows_a_percent_change_measure_as_is() -> None:
    spec = """
name: fiscal_kpi
source: orders
time: {fiscal_year_start: 2}
dimensions: [{field: order_date, grain: fiscal_quarter}]
measures:
  - {name: revenue, agg: sum, field: amount}
  - {name: growth, of: revenue, compare: {offset: 1 period}}
visual: {kind: kpi, compare: growth, sparkline: true}
"""
    by_month = tables()["orders"].groupby(tables()["orders"].order_date.dt.month).amount.sum()
    # fiscal quarters start in February: January is FY2024-Q4, February and March FY2025-Q1
    growth = (by_month[2] + by_month[3]) / by_month[1] - 1
    card = _row(Report.from_yaml(spec).run(tables()).chart().to_dict(), "number")
    assert card["caption"] == "Revenue · FY2025-Q1"
    assert card["change"] == f"▲ +{growth:.1%} vs previous period"


def test_kpi_shows_the_total_row() -> None:
    spec = """
name: total_kpi
source: orders
dimensions: [channel]
totals: true
measures: [{name: revenue, agg: sum, field: amount, format: compact}]
visual: {kind: kpi}
"""
    card = _row(Report.from_yaml(spec).run(tables()).chart().to_dict(), "number")
    assert card["number"] == "8.3K"  # 8,295 over all 30 orders
    assert tables()["orders"].amount.sum() == 8295


def test_kpi_without_dimensions_is_the_default_for_one_measure() -> None:
    spec = "name: total\nsource: orders\nmeasures: [{name: revenue, agg: sum, field: amount}]\n"
    result = Report.from_yaml(spec).run(tables())
    assert result.resolved.visual.kind == "kpi"
    card = _row(result.chart().to_dict(), "number")
    assert card["number"] == format_number(tables()["orders"].amount.sum(), Format.NUMBER)


def test_funnel_conversion_between_stages() -> None:
    result = run(KINDS["funnel"])
    canvas_frame = stages_of(result)
    # hand-calculated from campaigns(): 20,000 sent, 19,200 delivered, 7,500 opened, 800 clicked
    assert list(canvas_frame["value"]) == [20_000, 19_200, 7_500, 800]
    assert list(canvas_frame[text_field("step")]) == ["–", "96.0%", "39.1%", "10.7%"]
    assert list(canvas_frame[text_field("overall")]) == ["100.0%", "96.0%", "37.5%", "4.0%"]
    labels = ["20,000", "19,200 · 96.0%", "7,500 · 39.1%", "800 · 10.7%"]
    assert list(canvas_frame["label"]) == labels


def stages_of(result: Any) -> pd.DataFrame:
    from crmreports.render.charts.common import Canvas, chart_data

    data = chart_data(result.to_pandas(), result.resolved)
    return stages(Canvas(result.resolved, data))


def test_pareto_cumulative_share() -> None:
    data = pd.DataFrame({"reason": ["b", "Other", "a", "c"], "n": [30.0, 50.0, 60.0, 10.0]})
    out = ranked(data, "reason", "n")
    assert list(out["reason"]) == ["a", "b", "c", "Other"]  # largest first, Other last
    assert list(out[CUMULATIVE]) == pytest.approx([60 / 150, 90 / 150, 100 / 150, 1.0])
    assert list(out[text_field(CUMULATIVE)]) == ["40.0%", "60.0%", "66.7%", "100.0%"]


def test_table_highlights_and_totals() -> None:
    result = run(KINDS["table"])
    table = display_table(result.to_pandas(), result.resolved)
    frame = tables()["tickets"]
    mean = frame.groupby("priority").response_hours.mean()
    expected = {p: ("bad" if mean[p] > 6 else "") for p in mean.index}
    response = table.headers.index("Response")
    for row, styles, kind in zip(table.rows, table.styles, table.kinds, strict=True):
        if kind == "detail":
            assert styles[response] == expected[row[0]]
            assert row[response] == format_number(mean[row[0]], Format.DURATION, unit="hours")
    assert table.kinds[-1] == "total" and table.rows[-1][0] == "Total"
    page = result.to_html()
    assert 'class="num bad"' in page or not any(expected.values())


# --- 5. defaults when `visual` is omitted -------------------------------------------------------


@pytest.mark.parametrize(
    ("dimensions", "measures", "kind"),
    [
        ("[{field: order_date, grain: month}]", "[{name: n, agg: count}]", "line"),
        ("[{field: order_date, grain: month}, channel]", "[{name: n, agg: count}]", "line"),
        ("[channel]", "[{name: n, agg: count}]", "bar"),
        ("[channel, status]", "[{name: n, agg: count}]", "bar"),
        ("[channel, status, product]", "[{name: n, agg: count}]", "table"),
        ("[]", "[{name: n, agg: count}]", "kpi"),
        ("[]", "[{name: n, agg: count}, {name: r, agg: sum, field: amount}]", "table"),
        ("[channel]", "[{name: first, agg: min, field: order_date}]", "table"),
    ],
)
def test_default_visual(dimensions: str, measures: str, kind: str) -> None:
    spec = f"name: d\nsource: orders\ndimensions: {dimensions}\nmeasures: {measures}\n"
    result = Report.from_yaml(spec).run(tables())
    assert result.resolved.visual.kind == kind
    result.chart().to_dict(validate=True)


def test_visual_specs_round_trip() -> None:
    for spec in KINDS.values():
        report = Report.from_yaml(spec)
        assert Report.from_yaml(report.to_yaml()) == report


@pytest.mark.parametrize("kind", list(KINDS))
def test_an_empty_result_still_draws(kind: str) -> None:
    """A filter that matches nothing gives an empty chart, never an exception."""
    spec = KINDS[kind]
    source = re.search(r"source: (\w+)", spec)
    assert source is not None
    column = {"orders": "amount", "campaigns": "sent", "tickets": "response_hours"}[source[1]]
    nothing = f"filters: [{{field: {column}, op: lt, value: -1}}]\n"
    spec = spec.replace(f"source: {source[1]}\n", f"source: {source[1]}\n{nothing}")
    chart = Report.from_yaml(spec).run(tables()).chart().to_dict(validate=True)
    vl_convert.vegalite_to_svg(chart, vl_version=VL_VERSION)
