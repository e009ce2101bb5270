"""Accept the caller's data as it is and hand it to narwhals' lazy API on the right engine.

pandas DataFrames and Arrow Tables are scanned in place by DuckDB (no copy into another
library); polars runs on polars; a DuckDB relation runs where it is; CSV and Parquet paths are
scanned by DuckDB without loading them into pandas first. Only the small result is converted
back to the caller's kind of frame.
"""

from __future__ import annotations

import glob
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

import duckdb
import narwhals as nw

from crmreports.errors import DataError, SpecError, format_names, suggest
from crmreports.execute.dtypes import time_zone_of, to_data_type
from crmreports.execute.formula import to_expr
from crmreports.resolve import DataType
from crmreports.resolve.formula_types import infer
from crmreports.spec.formula import parse_with_problems
from crmreports.spec.report import ComputedColumn, SourceMapping

# The name a single frame gets when the report does not say which source it reads.
DEFAULT_SOURCE = "data"


class Engine(StrEnum):
    """Who computes in-memory frames. AUTO: DuckDB for pandas and Arrow (scanned in place,
    measured fastest and leanest), polars for polars frames. Files always go through DuckDB;
    Spark DataFrames and DuckDB relations run where they are."""

    AUTO = "auto"
    DUCKDB = "duckdb"
    POLARS = "polars"


class InputKind(StrEnum):
    PANDAS = "pandas"
    PYARROW = "pyarrow"
    POLARS = "polars"
    POLARS_LAZY = "polars-lazy"
    DUCKDB = "duckdb"
    SPARK = "spark"
    FILE = "file"


@dataclass(frozen=True)
class BoundSource:
    """One source ready to query: a narwhals LazyFrame plus what the resolver needs to know."""

    name: str
    frame: nw.LazyFrame[Any]
    kind: InputKind  # what the caller gave (the result comes back as the same kind)
    schema: dict[str, DataType]
    time_zones: dict[str, str | None]
    on_polars: bool = False  # computed by polars (else by DuckDB, or Spark for Spark input)
    # For a table derived from the caller's (a rollup, held by our DuckDB): the kind of frame
    # the caller gave, in which results come back.
    given_kind: InputKind | None = None
    # The caller's column name -> its name inside `frame`, for the few names an engine cannot
    # hold as they are: DuckDB and Spark ignore case, so of `Amount` and `amount` one is
    # renamed inside the frame. Nearly always empty. `schema`, the spec, messages and results
    # keep the caller's names; whoever reads `frame` asks `column()`.
    renamed: Mapping[str, str] = field(default_factory=dict)

    @property
    def result_kind(self) -> InputKind:
        return self.given_kind or self.kind

    def column(self, name: str) -> str:
        """The name of the caller's column `name` inside `frame`."""
        return self.renamed.get(name, name)


_lock = threading.Lock()
_database: duckdb.DuckDBPyConnection | None = None


def duckdb_cursor(timezone: str = "UTC") -> duckdb.DuckDBPyConnection:
    """A fresh cursor on crmreports' own in-memory DuckDB database.

    A private database keeps the caller's default DuckDB connection and its settings untouched;
    the session time zone is the report's (UTC by default), never the machine's: DuckDB reads
    timezone-aware timestamps as wall-clock time in that zone.
    """
    global _database
    with _lock:
        if _database is None:
            _database = duckdb.connect(":memory:")
        cursor = _database.cursor()
    try:
        cursor.execute("SET TimeZone = ?", [timezone])
    except duckdb.Error:  # an unknown zone: the resolver reports it; meanwhile stay on UTC
        cursor.execute("SET TimeZone = 'UTC'")
    return cursor


def bind_inputs(
    data: Any,
    source_hint: str | None,
    cursor: duckdb.DuckDBPyConnection,
    engine: Engine = Engine.AUTO,
) -> dict[str, BoundSource]:
    """Map the caller's `data` (a frame, a path, or {name: frame|path}) to bound sources."""
    if isinstance(data, Mapping):
        if not data:
            raise DataError("no data given: pass a frame or a mapping {source_name: frame}")
        return {str(k): _bind_one(str(k), v, cursor, engine) for k, v in data.items()}
    name = source_hint or DEFAULT_SOURCE
    return {name: _bind_one(name, data, cursor, engine)}


