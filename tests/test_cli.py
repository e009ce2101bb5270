"""The `crmreports` command: the same bad specs as test_errors.py, seen through the CLI.

Exit codes: 0 success, 1 a spec or data problem (one "error: ..." message on stderr, never a
traceback), 2 wrong usage. Expected values are written by hand.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import crmreports
from crmreports.cli import main

# --- data files ----------------------------------------------------------------------------------


def located(path: str, message: str) -> bool:
    """The message's `at:` line points at `path` (after "report 'x' ->" for one problem)."""
    return re.search(rf"  at: (report '[^']*' -> )?{re.escape(path)}\n", message + "\n") is not None


def _deals() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "stage": ["won", "lost", "won", "open"],
            "amount": [100.5, 20.0, 50.0, 10.0],
            "owner": ["ann", "bob", "ann", "cy"],
            "close_date": [
                dt.date(2024, 1, 5),
                dt.date(2024, 2, 1),
                dt.date(2024, 3, 3),
                dt.date(2024, 3, 9),
            ],
            "created_at": pd.to_datetime(
                ["2024-01-01 10:00", "2024-01-02 11:30", "2024-01-03 09:00", "2024-01-04 08:15"]
            ),
            "deal_id": [1, 2, 3, 4],
        }
    )


@pytest.fixture
def deals_csv(tmp_path: Path) -> Path:
    path = tmp_path / "deals.csv"
    _deals().to_csv(path, index=False)
    return path


@pytest.fixture
def owners_parquet(tmp_path: Path) -> Path:
    path = tmp_path / "owners.parquet"
    pd.DataFrame({"owner": ["ann", "bob", "cy"], "team": ["east", "west", "east"]}).to_parquet(
        path, index=False
    )
    return path


