"""Filtered, formula, percentile/stddev/expr and window measures; totals, subtotals, top-N with
"Other", having, sort and limit -- on every input backend.

Every fixture is written out in its test's section (10-30 rows) and every expected value is
worked out by hand, with the arithmetic in a comment. Each feature is also built once in Python
from the model classes and must equal its YAML form, and give the same rows.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from crmreports import Report
from crmreports.spec import (
    Compare,
    CompareFilter,
    CompareMeasure,
    CountMeasure,
    Dimension,
    ExprMeasure,
    FieldMeasure,
    FormulaMeasure,
    Grain,
    InFilter,
    Rank,
    RankMeasure,
    Rolling,
    RollingMeasure,
    Running,
    RunningMeasure,
    ShareMeasure,
    ShareOf,
    SortKey,
    TopN,
)
from tests.helpers import assert_rows_equal, frame_to_rows

D = dt.date


def check(
    spec: str,
    frame: Any,
    expected: list[tuple[Any, ...]],
    *,
    columns: list[str] | None = None,
    python: Report | None = None,
    as_of: dt.date | None = None,
) -> Any:
    """Run the YAML `spec` on `frame`, compare with `expected`; with `python`, the same report
    built from the model classes must equal the YAML one and give the same rows."""
    report = Report.from_yaml(spec)
    result = report.run(frame, as_of=as_of)
    if columns is not None:
        assert result.columns == columns
    assert_rows_equal(frame_to_rows(result, as_tuples=True), expected)
    if python is not None:
        assert python == report
        assert_rows_equal(frame_to_rows(python.run(frame, as_of=as_of), as_tuples=True), expected)
    return result


def true_nulls(result: Any, column: str) -> list[bool]:
    """Which values of `column` are real nulls (not NaN, which frame_to_rows reads as None)."""
    values = result.to_arrow().column(column)
    return pc.is_null(values, nan_is_null=False).to_pylist()


def assert_finite(result: Any, column: str) -> None:
    """No NaN and no infinity among the non-null values."""
    for v in result.to_arrow().column(column).to_pylist():
        assert v is None or math.isfinite(v), f"{column}: {v!r}"


# =============================================================================================
# Filtered measures and formulas
# =============================================================================================
#
#  id | owner | stage | amount | day
#  ---+-------+-------+--------+-----------
#   1 | ann   | won   |  100   | 2024-01-10
#   2 | ann   | lost  |   50   | 2024-01-15
#   3 | ann   | won   |  200   | 2024-02-01
#   4 | ann   | open  |   70   | 2024-02-10
#   5 | bob   | lost  |   30   | 2024-01-03
#   6 | bob   | lost  |   20   | 2024-02-20
#   7 | bob   | open  |   10   | 2024-03-01
#   8 | cat   | won   |  400   | 2024-03-05
#   9 | cat   | null  |   60   | 2024-03-06
#  10 | cat   | won   |  null  | 2024-03-07
#  11 | dan   | open  |    5   | 2024-01-01
#  12 | dan   | open  |   15   | 2024-01-02

DEALS = {
    "owner": ["ann"] * 4 + ["bob"] * 3 + ["cat"] * 3 + ["dan"] * 2,
    "stage": [
        *("won", "lost", "won", "open"),
        *("lost", "lost", "open"),
        *("won", None, "won"),
        *("open", "open"),
    ],
    "amount": [100.0, 50.0, 200.0, 70.0, 30.0, 20.0, 10.0, 400.0, 60.0, None, 5.0, 15.0],
    "day": [
        D(2024, 1, 10),
        D(2024, 1, 15),
        D(2024, 2, 1),
        D(2024, 2, 10),
        D(2024, 1, 3),
        D(2024, 2, 20),
        D(2024, 3, 1),
        D(2024, 3, 5),
        D(2024, 3, 6),
        D(2024, 3, 7),
        D(2024, 1, 1),
        D(2024, 1, 2),
    ],
}
DEALS_SCHEMA = {
    "owner": pa.string(),
    "stage": pa.string(),
    "amount": pa.float64(),
    "day": pa.date32(),
}


@pytest.fixture
def deals(constructor: Any) -> Any:
    return constructor(DEALS, DEALS_SCHEMA)


def test_filtered_measures(deals: Any) -> None:
    spec = """
name: t
dimensions: [owner]
measures:
  - {name: n, agg: count}
  - {name: won, agg: count, filter: {field: stage, op: eq, value: won}}
  - {name: won_amount, agg: sum, field: amount, filter: {field: stage, op: eq, value: won}}
  - {name: won_priced, agg: count, field: amount, filter: {field: stage, op: eq, value: won}}
  - name: big_won
    agg: count
    filter:
      - {field: stage, op: eq, value: won}
      - {field: amount, op: ge, value: 150}
  - {name: not_won, agg: count, filter: {field: stage, op: ne, value: won}}
  - {name: closed, agg: count, filter: {field: stage, op: in, value: [won, lost]}}
  - name: won_amounts
    agg: count_distinct
    field: amount
    filter: {field: stage, op: eq, value: won}
  - {name: won_median, agg: median, field: amount, filter: {field: stage, op: eq, value: won}}
"""
    python = Report(
        name="t",
        dimensions=[Dimension(field="owner")],
        measures=[
            CountMeasure(name="n", agg="count"),
            CountMeasure(
                name="won", agg="count", filter=[CompareFilter(field="stage", op="eq", value="won")]
            ),
            FieldMeasure(
                name="won_amount",
                agg="sum",
                field="amount",
                filter=[CompareFilter(field="stage", op="eq", value="won")],
            ),
            CountMeasure(
                name="won_priced",
                agg="count",
                field="amount",
                filter=[CompareFilter(field="stage", op="eq", value="won")],
            ),
            CountMeasure(
                name="big_won",
                agg="count",
                filter=[
                    CompareFilter(field="stage", op="eq", value="won"),
                    CompareFilter(field="amount", op="ge", value=150),
                ],
            ),
            CountMeasure(
                name="not_won",
                agg="count",
                filter=[CompareFilter(field="stage", op="ne", value="won")],
            ),
            CountMeasure(
                name="closed",
                agg="count",
                filter=[InFilter(field="stage", op="in", value=["won", "lost"])],
            ),
            FieldMeasure(
                name="won_amounts",
                agg="count_distinct",
                field="amount",
                filter=[CompareFilter(field="stage", op="eq", value="won")],
            ),
            FieldMeasure(
                name="won_median",
                agg="median",
                field="amount",
                filter=[CompareFilter(field="stage", op="eq", value="won")],
            ),
        ],
    )
    expected = [
        # owner, n, won, won_amount, won_priced, big_won, not_won, closed, won_amounts,
        # won_median
        # ann: rows 1-4; won 1, 3 -> 100 + 200; big: row 3 (200 >= 150); not won: 2, 4;
        # closed 1, 2, 3; distinct won amounts {100, 200}; median (100 + 200) / 2
        ("ann", 4, 2, 300.0, 2, 1, 2, 3, 2, 150.0),
        # bob: no won row -> sum of no values is 0, median null; not won: 5, 6, 7; closed 5, 6
        ("bob", 3, 0, 0.0, 0, 0, 3, 2, 0, None),
        # cat: won 8, 10; row 10's amount is null (not summed, not priced, not >= 150, not a
        # distinct value: careless 2, counting the masked-out rows' null); row 9's stage is
        # null: `ne won` is false for it (careless engine: not_won 1)
        ("cat", 3, 2, 400.0, 1, 1, 0, 2, 1, 400.0),
        ("dan", 2, 0, 0.0, 0, 0, 2, 0, 0, None),
    ]
    check(spec, deals, expected, python=python)


def test_filtered_measure_is_independent_of_the_report_filters(deals: Any) -> None:
    # Report filter day < 2024-03-01 keeps rows 1-6, 11, 12 (every row of cat is in March).
    # The measure's own filter narrows only that measure: `n` still counts every kept row.
    spec = """
name: t
dimensions: [owner]
filters: [{field: day, op: lt, value: 2024-03-01}]
measures:
  - {name: n, agg: count}
  - {name: won, agg: count, filter: {field: stage, op: eq, value: won}}
  - {name: s, agg: sum, field: amount}
"""
    expected = [
        ("ann", 4, 2, 420.0),  # 100 + 50 + 200 + 70
        ("bob", 2, 0, 50.0),  # rows 5, 6: 30 + 20 (row 7 is in March)
        ("dan", 2, 0, 20.0),  # 5 + 15
    ]
    check(spec, deals, expected)

    # The report's filter still applies to the filtered measure (AND): with only won and lost
    # deals kept, a measure counting open deals is 0 everywhere.
    spec = """
name: t
dimensions: [owner]
filters: [{field: stage, op: in, value: [won, lost]}]
measures:
  - {name: n, agg: count}
  - {name: open, agg: count, filter: {field: stage, op: eq, value: open}}
"""
    # ann: 1, 2, 3; bob: 5, 6; cat: 8, 10 (row 9 null stage dropped); dan: none
    check(spec, deals, [("ann", 3, 0), ("bob", 2, 0), ("cat", 2, 0)])


def test_formula_zero_or_null_denominator_is_null(deals: Any) -> None:
    spec = """
name: t
dimensions: [owner]
measures:
  - {name: won, agg: count, filter: {field: stage, op: eq, value: won}}
  - {name: lost, agg: count, filter: {field: stage, op: eq, value: lost}}
  - {name: win_rate, formula: "won / (won + lost)"}
  - {name: won_amount, agg: sum, field: amount, filter: {field: stage, op: eq, value: won}}
  - {name: max_lost, agg: max, field: amount, filter: {field: stage, op: eq, value: lost}}
  - {name: ratio, formula: "won_amount / max_lost"}
  - {name: lose_rate, formula: "1 - win_rate"}
