"""The issue's example spec, exactly as written, on pandas, Arrow, CSV and Parquet input.

Every path must give the same rows, equal to an independent computation by plain loops over a
small hand-made orders table. Also: the spec validates against its own JSON Schema and
round-trips through YAML and JSON.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from crmreports import (
    CompareFilter,
    CountMeasure,
    Dimension,
    FieldMeasure,
    Format,
    Grain,
    InFilter,
    LineVisual,
    Report,
    SortKey,
)
from crmreports.cli import main as cli_main
from tests.helpers import assert_rows_equal, frame_to_rows

# Copied from src/crmreports/examples/revenue_by_month.yaml; must stay identical to it.
EXAMPLE_YAML = """\
name: revenue_by_month
title: Revenue by month and channel
description: Won and open order revenue, monthly, per sales channel.
source: orders
dimensions:
  - field: order_date
    grain: month
  - field: channel
measures:
  - name: revenue
    agg: sum
    field: amount
    format: currency
  - name: orders
    agg: count
  - name: customers
    agg: count_distinct
    field: customer_id
  - name: median_order
    agg: median
    field: amount
filters:
  - field: status
    op: in
    value: [won, open]
  - field: amount
    op: gt
    value: 0
sort:
  - field: order_date
  - field: revenue
    desc: true
limit: 500
visual:
  kind: line
  x: order_date
  y: revenue
  color: channel
"""

COLUMNS = ["order_id", "order_date", "customer_id", "channel", "status", "amount"]
D = dt.date

# fmt: off
ORDERS: list[tuple[Any, ...]] = [
    (1,  D(2024, 1, 2),   101,  "web",     "won",  120.0),
    (2,  D(2024, 1, 5),   102,  "web",     "open", 80.0),
    (3,  D(2024, 1, 9),   101,  "shop",    "won",  45.5),
    (4,  D(2024, 1, 15),  103,  None,      "won",  60.0),
    (5,  D(2024, 1, 20),  104,  "web",     "lost", 500.0),   # lost: out
    (6,  D(2024, 1, 31),  105,  "shop",    "won",  0.0),     # amount <= 0: out
    (7,  D(2024, 1, 31),  102,  "web",     "won",  None),    # null amount: out
    (8,  D(2024, 2, 1),   106,  "partner", "won",  300.0),
    (9,  D(2024, 2, 3),   101,  "web",     "open", 75.25),
    (10, D(2024, 2, 10),  None, "web",     "won",  20.0),    # null customer
    (11, D(2024, 2, 14),  107,  "shop",    "won",  -15.0),   # refund: out
    (12, D(2024, 2, 29),  108,  None,      "open", 99.99),
    (13, D(2024, 2, 29),  108,  None,      "won",  0.01),
    (14, D(2024, 3, 1),   109,  "web",     "lost", 42.0),    # lost: out
    (15, D(2024, 3, 3),   110,  "web",     "won",  250.0),
    (16, D(2024, 3, 8),   111,  "shop",    "won",  250.0),
    (17, D(2024, 3, 12),  110,  "web",     "won",  10.0),
    (18, D(2024, 3, 18),  None, "partner", "open", 33.3),
    (19, D(2024, 3, 25),  112,  "partner", "won",  None),    # null amount: out
    (20, D(2024, 3, 31),  113,  "shop",    "open", 17.5),
    (21, D(2024, 4, 1),   114,  "web",     "won",  88.0),
    (22, D(2024, 4, 2),   115,  None,      "lost", None),    # out
    (23, D(2024, 4, 7),   101,  "web",     "won",  12.0),
    (24, D(2024, 4, 15),  116,  "shop",    "open", 64.0),
    (25, D(2024, 4, 30),  117,  "partner", "won",  150.0),
    (26, D(2024, 1, 11),  118,  "partner", "open", 5.0),
    (27, D(2024, 1, 22),  119,  "web",     "won",  30.0),
    (28, D(2024, 2, 20),  120,  "shop",    "lost", 70.0),    # lost: out
    (29, D(2024, 2, 21),  121,  "web",     "open", 0.0),     # amount <= 0: out
    (30, D(2024, 3, 15),  122,  None,      "won",  40.0),
    (31, D(2024, 3, 16),  122,  None,      "won",  60.0),
    (32, D(2024, 4, 20),  123,  "web",     "open", 20.0),
    (33, D(2024, 4, 21),  None, "shop",    "won",  36.0),
    (34, D(2024, 4, 22),  124,  "shop",    "won",  44.0),
    (35, D(2024, 5, 1),   125,  "web",     "lost", 100.0),   # lost: out
    (36, D(2024, 5, 2),   126,  "web",     "won",  None),    # null amount: out
    (37, D(2024, 5, 3),   127,  None,      "open", 7.0),
    (38, D(2024, 5, 4),   128,  "partner", "won",  11.0),
    (39, D(2024, 5, 5),   128,  "partner", "won",  13.0),
    (40, D(2024, 5, 31),  129,  "web",     "open", 1000.0),
]
# fmt: on


def expected_rows() -> list[tuple[Any, ...]]:
    """The example report over ORDERS, by plain loops (order_date buckets as dates)."""
    groups: dict[tuple[Any, Any], list[tuple[Any, ...]]] = {}
    for row in ORDERS:
        _, day, _, channel, status, amount = row
        if status not in ("won", "open"):
            continue
        if amount is None or not amount > 0:
            continue
        month = D(day.year, day.month, 1)
        groups.setdefault((month, channel), []).append(row)
    out = []
    for (month, channel), members in groups.items():
        amounts = [r[5] for r in members]
        customers = {r[2] for r in members if r[2] is not None}
        ordered = sorted(amounts)
        mid = len(ordered) // 2
        median = ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
        out.append((month, channel, sum(amounts), len(members), len(customers), float(median)))
    # order_date asc, revenue desc, then channel asc with nulls last (the dimension tie-break)
    out.sort(key=lambda r: (r[1] is None, r[1] or ""))
    out.sort(key=lambda r: r[2], reverse=True)
    out.sort(key=lambda r: r[0])
    return out[:500]


def test_expected_rows_spot_checks() -> None:
    rows = {(r[0], r[1]): r for r in expected_rows()}
    # March web: rows 15 (250, customer 110) and 17 (10, customer 110); row 14 is lost
    assert rows[(D(2024, 3, 1), "web")] == (D(2024, 3, 1), "web", 260.0, 2, 1, 130.0)
    # February, no channel: rows 12 (99.99) and 13 (0.01), both customer 108
    feb_null = rows[(D(2024, 2, 1), None)]
    assert feb_null[2:] == pytest.approx((100.0, 2, 1, 50.0))
    # February web: row 9 (75.25, customer 101) and row 10 (20, no customer); 29 has amount 0
    assert rows[(D(2024, 2, 1), "web")] == (D(2024, 2, 1), "web", 95.25, 2, 1, 47.625)
    assert len(rows) == 17
    assert (D(2024, 1, 1), "shop") in rows  # row 3 only (row 6 has amount 0)


# --- inputs ------------------------------------------------------------------------------------


def orders_table() -> pa.Table:
    columns = list(zip(*ORDERS, strict=True))
    types = [pa.int64(), pa.date32(), pa.int64(), pa.string(), pa.string(), pa.float64()]
    return pa.table(
        {n: pa.array(list(c), type=t) for n, c, t in zip(COLUMNS, columns, types, strict=True)}
    )


def orders_pandas() -> Any:
    import pandas as pd

    frame = pd.DataFrame.from_records(ORDERS, columns=COLUMNS)
    # the usual pandas shapes: datetime64 dates, float customer ids (NaN for missing) ...
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    frame["customer_id"] = frame["customer_id"].astype("Int64")
    return frame


def write_csv(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        for row in ORDERS:
            writer.writerow(
                ["" if v is None else v.isoformat() if isinstance(v, D) else v for v in row]
            )


def as_date_rows(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Month buckets as dates: a datetime input gives datetime buckets at midnight."""
    out = []
    for row in rows:
        month = row[0]
        if isinstance(month, dt.datetime):
            assert month.time() == dt.time(0), month
            month = month.date()
        out.append((month, *row[1:]))
    return out


