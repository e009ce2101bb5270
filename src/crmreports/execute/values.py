"""Filter values checked against the data, before anything is counted.

A filter value that no row holds (`stage eq won` over stages spelled `Won`) gives an empty
report, or, negated (`not_in [won, lost]`), keeps every row: a silent wrong number. Every
`eq`/`ne`/`in`/`not_in` value of a report's filters and measure filters (text, booleans and
numbers; a parameter's value too) is looked up in the column's values over the WHOLE source,
not the filtered rows (no won deal this month is no typo). Values recoded by a `mapping` are
looked up after recoding, and the recoding's own keys (your values) before it.

Cost: one aggregation per source read (a row of flags, whatever the number of values); only
when a value is missing, a second small one lists the column's most frequent values for the
message. No source is materialised.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import narwhals as nw

from crmreports.errors import Problem, show_value, suggest
from crmreports.execute.inputs import BoundSource, apply_mapping
from crmreports.resolve import DataType
from crmreports.spec import (
    AnyOf,
    CompareFilter,
    CountMeasure,
    ExprMeasure,
    FieldMeasure,
    Filter,
    InFilter,
    ParamRef,
)
from crmreports.spec.report import ComputedColumn, ReportSpec, SourceMapping

SHOWN = 12  # values present listed in a message


@dataclass(frozen=True)
class Literal:
    """One value a filter compares a column with."""

    source: str
    column: str
    value: Any
    path: str  # spec path of the value
    measure: str | None  # the measure whose own filter it is; None for a report filter
    negated: bool  # ne / not_in: a missing value removes nothing
    param: str | None = None  # the parameter it came from


@dataclass(frozen=True)
class RecodedKeys:
    """The keys of one column's value map (`mapping.<source>.values.<column>`): your values."""

    source: str
    column: str  # the report's column
    raw: str  # your column holding them
    keys: tuple[Any, ...]
    targets: tuple[Any, ...]  # what each key is recoded to
    path: str


@dataclass(frozen=True)
class Missing:
    """A value no row of its column holds, with what the column does hold."""

    source: str
    column: str
    value: Any
    present: tuple[Any, ...]  # the most frequent values, at most SHOWN
    more: bool  # the column holds more values than shown
    likely: Any | None  # a present value most likely meant (Won for won, Closed Won)


@dataclass(frozen=True)
class ValueCheck:
    literals: tuple[Literal, ...]
    missing: dict[tuple[str, str, Any], Missing]  # by (source, column, value)
    # value maps with keys no row holds: (keys, the absent ones, values present when none is)
    unused_keys: tuple[tuple[RecodedKeys, tuple[Any, ...], Missing | None], ...]

    def miss(self, lit: Literal) -> Missing | None:
        return self.missing.get((lit.source, lit.column, _key(lit.value)))


# --- what to check ----------------------------------------------------------------------------


def filter_literals(
    spec: ReportSpec, source: str, params: Mapping[str, Any], prefix: str = ""
) -> list[Literal]:
    """The values `spec`'s filters and measure filters compare a column with; a column of a
    looked-up table (`customers.segment`) is looked up in that table."""
    given = {p.name: p.default for p in spec.params if p.default is not None} | dict(params)
    lookups = {rel.to for rel in spec.relationships}
    found: list[Literal] = []

    def add(
        field: str, value: Any, path: str, measure: str | None, negated: bool, table: str
    ) -> None:
        param = None
        if isinstance(value, ParamRef):
            param, value = value.param, given.get(value.param)
        if value is None or isinstance(value, list | tuple | dict):
            return
        column = field
        head, dot, rest = field.partition(".")
        if dot and head in lookups and table == source:
            table, column = head, rest
        found.append(Literal(table, column, value, prefix + path, measure, negated, param))

    def walk(f: Filter, path: str, measure: str | None, table: str) -> None:
        if isinstance(f, AnyOf):
            for j, child in enumerate(f.any_of):
                walk(child, f"{path}.any_of[{j}]", measure, table)
        elif isinstance(f, CompareFilter) and f.op in ("eq", "ne"):
            add(f.field, f.value, f"{path}.value", measure, f.op == "ne", table)
        elif isinstance(f, InFilter):
            for j, v in enumerate(f.value):
                add(f.field, v, f"{path}.value[{j}]", measure, f.op == "not_in", table)

    for i, f in enumerate(spec.filters):
        walk(f, f"filters[{i}]", None, source)
    for j, m in enumerate(spec.measures):
        if not isinstance(m, CountMeasure | FieldMeasure | ExprMeasure):
            continue  # only aggregates filter rows of their own
        own: list[Filter] = m.filter
        table = m.source or source  # a measure of another source (targets)
        for k, f in enumerate(own):
            walk(f, f"measures[{j}].filter" + (f"[{k}]" if len(own) > 1 else ""), m.name, table)
    return found


