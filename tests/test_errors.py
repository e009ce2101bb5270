"""Error messages users can act on: a table of bad-spec factories and the exact text they get.

Each case is a small YAML (or JSON) spec plus, where the mistake only shows against data, a small
pandas frame. Every expected class, code, path, suggestion and message fragment is written by
hand from the spec text; nothing is computed by the code under test.
"""

from __future__ import annotations

import datetime as dt
import re
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import crmreports
from crmreports import (
    DataError,
    DuplicateNameError,
    InvalidSpecError,
    Report,
    SpecError,
    SpecSyntaxError,
    TypeMismatchError,
    UnknownFieldError,
    UnknownNameError,
    UnknownSourceError,
)

# --- data --------------------------------------------------------------------------------------


def located(path: str, message: str) -> bool:
    """The message's `at:` line points at `path` (after "report 'x' ->" for one problem)."""
    return re.search(rf"  at: (report '[^']*' -> )?{re.escape(path)}\n", message + "\n") is not None


def deals() -> pd.DataFrame:
    """Six columns, one of each type the resolver knows (the order matters for the messages)."""
    return pd.DataFrame(
        {
            "stage": ["won", "lost", "won", "open"],
            "amount": [100.5, 20.0, 50.0, 10.0],
            "owner": ["ann", "bob", "ann", "cy"],
            "close_date": [
                dt.date(2024, 1, 5),
                dt.date(2024, 2, 1),
                dt.date(2024, 3, 3),
                dt.date(2024, 3, 9),
            ],
            "created_at": pd.to_datetime(
                ["2024-01-01 10:00", "2024-01-02 11:30", "2024-01-03 09:00", "2024-01-04 08:15"]
            ),
            "deal_id": [1, 2, 3, 4],
        }
    )


def owners() -> pd.DataFrame:
    return pd.DataFrame({"owner": ["ann", "bob"], "team": ["east", "west"]})


def two_sources() -> dict[str, pd.DataFrame]:
    return {"deals": deals(), "owners": owners()}


ALL_COLUMNS = "available columns (6): stage, amount, owner, close_date, created_at, deal_id"

# Words that must never reach a user: backend/library names, Python internals, model class names.
LEAKS = (
    "Traceback",
    "pydantic",
    "Pydantic",
    "ValidationError",
    "narwhals",
    "duckdb.",
    "DuckDBPy",
    "LazyFrame[",
    "builtins.",
    "NoneType",
    "typing.",
    "FieldMeasure",
    "CountMeasure",
    "CompareFilter",
    "InFilter",
    "BetweenFilter",
    "ContainsFilter",
    "NullFilter",
    "AnyOf",
    "ReportSpec",
    "TableVisual",
    "BarVisual",
    "LineVisual",
    "union_tag",
    "extra_forbidden",
    "literal_error",
    "_Binder",
)


def assert_no_leaks(message: str) -> None:
    for word in LEAKS:
        assert word not in message, f"message leaks {word!r}:\n{message}"


# --- the table of bad specs ----------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    spec: str
    error: type[SpecError]
    stdlib: type[Exception]
    codes: tuple[str, ...]
    paths: tuple[str, ...]
    suggestions: tuple[str | None, ...]
    fragments: tuple[str, ...] = ()
    # "parse": from_yaml/from_json raises; "structure": check() without data raises;
    # "data": only check(data) raises.
    stage: str = "data"
    fmt: str = "yaml"
    data: Callable[[], Any] = deals


COUNT = "measures: [{name: n, agg: count}]\n"

