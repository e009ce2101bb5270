"""Lookup keys of different types never multiply rows or crash.

Rule (docs/semantics.md, "Lookup keys"): an integer key and a float key are compared as
numbers (1 matches 1.0; 1.5 matches no integer), and the looked-up key must be unique as
compared; any other pair of different types (text with a number, a date with a number, ...)
is refused before anything runs with a located `key-type` problem. Composite keys and every
hop of a chain follow the same rule.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pytest

from crmreports import DataError, Report, SpecError
from tests.helpers import assert_rows_equal

BY_REGION = "dimensions: [customers.region]\nmeasures: [{name: revenue, agg: sum, field: amount}]\n"


def report(body: str, relationships: str = "[{to: customers, key: customer_id}]") -> Report:
    return Report.from_yaml(f"name: keys\nsource: orders\nrelationships: {relationships}\n{body}")


def test_integer_orders_and_text_customer_keys_are_refused(constructor: Any) -> None:
    """The issue's case: before, DuckDB cast '1', '01' and ' 1' to 1 and order 1 matched all
    three customers (revenue 10 x 3 + 20 = 50, not 30); polars raised a raw NarwhalsError."""
    frames = {
        "orders": constructor({"customer_id": [1, 2], "amount": [10.0, 20.0]}),
        "customers": constructor({"customer_id": ["1", "01", " 1"], "region": ["a", "b", "c"]}),
    }
    with pytest.raises(SpecError) as info:
        report(BY_REGION).run(frames)
    assert info.value.codes == ["key-type"]
    problem = info.value.problems[0]
    assert problem.path == "relationships[0].key"
    assert "orders.customer_id (integer)" in problem.message
    assert "customers.customer_id (text)" in problem.message
    assert "to_int(customer_id)" in (problem.hint or "")


@pytest.mark.parametrize("side", ["orders", "customers"])
def test_text_that_is_no_number_is_refused_not_a_backend_error(constructor: Any, side: str) -> None:
    """Before: DuckDB's "Conversion Error: Could not convert string 'x' to INT64"."""
    text = {"customer_id": ["1", "x"]}
    numbers = {"customer_id": [1, 2]}
    orders = {**(text if side == "orders" else numbers), "amount": [1.0, 2.0]}
    customers = {**(text if side == "customers" else numbers), "region": ["a", "b"]}
    frames = {"orders": constructor(orders), "customers": constructor(customers)}
    with pytest.raises(SpecError) as info:
        report(BY_REGION).run(frames)
    assert info.value.codes == ["key-type"]
    assert f"convert {side}.customer_id" in (info.value.problems[0].hint or "")


def test_a_date_key_with_a_number_is_refused(constructor: Any) -> None:
    frames = {
        "orders": constructor({"customer_id": [dt.date(2024, 1, 1)], "amount": [1.0]}),
        "customers": constructor({"customer_id": [1], "region": ["a"]}),
    }
    with pytest.raises(SpecError) as info:
        report(BY_REGION).run(frames)
    assert info.value.codes == ["key-type"]


def test_integer_and_float_keys_compare_as_numbers(constructor: Any) -> None:
    """pandas makes an integer key with a null a float column: it must still match."""
    orders = {"customer_id": [1.0, 2.0, None, 3.0, 1.5], "amount": [1.0, 2.0, 4.0, 8.0, 16.0]}
    customers = {"customer_id": [1, 2, 3], "region": ["north", "south", "south"]}
    frames = {"orders": constructor(orders), "customers": constructor(customers)}
    result = report(BY_REGION).run(frames)
    # north: 1.0; south: 2 + 8 = 10; the null key and 1.5 (no whole number) match nothing:
    # 4 + 16 = 20 unknown.
    assert_rows_equal(result, [("north", 1.0), ("south", 10.0), ("unknown", 20.0)])
    assert result.notes[0].startswith("2 of the 5 rows of orders find no match in customers")


def test_float_customer_keys_match_integer_orders(constructor: Any) -> None:
    orders = {"customer_id": [1, 2, 3], "amount": [1.0, 2.0, 4.0]}
    customers = {"customer_id": [1.0, 2.5, None, None], "region": ["north", "x", "y", "z"]}
    frames = {"orders": constructor(orders), "customers": constructor(customers)}
    # 1 matches 1.0; 2 is not 2.5; 3 has no customer; the two null keys match nothing
    # (careless: null = null joins and multiplies).
    assert_rows_equal(report(BY_REGION).run(frames), [("north", 1.0), ("unknown", 6.0)])


def test_uniqueness_is_checked_on_the_compared_values(constructor: Any) -> None:
    """2**53 and 2**53 + 1 are two integers but one float: compared with a float key they
    are one key, and the lookup is refused rather than matching order 2**53 twice."""
    big = 2**53
    orders = {"customer_id": [float(big)], "amount": [5.0]}
    customers = {"customer_id": [big, big + 1], "region": ["a", "b"]}
    frames = {"orders": constructor(orders), "customers": constructor(customers)}
    # Careless: both customers match the order: a 5.0 and b 5.0, total 10.0 for one order.
    with pytest.raises(DataError, match=r"more than once in customer_id \(compared as numbers\)"):
        report(BY_REGION).run(frames)


