"""Pydantic's validation errors as located, actionable problems: one small handler per error
type, shared by every spec model that is read from plain data (reports and dashboards).

`validate_model` builds a model from plain data and raises one `InvalidSpecError` with every
problem. Each Pydantic error is read into an `Issue` (its location cleaned of union tags and
formatted as a spec path); a model's own `rules` are tried first, then the handler of the
error's type, and a generic message last.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from pydantic import BaseModel, Discriminator, Tag, ValidationError

from crmreports.errors import InvalidSpecError, Problem, show_value, unknown_name
from crmreports.spec.filters import FILTER_OPS, FILTER_TAGS
from crmreports.spec.measure import AGGS, MEASURE_TAGS, WINDOW_KEYS
from crmreports.spec.visual import VISUAL_KINDS

M = TypeVar("M", bound=BaseModel)

# Spellings of filter ops from SQL, MongoDB, Django and spreadsheets. A fuzzy match alone would
# answer `gte` with `gt`, silently changing >= into >.
OP_SYNONYMS = {
    **dict.fromkeys(["=", "==", "equals", "equal", "is", "eq_"], "eq"),
    **dict.fromkeys(["!=", "<>", "neq", "not_eq", "not_equal", "not_equals"], "ne"),
    **dict.fromkeys(["<", "less", "less_than", "lower_than"], "lt"),
    **dict.fromkeys(["<=", "lte", "less_equal", "le_"], "le"),
    **dict.fromkeys([">", "greater", "greater_than", "more_than"], "gt"),
    **dict.fromkeys([">=", "gte", "greater_equal", "ge_"], "ge"),
    **dict.fromkeys(["nin", "not in", "notin", "exclude", "excludes"], "not_in"),
    **dict.fromkeys(["any", "one_of", "isin", "is_in", "include", "includes"], "in"),
    **dict.fromkeys(["isnull", "null", "is null", "missing"], "is_null"),
    **dict.fromkeys(["notnull", "not null", "is_not_null", "exists", "present"], "not_null"),
    **dict.fromkeys(["like", "ilike", "icontains", "has", "includes_text"], "contains"),
    **dict.fromkeys(["range", "from_to", "within"], "between"),
}


def validate_model(
    model: type[M],
    data: Any,
    origin: str,
    *,
    what: str,
    start: str,
    rules: Sequence[Handler] = (),
    strip: Callable[[tuple[int | str, ...]], tuple[int | str, ...]] = lambda loc: loc,
    named: bool = False,
) -> M:
    """Build `model` from plain data; every structural problem is reported at once, located.

    `what` names the spec in the message for data that is not a mapping, `start` is the hint
    there; `rules` are the model's own handlers, tried before the shared ones; `strip` drops
    the model's own union tags from locations; with `named`, the error names the spec by its
    `name` key.
    """
    if not isinstance(data, dict):
        kind = "empty" if data is None else type(data).__name__
        raise InvalidSpecError(
            [
                Problem(
                    "not-a-mapping",
                    f"a {what} spec must be a mapping of keys to values, got {kind} from {origin}",
                    hint=start,
                )
            ]
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        name = data.get("name") if named and isinstance(data.get("name"), str) else None
        problems = [problem_from_pydantic(model, data, err, rules, strip) for err in exc.errors()]
        raise InvalidSpecError(merge_typos(problems), report=name) from None


def merge_typos(problems: list[Problem]) -> list[Problem]:
    """`feild: x` gives "missing field" and "unknown key feild (did you mean field?)": one
    mistake, so only the second, more useful problem is kept."""
    typo_fixes = {
        (p.path.rsplit(".", 1)[0], p.suggestion)
        for p in problems
        if p.code == "unknown-key" and p.suggestion
    }
    return [
        p
        for p in problems
        if not (p.code == "missing-key" and tuple(p.path.rsplit(".", 1)) in typo_fixes)
    ]


@dataclass(frozen=True)
class Issue:
    """One Pydantic error, read: where it is in the spec and what was written there."""

    model: type[BaseModel]
    data: Any  # the whole spec as given
    loc: list[int | str]  # cleaned of union tags
    path: str  # `loc` as a spec path: measures[1].field
    kind: str  # Pydantic's error type (or our custom one)
    ctx: Mapping[str, Any]
    value: Any  # what was written at `loc`
    parent: Any  # the mapping holding it, if any
    message: str  # Pydantic's own message, the last resort

    @classmethod
    def read(
        cls,
        model: type[BaseModel],
        data: Any,
        err: Mapping[str, Any],
        strip: Callable[[tuple[int | str, ...]], tuple[int | str, ...]],
    ) -> Issue:
        loc = _clean_loc(strip(tuple(err["loc"])))
        return cls(
            model=model,
            data=data,
            loc=loc,
            path=format_path(loc),
            kind=str(err["type"]),
            ctx=err.get("ctx") or {},
            value=err.get("input"),
            parent=_lookup(data, loc[:-1]) if loc else None,
            message=str(err.get("msg") or ""),
        )

    @property
    def op(self) -> Any:
        """The filter op beside the value in error, when it is inside a filter."""
        return self.parent.get("op") if isinstance(self.parent, dict) else None

    @property
    def key(self) -> str:
        """The last key of the location, for messages."""
        return str(self.loc[-1]) if self.loc else "this value"


Handler = Callable[[Issue], Problem | None]


def problem_from_pydantic(
    model: type[BaseModel],
    data: Any,
    err: Mapping[str, Any],
    rules: Sequence[Handler] = (),
    strip: Callable[[tuple[int | str, ...]], tuple[int | str, ...]] = lambda loc: loc,
) -> Problem:
    """The located problem for one Pydantic error (`ValidationError.errors()` item)."""
    issue = Issue.read(model, data, err, strip)
    # Order matters: a filter's value is judged by its op before by its type (`between` with
    # three bounds is a `between` problem, not a too-long list).
    handlers = (*rules, _FIRST.get(issue.kind), _filter_value, _BY_KIND.get(issue.kind))
    for handler in handlers:
        if handler is not None and (problem := handler(issue)) is not None:
            return problem
    return _generic(issue)


# --- one handler per error type -----------------------------------------------------------------


def _missing(e: Issue) -> Problem:
    key = e.loc[-1] if e.loc else "?"
    hint = f"add `{key}: ...`"
    if key == "field" and isinstance(e.parent, dict) and "agg" in e.parent:
        hint = f"`{e.parent['agg']}` aggregates a column: add `field: <column>`"
    return Problem("missing-key", f"missing required key {key!r}", e.path, hint=hint)


def _unknown_key(e: Issue) -> Problem:
    key = str(e.loc[-1])
    allowed = sorted(_allowed_keys(e.model, e.loc[:-1], e.data))
    problem = unknown_name(
        "unknown-key",
        f"unknown key {key!r}",
        e.path,
        key,
        allowed,
        "keys",
        hint="remove it or correct its spelling",
    )
    # Keys that cannot be told (a union that did not resolve) are not "no keys available".
    return problem if allowed else replace(problem, checked_against=None)


def _unknown_tag(e: Issue) -> Problem:
    tag = str(e.ctx.get("tag", e.value))
    expected = [t.strip(" '") for t in str(e.ctx.get("expected_tags", "")).split(",")]
    discriminator = str(e.ctx.get("discriminator", "")).strip("'")
    return unknown_name(
        "unknown-option",
        f"unknown {discriminator} {tag!r}",
        f"{e.path}.{discriminator}" if e.path else discriminator,
        tag,
        expected,
        f"{discriminator} values",
    )


def _missing_tag(e: Issue) -> Problem:
    discriminator = str(e.ctx.get("discriminator", "")).strip("'")
    return Problem(
        "missing-key",
        f"missing required key {discriminator!r}",
        e.path,
        hint=f"add `{discriminator}: ...` to say which kind this is",
    )


def _unknown_measure(e: Issue) -> Problem:
    value, path = e.value, e.path
    if not isinstance(value, dict):
        return Problem(
            "invalid-value",
            f"each measure must be a mapping of keys to values, got {show_value(value)}",
            path,
            hint="write it as `{name: orders, agg: count}`",
        )
    if "of" in value:
        present = [k for k in WINDOW_KEYS if k in value]
        if present:
            return Problem(
                "invalid-value",
                f"a window measure takes one of {', '.join(WINDOW_KEYS)}, got "
                + " and ".join(present),
                path,
                hint="split it into one measure per window",
            )
        return Problem(
            "missing-key",
            "a measure with `of` needs one of " + ", ".join(WINDOW_KEYS),
            path,
            hint="e.g. `{name: revenue_ytd, of: revenue, running: {reset: year}}`",
        )
    if "agg" in value:
        agg = value["agg"]
        return unknown_name(
            "unknown-option",
            f"unknown agg {show_value(agg)}",
            f"{path}.agg",
            str(agg),
            list(AGGS),
            "agg values",
        )
    return Problem(
        "missing-key",
        "a measure needs `agg` (an aggregation), `formula` (over other measures) or `of` "
        "(a window over another measure)",
        path,
        hint="e.g. `{name: orders, agg: count}`",
    )


def _unknown_filter_op(e: Issue) -> Problem:
    given = e.value.get("op") if isinstance(e.value, dict) else None
    if given is None:
        return Problem(
            "missing-key",
            "a filter needs `op` (or `any_of: [...]` for an OR group)",
            e.path,
            hint="e.g. `{field: status, op: eq, value: won}`",
        )
    return unknown_name(
        "unknown-option",
        f"unknown filter op {show_value(given)}",
        f"{e.path}.op",
        str(given),
        list(FILTER_OPS),
        "ops",
        limit=len(FILTER_OPS),
        suggestion=OP_SYNONYMS.get(str(given).strip().lower()),
    )


def _not_allowed(e: Issue) -> Problem:
    expected_text = str(e.ctx.get("expected", ""))
    expected = [t.strip(" '") for t in expected_text.replace(" or ", ", ").split(",") if t]
    return unknown_name(
        "unknown-option", f"{e.value!r} is not allowed here", e.path, str(e.value), expected,
        "values",
    )  # fmt: skip


def _filter_value(e: Issue) -> Problem | None:
    """A filter's `value` that does not fit its op (any error type but the ones above)."""
    if not e.loc or e.loc[-1] != "value":
        return None
    if e.op in {"in", "not_in"} and e.kind == "list_type":
        return Problem(
            "expects-list",
            f"`{e.op}` needs a list of values, got {e.value!r}",
            e.path,
            hint=f"write `value: [{e.value}]`, or use `op: eq` for a single value",
        )
    if e.op == "between":
        return Problem(
            "between-bounds",
            f"`between` needs exactly two bounds [low, high], got {e.value!r}",
            e.path,
            hint="write `value: [low, high]`; both ends are included",
        )
    if e.op in {"in", "not_in"} and e.kind == "too_short":
        return Problem(
            "expects-list",
            f"`{e.op}` needs at least one value, got an empty list",
            e.path,
            hint="list the values to match, e.g. `value: [won, open]`, or remove the filter",
        )
    return None


