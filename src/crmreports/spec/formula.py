"""Row-level formulas (`if(amount >= 1000, 'large', 'small')`): parsed, never evaluated.

Python's own parser (`ast.parse(mode="eval")`) reads the text, then a strict whitelist turns the
syntax tree into the small frozen node tree below; anything not on the whitelist (attribute
access, subscripts, lambdas, `**`, names starting with `_`, unknown functions, ...) is reported as
a located `Problem`. The tree is later type-checked (`resolve.formula_types`) and translated to
narwhals (`execute.formula`); no spec text ever reaches `eval` or `exec`.

Positions are 0-based character offsets into the formula text (CRLF counted as one character).
Node equality ignores positions, so `parse("a+1") == parse("a + 1")`. What each operator and
function computes (nulls, rounding, days_between, time zones) is stated in `execute.formula`.
"""

from __future__ import annotations

import ast
import datetime as dt
import io
import keyword
import math
import re
import tokenize
import typing as t
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from crmreports.errors import ERROR_CODES, InvalidSpecError, Problem, format_names, suggest

__all__ = [
    "DATE_DIRECTIVES", "FORMULA_ERROR_CODES", "FUNCTIONS", "Binary", "Call", "IfElse", "InList",
    "Literal", "Node", "Ref", "Unary", "caret", "children", "date_format_problem", "parse",
    "parse_with_problems", "references", "to_text",
]  # fmt: skip

MAX_LENGTH = 2000
MAX_DEPTH = 50

# The formula codes, as documented in crmreports.errors.ERROR_CODES (one source of truth).
FORMULA_ERROR_CODES: dict[str, str] = {
    code: meaning
    for code, (_, meaning) in ERROR_CODES.items()
    if code.startswith("formula-") or code == "unknown-function"
}

# name -> (fewest arguments, most arguments or None for any number, signature for messages)
FUNCTIONS: dict[str, tuple[int, int | None, str]] = {
    "if": (3, 3, "if(condition, then, otherwise)"), "coalesce": (2, None, "coalesce(a, b, ...)"),
    "case": (3, None, "case(cond1, value1, cond2, value2, ..., default)"),
    "is_null": (1, 1, "is_null(x)"), "not_null": (1, 1, "not_null(x)"),
    "lower": (1, 1, "lower(text)"), "upper": (1, 1, "upper(text)"),
    "contains": (2, 2, "contains(text, 'part')"), "length": (1, 1, "length(text)"),
    "starts_with": (2, 2, "starts_with(text, 'prefix')"),
    "ends_with": (2, 2, "ends_with(text, 'suffix')"),
    "year": (1, 1, "year(date)"), "quarter": (1, 1, "quarter(date)"),
    "month": (1, 1, "month(date)"), "day": (1, 1, "day(date)"),
    "weekday": (1, 1, "weekday(date)"), "hour": (1, 1, "hour(datetime)"),
    "days_between": (2, 2, "days_between(start, end)"),
    "hours_between": (2, 2, "hours_between(start, end)"),
    "minutes_between": (2, 2, "minutes_between(start, end)"),
    "add_days": (2, 2, "add_days(date, days)"), "add_months": (2, 2, "add_months(date, months)"),
    "to_date": (2, 2, "to_date(text, '%m/%d/%Y')"),
    "date": (1, 1, "date('YYYY-MM-DD')"), "as_of": (0, 0, "as_of()"), "abs": (1, 1, "abs(x)"),
    "round": (1, 2, "round(x, digits)"), "floor": (1, 1, "floor(x)"), "ceil": (1, 1, "ceil(x)"),
    "min_of": (2, 2, "min_of(a, b)"), "max_of": (2, 2, "max_of(a, b)"),
    "col": (1, 1, "col('column name')"),
    "to_int": (1, 1, "to_int(text)"),
}  # fmt: skip
# Formulas work row by row; a user reaching for an aggregate needs a measure instead.
_AGGREGATE_HINTS = {
    name: "formulas work row by row: aggregate in a measure (agg: ...) and refer to it by name"
    for name in ("sum", "avg", "mean", "count", "median", "count_distinct", "n_unique")
} | {"min": "for the smaller of two values use min_of(a, b)", "max": "use max_of(a, b)"}
_LITERAL_ARG = {"contains", "starts_with", "ends_with"}  # narwhals takes these as plain strings
_LITERAL_NAMES: dict[str, bool | None] = {
    "True": True, "False": False, "None": None, "true": True, "false": False, "null": None,
}  # fmt: skip
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INT64 = 2**63 - 1

