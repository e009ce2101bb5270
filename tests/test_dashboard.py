"""Dashboards: the spec (round trips, located errors), references, shared parameters, as_of and
filters, the page (escaping, notes, as-of line, grid widths, one colour per value), the CLI.

Expected numbers come from hand calculation over the small frames below.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import pytest
import yaml

from crmreports import (
    Dashboard,
    DashboardResult,
    Report,
    ReportCatalog,
    SpecError,
    SpecFolder,
    UnknownNameError,
)
from crmreports.cli import main
from crmreports.render.dashboard import (
    MUTED,
    TABLEAU10,
    Tile,
    apply_colors,
    shared_color_mapping,
)
from crmreports.render.layout import grid_rows

# --- data: four orders, three tickets, two customers -----------------------------------------


def _orders() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "order_date": pd.to_datetime(["2024-05-03", "2024-06-10", "2024-06-20", "2023-12-31"]),
            "customer_id": [1, 2, 1, 2],
            "channel": ["Online", "Retail", "Online", "Phone"],
            "status": ["won", "won", "lost", "won"],
            "amount": [100.0, 250.0, 40.0, 999.0],
        }
    )


def _tickets() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "created_at": pd.to_datetime(["2024-06-01", "2024-06-02", "2023-01-01"]),
            "channel": ["Online", "Phone", "Phone"],
        }
    )


def _customers() -> pd.DataFrame:
    return pd.DataFrame({"customer_id": [1, 2], "region": ["North", "South"]})


def tables() -> dict[str, pd.DataFrame]:
    return {"orders": _orders(), "tickets": _tickets(), "customers": _customers()}


REVENUE = {
    "name": "revenue",
    "title": "Revenue",
    "source": "orders",
    "measures": [
        {"name": "revenue", "agg": "sum", "field": "amount", "format": "currency"},
        {"name": "orders", "agg": "count"},
    ],
}
BY_CHANNEL = {
    "name": "by_channel",
    "source": "orders",
    "dimensions": ["channel"],
    "measures": [{"name": "revenue", "agg": "sum", "field": "amount"}],
    "visual": {"kind": "bar", "x": "channel", "y": "revenue", "color": "channel"},
}
TICKETS = {
    "name": "tickets_by_channel",
    "source": "tickets",
    "dimensions": ["channel"],
    "measures": [{"name": "tickets", "agg": "count"}],
    "visual": {"kind": "bar", "x": "channel", "y": "tickets", "color": "channel"},
}

SPEC_YAML = """\
title: Sales overview
description: Orders and tickets.
as_of: 2024-06-30
params: {min_amount: 50}
filters:
  - {field: order_date, op: this, unit: year}
items:
  - kind: kpi
    width: 4
    report:
      name: revenue
      source: orders
      params: [{name: min_amount, type: number, default: 0}]
      measures:
        - {name: revenue, agg: sum, field: amount, format: currency}
        - {name: orders, agg: count}
      filters: [{field: amount, op: ge, value: {param: min_amount}}]
  - report: by_channel
    width: 8
  - report:
      name: tickets_by_channel
      source: tickets
      dimensions: [channel]
      measures: [{name: tickets, agg: count}]
    width: 12
