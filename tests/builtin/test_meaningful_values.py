"""Values a built-in report gives a meaning to (stage won/lost, status won, survey kind
csat/nps, ticket type complaint) are checked against the data before anything is counted.

When the data spells them otherwise (Won, Closed Won), the run fails with the values present
and the mapping to give, instead of an empty win-rate table and a pipeline counting won and
lost deals as open. A value map that recodes nothing (turned round) fails too. A column that
simply holds none of them yet (only open deals) runs, with a note.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pytest

from crmreports import ValueNotInDataError, builtin
from crmreports.datasets import generate
from tests.helpers import assert_rows_equal

AS_OF = "2024-12-31"
TYPES = {
    "opportunity_id": pa.int64(),
    "stage": pa.string(),
    "closed_date": pa.date32(),
    "amount": pa.float64(),
}


def _deals(constructor: Any, stages: list[str]) -> Any:
    return constructor(
        {
            "opportunity_id": [1, 2, 3, 4],
            "stage": stages,
            "closed_date": [
                dt.date(2024, 11, 5),
                dt.date(2024, 11, 20),
                dt.date(2024, 12, 3),
                None,
            ],
            "amount": [10.0, 20.0, 30.0, 40.0],
        },
        TYPES,
    )


@pytest.mark.parametrize("name", ["sales.win_rate", "sales.pipeline"])
def test_stages_spelled_otherwise_fail_with_the_mapping(constructor: Any, name: str) -> None:
    deals = _deals(constructor, ["Won", "Lost", "Won", "Engaging"])
    with pytest.raises(ValueNotInDataError) as info:
        builtin.get(name).run({"opportunities": deals}, as_of=AS_OF)
    text = str(info.value)
    assert "no row of opportunities has stage = 'won'" in text
    assert "at: filters[0].value[0]" in text
    assert "values={'opportunities.stage': {'Won': 'won', 'Lost': 'lost'}}" in text
    assert "values of stage: 'Won', " in text and "'Engaging'" in text


def test_with_the_mapping_win_rate_counts_the_closed_deals(constructor: Any) -> None:
    deals = _deals(constructor, ["Won", "Lost", "Won", "Engaging"])
    report = builtin.get(
        "sales.win_rate", values={"opportunities.stage": {"Won": "won", "Lost": "lost"}}
    )
    result = report.run({"opportunities": deals}, as_of=AS_OF)
    rows = [(r["month"], r["won"], r["lost"], r["win_rate"]) for r in result.to_arrow().to_pylist()]
    # November: won 1 (10), lost 1 (20): 1 / 2; December: won 1 (30): 1 / 1
    assert_rows_equal(rows, [(dt.date(2024, 11, 1), 1, 1, 0.5), (dt.date(2024, 12, 1), 1, 0, 1.0)])


def test_with_the_mapping_the_pipeline_holds_only_open_deals(constructor: Any) -> None:
    deals = _deals(constructor, ["Won", "Lost", "Won", "Engaging"])
    report = builtin.get(
        "sales.pipeline", values={"opportunities.stage": {"Won": "won", "Lost": "lost"}}
    )
    result = report.run({"opportunities": deals}, as_of=AS_OF)
    rows = [(r["stage"], r["deals"], r["amount"]) for r in result.to_arrow().to_pylist()]
    # careless (no check): Engaging 1 / 40, Won 2 / 40, Lost 1 / 20 all "open"
    assert_rows_equal(rows, [("Engaging", 1, 40.0)])


def test_closed_won_and_closed_lost_are_recognised(constructor: Any) -> None:
    deals = _deals(constructor, ["Closed Won", "Closed Lost", "Closed Won", "Prospecting"])
    with pytest.raises(ValueNotInDataError) as info:
        builtin.get("sales.win_rate").run({"opportunities": deals}, as_of=AS_OF)
    assert "{'Closed Won': 'won', 'Closed Lost': 'lost'}" in str(info.value)


def test_a_turned_round_value_map_fails(constructor: Any) -> None:
    deals = _deals(constructor, ["Won", "Lost", "Won", "Engaging"])
    report = builtin.get(
        "sales.win_rate", values={"opportunities.stage": {"won": "Won", "lost": "Lost"}}
    )
    with pytest.raises(ValueNotInDataError) as info:
        report.run({"opportunities": deals}, as_of=AS_OF)
    text = str(info.value)
    assert "none of the values to recode ('won', 'lost') occurs in your column 'stage'" in text
    assert "the map looks reversed" in text and "{Won: won, Lost: lost}" in text


def test_only_open_deals_run_with_a_note(constructor: Any) -> None:
    deals = _deals(constructor, ["Prospecting", "Demo", "Demo", "Prospecting"])
    result = builtin.get("sales.pipeline").run({"opportunities": deals}, as_of=AS_OF)
    rows = sorted((r["stage"], r["deals"]) for r in result.to_arrow().to_pylist())
    assert rows == [("Demo", 2), ("Prospecting", 2)]
    assert any("no row of opportunities has stage = 'won'" in n for n in result.notes)


def test_a_rollup_filter_is_checked_before_the_rollup_runs(constructor: Any) -> None:
    orders = generate(seed=0, size=200).tables()["orders"]
    table = pa.Table.from_pandas(orders, preserve_index=False)
    status = [{"won": "WON"}.get(s, s) for s in table.column("status").to_pylist()]
    table = table.set_column(table.schema.get_field_index("status"), "status", pa.array(status))
    frame = constructor(table.to_pydict(), {f.name: f.type for f in table.schema})
    with pytest.raises(ValueNotInDataError) as info:
        builtin.get("customers.value").run(frame, as_of=AS_OF)
    text = str(info.value)
    assert "rollups[0].filters[0].value" in text
    assert "values={'orders.status': {'WON': 'won'}}" in text


def test_survey_kinds_in_capitals_fail_with_the_mapping(constructor: Any) -> None:
    surveys = constructor(
        {
            "survey_id": [1, 2, 3],
            "kind": ["CSAT", "NPS", "CSAT"],
            "score": [5, 9, 4],
            "answered_date": [dt.date(2024, 11, 1), dt.date(2024, 11, 2), dt.date(2024, 12, 1)],
        },
        {
            "survey_id": pa.int64(),
            "kind": pa.string(),
            "score": pa.int64(),
            "answered_date": pa.date32(),
        },
    )
    with pytest.raises(ValueNotInDataError) as info:
        builtin.get("service.satisfaction").run({"surveys": surveys}, as_of=AS_OF)
    assert "values={'surveys.kind': {'CSAT': 'csat', 'NPS': 'nps'}}" in str(info.value)
    report = builtin.get(
        "service.satisfaction", values={"surveys.kind": {"CSAT": "csat", "NPS": "nps"}}
    )
    assert len(report.run({"surveys": surveys}, as_of=AS_OF)) > 0