UnaryOp = t.Literal["neg", "not"]
BinaryOp = t.Literal[
    "add", "sub", "mul", "div", "mod", "and", "or", "eq", "ne", "lt", "le", "gt", "ge"
]  # fmt: skip


@dataclass(frozen=True)
class _Node:
    position: int = field(default=0, compare=False, kw_only=True)


@dataclass(frozen=True, eq=False)
class Literal(_Node):
    value: int | float | str | bool | None

    # `True == 1 == 1.0` in Python, but they are different literals (boolean, integer, float).
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Literal):
            return NotImplemented
        return type(self.value) is type(other.value) and self.value == other.value

    def __hash__(self) -> int:
        return hash((type(self.value), self.value))


@dataclass(frozen=True)
class Ref(_Node):
    name: str


@dataclass(frozen=True)
class Unary(_Node):
    op: UnaryOp
    operand: Node


@dataclass(frozen=True)
class Binary(_Node):
    op: BinaryOp
    left: Node
    right: Node


@dataclass(frozen=True)
class InList(_Node):
    operand: Node
    values: tuple[Node, ...]  # literals and date('...') calls only
    negate: bool = False


@dataclass(frozen=True)
class Call(_Node):
    function: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class IfElse(_Node):
    cond: Node
    then: Node
    otherwise: Node


Node: t.TypeAlias = Literal | Ref | Unary | Binary | InList | Call | IfElse

_BINOPS: dict[type[ast.AST], BinaryOp] = {
    ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Mod: "mod",
}  # fmt: skip
_CMPOPS: dict[type[ast.AST], BinaryOp] = {
    ast.Eq: "eq", ast.NotEq: "ne", ast.Lt: "lt", ast.LtE: "le", ast.Gt: "gt", ast.GtE: "ge",
}  # fmt: skip
_FORBIDDEN_OPS: dict[type[ast.AST], tuple[str, str | None]] = {
    ast.Pow: ("the power operator **", None),
    ast.FloorDiv: ("integer division //", "use floor(a / b)"),
    ast.BitAnd: ("the bit operator &", "use `and`"),
    ast.BitOr: ("the bit operator |", "use `or`"),
    ast.BitXor: ("the bit operator ^", None),
    ast.LShift: ("the bit operator <<", None),
    ast.RShift: ("the bit operator >>", None),
    ast.MatMult: ("the operator @", None),
    ast.Invert: ("the bit operator ~", "use `not`"),
    ast.UAdd: ("unary +", "leave it out"),
}
_FORBIDDEN_NODES: dict[type[ast.AST], str] = {
    ast.Subscript: "indexing with [...]", ast.Lambda: "lambda", ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension", ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a generator expression", ast.JoinedStr: "an f-string",
    ast.NamedExpr: "assignment (:=)", ast.Starred: "unpacking with *", ast.Dict: "a dict",
    ast.Set: "a set", ast.List: "a list outside `x in [...]`",
    ast.Tuple: "a tuple outside `x in (...)`", ast.Await: "await", ast.Slice: "a slice",
}  # fmt: skip


def caret(text: str, position: int) -> str:
    """The line of `text` holding `position`, indented, with a `^` under that character."""
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    line = text[start : end if end >= 0 else len(text)]
    col = position - start
    if len(line) > 76:  # show a window around the position of a long formula
        lo = max(0, col - 36)
        line = ("..." if lo else "") + line[lo : lo + 72] + ("..." if lo + 72 < len(line) else "")
        col = col - lo + (3 if lo else 0)
    return f"    {line}\n    {' ' * col}^"


def parse(text: str, path: str = "") -> Node:
    """The node tree of `text`, or `InvalidSpecError` listing every problem found."""
    node, problems = parse_with_problems(text, path)
    if problems or node is None:
        raise InvalidSpecError(problems)
    return node


def parse_with_problems(text: str, path: str = "") -> tuple[Node | None, list[Problem]]:
    """Like `parse`, but returns the problems so a caller can collect those of a whole spec."""
    return _Parser(text, path).run()


_SKIP = {tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT}
_SKIP.add(tokenize.ENDMARKER)


