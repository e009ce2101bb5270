"""The result cache: unchanged spec and data cost nothing; any change runs again."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from crmreports import Dashboard, Report, ResultCache
from crmreports.cache import fingerprint

SPEC = Report.from_yaml(
    "name: c\ndimensions: [channel]\nmeasures: [{name: revenue, agg: sum, field: amount}]"
)
DATA = {"channel": ["web", "shop", "web"], "amount": [1.0, 2.0, 4.0]}


def test_the_same_spec_and_data_hit_the_cache() -> None:
    cache = ResultCache()
    frame = pd.DataFrame(DATA)
    first = cache.run(SPEC, frame)
    second = cache.run(SPEC, frame)
    assert second is first
    assert (cache.hits, cache.misses) == (1, 1)


def test_changing_a_pandas_frame_in_place_misses() -> None:
    cache = ResultCache()
    frame = pd.DataFrame(DATA)
    cache.run(SPEC, frame)
    frame.loc[0, "amount"] = 100.0  # same object, new content
    result = cache.run(SPEC, frame)
    assert cache.misses == 2
    assert result.to_pandas().set_index("channel")["revenue"]["web"] == 104.0  # 100 + 4


def test_a_changed_spec_param_or_as_of_misses() -> None:
    cache = ResultCache()
    table = pa.table(DATA)
    cache.run(SPEC, table)
    other = Report.from_yaml(SPEC.to_yaml().replace("sum", "avg"))
    cache.run(other, table)
    cache.run(SPEC, table, as_of=dt.date(2024, 1, 1))
    assert (cache.hits, cache.misses) == (0, 3)


def test_arrow_tables_are_told_apart_by_identity() -> None:
    a, b = pa.table(DATA), pa.table(DATA)
    assert fingerprint(a) == fingerprint(a)
    assert fingerprint(a) != fingerprint(b)


def test_polars_content_fingerprint() -> None:
    frame = pl.DataFrame(DATA)
    assert fingerprint(frame) == fingerprint(pl.DataFrame(DATA))
    assert fingerprint(frame) != fingerprint(frame.with_columns(pl.col("amount") * 2))


def test_a_rewritten_file_misses(tmp_path: Path) -> None:
    path = tmp_path / "orders.parquet"
    pq.write_table(pa.table(DATA), path)
    cache = ResultCache()
    cache.run(SPEC, str(path))
    cache.run(SPEC, str(path))
    pq.write_table(pa.table({**DATA, "amount": [9.0, 9.0, 9.0]}), path)
    os.utime(path, ns=(1, 1))  # a different modification time, whatever the clock's resolution
    result = cache.run(SPEC, str(path))
    assert (cache.hits, cache.misses) == (1, 2)
    assert sorted(result.to_pandas()["revenue"]) == [9.0, 18.0]


def test_a_dashboard_rerun_reuses_every_report() -> None:
    board = Dashboard.from_yaml(
        """
title: t
items:
  - report: {name: a, dimensions: [channel], measures: [{name: n, agg: count}]}
  - report: {name: b, measures: [{name: revenue, agg: sum, field: amount}]}
"""
    )
    cache = ResultCache()
    frame = pd.DataFrame(DATA)
    board.run(frame, cache=cache)
    board.run(frame, cache=cache)
    assert (cache.hits, cache.misses) == (2, 2)
