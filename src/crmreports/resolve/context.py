"""What every binder needs while resolving one report: the columns, the parameters, the
time settings, and the list that collects problems (nothing raises until the end)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from crmreports.errors import Problem, show_value, unknown_name
from crmreports.resolve.formula_types import infer
from crmreports.resolve.predicates import FilterValue
from crmreports.resolve.resolved import TimeSettings
from crmreports.resolve.types import DataType
from crmreports.spec.formula import Binary as BinaryNode
from crmreports.spec.formula import (
    Call,
    IfElse,
    InList,
    Literal,
    Node,
    Ref,
    Unary,
    parse_with_problems,
    references,
)


@dataclass(frozen=True)
class Context:
    """Frozen: every field is decided when it is built; `problems` and `used` are the lists
    binders add to."""

    source: str
    columns: dict[str, DataType]
    params: dict[str, Any]  # resolved parameter values
    time: TimeSettings
    problems: list[Problem] = field(default_factory=list)
    used: set[str] = field(default_factory=set)  # columns referenced anywhere
    hint_for: Callable[[str], str | None] = field(default=lambda name: None)
    # The same advice for a column of another source (a target's): (source, name) -> hint.
    hint_in: Callable[[str, str], str | None] = field(default=lambda source, name: None)
    schema: dict[str, dict[str, DataType]] = field(default_factory=dict)
    failed_params: set[str] = field(default_factory=set)  # declared, but no usable value

    def column(self, name: str, path: str) -> DataType | None:
        if name in self.columns:
            self.used.add(name)
            return self.columns[name]
        self.problems.append(
            unknown_name(
                "unknown-column",
                f"unknown column {name!r} in source {self.source!r}",
                path,
                name,
                self.columns,
                "columns",
                hint=self.hint_for(name),
            )
        )
        return None

    @property
    def own_columns(self) -> set[str]:
        """Columns of the source itself (not looked up through a relationship)."""
        return {c for c in self.columns if c in self.schema.get(self.source, self.columns)}

    def used_by(self, node: Node | None) -> set[str]:
        return references(node) if node is not None else set()

    def formula(
        self, text: str, path: str, types: dict[str, DataType] | None = None, what: str = "columns"
    ) -> tuple[Node, DataType] | None:
        """Parse and type a formula over `types` (the source's columns by default).

        Parameters are substituted as literals first, so a formula can say `amount > min_amount`.
        """
        node, problems = parse_with_problems(text, path)
        if node is None or problems:
            self.problems.extend(problems)
            return None
        scope = self.columns if types is None else types
        if references(node) & (self.failed_params - set(scope)):
            return None  # the parameter's own problem is reported where it is declared
        node = substitute_params(node, {**self.params, AS_OF: self.time.as_of}, scope)
        self.used.update(references(node) & set(scope))
        # A missing source column: say how to map it, as for a `field` (the built-in reports
        # read many columns through formulas only).
        hint_for = self.hint_for if scope is self.columns else None
        dtype, problems = infer(node, scope, path, source=text, what=what, hint_for=hint_for)
        if dtype is None or problems:
            self.problems.extend(problems)
            return None
        return node, dtype

    def value(self, value: object, dtype: DataType, field_name: str, path: str) -> Any:
        """A filter value converted to the column's type, or None (with a problem)."""
        converted = convert_value(value, dtype)
        if converted is None:
            example = _EXAMPLES.get(dtype, "")
            self.problems.append(
                Problem(
                    "filter-type",
                    f"{show_value(value)} cannot be compared with {field_name!r}, "
                    f"which is {dtype.value}",
                    path,
                    hint=f"give a {dtype.value} value{example}",
                )
            )
        return converted


_EXAMPLES = {
    DataType.DATE: " such as 2024-01-31",
    DataType.DATETIME: " such as 2024-01-31 or 2024-01-31T09:30:00",
    DataType.STRING: " in quotes, e.g. '1001'",
    DataType.INTEGER: " such as 100",
    DataType.FLOAT: " such as 99.5",
    DataType.BOOLEAN: ": true or false",
}


def convert_value(value: object, dtype: DataType) -> FilterValue | None:
    """`value` as the column's type, or None when it does not fit (never a guess)."""
    if dtype.is_numeric:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        return None
    if dtype is DataType.BOOLEAN:
        return value if isinstance(value, bool) else None
    if dtype is DataType.STRING:
        return value if isinstance(value, str) else None
    if dtype is DataType.DATE:
        if isinstance(value, dt.datetime):
            return None
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                return None
    if dtype is DataType.DATETIME:
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=None) if value.tzinfo is None else value
        if isinstance(value, dt.date):
            return dt.datetime(value.year, value.month, value.day)
        if isinstance(value, str):
            try:
                return dt.datetime.fromisoformat(value)
            except ValueError:
                return None
    return None


# The key under which the run's as_of date travels with the parameters (not a valid name, so no
# parameter can shadow it): `as_of()` in a formula becomes that date.
AS_OF = "as_of()"


def substitute_params(node: Node, params: dict[str, Any], scope: dict[str, DataType]) -> Node:
    """Replace references to parameters (names that are not columns) by literal values."""
    if isinstance(node, Ref):
        if node.name not in scope and node.name in params:
            value = params[node.name]
            if isinstance(value, dt.date):
                return Call("date", (Literal(value.isoformat(), position=node.position),),
                            position=node.position)  # fmt: skip
            return Literal(value, position=node.position)
        return node
    if isinstance(node, Unary):
        return Unary(
            node.op, substitute_params(node.operand, params, scope), position=node.position
        )
    if isinstance(node, BinaryNode):
        return BinaryNode(
            node.op,
            substitute_params(node.left, params, scope),
            substitute_params(node.right, params, scope),
            position=node.position,
        )
    if isinstance(node, InList):
        return InList(
            substitute_params(node.operand, params, scope),
            tuple(substitute_params(v, params, scope) for v in node.values),
            node.negate,
            position=node.position,
        )
    if isinstance(node, Call):
        if node.function == "col":
            return node
        if node.function == "as_of" and AS_OF in params:
            day = params[AS_OF].isoformat()
            return Call("date", (Literal(day, position=node.position),), position=node.position)
        args = tuple(substitute_params(a, params, scope) for a in node.args)
        return Call(node.function, args, position=node.position)
    if isinstance(node, IfElse):
        return IfElse(
            substitute_params(node.cond, params, scope),
            substitute_params(node.then, params, scope),
            substitute_params(node.otherwise, params, scope),
            position=node.position,
        )
    return node
