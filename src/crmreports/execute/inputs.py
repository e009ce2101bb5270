"""Accept the caller's data as it is and hand it to narwhals' lazy API on the right engine.

pandas DataFrames and Arrow Tables are scanned in place by DuckDB (no copy into another
library); polars runs on polars; a DuckDB relation runs where it is; CSV and Parquet paths are
scanned by DuckDB without loading them into pandas first. Only the small result is converted
back to the caller's kind of frame.
"""

from __future__ import annotations

import glob
import threading
from collections.abc import Mapping
from dataclasses import dataclass
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

    @property
    def result_kind(self) -> InputKind:
        return self.given_kind or self.kind


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
    kind, native = _native_relation(name, obj, cursor)
    if engine is Engine.POLARS and kind in (InputKind.PANDAS, InputKind.PYARROW):
        import polars as pl

        # Arrow converts to polars without copying most columns; pandas is copied.
        converted = pl.from_arrow(obj) if kind is InputKind.PYARROW else pl.from_pandas(obj)
        native = converted.lazy()
        frame = nw.from_native(native)
        return _bound(name, frame, kind, polars_engine=True)
    if engine is Engine.DUCKDB and kind in (InputKind.POLARS, InputKind.POLARS_LAZY):
        table = obj.collect().to_arrow() if kind is InputKind.POLARS_LAZY else obj.to_arrow()
        frame = nw.from_native(_floor_nanoseconds(cursor.from_arrow(table)))
        return _bound(name, frame, kind, polars_engine=False)
    frame = nw.from_native(native).lazy() if kind is InputKind.POLARS else nw.from_native(native)
    return _bound(
        name, frame, kind, polars_engine=kind in (InputKind.POLARS, InputKind.POLARS_LAZY)
    )


def _bound(name: str, frame: Any, kind: InputKind, polars_engine: bool) -> BoundSource:
    if not isinstance(frame, nw.LazyFrame):  # pragma: no cover - every branch above is lazy
        frame = frame.lazy()
    nw_schema = frame.collect_schema()
    schema = {str(col): to_data_type(dtype) for col, dtype in nw_schema.items()}
    zones = {str(col): time_zone_of(dtype) for col, dtype in nw_schema.items()}
    return BoundSource(name, frame, kind, schema, zones, polars_engine)


def _native_relation(
    name: str, obj: Any, cursor: duckdb.DuckDBPyConnection
) -> tuple[InputKind, Any]:
    module = type(obj).__module__.split(".")[0]
    if module == "pandas" and type(obj).__name__ == "DataFrame":
        _check_columns(name, list(obj.columns))
        return InputKind.PANDAS, _floor_nanoseconds(cursor.from_df(obj))
    if module == "pyarrow" and type(obj).__name__ == "Table":
        return InputKind.PYARROW, _floor_nanoseconds(cursor.from_arrow(obj))
    if module == "polars" and type(obj).__name__ == "DataFrame":
        return InputKind.POLARS, obj
    if module == "polars" and type(obj).__name__ == "LazyFrame":
        return InputKind.POLARS_LAZY, obj
    if module == "pyspark" and type(obj).__name__ == "DataFrame":
        return InputKind.SPARK, obj
    if module == "duckdb" and type(obj).__name__ == "DuckDBPyRelation":
        return InputKind.DUCKDB, _floor_nanoseconds(obj)
    if isinstance(obj, str | Path):
        return InputKind.FILE, _scan_file(name, Path(obj), cursor)
    kind = type(obj).__name__
    described = kind if type(obj).__module__ == "builtins" else f"{type(obj).__module__}.{kind}"
    raise DataError(
        f"source {name!r}: cannot read a {described}; "
        "pass a pandas DataFrame, a pyarrow Table, a polars DataFrame/LazyFrame, "
        "a DuckDB relation, a PySpark DataFrame, or the path of a .csv or .parquet file"
    )


def quote_identifier(name: str) -> str:
    """A column name as a DuckDB SQL identifier (for the few projections written as SQL):
    wrapped in double quotes, inner double quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


def _floor_nanoseconds(relation: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
    """Nanosecond timestamps floored to microseconds before anything else touches them.

    DuckDB's date functions first *round* TIMESTAMP_NS to microseconds, so pandas' "end of
    day" idiom 2024-01-31 23:59:59.999999999 would land in February. Flooring keeps every
    value inside its true day, month and year on every backend.
    """
    types = [str(t) for t in relation.types]
    if "TIMESTAMP_NS" not in types:
        return relation
    columns = []
    for column, kind in zip(relation.columns, types, strict=True):
        quoted = quote_identifier(column)
        if kind == "TIMESTAMP_NS":
            columns.append(f"make_timestamp(epoch_ns({quoted}) // 1000) AS {quoted}")
        else:
            columns.append(quoted)
    return relation.project(", ".join(columns))


def _check_columns(name: str, columns: list[Any]) -> None:
    bad = [c for c in columns if not isinstance(c, str)]
    if bad:
        raise DataError(
            f"source {name!r}: column names must be text, found {bad[:5]!r}; "
            "rename them first (e.g. df.columns = df.columns.map(str))"
        )
    dupes = sorted({c for c in columns if columns.count(c) > 1})
    if dupes:
        raise DataError(f"source {name!r}: duplicate column names {dupes!r}; rename them first")


def _scan_file(name: str, path: Path, cursor: duckdb.DuckDBPyConnection) -> Any:
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".parquet", ".pq"}:
        raise DataError(f"source {name!r}: {str(path)!r} is neither a .csv nor a .parquet file")
    if any(ch in str(path) for ch in "*?["):
        if not glob.glob(str(path)):
            raise DataError(f"source {name!r}: no file matches {str(path)!r}")
    elif not path.is_file():
        raise DataError(f"source {name!r}: file not found: {str(path)!r}")
    try:
        if suffix == ".csv":
            return cursor.read_csv(str(path))
        return cursor.read_parquet(str(path))
    except duckdb.Error as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"source {name!r}: cannot read {str(path)!r}: {first_line}") from None


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
        frame = nw.from_native(_floor_nanoseconds(cursor.from_arrow(table)))
        aligned[name] = BoundSource(
            name, frame, InputKind.PYARROW, source.schema, source.time_zones
        )
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
        exprs.append(nw.col(yours))
    exprs = [e.alias(wanted) for e, wanted in zip(exprs, mapping.columns, strict=True)]
    # Your other columns stay readable by their own names, unless a mapped name shadows one;
    # ignoring case, since DuckDB does (`quantity` mapped from `Quantity` replaces it).
    shadowed = {name.lower() for name in mapping.columns}
    kept = [c for c in have if c.lower() not in shadowed]
    exprs += [nw.col(c) for c in kept]
    frame = source.frame.select(*exprs)
    columns = [*mapping.columns, *kept]
    recoded = []
    for column, table in mapping.values.items():
        if column not in columns:
            raise DataError(
                f"{origin}.values.{column}: source {source.name!r} has no column {column!r} "
                "to recode" + _did_you_mean(column, columns)
            )
        original = nw.col(column)
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
        recoded.append(expr.alias(column))
    if recoded:
        frame = frame.with_columns(*recoded)
    return _bound(source.name, frame, source.kind, source.on_polars)


def _computed(text: str, source: BoundSource, path: str) -> Any:
    """A mapped column computed by a row formula over the caller's columns."""
    node, problems = parse_with_problems(text, path)
    if node is not None and not problems:
        _, problems = infer(node, source.schema, path, source=text)
    if problems or node is None:
        raise SpecError(problems)
    return to_expr(node, source.schema, time_zones=source.time_zones)


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