_Located = ast.expr | ast.keyword  # the syntax nodes that carry a position


class _Abort(Exception):
    """Raised inside the walk when going on would only produce noise (too deep)."""


class _Parser:
    def __init__(self, text: str, path: str) -> None:
        self.text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.path = path
        self.problems: list[Problem] = []
        self.if_calls: set[int] = set()  # positions where `if(` was renamed for ast.parse
        self.source_text = "(" + self.text + "\n)"  # what ast.parse reads (see run)
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", "(" + self.text)]

    def problem(self, code: str, what: str, position: int, **extra: str | None) -> None:
        message = f"{what}, at position {position} of formula:\n{caret(self.text, position)}"
        self.problems.append(Problem(code, message, self.path, **extra))

    def run(self) -> tuple[Node | None, list[Problem]]:
        if not self.text.strip():
            self.problem("formula-syntax", "the formula is empty", 0)
        elif len(self.text) > MAX_LENGTH:
            what = f"the formula is {len(self.text)} characters long; the limit is {MAX_LENGTH}"
            self.problem("formula-too-complex", what, MAX_LENGTH)
        elif (source := self.prepare()) is not None:
            # Brackets let a formula span lines and start with spaces; the newline keeps a
            # trailing comment from swallowing the closing bracket.
            try:
                tree = ast.parse("(" + source + "\n)", mode="eval")
            except SyntaxError as exc:
                self.syntax_error(exc)
            except ValueError:  # Python 3.11 raises this for a NUL character
                self.problem("formula-syntax", "the formula contains a NUL character", 0)
            except (RecursionError, MemoryError):
                self.problem("formula-too-complex", "the formula is nested too deeply", 0)
            else:
                try:
                    node = self.visit(tree.body, 1)
                except _Abort:
                    return None, self.problems
                return (None if self.problems else node), self.problems
        return None, self.problems

    def prepare(self) -> str | None:
        """Rename the function `if(` to `_i(` (same length, so positions hold) and check brackets.

        `if` is a keyword, so `if(c, a, b)` is not Python; it is a call when it starts an operand
        (first token, or after an operator, comma or keyword) rather than following one, which
        is where the `if` of `a if c else b` sits.
        """
        chars = list(self.text)
        opened: list[tuple[str, int]] = []
        previous: tokenize.TokenInfo | None = None
        items: list[tokenize.TokenInfo] = []
        try:  # keep the tokens read before an error: an unclosed bracket fails only at the end
            for tok in tokenize.generate_tokens(io.StringIO(self.text).readline):
                if tok.type not in _SKIP:
                    items.append(tok)
        except (tokenize.TokenError, SyntaxError):
            pass  # ast.parse reports the error with its position
        for i, tok in enumerate(items):
            pos = self.line_starts[tok.start[0] - 1] + tok.start[1] - (tok.start[0] > 1)
            if tok.type == tokenize.OP and tok.string in "([{":
                opened.append((tok.string, pos))
                if len(opened) > MAX_DEPTH:
                    self.problem(
                        "formula-too-complex", f"brackets nest deeper than {MAX_DEPTH}", pos
                    )
                    return None
            elif tok.type == tokenize.OP and tok.string in ")]}":
                if not opened:
                    self.problem("formula-syntax", f"unmatched {tok.string!r}", pos)
                    return None
                opened.pop()
            nxt = items[i + 1] if i + 1 < len(items) else None
            is_call = tok.string == "if" and nxt is not None and nxt.string == "("
            if is_call and not _ends_operand(previous):
                chars[pos : pos + 2] = ["_", "i"]
                self.if_calls.add(pos)
            previous = tok
        if opened:
            bracket, pos = opened[-1]
            self.problem("formula-syntax", f"{bracket!r} was never closed", pos)
            return None
        return "".join(chars)

    def syntax_error(self, exc: SyntaxError) -> None:
        line, offset = exc.lineno or 1, exc.offset or 0
        if line > len(self.line_starts) or offset <= 0:
            pos = len(self.text)  # Python points past the end for "unexpected end of input"
        else:
            pos = min(max(self.line_starts[line - 1] + offset - 1 - 1, 0), len(self.text))
        message = f"cannot read the formula: {exc.msg}"
        if "==" not in message and re.search(r"(?<![=!<>])=(?!=)", self.text):
            message += " (to compare, write == rather than =)"
        self.problem("formula-syntax", message, pos)

    def pos(self, node: _Located, end: bool = False) -> int:
        line = node.end_lineno if end else node.lineno
        col = node.end_col_offset if end else node.col_offset
        assert line is not None and col is not None
        start = self.line_starts[line - 1]
        # ast counts UTF-8 bytes within a line; positions count characters.
        raw = self.source_text[start : start + col].encode("utf-8")[:col]
        return start + len(raw.decode("utf-8", errors="ignore")) - 1  # -1: the added "("

    def after(self, node: _Located) -> int:
        """Where the operator after `node` is: past spaces and the brackets closing `node`."""
        pos = self.pos(node, end=True)
        while pos < len(self.text) and self.text[pos] in " \t\n)":
            pos += 1
        return pos

    def source(self, node: _Located) -> str:
        return self.text[self.pos(node) : self.pos(node, end=True)]

    def forbid(self, what: str, position: int, hint: str | None = None) -> Literal:
        self.problem(
            "formula-forbidden", f"{what} is not allowed in a formula", position, hint=hint
        )
        return Literal(None, position=position)

    def visit(self, node: ast.expr, depth: int) -> Node:
        if depth > MAX_DEPTH:
            what = f"the formula nests deeper than {MAX_DEPTH} levels"
            self.problem("formula-too-complex", what, self.pos(node))
            raise _Abort
        p = self.pos(node)
        if isinstance(node, ast.Constant):
            return self.constant(node.value, p)
        if isinstance(node, ast.Name):
            return self.name(node, p)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node, depth, p)
        if isinstance(node, ast.BinOp):
            if type(node.op) in _FORBIDDEN_OPS:
                what, hint = _FORBIDDEN_OPS[type(node.op)]
                return self.forbid(what, self.after(node.left), hint)
            left, right = self.visit(node.left, depth + 1), self.visit(node.right, depth + 1)
            return Binary(_BINOPS[type(node.op)], left, right, position=p)
        if isinstance(node, ast.BoolOp):
            op: BinaryOp = "and" if isinstance(node.op, ast.And) else "or"
            values = [self.visit(v, depth + i) for i, v in enumerate(node.values, 1)]
            result = values[0]
            for operand in values[1:]:
                result = Binary(op, result, operand, position=p)
            return result
        if isinstance(node, ast.Compare):
            return self.compare(node, depth, p)
        if isinstance(node, ast.IfExp):
            args = (node.test, node.body, node.orelse)
            cond, then, otherwise = (self.visit(a, depth + 1) for a in args)
            return IfElse(cond, then, otherwise, position=p)
        if isinstance(node, ast.Call):
            return self.call(node, depth, p)
        if isinstance(node, ast.Attribute):
            what = f"attribute access (.{node.attr})"
            return self.forbid(what, self.after(node.value), "use a function instead")
        return self.forbid(_FORBIDDEN_NODES.get(type(node), "this kind of expression"), p)

    def name(self, node: ast.Name, p: int) -> Node:
        name = self.source(node)  # the text as written: Python NFKC-normalizes node.id
        if name in _LITERAL_NAMES:
            return Literal(_LITERAL_NAMES[name], position=p)
        if name.startswith("_"):
            return self.forbid(f"the name {name!r} (names starting with '_')", p)
        return Ref(name, position=p)

    def unary(self, node: ast.UnaryOp, depth: int, p: int) -> Node:
        if isinstance(node.op, ast.Not):
            return Unary("not", self.visit(node.operand, depth + 1), position=p)
        if isinstance(node.op, ast.USub):
            operand = self.visit(node.operand, depth + 1)
            value = operand.value if isinstance(operand, Literal) else None
            if isinstance(value, int | float) and not isinstance(value, bool):
                return Literal(-value, position=p)  # fold -5 into a literal
            return Unary("neg", operand, position=p)
        what, hint = _FORBIDDEN_OPS[type(node.op)]
        return self.forbid(what, p, hint)

    def constant(self, value: object, p: int) -> Literal:
        if isinstance(value, bool | str) or value is None:
            return Literal(value, position=p)
        if isinstance(value, int) and abs(value) <= _INT64:
            return Literal(value, position=p)
        if isinstance(value, float) and math.isfinite(value):
            return Literal(value, position=p)
        if isinstance(value, int | float):
            self.problem("formula-syntax", "the number is too large", p)
            return Literal(None, position=p)
        return self.forbid(f"the literal {value!r}", p, "use a number, 'text', true/false or null")

    def compare(self, node: ast.Compare, depth: int, p: int) -> Node:
        special = (ast.In, ast.NotIn, ast.Is, ast.IsNot)
        if len(node.ops) > 1 and any(isinstance(op, special) for op in node.ops):
            what = "chaining `in` or `is` with another comparison"
            return self.forbid(what, p, "add brackets: (x in [1, 2]) == true")
        left = self.visit(node.left, depth + 1)
        tests: list[Node] = []
        for i, (op, right_ast) in enumerate(zip(node.ops, node.comparators, strict=True)):
            if isinstance(op, ast.In | ast.NotIn):
                values = self.list_values(right_ast, depth + i + 1)
                right: Node = Literal(None)
                tests.append(InList(left, values, isinstance(op, ast.NotIn), position=p))
            elif isinstance(op, ast.Is | ast.IsNot):
                right = self.visit(right_ast, depth + i + 1)
                if right != Literal(None):
                    self.forbid("`is` with anything but None", self.pos(right_ast), "use ==")
                function = "is_null" if isinstance(op, ast.Is) else "not_null"
                tests.append(Call(function, (left,), position=p))
            else:
                right = self.visit(right_ast, depth + i + 1)
                tests.append(Binary(_CMPOPS[type(op)], left, right, position=p))
            left, p = right, self.pos(right_ast)  # `a < b < c` means `a < b and b < c`
        result = tests[0]
        for test in tests[1:]:
            result = Binary("and", result, test, position=result.position)
        return result

    def list_values(self, node: ast.expr, depth: int) -> tuple[Node, ...]:
        p = self.pos(node)
        if not isinstance(node, ast.List | ast.Tuple):
            self.forbid("`in` with anything but a list of values", p, "write x in [1, 2, 3]")
            return ()
        if not node.elts:
            self.problem("formula-syntax", "the list after `in` is empty", p)
        values = tuple(self.visit(e, depth + 1) for e in node.elts)
        for value, elt in zip(values, node.elts, strict=True):
            is_date = isinstance(value, Call) and value.function == "date"
            if value == Literal(None):
                self.forbid("null in a list", self.pos(elt), "test for null with is_null(x)")
            elif not isinstance(value, Literal) and not is_date:
                self.forbid("an expression in a list", self.pos(elt), "list literal values only")
        return values

    def call(self, node: ast.Call, depth: int, p: int) -> Node:
        if isinstance(node.func, ast.Attribute):
            # `channel.upper()`: a method call; say so, and show the function form.
            target = self.source(node.func.value)
            hint = f"write {node.func.attr}({target})"
            if node.func.attr not in FUNCTIONS:
                hint = "formulas call functions by name, e.g. lower(channel)"
            return self.forbid(
                f"attribute access (.{node.func.attr})", self.after(node.func.value), hint
            )
        if not isinstance(node.func, ast.Name):
            return self.forbid("calling anything but a named function", p, "e.g. lower(name)")
        name = self.source(node.func)
        if name == "_i" and p in self.if_calls:
            name = "if"
        elif name.startswith("_"):
            return self.forbid(f"the name {name!r} (names starting with '_')", p)
        for kw in node.keywords:
            self.forbid("a keyword argument", self.pos(kw), "pass arguments by position")
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                return self.forbid("unpacking with *", self.pos(arg), "list the arguments")
        # Each branch of case() nests one level deeper once it becomes if(.., .., if(..)).
        step = (lambda i: i // 2) if name == "case" else (lambda i: 0)
        args = tuple(self.visit(a, depth + 1 + step(i)) for i, a in enumerate(node.args))
        if name not in FUNCTIONS:
            known = format_names(sorted(FUNCTIONS), "functions")
            what = f"unknown function {name!r}"
            self.problem(
                "unknown-function",
                what,
                p,
                hint=_AGGREGATE_HINTS.get(name.lower()),
                suggestion=suggest(name, FUNCTIONS),
                checked_against=known,
            )
            return Literal(None, position=p)
        low, high, signature = FUNCTIONS[name]
        count = len(node.args) + len(node.keywords)
        if count < low or (high is not None and count > high) or (name == "case" and not count % 2):
            need = str(low) if low == high else f"{low} to {high}" if high else f"at least {low}"
            need = "an odd number (at least 3) of" if name == "case" else need
            what = f"{name}() takes {need} arguments, got {count}"
            self.problem("formula-arity", what, p, hint=f"write {signature}")
            return Literal(None, position=p)
        return self.special(name, args, p)

    def special(self, name: str, args: tuple[Node, ...], p: int) -> Node:
        """Calls with their own node (if, case, col) or a literal-only argument."""
        if name == "if":
            return IfElse(*args, position=p)
        if name == "case":  # case(c1, v1, c2, v2, default) == if(c1, v1, if(c2, v2, default))
            result = args[-1]
            for i in range(len(args) - 3, -1, -2):
                where = args[i].position if i else p
                result = IfElse(args[i], args[i + 1], result, position=where)
            return result
        if not args:  # as_of()
            return Call(name, args, position=p)
        last = args[-1]
        text = last.value if isinstance(last, Literal) else None
        bad: str | None = None
        if name == "col":
            if not isinstance(text, str) or not text:
                bad = "col() takes a column name in quotes"
            ref = Ref(str(text), position=p)
            return self.bad_argument(bad, last, "col('Resolution Hours')") or ref
        if name == "date" and not (isinstance(text, str) and _valid_date(text)):
            bad = "date() takes a date in quotes as 'YYYY-MM-DD'"
        elif name == "round" and len(args) == 1:
            args = (*args, Literal(0, position=p))
        elif name == "round" and not (type(text) is int and 0 <= text <= 15):
            bad = "round() takes a whole number of digits from 0 to 15"
        elif name in _LITERAL_ARG and not isinstance(text, str):
            bad = f"the second argument of {name}() must be text in quotes"
        elif name == "to_date":
            bad = date_format_problem(text)
        return self.bad_argument(bad, last, FUNCTIONS[name][2]) or Call(name, args, position=p)

    def bad_argument(self, what: str | None, arg: Node, example: str) -> Node | None:
        if what is None:
            return None
        self.problem("formula-argument", what, arg.position, hint=f"write {example}")
        return Literal(None, position=arg.position)


# to_date() formats: the strptime directives every engine is taught (translated per engine by
# execute.formula). Anything else is refused when the formula is read.
DATE_DIRECTIVES: dict[str, str] = {
    "Y": "4-digit year", "y": "2-digit year (69-99: 1900s, 00-68: 2000s)",
    "m": "month 1-12", "b": "month name, abbreviated (Jan)", "B": "month name (January)",
    "d": "day of the month 1-31", "H": "hour 0-23", "I": "hour 1-12 (with %p)",
    "p": "AM or PM", "M": "minute 0-59", "S": "second 0-59", "%": "a literal %",
}  # fmt: skip


def date_format_problem(text: object) -> str | None:
    """Why `text` is no usable to_date() format, or None."""
    if not isinstance(text, str) or not text:
        return "the second argument of to_date() must be a format in quotes, e.g. '%m/%d/%Y'"
    directives = re.findall(r"%(.?)", text)
    unknown = sorted({d or "(end)" for d in directives if d not in DATE_DIRECTIVES})
    if unknown:
        listed = ", ".join("%" + d for d in DATE_DIRECTIVES)
        return f"to_date() does not know %{unknown[0]}; it reads {listed}"
    if re.search(r"[0-9]", re.sub(r"%.", "", text)):
        return "a to_date() format may hold digits only through its directives (%d, %Y, ...)"
    fields = [d for d in directives if d != "%"]
    if len(fields) != len(set(fields)):
        return "each directive may appear once in a to_date() format"
    day = {"Y", "y"} & set(fields) and {"m", "b", "B"} & set(fields) and "d" in fields
    if not day or ("Y" in fields and "y" in fields) or len({"m", "b", "B"} & set(fields)) > 1:
        return "a to_date() format needs exactly one year (%Y or %y), month and day (%d)"
    if ("I" in fields) != ("p" in fields) or ("H" in fields and "I" in fields):
        return "a to_date() format takes %H, or %I with %p, for the hour"
    if ("M" in fields or "S" in fields) and not {"H", "I"} & set(fields):
        return "minutes or seconds in a to_date() format need an hour"
    return None


def _ends_operand(tok: tokenize.TokenInfo | None) -> bool:
    """Whether `tok` can end an operand, so that a following `if` is the ternary's."""
    if tok is None:
        return False
    if tok.type == tokenize.NAME:
        return not keyword.iskeyword(tok.string) or tok.string in _LITERAL_NAMES
    return tok.type in (tokenize.NUMBER, tokenize.STRING) or tok.string in ")]}"


def _valid_date(text: str) -> bool:
    if not _ISO_DATE.fullmatch(text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


# --- reading a tree ----------------------------------------------------------------------------


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-expressions of `node`, left to right."""
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, InList):
        return (node.operand, *node.values)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, IfElse):
        return (node.cond, node.then, node.otherwise)
    return ()


def with_children(node: Node, new: tuple[Node, ...]) -> Node:
    """`node` with its direct sub-expressions (as `children` lists them) replaced by `new`."""
    if isinstance(node, Unary):
        return replace(node, operand=new[0])
    if isinstance(node, Binary):
        return replace(node, left=new[0], right=new[1])
    if isinstance(node, InList):
        return replace(node, operand=new[0], values=new[1:])
    if isinstance(node, Call):
        return replace(node, args=new)
    if isinstance(node, IfElse):
        return replace(node, cond=new[0], then=new[1], otherwise=new[2])
    return node


def rename_refs(node: Node, names: t.Mapping[str, str]) -> Node:
    """`node` reading column `names[c]` wherever it read `c`.

    >>> to_text(rename_refs(parse("days_between(as_of(), created_at) < 1"), {"created_at": "d"}))
    'days_between(as_of(), d) < 1'
    """
    if isinstance(node, Ref):
        return replace(node, name=names.get(node.name, node.name))
    return with_children(node, tuple(rename_refs(c, names) for c in children(node)))


def _walk(node: Node) -> Iterator[Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def references(node: Node) -> set[str]:
    """Names of the columns (or measures) the formula reads."""
    return {n.name for n in _walk(node) if isinstance(n, Ref)}


_SYMBOL = {
    "add": "+", "sub": "-", "mul": "*", "div": "/", "mod": "%", "and": "and", "or": "or",
    "eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=",
}  # fmt: skip
_PRECEDENCE = {"or": 1, "and": 2, "not": 3, "add": 5, "sub": 5, "mul": 6, "div": 6, "mod": 6}
_PRECEDENCE["neg"] = 7
_COMPARE = 4


def _precedence(node: Node) -> int:
    if isinstance(node, Binary | Unary):
        return _PRECEDENCE.get(node.op, _COMPARE)
    return _COMPARE if isinstance(node, InList) else 100


def to_text(node: Node) -> str:
    """Canonical text: parses back to an equal tree (case() is written as nested if())."""
    if isinstance(node, Literal):
        if node.value is None or isinstance(node.value, bool):
            return {None: "null", True: "true", False: "false"}[node.value]
        return repr(node.value)
    if isinstance(node, Ref):
        name = node.name
        plain = name.isidentifier() and not keyword.iskeyword(name) and not name.startswith("_")
        return name if plain and name not in _LITERAL_NAMES else f"col({name!r})"
    if isinstance(node, Unary):
        inner = _wrap(node.operand, _precedence(node.operand) < _precedence(node))
        return f"not {inner}" if node.op == "not" else f"-{inner}"
    if isinstance(node, Binary):
        mine = _precedence(node)
        left_paren = _precedence(node.left) < mine or (mine == _COMPARE == _precedence(node.left))
        left = _wrap(node.left, left_paren)
        right = _wrap(node.right, _precedence(node.right) <= mine)
        return f"{left} {_SYMBOL[node.op]} {right}"
    if isinstance(node, InList):
        operand = _wrap(node.operand, _precedence(node.operand) <= _COMPARE)
        values = ", ".join(to_text(v) for v in node.values)
        return f"{operand} {'not in' if node.negate else 'in'} [{values}]"
    if isinstance(node, Call):
        return f"{node.function}({', '.join(to_text(a) for a in node.args)})"
    return f"if({to_text(node.cond)}, {to_text(node.then)}, {to_text(node.otherwise)})"


def _wrap(node: Node, paren: bool) -> str:
    return f"({to_text(node)})" if paren else to_text(node)
