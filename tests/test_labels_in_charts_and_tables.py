"""One label, one mark: rows the frame keeps apart stay apart in the HTML table and in every
chart kind (Vega-Lite draws rows with the same label as one mark: one bar, one slice).

The cases: a top-N bucket beside a real "Other", a null category beside a real "(null)"
text, and a subtotal row whose dimension is a real null beside one that spans all values.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from crmreports import Report

VISUALS: dict[str, dict[str, Any]] = {
    "bar": {"kind": "bar", "x": "channel", "y": "revenue"},
    "bar_horizontal": {"kind": "bar", "x": "channel", "y": "revenue", "horizontal": True},
    "bar_stacked": {"kind": "bar", "x": "region", "y": "revenue", "color": "channel"},
    "line": {"kind": "line", "x": "channel", "y": "revenue"},
    "area": {"kind": "area", "x": "region", "y": "revenue", "color": "channel"},
    "pie": {"kind": "pie", "category": "channel", "value": "revenue"},
    "donut": {"kind": "donut", "category": "channel", "value": "revenue"},
    "funnel": {"kind": "funnel", "stage": "channel", "value": "revenue"},
    "bullet": {"kind": "bullet", "category": "channel", "value": "revenue", "target": 10},
    "heatmap": {"kind": "heatmap", "x": "region", "y": "channel", "color": "revenue"},
    "scatter": {"kind": "scatter", "x": "revenue", "y": "orders", "color": "channel"},
    "pareto": {"kind": "pareto", "x": "channel", "y": "revenue"},
}


def _frame(constructor: Any, channels: list[str | None]) -> Any:
    n = len(channels)
    return constructor(
        {"channel": channels, "region": ["EU"] * n, "amount": [float(i + 1) for i in range(n)]},
        {"channel": pa.string(), "region": pa.string(), "amount": pa.float64()},
    )


def _report(visual: dict[str, Any], channel: dict[str, Any]) -> Report:
    dims: list[Any] = [channel] if "region" not in visual.values() else ["region", channel]
    return Report.from_dict(
        {
            "name": "t",
            "dimensions": dims,
            "measures": [
                {"name": "revenue", "agg": "sum", "field": "amount"},
                {"name": "orders", "agg": "count"},
            ],
            "visual": visual,
        }
    )


def _labels_in_chart(spec: dict[str, Any], field: str) -> list[Any]:
    """Every value of `field` in the chart's data (inline datasets); a funnel calls its
    categories `stage`, a bullet chart `row` (one dataset row per mark in both)."""
    datasets = spec.get("datasets", {}).values()
    rows = [r for data in datasets for r in data if "band" not in r]  # bullet bands: 3 a row
    found = [r[field] for r in rows if field in r]
    return found or [r.get("stage", r.get("row")) for r in rows if "stage" in r or "row" in r]


@pytest.mark.parametrize("kind", list(VISUALS))
def test_the_bucket_and_the_real_other_are_two_marks(constructor: Any, kind: str) -> None:
    # amounts: a 1, a 2, Other 3, b 4, c 5 -> by revenue c 5, b 4, a 3, Other 3; top 2 keeps
    # c and b; a and the real Other fold into the bucket: 3 + 3 = 6
    frame = _frame(constructor, ["a", "a", "Other", "b", "c"])
    channel = {"field": "channel", "top": {"n": 2, "by": "revenue"}}
    result = _report(VISUALS[kind], channel).run(frame)
    labels = set(_labels_in_chart(result.chart().to_dict(), "channel"))
    assert labels == {"b", "c", "Other (all others)"}


@pytest.mark.parametrize("kind", list(VISUALS))
def test_a_kept_other_and_the_bucket_are_two_marks(constructor: Any, kind: str) -> None:
    # Other 10 and c 5 kept; bucket a 1 + a 2 + b 4 = 7
    frame = constructor(
        {
            "channel": ["a", "a", "Other", "b", "c"],
            "region": ["EU"] * 5,
            "amount": [1.0, 2.0, 10.0, 4.0, 5.0],
        },
        {"channel": pa.string(), "region": pa.string(), "amount": pa.float64()},
    )
    channel = {"field": "channel", "top": {"n": 2, "by": "revenue"}}
    result = _report(VISUALS[kind], channel).run(frame)
    labels = _labels_in_chart(result.chart().to_dict(), "channel")
    assert set(labels) == {"Other", "c", "Other (all others)"}
    assert len(labels) == len(set(labels)) or kind in ("pareto",)  # one row per label


@pytest.mark.parametrize("kind", list(VISUALS))
def test_a_null_category_is_not_the_text_null(constructor: Any, kind: str) -> None:
    frame = _frame(constructor, ["(null)", None, "b"])
    result = _report(VISUALS[kind], {"field": "channel"}).run(frame)
    labels = set(_labels_in_chart(result.chart().to_dict(), "channel"))
    # before: both read "(null)", one bar of 1 + 2
    assert labels == {"(null)", "(no value)", "b"}


def test_the_html_table_shows_both_others_and_both_nulls(constructor: Any) -> None:
    frame = _frame(constructor, ["c", "b", "Other", None, "(null)"])
    channel = {"field": "channel", "top": {"n": 4, "by": "revenue"}}
    # amounts 1..5: "(null)" 5, null 4, Other 3, b 2 kept; c 1 folds into the bucket
    result = _report({"kind": "table"}, channel).run(frame)
    cells = [row[0] for row in result.section().table.rows]
    expected = ["(null)", "(no value)", "Other", "b", "Other (all others)"]
    assert sorted(cells) == sorted(expected)
    html = result.to_html()
    assert "Other (all others)" in html and "(no value)" in html


def test_a_null_category_still_reads_null_without_a_clash(constructor: Any) -> None:
    frame = _frame(constructor, [None, "b"])
    result = _report({"kind": "bar", "x": "channel", "y": "revenue"}, {"field": "channel"})
    res = result.run(frame)
    assert set(_labels_in_chart(res.chart().to_dict(), "channel")) == {"(null)", "b"}
    assert sorted(r[0] for r in res.section().table.rows) == ["(null)", "b"]


SUBTOTALS = """
name: t
dimensions: [g, h, k]
subtotals: [g, h]
totals: true
measures: [{name: s, agg: sum, field: v}]
visual: {kind: table}
"""


def test_a_real_null_in_a_subtotal_row_is_not_its_span(constructor: Any) -> None:
    frame = constructor(
        {"g": ["x", "x", "x"], "h": ["p", None, None], "k": ["a", "b", "c"], "v": [1, 2, 3]},
        {"g": pa.string(), "h": pa.string(), "k": pa.string(), "v": pa.int64()},
    )
    result = Report.from_yaml(SUBTOTALS).run(frame)
    rows = result.to_arrow().to_pylist()
    levels = [(r["g"], r["h"], r["k"], r["s"], r["row_type"], r["row_level"]) for r in rows]
    assert levels == [
        ("x", "p", "a", 1, "detail", 3),
        ("x", "p", None, 1, "subtotal", 2),
        ("x", None, "b", 2, "detail", 3),
        ("x", None, "c", 3, "detail", 3),
        ("x", None, None, 5, "subtotal", 2),  # h is a real null: 2 + 3
        ("x", None, None, 6, "subtotal", 1),  # h spans p and null: 1 + 2 + 3
        (None, None, None, 6, "total", 0),
    ]
    table = result.section().table.rows
    # the level-2 subtotal of the null h reads "(null)"; the level-1 subtotal reads Subtotal
    assert table[4][:3] == ("x", "(null)", "Subtotal")
    assert table[5][:3] == ("x", "Subtotal", "")
    assert table[6][:3] == ("Total", "", "")
    assert "row_level" not in result.section().table.headers


def _scale_colors(spec: dict[str, Any]) -> dict[str, str]:
    """value -> colour of the chart's categorical colour scales."""
    found: dict[str, str] = {}

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            scale = node.get("scale")
            if isinstance(scale, dict) and "domain" in scale and "range" in scale:
                found.update(zip(map(str, scale["domain"]), scale["range"], strict=False))
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(spec)
    return found


def test_only_the_bucket_is_grey_and_last_not_a_real_other(constructor: Any) -> None:
    # Other 10 and c 5 kept, bucket a 1 + a 2 + b 4 = 7
    frame = constructor(
        {
            "channel": ["a", "a", "Other", "b", "c"],
            "region": ["EU"] * 5,
            "amount": [1.0, 2.0, 10.0, 4.0, 5.0],
        },
        {"channel": pa.string(), "region": pa.string(), "amount": pa.float64()},
    )
    channel = {"field": "channel", "top": {"n": 2, "by": "revenue"}}
    stacked = _report(VISUALS["bar_stacked"], channel).run(frame)
    colors = _scale_colors(stacked.chart().to_dict())
    assert colors["Other (all others)"] == "#bab0ac"  # the bucket is grey
    assert colors["Other"] != "#bab0ac"  # the real Other is a category like any other
    pareto = _report(VISUALS["pareto"], channel).run(frame)
    order = _labels_in_chart(pareto.chart().to_dict(), "channel")
    # largest first, the bucket last (careless: the real Other, 10, sorted last as a bucket)
    assert list(dict.fromkeys(order)) == ["Other", "c", "Other (all others)"]