@pytest.fixture(scope="module")
def report() -> Report:
    return Report.from_yaml(EXAMPLE_YAML)


def test_example_literal_is_the_shipped_file() -> None:
    shipped = resources.files("crmreports").joinpath("examples/revenue_by_month.yaml")
    assert shipped.read_text(encoding="utf-8") == EXAMPLE_YAML


def test_on_arrow_input(report: Report) -> None:
    result = report.run({"orders": orders_table()})
    assert result.columns == ["order_date", "channel", "revenue", "orders", "customers",
                              "median_order"]  # fmt: skip
    assert isinstance(result.data, pa.Table)
    assert_rows_equal(frame_to_rows(result, as_tuples=True), expected_rows())
    # a date column stays a date column
    assert pa.types.is_date32(result.to_arrow().schema.field("order_date").type)


def test_on_pandas_input(report: Report) -> None:
    import pandas as pd

    result = report.run({"orders": orders_pandas()})
    assert isinstance(result.data, pd.DataFrame)
    assert list(result.data.columns) == [
        "order_date",
        "channel",
        "revenue",
        "orders",
        "customers",
        "median_order",
    ]
    rows = frame_to_rows(result.data, as_tuples=True)
    # a datetime64 column stays a datetime column
    assert all(isinstance(r[0], dt.datetime) for r in rows)
    assert_rows_equal(as_date_rows(rows), expected_rows())


