"""Regression tests for two small engine fixes made for the service reports.

1. `resolve/context.py`: a source column missing from a *formula* (not only from a `field`) of a
   spec with a `mapping` (every built-in report) says how to map it.
2. `execute/post.py`: a measure of another source whose date column is matched to a datetime
   dimension (orders.order_date to the month of tickets.created_at) used to fail ("inputs
   should all have the same schema") or, where it could be stacked, never matched.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pytest

from crmreports import Report, SpecError
from tests.helpers import assert_rows_equal

T = dt.datetime
D = dt.date

MAPPED = """
name: durations
source: tickets
mapping: {tickets: {columns: {}}}
filters: [{expr: "not_null(closed_at)"}]
measures:
  - {name: hours, agg: avg, expr: "hours_between(created_at, closed_at)"}
"""


def test_a_column_missing_from_a_formula_says_how_to_map_it() -> None:
    tickets = pd.DataFrame({"created_at": pd.to_datetime(["2024-01-01"])})
    with pytest.raises(SpecError) as info:
        Report.from_yaml(MAPPED).run({"tickets": tickets})
    message = str(info.value)
    hint = "builtin.get(..., columns={'tickets': {'closed_at': '<your column>'}})"
    # Both the filter's formula and the measure's formula carry the advice.
    assert message.count(hint) == 2
    assert "at: filters[0].expr" in message and "at: measures[0].expr" in message


def test_without_a_mapping_a_formula_problem_is_unchanged() -> None:
    spec = MAPPED.replace("mapping: {tickets: {columns: {}}}\n", "")
    tickets = pd.DataFrame({"created_at": pd.to_datetime(["2024-01-01"])})
    with pytest.raises(SpecError) as info:
        Report.from_yaml(spec).run({"tickets": tickets})
    message = str(info.value)
    assert "unknown column 'closed_at' in formula" in message
    assert "<your column>" not in message


ACROSS = """
name: per_order
source: tickets
dimensions: [{field: created_at, grain: month, name: month}]
measures:
  - {name: tickets, agg: count}
  - {name: orders, agg: count, source: orders, match: {order_date: month}}
  - {name: per_order, formula: tickets / orders}
"""


def test_a_date_source_matches_a_datetime_dimension(constructor) -> None:
    tickets = constructor(
        {"created_at": [T(2024, 1, 5, 9), T(2024, 1, 20, 17), T(2024, 2, 3, 8)]},
        {"created_at": pa.timestamp("us")},
    )
    orders = constructor(
        {"order_date": [D(2024, 1, 2), D(2024, 1, 3), D(2024, 1, 31), D(2024, 2, 1)]},
        {"order_date": pa.date32()},
    )
    result = Report.from_yaml(ACROSS).run({"tickets": tickets, "orders": orders})
    # January: 2 tickets, 3 orders; February: 1 ticket, 1 order. The month stays a datetime,
    # the report's own type.
    assert_rows_equal(
        result,
        [
            {"month": T(2024, 1, 1), "tickets": 2, "orders": 3, "per_order": 2 / 3},
            {"month": T(2024, 2, 1), "tickets": 1, "orders": 1, "per_order": 1.0},
        ],
    )
