"""Every `DataError` carries a stable code (`err.code`), documented in docs/errors.md; each
code of `DATA_ERROR_CODES` is raised here, and the message stays the whole text."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import crmreports
from crmreports import DataError, Report, builtin, cli_builtin
from crmreports.errors import DATA_ERROR_CODES

ROOT = Path(__file__).resolve().parent.parent
SPEC = "name: r\ndimensions: [stage]\nmeasures: [{name: n, agg: count}]\n"


def frame() -> pd.DataFrame:
    return pd.DataFrame({"stage": ["won", "lost", "won"]})


def code_of(call: object) -> str:
    assert callable(call)
    with pytest.raises(DataError) as info:
        call()
    return info.value.code


def test_unusable_data_is_the_default_code() -> None:
    assert code_of(lambda: Report.from_yaml(SPEC).run([{"stage": "won"}])) == "unusable-data"


def test_missing_files(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    assert code_of(lambda: crmreports.load(missing)) == "file-not-found"
    assert code_of(lambda: crmreports.load_dashboard(missing)) == "file-not-found"
    assert code_of(lambda: cli_builtin._mapping(str(missing))) == "file-not-found"


@pytest.mark.parametrize(
    "text",
    ["columns: [a\n", "- columns\n", "colums: {}\n", "columns: 3\n"],
    ids=["not-yaml", "not-a-mapping", "unknown-key", "not-a-mapping-value"],
)
def test_bad_mapping_files(tmp_path: Path, text: str) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(text, encoding="utf-8")
    assert code_of(lambda: cli_builtin._mapping(str(path))) == "invalid-mapping-file"


def test_bad_run_arguments() -> None:
    report = Report.from_yaml(SPEC)
    assert code_of(lambda: report.run(frame(), engine="spark")) == "unknown-engine"
    with pytest.raises(DataError, match=r"^as_of must be a date like 2024-06-30") as info:
        report.run(frame(), as_of="yesterday")
    assert info.value.code == "invalid-as-of"


def test_unsupported_output(tmp_path: Path) -> None:
    result = Report.from_yaml(SPEC).run(frame())
    assert code_of(lambda: result.write(tmp_path / "out.docx")) == "unsupported-output"
    board = crmreports.Dashboard.from_dict({"title": "t", "items": [{"report": yaml_spec()}]})
    page = board.run(frame(), as_of="2024-06-30")
    with pytest.raises(DataError, match=r"^cannot write a dashboard to ") as info:
        page.write(tmp_path / "out.csv")
    assert info.value.code == "unsupported-output"


def yaml_spec() -> dict[str, object]:
    return Report.from_yaml(SPEC).to_dict()


def test_broken_installation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(builtin, "REPORTS", tmp_path)
    assert code_of(builtin.names) == "broken-installation"


def test_every_code_is_raised_by_this_file_and_documented() -> None:
    source = Path(__file__).read_text(encoding="utf-8")
    docs = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    for code in DATA_ERROR_CODES:
        assert f'"{code}"' in source, f"no test raises the DataError code {code!r}"
        assert f"| `{code}` |" in docs, f"docs/errors.md lacks {code!r}: run `make docs`"


def test_an_undocumented_code_is_refused() -> None:
    with pytest.raises(ValueError, match="undocumented DataError code 'nope'"):
        DataError("x", code="nope")
    assert str(DataError("the message", code="file-not-found")) == "the message"
