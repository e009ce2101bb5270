"""The type of a formula over a schema, with every misuse reported as a located `Problem`.

Rules (the translator in `execute.formula` relies on them):

- Arithmetic (`+ - * %`, unary `-`) takes numbers; a boolean counts as 0/1 (so
  `amount * (stage == 'won')` works). integer op integer is integer, except `/` (always float).
- Comparisons take two numbers, two texts, two booleans (`==`/`!=` only), two dates, or a
  datetime with a date or datetime; a text literal compared with a date/datetime must be an ISO
  date (`'2024-01-31'`) or, for datetimes, an ISO date-time, and is read as one.
- `and`/`or`/`not` and if()/case() conditions take booleans.
- Branches of if()/case(), the arguments of coalesce(), min_of() and max_of() must agree:
  integer with float gives float, date with datetime gives datetime; a `null` branch takes the
  other branches' type. `null` is allowed only there: `x == null` is always null (use is_null).
- A column of a type formulas do not know (`other`) may only be tested with is_null/not_null or
  used as the whole formula.
- days_between is an integer (calendar days); hours_between/minutes_between floats.
  add_days(date, n) takes any integer n; add_months(date, n) a whole number written in the
  formula (or an integer parameter); to_date(text, format) is a datetime when the format has
  an hour, else a date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping

from crmreports.errors import Problem, format_names, suggest
from crmreports.resolve.types import DataType
from crmreports.spec.formula import (
    Binary,
    Call,
    IfElse,
    InList,
    Literal,
    Node,
    Ref,
    Unary,
    caret,
    to_text,
)

__all__ = ["MAX_DAYS", "MAX_MONTHS", "annotate", "infer", "iso_temporal", "whole_days"]

# The farthest add_days()/add_months() move a date: every engine holds the result (DuckDB and
# polars dates span millions of years, timestamps in microseconds about 290,000).
MAX_DAYS = 1_000_000
MAX_MONTHS = 12 * 2_700

_INT, _FLOAT, _BOOL = DataType.INTEGER, DataType.FLOAT, DataType.BOOLEAN
_TEXT, _DATE, _DATETIME, _OTHER = DataType.STRING, DataType.DATE, DataType.DATETIME, DataType.OTHER
_NUMBERS = {_INT, _FLOAT, _BOOL}  # a boolean is 0/1 in arithmetic
_ORDERED = {_INT, _FLOAT, _TEXT, _DATE, _DATETIME}

_PART_FUNCTIONS = {"year", "quarter", "month", "day", "weekday", "hour"}
_TEXT_FUNCTIONS = {"lower": _TEXT, "upper": _TEXT, "length": _INT}
# The functions `call` hands to `calendar_call`.
_CALENDAR_FUNCTIONS = frozenset(
    {"add_days", "add_months", "to_date", "days_between", "hours_between", "minutes_between"}
)
_TEXT_TESTS = {"contains", "starts_with", "ends_with"}
_SYMBOL = {"add": "+", "sub": "-", "mul": "*", "div": "/", "mod": "%", "neg": "unary -"}


class _Failed:
    """A sub-expression whose problem was already reported: stay quiet about its parents."""


FAILED = _Failed()
_Type = DataType | None | _Failed  # None: the `null` literal, whose type comes from context
_LITERAL_TYPES: dict[type, DataType] = {bool: _BOOL, int: _INT, float: _FLOAT, str: _TEXT}
_A = {_INT: "an integer", _FLOAT: "a float", _BOOL: "a boolean", _TEXT: "text", _DATE: "a date"}
_A |= {_DATETIME: "a datetime", _OTHER: "of a type formulas cannot compute with"}
_NEEDS = {frozenset(_NUMBERS): "a number", frozenset({_DATE, _DATETIME}): "a date or datetime"}


def _then(checked: _Type, result: _Type) -> _Type:
    """`result`, unless the checked operand failed (FAILED is truthy, so `and` cannot do this)."""
    return FAILED if isinstance(checked, _Failed) else result


def whole_days(node: Node) -> int | None:
    """The integer literal `node` stands for (`90`, `-30`), or None."""
    if isinstance(node, Unary) and node.op == "neg":
        inner = whole_days(node.operand)
        return None if inner is None else -inner
    if isinstance(node, Literal) and type(node.value) is int:
        return node.value
    return None


def iso_temporal(text: str, target: DataType) -> dt.date | dt.datetime | None:
    """`text` as a date (target DATE) or a date-time (target DATETIME); None if it is not one.

    A date-only text read as a datetime means midnight.
    """
    try:
        if target is DataType.DATE:
            return dt.date.fromisoformat(text) if len(text) == 10 else None
        return dt.datetime.fromisoformat(text) if len(text) >= 10 else None
    except ValueError:
        return None


def infer(
    node: Node,
    types: Mapping[str, DataType],
    path: str,
    *,
    source: str | None = None,
    what: str = "columns",
    hint_for: Callable[[str], str | None] | None = None,
) -> tuple[DataType | None, list[Problem]]:
    """The formula's result type, or None with the problems found.

    `types` maps each usable name (columns, or measures for post-aggregation formulas) to its
    type; `what` names them in messages; `source` (the formula text) adds a caret line;
    `hint_for` gives the advice for a name that is none of `types` (how to map a column).
    """
    found, problems = annotate(node, types, path, source=source, what=what, hint_for=hint_for)
    result = found.get(id(node))
    return (result if isinstance(result, DataType) and not problems else None), problems


def annotate(
    node: Node,
    types: Mapping[str, DataType],
    path: str = "",
    *,
    source: str | None = None,
    what: str = "columns",
    hint_for: Callable[[str], str | None] | None = None,
) -> tuple[dict[int, DataType | None], list[Problem]]:
    """The type of every sub-expression, keyed by `id(node)` (None for a `null` literal)."""
    checker = _Checker(types, path, source, what, hint_for)
    top = checker.visit(node)
    if top is None:
        checker.mismatch(node, "the formula is always null")
    elif top is _OTHER and not isinstance(node, Ref):
        checker.mismatch(node, "the formula's value is of a type formulas cannot compute with")
    found = {k: v for k, v in checker.found.items() if not isinstance(v, _Failed)}
    return found, checker.problems


class _Checker:
    def __init__(
        self,
        types: Mapping[str, DataType],
        path: str,
        source: str | None,
        what: str,
        hint_for: Callable[[str], str | None] | None = None,
    ) -> None:
        self.types, self.path, self.source, self.what = types, path, source, what
        self.hint_for = hint_for
        self.problems: list[Problem] = []
        self.found: dict[int, _Type] = {}

    def problem(self, code: str, node: Node, text: str, **extra: str | None) -> _Failed:
        message = f"{text}, at position {node.position} of formula"
        if self.source is not None:
            message += ":\n" + caret(self.source, node.position)
        self.problems.append(Problem(code, message, self.path, **extra))
        return FAILED

    def mismatch(self, node: Node, text: str, hint: str | None = None) -> _Failed:
        return self.problem("formula-type", node, text, hint=hint)

    def visit(self, node: Node) -> _Type:
        result = self._visit(node)
        self.found[id(node)] = result
        return result

    def operand(self, node: Node, context: str, allowed: set[DataType]) -> _Type:
        """The type of an operand that must be one of `allowed` (and not a `null` literal)."""
        ty = self.visit(node)
        if isinstance(ty, _Failed):
            return ty
        if ty is None:
            hint = "null only fits if()/case() branches and coalesce(); test with is_null(x)"
            return self.mismatch(node, f"{context} cannot take null", hint)
        if ty not in allowed:
            need = _NEEDS.get(frozenset(allowed)) or " or ".join(_A[a] for a in sorted(allowed))
            text = f"{context} needs {need}, but `{to_text(node)}` is {_A[ty]}"
            return self.mismatch(node, text)
        return ty

    def _visit(self, node: Node) -> _Type:
        if isinstance(node, Literal):
            return None if node.value is None else _LITERAL_TYPES[type(node.value)]
        if isinstance(node, Ref):
            if node.name in self.types:
                return self.types[node.name]
            names = sorted(self.types)
            return self.problem(
                "unknown-column",
                node,
                f"unknown {self.what.rstrip('s')} {node.name!r} in formula",
                suggestion=suggest(node.name, names),
                checked_against=format_names(names, self.what),
                hint=self.hint_for(node.name) if self.hint_for is not None else None,
            )
        if isinstance(node, Unary):
            if node.op == "not":
                return _then(self.operand(node.operand, "not", {_BOOL}), _BOOL)
            ty = self.operand(node.operand, "unary -", _NUMBERS)
            return _INT if ty is _BOOL else ty
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, InList):
            return self.in_list(node)
        if isinstance(node, IfElse):
            self.operand(node.cond, "the condition of if()", {_BOOL})
            return self.unify(node, [node.then, node.otherwise], "the branches of if()")
        return self.call(node)

    def binary(self, node: Binary) -> _Type:
        op = node.op
        if op in ("and", "or"):
            left, right = (self.operand(n, op, {_BOOL}) for n in (node.left, node.right))
            return FAILED if FAILED in (left, right) else _BOOL
        if op in _SYMBOL:
            left, right = (self.operand(n, _SYMBOL[op], _NUMBERS) for n in (node.left, node.right))
            if isinstance(left, _Failed) or isinstance(right, _Failed):
                return FAILED
            return _FLOAT if op == "div" or _FLOAT in (left, right) else _INT
        return self.compare(node, node.left, node.right, op)

    def compare(self, node: Node, left: Node, right: Node, op: str) -> _Type:
        context = f"the comparison `{to_text(node)}`"
        allowed = {_INT, _FLOAT, _BOOL, _TEXT, _DATE, _DATETIME}
        lt, rt = (self.operand(n, context, allowed) for n in (left, right))
        if isinstance(lt, _Failed) or isinstance(rt, _Failed) or lt is None or rt is None:
            return FAILED
        if (lt in (_INT, _FLOAT) and rt in (_INT, _FLOAT)) or (lt == rt and lt is not _BOOL):
            return _BOOL
        if lt is _BOOL and rt is _BOOL:
            return (
                _BOOL
                if op in ("eq", "ne")
                else self.mismatch(node, "booleans compare only with == and !=")
            )
        if {lt, rt} == {_DATE, _DATETIME}:
            return _BOOL
        for temporal, other, other_node in ((lt, rt, right), (rt, lt, left)):
            if temporal in (_DATE, _DATETIME) and other is _TEXT:
                text = other_node.value if isinstance(other_node, Literal) else None
                if isinstance(text, str) and iso_temporal(text, temporal) is not None:
                    return _BOOL
                example = "'2024-01-31'" if temporal is _DATE else "'2024-01-31 09:30'"
                text = f"{context} compares {_A[temporal]} with text that is not {_A[temporal]}"
                hint = f"write the {temporal} as {example} or date('2024-01-31')"
                return self.mismatch(other_node, text, hint)
        return self.mismatch(node, f"{context} compares {_A[lt]} with {_A[rt]}")

    def in_list(self, node: InList) -> _Type:
        ok = not isinstance(self.visit(node.operand), _Failed)
        for value in node.values:
            # Check each value as `operand == value`, so a text date against a date column works.
            ok = not isinstance(self.compare(node, node.operand, value, "eq"), _Failed) and ok
        return _BOOL if ok else FAILED

    def unify(
        self, node: Node, args: list[Node], context: str, allowed: set[DataType] | None = None
    ) -> _Type:
        """The common type of `args` (null literals take the others' type)."""
        seen: list[tuple[Node, DataType]] = []
        failed = False
        for arg in args:
            ty = self.visit(arg)
            if isinstance(ty, _Failed):
                failed = True
            elif ty is not None:
                if ty is _OTHER or (allowed is not None and ty not in allowed):
                    self.mismatch(arg, f"{context} cannot take `{to_text(arg)}`, which is {_A[ty]}")
                    failed = True
                seen.append((arg, ty))
        if failed:
            return FAILED
        kinds = {ty for _, ty in seen}
        if not kinds:
            return self.mismatch(node, f"{context} are all null")
        if len(kinds) == 1:
            return kinds.pop()
        if kinds == {_INT, _FLOAT}:
            return _FLOAT
        if kinds == {_DATE, _DATETIME}:
            return _DATETIME
        listed = ", ".join(f"`{to_text(n)}` is {_A[ty]}" for n, ty in seen)
        return self.mismatch(node, f"{context} have different types: {listed}")

    def add_days(self, node: Call) -> _Type:
        """add_days(date, n): the date (or datetime) n calendar days later, of its own type; `n`
        is any integer expression (a literal, a parameter, a column, a formula)."""
        ty = self.operand(node.args[0], "add_days()", {_DATE, _DATETIME})
        days = whole_days(node.args[1])
        if days is not None and abs(days) > MAX_DAYS:
            return self.problem(
                "formula-argument",
                node.args[1],
                f"add_days() moves at most {MAX_DAYS:,} days (about 2,700 years), got {days:,}",
            )
        return _then(self.operand(node.args[1], "the number of days of add_days()", {_INT}), ty)

    def add_months(self, node: Call) -> _Type:
        """add_months(date, n): n calendar months later, clamped to the month's last day; `n`
        is a whole number written in the formula or an integer parameter."""
        ty = self.operand(node.args[0], "add_months()", {_DATE, _DATETIME})
        months = whole_days(node.args[1])
        if months is None or abs(months) > MAX_MONTHS:
            return self.problem(
                "formula-argument",
                node.args[1],
                "the second argument of add_months() must be a whole number of months from "
                f"-{MAX_MONTHS:,} to {MAX_MONTHS:,} (or an integer parameter)",
                hint="write add_months(order_date, 3)",
            )
        return ty

    def calendar_call(self, node: Call) -> _Type:
        """add_days, add_months, to_date, days/hours/minutes_between."""
        name, args = node.function, node.args
        if name == "add_days":
            return self.add_days(node)
        if name == "add_months":
            return self.add_months(node)
        if name == "to_date":
            fmt = args[1].value if isinstance(args[1], Literal) else None
            assert isinstance(fmt, str)  # the parser refuses anything else
            result = _DATETIME if re.search(r"%[HI]", fmt) else _DATE
            return _then(self.operand(args[0], "to_date()", {_TEXT}), result)
        assert name in ("days_between", "hours_between", "minutes_between"), name
        types = [self.operand(a, f"{name}()", {_DATE, _DATETIME}) for a in args]
        if FAILED in types:
            return FAILED
        # Calendar days are whole; elapsed hours and minutes are not.
        return _INT if name == "days_between" else _FLOAT

    def call(self, node: Call) -> _Type:
        name, args = node.function, node.args
        if name in ("is_null", "not_null"):
            return _then(self.operand(args[0], f"{name}()", set(DataType)), _BOOL)
        if name == "coalesce":
            return self.unify(node, list(args), "the arguments of coalesce()")
        if name in ("min_of", "max_of"):
            for arg in args:
                if isinstance(arg, Literal) and arg.value is None:
                    self.mismatch(arg, f"{name}() cannot take null")
                    return FAILED
            return self.unify(node, list(args), f"the arguments of {name}()", _ORDERED)
        if name in ("date", "as_of"):
            return _DATE
        if name in _TEXT_FUNCTIONS:
            return _then(self.operand(args[0], f"{name}()", {_TEXT}), _TEXT_FUNCTIONS[name])
        if name == "to_int":  # the whole number a text spells; an integer stays itself
            return _then(self.operand(args[0], "to_int()", {_TEXT, _INT}), _INT)
        if name in _TEXT_TESTS:
            types = [self.operand(a, f"{name}()", {_TEXT}) for a in args]
            return FAILED if FAILED in types else _BOOL
        if name in _PART_FUNCTIONS:
            allowed = {_DATETIME} if name == "hour" else {_DATE, _DATETIME}
            return _then(self.operand(args[0], f"{name}()", allowed), _INT)
        if name in _CALENDAR_FUNCTIONS:
            return self.calendar_call(node)
        # abs, round, floor, ceil: numbers keep their type, a boolean becomes 0/1.
        ty = self.operand(args[0], f"{name}()", _NUMBERS)
        if name == "round":
            self.visit(args[1])
        return _INT if ty is _BOOL else ty