def _expects_scalar(e: Issue) -> Problem:
    return Problem(
        "expects-scalar",
        f"`{e.op}` compares with one value, got {e.value!r}",
        e.path,
        hint="use `op: in` to match any of several values",
    )


def _bad_name(e: Issue) -> Problem:
    return Problem(
        "invalid-value",
        f"{e.value!r} is not a valid name",
        e.path,
        hint="use letters, digits and underscores, starting with a letter or underscore",
    )


def _too_small(e: Issue) -> Problem:
    bound = e.ctx.get("gt", e.ctx.get("ge"))
    least = bound + 1 if e.kind == "greater_than" and isinstance(bound, int) else bound
    return Problem(
        "invalid-value",
        f"{show_value(e.value)} is too small for {e.key}",
        e.path,
        hint=f"use a number of at least {least}, or remove the key",
    )


def _too_short(e: Issue) -> Problem:
    return Problem(
        "invalid-value",
        f"{e.loc[-1] if e.loc else 'this list'} is empty",
        e.path,
        hint=f"give at least {e.ctx.get('min_length', 1)} item(s), or remove the key",
    )


def _not_a_mapping(e: Issue) -> Problem:
    loc = e.loc
    if loc and isinstance(loc[-1], int) and len(loc) >= 2:
        owner = loc[-2]  # an item of a list: named after the list
    else:
        owner = loc[-1] if loc else ""
    what = _ITEM_NAMES.get(str(owner), "this entry")
    example = _ITEM_EXAMPLES.get(what, "")
    return Problem(
        "invalid-value",
        f"{what} must be a mapping of keys to values, got {show_value(e.value)}",
        e.path,
        hint=f"write it as {example}" if example else "write it as `{key: value, ...}`",
    )


