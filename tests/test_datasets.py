"""Tests for the synthetic CRM dataset generator (crmreports.datasets)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from crmreports.datasets import CRMDataset, generate

START = pd.Timestamp("2023-01-01")
END = pd.Timestamp("2024-12-31")
END_OF_RANGE = pd.Timestamp("2025-01-01")  # exclusive upper bound for timestamps

TEXT = "text"  # placeholder: checked with pd.api.types.is_string_dtype
DT = "datetime64[us]"
EXPECTED_SCHEMA: dict[str, dict[str, str]] = {
    "customers": {
        "customer_id": "int64",
        "name": TEXT,
        "region": TEXT,
        "segment": TEXT,
        "industry": TEXT,
        "signup_date": DT,
        "age": "Int64",
        "gender": TEXT,
        "churned_date": DT,
        "churn_reason": TEXT,
    },
    "orders": {
        "order_id": "int64",
        "order_date": DT,
        "customer_id": "int64",
        "channel": TEXT,
        "status": TEXT,
        "amount": "float64",
        "cost": "float64",
        "quantity": "int64",
        "product": TEXT,
        "category": TEXT,
        "salesperson": TEXT,
        "campaign_id": "Int64",
    },
    "opportunities": {
        "opportunity_id": "int64",
        "account_id": "int64",
        "owner": TEXT,
        "stage": TEXT,
        "amount": "float64",
        "probability": "float64",
        "created_date": DT,
        "closed_date": DT,
        "lead_source": TEXT,
        "loss_reason": TEXT,
        "expected_close_date": DT,
        "lead_id": "Int64",
    },
    "campaigns": {
        "campaign_id": "int64",
        "name": TEXT,
        "channel": TEXT,
        "start_date": DT,
        "end_date": DT,
        "cost": "float64",
        "sent": "int64",
        "delivered": "int64",
        "opens": "int64",
        "clicks": "int64",
    },
    "tickets": {
        "ticket_id": "int64",
        "customer_id": "int64",
        "created_at": DT,
        "channel": TEXT,
        "priority": TEXT,
        "category": TEXT,
        "agent": TEXT,
        "first_response_at": DT,
        "resolved_at": DT,
        "satisfaction": "Int64",
        "type": TEXT,
        "reason": TEXT,
    },
    "leads": {
        "lead_id": "int64",
        "created_date": DT,
        "source": TEXT,
        "campaign_id": "Int64",
        "status": TEXT,
        "score": "Int64",
        "grade": TEXT,
        "converted_date": DT,
        "opportunity_id": "Int64",
    },
    "touches": {
        "touch_id": "int64",
        "campaign_id": "int64",
        "customer_id": "int64",
        "sent_date": DT,
        "delivered": "bool",
        "opened": "bool",
        "clicked": "bool",
        "responded": "bool",
    },
    "surveys": {
        "survey_id": "int64",
        "kind": TEXT,
        "score": "int64",
        "answered_date": DT,
        "customer_id": "int64",
        "ticket_id": "Int64",
        "agent": TEXT,
        "channel": TEXT,
    },
    "targets": {
        "owner": TEXT,
        "period": DT,
        "amount": "float64",
        "team": TEXT,
    },
    "users": {
        "name": TEXT,
        "role": TEXT,
        "team": TEXT,
        "region": TEXT,
        "hired_date": DT,
    },
}


def test_same_seed_is_identical() -> None:
    a, b = generate(seed=7, size=1_000), generate(seed=7, size=1_000)
    for name, frame in a.tables().items():
        pdt.assert_frame_equal(frame, b.tables()[name])


def test_different_seed_differs() -> None:
    a, b = generate(seed=1, size=1_000), generate(seed=2, size=1_000)
    for name, frame in a.tables().items():
        assert not frame.equals(b.tables()[name]), name


def test_tables_and_attributes(ds: CRMDataset) -> None:
    tables = ds.tables()
    assert list(tables) == [
        "customers", "orders", "opportunities", "campaigns", "tickets",
        "leads", "touches", "surveys", "targets", "users",
    ]  # fmt: skip
    for name, frame in tables.items():
        assert frame is getattr(ds, name)
    with pytest.raises(AttributeError):
        ds.orders = ds.orders  # type: ignore[misc]  # frozen dataclass
    assert "orders=5_000 rows" in repr(ds)


def test_row_counts(ds: CRMDataset) -> None:
    assert len(ds.orders) == 5_000
    assert len(ds.customers) == 1_000
    assert len(ds.opportunities) == 1_250
    assert len(ds.tickets) == 1_666
    assert 12 <= len(ds.campaigns) <= 30
    tiny = generate(seed=0, size=1)
    assert len(tiny.orders) == 1
    assert min(len(tiny.customers), len(tiny.opportunities), len(tiny.tickets)) == 20


@pytest.mark.parametrize("table", list(EXPECTED_SCHEMA))
def test_columns_and_dtypes(ds: CRMDataset, table: str) -> None:
    frame = ds.tables()[table]
    expected = EXPECTED_SCHEMA[table]
    assert list(frame.columns) == list(expected)
    for column, dtype in expected.items():
        actual = frame[column].dtype
        if dtype == TEXT:
            assert pd.api.types.is_string_dtype(actual), (column, actual)
            # No stray "None"/"nan" strings: missing values are real nulls.
            assert not frame[column].isin(["None", "nan", "<NA>"]).any(), column
        else:
            assert str(actual) == dtype, (column, actual)


def test_ids_are_sequential(ds: CRMDataset) -> None:
    for table, column in [
        ("customers", "customer_id"),
        ("orders", "order_id"),
        ("opportunities", "opportunity_id"),
        ("campaigns", "campaign_id"),
        ("tickets", "ticket_id"),
    ]:
        ids = ds.tables()[table][column]
        assert ids.tolist() == list(range(1, len(ids) + 1)), table


def test_referential_integrity(ds: CRMDataset) -> None:
    known = set(ds.customers["customer_id"])
    assert ds.orders["customer_id"].isin(known).all()
    assert ds.opportunities["account_id"].isin(known).all()
    assert ds.tickets["customer_id"].isin(known).all()
    # Customers only order after signing up.
    signup = ds.customers.set_index("customer_id")["signup_date"]
    assert (ds.orders["order_date"] >= ds.orders["customer_id"].map(signup)).all()


def test_order_invariants(ds: CRMDataset) -> None:
    o = ds.orders
    amount, cost = o["amount"], o["cost"]
    assert (amount.dropna() > 0).all()
    assert (cost.dropna() > 0).all()
    assert (cost.dropna() <= amount.dropna()).all()
    assert (cost.isna() == amount.isna()).all()
    assert o["quantity"].between(1, 20).all()
    assert set(o["status"]) == {"won", "open", "lost", "cancelled"}
    assert o["status"].value_counts().idxmax() == "won"
    # Category is a function of product.
    assert (o.groupby("product")["category"].nunique() == 1).all()
    assert 3 <= o["category"].nunique() <= 4
    # Amounts are right-skewed (mean well above median) and rounded to cents.
    assert amount.mean() > amount.median()
    assert np.allclose(amount.dropna(), amount.dropna().round(2))


def test_null_shares(ds: CRMDataset) -> None:
    assert 0 < ds.orders["amount"].isna().mean() < 0.03
    assert 0 < ds.orders["salesperson"].isna().mean() < 0.05
    assert 0 < ds.customers["region"].isna().mean() < 0.06
    assert 0 < ds.customers["age"].isna().mean() < 0.1
    assert 0 < ds.customers["gender"].isna().mean() < 0.08
    assert ds.customers["age"].dropna().between(18, 80).all()


def test_opportunity_invariants(ds: CRMDataset) -> None:
    op = ds.opportunities
    stage_probability = {
        "prospecting": 10.0,
        "qualification": 25.0,
        "proposal": 50.0,
        "negotiation": 75.0,
        "won": 100.0,
        "lost": 0.0,
    }
    assert set(op["stage"]) <= set(stage_probability)
    assert (op["probability"] == op["stage"].map(stage_probability)).all()
    assert (op["amount"] > 0).all()
    closed = op["stage"].isin(["won", "lost"])
    assert op.loc[closed, "closed_date"].notna().all()
    assert op.loc[~closed, "closed_date"].isna().all()
    assert (op.loc[closed, "closed_date"] >= op.loc[closed, "created_date"]).all()
    lost = op["stage"] == "lost"
    assert op.loc[lost, "loss_reason"].notna().all()
    assert op.loc[~lost, "loss_reason"].isna().all()


def test_campaign_invariants(ds: CRMDataset) -> None:
    c = ds.campaigns
    assert (c["end_date"] >= c["start_date"]).all()
    assert (c["cost"] > 0).all()
    assert (c["delivered"] <= c["sent"]).all()
    assert (c["opens"] <= c["delivered"]).all()
    assert (c["clicks"] <= c["opens"]).all()
    assert (c["clicks"] >= 0).all()


def test_ticket_invariants(ds: CRMDataset) -> None:
    t = ds.tickets
    responded = t["first_response_at"].notna()
    resolved = t["resolved_at"].notna()
    assert (t.loc[responded, "first_response_at"] >= t.loc[responded, "created_at"]).all()
    both = responded & resolved
    assert (t.loc[both, "resolved_at"] >= t.loc[both, "first_response_at"]).all()
    assert not (resolved & ~responded).any()  # resolution implies a response
    assert 0 < (~responded).mean() < 0.08
    assert 0 < (~resolved).mean() < 0.15
    scored = t["satisfaction"].notna()
    assert t.loc[scored, "satisfaction"].between(1, 5).all()
    assert not (scored & ~resolved).any()
    assert 0 < scored.sum() < resolved.sum()  # only some resolved tickets are rated
    # Timestamps carry a time of day.
    assert (t["created_at"] != t["created_at"].dt.normalize()).any()


def test_dates_within_range(ds: CRMDataset) -> None:
    date_columns = {
        "customers": ["signup_date"],
        "orders": ["order_date"],
        "opportunities": ["created_date", "closed_date"],
        "campaigns": ["start_date", "end_date"],
    }
    for table, columns in date_columns.items():
        for column in columns:
            values = ds.tables()[table][column].dropna()
            assert values.between(START, END).all(), (table, column)
            assert (values == values.dt.normalize()).all(), (table, column)
    for column in ["created_at", "first_response_at", "resolved_at"]:
        values = ds.tickets[column].dropna()
        assert ((values >= START) & (values < END_OF_RANGE)).all(), column


def test_seasonality_and_trend() -> None:
    orders = generate(seed=3, size=20_000).orders
    per_month = orders["order_date"].dt.month.value_counts()
    assert per_month[12] > per_month[7]
    assert per_month[11] > per_month[6]
    per_year = orders["order_date"].dt.year.value_counts()
    assert per_year[2024] > per_year[2023]


def test_customer_order_skew(ds: CRMDataset) -> None:
    per_customer = ds.orders["customer_id"].value_counts()
    assert (per_customer == 1).sum() > 0.1 * len(per_customer)  # many order once
    assert per_customer.max() >= 10 * per_customer.median()  # a few order a lot


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"seed": 1.5}, "seed"),
        ({"seed": "1"}, "seed"),
        ({"seed": None}, "seed"),
        ({"seed": True}, "seed"),
        ({"seed": -1}, "seed"),
        ({"size": 0}, "size"),
        ({"size": -5}, "size"),
        ({"size": 10.0}, "size"),
        ({"size": "10"}, "size"),
    ],
)
def test_argument_errors(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        generate(**kwargs)  # type: ignore[arg-type]


def test_arguments_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        generate(0, 100)  # type: ignore[misc]


def test_numpy_integer_arguments_accepted() -> None:
    a = generate(seed=np.int64(4), size=np.int32(50))  # type: ignore[arg-type]
    pdt.assert_frame_equal(a.orders, generate(seed=4, size=50).orders)


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_write_round_trip(tmp_path: Path, fmt: str) -> None:
    small = generate(seed=0, size=300)
    out = tmp_path / "nested" / "dir"
    paths = small.write(out, format=fmt)  # type: ignore[arg-type]
    assert set(paths) == set(small.tables())
    for name, path in paths.items():
        assert path == out / f"{name}.{fmt}"
        assert path.is_file()
        back = pd.read_parquet(path) if fmt == "parquet" else pd.read_csv(path)
        assert len(back) == len(small.tables()[name])
        assert list(back.columns) == list(small.tables()[name].columns)
    if fmt == "parquet":  # parquet keeps dtypes, so the frame comes back identical
        pdt.assert_frame_equal(pd.read_parquet(paths["tickets"]), small.tickets)


def test_write_rejects_unknown_format(tmp_path: Path, ds: CRMDataset) -> None:
    with pytest.raises(ValueError, match=r"parquet.*csv"):
        ds.write(tmp_path, format="xlsx")  # type: ignore[arg-type]
    assert not any(tmp_path.iterdir())
