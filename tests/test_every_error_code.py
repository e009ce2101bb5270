"""Every documented error code (`crmreports.errors.ERROR_CODES`, docs/errors.md) is raised here.

One case per code: the smallest bad spec or data that raises it through the public API, the
error class the code documents, and where the problem points (its path in the spec), written by
hand from the spec text. A code added to ERROR_CODES without a case here fails
`test_every_documented_code_has_a_case`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pytest

from crmreports import Report, SpecError, builtin
from crmreports.errors import ERROR_CODES


def deals() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "stage": ["won", "lost", "won"],
            "amount": [10.0, 20.0, 30.0],
            "day": [dt.date(2024, 1, 5), dt.date(2024, 2, 1), dt.date(2024, 2, 9)],
            "customer_id": [1, 2, 1],
        }
    )


def yaml(body: str) -> Callable[[], Any]:
    """Parse `body` (the report is named r) and run it on the deals."""
    return lambda: Report.from_yaml("name: r\n" + body).run(deals())


def parse(text: str) -> Callable[[], Any]:
    """Only parse `text`: the mistake is in the text or its structure."""
    return lambda: Report.from_yaml(text)


def with_params(body: str, params: dict[str, Any]) -> Callable[[], Any]:
    return lambda: Report.from_yaml("name: r\n" + body).run(deals(), params=params)


def with_customers(body: str, customers: pd.DataFrame) -> Callable[[], Any]:
    spec = "name: r\nsource: deals\nrelationships: [{to: customers, key: customer_id}]\n" + body
    return lambda: Report.from_yaml(spec).run({"deals": deals(), "customers": customers})


COUNT = "measures: [{name: n, agg: count}]\n"
SUM = "measures: [{name: revenue, agg: sum, field: amount}]\n"
MONTH = "dimensions: [{field: day, grain: month}]\n"
PARAM = "params: [{name: p, type: number, default: 1, allowed: [1, 2]}]\n"
CUSTOMERS = pd.DataFrame({"customer_id": [1, 2], "credit": [100.0, 200.0]})


@dataclass(frozen=True)
class Case:
    code: str
    raise_it: Callable[[], Any]
    path: str


CASES = [
    # --- the text and its structure ---
    # A text that cannot be parsed is located by line and column (the second colon).
    Case("syntax", parse("name: r\ntitle: a: b\n"), "line 2, column 9"),
    Case("not-a-mapping", parse("- name: r\n"), ""),
    Case("missing-key", parse(COUNT), "name"),
    Case("unknown-key", parse("name: r\nmeasure: [{name: n, agg: count}]\n"), "measure"),
    Case("invalid-value", parse("name: r\n" + COUNT + "limit: 0\n"), "limit"),
    Case("unknown-option", parse("name: r\nmeasures: [{name: n, agg: summ, field: amount}]\n"),
         "measures[0].agg"),
    Case("expects-list",
         parse("name: r\n" + COUNT + "filters: [{field: stage, op: in, value: won}]\n"),
         "filters[0].value"),
    Case("expects-scalar",
         parse("name: r\n" + COUNT + "filters: [{field: stage, op: eq, value: [won, lost]}]\n"),
         "filters[0].value"),
    Case("between-bounds",
         parse("name: r\n" + COUNT + "filters: [{field: amount, op: between, value: [1]}]\n"),
         "filters[0].value"),
    Case("empty-spec", yaml(""), ""),
    Case("duplicate-name", yaml("measures: [{name: n, agg: count}, {name: n, agg: count}]\n"),
         "measures[1].name"),
    # --- names, checked against the data and the report itself ---
    Case("unknown-source",
         lambda: Report.from_yaml("name: r\nsource: deels\n" + COUNT).run({"deals": deals()}),
         "source"),
    Case("unknown-column", yaml("dimensions: [stag]\n" + COUNT), "dimensions[0].field"),
    Case("unknown-name", yaml("dimensions: [stage]\n" + COUNT + "sort: [{field: nn}]\n"),
         "sort[0].field"),
    Case("unknown-measure", yaml(COUNT[:-2] + ", {name: r, of: nn, running: {}}]\n" + MONTH),
         "measures[1].of"),
    Case("measure-cycle",
         yaml("measures: [{name: a, formula: 'b + 1'}, {name: b, formula: 'a + 1'}]\n"),
         "measures[0]"),
    # --- types ---
    Case("not-numeric", yaml("measures: [{name: s, agg: sum, field: stage}]\n"),
         "measures[0].field"),
    Case("not-temporal", yaml("dimensions: [{field: stage, grain: month}]\n" + COUNT),
         "dimensions[0].grain"),
    Case("filter-type", yaml(COUNT + "filters: [{field: amount, op: gt, value: lots}]\n"),
         "filters[0].value"),
    Case("not-text", yaml(COUNT + "filters: [{field: amount, op: contains, value: '1'}]\n"),
         "filters[0].op"),
    # --- formulas ---
    Case("formula-syntax", yaml("measures: [{name: s, agg: sum, expr: 'amount +'}]\n"),
         "measures[0].expr"),
    Case("formula-forbidden", yaml("measures: [{name: s, agg: sum, expr: 'amount.real'}]\n"),
         "measures[0].expr"),
    Case("unknown-function", yaml("measures: [{name: s, agg: sum, expr: 'sqrtt(amount)'}]\n"),
         "measures[0].expr"),
    Case("formula-arity", yaml("measures: [{name: s, agg: sum, expr: 'abs(amount, 1)'}]\n"),
         "measures[0].expr"),
    Case("formula-argument",
         yaml("measures: [{name: s, agg: count, filter: {expr: \"day > date('2024-13-01')\"}}]\n"),
         "measures[0].filter[0].expr"),
    Case("formula-too-complex",
         yaml("measures: [{name: s, agg: sum, expr: 'amount" + " + 1" * 600 + "'}]\n"),
         "measures[0].expr"),
    Case("formula-type", yaml("measures: [{name: s, agg: sum, expr: 'stage + 1'}]\n"),
         "measures[0].expr"),
    # --- windows ---
    Case("needs-time-dimension",
         yaml("measures: [{name: n, agg: count}, {name: r, of: n, running: {}}]\n"), "measures[1]"),
    Case("not-additive",
         yaml(MONTH + "measures: [{name: avg_a, agg: avg, field: amount}, "
              "{name: r, of: avg_a, running: {}}]\n"),
         "measures[1].of"),
    # --- sources joined ---
    Case("fan-out",
         with_customers("dimensions: [stage]\n"
                        "measures: [{name: c, agg: sum, field: customers.credit}]\n", CUSTOMERS),
         "measures[0].field"),
    Case("key-type",
         with_customers(COUNT, pd.DataFrame({"customer_id": ["1", "2"], "credit": [1.0, 2.0]})),
         "relationships[0].key"),
    Case("unknown-timezone", yaml(COUNT + "time: {timezone: Mars/Olympus}\n"), "time.timezone"),
    # --- visuals ---
    Case("unknown-visual-field",
         yaml("dimensions: [stage]\n" + SUM + "visual: {kind: bar, y: revenu}\n"), "visual.y"),
    Case("visual-needs-dimension",
         yaml(MONTH + SUM + "visual: {kind: line, x: revenue}\n"), "visual.x"),
    Case("visual-not-numeric",
         yaml("dimensions: [stage]\n" + SUM + "visual: {kind: bar, y: stage}\n"), "visual.y"),
    Case("visual-missing-channel", yaml(SUM + "visual: {kind: line}\n"), "visual"),
    Case("visual-ambiguous-rows",
         yaml("dimensions: [stage, customer_id]\n" + SUM + "visual: {kind: donut}\n"), "visual"),
    # --- parameters ---
    # A value supplied for no parameter is located at the run's `params`; a bad value (or a
    # missing one) at the parameter's declaration.
    Case("unknown-param", with_params(PARAM + COUNT, {"q": 1}), "params"),
    Case("missing-param",
         with_params("params: [{name: p, type: number}]\n" + COUNT
                     + "filters: [{field: amount, op: gt, value: {param: p}}]\n", {}),
         "params[0]"),
    Case("param-type", with_params(PARAM + COUNT, {"p": "two"}), "params[0]"),
    Case("param-not-allowed", with_params(PARAM + COUNT, {"p": 3}), "params[0]"),
    # --- values the data spells otherwise ---
    Case("value-not-in-data",
         lambda: Report.from_yaml(
             "name: r\n" + COUNT + "filters: [{field: stage, op: eq, value: Won}]\n"
         ).run(deals(), strict=True),
         "filters[0].value"),
    # --- built-in reports ---
    Case("unknown-builtin-report", lambda: builtin.get("sales.pipelines"), "name"),
    Case("unknown-builtin-view", lambda: builtin.get("sales.pipeline", view="by_stages"), "view"),
    Case("unknown-builtin-dashboard", lambda: builtin.dashboard("sale"), "name"),
    Case("unknown-model-table",
         lambda: builtin.get("sales.pipeline", columns={"opportunity.amount": "total"}),
         "columns.opportunity.amount"),
    Case("unknown-model-column",
         lambda: builtin.get("sales.pipeline", columns={"opportunities.amout": "total"}),
         "columns.opportunities.amout"),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.code)
def test_the_smallest_bad_spec_raises_its_code(case: Case) -> None:
    with pytest.raises(SpecError) as info:
        case.raise_it()
    assert info.value.codes == [case.code]
    assert info.value.problems[0].path == case.path
    assert f"[code: {case.code}]" in str(info.value)


@pytest.mark.parametrize(
    "case",
    CASES,
    ids=lambda c: c.code,
)
def test_the_error_has_the_documented_class(case: Case) -> None:
    error_class, _ = ERROR_CODES[case.code]
    with pytest.raises(SpecError) as info:
        case.raise_it()
    assert isinstance(info.value, error_class), type(info.value).__name__


def test_every_documented_code_has_a_case() -> None:
    assert sorted(c.code for c in CASES) == sorted(ERROR_CODES)


def test_not_additive_says_what_the_measure_is() -> None:
    with pytest.raises(SpecError) as info:
        yaml(
            MONTH + "measures: [{name: avg_a, agg: avg, field: amount}, "
            "{name: r, of: avg_a, running: {}}]\n"
        )()
    assert info.value.problems[0].message == (
        "a running total adds up period values, but 'avg_a' is aggregated with `avg`, "
        "which cannot be summed across periods"
    )