def _bind_one(
    name: str, obj: Any, cursor: duckdb.DuckDBPyConnection, engine: Engine
) -> BoundSource:
    kind = _input_kind(name, obj)
    if kind is InputKind.PANDAS:
        _check_columns(name, list(obj.columns))
    elif kind is InputKind.PYARROW:
        _check_columns(name, obj.schema.names)
    elif kind is InputKind.DUCKDB:
        _check_columns(name, obj.columns)
    if engine is Engine.POLARS and kind in (InputKind.PANDAS, InputKind.PYARROW):
        import polars as pl

        # Arrow converts to polars without copying most columns; pandas is copied.
        converted = pl.from_arrow(obj) if kind is InputKind.PYARROW else pl.from_pandas(obj)
        assert isinstance(converted, pl.DataFrame)  # a table in, a frame out (never a Series)
        return _polars_source(name, converted.lazy(), kind)
    if kind in (InputKind.POLARS, InputKind.POLARS_LAZY):
        if engine is not Engine.DUCKDB:
            return _polars_source(name, obj.lazy(), kind)
        table = obj.collect().to_arrow() if kind is InputKind.POLARS_LAZY else obj.to_arrow()
        return _duckdb_source(name, cursor.from_arrow(table), table.schema.names, kind)
    if kind is InputKind.PANDAS:
        return _duckdb_source(name, cursor.from_df(obj), list(obj.columns), kind)
    if kind is InputKind.PYARROW:
        return _duckdb_source(name, cursor.from_arrow(obj), obj.schema.names, kind)
    if kind is InputKind.DUCKDB:
        return _duckdb_source(name, obj, obj.columns, kind)
    if kind is InputKind.SPARK:
        return _spark_source(name, obj)
    relation, columns = _scan_file(name, Path(obj), cursor)
    return _duckdb_source(name, relation, columns, kind)


def _bound(
    name: str,
    frame: Any,
    kind: InputKind,
    polars_engine: bool,
    renamed: Mapping[str, str] | None = None,
) -> BoundSource:
    if not isinstance(frame, nw.LazyFrame):  # pragma: no cover - every branch above is lazy
        frame = frame.lazy()
    renamed = dict(renamed or {})
    caller = {inner: yours for yours, inner in renamed.items()}
    nw_schema = frame.collect_schema()
    schema = {caller.get(col, col): to_data_type(dtype) for col, dtype in nw_schema.items()}
    zones = {caller.get(col, col): time_zone_of(dtype) for col, dtype in nw_schema.items()}
    return BoundSource(name, frame, kind, schema, zones, polars_engine, renamed=renamed)


def _input_kind(name: str, obj: Any) -> InputKind:
    module = type(obj).__module__.split(".")[0]
    if module == "pandas" and type(obj).__name__ == "DataFrame":
        return InputKind.PANDAS
    if module == "pyarrow" and type(obj).__name__ == "Table":
        return InputKind.PYARROW
    if module == "polars" and type(obj).__name__ == "DataFrame":
        return InputKind.POLARS
    if module == "polars" and type(obj).__name__ == "LazyFrame":
        return InputKind.POLARS_LAZY
    if module == "pyspark" and type(obj).__name__ == "DataFrame":
        return InputKind.SPARK
    if module == "duckdb" and type(obj).__name__ == "DuckDBPyRelation":
        return InputKind.DUCKDB
    if isinstance(obj, str | Path):
        return InputKind.FILE
    kind = type(obj).__name__
    described = kind if type(obj).__module__ == "builtins" else f"{type(obj).__module__}.{kind}"
    raise DataError(
        f"source {name!r}: cannot read a {described}; "
        "pass a pandas DataFrame, a pyarrow Table, a polars DataFrame/LazyFrame, "
        "a DuckDB relation, a PySpark DataFrame, or the path of a .csv or .parquet file"
    )


# --- one rule for every engine: the caller's columns as the types reports reason about ---------