def test_text_keys_converted_with_to_int(constructor: Any) -> None:
    """The fix the key-type hint gives: a mapping reading the text key as whole numbers."""
    mapping = "mapping: {customers: {columns: {customer_id: {expr: 'to_int(code)'}}}}\n"
    orders = {"customer_id": [1, 2, 3], "amount": [1.0, 2.0, 4.0]}
    customers = {"code": ["01", " 2", "x"], "region": ["north", "south", "x"]}
    frames = {"orders": constructor(orders), "customers": constructor(customers)}
    result = report(mapping + BY_REGION).run(frames)
    # '01' -> 1, ' 2' -> 2, 'x' -> null (matches nothing): 3 is unknown.
    assert_rows_equal(result, [("north", 1.0), ("south", 2.0), ("unknown", 4.0)])


def test_text_keys_equal_as_numbers_are_refused_after_to_int(constructor: Any) -> None:
    mapping = "mapping: {customers: {columns: {customer_id: {expr: 'to_int(customer_id)'}}}}\n"
    frames = {
        "orders": constructor({"customer_id": [1, 2], "amount": [10.0, 20.0]}),
        "customers": constructor({"customer_id": ["1", "01", " 1"], "region": ["a", "b", "c"]}),
    }
    # Careless: order 1 matches all three: revenue 50 instead of 30.
    with pytest.raises(DataError, match="needs a unique key"):
        report(mapping + BY_REGION).run(frames)


def test_composite_keys_follow_the_rule_per_column(constructor: Any) -> None:
    orders = {
        "customer_id": [1.0, 1.0, 2.0, None],
        "country": ["de", "fr", "de", "de"],
        "amount": [1.0, 2.0, 4.0, 8.0],
    }
    customers = {"id": [1, 1, 2], "country": ["de", "fr", "fr"], "region": ["a", "b", "c"]}
    frames = {"orders": constructor(orders), "customers": constructor(customers)}
    rel = "[{to: customers, key: {customer_id: id, country: country}}]"
    # (1, de) a 1.0; (1, fr) b 2.0; (2, de) and (null, de) match nothing: 12.0 unknown.
    assert_rows_equal(
        report(BY_REGION, rel).run(frames), [("a", 1.0), ("b", 2.0), ("unknown", 12.0)]
    )
    texts = {**customers, "id": ["1", "1", "2"]}
    frames = {"orders": constructor(orders), "customers": constructor(texts)}
    with pytest.raises(SpecError) as info:
        report(BY_REGION, rel).run(frames)
    assert info.value.codes == ["key-type"]
    assert "orders.customer_id (float) with customers.id (text)" in str(info.value)


def test_each_hop_of_a_chain_follows_the_rule(constructor: Any) -> None:
    rels = "[{to: customers, key: customer_id}, {from: customers, to: regions, key: region_id}]"
    body = "dimensions: [regions.name]\nmeasures: [{name: revenue, agg: sum, field: amount}]\n"
    orders = {"customer_id": [1, 2, 3], "amount": [1.0, 2.0, 4.0]}
    # A customer without a region: pandas would hold region_id as float.
    customers = {"customer_id": [1, 2, 3], "region_id": [10.0, 20.0, None]}
    regions = {"region_id": [10, 20], "name": ["north", "south"]}
    frames = {
        "orders": constructor(orders),
        "customers": constructor(customers),
        "regions": constructor(regions),
    }
    result = report(body, rels).run(frames)
    assert_rows_equal(result, [("north", 1.0), ("south", 2.0), ("unknown", 4.0)])
    frames["regions"] = constructor({"region_id": ["10", "20"], "name": ["north", "south"]})
    with pytest.raises(SpecError) as info:
        report(body, rels).run(frames)
    assert info.value.codes == ["key-type"]
    assert info.value.problems[0].path == "relationships[1].key"


def test_integer_keys_of_different_widths_join(constructor: Any) -> None:
    orders = constructor({"customer_id": [1, 2], "amount": [1.0, 2.0]}, {"customer_id": pa.int32()})
    customers = constructor({"customer_id": [1, 2], "region": ["a", "b"]})
    result = report(BY_REGION).run({"orders": orders, "customers": customers})
    assert_rows_equal(result, [("a", 1.0), ("b", 2.0)])


def test_decimal_and_float_keys_compare_as_numbers(constructor: Any) -> None:
    """Before: polars refused to join decimal[10,2] with f64 (a raw NarwhalsError)."""
    from decimal import Decimal

    orders = constructor(
        {"customer_id": [Decimal("1.00"), Decimal("2.50")], "amount": [1.0, 2.0]},
        {"customer_id": pa.decimal128(10, 2)},
    )
    customers = constructor({"customer_id": [1.0, 2.0], "region": ["a", "b"]})
    result = report(BY_REGION).run({"orders": orders, "customers": customers})
    # 1.00 matches 1.0; 2.50 matches nothing.
    assert_rows_equal(result, [("a", 1.0), ("unknown", 2.0)])
