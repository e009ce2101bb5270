"""Two-level reports (rollups), quantile scores, `as_of()`, source mappings and optional parts.

Every expected value is worked out by hand in the comments and checked on every backend.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pytest

from crmreports import DataError, Report, SpecError
from tests.helpers import assert_rows_equal

D = dt.date

# Five customers. a: 3 orders (10, 20, 30) last on 06-20; b: 1 order (5) on 01-10;
# c: 2 orders (1, 1) last on 06-01; d: 1 order (50) on 06-29; e: 1 order (7), cancelled.
ORDERS = {
    "order_id": [1, 2, 3, 4, 5, 6, 7, 8],
    "customer_id": ["a", "a", "a", "b", "c", "c", "d", "e"],
    "order_date": [D(2024, 1, 5), D(2024, 3, 1), D(2024, 6, 20), D(2024, 1, 10),
                   D(2024, 2, 1), D(2024, 6, 1), D(2024, 6, 29), D(2024, 6, 30)],
    "amount": [10.0, 20.0, 30.0, 5.0, 1.0, 1.0, 50.0, 7.0],
    "status": ["won", "won", "won", "won", "won", "won", "won", "cancelled"],
}  # fmt: skip
ORDERS_SCHEMA = {"order_date": pa.date32()}

PER_CUSTOMER = """
name: by_frequency
source: per_customer
rollups:
  - name: per_customer
    source: orders
    filters: [{field: status, op: eq, value: won}]
    dimensions: [customer_id]
    measures:
      - {name: orders, agg: count}
      - {name: revenue, agg: sum, field: amount}
dimensions: [orders]
measures:
  - {name: customers, agg: count}
  - {name: revenue, agg: sum, field: revenue}
  - {name: avg_revenue, agg: avg, field: revenue}
"""


def test_a_rollup_is_aggregated_again(constructor) -> None:
    orders = constructor(ORDERS, ORDERS_SCHEMA)
    result = Report.from_yaml(PER_CUSTOMER).run({"orders": orders})
    # orders per customer: a 3, b 1, c 2, d 1 (e's only order is cancelled).
    # 1 order: b, d -> revenue 5 + 50 = 55, average 27.5; 2: c -> 2; 3: a -> 60.
    assert constructor.is_native_result(result.data)
    assert_rows_equal(
        result,
        [
            {"orders": 1, "customers": 2, "revenue": 55.0, "avg_revenue": 27.5},
            {"orders": 2, "customers": 1, "revenue": 2.0, "avg_revenue": 2.0},
            {"orders": 3, "customers": 1, "revenue": 60.0, "avg_revenue": 60.0},
        ],
    )


def test_a_rollup_can_be_looked_up(constructor) -> None:
    """Cohorts: each order's customer's first order month, found through the rollup."""
    spec = """
name: cohorts
source: orders
rollups:
  - name: firsts
    source: orders
    dimensions: [customer_id]
    measures: [{name: first_order, agg: min, field: order_date}]
relationships: [{to: firsts, key: customer_id}]
dimensions:
  - {field: firsts.first_order, grain: month, name: cohort}
measures:
  - {name: customers, agg: count_distinct, field: customer_id}
  - {name: revenue, agg: sum, field: amount}
"""
    orders = constructor(ORDERS, ORDERS_SCHEMA)
    result = Report.from_yaml(spec).run({"orders": orders})
    # First orders: a Jan, b Jan, c Feb, d Jun, e Jun. January cohort: a and b, revenue
    # 10 + 20 + 30 + 5 = 65; February: c, 2; June: d and e, 50 + 7 = 57.
    assert_rows_equal(
        result,
        [
            {"cohort": D(2024, 1, 1), "customers": 2, "revenue": 65.0},
            {"cohort": D(2024, 2, 1), "customers": 1, "revenue": 2.0},
            {"cohort": D(2024, 6, 1), "customers": 2, "revenue": 57.0},
        ],
    )


def test_quantile_scores_and_as_of(constructor) -> None:
    spec = """
