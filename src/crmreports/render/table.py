"""A result as rows of display strings (header, rows), formatted by each column's role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crmreports.plan import ROW_TYPE
from crmreports.render.formats import (
    dimension_formatter,
    format_category,
    format_number,
    format_time,
)
from crmreports.resolve import ResolvedReport


@dataclass(frozen=True)
class DisplayTable:
    headers: tuple[str, ...]
    numeric: tuple[bool, ...]  # right-align these columns
    rows: tuple[tuple[str, ...], ...]
    total_rows: int  # rows in the result, which may exceed the rows shown
    kinds: tuple[str, ...] = ()  # per row: detail, subtotal or total (for styling)


def display_table(
    frame: Any, report: ResolvedReport, columns: tuple[str, ...] = (), max_rows: int = 1000
) -> DisplayTable:
    """Format a pandas result for people: labels as headers, units and periods as text."""
    names = [n for n in (columns or report.columns) if n != ROW_TYPE]
    calendar = report.time.calendar
    formatters = []
    for name in names:
        dim = next((d for d in report.dimensions if d.name == name), None)
        if dim is not None:
            formatters.append(dimension_formatter(dim, calendar))
            continue
        measure = next(m for m in report.measures if m.name == name)
        if measure.dtype.is_temporal:  # min/max of a date column
            formatters.append(lambda v: format_time(v, None))
        elif measure.dtype.is_numeric:
            formatters.append(lambda v, f=measure.format: format_number(v, f))
        else:  # min/max of text or booleans
            formatters.append(format_category)
    shown = frame.head(max_rows)
    kinds = tuple(shown[ROW_TYPE]) if ROW_TYPE in frame.columns else ()
    records = shown[list(names)].astype(object).itertuples(index=False)
    rows = []
    for i, row in enumerate(records):
        cells = [fmt(None if _is_missing(v) else v) for fmt, v in zip(formatters, row, strict=True)]
        if kinds and kinds[i] != "detail":
            _label_rolled_up(cells, row, names, report, kinds[i])
        rows.append(tuple(cells))
    numeric = tuple(any(m.name == n and m.dtype.is_numeric for m in report.measures) for n in names)
    headers = tuple(report.label_of(n) for n in names)
    return DisplayTable(headers, numeric, tuple(rows), len(frame), kinds)


def _label_rolled_up(
    cells: list[str], row: Any, names: list[str], report: ResolvedReport, kind: str
) -> None:
    """Rolled-up dimensions of a subtotal/total row read 'Subtotal'/'Total', then blank."""
    dims = {d.name for d in report.dimensions}
    labelled = False
    for j, name in enumerate(names):
        if name in dims and _is_missing(row[j]):
            cells[j] = "" if labelled else kind.capitalize()
            labelled = True


def _is_missing(value: Any) -> bool:
    try:
        return bool(value != value) or value is None  # NaN, NaT and None
    except (TypeError, ValueError):
        return False