CASES = [
    # --- unknown names, found against the data ---
    Case(
        "unknown-column-in-dimension",
        "name: r\ndimensions: [stag]\n" + COUNT,
        UnknownFieldError,
        KeyError,
        ("unknown-column",),
        ("dimensions[0].field",),
        ("stage",),
        ("unknown column 'stag' in source 'data'", ALL_COLUMNS),
    ),
    Case(
        "unknown-column-in-measure",
        "name: r\nmeasures:\n  - {name: n, agg: count}\n  - {name: a, agg: sum, field: amount}\n"
        "  - {name: t, agg: sum, field: amont}\n",
        UnknownFieldError,
        KeyError,
        ("unknown-column",),
        ("measures[2].field",),
        ("amount",),
        ("unknown column 'amont' in source 'data'", ALL_COLUMNS),
    ),
    Case(
        "unknown-column-in-count",
        "name: r\nmeasures: [{name: n, agg: count, field: stagee}]\n",
        UnknownFieldError,
        KeyError,
        ("unknown-column",),
        ("measures[0].field",),
        ("stage",),
        ("unknown column 'stagee' in source 'data'",),
    ),
    Case(
        "unknown-column-in-filter",
        "name: r\n" + COUNT + "filters: [{field: stge, op: eq, value: won}]\n",
        UnknownFieldError,
        KeyError,
        ("unknown-column",),
        ("filters[0].field",),
        ("stage",),
        ("unknown column 'stge' in source 'data'",),
    ),
    Case(
        "unknown-column-in-any-of",
        "name: r\n" + COUNT + "filters:\n  - {field: stage, op: eq, value: won}\n"
        "  - any_of: [{field: stage, op: eq, value: won}, {field: ownr, op: eq, value: ann}]\n",
        UnknownFieldError,
        KeyError,
        ("unknown-column",),
        ("filters[1].any_of[1].field",),
        ("owner",),
        ("unknown column 'ownr' in source 'data'",),
    ),
    Case(
        "unknown-source",
        "name: r\nsource: deels\n" + COUNT,
        UnknownSourceError,
        KeyError,
        ("unknown-source",),
        ("source",),
        ("deals",),
        (
            "unknown source 'deels'",
            "available sources (2): deals, owners",
            "fix: pass the data as {'deels': frame} or correct `source`",
        ),
        data=two_sources,
    ),
    Case(
        "no-source-with-two-frames",
        "name: r\n" + COUNT,
        UnknownSourceError,
        KeyError,
        ("unknown-source",),
        ("source",),
        (None,),
        (
            "the report names no source and 2 sources were supplied",
            "fix: add `source: <name>` to the report",
            "available sources (2): deals, owners",
        ),
        data=two_sources,
    ),
    Case(
        "unknown-measure-in-sort",
        "name: r\ndimensions: [stage]\nmeasures: [{name: revenue, agg: sum, field: amount}]\n"
        "sort: [{field: revenu, desc: true}]\n",
        UnknownNameError,
        KeyError,
        ("unknown-name",),
        ("sort[0].field",),
        ("revenue",),
        (
            "cannot sort by 'revenu': it is neither a dimension nor a measure",
            "available result columns (2): stage, revenue",
        ),
        stage="structure",
    ),
    Case(
        "visual-field-not-in-result",
        "name: r\ndimensions: [stage]\nmeasures: [{name: revenue, agg: sum, field: amount}]\n"
        "visual: {kind: bar, x: stage, y: revenu}\n",
        UnknownNameError,
        KeyError,
        ("unknown-visual-field",),
        ("visual.y",),
        ("revenue",),
        (
            "the visual uses 'revenu', which is not a column of the result",
            "available result columns (2): stage, revenue",
        ),
        stage="structure",
    ),
    Case(
        "table-column-not-in-result",
        "name: r\ndimensions: [stage]\n" + COUNT + "visual: {kind: table, columns: [stage, nn]}\n",
        UnknownNameError,
        KeyError,
        ("unknown-visual-field",),
        ("visual.columns[1]",),
        ("n",),
        ("the visual uses 'nn', which is not a column of the result",),
        stage="structure",
    ),
    # --- types, found against the data ---
    Case(
        "sum-of-text",
        "name: r\nmeasures: [{name: s, agg: sum, field: owner}]\n",
        TypeMismatchError,
        TypeError,
        ("not-numeric",),
        ("measures[0].field",),
        (None,),
        (
            "`sum` needs a numeric column, but 'owner' is string",
            "fix: use `count` or `count_distinct` for non-numeric columns",
            "numeric columns: amount, deal_id",
        ),
    ),
    Case(
        "avg-of-text",
        "name: r\nmeasures: [{name: n, agg: count}, {name: s, agg: avg, field: owner}]\n",
        TypeMismatchError,
        TypeError,
        ("not-numeric",),
        ("measures[1].field",),
        (None,),
        ("`avg` needs a numeric column, but 'owner' is string",),
    ),
    Case(
        "median-of-text",
        "name: r\nmeasures: [{name: s, agg: median, field: stage}]\n",
        TypeMismatchError,
        TypeError,
        ("not-numeric",),
        ("measures[0].field",),
        (None,),
        ("`median` needs a numeric column, but 'stage' is string",),
    ),
    Case(
        "grain-on-text-column",
        "name: r\ndimensions: [{field: owner, grain: month}]\n" + COUNT,
        TypeMismatchError,
        TypeError,
        ("not-temporal",),
        ("dimensions[0].grain",),
        (None,),
        (
            "grain 'month' needs a date or datetime column, but 'owner' is string",
            "fix: remove `grain`, or convert the column to dates first",
        ),
    ),
    Case(
        "text-value-on-numeric-column",
        "name: r\n" + COUNT + "filters: [{field: amount, op: gt, value: lots}]\n",
        TypeMismatchError,
        TypeError,
        ("filter-type",),
        ("filters[0].value",),
        (None,),
        (
            "'lots' cannot be compared with 'amount', which is float",
            "fix: give a float value such as 99.5",
        ),
    ),
    Case(
        "text-in-list-on-numeric-column",
        "name: r\n" + COUNT + "filters: [{field: deal_id, op: in, value: [1, two]}]\n",
        TypeMismatchError,
        TypeError,
        ("filter-type",),
        ("filters[0].value[1]",),
        (None,),
        ("'two' cannot be compared with 'deal_id', which is integer",),
    ),
    Case(
        "non-date-string-on-date-column",
        "name: r\n" + COUNT + "filters: [{field: close_date, op: ge, value: 'last week'}]\n",
        TypeMismatchError,
        TypeError,
        ("filter-type",),
        ("filters[0].value",),
        (None,),
        (
            "'last week' cannot be compared with 'close_date', which is date",
            "fix: give a date value such as 2024-01-31",
        ),
    ),
    Case(
        "non-date-bound-on-datetime-column",
        "name: r\n" + COUNT + "filters: [{field: created_at, op: between, "
        "value: [2024-01-01, yesterday]}]\n",
        TypeMismatchError,
        TypeError,
        ("filter-type",),
        ("filters[0].value[1]",),
        (None,),
        ("'yesterday' cannot be compared with 'created_at', which is datetime",),
    ),
    Case(
        "contains-on-numeric-column",
        "name: r\n" + COUNT + "filters: [{field: amount, op: contains, value: '1'}]\n",
        TypeMismatchError,
        TypeError,
        ("not-text",),
        ("filters[0].op",),
        (None,),
        (
            "`contains` needs a text column, but 'amount' is float",
            "fix: use eq, in or between for non-text columns",
        ),
    ),
    # --- names that clash, found without data ---
    Case(
        "duplicate-measure-names",
        "name: r\nmeasures: [{name: n, agg: count}, {name: n, agg: sum, field: amount}]\n",
        DuplicateNameError,
        ValueError,
        ("duplicate-name",),
        ("measures[1].name",),
        (None,),
        ("'n' is already the name of measures[0].name", "fix: give one of them a different `name`"),
        stage="structure",
    ),
    Case(
        "dimension-and-measure-same-name",
        "name: r\ndimensions: [stage]\nmeasures: [{name: stage, agg: count}]\n",
        DuplicateNameError,
        ValueError,
        ("duplicate-name",),
        ("measures[0].name",),
        (None,),
        ("'stage' is already the name of dimensions[0]",),
        stage="structure",
    ),
    Case(
        "empty-spec",
        "name: r\n",
        InvalidSpecError,
        ValueError,
        ("empty-spec",),
        ("",),
        (None,),
        (
            "the report has no dimensions and no measures, so there is nothing to compute",
            "fix: add `measures: [{name: rows, agg: count}]` or a dimension",
        ),
        stage="structure",
    ),
    # --- structure, found while parsing ---
    Case(
        "in-with-a-scalar",
        "name: r\n" + COUNT + "filters: [{field: stage, op: in, value: won}]\n",
        InvalidSpecError,
        ValueError,
        ("expects-list",),
        ("filters[0].value",),
        (None,),
        ("`in` needs a list of values, got 'won'", "fix: write `value: [won]`"),
        stage="parse",
    ),
    Case(
        "between-with-one-bound",
        "name: r\n" + COUNT + "filters: [{field: amount, op: between, value: [1]}]\n",
        InvalidSpecError,
        ValueError,
        ("between-bounds",),
        ("filters[0].value",),
        (None,),
        ("`between` needs exactly two bounds [low, high], got [1]",),
        stage="parse",
    ),
    Case(
        "between-with-three-bounds",
        "name: r\n" + COUNT + "filters: [{field: amount, op: between, value: [1, 2, 3]}]\n",
        InvalidSpecError,
        ValueError,
        ("between-bounds",),
        ("filters[0].value",),
        (None,),
        ("`between` needs exactly two bounds [low, high], got [1, 2, 3]",),
        stage="parse",
    ),
    Case(
        "eq-with-a-list",
        "name: r\n" + COUNT + "filters: [{field: stage, op: eq, value: [won, lost]}]\n",
        InvalidSpecError,
        ValueError,
        ("expects-scalar",),
        ("filters[0].value",),
        (None,),
        ("`eq` compares with one value", "fix: use `op: in` to match any of several values"),
        stage="parse",
    ),
    Case(
        "unknown-op-in-any-of",
        "name: r\n" + COUNT + "filters:\n  - {field: stage, op: eq, value: won}\n"
        "  - any_of: [{field: amount, op: betwen, value: [1, 2]}]\n",
        InvalidSpecError,
        ValueError,
        ("unknown-option",),
        ("filters[1].any_of[0].op",),
        ("between",),
        (
            "unknown filter op 'betwen'",
            "available ops (17): eq, ne, lt, le, gt, ge, in, not_in, between, is_null, not_null, "
            "contains, this, previous, last, next, to_date",
        ),
        stage="parse",
    ),
    Case(
        "missing-op",
        "name: r\n" + COUNT + "filters: [{field: stage, value: won}]\n",
        InvalidSpecError,
        ValueError,
        ("missing-key",),
        ("filters[0]",),
        (None,),
        ("a filter needs `op` (or `any_of: [...]` for an OR group)",),
        stage="parse",
    ),
    Case(
        "unknown-agg",
        "name: r\nmeasures: [{name: n, agg: summ, field: amount}]\n",
        InvalidSpecError,
        ValueError,
        ("unknown-option",),
        ("measures[0].agg",),
        ("sum",),
        (
            "unknown agg 'summ'",
            "available agg values (9): count, count_distinct, sum, avg, min, max, median, "
            "percentile, stddev",
        ),
        stage="parse",
    ),
    Case(
        "missing-agg",
        "name: r\nmeasures: [{name: n, field: amount}]\n",
        InvalidSpecError,
        ValueError,
        ("missing-key",),
        ("measures[0]",),
        (None,),
        ("a measure needs `agg` (an aggregation), `formula`",),
        stage="parse",
    ),
    Case(
        # The typo also leaves `field` missing; one mistake, so only the typo (with its fix)
        # is reported, not a second "missing field" problem.
        "unknown-key-typo",
        "name: r\nmeasures: [{name: n, agg: sum, feild: amount}]\n",
        InvalidSpecError,
        ValueError,
        ("unknown-key",),
        ("measures[0].feild",),
        ("field",),
        (
            "unknown key 'feild'",
            "available keys (15): agg, currency, direction, field, fill, filter, format, label, "
            "match, name, optional, p, ... and 3 more",
        ),
        stage="parse",
    ),
    Case(
        "unknown-top-level-key",
        "name: r\nmeasure: [{name: n, agg: count}]\n",
        InvalidSpecError,
        ValueError,
        ("unknown-key",),
        ("measure",),
        ("measures",),
        ("unknown key 'measure'", "fix: remove it or correct its spelling"),
        stage="parse",
    ),
    Case(
        "missing-field-for-sum",
        "name: r\nmeasures: [{name: n, agg: sum}]\n",
        InvalidSpecError,
        ValueError,
        ("missing-key",),
        ("measures[0].field",),
        (None,),
        ("missing required key 'field'", "fix: `sum` aggregates a column: add `field: <column>`"),
        stage="parse",
    ),
    Case(
        "missing-name",
        COUNT,
        InvalidSpecError,
        ValueError,
        ("missing-key",),
        ("name",),
        (None,),
        ("missing required key 'name'", "fix: add `name: ...`"),
        stage="parse",
    ),
    Case(
        "report-name-with-spaces",
        "name: my report\n" + COUNT,
        InvalidSpecError,
        ValueError,
        ("invalid-value",),
        ("name",),
        (None,),
        (
            "'my report' is not a valid name",
            "fix: use letters, digits and underscores, starting with a letter or underscore",
        ),
        stage="parse",
    ),
    Case(
        "measure-name-with-spaces",
        "name: r\nmeasures: [{name: total revenue, agg: count}]\n",
        InvalidSpecError,
        ValueError,
        ("invalid-value",),
        ("measures[0].name",),
        (None,),
        ("'total revenue' is not a valid name",),
        stage="parse",
    ),
    Case(
        "unknown-visual-kind",
        "name: r\n" + COUNT + "visual: {kind: lines}\n",
        InvalidSpecError,
        ValueError,
        ("unknown-option",),
        ("visual.kind",),
        ("line",),
        (
            "unknown kind 'lines'",
            "available kind values (12): line, area, bar, pie, donut, kpi, funnel, bullet, "
            "heatmap, scatter, pareto, table",
        ),
        stage="parse",
    ),
    Case(
        "unknown-grain",
        "name: r\ndimensions: [{field: close_date, grain: montth}]\n" + COUNT,
        InvalidSpecError,
        ValueError,
        ("unknown-option",),
        ("dimensions[0].grain",),
        ("month",),
        (
            "'montth' is not allowed here",
            "available values (8): hour, day, week, month, quarter, year, fiscal_quarter, "
            "fiscal_year",
        ),
        stage="parse",
    ),
    Case(
        "unknown-format",
        "name: r\nmeasures: [{name: n, agg: count, format: percentt}]\n",
        InvalidSpecError,
        ValueError,
        ("unknown-option",),
        ("measures[0].format",),
        ("percent",),
        ("'percentt' is not allowed here",),
        stage="parse",
    ),
    Case(
        "limit-zero",
        "name: r\n" + COUNT + "limit: 0\n",
        InvalidSpecError,
        ValueError,
        ("invalid-value",),
        ("limit",),
        (None,),
        ("0 is too small",),
        stage="parse",
    ),
    Case(
        "limit-negative",
        "name: r\n" + COUNT + "limit: -3\n",
        InvalidSpecError,
        ValueError,
        ("invalid-value",),
        ("limit",),
        (None,),
        ("-3 is too small",),
        stage="parse",
    ),
    # --- the text itself ---
    Case(
        "yaml-bad-indentation",
        "name: r\nmeasures:\n  - name: n\n    agg: count\n   - name: m\n",
        SpecSyntaxError,
        ValueError,
        ("syntax",),
        # line 5 is "   - name: m"; its '-' is the 4th character
        ("line 5, column 4",),
        (None,),
        ("invalid YAML in <yaml>: expected <block end>",),
        stage="parse",
    ),
    Case(
        "yaml-colon-in-value",
        "name: r\ntitle: a: b\n",
        SpecSyntaxError,
        ValueError,
        ("syntax",),
        # line 2 is "title: a: b"; the second ':' is the 9th character
        ("line 2, column 9",),
        (None,),
        ("invalid YAML in <yaml>: mapping values are not allowed here",),
        stage="parse",
    ),
    Case(
        "yaml-duplicate-key",
        "name: r\n" + COUNT + "name: s\n",
        SpecSyntaxError,
        ValueError,
        ("syntax",),
        # the second `name` starts line 3
        ("line 3, column 1",),
        (None,),
        ("found duplicate key 'name'",),
        stage="parse",
    ),
    Case(
        "json-missing-comma",
        '{"name": "r",\n "measures": [{"name": "n" "agg": "count"}]}',
        SpecSyntaxError,
        ValueError,
        ("syntax",),
        # line 2: ` "measures": [{"name": "n" "agg"...`; the quote of "agg" is the 28th character
        ("line 2, column 28",),
        (None,),
        ("invalid JSON in <json>: Expecting ',' delimiter",),
        stage="parse",
        fmt="json",
    ),
    Case(
        "json-trailing-comma",
        '{\n  "name": "r",\n  "measures": [],\n}\n',
        SpecSyntaxError,
        ValueError,
        ("syntax",),
        ("line 4, column 1",),
        (None,),
        ("invalid JSON in <json>",),
        stage="parse",
        fmt="json",
    ),
    Case(
        "spec-is-a-list",
        "- name: r\n- measures: []\n",
        InvalidSpecError,
        ValueError,
        ("not-a-mapping",),
        ("",),
        (None,),
        ("a report spec must be a mapping of keys to values, got list from <yaml>",),
        stage="parse",
    ),
    Case(
        "json-spec-is-a-list",
        '[{"name": "r"}]',
        InvalidSpecError,
        ValueError,
        ("not-a-mapping",),
        ("",),
        (None,),
        ("got list from <json>",),
        stage="parse",
        fmt="json",
    ),
    Case(
        "empty-text",
        "",
        InvalidSpecError,
        ValueError,
        ("not-a-mapping",),
        ("",),
        (None,),
        ("a report spec must be a mapping of keys to values, got empty from <yaml>",),
        stage="parse",
    ),
]