def test_arrow_and_pandas_give_identical_results(report: Report) -> None:
    from_arrow = frame_to_rows(report.run({"orders": orders_table()}), as_tuples=True)
    from_pandas = frame_to_rows(report.run({"orders": orders_pandas()}), as_tuples=True)
    assert as_date_rows(from_pandas) == from_arrow  # exactly equal, not just close


# --- through the CLI ---------------------------------------------------------------------------


def _read_output(path: Path) -> list[tuple[Any, ...]]:
    if path.suffix == ".parquet":
        return frame_to_rows(pq.read_table(path), as_tuples=True)
    if path.suffix == ".json":
        records = json.loads(path.read_text(encoding="utf-8"))
        return [
            (
                D.fromisoformat(r["order_date"][:10]),
                r["channel"],
                r["revenue"],
                r["orders"],
                r["customers"],
                r["median_order"],
            )
            for r in records
        ]
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == [
            "order_date",
            "channel",
            "revenue",
            "orders",
            "customers",
            "median_order",
        ]
        return [
            (
                D.fromisoformat(r["order_date"][:10]),
                r["channel"] or None,
                float(r["revenue"]),
                int(r["orders"]),
                int(r["customers"]),
                float(r["median_order"]) if r["median_order"] else None,
            )
            for r in reader
        ]


@pytest.mark.parametrize(
    ("data_format", "out_format"),
    [("csv", "csv"), ("parquet", "parquet"), ("csv", "parquet"), ("parquet", "json")],
)
def test_cli_run_on_files(tmp_path: Path, data_format: str, out_format: str) -> None:
    spec = tmp_path / "revenue_by_month.yaml"
    spec.write_text(EXAMPLE_YAML, encoding="utf-8")
    data = tmp_path / f"orders.{data_format}"
    if data_format == "csv":
        write_csv(data)
    else:
        pq.write_table(orders_table(), data)
    out = tmp_path / "out" / f"result.{out_format}"

    code = cli_main(["run", str(spec), "--data", f"orders={data}", "--out", str(out)])

    assert code == 0
    rows = _read_output(out)
    assert_rows_equal(as_date_rows(rows), expected_rows())
    # identical to the in-memory Arrow run (CSV text may round the last float digit)
    in_memory = frame_to_rows(Report.from_yaml(EXAMPLE_YAML).run({"orders": orders_table()}))
    assert_rows_equal(as_date_rows(rows), [tuple(r.values()) for r in in_memory], rel=1e-12)


def test_run_on_a_csv_path_directly(tmp_path: Path, report: Report) -> None:
    path = tmp_path / "orders.csv"
    write_csv(path)
    result = report.run({"orders": str(path)})
    assert_rows_equal(as_date_rows(frame_to_rows(result, as_tuples=True)), expected_rows())


# --- schema and round trips --------------------------------------------------------------------


def test_json_schema_validates_the_example() -> None:
    schema = Report.model_json_schema()
    data = yaml.safe_load(EXAMPLE_YAML)
    jsonschema.validate(data, schema)
    # and the schema is not vacuous: it rejects a typo and an unknown agg
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**data, "limt": 5}, schema)
    bad = {**data, "measures": [{"name": "x", "agg": "average", "field": "amount"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def python_built() -> Report:
    return Report(
        name="revenue_by_month",
        title="Revenue by month and channel",
        description="Won and open order revenue, monthly, per sales channel.",
        source="orders",
        dimensions=[Dimension(field="order_date", grain=Grain.MONTH), Dimension(field="channel")],
        measures=[
            FieldMeasure(name="revenue", agg="sum", field="amount", format=Format.CURRENCY),
            CountMeasure(name="orders", agg="count"),
            FieldMeasure(name="customers", agg="count_distinct", field="customer_id"),
            FieldMeasure(name="median_order", agg="median", field="amount"),
        ],
        filters=[
            InFilter(field="status", op="in", value=["won", "open"]),
            CompareFilter(field="amount", op="gt", value=0),
        ],
        sort=[SortKey(field="order_date"), SortKey(field="revenue", desc=True)],
        limit=500,
        visual=LineVisual(kind="line", x="order_date", y="revenue", color="channel"),
    )


def test_python_built_report_equals_yaml_loaded(report: Report) -> None:
    assert python_built() == report


def test_yaml_round_trip(report: Report) -> None:
    text = report.to_yaml()
    again = Report.from_yaml(text)
    assert again == report
    assert again.to_yaml() == text


def test_json_round_trip(report: Report) -> None:
    text = report.to_json()
    again = Report.from_json(text)
    assert again == report
    assert json.loads(text) == json.loads(again.to_json())
    jsonschema.validate(json.loads(text), Report.model_json_schema())


def test_round_trip_of_python_built_report() -> None:
    built = python_built()
    assert Report.from_yaml(built.to_yaml()) == built
    assert Report.from_json(built.to_json()) == built
