"""Every error crmreports raises on purpose, and the `suggest()` helper behind each "did you mean".

This module imports nothing from the rest of the package, so every layer can use it.

A mistake in a spec is reported as one `SpecError` that carries *every* problem found
(`err.problems`), each with a stable code, the path in the spec, what it was checked against,
and a suggestion. Each class also inherits the standard exception it stands in for
(`UnknownFieldError` is a `KeyError`), so generic handlers keep working.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

__all__ = [
    "DATA_ERROR_CODES",
    "ERROR_CODES",
    "CrmReportsError",
    "DataError",
    "DuplicateNameError",
    "InvalidSpecError",
    "Problem",
    "SpecError",
    "SpecSyntaxError",
    "TypeMismatchError",
    "UnknownFieldError",
    "UnknownNameError",
    "UnknownSourceError",
    "ValueNotInDataError",
    "format_names",
    "show_value",
    "suggest",
    "unknown_name",
]

# How many problems and names a message lists before it says "... and N more".
MAX_PROBLEMS_SHOWN = 10
MAX_NAMES_SHOWN = 12


def suggest(name: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to a mistyped `name`, or None when nothing is close.

    >>> suggest("close_dat", ["amount", "close_date", "owner"])
    'close_date'
    >>> suggest("zzz", ["amount"]) is None
    True
    """
    pool = list(candidates)
    folded = {c.casefold(): c for c in pool}
    if name.casefold() in folded:  # a case slip is the most likely mistake of all
        return folded[name.casefold()]
    matches = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
    return matches[0] if matches else None


def show_value(value: object) -> str:
    """A value as the spec author wrote it (YAML spelling), for messages.

    >>> show_value(True), show_value(None), show_value(["won", 3]), show_value("x")
    ('true', 'null', '[won, 3]', "'x'")
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(str(show_value(v)).strip("'") for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {show_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, str):
        return repr(value)
    return str(value)


def format_names(names: Sequence[str], what: str = "names", limit: int = MAX_NAMES_SHOWN) -> str:
    """A capped, readable list: "available columns (14): a, b, c, ... and 9 more".

    >>> format_names(["a", "b"], "columns")
    'available columns (2): a, b'
    """
    shown = ", ".join(names[:limit])
    more = len(names) - limit
    tail = f", ... and {more} more" if more > 0 else ""
    return f"available {what} ({len(names)}): {shown}{tail}" if names else f"no {what} available"


def unknown_name(
    code: str,
    message: str,
    path: str,
    name: str,
    candidates: Iterable[str],
    what: str,
    hint: str | None = None,
    *,
    limit: int = MAX_NAMES_SHOWN,
    suggestion: str | None = None,
) -> Problem:
    """A problem about a name that is not among `candidates`: the capped list of what exists
    and the closest match, the two things every "unknown ..." message carries.

    `limit` caps the list (a short closed list, such as the filter ops, is shown whole);
    `suggestion` is a better guess than the closest spelling when the caller knows one (a
    synonym: `gte` means `ge`, where the closest spelling would be `gt`).
    """
    names = list(candidates)
    return Problem(
        code,
        message,
        path,
        checked_against=format_names(names, what, limit=limit),
        suggestion=suggestion or suggest(name, names),
        hint=hint,
    )


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a spec or its data, located and explained."""

    code: str
    message: str
    path: str = ""
    checked_against: str | None = None
    suggestion: str | None = None
    hint: str | None = None

    def render(self, report: str | None = None) -> str:
        """The problem as text; with `report`, the location line names the report too."""
        lines = [self.message]
        where = " -> ".join(p for p in (f"report {report!r}" if report else "", self.path) if p)
        if where:
            lines.append(f"  at: {where}")
        if self.suggestion:
            lines.append(f"  did you mean: {self.suggestion!r}?")
        if self.hint:
            lines.append(f"  fix: {self.hint}")
        if self.checked_against:
            lines.append(f"  {self.checked_against}")
        lines.append(f"  [code: {self.code}]")
        return "\n".join(lines)


class CrmReportsError(Exception):
    """Base class of every error crmreports raises on purpose."""


def under(problems: Sequence[Problem], prefix: str) -> list[Problem]:
    """The problems of a part of a spec (a rollup), located from the whole spec's root."""
    return [replace(p, path=f"{prefix}.{p.path}" if p.path else prefix) for p in problems]


