"""Layers import only downward: spec < resolve < plan < execute < render < api < cli.

A lower layer importing a higher one (even inside a function) fails this test; so does the spec
layer importing a dataframe or charting library.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "crmreports"

LEVEL = {
    "errors": 0,
    "spec": 1,
    "datasets": 1,
    "resolve": 2,
    "plan": 3,
    "execute": 4,
    "render": 5,
    "report": 6,
    "result": 6,
    "cache": 6,
    "dashboard": 6,
    "sharing": 6,
    "builtin": 7,
    "demo": 7,
    "cli": 7,
    "cli_builtin": 7,
    "__init__": 7,
}
HEAVY = {"pandas", "narwhals", "altair", "duckdb", "polars", "pyarrow", "numpy"}


def _layer(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            names.append("crmreports." + _layer(path))  # relative: stays inside its layer
    return names


MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


def test_every_module_has_a_layer() -> None:
    assert {_layer(p) for p in MODULES} <= set(LEVEL)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down(path: Path) -> None:
    own = LEVEL[_layer(path)]
    for name in _imports(path):
        parts = name.split(".")
        if parts[0] != "crmreports" or len(parts) == 1:
            continue
        target = parts[1]
        assert LEVEL[target] <= own, (
            f"{path.name} (layer {own}) imports {name} (layer {LEVEL[target]})"
        )


@pytest.mark.parametrize("path", [p for p in MODULES if _layer(p) == "spec"], ids=lambda p: p.name)
def test_spec_layer_imports_no_data_libraries(path: Path) -> None:
    heavy = {n.split(".")[0] for n in _imports(path)} & HEAVY
    assert not heavy, f"{path.name} imports {heavy}"