def _parse(case: Case) -> Report:
    if case.fmt == "json":
        return Report.from_json(case.spec)
    return Report.from_yaml(case.spec)


def _error(case: Case) -> SpecError:
    """The error the case raises, at the stage it promises (and not earlier)."""
    if case.stage == "parse":
        with pytest.raises(SpecError) as info:
            _parse(case)
        return info.value
    report = _parse(case)  # a data or structure problem must not stop parsing
    if case.stage == "structure":
        with pytest.raises(SpecError) as info:
            report.check()
        return info.value
    report.check()  # needs the data: fine without it
    with pytest.raises(SpecError) as info:
        report.check(case.data())
    return info.value


def test_the_table_is_big_enough() -> None:
    assert len(CASES) >= 25
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_spec(case: Case) -> None:
    err = _error(case)
    message = str(err)

    assert type(err) is case.error
    assert isinstance(err, case.stdlib)
    assert isinstance(err, ValueError)  # every SpecError is a ValueError
    assert isinstance(err, crmreports.CrmReportsError)

    assert err.codes == list(case.codes)
    assert [p.path for p in err.problems] == list(case.paths)
    assert [p.suggestion for p in err.problems] == list(case.suggestions)
    assert all(isinstance(p, crmreports.Problem) for p in err.problems)
    for code in case.codes:
        assert code in crmreports.errors.ERROR_CODES
        assert f"[code: {code}]" in message
    for path in case.paths:
        if path:
            assert located(path, message)
    for suggestion in case.suggestions:
        if suggestion:
            assert f"did you mean: '{suggestion}'?" in message
    if None in case.suggestions and not any(case.suggestions):
        assert "did you mean" not in message
    for fragment in case.fragments:
        assert fragment in message, f"{fragment!r} not in:\n{message}"
    assert_no_leaks(message)


