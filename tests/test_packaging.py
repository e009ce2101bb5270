"""What users install carries every file the package reads (the wheel once shipped without the
built-in reports, and the editable install of the test suite hid it).

The full check, a built wheel and sdist installed in clean virtual environments, is
`tools/check_dist.py` (run by `.ci/run`); these tests catch the same class of mistake fast.
"""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path, PurePosixPath

import pytest

from crmreports import builtin
from crmreports.errors import DataError

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "crmreports"


def _package_data_patterns() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return list(config["tool"]["setuptools"]["package-data"]["crmreports"])


def _matches(path: PurePosixPath, pattern: str) -> bool:
    """setuptools' glob rule: `*` matches inside one folder, never across a slash."""
    parts = pattern.split("/")
    return len(parts) == len(path.parts) and all(
        fnmatch.fnmatchcase(p, q) for p, q in zip(path.parts, parts, strict=True)
    )


def _data_files() -> list[PurePosixPath]:
    return sorted(
        PurePosixPath(p.relative_to(PACKAGE).as_posix())
        for p in PACKAGE.rglob("*")
        if p.is_file() and p.suffix not in {".py", ".pyc"} and "__pycache__" not in p.parts
    )


def test_every_data_file_of_the_package_is_declared_package_data() -> None:
    patterns = _package_data_patterns()
    files = _data_files()
    # The catalog must be among them, or this test would pass on a tree that lost it.
    assert any(f.match("builtin/reports/*/*/main.yaml") for f in files)
    assert any(f.match("builtin/reports/*/*/about.md") for f in files)
    assert any(f.match("builtin/dashboards/*.yaml") for f in files)
    undeclared = [str(f) for f in files if not any(_matches(f, p) for p in patterns)]
    assert undeclared == [], f"add these to [tool.setuptools.package-data]: {undeclared}"


def test_matches_follows_setuptools_globs() -> None:
    assert _matches(PurePosixPath("builtin/dashboards/sales.yaml"), "builtin/dashboards/*.yaml")
    assert not _matches(
        PurePosixPath("builtin/dashboards/x/sales.yaml"), "builtin/dashboards/*.yaml"
    )
    assert not _matches(PurePosixPath("examples/a.yml"), "examples/*.yaml")


@pytest.mark.parametrize(
    ("attribute", "call"),
    [("REPORTS", builtin.names), ("DASHBOARDS", builtin.dashboard_names)],
)
def test_a_missing_catalog_is_an_error_not_an_empty_list(
    attribute: str, call: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(builtin, attribute, tmp_path)
    with pytest.raises(DataError, match="missing from this installation"):
        call()  # type: ignore[operator]


def test_the_cli_reports_a_missing_catalog_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from crmreports.cli import main

    monkeypatch.setattr(builtin, "REPORTS", tmp_path)
    assert main(["builtin", "list"]) == 1
    err = capsys.readouterr().err
    assert "missing from this installation" in err
    assert "Traceback" not in err
