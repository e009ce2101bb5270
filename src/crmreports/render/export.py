"""Charts to PNG, SVG and PDF with no browser (vl-convert), and result tables to Excel.

vl-convert runs Vega in an embedded JavaScript engine: about a second to start once per
process, then 50-100 ms a chart, and nothing to install besides the wheel. A chart drawn for a
page says `width: "container"` (it follows its box); an image has no box, so those widths get
a fixed number here.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import altair as alt
import numpy as np
import pandas as pd

from crmreports.errors import CrmReportsError, DataError

ImageFormat = Literal["png", "svg", "pdf"]
IMAGE_SUFFIXES: dict[str, ImageFormat] = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
DEFAULT_WIDTH = 640  # px: a chart that fills its container on a page gets this in an image
DEFAULT_HEIGHT = 300


class MissingExtraError(CrmReportsError, ImportError):
    """An optional dependency is not installed; the message names the pip extra to add."""


def vega_lite_version() -> str:
    """The Vega-Lite version Altair writes ("v6.4.1" -> "6.4"), so vl-convert compiles with it."""
    return alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0]


def chart_spec(chart: alt.TopLevelMixin | Mapping[str, Any]) -> dict[str, Any]:
    """A Vega-Lite dict from an Altair chart or a dict (copied, never modified in place)."""
    if isinstance(chart, Mapping):
        return copy.deepcopy(dict(chart))
    return chart.to_dict()


def fixed_size(spec: Mapping[str, Any], width: int = DEFAULT_WIDTH) -> dict[str, Any]:
    """The spec with every `"container"` width or height replaced by a number of pixels."""
    sized = copy.deepcopy(dict(spec))
    _fix(sized, width)
    return sized


def _fix(node: Any, width: int) -> None:
    if isinstance(node, dict):
        if node.get("width") == "container":
            node["width"] = width
        if node.get("height") == "container":
            node["height"] = DEFAULT_HEIGHT
        for key, value in node.items():
            if key not in ("datasets", "data"):  # data rows are never sizes
                _fix(value, width)
    elif isinstance(node, list):
        for value in node:
            _fix(value, width)


def render_image(
    chart: alt.TopLevelMixin | Mapping[str, Any],
    fmt: ImageFormat,
    *,
    scale: float = 2.0,
    width: int = DEFAULT_WIDTH,
) -> bytes | str:
    """PNG or PDF bytes, or SVG text, of a chart; `scale` multiplies the PNG's pixels."""
    import vl_convert

    spec = fixed_size(chart_spec(chart), width)
    version = vega_lite_version()
    if fmt == "png":
        data: bytes = vl_convert.vegalite_to_png(spec, vl_version=version, scale=scale)
        return data
    if fmt == "svg":
        text: str = vl_convert.vegalite_to_svg(spec, vl_version=version)
        return text
    if fmt == "pdf":
        pdf: bytes = vl_convert.vegalite_to_pdf(spec, vl_version=version)
        return pdf
    raise DataError(f"unknown image format {fmt!r}: use png, svg or pdf")


def export_chart(
    chart: alt.TopLevelMixin | Mapping[str, Any],
    path: str | Path,
    *,
    scale: float = 2.0,
    width: int = DEFAULT_WIDTH,
) -> Path:
    """Write a chart to `path` as PNG, SVG or PDF, chosen by the file's extension."""
    target = Path(path)
    fmt = IMAGE_SUFFIXES.get(target.suffix.lower())
    if fmt is None:
        raise DataError(
            f"cannot export a chart to {str(target)!r}: use a .png, .svg or .pdf file name"
        )
    image = render_image(chart, fmt, scale=scale, width=width)
    if isinstance(image, str):
        target.write_text(image, encoding="utf-8")
    else:
        target.write_bytes(image)
    return target


def require_suffix(path: str | Path, suffix: str) -> Path:
    """`path` as a Path, refused unless it ends in `suffix` (a .png name for a PNG writer)."""
    target = Path(path)
    if target.suffix.lower() != suffix:
        raise DataError(f"{str(target)!r} should end in {suffix}")
    return target


def svg_data_uri(chart: alt.TopLevelMixin | Mapping[str, Any], width: int = DEFAULT_WIDTH) -> str:
    """The chart as an SVG `data:` URI for an <img>: drawn without JavaScript, and (unlike
    inline <svg>) isolated, so two charts' clip-path ids never collide in one notebook."""
    svg = render_image(chart, "svg", width=width)
    assert isinstance(svg, str)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


# --- Excel -------------------------------------------------------------------------------------

# Excel number formats per measure `format` (values stay numbers, so sums and charts in Excel
# still work); formats not listed show as General.
_EXCEL_FORMATS = {
    "integer": "#,##0",
    "number": "#,##0.00",
    "currency": '"$"#,##0.00',
    "percent": "0.0%",
}
_EXCEL_DATE = "yyyy-mm-dd"
_EXCEL_DATETIME = "yyyy-mm-dd hh:mm:ss"


def write_xlsx(
    frame: pd.DataFrame,
    path: str | Path,
    *,
    sheet: str = "report",
    formats: Mapping[str, str] | None = None,
) -> Path:
    """Write `frame` as one sheet: a bold, frozen header row, typed cells, Excel number formats
    from each column's measure format (`formats`: column -> crmreports format name).

    Time-zone-aware timestamps are written as wall-clock time in their zone: Excel has no time
    zones.
    """
    try:
        from openpyxl import Workbook
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter
    except ImportError:
        raise MissingExtraError(
            "writing .xlsx files needs openpyxl: pip install 'crmreports[xlsx]'"
        ) from None
    formats = dict(formats or {})
    data = frame.copy()
    for name in data.columns:
        column = data[name]
        if isinstance(column.dtype, pd.DatetimeTZDtype):
            data[name] = column.dt.tz_localize(None)
    book = Workbook()
    sheet_ = book.active
    sheet_.title = _sheet_title(sheet)
    sheet_.append([str(c) for c in data.columns])
    for cell in sheet_[1]:
        cell.font = Font(bold=True)
    for row in data.astype(object).itertuples(index=False):
        sheet_.append([_cell(v) for v in row])
        for cell in sheet_[sheet_.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # CRM text that looks like a formula stays text
    for j, name in enumerate(data.columns, start=1):
        number_format = _column_format(data[name], formats.get(str(name)))
        width = max([len(str(name)), *(len(str(v)) for v in data[name].head(200))], default=8)
        letter = get_column_letter(j)
        sheet_.column_dimensions[letter].width = min(max(width + 2, 8), 50)
        if number_format:
            for (cell,) in sheet_.iter_rows(min_row=2, min_col=j, max_col=j):
                cell.number_format = number_format
    sheet_.freeze_panes = "A2"
    target = Path(path)
    book.save(target)
    return target


def _sheet_title(name: str) -> str:
    """Excel allows 31 characters and none of []:*?/\\ in a sheet name."""
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in name)[:31]
    return cleaned or "report"


def _cell(value: Any) -> Any:
    """A pandas/numpy value as the plain Python value openpyxl writes (missing -> empty)."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        return _cell(value.item())
    return value


def _column_format(column: pd.Series, fmt: str | None) -> str | None:
    values = column.dropna()
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        return _EXCEL_DATETIME if (values.dt.normalize() != values).any() else _EXCEL_DATE
    if len(values) and isinstance(values.iloc[0], dt.datetime):
        return _EXCEL_DATETIME
    if len(values) and isinstance(values.iloc[0], dt.date):
        return _EXCEL_DATE
    return _EXCEL_FORMATS.get(fmt) if fmt is not None else None