"""
    python = Report(
        name="t",
        dimensions=[Dimension(field="owner")],
        measures=[
            CountMeasure(
                name="won", agg="count", filter=[CompareFilter(field="stage", op="eq", value="won")]
            ),
            CountMeasure(
                name="lost",
                agg="count",
                filter=[CompareFilter(field="stage", op="eq", value="lost")],
            ),
            FormulaMeasure(name="win_rate", formula="won / (won + lost)"),
            FieldMeasure(
                name="won_amount",
                agg="sum",
                field="amount",
                filter=[CompareFilter(field="stage", op="eq", value="won")],
            ),
            FieldMeasure(
                name="max_lost",
                agg="max",
                field="amount",
                filter=[CompareFilter(field="stage", op="eq", value="lost")],
            ),
            FormulaMeasure(name="ratio", formula="won_amount / max_lost"),
            FormulaMeasure(name="lose_rate", formula="1 - win_rate"),
        ],
    )
    expected = [
        # owner, won, lost, win_rate, won_amount, max_lost, ratio, lose_rate
        ("ann", 2, 1, 2 / 3, 300.0, 50.0, 6.0, 1 / 3),  # 2 / 3; 300 / 50
        ("bob", 0, 2, 0.0, 0.0, 30.0, 0.0, 1.0),  # 0 / 2 = 0 (a real zero); 0 / max(30, 20)
        ("cat", 2, 0, 1.0, 400.0, None, None, 0.0),  # 2 / 2; 400 / null -> null
        ("dan", 0, 0, None, 0.0, None, None, None),  # 0 / 0 -> null (careless: NaN or inf)
    ]
    result = check(spec, deals, expected, python=python)
    assert true_nulls(result, "win_rate") == [False, False, False, True]
    assert true_nulls(result, "ratio") == [False, False, True, True]
    assert_finite(result, "win_rate")
    assert_finite(result, "ratio")
    assert true_nulls(result, "lose_rate") == [False, False, False, True]


# =============================================================================================
# percentile, stddev, expr
# =============================================================================================
#
#  g | x
#  --+------------------------
#  a | 1, 2, 3, 4, 10
#  b | 7
#  c | 2, null, 4
#  d | 9, 1, 5, 3
#  e | null, null

STATS = {
    "g": ["a"] * 5 + ["b"] + ["c"] * 3 + ["d"] * 4 + ["e"] * 2,
    "x": [1.0, 2.0, 3.0, 4.0, 10.0, 7.0, 2.0, None, 4.0, 9.0, 1.0, 5.0, 3.0, None, None],
}
STATS_SCHEMA = {"g": pa.string(), "x": pa.float64()}


def test_percentile_and_stddev(constructor: Any) -> None:
    frame = constructor(STATS, STATS_SCHEMA)
    spec = """
name: t
dimensions: [g]
measures:
  - {name: med, agg: median, field: x}
  - {name: p50, agg: percentile, field: x, p: 0.5}
  - {name: p90, agg: percentile, field: x, p: 0.9}
  - {name: p25, agg: percentile, field: x, p: 0.25}
  - {name: sd, agg: stddev, field: x}
"""
    python = Report(
        name="t",
        dimensions=[Dimension(field="g")],
        measures=[
            FieldMeasure(name="med", agg="median", field="x"),
            FieldMeasure(name="p50", agg="percentile", field="x", p=0.5),
            FieldMeasure(name="p90", agg="percentile", field="x", p=0.9),
            FieldMeasure(name="p25", agg="percentile", field="x", p=0.25),
            FieldMeasure(name="sd", agg="stddev", field="x"),
        ],
    )
    # Linear interpolation: position (n - 1) * p in the sorted values (0-based).
    expected = [
        # a: sorted 1 2 3 4 10 (n = 5). p50: pos 2 -> 3. p90: pos 3.6 -> 4 + 0.6 * (10 - 4) = 7.6.
        # p25: pos 1 -> 2. mean 4; squares 9 + 4 + 1 + 0 + 36 = 50; sd = sqrt(50 / 4)
        ("a", 3.0, 3.0, 7.6, 2.0, math.sqrt(12.5)),
        # b: one value: every percentile is 7; the sample stddev of one value is null
        ("b", 7.0, 7.0, 7.0, 7.0, None),
        # c: sorted 2 4 (null skipped). p90: pos 0.9 -> 2 + 0.9 * 2 = 3.8; p25: 2 + 0.25 * 2
        # = 2.5; mean 3, squares 1 + 1 = 2, sd = sqrt(2 / 1)
        ("c", 3.0, 3.0, 3.8, 2.5, math.sqrt(2.0)),
        # d: sorted 1 3 5 9. median (3 + 5) / 2 = 4; p90: pos 2.7 -> 5 + 0.7 * 4 = 7.8;
        # p25: pos 0.75 -> 1 + 0.75 * 2 = 2.5; mean 4.5, squares 12.25 + 2.25 + 0.25 + 20.25
        # = 35, sd = sqrt(35 / 3)
        ("d", 4.0, 4.0, 7.8, 2.5, math.sqrt(35 / 3)),
        # e: no values -> all null
        ("e", None, None, None, None, None),
    ]
    result = check(spec, frame, expected, python=python)
    assert true_nulls(result, "sd") == [False, True, False, False, True]


#  g | quantity | unit_price | quantity * unit_price
#  --+----------+------------+----------------------
#  a |    2     |   10.0     |  20.0
#  a |    3     |    1.5     |   4.5
#  a |   null   |    4.0     |  null
#  b |    1     |  100.0     | 100.0
#  b |    4     |    0.25    |   1.0
#  b |    5     |   null     |  null

LINES = {
    "g": ["a", "a", "a", "b", "b", "b"],
    "quantity": [2, 3, None, 1, 4, 5],
    "unit_price": [10.0, 1.5, 4.0, 100.0, 0.25, None],
}
LINES_SCHEMA = {"g": pa.string(), "quantity": pa.int64(), "unit_price": pa.float64()}


def test_aggregates_over_a_row_expression(constructor: Any) -> None:
    frame = constructor(LINES, LINES_SCHEMA)
    spec = """
name: t
dimensions: [g]
measures:
  - {name: revenue, agg: sum, expr: "quantity * unit_price"}
  - {name: lines, agg: count, expr: "quantity * unit_price"}
  - {name: avg_line, agg: avg, expr: "quantity * unit_price"}
  - {name: med_line, agg: median, expr: "quantity * unit_price"}
  - {name: p90_line, agg: percentile, p: 0.9, expr: "quantity * unit_price"}
  - {name: top_line, agg: max, expr: "quantity * unit_price"}
  - name: bulk_revenue
    agg: sum
    expr: "quantity * unit_price"
    filter: {field: quantity, op: ge, value: 3}
"""
    python = Report(
        name="t",
        dimensions=[Dimension(field="g")],
        measures=[
            ExprMeasure(name="revenue", agg="sum", expr="quantity * unit_price"),
            ExprMeasure(name="lines", agg="count", expr="quantity * unit_price"),
            ExprMeasure(name="avg_line", agg="avg", expr="quantity * unit_price"),
            ExprMeasure(name="med_line", agg="median", expr="quantity * unit_price"),
            ExprMeasure(name="p90_line", agg="percentile", p=0.9, expr="quantity * unit_price"),
            ExprMeasure(name="top_line", agg="max", expr="quantity * unit_price"),
            ExprMeasure(
                name="bulk_revenue",
                agg="sum",
                expr="quantity * unit_price",
                filter=[CompareFilter(field="quantity", op="ge", value=3)],
            ),
        ],
    )
    expected = [
        # a: values 20, 4.5 (null row skipped): sum 24.5, count 2, avg 12.25, median 12.25,
        # p90: 4.5 + 0.9 * 15.5 = 18.45, max 20; quantity >= 3: only 3 * 1.5 = 4.5
        ("a", 24.5, 2, 12.25, 12.25, 18.45, 20.0, 4.5),
        # b: values 100, 1: sum 101, avg 50.5, p90: 1 + 0.9 * 99 = 90.1; quantity >= 3: 4 * 0.25
        # = 1 and 5 * null = null -> 1.0
        ("b", 101.0, 2, 50.5, 50.5, 90.1, 100.0, 1.0),
    ]
    check(spec, frame, expected, python=python)


# =============================================================================================
# running totals
# =============================================================================================
#
#  region | day        | amount      month totals
#  -------+------------+-------      EU: 2023-11 15 (2 rows), 2023-12 20, 2024-01 7,
#  EU     | 2023-11-10 |  10            2024-03 3 (February has no row), 2024-04 4
#  EU     | 2023-11-20 |   5        US: 2023-12 100, 2024-01 75 (2 rows), 2024-02 1
#  EU     | 2023-12-01 |  20
#  EU     | 2024-01-15 |   7
#  EU     | 2024-03-02 |   3
#  EU     | 2024-04-05 |   4
#  US     | 2023-12-31 | 100
#  US     | 2024-01-01 |  50
#  US     | 2024-01-31 |  25
#  US     | 2024-02-29 |   1

RUNNING = {
    "region": ["EU"] * 6 + ["US"] * 4,
    "day": [
        D(2023, 11, 10),
        D(2023, 11, 20),
        D(2023, 12, 1),
        D(2024, 1, 15),
        D(2024, 3, 2),
        D(2024, 4, 5),
        D(2023, 12, 31),
        D(2024, 1, 1),
        D(2024, 1, 31),
        D(2024, 2, 29),
    ],
    "amount": [10, 5, 20, 7, 3, 4, 100, 50, 25, 1],
}
RUNNING_SCHEMA = {"region": pa.string(), "day": pa.date32(), "amount": pa.int64()}


def test_running_total_restarts_per_dimension_and_per_year(constructor: Any) -> None:
    frame = constructor(RUNNING, RUNNING_SCHEMA)
    spec = """
name: t
dimensions: [region, {field: day, grain: month, name: month}]
measures:
  - {name: s, agg: sum, field: amount}
  - {name: n, agg: count}
  - {name: cum, of: s, running: {}}
  - {name: ytd, of: s, running: {reset: year}}
  - {name: qtd, of: s, running: {reset: quarter}}
  - {name: n_cum, of: n, running: {reset: none}}
