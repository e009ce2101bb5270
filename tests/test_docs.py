"""Docs are tests: every Python block in the README and docs runs; generated docs are current."""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC_FILES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
SHARED_DATA = ROOT.parent / "shared" / "data"
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def _python_blocks(path: Path) -> list[str]:
    return PYTHON_BLOCK.findall(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "path",
    [p for p in DOC_FILES if _python_blocks(p)],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_python_blocks_run(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Blocks of one file share a namespace, like a reader going down the page; files they write
    # land in a temporary folder.
    text = path.read_text(encoding="utf-8")
    if "CRMREPORTS_DATA" in text:  # a page over the real datasets beside the project
        if not SHARED_DATA.is_dir():
            pytest.skip(f"{SHARED_DATA} is absent (it is not part of the repository)")
        monkeypatch.setenv("CRMREPORTS_DATA", str(SHARED_DATA))
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": f"docs:{path.name}"}
    for number, block in enumerate(_python_blocks(path), 1):
        code = compile(block, f"{path.name} block {number}", "exec")
        exec(code, namespace)


def test_readme_example_writes_a_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(_python_blocks(ROOT / "README.md")[0], namespace)
    page = (tmp_path / "revenue.html").read_text(encoding="utf-8")
    assert "Revenue by month and channel" in page
    assert "vegaEmbed" in page
    assert len(namespace["result"]) == 96  # type: ignore[arg-type]  # 24 months x 4 channels


def _generator():  # tools/ is not a package: load the script by path
    spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "tools" / "gen_docs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["reference.md", "errors.md", "language.md", "data-model.md"])
def test_generated_docs_are_current(name: str) -> None:
    expected = _generator().GENERATED[name]()
    actual = (ROOT / "docs" / name).read_text(encoding="utf-8")
    assert actual == expected, f"docs/{name} is stale: run `make docs`"


def test_every_error_code_is_documented() -> None:
    from crmreports.errors import ERROR_CODES

    text = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    for code in ERROR_CODES:
        assert f"`{code}`" in text


@pytest.mark.parametrize("module", ["crmreports", "crmreports.errors", "crmreports.render.formats"])
def test_doctests(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module), verbose=False)
    assert result.attempted > 0
    assert result.failed == 0


def test_how_it_works_shows_the_real_plan() -> None:
    """The explain() listing printed in docs/how-it-works.md is what the code prints."""
    text = (ROOT / "docs" / "how-it-works.md").read_text(encoding="utf-8")
    namespace: dict[str, object] = {}
    blocks = _python_blocks(ROOT / "docs" / "how-it-works.md")
    exec(blocks[0], namespace)
    exec(blocks[1].replace("print(report.explain(orders))", ""), namespace)
    plan = namespace["report"].explain(namespace["orders"])  # type: ignore[attr-defined]
    assert f"```text\n{plan}\n```" in text


def _gallery():  # tools/ is not a package: load the script by path
    spec = importlib.util.spec_from_file_location("gen_gallery", ROOT / "tools" / "gen_gallery.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gallery_pages_are_current() -> None:
    gallery = _gallery()
    for name, text in gallery.pages().items():
        path = ROOT / "docs" / "gallery" / name
        assert path.is_file(), f"docs/gallery/{name} is missing: run `make gallery`"
        assert path.read_text(encoding="utf-8") == text, (
            f"docs/gallery/{name} is stale: `make gallery`"
        )


def test_every_gallery_picture_exists() -> None:
    from crmreports import builtin

    gallery = _gallery()
    for name in builtin.names():
        for view in filter(lambda v: gallery.pictured(name, v), builtin.views(name)):
            picture = ROOT / "docs" / "gallery" / "img" / gallery.image_name(name, view)
            assert picture.is_file(), f"{picture.name} is missing: run `make gallery`"
