"""Your column names and values, mapped onto the data model a built-in report reads.

The mapping becomes the report's own `mapping:` section, so the bound report is an ordinary
spec: it runs, renders, serialises to YAML and can be checked like any other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from crmreports.builtin.model import TABLES
from crmreports.errors import Problem, SpecError, unknown_name
from crmreports.spec.report import ReportSpec, SourceMapping


@dataclass(frozen=True)
class _Entry:
    table: str | None  # None: every table the report reads that has `column`
    column: str
    value: Any  # your column name, or {your value: model value}


@dataclass(frozen=True)
class Binding:
    columns: tuple[_Entry, ...] = ()
    values: tuple[_Entry, ...] = ()
    origin: str = "builtin"
    problems: tuple[Problem, ...] = field(default=())

    @classmethod
    def parse(
        cls,
        columns: Mapping[str, Any] | None,
        values: Mapping[str, Any] | None,
        origin: str = "builtin",
    ) -> Binding:
        """Accept `{table: {column: x}}`, `{"table.column": x}` or `{column: x}`; check every
        table and column name against the data model (all problems at once)."""
        problems: list[Problem] = []
        # {table: {column: ...}} nests one level; {column: {expr: ...}} is a computed column.
        col_entries = _entries(
            columns or {},
            "columns",
            nested=lambda v: isinstance(v, Mapping) and set(v) != {"expr"},
        )
        # In `values`, a plain {column: {yours: ours}} has scalar leaves; {table: {...}} has
        # mappings one level deeper.
        val_entries = _entries(
            values or {},
            "values",
            nested=lambda v: (
                isinstance(v, Mapping) and all(isinstance(x, Mapping) for x in v.values())
            ),
        )
        for kind, entries in (("columns", col_entries), ("values", val_entries)):
            for e in entries:
                found = _check(e, kind)
                problems += found
                if found:
                    continue
                computed = isinstance(e.value, Mapping) and set(e.value) == {"expr"}
                if kind == "columns" and not (isinstance(e.value, str) or computed):
                    problems.append(
                        Problem(
                            "invalid-value",
                            f"columns: the model column {e.column!r} must map to one of your "
                            f"column names (text) or to {{'expr': <row formula>}}, got "
                            f"{e.value!r}",
                            f"columns.{e.column}",
                        )
                    )
                if kind == "values" and not isinstance(e.value, Mapping):
                    problems.append(
                        Problem(
                            "invalid-value",
                            f"values: {e.column!r} needs {{your value: model value}}, got "
                            f"{e.value!r}",
                            f"values.{e.column}",
                        )
                    )
        if problems:
            raise SpecError.from_problems(problems, report=origin)
        return cls(tuple(col_entries), tuple(val_entries), origin)

    def apply(self, report: ReportSpec) -> Any:
        """`report` with a `mapping` for every model table it reads (empty where nothing is
        mapped, so a missing column's error explains how to map it)."""
        read = tables_read(report)
        problems: list[Problem] = []
        # The model's meaningful values of every table read, so a run checks the data's
        # spelling of them (Won for won) before counting.
        mapping: dict[str, dict[str, dict[str, Any]]] = {
            t: {"columns": {}, "values": {}, "meaningful": _meaningful(t)} for t in sorted(read)
        }
        for kind, entries in (("columns", self.columns), ("values", self.values)):
            for e in entries:
                targets = [e.table] if e.table else [t for t in read if TABLES[t].column(e.column)]
                if e.table is None and not targets:
                    problems.append(
                        unknown_name(
                            "unknown-model-column",
                            f"{kind}: none of the tables this report reads "
                            f"({', '.join(sorted(read))}) has a column {e.column!r}",
                            f"{kind}.{e.column}",
                            e.column,
                            sorted({c.name for t in read for c in TABLES[t].columns}),
                            "columns in those tables",
                            hint=f"name the table: {{'<table>.{e.column}': ...}}",
                        )
                    )
                for t in targets:
                    if t in mapping:  # tables the report does not read are left alone
                        mapping[t][kind][e.column] = e.value
        if problems:
            raise SpecError.from_problems(problems, report=self.origin)
        bound = {t: SourceMapping.model_validate(m) for t, m in mapping.items()}
        return report.model_copy(update={"mapping": {**report.mapping, **bound}})


def tables_read(report: ReportSpec) -> set[str]:
    """The data model's tables a report (and its rollups) read."""
    rollups = {r.name for r in report.rollups}
    specs = [report, *(report.rollup_report(i) for i in range(len(report.rollups)))]
    found: set[str] = set()
    for spec in specs:
        found |= {spec.source} if spec.source else set()
        found |= {r.to for r in spec.relationships}
        found |= {r.from_ for r in spec.relationships if r.from_}
        found |= {
            str(getattr(m, "source", None)) for m in spec.measures if getattr(m, "source", None)
        }
    return {t for t in found - rollups if t in TABLES}


def _meaningful(table: str) -> dict[str, list[str]]:
    return {c.name: list(c.values) for c in TABLES[table].columns if c.values}


def _entries(raw: Mapping[str, Any], kind: str, nested: Any) -> list[_Entry]:
    entries: list[_Entry] = []
    for key, value in raw.items():
        key = str(key)
        if nested(value):  # {table: {...}}; an unknown table is reported by _check
            entries += [_Entry(key, str(c), v) for c, v in value.items()]
        elif "." in key:
            table, column = key.split(".", 1)
            entries.append(_Entry(table, column, value))
        else:
            entries.append(_Entry(None, key, value))
    return entries


def _check(e: _Entry, kind: str) -> list[Problem]:
    path = f"{kind}.{e.table}.{e.column}" if e.table else f"{kind}.{e.column}"
    if e.table is not None and e.table not in TABLES:
        return [
            unknown_name(
                "unknown-model-table",
                f"{kind}: the data model has no table {e.table!r}",
                path,
                e.table,
                TABLES,
                "tables",
            )
        ]
    tables = [TABLES[e.table]] if e.table else list(TABLES.values())
    names = sorted({c.name for t in tables for c in t.columns})
    if not any(t.column(e.column) for t in tables):
        where = f"table {e.table!r}" if e.table else "the data model"
        return [
            unknown_name(
                "unknown-model-column",
                f"{kind}: {where} has no column {e.column!r}",
                path,
                e.column,
                names,
                "columns",
                hint="keys are the model's column names, values are yours (see docs/data-model.md)",
            )
        ]
    return []