def _polars_source(name: str, lazy: Any, kind: InputKind) -> BoundSource:
    """polars keeps names as they are (it compares them exactly)."""
    import polars as pl

    untyped = {c for c, t in lazy.collect_schema().items() if t == pl.Null}
    return _bound(name, _typed(nw.from_native(lazy), untyped), kind, polars_engine=True)


def _duckdb_source(
    name: str, relation: duckdb.DuckDBPyRelation, columns: Sequence[str], kind: InputKind
) -> BoundSource:
    """`relation`, whose columns are the caller's `columns` by position, on DuckDB.

    DuckDB ignores case in names: reading a frame with `Amount` and `amount` it renames the
    second `amount_1`, and a relation may even hold both under one name. So each column is
    projected by position to a name unique ignoring case (the caller's own name whenever it
    can be), and the source remembers the caller's names.
    """
    inner = unique_names(columns)
    types = [str(t) for t in relation.types]
    untyped = {inner[i] for i, t in enumerate(types) if t == '"NULL"' or t == "NULL"}
    projection = []
    for i, (column, kind_name) in enumerate(zip(inner, types, strict=True)):
        quoted = quote_identifier(column)
        if kind_name == "TIMESTAMP_NS":
            # DuckDB's date functions first *round* TIMESTAMP_NS to microseconds, so pandas'
            # "end of day" idiom 2024-01-31 23:59:59.999999999 would land in February.
            # Flooring keeps every value inside its true day, month and year on every backend.
            projection.append(f"make_timestamp(epoch_ns(#{i + 1}) // 1000) AS {quoted}")
        else:
            projection.append(f"#{i + 1} AS {quoted}")
    if list(relation.columns) != inner or "TIMESTAMP_NS" in types:
        relation = relation.project(", ".join(projection))
    renamed = {yours: mine for yours, mine in zip(columns, inner, strict=True) if yours != mine}
    frame = _typed(nw.from_native(relation), untyped)
    return _bound(name, frame, kind, polars_engine=False, renamed=renamed)


def _spark_source(name: str, frame: Any) -> BoundSource:
    """Spark ignores case in names too (by default): renamed as on DuckDB."""
    from pyspark.sql.types import NullType

    columns = list(frame.columns)
    inner = unique_names(columns)
    if inner != columns:
        frame = frame.toDF(*inner)
    untyped = {f.name for f in frame.schema.fields if isinstance(f.dataType, NullType)}
    renamed = {yours: mine for yours, mine in zip(columns, inner, strict=True) if yours != mine}
    typed = _typed(nw.from_native(frame), untyped)
    return _bound(name, typed, InputKind.SPARK, polars_engine=False, renamed=renamed)


def _typed(frame: nw.LazyFrame[Any], untyped: set[str]) -> nw.LazyFrame[Any]:
    """Decided once, when the data comes in, so every aggregate, filter, formula and
    dimension agrees on every engine:

    - NaN in a float column is null. pandas input already reads so; Arrow, polars and DuckDB
      keep NaN as a value, which DuckDB's `max` returns and every engine's `avg` spreads.
    - A category, enum or dictionary column is text (its values compare, sort and are matched
      as text), so the text functions and `contains` work on it.
    - A column without a type (all null: Arrow's null type, polars' Null, DuckDB's NULL for a
      pandas object column of None, Spark's NullType) is text.
    """
    exprs = []
    for column, dtype in frame.collect_schema().items():
        if dtype.is_float():
            exprs.append(nw.col(column).fill_nan(None))
        elif dtype in (nw.Categorical, nw.Enum) or column in untyped:
            exprs.append(nw.col(column).cast(nw.String))
    return frame.with_columns(*exprs) if exprs else frame


def unique_names(columns: Sequence[str]) -> list[str]:
    """`columns` made unique ignoring case, by position: each keeps its own name unless an
    earlier one has it in another case; then it becomes `name__2` (or the next free number).

    >>> unique_names(["Amount", "amount", "region"])
    ['Amount', 'amount__2', 'region']
    """
    taken = {c.lower() for c in columns}
    seen: set[str] = set()
    out = []
    for column in columns:
        name, n = column, 1
        while name.lower() in seen or (name != column and name.lower() in taken):
            n += 1
            name = f"{column}__{n}"
        seen.add(name.lower())
        out.append(name)
    return out


