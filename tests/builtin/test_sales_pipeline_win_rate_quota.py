"""Built-in sales reports, part B: sales.pipeline, sales.win_rate and sales.quota.

Every view runs on a small fixture written out here, on every backend (the constructor
fixture); every expected value is worked out by hand in the comments, never taken from the code
under test.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pytest

from crmreports import SpecError, builtin
from tests.helpers import assert_rows_equal

D = dt.date

# --- sales.pipeline --------------------------------------------------------------------------

# Nine deals, probabilities on the 0-100 scale. Open: 1, 2, 3, 4, 7, 8 and 9 (9 has no stage,
# which counts as open); 5 is won and 6 lost. 7 has no amount, 8 no probability and no expected
# close date, 9 no owner.
PIPELINE = {
    "opportunity_id": [1, 2, 3, 4, 5, 6, 7, 8, 9],
    "stage": ["prospecting", "prospecting", "proposal", "negotiation", "won", "lost",
              "proposal", "negotiation", None],
    "amount": [1000.0, 3000.0, 2000.0, 4000.0, 9000.0, 5000.0, None, 1000.0, 500.0],
    "probability": [10.0, 10.0, 50.0, 80.0, 100.0, 0.0, 50.0, None, 20.0],
    "owner": ["ann", "bob", "ann", "bob", "ann", "bob", "bob", "ann", None],
    "expected_close_date": [D(2024, 7, 10), D(2024, 8, 5), D(2024, 6, 20), D(2024, 7, 31), None,
                            None, D(2024, 9, 15), None, D(2024, 7, 1)],
}  # fmt: skip
PIPELINE_SCHEMA = {"expected_close_date": pa.date32(), "probability": pa.float64()}
PIPELINE_AS_OF = "2024-07-01"  # overdue: expected close before July 1


def pipeline_data(constructor: Any, data: dict[str, list[Any]] | None = None) -> dict[str, Any]:
    data = PIPELINE if data is None else data
    schema = {k: v for k, v in PIPELINE_SCHEMA.items() if k in data}
    return {"opportunities": constructor(data, schema)}


def test_pipeline_main_by_stage(constructor: Any) -> None:
    report = builtin.get("sales.pipeline")
    result = report.run(pipeline_data(constructor), as_of=PIPELINE_AS_OF)
    # Open amount 1000 + 3000 + 2000 + 4000 + 1000 + 500 = 11500 (7 has none); won 5 and lost 6
    # are not pipeline.
    # prospecting (1, 2): amount 4000; weighted 1000 x 10/100 + 3000 x 10/100 = 400; average
    #   probability 0.1; overdue 0 (July 10 and August 5 are not before July 1).
    # proposal (3, 7): amount 2000 (7 has none); weighted 2000 x 0.5 = 1000 (7 adds nothing);
    #   probability 0.5; overdue: 3 (June 20) = 2000.
    # negotiation (4, 8): amount 5000; weighted 4000 x 0.8 = 3200 (8 has no probability: adds
    #   nothing); probability 0.8 (of 4 only); overdue 0 (July 31; 8 has no date).
    # no stage (9): amount 500; weighted 500 x 0.2 = 100; probability 0.2; overdue 0 (July 1
    #   is not before July 1).
    # Pipeline order = average probability ascending: prospecting, (null), proposal, negotiation.
    assert_rows_equal(
        result,
        [
            {"stage": "prospecting", "deals": 2, "amount": 4000.0, "weighted_amount": 400.0,
             "avg_probability": 0.1, "amount_share": 4000 / 11500, "overdue_amount": 0.0},
            {"stage": None, "deals": 1, "amount": 500.0, "weighted_amount": 100.0,
             "avg_probability": 0.2, "amount_share": 500 / 11500, "overdue_amount": 0.0},
            {"stage": "proposal", "deals": 2, "amount": 2000.0, "weighted_amount": 1000.0,
             "avg_probability": 0.5, "amount_share": 2000 / 11500, "overdue_amount": 2000.0},
            {"stage": "negotiation", "deals": 2, "amount": 5000.0, "weighted_amount": 3200.0,
             "avg_probability": 0.8, "amount_share": 5000 / 11500, "overdue_amount": 0.0},
        ],
    )  # fmt: skip
    assert result.notes == ()
    assert result.chart().to_dict()["title"]  # the funnel draws


def test_pipeline_probability_scale_zero_to_one(constructor: Any) -> None:
    # The same deals with probabilities as fractions: with probability_scale 1 the weighted
    # amounts are those of the 0-100 scale above (prospecting 400, proposal 1000, ...).
    data = {**PIPELINE, "probability": [0.1, 0.1, 0.5, 0.8, 1.0, 0.0, 0.5, None, 0.2]}
    report = builtin.get("sales.pipeline", view="by_owner", params={"probability_scale": 1})
    result = report.run(pipeline_data(constructor, data), as_of=PIPELINE_AS_OF)
    # ann (1, 3, 8): amount 1000 + 2000 + 1000 = 4000; weighted 100 + 1000 + 0 = 1100;
    #   overdue: 3 (June 20) = 2000.
    # bob (2, 4, 7): amount 3000 + 4000 = 7000; weighted 300 + 3200 = 3500; overdue 0.
    # no owner (9): 500; weighted 100; overdue 0. Largest open amount first.
    assert_rows_equal(
        result,
        [
            {"owner": "bob", "deals": 3, "amount": 7000.0, "weighted_amount": 3500.0,
             "amount_share": 7000 / 11500, "overdue_amount": 0.0},
            {"owner": "ann", "deals": 3, "amount": 4000.0, "weighted_amount": 1100.0,
             "amount_share": 4000 / 11500, "overdue_amount": 2000.0},
            {"owner": None, "deals": 1, "amount": 500.0, "weighted_amount": 100.0,
             "amount_share": 500 / 11500, "overdue_amount": 0.0},
        ],
    )  # fmt: skip
    # The default scale (100) on fractions would give weighted amounts 100 times too small.
    default = builtin.get("sales.pipeline", view="by_owner").run(
        pipeline_data(constructor, data), as_of=PIPELINE_AS_OF
    )
    assert [row["weighted_amount"] for row in default.to_arrow().to_pylist()] == pytest.approx(
        [35.0, 11.0, 1.0]
    )


def test_pipeline_by_close_month(constructor: Any) -> None:
    result = builtin.get("sales.pipeline", view="by_close_month").run(
        pipeline_data(constructor), as_of=PIPELINE_AS_OF
    )
    # June: 3 (2000, weighted 1000). July: 1 (July 10), 4 (July 31), 9 (July 1): 1000 + 4000 +
    # 500 = 5500, weighted 100 + 3200 + 100 = 3400. August: 2 (3000, weighted 300).
    # September: 7, no amount: 0 and 0. No expected close date: 8 (1000, no probability: 0),
    # a row of its own, outside the running total (null).
    # Running weighted: 1000, 4400, 4700, 4700.
    assert_rows_equal(
        result,
        [
            {"close_month": D(2024, 6, 1), "deals": 1, "amount": 2000.0,
             "weighted_amount": 1000.0, "cumulative_weighted": 1000.0},
            {"close_month": D(2024, 7, 1), "deals": 3, "amount": 5500.0,
             "weighted_amount": 3400.0, "cumulative_weighted": 4400.0},
            {"close_month": D(2024, 8, 1), "deals": 1, "amount": 3000.0,
             "weighted_amount": 300.0, "cumulative_weighted": 4700.0},
            {"close_month": D(2024, 9, 1), "deals": 1, "amount": 0.0,
             "weighted_amount": 0.0, "cumulative_weighted": 4700.0},
            {"close_month": None, "deals": 1, "amount": 1000.0,
             "weighted_amount": 0.0, "cumulative_weighted": None},
        ],
    )  # fmt: skip


def test_pipeline_mapping_of_columns_and_stage_values(constructor: Any) -> None:
    # A CRM with its own names: deal_stage with "Closed Won"/"Closed Lost", value for amount.
    renamed = {
        "opportunity_id": PIPELINE["opportunity_id"],
        "deal_stage": [
            {"won": "Closed Won", "lost": "Closed Lost"}.get(s, s) if s else s
            for s in PIPELINE["stage"]
        ],
        "value": PIPELINE["amount"],
        "probability": PIPELINE["probability"],
    }
    report = builtin.get(
        "sales.pipeline",
        columns={"opportunities": {"stage": "deal_stage", "amount": "value"}},
        values={"opportunities.stage": {"Closed Won": "won", "Closed Lost": "lost"}},
    )
    result = report.run({"opportunities": constructor(renamed)}, as_of=PIPELINE_AS_OF)
    # As in the main test; no expected_close_date, so no overdue amount (a note says so).
    assert_rows_equal(
        result,
        [
            ("prospecting", 2, 4000.0, 400.0, 0.1, 4000 / 11500),
            (None, 1, 500.0, 100.0, 0.2, 500 / 11500),
            ("proposal", 2, 2000.0, 1000.0, 0.5, 2000 / 11500),
            ("negotiation", 2, 5000.0, 3200.0, 0.8, 5000 / 11500),
        ],
    )
    assert result.notes == (
        "measure 'overdue_amount' left out: source 'opportunities' has no column "
        "'expected_close_date'",
    )


def test_pipeline_without_probability_leaves_the_weighted_figures_out(constructor: Any) -> None:
    data = {k: v for k, v in PIPELINE.items() if k not in ("probability", "expected_close_date")}
    result = builtin.get("sales.pipeline").run(pipeline_data(constructor, data))
    # Without probabilities the stages come by the second sort key: largest open amount first.
    assert_rows_equal(
        result,
        [
            {"stage": "negotiation", "deals": 2, "amount": 5000.0, "amount_share": 5000 / 11500},
            {"stage": "prospecting", "deals": 2, "amount": 4000.0, "amount_share": 4000 / 11500},
            {"stage": "proposal", "deals": 2, "amount": 2000.0, "amount_share": 2000 / 11500},
            {"stage": None, "deals": 1, "amount": 500.0, "amount_share": 500 / 11500},
        ],
    )
    assert result.notes == (
        "measure 'weighted_amount' left out: source 'opportunities' has no column 'probability'",
        "measure 'avg_probability' left out: source 'opportunities' has no column 'probability'",
        "measure 'overdue_amount' left out: source 'opportunities' has no column "
        "'expected_close_date'",
    )


def test_pipeline_without_stage_says_how_to_map_it(constructor: Any) -> None:
    data = {k: v for k, v in PIPELINE.items() if k != "stage"}
    with pytest.raises(SpecError) as info:
        builtin.get("sales.pipeline").run(pipeline_data(constructor, data))
    message = str(info.value)
    assert "'stage'" in message
    assert "columns={'opportunities': {'stage': '<your column>'}}" in message


# --- sales.win_rate --------------------------------------------------------------------------

# Twelve deals. Cycle = closed - created in days (for won deals): 1: 10, 3: 21, 4: 30 (Feb 1 to
# Mar 2, 2024 is a leap year), 9: 19, 11: 34; 10 has no created date.
WIN = {
    "opportunity_id": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    "stage": ["won", "lost", "won", "won", "lost", "lost", "proposal", "negotiation", "won",
              "won", "won", "lost"],
    "amount": [1000.0, 3000.0, 2000.0, None, 500.0, 1500.0, 4000.0, 2500.0, 6000.0, 3000.0,
               700.0, 800.0],
    "owner": ["ann", "ann", "bob", "bob", "ann", "bob", "ann", "bob", "ann", None, "bob", "ann"],
    "lead_source": ["web", "web", "event", "web", "event", None, "web", "event", "event", "web",
                    "web", "web"],
    "created_date": [D(2024, 1, 1), D(2024, 1, 5), D(2024, 1, 10), D(2024, 2, 1),
                     D(2024, 2, 10), D(2023, 10, 1), D(2024, 3, 1), D(2024, 4, 1),
                     D(2024, 3, 1), None, D(2024, 6, 1), D(2024, 1, 1)],
    "closed_date": [D(2024, 1, 11), D(2024, 1, 20), D(2024, 1, 31), D(2024, 3, 2),
                    D(2024, 3, 15), D(2023, 11, 20), None, None, D(2024, 3, 20),
                    D(2024, 5, 5), D(2024, 7, 5), None],
}  # fmt: skip
WIN_SCHEMA = {"created_date": pa.date32(), "closed_date": pa.date32()}
WIN_AS_OF = "2024-06-30"


def win_data(constructor: Any, data: dict[str, list[Any]] | None = None) -> dict[str, Any]:
    data = WIN if data is None else data
    schema = {k: v for k, v in WIN_SCHEMA.items() if k in data}
    return {"opportunities": constructor(data, schema)}


# The measures after the counts, in the views' order (velocity follows in the window views).
WINDOW_MEASURES = ("win_rate", "won_amount", "lost_amount", "win_rate_amount", "avg_deal_size",
                   "median_deal_size", "avg_cycle_days", "median_cycle_days")  # fmt: skip


def _closed(month: dt.date | None, won: int, lost: int, **values: Any) -> dict[str, Any]:
    """A row of the by-period views: counts given, everything else null unless given."""
    row: dict[str, Any] = {"month": month, "won": won, "lost": lost}
    for name in WINDOW_MEASURES:
        row[name] = values.get(name)
    return row


def test_win_rate_main_by_closed_month(constructor: Any) -> None:
    result = builtin.get("sales.win_rate").run(win_data(constructor), as_of=WIN_AS_OF)
    # Closed deals only (open 7 and 8 are left out), by month closed, every month from the
    # first (Nov 2023) to the last (Jul 2024); a month without closed deals has a null rate.
    # Nov: 6 lost 1500: rate 0, by amount 0 / 1500 = 0; no won deal: sizes and cycles null.
    # Jan: won 1 (1000, 10 d), 3 (2000, 21 d); lost 2 (3000): rate 2/3; by amount
    #   3000 / 6000 = 0.5; average and median size 1500; cycle mean and median 15.5.
    # Mar: won 4 (no amount, 30 d), 9 (6000, 19 d); lost 5 (500): rate 2/3; by amount
    #   6000 / 6500; sizes 6000 (4's null skipped); cycle (30 + 19) / 2 = 24.5 both.
    # May: won 10 (3000, no created date): rate 1, by amount 1; size 3000; cycle null.
    # Jul: won 11 (700, 34 d): after as_of, still a month closed (as_of plays no part here).
    # No closed date: 12 lost (800), a row of its own, last.
    assert_rows_equal(
        result,
        [
            _closed(D(2023, 11, 1), 0, 1, win_rate=0.0, won_amount=0.0, lost_amount=1500.0,
                    win_rate_amount=0.0),
            _closed(D(2023, 12, 1), 0, 0, won_amount=0.0, lost_amount=0.0),
            _closed(D(2024, 1, 1), 2, 1, win_rate=2 / 3, won_amount=3000.0, lost_amount=3000.0,
                    win_rate_amount=0.5, avg_deal_size=1500.0, median_deal_size=1500.0,
                    avg_cycle_days=15.5, median_cycle_days=15.5),
            _closed(D(2024, 2, 1), 0, 0, won_amount=0.0, lost_amount=0.0),
            _closed(D(2024, 3, 1), 2, 1, win_rate=2 / 3, won_amount=6000.0, lost_amount=500.0,
                    win_rate_amount=6000 / 6500, avg_deal_size=6000.0, median_deal_size=6000.0,
                    avg_cycle_days=24.5, median_cycle_days=24.5),
            _closed(D(2024, 4, 1), 0, 0, won_amount=0.0, lost_amount=0.0),
            _closed(D(2024, 5, 1), 1, 0, win_rate=1.0, won_amount=3000.0, lost_amount=0.0,
                    win_rate_amount=1.0, avg_deal_size=3000.0, median_deal_size=3000.0),
            _closed(D(2024, 6, 1), 0, 0, won_amount=0.0, lost_amount=0.0),
            _closed(D(2024, 7, 1), 1, 0, win_rate=1.0, won_amount=700.0, lost_amount=0.0,
                    win_rate_amount=1.0, avg_deal_size=700.0, median_deal_size=700.0,
                    avg_cycle_days=34.0, median_cycle_days=34.0),
            _closed(None, 0, 1, win_rate=0.0, won_amount=0.0, lost_amount=800.0,
                    win_rate_amount=0.0),
        ],
    )  # fmt: skip


def test_win_rate_by_quarter(constructor: Any) -> None:
    result = builtin.get("sales.win_rate", view="by_quarter").run(win_data(constructor))
    # Q4 2023: 6 lost. Q1 2024: won 1, 3, 4, 9; lost 2, 5: rate 4/6; won amount 1000 + 2000 +
    # 6000 = 9000 (4 has none), lost 3500: 9000 / 12500 = 0.72; average size 9000 / 3 = 3000,
    # median of 1000, 2000, 6000 = 2000; cycles 10, 21, 30, 19: mean 20, median (19 + 21) / 2
    # = 20. Q2: 10 won (3000, no cycle). Q3: 11 won (700, 34 d). No closed date: 12 lost.
    rows = [
        _closed(D(2023, 10, 1), 0, 1, win_rate=0.0, won_amount=0.0, lost_amount=1500.0,
                win_rate_amount=0.0),
        _closed(D(2024, 1, 1), 4, 2, win_rate=4 / 6, won_amount=9000.0, lost_amount=3500.0,
                win_rate_amount=0.72, avg_deal_size=3000.0, median_deal_size=2000.0,
                avg_cycle_days=20.0, median_cycle_days=20.0),
        _closed(D(2024, 4, 1), 1, 0, win_rate=1.0, won_amount=3000.0, lost_amount=0.0,
                win_rate_amount=1.0, avg_deal_size=3000.0, median_deal_size=3000.0),
        _closed(D(2024, 7, 1), 1, 0, win_rate=1.0, won_amount=700.0, lost_amount=0.0,
                win_rate_amount=1.0, avg_deal_size=700.0, median_deal_size=700.0,
                avg_cycle_days=34.0, median_cycle_days=34.0),
        _closed(None, 0, 1, win_rate=0.0, won_amount=0.0, lost_amount=800.0,
                win_rate_amount=0.0),
    ]  # fmt: skip
    assert_rows_equal(result, [{"quarter": r.pop("month"), **r} for r in rows])


def _window_row(key: str, value: Any, open_deals: int, won: int, lost: int, **values: Any) -> dict:
    row: dict[str, Any] = {key: value, "open_deals": open_deals, "won": won, "lost": lost}
    for name in (*WINDOW_MEASURES, "velocity"):
        row[name] = values.get(name)
    return row


def test_win_rate_by_owner_over_a_lookback_window(constructor: Any) -> None:
    report = builtin.get("sales.win_rate", view="by_owner", params={"lookback_days": 200})
    result = report.run(win_data(constructor), as_of=WIN_AS_OF)
    # Window: 0 <= Jun 30 - closed < 200 days: closed from 2023-12-13 through 2024-06-30. Out:
    # 6 (Nov 20, 223 days before), 11 (Jul 5, after as_of), 12 (no closed date).
    # ann: open 7; won 1 (1000, 10 d), 9 (6000, 19 d); lost 2 (3000), 5 (500): rate 0.5; by
    #   amount 7000 / 10500; size 3500 both; cycle 14.5 both;
    #   velocity 1 x 0.5 x 3500 / 14.5 per day.
    # bob: open 8; won 3 (2000, 21 d), 4 (no amount, 30 d); no loss: rate 1, by amount 1;
    #   size 2000; cycle 25.5 both; velocity 1 x 1 x 2000 / 25.5.
    # no owner: won 10 (3000, no cycle): rate 1; no open deal and no cycle: velocity null.
    # Highest win rate first; bob and no owner tie at 1, the null owner last.
    assert_rows_equal(
        result,
        [
            _window_row("owner", "bob", 1, 2, 0, win_rate=1.0, won_amount=2000.0,
                        lost_amount=0.0, win_rate_amount=1.0, avg_deal_size=2000.0,
                        median_deal_size=2000.0, avg_cycle_days=25.5, median_cycle_days=25.5,
                        velocity=2000 / 25.5),
            _window_row("owner", None, 0, 1, 0, win_rate=1.0, won_amount=3000.0,
                        lost_amount=0.0, win_rate_amount=1.0, avg_deal_size=3000.0,
                        median_deal_size=3000.0),
            _window_row("owner", "ann", 1, 2, 2, win_rate=0.5, won_amount=7000.0,
                        lost_amount=3500.0, win_rate_amount=7000 / 10500, avg_deal_size=3500.0,
                        median_deal_size=3500.0, avg_cycle_days=14.5, median_cycle_days=14.5,
                        velocity=0.5 * 3500 / 14.5),
        ],
    )  # fmt: skip


def test_win_rate_by_lead_source(constructor: Any) -> None:
    result = builtin.get("sales.win_rate", view="by_lead_source").run(
        win_data(constructor), as_of=WIN_AS_OF
    )
    # Default window 365 days: closed 2023-07-02 .. 2024-06-30, so 6 (Nov 20) is in.
    # web: open 7; won 1 (1000, 10 d), 4 (no amount, 30 d), 10 (3000, no cycle); lost 2 (3000):
    #   rate 3/4; by amount 4000 / 7000; size (1000 + 3000) / 2 = 2000 both; cycle 20 both;
    #   velocity 1 x 0.75 x 2000 / 20 = 75.
    # event: open 8; won 3 (2000, 21 d), 9 (6000, 19 d); lost 5 (500): rate 2/3; by amount
    #   8000 / 8500; size 4000 both; cycle 20 both; velocity 1 x 2/3 x 4000 / 20 = 133.33.
    # no source: lost 6 (1500): rate 0; velocity 0 x 0 x null / null = null.
    assert_rows_equal(
        result,
        [
            _window_row("lead_source", "web", 1, 3, 1, win_rate=0.75, won_amount=4000.0,
                        lost_amount=3000.0, win_rate_amount=4000 / 7000, avg_deal_size=2000.0,
                        median_deal_size=2000.0, avg_cycle_days=20.0, median_cycle_days=20.0,
                        velocity=75.0),
            _window_row("lead_source", "event", 1, 2, 1, win_rate=2 / 3, won_amount=8000.0,
                        lost_amount=500.0, win_rate_amount=8000 / 8500, avg_deal_size=4000.0,
                        median_deal_size=4000.0, avg_cycle_days=20.0, median_cycle_days=20.0,
                        velocity=2 / 3 * 4000 / 20),
            _window_row("lead_source", None, 0, 0, 1, win_rate=0.0, won_amount=0.0,
                        lost_amount=1500.0, win_rate_amount=0.0),
        ],
    )  # fmt: skip


VELOCITY = {
    # Default window (365 days through Jun 30): open 7, 8; won 1, 3, 4, 9, 10; lost 2, 5, 6.
    # Rate 5/8; won amount 1000 + 2000 + 6000 + 3000 = 12000 (4 has none), lost 3000 + 500 +
    # 1500 = 5000: 12000 / 17000; size 12000 / 4 = 3000, median of 1000, 2000, 3000, 6000 =
    # 2500; cycles 10, 21, 30, 19 (10 has none): mean 20, median (19 + 21) / 2 = 20.
    # Velocity 2 x 5/8 x 3000 / 20 = 187.5 per day.
    "open_deals": 2, "won": 5, "lost": 3, "win_rate": 0.625, "won_amount": 12000.0,
    "lost_amount": 5000.0, "win_rate_amount": 12000 / 17000, "avg_deal_size": 3000.0,
    "median_deal_size": 2500.0, "avg_cycle_days": 20.0, "median_cycle_days": 20.0,
    "velocity": 187.5,
}  # fmt: skip


def test_pipeline_velocity_kpi(constructor: Any) -> None:
    result = builtin.get("sales.win_rate", view="velocity").run(
        win_data(constructor), as_of=WIN_AS_OF
    )
    assert_rows_equal(result, [VELOCITY])
    assert result.chart().to_dict()  # the KPI draws


def test_win_rate_without_created_date_leaves_cycle_and_velocity_out(constructor: Any) -> None:
    data = {k: v for k, v in WIN.items() if k != "created_date"}
    result = builtin.get("sales.win_rate", view="velocity").run(
        win_data(constructor, data), as_of=WIN_AS_OF
    )
    kept = {k: v for k, v in VELOCITY.items() if "cycle" not in k and k != "velocity"}
    assert_rows_equal(result, [kept])
    assert result.notes == (
        "measure 'avg_cycle_days' left out: source 'opportunities' has no column 'created_date'",
        "measure 'median_cycle_days' left out: source 'opportunities' has no column 'created_date'",
        "measure 'velocity' left out: it is built on 'avg_cycle_days', left out",
        "the visual named a left-out measure; a default visual is drawn instead",
    )
    result.chart()


def test_win_rate_mapping_of_columns_and_stage_values(constructor: Any) -> None:
    renamed = {
        "id": WIN["opportunity_id"],
        "status": [{"won": "Closed Won", "lost": "Closed Lost"}.get(s, s) for s in WIN["stage"]],
        "value": WIN["amount"],
        "closed_on": WIN["closed_date"],
    }
    report = builtin.get(
        "sales.win_rate",
        view="by_quarter",
        columns={
            "opportunities": {"stage": "status", "amount": "value", "closed_date": "closed_on"}
        },
        values={"opportunities.stage": {"Closed Won": "won", "Closed Lost": "lost"}},
    )
    result = report.run({"opportunities": constructor(renamed, {"closed_on": pa.date32()})})
    # As in test_win_rate_by_quarter, without the cycles (no created_date).
    assert_rows_equal(
        result,
        [
            (D(2023, 10, 1), 0, 1, 0.0, 0.0, 1500.0, 0.0, None, None),
            (D(2024, 1, 1), 4, 2, 4 / 6, 9000.0, 3500.0, 0.72, 3000.0, 2000.0),
            (D(2024, 4, 1), 1, 0, 1.0, 3000.0, 0.0, 1.0, 3000.0, 3000.0),
            (D(2024, 7, 1), 1, 0, 1.0, 700.0, 0.0, 1.0, 700.0, 700.0),
            (None, 0, 1, 0.0, 0.0, 800.0, 0.0, None, None),
        ],
    )


def test_win_rate_without_closed_date_says_how_to_map_it() -> None:
    data = {k: v for k, v in WIN.items() if k != "closed_date"}
    with pytest.raises(SpecError) as info:
        builtin.get("sales.win_rate").run(win_data(lambda d, s=None: pa.table(d), data))
    message = str(info.value)
    assert "'closed_date'" in message
    assert "columns={'opportunities': {'closed_date': '<your column>'}}" in message


# --- sales.quota -----------------------------------------------------------------------------

# Orders: 4 is cancelled (not a sale), 9 is last year's, 7 is dan's (no target), 10 has no
# salesperson. Targets: ann Dec-Mar, bob Jan-Mar (March 0), cat Jan-Feb (no sales at all).
ORDERS = {
    "order_id": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    "order_date": [D(2024, 1, 5), D(2024, 1, 20), D(2024, 1, 25), D(2024, 1, 28), D(2024, 2, 3),
                   D(2024, 2, 10), D(2024, 2, 15), D(2024, 3, 2), D(2023, 12, 10),
                   D(2024, 2, 20)],
    "customer_id": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    "salesperson": ["ann", "ann", "bob", "bob", "ann", "bob", "dan", "ann", "ann", None],
    "amount": [100.0, 50.0, 80.0, 1000.0, 30.0, 120.0, 40.0, 200.0, 90.0, 10.0],
    "status": ["won", "won", "won", "cancelled", "won", "won", "won", "won", "won", "won"],
}  # fmt: skip
TARGETS = {
    "owner": ["ann", "ann", "ann", "ann", "bob", "bob", "bob", "cat", "cat"],
    "period": [D(2023, 12, 1), D(2024, 1, 1), D(2024, 2, 1), D(2024, 3, 1), D(2024, 1, 1),
               D(2024, 2, 1), D(2024, 3, 1), D(2024, 1, 1), D(2024, 2, 1)],
    "amount": [100.0, 120.0, 100.0, 150.0, 100.0, 100.0, 0.0, 50.0, 50.0],
    "team": ["East", "East", "East", "East", "West", "West", "West", "West", "West"],
}  # fmt: skip
QUOTA_AS_OF = "2024-03-15"
DEC, JAN, FEB, MAR = D(2023, 12, 1), D(2024, 1, 1), D(2024, 2, 1), D(2024, 3, 1)


def quota_data(
    constructor: Any,
    orders: dict[str, list[Any]] | None = None,
    targets: dict[str, list[Any]] | None = None,
) -> dict[str, Any]:
    orders = ORDERS if orders is None else orders
    targets = TARGETS if targets is None else targets
    return {
        "orders": constructor(
            orders, {"order_date": pa.date32()} if "order_date" in orders else {}
        ),
        "targets": constructor(targets, {"period": pa.date32()} if "period" in targets else {}),
    }


# Won revenue per salesperson and month: ann Dec 90, Jan 100 + 50 = 150, Feb 30, Mar 200;
# bob Jan 80 (order 4 is cancelled), Feb 120; dan Feb 40; no salesperson Feb 10.
QUOTA_MAIN = [
    # month, salesperson, actual, target, attainment, actual YTD, target YTD, attainment YTD,
    # pacing (as of Mar 15: Dec-Feb are over, pacing = attainment; March is 15/31 elapsed).
    (DEC, "ann", 90.0, 100.0, 0.9, 90.0, 100.0, 0.9, 0.9),
    # The year to date restarts in January.
    (JAN, "ann", 150.0, 120.0, 1.25, 150.0, 120.0, 1.25, 1.25),
    (JAN, "bob", 80.0, 100.0, 0.8, 80.0, 100.0, 0.8, 0.8),
    # cat: a target and no sales still shows: 0 of 50.
    (JAN, "cat", 0.0, 50.0, 0.0, 0.0, 50.0, 0.0, 0.0),
    # ann YTD Feb: (150 + 30) / (120 + 100) = 180 / 220, not the mean of 1.25 and 0.3.
    (FEB, "ann", 30.0, 100.0, 0.3, 180.0, 220.0, 180 / 220, 0.3),
    (FEB, "bob", 120.0, 100.0, 1.2, 200.0, 200.0, 1.0, 1.2),
    (FEB, "cat", 0.0, 50.0, 0.0, 0.0, 100.0, 0.0, 0.0),
    # dan and the order without a salesperson: no target, so no attainment (null, not 0).
    (FEB, "dan", 40.0, None, None, 40.0, None, None, None),
    (FEB, None, 10.0, None, None, 10.0, None, None, None),
    # ann Mar: 200 / 150; YTD 380 / 370; pacing 200 / (150 x 15/31).
    (MAR, "ann", 200.0, 150.0, 200 / 150, 380.0, 370.0, 380 / 370, 200 / (150 * 15 / 31)),
    # bob Mar: target 0: attainment and pacing null; YTD (80 + 120 + 0) / (100 + 100 + 0).
    (MAR, "bob", 0.0, 0.0, None, 200.0, 200.0, 1.0, None),
]


def test_quota_main_by_salesperson_and_month(constructor: Any) -> None:
    result = builtin.get("sales.quota").run(quota_data(constructor), as_of=QUOTA_AS_OF)
    assert_rows_equal(result, QUOTA_MAIN)
    assert result.notes == ()


def test_quota_by_team(constructor: Any) -> None:
    result = builtin.get("sales.quota", view="by_team").run(
        quota_data(constructor), as_of=QUOTA_AS_OF
    )
    # Teams from the targets: ann East; bob and cat West. dan (no target in Feb) and the order
    # without a salesperson have no team: 40 + 10 = 50 against no target (0): null attainment.
    # West Jan: bob 80 + cat 0 = 80 of 100 + 50 = 150. West Feb: 120 of 150; YTD 200 / 300.
    # West Mar: bob 0 of 0: null; YTD (80 + 120 + 0) / (150 + 150 + 0) = 200 / 300.
    assert_rows_equal(
        result,
        [
            (DEC, "East", 90.0, 100.0, 0.9, 90.0, 100.0, 0.9),
            (JAN, "East", 150.0, 120.0, 1.25, 150.0, 120.0, 1.25),
            (JAN, "West", 80.0, 150.0, 80 / 150, 80.0, 150.0, 80 / 150),
            (FEB, "East", 30.0, 100.0, 0.3, 180.0, 220.0, 180 / 220),
            (FEB, "West", 120.0, 150.0, 0.8, 200.0, 300.0, 200 / 300),
            (FEB, None, 50.0, 0.0, None, 50.0, 0.0, None),
            (MAR, "East", 200.0, 150.0, 200 / 150, 380.0, 370.0, 380 / 370),
            (MAR, "West", 0.0, 0.0, None, 200.0, 300.0, 200 / 300),
        ],
    )


def test_quota_share_of_reps_at_quota(constructor: Any) -> None:
    result = builtin.get("sales.quota", view="reps_at_quota").run(
        quota_data(constructor), as_of=QUOTA_AS_OF
    )
    # Per month, from the rows of QUOTA_MAIN: reps with a target above 0, those at >= 100%.
    # Dec: ann 0.9: 0 of 1. Jan: ann 1.25 (yes), bob 0.8, cat 0: 1 of 3; YTD the same.
    # Feb: ann 0.3, bob 1.2 (yes), cat 0; dan and no one have no target: 1 of 3. YTD: ann
    #   0.82, bob exactly 1.0 (counts), cat 0: 1 of 3.
    # Mar: ann 1.33 (yes); bob's target is 0, so he has none this month: 1 of 1. YTD: ann
    #   1.03 and bob 1.0 (YTD target 200): 2 of 2 (cat has no March row).
    assert_rows_equal(
        result,
        [
            (DEC, 1, 0, 0.0, 1, 0, 0.0),
            (JAN, 3, 1, 1 / 3, 3, 1, 1 / 3),
            (FEB, 3, 1, 1 / 3, 3, 1, 1 / 3),
            (MAR, 1, 1, 1.0, 2, 2, 1.0),
        ],
    )


def test_quota_without_status_counts_every_order(constructor: Any) -> None:
    orders = {k: v for k, v in ORDERS.items() if k != "status"}
    result = builtin.get("sales.quota").run(quota_data(constructor, orders), as_of=QUOTA_AS_OF)
    # The cancelled order 4 (bob, Jan, 1000) now counts: bob Jan 1080 / 100, YTD Feb
    # (1080 + 120) / 200 = 6, Mar 1200 / 200 = 6; every other row is as in QUOTA_MAIN.
    expected = list(QUOTA_MAIN)
    expected[2] = (JAN, "bob", 1080.0, 100.0, 10.8, 1080.0, 100.0, 10.8, 10.8)
    expected[5] = (FEB, "bob", 120.0, 100.0, 1.2, 1200.0, 200.0, 6.0, 1.2)
    expected[10] = (MAR, "bob", 0.0, 0.0, None, 1200.0, 200.0, 6.0, None)
    assert_rows_equal(result, expected)
    assert result.notes == (
        "rollup 'rep_month_sales': filter 1 skipped: source 'orders' has no column 'status'",
    )


def test_quota_mapping_per_table(constructor: Any) -> None:
    # Both tables have an `amount`; each is mapped on its own table.
    orders = {**ORDERS, "rep": ORDERS["salesperson"], "total": ORDERS["amount"]}
    orders = {k: v for k, v in orders.items() if k not in ("salesperson", "amount")}
    orders["status"] = ["Closed" if s == "won" else "Void" for s in ORDERS["status"]]
    targets = {"rep_name": TARGETS["owner"], "month_start": TARGETS["period"],
               "quota": TARGETS["amount"]}  # fmt: skip
    report = builtin.get(
        "sales.quota",
        columns={
            "orders": {"salesperson": "rep", "amount": "total"},
            "targets": {"owner": "rep_name", "period": "month_start", "amount": "quota"},
        },
        values={"orders.status": {"Closed": "won", "Void": "cancelled"}},
    )
    frames = {
        "orders": constructor(orders, {"order_date": pa.date32()}),
        "targets": constructor(targets, {"month_start": pa.date32()}),
    }
    assert_rows_equal(report.run(frames, as_of=QUOTA_AS_OF), QUOTA_MAIN)


def test_quota_without_salesperson_says_how_to_map_it() -> None:
    orders = {k: v for k, v in ORDERS.items() if k != "salesperson"}
    with pytest.raises(SpecError) as info:
        builtin.get("sales.quota").run(quota_data(lambda d, s=None: pa.table(d), orders))
    message = str(info.value)
    assert "'salesperson'" in message
    assert "columns={'orders': {'salesperson': '<your column>'}}" in message


def test_quota_by_team_without_team_says_how_to_map_it() -> None:
    targets = {k: v for k, v in TARGETS.items() if k != "team"}
    with pytest.raises(SpecError) as info:
        builtin.get("sales.quota", view="by_team").run(
            quota_data(lambda d, s=None: pa.table(d), targets=targets)
        )
    message = str(info.value)
    assert "'team'" in message
    assert "columns={'targets': {'team': '<your column>'}}" in message


def test_quota_without_target_period_says_how_to_map_it() -> None:
    targets = {k: v for k, v in TARGETS.items() if k != "period"}
    with pytest.raises(SpecError) as info:
        builtin.get("sales.quota").run(quota_data(lambda d, s=None: pa.table(d), targets=targets))
    # One problem (the pacing measure built on the target is not reported again).
    assert [p.path for p in info.value.problems] == ["measures[1].match"]
    assert "columns={'targets': {'period': '<your column>'}}" in str(info.value)
