"""`Report`: the spec model plus the verbs that need data (check, explain, run)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, Self

import duckdb
import pyarrow as pa
from pydantic import ConfigDict

from crmreports.errors import DataError, Problem, SpecError, under
from crmreports.execute import (
    BoundSource,
    Engine,
    ExecutedFrame,
    align_engines,
    apply_mapping,
    bind_inputs,
    duckdb_cursor,
    empty_table,
    execute,
)
from crmreports.execute.values import (
    Literal,
    check_values,
    filter_literals,
    judge,
    recoded_keys,
)
from crmreports.plan import Plan, build_plan, explain
from crmreports.resolve import ResolvedReport, resolve
from crmreports.result import ReportResult
from crmreports.spec import ReportSpec, check_structure
from crmreports.spec.checks import rollup_problems
from crmreports.spec.io import SpecDocument, validate_spec


class Report(ReportSpec, SpecDocument):
    """A report spec that can be checked against data, explained, and run.

    Build one in Python (`Report(name=..., measures=[...])`), from YAML/JSON text
    (`Report.from_yaml(text)`) or from a file (`crmreports.load(path)`).
    """

    model_config = ConfigDict(title="Report")

    @classmethod
    def from_dict(cls, data: Any, *, origin: str = "<dict>") -> Self:
        """Build from plain data; structural problems raise one located `SpecError`."""
        return validate_spec(cls, data, origin)

    # --- with data -----------------------------------------------------------------------------

    def check(
        self,
        data: Any = None,
        *,
        params: Mapping[str, Any] | None = None,
        as_of: dt.date | str | None = None,
    ) -> None:
        """Raise a `SpecError` listing every problem; without data, only data-free checks run."""
        if data is None:
            problems = check_structure(self, formulas=True) + rollup_problems(self, True)
            if problems:
                raise SpecError.from_problems(problems, report=self.name)
            return
        self.prepare(data, params, as_of)

    def explain(
        self,
        data: Any,
        *,
        params: Mapping[str, Any] | None = None,
        as_of: dt.date | str | None = None,
    ) -> str:
        """The plan this report runs on `data`, one step a line."""
        return explain(self.prepare(data, params, as_of)[1])

    def run(
        self,
        data: Any,
        *,
        params: Mapping[str, Any] | None = None,
        as_of: dt.date | str | None = None,
        engine: Engine | str = Engine.AUTO,
        strict: bool = False,
    ) -> ReportResult:
        """Compute the report on `data`: a frame, a file path, or {source_name: frame}.

        pandas and Arrow inputs are scanned in place by DuckDB; the result comes back as the
        same kind of frame as the input. The input is never modified. `params` supplies the
        report's parameters; `as_of` (default: today) anchors relative date filters, so a run
        can be reproduced exactly. `engine` chooses who computes in-memory frames: "auto"
        (DuckDB for pandas and Arrow, polars for polars), "duckdb" or "polars".

        Every value a filter compares a column with (`stage eq won`) is looked up in the
        column first: one that no row holds gets a note with the values present, and with
        `strict=True` fails the run (one `ValueNotInDataError` listing them all).
        """
        cursor = duckdb_cursor(self.time.timezone or "UTC")
        try:
            sources, resolved, checked = self._bind(
                cursor, data, params, as_of, _engine(engine), materialize=True, strict=strict
            )
            plan = build_plan(resolved)
            executed = _execute(plan, resolved, sources, cursor)
            # Beside the execution's notes, so a dashboard sharing one run passes them on.
            executed = replace(executed, notes=(*checked, *executed.notes))
        finally:
            cursor.close()
        return ReportResult(self, resolved, plan, executed)

    def prepare(
        self,
        data: Any,
        params: Mapping[str, Any] | None = None,
        as_of: dt.date | str | None = None,
    ) -> tuple[ResolvedReport, Plan]:
        """The report resolved against `data` and its plan, computing nothing (rollups are
        typed, not run): what `check` and `explain` use, and what a dashboard checks before
        sharing one aggregation between reports."""
        cursor = duckdb_cursor(self.time.timezone or "UTC")
        try:
            _, resolved, _ = self._bind(cursor, data, params, as_of, Engine.AUTO, materialize=False)
        finally:
            cursor.close()
        return resolved, build_plan(resolved)

    def unnamed_source(self) -> str | None:
        """The source name an unnamed frame (`run(frame)`, `--data PATH`) is bound to: the
        report's source, or, when that is a rollup, the one table the rollups read (a report
        over the rollup `customer_rfm` of `orders` is given its orders), so a single-table
        report runs on a single frame whatever its rollups. None leaves the default name."""
        rollups = {r.name for r in self.rollups}
        if self.source not in rollups:
            return self.source
        specs = [self.rollup_report(i) for i in range(len(self.rollups))]
        read = {s.source for s in specs if s.source} | {
            name
            for s in (self, *specs)
            for rel in s.relationships
            for name in (rel.to, rel.from_)
            if name
        }
        read |= {
            str(source)
            for s in (self, *specs)
            for m in s.measures
            if (source := getattr(m, "source", None))  # only aggregates read other sources
        }
        tables = sorted(read - rollups)
        return tables[0] if len(tables) == 1 else self.source

    def _bind(
        self,
        cursor: duckdb.DuckDBPyConnection,
        data: Any,
        params: Mapping[str, Any] | None,
        as_of: dt.date | str | None,
        engine: Engine,
        materialize: bool,
        strict: bool = False,
    ) -> tuple[dict[str, BoundSource], ResolvedReport, tuple[str, ...]]:
        """The caller's data bound to sources (mapped, plus the rollups), this spec resolved
        against their schemas, and the notes on filter values no row holds. Without
        `materialize`, rollups are only typed (empty tables) and values are not looked up,
        so checking and explaining never compute anything."""
        date = as_date(as_of)
        sources = bind_inputs(data, self.unnamed_source(), cursor, engine)
        raw = dict(sources)
        notes: list[str] = []
        for name, mapping in self.mapping.items():
            if name in sources:
                sources[name] = apply_mapping(sources[name], mapping, f"mapping.{name}")
        literals = self._filter_literals(sources, params) if materialize else []
        checked: tuple[str, ...] = ()
        if materialize:  # before any rollup is computed
            now = [lit for lit in literals if lit.source in sources]
            checked = self._check_values(now, sources, raw, strict, keys=True)
        rollups_bound: set[str] = set()
        for i, rollup in enumerate(self.rollups):
            if rollup.name in sources:
                raise SpecError(
                    [
                        Problem(
                            "duplicate-name",
                            f"rollup {rollup.name!r} has the name of a source in the data",
                            f"rollups[{i}].name",
                            hint="rename the rollup or the source",
                        )
                    ],
                    report=self.name,
                )
            spec = self.rollup_report(i)
            schema = {n: s.schema for n, s in sources.items()}
            try:
                resolved = resolve(spec, schema, params=params, as_of=date)
            except SpecError as exc:
                missing = {p.code for p in exc.problems} <= _MISSING_DATA
                if rollup.optional and missing:  # left out; its optional readers go too
                    notes.append(f"rollup {rollup.name!r} left out: {exc.problems[0].message}")
                    continue
                raise SpecError.from_problems(
                    under(exc.problems, f"rollups[{i}]"), report=self.name
                ) from None
            found = resolved.notes
            if materialize:
                executed = _execute(build_plan(resolved), resolved, sources, cursor)
                table = executed.table
                found += executed.notes
            else:
                table = _empty_result(resolved)
            notes += [f"rollup {rollup.name!r}: {n}" for n in found]
            given = sources[resolved.source].result_kind
            bound = bind_inputs({rollup.name: table}, None, cursor)[rollup.name]
            sources[rollup.name] = replace(bound, given_kind=given)  # results come back as given
            rollups_bound.add(rollup.name)
        later = [lit for lit in literals if lit.source in rollups_bound]
        checked += self._check_values(later, sources, sources, strict, keys=False)
        schema = {n: s.schema for n, s in sources.items()}
        resolved = resolve(self, schema, params=params, as_of=date)
        return sources, replace(resolved, notes=(*notes, *resolved.notes)), checked

    def _filter_literals(
        self, sources: dict[str, BoundSource], params: Mapping[str, Any] | None
    ) -> list[Literal]:
        """The values this report's filters and its rollups' compare columns with."""
        only = next(iter(sources)) if len(sources) == 1 else None
        found = filter_literals(self, self.source or only or "", params or {})
        for i, rollup in enumerate(self.rollups):
            spec = self.rollup_report(i)
            found += filter_literals(
                spec, rollup.source or only or "", params or {}, f"rollups[{i}]."
            )
        return found

    def _check_values(
        self,
        literals: list[Literal],
        sources: dict[str, BoundSource],
        raw: dict[str, BoundSource],
        strict: bool,
        keys: bool,
    ) -> tuple[str, ...]:
        """Notes on the values no row holds; raise when they are errors (strict, a value
        map none of whose keys occurs, a meaningful value spelled otherwise)."""
        recoded = recoded_keys({n: m for n, m in self.mapping.items() if n in raw}) if keys else []
        if not literals and not recoded:
            return ()
        check = check_values(literals, recoded, sources, raw, self.mapping)
        meaningful = {n: m.meaningful for n, m in self.mapping.items() if m.meaningful}
        found, problems = judge(check, meaningful, strict)
        if problems:
            raise SpecError.from_problems(problems, report=self.name)
        return tuple(found)


# Problems that mean "the data lacks it" (not a mistake in the spec): an optional rollup is left
# out on them.
_MISSING_DATA = {"unknown-source", "unknown-column"}


def _execute(
    plan: Plan,
    resolved: ResolvedReport,
    sources: dict[str, BoundSource],
    cursor: duckdb.DuckDBPyConnection,
) -> ExecutedFrame:
    together = {resolved.source} | {j.to for j in resolved.joins}
    aligned = align_engines(sources, cursor, together)
    # The result comes back as the kind of frame the caller gave, wherever it ran.
    return execute(plan, aligned, cursor, sources[resolved.source].result_kind)


def _empty_result(resolved: ResolvedReport) -> pa.Table:
    """A table with the columns and types `resolved` would produce, and no rows."""
    types = {d.name: d.dtype for d in resolved.dimensions} | {
        m.name: m.dtype for m in resolved.measures
    }
    return empty_table(types)


def _engine(value: Engine | str) -> Engine:
    try:
        return Engine(value)
    except ValueError:
        choices = ", ".join(e.value for e in Engine)
        raise DataError(
            f"unknown engine {value!r}: use one of {choices}", code="unknown-engine"
        ) from None


def as_date(value: dt.date | str | None) -> dt.date | None:
    """An `as_of` argument as a date: a date, a datetime's date, or ISO text (2024-06-30)."""
    if value is None or isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise DataError(
            f"as_of must be a date like 2024-06-30, got {value!r}", code="invalid-as-of"
        ) from None


def load(path: str | Path) -> Report:
    """Load a report spec from a .yaml, .yml or .json file."""
    return Report.from_file(path)
