"""`Report`: the spec model plus the verbs that need data (check, explain, run)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import duckdb
from pydantic import ConfigDict

from crmreports.errors import DataError, SpecError
from crmreports.execute import (
    BoundSource,
    Engine,
    align_engines,
    bind_inputs,
    duckdb_cursor,
    execute,
)
from crmreports.plan import Plan, build_plan
from crmreports.resolve import ResolvedReport, resolve
from crmreports.spec import ReportSpec, check_structure, dump_spec, parse_text, read_spec_file
from crmreports.spec.io import validate_spec

if TYPE_CHECKING:
    from crmreports.result import ReportResult


class Report(ReportSpec):
    """A report spec that can be checked against data, explained, and run.

    Build one in Python (`Report(name=..., measures=[...])`), from YAML/JSON text
    (`Report.from_yaml(text)`) or from a file (`crmreports.load(path)`).
    """

    model_config = ConfigDict(title="Report")

    # --- authoring -----------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Any, *, origin: str = "<dict>") -> Self:
        """Build from plain data; structural problems raise one located `SpecError`."""
        return validate_spec(cls, data, origin)

    @classmethod
    def from_yaml(cls, text: str, *, origin: str = "<yaml>") -> Self:
        return cls.from_dict(parse_text(text, "yaml", origin), origin=origin)

    @classmethod
    def from_json(cls, text: str, *, origin: str = "<json>") -> Self:
        return cls.from_dict(parse_text(text, "json", origin), origin=origin)

    @classmethod
    def from_file(cls, path: str | Path) -> Self:
        """Load a .yaml, .yml or .json spec file."""
        data, origin = read_spec_file(path)
        return cls.from_dict(data, origin=origin)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_defaults=True, by_alias=True)

    def to_yaml(self) -> str:
        return dump_spec(self, "yaml")

    def to_json(self) -> str:
        return dump_spec(self, "json")

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
            problems = check_structure(self, formulas=True)
            if problems:
                raise SpecError.from_problems(problems, report=self.name)
            return
        self._prepare(data, params, as_of)

    def explain(
        self,
        data: Any,
        *,
        params: Mapping[str, Any] | None = None,
        as_of: dt.date | str | None = None,
    ) -> str:
        """The plan this report runs on `data`, one step a line."""
        return self._prepare(data, params, as_of)[1].explain()

    def run(
        self,
        data: Any,
        *,
        params: Mapping[str, Any] | None = None,
        as_of: dt.date | str | None = None,
        engine: Engine | str = Engine.AUTO,
    ) -> ReportResult:
        """Compute the report on `data`: a frame, a file path, or {source_name: frame}.

        pandas and Arrow inputs are scanned in place by DuckDB; the result comes back as the
        same kind of frame as the input. The input is never modified. `params` supplies the
        report's parameters; `as_of` (default: today) anchors relative date filters, so a run
        can be reproduced exactly. `engine` chooses who computes in-memory frames: "auto"
        (DuckDB for pandas and Arrow, polars for polars), "duckdb" or "polars".
        """
        from crmreports.result import ReportResult  # the result layer sits above this one

        cursor = duckdb_cursor(self.time.timezone or "UTC")
        try:
            sources, resolved = self._bind(cursor, data, params, as_of, _engine(engine))
            plan = build_plan(resolved)
            together = {resolved.source} | {j.to for j in resolved.joins}
            aligned = align_engines(sources, cursor, together)
            # The result comes back as the kind of frame the caller gave, wherever it ran.
            executed = execute(plan, aligned, cursor, sources[resolved.source].kind)
        finally:
            cursor.close()
        return ReportResult(self, resolved, plan, executed)

    def _prepare(
        self, data: Any, params: Mapping[str, Any] | None, as_of: dt.date | str | None
    ) -> tuple[ResolvedReport, Plan]:
        cursor = duckdb_cursor(self.time.timezone or "UTC")
        try:
            _, resolved = self._bind(cursor, data, params, as_of, Engine.AUTO)
        finally:
            cursor.close()
        return resolved, build_plan(resolved)

    def _bind(
        self,
        cursor: duckdb.DuckDBPyConnection,
        data: Any,
        params: Mapping[str, Any] | None,
        as_of: dt.date | str | None,
        engine: Engine,
    ) -> tuple[dict[str, BoundSource], ResolvedReport]:
        """The caller's data bound to sources, and this spec resolved against their schemas."""
        sources = bind_inputs(data, self.source, cursor, engine)
        schema = {n: s.schema for n, s in sources.items()}
        return sources, resolve(self, schema, params=params, as_of=_as_date(as_of))


def _engine(value: Engine | str) -> Engine:
    try:
        return Engine(value)
    except ValueError:
        choices = ", ".join(e.value for e in Engine)
        raise DataError(f"unknown engine {value!r}: use one of {choices}") from None


def _as_date(value: dt.date | str | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise DataError(f"as_of must be a date like 2024-06-30, got {value!r}") from None


def load(path: str | Path) -> Report:
    """Load a report spec from a .yaml, .yml or .json file."""
    return Report.from_file(path)
