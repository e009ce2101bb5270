"""Dimensions and measures the resolver refuses, each with one located problem.

The mistakes a spec can only show against its data or its other parts (a grain on a column of
dates only, bins out of order, a window over a text measure, a share of a formula, a pacing
target that does not exist, ...). Each case is the smallest report that makes it; the code,
the path and the first line of the message are written by hand from the spec text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pytest

from crmreports import SpecError
from tests.helpers import run

D = dt.date


def deals() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "stage": ["won", "lost", "won"],
            "amount": [10.0, 20.0, 30.0],
            "day": [D(2024, 1, 5), D(2024, 2, 1), D(2024, 2, 9)],
            "owner": ["ann", "bob", "ann"],
        }
    )


def targets() -> pd.DataFrame:
    return pd.DataFrame(
        {"month": [D(2024, 1, 1), D(2024, 2, 1)], "quota": [100.0, 200.0], "who": ["a", "b"]}
    )


COUNT = "measures: [{name: n, agg: count}]\n"
MONTH = "dimensions: [{field: day, grain: month}]\n"
REVENUE = "  - {name: revenue, agg: sum, field: amount}\n"
QUOTA = "  - {name: quota, agg: sum, field: quota, source: targets, match: {month: day}}\n"


@dataclass(frozen=True)
class Case:
    id: str
    spec: str
    code: str
    path: str
    message: str
    two_sources: bool = False


CASES = [
    # --- dimensions ---
    Case("field-and-expr", "dimensions: [{field: stage, expr: 'owner', name: s}]\n" + COUNT,
         "invalid-value", "dimensions[0]",
         "a dimension needs exactly one of `field` (a column) or `expr` (a formula)"),
    Case("grain-and-bins",
         "dimensions: [{field: day, grain: month, bins: [{label: all}]}]\n" + COUNT,
         "invalid-value", "dimensions[0]",
         "a dimension takes one of grain, part, bins or groups, got grain and bins"),
    Case("top-of-dates",
         "dimensions: [{field: day, grain: month, top: {n: 1, by: n}}]\n" + COUNT,
         "invalid-value", "dimensions[0].top",
         "`top` needs a category dimension, but 'day' is date"),
    Case("fill-gaps-without-grain", "dimensions: [{field: stage, fill_gaps: true}]\n" + COUNT,
         "invalid-value", "dimensions[0].fill_gaps",
         "`fill_gaps` completes a time axis and needs a `grain`"),
    Case("hour-of-dates", "dimensions: [{field: day, grain: hour}]\n" + COUNT,
         "not-temporal", "dimensions[0].grain",
         "grain 'hour' needs a datetime column, but 'day' holds dates only"),
    Case("hour-of-day-of-dates", "dimensions: [{field: day, part: hour_of_day}]\n" + COUNT,
         "not-temporal", "dimensions[0].part",
         "part 'hour_of_day' needs a datetime column, but 'day' is date"),
    Case("part-of-text", "dimensions: [{field: stage, part: month_of_year}]\n" + COUNT,
         "not-temporal", "dimensions[0].part",
         "part 'month_of_year' needs a date or datetime column, but 'stage' is string"),
    Case("bins-of-text", "dimensions: [{field: stage, bins: [{label: all}]}]\n" + COUNT,
         "not-numeric", "dimensions[0].bins",
         "`bins` need a numeric column, but 'stage' is string"),
    Case("bins-out-of-order",
         "dimensions: [{field: amount, bins: [{label: a, below: 20}, {label: b, below: 10}]}]\n"
         + COUNT,
         "invalid-value", "dimensions[0].bins",
         "bins need strictly increasing `below` bounds; only the last may omit it"),
    # --- aggregates ---
    Case("percentile-without-p", "measures: [{name: p, agg: percentile, field: amount}]\n",
         "missing-key", "measures[0].p", "`percentile` needs `p`"),
    Case("p-of-a-sum", "measures: [{name: s, agg: sum, field: amount, p: 0.5}]\n",
         "invalid-value", "measures[0].p", "`p` only applies to percentile, not sum"),
    # --- measures of another source ---
    Case("source-without-match",
         MONTH + "measures:\n  - {name: q, agg: sum, field: quota, source: targets}\n",
         "missing-key", "measures[0].match",
         "a measure over another source needs both `source` and `match`; `match` is missing",
         two_sources=True),
    Case("unknown-measure-source",
         MONTH + "measures:\n  - {name: q, agg: sum, field: quota, source: targetz, "
         "match: {month: day}}\n",
         "unknown-source", "measures[0].source", "unknown source 'targetz'", two_sources=True),
    Case("matched-to-no-dimension",
         MONTH + "measures:\n  - {name: q, agg: sum, field: quota, source: targets, "
         "match: {month: day, who: salesperson}}\n",
         "unknown-name", "measures[0].match",
         "'salesperson' is not one of the report's dimensions", two_sources=True),
    Case("other-source-text-sum",
         MONTH + "measures:\n  - {name: q, agg: sum, field: who, source: targets, "
         "match: {month: day}}\n",
         "not-numeric", "measures[0].field", "", two_sources=True),
    Case("rolling-of-another-source",
         MONTH + "measures:\n" + QUOTA + "  - {name: r, of: quota, rolling: {periods: 2}}\n",
         "invalid-value", "measures[1].of",
         "rolling of a measure from another source ('targets') is not supported; use it on "
         "the report's own measures, or a running total", two_sources=True),
    # --- windows ---
    Case("running-of-text",
         MONTH + "measures:\n  - {name: first, agg: min, field: stage}\n"
         "  - {name: r, of: first, running: {}}\n",
         "not-numeric", "measures[1].of",
         "`running` needs a numeric measure, but 'first' is string"),
    Case("rolling-sum-of-an-average",
         MONTH + "measures:\n  - {name: a, agg: avg, field: amount}\n"
         "  - {name: r, of: a, rolling: {periods: 2}}\n",
         "not-additive", "measures[1].of",
         "a rolling sum adds up period values, but 'a' is aggregated with `avg`, which cannot "
         "be summed across periods"),
    Case("compare-offset-unreadable",
         MONTH + "measures:\n" + REVENUE
         + "  - {name: c, of: revenue, compare: {offset: yesterday}}\n",
         "invalid-value", "measures[1].compare.offset", "cannot read the offset 'yesterday'"),
    Case("share-of-a-formula",
         "dimensions: [stage]\nmeasures:\n" + REVENUE + "  - {name: f, formula: 'revenue * 2'}\n"
         "  - {name: s, of: f, share_of: {}}\n",
         "invalid-value", "measures[2].of",
         "a share is recomputed from base rows, so 'f' must be an aggregate measure (agg: ...), "
         "not a formula or window"),
    Case("share-within-no-dimension",
         "dimensions: [stage]\nmeasures:\n" + REVENUE
         + "  - {name: s, of: revenue, share_of: {within: [owner]}}\n",
         "unknown-name", "measures[1].share_of.within",
         "'owner' is not one of the report's dimensions"),
    Case("share-before-an-unnamed-filter",
         "dimensions: [stage]\nmeasures:\n" + REVENUE
         + "  - {name: s, of: revenue, share_of: {before_filter: big}}\n",
         "unknown-name", "measures[1].share_of.before_filter", "no filter is named 'big'"),
    Case("pacing-without-time",
         "dimensions: [stage]\nmeasures:\n" + REVENUE
         + "  - {name: goal, agg: sum, field: amount}\n"
         "  - {name: p, of: revenue, pacing: {target: goal}}\n",
         "needs-time-dimension", "measures[2]",
         "`pacing` compares each period with its elapsed part, but the report has no dimension "
         "with a `grain`"),
    Case("pacing-unknown-target",
         MONTH + "measures:\n" + REVENUE + "  - {name: p, of: revenue, pacing: {target: goal}}\n",
         "unknown-measure", "measures[1].pacing.target", "unknown measure 'goal'"),
    Case("rank-within-no-dimension",
         "dimensions: [stage]\nmeasures:\n" + REVENUE
         + "  - {name: r, of: revenue, rank: {within: [owner]}}\n",
         "unknown-name", "measures[1].rank.within",
         "'owner' is not one of the report's dimensions"),
    # A window over a measure that failed reports only that measure's problem.
    Case("window-of-a-failed-measure",
         MONTH + "measures:\n  - {name: s, agg: sum, field: stage}\n"
         "  - {name: r, of: s, running: {}}\n",
         "not-numeric", "measures[0].field", ""),
    Case("pacing-of-a-failed-target",
         MONTH + "measures:\n" + REVENUE + "  - {name: goal, agg: sum, field: stage}\n"
         "  - {name: p, of: revenue, pacing: {target: goal}}\n",
         "not-numeric", "measures[1].field", ""),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_refused_with_one_located_problem(case: Case) -> None:
    data: Any = {"deals": deals(), "targets": targets()} if case.two_sources else deals()
    spec = ("source: deals\n" if case.two_sources else "") + case.spec
    with pytest.raises(SpecError) as info:
        run(spec, data, as_of="2024-02-15")
    assert info.value.codes == [case.code]
    problem = info.value.problems[0]
    assert problem.path == case.path
    if case.message:
        assert problem.message == case.message
