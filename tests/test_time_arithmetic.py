"""Time arithmetic in formulas: elapsed hours and minutes, calendar days, moving dates by days
and months, on every backend.

The rules (docs/semantics.md, "Time arithmetic"): hours_between/minutes_between of two
timezone-aware instants is elapsed time (23 or 25 hours across a DST change), while buckets and
filters stay on wall-clock time in `time.timezone`; with a naive timestamp or a date on either
side it is the wall-clock difference. days_between counts calendar days between the local
dates. Expected values are worked out by hand in the comments.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest

from crmreports import Report
from crmreports.errors import SpecError
from tests.helpers import assert_rows_equal

BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")


def _local(zone: ZoneInfo, *parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=zone)  # type: ignore[misc]


# Each pair (a, b) of Europe/Berlin wall-clock times, with the instants' elapsed hours:
#   spring  03-30 12:00 CET (11:00Z) -> 03-31 12:00 CEST (10:00Z): 23 h, 1 calendar day
#   autumn  10-26 12:00 CEST (10:00Z) -> 10-27 12:00 CET (11:00Z): 25 h, 1 calendar day
#   gap     03-31 01:30 CET (00:30Z) -> 03-31 03:30 CEST (01:30Z):  1 h (wall: 2 h), 0 days
#   late    03-30 23:30 CET (22:30Z) -> 03-31 00:30 CET (23:30Z):   1 h, 1 calendar day
BERLIN_PAIRS = {
    "spring": ((2024, 3, 30, 12, 0), (2024, 3, 31, 12, 0)),
    "autumn": ((2024, 10, 26, 12, 0), (2024, 10, 27, 12, 0)),
    "gap": ((2024, 3, 31, 1, 30), (2024, 3, 31, 3, 30)),
    "late": ((2024, 3, 30, 23, 30), (2024, 3, 31, 0, 30)),
}
# America/New_York: DST starts 2024-03-10 02:00, ends 2024-11-03 02:00.
#   spring  03-09 12:00 EST (17:00Z) -> 03-10 12:00 EDT (16:00Z): 23 h
#   autumn  11-02 12:00 EDT (16:00Z) -> 11-03 12:00 EST (17:00Z): 25 h
#   gap     03-10 01:30 EST (06:30Z) -> 03-10 03:30 EDT (07:30Z):  1 h (wall: 2 h)
#   late    11-02 23:30 EDT (03:30Z) -> 11-03 00:30 EDT (04:30Z):  1 h, 1 calendar day
NEW_YORK_PAIRS = {
    "spring": ((2024, 3, 9, 12, 0), (2024, 3, 10, 12, 0)),
    "autumn": ((2024, 11, 2, 12, 0), (2024, 11, 3, 12, 0)),
    "gap": ((2024, 3, 10, 1, 30), (2024, 3, 10, 3, 30)),
    "late": ((2024, 11, 2, 23, 30), (2024, 11, 3, 0, 30)),
}
ELAPSED_HOURS = {"spring": 23.0, "autumn": 25.0, "gap": 1.0, "late": 1.0}
WALL_HOURS = {"spring": 24.0, "autumn": 24.0, "gap": 2.0, "late": 1.0}
CALENDAR_DAYS = {"spring": 1, "autumn": 1, "gap": 0, "late": 1}

DIFFERENCES = """
name: differences
time: {timezone: %s}
dimensions: [{field: k}]
measures:
  - {name: hours, agg: sum, expr: "hours_between(a, b)"}
  - {name: minutes, agg: sum, expr: "minutes_between(a, b)"}
  - {name: days, agg: sum, expr: "days_between(a, b)"}
  - {name: back, agg: sum, expr: "hours_between(b, a)"}