def recoded_keys(mappings: Mapping[str, SourceMapping]) -> list[RecodedKeys]:
    """The value maps of every mapped source, with the column of yours each reads."""
    found = []
    for source, mapping in mappings.items():
        for column, table in mapping.values.items():
            yours = mapping.columns.get(column, column)
            if isinstance(yours, ComputedColumn) or not table:
                continue  # a computed column's values exist only after mapping
            path = f"mapping.{source}.values.{column}"
            found.append(
                RecodedKeys(source, column, yours, tuple(table), tuple(table.values()), path)
            )
    return found


# --- looking them up -----------------------------------------------------------------------------


def check_values(
    literals: list[Literal],
    keys: list[RecodedKeys],
    sources: Mapping[str, BoundSource],
    raw: Mapping[str, BoundSource],
    mappings: Mapping[str, SourceMapping],
) -> ValueCheck:
    """Look every literal and every recoded key up: one aggregation per source. `sources` are
    the mapped sources, `raw` the caller's before mapping."""
    usable = [lit for lit in literals if _comparable(lit.value, sources, lit.source, lit.column)]
    keys = [
        k
        for k in keys
        if k.source in raw and all(_comparable(v, raw, k.source, k.raw) for v in k.keys)
    ]
    missing: dict[tuple[str, str, Any], Missing] = {}
    unused: list[tuple[RecodedKeys, tuple[Any, ...], Missing | None]] = []
    for source in sorted({lit.source for lit in usable} | {k.source for k in keys}):
        mine = _unique([lit for lit in usable if lit.source == source])
        my_keys = [k for k in keys if k.source == source]
        frame, aliases, renamed = _frame(source, sources, raw, mappings, my_keys)
        flags = _look_up(frame, mine, my_keys, aliases, renamed)
        for i, lit in enumerate(mine):
            if not flags[f"h{i}"]:
                inner = renamed.get(lit.column, lit.column)
                missing[(source, lit.column, _key(lit.value))] = replace(
                    _missing(frame, replace(lit, column=inner)), column=lit.column
                )
        for k in my_keys:
            absent = tuple(v for j, v in enumerate(k.keys) if not flags[f"k{id(k)}_{j}"])
            if len(absent) == len(k.keys):  # none occurs: say what does
                probe = Literal(source, aliases[k.raw], k.keys[0], k.path, None, False)
                unused.append((k, absent, replace(_missing(frame, probe), column=k.raw)))
            elif absent:
                unused.append((k, absent, None))
    return ValueCheck(tuple(usable), missing, tuple(unused))


def _comparable(value: Any, sources: Mapping[str, BoundSource], source: str, column: str) -> bool:
    """A value is checked only against a column of its own kind (a date is no spelling)."""
    bound = sources.get(source)
    dtype = bound.schema.get(column) if bound is not None else None
    if dtype is DataType.STRING:
        return isinstance(value, str)
    if dtype is DataType.BOOLEAN:
        return isinstance(value, bool)
    if dtype is not None and dtype.is_numeric:
        return isinstance(value, int | float) and not isinstance(value, bool)
    return False


def _unique(literals: list[Literal]) -> list[Literal]:
    seen: dict[tuple[str, Any], Literal] = {}
    for lit in literals:
        seen.setdefault((lit.column, _key(lit.value)), lit)
    return list(seen.values())


def _key(value: Any) -> Any:
    # True == 1 in Python: keep booleans apart from numbers
    return (type(value) is bool, value)


