"""A result as rows of display strings (header, rows), formatted by each column's role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crmreports.render.formats import format_category, format_number, format_time
from crmreports.resolve import ResolvedReport


@dataclass(frozen=True)
class DisplayTable:
    headers: tuple[str, ...]
    numeric: tuple[bool, ...]  # right-align these columns
    rows: tuple[tuple[str, ...], ...]
    total_rows: int  # rows in the result, which may exceed the rows shown


def display_table(
    frame: Any, report: ResolvedReport, columns: tuple[str, ...] = (), max_rows: int = 1000
) -> DisplayTable:
    """Format a pandas result for people: labels as headers, units and periods as text."""
    names = columns or report.columns
    formatters = []
    for name in names:
        dim = next((d for d in report.dimensions if d.name == name), None)
        if dim is not None:
            if dim.is_time:
                formatters.append(lambda v, g=dim.grain: format_time(v, g))
            else:
                formatters.append(format_category)
            continue
        measure = next(m for m in report.measures if m.name == name)
        if measure.dtype.is_temporal:  # min/max of a date column
            formatters.append(lambda v: format_time(v, None))
        elif measure.dtype.is_numeric:
            formatters.append(lambda v, f=measure.format: format_number(v, f))
        else:  # min/max of text or booleans
            formatters.append(format_category)
    records = frame[list(names)].head(max_rows).astype(object).itertuples(index=False)
    rows = tuple(
        tuple(fmt(None if _is_missing(v) else v) for fmt, v in zip(formatters, row, strict=True))
        for row in records
    )
    numeric = tuple(any(m.name == n and m.dtype.is_numeric for m in report.measures) for n in names)
    headers = tuple(report.label_of(n) for n in names)
    return DisplayTable(headers, numeric, rows, len(frame))


def _is_missing(value: Any) -> bool:
    try:
        return bool(value != value) or value is None  # NaN, NaT and None
    except (TypeError, ValueError):
        return False
