"""Report parameters: the values supplied at run time, checked against their declarations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from crmreports.errors import Problem, format_names, show_value, suggest
from crmreports.resolve.context import convert_value
from crmreports.resolve.types import DataType
from crmreports.spec import Parameter, ParamRef

_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "number": (int, float),
    "integer": (int,),
    "boolean": (bool,),
    "date": (dt.date,),
}


def resolve_params(
    declared: list[Parameter],
    supplied: Mapping[str, Any],
    problems: list[Problem],
    failed: set[str] | None = None,
) -> dict[str, Any]:
    """Every declared parameter's value (supplied, else its default), type-checked.

    Parameters without a usable value are added to `failed`, so the places that use them do
    not report a second, misleading "unknown parameter" problem."""
    failed = set() if failed is None else failed
    names = [p.name for p in declared]
    for name in supplied:
        if name not in names:
            problems.append(
                Problem(
                    "unknown-param",
                    f"unknown parameter {name!r} supplied to the run",
                    "params",
                    checked_against=format_names(names, "parameters"),
                    suggestion=suggest(name, names),
                    hint="declare it under `params:` in the report, or stop passing it",
                )
            )
    values: dict[str, Any] = {}
    for i, param in enumerate(declared):
        path = f"params[{i}]"
        if param.name in supplied:
            raw, where = supplied[param.name], f"the value supplied for {param.name!r}"
        elif param.default is not None:
            raw, where = param.default, f"{path}.default"
        else:
            problems.append(
                Problem(
                    "missing-param",
                    f"parameter {param.name!r} has no default and no value was supplied",
                    path,
                    hint=f"pass params={{'{param.name}': ...}} to run(), or add a `default`",
                )
            )
            failed.add(param.name)
            continue
        value = _coerce(raw, param.type)
        if value is None:
            problems.append(
                Problem(
                    "param-type",
                    f"{where} is {show_value(raw)}, not a {param.type}",
                    path,
                    hint=f"give a {param.type} value",
                )
            )
            failed.add(param.name)
            continue
        allowed = [_coerce(a, param.type) for a in param.allowed or []]
        if param.allowed and value not in allowed:
            problems.append(
                Problem(
                    "param-not-allowed",
                    f"{show_value(raw)} is not an allowed value of parameter {param.name!r}",
                    path,
                    checked_against="allowed: " + ", ".join(show_value(a) for a in param.allowed),
                )
            )
            failed.add(param.name)
            continue
        values[param.name] = value
    return values


def _coerce(value: Any, kind: str) -> Any:
    if isinstance(value, ParamRef):
        return None
    if kind == "date":
        # A date-time parameter value means its day; the rest is the filters' own rule.
        day = value.date() if isinstance(value, dt.datetime) else value
        return convert_value(day, DataType.DATE)
    if isinstance(value, bool) and kind != "boolean":
        return None
    if kind == "number" and isinstance(value, int | float):
        return value
    return value if isinstance(value, _PYTHON_TYPES[kind]) else None


def param_value(
    ref: ParamRef,
    params: dict[str, Any],
    path: str,
    problems: list[Problem],
    failed: set[str] | None = None,
) -> Any:
    """The value behind `{param: name}`, or None (with a problem) when it is not declared."""
    if failed and ref.param in failed:
        return None  # already reported where the parameter is declared
    if ref.param in params:
        value = params[ref.param]
        return value.isoformat() if isinstance(value, dt.date) else value
    problems.append(
        Problem(
            "unknown-param",
            f"unknown parameter {ref.param!r}",
            path,
            checked_against=format_names(list(params), "parameters"),
            suggestion=suggest(ref.param, list(params)),
            hint="declare it under `params:`",
        )
    )
    return None