@pytest.mark.parametrize("case", [c for c in CASES if c.stage == "data"], ids=lambda c: c.id)
def test_run_raises_the_same_error_as_check(case: Case) -> None:
    report = _parse(case)
    with pytest.raises(SpecError) as checked:
        report.check(case.data())
    with pytest.raises(SpecError) as ran:
        report.run(case.data())
    assert type(ran.value) is type(checked.value)
    assert str(ran.value) == str(checked.value)


@pytest.mark.parametrize(
    ("text", "line", "column", "char"),
    [
        ("name: r\nmeasures:\n  - name: n\n    agg: count\n   - name: m\n", 5, 4, "-"),
        ("name: r\ntitle: a: b\n", 2, 9, ":"),
        ("name: r\n" + COUNT + "name: s\n", 3, 1, "n"),
    ],
    ids=["indentation", "colon-in-value", "duplicate-key"],
)
def test_yaml_syntax_error_points_at_the_offending_character(
    text: str, line: int, column: int, char: str
) -> None:
    with pytest.raises(SpecSyntaxError) as info:
        Report.from_yaml(text)
    assert f"at: line {line}, column {column}" in str(info.value)
    # the hand-written position really is the character the parser stopped at
    assert text.splitlines()[line - 1][column - 1] == char


def test_json_syntax_error_points_at_the_offending_character() -> None:
    text = '{"name": "r",\n "measures": [{"name": "n" "agg": "count"}]}'
    with pytest.raises(SpecSyntaxError) as info:
        Report.from_json(text)
    assert "at: line 2, column 28" in str(info.value)
    assert text.splitlines()[1][27:32] == '"agg"'


