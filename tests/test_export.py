"""Exports with no browser: charts to PNG, SVG and PDF (vl-convert), results to Excel,
dashboards to a static image. Images are checked by their bytes: PNG magic and header size, SVG
parsed as XML with data marks, PDF magic and (with poppler's pdftoppm) page 1 drawn to pixels.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import altair as alt
import pandas as pd
import pytest

from crmreports import Dashboard, DataError, Report, ReportResult, export_chart
from crmreports.render.export import MissingExtraError, fixed_size
from tests import visual_cases

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SVG = "{http://www.w3.org/2000/svg}"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the PNG header (the IHDR chunk comes first, at byte 8)."""
    assert data[:8] == PNG_MAGIC
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _orders() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "order_date": pd.to_datetime(
                ["2024-01-05", "2024-01-20", "2024-02-03", "2024-03-09", "2024-03-30"]
            ),
            "channel": ["Online", "Retail", "Online", "Phone", "Retail"],
            "amount": [120.0, 80.5, 200.0, 35.25, 99.0],
        }
    )


LINE = """
name: monthly
title: Revenue by month
dimensions: [{field: order_date, grain: month}]
measures: [{name: revenue, agg: sum, field: amount, format: currency}]
visual: {kind: line, x: order_date, y: revenue}
"""
BAR = """
name: by_channel
title: Revenue by channel
dimensions: [channel]
measures: [{name: revenue, agg: sum, field: amount, format: currency}, {name: n, agg: count}]
visual: {kind: bar, x: channel, y: revenue, color: channel}
"""
TABLE = """
name: table
title: Orders by channel
dimensions: [channel]
measures: [{name: orders, agg: count}, {name: revenue, agg: sum, field: amount, format: currency}]
visual: {kind: table}
"""
KINDS = {"line": LINE, "bar": BAR, "table": TABLE}


@pytest.fixture(scope="module", params=sorted(KINDS))
def result(request: pytest.FixtureRequest) -> ReportResult:
    return Report.from_yaml(KINDS[request.param]).run(_orders())


@pytest.fixture(scope="session")
def pdftoppm() -> str:
    """poppler's pdftoppm; installed with apt-get (as root) when missing, else the check skips."""
    found = shutil.which("pdftoppm")
    if found is None and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        for command in (["apt-get", "install", "-y", "-qq", "poppler-utils"],
                        ["apt-get", "update", "-qq"],
                        ["apt-get", "install", "-y", "-qq", "poppler-utils"]):  # fmt: skip
            subprocess.run(command, capture_output=True, timeout=600, check=False)
            found = shutil.which("pdftoppm")
            if found:
                break
    if found is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed and could not be installed here")
    return found


# --- charts --------------------------------------------------------------------------------------


def test_png_has_the_magic_bytes_and_the_requested_size(
    result: ReportResult, tmp_path: Path
) -> None:
    path = result.to_png(tmp_path / "chart.png", scale=1)
    width, height = png_size(path.read_bytes())
    # the plot is 640 px wide; axes, legend and padding add a little, never a phone's worth
    assert 640 <= width <= 900, width
    assert 80 <= height <= 900, height
    sharp = result.to_png(tmp_path / "chart2.png", scale=2)
    assert png_size(sharp.read_bytes()) == (2 * width, 2 * height)


def test_svg_parses_and_draws_marks(result: ReportResult, tmp_path: Path) -> None:
    root = ET.parse(result.to_svg(tmp_path / "chart.svg")).getroot()
    assert root.tag == f"{SVG}svg"
    marks = [
        g for g in root.iter(f"{SVG}g") if "role-mark" in g.get("class", "") and len(list(g)) > 0
    ]
    assert marks, "no data marks in the SVG"
    texts = {t.text for t in root.iter(f"{SVG}text")}
    title = {"monthly": "Revenue by month", "by_channel": "Revenue by channel"}.get(
        result.report.name, "Orders by channel"
    )
    assert title in texts
    if result.report.name != "monthly":
        assert {"Online", "Retail", "Phone"} <= texts  # category labels or table cells


