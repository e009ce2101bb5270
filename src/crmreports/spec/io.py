"""Reading and writing specs as YAML or JSON, with errors that name the line or the spec path.

Reading only: how Pydantic's validation errors become located problems is
`crmreports.spec.pydantic_errors`.

YAML is read with a `SafeLoader` (no Python objects can be constructed from spec text) that
also refuses duplicate keys, which plain YAML would silently resolve to the last one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal, Self, TypeVar

import yaml
from pydantic import BaseModel

from crmreports.errors import DataError, Problem, SpecSyntaxError
from crmreports.spec.pydantic_errors import validate_model

M = TypeVar("M", bound=BaseModel)

TextFormat = Literal["yaml", "json"]


class _StrictSafeLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys instead of keeping the last one."""


def _construct_mapping(loader: _StrictSafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call,unused-ignore]
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping",
                node.start_mark,
                f"found duplicate key {key!r}",
                key_node.start_mark,
            )
        mapping[key] = loader.construct_object(value_node, deep=True)  # type: ignore[no-untyped-call,unused-ignore]
    return mapping


_StrictSafeLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,  # type: ignore[arg-type,unused-ignore]
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
        raise DataError(f"spec file not found: {str(p)!r}", code="file-not-found")
    fmt: TextFormat = "json" if p.suffix.lower() == ".json" else "yaml"
    return parse_text(p.read_text(encoding="utf-8"), fmt, origin=str(p)), str(p)


def validate_spec(model: type[M], data: Any, origin: str = "<spec>") -> M:
    """Build a report `model` from plain data; every structural problem is reported at once,
    located (`measures[1].agg`)."""
    return validate_model(
        model,
        data,
        origin,
        what="report",
        start="start with `name: my_report` and the keys listed in the spec reference",
        named=True,
    )


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
