"""An order without a customer (a quarter of the Online Retail lines) belongs to no customer:
per-customer reports leave it out instead of treating the missing id as one big customer.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from crmreports import builtin
from tests.helpers import frame_to_rows

D = dt.date
# Customer 1: two orders (10 on Jan 5, 30 on Mar 5). Three orders have no customer; counted as
# one customer they would be a frequent buyer with 3 orders and 600 revenue.
ORDERS = {
    "order_id": [1, 2, 3, 4, 5],
    "order_date": [D(2024, 1, 5), D(2024, 3, 5), D(2024, 1, 7), D(2024, 2, 7), D(2024, 3, 7)],
    "customer_id": [1, 1, None, None, None],
    "amount": [10.0, 30.0, 100.0, 200.0, 300.0],
}
SCHEMA = {"order_date": pa.date32(), "customer_id": pa.int64()}


@pytest.mark.parametrize(
    ("name", "view", "column", "expected"),
    [
        # one customer, frequency 2, monetary 40
        ("customers.value", "customers", "frequency", [2]),
        ("customers.value", "customers", "monetary", [40.0]),
        # customers by number of orders: only the band of 2 orders, one customer
        ("customers.loyalty", "main", "customers", [1]),
        # 2024: one customer with 2 orders -> repeat rate 1.0, frequency 2 orders per customer
        ("sales.purchase_behaviour", "main", "customers", [1]),
        ("sales.purchase_behaviour", "main", "repeat_purchase_rate", [1.0]),
        # cohort January 2024 has one customer; month 0 and month 2 are 100%
        ("customers.churn", "retention", "cohort_size", [1, 1]),
    ],
)
def test_orders_without_a_customer_are_no_customer(
    constructor, name: str, view: str, column: str, expected: list[object]
) -> None:
    result = builtin.get(name, view=view).run(
        {"orders": constructor(ORDERS, SCHEMA)}, as_of="2024-03-31"
    )
    assert [row[column] for row in frame_to_rows(result)] == expected


def test_churn_counts_no_missing_customer(constructor) -> None:
    # Customer 1 is acquired in January (first order Jan 5); the three anonymous orders are
    # no one's, so January has exactly one new customer.
    result = builtin.get("customers.churn").run(
        {"orders": constructor(ORDERS, SCHEMA)}, as_of="2024-03-31"
    )
    rows = frame_to_rows(result)
    assert sum(row["new_customers"] for row in rows) == 1


def test_as_of_counts_the_whole_day() -> None:
    """An order at 15:00 on the as_of day is an order placed on or before as_of."""
    import pandas as pd

    orders = pd.DataFrame(
        {
            "order_id": [1, 2],
            "order_date": pd.to_datetime(["2024-03-01 09:00", "2024-03-31 15:00"]),
            "customer_id": [1, 1],
            "amount": [10.0, 20.0],
        }
    )
    result = builtin.get("customers.value", view="customers").run(
        {"orders": orders}, as_of="2024-03-31"
    )
    # both orders count: frequency 2, monetary 30
    assert [(r["frequency"], r["monetary"]) for r in frame_to_rows(result)] == [(2, 30.0)]


def test_revenue_per_customer_uses_the_customers_revenue(constructor) -> None:
    orders = constructor({**ORDERS, "category": ["A"] * 5}, SCHEMA)
    result = builtin.get("sales.purchase_behaviour", view="categories").run({"orders": orders})
    # revenue 640 in all, 40 of it from customer 1, the only customer: 40 per customer
    (row,) = frame_to_rows(result)
    assert (row["revenue"], row["customers"], row["revenue_per_customer"]) == (640.0, 1, 40.0)