def test_pdf_is_a_pdf_and_page_one_draws(
    result: ReportResult, tmp_path: Path, pdftoppm: str
) -> None:
    pdf = result.to_pdf(tmp_path / "chart.pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    subprocess.run(
        [pdftoppm, "-png", "-r", "72", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 1
    width, height = png_size(pages[0].read_bytes())
    assert width >= 600 and height >= 80


def test_pdf_magic_bytes_without_poppler(tmp_path: Path) -> None:
    report = Report.from_yaml(BAR).run(_orders())
    assert report.to_pdf(tmp_path / "c.pdf").read_bytes()[:8].startswith(b"%PDF-1.")


def test_export_chart_picks_the_format_by_extension(tmp_path: Path) -> None:
    chart = Report.from_yaml(BAR).run(_orders()).chart()
    before = chart.to_dict()
    assert export_chart(chart, tmp_path / "a.PNG").read_bytes()[:8] == PNG_MAGIC
    assert ET.parse(export_chart(chart, tmp_path / "a.svg")).getroot().tag == f"{SVG}svg"
    assert export_chart(chart.to_dict(), tmp_path / "a.pdf").read_bytes()[:5] == b"%PDF-"
    assert chart.to_dict() == before  # the chart keeps width "container" for pages
    with pytest.raises(DataError, match=r"use a \.png, \.svg or \.pdf file name"):
        export_chart(chart, tmp_path / "a.jpg")


def test_a_plain_altair_chart_exports_too(tmp_path: Path) -> None:
    chart = alt.Chart(pd.DataFrame({"a": ["x", "y"], "b": [1, 2]})).mark_bar().encode(x="a", y="b")
    assert png_size(export_chart(chart, tmp_path / "p.png", scale=1).read_bytes())[0] > 0


def test_container_widths_become_numbers() -> None:
    spec = {"width": "container", "layer": [{"width": "container", "height": "container"}],
            "datasets": {"d": [{"width": "container"}]}}  # fmt: skip
    sized = fixed_size(spec, 500)
    assert sized["width"] == 500 and sized["layer"][0] == {"width": 500, "height": 300}
    assert sized["datasets"]["d"][0]["width"] == "container"  # data is never touched
    assert spec["width"] == "container"


def test_result_write_chooses_by_extension(tmp_path: Path) -> None:
    result = Report.from_yaml(LINE).run(_orders())
    for suffix in (".png", ".svg", ".pdf", ".xlsx", ".csv", ".html"):
        assert result.write(tmp_path / f"out{suffix}").stat().st_size > 0
    with pytest.raises(DataError, match="cannot write"):
        result.write(tmp_path / "out.docx")
    with pytest.raises(DataError, match=r"should end in \.png"):
        result.to_png(tmp_path / "out.svg")


# --- Excel ---------------------------------------------------------------------------------------


def test_xlsx_reads_back_with_types_and_formats(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    spec = LINE.replace("measures: [", "measures: [{name: n, agg: count}, ")
    result = Report.from_yaml(spec).run(_orders())
    path = result.to_xlsx(tmp_path / "monthly.xlsx")
    sheet = load_workbook(path).active
    assert sheet.title == "monthly"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("order_date", "n", "revenue")
    assert [r[1:] for r in rows[1:]] == [(2, 200.5), (1, 200.0), (2, 134.25)]
    assert [r[0].date().isoformat() for r in rows[1:]] == ["2024-01-01", "2024-02-01", "2024-03-01"]
    assert sheet["A2"].number_format == "yyyy-mm-dd"
    assert sheet["B2"].number_format == "#,##0"
    assert sheet["C2"].number_format == '"$"#,##0.00'
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"


def test_xlsx_keeps_nulls_empty_and_text_as_text(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    frame = pd.DataFrame({"channel": ["<b>x</b>", None, "=1+1"], "amount": [1.0, 2.0, None]})
    spec = "name: t\ndimensions: [channel]\nmeasures: [{name: total, agg: sum, field: amount}]\n"
    path = Report.from_yaml(spec).run(frame).to_xlsx(tmp_path / "t.xlsx")
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    # a sum over no values is 0 (the report's fill); null categories stay empty cells
    assert sorted(rows[1:], key=str) == sorted(
        [("<b>x</b>", 1.0), (None, 2.0), ("=1+1", 0.0)], key=str
    )
    # text that looks like a formula is stored as text: a CRM value never runs in Excel
    cells = [row[0] for row in load_workbook(path).active.iter_rows(min_row=2)]
    assert all(cell.data_type == "s" for cell in cells if cell.value is not None)


def test_xlsx_without_openpyxl_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl now fails
    result = Report.from_yaml(LINE).run(_orders())
    with pytest.raises(MissingExtraError, match=r"pip install 'crmreports\[xlsx\]'") as info:
        result.to_xlsx(tmp_path / "t.xlsx")
    assert isinstance(info.value, ImportError)
    assert not (tmp_path / "t.xlsx").exists()


# --- dashboards as one static image -------------------------------------------------------------

KPI = "{name: total, measures: [{name: revenue, agg: sum, field: amount, format: currency}]}"
TABLE_T2 = (
    "{name: t2, dimensions: [channel], measures: [{name: n, agg: count}], visual: {kind: table}}"
)
BOARD = f"""
title: Board
items:
  - kind: kpi
    report: {KPI}
  - report: {TABLE_T2}
  - report:
{chr(10).join("      " + line for line in BAR.strip().splitlines())}
    width: 12
"""


@pytest.fixture(scope="module")
def board_result() -> object:
    return Dashboard.from_yaml(BOARD).run(_orders(), as_of="2024-06-30")


def test_dashboard_png_is_the_composed_layout(board_result: object, tmp_path: Path) -> None:
    path = board_result.to_png(tmp_path / "board.png", scale=1)  # type: ignore[attr-defined]
    width, height = png_size(path.read_bytes())
    assert 1150 <= width <= 1400, width  # the page width (1200) with padding
    assert height > 400  # a KPI and table row, then a full-width chart row


def test_dashboard_svg_and_pdf(board_result: object, tmp_path: Path) -> None:
    svg = ET.parse(board_result.to_svg(tmp_path / "b.svg")).getroot()  # type: ignore[attr-defined]
    texts = {t.text for t in svg.iter(f"{SVG}text")} | {t.text for t in svg.iter(f"{SVG}tspan")}
    assert {"Board", "$534.75", "Revenue by channel"} <= texts
    assert any(t and t.startswith("Generated ") and "data as of 2024-06-30" in t for t in texts)
    pdf = board_result.to_pdf(tmp_path / "b.pdf")  # type: ignore[attr-defined]
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_dashboard_chart_is_an_altair_vconcat(board_result: object) -> None:
    chart = board_result.chart(width=900)  # type: ignore[attr-defined]
    assert isinstance(chart, alt.VConcatChart)
    spec = chart.to_dict()
    rows = spec["vconcat"]
    assert [len(row["hconcat"]) for row in rows] == [2, 1]
    assert spec["title"]["text"] == "Board"


def test_dashboard_write_by_extension(board_result: object, tmp_path: Path) -> None:
    write = board_result.write  # type: ignore[attr-defined]
    assert write(tmp_path / "b.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert write(tmp_path / "b.png").read_bytes()[:8] == PNG_MAGIC
    with pytest.raises(DataError, match=r"use a \.html, \.png, \.svg or \.pdf"):
        write(tmp_path / "b.csv")


# --- every visual kind exports offline ------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(visual_cases.KINDS))
def test_every_visual_kind_exports_to_png_svg_and_pdf(
    kind: str, tmp_path: Path, pdftoppm: str
) -> None:
    result = visual_cases.run(visual_cases.KINDS[kind])
    png = result.to_png(tmp_path / "chart.png", scale=1)
    width, height = png_size(png.read_bytes())
    assert width >= 100 and height >= 50, (width, height)
    root = ET.parse(result.to_svg(tmp_path / "chart.svg")).getroot()
    assert root.tag == f"{SVG}svg"
    assert any("role-mark" in g.get("class", "") and len(list(g)) for g in root.iter(f"{SVG}g"))
    pdf = result.to_pdf(tmp_path / "chart.pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    subprocess.run(
        [pdftoppm, "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    (page,) = tmp_path.glob("page*.png")
    page_width, page_height = png_size(page.read_bytes())
    assert page_width >= 50 and page_height >= 30