name: rfm
source: rfm
rollups:
  - name: rfm
    source: orders
    filters: [{expr: "order_date <= as_of()"}]
    dimensions: [customer_id]
    measures:
      - {name: recency, agg: min, expr: "days_between(order_date, as_of())"}
      - {name: frequency, agg: count}
      - {name: r, of: recency, rank: {desc: false, buckets: 4}}
      - {name: f, of: frequency, rank: {buckets: 4}}
dimensions: [customer_id]
measures:
  - {name: recency, agg: sum, field: recency}
  - {name: r, agg: max, field: r}
  - {name: f, agg: max, field: f}
"""
    orders = constructor(ORDERS, ORDERS_SCHEMA)
    result = Report.from_yaml(spec).run({"orders": orders}, as_of="2024-06-29")
    # As of 06-29 e's order (06-30) is excluded. Recency: a 9 (06-20), b 171 (01-10 -> 06-29),
    # c 28, d 0. n = 4. R (smaller is better): behind = customers with larger recency:
    # d 3 -> 1 + floor(4*3/4) = 4; a 2 -> 3; c 1 -> 2; b 0 -> 1.
    # Frequency a 3, b 1, c 2, d 1: behind = strictly smaller: a 3 -> 4; c 2 -> 3;
    # b and d 0 -> 1 (the tie at the bottom scores 1).
    assert_rows_equal(
        result,
        [
            {"customer_id": "a", "recency": 9, "r": 3, "f": 4},
            {"customer_id": "b", "recency": 171, "r": 1, "f": 1},
            {"customer_id": "c", "recency": 28, "r": 2, "f": 3},
            {"customer_id": "d", "recency": 0, "r": 4, "f": 1},
        ],
    )


def test_rollup_errors_are_located_under_the_rollup() -> None:
    bad = PER_CUSTOMER.replace("field: amount}", "field: amont}")
    with pytest.raises(SpecError) as info:
        Report.from_yaml(bad).run({"orders": pd.DataFrame(ORDERS)})
    message = str(info.value)
    assert "rollups[0].measures[1].field" in message and "did you mean: 'amount'" in message


def test_rollup_structure_is_checked_without_data() -> None:
    bad = PER_CUSTOMER.replace(
        "- {name: revenue, agg: sum, field: amount}", "- {name: orders, agg: sum, field: amount}"
    )
    with pytest.raises(SpecError) as info:
        Report.from_yaml(bad).check()
    assert "rollups[0]" in str(info.value)


def test_a_rollup_cannot_shadow_a_source() -> None:
    spec = PER_CUSTOMER.replace("name: per_customer", "name: orders").replace(
        "source: per_customer", "source: orders"
    )
    with pytest.raises(SpecError, match="rollup 'orders' has the name of a source"):
        Report.from_yaml(spec).run({"orders": pd.DataFrame(ORDERS)})


def test_explain_and_check_do_not_compute_rollups() -> None:
    report = Report.from_yaml(PER_CUSTOMER)
    orders = pd.DataFrame(ORDERS)
    report.check({"orders": orders})
    assert "scan per_customer" in report.explain({"orders": orders})


# --- mappings --------------------------------------------------------------------------------

MAPPED = """
name: mapped
source: deals
mapping:
  deals:
    columns: {stage: deal_stage, amount: close_value}
    values: {stage: {Won: won, Lost: lost}}
dimensions: [stage]
measures:
  - {name: deals, agg: count}
  - {name: amount, agg: sum, field: amount}
"""
DEALS = {
    "deal_stage": ["Won", "Lost", "Won", "Engaging", None],
    "close_value": [100.0, 0.0, 50.0, None, 10.0],
    "stage": ["x", "x", "x", "x", "x"],  # shadowed by the mapping
}


def test_mapping_renames_and_recodes(constructor) -> None:
    deals = constructor(DEALS)
    before = pd.DataFrame(DEALS).copy()
    result = Report.from_yaml(MAPPED).run({"deals": deals})
    # Engaging is not listed, so it stays; null stays null (and sorts last).
    assert_rows_equal(
        result,
        [
            {"stage": "Engaging", "deals": 1, "amount": 0.0},
            {"stage": "lost", "deals": 1, "amount": 0.0},
            {"stage": "won", "deals": 2, "amount": 150.0},
            {"stage": None, "deals": 1, "amount": 10.0},
        ],
    )
    if isinstance(deals, pd.DataFrame):
        pd.testing.assert_frame_equal(deals, before)  # the caller's frame is untouched


def test_mapping_recodes_numbers_given_as_text() -> None:
    spec = """
