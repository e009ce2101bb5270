"""Dashboards in a real browser: every chart draws on a phone and a desktop, the grid stacks on
the phone, nothing is fetched, and hostile data values stay text.

Run with `make test-browser` (or `pytest -m browser tests/browser`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from crmreports import Dashboard

from .conftest import WatchedPage
from .test_browser_pages import CHART_FACTS_JS, OPEN_ALL_DETAILS_JS, _assert_fits

pytestmark = pytest.mark.browser

OpenPage = Callable[..., WatchedPage]

TILE_BOXES_JS = """
() => [...document.querySelectorAll('section.tile')].map((tile) => {
  const box = tile.getBoundingClientRect();
  return {id: tile.id, kind: [...tile.classList].find((c) => c.startsWith('kind-')),
          left: box.left, top: box.top, width: box.width, bottom: box.bottom};
})
"""


@pytest.fixture(scope="module")
def demo_dashboard(demo_index: Path) -> Path:
    return demo_index.parent / "dashboard.html"


@pytest.mark.parametrize("width", [390, 1440])
def test_demo_dashboard_renders(
    open_page: OpenPage, demo_dashboard: Path, artifacts_dir: Path, width: int
) -> None:
    watched = open_page(demo_dashboard, width=width)
    page = watched.page
    page.screenshot(path=str(artifacts_dir / f"dashboard-{width}.png"), full_page=True)

    charts = page.evaluate(CHART_FACTS_JS)
    assert len(charts) == 4
    for chart in charts:
        assert chart["marks"] > 0, f"{chart['id']} drew no data marks: {chart}"
        assert chart["svgWidth"] <= chart["containerWidth"] + 1, f"{chart['id']} too wide: {chart}"
        assert chart["svgWidth"] >= chart["containerWidth"] * 0.9, f"{chart['id']}: {chart}"

    tiles = page.evaluate(TILE_BOXES_JS)
    assert [t["kind"] for t in tiles] == ["kind-kpi"] * 4 + ["kind-chart"] * 4
    if width == 390:  # one column: same left edge and width, each below the previous
        assert len({round(t["left"]) for t in tiles}) == 1, tiles
        assert len({round(t["width"]) for t in tiles}) == 1, tiles
        assert all(b["top"] >= a["bottom"] for a, b in itertools.pairwise(tiles))
    else:  # the KPI row, then 8 + 4 and 6 + 6 columns
        kpis = tiles[:4]
        assert len({round(t["top"]) for t in kpis}) == 1, kpis
        assert len({round(t["width"]) for t in kpis}) == 1, kpis
        wide, narrow = tiles[4], tiles[5]
        assert round(wide["top"]) == round(narrow["top"])
        assert 1.8 < wide["width"] / narrow["width"] < 2.2, (wide, narrow)
        assert round(tiles[6]["width"]) == round(tiles[7]["width"])

    assert page.locator("p.as-of").inner_text().endswith("data as of 2024-12-31")
    assert (
        "order_date: this year (2024-01-01 .. 2024-12-31)" in page.locator("p.filters").inner_text()
    )
    assert "is not applied here" in page.locator("#tile-7 .tile-notes").inner_text()

    _assert_fits(watched, width, "tables folded")
    page.evaluate(OPEN_ALL_DETAILS_JS)
    _assert_fits(watched, width, "tables unfolded")
    assert watched.problems() == []


# --- hostile values ------------------------------------------------------------------------------

CUSTOMER = "<script>alert(1)</script>"
CAMPAIGN = '"><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def hostile_dashboard(tmp_path_factory: pytest.TempPathFactory) -> Path:
    orders = pd.DataFrame(
        {"customer": [CUSTOMER, CUSTOMER, "ann", "bo"], "amount": [5.0, 7.0, 3.0, 1.0]}
    )
    campaigns = pd.DataFrame({"campaign": [CAMPAIGN, "spring", CAMPAIGN], "clicks": [3, 4, 5]})
    board = Dashboard.from_dict(
        {
            "title": f"Board {CUSTOMER}",
            "description": f"Campaign {CAMPAIGN}",
            "filters": [{"field": "customer", "op": "ne", "value": CAMPAIGN}],
            "items": [
                {"kind": "kpi", "report": {"name": "total", "source": "orders",
                 "measures": [{"name": "amount", "agg": "sum", "field": "amount"}]}},
                {"report": {"name": "customers", "source": "orders", "dimensions": ["customer"],
                 "measures": [{"name": "amount", "agg": "sum", "field": "amount"}],
                 "visual": {"kind": "bar", "x": "customer", "y": "amount", "color": "customer"}}},
                {"report": {"name": "campaigns", "source": "campaigns", "dimensions": ["campaign"],
                 "measures": [{"name": "clicks", "agg": "sum", "field": "clicks"}]}},
                {"report": {"name": "campaign_table", "source": "campaigns",
                 "dimensions": ["campaign"], "measures": [{"name": "rows", "agg": "count"}],
                 "visual": {"kind": "table"}}},
            ],
        }
    )  # fmt: skip
    path = tmp_path_factory.mktemp("hostile-board") / "board.html"
    board.run({"orders": orders, "campaigns": campaigns}).to_html(path)
    return path


def test_hostile_values_stay_text_on_a_dashboard(
    open_page: OpenPage, hostile_dashboard: Path, artifacts_dir: Path
) -> None:
    watched = open_page(hostile_dashboard, width=1440)
    page = watched.page
    page.evaluate(OPEN_ALL_DETAILS_JS)
    page.screenshot(path=str(artifacts_dir / "dashboard-hostile.png"), full_page=True)

    # nothing ran and nothing was created from the data
    assert watched.dialogs == []
    assert page.locator("img").count() == 0
    # the Vega bundle, one JSON spec per chart (2), the embedding script
    assert page.locator("script").count() == 4
    assert page.locator("script:not([type])").count() == 2

    # the page: title, description and the dashboard filter as text
    assert page.title() == f"Board {CUSTOMER}"
    assert page.locator("h1").inner_text() == f"Board {CUSTOMER}"
    assert page.locator("header p.muted").inner_text() == f"Campaign {CAMPAIGN}"
    assert CAMPAIGN in page.locator("p.filters").inner_text()

    # the charts: axis labels carry the literal values
    labels = page.locator("div.chart svg g.role-axis-label text").all_text_contents()
    for value in (CUSTOMER, CAMPAIGN):
        assert any(label == value or value.startswith(label.rstrip("…")) for label in labels), (
            f"{value!r} not among axis labels {labels}"
        )
    legend = page.locator("#chart-1 svg g.role-legend-label text").all_text_contents()
    assert CUSTOMER in legend

    # the tables (folded under the charts, and the table tile): cells are the values
    cells = page.locator("td").all_inner_texts()
    assert cells.count(CUSTOMER) == 1  # the customer chart's data table
    assert cells.count(CAMPAIGN) == 2  # the campaign chart's data table and the table tile

    assert page.evaluate("() => window.__xss === undefined")
    assert watched.problems() == []


@pytest.mark.parametrize("name", ["sales", "customers", "marketing", "service"])
@pytest.mark.parametrize("width", [390, 1440])
def test_builtin_dashboards_render(
    open_page: OpenPage, demo_index: Path, artifacts_dir: Path, name: str, width: int
) -> None:
    """The demo's four built-in dashboards: every chart draws and fits, nothing is fetched."""
    from crmreports import builtin

    watched = open_page(demo_index.parent / f"{name}.html", width=width)
    page = watched.page
    page.screenshot(path=str(artifacts_dir / f"builtin-{name}-{width}.png"), full_page=True)
    board = builtin.dashboard(name)
    charts = page.evaluate(CHART_FACTS_JS)
    expected = sum(1 for item in board.items if item.kind == "report")
    assert len(charts) == expected
    for chart in charts:
        assert chart["marks"] > 0, f"{name}: {chart['id']} drew no data marks: {chart}"
        assert chart["svgWidth"] <= chart["containerWidth"] + 1, f"{chart['id']} too wide: {chart}"
    assert page.locator("p.as-of").inner_text().endswith("data as of 2024-12-31")
    _assert_fits(watched, width, "tables folded")
    assert watched.problems() == []