class SpecError(CrmReportsError, ValueError):
    """A report spec is wrong. `problems` lists every problem found, not just the first."""

    default_code = "invalid-spec"

    def __init__(self, problems: Sequence[Problem] | str, report: str | None = None) -> None:
        if isinstance(problems, str):
            problems = [Problem(self.default_code, problems)]
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.report = report
        super().__init__(self._render())

    @property
    def codes(self) -> list[str]:
        return [p.code for p in self.problems]

    def _render(self) -> str:
        where = f" in report {self.report!r}" if self.report else ""
        shown = self.problems[:MAX_PROBLEMS_SHOWN]
        if len(self.problems) == 1:
            return shown[0].render(self.report)
        parts = [f"{len(self.problems)} problems{where}:"]
        for i, problem in enumerate(shown, 1):
            body = problem.render().replace("\n", "\n   ")
            parts.append(f"{i}. {body}")
        if len(self.problems) > len(shown):
            parts.append(f"... and {len(self.problems) - len(shown)} more")
        return "\n".join(parts)

    def __str__(self) -> str:  # KeyError would otherwise quote the whole message
        return str(self.args[0]) if self.args else ""

    @classmethod
    def from_problems(cls, problems: Sequence[Problem], report: str | None = None) -> SpecError:
        """The most specific error class for these problems (the base class when they differ)."""
        classes = {ERROR_CODES.get(p.code, (SpecError, ""))[0] for p in problems}
        error_class = classes.pop() if len(classes) == 1 else SpecError
        return error_class(problems, report=report)


class SpecSyntaxError(SpecError):
    """The YAML or JSON text itself cannot be parsed; the message names line and column.

    Not a Python `SyntaxError`: the text is a spec, not Python code, and SyntaxError's own
    formatting would hide our message behind its empty `lineno`.
    """

    default_code = "syntax"


class InvalidSpecError(SpecError):
    """The spec has the wrong structure: a missing or unknown key, or a value of the wrong kind."""


class UnknownFieldError(SpecError, KeyError):
    """A spec names a column that the data does not have."""

    default_code = "unknown-column"


class UnknownSourceError(SpecError, KeyError):
    """A spec names a source that was not supplied."""

    default_code = "unknown-source"


class UnknownNameError(SpecError, KeyError):
    """A sort key or visual channel names something that is not in the result."""

    default_code = "unknown-name"


class TypeMismatchError(SpecError, TypeError):
    """An operation does not fit the column's type, e.g. the sum of a text column."""

    default_code = "type-mismatch"


class DuplicateNameError(SpecError):
    """Two dimensions or measures would produce the same result column."""

    default_code = "duplicate-name"


class ValueNotInDataError(SpecError, LookupError):
    """A value the report compares a column with is held by no row of the column (often a
    spelling: won for Won), under `strict=True` or for a value the report gives a meaning."""

    default_code = "value-not-in-data"


class DataError(CrmReportsError, ValueError):
    """The data handed to a report cannot be used: an unsupported object or a bad file path.

    `code` is stable, like a `SpecError` problem's (`DATA_ERROR_CODES` lists them), so a
    caller can act on the kind of failure without reading the message; the message stays
    the whole text of the error.
    """

    default_code = "unusable-data"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        self.code = code or self.default_code
        if self.code not in DATA_ERROR_CODES:  # a typo here would break callers silently
            raise ValueError(f"undocumented DataError code {self.code!r}")
        super().__init__(message)