name: ratings
mapping: {data: {values: {score: {"1": 0, "2": 0, "3": 1}}}}
dimensions: [score]
measures: [{name: n, agg: count}]
"""
    result = Report.from_yaml(spec).run(pd.DataFrame({"score": [1, 2, 3, 3, 4]}))
    assert_rows_equal(result, [{"score": 0, "n": 2}, {"score": 1, "n": 2}, {"score": 4, "n": 1}])


def test_mapping_to_a_missing_column_says_which() -> None:
    with pytest.raises(DataError) as info:
        Report.from_yaml(MAPPED.replace("close_value", "close_valu")).run(
            {"deals": pd.DataFrame(DEALS)}
        )
    message = str(info.value)
    assert "mapping.deals.columns.amount" in message and "'close_valu'" in message
    assert "did you mean 'close_value'" in message


def test_an_unmapped_model_column_explains_how_to_map() -> None:
    spec = MAPPED.replace("amount: close_value", "probability: close_value")
    with pytest.raises(SpecError) as info:
        Report.from_yaml(spec).run({"deals": pd.DataFrame(DEALS)})
    assert "mapping: {deals: {columns: {amount: <your column>}}}" in str(info.value)


# --- optional measures and filters -----------------------------------------------------------

OPTIONAL = """
name: optional
source: orders
dimensions: [customer_id]
measures:
  - {name: revenue, agg: sum, field: amount}
  - {name: cost, agg: sum, field: cost, optional: true}
  - {name: margin, formula: (revenue - cost) / revenue}
  - {name: rated, agg: avg, field: score, source: surveys, match: {customer_id: customer_id},
     optional: true}
filters:
  - {field: status, op: eq, value: won, optional: true}
visual: {kind: bar, x: customer_id, y: margin}
"""


def test_optional_parts_present_are_used(constructor) -> None:
    orders = constructor({**ORDERS, "cost": [5.0, 10.0, 15.0, 5.0, 1.0, 0.0, 25.0, 7.0]})
    surveys = constructor({"customer_id": ["a", "a", "d"], "score": [4, 5, 1]})
    result = Report.from_yaml(OPTIONAL).run({"orders": orders, "surveys": surveys})
    # won orders: a 60 (cost 30), b 5 (5), c 2 (1), d 50 (25); e is cancelled but
    # its customer has no survey, so it is absent. Ratings: a 4.5, d 1.
    assert_rows_equal(
        result,
        [
            {"customer_id": "a", "revenue": 60.0, "cost": 30.0, "margin": 0.5, "rated": 4.5},
            {"customer_id": "b", "revenue": 5.0, "cost": 5.0, "margin": 0.0, "rated": None},
            {"customer_id": "c", "revenue": 2.0, "cost": 1.0, "margin": 0.5, "rated": None},
            {"customer_id": "d", "revenue": 50.0, "cost": 25.0, "margin": 0.5, "rated": 1.0},
        ],
    )
    assert result.notes == (
        "rated (from surveys) is not restricted by the report's filter(s) on status: give it "
        "its own `filter:` on surveys's columns, or `match:` the column of surveys that stands "
        "for it, if it should be",
    )


def test_optional_parts_missing_are_left_out_with_notes(constructor) -> None:
    data = {k: v for k, v in ORDERS.items() if k != "status"}
    result = Report.from_yaml(OPTIONAL).run({"orders": constructor(data, ORDERS_SCHEMA)})
    # No status: every order counts, e's 7 included. No cost: cost and margin go; no surveys.
    assert_rows_equal(
        result,
        [
            {"customer_id": "a", "revenue": 60.0},
            {"customer_id": "b", "revenue": 5.0},
            {"customer_id": "c", "revenue": 2.0},
            {"customer_id": "d", "revenue": 50.0},
            {"customer_id": "e", "revenue": 7.0},
        ],
    )
    assert result.notes == (
        "filter 1 skipped: source 'orders' has no column 'status'",
        "measure 'cost' left out: source 'orders' has no column 'cost'",
        "measure 'rated' left out: the data has no source 'surveys'",
        "measure 'margin' left out: it is built on 'cost', left out",
        "the visual named a left-out measure; a default visual is drawn instead",
    )
    result.chart()  # the default visual draws what is left


def test_a_required_measure_still_fails_loudly() -> None:
    spec = OPTIONAL.replace("field: cost, optional: true", "field: cost")
    with pytest.raises(SpecError, match="unknown column 'cost'") as info:
        Report.from_yaml(spec).run({"orders": pd.DataFrame(ORDERS)})
    # the formula built on it is not reported a second time
    assert "margin" not in str(info.value)


def test_a_mapped_column_can_be_computed(constructor) -> None:
    spec = """
