"""Engine changes made for the customer reports, pinned on every backend.

1. `add_days(date, n)`: a date moved by a whole number of days fixed for the run (a literal or
   an integer parameter). customers.churn needs the day a customer is lost, last order +
   `inactivity_days`, bucketed by month: no other formula can build a new date.
2. `running` totals ignored their own null-date rows only on those rows: the null row's value
   (it sorts first) was added into every dated row's total. customers.profile's
   by_signup_month counts customers without a signup date in a null month.

Expected values are worked out by hand in the comments.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from crmreports import Report, SpecError
from tests.helpers import assert_rows_equal

D = dt.date
T = dt.datetime

ADD_DAYS = """
name: moved
params: [{name: n, type: integer, default: 90}]
dimensions: [key]
measures:
  - {name: later, agg: max, expr: "add_days(day, n)"}
  - {name: earlier, agg: max, expr: "add_days(day, -30)"}
  - {name: next_day, agg: max, expr: "add_days(moment, 1)"}
  - {name: due, agg: count, filter: {expr: "add_days(day, n) <= as_of()"}}
"""
DATA = {
    "key": ["a", "b", "c"],
    "day": [D(2024, 1, 31), None, D(2023, 12, 15)],
    "moment": [T(2024, 2, 28, 23, 30), None, T(2024, 12, 31, 8)],
}
SCHEMA = {"day": pa.date32(), "moment": pa.timestamp("us")}


def test_add_days_moves_dates_and_datetimes(constructor) -> None:
    result = Report.from_yaml(ADD_DAYS).run(constructor(DATA, SCHEMA), as_of="2024-04-30")
    # a: 2024-01-31 + 90 = 04-30 (Jan 31 -> Feb 29 is 29 days in the leap year, -> Mar 31
    #    60, -> Apr 30 90), on as_of: due. - 30 = 2024-01-01. 02-28 23:30 + 1 day = 02-29.
    # b: null stays null; not due.
    # c: 2023-12-15 + 90 = 2024-03-14 (due); - 30 = 11-15; 2024-12-31 08:00 + 1 = 2025-01-01.
    assert_rows_equal(
        result,
        [
            {"key": "a", "later": D(2024, 4, 30), "earlier": D(2024, 1, 1),
             "next_day": T(2024, 2, 29, 23, 30), "due": 1},
            {"key": "b", "later": None, "earlier": None, "next_day": None, "due": 0},
            {"key": "c", "later": D(2024, 3, 14), "earlier": D(2023, 11, 15),
             "next_day": T(2025, 1, 1, 8), "due": 1},
        ],
    )  # fmt: skip


def test_add_days_takes_the_parameter_of_the_run(constructor) -> None:
    result = Report.from_yaml(ADD_DAYS).run(
        constructor(DATA, SCHEMA), as_of="2024-04-30", params={"n": 120}
    )
    # a: 2024-01-31 + 120 = 05-30, after as_of: not due. c: 2023-12-15 + 120 = 2024-04-13.
    rows = result.to_arrow().to_pylist()
    assert [(r["later"], r["due"]) for r in rows] == [
        (D(2024, 5, 30), 0),
        (None, 0),
        (D(2024, 4, 13), 1),
    ]


def test_add_days_in_a_formula_over_measures(constructor) -> None:
    spec = """
name: lost
params: [{name: n, type: integer, default: 10}]
dimensions: [key]
measures:
  - {name: last, agg: max, field: day}
  - {name: lost_on, formula: "if(add_days(last, n) <= as_of(), add_days(last, n), null)"}
"""
    data = {"key": ["a", "a", "b"], "day": [D(2024, 1, 1), D(2024, 1, 25), D(2024, 1, 5)]}
    result = Report.from_yaml(spec).run(constructor(data, SCHEMA), as_of="2024-01-31")
    # a: last 01-25 + 10 = 02-04, after as_of: null. b: 01-05 + 10 = 01-15.
    assert_rows_equal(
        result,
        [
            {"key": "a", "last": D(2024, 1, 25), "lost_on": None},
            {"key": "b", "last": D(2024, 1, 5), "lost_on": D(2024, 1, 15)},
        ],
    )


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("add_days(day, key)", "number of days of add_days() needs an integer, but `key` is text"),
        ("add_days(day, 1.5)", "number of days of add_days() needs an integer, but `1.5` is a"),
        ("add_days(key, 1)", "add_days() needs a date or datetime"),
        ("add_days(day)", "add_days() takes 2 arguments, got 1"),
    ],
)
def test_add_days_misuse_is_a_located_error(formula: str, message: str) -> None:
    spec = f"""
name: bad
dimensions: [{{expr: "{formula}", name: moved}}]
measures: [{{name: n, agg: count}}]
"""
    with pytest.raises(SpecError) as info:
        Report.from_yaml(spec).run(pa.table({"key": ["a"], "day": [D(2024, 1, 1)]}))
    assert message in str(info.value) and "dimensions[0].expr" in str(info.value)


RUNNING = """
name: signups
dimensions: [{field: day, grain: month, name: month}]
measures:
  - {name: signups, agg: count}
  - {name: to_date, of: signups, running: {}}
"""


def test_running_total_leaves_out_rows_without_a_date(constructor) -> None:
    data = {"day": [D(2024, 1, 5), D(2024, 1, 9), None, None, D(2024, 3, 1)]}
    result = Report.from_yaml(RUNNING).run(constructor(data, SCHEMA))
    # January 2, March 1; the two undated rows form a null month with no running total, and
    # are not added into January's and March's: 2, 3 (not 4, 5).
    assert_rows_equal(
        result,
        [
            {"month": D(2024, 1, 1), "signups": 2, "to_date": 2},
            {"month": D(2024, 3, 1), "signups": 1, "to_date": 3},
            {"month": None, "signups": 2, "to_date": None},
        ],
    )


def test_running_total_per_group_leaves_out_rows_without_a_date(constructor) -> None:
    spec = RUNNING.replace("dimensions: [", "dimensions: [team, ").replace(
        "running: {}", "running: {reset: year}"
    )
    data = {
        "team": ["x", "x", "x", "y", "y"],
        "day": [D(2023, 12, 1), None, D(2024, 1, 2), None, D(2024, 2, 2)],
    }
    result = Report.from_yaml(spec).run(constructor(data, SCHEMA))
    # x: Dec 2023 1 (year 2023: 1), Jan 2024 1 (restarts: 1), undated 1 (null).
    # y: Feb 2024 1 (1), undated 1 (null).
    assert_rows_equal(
        result,
        [
            {"team": "x", "month": D(2023, 12, 1), "signups": 1, "to_date": 1},
            {"team": "x", "month": D(2024, 1, 1), "signups": 1, "to_date": 1},
            {"team": "x", "month": None, "signups": 1, "to_date": None},
            {"team": "y", "month": D(2024, 2, 1), "signups": 1, "to_date": 1},
            {"team": "y", "month": None, "signups": 1, "to_date": None},
        ],
    )
