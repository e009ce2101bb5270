"""Regression tests for the engine fixes made while writing the sales part B reports.

1. An optional measure or filter whose formula names a report parameter was left out as if the
   parameter were a missing column (resolve/optional.py).
2. A pacing measure whose target measure failed reported the target a second time as an
   "unknown measure 'target' (did you mean 'target'?)" (resolve/bind_measures.py).
3. A missing column of another source (a target's) in a mapped spec did not say how to map it
   (resolve/context.py, resolver.py, bind_measures.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pytest

from crmreports import Report, SpecError
from tests.helpers import assert_rows_equal

D = dt.date

DEALS = {
    "stage": ["a", "a", "b"],
    "amount": [100.0, 200.0, 50.0],
    "probability": [10.0, 50.0, None],
}

WEIGHTED = """
name: weighted
params: [{name: scale, type: number, default: 100}, {name: floor, type: number, default: 60}]
dimensions: [stage]
filters:
  - {expr: "amount >= floor", optional: true}
measures:
  - {name: amount, agg: sum, field: amount}
  - {name: weighted, agg: sum, expr: amount * probability / scale, optional: true}
"""


def test_an_optional_formula_may_name_a_parameter(constructor: Any) -> None:
    result = Report.from_yaml(WEIGHTED).run(constructor(DEALS))
    # amount >= 60 keeps 100 and 200 (stage a) and drops 50 (stage b).
    # a: 100 + 200 = 300; weighted 100 x 10/100 + 200 x 50/100 = 10 + 100 = 110.
    assert_rows_equal(result, [{"stage": "a", "amount": 300.0, "weighted": 110.0}])
    assert result.notes == ()


def test_an_optional_formula_naming_a_parameter_still_goes_without_its_column(
    constructor: Any,
) -> None:
    data = {k: v for k, v in DEALS.items() if k != "probability"}
    result = Report.from_yaml(WEIGHTED).run(constructor(data))
    assert_rows_equal(result, [{"stage": "a", "amount": 300.0}])
    assert result.notes == (
        "measure 'weighted' left out: source 'data' has no column 'probability'",
    )


ACTUALS = {"day": [D(2024, 1, 5), D(2024, 2, 5)], "amount": [10.0, 20.0]}
TARGETS = {"month": [D(2024, 1, 1), D(2024, 2, 1)], "goal": [20.0, 20.0]}
PACING = """
name: pacing
source: actuals
dimensions: [{field: day, grain: month, name: month}]
measures:
  - {name: actual, agg: sum, field: amount}
  - {name: target, agg: sum, field: goal, source: targets, match: {period: month}}
  - {name: pace, of: actual, pacing: {target: target}}
"""


def _frames() -> dict[str, Any]:
    return {
        "actuals": pa.table({"day": pa.array(ACTUALS["day"], pa.date32()),
                             "amount": ACTUALS["amount"]}),
        "targets": pa.table({"month": pa.array(TARGETS["month"], pa.date32()),
                             "goal": TARGETS["goal"]}),
    }  # fmt: skip


def test_a_failed_pacing_target_is_reported_once() -> None:
    with pytest.raises(SpecError) as info:
        Report.from_yaml(PACING).run(_frames())
    # `period` is not a column of targets (it is `month`): one problem, not a second one
    # about the pacing measure's target.
    assert [p.path for p in info.value.problems] == ["measures[1].match"]


def test_a_missing_target_column_of_a_mapped_source_says_how_to_map_it() -> None:
    mapped = PACING + "mapping: {actuals: {}, targets: {}}\n"
    with pytest.raises(SpecError) as info:
        Report.from_yaml(mapped).run(_frames())
    assert info.value.problems[0].hint == (
        "map one of your columns onto it: mapping: {targets: {columns: {period: <your "
        "column>}}} (builtin.get(..., columns={'targets': {'period': '<your column>'}}))"
    )
    # Without a mapping (a spec of one's own) there is nothing to map: no such hint.
    with pytest.raises(SpecError) as info:
        Report.from_yaml(PACING).run(_frames())
    assert info.value.problems[0].hint is None
