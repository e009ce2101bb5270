"""Filter values are looked up in the data: a value no row of its column holds gets a note
naming the values present (with a did-you-mean ignoring case), and fails the run with
`strict=True`. The check reads the whole source, not the filtered rows.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from crmreports import Dashboard, Report, ValueNotInDataError
from crmreports.cli import main
from tests.helpers import assert_rows_equal

DEALS = {
    "stage": ["Won", "Lost", "Won", "Engaging"],
    "amount": [10.0, 20.0, 30.0, 40.0],
    "flag": [False, False, False, True],
    "score": [1, 2, 3, 4],
    "closed": [dt.date(2024, 1, 5), dt.date(2024, 2, 1), dt.date(2024, 3, 1), None],
}
TYPES = {
    "stage": pa.string(),
    "amount": pa.float64(),
    "flag": pa.bool_(),
    "score": pa.int64(),
    "closed": pa.date32(),
}


def _deals(constructor: Any) -> Any:
    return constructor(DEALS, TYPES)


def _report(**spec: Any) -> Report:
    return Report.from_dict({"name": "t", "source": "deals", **spec})


COUNT = [{"name": "n", "agg": "count"}]


def test_a_value_no_row_holds_gets_a_note_with_the_values_present(constructor: Any) -> None:
    report = _report(measures=COUNT, filters=[{"field": "stage", "op": "eq", "value": "won"}])
    result = report.run({"deals": _deals(constructor)})
    assert_rows_equal(result, [(0,)])  # the number stands; the note says why it is 0
    (note,) = [n for n in result.notes if "no row" in n]
    assert note.startswith("filters[0].value: no row of deals has stage = 'won'")
    assert "the filter keeps no row" in note
    assert "did you mean 'Won'?" in note
    assert "values of stage: 'Won', " in note and "'Lost'" in note and "'Engaging'" in note


def test_strict_makes_it_a_located_error(constructor: Any) -> None:
    report = _report(
        measures=COUNT, filters=[{"field": "stage", "op": "in", "value": ["Won", "lost"]}]
    )
    with pytest.raises(ValueNotInDataError) as info:
        report.run({"deals": _deals(constructor)}, strict=True)
    text = str(info.value)
    assert "at: report 't' -> filters[0].value[1]" in text
    assert "did you mean: 'Lost'?" in text
    assert "[code: value-not-in-data]" in text
    assert "'Won'" not in text.split("\n")[0]  # the value present is not reported


def test_the_whole_source_is_read_not_the_filtered_rows(constructor: Any) -> None:
    # No won deal closed in February, but Won is a value of stage: no note.
    report = _report(
        measures=COUNT,
        filters=[
            {"field": "stage", "op": "eq", "value": "Won"},
            {"field": "closed", "op": "between", "value": ["2024-02-01", "2024-02-29"]},
        ],
    )
    result = report.run({"deals": _deals(constructor)}, strict=True)
    assert_rows_equal(result, [(0,)])
    assert not [n for n in result.notes if "no row" in n]


def test_a_negated_value_that_no_row_holds_removes_nothing(constructor: Any) -> None:
    report = _report(
        measures=COUNT, filters=[{"field": "stage", "op": "not_in", "value": ["won", "Lost"]}]
    )
    result = report.run({"deals": _deals(constructor)})
    assert_rows_equal(result, [(3,)])  # Won, Won, Engaging
    (note,) = [n for n in result.notes if "no row" in n]
    assert (
        "filters[0].value[0]: no row of deals has stage = 'won': the filter removes no row" in note
    )


def test_a_measure_filter_value_is_checked_too(constructor: Any) -> None:
    report = _report(
        dimensions=["stage"],
        measures=[
            {
                "name": "won",
                "agg": "count",
                "filter": {"field": "stage", "op": "eq", "value": "WON"},
            }
        ],
    )
    result = report.run({"deals": _deals(constructor)})
    (note,) = [n for n in result.notes if "no row" in n]
    assert note.startswith("measures[0].filter.value: no row of deals has stage = 'WON'")
    assert "measure 'won' counts no row; did you mean 'Won'?" in note


def test_booleans_and_numbers_are_checked(constructor: Any) -> None:
    frame = constructor(
        {"flag": [False, None], "score": [1, 2]}, {"flag": pa.bool_(), "score": pa.int64()}
    )
    report = _report(
        measures=COUNT,
        filters=[
            {
                "any_of": [
                    {"field": "flag", "op": "eq", "value": True},
                    {"field": "score", "op": "in", "value": [2, 11]},
                ]
            }
        ],
    )
    result = report.run({"deals": frame})
    notes = sorted(n for n in result.notes if "no row" in n)
    assert len(notes) == 2
    assert notes[0].startswith("filters[0].any_of[0].value: no row of deals has flag = true")
    assert notes[1].startswith("filters[0].any_of[1].value[1]: no row of deals has score = 11")


def test_dates_and_ranges_are_not_spellings(constructor: Any) -> None:
    report = _report(
        measures=COUNT,
        filters=[
            {"field": "closed", "op": "eq", "value": "2023-01-01"},
            {"field": "amount", "op": "gt", "value": 1000},
        ],
    )
    assert not [n for n in report.run({"deals": _deals(constructor)}).notes if "no row" in n]


def test_a_parameter_value_is_checked_and_named(constructor: Any) -> None:
    report = _report(
        params=[{"name": "stage", "type": "string", "default": "Won"}],
        measures=COUNT,
        filters=[{"field": "stage", "op": "eq", "value": {"param": "stage"}}],
    )
    assert not [n for n in report.run({"deals": _deals(constructor)}).notes if "no row" in n]
    result = report.run({"deals": _deals(constructor)}, params={"stage": "engaging"})
    (note,) = [n for n in result.notes if "no row" in n]
    assert "has stage = 'engaging' (parameter 'stage')" in note
    assert "did you mean 'Engaging'?" in note


def test_recoded_values_are_checked_after_recoding(constructor: Any) -> None:
    mapping = {"deals": {"values": {"stage": {"Won": "won", "Lost": "lost"}}}}
    ok = _report(
        mapping=mapping, measures=COUNT, filters=[{"field": "stage", "op": "eq", "value": "won"}]
    )
    result = ok.run({"deals": _deals(constructor)}, strict=True)
    assert_rows_equal(result, [(2,)])
    stale = _report(
        mapping=mapping, measures=COUNT, filters=[{"field": "stage", "op": "eq", "value": "Won"}]
    )
    with pytest.raises(ValueNotInDataError, match="no row of deals has stage = 'Won'"):
        stale.run({"deals": _deals(constructor)}, strict=True)


def test_a_value_map_none_of_whose_keys_occurs_is_an_error(constructor: Any) -> None:
    mapping = {"deals": {"values": {"stage": {"won": "Won"}}}}  # turned round
    report = _report(mapping=mapping, measures=COUNT)
    with pytest.raises(ValueNotInDataError) as info:
        report.run({"deals": _deals(constructor)})
    text = str(info.value)
    assert "none of the values to recode ('won') occurs in your column 'stage'" in text
    assert "at: report 't' -> mapping.deals.values.stage" in text
    assert "values of stage: 'Won'" in text


def test_a_value_map_with_some_keys_absent_gets_a_note(constructor: Any) -> None:
    mapping = {"deals": {"values": {"stage": {"Won": "won", "Abandoned": "lost"}}}}
    result = _report(mapping=mapping, measures=COUNT).run({"deals": _deals(constructor)})
    assert "mapping.deals.values.stage: no row of deals has stage = 'Abandoned'" in result.notes


def test_a_looked_up_column_is_checked_in_its_own_table(constructor: Any) -> None:
    orders = constructor(
        {"customer_id": [1, 2], "amount": [1.0, 2.0]},
        {"customer_id": pa.int64(), "amount": pa.float64()},
    )
    customers = constructor(
        {"customer_id": [1, 2], "segment": ["SMB", "Enterprise"]},
        {"customer_id": pa.int64(), "segment": pa.string()},
    )
    report = Report.from_dict(
        {
            "name": "t",
            "source": "orders",
            "relationships": [{"to": "customers", "key": "customer_id"}],
            "measures": COUNT,
            "filters": [{"field": "customers.segment", "op": "eq", "value": "smb"}],
        }
    )
    result = report.run({"orders": orders, "customers": customers})
    (note,) = [n for n in result.notes if "no row" in n]
    assert "no row of customers has segment = 'smb'" in note and "did you mean 'SMB'?" in note


def test_a_dashboard_runs_strict_too() -> None:
    board = Dashboard.from_dict(
        {
            "title": "d",
            "items": [
                {
                    "report": {
                        "name": "a",
                        "measures": COUNT,
                        "filters": [{"field": "stage", "op": "eq", "value": "won"}],
                    }
                }
            ],
        }
    )
    frame = pa.table(DEALS)
    (tile,) = board.run(frame).tiles  # a note, no error
    assert any("no row of data has stage = 'won'" in n for n in tile.result.notes)
    with pytest.raises(ValueNotInDataError, match="did you mean: 'Won'"):
        board.run(frame, strict=True)


def test_the_cli_prints_the_note_and_fails_with_strict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "r.yaml"
    spec.write_text(
        "name: r\nmeasures: [{name: n, agg: count}]\n"
        "filters: [{field: stage, op: eq, value: won}]\n"
    )
    data = tmp_path / "deals.csv"
    pd.DataFrame({"stage": DEALS["stage"]}).to_csv(data, index=False)
    out = tmp_path / "out.csv"
    assert main(["run", str(spec), "--data", str(data), "--out", str(out)]) == 0
    assert "note: filters[0].value: no row of data has stage = 'won'" in capsys.readouterr().out
    assert main(["run", str(spec), "--data", str(data), "--out", str(out), "--strict"]) == 1
    assert "did you mean: 'Won'?" in capsys.readouterr().err


def test_the_builtin_cli_fails_with_strict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "opportunities.csv"
    pd.DataFrame(
        {"opportunity_id": [1, 2], "stage": ["Demo", "Demo"], "amount": [1.0, 2.0]}
    ).to_csv(data, index=False)
    out = tmp_path / "out.csv"
    argv = ["builtin", "run", "sales.pipeline", "--data", str(data), "--out", str(out)]
    # only open deals: no won or lost deal yet is no spelling, so a note ...
    assert main(argv) == 0
    assert "note: filters[0].value[0]: no row of opportunities has stage = 'won'" in (
        capsys.readouterr().out
    )
    # ... and an error when asked to be strict
    assert main([*argv, "--strict"]) == 1
    assert "[code: value-not-in-data]" in capsys.readouterr().err
