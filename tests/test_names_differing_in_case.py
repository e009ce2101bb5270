"""Columns whose names differ only in case (`Amount` and `amount`) are two columns everywhere.

DuckDB ignores case in names: scanning a frame with both it renames the second `amount_1`,
and a relation may hold both under names it cannot tell apart. crmreports renames inside the
frame and keeps the caller's names for the spec, messages and results, on every input kind:
pandas, Arrow, polars (eager and lazy), DuckDB relations, CSV and Parquet files, mapped
sources and looked-up tables.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from crmreports import SpecError
from tests.helpers import (
    Data,
    arrow_table,
    assert_rows_equal,
    duckdb_relation,
    make_frame,
    run,
)

# `Amount` is a text label, `amount` the number; one `AMOUNT` more, of another type again.
ORDERS = {
    "Amount": ["big", "small", "big", None],
    "amount": [100.0, 2.0, 50.0, 8.0],
    "AMOUNT": [1, 2, 3, 4],
}


def frame(backend: str, data: Data, schema: dict[str, pa.DataType] | None = None) -> Any:
    """A `backend` frame keeping every name as given. A DuckDB relation built from Arrow
    would already have renamed the second `amount` to `amount_1` (DuckDB's own doing, in
    the caller's relation), so it is projected under the given names, which DuckDB keeps."""
    if backend != "duckdb":
        return make_frame(backend, data, schema)
    table = arrow_table(data, schema)
    names = ", ".join(f'#{i + 1} AS "{n}"' for i, n in enumerate(table.schema.names))
    relation = duckdb_relation(table).project(names)
    assert relation.columns == table.schema.names
    return relation


@pytest.fixture
def backend(constructor: Any) -> str:
    """The constructor's backend (it follows `--backends`); `frame` builds the input."""
    return str(constructor.backend)


def test_a_dimension_and_a_measure_read_their_own_column(backend: str) -> None:
    result = run(
        "dimensions: [Amount]\n"
        "measures: [{name: s, agg: sum, field: amount}, {name: n, agg: sum, field: AMOUNT}]\n",
        frame(backend, ORDERS),
    )
    # big: 100 + 50 = 150, n 1 + 3 = 4; small: 2, n 2; null label: 8, n 4.
    # (Before: DuckDB named the second column amount_1 and `amount` was unknown.)
    assert_rows_equal(
        result,
        [
            {"Amount": "big", "s": 150.0, "n": 4},
            {"Amount": "small", "s": 2.0, "n": 2},
            {"Amount": None, "s": 8.0, "n": 4},
        ],
    )


def test_filters_and_formulas_read_their_own_column(backend: str) -> None:
    result = run(
        "filters:\n"
        "  - any_of: [{field: Amount, op: eq, value: small}, {field: amount, op: gt, value: 60}]\n"
        "measures:\n"
        "  - {name: s, agg: sum, field: amount}\n"
        "  - {name: f, agg: sum, expr: \"if(Amount == 'big', amount * AMOUNT, 0)\"}\n",
        frame(backend, ORDERS),
    )
    # kept: small (2.0) and 100.0 (big, AMOUNT 1): s = 102; f = 100 * 1 = 100.
    assert_rows_equal(result, [{"s": 102.0, "f": 100.0}])


def test_time_buckets_read_their_own_column(backend: str) -> None:
    data = {
        "Day": [dt.date(2024, 1, 5), dt.date(2024, 2, 5), dt.date(2024, 2, 6)],
        "day": ["mon", "tue", "wed"],
        "amount": [1.0, 2.0, 4.0],
    }
    result = run(
        "dimensions: [{field: Day, grain: month, name: month}]\n"
        "filters: [{field: day, op: ne, value: wed}]\n"
        "measures: [{name: s, agg: sum, field: amount}]\n",
        frame(backend, data),
    )
    # January 1.0; February 2.0 (wed's 4.0 filtered out).
    assert_rows_equal(result, [(dt.date(2024, 1, 1), 1.0), (dt.date(2024, 2, 1), 2.0)])


@pytest.mark.parametrize("engine", ["duckdb", "polars"])
def test_either_engine_keeps_both_columns(backend: str, engine: str) -> None:
    if backend == "duckdb" and engine == "polars":
        pytest.skip("a DuckDB relation runs where it is")
    result = run(
        "dimensions: [Amount]\nmeasures: [{name: s, agg: sum, field: amount}]\n",
        frame(backend, ORDERS),
        engine=engine,
    )
    assert_rows_equal(result, [("big", 150.0), ("small", 2.0), (None, 8.0)])


def test_a_mapped_name_sits_beside_your_column_in_another_case(backend: str) -> None:
    """`Resolution` (a text label) and `resolution` mapped from the hours: both usable."""
    tickets = {
        "Resolution": ["fast", "slow", "fast"],
        "res_hours": [1.0, 2.0, 4.0],
        "Agent": ["ann", "bob", "ann"],
    }
    result = run(
        "mapping:\n"
        "  data:\n"
        "    columns: {resolution: res_hours, agent: {expr: 'upper(Agent)'}}\n"
        "    values: {Resolution: {fast: quick}}\n"
        "dimensions: [Resolution, agent, {field: Agent, name: as_written}]\n"
        "measures: [{name: hours, agg: sum, field: resolution}]\n",
        frame(backend, tickets),
    )
    # quick/ANN/ann: 1 + 4 = 5; slow/BOB/bob: 2.
    assert_rows_equal(result, [("quick", "ANN", "ann", 5.0), ("slow", "BOB", "bob", 2.0)])


def test_looked_up_columns_differing_in_case(backend: str) -> None:
    orders = {"cid": [1, 2, 2, 3], "amount": [1.0, 2.0, 4.0, 8.0], "Amount": ["a", "b", "b", "c"]}
    customers = {"cid": [1, 2], "Region": ["North", "South"], "region": [10, 20]}
    result = run(
        "source: orders\n"
        "relationships: [{to: customers, key: cid}]\n"
        "dimensions: [customers.Region]\n"
        "measures:\n"
        "  - {name: s, agg: sum, field: amount}\n"
        "  - {name: code, agg: max, field: customers.region}\n"
        "  - {name: labels, agg: count_distinct, field: Amount}\n",
        {"orders": frame(backend, orders), "customers": frame(backend, customers)},
    )
    # North: order 1 (1.0, code 10, label a); South: 2 + 4 = 6 (code 20, label b);
    # cid 3 has no customer: 'unknown', 8.0, code null, label c.
    assert_rows_equal(
        result,
        [("North", 1.0, 10, 1), ("South", 6.0, 20, 1), ("unknown", 8.0, None, 1)],
    )


def test_sources_on_different_engines_meet_with_their_names(backend: str) -> None:
    """A polars lookup joined to a DuckDB-scanned source is handed over with its names."""
    orders = {"cid": [1, 2], "amount": [1.0, 2.0]}
    customers = {"cid": [1, 2], "Region": ["North", "South"], "region": ["n", "s"]}
    other = "polars" if backend != "polars" else "pandas"
    result = run(
        "source: orders\nrelationships: [{to: customers, key: cid}]\n"
        "dimensions: [customers.Region, {field: customers.region, name: code}]\n"
        "measures: [{name: s, agg: sum, field: amount}]\n",
        {"orders": frame(other, orders), "customers": frame(backend, customers)},
    )
    assert_rows_equal(result, [("North", "n", 1.0), ("South", "s", 2.0)])


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_files_keep_the_names_they_are_written_with(tmp_path: Path, suffix: str) -> None:
    # `amount_1` is a real column too: DuckDB's own renaming would have taken its name.
    table = pa.table(
        {"Amount": ["big", "small", "big"], "amount": [1.0, 2.0, 4.0], "amount_1": [7, 8, 9]}
    )
    path = tmp_path / f"orders{suffix}"
    if suffix == ".csv":
        path.write_text("Amount,amount,amount_1\nbig,1.0,7\nsmall,2.0,8\nbig,4.0,9\n")
    else:
        pq.write_table(table, path)
    result = run(
        "dimensions: [Amount]\n"
        "measures: [{name: s, agg: sum, field: amount}, {name: t, agg: sum, field: amount_1}]\n",
        str(path),
    )
    # big: 1 + 4 = 5, 7 + 9 = 16; small: 2, 8.
    assert_rows_equal(result, [("big", 5.0, 16), ("small", 2.0, 8)])


def test_result_names_differing_only_in_case_are_refused() -> None:
    """A result column `Amount` beside `amount` would be one column in DuckDB (which runs
    the steps after aggregation for every input): refused, located, before any data."""
    with pytest.raises(SpecError) as info:
        run(
            "dimensions: [Amount]\nmeasures: [{name: amount, agg: sum, field: amount}]\n",
            frame("pandas", ORDERS),
        )
    assert info.value.codes == ["duplicate-name"]
    assert info.value.problems[0].path == "measures[0].name"
    assert "may not differ only in case" in str(info.value)


def test_exactly_repeated_names_in_arrow_and_duckdb_are_refused() -> None:
    from crmreports import DataError

    table = pa.table([pa.array([1]), pa.array([2])], names=["a", "a"])
    with pytest.raises(DataError, match="duplicate column names"):
        run("measures: [{name: s, agg: sum, field: a}]\n", table)


def test_checks_that_read_the_data_find_renamed_columns(backend: str) -> None:
    """The data checks beside the report (filter values looked up, a lookup's own 'unknown'
    label) read a column renamed inside the engine by its frame name, not the spec's."""
    orders = {"customer_id": [1, 2, 3], "amount": [10.0, 20.0, 40.0]}
    # `Segment` and `segment` in the looked-up table; one of them holds the text 'unknown'.
    customers = {
        "customer_id": [1, 2],
        "Segment": ["unknown", "SMB"],
        "segment": ["a", "b"],
    }
    result = run(
        "source: orders\n"
        "relationships: [{to: customers, key: customer_id}]\n"
        "dimensions: [customers.segment]\n"
        "filters: [{field: customers.Segment, op: ne, value: SMB, keep_nulls: true}]\n"
        "measures: [{name: s, agg: sum, field: amount}]\n",
        {"orders": frame(backend, orders), "customers": frame(backend, customers)},
    )
    # Customer 2 (SMB) is filtered out; customer 3 finds no match: its label cannot be
    # 'unknown', which the data holds, so it reads 'unknown (no match)'.
    assert_rows_equal(result, [("a", 10.0), ("unknown (no match)", 40.0)])