def test_syntax_error_from_a_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: r\ntitle: a: b\n", encoding="utf-8")
    with pytest.raises(SpecSyntaxError) as info:
        crmreports.load(path)
    message = str(info.value)
    assert f"invalid YAML in {path}: mapping values are not allowed here" in message
    assert "at: line 2, column 9" in message


def test_from_dict_rejects_a_list() -> None:
    with pytest.raises(InvalidSpecError) as info:
        Report.from_dict([{"name": "r"}])
    assert info.value.codes == ["not-a-mapping"]
    assert "got list from <dict>" in str(info.value)


def test_empty_yaml_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("", encoding="utf-8")
    with pytest.raises(InvalidSpecError) as info:
        crmreports.load(path)
    assert info.value.codes == ["not-a-mapping"]
    assert f"got empty from {path}" in str(info.value)


# --- every problem at once -----------------------------------------------------------------------


def test_three_problems_against_the_data_are_reported_together() -> None:
    report = Report.from_yaml(
        "name: x\n"
        "dimensions: [stag]\n"
        "measures: [{name: s, agg: sum, field: owner}]\n"
        "sort: [{field: nope}]\n"
    )
    with pytest.raises(SpecError) as info:
        report.check(deals())
    err = info.value
    message = str(err)
    # different kinds of problem: the common base class, still a ValueError
    assert type(err) is SpecError
    assert isinstance(err, ValueError)
    assert sorted(err.codes) == ["not-numeric", "unknown-column", "unknown-name"]
    assert sorted(p.path for p in err.problems) == [
        "dimensions[0].field",
        "measures[0].field",
        "sort[0].field",
    ]
    assert message.startswith("3 problems in report 'x':\n")
    for number in ("1. ", "2. ", "3. "):
        assert f"\n{number}" in message
    assert "did you mean: 'stage'?" in message
    assert "`sum` needs a numeric column, but 'owner' is string" in message
    assert "cannot sort by 'nope'" in message
    assert_no_leaks(message)


