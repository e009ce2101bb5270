"""to_date(text, format): text timestamps read by strptime directives, the same on every engine.

The reference is Python's own `datetime.strptime` (text it refuses is null here); the property
tests render random timestamps in each supported layout, add malformed text, and compare.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmreports import Report
from crmreports.resolve.types import DataType
from tests.helpers import assert_rows_equal
from tests.test_formula import ENGINES, run


def strptime(text: str | None, fmt: str) -> dt.datetime | dt.date | None:
    """The naive reference: Python's parser; a date-only format gives a date."""
    if text is None:
        return None
    try:
        value = dt.datetime.strptime(text, fmt)
    except ValueError:
        return None
    return value if any(d in fmt for d in ("%H", "%I")) else value.date()


US_ORDERS = {
    "order_date_text": ["01/31/2024", "2/29/2024", "12/1/2023", "02/30/2024", "31/01/2024",
                        "", None, "1/5/2024"],
    "stamp": ["01/31/2024 13:45", "2/29/2024 7:05", "12/1/2023 23:59", "02/30/2024 00:00",
              "1/31/2024 24:00", "1/31/2024", None, "1/5/2024 0:00"],
    "amount": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0],
}  # fmt: skip


def test_a_csv_with_us_dates_is_mapped_without_pandas(constructor: Any) -> None:
    spec = """
name: us
source: orders
mapping:
  orders:
    columns:
      order_date: {expr: "to_date(order_date_text, '%m/%d/%Y')"}
      ordered_at: {expr: "to_date(stamp, '%m/%d/%Y %H:%M')"}
dimensions:
  - {field: order_date, grain: month, name: month}
measures:
  - {name: revenue, agg: sum, field: amount}
  - {name: first, agg: min, field: ordered_at}
"""
    # Parsed: 01/31/2024 (10), 2/29/2024 (20), 12/1/2023 (30), 1/5/2024 (80); null: 02/30
    # (no such day, 40), 31/01 (month 31, 50), '' (60) and null (70): 40 + 50 + 60 + 70 = 220.
    # Stamps: 24:00 and a missing time are null.
    result = Report.from_yaml(spec).run({"orders": constructor(US_ORDERS)})
    assert_rows_equal(
        result,
        [
            {"month": dt.date(2023, 12, 1), "revenue": 30.0,
             "first": dt.datetime(2023, 12, 1, 23, 59)},
            {"month": dt.date(2024, 1, 1), "revenue": 90.0,
             "first": dt.datetime(2024, 1, 5, 0, 0)},
            {"month": dt.date(2024, 2, 1), "revenue": 20.0,
             "first": dt.datetime(2024, 2, 29, 7, 5)},
            {"month": None, "revenue": 220.0, "first": None},
        ],
    )  # fmt: skip
    # The reference agrees with every value used above.
    assert [strptime(s, "%m/%d/%Y") for s in US_ORDERS["order_date_text"]] == [
        dt.date(2024, 1, 31), dt.date(2024, 2, 29), dt.date(2023, 12, 1), None, None, None,
        None, dt.date(2024, 1, 5),
    ]  # fmt: skip


FORMATS = [
    "%m/%d/%Y", "%d.%m.%Y", "%Y-%m-%d", "%Y%m%d", "%m/%d/%y", "%d %b %Y", "%B %d, %Y",
    "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M %p", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M:%S",
    "%Y%m%d%H%M%S", "%b %d %Y %I%p", "%H:%M %d-%m-%Y", "%Y-%m-%d (%%)",
]  # fmt: skip


def _texts(value: dt.datetime, fmt: str, unpadded: bool) -> str:
    text = value.strftime(fmt)
    if unpadded and not any(
        a + b in fmt
        for a in ("%Y", "%m", "%d", "%H", "%M", "%S", "%y")
        for b in ("%m", "%d", "%H", "%M", "%S", "%y", "%I", "%Y")
    ):
        # Python also reads numbers without their leading zero (1/5/2024 7:05).
        text = " ".join(part.lstrip("0") or "0" for part in text.split(" "))
        text = "/".join(part.lstrip("0") or "0" for part in text.split("/"))
    return text


_stamps = st.datetimes(min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(2060, 12, 31))
_noise = st.sampled_from(["", " ", "x", "13/45/2024", "2024-02-30", "02/30/2024", "1/1/24 25:00",
                          "Feb 30 2024", "00/10/2024", "2024-1-1", "abc 12, 2024"])  # fmt: skip


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("fmt", FORMATS)
@settings(max_examples=8, deadline=None)
@given(
    stamps=st.lists(_stamps.map(lambda t: t.replace(microsecond=0)), min_size=1, max_size=6),
    noise=st.lists(_noise, max_size=3),
    unpadded=st.booleans(),
)
def test_to_date_matches_python_strptime(
    engine: str, fmt: str, stamps: list[dt.datetime], noise: list[str], unpadded: bool
) -> None:
    texts: list[str | None] = [_texts(s, fmt, unpadded) for s in stamps] + [*noise, None]
    texts += [t.upper() for t in texts[:2] if t] + [t.lower() for t in texts[:2] if t]
    expected = [strptime(t, fmt) for t in texts]
    dtype = DataType.DATETIME if any(d in fmt for d in ("%H", "%I")) else DataType.DATE
    values, got = run(engine, {"s": texts}, f"to_date(s, '{fmt}')", {"s": pa.string()})
    assert_rows_equal([(v,) for v in values], [(e,) for e in expected])
    assert got is dtype


def test_twelve_hour_clock_and_month_names(constructor: Any) -> None:
    data = {
        "s": ["Jan 5 2024 12:00 AM", "jan 5 2024 12:30 pm", "Sep 30 2024 1:05 PM",
              "Sept 30 2024 1:05 PM", "Feb 29 2023 1:00 AM"],
        "k": ["a", "b", "c", "d", "e"],
    }  # fmt: skip
    spec = """
name: clock
dimensions: [{field: k}, {name: at, expr: "to_date(s, '%b %d %Y %I:%M %p')"}]
measures: [{name: n, agg: count}]
"""
    # 12 AM is midnight, 12:30 PM half past noon; 'Sept' is no abbreviation Python knows;
    # 2023 has no Feb 29.
    result = Report.from_yaml(spec).run(constructor(data))
    assert_rows_equal(
        result,
        [
            ("a", dt.datetime(2024, 1, 5, 0, 0), 1),
            ("b", dt.datetime(2024, 1, 5, 12, 30), 1),
            ("c", dt.datetime(2024, 9, 30, 13, 5), 1),
            ("d", None, 1),
            ("e", None, 1),
        ],
    )
    assert strptime("Sept 30 2024 1:05 PM", "%b %d %Y %I:%M %p") is None
    assert strptime("jan 5 2024 12:30 pm", "%b %d %Y %I:%M %p") == dt.datetime(2024, 1, 5, 12, 30)
