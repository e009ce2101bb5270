"""Layers import only downward: spec < resolve < plan < execute < render < result < report <
cache < sharing < dashboard < builtin < cli.

A lower layer importing a higher one (even inside a function, or only for type checking) fails
this test; so does the spec layer importing a dataframe or charting library, an import cycle
anywhere in the package, and a module reading a private name (`_x`) of another module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "crmreports"

# One level per module of the API floor, so two of them importing each other always fails
# here (one of the two imports points up): a result is made by a report, never the reverse.
LEVEL = {
    "errors": 0,
    "spec": 1,
    "datasets": 1,
    "resolve": 2,
    "plan": 3,
    "execute": 4,
    "render": 5,
    "result": 6,
    "report": 7,
    "cache": 8,
    "sharing": 9,
    "dashboard": 10,
    "builtin": 11,
    "demo": 12,
    "cli_builtin": 12,
    "cli": 13,
    "__init__": 14,
}
HEAVY = {"pandas", "narwhals", "altair", "duckdb", "polars", "pyarrow", "numpy"}
# Import cycles tolerated while other work removes them (none today); any other cycle fails.
KNOWN_CYCLES: list[set[str]] = []


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


# --- the module graph: cycles and private names ---------------------------------------------


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


NAMES = {_module_name(p): p for p in MODULES}


def _imported(path: Path) -> Iterator[tuple[str, str | None, str | None]]:
    """(module, name imported from it or None, local alias) for every import of a package
    module in `path`, relative ones resolved; `from pkg import sub` yields the submodule."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return _imports_of(tree, _module_name(path), path.name == "__init__.py")


def _imports_of(
    tree: ast.AST, module_name: str, package: bool
) -> Iterator[tuple[str, str | None, str | None]]:
    own = module_name.split(".")
    base = own if package else own[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name in NAMES:
                    yield a.name, None, a.asname
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                stem = base[: len(base) - (node.level - 1)]
                module = ".".join([*stem, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            for a in node.names:
                sub = f"{module}.{a.name}"
                if sub in NAMES:
                    yield sub, None, a.asname or a.name
                elif module in NAMES:
                    yield module, a.name, a.asname or a.name


def _graph() -> dict[str, set[str]]:
    return {name: {m for m, _, _ in _imported(path) if m != name} for name, path in NAMES.items()}


def _cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components with more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            step = next(edges, None)
            if step is not None:
                if step not in index:
                    index[step] = low[step] = len(index)
                    stack.append(step)
                    on_stack.add(step)
                    work.append((step, iter(sorted(graph[step]))))
                elif step in on_stack:
                    low[node] = min(low[node], index[step])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(component)
    return found


def test_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [{"a", "b", "c"}]


def test_no_import_cycles() -> None:
    cycles = [sorted(c) for c in _cycles(_graph()) if c not in KNOWN_CYCLES]
    assert not cycles, f"modules importing each other (through any path): {cycles}"


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _defined_private_names(path: Path) -> set[str]:
    """Private names a module defines: top-level functions, classes and variables, and
    attributes its classes set on `self` or declare in the class body."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
    return {n for n in names if _private(n)}


DEFINED = {name: _defined_private_names(path) for name, path in NAMES.items()}
OTHERS_PRIVATE = {
    name: set().union(*(d for other, d in DEFINED.items() if other != name)) - DEFINED[name]
    for name in NAMES
}


def _reach_ins(source: str, own: str, package: bool = False) -> list[str]:
    """Reads of other modules' private names in `source` (the module `own`): `from x import
    _y`, `x._y` for a module `x`, and `obj._y` where only another module defines `_y` (a
    result's `_executed` read by the dashboard)."""
    tree = ast.parse(source)
    imported = list(_imports_of(tree, own, package))
    modules = {alias: m for m, name, alias in imported if name is None and alias}
    found = [f"from {m} import {name}" for m, name, _ in imported if name and _private(name)]
    others = OTHERS_PRIVATE.get(own, set().union(*DEFINED.values()))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or not _private(node.attr):
            continue
        owner = node.value.id if isinstance(node.value, ast.Name) else None
        if owner in modules:
            found.append(f"{ast.unparse(node)} (module {modules[owner]})")
        elif node.attr in others and owner not in {"self", "cls"}:
            found.append(f"{ast.unparse(node)} (line {node.lineno})")
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_reads_another_modules_private_names(path: Path) -> None:
    """Code behind a private name may change freely: reach for a public one instead."""
    own = _module_name(path)
    found = _reach_ins(path.read_text(encoding="utf-8"), own, path.name == "__init__.py")
    assert not found, f"{own} reads private names of other modules: {found}"


def test_private_name_check_sees_each_kind_of_reach_in() -> None:
    source = (
        "import crmreports.report as rep\n"
        "from crmreports.report import _MISSING_DATA\n"
        "def rows(result):\n"
        "    return rep._execute, result._executed.table\n"
    )
    assert _reach_ins(source, "crmreports.elsewhere") == [
        "from crmreports.report import _MISSING_DATA",
        "rep._execute (module crmreports.report)",
        "result._executed (line 4)",
    ]
