"""Silent-wrong-answer traps of formulas and sums: one test each, on every input backend.

Each test states, in a comment, the number a careless engine gives. Expected values are worked
out by hand; none comes from the code under test.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest

from crmreports.errors import DataError
from tests.helpers import assert_rows_equal, frame_to_rows, run

BERLIN = ZoneInfo("Europe/Berlin")


def test_hours_across_a_dst_change_are_elapsed(constructor: Any) -> None:
    # 2024-03-30 12:00 -> 2024-03-31 12:00 Europe/Berlin: 23 hours passed (the clocks went
    # forward). Careless (difference of the wall-clock times the report buckets on): 24.
    aware = pa.timestamp("us", "Europe/Berlin")
    frame = constructor(
        {"a": [dt.datetime(2024, 3, 30, 12, tzinfo=BERLIN)],
         "b": [dt.datetime(2024, 3, 31, 12, tzinfo=BERLIN)]},
        {"a": aware, "b": aware},
    )  # fmt: skip
    spec = {
        "time": {"timezone": "Europe/Berlin"},
        "measures": [{"name": "h", "agg": "sum", "expr": "hours_between(a, b)"}],
    }
    assert_rows_equal(run(spec, frame), [{"h": 23.0}])


def test_days_overdue_are_calendar_days(constructor: Any) -> None:
    # Due 2024-01-31 23:59, paid 2024-02-01 00:01: one day late. Careless (elapsed days):
    # 0.0014, which a `> 0` or `floor` then reads as on time.
    frame = constructor(
        {"due": [dt.datetime(2024, 1, 31, 23, 59)], "paid": [dt.datetime(2024, 2, 1, 0, 1)]}
    )
    spec = {"measures": [{"name": "late", "agg": "sum", "expr": "days_between(due, paid)"}]}
    assert_rows_equal(run(spec, frame), [{"late": 1}])


def test_a_month_after_january_31_is_in_february(constructor: Any) -> None:
    # 2024-01-31 + 1 month = 2024-02-29. Careless (+ 30 or 31 days): 2024-03-01 or 03-02.
    frame = constructor({"d": [dt.date(2024, 1, 31)]})
    spec = {"dimensions": [{"name": "m", "expr": "add_months(d, 1)"}],
            "measures": [{"name": "n", "agg": "count"}]}  # fmt: skip
    assert_rows_equal(run(spec, frame), [{"m": dt.date(2024, 2, 29), "n": 1}])


def test_cents_that_net_to_zero_sum_to_zero(constructor: Any) -> None:
    # 0.1 + 0.2 - 0.3 in doubles: 5.55e-17; a growth rate against it: 1.08e17.
    frame = constructor({"day": [dt.date(2024, 1, 3)] * 3 + [dt.date(2024, 2, 3)],
                         "amount": [0.1, 0.2, -0.3, 6.0]})  # fmt: skip
    spec = {
        "dimensions": [{"field": "day", "grain": "month", "name": "month"}],
        "measures": [
            {"name": "rev", "agg": "sum", "field": "amount"},
            {"name": "g", "of": "rev", "compare": {}},
        ],
    }
    rows = frame_to_rows(run(spec, frame))
    assert [(r["rev"], r["g"]) for r in rows] == [(0.0, None), (6.0, None)]


def test_an_integer_sum_never_wraps(constructor: Any) -> None:
    # 3 x 2^62 = 1.38e19 does not fit in int64. Careless: -4611686018427387904 (polars wraps
    # around) or an engine's raw "INT128 out of range for INT64" (DuckDB).
    frame = constructor({"n": [2**62] * 3}, {"n": pa.int64()})
    spec = {"measures": [{"name": "total", "agg": "sum", "field": "n"}]}
    with pytest.raises(DataError, match="measure 'total': an integer sum reaches"):
        run(spec, frame)


def test_round_rounds_the_written_decimal(constructor: Any) -> None:
    # round(1.005, 2): careless (the binary double 1.00499999999999989): 1.0.
    frame = constructor({"x": [1.005]})
    spec = {"measures": [{"name": "r", "agg": "max", "expr": "round(x, 2)"}]}
    assert frame_to_rows(run(spec, frame)) == [{"r": 1.01}]
