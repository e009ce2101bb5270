"""Run one aggregation query on a bound source, on the caller's own backend."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import narwhals as nw
import pyarrow as pa

from crmreports.errors import DataError
from crmreports.execute.inputs import BoundSource, InputKind, quote_identifier
from crmreports.execute.rows import RowCompiler, TopMembers
from crmreports.plan import AggQuery, Aggregation, internal_prefix
from crmreports.resolve import DataType
from crmreports.resolve.relationships import ResolvedJoin

_NW_TYPE = {DataType.INTEGER: nw.Int64, DataType.FLOAT: nw.Float64}


def run_query(
    query: AggQuery,
    sources: Mapping[str, BoundSource],
    members: Mapping[str, TopMembers],
) -> pa.Table:
    frame = compile_query(query, sources, members)
    return checked_integers(query, frame.collect().to_arrow())


def compile_query(
    query: AggQuery,
    sources: Mapping[str, BoundSource],
    members: Mapping[str, TopMembers],
) -> nw.LazyFrame[Any]:
    source = sources[query.source]
    names = frame_names(query, sources)
    frame = with_lookups(_localized(source, query.timezone), query, sources, names)
    types = dict(source.schema)
    for join in query.joins:
        types |= {f"{join.to}.{c}": t for c, t in sources[join.to].schema.items()}
    # Each aware column's instants, beside it under the frame's name of the column.
    instants = {
        c: instant_column(source.column(c)) for c, zone in source.time_zones.items() if zone
    }
    for join in query.joins:
        for c, zone in sources[join.to].time_zones.items():
            if zone:
                instants[f"{join.to}.{c}"] = instant_column(names[f"{join.to}.{c}"])
    # Spark has no durations: elapsed time is counted from civil dates there.
    civil = source.kind is InputKind.SPARK
    rows = RowCompiler(types, query.timezone, members, names, instants, civil)
    for predicate in query.filters:
        frame = frame.filter(rows.predicate(predicate))
    # One derived column at a time: later ones may read earlier ones (bucket of a formula).
    for d in query.derived:
        frame = frame.with_columns(*rows.derived_many(d))
    schema = frame.collect_schema()
    # Aggregations read the frame's names of the columns (see `frame_names`).
    aggs = [
        replace(a, column=names.get(a.column, a.column)) if a.column else a
        for a in query.aggregations
    ]
    kinds = {a.name: _kind(a, schema) for a in aggs}
    # Spark has no 128-bit integer; DuckDB's and polars' are cheaper than a DECIMAL(38, 0).
    wide = nw.Decimal(38, 0) if source.kind is InputKind.SPARK else nw.Int128()
    # Keyed by name: a sum and an average of one column share their parts.
    parts = {name: expr for a in aggs for name, expr in _aggregation(a, kinds[a.name], wide)}
    aggregations = [expr.alias(name) for name, expr in parts.items()]
    if query.keys:
        frame = frame.group_by(*query.keys, drop_null_keys=False).agg(*aggregations)
    else:
        frame = frame.select(*aggregations)
    combined = [_combined(a, kinds[a.name]) for a in aggs if kinds[a.name] != "plain"]
    if combined:
        frame = frame.with_columns(*combined)
    exact = {a.name for a in aggs if kinds[a.name] == "int_sum"}
    outputs = []
    for out in query.outputs:
        expr = nw.col(out.column)
        if out.minus is not None:
            # Over no rows both parts are null (narwhals' n_unique adds a max() on DuckDB);
            # no rows means no distinct values and no null seen: 0 - 0.
            expr = expr.fill_null(0) - nw.col(out.minus).fill_null(0)
        target = _NW_TYPE.get(out.dtype)
        if out.column in exact and out.minus is None and out.dtype is DataType.INTEGER:
            target = None  # an exact integer sum: range-checked and cast by checked_integers
        if target is not None:
            expr = expr.cast(target)
        outputs.append(expr.alias(out.name))
    return frame.select(*outputs)


def frame_names(query: AggQuery, sources: Mapping[str, BoundSource]) -> dict[str, str]:
    """The query frame's name of each column whose name there is not the spec's: the
    source's renamed columns (`BoundSource.renamed`), and every looked-up `to.column` (with
    the join's own `to.__matched`, `to.__key<i>` and `to.__left<i>`) under a plain name of
    its own: a dot would read as a struct field on Spark, and `to.Region` beside
    `to.region` would be one name on DuckDB."""
    source = sources[query.source]
    names = dict(source.renamed)
    if not query.joins:
        return names
    every = [*source.schema, *(c for j in query.joins for c in sources[j.to].schema)]
    p = internal_prefix(tuple(every))
    for j, join in enumerate(query.joins):
        lookup = f"{p}lookup{j}_"
        for k, column in enumerate(sources[join.to].schema):
            names[f"{join.to}.{column}"] = f"{lookup}{k}"
        names[f"{join.to}.__matched"] = f"{lookup}matched"
        for i in range(len(join.right_on)):
            names[f"{join.to}.__key{i}"] = f"{lookup}key{i}"
            names[f"{join.to}.__left{i}"] = f"{lookup}left{i}"
    return names


def with_lookups(
    frame: nw.LazyFrame[Any],
    query: AggQuery,
    sources: Mapping[str, BoundSource],
    names: Mapping[str, str] | None = None,
) -> nw.LazyFrame[Any]:
    """Left-join each many-to-one lookup; its columns arrive as `source.column` (under the
    frame's names, `frame_names`). Text columns of rows without a match read the
    relationship's `unmatched_label`."""
    names = names if names is not None else frame_names(query, sources)
    for join in query.joins:
        target = sources[join.to]
        marker = names[f"{join.to}.__matched"]
        # The key travels twice: once to join on (the engine drops it), once as a column.
        # Both sides are compared as `compare_as` says (an integer and a float as floats).
        right_on = [names[f"{join.to}.__key{i}"] for i in range(len(join.right_on))]
        right = _localized(target, query.timezone).select(
            *[nw.col(target.column(c)).alias(names[f"{join.to}.{c}"]) for c in target.schema],
            *[
                nw.col(instant_column(target.column(c))).alias(
                    instant_column(names[f"{join.to}.{c}"])
                )
                for c, zone in target.time_zones.items()
                if zone
            ],
            *[
                _key(nw.col(target.column(c)), join, i).alias(k)
                for i, (c, k) in enumerate(zip(join.right_on, right_on, strict=True))
            ],
            nw.lit(1).alias(marker),
        )
        left_on = []
        for i, column in enumerate(join.left_on):
            inner = names.get(column, column)
            if _cast_to(join, i) is None:
                left_on.append(inner)
            else:
                left_on.append(names[f"{join.to}.__left{i}"])
                frame = frame.with_columns(_key(nw.col(inner), join, i).alias(left_on[-1]))
        frame = frame.join(right, left_on=left_on, right_on=right_on, how="left")
        labels = [
            nw.when(nw.col(marker).is_null())
            .then(nw.lit(join.unmatched_label))
            .otherwise(nw.col(names[f"{join.to}.{c}"]))
            .alias(names[f"{join.to}.{c}"])
            for c, t in target.schema.items()
            if t is DataType.STRING and c not in join.right_on
        ]
        if labels and join.unmatched_label is not None:
            frame = frame.with_columns(*labels)
    return frame


def _cast_to(join: ResolvedJoin, i: int) -> DataType | None:
    return join.compare_as[i] if i < len(join.compare_as) else None


def _key(expr: nw.Expr, join: ResolvedJoin, i: int) -> nw.Expr:
    """A key column as the relationship compares it (see `ResolvedJoin.compare_as`)."""
    target = _cast_to(join, i)
    return expr if target is None else expr.cast(_NW_TYPE[target])


def _localized(source: BoundSource, timezone: str) -> nw.LazyFrame[Any]:
    """Timezone-aware columns as wall-clock time in the report's zone, so filters, buckets and
    formulas all see one clock; beside each, its instants as microseconds since the epoch
    (`instant_column`), from which hours_between/minutes_between take elapsed time across a
    DST change (an integer: the same on every engine, whatever Spark's session zone)."""
    aware = [source.column(c) for c, zone in source.time_zones.items() if zone]
    if not aware:
        return source.frame
    # polars and Spark are told the zone explicitly; DuckDB relations use `timezone()`.
    if source.on_polars or source.kind is InputKind.SPARK:
        exprs = [nw.col(c).dt.convert_time_zone(timezone).dt.replace_time_zone(None) for c in aware]
        utc = [_epoch_micros(nw.col(c), source.kind).alias(instant_column(c)) for c in aware]
        return source.frame.with_columns(*utc).with_columns(*exprs)
    # DuckDB: `timezone(zone, ts)` gives the wall-clock time in `zone` whatever the session's
    # own zone (a relation on the caller's connection keeps the caller's setting).
    relation = source.frame.to_native()
    zone = timezone.replace("'", "''")
    columns = []
    for column in relation.columns:
        quoted = quote_identifier(column)
        if column in aware:
            columns.append(f"timezone('{zone}', {quoted}) AS {quoted}")
            columns.append(f"epoch_us({quoted}) AS {quote_identifier(instant_column(column))}")
        else:
            columns.append(quoted)
    localized: nw.LazyFrame[Any] = nw.from_native(relation.project(", ".join(columns)))
    return localized


def instant_column(column: str) -> str:
    """The hidden column holding an aware column's instants (microseconds since 1970, UTC)."""
    return f"{column}__utc"  # no dot: Spark reads `a.b` as field b of a struct a


def _epoch_micros(column: nw.Expr, kind: InputKind) -> nw.Expr:
    """Microseconds since 1970 (UTC) of an aware timestamp. narwhals has no `timestamp()` on
    Spark, where a timestamp cast to a double is its epoch seconds (with microseconds)."""
    if kind is InputKind.SPARK:
        return (column.cast(nw.Float64) * 1_000_000).round(0).cast(nw.Int64)
    return column.dt.timestamp("us")


# Sums of floating-point values are exact to this many decimal places: each value is rounded to
# it (a millionth) and summed as DECIMAL(38, 6), so cents that net to zero give 0. Six, not
# more: a double holds 15-16 significant digits, so at 9 places DuckDB's DOUBLE -> DECIMAL cast
# already turns 8389933.87 into 8389933.869999999; at 6 every value below 10^9 with at most six
# decimals is read exactly. The ordinary double sum is computed too, and kept when the values
# had more decimals than that, or reach 10^18 (see `_combined`).
SUM_SCALE = 6
_DECIMAL_LIMIT = 1e18
_INT64_MAX = 2**63 - 1
_AggKind = str  # "plain" | "float_sum" | "float_mean" | "int_sum"


def _kind(a: Aggregation, schema: Mapping[str, Any]) -> _AggKind:
    dtype = schema.get(a.column) if a.column is not None else None
    if a.function not in ("sum", "mean") or dtype is None:
        return "plain"
    if dtype.is_float():
        return "float_sum" if a.function == "sum" else "float_mean"
    if a.function == "sum" and dtype.is_integer():
        return "int_sum"
    return "plain"


def _aggregation(
    a: Aggregation, kind: _AggKind, wide: nw.dtypes.DType
) -> list[tuple[str, nw.Expr]]:
    """The aggregations computing `a`, each with its column name."""
    col = nw.col(a.column or "")
    if kind == "int_sum":
        # Exact whatever the rows: polars' int64 sum wraps around (DuckDB's is an INT128).
        return [(a.name, col.cast(wide).sum())]
    if kind in ("float_sum", "float_mean"):
        # Values from 10^18 on are left out of the exact sum (DuckDB's cast would fail past
        # 10^32); the double sum, which differs from it then, is taken instead.
        small = nw.when(col.abs() < _DECIMAL_LIMIT).then(col).cast(nw.Decimal(38, SUM_SCALE))
        names = _part_names(a)
        return [
            (names["exact"], small.sum()),
            (names["double"], col.sum()),
            (names["abs"], col.abs().sum()),
            (names["n"], col.count()),
        ]
    return [(a.name, _plain_aggregation(a))]


def _part_names(a: Aggregation) -> dict[str, str]:
    """The hidden parts of a float sum or average, named after its column (shared)."""
    return {part: f"{a.column}__{part}" for part in ("exact", "double", "abs", "n")}


def _combined(a: Aggregation, kind: _AggKind) -> nw.Expr:
    """The final value of an aggregation computed in parts (after the group_by)."""
    if kind == "int_sum":  # as DECIMAL(38, 0): polars cannot hand an Int128 to Arrow
        return nw.col(a.name).fill_null(0).cast(nw.Decimal(38, 0))
    # Through text: DuckDB's DECIMAL -> DOUBLE cast is not correctly rounded (-8504845.13 comes
    # out as -8504845.129999999); every engine parses decimal text to the nearest double. The
    # rows are aggregates, so this costs nothing measurable.
    names = _part_names(a)
    exact = nw.col(names["exact"]).cast(nw.String).cast(nw.Float64).fill_null(0.0)
    double = nw.col(names["double"]).fill_null(0.0)
    n = nw.col(names["n"])
    # For values with at most six decimals the two totals differ by less than the double sum's
    # own error bound, (n + 1) * 2^-52 * sum(|x|): the exact one is taken. Values with more
    # decimals (ratios, 1/3) were rounded for the exact sum, which then strays further, and
    # values of 10^18 or more (or NaN, infinities) were left out of it: the double sum is kept.
    bound = (n + 1).cast(nw.Float64) * 2.0**-52 * nw.col(names["abs"]).fill_null(0.0)
    agree = ((exact - double).abs() <= bound) & double.is_finite()
    total = nw.when(agree).then(exact).otherwise(double)
    if kind == "float_mean":
        return nw.when(n > 0).then(total / n).alias(a.name)
    return total.alias(a.name)


def checked_integers(query: AggQuery, table: pa.Table) -> pa.Table:
    """Exact integer sums as int64, or a DataError naming the measure whose sum leaves the
    64-bit range (never a wrapped-around number or an engine's conversion error)."""
    import pyarrow.compute as pc

    sums = {a.name for a in query.aggregations if a.function == "sum"}
    for out in query.outputs:
        if out.column not in sums or out.minus is not None or out.dtype is not DataType.INTEGER:
            continue
        column = table.column(out.name)
        if pa.types.is_integer(column.type):
            continue
        largest = pc.max(pc.abs(column)).as_py()
        if largest is not None and largest > _INT64_MAX:
            raise DataError(
                f"measure {out.name!r}: an integer sum reaches {largest:.4g}, beyond the 64-bit "
                "integer range (±9.22e18); to sum such values as floating-point numbers, "
                "aggregate an expression such as `expr: amount * 1.0`"
            )
        index = table.schema.get_field_index(out.name)
        table = table.set_column(index, out.name, column.cast(pa.int64()))
    return table


def _plain_aggregation(a: Aggregation) -> nw.Expr:
    if a.function == "len":
        return nw.len().alias(a.name)
    col = nw.col(a.column or "")
    if a.function == "quantile":
        assert a.p is not None
        return col.quantile(a.p, "linear").alias(a.name)
    if a.function == "std":
        return col.std(ddof=1).alias(a.name)
    fn = {
        "count": col.count,
        "n_unique": col.n_unique,
        "sum": col.sum,
        "mean": col.mean,
        "min": col.min,
        "max": col.max,
        "median": col.median,
    }[a.function]
    return fn().alias(a.name)


def check_lookups(query: AggQuery, sources: Mapping[str, BoundSource]) -> list[str]:
    """Refuse a lookup whose key repeats (it would multiply rows): one small aggregation of
    the looked-up table per lookup. (Unmatched rows are counted by the main query itself.)"""
    notes: list[str] = []
    for join in query.joins:
        target = sources[join.to]
        keys = [f"__key{i}" for i in range(len(join.right_on))]
        # Checked on the values the join compares (an integer key cast to float, say).
        compared = [
            _key(nw.col(target.column(c)), join, i).alias(k)
            for i, (c, k) in enumerate(zip(join.right_on, keys, strict=True))
        ]
        repeated = (
            target.frame.select(*compared)
            .group_by(*keys, drop_null_keys=True)
            .agg(nw.len().alias("__n"))
            .filter(nw.col("__n") > 1)
            .collect()
            .to_arrow()
        )
        if repeated.num_rows:
            examples = ", ".join(
                str(tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]])
                for r in repeated.slice(0, 3).to_pylist()
            )
            cast = " (compared as numbers)" if any(join.compare_as) else ""
            raise DataError(
                f"{join.to!r} has {repeated.num_rows} key value(s) appearing more than once in "
                f"{', '.join(join.right_on)}{cast} (e.g. {examples}); a many-to-one lookup "
                "needs a unique key, "
                f"or every {query.source} row matching one would be counted several times "
                f"(declared at {join.path})"
            )
    return notes


def unmatched_notes(query: AggQuery, table: pa.Table) -> tuple[list[str], pa.Table]:
    """Notes on rows without a lookup match, read from the main query's hidden counts, and
    the table without those columns."""
    if not query.unmatched or query.rows is None:
        return [], table
    import pyarrow.compute as pc

    def total(column: str) -> int:
        return int(pc.sum(table.column(column)).as_py() or 0)

    rows = total(query.rows)
    joins = {j.to: j for j in query.joins}
    notes = []
    for to, column in query.unmatched:
        missing = total(column)
        if missing:
            j = joins[to]
            notes.append(
                f"{missing} of the {rows} rows of {query.source} find no match in {to} "
                f"({', '.join(j.left_on)}); "
                + (
                    f"they are grouped as {j.unmatched_label!r}"
                    if j.unmatched_label is not None
                    else f"their columns of {to} are null"
                )
            )
    hidden = [c for _, c in query.unmatched] + [query.rows]
    return notes, table.drop_columns(hidden)