"""
    python = Report(
        name="t",
        dimensions=[
            Dimension(field="region"),
            Dimension(field="day", grain=Grain.MONTH, name="month"),
        ],
        measures=[
            FieldMeasure(name="s", agg="sum", field="amount"),
            CountMeasure(name="n", agg="count"),
            RunningMeasure(name="cum", of="s", running=Running()),
            RunningMeasure(name="ytd", of="s", running=Running(reset="year")),
            RunningMeasure(name="qtd", of="s", running=Running(reset="quarter")),
            RunningMeasure(name="n_cum", of="n", running=Running(reset="none")),
        ],
    )
    expected = [
        # region, month, s, n, cum, ytd, qtd, n_cum
        ("EU", D(2023, 11, 1), 15, 2, 15, 15, 15, 2),
        ("EU", D(2023, 12, 1), 20, 1, 35, 35, 35, 3),  # 15 + 20
        ("EU", D(2024, 1, 1), 7, 1, 42, 7, 7, 4),  # new year and new quarter: restart at 7
        ("EU", D(2024, 3, 1), 3, 1, 45, 10, 10, 5),  # 7 + 3 (Q1 too)
        ("EU", D(2024, 4, 1), 4, 1, 49, 14, 4, 6),  # ytd 10 + 4; Q2 restarts at 4
        # US restarts from its own first month (careless: continues EU's 49)
        ("US", D(2023, 12, 1), 100, 1, 100, 100, 100, 1),
        ("US", D(2024, 1, 1), 75, 2, 175, 75, 75, 3),  # 50 + 25; ytd restarts
        ("US", D(2024, 2, 1), 1, 1, 176, 76, 76, 4),
    ]
    check(spec, frame, expected, python=python)


def test_running_total_follows_time_not_the_sort_order(constructor: Any) -> None:
    frame = constructor(RUNNING, RUNNING_SCHEMA)
    spec = """
name: t
dimensions: [{field: day, grain: month, name: month}]
measures:
  - {name: s, agg: sum, field: amount}
  - {name: cum, of: s, running: {}}
  - {name: ytd, of: s, running: {reset: year}}
sort: [{field: s, desc: true}]
"""
    # Months (both regions): 2023-11 15, 2023-12 120, 2024-01 82, 2024-02 1, 2024-03 3,
    # 2024-04 4. Running in time order: 15, 135, 217, 218, 221, 225; ytd: 15, 135 | 82, 83,
    # 86, 90. Then sorted by s descending.
    expected = [
        (D(2023, 12, 1), 120, 135, 135),
        (D(2024, 1, 1), 82, 217, 82),
        (D(2023, 11, 1), 15, 15, 15),
        (D(2024, 4, 1), 4, 225, 90),
        (D(2024, 3, 1), 3, 221, 86),
        (D(2024, 2, 1), 1, 218, 83),
    ]
    check(spec, frame, expected)


# =============================================================================================
# rolling windows
# =============================================================================================
#
#  channel | day        | amount      month totals
#  --------+------------+-------      web:  2024-01 10, 2024-02 20, (no March), 2024-04 40,
#  web     | 2024-01-10 |  10              2024-05 56 (2 rows)
#  web     | 2024-02-10 |  20        shop: 2024-02 1, 2024-03 2, 2024-04 4
#  web     | 2024-04-10 |  40
#  web     | 2024-05-10 |  50
#  web     | 2024-05-20 |   6
#  shop    | 2024-02-15 |   1
#  shop    | 2024-03-15 |   2
#  shop    | 2024-04-15 |   4

ROLLING = {
    "channel": ["web"] * 5 + ["shop"] * 3,
    "day": [
        D(2024, 1, 10),
        D(2024, 2, 10),
        D(2024, 4, 10),
        D(2024, 5, 10),
        D(2024, 5, 20),
        D(2024, 2, 15),
        D(2024, 3, 15),
        D(2024, 4, 15),
    ],
    "amount": [10.0, 20.0, 40.0, 50.0, 6.0, 1.0, 2.0, 4.0],
}
ROLLING_SCHEMA = {"channel": pa.string(), "day": pa.date32(), "amount": pa.float64()}

ROLLING_SPEC = """
name: t
dimensions: [channel, {field: day, grain: month, name: month}]
measures:
  - {name: s, agg: sum, field: amount}
  - {name: s3, of: s, rolling: {periods: 3}}
"""


def test_rolling_sum_over_calendar_periods(constructor: Any) -> None:
    frame = constructor(ROLLING, ROLLING_SCHEMA)
    python = Report(
        name="t",
        dimensions=[
            Dimension(field="channel"),
            Dimension(field="day", grain=Grain.MONTH, name="month"),
        ],
        measures=[
            FieldMeasure(name="s", agg="sum", field="amount"),
            RollingMeasure(name="s3", of="s", rolling=Rolling(periods=3, agg="sum")),
        ],
    )
    expected = [
        # channel, month, s, s3
        ("shop", D(2024, 2, 1), 1.0, 1.0),  # partial window at the start
        ("shop", D(2024, 3, 1), 2.0, 3.0),  # 1 + 2
        ("shop", D(2024, 4, 1), 4.0, 7.0),  # 1 + 2 + 4
        ("web", D(2024, 1, 1), 10.0, 10.0),
        ("web", D(2024, 2, 1), 20.0, 30.0),  # 10 + 20
        # Feb + Mar + Apr = 20 + 0 + 40 = 60 (careless, the last 3 rows: 10 + 20 + 40 = 70)
        ("web", D(2024, 4, 1), 40.0, 60.0),
        # Mar + Apr + May = 0 + 40 + 56 = 96 (careless: 20 + 40 + 56 = 116)
        ("web", D(2024, 5, 1), 56.0, 96.0),
    ]
    check(ROLLING_SPEC, frame, expected, python=python)


def test_rolling_average_counts_missing_periods_as_zero(constructor: Any) -> None:
    frame = constructor(ROLLING, ROLLING_SCHEMA)
    spec = """
name: t
dimensions: [{field: day, grain: month, name: month}]
filters: [{field: channel, op: eq, value: web}]
measures:
  - {name: s, agg: sum, field: amount}
  - {name: avg3, of: s, rolling: {periods: 3, agg: avg}}
"""
    expected = [
        (D(2024, 1, 1), 10.0, 10.0),  # partial window: 10 / 1
        (D(2024, 2, 1), 20.0, 15.0),  # (10 + 20) / 2
        (D(2024, 4, 1), 40.0, 20.0),  # (20 + 0 + 40) / 3 (careless, rows: (10+20+40)/3 = 23.3)
        (D(2024, 5, 1), 56.0, 32.0),  # (0 + 40 + 56) / 3
    ]
    check(spec, frame, expected)


def test_rolling_average_of_a_non_additive_measure_skips_missing_periods(
    constructor: Any,
) -> None:
    frame = constructor(ROLLING, ROLLING_SCHEMA)
    spec = """
name: t
dimensions: [{field: day, grain: month, name: month}]
filters: [{field: channel, op: eq, value: web}]
measures:
  - {name: a, agg: avg, field: amount}
  - {name: a3, of: a, rolling: {periods: 3, agg: avg}}
"""
    # monthly averages: Jan 10, Feb 20, (no March), Apr 40, May (50 + 6) / 2 = 28
    expected = [
        (D(2024, 1, 1), 10.0, 10.0),
        (D(2024, 2, 1), 20.0, 15.0),  # (10 + 20) / 2
        (D(2024, 4, 1), 40.0, 30.0),  # (20 + 40) / 2: March has no average, it is skipped
        (D(2024, 5, 1), 28.0, 34.0),  # (40 + 28) / 2 (careless, March as 0: 68 / 3)
    ]
    check(spec, frame, expected)


def test_rolling_window_reads_periods_before_the_time_filter(constructor: Any) -> None:
    frame = constructor(ROLLING, ROLLING_SCHEMA)
    # The report starts in April; the window still sees February and March.
    spec = ROLLING_SPEC + "filters: [{field: day, op: ge, value: 2024-04-01}]\n"
    expected = [
        ("shop", D(2024, 4, 1), 4.0, 7.0),  # 1 + 2 + 4 (careless, cut at the filter: 4)
        ("web", D(2024, 4, 1), 40.0, 60.0),  # 20 + 0 + 40 (careless: 40)
        ("web", D(2024, 5, 1), 56.0, 96.0),  # 0 + 40 + 56
    ]
    check(spec, frame, expected)

    # A closed range: earlier periods are read, later ones (May) stay out.
    spec = ROLLING_SPEC + "filters: [{field: day, op: between, value: [2024-02-01, 2024-04-30]}]\n"
    expected = [
        ("shop", D(2024, 2, 1), 1.0, 1.0),
        ("shop", D(2024, 3, 1), 2.0, 3.0),
        ("shop", D(2024, 4, 1), 4.0, 7.0),
        ("web", D(2024, 2, 1), 20.0, 30.0),  # January's 10 is read (careless: 20)
        ("web", D(2024, 4, 1), 40.0, 60.0),
    ]
    check(spec, frame, expected)


def test_rolling_window_reads_periods_before_a_relative_date_filter(constructor: Any) -> None:
    frame = constructor(ROLLING, ROLLING_SCHEMA)
    # As of 2024-05-15, the last 2 complete months are March and April 2024.
    spec = ROLLING_SPEC + "filters: [{field: day, op: last, unit: month, n: 2}]\n"
    expected = [
        ("shop", D(2024, 3, 1), 2.0, 3.0),  # Jan 0 + Feb 1 + Mar 2 (careless: 2)
        ("shop", D(2024, 4, 1), 4.0, 7.0),  # 1 + 2 + 4
        ("web", D(2024, 4, 1), 40.0, 60.0),  # 20 + 0 + 40 (careless: 40)
    ]
    check(spec, frame, expected, as_of=D(2024, 5, 15))


@pytest.mark.parametrize("second", ["another_aggregate", "another_window"])
def test_rolling_next_to_other_measures(constructor: Any, second: str) -> None:
    frame = constructor(ROLLING, ROLLING_SCHEMA)
    extra = {
        "another_aggregate": "  - {name: n, agg: count}\n",
        "another_window": "  - {name: s2, of: s, rolling: {periods: 2}}\n",
    }[second]
    # The extra measure comes first so the window under test sees its column.
    spec = ROLLING_SPEC.replace("  - {name: s3", extra + "  - {name: s3")
    # s3 as in test_rolling_sum_over_calendar_periods; n = rows per month;
    # s2 = this month + the previous one: shop 1, 1 + 2, 2 + 4; web 10, 10 + 20, 0 + 40, 40 + 56
    s3 = [1.0, 3.0, 7.0, 10.0, 30.0, 60.0, 96.0]
    n = [1, 1, 1, 1, 1, 1, 2]
    s2 = [1.0, 3.0, 6.0, 10.0, 30.0, 40.0, 96.0]
    keys = [
        ("shop", D(2024, 2, 1), 1.0),
        ("shop", D(2024, 3, 1), 2.0),
        ("shop", D(2024, 4, 1), 4.0),
        ("web", D(2024, 1, 1), 10.0),
        ("web", D(2024, 2, 1), 20.0),
        ("web", D(2024, 4, 1), 40.0),
        ("web", D(2024, 5, 1), 56.0),
    ]
    second_values = n if second == "another_aggregate" else s2
    expected = [(*k, v, w) for k, v, w in zip(keys, second_values, s3, strict=True)]
    # careless (partitioned by n): web May (n = 2) restarts: 56 instead of 96
    check(spec, frame, expected)


def test_rolling_sum_of_a_count_is_an_integer(constructor: Any) -> None:
    frame = constructor(ROLLING, ROLLING_SCHEMA)
    spec = """