def _not_a_list(e: Issue) -> Problem:
    return Problem(
        "invalid-value",
        f"{e.key} must be a list, got {show_value(e.value)}",
        e.path,
        hint=f"write `{e.loc[-1] if e.loc else 'key'}: [...]`",
    )


_SCALAR_KINDS = {"string_type": "text", "bool_type": "true or false",
                 "bool_parsing": "true or false"}  # fmt: skip


def _wrong_scalar(e: Issue) -> Problem:
    expected = _SCALAR_KINDS.get(e.kind, "a whole number")
    return Problem(
        "invalid-value", f"{e.key} must be {expected}, got {show_value(e.value)}", e.path
    )


def _generic(e: Issue) -> Problem:
    message = e.message[0].lower() + e.message[1:] if e.message else e.kind
    return Problem("invalid-value", message, e.path)


# Tried before a filter's value is judged by its op.
_FIRST: dict[str, Handler] = {
    "missing": _missing,
    "extra_forbidden": _unknown_key,
    "union_tag_invalid": _unknown_tag,
    "union_tag_not_found": _missing_tag,
    "unknown-measure": _unknown_measure,  # our discriminators' custom error types
    "unknown-filter-op": _unknown_filter_op,
    "literal_error": _not_allowed,
    "enum": _not_allowed,
}
_BY_KIND: dict[str, Handler] = {
    "expects-scalar": _expects_scalar,
    "string_pattern_mismatch": _bad_name,
    "greater_than": _too_small,
    "greater_than_equal": _too_small,
    "too_short": _too_short,
    "model_type": _not_a_mapping,
    "model_attributes_type": _not_a_mapping,
    "dict_type": _not_a_mapping,
    "list_type": _not_a_list,
    **dict.fromkeys(
        ["string_type", "bool_type", "int_type", "int_parsing", "bool_parsing"], _wrong_scalar
    ),
}


