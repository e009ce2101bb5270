"""Every built-in view that reads one table runs on that table given alone: a bare frame
(`run(frame)`) or an unnamed `--data PATH`, with the same rows as `{table: frame}`.

Views whose source is a rollup (customers.value, customers.loyalty, customers.churn,
sales.purchase_behaviour) used to refuse a bare frame: it was bound under the rollup's name,
and the rollup then collided with it ("rollup 'customer_rfm' has the name of a source").
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from crmreports import builtin
from crmreports.builtin.binding import tables_read
from crmreports.cli import main
from tests.helpers import assert_rows_equal, frame_to_rows, make_frame, synthetic_tables

AS_OF = "2024-12-31"


def _tables() -> dict[str, pd.DataFrame]:
    return synthetic_tables(300)


def _single_table_views() -> list[tuple[str, str, str]]:
    found = []
    for name in builtin.names():
        for view in builtin.views(name):
            read = tables_read(builtin.get(name, view=view))
            if len(read) == 1:
                found.append((name, view, next(iter(read))))
    return found


SINGLE = _single_table_views()
ROLLUP_VIEWS = [(n, v, t) for n, v, t in SINGLE if builtin.get(n, view=v).rollups]


def test_the_rollup_views_are_among_them() -> None:
    names = {n for n, _, _ in ROLLUP_VIEWS}
    assert {"customers.value", "customers.loyalty", "customers.churn"} <= names
    assert "sales.purchase_behaviour" in names


@pytest.mark.parametrize(("name", "view", "table"), SINGLE, ids=[f"{n}/{v}" for n, v, _ in SINGLE])
def test_a_bare_frame_gives_the_rows_of_the_named_table(name: str, view: str, table: str) -> None:
    report = builtin.get(name, view=view)
    frame = _tables()[table]
    alone = report.run(frame, as_of=AS_OF)
    named = report.run({table: frame}, as_of=AS_OF)
    assert alone.to_arrow().equals(named.to_arrow())
    assert alone.notes == named.notes


@pytest.mark.parametrize(
    ("name", "view", "table"), ROLLUP_VIEWS, ids=[f"{n}/{v}" for n, v, _ in ROLLUP_VIEWS]
)
def test_a_bare_frame_runs_a_rollup_view_on_every_backend(
    constructor: object, name: str, view: str, table: str
) -> None:
    report = builtin.get(name, view=view)
    source = pa.Table.from_pandas(_tables()[table], preserve_index=False)
    types = {f.name: f.type for f in source.schema}
    frame = make_frame(str(constructor), source.to_pydict(), types)
    alone = report.run(frame, as_of=AS_OF)
    named = report.run({table: frame}, as_of=AS_OF)
    assert len(alone) > 0
    assert_rows_equal(alone, frame_to_rows(named))


@pytest.mark.parametrize(("name", "view", "table"), SINGLE, ids=[f"{n}/{v}" for n, v, _ in SINGLE])
def test_the_cli_runs_it_on_an_unnamed_data_file(
    tmp_path: Path, name: str, view: str, table: str, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / f"{table}.parquet"
    pq.write_table(pa.Table.from_pandas(_tables()[table], preserve_index=False), data)
    out = tmp_path / "out.csv"
    argv = ["builtin", "run", name, "--view", view, "--data", str(data), "--out", str(out)]
    assert main([*argv, "--as-of", AS_OF]) == 0, capsys.readouterr().err
    expected = builtin.get(name, view=view).run({table: str(data)}, as_of=AS_OF)
    assert len(pd.read_csv(out)) == len(expected)