# Every stable code: the class that carries it and what it means (docs/errors.md is built
# from this).
ERROR_CODES: dict[str, tuple[type[SpecError], str]] = {
    "syntax": (SpecSyntaxError, "The YAML or JSON text cannot be parsed."),
    "not-a-mapping": (InvalidSpecError, "The spec text is not a mapping of keys to values."),
    "missing-key": (InvalidSpecError, "A required key is missing."),
    "unknown-key": (InvalidSpecError, "A key is not part of the spec (often a typo)."),
    "invalid-value": (InvalidSpecError, "A value has the wrong kind or is out of range."),
    "unknown-option": (InvalidSpecError, "A value is not one of the allowed choices."),
    "expects-list": (InvalidSpecError, "The filter operator needs a list of values."),
    "expects-scalar": (InvalidSpecError, "The filter operator needs a single value."),
    "between-bounds": (InvalidSpecError, "`between` needs exactly two bounds [low, high]."),
    "empty-spec": (InvalidSpecError, "The report has neither dimensions nor measures."),
    "duplicate-name": (DuplicateNameError, "Two dimensions or measures share a result name."),
    "unknown-source": (UnknownSourceError, "The report's source was not supplied."),
    "unknown-column": (UnknownFieldError, "A field names a column the data does not have."),
    "unknown-name": (UnknownNameError, "A sort key names neither a dimension nor a measure."),
    "unknown-visual-field": (
        UnknownNameError,
        "A visual channel names a column that is not in the result.",
    ),
    "visual-needs-dimension": (
        InvalidSpecError,
        "A visual channel that lays out categories (x, color, stage, ...) names a measure.",
    ),
    "visual-not-numeric": (
        TypeMismatchError,
        "A visual channel that draws amounts (y, value, size, ...) names a dimension or a "
        "measure that is not a number.",
    ),
    "visual-missing-channel": (
        InvalidSpecError,
        "A visual lacks something it cannot be drawn without (a dimension for x, a second "
        "measure, a target, a time dimension for a sparkline, ...).",
    ),
    "visual-ambiguous-rows": (
        InvalidSpecError,
        "The report has a dimension no channel of the visual draws, so several rows would "
        "fall on one bar, slice or number.",
    ),
    "not-numeric": (TypeMismatchError, "A numeric aggregation is applied to a non-numeric column."),
    "not-temporal": (TypeMismatchError, "A time grain is applied to a column that holds no dates."),
    "filter-type": (TypeMismatchError, "A filter value does not fit the column's type."),
    "not-text": (TypeMismatchError, "`contains` is applied to a column that holds no text."),
    "formula-syntax": (
        InvalidSpecError,
        "A formula is empty or not valid syntax (e.g. a missing operand).",
    ),
    "formula-forbidden": (
        InvalidSpecError,
        "A formula uses something formulas do not allow (attribute access, subscripts, "
        "lambdas, `**`, names starting with `_`, ...).",
    ),
    "unknown-function": (
        InvalidSpecError,
        "A formula calls a function that is not a formula function.",
    ),
    "formula-arity": (
        InvalidSpecError,
        "A formula function is called with the wrong number of arguments.",
    ),
    "formula-argument": (
        InvalidSpecError,
        "A function argument that must be a literal is not one or is invalid "
        "(e.g. `date('2024-13-01')`, a negative `round` digit count).",
    ),
    "formula-too-complex": (
        InvalidSpecError,
        "A formula is longer than 2000 characters or nested deeper than 50.",
    ),
    "formula-type": (
        TypeMismatchError,
        "A formula combines values whose types do not fit (e.g. text + number).",
    ),
    "unknown-measure": (UnknownNameError, "A window or top-N names a measure that does not exist."),
    "measure-cycle": (InvalidSpecError, "Formulas or windows refer to each other in a circle."),
    "needs-time-dimension": (
        InvalidSpecError,
        "A running total, rolling window or comparison needs a dimension with a `grain`.",
    ),
    "not-additive": (
        TypeMismatchError,
        "A running total or rolling sum is asked of a measure that cannot be added up "
        "across periods (an average, median, ...; a distinct count only in a running total: "
        "a rolling window recounts it over the window's rows).",
    ),
    "fan-out": (
        InvalidSpecError,
        "A measure would count rows of a looked-up or other source several times "
        "(a sum over a one-to-many path, or a target not matched to every dimension).",
    ),
    "key-type": (
        TypeMismatchError,
        "A relationship joins key columns of different kinds (text with a number, a date with "
        "a number, ...), which no engine compares the same way: convert one side first.",
    ),
    "unknown-timezone": (InvalidSpecError, "`time.timezone` is not an IANA time zone name."),
    "unknown-builtin-report": (UnknownNameError, "No built-in report has this name."),
    "unknown-builtin-view": (UnknownNameError, "The built-in report has no view of this name."),
    "unknown-builtin-dashboard": (UnknownNameError, "No built-in dashboard has this name."),
    "unknown-model-table": (
        UnknownNameError,
        "A built-in mapping names a table that is not in the CRM data model.",
    ),
    "unknown-model-column": (
        UnknownNameError,
        "A built-in mapping names a column that is not in the CRM data model's table.",
    ),
    "unknown-param": (UnknownNameError, "A parameter is referenced or supplied but not declared."),
    "missing-param": (InvalidSpecError, "A parameter without a default was not supplied."),
    "param-type": (TypeMismatchError, "A parameter value does not have the declared type."),
    "param-not-allowed": (InvalidSpecError, "A parameter value is not among `allowed`."),
    "value-not-in-data": (
        ValueNotInDataError,
        "A filter value is held by no row of its column while the data spells it otherwise "
        "(Won for won) or the run is strict, or none of a value map's keys occurs in your "
        "column.",
    ),
}

# Every stable code of a `DataError` and what it means (docs/errors.md is built from this).
DATA_ERROR_CODES: dict[str, str] = {
    "unusable-data": "The data cannot be used as given: an unsupported object, no data, "
    "duplicate or non-text column names, a file that cannot be read, or a value no engine "
    "can compute exactly.",
    "file-not-found": "A spec, dashboard or mapping file does not exist.",
    "invalid-mapping-file": "A `--mapping` file is not YAML holding `columns`, `values` "
    "and `params` mappings.",
    "unknown-engine": "`engine=` names no engine (use auto, duckdb or polars).",
    "invalid-as-of": "`as_of` is not a date like 2024-06-30.",
    "unsupported-output": "A result or dashboard is written to a file name whose extension "
    "it cannot be written as.",
    "broken-installation": "The package was installed without its data files (the built-in "
    "reports).",
}