name: lines
source: lines
mapping:
  lines:
    columns:
      amount: {expr: "Quantity * UnitPrice"}
      status: {expr: "if(starts_with(InvoiceNo, 'C'), 'cancelled', 'won')"}
dimensions: [status]
measures: [{name: revenue, agg: sum, field: amount}, {name: lines, agg: count}]
"""
    lines = constructor(
        {
            "InvoiceNo": ["536365", "C536379", "536366", "536366"],
            "Quantity": [6, -1, 2, 3],
            "UnitPrice": [2.55, 27.5, 1.85, 1.0],
        }
    )
    # won: 6 x 2.55 + 2 x 1.85 + 3 x 1.0 = 15.3 + 3.7 + 3 = 22.0; cancelled: -27.5.
    assert_rows_equal(
        Report.from_yaml(spec).run({"lines": lines}),
        [
            {"status": "cancelled", "revenue": -27.5, "lines": 1},
            {"status": "won", "revenue": 22.0, "lines": 3},
        ],
    )


def test_a_computed_mapping_with_a_typo_is_located() -> None:
    spec = """
name: lines
mapping: {data: {columns: {amount: {expr: "Quantity * UnitPrise"}}}}
measures: [{name: revenue, agg: sum, field: amount}]
"""
    with pytest.raises(SpecError) as info:
        Report.from_yaml(spec).run(pd.DataFrame({"Quantity": [1], "UnitPrice": [2.0]}))
    message = str(info.value)
    assert "mapping.data.columns.amount.expr" in message
    assert "did you mean: 'UnitPrice'" in message


def test_text_recoded_to_booleans_leaves_unlisted_values_null(constructor) -> None:
    spec = """
name: flags
mapping: {data: {values: {opened: {"yes": true, "no": false}}}}
dimensions: [opened]
measures: [{name: n, agg: count}]
"""
    data = constructor({"opened": ["yes", "no", "yes", "maybe", None]})
    # 'maybe' is neither: it cannot stay text in a true/false column, so it joins the nulls.
    assert_rows_equal(
        Report.from_yaml(spec).run(data),
        [{"opened": False, "n": 1}, {"opened": True, "n": 2}, {"opened": None, "n": 2}],
    )


def test_a_mapped_name_beside_your_column_in_another_case(constructor) -> None:
    """`quantity` mapped from `Quantity`: both stay readable, though DuckDB compares names
    ignoring case (one is renamed inside the frame), and the rollup's join works."""
    spec = """
name: lines
source: lines
mapping: {lines: {columns: {quantity: Quantity, customer_id: Customer}}}
rollups:
  - name: per_customer
    source: lines
    dimensions: [customer_id]
    measures: [{name: first_quantity, agg: min, field: quantity}]
relationships: [{to: per_customer, key: customer_id}]
dimensions: [per_customer.first_quantity]
measures: [{name: units, agg: sum, field: quantity}]
"""
    lines = constructor({"Customer": ["a", "a", "b"], "Quantity": [2, 5, 1]})
    # first quantities: a 2, b 1; units: a 7, b 1
    assert_rows_equal(
        Report.from_yaml(spec).run({"lines": lines}),
        [
            {"per_customer.first_quantity": 1, "units": 1},
            {"per_customer.first_quantity": 2, "units": 7},
        ],
    )