"""


def pair_table(
    pairs: dict[str, Any], zone: ZoneInfo, stored_in: str | None
) -> tuple[dict[str, list[Any]], dict[str, pa.DataType]]:
    """The pairs as columns a, b: aware in `stored_in` (the same instants), or naive wall time."""
    data: dict[str, list[Any]] = {"k": list(pairs), "a": [], "b": []}
    for a, b in pairs.values():
        for column, parts in (("a", a), ("b", b)):
            value = _local(zone, *parts)
            if stored_in is None:
                data[column].append(value.replace(tzinfo=None))
            else:
                data[column].append(value.astimezone(ZoneInfo(stored_in)))
    kind = pa.timestamp("us", stored_in) if stored_in else pa.timestamp("us")
    return data, {"a": kind, "b": kind}


def expected_rows(hours: dict[str, float]) -> list[dict[str, Any]]:
    return [
        {"k": k, "hours": hours[k], "minutes": hours[k] * 60, "days": CALENDAR_DAYS[k],
         "back": -hours[k]}
        for k in sorted(hours)
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("zone", "pairs", "stored_in"),
    [
        ("Europe/Berlin", BERLIN_PAIRS, "Europe/Berlin"),
        ("Europe/Berlin", BERLIN_PAIRS, "UTC"),  # the same instants, stored in UTC
        ("America/New_York", NEW_YORK_PAIRS, "America/New_York"),
        ("America/New_York", NEW_YORK_PAIRS, "Asia/Tokyo"),
    ],
)
def test_hours_between_aware_instants_is_elapsed_time(
    constructor: Any, zone: str, pairs: dict[str, Any], stored_in: str
) -> None:
    # Careless (wall-clock after converting to the report's zone): 24, 24, 2, 1 hours.
    data, schema = pair_table(pairs, ZoneInfo(zone), stored_in)
    result = Report.from_yaml(DIFFERENCES % zone).run(constructor(data, schema))
    assert_rows_equal(result, expected_rows(ELAPSED_HOURS))


@pytest.mark.parametrize(("zone", "pairs"), [("Europe/Berlin", BERLIN_PAIRS),
                                             ("America/New_York", NEW_YORK_PAIRS)])  # fmt: skip
def test_naive_timestamps_give_the_wall_clock_difference(
    constructor: Any, zone: str, pairs: dict[str, Any]
) -> None:
    # Naive values carry no zone, so no DST: 12:00 to 12:00 the next day is 24 hours.
    data, schema = pair_table(pairs, ZoneInfo(zone), None)
    result = Report.from_yaml(DIFFERENCES % zone).run(constructor(data, schema))
    assert_rows_equal(result, expected_rows(WALL_HOURS))


def test_an_aware_instant_with_a_naive_one_is_a_wall_clock_difference(constructor: Any) -> None:
    # a aware (spring pair, Berlin), b the same wall time naive: a is read as Berlin wall time
    # 2024-03-30 12:00, b is 2024-03-31 12:00 local: 24 wall-clock hours.
    data, schema = pair_table({"spring": BERLIN_PAIRS["spring"]}, BERLIN, "Europe/Berlin")
    data["b"] = [data["b"][0].replace(tzinfo=None)]
    schema["b"] = pa.timestamp("us")
    result = Report.from_yaml(DIFFERENCES % "Europe/Berlin").run(constructor(data, schema))
    assert_rows_equal(result, [{"k": "spring", "hours": 24.0, "minutes": 1440.0, "days": 1,
                                "back": -24.0}])  # fmt: skip


def test_elapsed_time_through_if_and_coalesce_and_in_filters(constructor: Any) -> None:
    """Elapsed time holds for expressions of aware columns, and in a filter."""
    data, schema = pair_table(BERLIN_PAIRS, BERLIN, "UTC")
    data["c"] = [None, data["b"][1], None, data["b"][3]]
    schema["c"] = schema["b"]
    spec = """
name: through
time: {timezone: Europe/Berlin}
filters: [{expr: "hours_between(a, b) < 24"}]
dimensions: [{field: k}]
measures:
  - {name: h, agg: sum, expr: "hours_between(a, coalesce(c, b))"}
  - {name: m, agg: sum, expr: "minutes_between(if(k == 'gap', b, a), max_of(a, b))"}