def _write(tmp_path: Path, text: str, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _no_traceback(text: str) -> None:
    assert "Traceback" not in text
    assert 'File "' not in text


# --- bad specs through the CLI -------------------------------------------------------------------


@dataclass(frozen=True)
class CliCase:
    id: str
    spec: str
    error: str  # the class name the CLI prints after "error: "
    codes: tuple[str, ...]
    paths: tuple[str, ...]
    fragments: tuple[str, ...] = ()
    suffix: str = ".yaml"
    named: bool = False  # --data deals=... --data owners=... instead of one --data


COUNT = "measures: [{name: n, agg: count}]\n"

CLI_CASES = [
    CliCase(
        "unknown-column-in-dimension",
        "name: r\ndimensions: [stag]\n" + COUNT,
        "UnknownFieldError",
        ("unknown-column",),
        ("dimensions[0].field",),
        ("did you mean: 'stage'?",),
    ),
    CliCase(
        "unknown-column-in-measure",
        "name: r\nmeasures:\n  - {name: n, agg: count}\n  - {name: a, agg: sum, field: amount}\n"
        "  - {name: t, agg: sum, field: amont}\n",
        "UnknownFieldError",
        ("unknown-column",),
        ("measures[2].field",),
        (
            "did you mean: 'amount'?",
            "available columns (6): stage, amount, owner, close_date, created_at, deal_id",
        ),
    ),
    CliCase(
        "unknown-column-in-filter",
        "name: r\n" + COUNT + "filters: [{field: stge, op: eq, value: won}]\n",
        "UnknownFieldError",
        ("unknown-column",),
        ("filters[0].field",),
        ("did you mean: 'stage'?",),
    ),
    CliCase(
        "unknown-source",
        "name: r\nsource: deels\n" + COUNT,
        "UnknownSourceError",
        ("unknown-source",),
        ("source",),
        ("did you mean: 'deals'?", "available sources (2): deals, owners"),
        named=True,
    ),
    CliCase(
        "unknown-measure-in-sort",
        "name: r\ndimensions: [stage]\nmeasures: [{name: revenue, agg: sum, field: amount}]\n"
        "sort: [{field: revenu, desc: true}]\n",
        "UnknownNameError",
        ("unknown-name",),
        ("sort[0].field",),
        ("did you mean: 'revenue'?",),
    ),
    CliCase(
        "sum-of-text",
        "name: r\nmeasures: [{name: s, agg: sum, field: owner}]\n",
        "TypeMismatchError",
        ("not-numeric",),
        ("measures[0].field",),
        ("`sum` needs a numeric column, but 'owner' is string", "numeric columns: amount, deal_id"),
    ),
    CliCase(
        "median-of-text",
        "name: r\nmeasures: [{name: s, agg: median, field: stage}]\n",
        "TypeMismatchError",
        ("not-numeric",),
        ("measures[0].field",),
    ),
    CliCase(
        "grain-on-text-column",
        "name: r\ndimensions: [{field: owner, grain: month}]\n" + COUNT,
        "TypeMismatchError",
        ("not-temporal",),
        ("dimensions[0].grain",),
    ),
    CliCase(
        "in-with-a-scalar",
        "name: r\n" + COUNT + "filters: [{field: stage, op: in, value: won}]\n",
        "InvalidSpecError",
        ("expects-list",),
        ("filters[0].value",),
    ),
    CliCase(
        "between-with-one-bound",
        "name: r\n" + COUNT + "filters: [{field: amount, op: between, value: [1]}]\n",
        "InvalidSpecError",
        ("between-bounds",),
        ("filters[0].value",),
    ),
    CliCase(
        "eq-with-a-list",
        "name: r\n" + COUNT + "filters: [{field: stage, op: eq, value: [won, lost]}]\n",
        "InvalidSpecError",
        ("expects-scalar",),
        ("filters[0].value",),
    ),
    CliCase(
        "unknown-op-in-any-of",
        "name: r\n" + COUNT + "filters:\n  - {field: stage, op: eq, value: won}\n"
        "  - any_of: [{field: amount, op: betwen, value: [1, 2]}]\n",
        "InvalidSpecError",
        ("unknown-option",),
        ("filters[1].any_of[0].op",),
        ("did you mean: 'between'?",),
    ),
    CliCase(
        "unknown-agg",
        "name: r\nmeasures: [{name: n, agg: summ, field: amount}]\n",
        "InvalidSpecError",
        ("unknown-option",),
        ("measures[0].agg",),
        ("did you mean: 'sum'?",),
    ),
    CliCase(
        "unknown-key-typo",
        "name: r\nmeasures: [{name: n, agg: sum, feild: amount}]\n",
        "InvalidSpecError",
        ("unknown-key",),
        ("measures[0].feild",),
        ("did you mean: 'field'?",),
    ),
    CliCase(
        "missing-field-for-sum",
        "name: r\nmeasures: [{name: n, agg: sum}]\n",
        "InvalidSpecError",
        ("missing-key",),
        ("measures[0].field",),
    ),
    CliCase(
        "missing-name",
        COUNT,
        "InvalidSpecError",
        ("missing-key",),
        ("name",),
    ),
    CliCase(
        "report-name-with-spaces",
        "name: my report\n" + COUNT,
        "InvalidSpecError",
        ("invalid-value",),
        ("name",),
    ),
    CliCase(
        "visual-field-not-in-result",
        "name: r\ndimensions: [stage]\nmeasures: [{name: revenue, agg: sum, field: amount}]\n"
        "visual: {kind: bar, x: stage, y: revenu}\n",
        "UnknownNameError",
        ("unknown-visual-field",),
        ("visual.y",),
        ("did you mean: 'revenue'?",),
    ),
    CliCase(
        "duplicate-measure-names",
        "name: r\nmeasures: [{name: n, agg: count}, {name: n, agg: sum, field: amount}]\n",
        "DuplicateNameError",
        ("duplicate-name",),
        ("measures[1].name",),
    ),
    CliCase(
        "dimension-and-measure-same-name",
        "name: r\ndimensions: [stage]\nmeasures: [{name: stage, agg: count}]\n",
        "DuplicateNameError",
        ("duplicate-name",),
        ("measures[0].name",),
    ),
    CliCase(
        "empty-spec",
        "name: r\n",
        "InvalidSpecError",
        ("empty-spec",),
        ("",),
        ("the report has no dimensions and no measures",),
    ),
    CliCase(
        "limit-zero",
        "name: r\n" + COUNT + "limit: 0\n",
        "InvalidSpecError",
        ("invalid-value",),
        ("limit",),
    ),
    CliCase(
        "text-value-on-numeric-column",
        "name: r\n" + COUNT + "filters: [{field: amount, op: gt, value: lots}]\n",
        "TypeMismatchError",
        ("filter-type",),
        ("filters[0].value",),
        ("'lots' cannot be compared with 'amount', which is float",),
    ),
    CliCase(
        "non-date-string-on-date-column",
        "name: r\n" + COUNT + "filters: [{field: close_date, op: ge, value: 'last week'}]\n",
        "TypeMismatchError",
        ("filter-type",),
        ("filters[0].value",),
        ("'last week' cannot be compared with 'close_date', which is date",),
    ),
    CliCase(
        "contains-on-numeric-column",
        "name: r\n" + COUNT + "filters: [{field: amount, op: contains, value: '1'}]\n",
        "TypeMismatchError",
        ("not-text",),
        ("filters[0].op",),
    ),
    CliCase(
        "yaml-bad-indentation",
        "name: r\nmeasures:\n  - name: n\n    agg: count\n   - name: m\n",
        "SpecSyntaxError",
        ("syntax",),
        ("line 5, column 4",),
        ("expected <block end>",),
    ),
    CliCase(
        "yaml-duplicate-key",
        "name: r\n" + COUNT + "name: s\n",
        "SpecSyntaxError",
        ("syntax",),
        ("line 3, column 1",),
        ("found duplicate key 'name'",),
    ),
    CliCase(
        "json-missing-comma",
        '{"name": "r",\n "measures": [{"name": "n" "agg": "count"}]}',
        "SpecSyntaxError",
        ("syntax",),
        ("line 2, column 28",),
        ("Expecting ',' delimiter",),
        suffix=".json",
    ),
    CliCase(
        "json-unknown-agg",
        '{"name": "r", "measures": [{"name": "n", "agg": "avrg", "field": "amount"}]}',
        "InvalidSpecError",
        ("unknown-option",),
        ("measures[0].agg",),
        ("did you mean: 'avg'?",),
        suffix=".json",
    ),
    CliCase(
        "spec-is-a-list",
        "- name: r\n- measures: []\n",
        "InvalidSpecError",
        ("not-a-mapping",),
        ("",),
        ("got list from",),
    ),
    CliCase(
        "empty-file",
        "",
        "InvalidSpecError",
        ("not-a-mapping",),
        ("",),
        ("got empty from",),
        suffix=".yml",
    ),
    CliCase(
        "three-problems",
        "name: x\ndimensions: [stag]\nmeasures: [{name: s, agg: sum, field: owner}]\n"
        "sort: [{field: nope}]\n",
        "SpecError",
        ("unknown-column", "not-numeric", "unknown-name"),
        ("dimensions[0].field", "measures[0].field", "sort[0].field"),
        ("3 problems in report 'x':",),
    ),
]


def _data_args(case: CliCase, csv: Path, parquet: Path) -> list[str]:
    if case.named:
        return ["--data", f"deals={csv}", "--data", f"owners={parquet}"]
    return ["--data", str(csv)]


def _python_error(spec: Path, case: CliCase, csv: Path, parquet: Path) -> crmreports.SpecError:
    """The error the Python API raises for the same spec file and data files."""
    data: object = {"deals": str(csv), "owners": str(parquet)} if case.named else str(csv)
    with pytest.raises(crmreports.SpecError) as info:
        crmreports.load(spec).check(data)
    return info.value


def test_the_cli_table_is_big_enough() -> None:
    assert len(CLI_CASES) >= 20


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize("case", CLI_CASES, ids=[c.id for c in CLI_CASES])
def test_bad_spec_exits_1_with_the_python_message(
    case: CliCase,
    command: str,
    tmp_path: Path,
    deals_csv: Path,
    owners_parquet: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    spec = _write(tmp_path, case.spec, "spec" + case.suffix)
    out = tmp_path / "out.csv"
    argv = [command, str(spec), *_data_args(case, deals_csv, owners_parquet)]
    if command == "run":
        argv += ["--out", str(out)]

    assert main(argv) == 1
    captured = capsys.readouterr()
    err = captured.err
    assert captured.out == ""
    assert err.startswith(f"error: {case.error}: ")
    _no_traceback(err)
    for code in case.codes:
        assert f"[code: {code}]" in err
    for path in case.paths:
        if path:
            assert located(path, err)
    for fragment in case.fragments:
        assert fragment in err, f"{fragment!r} not in:\n{err}"
    assert not out.exists()  # nothing written for a bad spec

    # equivalence: the CLI shows exactly the Python error, with the same codes and paths
    python_err = _python_error(spec, case, deals_csv, owners_parquet)
    assert python_err.codes == list(case.codes)
    assert [p.path for p in python_err.problems] == list(case.paths)
    assert type(python_err).__name__ == case.error
    assert str(python_err) in err
    assert err == f"error: {case.error}: {python_err}\n"


def test_validate_without_data_still_catches_structure_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = _write(tmp_path, "name: r\ndimensions: [stage]\nmeasures: [{name: stage, agg: count}]\n")
    assert main(["validate", str(spec)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: DuplicateNameError: 'stage' is already the name of dimensions[0]")
    assert located("measures[0].name", err)


def test_missing_spec_file_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.yaml"
    assert main(["validate", str(missing)]) == 1
    err = capsys.readouterr().err
    assert err == f"error: DataError: spec file not found: '{missing}'\n"


def test_missing_data_file_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = _write(tmp_path, "name: r\n" + COUNT)
    missing = tmp_path / "nowhere.csv"
    assert main(["run", str(spec), "--data", str(missing), "--out", str(tmp_path / "o.csv")]) == 1
    err = capsys.readouterr().err
    assert err == f"error: DataError: source 'data': file not found: '{missing}'\n"


def test_data_file_with_wrong_extension_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = _write(tmp_path, "name: r\n" + COUNT)
    data = tmp_path / "deals.xlsx"
    data.write_bytes(b"not a spreadsheet")
    assert main(["validate", str(spec), "--data", str(data)]) == 1
    err = capsys.readouterr().err
    assert (
        err == f"error: DataError: source 'data': '{data}' is neither a .csv nor a .parquet file\n"
    )


def test_corrupt_data_file_exits_1_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = _write(tmp_path, "name: r\n" + COUNT)
    data = tmp_path / "deals.parquet"
    data.write_text("not parquet", encoding="utf-8")
    assert main(["validate", str(spec), "--data", str(data)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: DataError: source 'data': cannot read '{data}': ")
    _no_traceback(err)


# --- success -------------------------------------------------------------------------------------

BY_STAGE = (
    "name: by_stage\n"
    "dimensions: [stage]\n"
    "measures: [{name: n, agg: count}, {name: revenue, agg: sum, field: amount}]\n"
)
# by hand from _deals(): won 100.5 + 50.0, lost 20.0, open 10.0; sorted by stage
EXPECTED_ROWS = [
    {"stage": "lost", "n": 1, "revenue": 20.0},
    {"stage": "open", "n": 1, "revenue": 10.0},
    {"stage": "won", "n": 2, "revenue": 150.5},
]


def test_validate_ok_without_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = _write(tmp_path, BY_STAGE)
    assert main(["validate", str(spec)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "ok: by_stage (structure only; pass --data to check columns)\n"
    assert captured.err == ""


def test_validate_ok_with_data(
    tmp_path: Path, deals_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = _write(tmp_path, BY_STAGE)
    assert main(["validate", str(spec), "--data", str(deals_csv)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "ok: by_stage against the data\n"
    assert captured.err == ""


def test_validate_ok_with_json_spec(
    tmp_path: Path, deals_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = _write(
        tmp_path,
        '{"name": "by_stage", "dimensions": ["stage"],\n'
        ' "measures": [{"name": "n", "agg": "count"}]}',
        "spec.json",
    )
    assert main(["validate", str(spec), "--data", str(deals_csv)]) == 0
    assert capsys.readouterr().out == "ok: by_stage against the data\n"


def test_run_writes_csv(
    tmp_path: Path, deals_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = _write(tmp_path, BY_STAGE)
    out = tmp_path / "result.csv"
    assert main(["run", str(spec), "--data", str(deals_csv), "--out", str(out)]) == 0
    assert capsys.readouterr().out == f"wrote {out} (3 rows)\n"
    frame = pd.read_csv(out)
    assert list(frame.columns) == ["stage", "n", "revenue"]
    assert frame.to_dict("records") == EXPECTED_ROWS


def test_run_writes_parquet(
    tmp_path: Path, deals_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = _write(tmp_path, BY_STAGE)
    out = tmp_path / "result.parquet"
    assert main(["run", str(spec), "--data", str(deals_csv), "--out", str(out)]) == 0
    assert capsys.readouterr().out == f"wrote {out} (3 rows)\n"
    table = pq.read_table(out)
    assert table.num_rows == 3
    assert table.column_names == ["stage", "n", "revenue"]
    assert table.to_pylist() == EXPECTED_ROWS


def test_run_writes_json(
    tmp_path: Path, deals_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = _write(tmp_path, BY_STAGE)
    out = tmp_path / "result.json"
    assert main(["run", str(spec), "--data", str(deals_csv), "--out", str(out)]) == 0
    assert capsys.readouterr().out == f"wrote {out} (3 rows)\n"
    assert json.loads(out.read_text(encoding="utf-8")) == EXPECTED_ROWS


def test_run_writes_html(
    tmp_path: Path, deals_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = _write(tmp_path, BY_STAGE)
    out = tmp_path / "pages" / "result.html"  # the folder is created
    assert main(["run", str(spec), "--data", str(deals_csv), "--out", str(out)]) == 0
    assert capsys.readouterr().out == f"wrote {out} (3 rows)\n"
    page = out.read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html")
    assert "<title>By stage</title>" in page
    for stage in ("lost", "open", "won"):
        assert stage in page


def test_run_reads_parquet_data(
    tmp_path: Path, owners_parquet: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = _write(tmp_path, "name: by_team\ndimensions: [team]\n" + COUNT)
    out = tmp_path / "teams.csv"
    assert main(["run", str(spec), "--data", str(owners_parquet), "--out", str(out)]) == 0
    # east: ann, cy; west: bob
    assert pd.read_csv(out).to_dict("records") == [
        {"team": "east", "n": 2},
        {"team": "west", "n": 1},
    ]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("deals", [{"stage": "lost", "n": 1}, {"stage": "open", "n": 1}, {"stage": "won", "n": 2}]),
        ("owners", [{"team": "east", "n": 2}, {"team": "west", "n": 1}]),
    ],
)
def test_run_with_two_named_sources(
    source: str,
    expected: list[dict[str, object]],
    tmp_path: Path,
    deals_csv: Path,
    owners_parquet: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    dimension = "stage" if source == "deals" else "team"
    spec = _write(tmp_path, f"name: r\nsource: {source}\ndimensions: [{dimension}]\n" + COUNT)
    out = tmp_path / "out.csv"
    argv = ["run", str(spec), "--data", f"deals={deals_csv}", "--data", f"owners={owners_parquet}"]
    assert main([*argv, "--out", str(out)]) == 0
    assert capsys.readouterr().out == f"wrote {out} ({len(expected)} rows)\n"
    assert pd.read_csv(out).to_dict("records") == expected


def test_validate_with_two_named_sources(
    tmp_path: Path, deals_csv: Path, owners_parquet: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = _write(tmp_path, "name: r\nsource: owners\ndimensions: [team]\n" + COUNT)
    argv = [
        "validate",
        str(spec),
        "--data",
        f"deals={deals_csv}",
        "--data",
        f"owners={owners_parquet}",
    ]
    assert main(argv) == 0
    assert capsys.readouterr().out == "ok: r against the data\n"


# --- wrong usage exits 2 -------------------------------------------------------------------------


def test_no_command_exits_2_with_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: crmreports")
    for command in ("validate", "run", "schema", "demo"):
        assert command in err


def test_unknown_command_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["frobnicate"])
    assert info.value.code == 2
    assert "invalid choice: 'frobnicate'" in capsys.readouterr().err


def test_run_without_data_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = _write(tmp_path, BY_STAGE)
    with pytest.raises(SystemExit) as info:
        main(["run", str(spec), "--out", str(tmp_path / "o.csv")])
    assert info.value.code == 2
    assert "the following arguments are required: --data" in capsys.readouterr().err


def test_run_without_out_exits_2(
    tmp_path: Path, deals_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = _write(tmp_path, BY_STAGE)
    with pytest.raises(SystemExit) as info:
        main(["run", str(spec), "--data", str(deals_csv)])
    assert info.value.code == 2
    assert "the following arguments are required: --out" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["result.txt", "result.docx", "result"])
def test_run_with_unknown_out_extension_exits_2(
    name: str, tmp_path: Path, deals_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = _write(tmp_path, BY_STAGE)
    out = tmp_path / name
    with pytest.raises(SystemExit) as info:
        main(["run", str(spec), "--data", str(deals_csv), "--out", str(out)])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "--out must end in one of .html, .csv, .parquet, .json" in err
    _no_traceback(err)
    assert not out.exists()


@pytest.mark.parametrize("command", ["validate", "run"])
def test_several_unnamed_data_options_exit_2(
    command: str,
    tmp_path: Path,
    deals_csv: Path,
    owners_parquet: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    spec = _write(tmp_path, BY_STAGE)
    argv = [command, str(spec), "--data", str(deals_csv), "--data", str(owners_parquet)]
    if command == "run":
        argv += ["--out", str(tmp_path / "o.csv")]
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert "with several --data options, name each one: --data NAME=PATH" in (
        capsys.readouterr().err
    )


def test_named_and_unnamed_data_mixed_exits_2(
    tmp_path: Path, deals_csv: Path, owners_parquet: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = _write(tmp_path, BY_STAGE)
    argv = ["validate", str(spec), "--data", f"deals={deals_csv}", "--data", str(owners_parquet)]
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert "name each one" in capsys.readouterr().err


def test_validate_without_spec_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["validate"])
    assert info.value.code == 2
    assert "the following arguments are required: spec" in capsys.readouterr().err


def test_demo_with_size_0_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["demo", "--out", str(tmp_path / "demo"), "--size", "0"])
    assert info.value.code == 2
    assert "--size must be at least 1" in capsys.readouterr().err


# --- schema and demo -----------------------------------------------------------------------------


def test_schema_prints_the_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "Report"
    assert schema["type"] == "object"
    assert schema["required"] == ["name"]
    for key in ("name", "source", "dimensions", "measures", "filters", "sort", "limit", "visual"):
        assert key in schema["properties"]
    assert schema["additionalProperties"] is False


def test_demo_writes_an_index_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--size", "500"]) == 0
    index = out / "index.html"
    assert capsys.readouterr().out == f"wrote {index}\n"
    page = index.read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html")


# --- the real console script ---------------------------------------------------------------------


def test_console_script_exits_1_without_traceback(tmp_path: Path, deals_csv: Path) -> None:
    script = Path(sys.executable).parent / "crmreports"
    assert script.exists(), f"console script not installed next to {sys.executable}"
    spec = _write(tmp_path, "name: r\nmeasures: [{name: t, agg: sum, field: amont}]\n")
    proc = subprocess.run(
        [str(script), "validate", str(spec), "--data", str(deals_csv)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr == (
        "error: UnknownFieldError: unknown column 'amont' in source 'data'\n"
        "  at: report 'r' -> measures[0].field\n"
        "  did you mean: 'amount'?\n"
        "  available columns (6): stage, amount, owner, close_date, created_at, deal_id\n"
        "  [code: unknown-column]\n"
    )
