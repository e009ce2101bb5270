"""Run a plan: the pre-queries, the aggregation queries on the caller's backend, then the
steps over their results on DuckDB; return the caller's kind of frame."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from crmreports.execute.inputs import BoundSource, InputKind
from crmreports.execute.post import PostRunner, formula
from crmreports.execute.query import check_lookups, run_query, unmatched_notes
from crmreports.plan import ROW_TYPE, Plan, TopQuery, TotalsStep


@dataclass(frozen=True)
class ExecutedFrame:
    """The aggregated result as Arrow (small), plus the kind of frame the caller gave us."""

    table: pa.Table
    kind: InputKind
    notes: tuple[str, ...] = ()

    def native(self) -> Any:
        """The result as the same kind of frame as the input (pandas in, pandas out)."""
        if self.kind in (InputKind.PANDAS, InputKind.FILE):
            return self.table.to_pandas()
        if self.kind in (InputKind.POLARS, InputKind.POLARS_LAZY):
            import polars as pl

            return pl.from_arrow(self.table)
        return self.table


def execute(
    plan: Plan,
    sources: dict[str, BoundSource],
    cursor: duckdb.DuckDBPyConnection,
    result_kind: InputKind | None = None,
) -> ExecutedFrame:
    notes = check_lookups(plan.queries[0], sources) + list(plan.notes)
    members = {top.name: _members(top, sources) for top in plan.pre}
    tables = {q.name: run_query(q, sources, members) for q in plan.queries}
    counted, tables["main"] = unmatched_notes(plan.queries[0], tables["main"])
    notes += counted
    runner = PostRunner(cursor, tables)
    detail_steps = [s for s in plan.post if not isinstance(s, TotalsStep)]
    main = runner.run(runner.frame("main"), detail_steps).collect().to_arrow()
    totals = [s for s in plan.post if isinstance(s, TotalsStep)]
    if totals:
        main = _with_totals(main, totals, runner, plan)
    keep = [c for c in plan.columns if c in main.column_names]
    kind = result_kind or sources[plan.source].kind
    return ExecutedFrame(main.select(keep), kind, tuple(notes))


def _members(top: TopQuery, sources: dict[str, BoundSource]) -> list[Any]:
    """The kept members, largest first (ties by member, nulls last, for a stable choice)."""
    rows = run_query(top.query, sources, {}).to_pylist()

    def order(row: dict[str, Any]) -> tuple[Any, ...]:
        value, member = row["value"], row["member"]
        rank = 0 if value is None else (value if top.bottom else -value)
        return (value is None, rank, member is None, str(member))

    rows.sort(key=order)
    return [r["member"] for r in rows[: top.n]]


def _with_totals(
    detail: pa.Table, steps: list[TotalsStep], runner: PostRunner, plan: Plan
) -> pa.Table:
    """Detail rows, each group's subtotal after its rows, the grand total last."""
    columns = detail.column_names
    schema = detail.schema
    detail_rows = [dict(r, **{ROW_TYPE: "detail"}) for r in detail.to_pylist()]
    levels: dict[int, list[dict[str, Any]]] = {}
    grand: list[dict[str, Any]] = []
    for step in steps:
        frame = runner.frame(step.query)
        for name in step.across:
            frame = runner.across(frame, name, step.keys, ())
        for f in step.formulas:
            frame = formula(frame, f)
        rows = [
            dict(r, **{ROW_TYPE: step.row_type}) for r in frame.collect().to_arrow().to_pylist()
        ]
        if step.row_type == "total":
            grand += rows
        else:
            levels[int(step.query.removeprefix("subtotal"))] = rows
    out: list[dict[str, Any]] = []
    dims = [c for c in columns if c in plan.columns][: max(levels, default=0)]

    def group(row: dict[str, Any], level: int) -> tuple[Any, ...]:
        return tuple(row.get(d) for d in dims[:level])

    emitted: set[tuple[int, tuple[Any, ...]]] = set()
    for i, row in enumerate(detail_rows):
        out.append(row)
        following = detail_rows[i + 1] if i + 1 < len(detail_rows) else None
        for level in sorted(levels, reverse=True):
            key = group(row, level)
            if following is not None and group(following, level) == key:
                continue
            for sub in levels[level]:
                if group(sub, level) == key and (level, key) not in emitted:
                    emitted.add((level, key))
                    out.append(sub)
    out += grand
    fields = [*schema, pa.field(ROW_TYPE, pa.string())]
    return pa.Table.from_pylist(
        [{c: r.get(c) for c in [*columns, ROW_TYPE]} for r in out], schema=pa.schema(fields)
    )


__all__ = ["ExecutedFrame", "execute"]