OPTIONAL_ROLLUP = """
name: with_ratings
source: orders
rollups:
  - name: ratings
    source: surveys
    optional: true
    relationships: [{to: orders_by_customer, key: customer_id, unmatched_label: null}]
    filters: [{field: orders_by_customer.customer_id, op: not_null}]
    dimensions: [customer_id]
    measures: [{name: score, agg: avg, field: score}]
dimensions: [customer_id]
measures:
  - {name: revenue, agg: sum, field: amount}
  - {name: rating, agg: max, field: score, source: ratings, match: {customer_id: customer_id},
     optional: true}
"""


def test_an_optional_rollup_without_its_source_is_left_out_with_a_note() -> None:
    spec = OPTIONAL_ROLLUP.replace("orders_by_customer", "orders")
    orders = pd.DataFrame({"customer_id": ["a", "b"], "amount": [1.0, 2.0]})
    result = Report.from_yaml(spec).run({"orders": orders})
    assert_rows_equal(
        result, [{"customer_id": "a", "revenue": 1.0}, {"customer_id": "b", "revenue": 2.0}]
    )
    assert result.notes == (
        "rollup 'ratings' left out: unknown source 'surveys'",
        "measure 'rating' left out: the data has no source 'ratings'",
    )


def test_an_optional_rollup_with_its_source_is_used(constructor) -> None:
    spec = """
name: with_ratings
source: orders
rollups:
  - name: buyers
    source: orders
    dimensions: [customer_id]
    measures: [{name: n, agg: count}]
  - name: ratings
    source: surveys
    optional: true
    relationships: [{to: buyers, key: customer_id, unmatched_label: null}]
    filters: [{field: buyers.customer_id, op: not_null}]
    dimensions: [customer_id]
    measures: [{name: score, agg: avg, field: score}]
dimensions: [customer_id]
measures:
  - {name: revenue, agg: sum, field: amount}
  - {name: rating, agg: max, field: score, source: ratings, match: {customer_id: customer_id},
     optional: true}
"""
    orders = constructor({"customer_id": ["a", "b"], "amount": [1.0, 2.0]})
    # z answered a survey but bought nothing: no match in buyers, so its key stays null
    # (unmatched_label: null) and the filter leaves it out; a's answers average (4 + 5) / 2.
    surveys = constructor({"customer_id": ["a", "a", "z"], "score": [4, 5, 1]})
    result = Report.from_yaml(spec).run({"orders": orders, "surveys": surveys})
    assert_rows_equal(
        result,
        [
            {"customer_id": "a", "revenue": 1.0, "rating": 4.5},
            {"customer_id": "b", "revenue": 2.0, "rating": None},
        ],
    )
    assert result.notes == ()  # z is filtered out before unmatched rows are counted


def test_unmatched_label_null_keeps_unmatched_text_null(constructor) -> None:
    spec = """
name: regions
source: orders
relationships: [{to: customers, key: customer_id, unmatched_label: null}]
dimensions: [customers.region]
measures: [{name: revenue, agg: sum, field: amount}]
"""
    orders = constructor({"customer_id": ["a", "b", "x"], "amount": [1.0, 2.0, 4.0]})
    customers = constructor({"customer_id": ["a", "b"], "region": ["North", "South"]})
    result = Report.from_yaml(spec).run({"orders": orders, "customers": customers})
    # x has no customer row: its region stays null instead of reading 'unknown'
    assert_rows_equal(
        result,
        [
            {"customers.region": "North", "revenue": 1.0},
            {"customers.region": "South", "revenue": 2.0},
            {"customers.region": None, "revenue": 4.0},
        ],
    )
    assert result.notes == (
        "1 of the 3 rows of orders find no match in customers (customer_id); "
        "their columns of customers are null",
    )


def test_a_required_rollup_without_its_source_still_fails() -> None:
    spec = OPTIONAL_ROLLUP.replace("orders_by_customer", "orders").replace(
        "    optional: true\n    relationships", "    relationships"
    )
    with pytest.raises(SpecError, match="rollups\\[0\\]"):
        Report.from_yaml(spec).run(
            {"orders": pd.DataFrame({"customer_id": ["a"], "amount": [1.0]})}
        )
