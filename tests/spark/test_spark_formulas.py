"""Time arithmetic, date parsing and exact numbers on Spark: the same rules, the same numbers.

The cases are those of tests/test_time_arithmetic.py, tests/test_date_parsing.py and
tests/test_exact_numbers.py (worked out by hand there), run on Spark DataFrames.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest

from crmreports import Report
from crmreports.errors import DataError
from tests.helpers import arrow_table, assert_rows_equal, frame_to_rows
from tests.test_date_parsing import US_ORDERS, strptime
from tests.test_exact_numbers import GROWTH
from tests.test_time_arithmetic import (
    BERLIN_PAIRS,
    DIFFERENCES,
    ELAPSED_HOURS,
    expected_rows,
    pair_table,
)

pytestmark = pytest.mark.spark


def frame(
    spark: Any, data: dict[str, list[Any]], schema: dict[str, pa.DataType] | None = None
) -> Any:
    return spark.createDataFrame(arrow_table(data, schema).to_pandas())


@pytest.fixture
def berlin_session(spark: Any) -> Any:
    """Spark keeps the zone in the session: a Berlin report runs in a Berlin session (a new
    session of the same context; narwhals caches each session's zone)."""
    session = spark.newSession()
    session.conf.set("spark.sql.session.timeZone", "Europe/Berlin")
    return session


def test_hours_between_is_elapsed_time_across_dst_on_spark(berlin_session: Any) -> None:
    data, schema = pair_table(BERLIN_PAIRS, ZoneInfo("Europe/Berlin"), "UTC")
    result = Report.from_yaml(DIFFERENCES % "Europe/Berlin").run(
        frame(berlin_session, data, schema)
    )
    assert_rows_equal(result, expected_rows(ELAPSED_HOURS))


def test_calendar_days_and_moved_dates_on_spark(spark: Any) -> None:
    data = {
        "d": [dt.date(2024, 1, 31), dt.date(2023, 1, 31), dt.date(2024, 3, 1)],
        "e": [dt.date(2024, 2, 1), dt.date(2023, 3, 1), dt.date(2024, 2, 28)],
        "n": [1, -2, 0],  # no null: pandas would make the column float on its way to Spark
        "k": ["a", "b", "c"],
    }
    spec = """
name: moves
dimensions:
  - {field: k}
  - {name: next_month, expr: "add_months(d, 1)"}
  - {name: due, expr: "add_days(d, n)"}
measures: [{name: days, agg: sum, expr: "days_between(d, e)"}]
"""
    # a: Jan 31 -> Feb 1 = 1 day, + 1 month = Feb 29, + 1 day = Feb 1.
    # b: 2023-01-31 -> 2023-03-01 = 29 days, + 1 month = Feb 28, - 2 days = Jan 29.
    # c: Mar 1 -> Feb 28 2024 = -2 days, + 1 month = Apr 1, + 0 days = Mar 1.
    result = Report.from_yaml(spec).run(frame(spark, data))
    d = dt.date
    assert_rows_equal(
        result,
        [
            ("a", d(2024, 2, 29), d(2024, 2, 1), 1),
            ("b", d(2023, 2, 28), d(2023, 1, 29), 29),
            ("c", d(2024, 4, 1), d(2024, 3, 1), -2),
        ],
    )


def test_to_date_in_a_mapping_on_spark(spark: Any) -> None:
    spec = """
name: us
source: orders
mapping:
  orders:
    columns:
      order_date: {expr: "to_date(order_date_text, '%m/%d/%Y')"}
dimensions: [{name: day, expr: "order_date"}]
measures: [{name: revenue, agg: sum, field: amount}]
"""
    result = Report.from_yaml(spec).run({"orders": frame(spark, US_ORDERS)})
    totals: dict[Any, float] = {}
    for text, amount in zip(US_ORDERS["order_date_text"], US_ORDERS["amount"], strict=True):
        day = strptime(text, "%m/%d/%Y")
        totals[day] = totals.get(day, 0.0) + amount
    expected = sorted(totals.items(), key=lambda kv: (kv[0] is None, kv[0] or dt.date.min))
    assert_rows_equal(result, expected)


def test_exact_sums_and_integer_limits_on_spark(spark: Any) -> None:
    data = {
        "day": [dt.date(2024, 1, 3)] * 3 + [dt.date(2024, 2, 3)] * 2,
        "amount": [0.1, 0.2, -0.3, 5.0, 1.0],
    }
    rows = frame_to_rows(Report.from_yaml(GROWTH).run(frame(spark, data)))
    assert [r["rev"] for r in rows] == [0.0, 6.0]
    assert [r["avg"] for r in rows] == [0.0, 3.0]
    assert [r["g"] for r in rows] == [None, None]
    big = """
name: big
measures: [{name: total, agg: sum, field: n}, {name: sq, agg: max, expr: "n * n"}]
"""
    with pytest.raises(DataError, match="measure 'total'"):
        Report.from_yaml(big).run(frame(spark, {"n": [2**62] * 3}, {"n": pa.int64()}))
    # 2^32 squared is 2^64: null; 3 squared 9.
    small = frame(spark, {"n": [3, 2**32, -(2**31)]}, {"n": pa.int64()})
    result = Report.from_yaml(big).run(small)
    assert_rows_equal(result, [{"total": 3 + 2**32 - 2**31, "sq": 2**62}])


def test_round_on_spark(spark: Any) -> None:
    spec = """
name: r
dimensions: [{field: k}]
measures: [{name: r, agg: max, expr: "round(x, 2)"}]
"""
    data = {"k": ["a", "b", "c", "d"], "x": [1.005, 2.675, -1.005, 0.125]}
    result = Report.from_yaml(spec).run(frame(spark, data))
    assert_rows_equal(result, [("a", 1.01), ("b", 2.68), ("c", -1.01), ("d", 0.13)])


def test_to_date_formats_match_python_strptime_on_spark(spark: Any) -> None:
    formats = ["%m/%d/%Y %I:%M %p", "%d %b %Y", "%Y%m%d%H%M%S", "%m/%d/%y"]
    texts = ["01/05/2024 12:30 PM", "1/5/2024 7:05 am", "05 Jan 2024", "5 SEP 2024",
             "20240229235959", "20230229000000", "2/29/24", "13/01/24", "x", ""]  # fmt: skip
    dims = ", ".join(
        f"{{name: f{i}, expr: \"to_date(s, '{fmt}')\"}}" for i, fmt in enumerate(formats)
    )
    spec = f"name: f\ndimensions: [{{field: s}}, {dims}]\nmeasures: [{{name: n, agg: count}}]\n"
    result = Report.from_yaml(spec).run(frame(spark, {"s": texts}))
    expected = sorted(
        [(t, *(strptime(t, fmt) for fmt in formats), 1) for t in texts], key=lambda r: r[0]
    )
    assert_rows_equal(result, expected)