name: t
dimensions: [{field: day, grain: month, name: month}]
filters: [{field: channel, op: eq, value: web}]
measures:
  - {name: n, agg: count}
  - {name: n3, of: n, rolling: {periods: 3}}
"""
    # web rows per month: Jan 1, Feb 1, Apr 1, May 2 -> 1; 1 + 1; 1 + 0 + 1; 0 + 1 + 2
    expected = [
        (D(2024, 1, 1), 1, 1),
        (D(2024, 2, 1), 1, 2),
        (D(2024, 4, 1), 1, 2),
        (D(2024, 5, 1), 2, 3),
    ]
    result = check(spec, frame, expected)
    assert result.to_arrow().schema.field("n3").type == pa.int64()


# =============================================================================================
# period-over-period comparisons
# =============================================================================================
#
#  region | day        | amount
#  -------+------------+-------
#  EU     | 2023-01-10 |   5
#  EU     | 2023-02-10 |   8
#  EU     | 2023-04-10 |  10     (no March 2023)
#  EU     | 2023-05-10 |   0
#  EU     | 2023-06-10 |   9
#  EU     | 2024-01-10 |   6
#  EU     | 2024-02-10 |  12
#  US     | 2023-02-10 |   3
#  US     | 2024-02-10 |   4     (no January 2024)
#  US     | 2024-03-10 |   6

COMPARE = {
    "region": ["EU"] * 7 + ["US"] * 3,
    "day": [
        D(2023, 1, 10),
        D(2023, 2, 10),
        D(2023, 4, 10),
        D(2023, 5, 10),
        D(2023, 6, 10),
        D(2024, 1, 10),
        D(2024, 2, 10),
        D(2023, 2, 10),
        D(2024, 2, 10),
        D(2024, 3, 10),
    ],
    "amount": [5.0, 8.0, 10.0, 0.0, 9.0, 6.0, 12.0, 3.0, 4.0, 6.0],
}
COMPARE_SCHEMA = {"region": pa.string(), "day": pa.date32(), "amount": pa.float64()}


def test_several_comparisons_by_calendar_shift(constructor: Any) -> None:
    frame = constructor(COMPARE, COMPARE_SCHEMA)
    spec = """
name: t
dimensions: [region, {field: day, grain: month, name: month}]
measures:
  - {name: s, agg: sum, field: amount}
  - {name: prev, of: s, compare: {offset: 1 period, show: value}}
  - {name: chg, of: s, compare: {offset: 1 period, show: change}}
  - {name: pct, of: s, compare: {offset: 1 period, show: pct_change}}
  - {name: yoy, of: s, compare: {offset: 1 year, show: value}}
  - {name: yoy_pct, of: s, compare: {offset: 1 year}}
  - {name: two_back, of: s, compare: {offset: 2 months, show: value}}
"""
    python = Report(
        name="t",
        dimensions=[
            Dimension(field="region"),
            Dimension(field="day", grain=Grain.MONTH, name="month"),
        ],
        measures=[
            FieldMeasure(name="s", agg="sum", field="amount"),
            CompareMeasure(name="prev", of="s", compare=Compare(offset="1 period", show="value")),
            CompareMeasure(name="chg", of="s", compare=Compare(offset="1 period", show="change")),
            CompareMeasure(
                name="pct", of="s", compare=Compare(offset="1 period", show="pct_change")
            ),
            CompareMeasure(name="yoy", of="s", compare=Compare(offset="1 year", show="value")),
            CompareMeasure(name="yoy_pct", of="s", compare=Compare(offset="1 year")),
            CompareMeasure(
                name="two_back", of="s", compare=Compare(offset="2 months", show="value")
            ),
        ],
    )
    # The source covers January 2023 .. March 2024: an earlier month inside that span without
    # rows of the region is empty (a sum of 0); one before it has no data (null).
    expected = [
        # region, month, s, prev, chg, pct, yoy, yoy_pct, two_back
        # Dec 2022, Jan 2022 and Nov 2022 are before the data: null
        ("EU", D(2023, 1, 1), 5.0, None, None, None, None, None, None),
        # prev Jan 5: change 3, pct 3 / 5
        ("EU", D(2023, 2, 1), 8.0, 5.0, 3.0, 0.6, None, None, None),
        # March 2023 has no EU row: 0 (careless row lag: 8; careless null), change 10, pct null
        # (zero base); two months back = Feb 8
        ("EU", D(2023, 4, 1), 10.0, 0.0, 10.0, None, None, None, 8.0),
        # prev Apr 10: change -10, pct -10 / 10; two back = March: empty, 0
        ("EU", D(2023, 5, 1), 0.0, 10.0, -10.0, -1.0, None, None, 0.0),
        # prev May 0: change 9, pct null (zero base; careless: inf); two back = Apr 10
        ("EU", D(2023, 6, 1), 9.0, 0.0, 9.0, None, None, None, 10.0),
        # prev Dec 2023 empty: 0 (careless: Jun 9), change 6; a year back Jan 2023 = 5:
        # (6 - 5) / 5; two back Nov 2023 empty: 0
        ("EU", D(2024, 1, 1), 6.0, 0.0, 6.0, None, 5.0, 0.2, 0.0),
        # prev Jan 6: change 6, pct 1; a year back Feb 2023 = 8: (12 - 8) / 8; Dec 2023: 0
        ("EU", D(2024, 2, 1), 12.0, 6.0, 6.0, 1.0, 8.0, 0.5, 0.0),
        # Jan 2023 has rows (EU) but none of US: 0; Dec 2022 is before the data: null
        ("US", D(2023, 2, 1), 3.0, 0.0, 3.0, None, None, None, None),
        # Jan 2024 empty: 0 (careless row lag: 3); a year back Feb 2023 = 3: 1 / 3; Dec 2023 0
        ("US", D(2024, 2, 1), 4.0, 0.0, 4.0, None, 3.0, 1 / 3, 0.0),
        # prev Feb 4: change 2, pct 0.5; March 2023 empty: 0, pct null; Jan 2024 empty: 0
        ("US", D(2024, 3, 1), 6.0, 4.0, 2.0, 0.5, 0.0, None, 0.0),
    ]
    result = check(spec, frame, expected, python=python)
    assert true_nulls(result, "pct")[4] is True  # the zero base: a real null
    assert_finite(result, "pct")


def test_comparison_reads_the_earlier_period_outside_the_time_filter(constructor: Any) -> None:
    frame = constructor(COMPARE, COMPARE_SCHEMA)
    spec = """
name: t
dimensions: [region, {field: day, grain: month, name: month}]
filters: [{field: day, op: ge, value: 2024-01-01}]
measures:
  - {name: s, agg: sum, field: amount}
  - {name: yoy, of: s, compare: {offset: 1 year, show: value}}
  - {name: yoy_pct, of: s, compare: {offset: 1 year, show: pct_change}}
  - {name: prev, of: s, compare: {offset: 1 period, show: value}}
"""
    # Only 2024 is shown; 2023 is read from base rows (careless: every yoy null). Months
    # without rows of a region inside the data (Jan 2023 .. Mar 2024) are empty: 0.
    expected = [
        ("EU", D(2024, 1, 1), 6.0, 5.0, 0.2, 0.0),  # (6 - 5) / 5; Dec 2023 empty
        ("EU", D(2024, 2, 1), 12.0, 8.0, 0.5, 6.0),  # (12 - 8) / 8
        ("US", D(2024, 2, 1), 4.0, 3.0, 1 / 3, 0.0),  # (4 - 3) / 3; Jan 2024 empty
        ("US", D(2024, 3, 1), 6.0, 0.0, None, 4.0),  # March 2023 empty: no base
    ]
    check(spec, frame, expected)

    spec = """
name: t
dimensions: [region, {field: day, grain: month, name: month}]
filters: [{field: day, op: between, value: [2023-02-01, 2023-06-30]}]
measures:
  - {name: s, agg: sum, field: amount}
  - {name: prev, of: s, compare: {offset: 1 period, show: value}}
  - {name: pct, of: s, compare: {offset: 1 period, show: pct_change}}
"""
    expected = [
        ("EU", D(2023, 2, 1), 8.0, 5.0, 0.6),  # January is outside the range, read anyway
        ("EU", D(2023, 4, 1), 10.0, 0.0, None),  # March: empty, a zero base
        ("EU", D(2023, 5, 1), 0.0, 10.0, -1.0),
        ("EU", D(2023, 6, 1), 9.0, 0.0, None),  # zero base
        ("US", D(2023, 2, 1), 3.0, 0.0, None),  # US January: empty
    ]
    check(spec, frame, expected)


def test_comparison_reads_the_earlier_period_before_a_relative_date_filter(
    constructor: Any,
) -> None:
    frame = constructor(COMPARE, COMPARE_SCHEMA)
    spec = """