def test_filter_problems_are_reported_together_with_measure_problems() -> None:
    report = Report.from_yaml(
        "name: x\n"
        "measures: [{name: s, agg: avg, field: stage}]\n"
        "filters:\n"
        "  - {field: amount, op: gt, value: lots}\n"
        "  - {field: close_date, op: lt, value: soon}\n"
        "  - {field: owner, op: contains, value: a}\n"
        "  - {field: ammount, op: is_null}\n"
    )
    with pytest.raises(SpecError) as info:
        report.check(deals())
    err = info.value
    assert err.codes == ["not-numeric", "filter-type", "filter-type", "unknown-column"]
    assert [p.path for p in err.problems] == [
        "measures[0].field",
        "filters[0].value",
        "filters[1].value",
        "filters[3].field",
    ]
    assert str(err).startswith("4 problems in report 'x':\n")


def test_three_structure_problems_are_reported_together_while_parsing() -> None:
    text = (
        "name: x\n"
        "measures: [{name: n, agg: summ, field: amount}, {name: m, agg: count, feild: a}]\n"
        "limit: 0\n"
    )
    with pytest.raises(InvalidSpecError) as info:
        Report.from_yaml(text)
    err = info.value
    assert err.codes == ["unknown-option", "unknown-key", "invalid-value"]
    assert [p.path for p in err.problems] == ["measures[0].agg", "measures[1].feild", "limit"]
    assert [p.suggestion for p in err.problems] == ["sum", "field", None]
    message = str(err)
    assert message.startswith("3 problems in report 'x':\n1. unknown agg 'summ'\n")
    assert "\n2. unknown key 'feild'\n" in message
    assert_no_leaks(message)


