"""Reading and writing specs as YAML or JSON, with errors that name the line or the spec path.

YAML is read with a `SafeLoader` (no Python objects can be constructed from spec text) that
also refuses duplicate keys, which plain YAML would silently resolve to the last one.
"""

from __future__ import annotations

import json
import types
import typing
from pathlib import Path
from typing import Any, Literal, Self, TypeVar

import yaml
from pydantic import BaseModel, Discriminator, Tag, ValidationError

from crmreports.errors import (
    DataError,
    InvalidSpecError,
    Problem,
    SpecSyntaxError,
    format_names,
    show_value,
    suggest,
)
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
TextFormat = Literal["yaml", "json"]


class _StrictSafeLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys instead of keeping the last one."""


def _construct_mapping(loader: _StrictSafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping",
                node.start_mark,
                f"found duplicate key {key!r}",
                key_node.start_mark,
            )
        mapping[key] = loader.construct_object(value_node, deep=True)  # type: ignore[no-untyped-call]
    return mapping


_StrictSafeLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,  # type: ignore[arg-type]
)


def parse_text(text: str, fmt: TextFormat = "yaml", origin: str = "<string>") -> Any:
    """Parse spec text into plain data; a syntax error names the line and column."""
    if not text.strip():
        return None  # an empty file is reported as "got empty", the same for YAML and JSON
    if fmt == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecSyntaxError(
                [
                    Problem(
                        "syntax",
                        f"invalid JSON in {origin}: {exc.msg}",
                        path=f"line {exc.lineno}, column {exc.colno}",
                        hint="check the brackets, commas and quotes around that position",
                    )
                ]
            ) from None
    try:
        return yaml.load(text, Loader=_StrictSafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = exc.problem or "cannot parse"
        hint = "check the indentation and the ':' after each key near that position"
        if what.startswith("found duplicate key"):
            key = what.removeprefix("found duplicate key ").strip("'\"")
            hint = f"a key may appear once per mapping: keep one `{key}:` and remove the other"
        raise SpecSyntaxError(
            [Problem("syntax", f"invalid YAML in {origin}: {what}", path=where, hint=hint)]
        ) from None
    except yaml.YAMLError as exc:  # errors without a position
        raise SpecSyntaxError([Problem("syntax", f"invalid YAML in {origin}: {exc}")]) from None


def read_spec_file(path: str | Path) -> tuple[Any, str]:
    """Parse a .yaml/.yml/.json spec file into plain data; returns (data, origin)."""
    p = Path(path)
    if not p.is_file():
        raise DataError(f"spec file not found: {str(p)!r}")
    fmt: TextFormat = "json" if p.suffix.lower() == ".json" else "yaml"
    return parse_text(p.read_text(encoding="utf-8"), fmt, origin=str(p)), str(p)


def validate_spec(model: type[M], data: Any, origin: str = "<spec>") -> M:
    """Build `model` from plain data; every structural problem is reported at once, located."""
    if not isinstance(data, dict):
        kind = "empty" if data is None else type(data).__name__
        raise InvalidSpecError(
            [
                Problem(
                    "not-a-mapping",
                    f"a report spec must be a mapping of keys to values, got {kind} from {origin}",
                    hint="start with `name: my_report` and the keys listed in the spec reference",
                )
            ]
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        name = data.get("name") if isinstance(data.get("name"), str) else None
        problems = [problem_from_pydantic(model, data, err) for err in exc.errors()]
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


def dump_spec(model: BaseModel, fmt: TextFormat = "yaml") -> str:
    """Spec as YAML or JSON text that loads back into an equal model."""
    data = model.model_dump(mode="json", exclude_defaults=True, by_alias=True)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


# --- the authoring methods of a spec model ---------------------------------------------------


class SpecDocument(BaseModel):
    """The authoring methods `Report` and `Dashboard` share: from plain data, YAML or JSON text
    or a file, and back. `from_dict` is the one way in; each model says how it validates, and
    keyword `options` (a dashboard's `loader`) pass through to it."""

    @classmethod
    def from_dict(cls, data: Any, *, origin: str = "<dict>") -> Self:
        """Build from plain data; structural problems raise one located `SpecError`."""
        raise NotImplementedError  # each spec model validates its own way

    @classmethod
    def from_yaml(cls, text: str, *, origin: str = "<yaml>", **options: Any) -> Self:
        return cls.from_dict(parse_text(text, "yaml", origin), origin=origin, **options)

    @classmethod
    def from_json(cls, text: str, *, origin: str = "<json>", **options: Any) -> Self:
        return cls.from_dict(parse_text(text, "json", origin), origin=origin, **options)

    @classmethod
    def from_file(cls, path: str | Path, **options: Any) -> Self:
        """Load a .yaml, .yml or .json spec file."""
        data, origin = read_spec_file(path)
        return cls.from_dict(data, origin=origin, **options)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_defaults=True, by_alias=True)

    def to_yaml(self) -> str:
        return dump_spec(self, "yaml")

    def to_json(self) -> str:
        return dump_spec(self, "json")