name: t
dimensions: [{field: day, grain: month, name: month}]
filters: [{field: day, op: last, unit: month, n: 2}]
measures:
  - {name: s, agg: sum, field: amount}
  - {name: prev, of: s, compare: {offset: 1 period, show: value}}
  - {name: yoy, of: s, compare: {offset: 1 year, show: value}}
"""
    # As of 2024-03-15: January and February 2024. Jan: EU 6; Feb: EU 12 + US 4 = 16.
    # prev: Dec 2023 has no row inside the data (Jan 2023 .. Mar 2024): 0; Jan 6.
    # A year back: Jan 2023 5; Feb 2023 8 + 3 = 11.
    expected = [(D(2024, 1, 1), 6.0, 0.0, 5.0), (D(2024, 2, 1), 16.0, 6.0, 11.0)]
    check(spec, frame, expected, as_of=D(2024, 3, 15))


def test_comparison_and_running_total_match_null_dimension_values(constructor: Any) -> None:
    frame = constructor(
        {
            "region": [None, None, "EU", None],
            "day": [D(2024, 1, 5), D(2024, 2, 5), D(2024, 2, 6), D(2024, 2, 7)],
            "amount": [1.0, 2.0, 5.0, 4.0],
        },
        {"region": pa.string(), "day": pa.date32(), "amount": pa.float64()},
    )
    spec = """
name: t
dimensions: [region, {field: day, grain: month, name: month}]
measures:
  - {name: s, agg: sum, field: amount}
  - {name: prev, of: s, compare: {show: value}}
  - {name: cum, of: s, running: {}}
"""
    # the null region is one series: Jan 1, Feb 2 + 4 = 6 (careless join: prev null)
    expected = [
        # EU has no January, inside the data (Jan .. Feb 2024): an empty month, 0
        ("EU", D(2024, 2, 1), 5.0, 0.0, 5.0),
        (None, D(2024, 1, 1), 1.0, None, 1.0),
        (None, D(2024, 2, 1), 6.0, 1.0, 7.0),
    ]
    check(spec, frame, expected)


def test_comparison_on_a_daily_axis(constructor: Any) -> None:
    frame = constructor(
        {"day": [D(2024, 1, 1), D(2024, 1, 2), D(2024, 1, 8)], "amount": [1.0, 2.0, 4.0]},
        {"day": pa.date32(), "amount": pa.float64()},
    )
    spec = """
name: t
dimensions: [{field: day, grain: day, name: day}]
measures:
  - {name: s, agg: sum, field: amount}
  - {name: prev, of: s, compare: {offset: 1 period, show: value}}
  - {name: week_ago, of: s, compare: {offset: 7 days, show: value}}
"""
    expected = [
        (D(2024, 1, 1), 1.0, None, None),
        (D(2024, 1, 2), 2.0, 1.0, None),  # the day before: Jan 1
        # Jan 7 has no row but lies inside the data: 0 (careless lag: 2); a week ago: Jan 1
        (D(2024, 1, 8), 4.0, 0.0, 1.0),
    ]
    check(spec, frame, expected)


def test_month_comparison_on_a_daily_axis_near_month_ends(constructor: Any) -> None:
    frame = constructor(
        {
            "day": [D(2024, 1, 29), D(2024, 1, 31), D(2024, 2, 29), D(2024, 3, 31)],
            "amount": [1.0, 4.0, 8.0, 16.0],
        },
        {"day": pa.date32(), "amount": pa.float64()},
    )
    spec = """
name: t
dimensions: [{field: day, grain: day, name: day}]
measures:
  - {name: s, agg: sum, field: amount}
  - {name: month_ago, of: s, compare: {offset: 1 month, show: value}}
"""
    expected = [
        (D(2024, 1, 29), 1.0, None),
        (D(2024, 1, 31), 4.0, None),
        (D(2024, 2, 29), 8.0, 1.0),  # Feb 29 - 1 month = Jan 29 (careless: two Feb 29 rows)
        (D(2024, 3, 31), 16.0, 8.0),  # Mar 31 - 1 month = Feb 29 (careless: null)
    ]
    check(spec, frame, expected)


def test_comparison_on_a_yearly_axis(constructor: Any) -> None:
    frame = constructor(COMPARE, COMPARE_SCHEMA)
    spec = """
name: t
dimensions: [{field: day, grain: year, name: year}]
measures:
  - {name: s, agg: sum, field: amount}
  - {name: pct, of: s, compare: {}}
"""
    # 2023: 5 + 8 + 10 + 0 + 9 + 3 = 35; 2024: 6 + 12 + 4 + 6 = 28; (28 - 35) / 35 = -0.2
    check(spec, frame, [(D(2023, 1, 1), 35.0, None), (D(2024, 1, 1), 28.0, -0.2)])


def test_comparison_on_a_quarterly_axis(constructor: Any) -> None:
    frame = constructor(COMPARE, COMPARE_SCHEMA)
    spec = """
name: t
dimensions: [{field: day, grain: quarter, name: quarter}]
measures:
  - {name: s, agg: sum, field: amount}
  - {name: qoq, of: s, compare: {offset: 1 period}}
  - {name: yoy, of: s, compare: {offset: 1 year}}
"""
    # 2023Q1: 5 + 8 + 3 = 16; 2023Q2: 10 + 0 + 9 = 19; no Q3, Q4; 2024Q1: 6 + 12 + 4 + 6 = 28
    expected = [
        (D(2023, 1, 1), 16.0, None, None),
        (D(2023, 4, 1), 19.0, 0.1875, None),  # (19 - 16) / 16
        # the quarter before is 2023Q4, missing (careless row lag: (28 - 19) / 19);
        # a year before is 2023Q1: (28 - 16) / 16
        (D(2024, 1, 1), 28.0, None, 0.75),
    ]
    check(spec, frame, expected)


def test_window_measures_and_formulas_over_them_are_null_on_the_total_row(
    constructor: Any,
) -> None:
    frame = constructor(COMPARE, COMPARE_SCHEMA)
    spec = """
name: t
dimensions: [{field: day, grain: year, name: year}]
totals: true
measures:
  - {name: s, agg: sum, field: amount}
  - {name: cum, of: s, running: {}}
  - {name: prev, of: s, compare: {show: value}}
  - {name: gap, formula: "s - prev"}
  - {name: share, of: s, share_of: {}}
  - {name: position, of: s, rank: {}}
  - {name: half, formula: "s / 2"}
"""
    # 2023 35, 2024 28, all 63
    expected = [
        (D(2023, 1, 1), 35.0, 35.0, None, None, 35 / 63, 1, 17.5, "detail"),
        (D(2024, 1, 1), 28.0, 63.0, 35.0, -7.0, 28 / 63, 2, 14.0, "detail"),  # 28 - 35
        # a formula over aggregates only is recomputed (63 / 2); over a window it is null
        (None, 63.0, None, None, None, None, None, 31.5, "total"),
    ]
    check(spec, frame, expected)


# =============================================================================================
# shares
# =============================================================================================
#
#  id | region | channel | customer | amount | status
#  ---+--------+---------+----------+--------+---------
#   1 | EU     | web     | c1       |   10   | paid
#   2 | EU     | web     | c2       |   20   | paid
#   3 | EU     | shop    | c1       |   30   | paid
#   4 | EU     | shop    | c3       |   40   | refunded
#   5 | US     | web     | c4       |   50   | paid
#   6 | US     | web     | c1       |   60   | paid
#   7 | US     | phone   | c4       |   70   | refunded
#   8 | US     | phone   | c5       |   20   | paid

SALES = {
    "region": ["EU"] * 4 + ["US"] * 4,
    "channel": ["web", "web", "shop", "shop", "web", "web", "phone", "phone"],
    "customer": ["c1", "c2", "c1", "c3", "c4", "c1", "c4", "c5"],
    "amount": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 20.0],
    "status": ["paid", "paid", "paid", "refunded", "paid", "paid", "refunded", "paid"],
}
SALES_SCHEMA = {
    "region": pa.string(),
    "channel": pa.string(),
    "customer": pa.string(),
    "amount": pa.float64(),
    "status": pa.string(),
}


@pytest.fixture
def sales(constructor: Any) -> Any:
    return constructor(SALES, SALES_SCHEMA)


def test_share_within_a_parent_and_of_the_grand_total(sales: Any) -> None:
    spec = """
name: t
dimensions: [region, channel]
measures:
  - {name: s, agg: sum, field: amount}
  - {name: of_region, of: s, share_of: {within: [region]}}
  - {name: of_all, of: s, share_of: {}}
"""
    python = Report(
        name="t",
        dimensions=[Dimension(field="region"), Dimension(field="channel")],
        measures=[
            FieldMeasure(name="s", agg="sum", field="amount"),
            ShareMeasure(name="of_region", of="s", share_of=ShareOf(within=["region"])),
            ShareMeasure(name="of_all", of="s", share_of=ShareOf()),
        ],
    )
    # EU = 10 + 20 + 30 + 40 = 100, US = 50 + 60 + 70 + 20 = 200, all = 300
    expected = [
        ("EU", "shop", 70.0, 0.7, 70 / 300),  # 30 + 40
        ("EU", "web", 30.0, 0.3, 0.1),  # 10 + 20
        ("US", "phone", 90.0, 0.45, 0.3),  # 70 + 20
        ("US", "web", 110.0, 0.55, 110 / 300),  # 50 + 60
    ]
    check(spec, sales, expected, python=python)


def test_share_of_a_distinct_count_is_recomputed_from_base_rows(sales: Any) -> None:
    spec = """
name: t
dimensions: [channel]
measures:
  - {name: customers, agg: count_distinct, field: customer}
  - {name: share, of: customers, share_of: {within: []}}