def quote_identifier(name: str) -> str:
    """A column name as a DuckDB SQL identifier (for the few projections written as SQL):
    wrapped in double quotes, inner double quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


def _check_columns(name: str, columns: Sequence[Any]) -> None:
    bad = [c for c in columns if not isinstance(c, str)]
    if bad:
        raise DataError(
            f"source {name!r}: column names must be text, found {bad[:5]!r}; "
            "rename them first (e.g. df.columns = df.columns.map(str))"
        )
    dupes = sorted({c for c in columns if list(columns).count(c) > 1})
    if dupes:
        raise DataError(f"source {name!r}: duplicate column names {dupes!r}; rename them first")


def _scan_file(
    name: str, path: Path, cursor: duckdb.DuckDBPyConnection
) -> tuple[duckdb.DuckDBPyRelation, list[str]]:
    """The file as a DuckDB relation, and its columns' names as the file spells them (DuckDB
    renames a second `amount` beside `Amount` to `amount_1`)."""
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".parquet", ".pq"}:
        raise DataError(f"source {name!r}: {str(path)!r} is neither a .csv nor a .parquet file")
    files = sorted(glob.glob(str(path))) if any(ch in str(path) for ch in "*?[") else [str(path)]
    if not files:
        raise DataError(f"source {name!r}: no file matches {str(path)!r}")
    if not Path(files[0]).is_file():
        raise DataError(f"source {name!r}: file not found: {str(path)!r}")
    try:
        if suffix == ".csv":
            relation = cursor.read_csv(str(path))
            return relation, _csv_header(cursor, files[0], relation.columns)
        relation = cursor.read_parquet(str(path))
        return relation, _parquet_names(files[0], relation.columns)
    except duckdb.Error as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"source {name!r}: cannot read {str(path)!r}: {first_line}") from None


def _parquet_names(file: str, columns: list[str]) -> list[str]:
    """The top-level column names written in the Parquet file (DuckDB's `columns` rename a
    second `amount` beside `Amount`)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        names = pq.read_schema(file).names
    except (OSError, pa.ArrowException):  # DuckDB read it: keep DuckDB's names
        return columns
    return names if len(names) == len(columns) else columns


def _csv_header(cursor: duckdb.DuckDBPyConnection, file: str, columns: list[str]) -> list[str]:
    """The header as written: read again as a plain first row, only when DuckDB may have
    renamed a repeated name (to `name_1`)."""
    if not any(re.search(r"_[0-9]+$", c) for c in columns):
        return columns
    rows = cursor.read_csv(file, header=False, all_varchar=True).limit(1).fetchall()
    if not rows or len(rows[0]) != len(columns):
        return columns
    header = [str(c) for c in rows[0]]
    return header if len({c for c in header}) == len(header) else columns


def align_engines(
    sources: dict[str, BoundSource],
    cursor: duckdb.DuckDBPyConnection,
    together: set[str] | None = None,
) -> dict[str, BoundSource]:
    """Sources joined in one query must live on one engine. When polars frames, a DuckDB
    relation of the caller's own connection, and frames scanned by our DuckDB meet in one
    lookup, the outsiders are handed to our DuckDB as Arrow (a copy for the caller's DuckDB
    relations, which live in another database)."""
    names = together if together is not None else set(sources)
    engines = {_engine(sources[n]) for n in names if n in sources}
    if len(engines) < 2:
        return sources
    aligned = dict(sources)
    for name in names:
        source = sources.get(name)
        if source is None or _engine(source) == "ours":
            continue
        table = source.frame.collect().to_arrow()
        caller = {inner: yours for yours, inner in source.renamed.items()}
        columns = [caller.get(c, c) for c in table.schema.names]
        bound = _duckdb_source(name, cursor.from_arrow(table), columns, InputKind.PYARROW)
        aligned[name] = replace(bound, schema=source.schema, time_zones=source.time_zones)
    return aligned


