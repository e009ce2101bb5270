"""Run a plan: the pre-queries, the aggregation queries on the caller's backend, then the
steps over their results on DuckDB; return the caller's kind of frame."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from crmreports.execute.inputs import BoundSource, InputKind
from crmreports.execute.labels import with_distinct_unmatched_labels
from crmreports.execute.post import PostRunner, formula
from crmreports.execute.query import check_lookups, run_query, unmatched_notes
from crmreports.execute.rows import TopMembers
from crmreports.plan import ROW_LEVEL, ROW_TYPE, Plan, TopQuery, TotalsStep, distinct_label


@dataclass(frozen=True)
class ExecutedFrame:
    """The aggregated result as Arrow (small), plus the kind of frame the caller gave us."""

    table: pa.Table
    kind: InputKind
    notes: tuple[str, ...] = ()
    # The labels the run gave its top-N buckets ("Other", or "Other (all others)" when a
    # member is called Other): charts grey these, and only these, as "the rest".
    buckets: tuple[str, ...] = ()

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
    plan, relabelled = with_distinct_unmatched_labels(plan, sources)
    notes += relabelled
    members = {}
    for top in plan.pre:
        members[top.name], note = _members(top, sources)
        notes += [note] if note else []
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
    buckets = tuple(dict.fromkeys(m.other_label for m in members.values()))
    return ExecutedFrame(main.select(keep), kind, tuple(notes), buckets)


def _members(top: TopQuery, sources: dict[str, BoundSource]) -> tuple[TopMembers, str | None]:
    """The kept members, largest first (ties by member, nulls last, for a stable choice), and
    the label of the rest: `other_label`, or, when a member is already called that, a label
    no member has (the pre-query sees every member, so this costs nothing more); then a
    note says so."""
    rows = run_query(top.query, sources, {}).to_pylist()
    label = distinct_label(top.other_label, (r["member"] for r in rows), "all others")
    note = None
    if label != top.other_label and len(rows) > top.n:
        note = (
            f"{top.other_label!r} is one of the values of {top.dimension}: the values after "
            f"the {'bottom' if top.bottom else 'top'} {top.n} are grouped as {label!r}"
        )

    def order(row: dict[str, Any]) -> tuple[Any, ...]:
        value, member = row["value"], row["member"]
        rank = 0 if value is None else (value if top.bottom else -value)
        return (value is None, rank, member is None, str(member))

    rows.sort(key=order)
    return TopMembers(tuple(r["member"] for r in rows[: top.n]), label), note


def _with_totals(
    detail: pa.Table, steps: list[TotalsStep], runner: PostRunner, plan: Plan
) -> pa.Table:
    """Detail rows, each group's subtotal after its rows, the grand total last; each row with
    its `row_type` and `row_level` (the number of leading dimensions it is grouped by), so a
    real null in a dimension never reads like the span of a subtotal."""
    columns = detail.column_names
    schema = detail.schema
    dimensions = list(plan.dimensions)
    detail_rows = [
        dict(r, **{ROW_TYPE: "detail", ROW_LEVEL: len(dimensions)}) for r in detail.to_pylist()
    ]
    levels: dict[int, list[dict[str, Any]]] = {}
    grand: list[dict[str, Any]] = []
    for step in steps:
        frame = runner.frame(step.query)
        for name in step.across:
            frame = runner.across(frame, name, step.keys, ())
        for f in step.formulas:
            frame = formula(frame, f)
        level = len(step.keys)
        rows = [
            dict(r, **{ROW_TYPE: step.row_type, ROW_LEVEL: level})
            for r in frame.collect().to_arrow().to_pylist()
        ]
        if step.row_type == "total":
            grand += rows
        else:
            levels[level] = rows
    out: list[dict[str, Any]] = []

    def group(row: dict[str, Any], level: int) -> tuple[Any, ...]:
        return tuple(row.get(d) for d in dimensions[:level])

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
    names = [*columns, ROW_TYPE, ROW_LEVEL]
    fields = [*schema, pa.field(ROW_TYPE, pa.string()), pa.field(ROW_LEVEL, pa.int64())]
    return pa.Table.from_pylist(
        [{c: r.get(c) for c in names} for r in out], schema=pa.schema(fields)
    )


__all__ = ["ExecutedFrame", "execute"]