"""
    # web {c1, c2, c4} = 3, shop {c1, c3} = 2, phone {c4, c5} = 2; all customers {c1..c5} = 5
    # (careless, the sum of the groups: 7, giving 3/7, 2/7, 2/7 that add up to 1)
    expected = [("phone", 2, 0.4), ("shop", 2, 0.4), ("web", 3, 0.6)]
    result = check(spec, sales, expected)
    shares = [row[2] for row in frame_to_rows(result, as_tuples=True)]
    # c1 and c4 buy through two channels each: the shares add up to 7 / 5, not 1
    assert math.isclose(sum(shares), 1.4, rel_tol=1e-9)
    assert sum(shares) > 1.0 + 1e-9

    spec = """
name: t
dimensions: [region, channel]
measures:
  - {name: customers, agg: count_distinct, field: customer}
  - {name: share, of: customers, share_of: {within: [region]}}
"""
    # EU {c1, c2, c3} = 3: shop {c1, c3} 2/3, web {c1, c2} 2/3 (careless: 2/4)
    # US {c1, c4, c5} = 3: phone {c4, c5} 2/3, web {c4, c1} 2/3
    expected = [
        ("EU", "shop", 2, 2 / 3),
        ("EU", "web", 2, 2 / 3),
        ("US", "phone", 2, 2 / 3),
        ("US", "web", 2, 2 / 3),
    ]
    check(spec, sales, expected)


def test_share_before_a_named_filter(sales: Any) -> None:
    spec = """
name: t
dimensions: [region]
filters:
  - {name: paid_only, field: status, op: eq, value: paid}
  - {field: channel, op: ne, value: phone}
measures:
  - {name: s, agg: sum, field: amount}
  - {name: of_all, of: s, share_of: {within: [], before_filter: paid_only}}
  - {name: of_paid, of: s, share_of: {within: []}}
  - {name: of_region_all, of: s, share_of: {within: [region], before_filter: paid_only}}
"""
    python = Report(
        name="t",
        dimensions=[Dimension(field="region")],
        filters=[
            CompareFilter(name="paid_only", field="status", op="eq", value="paid"),
            CompareFilter(field="channel", op="ne", value="phone"),
        ],
        measures=[
            FieldMeasure(name="s", agg="sum", field="amount"),
            ShareMeasure(
                name="of_all", of="s", share_of=ShareOf(within=[], before_filter="paid_only")
            ),
            ShareMeasure(name="of_paid", of="s", share_of=ShareOf(within=[])),
            ShareMeasure(
                name="of_region_all",
                of="s",
                share_of=ShareOf(within=["region"], before_filter="paid_only"),
            ),
        ],
    )
    # Kept (paid, not phone): rows 1, 2, 3, 5, 6 -> EU 10 + 20 + 30 = 60, US 50 + 60 = 110,
    # paid total 170. Without paid_only but still without phone: rows 1-6 -> all 210,
    # EU 100, US 110 (the unnamed channel filter still applies: careless all-rows total 300).
    expected = [
        ("EU", 60.0, 60 / 210, 60 / 170, 0.6),
        ("US", 110.0, 110 / 210, 110 / 170, 1.0),
    ]
    check(spec, sales, expected, python=python)


def test_share_within_the_time_dimension(constructor: Any) -> None:
    frame = constructor(RUNNING, RUNNING_SCHEMA)
    spec = """
name: t
dimensions: [region, {field: day, grain: month, name: month}]
measures:
  - {name: s, agg: sum, field: amount}
  - {name: of_month, of: s, share_of: {within: [month]}}
"""
    # month totals: 2023-11 15 (EU only), 2023-12 20 + 100, 2024-01 7 + 75, 2024-02 1 (US),
    # 2024-03 3 (EU), 2024-04 4 (EU)
    expected = [
        ("EU", D(2023, 11, 1), 15, 1.0),
        ("EU", D(2023, 12, 1), 20, 20 / 120),
        ("EU", D(2024, 1, 1), 7, 7 / 82),
        ("EU", D(2024, 3, 1), 3, 1.0),
        ("EU", D(2024, 4, 1), 4, 1.0),
        ("US", D(2023, 12, 1), 100, 100 / 120),
        ("US", D(2024, 1, 1), 75, 75 / 82),
        ("US", D(2024, 2, 1), 1, 1.0),
    ]
    check(spec, frame, expected)


def test_having_on_window_measures_does_not_recompute_them(sales: Any) -> None:
    spec = """
name: t
dimensions: [channel]
measures:
  - {name: s, agg: sum, field: amount}
  - {name: share, of: s, share_of: {}}
  - {name: position, of: s, rank: {}}
having: [{field: share, op: gt, value: 0.25}]
"""
    # phone 70 + 20 = 90 (0.3), shop 30 + 40 = 70 (0.233), web 10 + 20 + 50 + 60 = 140
    # (0.467) of 300; shop is dropped but the others keep their share and rank
    # (careless, recomputed after having: 90 / 230, 140 / 230)
    expected = [("phone", 90.0, 0.3, 2), ("web", 140.0, 140 / 300, 1)]
    check(spec, sales, expected)


# =============================================================================================
# ranks
# =============================================================================================
#
#  team | rep | amount          rep totals
#  -----+-----+-------          A: ann 100 (2 rows), bob 50, cy 100, dee 20
#  A    | ann |  60             B: eve 10, fay 30, gus 30
#  A    | ann |  40
#  A    | bob |  50
#  A    | cy  | 100
#  A    | dee |  20
#  B    | eve |  10
#  B    | fay |  30
#  B    | gus |  30

REPS = {
    "team": ["A"] * 5 + ["B"] * 3,
    "rep": ["ann", "ann", "bob", "cy", "dee", "eve", "fay", "gus"],
    "amount": [60, 40, 50, 100, 20, 10, 30, 30],
}
REPS_SCHEMA = {"team": pa.string(), "rep": pa.string(), "amount": pa.int64()}


def test_rank_with_ties(constructor: Any) -> None:
    frame = constructor(REPS, REPS_SCHEMA)
    spec = """
name: t
dimensions: [team, rep]
measures:
  - {name: s, agg: sum, field: amount}
  - {name: in_team, of: s, rank: {within: [team], desc: true}}
  - {name: overall, of: s, rank: {}}
  - {name: smallest, of: s, rank: {within: [team], desc: false}}
"""
    python = Report(
        name="t",
        dimensions=[Dimension(field="team"), Dimension(field="rep")],
        measures=[
            FieldMeasure(name="s", agg="sum", field="amount"),
            RankMeasure(name="in_team", of="s", rank=Rank(within=["team"], desc=True)),
            RankMeasure(name="overall", of="s", rank=Rank()),
            RankMeasure(name="smallest", of="s", rank=Rank(within=["team"], desc=False)),
        ],
    )
    # in team A: 100, 100 -> 1, 1; 50 -> 3; 20 -> 4. B: 30, 30 -> 1, 1; 10 -> 3.
    # overall: 100 100 | 50 | 30 30 | 20 | 10 -> 1 1 3 4 4 6 7 (careless dense: 1 1 2 3 3 4 5)
    # smallest first in A: 20 -> 1, 50 -> 2, 100 100 -> 3 3; B: 10 -> 1, 30 30 -> 2 2
    expected = [
        ("A", "ann", 100, 1, 1, 3),
        ("A", "bob", 50, 3, 3, 2),
        ("A", "cy", 100, 1, 1, 3),
        ("A", "dee", 20, 4, 6, 1),
        ("B", "eve", 10, 3, 7, 1),
        ("B", "fay", 30, 1, 4, 2),
        ("B", "gus", 30, 1, 4, 2),
    ]
    check(spec, frame, expected, python=python)


# =============================================================================================
# totals and subtotals
# =============================================================================================
#
#  region | amount | stage
#  -------+--------+------
#  EU     |    1   | won
#  EU     |    2   | lost
#  EU     |    3   | won
#  US     |   10   | won
#  US     |   20   | lost
#  US     |   30   | lost
#  US     |   40   | lost

TOTALS = {
    "region": ["EU"] * 3 + ["US"] * 4,
    "amount": [1.0, 2.0, 3.0, 10.0, 20.0, 30.0, 40.0],
    "stage": ["won", "lost", "won", "won", "lost", "lost", "lost"],
}
TOTALS_SCHEMA = {"region": pa.string(), "amount": pa.float64(), "stage": pa.string()}


def test_totals_recompute_median_and_ratio_from_base_rows(constructor: Any) -> None:
    frame = constructor(TOTALS, TOTALS_SCHEMA)
    spec = """
name: t
dimensions: [region]
totals: true
measures:
  - {name: n, agg: count}
  - {name: med, agg: median, field: amount}
  - {name: won, agg: count, filter: {field: stage, op: eq, value: won}}
  - {name: lost, agg: count, filter: {field: stage, op: eq, value: lost}}
  - {name: win_rate, formula: "won / (won + lost)"}
  - {name: total, agg: sum, field: amount}
  - {name: avg_amount, formula: "total / n"}
  - {name: share, of: total, share_of: {}}
  - {name: position, of: total, rank: {}}