def _engine(source: BoundSource) -> str:
    if source.on_polars:
        return "polars"
    if source.kind is InputKind.SPARK:
        return "spark"
    if source.kind is InputKind.DUCKDB:
        return f"duckdb-{id(source)}"  # each caller's relation may sit in its own database
    return "ours"


def apply_mapping(source: BoundSource, mapping: SourceMapping, origin: str) -> BoundSource:
    """`source` seen through `mapping`: report columns taken from the caller's columns, values
    recoded; lazily, so nothing is copied and the caller's frame is untouched. `origin` is the
    spec path of the mapping, for messages."""
    have = list(source.schema)
    exprs = []
    for wanted, yours in mapping.columns.items():
        if isinstance(yours, ComputedColumn):
            exprs.append(_computed(yours.expr, source, f"{origin}.columns.{wanted}.expr"))
            continue
        if yours not in source.schema:
            raise DataError(
                f"{origin}.columns.{wanted}: source {source.name!r} has no column {yours!r}"
                + _did_you_mean(yours, have)
                + f"; {format_names(have, 'columns')}"
            )
        exprs.append(nw.col(source.column(yours)))
    # Your other columns stay readable by their own names, unless a mapped name is the same
    # name. Names are compared exactly, as everywhere: a mapped `resolution` sits beside your
    # `Resolution` (inside the frame one of them gets another name, as DuckDB ignores case).
    kept = [c for c in have if c not in mapping.columns]
    exprs += [nw.col(source.column(c)) for c in kept]
    columns = [*mapping.columns, *kept]
    inner = dict(zip(columns, unique_names(columns), strict=True))
    frame = source.frame.select(*[e.alias(inner[c]) for e, c in zip(exprs, columns, strict=True)])
    recoded = []
    for column, table in mapping.values.items():
        if column not in columns:
            raise DataError(
                f"{origin}.values.{column}: source {source.name!r} has no column {column!r} "
                "to recode" + _did_you_mean(column, columns)
            )
        original = nw.col(inner[column])
        # Unlisted values are kept, unless the recoded values are of another kind than the
        # column (text recoded to true/false): then they become null, as a column has one type.
        dtype = _mapped_type(source, column, mapping)
        kinds = {_kind_of(v) for v in table.values()} - {None}
        column_kind = None if dtype is None else "number" if dtype.is_numeric else dtype.value
        expr: Any = original if kinds <= {column_kind} else nw.lit(None)
        for yours, ours in table.items():
            expr = (
                nw.when(original == _literal_for(yours, dtype)).then(nw.lit(ours)).otherwise(expr)
            )
        recoded.append(expr.alias(inner[column]))
    if recoded:
        frame = frame.with_columns(*recoded)
    renamed = {yours: mine for yours, mine in inner.items() if yours != mine}
    return _bound(source.name, frame, source.kind, source.on_polars, renamed)


def _computed(text: str, source: BoundSource, path: str) -> Any:
    """A mapped column computed by a row formula over the caller's columns."""
    node, problems = parse_with_problems(text, path)
    if node is not None and not problems:
        _, problems = infer(node, source.schema, path, source=text)
    if problems or node is None:
        raise SpecError(problems)
    return to_expr(node, source.schema, time_zones=source.time_zones, columns=source.renamed)


def _mapped_type(source: BoundSource, column: str, mapping: SourceMapping) -> DataType | None:
    """The type of the caller's column behind a report column (None when computed)."""
    yours = mapping.columns.get(column, column)
    return source.schema.get(yours) if isinstance(yours, str) else None


def _kind_of(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return DataType.BOOLEAN.value
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return DataType.STRING.value
    return "other"


def _literal_for(value: Any, dtype: DataType | None) -> Any:
    """Mapping keys come from YAML/JSON as text; compare them as the column's type."""
    if dtype is not None and dtype.is_numeric and isinstance(value, str):
        try:
            return float(value) if "." in value else int(value)
        except ValueError:
            return value
    if dtype is DataType.STRING and not isinstance(value, str):
        return str(value)
    return value


def _did_you_mean(name: str, names: list[str]) -> str:
    close = suggest(name, names)
    return f" (did you mean {close!r}?)" if close else ""