def test_many_problems_are_capped() -> None:
    lines = "".join(f"  - {{name: m{i}, agg: sum, field: nope{i}}}\n" for i in range(12))
    report = Report.from_yaml("name: m\nmeasures:\n" + lines)
    with pytest.raises(UnknownFieldError) as info:
        report.check(deals())
    err = info.value
    assert len(err.problems) == 12  # all kept on the exception
    message = str(err)
    assert message.startswith("12 problems in report 'm':\n")
    assert "\n10. unknown column 'nope9' in source 'data'" in message
    assert "nope10" not in message and "nope11" not in message
    assert message.endswith("\n... and 2 more")


def test_long_column_list_is_capped() -> None:
    wide = pd.DataFrame({f"col_{i:02d}": [1] for i in range(30)})
    report = Report.from_yaml("name: r\ndimensions: [col_99]\n")
    with pytest.raises(UnknownFieldError) as info:
        report.check(wide)
    message = str(info.value)
    assert (
        "  available columns (30): col_00, col_01, col_02, col_03, col_04, col_05, col_06, "
        "col_07, col_08, col_09, col_10, col_11, ... and 18 more\n"
    ) in message
    assert "col_12" not in message
    assert "did you mean: 'col_29'?" in message


def test_problem_fields_are_filled() -> None:
    with pytest.raises(UnknownFieldError) as info:
        Report.from_yaml("name: r\n" + "measures: [{name: t, agg: sum, field: amont}]\n").check(
            deals()
        )
    (problem,) = info.value.problems
    assert problem.code == "unknown-column"
    assert problem.message == "unknown column 'amont' in source 'data'"
    assert problem.path == "measures[0].field"
    assert problem.suggestion == "amount"
    assert problem.checked_against == ALL_COLUMNS
    assert problem.hint is None
    assert info.value.report == "r"


def test_unknown_field_error_is_caught_by_a_key_error_handler() -> None:
    report = Report.from_yaml("name: r\ndimensions: [stag]\n" + COUNT)
    with pytest.raises(KeyError):
        report.check(deals())
    try:
        report.check(deals())
    except KeyError as exc:  # str() must not be KeyError's quoted repr
        assert str(exc).startswith("unknown column 'stag'")


# --- unusable data -------------------------------------------------------------------------------


GOOD = "name: r\ndimensions: [stage]\n" + COUNT


def test_list_as_data_is_a_data_error() -> None:
    with pytest.raises(DataError) as info:
        Report.from_yaml(GOOD).run([{"stage": "won"}])
    assert isinstance(info.value, ValueError)
    assert not isinstance(info.value, SpecError)
    message = str(info.value)
    assert message.startswith("source 'data': cannot read a ")
    assert "pass a pandas DataFrame" in message
    assert "the path of a .csv or .parquet file" in message


def test_missing_data_file_is_a_data_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.csv"
    with pytest.raises(DataError) as info:
        Report.from_yaml(GOOD).run(str(missing))
    assert str(info.value) == f"source 'data': file not found: '{missing}'"


def test_data_file_with_wrong_extension_is_a_data_error(tmp_path: Path) -> None:
    path = tmp_path / "deals.xlsx"
    path.write_bytes(b"not a spreadsheet")
    with pytest.raises(DataError) as info:
        Report.from_yaml(GOOD).check(path)
    assert str(info.value) == f"source 'data': '{path}' is neither a .csv nor a .parquet file"


def test_named_source_with_missing_file_names_the_source(tmp_path: Path) -> None:
    good = tmp_path / "deals.csv"
    deals().to_csv(good, index=False)
    with pytest.raises(DataError) as info:
        Report.from_yaml("name: r\nsource: deals\n" + COUNT).check(
            {"deals": good, "owners": tmp_path / "owners.parquet"}
        )
    assert str(info.value).startswith("source 'owners': file not found")