"""
    python = Report(
        name="t",
        dimensions=[Dimension(field="region")],
        totals=True,
        measures=[
            CountMeasure(name="n", agg="count"),
            FieldMeasure(name="med", agg="median", field="amount"),
            CountMeasure(
                name="won", agg="count", filter=[CompareFilter(field="stage", op="eq", value="won")]
            ),
            CountMeasure(
                name="lost",
                agg="count",
                filter=[CompareFilter(field="stage", op="eq", value="lost")],
            ),
            FormulaMeasure(name="win_rate", formula="won / (won + lost)"),
            FieldMeasure(name="total", agg="sum", field="amount"),
            FormulaMeasure(name="avg_amount", formula="total / n"),
            ShareMeasure(name="share", of="total", share_of=ShareOf()),
            RankMeasure(name="position", of="total", rank=Rank()),
        ],
    )
    expected = [
        # region, n, med, won, lost, win_rate, total, avg_amount, share, position, row_type
        ("EU", 3, 2.0, 2, 1, 2 / 3, 6.0, 2.0, 6 / 106, 2, "detail"),
        # median(10, 20, 30, 40) = (20 + 30) / 2
        ("US", 4, 25.0, 1, 3, 0.25, 100.0, 25.0, 100 / 106, 1, "detail"),
        # median of all 7 rows 1 2 3 10 20 30 40 = 10 (careless median of medians: 13.5);
        # win rate 3 / 7 (careless mean of rates: (2/3 + 1/4) / 2 = 0.458); avg 106 / 7
        # (careless mean of avgs: 13.5); window measures are null on the total row
        (None, 7, 10.0, 3, 4, 3 / 7, 106.0, 106 / 7, None, None, "total"),
    ]
    columns = ["region", "n", "med", "won", "lost", "win_rate", "total", "avg_amount"]
    columns += ["share", "position", "row_type"]
    check(spec, frame, expected, columns=columns, python=python)


SUBTOTALS_SPEC = """
name: t
dimensions: [region, channel]
subtotals: [region]
totals: true
measures:
  - {name: n, agg: count}
  - {name: s, agg: sum, field: amount}
  - {name: customers, agg: count_distinct, field: customer}
  - {name: avg_order, formula: "s / n"}
"""


def test_subtotals_follow_their_group_and_the_total_is_last(sales: Any) -> None:
    python = Report(
        name="t",
        dimensions=[Dimension(field="region"), Dimension(field="channel")],
        subtotals=["region"],
        totals=True,
        measures=[
            CountMeasure(name="n", agg="count"),
            FieldMeasure(name="s", agg="sum", field="amount"),
            FieldMeasure(name="customers", agg="count_distinct", field="customer"),
            FormulaMeasure(name="avg_order", formula="s / n"),
        ],
    )
    expected = [
        ("EU", "shop", 2, 70.0, 2, 35.0, "detail", 2),  # c1, c3
        ("EU", "web", 2, 30.0, 2, 15.0, "detail", 2),  # c1, c2
        # EU {c1, c2, c3} = 3 (careless: 2 + 2 = 4); 100 / 4
        ("EU", None, 4, 100.0, 3, 25.0, "subtotal", 1),
        ("US", "phone", 2, 90.0, 2, 45.0, "detail", 2),  # c4, c5
        ("US", "web", 2, 110.0, 2, 55.0, "detail", 2),  # c4, c1
        ("US", None, 4, 200.0, 3, 50.0, "subtotal", 1),  # {c1, c4, c5}; 200 / 4
        (None, None, 8, 300.0, 5, 37.5, "total", 0),  # c1..c5; 300 / 8
    ]
    check(SUBTOTALS_SPEC, sales, expected, python=python)
    base = expected

    # Sorted by region descending: US's group (and its subtotal) first, the total still last.
    spec = SUBTOTALS_SPEC + "sort: [{field: region, desc: true}]\n"
    check(spec, sales, [base[i] for i in (3, 4, 5, 0, 1, 2, 6)])

    # Subtotals without a grand total.
    spec = SUBTOTALS_SPEC.replace("totals: true\n", "")
    check(spec, sales, base[:6])


def test_two_subtotal_levels(sales: Any) -> None:
    spec = """
name: t
dimensions: [region, channel, status]
subtotals: [region, channel]
totals: true
measures:
  - {name: n, agg: count}
  - {name: s, agg: sum, field: amount}
"""
    expected = [
        ("EU", "shop", "paid", 1, 30.0, "detail", 3),  # row 3
        ("EU", "shop", "refunded", 1, 40.0, "detail", 3),  # row 4
        ("EU", "shop", None, 2, 70.0, "subtotal", 2),
        ("EU", "web", "paid", 2, 30.0, "detail", 3),  # rows 1, 2
        ("EU", "web", None, 2, 30.0, "subtotal", 2),
        ("EU", None, None, 4, 100.0, "subtotal", 1),
        ("US", "phone", "paid", 1, 20.0, "detail", 3),  # row 8
        ("US", "phone", "refunded", 1, 70.0, "detail", 3),  # row 7
        ("US", "phone", None, 2, 90.0, "subtotal", 2),
        ("US", "web", "paid", 2, 110.0, "detail", 3),  # rows 5, 6
        ("US", "web", None, 2, 110.0, "subtotal", 2),
        ("US", None, None, 4, 200.0, "subtotal", 1),
        (None, None, None, 8, 300.0, "total", 0),
    ]
    check(spec, sales, expected)


def test_subtotal_of_a_null_group(constructor: Any) -> None:
    frame = constructor(
        {
            "region": ["EU", "EU", None, None],
            "channel": ["web", "shop", "web", "web"],
            "amount": [1.0, 2.0, 4.0, 8.0],
        },
        {"region": pa.string(), "channel": pa.string(), "amount": pa.float64()},
    )
    spec = """
name: t
dimensions: [region, channel]
subtotals: [region]
totals: true
measures: [{name: s, agg: sum, field: amount}]
"""
    # the null region is its own group, sorted last, with its own subtotal before the total
    expected = [
        ("EU", "shop", 2.0, "detail", 2),
        ("EU", "web", 1.0, "detail", 2),
        ("EU", None, 3.0, "subtotal", 1),
        (None, "web", 12.0, "detail", 2),  # 4 + 8
        (None, None, 12.0, "subtotal", 1),  # row_level 1: the null is a real region
        (None, None, 15.0, "total", 0),
    ]
    check(spec, frame, expected)


def test_limit_applies_to_detail_rows_and_the_total_comes_after(sales: Any) -> None:
    spec = """
name: t
dimensions: [region, channel]
totals: true
sort: [{field: s, desc: true}]
limit: 2
measures:
  - {name: n, agg: count}
  - {name: s, agg: sum, field: amount}
"""
    python = Report(
        name="t",
        dimensions=[Dimension(field="region"), Dimension(field="channel")],
        totals=True,
        sort=[SortKey(field="s", desc=True)],
        limit=2,
        measures=[
            CountMeasure(name="n", agg="count"),
            FieldMeasure(name="s", agg="sum", field="amount"),
        ],
    )
    # details by s: US web 110, US phone 90, EU shop 70, EU web 30 -> the first two; the total
    # covers every row (careless: the total of the shown rows, 4 and 200)
    expected = [
        ("US", "web", 2, 110.0, "detail"),
        ("US", "phone", 2, 90.0, "detail"),
        (None, None, 8, 300.0, "total"),
    ]
    check(spec, sales, expected, python=python)


# =============================================================================================
# top N and "Other"
# =============================================================================================
#
#  channel | customer | amount          per channel: rows, customers, amounts (sum, median)
#  --------+----------+-------          A: 4 {c1, c2, c3}   1 2 3 4   (10, 2.5)
#  A       | c1       |   1             B: 3 {c1, c4}       10 20 30  (60, 20)
#  A       | c2       |   2             C: 2 {c5, c6}       5 7       (12, 6)
#  A       | c3       |   3             D: 2 {c5, c7}       100 300   (400, 200)
#  A       | c1       |   4             E: 2 {c6, c7}       2 9       (11, 5.5)
#  B       | c1       |  10
#  B       | c4       |  20
#  B       | c4       |  30
#  C       | c5       |   5
#  C       | c6       |   7
#  D       | c5       | 100
#  D       | c7       | 300
#  E       | c6       |   2
#  E       | c7       |   9

TOP = {
    "channel": ["A"] * 4 + ["B"] * 3 + ["C"] * 2 + ["D"] * 2 + ["E"] * 2,
    "customer": ["c1", "c2", "c3", "c1", "c1", "c4", "c4", "c5", "c6", "c5", "c7", "c6", "c7"],
    "amount": [1.0, 2.0, 3.0, 4.0, 10.0, 20.0, 30.0, 5.0, 7.0, 100.0, 300.0, 2.0, 9.0],
}
TOP_SCHEMA = {"channel": pa.string(), "customer": pa.string(), "amount": pa.float64()}

TOP_MEASURES = """
measures:
  - {name: n, agg: count}
  - {name: customers, agg: count_distinct, field: customer}
  - {name: med, agg: median, field: amount}
  - {name: total, agg: sum, field: amount}
"""


def test_top_n_folds_the_rest_into_other_recomputed_from_base_rows(constructor: Any) -> None:
    frame = constructor(TOP, TOP_SCHEMA)
    spec = (
        """
name: t
dimensions: [{field: channel, top: {n: 2, by: n, other_label: Other}}]
sort: [{field: n, desc: true}]
totals: true
"""
        + TOP_MEASURES
    )
    python = Report(
        name="t",
        dimensions=[Dimension(field="channel", top=TopN(n=2, by="n", other_label="Other"))],
        sort=[SortKey(field="n", desc=True)],
        totals=True,
        measures=[
            CountMeasure(name="n", agg="count"),
            FieldMeasure(name="customers", agg="count_distinct", field="customer"),
            FieldMeasure(name="med", agg="median", field="amount"),
            FieldMeasure(name="total", agg="sum", field="amount"),
        ],
    )
    expected = [
        ("A", 4, 3, 2.5, 10.0, "detail"),
        ("B", 3, 2, 20.0, 60.0, "detail"),
        # Other = C + D + E: 6 rows; customers {c5, c6, c7} = 3 (careless sum: 2 + 2 + 2 = 6);
        # median of 5 7 100 300 2 9 -> sorted 2 5 7 9 100 300 -> (7 + 9) / 2 = 8 (careless
        # median of the medians 6, 200, 5.5: 6); 5 + 7 + 100 + 300 + 2 + 9 = 423.
        # It has the most rows but sorts after the members.
        ("Other", 6, 3, 8.0, 423.0, "detail"),
        # all 13 rows; c1..c7; sorted 1 2 2 3 4 5 7 9 10 20 30 100 300 -> 7th = 7; 493
        (None, 13, 7, 7.0, 493.0, "total"),
    ]
    check(spec, frame, expected, python=python)


def test_top_n_ranks_over_filtered_rows_and_breaks_ties_by_member(constructor: Any) -> None:
    frame = constructor(TOP, TOP_SCHEMA)
    spec = (
        """
