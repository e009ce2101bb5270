"""Row-level formulas: the parser's whitelist, type inference, and translation to narwhals.

Translation tests run every operator and function on DuckDB (a relation over a pandas frame,
the default engine) and on polars (lazy and eager), and compare with values worked out by hand
in the test; the property test compares division with a plain-Python reference.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

import narwhals as nw
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmreports.errors import InvalidSpecError
from crmreports.execute.dtypes import time_zone_of, to_data_type
from crmreports.execute.formula import to_expr
from crmreports.execute.inputs import duckdb_cursor
from crmreports.resolve.formula_types import infer
from crmreports.resolve.types import DataType
from crmreports.spec.formula import (
    FORMULA_ERROR_CODES,
    FUNCTIONS,
    Binary,
    Call,
    IfElse,
    InList,
    Literal,
    Ref,
    Unary,
    parse,
    parse_with_problems,
    references,
    to_text,
)
from tests.helpers import arrow_table, assert_rows_equal, frame_to_rows, keep_alive, to_pandas

# --- parsing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("amount", Ref("amount")),
        ("1", Literal(1)),
        ("-2.5", Literal(-2.5)),
        ("'x'", Literal("x")),
        ("true", Literal(True)),
        ("False", Literal(False)),
        ("null", Literal(None)),
        ("None", Literal(None)),
        ("-a", Unary("neg", Ref("a"))),
        ("not a", Unary("not", Ref("a"))),
        ("a + b", Binary("add", Ref("a"), Ref("b"))),
        ("a - b * c", Binary("sub", Ref("a"), Binary("mul", Ref("b"), Ref("c")))),
        ("a / b % c", Binary("mod", Binary("div", Ref("a"), Ref("b")), Ref("c"))),
        ("a and b or c", Binary("or", Binary("and", Ref("a"), Ref("b")), Ref("c"))),
        ("a == 1", Binary("eq", Ref("a"), Literal(1))),
        ("a != 1", Binary("ne", Ref("a"), Literal(1))),
        (
            "1 < a <= 3",
            Binary("and", Binary("lt", Literal(1), Ref("a")), Binary("le", Ref("a"), Literal(3))),
        ),
        (
            "a > b >= c",
            Binary("and", Binary("gt", Ref("a"), Ref("b")), Binary("ge", Ref("b"), Ref("c"))),
        ),
        ("x in [1, -2, 'a']", InList(Ref("x"), (Literal(1), Literal(-2), Literal("a")))),
        ("x not in ('a',)", InList(Ref("x"), (Literal("a"),), negate=True)),
        (
            "d in [date('2024-01-31')]",
            InList(Ref("d"), (Call("date", (Literal("2024-01-31"),)),)),
        ),
        ("x is None", Call("is_null", (Ref("x"),))),
        ("x is not null", Call("not_null", (Ref("x"),))),
        ("a if c else b", IfElse(Ref("c"), Ref("a"), Ref("b"))),
        ("if(c, a, b)", IfElse(Ref("c"), Ref("a"), Ref("b"))),
        ("if (c, a, b)", IfElse(Ref("c"), Ref("a"), Ref("b"))),
        ("x if(c) else y", IfElse(Ref("c"), Ref("x"), Ref("y"))),
        ("1 + if(c, 1, 2)", Binary("add", Literal(1), IfElse(Ref("c"), Literal(1), Literal(2)))),
        (
            "case(a, 1, b, 2, 3)",
            IfElse(Ref("a"), Literal(1), IfElse(Ref("b"), Literal(2), Literal(3))),
        ),
        ("coalesce(a, b, 0)", Call("coalesce", (Ref("a"), Ref("b"), Literal(0)))),
        ("round(x)", Call("round", (Ref("x"), Literal(0)))),
        ("round(x, 2)", Call("round", (Ref("x"), Literal(2)))),
        ("col('Resolution Hours')", Ref("Resolution Hours")),
        ("col('if')", Ref("if")),
        ("Umsatz_Zürich", Ref("Umsatz_Zürich")),
        ("if(x, 'if(', \"if (\")", IfElse(Ref("x"), Literal("if("), Literal("if ("))),
        ("days_between(a, b)", Call("days_between", (Ref("a"), Ref("b")))),
        ("(a +\n  b)  # a comment", Binary("add", Ref("a"), Ref("b"))),
        ("a +\n b", Binary("add", Ref("a"), Ref("b"))),
        ("  a ", Ref("a")),
    ],
)
def test_parse_builds_the_tree(text: str, tree: Any) -> None:
    assert parse(text) == tree


def test_every_whitelisted_function_parses() -> None:
    examples = {
        "if": "if(a, b, c)", "case": "case(a, b, c)", "coalesce": "coalesce(a, b)",
        "date": "date('2024-02-29')", "col": "col('a b')", "round": "round(a, 1)",
        "contains": "contains(a, 'x')", "starts_with": "starts_with(a, 'x')",
        "ends_with": "ends_with(a, 'x')", "min_of": "min_of(a, b)", "max_of": "max_of(a, b)",
        "days_between": "days_between(a, b)", "hours_between": "hours_between(a, b)",
        "as_of": "as_of()", "add_days": "add_days(a, 1)",
        "minutes_between": "minutes_between(a, b)", "add_months": "add_months(a, 1)",
        "to_date": "to_date(a, '%m/%d/%Y')",
    }  # fmt: skip
    for name in FUNCTIONS:
        parse(examples.get(name, f"{name}(a)"))


def test_literals_of_different_types_are_different() -> None:
    assert Literal(1) != Literal(True)
    assert Literal(1) != Literal(1.0)
    assert len({Literal(1), Literal(True), Literal(1.0)}) == 3


def test_positions_are_character_offsets() -> None:
    tree = parse("'Zürich' == ort and x > 1")
    assert isinstance(tree, Binary)
    left, right = tree.left, tree.right
    assert isinstance(left, Binary) and isinstance(right, Binary)
    assert (left.left.position, left.right.position) == (0, 12)  # ü is 2 bytes, 1 character
    assert (right.left.position, right.right.position) == (20, 24)
    second_line = parse("if(a,\n  b, c)")
    assert isinstance(second_line, IfElse)
    assert second_line.then.position == 8


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("a+b*c", "a + b * c"),
        ("(a + b) * c", "(a + b) * c"),
        ("a - (b - c)", "a - (b - c)"),
        ("(a - b) - c", "a - b - c"),
        ("a / (b / c)", "a / (b / c)"),
        ("-(a + b)", "-(a + b)"),
        ("- -a", "--a"),
        ("not (a and b)", "not (a and b)"),
        ("not a == b", "not a == b"),
        ("(a < b) == c", "(a < b) == c"),
        ("a or (b and c)", "a or b and c"),
        ("(a or b) and c", "(a or b) and c"),
        ("a and (b and c)", "a and (b and c)"),
        ("1 < a < 3", "1 < a and a < 3"),
        ("x in (1, 2.5)", "x in [1, 2.5]"),
        ("(a + 1) in [2]", "a + 1 in [2]"),
        ("(a < b) in [true]", "(a < b) in [true]"),
        ("a if c else b", "if(c, a, b)"),
        ("case(a, 1, b, 2, 3)", "if(a, 1, if(b, 2, 3))"),
        ("x is None", "is_null(x)"),
        ("True or None", "true or null"),
        ("'it''s' + \"q\"", "'its' + 'q'"),
        ("col('a b') + col('true') + col('x')", "col('a b') + col('true') + x"),
        ("round(x)", "round(x, 0)"),
        ("1e3 + 0.5", "1000.0 + 0.5"),
    ],
)
def test_to_text_is_canonical_and_round_trips(text: str, canonical: str) -> None:
    tree = parse(text)
    assert to_text(tree) == canonical
    assert parse(to_text(tree)) == tree


def test_references() -> None:
    assert references(parse("if(a > b, col('c d'), coalesce(a, 1)) in [1]")) == {"a", "b", "c d"}
    assert references(parse("1 + 2")) == set()


def _codes_and_positions(text: str) -> list[tuple[str, int]]:
    node, problems = parse_with_problems(text, "dimensions[0].expr")
    assert node is None and problems
    found = []
    for problem in problems:
        match = re.search(r"at position (\d+) of formula", problem.message)
        assert match, problem.message
        found.append((problem.code, int(match.group(1))))
    return found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("__import__('os')", [("formula-forbidden", 0)]),
        ("().__class__", [("formula-forbidden", 2)]),
        ("x.y", [("formula-forbidden", 1)]),
        ("(a).b + c.d", [("formula-forbidden", 3), ("formula-forbidden", 9)]),
        ("a.b()", [("formula-forbidden", 1)]),  # at the dot, like any attribute access
        ("(f)(x)", [("unknown-function", 0)]),
        ("a[0]", [("formula-forbidden", 0)]),
        ("lambda: 1", [("formula-forbidden", 0)]),
        ("[x for x in y]", [("formula-forbidden", 0)]),
        ("f'{x}'", [("formula-forbidden", 0)]),
        ("(x := 1)", [("formula-forbidden", 1)]),
        ("coalesce(*x)", [("formula-forbidden", 9)]),
        ("round(x, digits=2)", [("formula-forbidden", 9)]),
        ("open('f')", [("unknown-function", 0)]),
        ("eval('1')", [("unknown-function", 0)]),
        ("exec('1')", [("unknown-function", 0)]),
        ("getattr(x, 'y')", [("unknown-function", 0)]),
        ("x ** 2", [("formula-forbidden", 2)]),
        ("x // 2", [("formula-forbidden", 2)]),
        ("a & b", [("formula-forbidden", 2)]),
        ("~a", [("formula-forbidden", 0)]),
        ("+a", [("formula-forbidden", 0)]),
        ("x if y", [("formula-syntax", 0)]),
        ("1 +", [("formula-syntax", 3)]),
        ("x = 1", [("formula-syntax", 0)]),
        ("'Zürich' + (1 +", [("formula-syntax", 11)]),
        ("a) + (b", [("formula-syntax", 1)]),
        ("", [("formula-syntax", 0)]),
        ("   ", [("formula-syntax", 0)]),
        ("_x + 1", [("formula-forbidden", 0)]),
        ("if(a, 1)", [("formula-arity", 0)]),
        ("case(a, 1, b, 2)", [("formula-arity", 0)]),
        ("coalesce(a)", [("formula-arity", 0)]),
        ("1 + lower(a, b)", [("formula-arity", 4)]),
        ("date('2024-02-30')", [("formula-argument", 5)]),
        ("date('31.01.2024')", [("formula-argument", 5)]),
        ("date(x)", [("formula-argument", 5)]),
        ("round(x, -1)", [("formula-argument", 9)]),
        ("round(x, 1.5)", [("formula-argument", 9)]),
        ("contains(a, b)", [("formula-argument", 12)]),
        ("col(x)", [("formula-argument", 4)]),
        ("to_date(t, fmt)", [("formula-argument", 11)]),
        ("to_date(t, '%Y-%j')", [("formula-argument", 11)]),  # day of the year: not supported
        ("to_date(t, '%Y-%m')", [("formula-argument", 11)]),  # no day
        ("to_date(t, '%Y-%m-%d %I:%M')", [("formula-argument", 11)]),  # %I without %p
        ("to_date(t, '%Y-%m-%d %H %H')", [("formula-argument", 11)]),  # twice
        ("to_date(t, '20%y-%m-%d')", [("formula-argument", 11)]),  # a digit outside directives
        ("to_date(t, '%Y-%m-%d %')", [("formula-argument", 11)]),  # a lone %
        ("x in y", [("formula-forbidden", 5)]),
        ("x in [1, null]", [("formula-forbidden", 9)]),
        ("x in [a]", [("formula-forbidden", 6)]),
        ("x in []", [("formula-syntax", 5)]),
        ("x is 1", [("formula-forbidden", 5)]),
        ("1e999", [("formula-syntax", 0)]),
        ("b'x'", [("formula-forbidden", 0)]),
        ("{1: 2}", [("formula-forbidden", 0)]),
        ("sume(x) + y.z", [("unknown-function", 0), ("formula-forbidden", 11)]),
        ("x" * 5000, [("formula-too-complex", 2000)]),
        ("abs(" * 60 + "x" + ")" * 60, [("formula-too-complex", 203)]),
        ("-" * 60 + "x", [("formula-too-complex", 50)]),
        ("not " * 60 + "x", [("formula-too-complex", 200)]),
        # case() nests one level per branch: the 50th branch's condition is too deep.
        ("case(" + ", ".join(["a", "1"] * 60) + ", 0)", [("formula-too-complex", 299)]),
    ],
)
def test_rejected_formulas(text: str, expected: list[tuple[str, int]]) -> None:
    assert _codes_and_positions(text) == expected


def test_rejection_messages_are_located_and_helpful() -> None:
    with pytest.raises(InvalidSpecError) as info:
        parse("amount + sume(x) * y.z", "measures[1].expr")
    message = str(info.value)
    assert "2 problems" in message
    assert "at: measures[1].expr" in message
    first = info.value.problems[0].message
    assert first == (
        "unknown function 'sume', at position 9 of formula:\n"
        "    amount + sume(x) * y.z\n"
        "             ^"
    )
    assert (
        "available functions (33): abs, add_days, add_months" in message
        and "and 21 more" in message
    )
    assert "attribute access (.z) is not allowed in a formula, at position 20" in message

    with pytest.raises(InvalidSpecError) as info:
        parse("IF(a, 1, 2)")
    assert info.value.problems[0].suggestion == "if"
    with pytest.raises(InvalidSpecError) as info:
        parse("sum(amount)")
    assert "aggregate in a measure" in (info.value.problems[0].hint or "")
    with pytest.raises(InvalidSpecError) as info:
        parse("x ** 2")
    assert str(info.value).startswith("the power operator ** is not allowed in a formula")


def test_every_code_is_documented() -> None:
    texts = ["x.y", "", "f(", "if(a)", "date(1)", "sume(1)", "x" * 3000]
    seen = {code for text in texts for code, _ in _codes_and_positions(text)}
    _, problems = infer(parse("a + 's'"), {"a": DataType.INTEGER}, "p")
    seen |= {p.code for p in problems}
    assert seen == set(FORMULA_ERROR_CODES)


# --- type inference ----------------------------------------------------------------------------

TYPES = {
    "amount": DataType.FLOAT,
    "qty": DataType.INTEGER,
    "stage": DataType.STRING,
    "won": DataType.BOOLEAN,
    "created": DataType.DATE,
    "closed": DataType.DATETIME,
    "blob": DataType.OTHER,
    "Resolution Hours": DataType.FLOAT,
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("qty * qty + qty - qty % 2", DataType.INTEGER),
        ("qty * amount", DataType.FLOAT),
        ("qty / qty", DataType.FLOAT),
        ("-qty", DataType.INTEGER),
        ("-won + won", DataType.INTEGER),
        ("amount * (stage == 'won')", DataType.FLOAT),
        ("if(amount >= 1000, 'large', 'small')", DataType.STRING),
        ("if(won, qty, amount)", DataType.FLOAT),
        ("if(won, null, qty)", DataType.INTEGER),
        ("case(won, created, qty > 1, closed, null)", DataType.DATETIME),
        ("coalesce(null, qty, 0)", DataType.INTEGER),
        ("stage in ['a', 'b'] and not won or qty > 1.5", DataType.BOOLEAN),
        ("created in ['2024-01-01', date('2024-02-01')]", DataType.BOOLEAN),
        ("created > '2024-01-01'", DataType.BOOLEAN),
        ("closed >= '2024-01-01 10:30'", DataType.BOOLEAN),
        ("closed < created", DataType.BOOLEAN),
        ("won == false", DataType.BOOLEAN),
        ("is_null(blob)", DataType.BOOLEAN),
        ("blob", DataType.OTHER),
        ("lower(stage)", DataType.STRING),
        ("length(stage)", DataType.INTEGER),
        ("contains(stage, 'x')", DataType.BOOLEAN),
        ("year(created) + quarter(closed) + hour(closed) + weekday(created)", DataType.INTEGER),
        ("days_between(created, created)", DataType.INTEGER),
        ("days_between(created, closed)", DataType.INTEGER),  # calendar days are whole
        ("hours_between(created, created)", DataType.FLOAT),
        ("minutes_between(closed, created)", DataType.FLOAT),
        ("add_days(created, qty)", DataType.DATE),
        ("add_days(closed, qty * 2 - 1)", DataType.DATETIME),
        ("add_months(created, -13)", DataType.DATE),
        ("to_date(stage, '%m/%d/%Y')", DataType.DATE),
        ("to_date(stage, '%m/%d/%Y %I:%M %p')", DataType.DATETIME),
        ("date('2024-01-31')", DataType.DATE),
        ("abs(qty) + floor(qty) + ceil(won)", DataType.INTEGER),
        ("round(amount, 2)", DataType.FLOAT),
        ("round(qty, 2)", DataType.INTEGER),
        ("min_of(qty, amount)", DataType.FLOAT),
        ("max_of(stage, 'm')", DataType.STRING),
        ("col('Resolution Hours') / 24", DataType.FLOAT),
    ],
)
def test_infer_types(text: str, expected: DataType) -> None:
    assert infer(parse(text), TYPES, "dimensions[0].expr") == (expected, [])


@pytest.mark.parametrize(
    ("text", "code", "fragment"),
    [
        ("amout + 1", "unknown-column", "unknown column 'amout' in formula, at position 0"),
        ("stage + 1", "formula-type", "+ needs a number, but `stage` is text, at position 0"),
        ("amount > stage", "formula-type", "`amount > stage` compares a float with text"),
        ("won < won", "formula-type", "booleans compare only with == and !="),
        ("won == 1", "formula-type", "compares a boolean with an integer"),
        ("qty == null", "formula-type", "cannot take null, at position 7"),
        ("null", "formula-type", "the formula is always null"),
        ("if(won, null, null)", "formula-type", "the branches of if() are all null"),
        ("if(qty, 1, 2)", "formula-type", "the condition of if() needs a boolean"),
        ("if(won, stage, 1)", "formula-type", "`stage` is text, `1` is an integer"),
        ("won and qty", "formula-type", "and needs a boolean, but `qty` is an integer"),
        ("not stage", "formula-type", "not needs a boolean"),
        ("created > 'soon'", "formula-type", "compares a date with text that is not a date"),
        ("created > '2024-01-01 10:00'", "formula-type", "text that is not a date"),
        ("created in ['2024-01-01', 'x']", "formula-type", "at position 26"),
        ("lower(qty)", "formula-type", "lower() needs text, but `qty` is an integer"),
        ("to_int(amount)", "formula-type", "to_int() needs an integer or text, but `amount`"),
        ("hour(created)", "formula-type", "hour() needs a datetime, but `created` is a date"),
        ("days_between(stage, created)", "formula-type", "needs a date or datetime"),
        ("created - created", "formula-type", "- needs a number, but `created` is a date"),
        ("blob + 1", "formula-type", "`blob` is of a type formulas cannot compute with"),
        ("if(won, blob, blob)", "formula-type", "cannot take `blob`"),
        ("min_of(won, won)", "formula-type", "min_of() cannot take `won`, which is a boolean"),
        ("min_of(qty, null)", "formula-type", "min_of() cannot take null"),
        ("coalesce(stage, qty)", "formula-type", "have different types"),
        ("add_days(created, 1e10)", "formula-type", "needs an integer, but `10000000000.0`"),
        ("add_days(created, amount)", "formula-type", "needs an integer, but `amount` is a float"),
        ("add_days(created, 10000000)", "formula-argument", "moves at most 1,000,000 days"),
        ("add_days(stage, 1)", "formula-type", "add_days() needs a date or datetime"),
        ("add_months(created, qty)", "formula-argument", "a whole number of months"),
        ("add_months(created, 100000)", "formula-argument", "from -32,400 to 32,400"),
        ("to_date(qty, '%Y-%m-%d')", "formula-type", "to_date() needs text"),
    ],
)
def test_infer_rejects(text: str, code: str, fragment: str) -> None:
    result, problems = infer(parse(text), TYPES, "dimensions[0].expr", source=text)
    assert result is None
    assert problems[0].code == code
    assert fragment in problems[0].message
    assert problems[0].path == "dimensions[0].expr"


def test_infer_unknown_name_suggests_and_lists() -> None:
    _, problems = infer(
        parse("wonn / (won + lost)"), {"won": DataType.INTEGER}, "p", what="measures"
    )
    assert [p.code for p in problems] == ["unknown-column", "unknown-column"]
    assert problems[0].suggestion == "won"
    assert problems[0].checked_against == "available measures (1): won"
    assert "unknown measure 'lost'" in problems[1].message


def test_infer_reports_each_problem_once() -> None:
    # `bad` is unknown: the sums and the comparison built on it must not add noise.
    _, problems = infer(parse("(bad + 1) * 2 > 3 and stage + 1 > 0"), TYPES, "p")
    assert [p.code for p in problems] == ["unknown-column", "formula-type"]


# --- translation, on every engine --------------------------------------------------------------

ENGINES = ("duckdb", "polars_lazy", "polars")


def run(
    engine: str,
    data: Mapping[str, Any],
    formula: str,
    schema: dict[str, pa.DataType] | None = None,
) -> tuple[list[Any], DataType]:
    """The formula's value on each row (in row order) and the result column's type."""
    n = len(next(iter(data.values())))
    table = arrow_table({"rid": list(range(n)), **data}, schema)
    frame: Any
    if engine == "duckdb":
        df = to_pandas(table)
        keep_alive(df)  # the DuckDB relation scans the pandas frame in place
        frame = nw.from_native(duckdb_cursor().from_df(df))
    else:
        native = cast(pl.DataFrame, pl.from_arrow(table))
        frame = nw.from_native(native.lazy() if engine == "polars_lazy" else native)
    nw_schema = frame.collect_schema()
    types = {c: to_data_type(d) for c, d in nw_schema.items()}
    zones = {c: time_zone_of(d) for c, d in nw_schema.items()}
    out = frame.select("rid", out=to_expr(parse(formula), types, time_zones=zones))
    if isinstance(out, nw.LazyFrame):
        out = out.collect()
    out = out.sort("rid")
    rows = frame_to_rows(out.to_arrow())
    return [row["out"] for row in rows], to_data_type(out.schema["out"])


def check(engine: str, data: Mapping[str, Any], formula: str, expected: list[Any],
          dtype: DataType, schema: dict[str, pa.DataType] | None = None) -> None:  # fmt: skip
    values, got_type = run(engine, data, formula, schema)
    assert_rows_equal([(v,) for v in values], [(e,) for e in expected])
    assert got_type is dtype, f"{formula}: {got_type} on {engine}"


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


INTS: dict[str, list[Any]] = {"a": [7, -7, 7, -7, 0, None, 3], "b": [3, 3, -3, -3, 5, 2, None]}


@pytest.mark.parametrize(
    ("formula", "expected", "dtype"),
    [
        ("a + b", [10, -4, 4, -10, 5, None, None], DataType.INTEGER),
        ("a - b", [4, -10, 10, -4, -5, None, None], DataType.INTEGER),
        ("a * b", [21, -21, -21, 21, 0, None, None], DataType.INTEGER),
        ("-a", [-7, 7, -7, 7, 0, None, -3], DataType.INTEGER),
        ("a * 1.5", [10.5, -10.5, 10.5, -10.5, 0.0, None, 4.5], DataType.FLOAT),
        # Python's % (sign of the divisor); DuckDB's own `%` follows the dividend.
        ("a % b", [1, 2, -2, -1, 0, None, None], DataType.INTEGER),
        ("a / b", [7 / 3, -7 / 3, -7 / 3, 7 / 3, 0.0, None, None], DataType.FLOAT),
        ("b / a", [3 / 7, -3 / 7, -3 / 7, 3 / 7, None, None, None], DataType.FLOAT),
        ("b % a", [3, -4, 4, -3, None, None, None], DataType.INTEGER),
        ("1 / (a - a)", [None] * 7, DataType.FLOAT),
        ("a > b", [True, False, True, False, False, None, None], DataType.BOOLEAN),
        ("a == 7", [True, False, True, False, False, None, False], DataType.BOOLEAN),
        ("a != 7", [False, True, False, True, True, None, True], DataType.BOOLEAN),
        ("-10 < a <= 0", [False, True, False, True, True, None, False], DataType.BOOLEAN),
        ("a in [7, 3.0]", [True, False, True, False, False, None, True], DataType.BOOLEAN),
        ("a not in [7, 3]", [False, True, False, True, True, None, False], DataType.BOOLEAN),
        ("abs(a)", [7, 7, 7, 7, 0, None, 3], DataType.INTEGER),
        ("floor(a) + ceil(b) + round(a, 2)", [17, -11, 11, -17, 5, None, None], DataType.INTEGER),
        ("coalesce(a, b, 0)", [7, -7, 7, -7, 0, 2, 3], DataType.INTEGER),
        ("coalesce(a, 0.5)", [7.0, -7.0, 7.0, -7.0, 0.0, 0.5, 3.0], DataType.FLOAT),
        ("min_of(a, b)", [3, -7, -3, -7, 0, 2, 3], DataType.INTEGER),
        ("max_of(a, b / 2)", [7.0, 1.5, 7.0, -1.5, 2.5, 1.0, 3.0], DataType.FLOAT),
        ("is_null(a)", [False, False, False, False, False, True, False], DataType.BOOLEAN),
        ("not_null(b)", [True, True, True, True, True, True, False], DataType.BOOLEAN),
        ("if(a > b, 'a', 'b')", ["a", "b", "a", "b", "b", "b", "b"], DataType.STRING),
        ("if(a > 0, a, null)", [7, None, 7, None, None, None, 3], DataType.INTEGER),
        ("if(a > 0, null, b * 0.5)", [None, 1.5, None, -1.5, 2.5, 1.0, None], DataType.FLOAT),
        (
            "case(a > 5, 'big', a > 0, 'small', 'none')",
            ["big", "none", "big", "none", "none", "none", "small"],
            DataType.STRING,
        ),
    ],
)
def test_integer_arithmetic(
    engine: str, formula: str, expected: list[Any], dtype: DataType
) -> None:
    check(engine, INTS, formula, expected, dtype)


FLOATS: dict[str, list[Any]] = {
    "x": [5.5, -5.5, 1.5, -1.5, 0.0, None],
    "y": [2.0, 2.0, -0.5, 0.0, -0.0, 1.0],
}


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("x / y", [2.75, -2.75, -3.0, None, None, None]),
        ("x % y", [1.5, 0.5, -0.0, None, None, None]),
        ("x - y", [3.5, -7.5, 2.0, -1.5, 0.0, None]),
        ("floor(x)", [5.0, -6.0, 1.0, -2.0, 0.0, None]),
        ("ceil(x)", [6.0, -5.0, 2.0, -1.0, 0.0, None]),
        ("abs(x)", [5.5, 5.5, 1.5, 1.5, 0.0, None]),
    ],
)
def test_float_arithmetic(engine: str, formula: str, expected: list[Any]) -> None:
    check(engine, FLOATS, formula, expected, DataType.FLOAT)


def test_booleans_count_as_zero_or_one(engine: str) -> None:
    data = {"amount": [10.0, 20.0, 30.0, 40.0], "stage": ["won", "lost", None, "won"]}
    check(engine, data, "amount * (stage == 'won')", [10.0, 0.0, None, 40.0], DataType.FLOAT)
    check(engine, {"w": [True, False, None]}, "-w + w * 2", [1, 0, None], DataType.INTEGER)


def test_three_valued_logic(engine: str) -> None:
    t, f, n = True, False, None
    data = {"p": [t, t, t, f, f, f, n, n, n], "q": [t, f, n, t, f, n, t, f, n]}
    check(engine, data, "p and q", [t, f, n, f, f, f, n, f, n], DataType.BOOLEAN)
    check(engine, data, "p or q", [t, t, t, t, f, n, t, n, n], DataType.BOOLEAN)
    check(engine, data, "not p", [f, f, f, t, t, t, n, n, n], DataType.BOOLEAN)
    # A null condition takes the `otherwise` branch, as SQL's CASE does.
    check(engine, data, "if(p, 1, 2)", [1, 1, 1, 2, 2, 2, 2, 2, 2], DataType.INTEGER)
    check(engine, data, "p if q else false", [t, f, f, f, f, f, n, f, f], DataType.BOOLEAN)


@pytest.mark.parametrize(
    ("x", "digits", "expected"),
    [
        # Half away from zero on both engines (polars alone would give 0.0, 2.0, 2.0, 0.12).
        (0.5, 0, 1.0), (1.5, 0, 2.0), (2.5, 0, 3.0), (-0.5, 0, -1.0), (-2.5, 0, -3.0),
        (0.125, 2, 0.13), (-0.125, 2, -0.13), (1.25, 1, 1.3),
        # The number as written, as a spreadsheet rounds it: 2.675 is stored as 2.67499999...
        # (Python's round() and DuckDB's give 2.67) and 1.005 * 100 is 100.49999999999999
        # (the binary value rounds to 1.0). 0.49999999999999994 is the double just below 0.5:
        # within two units in the last place of the half, it is taken as 0.5.
        (2.675, 2, 2.68), (1.005, 2, 1.01), (-1.005, 2, -1.01), (0.49999999999999994, 0, 1.0),
        (123.456, 0, 123.0), (-0.04, 1, 0.0), (1234.5678, 3, 1234.568),
    ],
)  # fmt: skip
def test_round_half_away_from_zero(engine: str, x: float, digits: int, expected: float) -> None:
    check(engine, {"x": [x, None]}, f"round(x, {digits})", [expected, None], DataType.FLOAT)


def test_text_functions(engine: str) -> None:
    data = {"s": ["Zürich", "ÉCOLE", "a.b%c", "", None]}
    check(engine, data, "lower(s)", ["zürich", "école", "a.b%c", "", None], DataType.STRING)
    check(engine, data, "upper(s)", ["ZÜRICH", "ÉCOLE", "A.B%C", "", None], DataType.STRING)
    check(engine, data, "length(s)", [6, 5, 5, 0, None], DataType.INTEGER)
    check(engine, data, "contains(s, '.')", [False, False, True, False, None], DataType.BOOLEAN)
    check(engine, data, "contains(s, '%c')", [False, False, True, False, None], DataType.BOOLEAN)
    check(engine, data, "starts_with(s, 'Zü')", [True, False, False, False, None], DataType.BOOLEAN)
    check(engine, data, "ends_with(s, 'LE')", [False, True, False, False, None], DataType.BOOLEAN)
    check(engine, data, "s in ['Zürich', '']", [True, False, False, True, None], DataType.BOOLEAN)
    # Text compares by code point on both engines (no locale collation): 'É' sorts after 'M'.
    check(engine, data, "s > 'M'", [True, True, True, False, None], DataType.BOOLEAN)
    expected = ["Zürich", "ÉCOLE", "a.b%c", "", "?"]
    check(engine, data, "coalesce(s, '?')", expected, DataType.STRING)


def test_to_int_reads_whole_numbers_only(engine: str) -> None:
    texts = ["1", "01", " 1", "+5", "-007", "\t3\n", "123456789012345678"]
    wrong = ["x", "", "1.5", "1e3", "1 2", "1234567890123456789", "١", None]
    expected = [1, 1, 1, 5, -7, 3, 123456789012345678] + [None] * len(wrong)
    # DuckDB's own cast would read '1.5' as 2 and ' 1' as 1; polars' raises on 'x' and ' 1'.
    check(engine, {"s": texts + wrong}, "to_int(s)", expected, DataType.INTEGER)
    check(engine, {"n": [4, None]}, "to_int(n)", [4, None], DataType.INTEGER)


def test_case_mapping_differs_beyond_one_to_one_characters() -> None:
    """Pinned difference: DuckDB maps case one character to one, polars (like Python) fully."""
    data = {"s": ["straße", "ﬁx"]}
    assert run("duckdb", data, "upper(s)")[0] == ["STRAẞE", "ﬁX"]
    assert run("polars", data, "upper(s)")[0] == ["STRASSE", "FIX"]


DATES: dict[str, list[Any]] = {
    "d": [dt.date(2023, 12, 31), dt.date(2024, 1, 1), dt.date(2024, 2, 29), dt.date(2024, 3, 31),
          dt.date(2024, 10, 1), None],
    "e": [dt.date(2024, 1, 1), dt.date(2023, 12, 31), dt.date(2024, 3, 1), dt.date(2024, 2, 1),
          dt.date(2025, 10, 1), dt.date(2024, 1, 1)],
}  # fmt: skip


@pytest.mark.parametrize(
    ("formula", "expected", "dtype"),
    [
        ("year(d)", [2023, 2024, 2024, 2024, 2024, None], DataType.INTEGER),
        ("quarter(d)", [4, 1, 1, 1, 4, None], DataType.INTEGER),
        ("month(d)", [12, 1, 2, 3, 10, None], DataType.INTEGER),
        ("day(d)", [31, 1, 29, 31, 1, None], DataType.INTEGER),
        ("weekday(d)", [7, 1, 4, 7, 2, None], DataType.INTEGER),  # ISO: Monday = 1
        ("days_between(d, e)", [1, -1, 1, -59, 365, None], DataType.INTEGER),
        ("hours_between(d, e)", [24.0, -24.0, 24.0, -1416.0, 8760.0, None], DataType.FLOAT),
        ("d < e", [True, False, True, False, True, None], DataType.BOOLEAN),
        ("d >= '2024-02-29'", [False, False, True, True, True, None], DataType.BOOLEAN),
        ("d == date('2024-01-01')", [False, True, False, False, False, None], DataType.BOOLEAN),
        (
            "d in ['2024-01-01', date('2024-10-01')]",
            [False, True, False, False, True, None],
            DataType.BOOLEAN,
        ),
        (
            "max_of(d, e)",
            [
                DATES["e"][0],
                DATES["d"][1],
                DATES["e"][2],
                DATES["d"][3],
                DATES["e"][4],
                DATES["e"][5],
            ],
            DataType.DATE,
        ),
        (
            "coalesce(d, date('2000-01-01'))",
            [*DATES["d"][:5], dt.date(2000, 1, 1)],
            DataType.DATE,
        ),
    ],
)
def test_dates(engine: str, formula: str, expected: list[Any], dtype: DataType) -> None:
    check(engine, DATES, formula, expected, dtype)


STAMPS: dict[str, list[Any]] = {
    "t": [dt.datetime(2024, 1, 31, 22, 30), dt.datetime(2023, 12, 31, 23, 0), None,
          dt.datetime(2024, 3, 1, 6, 0)],
    "d": [dt.date(2024, 2, 1), dt.date(2024, 1, 1), dt.date(2024, 1, 1), dt.date(2024, 2, 28)],
}  # fmt: skip


@pytest.mark.parametrize(
    ("formula", "expected", "dtype"),
    [
        ("hour(t)", [22, 23, None, 6], DataType.INTEGER),
        ("year(t) * 100 + month(t)", [202401, 202312, None, 202403], DataType.INTEGER),
        # Calendar days between the dates (Jan 31 22:30 -> Feb 1 is 1; Feb 28 -> Mar 1 2024 is
        # 2, across Feb 29), not elapsed days (1.5/24 and 2.25).
        ("days_between(t, d)", [1, 1, None, -2], DataType.INTEGER),
        ("days_between(d, t)", [-1, -1, None, 2], DataType.INTEGER),
        ("hours_between(t, d)", [1.5, 1.0, None, -54.0], DataType.FLOAT),
        ("t < d", [True, True, None, False], DataType.BOOLEAN),
        ("t >= '2024-01-31 22:30'", [True, False, None, True], DataType.BOOLEAN),
        ("t > '2024-02-01'", [False, False, None, True], DataType.BOOLEAN),
        (
            "if(t > d, t, d)",
            [
                dt.datetime(2024, 2, 1),
                dt.datetime(2024, 1, 1),
                dt.datetime(2024, 1, 1),
                dt.datetime(2024, 3, 1, 6),
            ],
            DataType.DATETIME,
        ),
    ],
)
def test_datetimes(engine: str, formula: str, expected: list[Any], dtype: DataType) -> None:
    check(engine, STAMPS, formula, expected, dtype, {"t": pa.timestamp("us")})


def test_timezone_aware_datetimes_are_read_in_utc(engine: str) -> None:
    berlin = dt.timezone(dt.timedelta(hours=1))  # Europe/Berlin in winter
    data = {
        "t": [
            dt.datetime(2024, 2, 1, 0, 30, tzinfo=berlin),
            dt.datetime(2024, 1, 1, 12, 0, tzinfo=berlin),
        ],
        "d": [dt.date(2024, 2, 1), dt.date(2024, 1, 1)],
        "n": [dt.datetime(2024, 1, 31, 23, 0), dt.datetime(2024, 1, 1, 12, 0)],
    }  # fmt: skip
    # `n` in nanoseconds, as pandas stores datetimes: DuckDB will not mix TIMESTAMP_NS with an
    # aware TIMESTAMPTZ unless cast (narwhals' replace_time_zone is a no-op on DuckDB).
    schema = {"t": pa.timestamp("us", "Europe/Berlin"), "n": pa.timestamp("ns")}
    # 00:30 in Berlin is 23:30 UTC the day before: hour and day are the UTC ones.
    check(engine, data, "hour(t)", [23, 11], DataType.INTEGER, schema)
    check(engine, data, "day(t)", [31, 1], DataType.INTEGER, schema)
    check(engine, data, "t < d", [True, False], DataType.BOOLEAN, schema)  # d: midnight UTC
    check(engine, data, "hours_between(n, t)", [0.5, -1.0], DataType.FLOAT, schema)
    check(engine, data, "t > '2024-01-31 23:00'", [True, False], DataType.BOOLEAN, schema)
    check(engine, data, "t > '2024-02-01T00:00+01:00'", [True, False], DataType.BOOLEAN, schema)
    utc = dt.UTC
    expected = [
        dt.datetime(2024, 1, 31, 23, 0, tzinfo=utc),
        dt.datetime(2024, 1, 1, 11, tzinfo=utc),
    ]
    check(engine, data, "if(t > n, n, t)", expected, DataType.DATETIME, schema)
    check(engine, data, "min_of(t, n)", expected, DataType.DATETIME, schema)


def test_non_identifier_column_names(engine: str) -> None:
    data = {"Resolution Hours": [48.0, None, 12.0]}
    check(engine, data, "col('Resolution Hours') / 24", [2.0, None, 0.5], DataType.FLOAT)


def test_translation_refuses_an_ill_typed_formula() -> None:
    with pytest.raises(InvalidSpecError, match="needs a number"):
        to_expr(parse("s + 1"), {"s": DataType.STRING})


# --- property: division matches plain Python on every engine -----------------------------------

_value = st.one_of(st.none(), st.integers(-5, 5))
_float_value = st.one_of(st.none(), st.integers(-5, 5), st.floats(-10, 10, width=32))


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(st.tuples(_float_value, _float_value), min_size=1, max_size=8),
    kinds=st.tuples(st.sampled_from(["int", "float"]), st.sampled_from(["int", "float"])),
)
def test_division_matches_python(rows: list[tuple[Any, Any]], kinds: tuple[str, str]) -> None:
    def column(values: list[Any], kind: str) -> list[Any]:
        if kind == "int":
            return [None if v is None else int(v) for v in values]
        return [None if v is None else float(v) for v in values]

    a = column([r[0] for r in rows], kinds[0])
    b = column([r[1] for r in rows], kinds[1])
    expected = [
        None if x is None or y is None or y == 0 else x / y for x, y in zip(a, b, strict=True)
    ]
    schema = {"a": pa.int64() if kinds[0] == "int" else pa.float64(),
              "b": pa.int64() if kinds[1] == "int" else pa.float64()}  # fmt: skip
    for engine in ("duckdb", "polars_lazy"):
        values, dtype = run(engine, {"a": a, "b": b}, "a / b", schema)
        assert dtype is DataType.FLOAT
        assert_rows_equal([(v,) for v in values], [(e,) for e in expected])


# --- property: canonical text parses back to the same tree -------------------------------------

_names = st.one_of(
    st.sampled_from(["a", "amount", "Über", "if", "true", "_x", "a b", "year"]),
    st.text(min_size=1, max_size=6),
)
_literals = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**62), 2**62),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=6),
).map(Literal)


def _trees(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    ops = ["add", "sub", "mul", "div", "mod", "and", "or", "eq", "ne", "lt", "le", "gt", "ge"]
    not_a_number = children.filter(
        lambda n: not (isinstance(n, Literal) and type(n.value) in (int, float))
    )  # `-5` is read back as the literal -5, not as neg(5)
    return st.one_of(
        st.builds(Binary, st.sampled_from(ops), children, children),
        st.builds(Unary, st.just("not"), children),
        st.builds(Unary, st.just("neg"), not_a_number),
        st.builds(IfElse, children, children, children),
        st.builds(
            InList,
            children,
            st.lists(_literals.filter(lambda n: n.value is not None), min_size=1, max_size=3).map(
                tuple
            ),
            st.booleans(),
        ),
        st.builds(lambda x: Call("abs", (x,)), children),
        st.builds(lambda x, y: Call("coalesce", (x, y)), children, children),
        st.builds(lambda x, s: Call("contains", (x, Literal(s))), children, st.text(max_size=3)),
        st.builds(lambda x, d: Call("round", (x, Literal(d))), children, st.integers(0, 15)),
        st.just(Call("date", (Literal("2024-02-29"),))),
    )


@settings(max_examples=150, deadline=None)
@given(st.recursive(st.one_of(_literals, _names.map(Ref)), _trees, max_leaves=12))
def test_to_text_round_trips(tree: Any) -> None:
    text = to_text(tree)
    assert parse(text) == tree, text
    assert to_text(parse(text)) == text


def test_nothing_is_evaluated() -> None:
    """The formula modules never call eval, exec or compile (they only read Python's syntax)."""
    import crmreports.execute.formula as translate
    import crmreports.resolve.formula_types as types
    import crmreports.spec.formula as parser

    for module in (parser, types, translate):
        assert module.__file__ is not None
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        called = {
            n.func.id
            for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
        }
        assert not called & {"eval", "exec", "compile", "__import__", "getattr"}, module.__name__