"""


def dashboard(text: str = SPEC_YAML, **reports: dict[str, Any]) -> Dashboard:
    catalog = ReportCatalog({"by_channel": Report.from_dict(BY_CHANNEL)})
    return Dashboard.from_yaml(text, loader=catalog)


def problem_paths(error: SpecError) -> list[str]:
    return [p.path for p in error.problems]


# --- the spec ----------------------------------------------------------------------------------


def test_yaml_json_and_python_round_trips() -> None:
    board = dashboard()
    assert Dashboard.from_yaml(board.to_yaml()).to_dict() == board.to_dict()
    assert Dashboard.from_json(board.to_json()).to_dict() == board.to_dict()
    assert Dashboard.from_dict(board.to_dict()) == Dashboard.from_yaml(SPEC_YAML)
    data = board.to_dict()
    assert data["as_of"] == "2024-06-30"  # JSON has no date type: ISO text
    assert data["items"][1] == {"report": "by_channel", "width": 8}  # references stay references
    assert "kind" not in data["items"][2]  # `report` is the default kind
    # the YAML text reads back to the same plain data
    assert yaml.safe_load(board.to_yaml()) == json.loads(board.to_json())


def test_built_in_python_equals_the_yaml() -> None:
    from crmreports.spec.dashboard import KpiItem, ReportItem

    built = Dashboard(
        title="Sales overview",
        description="Orders and tickets.",
        as_of=dt.date(2024, 6, 30),
        params={"min_amount": 50},
        filters=[{"field": "order_date", "op": "this", "unit": "year"}],
        items=[
            KpiItem(kind="kpi", width=4, report=Dashboard.from_yaml(SPEC_YAML).items[0].report),
            ReportItem(report="by_channel", width=8),
            ReportItem(report=Report.from_dict({**TICKETS, "visual": None}), width=12),
        ],
    )
    assert built.to_dict() == Dashboard.from_yaml(SPEC_YAML).to_dict()


def test_the_json_schema_accepts_the_spec() -> None:
    schema = Dashboard.model_json_schema()
    jsonschema.validate(dashboard().to_dict(), schema)
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == {
        "title", "description", "as_of", "params", "filters", "items",
    }  # fmt: skip


def test_structural_errors_are_all_located_at_once() -> None:
    text = """\
title: t
items:
  - report: {name: a, measures: [{name: n, agg: cout}]}
  - {kind: kip, report: a}
  - {report: a, width: 13}
  - {report: a, widht: 3}
  - 7
  - {kind: kpi, report: 5}
"""
    with pytest.raises(SpecError) as info:
        Dashboard.from_yaml(text)
    error = info.value
    assert problem_paths(error) == [
        "items[0].report.measures[0].agg",
        "items[1].kind",
        "items[2].width",
        "items[3].widht",
        "items[4]",
        "items[5].report",
    ]
    message = str(error)
    assert "did you mean: 'count'?" in message
    assert "did you mean: 'kpi'?" in message
    assert "width must be a whole number from 1 to 12, got 13" in message
    assert "did you mean: 'width'?" in message
    assert "each item must be a mapping" in message
    assert "report must be an inline report spec (a mapping) or a reference (text), got 5" in (
        message
    )


def test_a_dashboard_needs_a_title_and_items() -> None:
    with pytest.raises(SpecError) as info:
        Dashboard.from_yaml("items: []\n")
    assert problem_paths(info.value) == ["title", "items"]
    assert "a dashboard needs at least one item" in str(info.value)
    with pytest.raises(SpecError, match="a dashboard spec must be a mapping"):
        Dashboard.from_yaml("- just a list\n")


def test_a_kpi_report_has_no_dimensions_and_names_a_real_measure() -> None:
    text = """\
title: t
items:
  - kind: kpi
    report: {name: a, dimensions: [channel], measures: [{name: n, agg: count}]}
  - kind: kpi
    measure: revnue
    report: {name: b, measures: [{name: revenue, agg: sum, field: amount}]}
