"""Notes say what is true: a measure left out names every missing column and every left-out
measure it is built on; a measure of another source with its own filter says which filter
applies to it, instead of advising a filter it already has."""

from __future__ import annotations

from typing import Any

import pandas as pd

from crmreports import builtin
from tests.helpers import synthetic_tables

AS_OF = "2024-12-31"


def _tables() -> dict[str, pd.DataFrame]:
    return synthetic_tables(400)


def _notes(name: str, view: str, data: dict[str, Any]) -> tuple[str, ...]:
    return builtin.get(name, view=view).run(data, as_of=AS_OF).notes


def test_the_leaderboards_won_deals_note_names_its_own_filter() -> None:
    t = _tables()
    notes = _notes("sales.salesperson", "leaderboard", t)
    assert (
        "won_deals (from opportunities) reads the opportunities rows its own filter keeps "
        "(stage = 'won'; closed_date: year to date (2024-01-01 .. 2024-12-31)); the report's "
        "filter(s) on order_date, status do not apply to it"
    ) in notes
    assert not any("give it its own `filter:`" in n for n in notes)  # it has one


def test_the_leaderboard_without_opportunities_names_both_inputs_of_the_win_rate() -> None:
    notes = _notes("sales.salesperson", "leaderboard", {"orders": _tables()["orders"]})
    assert "measure 'won_deals' left out: the data has no source 'opportunities'" in notes
    assert (
        "measure 'win_rate' left out: it is built on 'won_deals' and 'lost_deals', left out"
        in notes
    )
    assert "measure 'win_rate_rank' left out: it is built on 'win_rate', left out" in notes


def test_the_leaderboard_names_every_missing_column_of_opportunities() -> None:
    t = _tables()
    deals = t["opportunities"].drop(columns=["closed_date", "stage"])
    notes = _notes(
        "sales.salesperson", "leaderboard", {"orders": t["orders"], "opportunities": deals}
    )
    assert (
        "measure 'won_deals' left out: source 'opportunities' has no columns 'closed_date', 'stage'"
    ) in notes


def test_engagement_names_every_missing_column() -> None:
    t = _tables()
    touches = t["touches"].drop(columns=["opened", "clicked", "responded"])
    notes = _notes("marketing.engagement", "main", {**t, "touches": touches})
    # before: "... has no column 'clicked'" for a measure that also lacks opened and responded
    assert (
        "measure 'interactions' left out: source 'touches' has no columns 'clicked', 'opened', "
        "'responded'"
    ) in notes
    assert "measure 'opened' left out: source 'touches' has no column 'opened'" in notes
    assert "measure 'open_rate' left out: it is built on 'opened', left out" in notes


def test_engagement_without_delivered_names_both_inputs_of_each_rate() -> None:
    t = _tables()
    touches = t["touches"].drop(columns=["delivered", "clicked"])
    notes = _notes("marketing.engagement", "main", {**t, "touches": touches})
    assert (
        "measure 'clicked' left out: source 'touches' has no columns 'clicked', 'delivered'"
        in notes
    )
    # before: "it is built on 'clicked', left out", silent about delivered
    assert (
        "measure 'click_rate' left out: it is built on 'delivered' and 'clicked', left out" in notes
    )


def test_campaign_engagement_without_counts_names_both_inputs_of_the_rate() -> None:
    t = _tables()
    campaigns = t["campaigns"].drop(columns=["sent", "delivered"])
    notes = _notes("marketing.engagement", "from_campaigns", {**t, "campaigns": campaigns})
    assert (
        "measure 'delivery_rate' left out: it is built on 'sent' and 'delivered', left out" in notes
    )
