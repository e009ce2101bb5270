"""The synthetic dataset follows the CRM data model (crmreports.builtin.model).

Covers the tables and columns added to the original five: shape against the model,
referential integrity, per-table invariants, determinism, and that adding them left
every original column bit-for-bit unchanged.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import pandas.testing as pdt
import pytest

from crmreports.builtin.model import TABLES
from crmreports.datasets import CRMDataset, generate

START = pd.Timestamp("2023-01-01")
END = pd.Timestamp("2024-12-31")
SALESPEOPLE = {
    "Alice Moreau", "Ben Okafor", "Chen Wei", "Dana Kowalski",
    "Eli Navarro", "Fatima Haddad", "Greg Lindqvist", "Hana Sato",
}  # fmt: skip
AGENTS = {"Iris Bauer", "Jamal Reed", "Kenji Mori", "Lucia Ferri", "Marta Sousa", "Omar Aziz"}

# Columns of the five original tables before the data model extension, in their order.
ORIGINAL_COLUMNS: dict[str, list[str]] = {
    "customers": [
        "customer_id", "name", "region", "segment", "industry", "signup_date", "age", "gender",
    ],
    "orders": [
        "order_id", "order_date", "customer_id", "channel", "status", "amount", "cost",
        "quantity", "product", "category", "salesperson",
    ],
    "opportunities": [
        "opportunity_id", "account_id", "owner", "stage", "amount", "probability",
        "created_date", "closed_date", "lead_source", "loss_reason",
    ],
    "campaigns": [
        "campaign_id", "name", "channel", "start_date", "end_date", "cost", "sent",
        "delivered", "opens", "clicks",
    ],
    "tickets": [
        "ticket_id", "customer_id", "created_at", "channel", "priority", "category", "agent",
        "first_response_at", "resolved_at", "satisfaction",
    ],
}  # fmt: skip
# Columns appended to the original tables (after the original ones, in this order).
ADDED_COLUMNS: dict[str, list[str]] = {
    "customers": ["churned_date", "churn_reason"],
    "orders": ["campaign_id"],
    "opportunities": ["expected_close_date", "lead_id"],
    "campaigns": [],
    "tickets": ["type", "reason"],
}
# Fingerprints of the original columns, recorded with the generator as it was before the
# extension: sha256 (first 16 hex digits) of pandas' per-row hashes, so values, dtypes
# and row order all count. A change here means existing docs and snapshots change too.
FINGERPRINTS: dict[tuple[int, int], dict[str, str]] = {
    (0, 2_000): {
        "customers": "71df9872e80c2905",
        "orders": "587cd8e150f44843",
        "opportunities": "770a32e8e3eac44f",
        "campaigns": "3c0acfb734e10eff",
        "tickets": "a0993bc5e88221de",
    },
    (7, 500): {
        "customers": "ce930ef26989c6b2",
        "orders": "476c031ccae76902",
        "opportunities": "2a9f38f7d1d5f919",
        "campaigns": "9bc6bc815a86492f",
        "tickets": "b7a7f71c3c7487ec",
    },
    (1, 1): {
        "customers": "b93e59cdfc735578",
        "orders": "b1ce77aa03783cbd",
        "opportunities": "214a0399637c7ec7",
        "campaigns": "430489292069b264",
        "tickets": "469bfa622476e485",
    },
}
# The same tables, fingerprinted as pandas' order-insensitive hash sum.
HASH_SUMS: dict[tuple[int, int], dict[str, int]] = {
    (0, 2_000): {
        "customers": 18236687613359506530,
        "orders": 12835890515922314063,
        "opportunities": 8304181787893726102,
        "campaigns": 858422819959207635,
        "tickets": 14232567507327657366,
    },
    (7, 500): {
        "customers": 4132006640586748552,
        "orders": 3644445148623044368,
        "opportunities": 17805566983116752367,
        "campaigns": 691810222380779854,
        "tickets": 2494937478844650511,
    },
}

# Required columns that nonetheless have some nulls: order amounts are ~1% missing by
# design (reports must cope with it) and the original columns must not change.
REQUIRED_WITH_NULLS = {("orders", "amount")}


@pytest.fixture(scope="module")
def small() -> CRMDataset:
    return generate(seed=11, size=120)


@pytest.fixture(params=["ds", "small"])
def any_ds(request: pytest.FixtureRequest) -> CRMDataset:
    """Invariants must hold at a realistic and at a tiny size."""
    return request.getfixturevalue(request.param)


# --- unchanged original columns -------------------------------------------------------------------


@pytest.mark.parametrize(("seed", "size"), list(FINGERPRINTS))
def test_original_columns_unchanged(seed: int, size: int) -> None:
    tables = generate(seed=seed, size=size).tables()
    for name, columns in ORIGINAL_COLUMNS.items():
        hashes = pd.util.hash_pandas_object(tables[name][columns], index=False)
        digest = hashlib.sha256(hashes.to_numpy().tobytes()).hexdigest()[:16]
        assert digest == FINGERPRINTS[seed, size][name], name
        if (seed, size) in HASH_SUMS:
            assert int(hashes.sum()) == HASH_SUMS[seed, size][name], name


def test_added_columns_are_appended(ds: CRMDataset) -> None:
    for name, columns in ORIGINAL_COLUMNS.items():
        assert list(ds.tables()[name].columns) == columns + ADDED_COLUMNS[name], name


# --- shape against the data model -----------------------------------------------------------------


def test_every_model_table_exists(ds: CRMDataset) -> None:
    assert list(ds.tables()) == [
        "customers", "orders", "opportunities", "campaigns", "tickets",
        "leads", "touches", "surveys", "targets", "users",
    ]  # fmt: skip
    assert set(ds.tables()) == set(TABLES)


@pytest.mark.parametrize("table", list(TABLES))
def test_columns_follow_model(ds: CRMDataset, table: str) -> None:
    frame = ds.tables()[table]
    model = TABLES[table]
    assert set(frame.columns) == {c.name for c in model.columns}
    if table not in ORIGINAL_COLUMNS:  # new tables use the model's column order
        assert list(frame.columns) == [c.name for c in model.columns]
    for column in model.columns:
        values = frame[column.name]
        if column.required and (table, column.name) not in REQUIRED_WITH_NULLS:
            assert values.notna().all(), column.name
        _check_type(column.type, values)


def _check_type(kind: str, values: pd.Series) -> None:
    dtype = values.dtype
    if kind in ("id", "integer"):
        assert str(dtype) in ("int64", "Int64"), (values.name, dtype)
    elif kind == "number":
        assert pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    elif kind == "text":
        assert pd.api.types.is_string_dtype(dtype), (values.name, dtype)
        assert not values.isin(["None", "nan", "<NA>", ""]).any(), values.name
    elif kind in ("date", "datetime"):
        assert str(dtype) == "datetime64[us]", (values.name, dtype)
        if kind == "date":
            present = values.dropna()
            assert (present == present.dt.normalize()).all(), values.name
    else:
        assert kind == "boolean"
        assert str(dtype) == "bool", (values.name, dtype)


def test_new_ids_are_sequential(any_ds: CRMDataset) -> None:
    for table, column in [("leads", "lead_id"), ("touches", "touch_id"), ("surveys", "survey_id")]:
        ids = any_ds.tables()[table][column]
        assert ids.tolist() == list(range(1, len(ids) + 1)), table


def test_new_dates_within_range(any_ds: CRMDataset) -> None:
    for table, column in [
        ("customers", "churned_date"),
        ("leads", "created_date"),
        ("leads", "converted_date"),
        ("touches", "sent_date"),
        ("surveys", "answered_date"),
        ("targets", "period"),
    ]:
        values = any_ds.tables()[table][column].dropna()
        assert values.between(START, END).all(), (table, column)
    # The two documented exceptions: hired before the range, forecast after it.
    assert (any_ds.users["hired_date"] < START).all()
    assert (any_ds.opportunities["expected_close_date"].dropna() > START).all()


# --- referential integrity ------------------------------------------------------------------------

FOREIGN_KEYS = [
    # (table, column, referenced table, referenced column)
    ("orders", "customer_id", "customers", "customer_id"),
    ("orders", "campaign_id", "campaigns", "campaign_id"),
    ("orders", "salesperson", "users", "name"),
    ("opportunities", "account_id", "customers", "customer_id"),
    ("opportunities", "owner", "users", "name"),
    ("opportunities", "lead_id", "leads", "lead_id"),
    ("leads", "campaign_id", "campaigns", "campaign_id"),
    ("leads", "opportunity_id", "opportunities", "opportunity_id"),
    ("touches", "campaign_id", "campaigns", "campaign_id"),
    ("touches", "customer_id", "customers", "customer_id"),
    ("tickets", "customer_id", "customers", "customer_id"),
    ("tickets", "agent", "users", "name"),
    ("surveys", "customer_id", "customers", "customer_id"),
    ("surveys", "ticket_id", "tickets", "ticket_id"),
    ("surveys", "agent", "users", "name"),
    ("targets", "owner", "users", "name"),
]


@pytest.mark.parametrize(("table", "column", "ref_table", "ref_column"), FOREIGN_KEYS)
def test_foreign_keys(
    any_ds: CRMDataset, table: str, column: str, ref_table: str, ref_column: str
) -> None:
    tables = any_ds.tables()
    keys = tables[ref_table][ref_column]
    assert keys.is_unique
    assert tables[table][column].dropna().isin(set(keys)).all()


def test_people_roles(ds: CRMDataset) -> None:
    users = ds.users.set_index("name")
    assert set(users.index) == SALESPEOPLE | AGENTS
    sales = users["role"] == "sales"
    assert set(users.index[sales]) == SALESPEOPLE
    assert set(users.index[~sales]) == AGENTS
    assert (users.loc[~sales, "role"] == "service").all()
    assert users.loc[~sales, "team"].eq("Support").all()
    assert users.loc[sales, "team"].value_counts().to_dict() == {"East": 4, "West": 4}
    assert users.loc[sales, "region"].notna().all()
    # Salespeople are the ones selling and owning deals; agents handle tickets.
    assert set(ds.orders["salesperson"].dropna()) <= set(users.index[sales])
    assert set(ds.opportunities["owner"]) <= set(users.index[sales])
    assert set(ds.tickets["agent"]) <= set(users.index[~sales])


# --- invariants -----------------------------------------------------------------------------------


def test_leads(any_ds: CRMDataset) -> None:
    leads = any_ds.leads
    assert set(leads["source"]) <= {"search", "social", "email", "events", "referral"}
    assert set(leads["status"]) <= {"new", "working", "qualified", "disqualified", "converted"}
    scored = leads["score"].dropna()
    assert scored.between(0, 100).all()
    assert (leads["grade"].isna() == leads["score"].isna()).all()
    bands = pd.cut(scored, [-1, 24, 49, 74, 100], labels=["D", "C", "B", "A"]).astype(str)
    assert (leads.loc[scored.index, "grade"] == bands).all()
    converted = leads["status"] == "converted"
    assert (leads["converted_date"].notna() == converted).all()
    assert (leads["opportunity_id"].notna() == converted).all()
    both = leads[converted]
    assert (both["converted_date"] >= both["created_date"]).all()
    # A lead credited to a campaign came through that campaign's channel.
    channel = leads["campaign_id"].map(any_ds.campaigns.set_index("campaign_id")["channel"])
    credited = leads["campaign_id"].notna()
    assert (leads.loc[credited, "source"] == channel[credited]).all()
    assert (leads["created_date"].diff().dropna() >= pd.Timedelta(0)).all()  # chronological


def test_leads_and_opportunities_agree(any_ds: CRMDataset) -> None:
    leads, opps = any_ds.leads, any_ds.opportunities
    converted = leads.dropna(subset=["opportunity_id"])
    assert converted["opportunity_id"].is_unique
    assert opps["lead_id"].dropna().is_unique
    # Both directions: lead L -> deal O exactly when deal O -> lead L.
    from_leads = set(zip(converted["lead_id"], converted["opportunity_id"], strict=True))
    linked = opps.dropna(subset=["lead_id"])
    from_opps = set(zip(linked["lead_id"], linked["opportunity_id"], strict=True))
    assert from_leads == from_opps
    # Converting a lead creates the deal: same day.
    deal_created = converted["opportunity_id"].map(opps.set_index("opportunity_id")["created_date"])
    assert (converted["converted_date"] == deal_created).all()
    # Partner and outbound deals never come from a lead.
    assert linked["lead_source"].isin(["Web", "Event", "Referral"]).all()


def test_expected_close_date(any_ds: CRMDataset) -> None:
    opps = any_ds.opportunities
    closed = opps["stage"].isin(["won", "lost"])
    assert opps.loc[closed, "expected_close_date"].isna().all()
    assert opps.loc[~closed, "expected_close_date"].notna().all()
    open_deals = opps[~closed]
    assert (open_deals["expected_close_date"] > open_deals["created_date"]).all()


def test_order_campaigns(ds: CRMDataset) -> None:
    orders = ds.orders
    assert 0.18 < orders["campaign_id"].notna().mean() < 0.32
    credited = orders.dropna(subset=["campaign_id"]).merge(
        ds.campaigns, on="campaign_id", suffixes=("", "_campaign")
    )
    assert (credited["order_date"] >= credited["start_date"]).all()
    assert (credited["order_date"] <= credited["end_date"] + pd.Timedelta(days=14)).all()


def test_churn(any_ds: CRMDataset) -> None:
    customers = any_ds.customers
    churned = customers["churned_date"].notna()
    assert (customers["churn_reason"].notna() == churned).all()
    assert set(customers["churn_reason"].dropna()) <= {
        "price", "service", "competitor", "moved", "other",
    }  # fmt: skip
    assert (customers.loc[churned, "churned_date"] > customers.loc[churned, "signup_date"]).all()
    churn = customers.set_index("customer_id")["churned_date"]
    # Nothing happens after a customer left: no orders, deals or tickets.
    for table, id_column, date_column in [
        ("orders", "customer_id", "order_date"),
        ("opportunities", "account_id", "created_date"),
        ("tickets", "customer_id", "created_at"),
        ("tickets", "customer_id", "resolved_at"),
    ]:
        frame = any_ds.tables()[table]
        left = frame[id_column].map(churn)
        assert not (frame[date_column] >= left).any(), (table, date_column)


def test_churn_share(ds: CRMDataset) -> None:
    assert 0.08 < ds.customers["churned_date"].notna().mean() < 0.22


def test_ticket_types(any_ds: CRMDataset) -> None:
    tickets = any_ds.tickets
    assert set(tickets["type"]) <= {"question", "problem", "request", "complaint"}
    complaint = tickets["type"] == "complaint"
    assert (tickets["reason"].notna() == complaint).all()
    assert set(tickets["reason"].dropna()) <= {
        "late delivery", "billing error", "product defect", "rude staff", "other",
    }  # fmt: skip


def test_complaint_share(ds: CRMDataset) -> None:
    assert 0.1 < (ds.tickets["type"] == "complaint").mean() < 0.22


def test_touches(any_ds: CRMDataset) -> None:
    touches, campaigns = any_ds.touches, any_ds.campaigns.set_index("campaign_id")
    delivered = touches["delivered"]
    assert not (touches["opened"] & ~delivered).any()
    assert not (touches["clicked"] & ~delivered).any()
    assert not (touches["responded"] & ~delivered).any()
    assert not touches.duplicated(["campaign_id", "customer_id"]).any()
    start = touches["campaign_id"].map(campaigns["start_date"])
    end = touches["campaign_id"].map(campaigns["end_date"])
    assert touches["sent_date"].between(start, end).all()
    signup = touches["customer_id"].map(any_ds.customers.set_index("customer_id")["signup_date"])
    assert (signup <= touches["sent_date"]).all()
    per_campaign = touches.groupby("campaign_id").size()
    assert (per_campaign <= campaigns.loc[per_campaign.index, "sent"]).all()
    assert len(touches) <= max(2 * len(any_ds.orders), len(any_ds.orders) + 3 * len(campaigns))


def test_touches_follow_campaign_funnel(ds: CRMDataset) -> None:
    touches, campaigns = ds.touches, ds.campaigns
    assert set(touches["campaign_id"]) == set(campaigns["campaign_id"])  # every campaign
    clicked = touches["clicked"]
    assert (touches.loc[clicked, "opened"]).mean() > 0.8  # clicks mostly opened
    # Overall rates, weighted like the touches, close to the campaigns' own rates.
    rates = campaigns.set_index("campaign_id")
    weight = touches["campaign_id"].map(rates["delivered"] / rates["sent"])
    assert abs(touches["delivered"].mean() - weight.mean()) < 0.02
    open_rate = touches["campaign_id"].map(rates["opens"] / rates["delivered"])
    is_delivered = touches["delivered"]
    assert abs(touches.loc[is_delivered, "opened"].mean() - open_rate[is_delivered].mean()) < 0.05


def test_surveys(any_ds: CRMDataset) -> None:
    surveys, tickets = any_ds.surveys, any_ds.tickets
    assert set(surveys["kind"]) <= {"csat", "nps"}
    csat = surveys[surveys["kind"] == "csat"]
    nps = surveys[surveys["kind"] == "nps"]
    assert csat["score"].between(1, 5).all()
    assert nps["score"].between(0, 10).all()
    assert nps[["ticket_id", "agent", "channel"]].isna().all().all()
    # One csat answer per rated ticket, agreeing with it.
    rated = tickets[tickets["satisfaction"].notna()].set_index("ticket_id")
    assert csat["ticket_id"].notna().all()
    assert sorted(csat["ticket_id"]) == sorted(rated.index)
    about = rated.loc[csat["ticket_id"].to_numpy()]
    assert (csat["score"].to_numpy() == about["satisfaction"].to_numpy()).all()
    for column in ["customer_id", "agent", "channel"]:
        assert (csat[column].to_numpy() == about[column].to_numpy()).all(), column
    assert (
        csat["answered_date"].to_numpy() == about["resolved_at"].dt.normalize().to_numpy()
    ).all()
    # Answers come from customers who had signed up and not left yet.
    customers = any_ds.customers.set_index("customer_id")
    assert (surveys["answered_date"] >= surveys["customer_id"].map(customers["signup_date"])).all()
    left = nps["customer_id"].map(customers["churned_date"])
    assert not (nps["answered_date"] > left).any()
    assert (surveys["answered_date"].diff().dropna() >= pd.Timedelta(0)).all()  # chronological


def test_targets(any_ds: CRMDataset) -> None:
    targets = any_ds.targets
    assert len(targets) == 8 * 24
    assert not targets.duplicated(["owner", "period"]).any()
    assert set(targets["owner"]) == SALESPEOPLE
    assert set(targets["period"].dt.day) == {1}
    assert targets["period"].min() == START
    assert targets["period"].max() == pd.Timestamp("2024-12-01")
    assert (targets["amount"] > 0).all()
    assert (targets["amount"] % 100 == 0).all()
    team = targets["owner"].map(any_ds.users.set_index("name")["team"])
    assert (targets["team"] == team).all()


def test_target_attainment(ds: CRMDataset) -> None:
    orders = ds.orders[(ds.orders["status"] == "won") & ds.orders["salesperson"].notna()]
    month = orders["order_date"].dt.to_period("M").dt.to_timestamp()
    won = orders.groupby(["salesperson", month])["amount"].sum()
    targets = ds.targets.set_index(["owner", "period"])["amount"]
    attainment = won.reindex(targets.index, fill_value=0.0) / targets
    assert 0.85 < attainment.median() < 1.15
    assert attainment.between(0.7, 1.3).mean() > 0.75


# --- determinism ----------------------------------------------------------------------------------


def test_same_seed_same_tables() -> None:
    a, b = generate(seed=5, size=800), generate(seed=5, size=800)
    for name, frame in a.tables().items():
        pdt.assert_frame_equal(frame, b.tables()[name])


def test_new_tables_depend_on_seed() -> None:
    a, b = generate(seed=1, size=800), generate(seed=2, size=800)
    for name in ["leads", "touches", "surveys", "targets", "users"]:
        assert not a.tables()[name].equals(b.tables()[name]), name


def test_scaling_row_counts(ds: CRMDataset) -> None:
    assert len(ds.leads) == 2_500
    assert len(ds.users) == 14
    n_rated = ds.tickets["satisfaction"].notna().sum()
    assert len(ds.surveys) == n_rated + 500
    assert 0.5 * 5_000 < len(ds.touches) <= 5_000 + 3 * len(ds.campaigns)
    tiny = generate(seed=0, size=1)
    assert len(tiny.leads) == 20
    assert (tiny.touches.groupby("campaign_id").size() >= 1).all()