def test_empty_mapping_is_a_data_error() -> None:
    with pytest.raises(DataError, match=r"^no data given"):
        Report.from_yaml(GOOD).check({})


def test_corrupt_parquet_file_is_a_data_error_without_backend_names(tmp_path: Path) -> None:
    path = tmp_path / "deals.parquet"
    path.write_text("not parquet", encoding="utf-8")
    with pytest.raises(DataError) as info:
        Report.from_yaml(GOOD).check(path)
    message = str(info.value)
    assert message.startswith(f"source 'data': cannot read '{path}': ")
    assert_no_leaks(message)


def test_missing_spec_file_is_a_data_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(DataError) as info:
        crmreports.load(missing)
    assert str(info.value) == f"spec file not found: '{missing}'"


def test_non_text_column_names_are_a_data_error() -> None:
    with pytest.raises(DataError, match=r"column names must be text, found \[0\]"):
        Report.from_yaml(GOOD).check(pd.DataFrame({0: [1]}))


# --- messages a demanding user would not accept (known bugs, kept visible) -----------------------


def test_unsupported_data_names_the_type_as_a_user_knows_it() -> None:
    with pytest.raises(DataError) as info:
        Report.from_yaml(GOOD).run([{"stage": "won"}])
    message = str(info.value)
    assert "builtins" not in message
    assert "cannot read a list" in message


def test_report_name_is_part_of_the_location_not_the_sentence() -> None:
    with pytest.raises(TypeMismatchError) as info:
        Report.from_yaml("name: r\nmeasures: [{name: s, agg: sum, field: owner}]\n").check(deals())
    lines = str(info.value).splitlines()
    assert lines[0] == "`sum` needs a numeric column, but 'owner' is string"
    assert lines[1] == "  at: report 'r' -> measures[0].field"


def test_duplicate_yaml_key_has_a_fix_about_the_duplicate() -> None:
    with pytest.raises(SpecSyntaxError) as info:
        Report.from_yaml("name: r\n" + COUNT + "name: s\n")
    (problem,) = info.value.problems
    assert problem.hint is not None
    assert "indentation" not in problem.hint
    assert "name" in problem.hint  # e.g. "keep one `name:` key"


@pytest.mark.parametrize(("given", "meant"), [("gte", "ge"), ("lte", "le")])
def test_comparison_alias_suggests_the_same_comparison(given: str, meant: str) -> None:
    with pytest.raises(InvalidSpecError) as info:
        Report.from_yaml(
            "name: r\n" + COUNT + f"filters: [{{field: amount, op: {given}, value: 1}}]\n"
        )
    assert [p.suggestion for p in info.value.problems] == [meant]


@pytest.mark.parametrize("given", ["equals", "'=='"])
def test_common_spelling_of_eq_suggests_eq(given: str) -> None:
    with pytest.raises(InvalidSpecError) as info:
        Report.from_yaml(
            "name: r\n" + COUNT + f"filters: [{{field: stage, op: {given}, value: a}}]\n"
        )
    assert [p.suggestion for p in info.value.problems] == ["eq"]


@pytest.mark.parametrize(
    ("spec", "path", "jargon"),
    [
        ("name: r\n" + COUNT + "limit: 0\n", "limit", "Input should be"),
        (
            "name: r\n" + COUNT + "filters: [{field: stage, op: in, value: []}]\n",
            "filters[0].value",
            "after validation",
        ),
        ("name: r\nmeasures: [count]\n", "measures[0]", "object to extract fields from"),
    ],
    ids=["limit-zero", "in-empty-list", "measure-as-a-word"],
)
def test_structure_messages_use_the_spec_language(spec: str, path: str, jargon: str) -> None:
    with pytest.raises(InvalidSpecError) as info:
        Report.from_yaml(spec)
    message = str(info.value)
    assert located(path, message)
    assert jargon.casefold() not in message.casefold()
    assert "fix: " in message


def test_empty_json_file_says_it_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_text("", encoding="utf-8")
    with pytest.raises(SpecError) as info:
        crmreports.load(path)
    assert info.value.codes == ["not-a-mapping"]
    assert f"got empty from {path}" in str(info.value)


def test_syntax_error_prints_its_message_through_the_traceback_module() -> None:
    with pytest.raises(SpecSyntaxError) as info:
        Report.from_yaml("name: r\ntitle: a: b\n")
    shown = "".join(traceback.format_exception_only(info.value))
    assert "<no detail available>" not in shown
    assert "mapping values are not allowed here" in shown
    assert "line 2" in shown
