"""The HTML pages in a real browser: charts draw, nothing is fetched, nothing is executed.

Run with `make test-browser` (or `pytest -m browser tests/browser`); the default run deselects them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import yaml

from crmreports import Report

from .conftest import WatchedPage

pytestmark = pytest.mark.browser

OpenPage = Callable[..., WatchedPage]

# Per chart: how many data marks (role graphics-symbol inside g.role-mark) it drew, the svg's
# width and right edge, and its container's width.
CHART_FACTS_JS = """
() => [...document.querySelectorAll('div.chart')].map((chart) => {
  const svg = chart.querySelector('svg');
  const box = svg.getBoundingClientRect();
  return {
    id: chart.id,
    marks: svg.querySelectorAll('g.role-mark [role="graphics-symbol"]').length,
    markKinds: [...new Set([...svg.querySelectorAll('g.role-mark')]
      .map((g) => [...g.classList].find((c) => c.startsWith('mark-'))))],
    svgWidth: box.width,
    svgRight: box.right,
    containerWidth: chart.getBoundingClientRect().width,
  };
})
"""

# Elements sticking out past the viewport's right edge, ignoring the insides of the
# `.table-wrap` scroll containers (wide tables scroll there, not the page).
OVERFLOW_JS = """
(limit) => {
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('.table-wrap') && !el.classList.contains('table-wrap')) continue;
    if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue;
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > limit) {
      out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}`
        + `${el.className && typeof el.className === 'string' ? '.' + el.className : ''}`
        + ` right=${Math.round(box.right)}`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, offenders: out.slice(0, 10)};
}
"""

# Per axis of every chart: its aria-label and its tick labels, in order.
AXIS_LABELS_JS = """
() => [...document.querySelectorAll('div.chart svg g.role-axis')].map((axis) => ({
  axis: (axis.closest('[id^="chart-"]') || {}).id + ' ' + (axis.getAttribute('aria-label') || ''),
  labels: [...axis.querySelectorAll('g.role-axis-label text')].map((t) => t.textContent),
})).filter((axis) => axis.labels.length > 0)
"""

OPEN_ALL_DETAILS_JS = "() => document.querySelectorAll('details').forEach((d) => (d.open = true))"


def _assert_fits(watched: WatchedPage, width: int, state: str) -> None:
    layout = watched.page.evaluate(OVERFLOW_JS, width + 1)
    assert layout["scrollWidth"] <= width + 1 and not layout["offenders"], (
        f"page overflows a {width}px viewport ({state}): scrollWidth={layout['scrollWidth']}, "
        f"elements past the edge: {layout['offenders']}"
    )


def _assert_distinct_tick_labels(watched: WatchedPage) -> None:
    """An axis that prints the same label twice (0, 0, 0, 1, 1) misleads the reader."""
    for axis in watched.page.evaluate(AXIS_LABELS_JS):
        repeated = sorted({label for label in axis["labels"] if axis["labels"].count(label) > 1})
        assert not repeated, f"{axis['axis']}: repeated tick labels {repeated} in {axis['labels']}"


# --- 1. the demo page -------------------------------------------------------------------------


@pytest.mark.parametrize("width", [390, 1440])
def test_demo_page_renders_every_chart(
    open_page: OpenPage, demo_index: Path, artifacts_dir: Path, width: int
) -> None:
    watched = open_page(demo_index, width=width)
    page = watched.page
    # saved first, so a failing run still leaves the picture to look at
    page.screenshot(path=str(artifacts_dir / f"demo-{width}.png"), full_page=True)

    spec_count = page.locator('script[type="application/json"][id^="spec-"]').count()
    charts = page.evaluate(CHART_FACTS_JS)
    assert spec_count > 0
    assert len(charts) == spec_count, f"{len(charts)} charts for {spec_count} specs"
    for chart in charts:
        assert chart["marks"] > 0, f"{chart['id']} drew no data marks: {chart}"
        # width "container": the chart follows its box and never exceeds it
        assert chart["svgWidth"] <= chart["containerWidth"] + 1, f"{chart['id']} too wide: {chart}"
        assert chart["svgRight"] <= width + 1, f"{chart['id']} past the viewport: {chart}"
        assert chart["svgWidth"] >= chart["containerWidth"] * 0.9, (
            f"{chart['id']} does not fill its container: {chart}"
        )

    _assert_distinct_tick_labels(watched)
    _assert_fits(watched, width, "tables folded")

    # Unfolded tables must scroll inside their .table-wrap, never widen the page.
    page.evaluate(OPEN_ALL_DETAILS_JS)
    _assert_fits(watched, width, "tables unfolded")

    assert watched.problems() == []


# --- 2. hostile values stay text --------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    '<img src=x onerror="window.__xss=1">',
    "<script>window.__xss=2</script>",
    "<b>x</b>",
]
HOSTILE_TITLE = 'Injection <b>x</b> <img src=x onerror="window.__xss=3">'
HOSTILE_DESCRIPTION = "Described with <b>x</b> and <script>window.__xss=4</script>"


@pytest.fixture(scope="module")
def hostile_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    customers = [value for count, value in enumerate(HOSTILE, start=1) for _ in range(count)]
    frame = pd.DataFrame({"customer": customers, "amount": range(len(customers))})
    spec = {
        "name": "inj",
        "title": HOSTILE_TITLE,
        "description": HOSTILE_DESCRIPTION,
        "dimensions": ["customer"],
        "measures": [{"name": "n", "agg": "count"}],
    }
    path = tmp_path_factory.mktemp("inj") / "inj.html"
    Report.from_yaml(yaml.safe_dump(spec)).run(frame).to_html(path)
    return path


def _assert_nothing_ran(watched: WatchedPage) -> None:
    page = watched.page
    assert watched.dialogs == [], f"a dialog opened: {watched.dialogs}"
    assert page.evaluate("() => window.__xss === undefined"), "an injected handler ran"
    assert page.locator("img").count() == 0, "an <img> element was created from data"
    assert page.locator("b").count() == 0, "a <b> element was created from data"
    # the page's own scripts only: the Vega bundle, one spec, the embedding script
    assert page.locator("script").count() == 3
    assert page.locator("script:not([type])").count() == 2


def test_hostile_values_are_shown_as_text(open_page: OpenPage, hostile_page: Path) -> None:
    watched = open_page(hostile_page, width=1440)
    page = watched.page
    _assert_nothing_ran(watched)

    assert page.title() == HOSTILE_TITLE
    assert page.locator("h1").inner_text() == HOSTILE_TITLE
    assert page.locator("section h2").inner_text() == HOSTILE_TITLE
    assert page.locator("section p.muted").inner_text() == HOSTILE_DESCRIPTION

    # table cells: exactly the values, as text, with their counts
    page.locator("details summary").click()
    rows = page.locator(".table-wrap tbody tr")
    cells = [tuple(rows.nth(i).locator("td").all_inner_texts()) for i in range(rows.count())]
    assert Counter(cells) == Counter(
        (value, str(count)) for count, value in enumerate(HOSTILE, start=1)
    )

    # chart: axis labels and title are SVG text carrying the literal strings
    svg = page.locator("div.chart svg")
    assert svg.locator('g.role-mark [role="graphics-symbol"]').count() == len(HOSTILE)
    labels = svg.locator("g.role-axis-label text").all_text_contents()
    for value in HOSTILE:
        shown = value in labels or any(
            label.endswith("…") and len(label) > 10 and value.startswith(label[:-1])
            for label in labels  # Vega shortens labels longer than labelLimit (160 px)
        )
        assert shown, f"{value!r} is not an axis label; labels: {labels}"
    assert HOSTILE_TITLE in svg.locator("g.role-title text").all_text_contents()

    # tooltips (vega-tooltip writes HTML): hovering each bar shows the value as text
    tooltip = page.locator("#vg-tooltip-element")
    bars = svg.locator('g.role-mark [role="graphics-symbol"]')
    seen = []
    for i in range(bars.count()):
        page.mouse.move(0, 0)  # the previous tooltip may cover the next bar
        bars.nth(i).hover()
        tooltip.wait_for(state="visible", timeout=5_000)
        seen.append(tooltip.inner_text())
    for value in HOSTILE:
        assert any(value in text for text in seen), f"{value!r} not in tooltips: {seen}"

    _assert_nothing_ran(watched)
    assert watched.problems() == []


# --- 3. a single-report page ------------------------------------------------------------------

MONTHLY = """
name: monthly_revenue
title: Revenue by month
description: Sum of order amounts per calendar month.
dimensions:
  - field: order_date
    grain: month
measures:
  - name: revenue
    agg: sum
    field: amount
    format: currency
visual:
  kind: line
  x: order_date
  y: revenue
"""


@pytest.fixture(scope="module")
def monthly_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dates = pd.date_range("2024-01-01", "2024-06-30", freq="D")
    frame = pd.DataFrame(
        {"order_date": dates, "amount": [(i % 17) * 12.5 + 10 for i in range(len(dates))]}
    )
    path = tmp_path_factory.mktemp("monthly") / "monthly.html"
    Report.from_yaml(MONTHLY).run(frame).to_html(path)
    return path


@pytest.mark.parametrize("width", [390, 1440])
def test_single_report_line_chart(open_page: OpenPage, monthly_page: Path, width: int) -> None:
    watched = open_page(monthly_page, width=width)
    page = watched.page
    charts = page.evaluate(CHART_FACTS_JS)
    assert len(charts) == 1
    chart = charts[0]
    assert {"mark-line", "mark-symbol"} <= set(chart["markKinds"]), chart
    svg = page.locator("div.chart svg")
    assert svg.locator('g.mark-line.role-mark [role="graphics-symbol"]').count() == 1
    assert svg.locator('g.mark-symbol.role-mark [role="graphics-symbol"]').count() == 6  # months
    assert chart["svgWidth"] <= chart["containerWidth"] + 1, chart
    _assert_distinct_tick_labels(watched)
    _assert_fits(watched, width, "single report")
    assert watched.problems() == []


# --- rendering problems found in screenshots, now pinned -------------------------------------


def test_small_counts_have_distinct_tick_labels(
    open_page: OpenPage, tmp_path_factory: pytest.TempPathFactory
) -> None:
    frame = pd.DataFrame({"customer": ["a", "b", "c"]})
    path = tmp_path_factory.mktemp("small") / "small.html"
    spec = "name: small\ndimensions: [customer]\nmeasures: [{name: n, agg: count}]\n"
    Report.from_yaml(spec).run(frame).to_html(path)
    watched = open_page(path, width=1440)
    assert watched.problems() == []
    _assert_distinct_tick_labels(watched)


def test_weekly_bars_fill_their_week(
    open_page: OpenPage, tmp_path_factory: pytest.TempPathFactory
) -> None:
    dates = pd.date_range("2024-10-07", periods=8 * 7, freq="D")
    frame = pd.DataFrame({"created_at": dates})
    spec = """
name: weekly
dimensions: [{field: created_at, grain: week}]
measures: [{name: tickets, agg: count}]
visual: {kind: bar, x: created_at, y: tickets}
"""
    path = tmp_path_factory.mktemp("weekly") / "weekly.html"
    Report.from_yaml(spec).run(frame).to_html(path)
    watched = open_page(path, width=390)
    assert watched.problems() == []
    boxes = watched.page.evaluate(
        """() => [...document.querySelectorAll('div.chart g.role-mark [role="graphics-symbol"]')]
          .map((bar) => bar.getBBox()).map((box) => [box.x, box.width])
          .sort((a, b) => a[0] - b[0])"""
    )
    assert len(boxes) == 8
    slot = (boxes[-1][0] - boxes[0][0]) / (len(boxes) - 1)
    widths = [round(width, 1) for _, width in boxes]
    assert min(widths) >= 0.5 * slot, f"bars {widths} px wide in {slot:.1f} px weekly slots"
