"""Several related tables: lookups, measures of other sources (targets), pacing.

Every expected value is worked out by hand in the comments; each test runs with every source
on every backend (the constructor fixture), and once with sources of different backends.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pytest

from crmreports import DataError, Report, SpecError
from tests.helpers import assert_rows_equal, make_frame

D = dt.date

ORDERS = {
    "order_id": [1, 2, 3, 4, 5, 6],
    "customer_id": [10, 10, 11, 12, None, 11],
    "amount": [100.0, 50.0, 30.0, 20.0, 5.0, 70.0],
    "rep": ["ann", "bob", "ann", "bob", "ann", "bob"],
    "day": [D(2024, 1, 5), D(2024, 1, 20), D(2024, 2, 3), D(2024, 2, 10), D(2024, 3, 1),
            D(2024, 2, 28)],
}  # fmt: skip
ORDERS_SCHEMA = {"customer_id": pa.int64(), "day": pa.date32()}
CUSTOMERS = {
    "customer_id": [10, 11, 13],
    "region_id": [1, 2, 1],
    "segment": ["smb", "ent", "smb"],
    "credit": [1000.0, 2000.0, 500.0],
}
REGIONS = {"id": [1, 2], "region": ["North", "South"]}


def data(constructor: Any, **extra: Any) -> dict[str, Any]:
    frames = {
        "orders": constructor(ORDERS, ORDERS_SCHEMA),
        "customers": constructor(CUSTOMERS),
        "regions": constructor(REGIONS),
    }
    return frames | extra


LOOKUPS = """
relationships:
  - {to: customers, key: customer_id}
  - {from: customers, to: regions, key: {region_id: id}}
"""


def report(text: str) -> Report:
    return Report.from_yaml("name: r\nsource: orders\n" + LOOKUPS + text)


def test_group_by_a_column_two_lookups_away(constructor: Any) -> None:
    result = report(
        """
dimensions: [{field: regions.region, name: region}]
measures:
  - {name: revenue, agg: sum, field: amount}
  - {name: orders, agg: count}
"""
    ).run(data(constructor))
    # North: customer 10 (orders 1, 2) = 150, 2 orders. South: customer 11 (orders 3, 6) =
    # 100, 2 orders. Customer 12 is not in customers and order 5 has no customer: both
    # 'unknown' = 20 + 5 = 25, 2 orders. 150 + 100 + 25 = 275 = every order, none dropped.
    assert_rows_equal(result, [("North", 150.0, 2), ("South", 100.0, 2), ("unknown", 25.0, 2)])
    # A careless inner join reports 250 over 4 orders and says nothing.
    assert result.notes == (
        "2 of the 6 rows of orders find no match in customers (customer_id); "
        "they are grouped as 'unknown'",
        "2 of the 6 rows of orders find no match in regions (customers.region_id); "
        "they are grouped as 'unknown'",
    )


def test_filter_on_a_looked_up_column(constructor: Any) -> None:
    result = report(
        """
dimensions: [rep]
measures: [{name: revenue, agg: sum, field: amount}]
filters: [{field: customers.segment, op: eq, value: smb}]
"""
    ).run(data(constructor))
    # smb customers: 10 only (13 has no orders): orders 1 (ann 100) and 2 (bob 50).
    assert_rows_equal(result, [("ann", 100.0), ("bob", 50.0)])


def test_idempotent_aggregates_of_a_looked_up_column_are_allowed(constructor: Any) -> None:
    result = report(
        """
dimensions: [rep]
measures:
  - {name: customers, agg: count_distinct, field: customers.customer_id}
  - {name: max_credit, agg: max, field: customers.credit}
"""
    ).run(data(constructor))
    # ann: orders 1 (c10), 3 (c11), 5 (none) -> looked-up ids {10, 11}: 2; max credit 2000.
    # bob: orders 2 (c10), 4 (c12, unmatched -> null), 6 (c11) -> {10, 11}: 2; max 2000.
    assert_rows_equal(result, [("ann", 2, 2000.0), ("bob", 2, 2000.0)])


def test_looking_up_through_sources_of_different_backends() -> None:
    frames = {
        "orders": make_frame("polars", ORDERS, ORDERS_SCHEMA),
        "customers": make_frame("pandas", CUSTOMERS),
        "regions": make_frame("duckdb", REGIONS),
    }
    result = report(
        """
