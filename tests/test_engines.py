"""Choosing the engine for in-memory frames, and file inputs (single files and globs).

Whichever engine computes, the numbers and the kind of frame returned are the same.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from crmreports import DataError, Report
from crmreports.execute import Engine
from tests.helpers import assert_rows_equal

D = dt.date
DATA = {
    "day": [D(2024, 1, 3), D(2024, 1, 30), D(2024, 2, 2), D(2024, 2, 9), None],
    "channel": ["web", "shop", "web", None, "web"],
    "amount": [10.0, 20.0, None, 40.0, 5.0],
    "customer": [1, 2, 1, 3, 3],
}
SPEC = Report.from_yaml(
    """
name: engines
dimensions: [{field: day, grain: month, name: month}]
measures:
  - {name: revenue, agg: sum, field: amount}
  - {name: customers, agg: count_distinct, field: customer}
  - {name: median, agg: median, field: amount}
  - {name: growth, of: revenue, compare: {show: pct_change}}
"""
)
# Jan: 10 + 20 = 30, customers {1, 2}, median 15. Feb: 40 (null skipped), {1, 3}, median 40,
# growth 40 / 30 - 1. No date: 5, {3}, 5.
EXPECTED = [
    (D(2024, 1, 1), 30.0, 2, 15.0, None),
    (D(2024, 2, 1), 40.0, 2, 40.0, 40 / 30 - 1),
    (None, 5.0, 1, 5.0, None),
]


def _table() -> pa.Table:
    types = {"day": pa.date32(), "channel": pa.string(), "amount": pa.float64()}
    return pa.table(DATA, schema=pa.schema(types | {"customer": pa.int64()}))


@pytest.mark.parametrize("engine", list(Engine))
@pytest.mark.parametrize("kind", ["pandas", "pyarrow", "polars"])
def test_every_engine_gives_the_same_numbers_and_frame_kind(kind: str, engine: Engine) -> None:
    table = _table()
    frame: Any = {"pandas": table.to_pandas(), "pyarrow": table, "polars": pl.from_arrow(table)}[
        kind
    ]
    result = SPEC.run(frame, engine=engine)
    assert_rows_equal(result, EXPECTED)
    expected_type = {"pandas": pd.DataFrame, "pyarrow": pa.Table, "polars": pl.DataFrame}[kind]
    assert isinstance(result.data, expected_type)


def test_an_unknown_engine_is_a_clear_error() -> None:
    with pytest.raises(DataError, match="unknown engine 'spark': use one of auto, duckdb, polars"):
        SPEC.run(_table(), engine="spark")


def test_a_glob_of_parquet_files_is_one_source(tmp_path: Path) -> None:
    table = _table()
    pq.write_table(table.slice(0, 2), tmp_path / "part-1.parquet")
    pq.write_table(table.slice(2), tmp_path / "part-2.parquet")
    result = SPEC.run(str(tmp_path / "part-*.parquet"))
    assert_rows_equal(result, EXPECTED)


def test_a_glob_matching_nothing_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no file matches"):
        SPEC.run(str(tmp_path / "nothing-*.parquet"))