def _frame(
    source: str,
    sources: Mapping[str, BoundSource],
    raw: Mapping[str, BoundSource],
    mappings: Mapping[str, SourceMapping],
    keys: list[RecodedKeys],
) -> tuple[nw.LazyFrame[Any], dict[str, str], Mapping[str, str]]:
    """The source as the report reads it, plus a copy of each recoded column of yours (so
    literals and recoded keys are looked up in one pass), and the frame's names of the columns
    an engine could not hold as written (`BoundSource.renamed`)."""
    if not keys:
        return sources[source].frame, {}, sources[source].renamed
    original = raw[source]
    taken = set(original.schema)
    aliases: dict[str, str] = {}
    for k in keys:
        name, n = "__crm_raw", 0
        while name in taken:
            n += 1
            name = f"__crm_raw{n}"
        taken.add(name)
        aliases[k.raw] = name
    frame = original.frame.with_columns(
        *[nw.col(original.column(c)).alias(a) for c, a in aliases.items()]
    )
    schema = {**original.schema, **{a: original.schema[c] for c, a in aliases.items()}}
    plus = replace(original, frame=frame, schema=schema)
    mapped = apply_mapping(plus, mappings[source], f"mapping.{source}")
    return mapped.frame, aliases, mapped.renamed


def _look_up(
    frame: nw.LazyFrame[Any],
    literals: list[Literal],
    keys: list[RecodedKeys],
    aliases: dict[str, str],
    renamed: Mapping[str, str],
) -> dict[str, bool]:
    """Whether any row holds each value: one pass of plain comparisons (no per-row text
    work, so the pass costs little beside the report's own aggregation). `aliases` name the
    copies of your recoded columns, `renamed` the frame's names of the report's columns."""
    exprs = []
    for i, lit in enumerate(literals):
        column = renamed.get(lit.column, lit.column)
        exprs.append((nw.col(column) == lit.value).any().alias(f"h{i}"))
    for k in keys:
        col = nw.col(aliases[k.raw])
        for j, v in enumerate(k.keys):
            exprs.append((col == v).any().alias(f"k{id(k)}_{j}"))
    if not exprs:
        return {}
    row = frame.select(*exprs).collect().to_arrow().to_pylist()[0]
    return {name: value is True for name, value in row.items()}


def _missing(frame: nw.LazyFrame[Any], lit: Literal) -> Missing:
    """What the column holds instead of a missing value (only ever run on a miss): its most
    frequent values, and the value most likely meant."""
    col = nw.col(lit.column)
    counted = (
        frame.filter(~col.is_null())
        .group_by(lit.column)
        .agg(nw.len().alias("__n"))
        .sort(["__n", lit.column], descending=[True, False])
        .head(SHOWN + 1)
        .collect()
        .to_arrow()
    )
    values = counted.column(lit.column).to_pylist()
    present = tuple(values[:SHOWN])
    likely = likely_meant(lit.value, present)
    if likely is None and isinstance(lit.value, str) and len(values) > SHOWN:
        # beyond the values shown: the same text in another case, anywhere in the column
        same = col.str.to_lowercase() == lit.value.lower()
        found = frame.select(nw.when(same).then(col).max().alias("v")).collect().to_arrow()
        likely = found.column("v")[0].as_py()
    return Missing(lit.source, lit.column, lit.value, present, len(values) > SHOWN, likely)


# --- what to say ---------------------------------------------------------------------------------


def judge(
    check: ValueCheck,
    meaningful: Mapping[str, Mapping[str, list[Any]]],
    strict: bool,
) -> tuple[list[str], list[Problem]]:
    """Notes for every value no row holds; problems (the run fails) under `strict`, for a
    value map none of whose keys occurs, and for a meaningful value (`mapping.<source>.
    meaningful`) the data evidently spells otherwise."""
    notes: list[str] = []
    problems: list[Problem] = []
    places: dict[tuple[str, str, Any], list[Literal]] = {}
    for lit in check.literals:
        if check.miss(lit) is not None:  # one message per value, naming every place
            places.setdefault((lit.source, lit.column, _key(lit.value)), []).append(lit)
    for same in places.values():
        lit, miss = same[0], check.miss(same[0])
        assert miss is not None
        declared = meaningful.get(lit.source, {}).get(lit.column)
        message = _literal_message(lit, miss) + _elsewhere(same)
        if strict or (declared is not None and miss.likely is not None):
            problems.append(
                Problem(
                    "value-not-in-data",
                    message,
                    lit.path,
                    checked_against=_present(miss),
                    suggestion=None if miss.likely is None else str(miss.likely),
                    hint=_recode_hint(lit, miss, declared or []),
                )
            )
        else:
            guess = "" if miss.likely is None else f"; did you mean {show_value(miss.likely)}?"
            notes.append(f"{lit.path}: {message}{guess} ({_present(miss)})")
    for keys, absent, none in check.unused_keys:
        shown = ", ".join(show_value(v) for v in absent)
        if none is not None:
            problems.append(
                Problem(
                    "value-not-in-data",
                    f"none of the values to recode ({shown}) occurs in your column "
                    f"{keys.raw!r} of {keys.source}: a value map goes from your values to the "
                    "report's ({your value: report value})",
                    keys.path,
                    checked_against=_present(none),
                    hint=_reversed_hint(keys, none),
                )
            )
        elif strict:
            problems.append(
                Problem(
                    "value-not-in-data",
                    f"no row of {keys.source} has {keys.raw} = {shown}, a value to recode",
                    keys.path,
                )
            )
        else:
            notes.append(f"{keys.path}: no row of {keys.source} has {keys.raw} = {shown}")
    return notes, problems


