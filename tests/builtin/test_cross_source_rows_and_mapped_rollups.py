"""Regression tests for two small engine fixes made while building the sales reports (part A).

1. plan/build.py: a row that only another source has (a deal owner without orders) reads 0 for
   the report's distinct counts, as for its counts and sums (it read null before), the same
   rule as a filled time gap.
2. spec/report.py: a rollup carries the report's mapping, so a column missing in a rollup of
   a mapped (built-in) report says how to map it, as it does in the report itself.
3. resolve/optional.py: an optional measure of another source is left out (with a note) when
   that source lacks a column it is matched on, as when it lacks any other column it reads.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from crmreports import Report, SpecError
from tests.helpers import assert_rows_equal

ORDERS = {
    "order_id": [1, 1, 2, 3],
    "customer_id": ["x", "x", "y", "x"],
    "rep": ["ann", "ann", "ann", "bob"],
    "amount": [10.0, 5.0, 20.0, 7.0],
}
DEALS = {"owner": ["ann", "cat", "cat"], "stage": ["won", "won", "lost"]}
SPEC = """
name: reps
source: orders
dimensions: [rep]
measures:
  - {name: revenue, agg: sum, field: amount}
  - {name: lines, agg: count}
  - {name: orders, agg: count_distinct, field: order_id}
  - {name: customers, agg: count_distinct, field: customer_id}
  - {name: biggest, agg: max, field: amount}
  - {name: won, agg: count, source: deals, match: {owner: rep}, filter: {field: stage, op: eq, value: won}}
"""  # noqa: E501


def test_a_row_only_the_other_source_has_counts_zero_distinct_values(constructor: Any) -> None:
    result = Report.from_yaml(SPEC).run(
        {"orders": constructor(ORDERS), "deals": constructor(DEALS)}
    )
    # ann: 10 + 5 + 20 = 35 in 3 lines, orders 1 and 2, customers x and y, largest 20, 1 won.
    # bob: 7, 1 line, 1 order, 1 customer, 7, no deals (null).
    # cat has deals only: revenue 0, lines 0, orders 0 and customers 0 (null before the fix:
    # a distinct count of no rows is 0), largest null (no values), 1 won.
    assert_rows_equal(
        result,
        [
            ("ann", 35.0, 3, 2, 2, 20.0, 1),
            ("bob", 7.0, 1, 1, 1, 7.0, None),
            ("cat", 0.0, 0, 0, 0, None, 1),
        ],
    )


ROLLUP = """
name: per_customer
source: firsts
mapping: {orders: {columns: {amount: total}}}
rollups:
  - name: firsts
    source: orders
    dimensions: [customer_id]
    measures: [{name: revenue, agg: sum, field: amount}]
measures: [{name: customers, agg: count}]
"""


def test_a_rollup_of_a_mapped_report_says_how_to_map_a_missing_column() -> None:
    orders = pd.DataFrame({"client": ["x"], "total": [1.0]})
    with pytest.raises(SpecError) as info:
        Report.from_yaml(ROLLUP).run({"orders": orders})
    message = str(info.value)
    assert "unknown column 'customer_id' in source 'orders'" in message
    assert "rollups[0].dimensions[0].field" in message
    assert "mapping: {orders: {columns: {customer_id: <your column>}}}" in message


def test_the_rollup_reads_the_mapped_column_once() -> None:
    orders = pd.DataFrame({"customer_id": ["x", "y", "x"], "total": [1.0, 2.0, 3.0]})
    spec = ROLLUP.replace("measures: [{name: customers, agg: count}]", "measures:\n"
                          "  - {name: customers, agg: count}\n"
                          "  - {name: revenue, agg: sum, field: revenue}")  # fmt: skip
    result = Report.from_yaml(spec).run({"orders": orders})
    # The mapping renames total -> amount once, before the rollup: x 1 + 3, y 2; 2 customers.
    assert_rows_equal(result, [(2, 6.0)])


OPTIONAL_MATCH = (
    SPEC.replace("value: won}}", "value: won}, optional: true}")
    + """
  - {name: win_share, formula: won / lines}
"""
)


def test_an_optional_measure_matched_on_a_missing_column_is_left_out(constructor: Any) -> None:
    deals = constructor({"seller": ["ann", "cat"], "stage": ["won", "won"]})
    result = Report.from_yaml(OPTIONAL_MATCH).run({"orders": constructor(ORDERS), "deals": deals})
    # deals has no `owner` to match `rep` on: `won` goes (it failed the whole report before),
    # and `win_share` built on it; only the orders' reps are left.
    assert_rows_equal(result, [("ann", 35.0, 3, 2, 2, 20.0), ("bob", 7.0, 1, 1, 1, 7.0)])
    assert result.notes == (
        "measure 'won' left out: source 'deals' has no column 'owner'",
        "measure 'win_share' left out: it is built on 'won', left out",
    )


def test_a_required_measure_matched_on_a_missing_column_still_fails() -> None:
    deals = pd.DataFrame({"seller": ["ann"], "stage": ["won"]})
    with pytest.raises(SpecError, match="unknown column 'owner' in source 'deals'"):
        Report.from_yaml(SPEC).run({"orders": pd.DataFrame(ORDERS), "deals": deals})
