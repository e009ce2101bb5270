"""The built-in customer reports: customers.profile, .loyalty, .value and .churn, every view.

Each fixture is written out below and every expected value is worked out by hand in the
comments (never taken from the code under test), then checked on every input backend.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from crmreports import SpecError, builtin
from tests.helpers import assert_rows_equal

D = dt.date

# --- customers.profile -----------------------------------------------------------------------

# Eight customers. Ages sit on the band bounds: 24 (<25), 25 and 34 (25-34), 35 (35-44),
# 45 (45-54), 64 (55-64), 65 (65+) and one unknown.
PROFILE = {
    "customer_id": ["c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8"],
    "region": ["North", "North", "South", None, "West", "North", "South", "West"],
    "segment": ["Consumer", "SMB", "Enterprise", "SMB", "Consumer", "Consumer", "SMB",
                "Consumer"],
    "industry": [None, "Retail", "Finance", "Retail", None, None, "Finance", None],
    "signup_date": [D(2024, 1, 15), D(2024, 1, 31), D(2024, 3, 1), D(2024, 3, 31), None,
                    D(2024, 1, 1), D(2024, 4, 10), D(2024, 1, 20)],
    "age": [24, 25, 34, 35, 64, 65, None, 45],
    "gender": ["F", "M", "F", None, "X", "F", "M", "F"],
}  # fmt: skip
PROFILE_SCHEMA = {"signup_date": pa.date32(), "age": pa.int64()}


def _profile(constructor, view: str = "main", **kwargs):
    customers = constructor(PROFILE, PROFILE_SCHEMA)
    return builtin.get("customers.profile", view=view, **kwargs).run({"customers": customers})


def test_profile_by_region(constructor) -> None:
    # North c1 c2 c6 = 3 (3/8), South c3 c7 = 2, West c5 c8 = 2, no region c4 = 1. Largest
    # first; the South/West tie is broken by the region, the null group comes last.
    assert_rows_equal(
        _profile(constructor),
        [
            {"region": "North", "customers": 3, "customer_share": 0.375},
            {"region": "South", "customers": 2, "customer_share": 0.25},
            {"region": "West", "customers": 2, "customer_share": 0.25},
            {"region": None, "customers": 1, "customer_share": 0.125},
        ],
    )


def test_profile_by_segment(constructor) -> None:
    # Consumer c1 c5 c6 c8 = 4, SMB c2 c4 c7 = 3, Enterprise c3 = 1; of 8.
    assert_rows_equal(
        _profile(constructor, "by_segment"),
        [
            {"segment": "Consumer", "customers": 4, "customer_share": 0.5},
            {"segment": "SMB", "customers": 3, "customer_share": 0.375},
            {"segment": "Enterprise", "customers": 1, "customer_share": 0.125},
        ],
    )


def test_profile_by_industry(constructor) -> None:
    # Finance: c3 Enterprise, c7 SMB (half of Finance each). Retail: c2, c4 both SMB (all of
    # Retail). No industry: c1 c5 c6 c8, all Consumer (all of the null industry).
    assert_rows_equal(
        _profile(constructor, "by_industry"),
        [
            {"industry": "Finance", "segment": "Enterprise", "customers": 1,
             "customer_share": 0.125, "share_of_industry": 0.5},
            {"industry": "Finance", "segment": "SMB", "customers": 1,
             "customer_share": 0.125, "share_of_industry": 0.5},
            {"industry": "Retail", "segment": "SMB", "customers": 2,
             "customer_share": 0.25, "share_of_industry": 1.0},
            {"industry": None, "segment": "Consumer", "customers": 4,
             "customer_share": 0.5, "share_of_industry": 1.0},
        ],
    )  # fmt: skip


def test_profile_by_age_band_bounds_and_unknown_age(constructor) -> None:
    # <25: 24 (c1). 25-34: 25 (c2) and 34 (c3). 35-44: 35 (c4). 45-54: 45 (c8).
    # 55-64: 64 (c5). 65+: 65 (c6). Unknown: c7, the null band last.
    assert_rows_equal(
        _profile(constructor, "by_age"),
        [
            {"age_band": "<25", "customers": 1, "customer_share": 0.125},
            {"age_band": "25-34", "customers": 2, "customer_share": 0.25},
            {"age_band": "35-44", "customers": 1, "customer_share": 0.125},
            {"age_band": "45-54", "customers": 1, "customer_share": 0.125},
            {"age_band": "55-64", "customers": 1, "customer_share": 0.125},
            {"age_band": "65+", "customers": 1, "customer_share": 0.125},
            {"age_band": None, "customers": 1, "customer_share": 0.125},
        ],
    )


def test_profile_by_gender(constructor) -> None:
    # F c1 c3 c6 c8 = 4, M c2 c7 = 2, X c5 = 1, not recorded c4 = 1 (nulls last in the tie).
    assert_rows_equal(
        _profile(constructor, "by_gender"),
        [
            {"gender": "F", "customers": 4, "customer_share": 0.5},
            {"gender": "M", "customers": 2, "customer_share": 0.25},
            {"gender": "X", "customers": 1, "customer_share": 0.125},
            {"gender": None, "customers": 1, "customer_share": 0.125},
        ],
    )


def test_profile_by_signup_month_fills_gaps(constructor) -> None:
    # January: c1 (15th), c2 (31st), c6 (1st), c8 = 4. February: none, listed with 0.
    # March: c3 (1st), c4 (31st) = 2. April: c7 = 1. No signup date: c5, in a null month
    # with no running total. Running: 4, 4, 6, 7.
    assert_rows_equal(
        _profile(constructor, "by_signup_month"),
        [
            {"month": D(2024, 1, 1), "new_customers": 4, "customer_share": 0.5,
             "customers_to_date": 4},
            {"month": D(2024, 2, 1), "new_customers": 0, "customer_share": 0.0,
             "customers_to_date": 4},
            {"month": D(2024, 3, 1), "new_customers": 2, "customer_share": 0.25,
             "customers_to_date": 6},
            {"month": D(2024, 4, 1), "new_customers": 1, "customer_share": 0.125,
             "customers_to_date": 7},
            {"month": None, "new_customers": 1, "customer_share": 0.125,
             "customers_to_date": None},
        ],
    )  # fmt: skip


def test_profile_mapping_of_columns_and_values(constructor) -> None:
    data = {"cust": PROFILE["customer_id"], "area": ["N", "N", "S", None, "W", "N", "S", "W"]}
    customers = constructor(data)
    report = builtin.get(
        "customers.profile",
        columns={"customers": {"region": "area"}},
        values={"customers.region": {"N": "North", "S": "South"}},
    )
    # N -> North (3), S -> South (2); W is not listed, so it stays W (2); null stays null.
    assert_rows_equal(
        report.run({"customers": customers}),
        [
            {"region": "North", "customers": 3, "customer_share": 0.375},
            {"region": "South", "customers": 2, "customer_share": 0.25},
            {"region": "W", "customers": 2, "customer_share": 0.25},
            {"region": None, "customers": 1, "customer_share": 0.125},
        ],
    )


def test_profile_missing_column_says_how_to_map(constructor) -> None:
    customers = constructor({"customer_id": ["c1"], "area": ["North"]})
    with pytest.raises(SpecError) as info:
        builtin.get("customers.profile").run({"customers": customers})
    message = str(info.value)
    assert "unknown column 'region' in source 'customers'" in message
    assert "columns={'customers': {'region': '<your column>'}}" in message


# --- orders shared by customers.loyalty -----------------------------------------------------

# As of 2024-06-30. Won orders per customer:
#   a: order 1 (two lines, 60 + 40) 01-10, order 2 (50) 01-20, order 3 (30) 04-05 -> 3 orders
#   b: order 4 (200) 02-01 -> 1 order
#   c: orders 5 (10) and 6 (20), both 03-03 -> 2 orders on one purchase day
#   d: orders 7-11 (10 each) on the 5th of January to May -> 5 orders
#   e: order 12 cancelled (not a sale), order 13 on 07-15, after as_of -> no counted order
#   f: order 14 (5) 02-10, order 15 (5) 06-30 (as_of itself), order 16 lost (not a sale)
#   g: orders 17-20 (1 each) 04-01, 04-02, 04-03, 06-29 -> 4 orders
#   h: order 21 (25) 2023-07-15 -> 1 order
LOYALTY_ORDERS = {
    "order_id": [1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21],
    "customer_id": ["a", "a", "a", "a", "b", "c", "c", "d", "d", "d", "d", "d", "e", "e",
                    "f", "f", "f", "g", "g", "g", "g", "h"],
    "order_date": [D(2024, 1, 10), D(2024, 1, 10), D(2024, 1, 20), D(2024, 4, 5),
                   D(2024, 2, 1), D(2024, 3, 3), D(2024, 3, 3), D(2024, 1, 5), D(2024, 2, 5),
                   D(2024, 3, 5), D(2024, 4, 5), D(2024, 5, 5), D(2024, 5, 1), D(2024, 7, 15),
                   D(2024, 2, 10), D(2024, 6, 30), D(2024, 6, 1), D(2024, 4, 1), D(2024, 4, 2),
                   D(2024, 4, 3), D(2024, 6, 29), D(2023, 7, 15)],
    "amount": [60.0, 40.0, 50.0, 30.0, 200.0, 10.0, 20.0, 10.0, 10.0, 10.0, 10.0, 10.0,
               999.0, 70.0, 5.0, 5.0, 500.0, 1.0, 1.0, 1.0, 1.0, 25.0],
    "status": ["won", "won", "won", "won", "won", "won", "won", "won", "won", "won", "won",
               "won", "cancelled", "won", "won", "won", "lost", "won", "won", "won", "won",
               "won"],
}  # fmt: skip
LOYALTY_SCHEMA = {"order_date": pa.date32()}
AS_OF = "2024-06-30"

# Customers per band: 1 order b (200), h (25); 2 orders c (30), f (10); 3 orders a (180);
# 4 orders g (4); 5 orders d (50). 7 customers, revenue 499.
LOYALTY_MAIN = [
    {"orders_band": "1", "customers": 2, "customer_share": 2 / 7, "orders": 2,
     "revenue": 225.0, "revenue_share": 225 / 499},
    {"orders_band": "2", "customers": 2, "customer_share": 2 / 7, "orders": 4,
     "revenue": 40.0, "revenue_share": 40 / 499},
    {"orders_band": "3", "customers": 1, "customer_share": 1 / 7, "orders": 3,
     "revenue": 180.0, "revenue_share": 180 / 499},
    {"orders_band": "4", "customers": 1, "customer_share": 1 / 7, "orders": 4,
     "revenue": 4.0, "revenue_share": 4 / 499},
    {"orders_band": "5+", "customers": 1, "customer_share": 1 / 7, "orders": 5,
     "revenue": 50.0, "revenue_share": 50 / 499},
]  # fmt: skip


def test_loyalty_order_count_distribution(constructor) -> None:
    orders = constructor(LOYALTY_ORDERS, LOYALTY_SCHEMA)
    result = builtin.get("customers.loyalty").run({"orders": orders}, as_of=AS_OF)
    assert_rows_equal(result, LOYALTY_MAIN)


def test_loyalty_repeat_rate_by_quarter(constructor) -> None:
    orders = constructor(LOYALTY_ORDERS, LOYALTY_SCHEMA)
    result = builtin.get("customers.loyalty", view="repeat_rate").run(
        {"orders": orders}, as_of=AS_OF
    )
    # 2023-Q3: h, 1 order -> 1 buyer, 0 repeat, rate 0.
    # 2023-Q4: no orders, listed (fill) with 0 and 0 -> rate null (empty denominator).
    # 2024-Q1: a (orders 1, 2), b (4), c (5, 6), d (7, 8, 9), f (14) -> 5 buyers; repeat a,
    #   c, d -> 3/5. 2024-Q2: a (3), d (10, 11), f (15 on as_of), g (17-20) -> 4 buyers;
    #   repeat d, g -> 2/4. e's orders: one cancelled, one after as_of (Q3 is not listed).
    assert_rows_equal(
        result,
        [
            {"quarter": D(2023, 7, 1), "customers": 1, "repeat_customers": 0, "repeat_rate": 0.0},
            {"quarter": D(2023, 10, 1), "customers": 0, "repeat_customers": 0,
             "repeat_rate": None},
            {"quarter": D(2024, 1, 1), "customers": 5, "repeat_customers": 3, "repeat_rate": 0.6},
            {"quarter": D(2024, 4, 1), "customers": 4, "repeat_customers": 2, "repeat_rate": 0.5},
        ],
    )  # fmt: skip


def test_loyalty_interval_between_purchases(constructor) -> None:
    orders = constructor(LOYALTY_ORDERS, LOYALTY_SCHEMA)
    result = builtin.get("customers.loyalty", view="interval").run({"orders": orders}, as_of=AS_OF)
    # Purchase days, first -> last, mean gap = days / (purchase days - 1):
    #   a: 3 days, 01-10 -> 04-05 = 86 days -> 43
    #   d: 5 days, 01-05 -> 05-05 = 121 days -> 30.25
    #   f: 2 days, 02-10 -> 06-30 = 141 days -> 141
    #   g: 4 days, 04-01 -> 06-29 = 89 days -> 29.6667
    #   b, h (one order) and c (two orders on one day): one purchase day, left out.
    # 7 buyers, 4 returning. Mean (43 + 30.25 + 141 + 89/3) / 4; median (30.25 + 43) / 2.
    assert_rows_equal(
        result,
        [
            {
                "customers": 7,
                "returning_customers": 4,
                "returning_share": 4 / 7,
                "mean_interval": (43 + 30.25 + 141 + 89 / 3) / 4,
                "median_interval": 36.625,
            }
        ],
    )


SURVEYS = {
    "survey_id": ["s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9"],
    "kind": ["csat", "csat", "nps", "csat", "csat", "csat", "csat", "csat", "csat"],
    "score": [5, 3, 9, 4, 2, 5, 1, None, 4],
    "customer_id": ["a", "a", "a", "b", "d", "e", "g", "b", None],
    "answered_date": [D(2024, 5, 1), D(2024, 6, 1), D(2024, 6, 2), D(2024, 3, 1),
                      D(2024, 6, 10), D(2024, 5, 2), D(2024, 7, 5), D(2024, 4, 1),
                      D(2024, 4, 1)],
}  # fmt: skip
SURVEYS_SCHEMA = {"score": pa.int64(), "answered_date": pa.date32()}


def test_loyalty_rating_by_order_band(constructor) -> None:
    orders = constructor(LOYALTY_ORDERS, LOYALTY_SCHEMA)
    surveys = constructor(SURVEYS, SURVEYS_SCHEMA)
    result = builtin.get("customers.loyalty", view="rating").run(
        {"orders": orders, "surveys": surveys}, as_of=AS_OF
    )
    # Kept: CSAT answers with a score, answered by 06-30: s1, s2 (a, 3 orders), s4 (b, 1),
    # s5 (d, 5+), s6 (e: no counted order) and s9 (no customer) -> null band.
    # s3 is NPS, s7 answered after as_of, s8 has no score.
    #   1: s4 (4) -> avg 4, satisfied 1/1.  3: s1, s2 (5, 3) -> avg 4, satisfied 1/2.
    #   5+: s5 (2) -> avg 2, satisfied 0.   null: s6, s9 (5, 4) -> avg 4.5, satisfied 2/2,
    #   1 customer (s9 has none).
    assert_rows_equal(
        result,
        [
            {"orders_band": "1", "answers": 1, "customers": 1, "avg_csat": 4.0, "satisfied": 1,
             "csat_rate": 1.0},
            {"orders_band": "3", "answers": 2, "customers": 1, "avg_csat": 4.0, "satisfied": 1,
             "csat_rate": 0.5},
            {"orders_band": "5+", "answers": 1, "customers": 1, "avg_csat": 2.0, "satisfied": 0,
             "csat_rate": 0.0},
            {"orders_band": None, "answers": 2, "customers": 1, "avg_csat": 4.5, "satisfied": 2,
             "csat_rate": 1.0},
        ],
    )  # fmt: skip


def test_loyalty_rating_without_answered_date_counts_every_answer(constructor) -> None:
    orders = constructor(LOYALTY_ORDERS, LOYALTY_SCHEMA)
    no_date = {k: v for k, v in SURVEYS.items() if k != "answered_date"}
    surveys = constructor(no_date, {"score": pa.int64()})
    result = builtin.get("customers.loyalty", view="rating").run(
        {"orders": orders, "surveys": surveys}, as_of=AS_OF
    )
    # Now s7 (g, 4 orders, score 1) counts too: band 4 -> 1 answer, avg 1, satisfied 0.
    assert_rows_equal(
        result,
        [
            {"orders_band": "1", "answers": 1, "customers": 1, "avg_csat": 4.0, "satisfied": 1,
             "csat_rate": 1.0},
            {"orders_band": "3", "answers": 2, "customers": 1, "avg_csat": 4.0, "satisfied": 1,
             "csat_rate": 0.5},
            {"orders_band": "4", "answers": 1, "customers": 1, "avg_csat": 1.0, "satisfied": 0,
             "csat_rate": 0.0},
            {"orders_band": "5+", "answers": 1, "customers": 1, "avg_csat": 2.0, "satisfied": 0,
             "csat_rate": 0.0},
            {"orders_band": None, "answers": 2, "customers": 1, "avg_csat": 4.5, "satisfied": 2,
             "csat_rate": 1.0},
        ],
    )  # fmt: skip
    assert "filter 3 skipped: source 'surveys' has no column 'answered_date'" in result.notes


def test_loyalty_without_status_counts_every_row(constructor) -> None:
    no_status = {k: v for k, v in LOYALTY_ORDERS.items() if k != "status"}
    orders = constructor(no_status, LOYALTY_SCHEMA)
    result = builtin.get("customers.loyalty").run({"orders": orders}, as_of=AS_OF)
    # Every row is a sale: e gets order 12 (999; 13 is after as_of) -> band 1; f gets order 16
    # (500) -> 3 orders, revenue 510. Band 1: b, h, e = 1224; band 2: c = 30; band 3: a, f =
    # 690. 8 customers, revenue 1224 + 30 + 690 + 4 + 50 = 1998.
    assert_rows_equal(
        result,
        [
            {"orders_band": "1", "customers": 3, "customer_share": 3 / 8, "orders": 3,
             "revenue": 1224.0, "revenue_share": 1224 / 1998},
            {"orders_band": "2", "customers": 1, "customer_share": 1 / 8, "orders": 2,
             "revenue": 30.0, "revenue_share": 30 / 1998},
            {"orders_band": "3", "customers": 2, "customer_share": 2 / 8, "orders": 6,
             "revenue": 690.0, "revenue_share": 690 / 1998},
            {"orders_band": "4", "customers": 1, "customer_share": 1 / 8, "orders": 4,
             "revenue": 4.0, "revenue_share": 4 / 1998},
            {"orders_band": "5+", "customers": 1, "customer_share": 1 / 8, "orders": 5,
             "revenue": 50.0, "revenue_share": 50 / 1998},
        ],
    )  # fmt: skip
    assert result.notes == (
        "rollup 'customer_orders': filter 1 skipped: source 'orders' has no column 'status'",
    )


def test_loyalty_mapping_of_columns_and_values(constructor) -> None:
    renamed = {
        "OrderNo": LOYALTY_ORDERS["order_id"],
        "Account": LOYALTY_ORDERS["customer_id"],
        "Placed": LOYALTY_ORDERS["order_date"],
        "Total": LOYALTY_ORDERS["amount"],
        "State": [{"won": "Closed Won", "lost": "Closed Lost"}.get(s, s)
                  for s in LOYALTY_ORDERS["status"]],
    }  # fmt: skip
    orders = constructor(renamed, {"Placed": pa.date32()})
    report = builtin.get(
        "customers.loyalty",
        columns={"orders": {"order_id": "OrderNo", "customer_id": "Account",
                            "order_date": "Placed", "amount": "Total", "status": "State"}},
        values={"orders.status": {"Closed Won": "won", "Closed Lost": "lost"}},
    )  # fmt: skip
    # The same data under other names: the same result as the unmapped run.
    assert_rows_equal(report.run({"orders": orders}, as_of=AS_OF), LOYALTY_MAIN)


def test_loyalty_missing_required_column_says_how_to_map(constructor) -> None:
    data = {k: v for k, v in LOYALTY_ORDERS.items() if k != "order_date"}
    with pytest.raises(SpecError) as info:
        builtin.get("customers.loyalty").run({"orders": constructor(data)}, as_of=AS_OF)
    message = str(info.value)
    assert "unknown column 'order_date'" in message
    assert "columns={'orders': {'order_date': '<your column>'}}" in message


# --- customers.value -------------------------------------------------------------------------

# As of 2024-06-30. Won orders per customer (recency = days from the last one to 06-30):
#   p: 03-01, 04-01, 05-01, 06-25 (100 each)  -> R 5 days,   F 4, M 400
#   q: 01-10, 06-25 (50 each)                 -> R 5 (a tie with p), F 2, M 100
#   r: 06-01 (300)                            -> R 29,       F 1, M 300
#   s: 02-01, 05-10, 05-15 (20 each)          -> R 46,       F 3, M 60
#   t: 03-31 (1000)                           -> R 91,       F 1, M 1000
#   u: 2023-11-30, 2023-12-31 (10 each)       -> R 182,      F 2, M 20
#   v: 2023-06-30 (5)                         -> R 366 (2024 is a leap year), F 1, M 5
#   w: 01-01 (30), 06-10 (two lines of one order, 100 + 40) -> R 20, F 2, M 170
#   x: one cancelled order 06-29 (not a sale); y: one order 07-02 (after as_of).
VALUE_ORDERS = {
    "order_id": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 16, 17, 18],
    "customer_id": ["p", "p", "p", "p", "q", "q", "r", "s", "s", "s", "t", "u", "u", "v",
                    "w", "w", "w", "x", "y"],
    "order_date": [D(2024, 3, 1), D(2024, 4, 1), D(2024, 5, 1), D(2024, 6, 25),
                   D(2024, 1, 10), D(2024, 6, 25), D(2024, 6, 1), D(2024, 2, 1),
                   D(2024, 5, 10), D(2024, 5, 15), D(2024, 3, 31), D(2023, 11, 30),
                   D(2023, 12, 31), D(2023, 6, 30), D(2024, 1, 1), D(2024, 6, 10),
                   D(2024, 6, 10), D(2024, 6, 29), D(2024, 7, 2)],
    "amount": [100.0, 100.0, 100.0, 100.0, 50.0, 50.0, 300.0, 20.0, 20.0, 20.0, 1000.0, 10.0,
               10.0, 5.0, 30.0, 100.0, 40.0, 999.0, 70.0],
    "status": ["won"] * 17 + ["cancelled", "won"],
}  # fmt: skip
VALUE_SCHEMA = {"order_date": pa.date32()}

# n = 8 scored customers; score = 1 + floor(5 * behind / 8).
# R (behind = customers with a larger recency): p, q 6 -> 4 (the tie at the top scores 4);
#   w 5 -> 4; r 4 -> 3; s 3 -> 2; t 2 -> 2; u 1 -> 1; v 0 -> 1.
# F (behind = customers with fewer orders): p 7 -> 5; s 6 -> 4; q, u, w 3 -> 2;
#   r, t, v 0 -> 1 (the one-order customers tie at the bottom).
# M (behind = customers with less revenue): t 7 -> 5; p 6 -> 4; r 5 -> 4; w 4 -> 3;
#   q 3 -> 2; s 2 -> 2; u 1 -> 1; v 0 -> 1.
# Segments (R * 10 + F): p 45 Loyal; q, w 42 Potential Loyalists; r 31 About to Sleep;
#   s 24 At Risk; t 21, u 12, v 11 Hibernating.
VALUE_CUSTOMERS = [
    {"customer_id": "t", "segment": "Hibernating", "recency": 91, "frequency": 1,
     "monetary": 1000.0, "r_score": 2, "f_score": 1, "m_score": 5},
    {"customer_id": "p", "segment": "Loyal", "recency": 5, "frequency": 4,
     "monetary": 400.0, "r_score": 4, "f_score": 5, "m_score": 4},
    {"customer_id": "r", "segment": "About to Sleep", "recency": 29, "frequency": 1,
     "monetary": 300.0, "r_score": 3, "f_score": 1, "m_score": 4},
    {"customer_id": "w", "segment": "Potential Loyalists", "recency": 20, "frequency": 2,
     "monetary": 170.0, "r_score": 4, "f_score": 2, "m_score": 3},
    {"customer_id": "q", "segment": "Potential Loyalists", "recency": 5, "frequency": 2,
     "monetary": 100.0, "r_score": 4, "f_score": 2, "m_score": 2},
    {"customer_id": "s", "segment": "At Risk", "recency": 46, "frequency": 3,
     "monetary": 60.0, "r_score": 2, "f_score": 4, "m_score": 2},
    {"customer_id": "u", "segment": "Hibernating", "recency": 182, "frequency": 2,
     "monetary": 20.0, "r_score": 1, "f_score": 2, "m_score": 1},
    {"customer_id": "v", "segment": "Hibernating", "recency": 366, "frequency": 1,
     "monetary": 5.0, "r_score": 1, "f_score": 1, "m_score": 1},
]  # fmt: skip


def test_value_segments(constructor) -> None:
    orders = constructor(VALUE_ORDERS, VALUE_SCHEMA)
    result = builtin.get("customers.value").run({"orders": orders}, as_of=AS_OF)
    # Revenue: 400 + 100 + 300 + 60 + 1000 + 20 + 5 + 170 = 2055. Largest revenue first:
    # Hibernating t u v: 1025, recency (91 + 182 + 366) / 3 = 213, frequency 4/3.
    # Loyal p: 400. About to Sleep r: 300. Potential Loyalists q w: 270, recency 12.5.
    # At Risk s: 60.
    assert_rows_equal(
        result,
        [
            {"segment": "Hibernating", "customers": 3, "customer_share": 3 / 8,
             "revenue": 1025.0, "revenue_share": 1025 / 2055, "avg_recency": 213.0,
             "avg_frequency": 4 / 3, "avg_monetary": 1025 / 3},
            {"segment": "Loyal", "customers": 1, "customer_share": 1 / 8,
             "revenue": 400.0, "revenue_share": 400 / 2055, "avg_recency": 5.0,
             "avg_frequency": 4.0, "avg_monetary": 400.0},
            {"segment": "About to Sleep", "customers": 1, "customer_share": 1 / 8,
             "revenue": 300.0, "revenue_share": 300 / 2055, "avg_recency": 29.0,
             "avg_frequency": 1.0, "avg_monetary": 300.0},
            {"segment": "Potential Loyalists", "customers": 2, "customer_share": 2 / 8,
             "revenue": 270.0, "revenue_share": 270 / 2055, "avg_recency": 12.5,
             "avg_frequency": 2.0, "avg_monetary": 135.0},
            {"segment": "At Risk", "customers": 1, "customer_share": 1 / 8,
             "revenue": 60.0, "revenue_share": 60 / 2055, "avg_recency": 46.0,
             "avg_frequency": 3.0, "avg_monetary": 60.0},
        ],
    )  # fmt: skip


def test_value_rf_grid(constructor) -> None:
    orders = constructor(VALUE_ORDERS, VALUE_SCHEMA)
    result = builtin.get("customers.value", view="rf_grid").run({"orders": orders}, as_of=AS_OF)
    # Cells (R, F): (1,1) v 5; (1,2) u 20; (2,1) t 1000; (2,4) s 60; (3,1) r 300;
    # (4,2) q, w 270; (4,5) p 400. Of 8 customers and 2055 revenue.
    assert_rows_equal(
        result,
        [
            {"r_score": 1, "f_score": 1, "customers": 1, "customer_share": 1 / 8,
             "revenue": 5.0, "revenue_share": 5 / 2055},
            {"r_score": 1, "f_score": 2, "customers": 1, "customer_share": 1 / 8,
             "revenue": 20.0, "revenue_share": 20 / 2055},
            {"r_score": 2, "f_score": 1, "customers": 1, "customer_share": 1 / 8,
             "revenue": 1000.0, "revenue_share": 1000 / 2055},
            {"r_score": 2, "f_score": 4, "customers": 1, "customer_share": 1 / 8,
             "revenue": 60.0, "revenue_share": 60 / 2055},
            {"r_score": 3, "f_score": 1, "customers": 1, "customer_share": 1 / 8,
             "revenue": 300.0, "revenue_share": 300 / 2055},
            {"r_score": 4, "f_score": 2, "customers": 2, "customer_share": 2 / 8,
             "revenue": 270.0, "revenue_share": 270 / 2055},
            {"r_score": 4, "f_score": 5, "customers": 1, "customer_share": 1 / 8,
             "revenue": 400.0, "revenue_share": 400 / 2055},
        ],
    )  # fmt: skip


def test_value_customers_table(constructor) -> None:
    orders = constructor(VALUE_ORDERS, VALUE_SCHEMA)
    result = builtin.get("customers.value", view="customers").run({"orders": orders}, as_of=AS_OF)
    assert_rows_equal(result, VALUE_CUSTOMERS)  # largest monetary first


def test_value_segment_map_parameter(constructor) -> None:
    # Two segments: R 4-5 with F 4-5 are "Best", every other code "Rest".
    best = [44, 45, 54, 55]
    rest = [r * 10 + f for r in range(1, 6) for f in range(1, 6) if r * 10 + f not in best]
    params = {"segment_map": {"Best": best, "Rest": rest}}
    orders = constructor(VALUE_ORDERS, VALUE_SCHEMA)
    result = builtin.get("customers.value", params=params).run({"orders": orders}, as_of=AS_OF)
    # Best: p (45) only -> 400. Rest: the 7 others -> 1655, recency
    # (5 + 29 + 46 + 91 + 182 + 366 + 20) / 7 = 739 / 7, frequency (2+1+3+1+2+1+2) / 7 = 12/7.
    assert_rows_equal(
        result,
        [
            {"segment": "Rest", "customers": 7, "customer_share": 7 / 8,
             "revenue": 1655.0, "revenue_share": 1655 / 2055, "avg_recency": 739 / 7,
             "avg_frequency": 12 / 7, "avg_monetary": 1655 / 7},
            {"segment": "Best", "customers": 1, "customer_share": 1 / 8,
             "revenue": 400.0, "revenue_share": 400 / 2055, "avg_recency": 5.0,
             "avg_frequency": 4.0, "avg_monetary": 400.0},
        ],
    )  # fmt: skip
    table = builtin.get("customers.value", view="customers", params=params)
    rows = table.run({"orders": orders}, as_of=AS_OF)
    expected = [{**row, "segment": "Best" if row["customer_id"] == "p" else "Rest"}
                for row in VALUE_CUSTOMERS]  # fmt: skip
    assert_rows_equal(rows, expected)


def test_value_views_share_one_segment_map() -> None:
    """builtin.get(params={"segment_map": ...}) replaces the groups of every dimension named
    `segment`: every view showing segments must start from the same map."""
    main = next(d for d in builtin.get("customers.value").dimensions if d.name == "segment")
    for view in builtin.views("customers.value"):
        for d in builtin.get("customers.value", view=view).dimensions:
            if d.expr == main.expr:
                assert d.name == "segment" and d.groups == main.groups, view


def test_value_without_status_scores_every_row(constructor) -> None:
    no_status = {k: v for k, v in VALUE_ORDERS.items() if k != "status"}
    orders = constructor(no_status, VALUE_SCHEMA)
    result = builtin.get("customers.value", view="customers").run({"orders": orders}, as_of=AS_OF)
    # x's cancelled order (06-29, 999) now counts: recency 1, F 1, M 999; n = 9.
    # R: every other customer has a larger recency, 8 behind -> 1 + floor(40/9) = 5.
    # F: no one has fewer orders -> 1. M: only t (1000) has more, 7 behind -> 1 + 3 = 4.
    # Segment 51: New. x sorts second, after t.
    rows = result.to_arrow().to_pylist()
    assert len(rows) == 9 and rows[0]["customer_id"] == "t"
    assert_rows_equal(
        [rows[1]],
        [{"customer_id": "x", "segment": "New", "recency": 1, "frequency": 1,
          "monetary": 999.0, "r_score": 5, "f_score": 1, "m_score": 4}],
    )  # fmt: skip
    assert result.notes == (
        "rollup 'customer_rfm': filter 1 skipped: source 'orders' has no column 'status'",
    )


def test_value_mapping_and_missing_column(constructor) -> None:
    renamed = {**{k: v for k, v in VALUE_ORDERS.items() if k != "amount"},
               "net": VALUE_ORDERS["amount"],
               "status": ["W" if s == "won" else "C" for s in VALUE_ORDERS["status"]]}  # fmt: skip
    orders = constructor(renamed, VALUE_SCHEMA)
    report = builtin.get(
        "customers.value",
        view="customers",
        columns={"amount": "net"},
        values={"status": {"W": "won", "C": "cancelled"}},
    )
    assert_rows_equal(report.run({"orders": orders}, as_of=AS_OF), VALUE_CUSTOMERS)
    with pytest.raises(SpecError) as info:
        builtin.get("customers.value").run({"orders": orders}, as_of=AS_OF)
    assert "columns={'orders': {'amount': '<your column>'}}" in str(info.value)


# --- customers.churn -------------------------------------------------------------------------

# As of 2024-06-30. Won orders (first -> last) and the loss day last + 90 (+ 30):
#   A: 01-10 (100)                            -> lost 04-09 (02-09)
#   B: 01-20 (200), 02-28 (20), 05-15 (50)    -> 08-13 > as_of: active (06-14)
#   C: 02-05 (30), 02-20 (70)                 -> lost 05-20 (03-21)
#   D: 03-03 (40)                             -> lost 06-01 (04-02)
#   E: 2023-12-15 (500), 2024-01-05 (15), and 04-01 cancelled (999)
#                                             -> lost 04-04 (02-04); with the cancelled
#                                                order as a sale: 06-30, as_of itself
#   F: 06-20 (60)                             -> 09-18: active (07-20: active)
#   G: 07-05 (1000), after as_of              -> not counted at all
#   I: 03-01 (10)                             -> lost 05-30 (03-31, its first month)
#   J: 02-01 (80)                             -> lost 05-01 (03-02)
CHURN_ORDERS = {
    "order_id": list(range(1, 15)),
    "customer_id": ["A", "B", "B", "B", "C", "C", "D", "E", "E", "E", "F", "G", "I", "J"],
    "order_date": [D(2024, 1, 10), D(2024, 1, 20), D(2024, 2, 28), D(2024, 5, 15),
                   D(2024, 2, 5), D(2024, 2, 20), D(2024, 3, 3), D(2023, 12, 15),
                   D(2024, 1, 5), D(2024, 4, 1), D(2024, 6, 20), D(2024, 7, 5),
                   D(2024, 3, 1), D(2024, 2, 1)],
    "status": ["won"] * 9 + ["cancelled"] + ["won"] * 4,
    "amount": [100.0, 200.0, 20.0, 50.0, 30.0, 70.0, 40.0, 500.0, 15.0, 999.0, 60.0, 1000.0,
               10.0, 80.0],
}  # fmt: skip
CHURN_SCHEMA = {"order_date": pa.date32()}
# Segments; J is missing from the table, G and H have no counted order.
CHURN_CUSTOMERS = {
    "customer_id": ["A", "B", "C", "D", "E", "F", "G", "H", "I"],
    "segment": ["SMB", "SMB", "SMB", "Consumer", "Consumer", "Consumer", "Consumer",
                "Enterprise", "Consumer"],
    "signup_date": [D(2024, 1, 10), D(2024, 1, 20), D(2024, 2, 5), D(2024, 3, 3),
                    D(2023, 12, 15), None, D(2024, 7, 5), D(2024, 2, 10), D(2024, 3, 1)],
    "churned_date": [None, D(2024, 3, 5), D(2024, 2, 25), D(2024, 6, 30), D(2024, 7, 10),
                     D(2024, 4, 1), None, D(2024, 1, 15), None],
    "churn_reason": [None, "price", "service", "price", "competitor", None, None, "moved",
                     None],
}  # fmt: skip
CUSTOMERS_SCHEMA = {"signup_date": pa.date32(), "churned_date": pa.date32()}


def _churn_row(month, at_start, new, lost, rate):
    return {"month": month, "customers_at_start": at_start, "new_customers": new,
            "lost_customers": lost, "churn_rate": rate}  # fmt: skip


def test_churn_from_inactivity(constructor) -> None:
    orders = constructor(CHURN_ORDERS, CHURN_SCHEMA)
    result = builtin.get("customers.churn").run({"orders": orders}, as_of=AS_OF)
    # Acquired: Dec E; Jan A, B; Feb C, J; Mar D, I; Jun F (8). Lost: Apr E (04-04), A (04-09);
    # May J, C, I; Jun D. At start = acquired before the month - lost before it.
    assert_rows_equal(
        result,
        [
            _churn_row(D(2023, 12, 1), 0, 1, 0, None),  # nobody at the start: null
            _churn_row(D(2024, 1, 1), 1, 2, 0, 0.0),
            _churn_row(D(2024, 2, 1), 3, 2, 0, 0.0),
            _churn_row(D(2024, 3, 1), 5, 2, 0, 0.0),
            _churn_row(D(2024, 4, 1), 7, 0, 2, 2 / 7),  # E, A of all 7
            _churn_row(D(2024, 5, 1), 5, 0, 3, 3 / 5),  # B C D I J; J, C, I lost
            _churn_row(D(2024, 6, 1), 2, 1, 1, 0.5),  # B, D; D lost; F is new
        ],
    )


def test_churn_inactivity_days_parameter_and_new_customers_lost_at_once(constructor) -> None:
    orders = constructor(CHURN_ORDERS, CHURN_SCHEMA)
    report = builtin.get("customers.churn", params={"inactivity_days": 30})
    result = report.run({"orders": orders}, as_of=AS_OF)
    # Lost (last + 30): Feb E (02-04), A (02-09); Mar J (03-02), C (03-21), and I (03-31) who
    # was acquired in March too, so counts in neither; Apr D (04-02); Jun B (06-14).
    # May has no event and is listed with B alone at the start.
    assert_rows_equal(
        result,
        [
            _churn_row(D(2023, 12, 1), 0, 1, 0, None),
            _churn_row(D(2024, 1, 1), 1, 2, 0, 0.0),
            _churn_row(D(2024, 2, 1), 3, 2, 2, 2 / 3),  # E A B; E, A lost
            _churn_row(D(2024, 3, 1), 3, 2, 2, 2 / 3),  # B C J; C, J lost (not I)
            _churn_row(D(2024, 4, 1), 2, 0, 1, 0.5),  # 7 - E A C I J = B, D; D lost
            _churn_row(D(2024, 5, 1), 1, 0, 0, 0.0),
            _churn_row(D(2024, 6, 1), 1, 1, 1, 1.0),  # B lost; F new
        ],
    )
    # A run's params still win over the default set by builtin.get.
    again = report.run({"orders": orders}, as_of=AS_OF, params={"inactivity_days": 90})
    assert [r["lost_customers"] for r in again.to_arrow().to_pylist()] == [0, 0, 0, 0, 2, 3, 1]


def test_churn_without_status_counts_every_row(constructor) -> None:
    no_status = {k: v for k, v in CHURN_ORDERS.items() if k != "status"}
    result = builtin.get("customers.churn").run(
        {"orders": constructor(no_status, CHURN_SCHEMA)}, as_of=AS_OF
    )
    # E's cancelled 04-01 order is a sale now: E is lost on 06-30, as_of itself (it counts).
    assert_rows_equal(
        result,
        [
            _churn_row(D(2023, 12, 1), 0, 1, 0, None),
            _churn_row(D(2024, 1, 1), 1, 2, 0, 0.0),
            _churn_row(D(2024, 2, 1), 3, 2, 0, 0.0),
            _churn_row(D(2024, 3, 1), 5, 2, 0, 0.0),
            _churn_row(D(2024, 4, 1), 7, 0, 1, 1 / 7),  # A
            _churn_row(D(2024, 5, 1), 6, 0, 3, 0.5),  # J, C, I of E B C D I J
            _churn_row(D(2024, 6, 1), 3, 1, 2, 2 / 3),  # D, E of B D E
        ],
    )
    assert result.notes == (
        "rollup 'customer_life': filter 1 skipped: source 'orders' has no column 'status'",
    )


def test_churn_mapping_and_missing_column(constructor) -> None:
    renamed = {
        "account": CHURN_ORDERS["customer_id"],
        "placed": CHURN_ORDERS["order_date"],
        "state": ["W" if s == "won" else "X" for s in CHURN_ORDERS["status"]],
    }
    orders = constructor(renamed, {"placed": pa.date32()})
    report = builtin.get(
        "customers.churn",
        columns={"orders": {"customer_id": "account", "order_date": "placed", "status": "state"}},
        values={"orders.status": {"W": "won", "X": "cancelled"}},
    )
    result = report.run({"orders": orders}, as_of=AS_OF)
    lost = [r["lost_customers"] for r in result.to_arrow().to_pylist()]
    assert lost == [0, 0, 0, 0, 2, 3, 1]  # as in test_churn_from_inactivity
    with pytest.raises(SpecError) as info:
        builtin.get("customers.churn").run({"orders": orders}, as_of=AS_OF)
    message = str(info.value)
    assert "unknown column 'order_date' in source 'orders'" in message
    assert "columns={'orders': {'order_date': '<your column>'}}" in message


def test_churn_by_segment(constructor) -> None:
    orders = constructor(CHURN_ORDERS, CHURN_SCHEMA)
    customers = constructor(CHURN_CUSTOMERS, CUSTOMERS_SCHEMA)
    result = builtin.get("customers.churn", view="by_segment").run(
        {"orders": orders, "customers": customers}, as_of=AS_OF
    )

    # Consumer: E (acquired Q4 2023, lost Q2), D and I (Q1, lost Q2), F (Q2, active).
    # SMB: A (Q1, lost Q2), B (Q1, active), C (Q1, lost Q2). unknown: J (Q1, lost Q2).
    # Every segment is listed for every quarter from the first to the last.
    def row(quarter, segment, at_start, new, lost, rate):
        return {"quarter": quarter, "segment": segment, "customers_at_start": at_start,
                "new_customers": new, "lost_customers": lost, "churn_rate": rate}  # fmt: skip

    q4, q1, q2 = D(2023, 10, 1), D(2024, 1, 1), D(2024, 4, 1)
    assert_rows_equal(
        result,
        [
            row(q4, "Consumer", 0, 1, 0, None),
            row(q4, "SMB", 0, 0, 0, None),
            row(q4, "unknown", 0, 0, 0, None),
            row(q1, "Consumer", 1, 2, 0, 0.0),
            row(q1, "SMB", 0, 3, 0, None),
            row(q1, "unknown", 0, 1, 0, None),
            row(q2, "Consumer", 3, 1, 3, 1.0),  # E, D, I lost; F new
            row(q2, "SMB", 3, 0, 2, 2 / 3),  # A, C lost
            row(q2, "unknown", 1, 0, 1, 1.0),
        ],
    )


def test_churn_revenue(constructor) -> None:
    orders = constructor(CHURN_ORDERS, CHURN_SCHEMA)
    result = builtin.get("customers.churn", view="revenue").run({"orders": orders}, as_of=AS_OF)

    # Revenue per month: Dec 500; Jan 100 + 200 + 15 = 315; Feb 20 + 30 + 70 + 80 = 200;
    # Mar 40 + 10 = 50; Apr 0 (E's order is cancelled); May 50; Jun 60.
    # The 12 months before: Dec 0, Jan 500, Feb 815, Mar 1015, Apr 1065, May 1065, Jun 1115.
    # Lost customers' revenue of the 12 months before their loss month: Apr E 515 + A 100;
    # May J 80 + C 100 + I 10; Jun D 40.
    def row(month, prior, lost, rate, revenue):
        return {"month": month, "revenue_prior_12m": prior, "lost_revenue": lost,
                "revenue_churn": rate, "revenue": revenue}  # fmt: skip

    assert_rows_equal(
        result,
        [
            row(D(2023, 12, 1), 0.0, 0.0, None, 500.0),
            row(D(2024, 1, 1), 500.0, 0.0, 0.0, 315.0),
            row(D(2024, 2, 1), 815.0, 0.0, 0.0, 200.0),
            row(D(2024, 3, 1), 1015.0, 0.0, 0.0, 50.0),
            row(D(2024, 4, 1), 1065.0, 615.0, 615 / 1065, 0.0),
            row(D(2024, 5, 1), 1065.0, 190.0, 190 / 1065, 50.0),
            row(D(2024, 6, 1), 1115.0, 40.0, 40 / 1115, 60.0),
        ],
    )


def test_churn_revenue_window_is_twelve_calendar_months(constructor) -> None:
    # One customer: orders 2023-03-31 (7), 2023-04-01 (11), 2024-01-20 (13); lost on
    # 2024-01-20 + 90 = 2024-04-19. The 12 months before April 2024 are April 2023 to March
    # 2024: 11 + 13 = 24 of the customer's own revenue; March 2023 (13 months back) is out.
    orders = constructor(
        {
            "order_id": [1, 2, 3],
            "customer_id": ["z", "z", "z"],
            "order_date": [D(2023, 3, 31), D(2023, 4, 1), D(2024, 1, 20)],
            "amount": [7.0, 11.0, 13.0],
        },
        CHURN_SCHEMA,
    )
    result = builtin.get("customers.churn", view="revenue").run({"orders": orders}, as_of=AS_OF)
    rows = result.to_arrow().to_pylist()
    # March 2023 to April 2024: 14 months, the empty ones listed too.
    assert [r["month"] for r in rows][:2] == [D(2023, 3, 1), D(2023, 4, 1)] and len(rows) == 14
    april = [r for r in rows if r["month"] == D(2024, 4, 1)]
    assert_rows_equal(
        april,
        [{"month": D(2024, 4, 1), "revenue_prior_12m": 24.0, "lost_revenue": 24.0,
          "revenue_churn": 1.0, "revenue": 0.0}],
    )  # fmt: skip


def test_churn_declared_dates(constructor) -> None:
    customers = constructor(CHURN_CUSTOMERS, CUSTOMERS_SCHEMA)
    result = builtin.get("customers.churn", view="declared").run(
        {"customers": customers}, as_of=AS_OF
    )
    # Signed up by 06-30: E (Dec), A, B (Jan), C, H (Feb), D, I (Mar); F has no signup date
    # and G signed up after as_of. Churned: B 03-05; C 02-25 (signed up in February too: in
    # neither); H 01-15, before its 02-10 signup, taken as 02-10 (in neither); D 06-30 (on
    # as_of: counts); E 07-10 is after as_of (still active).
    assert_rows_equal(
        result,
        [
            _churn_row(D(2023, 12, 1), 0, 1, 0, None),
            _churn_row(D(2024, 1, 1), 1, 2, 0, 0.0),
            _churn_row(D(2024, 2, 1), 3, 2, 0, 0.0),
            _churn_row(D(2024, 3, 1), 3, 2, 1, 1 / 3),  # E A B (5 - C - H); B churned
            _churn_row(D(2024, 4, 1), 4, 0, 0, 0.0),  # E A D I
            _churn_row(D(2024, 5, 1), 4, 0, 0, 0.0),
            _churn_row(D(2024, 6, 1), 4, 0, 1, 0.25),  # D churned on as_of
        ],
    )


def test_churn_reasons(constructor) -> None:
    customers = constructor(CHURN_CUSTOMERS, CUSTOMERS_SCHEMA)
    result = builtin.get("customers.churn", view="reasons").run(
        {"customers": customers}, as_of=AS_OF
    )
    # Churned by 06-30 with a reason: B price, C service, D price, H moved (E's 07-10 is
    # after as_of; F has no reason). Most first, ties by reason.
    assert_rows_equal(
        result,
        [
            {"churn_reason": "price", "customers": 2, "customer_share": 0.5},
            {"churn_reason": "moved", "customers": 1, "customer_share": 0.25},
            {"churn_reason": "service", "customers": 1, "customer_share": 0.25},
        ],
    )


def test_churn_reasons_without_churned_date(constructor) -> None:
    data = {k: v for k, v in CHURN_CUSTOMERS.items() if k != "churned_date"}
    customers = constructor(data, {"signup_date": pa.date32()})
    result = builtin.get("customers.churn", view="reasons").run(
        {"customers": customers}, as_of=AS_OF
    )
    # Every customer with a reason: B, D price; E competitor; H moved; C service.
    assert_rows_equal(
        result,
        [
            {"churn_reason": "price", "customers": 2, "customer_share": 0.4},
            {"churn_reason": "competitor", "customers": 1, "customer_share": 0.2},
            {"churn_reason": "moved", "customers": 1, "customer_share": 0.2},
            {"churn_reason": "service", "customers": 1, "customer_share": 0.2},
        ],
    )
    assert result.notes == ("filter 2 skipped: source 'customers' has no column 'churned_date'",)


def test_churn_retention_matrix(constructor) -> None:
    orders = constructor(CHURN_ORDERS, CHURN_SCHEMA)
    result = builtin.get("customers.churn", view="retention").run({"orders": orders}, as_of=AS_OF)

    # Cohorts (first order month): Dec 2023 E; Jan A, B; Feb C, J; Mar D, I; Jun F.
    # E's 2024-01-05 order is month (2024 - 2023) * 12 + 1 - 12 = 1 of its cohort. B orders in
    # Jan (0), Feb (1) and May (4). C's two February orders are one customer in month 0.
    def row(cohort, months, active, size):
        return {"cohort": cohort, "months_since": months, "active_customers": active,
                "cohort_size": size, "retention": active / size}  # fmt: skip

    assert_rows_equal(
        result,
        [
            row(D(2023, 12, 1), 0, 1, 1),
            row(D(2023, 12, 1), 1, 1, 1),
            row(D(2024, 1, 1), 0, 2, 2),
            row(D(2024, 1, 1), 1, 1, 2),
            row(D(2024, 1, 1), 4, 1, 2),
            row(D(2024, 2, 1), 0, 2, 2),
            row(D(2024, 3, 1), 0, 2, 2),
            row(D(2024, 6, 1), 0, 1, 1),
        ],
    )