name: t
dimensions: [{field: channel, top: {n: 2, by: n, other_label: Rest}}]
filters: [{field: customer, op: ne, value: c4}]
"""
        + TOP_MEASURES
    )
    # Without c4, B keeps one row (c1, 10). Counts: A 4, C 2, D 2, E 2, B 1: A, then C wins
    # the tie with D and E by its text. Rest = D + E + B: 2 + 2 + 1 = 5 rows; customers
    # {c5, c7} u {c6, c7} u {c1} = 4 (careless 5); median of 100 300 2 9 10 -> sorted
    # 2 9 10 100 300 -> 10; 100 + 300 + 2 + 9 + 10 = 421.
    expected = [
        ("A", 4, 3, 2.5, 10.0),
        ("C", 2, 2, 6.0, 12.0),
        ("Rest", 5, 4, 10.0, 421.0),
    ]
    check(spec, frame, expected)


def test_top_bottom_keeps_the_smallest(constructor: Any) -> None:
    frame = constructor(TOP, TOP_SCHEMA)
    spec = (
        """
name: t
dimensions: [{field: channel, top: {n: 2, by: total, bottom: true}}]
"""
        + TOP_MEASURES
    )
    # totals A 10, B 60, C 12, D 400, E 11 -> smallest two: A, E. Other = B + C + D:
    # 3 + 2 + 2 = 7 rows; {c1, c4} u {c5, c6} u {c5, c7} = 5 (careless 6); median of
    # 10 20 30 5 7 100 300 -> sorted 5 7 10 20 30 100 300 -> 20; 60 + 12 + 400 = 472.
    expected = [
        ("A", 4, 3, 2.5, 10.0),
        ("E", 2, 2, 5.5, 11.0),
        ("Other", 7, 5, 20.0, 472.0),
    ]
    check(spec, frame, expected)


def test_top_n_ranks_over_all_rows_next_to_another_dimension(constructor: Any) -> None:
    frame = constructor(TOP, TOP_SCHEMA)
    spec = """
name: t
dimensions: [{field: channel, top: {n: 1, by: total}}, customer]
measures:
  - {name: n, agg: count}
  - {name: total, agg: sum, field: amount}
"""
    # By total over all rows: D 400 is kept (not the largest per customer). Other, by customer:
    # c1: A 1 + A 4 + B 10 = 15 (3 rows); c2: 2; c3: 3; c4: B 20 + 30 = 50; c5: C 5;
    # c6: C 7 + E 2 = 9; c7: E 9 (D's c5 and c7 rows stay with D)
    expected = [
        ("D", "c5", 1, 100.0),
        ("D", "c7", 1, 300.0),
        ("Other", "c1", 3, 15.0),
        ("Other", "c2", 1, 2.0),
        ("Other", "c3", 1, 3.0),
        ("Other", "c4", 2, 50.0),
        ("Other", "c5", 1, 5.0),
        ("Other", "c6", 2, 9.0),
        ("Other", "c7", 1, 9.0),
    ]
    check(spec, frame, expected)


def test_share_and_rank_of_top_n_members(constructor: Any) -> None:
    frame = constructor(TOP, TOP_SCHEMA)
    spec = """
name: t
dimensions: [{field: channel, top: {n: 2, by: n}}]
measures:
  - {name: n, agg: count}
  - {name: customers, agg: count_distinct, field: customer}
  - {name: share_n, of: n, share_of: {}}
  - {name: share_customers, of: customers, share_of: {}}
"""
    # A 4, B 3, Other 6 rows of 13; customers A 3, B 2, Other 3 of 7 (c1..c7)
    expected = [
        ("A", 4, 3, 4 / 13, 3 / 7),
        ("B", 3, 2, 3 / 13, 2 / 7),
        ("Other", 6, 3, 6 / 13, 3 / 7),
    ]
    check(spec, frame, expected)


def test_top_n_first_dimension_with_subtotals(sales: Any) -> None:
    spec = """
name: t
dimensions: [{field: channel, top: {n: 1, by: s}}, region]
subtotals: [channel]
totals: true
measures:
  - {name: s, agg: sum, field: amount}
  - {name: customers, agg: count_distinct, field: customer}
"""
    # channel totals: web 140, phone 90, shop 70 -> web kept; Other = phone + shop
    expected = [
        ("web", "EU", 30.0, 2, "detail", 2),  # rows 1, 2: c1, c2
        ("web", "US", 110.0, 2, "detail", 2),  # rows 5, 6: c4, c1
        ("web", None, 140.0, 3, "subtotal", 1),  # {c1, c2, c4}
        ("Other", "EU", 70.0, 2, "detail", 2),  # shop rows 3, 4: c1, c3
        ("Other", "US", 90.0, 2, "detail", 2),  # phone rows 7, 8: c4, c5
        ("Other", None, 160.0, 4, "subtotal", 1),  # {c1, c3, c4, c5}
        (None, None, 300.0, 5, "total", 0),
    ]
    check(spec, sales, expected)


@pytest.mark.parametrize("subtotals", [False, True])
def test_top_n_on_a_second_dimension_sorts_other_within_its_group(
    sales: Any, subtotals: bool
) -> None:
    spec = """
name: t
dimensions: [region, {field: channel, top: {n: 1, by: s}}]
measures:
  - {name: s, agg: sum, field: amount}
  - {name: customers, agg: count_distinct, field: customer}
"""
    # channel totals over all rows: web 140 is kept; Other = shop (EU) and phone (US)
    expected: list[tuple[Any, ...]] = [
        ("EU", "web", 30.0, 2),  # c1, c2
        ("EU", "Other", 70.0, 2),  # shop: c1, c3
        ("US", "web", 110.0, 2),  # c4, c1
        ("US", "Other", 90.0, 2),  # phone: c4, c5
    ]
    # careless: EU web, US web, EU Other, US Other
    if subtotals:
        spec += "subtotals: [region]\n"
        expected = [
            (*expected[0], "detail", 2),
            (*expected[1], "detail", 2),
            ("EU", None, 100.0, 3, "subtotal", 1),  # {c1, c2, c3}
            (*expected[2], "detail", 2),
            (*expected[3], "detail", 2),
            ("US", None, 200.0, 3, "subtotal", 1),  # {c1, c4, c5}
        ]
    check(spec, sales, expected)


# =============================================================================================
# having, sort, limit
# =============================================================================================


HAVING_MEASURES = """
measures:
  - {name: n, agg: count}
  - {name: won, agg: count, filter: {field: stage, op: eq, value: won}}
  - {name: lost, agg: count, filter: {field: stage, op: eq, value: lost}}
  - {name: win_rate, formula: "won / (won + lost)"}
"""

# From the DEALS table: owner, n, won, lost, win_rate
OWNERS = {
    "ann": ("ann", 4, 2, 1, 2 / 3),
    "bob": ("bob", 3, 0, 2, 0.0),
    "cat": ("cat", 3, 2, 0, 1.0),
    "dan": ("dan", 2, 0, 0, None),
}


@pytest.mark.parametrize(
    ("having", "kept"),
    [
        ("[{field: n, op: ge, value: 3}]", ["ann", "bob", "cat"]),
        # on a formula: dan's null rate is not > 0.5 (a comparison with null is false)
        ("[{field: win_rate, op: gt, value: 0.5}]", ["ann", "cat"]),
        # on a filtered measure
        ("[{field: won, op: ge, value: 1}]", ["ann", "cat"]),
        # both must hold: n >= 3 (ann, bob, cat) and rate < 0.9 (ann 0.67, bob 0)
        ("[{field: n, op: ge, value: 3}, {field: win_rate, op: lt, value: 0.9}]", ["ann", "bob"]),
    ],
)
def test_having(deals: Any, having: str, kept: list[str]) -> None:
    spec = "name: t\ndimensions: [owner]\n" + HAVING_MEASURES + f"having: {having}\n"
    check(spec, deals, [OWNERS[o] for o in kept])


def test_having_built_in_python(deals: Any) -> None:
    spec = (
        "name: t\ndimensions: [owner]\n"
        + HAVING_MEASURES
        + "having: [{field: win_rate, op: gt, value: 0.5}]\n"
    )
    python = Report(
        name="t",
        dimensions=[Dimension(field="owner")],
        measures=[
            CountMeasure(name="n", agg="count"),
            CountMeasure(
                name="won", agg="count", filter=[CompareFilter(field="stage", op="eq", value="won")]
            ),
            CountMeasure(
                name="lost",
                agg="count",
                filter=[CompareFilter(field="stage", op="eq", value="lost")],
            ),
            FormulaMeasure(name="win_rate", formula="won / (won + lost)"),
        ],
        having=[CompareFilter(field="win_rate", op="gt", value=0.5)],
    )
    check(spec, deals, [OWNERS["ann"], OWNERS["cat"]], python=python)


def test_sort_by_a_formula_puts_nulls_last_and_limit_cuts(deals: Any) -> None:
    spec = (
        "name: t\ndimensions: [owner]\n"
        + HAVING_MEASURES
        + "sort: [{field: win_rate, desc: true}]\n"
    )
    # 1.0, 0.67, 0.0, then dan's null last
    check(spec, deals, [OWNERS[o] for o in ("cat", "ann", "bob", "dan")])
    check(spec + "limit: 2\n", deals, [OWNERS["cat"], OWNERS["ann"]])


# =============================================================================================
# a window measure over a formula, and the native result
# =============================================================================================


def test_window_measures_keep_the_native_result_type(constructor: Any, sales: Any) -> None:
    spec = """
name: t
dimensions: [region]
measures:
  - {name: s, agg: sum, field: amount}
  - {name: share, of: s, share_of: {}}
  - {name: position, of: s, rank: {}}
"""
    result = Report.from_yaml(spec).run(sales)
    assert constructor.is_native_result(result.data)
    # EU 100, US 200 of 300
    assert_rows_equal(
        frame_to_rows(result.data, as_tuples=True),
        [("EU", 100.0, 1 / 3, 2), ("US", 200.0, 2 / 3, 1)],
    )