"""
    with pytest.raises(SpecError) as info:
        Dashboard.from_yaml(text).run(_orders())
    assert problem_paths(info.value) == ["items[0].report.dimensions", "items[1].measure"]
    assert "did you mean: 'revenue'?" in str(info.value)


# --- references --------------------------------------------------------------------------------


def test_references_are_found_beside_the_dashboard_file(tmp_path: Path) -> None:
    (tmp_path / "by_channel.yaml").write_text(yaml.safe_dump(BY_CHANNEL), encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "tickets.json").write_text(json.dumps(TICKETS), encoding="utf-8")
    spec = tmp_path / "board.yaml"
    spec.write_text(
        "title: t\nitems:\n  - report: by_channel\n  - report: sub/tickets.json\n",
        encoding="utf-8",
    )
    board = Dashboard.from_file(spec)
    assert [r.name for r in board.reports()] == ["by_channel", "tickets_by_channel"]
    result = board.run(tables())
    assert result["by_channel"].to_pandas()["revenue"].tolist() == [140.0, 999.0, 250.0]


def test_an_unknown_reference_is_located_with_a_suggestion(tmp_path: Path) -> None:
    (tmp_path / "by_channel.yaml").write_text(yaml.safe_dump(BY_CHANNEL), encoding="utf-8")
    board = Dashboard.from_yaml(
        "title: t\nitems:\n  - report: by_chanel\n  - report: ../outside.yaml\n",
        loader=SpecFolder(tmp_path),
    )
    with pytest.raises(UnknownNameError) as info:
        board.reports()
    assert problem_paths(info.value) == [
        "items[0].report (by_chanel)",
        "items[1].report (../outside.yaml)",
    ]
    message = str(info.value)
    assert "did you mean: 'by_channel'?" in message
    assert "points outside the folder" in message


def test_problems_inside_a_referenced_file_name_the_file(tmp_path: Path) -> None:
    bad = {**BY_CHANNEL, "measures": [{"name": "revenue", "agg": "sum", "field": "amont"}]}
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(bad), encoding="utf-8")
    board = Dashboard.from_yaml("title: t\nitems: [{report: bad.yaml}]\n").with_loader(
        SpecFolder(tmp_path)
    )
    with pytest.raises(SpecError) as info:
        board.run(tables())
    assert problem_paths(info.value) == ["items[0].report (bad.yaml) -> measures[0].field"]
    assert "did you mean: 'amount'?" in str(info.value)


def test_a_catalog_finds_reports_by_name() -> None:
    catalog = ReportCatalog.of(Report.from_dict(BY_CHANNEL), Report.from_dict(TICKETS))
    board = Dashboard.from_yaml("title: t\nitems: [{report: tickets_by_channel}]\n")
    result = board.with_loader(catalog).run(tables())
    assert result[0].to_pandas()["tickets"].tolist() == [1, 2]
    typo = Dashboard.from_yaml("title: t\nitems: [{report: by_chanel}]\n", loader=catalog)
    with pytest.raises(UnknownNameError, match="did you mean: 'by_channel'"):
        typo.reports()


# --- running: one as_of, shared params and filters ----------------------------------------------


def test_run_shares_as_of_params_and_filters() -> None:
    result = dashboard().run(tables())
    assert isinstance(result, DashboardResult)
    assert result.as_of == dt.date(2024, 6, 30)
    # KPI: 2024 orders (the dashboard filter) with amount >= 50 (the shared parameter):
    # 100 + 250 = 350 from 2 orders; the 40 is below the parameter, the 999 is in 2023.
    kpi = result["revenue"].to_pandas()
    assert kpi["revenue"].tolist() == [350.0]
    assert kpi["orders"].tolist() == [2]
    # by_channel: 2024 only, no parameter: Online 100 + 40, Retail 250; Phone's order is 2023.
    assert result["by_channel"].to_pandas()["revenue"].tolist() == [140.0, 250.0]
    # tickets have no order_date: unfiltered (all three tickets), with a note saying so
    tickets = result["tickets_by_channel"]
    assert tickets.to_pandas()["tickets"].tolist() == [1, 2]
    assert result.tiles[2].notes == (
        "Dashboard filter “order_date: this year” is not applied here: tickets has no "
        "column 'order_date'.",
    )
    assert result.tiles[0].applied == (0,) and result.tiles[2].applied == ()


def test_run_arguments_override_the_spec() -> None:
    result = dashboard().run(tables(), as_of="2023-12-31", params={"min_amount": 500})
    assert result.as_of == dt.date(2023, 12, 31)
    assert result["revenue"].to_pandas()["revenue"].tolist() == [999.0]  # 2023, >= 500
    assert result.params == {"min_amount": 500}


def test_as_of_defaults_to_today_for_every_report() -> None:
    board = Dashboard.from_dict({"title": "t", "items": [{"report": REVENUE}]})
    assert board.run(tables()).as_of == dt.date.today()


def test_a_parameter_no_report_declares_is_an_error() -> None:
    with pytest.raises(SpecError) as info:
        dashboard().run(tables(), params={"min_amont": 1})
    assert problem_paths(info.value) == ["params.min_amont"]
    assert "did you mean: 'min_amount'?" in str(info.value)
    assert info.value.codes == ["unknown-param"]


def test_a_shared_filter_that_fits_no_report_is_a_typo() -> None:
    text = "title: t\nfilters: [{field: chanel, op: eq, value: Online}]\nitems: [{report: x}]\n"
    board = Dashboard.from_yaml(text, loader=ReportCatalog({"x": Report.from_dict(BY_CHANNEL)}))
    with pytest.raises(SpecError) as info:
        board.run(tables())
    assert problem_paths(info.value) == ["filters[0]"]
    assert "did you mean: 'channel'?" in str(info.value)


def test_a_shared_filter_problem_points_at_the_dashboard_filter() -> None:
    text = "title: t\nfilters: [{field: channel, op: gt, value: 3}]\nitems: [{report: x}]\n"
    board = Dashboard.from_yaml(text, loader=ReportCatalog({"x": Report.from_dict(BY_CHANNEL)}))
    with pytest.raises(SpecError) as info:
        board.run(tables())
    assert [p.path.split(".")[0] for p in info.value.problems] == ["filters[0]"]
    assert "(in report 'by_channel')" in str(info.value)


def test_shared_filters_reach_looked_up_columns() -> None:
    report = {
        **BY_CHANNEL,
        "relationships": [{"to": "customers", "key": "customer_id"}],
    }
    text = (
        "title: t\nfilters: [{field: customers.region, op: eq, value: North}]\n"
        "items: [{report: x}, {report: t}]\n"
    )
    catalog = ReportCatalog({"x": Report.from_dict(report), "t": Report.from_dict(TICKETS)})
    result = Dashboard.from_yaml(text, loader=catalog).run(tables())
    # customer 1 is North: orders 100 and 40, both Online
    assert result[0].to_pandas()["revenue"].tolist() == [140.0]
    assert "customers.region" in result.tiles[1].notes[0]


def test_problems_of_several_reports_are_raised_together() -> None:
    bad_a = {**REVENUE, "measures": [{"name": "r", "agg": "sum", "field": "amont"}]}
    bad_b = {"name": "t", "source": "tickets", "dimensions": ["chanel"], "measures": []}
    board = Dashboard.from_dict({"title": "t", "items": [{"report": bad_a}, {"report": bad_b}]})
    with pytest.raises(SpecError) as info:
        board.run(tables())
    assert problem_paths(info.value) == [
        "items[0].report.measures[0].field",
        "items[1].report.dimensions[0].field",
    ]


def test_check_without_data_loads_references_and_checks_structure() -> None:
    dashboard().check()
    with pytest.raises(SpecError) as info:
        dashboard(SPEC_YAML.replace("report: by_channel", "report: nope")).check()
    assert problem_paths(info.value) == ["items[1].report (nope)"]
    dashboard().check(tables())


# --- the page ------------------------------------------------------------------------------------

HOSTILE = "<script>alert(1)</script>"


def _page(result: DashboardResult, tmp_path: Path) -> str:
    path = tmp_path / "board.html"
    html = result.to_html(path)
    assert path.read_text(encoding="utf-8") == html
    return html


def test_page_shows_as_of_filters_params_and_notes(tmp_path: Path) -> None:
    html = _page(dashboard().run(tables()), tmp_path)
    assert re.search(
        r"Generated <time>\d{4}-\d\d-\d\d \d\d:\d\d UTC</time> · data as of "
        r"<time>2024-06-30</time>",
        html,
    )
    # the dashboard filter with its dates, once in the header and not repeated on tiles
    assert 'Filters on every report: <span class="filter">order_date: this year ' in html
    assert html.count("(2024-01-01 .. 2024-12-31)") == 1
    assert "Parameters: min_amount = 50" in html
    assert "is not applied here: tickets has no column &#39;order_date&#39;." in html
    assert "Filters: amount ≥ min_amount (50)" in html  # the KPI report's own filter


def test_page_grid_widths_and_kpi(tmp_path: Path) -> None:
    html = _page(dashboard().run(tables()), tmp_path)
    tiles = re.findall(r'<section class="tile kind-(\w+) w-(\d+)" id="tile-(\d)"', html)
    assert tiles == [("kpi", "4", "0"), ("chart", "8", "1"), ("chart", "12", "2")]
    assert '<p class="kpi-value">$350.00</p>' in html
    assert "<dt>Orders</dt><dd>2</dd>" in html
    assert "grid-template-columns: repeat(12, minmax(0, 1fr))" in html
    assert "@media (max-width: 600px)" in html
    # self-contained: no external script or stylesheet, Vega inlined once, one spec per chart
    assert "<script src" not in html and "<link" not in html
    assert html.count('<script type="application/json"') == 2
    assert html.count("vegaEmbed(target") == 1


def test_page_escapes_every_value(tmp_path: Path) -> None:
    orders = _orders().assign(channel=[HOSTILE, "Retail", HOSTILE, '"><img src=x>'])
    report = {**BY_CHANNEL, "title": f"Title {HOSTILE}", "description": "<b>bold</b>"}
    board = Dashboard.from_dict(
        {
            "title": f"Board {HOSTILE}",
            "description": "<i>x</i>",
            "items": [{"report": report}, {"report": {**report, "visual": {"kind": "table"}}}],
        }
    )
    html = _page(board.run({"orders": orders}), tmp_path)
    body = html.split("</head>", 1)[1]
    assert HOSTILE not in body and "<img" not in body and "<b>" not in body and "<i>" not in body
    assert "Board &lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>" in body
    assert "<td>&#34;&gt;&lt;img src=x&gt;</td>" in body
    # chart data travels as JSON with < and > escaped, so it cannot close the script element
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in body


def test_one_colour_per_value_across_the_page() -> None:
    board = Dashboard.from_dict(
        {"title": "t", "items": [{"report": BY_CHANNEL}, {"report": TICKETS}]}
    )
    tiles = board.run(tables()).page().tiles
    from crmreports.render.dashboard import with_shared_colors

    colours: dict[str, set[str]] = {}
    for tile in with_shared_colors(tiles):
        scale = tile.chart["encoding"]["color"]["scale"]  # type: ignore[index]
        for value, colour in zip(scale["domain"], scale["range"], strict=True):
            colours.setdefault(value, set()).add(colour)
    # Online and Phone appear in both charts (orders and tickets): one colour each
    assert set(colours) == {"Online", "Retail", "Phone"}
    assert all(len(c) == 1 for c in colours.values()), colours
    assert len({next(iter(c)) for c in colours.values()}) == 3


def _bar_spec(values: list[str], scale: dict[str, Any] | None = None) -> dict[str, Any]:
    color: dict[str, Any] = {"field": "k", "type": "nominal"}
    if scale is not None:
        color["scale"] = scale
    return {
        "data": {"name": "d"},
        "mark": "bar",
        "encoding": {"x": {"field": "k", "type": "nominal"}, "color": color},
        "datasets": {"d": [{"k": v} for v in values]},
    }


def test_shared_colour_helper_on_plain_specs() -> None:
    first = _bar_spec(["b", "a"])
    second = _bar_spec(["a", "c", "(null)", "Other"])
    mapping = shared_color_mapping([first, second])
    assert mapping == {
        "b": TABLEAU10[0],
        "a": TABLEAU10[1],
        "c": TABLEAU10[2],
        "(null)": MUTED,
        "Other": MUTED,
    }
    painted = apply_colors(second, mapping)["encoding"]["color"]["scale"]
    assert painted == {
        "domain": ["a", "c", "(null)", "Other"],  # only what this chart draws
        "range": [TABLEAU10[1], TABLEAU10[2], MUTED, MUTED],
    }
    assert "scale" not in second["encoding"]["color"]  # the input is not modified


def test_shared_colour_helper_keeps_colours_a_chart_fixed() -> None:
    fixed = _bar_spec(["x", "y"], {"domain": ["y", "x"], "range": ["#111111", "#222222"]})
    other = _bar_spec(["x", "z"])
    mapping = shared_color_mapping([other, fixed])
    assert mapping["y"] == "#111111" and mapping["x"] == "#222222"
    assert apply_colors(fixed, mapping)["encoding"]["color"]["scale"] == {
        "domain": ["y", "x"],
        "range": ["#111111", "#222222"],
    }
    assert apply_colors(other, mapping)["encoding"]["color"]["scale"]["range"][0] == "#222222"


def test_grid_rows_pack_like_css_grid() -> None:
    assert grid_rows([3, 3, 3, 3, 8, 4, 6, 7, 12]) == [[0, 1, 2, 3], [4, 5], [6], [7], [8]]
    assert grid_rows([13, 0]) == [[0], [1]]


def test_tile_objects_are_plain_data() -> None:
    tile = Tile("chart", 6, "t")
    assert tile.notes == () and tile.filters == ()


# --- the demo and the CLI ------------------------------------------------------------------------


def test_demo_writes_the_dashboard(tmp_path: Path) -> None:
    from crmreports.demo import build_demo

    index = build_demo(tmp_path, size=600)
    page = (index.parent / "dashboard.html").read_text(encoding="utf-8")
    assert "<h1>Sales overview</h1>" in page
    assert page.count('class="tile kind-kpi w-3"') == 4
    assert page.count('class="tile kind-chart') == 4
    assert "data as of <time>2024-12-31</time>" in page


@pytest.fixture
def cli_files(tmp_path: Path) -> dict[str, Path]:
    paths = {}
    for name, frame in tables().items():
        paths[name] = tmp_path / f"{name}.parquet"
        frame.to_parquet(paths[name])
    (tmp_path / "by_channel.yaml").write_text(yaml.safe_dump(BY_CHANNEL), encoding="utf-8")
    paths["spec"] = tmp_path / "board.yaml"
    paths["spec"].write_text(SPEC_YAML, encoding="utf-8")
    return paths


def _data_args(files: dict[str, Path]) -> list[str]:
    return [a for n in ("orders", "tickets") for a in ("--data", f"{n}={files[n]}")]


def test_cli_dashboard_writes_html_and_png(
    cli_files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out" / "board.html"
    args = ["dashboard", str(cli_files["spec"]), *_data_args(cli_files), "--out", str(out)]
    assert main([*args, "--param", "min_amount=200", "--as-of", "2024-07-01"]) == 0
    assert capsys.readouterr().out == f"wrote {out} (3 items, data as of 2024-07-01)\n"
    html = out.read_text(encoding="utf-8")
    assert '<p class="kpi-value">$250.00</p>' in html  # only the 250 order is >= 200
    png = tmp_path / "board.png"
    assert main([*args[:-1], str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_dashboard_spec_error_exits_1_without_traceback(
    cli_files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli_files["spec"].write_text(SPEC_YAML.replace("by_channel", "by_chanel"), encoding="utf-8")
    out = tmp_path / "board.html"
    code = main(["dashboard", str(cli_files["spec"]), *_data_args(cli_files), "--out", str(out)])
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith("error: UnknownNameError: no report 'by_chanel'")
    assert "at: items[1].report (by_chanel)" in err and "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--out", "board.csv"], "--out must end in one of .html, .png, .svg, .pdf"),
        (["--out", "b.html", "--param", "oops"], "--param takes NAME=VALUE"),
    ],
)
def test_cli_dashboard_usage_errors_exit_2(
    cli_files: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    message: str,
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["dashboard", str(cli_files["spec"]), *_data_args(cli_files), *extra])
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_cli_dashboard_missing_data_file_exits_1(
    cli_files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["dashboard", str(cli_files["spec"]), "--data", f"orders={tmp_path / 'no.csv'}"]
    assert main([*args, "--out", str(tmp_path / "b.html")]) == 1
    assert "file not found" in capsys.readouterr().err


def test_cli_schema_for_dashboards(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--dashboard"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "Dashboard"
    assert schema["required"] == ["title", "items"]


def test_docs_page_prints_what_it_shows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/dashboards.md: each Python block's output is the text block that follows it."""
    import contextlib
    import io

    monkeypatch.chdir(tmp_path)
    text = (Path(__file__).resolve().parent.parent / "docs" / "dashboards.md").read_text("utf-8")
    pairs = re.findall(r"^```python\n(.*?)^```\n\n```text\n(.*?)^```", text, re.S | re.M)
    assert len(pairs) == 5
    namespace: dict[str, Any] = {}
    for block in re.findall(r"^```python\n(.*?)^```", text, re.S | re.M):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(block, "docs/dashboards.md", "exec"), namespace)
        expected = next((shown for code, shown in pairs if code == block), None)
        if expected is not None:
            assert out.getvalue() == expected, block
