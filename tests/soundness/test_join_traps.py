"""Fan-out traps: joins that silently multiply or drop rows. Each is refused or counted.

Each test states the wrong number a careless engine gives.
"""

from __future__ import annotations

from typing import Any

import pytest

from crmreports import DataError, Report, SpecError
from tests.helpers import assert_rows_equal

ORDERS = {"order_id": [1, 2, 3], "customer_id": [10, 10, 99], "amount": [100.0, 50.0, 7.0]}
CUSTOMERS = {"customer_id": [10], "segment": ["smb"], "credit": [1000.0]}
LOOKUP = "relationships: [{to: customers, key: customer_id}]\n"


def spec(text: str) -> Report:
    return Report.from_yaml("name: trap\nsource: orders\n" + LOOKUP + text)


def test_sum_over_a_lookup_is_refused(constructor: Any) -> None:
    frames = {"orders": constructor(ORDERS), "customers": constructor(CUSTOMERS)}
    report = spec("measures: [{name: credit, agg: sum, field: customers.credit}]")
    # Careless: customer 10's credit counted once per order: 1000 x 2 = 2000 (true: 1000).
    with pytest.raises(SpecError) as info:
        report.run(frames)
    assert info.value.codes == ["fan-out"]


def test_a_repeated_lookup_key_is_refused(constructor: Any) -> None:
    twice = {k: v * 2 for k, v in CUSTOMERS.items()}
    frames = {"orders": constructor(ORDERS), "customers": constructor(twice)}
    report = spec("dimensions: [customers.segment]\nmeasures: [{name: r, agg: sum, field: amount}]")
    # Careless: smb revenue (100 + 50) x 2 = 300 (true: 150).
    with pytest.raises(DataError, match="needs a unique key"):
        report.run(frames)


def test_unmatched_keys_are_kept_and_counted(constructor: Any) -> None:
    frames = {"orders": constructor(ORDERS), "customers": constructor(CUSTOMERS)}
    result = spec(
        "dimensions: [customers.segment]\nmeasures: [{name: r, agg: sum, field: amount}]"
    ).run(frames)
    # Careless inner join: only smb 150; order 3 (customer 99, 7.0) silently dropped.
    assert_rows_equal(result, [("smb", 150.0), ("unknown", 7.0)])
    assert result.notes[0].startswith("1 of the 3 rows of orders find no match in customers")


def test_a_target_repeated_across_an_unmatched_dimension_is_refused(constructor: Any) -> None:
    frames = {
        "orders": constructor({**ORDERS, "rep": ["ann", "bob", "ann"]}),
        "targets": constructor({"team": ["all"], "quota": [500.0]}),
    }
    report = Report.from_yaml(
        "name: trap\nsource: orders\ndimensions: [rep]\nmeasures:\n"
        "  - {name: quota, agg: sum, field: quota, source: targets, match: {}}\n"
    )
    # Careless: each rep shows the whole 500 and the total reads 1000.
    with pytest.raises(SpecError) as info:
        report.run(frames)
    assert info.value.codes == ["fan-out"]


@pytest.mark.parametrize(
    "formula",
    ["__import__('os').system('true')", "amount.real", "().__class__", "open('x')", "eval('1')"],
)
def test_unsafe_formulas_are_rejected_before_any_data(formula: str) -> None:
    report = Report.from_yaml(f'name: trap\nmeasures: [{{name: x, agg: sum, expr: "{formula}"}}]\n')
    # Careless: eval() of spec text runs the attacker's code.
    with pytest.raises(SpecError) as info:
        report.check()  # no data at all
    assert set(info.value.codes) <= {"formula-forbidden", "unknown-function"}
