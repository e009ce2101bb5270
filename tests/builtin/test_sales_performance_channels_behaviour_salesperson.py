"""Built-in sales reports, part A: sales.performance, sales.channels, sales.purchase_behaviour
and sales.salesperson.

Each view runs through `builtin.get` on every backend (the constructor fixture) on a small
fixture written out below; every expected figure is worked out by hand in the comments.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pytest

from crmreports import SpecError, builtin
from tests.helpers import assert_rows_equal, frame_to_rows, make_frame

D = dt.date
T = dt.datetime
DATE = {"order_date": pa.date32()}
STAMP = {"order_date": pa.timestamp("us")}
STATUS_SKIPPED = "filter 1 skipped: source 'orders' has no column 'status'"


def _without(data: dict[str, list[Any]], *columns: str) -> dict[str, list[Any]]:
    return {k: v for k, v in data.items() if k not in columns}


def _hint(column: str, table: str = "orders") -> str:
    return f"builtin.get(..., columns={{'{table}': {{'{column}': '<your column>'}}}})"


# --- sales.performance -------------------------------------------------------------------------

# Ten rows, nine orders (order 4 has two lines). Orders 5 (lost) and 7 (cancelled) are not sales.
# Order 2 is on 2023-06-15 and order 3 the day after; order 8 is on 2024-06-15, order 9 after it:
# with as_of 2024-06-15 they sit on both sides of "the same day last year" and "as_of".
ORDERS = {
    "order_id": [1, 2, 3, 4, 4, 5, 6, 7, 8, 9],
    "order_date": [D(2023, 3, 10), D(2023, 6, 15), D(2023, 6, 16), D(2024, 1, 20),
                   D(2024, 1, 20), D(2024, 1, 25), D(2024, 3, 2), D(2024, 3, 28),
                   D(2024, 6, 15), D(2024, 6, 20)],
    "customer_id": ["c1", "c2", "c3", "c2", "c2", "c1", "c3", "c1", "c1", "c4"],
    "channel": ["Online", "Retail", "Online", "Retail", "Retail", "Online", "Partner", "Online",
                "Online", "Phone"],
    "status": ["won", "won", "won", "won", "won", "lost", "won", "cancelled", "won", "won"],
    "amount": [100.0, 50.0, 300.0, 150.0, 50.0, 999.0, 400.0, 70.0, 80.0, 120.0],
    "cost": [60.0, 20.0, 100.0, 90.0, 30.0, 0.0, 150.0, 10.0, 40.0, 50.0],
    "quantity": [1, 1, 3, 1, 2, 9, 2, 1, 1, 1],
}  # fmt: skip


def _month(month: dt.date, **values: Any) -> dict[str, Any]:
    """A month of the main view; without values, a filled month with no sales."""
    row = {"month": month, "revenue": 0.0, "orders": 0, "units": 0, "profit": 0.0,
           "mom_growth": None, "yoy_growth": None}  # fmt: skip
    return row | values


def test_performance_main_by_month(constructor: Any) -> None:
    result = builtin.get("sales.performance").run({"orders": constructor(ORDERS, DATE)})
    # Sales by month (lost 5 and cancelled 7 dropped); every month from 2023-03 to 2024-06.
    # 2023-03: order 1: 100, 1 order, 1 unit, profit 100 - 60 = 40.
    # 2023-06: orders 2 and 3: 50 + 300 = 350, 2 orders, 1 + 3 = 4 units, 30 + 200 = 230.
    # 2024-01: order 4 (two lines): 150 + 50 = 200, 1 order, 1 + 2 = 3 units, 60 + 20 = 80.
    # 2024-03: order 6: 400, 1 order, 2 units, 250.
    # 2024-06: orders 8 and 9: 80 + 120 = 200, 2 orders, 2 units, 40 + 70 = 110.
    # MoM: after a month with sales an empty month is (0 - x) / x = -100%; after an empty
    # month (0) it is null. YoY: only 2024-03 (vs 2023-03: 400 / 100 - 1 = 3.0) and 2024-06
    # (vs 2023-06: 200 / 350 - 1 = -0.428571) have sales a year earlier.
    empty_2023 = [_month(D(2023, m, 1)) for m in range(8, 13)]
    assert_rows_equal(
        result,
        [
            _month(D(2023, 3, 1), revenue=100.0, orders=1, units=1, profit=40.0),
            _month(D(2023, 4, 1), mom_growth=-1.0),
            _month(D(2023, 5, 1)),
            _month(D(2023, 6, 1), revenue=350.0, orders=2, units=4, profit=230.0),
            _month(D(2023, 7, 1), mom_growth=-1.0),
            *empty_2023,
            _month(D(2024, 1, 1), revenue=200.0, orders=1, units=3, profit=80.0),
            _month(D(2024, 2, 1), mom_growth=-1.0),
            _month(D(2024, 3, 1), revenue=400.0, orders=1, units=2, profit=250.0, yoy_growth=3.0),
            _month(D(2024, 4, 1), mom_growth=-1.0),
            _month(D(2024, 5, 1)),
            _month(
                D(2024, 6, 1),
                revenue=200.0,
                orders=2,
                units=2,
                profit=110.0,
                yoy_growth=200 / 350 - 1,
            ),
        ],
    )
    assert result.notes == ()


def test_performance_by_quarter(constructor: Any) -> None:
    result = builtin.get("sales.performance", view="by_quarter").run(
        {"orders": constructor(ORDERS, DATE)}
    )
    # 2023-Q1: 100 (1 order, 1 unit, profit 40); Q2: 350 (2 orders, 4 units, 230); Q3 and Q4
    # empty; 2024-Q1: orders 4 and 6: 200 + 400 = 600, 2 orders, 3 + 2 = 5 units, 80 + 250 =
    # 330; Q2: 200, 2 orders, 2 units, 110. Average order value = revenue / orders (null for
    # an empty quarter). QoQ: 350 / 100 - 1 = 2.5; Q3 -1.0; Q4 and 2024-Q1 null (previous 0);
    # 2024-Q2 200 / 600 - 1. YoY: 2024-Q1 600 / 100 - 1 = 5.0; 2024-Q2 200 / 350 - 1.
    assert_rows_equal(
        result,
        [
            (D(2023, 1, 1), 100.0, 1, 100.0, 1, 40.0, None, None),
            (D(2023, 4, 1), 350.0, 2, 175.0, 4, 230.0, 2.5, None),
            (D(2023, 7, 1), 0.0, 0, None, 0, 0.0, -1.0, None),
            (D(2023, 10, 1), 0.0, 0, None, 0, 0.0, None, None),
            (D(2024, 1, 1), 600.0, 2, 300.0, 5, 330.0, None, 5.0),
            (D(2024, 4, 1), 200.0, 2, 100.0, 2, 110.0, 200 / 600 - 1, 200 / 350 - 1),
        ],
    )


def test_performance_by_quarter_without_optional_columns(constructor: Any) -> None:
    orders = constructor(_without(ORDERS, "status", "cost", "quantity"), DATE)
    result = builtin.get("sales.performance", view="by_quarter").run({"orders": orders})
    # Without status every row is a sale: 2024-Q1 adds lost 999 and cancelled 70:
    # 200 + 999 + 400 + 70 = 1669 in orders 4, 5, 6, 7 (4 orders, average 417.25).
    # QoQ 2024-Q2: 200 / 1669 - 1; YoY 2024-Q1: 1669 / 100 - 1 = 15.69. No units, no profit.
    assert_rows_equal(
        result,
        [
            (D(2023, 1, 1), 100.0, 1, 100.0, None, None),
            (D(2023, 4, 1), 350.0, 2, 175.0, 2.5, None),
            (D(2023, 7, 1), 0.0, 0, None, -1.0, None),
            (D(2023, 10, 1), 0.0, 0, None, None, None),
            (D(2024, 1, 1), 1669.0, 4, 417.25, None, 15.69),
            (D(2024, 4, 1), 200.0, 2, 100.0, 200 / 1669 - 1, 200 / 350 - 1),
        ],
    )
    assert result.notes == (
        STATUS_SKIPPED,
        "measure 'units' left out: source 'orders' has no column 'quantity'",
        "measure 'profit' left out: source 'orders' has no column 'cost'",
    )


KPI_2024 = {
    # As of 2024-06-15. Year to date: orders 4 (200), 6 (400) and 8 (80, on as_of itself) =
    # 680 in 3 orders; order 9 (06-20) is after as_of. Same period last year, 2023-01-01 ..
    # 2023-06-15: orders 1 (100) and 2 (50, on the same day) = 150 in 2 orders; order 3
    # (2023-06-16) is one day too late. YoY: (680 - 150) / 150 = 3.5333.
    "revenue": 680.0,
    "revenue_last_year": 150.0,
    "yoy_growth": (680 - 150) / 150,
    "orders": 3,
    "orders_last_year": 2,
}


def test_performance_kpi_year_to_date(constructor: Any) -> None:
    result = builtin.get("sales.performance", view="kpi").run(
        {"orders": constructor(ORDERS, DATE)}, as_of="2024-06-15"
    )
    assert_rows_equal(result, [KPI_2024])


def test_performance_kpi_with_nothing_sold_last_year(constructor: Any) -> None:
    result = builtin.get("sales.performance", view="kpi").run(
        {"orders": constructor(ORDERS, DATE)}, as_of="2023-06-15"
    )
    # Year to date 2023: orders 1 and 2: 150 in 2 orders. Nothing in 2022: revenue 0, growth
    # null (a division by 0), no orders.
    assert_rows_equal(
        result,
        [
            {"revenue": 150.0, "revenue_last_year": 0.0, "yoy_growth": None, "orders": 2,
             "orders_last_year": 0},
        ],
    )  # fmt: skip


def test_performance_kpi_counts_the_whole_as_of_day_of_a_datetime_column(
    constructor: Any,
) -> None:
    # The same orders with times of day: order 2 at 23:59 on 2023-06-15, order 3 at midnight
    # of 2023-06-16, order 8 at 18:30 on 2024-06-15 (as_of). Comparing with as_of()'s midnight
    # would lose order 8; the month-and-day comparison keeps the whole day.
    times = [T(2023, 3, 10, 12), T(2023, 6, 15, 23, 59), T(2023, 6, 16), T(2024, 1, 20, 9),
             T(2024, 1, 20, 9), T(2024, 1, 25, 12), T(2024, 3, 2, 12), T(2024, 3, 28, 12),
             T(2024, 6, 15, 18, 30), T(2024, 6, 20, 8)]  # fmt: skip
    orders = constructor(ORDERS | {"order_date": times}, STAMP)
    result = builtin.get("sales.performance", view="kpi").run(
        {"orders": orders}, as_of="2024-06-15"
    )
    assert_rows_equal(result, [KPI_2024])


def test_performance_kpi_with_mapped_columns_and_values(constructor: Any) -> None:
    mine = {
        "ref": [1, 2, 3, 4],
        "placed": [D(2023, 2, 1), D(2024, 2, 1), D(2024, 3, 1), D(2024, 3, 2)],
        "total": [10.0, 20.0, 30.0, 40.0],
        "state": ["Paid", "Paid", "Void", "Paid"],
    }
    report = builtin.get(
        "sales.performance",
        view="kpi",
        columns={"orders": {"order_id": "ref", "order_date": "placed", "amount": "total",
                            "status": "state"}},
        values={"orders.status": {"Paid": "won", "Void": "cancelled"}},
    )  # fmt: skip
    result = report.run({"orders": constructor(mine, {"placed": pa.date32()})}, as_of="2024-06-30")
    # Paid is won, Void cancelled. 2024 to date: 20 + 40 = 60 in 2 orders (30 is void);
    # 2023 to 06-30: 10 in 1 order. YoY (60 - 10) / 10 = 5.0.
    assert_rows_equal(result, [(60.0, 10.0, 5.0, 2, 1)])


def test_performance_missing_required_column_says_how_to_map_it() -> None:
    # Refused while the spec is checked against the columns, before any backend computes.
    orders = make_frame("pandas", _without(ORDERS, "order_id"), DATE)
    with pytest.raises(SpecError) as info:
        builtin.get("sales.performance", view="by_quarter").run({"orders": orders})
    message = str(info.value)
    assert "unknown column 'order_id' in source 'orders'" in message
    assert _hint("order_id") in message


# --- sales.channels ----------------------------------------------------------------------------


def test_channels_year_to_date_against_last_year(constructor: Any) -> None:
    result = builtin.get("sales.channels").run(
        {"orders": constructor(ORDERS, DATE)}, as_of="2024-06-15"
    )
    # Sales this year to 2024-06-15: Retail order 4 (150 + 50 = 200, customer c2), Partner
    # order 6 (400, c3), Online order 8 (80, c1); total 680. Phone's order 9 (06-20) is after
    # as_of: a row of zeros. Last year to 2023-06-15: Online order 1 (100), Retail order 2
    # (50); total 150 (order 3 of 2023-06-16 is too late).
    # Partner: share 400/680, growth (400 - 0) / 0 -> null, last year's share 0/150 = 0,
    #   change 400/680 - 0.
    # Retail: 200/680; growth 200/50 - 1 = 3.0; last year's share 50/150; change the
    #   difference. Online: 80/680; 80/100 - 1 = -0.2; last year 100/150.
    # Phone: 0 of everything; growth null; average order value 0 / 0 -> null.
    assert_rows_equal(
        result,
        [
            ("Partner", 400.0, 400 / 680, 0.0, None, 0.0, 400 / 680, 1, 1, 400.0),
            ("Retail", 200.0, 200 / 680, 50.0, 3.0, 50 / 150, 200 / 680 - 50 / 150, 1, 1, 200.0),
            ("Online", 80.0, 80 / 680, 100.0, -0.2, 100 / 150, 80 / 680 - 100 / 150, 1, 1, 80.0),
            ("Phone", 0.0, 0.0, 0.0, None, 0.0, 0.0, 0, 0, None),
        ],
    )
    assert list(result.to_pandas().columns) == [
        "channel", "revenue", "revenue_share", "revenue_last_year", "yoy_growth",
        "revenue_share_last_year", "share_change", "orders", "customers", "average_order_value",
    ]  # fmt: skip


def test_channels_without_status_counts_every_row(constructor: Any) -> None:
    orders = constructor(_without(ORDERS, "status"), DATE)
    result = builtin.get("sales.channels").run({"orders": orders}, as_of="2024-06-15")
    # Every row is a sale: Online this year adds order 5 (999) and 7 (70): 999 + 70 + 80 =
    # 1149 in 3 orders of one customer (c1), average 383. Total 200 + 400 + 1149 = 1749.
    # Last year is unchanged (Online 100, Retail 50).
    assert_rows_equal(
        result,
        [
            ("Online", 1149.0, 1149 / 1749, 100.0, 10.49, 100 / 150, 1149 / 1749 - 100 / 150,
             3, 1, 383.0),
            ("Partner", 400.0, 400 / 1749, 0.0, None, 0.0, 400 / 1749, 1, 1, 400.0),
            ("Retail", 200.0, 200 / 1749, 50.0, 3.0, 50 / 150, 200 / 1749 - 50 / 150, 1, 1,
             200.0),
            ("Phone", 0.0, 0.0, 0.0, None, 0.0, 0.0, 0, 0, None),
        ],
    )  # fmt: skip
    assert result.notes == (STATUS_SKIPPED,)


def test_channels_with_mapped_columns_and_values(constructor: Any) -> None:
    mine = {
        "order_no": [1, 2, 3, 3],
        "order_date": [D(2023, 1, 5), D(2024, 1, 5), D(2024, 2, 1), D(2024, 2, 1)],
        "client": ["a", "a", "b", "b"],
        "amount": [50.0, 30.0, 60.0, 10.0],
        "via": ["web", "web", "shop", "web"],
    }
    report = builtin.get(
        "sales.channels",
        columns={"order_id": "order_no", "customer_id": "client", "channel": "via"},
        values={"channel": {"web": "Online", "shop": "Retail"}},
    )
    result = report.run({"orders": constructor(mine, DATE)}, as_of="2024-12-31")
    # No status: every row is a sale. 2024: Online 30 (order 2) + 10 (order 3's web line) = 40
    # in 2 orders of 2 customers; Retail 60 (order 3). Total 100. 2023: Online 50.
    assert_rows_equal(
        result,
        [
            ("Retail", 60.0, 0.6, 0.0, None, 0.0, 0.6, 1, 1, 60.0),
            ("Online", 40.0, 0.4, 50.0, 40 / 50 - 1, 1.0, 0.4 - 1.0, 2, 2, 20.0),
        ],
    )


def test_channels_missing_channel_says_how_to_map_it() -> None:
    # Refused while the spec is checked against the columns, before any backend computes.
    with pytest.raises(SpecError) as info:
        builtin.get("sales.channels").run(
            {"orders": make_frame("pandas", _without(ORDERS, "channel"), DATE)}, as_of="2024-06-15"
        )
    message = str(info.value)
    assert "unknown column 'channel' in source 'orders'" in message
    assert _hint("channel") in message


# Channels by month: Online 100 in 2023-03; 2024-01 Online 60 and Retail 40; 2024-03 Online
# order 4 (two lines, 150 + 50) and a lost Retail order (not a sale).
MONTHLY = {
    "order_id": [1, 2, 3, 4, 4, 5],
    "order_date": [D(2023, 3, 5), D(2024, 1, 10), D(2024, 1, 12), D(2024, 3, 3), D(2024, 3, 3),
                   D(2024, 3, 20)],
    "customer_id": ["c1", "c1", "c2", "c2", "c2", "c3"],
    "channel": ["Online", "Online", "Retail", "Online", "Online", "Retail"],
    "status": ["won", "won", "won", "won", "won", "lost"],
    "amount": [100.0, 60.0, 40.0, 150.0, 50.0, 500.0],
}  # fmt: skip


def test_channels_monthly(constructor: Any) -> None:
    result = builtin.get("sales.channels", view="monthly").run(
        {"orders": constructor(MONTHLY, DATE)}
    )

    # Every month 2023-03 .. 2024-03 for both channels (26 rows). Share of the month: the
    # channel's revenue over the month's; a month without sales has no share (0 / 0).
    # 2023-03: Online 100 (share 1.0), Retail 0 (0.0). 2024-01: Online 60 (0.6), Retail 40
    # (0.4). 2024-03: Online 200 in one order (1.0), YoY 200 / 100 - 1 = 1.0; Retail 0 (0.0),
    # YoY null (no Retail sales in 2023-03). Everything else 0 with null share and growth.
    def empty(month: dt.date) -> list[tuple[Any, ...]]:
        return [(month, "Online", 0.0, None, 0, None), (month, "Retail", 0.0, None, 0, None)]

    empty_2023 = [row for m in range(4, 13) for row in empty(D(2023, m, 1))]
    assert_rows_equal(
        result,
        [
            (D(2023, 3, 1), "Online", 100.0, 1.0, 1, None),
            (D(2023, 3, 1), "Retail", 0.0, 0.0, 0, None),
            *empty_2023,
            (D(2024, 1, 1), "Online", 60.0, 0.6, 1, None),
            (D(2024, 1, 1), "Retail", 40.0, 0.4, 1, None),
            *empty(D(2024, 2, 1)),
            (D(2024, 3, 1), "Online", 200.0, 1.0, 1, 1.0),
            (D(2024, 3, 1), "Retail", 0.0, 0.0, 0, None),
        ],
    )


# --- sales.purchase_behaviour ------------------------------------------------------------------

# Six customers. a: 2024 orders 10 and 11 on the same day (01-10) and 12 on 03-10.
# b: one order (20) of two lines in two categories. c: 2024 orders on 01-01, 01-11 and 01-31,
# and one in 2023 (12-20). d: a lost order, then one sale. e: two 2023 orders 20 days apart.
# f: one 2023 order.
PURCHASES = {
    "order_id": [10, 11, 12, 20, 20, 30, 31, 32, 33, 40, 41, 50, 51, 60],
    "order_date": [D(2024, 1, 10), D(2024, 1, 10), D(2024, 3, 10), D(2024, 2, 1), D(2024, 2, 1),
                   D(2024, 1, 1), D(2024, 1, 11), D(2024, 1, 31), D(2023, 12, 20),
                   D(2024, 6, 1), D(2024, 6, 5), D(2023, 5, 1), D(2023, 5, 21), D(2023, 8, 15)],
    "customer_id": ["a", "a", "a", "b", "b", "c", "c", "c", "c", "d", "d", "e", "e", "f"],
    "status": ["won"] * 9 + ["lost"] + ["won"] * 4,
    "amount": [100.0, 50.0, 150.0, 40.0, 60.0, 20.0, 30.0, 50.0, 70.0, 999.0, 80.0, 200.0,
               100.0, 30.0],
    "category": ["Software", "Hardware", "Software", "Software", "Services", "Services",
                 "Services", "Software", "Hardware", "Hardware", "Services", "Software",
                 "Software", "Hardware"],
    "quantity": [2, 1, 1, 1, 1, 1, 1, 1, 1, 9, 1, 3, 1, 1],
}  # fmt: skip


def _year(year: Any, customers: int, orders: int, revenue: float, repeat: int,
          interval: float | None) -> dict[str, Any]:  # fmt: skip
    """A row of the main view: frequency, order value and repeat rate follow from the counts."""
    return {
        "year": year, "customers": customers, "orders": orders, "revenue": revenue,
        "purchase_frequency": orders / customers, "average_order_value": revenue / orders,
        "repeat_customers": repeat, "repeat_purchase_rate": repeat / customers,
        "inter_purchase_interval": interval,
    }  # fmt: skip


def test_purchase_behaviour_by_year(constructor: Any) -> None:
    result = builtin.get("sales.purchase_behaviour").run({"orders": constructor(PURCHASES, DATE)})
    # 2023: c (order 33: 70), e (orders 50, 51: 300), f (order 60: 30): 3 customers, 4 orders,
    # revenue 400, frequency 4/3, order value 100. Repeat: e only -> 1/3. Interval: e's one
    # gap, 2023-05-01 -> 05-21 = 20 days; c and f bought on one day only.
    # 2024: a (orders 10, 11, 12: 300), b (order 20: 40 + 60 = 100), c (30, 31, 32: 100),
    # d (41: 80; the lost 40 is not a sale): 4 customers, 3 + 1 + 3 + 1 = 8 orders, revenue
    # 580, frequency 2.0, order value 72.5. Repeat: a and c -> 0.5. Interval: a bought on two
    # distinct days (two orders on 01-10): (03-10 - 01-10) / (2 - 1) = 60 days (2024 is a leap
    # year); c: (01-31 - 01-01) / (3 - 1) = 15 days; mean (60 + 15) / 2 = 37.5.
    # c's 2023-12-20 -> 2024-01-01 gap crosses the year boundary and is in neither year.
    assert_rows_equal(
        result,
        [
            _year(D(2023, 1, 1), 3, 4, 400.0, 1, 20.0),
            _year(D(2024, 1, 1), 4, 8, 580.0, 2, 37.5),
        ],
    )
    assert result.notes == ()


def test_purchase_behaviour_by_year_with_times_of_day(constructor: Any) -> None:
    # a's two orders of 01-10 at 09:00 and 15:00 are still one purchase day; c's last order
    # at 20:00 and e's second at midnight make fractional gaps.
    times = [T(2024, 1, 10, 9), T(2024, 1, 10, 15), T(2024, 3, 10, 9), T(2024, 2, 1, 10),
             T(2024, 2, 1, 10), T(2024, 1, 1, 8), T(2024, 1, 11, 20), T(2024, 1, 31, 20),
             T(2023, 12, 20, 8), T(2024, 6, 1, 8), T(2024, 6, 5, 8), T(2023, 5, 1, 12),
             T(2023, 5, 21), T(2023, 8, 15, 8)]  # fmt: skip
    orders = constructor(PURCHASES | {"order_date": times}, STAMP)
    result = builtin.get("sales.purchase_behaviour").run({"orders": orders})
    # e: 05-01 12:00 -> 05-21 00:00 = 19.5 days. a: 01-10 09:00 -> 03-10 09:00 = 60 days over
    # 2 distinct days; c: 01-01 08:00 -> 01-31 20:00 = 30.5 days over 3 days: 15.25.
    # 2024: (60 + 15.25) / 2 = 37.625. Years are datetimes, as the column is.
    assert_rows_equal(
        result,
        [
            _year(T(2023, 1, 1), 3, 4, 400.0, 1, 19.5),
            _year(T(2024, 1, 1), 4, 8, 580.0, 2, 37.625),
        ],
    )


def test_purchase_behaviour_by_quarter(constructor: Any) -> None:
    result = builtin.get("sales.purchase_behaviour", view="by_quarter").run(
        {"orders": constructor(PURCHASES, DATE)}
    )
    # 2023-Q2: e, 2 orders, 300, repeat, gap 20. Q3: f, 1 order, 30. Q4: c, 1 order, 70.
    # 2024-Q1: a (3 orders, 300, gap 60), b (1, 100), c (3, 100, gap 15): 3 customers,
    # 7 orders, 500, frequency 7/3, order value 500/7, repeat 2/3, interval 37.5.
    # 2024-Q2: d, 1 order, 80. Quarters without sales (2023-Q1) are not listed.
    assert_rows_equal(
        result,
        [
            (D(2023, 4, 1), 1, 2, 300.0, 2.0, 150.0, 1, 1.0, 20.0),
            (D(2023, 7, 1), 1, 1, 30.0, 1.0, 30.0, 0, 0.0, None),
            (D(2023, 10, 1), 1, 1, 70.0, 1.0, 70.0, 0, 0.0, None),
            (D(2024, 1, 1), 3, 7, 500.0, 7 / 3, 500 / 7, 2, 2 / 3, 37.5),
            (D(2024, 4, 1), 1, 1, 80.0, 1.0, 80.0, 0, 0.0, None),
        ],
    )


def test_purchase_behaviour_categories(constructor: Any) -> None:
    result = builtin.get("sales.purchase_behaviour", view="categories").run(
        {"orders": constructor(PURCHASES, DATE)}
    )
    # Sales (the lost Hardware 999 dropped): 980 in 12 distinct orders of 6 customers.
    # Software: 100 + 150 + 40 + 50 + 200 + 100 = 640; orders 10, 12, 20, 32, 50, 51 = 6;
    #   customers a, b, c, e = 4; units 2 + 1 + 1 + 1 + 3 + 1 = 9; per customer 160 (every
    #   order has a customer, so the revenue from known customers is the revenue).
    # Services: 60 + 20 + 30 + 80 = 190; orders 20, 30, 31, 41 = 4; customers b, c, d = 3;
    #   units 4.
    # Hardware: 50 + 70 + 30 = 150; orders 11, 33, 60 = 3; customers a, c, f = 3; units 3.
    # Order 20 is in Software and Services: order shares add up to 13/12.
    assert_rows_equal(
        result,
        [
            ("Software", 640.0, 640 / 980, 6, 6 / 12, 4, 4 / 6, 640.0, 160.0, 9),
            ("Services", 190.0, 190 / 980, 4, 4 / 12, 3, 3 / 6, 190.0, 190 / 3, 4),
            ("Hardware", 150.0, 150 / 980, 3, 3 / 12, 3, 3 / 6, 150.0, 50.0, 3),
        ],
    )


def test_purchase_behaviour_categories_without_quantity(constructor: Any) -> None:
    orders = constructor(_without(PURCHASES, "quantity"), DATE)
    result = builtin.get("sales.purchase_behaviour", view="categories").run({"orders": orders})
    # The same figures without the units column.
    assert_rows_equal(
        result,
        [
            ("Software", 640.0, 640 / 980, 6, 6 / 12, 4, 4 / 6, 640.0, 160.0),
            ("Services", 190.0, 190 / 980, 4, 4 / 12, 3, 3 / 6, 190.0, 190 / 3),
            ("Hardware", 150.0, 150 / 980, 3, 3 / 12, 3, 3 / 6, 150.0, 50.0),
        ],
    )
    assert result.notes == ("measure 'units' left out: source 'orders' has no column 'quantity'",)


def test_purchase_behaviour_with_mapped_columns_and_values(constructor: Any) -> None:
    mine = {
        "ticket": ["A1", "A2", "A3", "B1"],
        "day": [D(2024, 1, 1), D(2024, 1, 5), D(2024, 1, 9), D(2024, 2, 1)],
        "client": ["x", "x", "x", "y"],
        "net": [10.0, 20.0, 30.0, 40.0],
        "state": ["done", "done", "refunded", "done"],
    }
    report = builtin.get(
        "sales.purchase_behaviour",
        columns={"orders": {"order_id": "ticket", "order_date": "day", "customer_id": "client",
                            "amount": "net", "status": "state"}},
        values={"orders": {"status": {"done": "won", "refunded": "cancelled"}}},
    )  # fmt: skip
    result = report.run({"orders": constructor(mine, {"day": pa.date32()})})
    # Refunded A3 is not a sale. x: A1, A2 (01-01, 01-05: gap 4 days), y: B1. 2 customers,
    # 3 orders, 70; x repeats.
    assert_rows_equal(result, [_year(D(2024, 1, 1), 2, 3, 70.0, 1, 4.0)])


def test_purchase_behaviour_missing_customer_says_how_to_map_it() -> None:
    # Refused while the spec is checked against the columns, before any backend computes.
    orders = make_frame("pandas", _without(PURCHASES, "customer_id"), DATE)
    with pytest.raises(SpecError) as info:
        builtin.get("sales.purchase_behaviour").run({"orders": orders})
    message = str(info.value)
    # The column is read first by the rollup; the hint is given there too.
    assert "unknown column 'customer_id' in source 'orders'" in message
    assert "rollups[0]" in message
    assert _hint("customer_id") in message


# --- sales.salesperson -------------------------------------------------------------------------

# Five customers. k1: first sale order 1 (Ana, 2024-01-05). k2: orders 3 (Ben) and 4 (Ana) on
# the same first day, 2024-01-07: the smallest order_id, 3, acquires it for Ben (listed after
# order 4, and Ben is not first by name either). k3: a lost order 6 (Ben, 2023) is no sale;
# the first sale is order 7 (Ben). k4: order 8 has no salesperson. k5: order 9 (two lines,
# Cho) in 2023. Eve sells once to k3, not a new customer.
SALES = {
    "order_id": [1, 2, 4, 3, 5, 6, 7, 8, 9, 9, 10, 11, 12],
    "order_date": [D(2024, 1, 5), D(2024, 2, 10), D(2024, 1, 7), D(2024, 1, 7), D(2024, 3, 1),
                   D(2023, 11, 20), D(2024, 2, 1), D(2024, 3, 5), D(2023, 12, 1), D(2023, 12, 1),
                   D(2024, 1, 15), D(2024, 4, 1), D(2024, 5, 5)],
    "customer_id": ["k1", "k1", "k2", "k2", "k2", "k3", "k3", "k4", "k5", "k5", "k5", "k1",
                    "k3"],
    "salesperson": ["Ana", "Ben", "Ana", "Ben", "Ana", "Ben", "Ben", None, "Cho", "Cho", "Ana",
                    "Cho", "Eve"],
    "status": ["won"] * 5 + ["lost"] + ["won"] * 7,
    "amount": [100.0, 50.0, 30.0, 200.0, 70.0, 999.0, 120.0, 60.0, 40.0, 60.0, 90.0, 10.0, 40.0],
}  # fmt: skip
# Deals: Ana won 1 (2024) and 2 (2023), lost 3, one open; Ben lost two; Cho won three (one
# without an amount, one closing after the leaderboard's as_of); Dee and Fay sell nothing
# (Dee won a deal, Fay lost one in 2023); deal 11 has no owner.
DEALS = {
    "opportunity_id": list(range(1, 13)),
    "owner": ["Ana", "Ana", "Ana", "Ana", "Ben", "Ben", "Cho", "Cho", "Cho", "Dee", None, "Fay"],
    "stage": ["won", "won", "lost", "proposal", "lost", "lost", "won", "won", "won", "won",
              "won", "lost"],
    "amount": [1000.0, 3000.0, 500.0, 9999.0, 800.0, 200.0, 2000.0, None, 4000.0, 5000.0, 700.0,
               300.0],
    "closed_date": [D(2024, 2, 1), D(2023, 10, 1), D(2024, 3, 1), None, D(2024, 1, 15),
                    D(2024, 5, 1), D(2024, 6, 30), D(2024, 4, 1), D(2024, 7, 1), D(2024, 3, 1),
                    D(2024, 2, 2), D(2023, 5, 1)],
}  # fmt: skip
DEALS_SCHEMA = {"closed_date": pa.date32(), "amount": pa.float64()}
# A measure of opportunities keeps the rows of its own filter, whatever the orders' filters.
OWN_FILTER = (
    "{} (from opportunities) reads the opportunities rows its own filter keeps ({}); the "
    "report's filter(s) on {} do not apply to it"
)
YTD = "closed_date: year to date (2024-01-01 .. 2024-06-30)"

# Orders side of the main view, all time. Revenue 870 in total.
# Ben: orders 2 (50), 3 (200), 7 (120) = 370, 3 orders, customers k1 k2 k3, new k2 and k3.
# Ana: orders 1 (100), 4 (30), 5 (70), 10 (90) = 290, 4 orders, k1 k2 k5, new k1 only.
# Cho: order 9 (40 + 60), 11 (10) = 110, 2 orders, k5 k1, new k5.
# (no salesperson): order 8, 60, new k4. Eve: order 12, 40, k3, not new.
# The new customers add up to the 5 customers. Average order value = revenue / orders.
SALES_ROWS = [
    ("Ben", 370.0, 370 / 870, 3, 3, 2, 370 / 3),
    ("Ana", 290.0, 290 / 870, 4, 3, 1, 72.5),
    ("Cho", 110.0, 110 / 870, 2, 2, 1, 55.0),
    (None, 60.0, 60 / 870, 1, 1, 1, 60.0),
    ("Eve", 40.0, 40 / 870, 1, 1, 0, 40.0),
]


def test_salesperson_main(constructor: Any) -> None:
    frames = {"orders": constructor(SALES, DATE), "opportunities": constructor(DEALS, DEALS_SCHEMA)}
    result = builtin.get("sales.salesperson").run(frames)
    # Deals (open deal 4 counts neither way):
    # Ben: 0 won, 2 lost: win rate 0.0; no won amounts: average and median null.
    # Ana: won 1000 and 3000, lost 1: 2/3; average and median 2000.
    # Cho: won 3, lost 0: 1.0; amounts 2000, 4000 (deal 8 has none): average and median 3000.
    # (none): deal 11 has no owner either and shares the unassigned row: 1 won, 700.
    # Eve: owns no deals: null. Dee and Fay own deals but sold nothing: listed with revenue,
    # orders, customers and new customers 0 (order value 0 / 0 null), after the others
    # (revenue 0, then by name). Dee: won 5000, 1.0. Fay: lost 1, win rate 0.0.
    deals = [
        (0, 2, 0.0, None, None),
        (2, 1, 2 / 3, 2000.0, 2000.0),
        (3, 0, 1.0, 3000.0, 3000.0),
        (1, 0, 1.0, 700.0, 700.0),
        (None, None, None, None, None),
    ]
    assert_rows_equal(
        result,
        [
            *(s + d for s, d in zip(SALES_ROWS, deals, strict=True)),
            ("Dee", 0.0, 0.0, 0, 0, 0, None, 1, 0, 1.0, 5000.0, 5000.0),
            ("Fay", 0.0, 0.0, 0, 0, 0, None, 0, 1, 0.0, None, None),
        ],
    )
    assert result.notes == (
        *WITHOUT_SURVEYS,
        *(
            OWN_FILTER.format(m, f"stage = '{stage}'", "status")
            for m, stage in (
                ("won_deals", "won"),
                ("lost_deals", "lost"),
                ("average_deal_size", "won"),
                ("median_deal_size", "won"),
            )
        ),
    )


# Without a surveys table the satisfaction of acquired customers is left out, with notes.
WITHOUT_SURVEYS = (
    "rollup 'owner_satisfaction' left out: unknown source 'surveys'",
    "measure 'csat_answers' left out: the data has no source 'owner_satisfaction'",
    "measure 'csat_satisfied' left out: the data has no source 'owner_satisfaction'",
    "measure 'csat' left out: it is built on 'csat_answers' and 'csat_satisfied', left out",
)


def test_salesperson_without_opportunities(constructor: Any) -> None:
    result = builtin.get("sales.salesperson").run({"orders": constructor(SALES, DATE)})
    # The orders side only; the deal measures are left out with notes.
    assert_rows_equal(result, SALES_ROWS)
    assert result.notes == (
        WITHOUT_SURVEYS[0],
        "measure 'won_deals' left out: the data has no source 'opportunities'",
        "measure 'lost_deals' left out: the data has no source 'opportunities'",
        "measure 'average_deal_size' left out: the data has no source 'opportunities'",
        "measure 'median_deal_size' left out: the data has no source 'opportunities'",
        WITHOUT_SURVEYS[1],
        WITHOUT_SURVEYS[2],
        "measure 'win_rate' left out: it is built on 'won_deals' and 'lost_deals', left out",
        WITHOUT_SURVEYS[3],
    )


def test_salesperson_without_deal_amounts(constructor: Any) -> None:
    deals = constructor(_without(DEALS, "amount"), DEALS_SCHEMA)
    result = builtin.get("sales.salesperson").run(
        {"orders": constructor(SALES, DATE), "opportunities": deals}
    )
    # Won and lost deals and the win rate stay; the deal sizes go.
    counts = [(0, 2, 0.0), (2, 1, 2 / 3), (3, 0, 1.0), (1, 0, 1.0), (None, None, None)]
    assert_rows_equal(
        result,
        [
            *(s + c for s, c in zip(SALES_ROWS, counts, strict=True)),
            ("Dee", 0.0, 0.0, 0, 0, 0, None, 1, 0, 1.0),
            ("Fay", 0.0, 0.0, 0, 0, 0, None, 0, 1, 0.0),
        ],
    )
    assert "measure 'average_deal_size' left out: source 'opportunities' has no column " in (
        " ".join(result.notes)
    )


def test_salesperson_leaderboard(constructor: Any) -> None:
    frames = {"orders": constructor(SALES, DATE), "opportunities": constructor(DEALS, DEALS_SCHEMA)}
    result = builtin.get("sales.salesperson", view="leaderboard").run(frames, as_of="2024-06-30")
    # Sales 2024-01-01 .. 2024-06-30 with a salesperson (order 8 has none; 2023 orders out):
    # Ben 370 (new k2, k3); Ana 290 (new k1); Eve 40; Cho 10 (order 11; k5 was acquired in
    # 2023, so not new this year). Dee and Fay sold nothing: 0.
    # Deals closed this year to date: Ana won 1 (deal 2 is 2023), lost 1: 0.5. Ben lost 2:
    # 0.0. Cho won deals 7 (on as_of) and 8; deal 9 closes 07-01: 2 won, 1.0. Dee won 1: 1.0.
    # Fay's only deal closed in 2023: 0 and 0, win rate null. Eve has no deals. Deal 11 (no
    # owner) is left out with the orders without a salesperson.
    # Ranks (1 = largest, ties share the best): revenue Ben 1, Ana 2, Eve 3, Cho 4, Dee and
    # Fay 5; new customers Ben 1, Ana 2, the rest 3; win rate Cho and Dee 1, Ana 3, Ben 4.
    assert_rows_equal(
        result,
        [
            ("Ben", 370.0, 1, 2, 1, 0, 2, 0.0, 4),
            ("Ana", 290.0, 2, 1, 2, 1, 1, 0.5, 3),
            ("Eve", 40.0, 3, 0, 3, None, None, None, None),
            ("Cho", 10.0, 4, 0, 3, 2, 0, 1.0, 1),
            ("Dee", 0.0, 5, 0, 3, 1, 0, 1.0, 1),
            ("Fay", 0.0, 5, 0, 3, 0, 0, None, None),
        ],
    )
    assert result.notes == (
        "order_date: year to date (2024-01-01 .. 2024-06-30)",
        OWN_FILTER.format("won_deals", f"stage = 'won'; {YTD}", "order_date, status"),
        OWN_FILTER.format("lost_deals", f"stage = 'lost'; {YTD}", "order_date, status"),
    )


def test_salesperson_with_mapped_columns_and_values(constructor: Any) -> None:
    orders = {
        "id": [1, 2, 3],
        "order_date": [D(2024, 1, 2), D(2024, 1, 3), D(2024, 2, 1)],
        "account": ["x", "y", "x"],
        "amount": [10.0, 20.0, 30.0],
        "rep": ["Zoe", "Zoe", "Yan"],
    }
    deals = {
        "opportunity_id": [1, 2, 3],
        "deal_owner": ["Zoe", "Zoe", "Yan"],
        "phase": ["Closed Won", "Closed Lost", "Negotiation"],
        "amount": [100.0, 50.0, 70.0],
    }
    report = builtin.get(
        "sales.salesperson",
        columns={"orders": {"order_id": "id", "customer_id": "account", "salesperson": "rep"},
                 "opportunities": {"owner": "deal_owner", "stage": "phase"}},
        values={"opportunities.stage": {"Closed Won": "won", "Closed Lost": "lost"}},
    )  # fmt: skip
    result = report.run({"orders": constructor(orders, DATE), "opportunities": constructor(deals)})
    # Zoe: 10 + 20 = 30 in 2 orders to x and y, both new (their first orders). Yan: 30 to x,
    # not new. Total 60. Deals: Zoe won 100 and lost 1: 0.5; Yan's deal is open: 0 and 0, win
    # rate null, no won amount. Sorted by revenue, then name: Yan before Zoe.
    assert_rows_equal(
        result,
        [
            ("Yan", 30.0, 0.5, 1, 1, 0, 30.0, 0, 0, None, None, None),
            ("Zoe", 30.0, 0.5, 2, 2, 2, 15.0, 1, 1, 0.5, 100.0, 100.0),
        ],
    )


def test_salesperson_missing_salesperson_says_how_to_map_it() -> None:
    # Refused while the spec is checked against the columns, before any backend computes.
    orders = make_frame("pandas", _without(SALES, "salesperson"), DATE)
    with pytest.raises(SpecError) as info:
        builtin.get("sales.salesperson").run({"orders": orders})
    message = str(info.value)
    assert "unknown column 'salesperson' in source 'orders'" in message
    assert _hint("salesperson") in message


def test_salesperson_satisfaction_of_acquired_customers(constructor: Any) -> None:
    orders = constructor(
        {
            "order_id": [1, 2, 3, 4],
            "order_date": [dt.date(2024, 1, 5), dt.date(2024, 1, 6), dt.date(2024, 2, 1),
                           dt.date(2024, 2, 2)],
            "customer_id": ["a", "b", "b", "c"],
            "amount": [10.0, 20.0, 30.0, 40.0],
            "salesperson": ["Ann", "Bob", "Ann", "Ann"],
        },
        DATE,
    )  # fmt: skip
    surveys = constructor(
        {
            "survey_id": [1, 2, 3, 4, 5, 6],
            "kind": ["csat", "csat", "nps", "csat", "csat", "csat"],
            "score": [5, 3, 9, 4, 1, 7],
            "customer_id": ["a", "a", "a", "b", "z", "a"],
        }
    )
    result = builtin.get("sales.salesperson").run({"orders": orders, "surveys": surveys})
    # Owners (salesperson of the first sale): a Ann, b Bob (his Jan 6 sale, before Ann's),
    # c Ann. CSAT answers on 1-5 of their customers: Ann's a: 5 and 3 (the nps 9 and the
    # out-of-scale 7 are not CSAT answers) -> 1 of 2 satisfied, 0.5; c answered nothing.
    # Bob's b: 4 -> 1 of 1, 1.0. z never bought: no owner, left out.
    rows = {r["salesperson"]: r for r in frame_to_rows(result)}
    assert (rows["Ann"]["csat_answers"], rows["Ann"]["csat_satisfied"], rows["Ann"]["csat"]) == (
        2,
        1,
        0.5,
    )
    assert (rows["Bob"]["csat_answers"], rows["Bob"]["csat_satisfied"], rows["Bob"]["csat"]) == (
        1,
        1,
        1.0,
    )