def _literal_message(lit: Literal, miss: Missing) -> str:
    param = f" (parameter {lit.param!r})" if lit.param else ""
    if lit.measure is None:
        effect = "the filter removes no row" if lit.negated else "the filter keeps no row"
    else:
        effect = (
            f"measure {lit.measure!r}'s filter removes no row"
            if lit.negated
            else f"measure {lit.measure!r} counts no row"
        )
    return f"no row of {lit.source} has {lit.column} = {show_value(lit.value)}{param}: {effect}"


def _elsewhere(same: list[Literal]) -> str:
    """The other places comparing with the same value (the first is the problem's path)."""
    others = [lit.path for lit in same[1:]]
    if not others:
        return ""
    shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
    return f" (also at {shown})"


def _present(miss: Missing) -> str:
    if not miss.present:
        return f"{miss.column} holds no value (every row is null)"
    shown = ", ".join(show_value(v) for v in miss.present)
    return f"values of {miss.column}: {shown}" + (", ..." if miss.more else "")


def _recode_hint(lit: Literal, miss: Missing, declared: list[Any]) -> str | None:
    """How to recode the data's spelling into the report's values."""
    pairs: dict[Any, Any] = {}
    for wanted in dict.fromkeys([*declared, lit.value]):
        found = likely_meant(wanted, miss.present)
        if found is not None and found != wanted:
            pairs[found] = wanted
    if not pairs:
        return (
            None
            if not declared
            else (
                f"map your values onto {', '.join(show_value(v) for v in declared)} with "
                f"values={{'{lit.source}.{lit.column}': {{<yours>: <report value>}}}}"
            )
        )
    table = ", ".join(f"{v!r}: {w!r}" for v, w in pairs.items())
    yaml = ", ".join(f"{_yaml(v)}: {_yaml(w)}" for v, w in pairs.items())
    return (
        f"recode your values: values={{'{lit.source}.{lit.column}': {{{table}}}}} "
        f"(builtin.get), or mapping: {{{lit.source}: {{values: {{{lit.column}: {{{yaml}}}}}}}}}"
    )


def _reversed_hint(keys: RecodedKeys, present: Missing) -> str:
    """Turned round when the data holds the map's targets rather than its keys."""
    if any(t in present.present for t in keys.targets):
        pairs = zip(keys.keys, keys.targets, strict=True)
        flipped = ", ".join(f"{_yaml(t)}: {_yaml(k)}" for k, t in pairs)
        return f"the map looks reversed: the data holds its values; write {{{flipped}}}"
    return "the keys must be values of your column, as the data spells them"


def _yaml(value: Any) -> str:
    return show_value(value).strip("'") if isinstance(value, str) else show_value(value)


def likely_meant(value: Any, present: tuple[Any, ...]) -> Any | None:
    """The present value most likely meant by `value`: the same text in another case or
    spacing, one holding it as a word ("Closed Won" for won), or a close spelling.

    >>> likely_meant("won", ("Open", "Closed Won", "Closed Lost"))
    'Closed Won'
    >>> likely_meant("won", ("Open",)) is None
    True
    """
    if not isinstance(value, str):
        return None
    texts = [v for v in present if isinstance(v, str)]
    wanted = _words(value)
    for v in texts:
        if _words(v) == wanted:
            return v
    holding = [v for v in texts if wanted and set(wanted) <= set(_words(v))]
    if len(holding) == 1:
        return holding[0]
    return suggest(value, texts)


def _words(text: str) -> tuple[str, ...]:
    return tuple(w for w in re.split(r"[^0-9a-z]+", text.casefold()) if w)


__all__ = [
    "Literal",
    "Missing",
    "RecodedKeys",
    "ValueCheck",
    "check_values",
    "filter_literals",
    "judge",
    "likely_meant",
    "recoded_keys",
]
