"""The built-in marketing reports: campaign ROI, channels, leads and engagement.

Every expected value is worked out by hand in the comments from the small tables below, and
checked on every input backend. Nothing here is derived from the code under test. That every
view runs and draws on the synthetic data is checked in test_catalog.py.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

import pandas as pd
import pyarrow as pa
import pytest

from crmreports import DataError, SpecError, builtin
from tests.helpers import assert_rows_equal, frame_to_rows, run_builtin

D = dt.date

# --- the data ----------------------------------------------------------------------------------

# Five campaigns. Cost: 1 100, 2 400, 3 0 (free), 4 unknown, 5 200. Campaign 2 reports no message
# counts; campaign 4 reports no clicks.
CAMPAIGNS = {
    "campaign_id": [1, 2, 3, 4, 5],
    "name": ["Spring email", "Spring search", "Summer email", "Webinar", "Autumn search"],
    "channel": ["email", "search", "email", "events", "search"],
    "start_date": [D(2024, 3, 1), D(2024, 3, 5), D(2024, 6, 1), D(2023, 11, 1), D(2023, 9, 1)],
    "cost": [100.0, 400.0, 0.0, None, 200.0],
    "sent": [1000, None, 200, 50, 500],
    "delivered": [900, None, 100, 40, 500],
    "opens": [90, None, 50, 20, 100],
    "clicks": [9, None, 10, None, 25],
}  # fmt: skip
CAMPAIGNS_SCHEMA = {
    "start_date": pa.date32(),
    "cost": pa.float64(),
    "sent": pa.int64(),
    "delivered": pa.int64(),
    "opens": pa.int64(),
    "clicks": pa.int64(),
}

# Order 2 has two lines (30 + 20) for campaign 1; order 3 is lost; order 7 has no campaign;
# order 8 names campaign 9, which is not in the campaigns table. Campaign 5 has no order.
ORDERS = {
    "order_id": [1, 2, 2, 3, 4, 5, 6, 7, 8],
    "order_date": [D(2024, 3, 2), D(2024, 3, 9), D(2024, 3, 9), D(2024, 3, 10), D(2024, 3, 20),
                   D(2024, 6, 5), D(2023, 11, 9), D(2024, 4, 1), D(2024, 4, 2)],
    "customer_id": ["A", "B", "B", "C", "A", "D", "E", "F", "G"],
    "amount": [150.0, 30.0, 20.0, 999.0, 300.0, 80.0, 500.0, 1000.0, 70.0],
    "status": ["won", "won", "won", "lost", "won", "won", "won", "won", "won"],
    "campaign_id": [1, 1, 1, 1, 2, 3, 4, None, 9],
}  # fmt: skip
ORDERS_SCHEMA = {"order_date": pa.date32(), "campaign_id": pa.int64()}

# Eight leads, none created in February 2024. Lead 6 names campaign 9 (not in campaigns); lead 7
# converted in April but was created in March.
LEADS = {
    "lead_id": [1, 2, 3, 4, 5, 6, 7, 8],
    "created_date": [D(2024, 1, 5), D(2024, 1, 10), D(2024, 1, 15), D(2024, 1, 31),
                     D(2024, 3, 2), D(2024, 3, 15), D(2024, 3, 20), D(2024, 3, 28)],
    "source": ["search", "search", "email", "email", "social", "search", "referral", "email"],
    "campaign_id": [2, 2, 1, None, None, 9, None, 1],
    "status": ["converted", "disqualified", "converted", "working", "converted", "new",
               "converted", "qualified"],
    "score": [85.0, 15.0, 60.0, 40.0, 80.0, None, 20.0, 79.5],
    "grade": ["A", "D", "B", "C", "A", None, "C", "B"],
    "converted_date": [D(2024, 1, 20), None, D(2024, 2, 1), None, D(2024, 3, 10), None,
                       D(2024, 4, 2), None],
}  # fmt: skip
LEADS_SCHEMA = {
    "created_date": pa.date32(),
    "converted_date": pa.date32(),
    "campaign_id": pa.int64(),
    "score": pa.float64(),
}

# Lead 1: won. Lead 3: lost. Lead 5: two won deals (counts once). Lead 7: still open.
# Lead 8 has a won deal but no converted_date (not counted as won). Deal 105 has no lead.
OPPORTUNITIES = {
    "opportunity_id": [101, 102, 103, 104, 105, 106, 107],
    "stage": ["won", "lost", "won", "won", "won", "won", "negotiation"],
    "lead_id": [1, 3, 5, 5, None, 8, 7],
    "amount": [1000.0, 500.0, 700.0, 300.0, 900.0, 100.0, 400.0],
}
OPPORTUNITIES_SCHEMA = {"lead_id": pa.int64()}

# Campaign 1: A twice (one opened and clicked), B opened, C bounced, D responded with delivery
# unknown (null). Campaign 2: A not opened, E opened and responded. Campaign 3: A, bounced.
# Campaign 9 is not in the campaigns table.
TOUCHES = {
    "touch_id": [1, 2, 3, 4, 5, 6, 7, 8, 9],
    "campaign_id": [1, 1, 1, 1, 1, 2, 2, 3, 9],
    "customer_id": ["A", "A", "B", "C", "D", "A", "E", "A", "G"],
    "delivered": [True, True, True, False, None, True, True, False, True],
    "opened": [True, False, True, False, None, False, True, False, False],
    "clicked": [True, False, False, False, None, False, False, False, False],
    "responded": [False, False, False, False, True, False, True, False, False],
}  # fmt: skip
TOUCHES_SCHEMA = {
    "delivered": pa.bool_(),
    "opened": pa.bool_(),
    "clicked": pa.bool_(),
    "responded": pa.bool_(),
}


# Edge cases of missing columns run on one input computed by DuckDB (pandas) and one computed by
# polars; the reports' numbers are checked on every backend above them.
ON_BOTH_ENGINES = pytest.mark.parametrize("constructor", ["pandas", "polars"], indirect=True)


def _drop(data: dict, *columns: str) -> dict:
    return {k: v for k, v in data.items() if k not in columns}


def _schema(schema: dict, data: dict) -> dict:
    return {k: v for k, v in schema.items() if k in data}


ROI, CHANNELS = "marketing.campaign_roi", "marketing.channels"
LEADS_REPORT, ENGAGEMENT = "marketing.leads", "marketing.engagement"
READS = {
    ROI: ("campaigns", "orders"),
    CHANNELS: ("leads", "opportunities", "campaigns"),
    LEADS_REPORT: ("leads", "opportunities", "campaigns"),
    ENGAGEMENT: ("touches", "campaigns"),
}


def tables(constructor, report: str, **replaced) -> dict:
    """The fixture tables `report` reads, on `constructor`'s backend; `replaced` swaps (or, with
    None, drops) tables, given as plain dicts."""
    base = {
        "campaigns": (CAMPAIGNS, CAMPAIGNS_SCHEMA),
        "orders": (ORDERS, ORDERS_SCHEMA),
        "leads": (LEADS, LEADS_SCHEMA),
        "opportunities": (OPPORTUNITIES, OPPORTUNITIES_SCHEMA),
        "touches": (TOUCHES, TOUCHES_SCHEMA),
    }
    out = {}
    for name in READS[report]:
        data, schema = base[name]
        if name in replaced:
            if replaced[name] is None:
                continue
            data = replaced[name]
        out[name] = constructor(data, _schema(schema, data))
    return out


def frame_rows(result) -> list[dict]:
    return frame_to_rows(result)


run = partial(run_builtin, as_of="2024-12-31")


# --- marketing.campaign_roi -------------------------------------------------------------------

ROI_NOTES = (
    # orders 1, 2, 2, 4, 5, 6 and 8 are won and name a campaign; 8's campaign 9 is unknown.
    "rollup 'attributed_orders': 1 of the 7 rows of orders find no match in campaigns "
    "(campaign_id); they are grouped as 'not in campaigns'",
    # campaign 5 has no attributed order.
    "rollup 'per_campaign': 1 of the 5 rows of campaigns find no match in attributed_orders "
    "(campaign_id); they are grouped as 'no attributed orders'",
)


def test_campaign_roi_per_campaign(constructor) -> None:
    result = run(ROI, tables(constructor, ROI))
    # Won orders per campaign: 1: 150 + 30 + 20 = 200 (orders 1 and 2; the lost 999 is out);
    # 2: 300; 3: 80; 4: 500; 5: none -> 0. Orders 7 (no campaign) and 8 (campaign 9) are in no row.
    # ROI = (revenue - cost) / cost, ROAS = revenue / cost:
    #   1: (200 - 100) / 100 = 1.0, 2.0      2: (300 - 400) / 400 = -0.25, 0.75
    #   5: (0 - 200) / 200 = -1.0, 0.0       3: cost 0 -> null, null   4: cost unknown -> null
    # Best ROI first; the null ROIs last, by campaign_id.
    assert_rows_equal(
        result,
        [
            {"campaign_id": 1, "campaign": "Spring email", "cost": 100.0, "revenue": 200.0,
             "orders": 2, "roi": 1.0, "roas": 2.0},
            {"campaign_id": 2, "campaign": "Spring search", "cost": 400.0, "revenue": 300.0,
             "orders": 1, "roi": -0.25, "roas": 0.75},
            {"campaign_id": 5, "campaign": "Autumn search", "cost": 200.0, "revenue": 0.0,
             "orders": 0, "roi": -1.0, "roas": 0.0},
            {"campaign_id": 3, "campaign": "Summer email", "cost": 0.0, "revenue": 80.0,
             "orders": 1, "roi": None, "roas": None},
            {"campaign_id": 4, "campaign": "Webinar", "cost": None, "revenue": 500.0,
             "orders": 1, "roi": None, "roas": None},
        ],
    )  # fmt: skip
    assert result.notes == ROI_NOTES


def test_campaign_roi_by_channel(constructor) -> None:
    result = run(ROI, tables(constructor, ROI), view="by_channel")
    # email: campaigns 1 and 3, cost 100 + 0 = 100, revenue 200 + 80 = 280, orders 2 + 1 = 3,
    #   ROI (280 - 100) / 100 = 1.8 (not the mean of 1.0 and null), ROAS 2.8.
    # events: campaign 4 of unknown cost: cost adds nothing (0), revenue 500, ROI/ROAS null.
    # search: campaigns 2 and 5, cost 600, revenue 300 + 0, orders 1, ROI -0.5, ROAS 0.5.
    # Most revenue first; the total: 5 campaigns, 1 without cost -> ROI/ROAS null,
    # cost 700, revenue 1080, orders 5.
    assert_rows_equal(
        result,
        [
            {"channel": "events", "campaigns": 1, "campaigns_without_cost": 1, "cost": 0.0,
             "revenue": 500.0, "orders": 1, "roi": None, "roas": None, "row_type": "detail"},
            {"channel": "search", "campaigns": 2, "campaigns_without_cost": 0, "cost": 600.0,
             "revenue": 300.0, "orders": 1, "roi": -0.5, "roas": 0.5, "row_type": "detail"},
            {"channel": "email", "campaigns": 2, "campaigns_without_cost": 0, "cost": 100.0,
             "revenue": 280.0, "orders": 3, "roi": 1.8, "roas": 2.8, "row_type": "detail"},
            {"channel": None, "campaigns": 5, "campaigns_without_cost": 1, "cost": 700.0,
             "revenue": 1080.0, "orders": 5, "roi": None, "roas": None, "row_type": "total"},
        ],
    )  # fmt: skip


@ON_BOTH_ENGINES
def test_campaign_roi_without_status_counts_every_order(constructor) -> None:
    data = tables(constructor, ROI, orders=_drop(ORDERS, "status"))
    result = run(ROI, data)
    # Without status the lost order 3 (999) is a sale too: campaign 1 has 200 + 999 = 1199 over
    # orders 1, 2 and 3, ROI (1199 - 100) / 100 = 10.99, ROAS 11.99. The others are unchanged.
    assert_rows_equal(
        frame_rows(result)[:1],
        [{"campaign_id": 1, "campaign": "Spring email", "cost": 100.0, "revenue": 1199.0,
          "orders": 3, "roi": 10.99, "roas": 11.99}],
    )  # fmt: skip
    assert (
        result.notes[0]
        == "rollup 'attributed_orders': filter 1 skipped: source 'orders' has no column 'status'"
    )


@ON_BOTH_ENGINES
def test_campaign_roi_without_cost_leaves_roi_out(constructor) -> None:
    data = tables(constructor, ROI, campaigns=_drop(CAMPAIGNS, "cost"))
    result = run(ROI, data)
    assert_rows_equal(
        result,
        [
            {"campaign_id": 1, "campaign": "Spring email", "revenue": 200.0, "orders": 2},
            {"campaign_id": 2, "campaign": "Spring search", "revenue": 300.0, "orders": 1},
            {"campaign_id": 3, "campaign": "Summer email", "revenue": 80.0, "orders": 1},
            {"campaign_id": 4, "campaign": "Webinar", "revenue": 500.0, "orders": 1},
            {"campaign_id": 5, "campaign": "Autumn search", "revenue": 0.0, "orders": 0},
        ],
    )
    assert result.notes == (
        ROI_NOTES[0],
        "rollup 'per_campaign': measure 'cost' left out: source 'campaigns' has no column 'cost'",
        ROI_NOTES[1],
        "measure 'cost' left out: source 'per_campaign' has no column 'cost'",
        "measure 'roi' left out: it is built on 'cost', left out",
        "measure 'roas' left out: it is built on 'cost', left out",
        "the visual named a left-out measure; a default visual is drawn instead",
    )


def test_campaign_roi_refuses_a_duplicated_campaign() -> None:
    # Campaign 1 listed twice would attach its revenue to two rows (counted twice by channel).
    campaigns = pd.concat([pd.DataFrame(CAMPAIGNS), pd.DataFrame(CAMPAIGNS).head(1)])
    data = {"campaigns": campaigns, "orders": pd.DataFrame(ORDERS)}
    with pytest.raises(DataError, match="appearing more than once in campaign_id"):
        builtin.get("marketing.campaign_roi", view="by_channel").run(data)


def test_campaign_roi_mapped_columns_and_values(constructor) -> None:
    campaigns = {
        "id": CAMPAIGNS["campaign_id"],
        "title": CAMPAIGNS["name"],
        "medium": CAMPAIGNS["channel"],
        "spend": CAMPAIGNS["cost"],
    }
    orders = {
        "order_no": ORDERS["order_id"],
        "order_date": ORDERS["order_date"],
        "customer_id": ORDERS["customer_id"],
        "total": ORDERS["amount"],
        "state": ["Closed Won" if s == "won" else "Closed Lost" for s in ORDERS["status"]],
        "utm_campaign": ORDERS["campaign_id"],
    }
    data = {
        "campaigns": constructor(campaigns, {"spend": pa.float64()}),
        "orders": constructor(orders, {"order_date": pa.date32(), "utm_campaign": pa.int64()}),
    }
    result = run(
        ROI,
        data,
        view="by_channel",
        columns={
            "campaigns": {"campaign_id": "id", "name": "title", "channel": "medium",
                          "cost": "spend"},
            "orders": {"order_id": "order_no", "amount": "total", "status": "state",
                       "campaign_id": "utm_campaign"},
        },
        values={"orders.status": {"Closed Won": "won", "Closed Lost": "lost"}},
    )  # fmt: skip
    # The same numbers as test_campaign_roi_by_channel: the lost order is recoded and left out.
    assert [(r["channel"], r["revenue"], r["roi"]) for r in frame_rows(result)] == [
        ("events", 500.0, None),
        ("search", 300.0, -0.5),
        ("email", 280.0, pytest.approx(1.8)),
        (None, 1080.0, None),
    ]


def test_campaign_roi_missing_required_column_says_how_to_map() -> None:
    data = {
        "campaigns": pd.DataFrame(CAMPAIGNS),
        "orders": pd.DataFrame(_drop(ORDERS, "campaign_id")),
    }
    with pytest.raises(SpecError) as info:
        builtin.get("marketing.campaign_roi").run(data)
    message = str(info.value)
    assert "'campaign_id'" in message
    assert "builtin.get(..., columns={'orders': {'campaign_id': '<your column>'}})" in message


# --- marketing.channels -----------------------------------------------------------------------

# won_opportunities holds leads 1, 5 and 8; the other five leads find no match in it.
WON_NOTE = (
    "5 of the 8 rows of leads find no match in won_opportunities (lead_id); they are grouped as "
    "'not won'"
)


def test_channels(constructor) -> None:
    result = run(CHANNELS, tables(constructor, CHANNELS))
    # email: leads 3, 4, 8 -> 3; converted: 3 -> 1 (1/3); won: lead 3's deal is lost -> 0;
    #   cost: campaigns 1 and 3 = 100 + 0 = 100; per lead 100 / 3; CAC 100 / 0 -> null.
    # search: leads 1, 2, 6 -> 3; converted: 1 -> 1 (1/3); won: lead 1 -> 1;
    #   cost 400 + 200 = 600; per lead 200; CAC 600.
    # referral: lead 7, converted, deal open -> won 0; no campaign: cost unknown -> null (and
    #   no campaign to count without cost: null).
    # social: lead 5, converted, two won deals -> 1 customer; no campaign -> cost null.
    # events: no lead, campaign 4 of unknown cost: leads 0, cost 0 (nothing known adds up),
    #   1 campaign without cost, rates null. Most leads first, ties by channel.
    assert_rows_equal(
        result,
        [
            {"channel": "email", "leads": 3, "conversions": 1, "conversion_rate": 1 / 3,
             "customers_won": 0, "cost": 100.0, "campaigns_without_cost": 0,
             "cost_per_lead": 100 / 3, "cac": None},
            {"channel": "search", "leads": 3, "conversions": 1, "conversion_rate": 1 / 3,
             "customers_won": 1, "cost": 600.0, "campaigns_without_cost": 0,
             "cost_per_lead": 200.0, "cac": 600.0},
            {"channel": "referral", "leads": 1, "conversions": 1, "conversion_rate": 1.0,
             "customers_won": 0, "cost": None, "campaigns_without_cost": None,
             "cost_per_lead": None, "cac": None},
            {"channel": "social", "leads": 1, "conversions": 1, "conversion_rate": 1.0,
             "customers_won": 1, "cost": None, "campaigns_without_cost": None,
             "cost_per_lead": None, "cac": None},
            {"channel": "events", "leads": 0, "conversions": 0, "conversion_rate": None,
             "customers_won": 0, "cost": 0.0, "campaigns_without_cost": 1,
             "cost_per_lead": None, "cac": None},
        ],
    )  # fmt: skip
    assert result.notes == (WON_NOTE,)


def test_channels_by_year(constructor) -> None:
    result = run(CHANNELS, tables(constructor, CHANNELS), view="by_year")
    # All leads are of 2024. Campaign cost by start year: 2023: events (campaign 4, unknown
    # cost -> 0) and search (campaign 5, 200); 2024: email 100 + 0 = 100, search 400 (campaign 2).
    # 2024 search: 3 leads, cost 400 -> 400 / 3 per lead, CAC 400 / 1. The leads begin in
    # 2024: for 2023 they have no data (null, not 0 leads).
    assert_rows_equal(
        result,
        [
            {"year": D(2023, 1, 1), "channel": "events", "leads": None, "conversions": None,
             "conversion_rate": None, "customers_won": None, "cost": 0.0,
             "campaigns_without_cost": 1, "cost_per_lead": None, "cac": None},
            {"year": D(2023, 1, 1), "channel": "search", "leads": None, "conversions": None,
             "conversion_rate": None, "customers_won": None, "cost": 200.0,
             "campaigns_without_cost": 0, "cost_per_lead": None, "cac": None},
            {"year": D(2024, 1, 1), "channel": "email", "leads": 3, "conversions": 1,
             "conversion_rate": 1 / 3, "customers_won": 0, "cost": 100.0,
             "campaigns_without_cost": 0, "cost_per_lead": 100 / 3, "cac": None},
            {"year": D(2024, 1, 1), "channel": "referral", "leads": 1, "conversions": 1,
             "conversion_rate": 1.0, "customers_won": 0, "cost": None,
             "campaigns_without_cost": None, "cost_per_lead": None, "cac": None},
            {"year": D(2024, 1, 1), "channel": "search", "leads": 3, "conversions": 1,
             "conversion_rate": 1 / 3, "customers_won": 1, "cost": 400.0,
             "campaigns_without_cost": 0, "cost_per_lead": 400 / 3, "cac": 400.0},
            {"year": D(2024, 1, 1), "channel": "social", "leads": 1, "conversions": 1,
             "conversion_rate": 1.0, "customers_won": 1, "cost": None,
             "campaigns_without_cost": None, "cost_per_lead": None, "cac": None},
        ],
    )  # fmt: skip


@ON_BOTH_ENGINES
def test_channels_without_campaigns_or_converted_date(constructor) -> None:
    data = tables(constructor, CHANNELS, campaigns=None, leads=_drop(LEADS, "converted_date"))
    result = run(CHANNELS, data)
    # Only leads are left: email 3, search 3, referral 1, social 1.
    assert_rows_equal(
        result,
        [
            {"channel": "email", "leads": 3},
            {"channel": "search", "leads": 3},
            {"channel": "referral", "leads": 1},
            {"channel": "social", "leads": 1},
        ],
    )
    # customers_won goes too, so no lead is looked up in won_opportunities (no note about it).
    assert result.notes == (
        "measure 'conversions' left out: source 'leads' has no column 'converted_date'",
        "measure 'customers_won' left out: source 'leads' has no column 'converted_date'",
        "measure 'cost' left out: the data has no source 'campaigns'",
        "measure 'campaigns_without_cost' left out: the data has no source 'campaigns'",
        "measure 'conversion_rate' left out: it is built on 'conversions', left out",
        "measure 'cost_per_lead' left out: it is built on 'cost' and 'campaigns_without_cost', "
        "left out",
        "measure 'cac' left out: it is built on 'customers_won', 'cost' and "
        "'campaigns_without_cost', left out",
    )


@ON_BOTH_ENGINES
def test_channels_cost_is_unknown_when_a_campaign_has_no_cost(constructor) -> None:
    leads = {
        "lead_id": [1, 2, 3, 4],
        "created_date": [D(2024, 5, 1)] * 4,
        "source": ["events", "events", "search", "search"],
        "converted_date": [D(2024, 5, 2), None, D(2024, 5, 3), None],
    }
    campaigns = {"campaign_id": [1, 2, 3], "channel": ["events", "events", "search"],
                 "cost": [100.0, None, 100.0]}  # fmt: skip
    opportunities = {"opportunity_id": [1, 2], "stage": ["won", "won"], "lead_id": [1, 3]}
    data = {
        "leads": constructor(leads, {"created_date": pa.date32(), "converted_date": pa.date32()}),
        "campaigns": constructor(campaigns),
        "opportunities": constructor(opportunities),
    }
    result = run(CHANNELS, data)
    # events: 2 leads, 1 won; the known cost is 100 but campaign 2's is unknown, so cost per
    # lead and per customer are null (not 100 / 2 and 100 / 1). search: 100 / 2 = 50, 100 / 1.
    assert_rows_equal(
        result,
        [
            {"channel": "events", "leads": 2, "conversions": 1, "conversion_rate": 0.5,
             "customers_won": 1, "cost": 100.0, "campaigns_without_cost": 1,
             "cost_per_lead": None, "cac": None},
            {"channel": "search", "leads": 2, "conversions": 1, "conversion_rate": 0.5,
             "customers_won": 1, "cost": 100.0, "campaigns_without_cost": 0,
             "cost_per_lead": 50.0, "cac": 100.0},
        ],
    )  # fmt: skip


def test_channels_mapped_columns_and_values(constructor) -> None:
    # The user's lead sources and campaign media use other words for the same channels.
    words = {"search": "Paid Search", "email": "Newsletter", "social": "Social",
             "referral": "Referral", "events": "Events"}  # fmt: skip
    leads = {**_drop(LEADS, "source"), "origin": [words[s] for s in LEADS["source"]]}
    campaigns = {**_drop(CAMPAIGNS, "channel"), "medium": [words[c] for c in CAMPAIGNS["channel"]]}
    back = {v: k for k, v in words.items()}
    data = tables(constructor, CHANNELS, leads=leads, campaigns=campaigns)
    result = run(
        CHANNELS,
        data,
        columns={"leads.source": "origin", "campaigns.channel": "medium"},
        values={"leads.source": back, "campaigns.channel": back},
    )
    # The same rows as test_channels.
    assert [(r["channel"], r["leads"], r["cost"]) for r in frame_rows(result)] == [
        ("email", 3, 100.0),
        ("search", 3, 600.0),
        ("referral", 1, None),
        ("social", 1, None),
        ("events", 0, 0.0),
    ]


def test_channels_needs_the_lead_link_of_opportunities() -> None:
    data = {
        "leads": pd.DataFrame(LEADS),
        "opportunities": pd.DataFrame(_drop(OPPORTUNITIES, "lead_id")),
    }
    with pytest.raises(SpecError) as info:
        builtin.get("marketing.channels").run(data)
    message = str(info.value)
    assert "'lead_id'" in message
    assert "builtin.get(..., columns={'opportunities': {'lead_id': '<your column>'}})" in message


# --- marketing.leads --------------------------------------------------------------------------


def test_leads_by_month_and_source(constructor) -> None:
    result = run(LEADS_REPORT, tables(constructor, LEADS_REPORT))

    # January: email leads 3, 4 (3 converted), search 1, 2 (1 converted). February: no leads,
    # every source 0 with a null rate. March: email 8 (not converted), referral 7 (converted in
    # April, counted with its March creation), search 6, social 5 (converted).
    # Every month is listed for every source (the time axis is completed).
    def row(month, source, leads, converted, rate):
        return {"month": D(2024, month, 1), "source": source, "leads": leads,
                "converted": converted, "conversion_rate": rate}  # fmt: skip

    assert_rows_equal(
        result,
        [
            row(1, "email", 2, 1, 0.5),
            row(1, "referral", 0, 0, None),
            row(1, "search", 2, 1, 0.5),
            row(1, "social", 0, 0, None),
            row(2, "email", 0, 0, None),
            row(2, "referral", 0, 0, None),
            row(2, "search", 0, 0, None),
            row(2, "social", 0, 0, None),
            row(3, "email", 1, 0, 0.0),
            row(3, "referral", 1, 1, 1.0),
            row(3, "search", 1, 0, 0.0),
            row(3, "social", 1, 1, 1.0),
        ],
    )
    assert result.notes == ()


def test_leads_by_campaign(constructor) -> None:
    result = run(LEADS_REPORT, tables(constructor, LEADS_REPORT), view="by_campaign")

    # Leads with a campaign: 1, 2 (Spring search), 3, 8 (Spring email), 6 (campaign 9: unknown).
    # January: Spring email lead 3 (converted); Spring search leads 1 (converted) and 2.
    # March: Spring email lead 8; unknown lead 6. February empty.
    def row(month, campaign, leads, converted, rate):
        return {"month": D(2024, month, 1), "campaign": campaign, "leads": leads,
                "converted": converted, "conversion_rate": rate}  # fmt: skip

    assert_rows_equal(
        result,
        [
            row(1, "Spring email", 1, 1, 1.0),
            row(1, "Spring search", 2, 1, 0.5),
            row(1, "unknown", 0, 0, None),
            row(2, "Spring email", 0, 0, None),
            row(2, "Spring search", 0, 0, None),
            row(2, "unknown", 0, 0, None),
            row(3, "Spring email", 1, 0, 0.0),
            row(3, "Spring search", 0, 0, None),
            row(3, "unknown", 1, 0, 0.0),
        ],
    )
    assert result.notes == (
        "1 of the 5 rows of leads find no match in campaigns (campaign_id); they are grouped "
        "as 'unknown'",
    )


def test_leads_by_campaign_folds_the_rest_into_other() -> None:
    # Ten campaigns: campaign k has k leads (55 in all). The 8 largest (3..10) are shown; 1 and 2
    # are Other with 1 + 2 = 3 leads.
    ids = [k for k in range(1, 11) for _ in range(k)]
    leads = pd.DataFrame(
        {
            "lead_id": range(len(ids)),
            "created_date": [D(2024, 5, 1)] * len(ids),
            "campaign_id": ids,
            "converted_date": [None] * len(ids),
        }
    )
    campaigns = pd.DataFrame(
        {"campaign_id": range(1, 11), "name": [f"C{k:02d}" for k in range(1, 11)]}
    )
    result = builtin.get("marketing.leads", view="by_campaign").run(
        {"leads": leads, "campaigns": campaigns}
    )
    rows = frame_rows(result)
    assert [(r["campaign"], r["leads"]) for r in rows] == [
        *[(f"C{k:02d}", k) for k in range(3, 11)],
        ("Other", 3),
    ]


def test_leads_by_score(constructor) -> None:
    result = run(LEADS_REPORT, tables(constructor, LEADS_REPORT), view="by_score")

    # Scores: 85 (1), 15 (2), 60 (3), 40 (4), 80 (5), null (6), 20 (7), 79.5 (8); 8 leads.
    # A band holds its lower bound: 20 is in 20-40, 40 in 40-60, 80 in 80-100.
    # 0-20: lead 2. 20-40: lead 7 (converted). 40-60: lead 4. 60-80: leads 3 (converted) and 8,
    # average (60 + 79.5) / 2 = 69.75. 80-100: leads 1 and 5 (both converted), average 82.5.
    # No score: lead 6, its own group, in the total of the shares.
    def row(band, leads, converted, avg):
        return {"score_band": band, "leads": leads, "lead_share": leads / 8,
                "converted": converted, "conversion_rate": converted / leads,
                "avg_score": avg}  # fmt: skip

    assert_rows_equal(
        result,
        [
            row("0-20", 1, 0, 15.0),
            row("20-40", 1, 1, 20.0),
            row("40-60", 1, 0, 40.0),
            row("60-80", 2, 1, 69.75),
            row("80-100", 2, 2, 82.5),
            row(None, 1, 0, None),
        ],
    )


def test_leads_by_grade(constructor) -> None:
    result = run(LEADS_REPORT, tables(constructor, LEADS_REPORT), view="by_grade")
    # A: 1, 5 (both converted). B: 3 (converted), 8. C: 4, 7 (converted). D: 2. No grade: 6.
    assert_rows_equal(
        result,
        [
            {"grade": "A", "leads": 2, "lead_share": 0.25, "converted": 2, "conversion_rate": 1.0},
            {"grade": "B", "leads": 2, "lead_share": 0.25, "converted": 1, "conversion_rate": 0.5},
            {"grade": "C", "leads": 2, "lead_share": 0.25, "converted": 1, "conversion_rate": 0.5},
            {"grade": "D", "leads": 1, "lead_share": 0.125, "converted": 0,
             "conversion_rate": 0.0},
            {"grade": None, "leads": 1, "lead_share": 0.125, "converted": 0,
             "conversion_rate": 0.0},
        ],
    )  # fmt: skip


@ON_BOTH_ENGINES
def test_leads_by_grade_without_converted_date(constructor) -> None:
    # Without converted_date, conversions and their rate are left out with a note.
    data = tables(constructor, LEADS_REPORT, leads=_drop(LEADS, "converted_date"))
    result = run(LEADS_REPORT, data, view="by_grade")
    assert [r["leads"] for r in frame_rows(result)] == [2, 2, 2, 1, 1]
    assert result.notes == (
        "measure 'converted' left out: source 'leads' has no column 'converted_date'",
        "measure 'conversion_rate' left out: it is built on 'converted', left out",
    )


def test_leads_funnel(constructor) -> None:
    result = run(LEADS_REPORT, tables(constructor, LEADS_REPORT), view="funnel")
    # 8 leads; converted: 1, 3, 5, 7 -> 4; won among them: 1 (deal 101) and 5 (deals 103 and 104,
    # counted once) -> 2. Lead 8's won deal does not count (never converted), lead 3's deal is
    # lost, lead 7's open. Step: 4 / 8 = 0.5, 2 / 4 = 0.5; cumulative 2 / 8 = 0.25.
    assert_rows_equal(
        result,
        [{"leads": 8, "converted": 4, "won": 2, "conversion_rate": 0.5, "win_rate": 0.5,
          "lead_to_won": 0.25}],
    )  # fmt: skip
    assert result.notes == (WON_NOTE,)


@ON_BOTH_ENGINES
def test_leads_funnel_without_conversions_has_no_step_rate(constructor) -> None:
    leads = {k: v[:2] for k, v in LEADS.items()}
    leads["converted_date"] = [None, None]
    result = run(LEADS_REPORT, tables(constructor, LEADS_REPORT, leads=leads), view="funnel")
    # Two leads, none converted: won 0; won / converted = 0 / 0 -> null, not 0.
    assert_rows_equal(
        result,
        [{"leads": 2, "converted": 0, "won": 0, "conversion_rate": 0.0, "win_rate": None,
          "lead_to_won": 0.0}],
    )  # fmt: skip


def test_leads_mapped_columns_and_values(constructor) -> None:
    leads = {
        "id": LEADS["lead_id"],
        "created": LEADS["created_date"],
        "lead_source": [s.upper() for s in LEADS["source"]],
        "converted_on": LEADS["converted_date"],
    }
    data = {"leads": constructor(leads, {"created": pa.date32(), "converted_on": pa.date32()})}
    result = run(
        LEADS_REPORT,
        data,
        columns={"lead_id": "id", "created_date": "created", "source": "lead_source",
                 "converted_date": "converted_on"},
        values={"source": {"SEARCH": "search", "EMAIL": "email"}},
    )  # fmt: skip
    # SEARCH and EMAIL are recoded; REFERRAL and SOCIAL are kept as they are (and sort first).
    march = [r for r in frame_rows(result) if r["month"] == D(2024, 3, 1)]
    assert [(r["source"], r["leads"], r["converted"]) for r in march] == [
        ("REFERRAL", 1, 1),
        ("SOCIAL", 1, 1),
        ("email", 1, 0),
        ("search", 1, 0),
    ]


def test_leads_missing_required_column_says_how_to_map() -> None:
    with pytest.raises(SpecError) as info:
        builtin.get("marketing.leads").run({"leads": pd.DataFrame(_drop(LEADS, "created_date"))})
    message = str(info.value)
    assert "'created_date'" in message
    assert "builtin.get(..., columns={'leads': {'created_date': '<your column>'}})" in message


# --- marketing.engagement ---------------------------------------------------------------------


def _engagement(participants, sent, delivered, interactions, engaged, opened, clicked,
                responded):  # fmt: skip
    """The measures of an engagement row, the rates computed from the hand-counted counts."""

    def ratio(a, b):
        return a / b if b else None

    return {
        "participants": participants, "sent": sent, "delivered": delivered,
        "interactions": interactions, "engaged": engaged,
        "engagement_rate": ratio(engaged, participants),
        "opened": opened, "clicked": clicked, "responded": responded,
        "open_rate": ratio(opened, delivered), "click_rate": ratio(clicked, delivered),
        "response_rate": ratio(responded, delivered),
    }  # fmt: skip


def test_engagement_per_campaign(constructor) -> None:
    result = run(ENGAGEMENT, tables(constructor, ENGAGEMENT))
    # Campaign 1: people A, B, C, D (A twice) -> 4; 5 touches; delivered: 1, 2, 3 -> 3 (4 bounced,
    #   5 unknown); interactions: 1 (opened), 3 (opened), 5 (responded) -> 3; engaged: A, B, D
    #   -> 3 of 4 = 0.75; opened and delivered: 1, 3 -> 2 of 3; clicked: 1 -> 1 of 3;
    #   responded and delivered: none (5's delivery is unknown) -> 0 of 3.
    # Campaign 2: A, E; 2 delivered; E opened and responded: 1 interaction, 1 of 2 engaged;
    #   open 1/2, click 0/2, response 1/2.
    # Campaign 3: A, bounced: nothing delivered -> the three rates are null, engagement 0 / 1.
    # Campaign 9 (not in campaigns, named 'unknown'): G, delivered, nothing else.
    assert_rows_equal(
        result,
        [
            {"campaign_id": 1, "campaign": "Spring email", **_engagement(4, 5, 3, 3, 3, 2, 1, 0)},
            {"campaign_id": 2, "campaign": "Spring search", **_engagement(2, 2, 2, 1, 1, 1, 0, 1)},
            {"campaign_id": 3, "campaign": "Summer email", **_engagement(1, 1, 0, 0, 0, 0, 0, 0)},
            {"campaign_id": 9, "campaign": "unknown", **_engagement(1, 1, 1, 0, 0, 0, 0, 0)},
        ],
    )
    # spot checks of the rates, written out
    rows = frame_rows(result)
    assert rows[0]["open_rate"] == pytest.approx(2 / 3) and rows[0]["engagement_rate"] == 0.75
    assert rows[2]["open_rate"] is None and rows[2]["engagement_rate"] == 0.0
    assert result.notes == (
        "1 of the 9 rows of touches find no match in campaigns (campaign_id); they are grouped "
        "as 'unknown'",
    )


def test_engagement_by_channel_counts_a_person_once(constructor) -> None:
    result = run(ENGAGEMENT, tables(constructor, ENGAGEMENT), view="by_channel")
    # email = campaigns 1 and 3: A is in both but one participant: A, B, C, D -> 4 (not 4 + 1);
    #   6 touches, 3 delivered, 3 interactions, engaged A, B, D -> 3 / 4; opened 2, clicked 1,
    #   responded 0, each over 3 delivered.
    # search = campaign 2 as above; unknown = campaign 9.
    assert_rows_equal(
        result,
        [
            {"channel": "email", **_engagement(4, 6, 3, 3, 3, 2, 1, 0)},
            {"channel": "search", **_engagement(2, 2, 2, 1, 1, 1, 0, 1)},
            {"channel": "unknown", **_engagement(1, 1, 1, 0, 0, 0, 0, 0)},
        ],
    )


def test_engagement_from_campaign_totals_is_a_ratio_of_sums(constructor) -> None:
    result = run(ENGAGEMENT, tables(constructor, ENGAGEMENT), view="from_campaigns")
    # Campaigns reporting all four counts: 1, 3, 5 (2 reports none, 4 no clicks).
    # email = 1 and 3: sent 1000 + 200 = 1200, delivered 900 + 100 = 1000, opens 90 + 50 = 140,
    #   clicks 9 + 10 = 19. Open rate = 140 / 1000 = 0.14 -- not the mean of the campaigns' rates
    #   (90/900 = 0.1 and 50/100 = 0.5 -> 0.3) nor their sum (0.6). Click rate 19 / 1000.
    #   Delivery rate 1000 / 1200.
    # search = 5: 500, 500, 100, 25 -> 1.0, 0.2, 0.05.
    # Total: 1700, 1500, 240, 44 -> 1500 / 1700, 240 / 1500 = 0.16, 44 / 1500.
    assert_rows_equal(
        result,
        [
            {"channel": "email", "campaigns": 2, "sent": 1200, "delivered": 1000, "opens": 140,
             "clicks": 19, "delivery_rate": 1000 / 1200, "open_rate": 0.14, "click_rate": 0.019,
             "row_type": "detail"},
            {"channel": "search", "campaigns": 1, "sent": 500, "delivered": 500, "opens": 100,
             "clicks": 25, "delivery_rate": 1.0, "open_rate": 0.2, "click_rate": 0.05,
             "row_type": "detail"},
            {"channel": None, "campaigns": 3, "sent": 1700, "delivered": 1500, "opens": 240,
             "clicks": 44, "delivery_rate": 1500 / 1700, "open_rate": 0.16,
             "click_rate": 44 / 1500, "row_type": "total"},
        ],
    )  # fmt: skip
    assert result.notes == ()


@ON_BOTH_ENGINES
def test_engagement_from_campaign_totals_without_clicks(constructor) -> None:
    data = tables(constructor, ENGAGEMENT, campaigns=_drop(CAMPAIGNS, "clicks"))
    result = run(ENGAGEMENT, data, view="from_campaigns")
    # Without a clicks column campaign 4 counts again (its filter is skipped): events: 50, 40,
    # 20 -> 0.8, 0.5. Clicks and the click rate are left out.
    rows = frame_rows(result)
    assert [(r["channel"], r["opens"], r["delivered"], r["open_rate"]) for r in rows] == [
        ("email", 140, 1000, pytest.approx(0.14)),
        ("events", 20, 40, pytest.approx(0.5)),
        ("search", 100, 500, pytest.approx(0.2)),
        (None, 260, 1540, pytest.approx(260 / 1540)),
    ]
    assert "click_rate" not in rows[0]
    assert result.notes == (
        "filter 4 skipped: source 'campaigns' has no column 'clicks'",
        "measure 'clicks' left out: source 'campaigns' has no column 'clicks'",
        "measure 'click_rate' left out: it is built on 'clicks', left out",
    )


@ON_BOTH_ENGINES
def test_engagement_without_interaction_columns(constructor) -> None:
    data = tables(constructor, ENGAGEMENT, touches=_drop(TOUCHES, "responded", "clicked"))
    result = run(ENGAGEMENT, data)
    # Interactions and engagement need all three flags: left out, with clicks and responses.
    # Opens remain: campaign 1: 2 of 3 delivered.
    rows = frame_rows(result)
    assert list(rows[0]) == ["campaign_id", "campaign", "participants", "sent", "delivered",
                             "opened", "open_rate"]  # fmt: skip
    assert (rows[0]["opened"], rows[0]["open_rate"]) == (2, pytest.approx(2 / 3))
    assert "measure 'engagement_rate' left out: it is built on 'engaged', left out" in result.notes


def test_engagement_mapped_columns_and_values(constructor) -> None:
    touches = {
        "message_id": TOUCHES["touch_id"],
        "campaign": TOUCHES["campaign_id"],
        "contact": TOUCHES["customer_id"],
        "is_delivered": TOUCHES["delivered"],
        "opened": TOUCHES["opened"],
        "clicked": TOUCHES["clicked"],
        "responded": TOUCHES["responded"],
    }
    media = {"email": "E-Mail", "search": "SEA", "events": "Event"}
    campaigns = {**_drop(CAMPAIGNS, "channel"), "medium": [media[c] for c in CAMPAIGNS["channel"]]}
    data = {
        "touches": constructor(touches, {"is_delivered": pa.bool_(), "opened": pa.bool_(),
                                         "clicked": pa.bool_(), "responded": pa.bool_()}),
        "campaigns": constructor(campaigns, _schema(CAMPAIGNS_SCHEMA, campaigns)),
    }  # fmt: skip
    result = run(
        ENGAGEMENT,
        data,
        view="by_channel",
        columns={
            "touches": {"touch_id": "message_id", "campaign_id": "campaign",
                        "customer_id": "contact", "delivered": "is_delivered"},
            "campaigns.channel": "medium",
        },
        values={"campaigns.channel": {"E-Mail": "email", "SEA": "search"}},
    )  # fmt: skip
    # The same rows as test_engagement_by_channel_counts_a_person_once.
    assert [(r["channel"], r["participants"], r["delivered"], r["open_rate"])
            for r in frame_rows(result)] == [
        ("email", 4, 3, pytest.approx(2 / 3)),
        ("search", 2, 2, pytest.approx(0.5)),
        ("unknown", 1, 1, pytest.approx(0.0)),
    ]  # fmt: skip


def test_engagement_missing_required_column_says_how_to_map() -> None:
    data = {
        "touches": pd.DataFrame(_drop(TOUCHES, "customer_id")),
        "campaigns": pd.DataFrame(CAMPAIGNS),
    }
    with pytest.raises(SpecError) as info:
        builtin.get("marketing.engagement").run(data)
    message = str(info.value)
    assert "'customer_id'" in message
    assert "builtin.get(..., columns={'touches': {'customer_id': '<your column>'}})" in message