"""
    # kept: spring (23 h), gap (1 h), late (1 h); autumn (25 h) is filtered out.
    # m: gap -> b to b = 0; the others a to b.
    result = Report.from_yaml(spec).run(constructor(data, schema))
    assert_rows_equal(
        result,
        [
            {"k": "gap", "h": 1.0, "m": 0.0},
            {"k": "late", "h": 1.0, "m": 60.0},
            {"k": "spring", "h": 23.0, "m": 23 * 60.0},
        ],
    )


def test_buckets_stay_on_wall_clock_time_while_differences_are_elapsed(
    constructor: Any,
) -> None:
    # The autumn pair's `b` is 2024-10-27 12:00 Berlin = 11:00Z. A day bucket in Berlin puts it
    # on the 27th, an hour() of 12; its difference from `a` is still 25 elapsed hours.
    data, schema = pair_table({"autumn": BERLIN_PAIRS["autumn"]}, BERLIN, "UTC")
    spec = """
name: buckets
time: {timezone: Europe/Berlin}
dimensions: [{field: b, grain: day, name: day}, {name: h, expr: "hour(b)"}]
measures: [{name: hours, agg: sum, expr: "hours_between(a, b)"}]
"""
    result = Report.from_yaml(spec).run(constructor(data, schema))
    assert_rows_equal(result, [{"day": dt.datetime(2024, 10, 27), "h": 12, "hours": 25.0}])


# --- days_between: calendar days --------------------------------------------------------------


def test_days_between_counts_calendar_days_for_every_kind_of_value(constructor: Any) -> None:
    data = {
        "d1": [dt.date(2024, 1, 31), dt.date(2024, 2, 28), dt.date(2024, 3, 1), None],
        "d2": [dt.date(2024, 2, 1), dt.date(2024, 3, 1), dt.date(2024, 2, 28), dt.date(2024, 1, 1)],
        "t1": [dt.datetime(2024, 1, 31, 23, 59), dt.datetime(2024, 2, 28, 0, 1),
               dt.datetime(2024, 3, 1, 12), dt.datetime(2024, 1, 1)],
        "t2": [dt.datetime(2024, 2, 1, 0, 1), dt.datetime(2024, 3, 1, 23, 59),
               dt.datetime(2024, 2, 28), None],
        "k": ["a", "b", "c", "d"],
    }  # fmt: skip
    spec = """
name: days
dimensions: [{field: k}]
measures:
  - {name: dd, agg: sum, expr: "days_between(d1, d2)"}
  - {name: tt, agg: sum, expr: "days_between(t1, t2)"}
  - {name: dt, agg: sum, expr: "days_between(d1, t2)"}
  - {name: td, agg: sum, expr: "days_between(t1, d2)"}
"""
    # a: Jan 31 -> Feb 1 is 1 day whatever the clock (23:59 -> 00:01 is two minutes: 1 day).
    # b: Feb 28 -> Mar 1 in 2024 is 2 days (Feb 29). c: Mar 1 -> Feb 28 is -2.
    # d: d1 null / t2 null -> the sums of nothing are 0.
    result = Report.from_yaml(spec).run(constructor(data))
    assert_rows_equal(
        result,
        [
            {"k": "a", "dd": 1, "tt": 1, "dt": 1, "td": 1},
            {"k": "b", "dd": 2, "tt": 2, "dt": 2, "td": 2},
            {"k": "c", "dd": -2, "tt": -2, "dt": -2, "td": -2},
            {"k": "d", "dd": 0, "tt": 0, "dt": 0, "td": 0},
        ],
    )


# --- moving dates: add_days with any integer, add_months month-end aware ---------------------


def test_add_months_clamps_to_the_end_of_the_month(constructor: Any) -> None:
    data = {
        "d": [dt.date(2024, 1, 31), dt.date(2023, 1, 31), dt.date(2024, 3, 31),
              dt.date(2024, 2, 29), None],
        "t": [dt.datetime(2024, 1, 31, 9, 30), dt.datetime(2023, 1, 31, 23, 0),
              dt.datetime(2024, 3, 31), dt.datetime(2024, 2, 29, 12), None],
        "k": ["a", "b", "c", "d", "e"],
    }  # fmt: skip
    spec = """
