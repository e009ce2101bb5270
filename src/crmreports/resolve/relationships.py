"""Many-to-one lookups: which sources a report can reach from its own, and their columns.

Only many-to-one steps are followed (orders -> customers -> regions), so a looked-up column
never multiplies a row of the report's source. A name pointing the other way (a report over
customers asking for orders.amount) is refused with an explanation of the one-to-many path.
"""

from __future__ import annotations

from dataclasses import dataclass

from crmreports.errors import Problem, format_names, suggest
from crmreports.resolve.types import DataType, Schema
from crmreports.spec import Relationship


@dataclass(frozen=True)
class ResolvedJoin:
    """Left-join `to` onto `from_`: `from_` columns `left_on` equal `to` columns `right_on`.

    Columns of `to` appear as `to.column`; `from_` columns are the source's own names or,
    for a chain, the earlier lookup's `source.column` names."""

    from_: str
    to: str
    left_on: tuple[str, ...]
    right_on: tuple[str, ...]
    unmatched_label: str | None
    path: str  # where it is declared in the spec


def reachable_columns(
    source: str,
    relationships: list[Relationship],
    schema: Schema,
    problems: list[Problem],
) -> tuple[dict[str, DataType], dict[str, ResolvedJoin]]:
    """`to.column` names (with types) reachable from `source`, and the join for each `to`."""
    columns: dict[str, DataType] = {}
    joins: dict[str, ResolvedJoin] = {}
    reached = {source}
    pending = list(enumerate(relationships))
    progress = True
    while pending and progress:  # follow chains in any declaration order
        progress = False
        for i, rel in list(pending):
            origin = rel.from_ or source
            if origin not in reached:
                continue
            pending.remove((i, rel))
            progress = True
            join = _bind(i, rel, origin, source, schema, problems)
            if join is None:
                continue
            reached.add(rel.to)
            joins[rel.to] = join
            for column, dtype in schema[rel.to].items():
                columns[f"{rel.to}.{column}"] = dtype
    for i, rel in pending:
        problems.append(
            Problem(
                "unknown-source",
                f"relationship from {rel.from_!r} cannot be reached from the report's source "
                f"{source!r}",
                f"relationships[{i}].from",
                checked_against="reachable: " + ", ".join(sorted(reached)),
            )
        )
    return columns, joins


def _bind(
    i: int,
    rel: Relationship,
    origin: str,
    source: str,
    schema: Schema,
    problems: list[Problem],
) -> ResolvedJoin | None:
    path = f"relationships[{i}]"
    if rel.to not in schema:
        names = list(schema)
        problems.append(
            Problem(
                "unknown-source",
                f"unknown source {rel.to!r}",
                f"{path}.to",
                checked_against=format_names(names, "sources"),
                suggestion=suggest(rel.to, names),
                hint=f"pass it with the data: run({{..., '{rel.to}': frame}})",
            )
        )
        return None
    pairs = [(rel.key, rel.key)] if isinstance(rel.key, str) else list(rel.key.items())
    ok = True
    for left, right in pairs:
        for side, column, table in ((origin, left, "from"), (rel.to, right, "to")):
            if column not in schema[side]:
                ok = False
                names = list(schema[side])
                problems.append(
                    Problem(
                        "unknown-column",
                        f"unknown column {column!r} in source {side!r} ({table} side of the "
                        "relationship key)",
                        f"{path}.key",
                        checked_against=format_names(names, "columns"),
                        suggestion=suggest(column, names),
                    )
                )
    if not ok:
        return None
    prefix = "" if origin == source else f"{origin}."
    return ResolvedJoin(
        origin,
        rel.to,
        tuple(prefix + left for left, _ in pairs),
        tuple(right for _, right in pairs),
        rel.unmatched_label,
        path,
    )


def one_to_many_hint(name: str, source: str, relationships: list[Relationship]) -> str | None:
    """Explain why `other.column` is out of reach when `other` points *at* the source."""
    head = name.split(".", 1)[0]
    for rel in relationships:
        if rel.to == source and (rel.from_ or "") == head:
            return (
                f"{head} -> {source} is many-to-one: one {source} row has many {head} rows, "
                f"so a report over {source} cannot use {name} without counting {source} rows "
                f"several times; make {head!r} the report's source and group by "
                f"{source}.<column> instead"
            )
    return None