dimensions: [{field: regions.region, name: region}]
measures: [{name: revenue, agg: sum, field: amount}]
"""
    ).run(frames)
    assert type(result.data).__module__.startswith("polars")  # the report's source's kind
    assert_rows_equal(result, [("North", 150.0), ("South", 100.0), ("unknown", 25.0)])


# --- fan-out: refused, never computed --------------------------------------------------------


@pytest.mark.parametrize("agg", ["sum", "avg", "median"])
def test_row_weighted_aggregate_of_a_looked_up_column_is_refused(agg: str) -> None:
    spec = report(
        f"dimensions: [rep]\nmeasures: [{{name: c, agg: {agg}, field: customers.credit}}]"
    )
    with pytest.raises(SpecError) as info:
        spec.check(data(lambda d, s=None: make_frame("pyarrow", d, s)))
    # A careless engine sums credit once per order: ann 1000 + 2000 = 3000 instead of the
    # 3000 of two distinct customers... or 4000 for bob's three orders (1000 + null + 2000).
    assert info.value.codes == ["fan-out"]
    assert info.value.problems[0].path == "measures[0].field"


def test_a_lookup_key_that_repeats_is_refused(constructor: Any) -> None:
    customers = dict(CUSTOMERS)
    customers = {k: [*v, v[0]] for k, v in customers.items()}  # customer 10 twice
    spec = report(
        "dimensions: [customers.segment]\nmeasures: [{name: revenue, agg: sum, field: amount}]"
    )
    with pytest.raises(DataError, match=r"'customers' has 1 key value\(s\) appearing more"):
        # Careless: every order of customer 10 joins twice: smb 150 -> 300.
        spec.run(data(constructor, customers=constructor(customers)))
    # A report that reads no column of customers does not join it, so nothing can repeat.
    plain = report("dimensions: [rep]\nmeasures: [{name: revenue, agg: sum, field: amount}]")
    frames = data(constructor, customers=constructor(customers))
    assert_rows_equal(plain.run(frames), [("ann", 135.0), ("bob", 140.0)])


def test_a_report_over_the_one_side_cannot_reach_the_many_side(constructor: Any) -> None:
    spec = Report.from_yaml(
        "name: r\nsource: customers\ndimensions: [segment]\n"
        "measures: [{name: revenue, agg: sum, field: orders.amount}]"
    )
    with pytest.raises(SpecError) as info:
        spec.run(data(constructor))
    problem = info.value.problems[0]
    assert problem.code == "unknown-column"
    assert "make 'orders' the report's source" in (problem.hint or "")


# --- targets: measures of another source ----------------------------------------------------

TARGETS = {
    "owner": ["ann", "ann", "bob", "bob", "cat"],
    "period": [D(2024, 1, 1), D(2024, 2, 1), D(2024, 1, 1), D(2024, 2, 1), D(2024, 1, 1)],
    "quota": [120.0, 100.0, 60.0, 50.0, 99.0],
}
QUOTA = """
dimensions: [{field: day, grain: month, name: month}, rep]
measures:
  - {name: actual, agg: sum, field: amount}
  - {name: target, agg: sum, field: quota, source: targets, match: {period: month, owner: rep}}
  - {name: attainment, formula: actual / target}
  - {name: actual_ytd, of: actual, running: {reset: year}}
  - {name: target_ytd, of: target, running: {reset: year}}
  - {name: attainment_ytd, formula: actual_ytd / target_ytd}
filters: [{field: day, op: lt, value: 2024-03-01}]
"""


def test_attainment_and_year_to_date_attainment(constructor: Any) -> None:
    frames = data(constructor, targets=constructor(TARGETS, {"period": pa.date32()}))
    result = report(QUOTA + "totals: true").run(frames)
    jan, feb = D(2024, 1, 1), D(2024, 2, 1)
    # Jan: ann 100 / 120; bob 50 / 60; cat 0 / 99 (a target and no orders still shows).
    # Feb: ann 30 / 100; bob 20 + 70 = 90 / 50.
    # YTD ann Feb: (100 + 30) / (120 + 100) = 130 / 220 = 0.5909..., not the mean of the
    # monthly rates (0.8333 + 0.3) / 2 = 0.5667 a careless engine averages.
    assert_rows_equal(
        result,
        [
            (jan, "ann", 100.0, 120.0, 100 / 120, 100.0, 120.0, 100 / 120, "detail"),
            (jan, "bob", 50.0, 60.0, 50 / 60, 50.0, 60.0, 50 / 60, "detail"),
            (jan, "cat", 0.0, 99.0, 0.0, 0.0, 99.0, 0.0, "detail"),
            (feb, "ann", 30.0, 100.0, 0.3, 130.0, 220.0, 130 / 220, "detail"),
            (feb, "bob", 90.0, 50.0, 1.8, 140.0, 110.0, 140 / 110, "detail"),
            # Total: actual 100+50+30+90 = 270 (order 5 is in March: filtered out);
            # target 120+60+99+100+50 = 429; attainment 270/429.
            (None, None, 270.0, 429.0, 270 / 429, None, None, None, "total"),
        ],
    )


def test_a_target_not_matched_to_every_dimension_is_refused() -> None:
    spec = report(
        "dimensions: [{field: day, grain: month, name: month}, rep]\n"
        "measures: [{name: target, agg: sum, field: quota, source: targets, "
        "match: {period: month}}]"
    )
    frames = data(lambda d, s=None: make_frame("pyarrow", d, s))
    frames["targets"] = make_frame("pyarrow", TARGETS, {"period": pa.date32()})
    with pytest.raises(SpecError) as info:
        spec.check(frames)
    # Careless: ann and bob would each show the whole month's target (120 + 60 + 99 = 279).
    assert info.value.codes == ["fan-out"]
    assert "rep" in info.value.problems[0].message


def test_pacing_against_the_elapsed_part_of_the_month(constructor: Any) -> None:
    frames = data(constructor, targets=constructor(TARGETS, {"period": pa.date32()}))
    spec = report(
        """
dimensions: [{field: day, grain: month, name: month}]
measures:
  - {name: actual, agg: sum, field: amount}
  - {name: target, agg: sum, field: quota, source: targets, match: {period: month}}
  - {name: pace, of: actual, pacing: {target: target}}
"""
    )
    result = spec.run(frames, as_of="2024-02-10")
    # Jan: over: elapsed 1; 150 / 279. Feb (29 days), 10 days passed by Feb 10 (inclusive):
    # actual 30 + 20 + 70 = 120 against 150 x 10/29 = 51.72: pace 120 / (150 * 10 / 29).
    # Mar: not begun by Feb 10: pace null (no target there either: 5 / null).
    assert_rows_equal(
        result,
        [
            (D(2024, 1, 1), 150.0, 279.0, 150 / 279),
            (D(2024, 2, 1), 120.0, 150.0, 120 / (150 * 10 / 29)),
            (D(2024, 3, 1), 5.0, None, None),
        ],
    )
