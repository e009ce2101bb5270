"""A result as rows of display strings (header, rows), formatted by each column's role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crmreports.plan import ROW_LEVEL, ROW_TYPE
from crmreports.render.formats import (
    category_formatter,
    dimension_formatter,
    format_category,
    measure_formatter,
)
from crmreports.resolve import HighlightRule, ResolvedReport, Table


@dataclass(frozen=True)
class DisplayTable:
    headers: tuple[str, ...]
    numeric: tuple[bool, ...]  # right-align these columns
    rows: tuple[tuple[str, ...], ...]
    total_rows: int  # rows in the result, which may exceed the rows shown
    kinds: tuple[str, ...] = ()  # per row: detail, subtotal or total (for styling)
    styles: tuple[tuple[str, ...], ...] = ()  # per row, per cell: '', good, bad or warn


def display_table(
    frame: Any, report: ResolvedReport, columns: tuple[str, ...] = (), max_rows: int = 1000
) -> DisplayTable:
    """Format a pandas result for people: labels as headers, units and periods as text."""
    names = [n for n in (columns or report.columns) if n not in (ROW_TYPE, ROW_LEVEL)]
    calendar = report.time.calendar
    formatters = []
    for name in names:
        dim = next((d for d in report.dimensions if d.name == name), None)
        if dim is not None:
            plain = dimension_formatter(dim, calendar)
            # A null category reads "(null)", unless a real value does (then "(no value)").
            formatters.append(
                category_formatter(frame[name]) if plain is format_category else plain
            )
            continue
        measure = next(m for m in report.measures if m.name == name)
        formatters.append(measure_formatter(measure))
    shown = frame.head(max_rows)
    kinds = tuple(shown[ROW_TYPE]) if ROW_TYPE in frame.columns else ()
    levels = tuple(int(v) for v in shown[ROW_LEVEL]) if ROW_LEVEL in frame.columns else ()
    records = shown[list(names)].astype(object).itertuples(index=False)
    rows, styles = [], []
    rules = report.visual.highlights if isinstance(report.visual, Table) else ()
    for i, row in enumerate(records):
        cells = [fmt(None if _is_missing(v) else v) for fmt, v in zip(formatters, row, strict=True)]
        if kinds and kinds[i] != "detail":
            level = levels[i] if levels else 0  # without subtotals, only the grand total
            _label_rolled_up(cells, row, names, report, kinds[i], level)
        rows.append(tuple(cells))
        if rules:
            styles.append(
                tuple(_style(name, value, rules) for name, value in zip(names, row, strict=True))
            )
    numeric = tuple(any(m.name == n and m.dtype.is_numeric for m in report.measures) for n in names)
    headers = tuple(report.label_of(n) for n in names)
    return DisplayTable(headers, numeric, tuple(rows), len(frame), kinds, tuple(styles))


def _style(name: str, value: Any, rules: tuple[HighlightRule, ...]) -> str:
    """The style of the first rule of `name` that the value meets ('' for none)."""
    return next((r.style for r in rules if r.column == name and r.matches(value)), "")


def _label_rolled_up(
    cells: list[str],
    row: Any,
    names: list[str],
    report: ResolvedReport,
    kind: str,
    level: int,
) -> None:
    """The dimensions a subtotal/total row spans (from position `row_level` on) read
    'Subtotal'/'Total', then blank; a dimension it is grouped by keeps its value, "(null)"
    for a real null."""
    position = {d.name: k for k, d in enumerate(report.dimensions)}
    labelled = False
    for j, name in enumerate(names):
        if name not in position:
            continue
        if position[name] >= level:
            cells[j] = "" if labelled else kind.capitalize()
            labelled = True


def _is_missing(value: Any) -> bool:
    try:
        return bool(value != value) or value is None  # NaN, NaT and None
    except (TypeError, ValueError):
        return False
