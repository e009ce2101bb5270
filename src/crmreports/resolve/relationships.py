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
    for a chain, the earlier lookup's `source.column` names. `compare_as` says, per key pair,
    the type both sides are cast to before they are compared, and before the uniqueness of
    `to`'s key is checked (None: compared as they are)."""

    from_: str
    to: str
    left_on: tuple[str, ...]
    right_on: tuple[str, ...]
    unmatched_label: str | None
    path: str  # where it is declared in the spec
    compare_as: tuple[DataType | None, ...] = ()


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
    compare_as: list[DataType | None] = []
    for left, right in pairs:
        mine, theirs = schema[origin][left], schema[rel.to][right]
        common = key_type(mine, theirs)
        if isinstance(common, _Refused):
            # Reported here; the lookup's columns stay known, so nothing else is reported
            # about them, and the problem stops the report before anything runs.
            problems.append(_key_type_problem(path, (origin, left, mine), (rel.to, right, theirs)))
            common = None
        compare_as.append(common)
    prefix = "" if origin == source else f"{origin}."
    return ResolvedJoin(
        origin,
        rel.to,
        tuple(prefix + left for left, _ in pairs),
        tuple(right for _, right in pairs),
        rel.unmatched_label,
        path,
        tuple(compare_as),
    )


class _Refused:
    """Two key types no engine compares the same way."""


def key_type(mine: DataType, theirs: DataType) -> DataType | _Refused | None:
    """How a key of type `mine` is compared with one of type `theirs`.

    Two integers: as they are. An integer with a float (pandas makes any integer key with a
    null a float), or two floats (a float or a decimal, which polars will not join as they
    are): both as 64-bit floats, so 1 matches 1.0 and 1.5 matches no integer. Other equal
    types: as they are. Anything else is refused: engines disagree on it (DuckDB casts text
    '01' and ' 1' to the number 1, so one order would match three customers; polars refuses
    to join at all).
    """
    if DataType.FLOAT in (mine, theirs) and mine.is_numeric and theirs.is_numeric:
        return DataType.FLOAT
    if mine is theirs:
        return None
    return _Refused()


def _key_type_problem(
    path: str, left: tuple[str, str, DataType], right: tuple[str, str, DataType]
) -> Problem:
    (origin, mine, mine_type), (to, theirs, their_type) = left, right
    numeric = {mine_type, their_type} - {DataType.STRING}
    if DataType.STRING in (mine_type, their_type) and all(t.is_numeric for t in numeric):
        text_side = (origin, mine) if mine_type is DataType.STRING else (to, theirs)
        table, column = text_side
        hint = (
            f"convert {table}.{column} to whole numbers, in your data or in the spec with "
            f"a mapping: `mapping: {{{table}: {{columns: {{{column}: "
            f"{{expr: \"to_int({column})\"}}}}}}}}` (to_int reads '01' and ' 1' as 1; the key "
            "must still be unique as numbers)"
        )
    else:
        hint = "convert one side so that both hold the same kind of value"
    return Problem(
        "key-type",
        f"the relationship compares {origin}.{mine} ({_A[mine_type]}) with {to}.{theirs} "
        f"({_A[their_type]}); keys of different kinds are never compared",
        f"{path}.key",
        checked_against=f"{origin}.{mine}: {mine_type.value}, {to}.{theirs}: {their_type.value}",
        hint=hint,
    )


_A = {
    DataType.INTEGER: "integer",
    DataType.FLOAT: "float",
    DataType.BOOLEAN: "true/false",
    DataType.STRING: "text",
    DataType.DATE: "date",
    DataType.DATETIME: "datetime",
    DataType.OTHER: "of another type",
}


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
