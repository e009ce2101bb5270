"""Notebook display: what Jupyter gets from `_repr_mimebundle_` without any extra call.

A result shows its chart (an SVG image drawn by vl-convert, so no JavaScript and no network)
with its table; a dashboard shows its page the same way; an Altair chart keeps Altair's own
display.
"""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET

import altair as alt
import pandas as pd
import pytest

from crmreports import Dashboard, Report

SVG_URI = re.compile(r'<img class="chart-image" src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"')
HOSTILE = "<script>alert(1)</script>"


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {"customer": ["ann", HOSTILE, "ann", "bo"], "amount": [10.0, 20.0, 5.0, 7.5]}
    )


BAR = """
name: by_customer
title: Revenue by customer
dimensions: [customer]
measures: [{name: revenue, agg: sum, field: amount, format: currency}]
"""


def _svgs(html: str) -> list[ET.Element]:
    return [ET.fromstring(base64.b64decode(data)) for data in SVG_URI.findall(html)]


def test_report_result_bundle_has_html_and_text() -> None:
    result = Report.from_yaml(BAR).run(_frame())
    bundle = result._repr_mimebundle_()
    assert set(bundle) == {"text/html", "text/plain"}
    assert bundle["text/plain"] == repr(result)
    html = bundle["text/html"]
    assert html.startswith('<div class="crm-dash">')
    assert "<script" not in html  # drawn already: nothing to run, works in untrusted notebooks
    (svg,) = _svgs(html)
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    texts = {t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")}
    assert HOSTILE in texts  # the value as SVG text, escaped in the markup
    assert '<h2 id="title-0">Revenue by customer</h2>' in html
    assert "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>" in html
    assert '<td class="num">$15.00</td>' in html
    assert "<details><summary>Data (3 rows)</summary>" in html
    assert "Generated" not in html  # a single result shows no dashboard header


def test_bundle_honours_include_and_exclude() -> None:
    result = Report.from_yaml(BAR).run(_frame())
    assert set(result._repr_mimebundle_(include=["text/plain"])) == {"text/plain"}
    assert set(result._repr_mimebundle_(exclude=["text/html"])) == {"text/plain"}
    assert result._repr_html_() == result._repr_mimebundle_()["text/html"]


def test_table_report_bundle_shows_the_table_only() -> None:
    spec = BAR + "visual: {kind: table}\n"
    html = Report.from_yaml(spec).run(_frame())._repr_mimebundle_()["text/html"]
    assert not _svgs(html)
    assert "<table>" in html and "<details>" not in html


def test_altair_chart_keeps_its_own_display() -> None:
    chart = Report.from_yaml(BAR).run(_frame()).chart()
    with alt.renderers.enable("mimetype"):
        bundle = chart._repr_mimebundle_()
    bundle = bundle[0] if isinstance(bundle, tuple) else bundle
    vegalite = next(v for k, v in bundle.items() if k.startswith("application/vnd.vegalite"))
    rows = next(iter(vegalite["datasets"].values()))
    assert {r["customer"] for r in rows} == {"ann", "bo", HOSTILE}


def test_dashboard_bundle_is_the_page_without_scripts() -> None:
    board = Dashboard.from_dict(
        {
            "title": "Board <b>1</b>",
            "items": [
                {"kind": "kpi", "report": {"name": "t", "measures": [
                    {"name": "revenue", "agg": "sum", "field": "amount", "format": "currency"}
                ]}},
                {"report": BAR_DICT, "width": 8},
            ],
        }
    )  # fmt: skip
    result = board.run(_frame(), as_of="2024-06-30")
    bundle = result._repr_mimebundle_()
    assert set(bundle) == {"text/html", "text/plain"}
    assert bundle["text/plain"].startswith("<DashboardResult 'Board <b>1</b>' as of 2024-06-30")
    html = bundle["text/html"]
    assert "<script" not in html and "<b>" not in html
    assert "<h1>Board &lt;b&gt;1&lt;/b&gt;</h1>" in html
    assert "data as of <time>2024-06-30</time>" in html
    assert '<p class="kpi-value">$42.50</p>' in html
    assert len(_svgs(html)) == 1
    # the styles are scoped, so they cannot restyle the notebook around the output
    style = re.sub(r"/\*.*?\*/", "", html.split("<style>", 1)[1].split("</style>", 1)[0])
    rules = [r for r in re.findall(r"([^{}]+)\{", style) if "@media" not in r]
    selectors = [part.strip() for rule in rules for part in rule.split(",")]
    assert selectors and all(s.startswith(".crm-dash") for s in selectors), selectors


BAR_DICT = {
    "name": "by_customer",
    "dimensions": ["customer"],
    "measures": [{"name": "revenue", "agg": "sum", "field": "amount"}],
}


@pytest.mark.parametrize("kind", ["line", "bar"])
def test_chart_images_are_sized_for_a_notebook(kind: str) -> None:
    frame = pd.DataFrame(
        {"day": pd.to_datetime(["2024-01-01", "2024-02-01"]), "amount": [1.0, 2.0]}
    )
    spec = (
        f"name: k\ndimensions: [{{field: day, grain: month}}]\n"
        f"measures: [{{name: total, agg: sum, field: amount}}]\n"
        f"visual: {{kind: {kind}, x: day, y: total}}\n"
    )
    (svg,) = _svgs(Report.from_yaml(spec).run(frame)._repr_html_())
    assert 640 <= float(svg.get("width", "0")) <= 900
