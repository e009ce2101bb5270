"""Shared test helpers: build frames on every backend, run reports, read results back, compare.

Only `run`, `run_builtin` and `report` call crmreports (they are how a test reaches the code
under test); everything else here is independent of it: expected values must never come from the
code under test, and the comparison must not share its conversions either.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

import pyarrow as pa

if TYPE_CHECKING:
    import pandas as pd

    from crmreports import Report, ReportResult

BACKENDS = ("pandas", "pyarrow", "polars", "polars_lazy", "duckdb")

Data = Mapping[str, Sequence[Any]]
Schema = Mapping[str, pa.DataType]


# --- building inputs ---------------------------------------------------------------------------


def arrow_table(data: Data, schema: Schema | None = None) -> pa.Table:
    """A pyarrow Table from plain lists; `schema` pins the type of some (or all) columns.

    Needed for typed nulls (an all-null column, an empty frame) and to choose date vs datetime.
    """
    schema = dict(schema or {})
    arrays = {name: pa.array(list(values), type=schema.get(name)) for name, values in data.items()}
    return pa.table(arrays)


def to_pandas(table: pa.Table) -> Any:
    """The pandas frame a careful user would have: nullable ints/bools stay ints/bools.

    Dates stay `datetime.date` objects (object dtype, what pandas gives for a date column),
    datetimes become datetime64[us], strings pandas' default string dtype.
    """
    import pandas as pd

    mapping: dict[pa.DataType, Any] = {
        pa.int64(): pd.Int64Dtype(),
        pa.int32(): pd.Int32Dtype(),
        pa.bool_(): pd.BooleanDtype(),
    }
    if table.num_rows == 0:
        # An empty object column carries no type at all, so an empty pandas "date" column can
        # only say it holds dates through an Arrow-backed dtype.
        mapping[pa.date32()] = pd.ArrowDtype(pa.date32())
    return table.to_pandas(types_mapper=mapping.get)


def make_frame(backend: str, data: Data, schema: Schema | None = None) -> Any:
    """`data` (column -> list of Python values) as a native frame of `backend`."""
    table = arrow_table(data, schema)
    if backend == "pyarrow":
        return table
    if backend == "pandas":
        return to_pandas(table)
    if backend in ("polars", "polars_lazy"):
        import polars as pl

        frame = pl.from_arrow(table)
        return frame.lazy() if backend == "polars_lazy" else frame
    if backend == "duckdb":
        return duckdb_relation(table)
    raise ValueError(f"unknown backend {backend!r}")


def duckdb_relation(table: pa.Table) -> Any:
    """A DuckDB relation over `table` on its own connection, the way an application holding a
    database has one (project or cast it further as a test needs)."""
    import duckdb

    con = duckdb.connect(":memory:")
    keep_alive(con, table)
    return con.from_arrow(table)


# Connections and the frames their relations scan must outlive the relation.
_KEEP_ALIVE: list[Any] = []


def keep_alive(*objects: Any) -> None:
    """Keep `objects` (a connection, a frame a relation scans in place) for the whole session."""
    _KEEP_ALIVE.append(objects)


@cache
def synthetic_tables(size: int, seed: int = 0) -> dict[str, pd.DataFrame]:
    """The synthetic CRM tables of `size` orders (built once per size and seed)."""
    from crmreports.datasets import generate

    return generate(seed=seed, size=size).tables()


def result_type_check(backend: str) -> Callable[[Any], bool]:
    """Whether `result.data` is the kind of frame the caller gave (pandas in, pandas out)."""

    def check(obj: Any) -> bool:
        module = type(obj).__module__.split(".")[0]
        name = type(obj).__name__
        if backend == "pandas":
            return module == "pandas" and name == "DataFrame"
        if backend in ("polars", "polars_lazy"):
            # A lazy input is collected: the small result comes back as an eager frame.
            return module == "polars" and name in ("DataFrame", "LazyFrame")
        # pyarrow in -> pyarrow out; a DuckDB relation's result is materialised as Arrow.
        return module == "pyarrow" and name == "Table"

    return check


# --- running reports ---------------------------------------------------------------------------


def report(spec: Mapping[str, Any] | str, *, name: str = "t") -> Report:
    """A report from a spec dict or YAML text; a spec that names no report is called `name`."""
    from crmreports import Report

    if isinstance(spec, str):
        return Report.from_yaml(spec if re.search(r"(?m)^name:", spec) else f"name: {name}\n{spec}")
    return Report.from_dict({"name": name, **spec})


def run(
    spec: Mapping[str, Any] | str, data: Any, *, name: str = "t", **options: Any
) -> ReportResult:
    """Run the report of `spec` (see `report`) on `data`; `options` go to `Report.run`."""
    return report(spec, name=name).run(data, **options)


_RUN_OPTIONS = ("params", "as_of", "engine", "strict")


def run_builtin(name: str, data: Any, *, view: str = "main", **options: Any) -> ReportResult:
    """Run built-in report `name` (its `view`) on `data`. `params`, `as_of`, `engine` and
    `strict` go to `Report.run`; the rest (`columns`, `values`) to `builtin.get`."""
    from crmreports import builtin

    run_options = {k: options.pop(k) for k in _RUN_OPTIONS if k in options}
    return builtin.get(name, view=view, **options).run(data, **run_options)


# --- reading results ---------------------------------------------------------------------------


def _as_arrow(obj: Any) -> pa.Table:
    if isinstance(obj, pa.Table):
        return obj
    if hasattr(obj, "collect") and not hasattr(obj, "to_arrow"):  # polars LazyFrame
        obj = obj.collect()
    if hasattr(obj, "to_arrow"):  # ReportResult, polars DataFrame
        return obj.to_arrow()
    module = type(obj).__module__.split(".")[0]
    if module == "pandas":
        return pa.Table.from_pandas(obj, preserve_index=False)
    raise TypeError(f"cannot read rows from {type(obj)!r}")


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "to_pydatetime"):  # a pandas Timestamp that slipped through
        return value.to_pydatetime()
    return value


def frame_to_rows(obj: Any, *, as_tuples: bool = False) -> list[Any]:
    """Rows of a result (`ReportResult`, Arrow, pandas or polars) as plain Python values.

    Dates come back as `datetime.date`, datetimes as `datetime.datetime`, NaN as None.
    """
    table = _as_arrow(obj)
    rows = [{k: _plain(v) for k, v in row.items()} for row in table.to_pylist()]
    if as_tuples:
        return [tuple(row.values()) for row in rows]
    return rows


# --- comparing ---------------------------------------------------------------------------------


def _values_equal(actual: Any, expected: Any, rel: float) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(actual) is type(expected) and actual == expected
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        if isinstance(expected, float) or isinstance(actual, float):
            if math.isnan(expected) or math.isnan(actual):
                return False  # NaN is never an expected value: nulls are None
            return math.isclose(actual, expected, rel_tol=rel, abs_tol=1e-12)
        return actual == expected
    if isinstance(expected, dt.date) or isinstance(actual, dt.date):
        # A date must come back as a date and a datetime as a datetime.
        return type(actual) is type(expected) and actual == expected
    return type(actual) is type(expected) and actual == expected


def assert_rows_equal(actual: Any, expected: Sequence[Any], rel: float = 1e-9) -> None:
    """Compare rows (dicts or tuples) in order, with float tolerance and null == null.

    `actual` may also be a result or a frame; it is read with `frame_to_rows`. Dict rows must
    have the same keys in the same order (the result's column order is part of the contract).
    """
    if not isinstance(actual, list):
        actual = frame_to_rows(actual, as_tuples=bool(expected) and isinstance(expected[0], tuple))
    expected = list(expected)
    problems: list[str] = []
    if len(actual) != len(expected):
        problems.append(f"{len(actual)} rows, expected {len(expected)}")
    for i, (a, e) in enumerate(zip(actual, expected, strict=False)):
        if isinstance(e, Mapping):
            if not isinstance(a, Mapping) or list(a) != list(e):
                problems.append(f"row {i}: columns {list(a)!r}, expected {list(e)!r}")
                continue
            pairs = [(k, a[k], e[k]) for k in e]
        else:
            if len(a) != len(e):
                problems.append(f"row {i}: {len(a)} values, expected {len(e)}")
                continue
            pairs = [(j, av, ev) for j, (av, ev) in enumerate(zip(a, e, strict=True))]
        for key, av, ev in pairs:
            if not _values_equal(av, ev, rel):
                problems.append(f"row {i} [{key}]: got {av!r}, expected {ev!r}")
    if problems:
        shown = "\n  ".join(problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise AssertionError(
            f"rows differ:\n  {shown}{more}\nactual:   {actual!r}\nexpected: {expected!r}"
        )