name: months
params: [{name: back, type: integer, default: -13}]
dimensions:
  - {field: k}
  - {name: next, expr: "add_months(d, 1)"}
  - {name: prev, expr: "add_months(d, -1)"}
  - {name: year_on, expr: "add_months(d, 12)"}
  - {name: far_back, expr: "add_months(d, back)"}
  - {name: next_t, expr: "add_months(t, 1)"}
measures: [{name: n, agg: count}]
"""
    d = dt.date
    # 2024-01-31 + 1 month = 2024-02-29 (leap year); 2023-01-31 + 1 = 2023-02-28;
    # 2024-03-31 - 1 = 2024-02-29; 2024-02-29 + 12 = 2025-02-28; -13 months from 2024-01-31
    # is 2022-12-31, from 2024-03-31 is 2023-02-28.
    result = Report.from_yaml(spec).run(constructor(data))
    assert_rows_equal(
        result,
        [
            ("a", d(2024, 2, 29), d(2023, 12, 31), d(2025, 1, 31), d(2022, 12, 31),
             dt.datetime(2024, 2, 29, 9, 30), 1),
            ("b", d(2023, 2, 28), d(2022, 12, 31), d(2024, 1, 31), d(2021, 12, 31),
             dt.datetime(2023, 2, 28, 23, 0), 1),
            ("c", d(2024, 4, 30), d(2024, 2, 29), d(2025, 3, 31), d(2023, 2, 28),
             dt.datetime(2024, 4, 30), 1),
            ("d", d(2024, 3, 29), d(2024, 1, 29), d(2025, 2, 28), d(2023, 1, 29),
             dt.datetime(2024, 3, 29, 12), 1),
            ("e", None, None, None, None, None, 1),
        ],
    )  # fmt: skip


def test_add_days_takes_a_column_or_an_expression(constructor: Any) -> None:
    data = {
        "d": [dt.date(2024, 1, 31), dt.date(2024, 3, 1), dt.date(2024, 3, 1), None,
              dt.date(2024, 1, 1)],
        "t": [dt.datetime(2024, 1, 31, 22), dt.datetime(2024, 3, 1, 6), None,
              dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 1)],
        "n": [1, -1, None, 5, 10**10],
        "k": ["a", "b", "c", "d", "e"],
    }  # fmt: skip
    spec = """
name: days
dimensions:
  - {field: k}
  - {name: due, expr: "add_days(d, n)"}
  - {name: twice, expr: "add_days(d, n * 2 - 1)"}
  - {name: at, expr: "add_days(t, n)"}
measures: [{name: c, agg: count}]
"""
    d = dt.date
    # a: Jan 31 + 1 = Feb 1; twice: + 1 = Feb 1. b: Mar 1 - 1 = Feb 29 (2024); twice: -3 =
    # Feb 27. c: null n -> null. d: null date -> null, but t + 5 = Jan 6.
    # e: 10^10 days is beyond the 1,000,000 days add_days moves: null, not an engine error.
    result = Report.from_yaml(spec).run(constructor(data))
    assert_rows_equal(
        result,
        [
            ("a", d(2024, 2, 1), d(2024, 2, 1), dt.datetime(2024, 2, 1, 22), 1),
            ("b", d(2024, 2, 29), d(2024, 2, 27), dt.datetime(2024, 2, 29, 6), 1),
            ("c", None, None, None, 1),
            ("d", None, None, dt.datetime(2024, 1, 6), 1),
            ("e", None, None, None, 1),
        ],
    )


def test_moving_dates_too_far_is_a_located_error() -> None:
    spec = """
name: far
dimensions: [{name: x, expr: "add_days(d, 1e10)"}, {name: y, expr: "add_months(d, n)"}]
measures: [{name: c, agg: count}]
"""
    data = pa.table({"d": [dt.date(2024, 1, 1)], "n": [1]})
    with pytest.raises(SpecError) as info:
        Report.from_yaml(spec).run(data)
    message = str(info.value)
    assert "add_days() needs an integer, but `10000000000.0` is a float" in message
    assert "dimensions[0].expr" in message
    assert "add_months() must be a whole number of months" in message
    assert "dimensions[1].expr" in message