# --- translating Pydantic's errors into located, actionable problems -------------------------


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


def problem_from_pydantic(model: type[BaseModel], data: Any, err: Any) -> Problem:
    loc = _clean_loc(tuple(err["loc"]))
    path = format_path(loc)
    kind: str = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
    parent = _lookup(data, loc[:-1]) if loc else None
    op = parent.get("op") if isinstance(parent, dict) else None

    if kind == "missing":
        key = loc[-1] if loc else "?"
        hint = f"add `{key}: ...`"
        if key == "field" and isinstance(parent, dict) and "agg" in parent:
            hint = f"`{parent['agg']}` aggregates a column: add `field: <column>`"
        return Problem("missing-key", f"missing required key {key!r}", path, hint=hint)
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = sorted(_allowed_keys(model, loc[:-1], data))
        return Problem(
            "unknown-key",
            f"unknown key {key!r}",
            path,
            checked_against=format_names(allowed, "keys") if allowed else None,
            suggestion=suggest(key, allowed),
            hint="remove it or correct its spelling",
        )
    if kind == "union_tag_invalid":
        tag = str(ctx.get("tag", value))
        expected = [t.strip(" '") for t in str(ctx.get("expected_tags", "")).split(",")]
        discriminator = str(ctx.get("discriminator", "")).strip("'")
        return Problem(
            "unknown-option",
            f"unknown {discriminator} {tag!r}",
            f"{path}.{discriminator}" if path else discriminator,
            checked_against=format_names(expected, f"{discriminator} values"),
            suggestion=suggest(tag, expected),
        )
    if kind == "union_tag_not_found":
        discriminator = str(ctx.get("discriminator", "")).strip("'")
        return Problem(
            "missing-key",
            f"missing required key {discriminator!r}",
            path,
            hint=f"add `{discriminator}: ...` to say which kind this is",
        )
    if kind == "unknown-measure":
        return _unknown_measure(value, path)
    if kind == "unknown-filter-op":
        given = value.get("op") if isinstance(value, dict) else None
        if given is None:
            return Problem(
                "missing-key",
                "a filter needs `op` (or `any_of: [...]` for an OR group)",
                path,
                hint="e.g. `{field: status, op: eq, value: won}`",
            )
        return Problem(
            "unknown-option",
            f"unknown filter op {show_value(given)}",
            f"{path}.op",
            checked_against=format_names(list(FILTER_OPS), "ops", limit=len(FILTER_OPS)),
            suggestion=OP_SYNONYMS.get(str(given).strip().lower())
            or suggest(str(given), FILTER_OPS),
        )
    if kind in {"literal_error", "enum"}:
        expected_text = str(ctx.get("expected", ""))
        expected = [t.strip(" '") for t in expected_text.replace(" or ", ", ").split(",") if t]
        return Problem(
            "unknown-option",
            f"{value!r} is not allowed here",
            path,
            checked_against=format_names(expected, "values"),
            suggestion=suggest(str(value), expected),
        )
    if kind == "list_type" and loc and loc[-1] == "value" and op in {"in", "not_in"}:
        return Problem(
            "expects-list",
            f"`{op}` needs a list of values, got {value!r}",
            path,
            hint=f"write `value: [{value}]`, or use `op: eq` for a single value",
        )
    if op == "between" and loc and loc[-1] == "value":
        return Problem(
            "between-bounds",
            f"`between` needs exactly two bounds [low, high], got {value!r}",
            path,
            hint="write `value: [low, high]`; both ends are included",
        )
    if kind == "expects-scalar":
        return Problem(
            "expects-scalar",
            f"`{op}` compares with one value, got {value!r}",
            path,
            hint="use `op: in` to match any of several values",
        )
    if kind == "string_pattern_mismatch":
        return Problem(
            "invalid-value",
            f"{value!r} is not a valid name",
            path,
            hint="use letters, digits and underscores, starting with a letter or underscore",
        )
    if kind in {"greater_than", "greater_than_equal"}:
        bound = ctx.get("gt", ctx.get("ge"))
        least = bound + 1 if kind == "greater_than" and isinstance(bound, int) else bound
        return Problem(
            "invalid-value",
            f"{show_value(value)} is too small for {loc[-1] if loc else 'this value'}",
            path,
            hint=f"use a number of at least {least}, or remove the key",
        )
    if kind == "too_short" and loc and loc[-1] == "value" and op in {"in", "not_in"}:
        return Problem(
            "expects-list",
            f"`{op}` needs at least one value, got an empty list",
            path,
            hint="list the values to match, e.g. `value: [won, open]`, or remove the filter",
        )
    if kind == "too_short":
        return Problem(
            "invalid-value",
            f"{loc[-1] if loc else 'this list'} is empty",
            path,
            hint=f"give at least {ctx.get('min_length', 1)} item(s), or remove the key",
        )
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        owner = (
            loc[-2]
            if loc and isinstance(loc[-1], int) and len(loc) >= 2
            else loc[-1]
            if loc
            else ""
        )
        what = _ITEM_NAMES.get(str(owner), "this entry")
        example = _ITEM_EXAMPLES.get(what, "")
        return Problem(
            "invalid-value",
            f"{what} must be a mapping of keys to values, got {show_value(value)}",
            path,
            hint=f"write it as {example}" if example else "write it as `{key: value, ...}`",
        )
    if kind in {"list_type"}:
        return Problem(
            "invalid-value",
            f"{loc[-1] if loc else 'this value'} must be a list, got {show_value(value)}",
            path,
            hint=f"write `{loc[-1] if loc else 'key'}: [...]`",
        )
    if kind in {"string_type", "bool_type", "int_type", "int_parsing", "bool_parsing"}:
        expected = {
            "string_type": "text",
            "bool_type": "true or false",
            "bool_parsing": "true or false",
        }.get(kind, "a whole number")
        return Problem(
            "invalid-value",
            f"{loc[-1] if loc else 'this value'} must be {expected}, got {show_value(value)}",
            path,
        )
    message = err["msg"][0].lower() + err["msg"][1:] if err["msg"] else kind
    return Problem(kind if kind == "invalid-value" else "invalid-value", message, path)


def _unknown_measure(value: Any, path: str) -> Problem:
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
        return Problem(
            "unknown-option",
            f"unknown agg {show_value(agg)}",
            f"{path}.agg",
            checked_against=format_names(list(AGGS), "agg values"),
            suggestion=suggest(str(agg), AGGS),
        )
    return Problem(
        "missing-key",
        "a measure needs `agg` (an aggregation), `formula` (over other measures) or `of` "
        "(a window over another measure)",
        path,
        hint="e.g. `{name: orders, agg: count}`",
    )


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
