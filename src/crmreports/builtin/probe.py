"""Which of the data model's columns a built-in report needs, found by asking the resolver.

Each column of each table the report reads is taken away in turn from empty frames typed like
the model; a column whose absence fails the check is required, one whose absence only leaves
something out (an optional measure or filter) is optional. Nothing is computed: rollups are
typed, not run, so probing a report costs milliseconds per column.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from crmreports.builtin.binding import tables_read
from crmreports.builtin.model import TABLES, ColumnType
from crmreports.errors import SpecError
from crmreports.execute import empty_table
from crmreports.report import Report
from crmreports.resolve import DataType

# The model's column types as the resolver's (an id is probed as an integer key).
_TYPES: dict[ColumnType, DataType] = {
    "id": DataType.INTEGER,
    "text": DataType.STRING,
    "number": DataType.FLOAT,
    "integer": DataType.INTEGER,
    "date": DataType.DATE,
    "datetime": DataType.DATETIME,
    "boolean": DataType.BOOLEAN,
}


@dataclass(frozen=True)
class Requirements:
    """Per table: the columns a report cannot run without, and those it uses when present."""

    required: dict[str, tuple[str, ...]]
    optional: dict[str, tuple[str, ...]]


def empty_tables(without: tuple[str, str] | None = None) -> dict[str, pa.Table]:
    """Every model table as an empty Arrow table, optionally without one (table, column)."""
    return {
        name: empty_table(
            {c.name: _TYPES[c.type] for c in table.columns if (name, c.name) != without}
        )
        for name, table in TABLES.items()
    }


def requirements(report: Report) -> Requirements:
    baseline = _notes(report, empty_tables())
    if baseline is None:
        raise SpecError(f"report {report.name!r} does not run on the full data model")
    required: dict[str, list[str]] = {}
    optional: dict[str, list[str]] = {}
    for table in sorted(tables_read(report)):
        for column in TABLES[table].columns:
            notes = _notes(report, empty_tables(without=(table, column.name)))
            if notes is None:
                required.setdefault(table, []).append(column.name)
            elif notes != baseline:
                optional.setdefault(table, []).append(column.name)
    return Requirements(
        {t: tuple(c) for t, c in required.items()}, {t: tuple(c) for t, c in optional.items()}
    )


def _notes(report: Report, data: dict[str, pa.Table]) -> tuple[str, ...] | None:
    """The resolver's notes on `data`, or None when the report cannot run on it."""
    try:
        resolved, _ = report.prepare(data, None, "2024-12-31")
    except SpecError:
        return None
    return resolved.notes