# --- locations ----------------------------------------------------------------------------------


# Lists whose items are tagged unions: Pydantic puts the tag after the index in error locations.
_UNION_LISTS = {"measures": MEASURE_TAGS, "filters": FILTER_TAGS, "any_of": FILTER_TAGS,
                "having": FILTER_TAGS, "filter": FILTER_TAGS}  # fmt: skip
_KIND_TAGS = VISUAL_KINDS


def _clean_loc(loc: tuple[int | str, ...]) -> list[int | str]:
    """Drop the union tags Pydantic inserts into locations (`measures.0.field.field`)."""
    out: list[int | str] = []
    for i, part in enumerate(loc):
        after_index = i >= 2 and isinstance(loc[i - 1], int)
        if after_index and part in _UNION_LISTS.get(str(loc[i - 2]), ()):
            continue
        if isinstance(part, str) and i >= 1 and loc[i - 1] == "visual" and part in _KIND_TAGS:
            continue
        out.append(part)
    return out


def format_path(loc: list[int | str]) -> str:
    """`['measures', 1, 'field']` -> `measures[1].field`."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _lookup(data: Any, loc: list[int | str]) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


_ITEM_NAMES = {
    "measures": "each measure",
    "dimensions": "each dimension",
    "filters": "each filter",
    "sort": "each sort key",
    "any_of": "each filter",
    "visual": "the visual",
}
_ITEM_EXAMPLES = {
    "each measure": "`{name: orders, agg: count}`",
    "each dimension": "`{field: channel}` or just `channel`",
    "each filter": "`{field: status, op: eq, value: won}`",
    "each sort key": "`{field: revenue, desc: true}` or just `revenue`",
    "the visual": "`{kind: bar, x: channel, y: revenue}`",
}


def _allowed_keys(model: type[BaseModel], loc: list[int | str], data: Any) -> set[str]:
    """The keys the model allows at `loc`, following lists and tagged unions through the data."""
    current: Any = model
    for i, part in enumerate(loc):
        current = _pick_variant(current, _lookup(data, loc[:i]))
        if isinstance(part, int):
            current = _list_item(current)
        elif isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part)
            if field is None:
                return set()
            current = field.annotation
        else:
            return set()
    current = _pick_variant(current, _lookup(data, loc))
    if isinstance(current, type) and issubclass(current, BaseModel):
        return set(current.model_fields)
    return set()


def _unwrap(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _list_item(tp: Any) -> Any:
    tp = _unwrap(tp)
    if typing.get_origin(tp) is list:
        return typing.get_args(tp)[0]
    return tp


def _pick_variant(tp: Any, value: Any) -> Any:
    """For a union, the member model matching `value`, found with the union's own
    discriminator (a `Tag` per member) or by the member's literal `agg`/`op`/`kind`."""
    discriminator = None
    if typing.get_origin(tp) is typing.Annotated:
        for meta in tp.__metadata__:
            if isinstance(meta, Discriminator) and callable(meta.discriminator):
                discriminator = meta.discriminator
    tp = _unwrap(tp)
    origin = typing.get_origin(tp)
    if origin is not typing.Union and origin is not types.UnionType:
        return tp
    raw = [m for m in typing.get_args(tp) if m is not type(None)]
    if len(raw) == 1:  # `X | None` around an annotated union (the visual): look inside
        return _pick_variant(raw[0], value)
    if discriminator is not None and isinstance(value, dict):
        tag = discriminator(value)
        for member in raw:
            tags = [m for m in getattr(member, "__metadata__", ()) if isinstance(m, Tag)]
            if tags and tags[0].tag == tag:
                return _unwrap(member)
    models = [m for m in map(_unwrap, raw) if isinstance(m, type) and issubclass(m, BaseModel)]
    if len(models) == 1:
        return models[0]
    if isinstance(value, dict):
        for m in models:
            for key in ("agg", "op", "kind"):
                field = m.model_fields.get(key)
                if field is not None and value.get(key) in typing.get_args(field.annotation):
                    return m
    return tp
