"""The built-in reports on real public data, checked against plain pandas.

Every report run in docs/tutorial-your-data.md is run here with the same mapping, and its key
figures are recomputed independently: group-bys written out in pandas from the documented
definitions, never through crmreports. The datasets live beside the project in
`../shared/data` (see its README) and are not part of the repository: without them the module
is skipped.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from crmreports import builtin
from crmreports.cli import main as cli_main
from tests.helpers import run_builtin

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"
TUTORIAL = ROOT / "docs" / "tutorial-your-data.md"
REPORTS = ROOT / "src" / "crmreports" / "builtin" / "reports"

if not DATA.is_dir():
    pytest.skip(f"{DATA} is absent (it is not part of the repository)", allow_module_level=True)

REL = 1e-9

# --- the tutorial's mappings ---------------------------------------------------------------------

MAVEN_COLUMNS = {
    "opportunities": {
        "stage": "deal_stage",
        "owner": "sales_agent",
        "account_id": "account",
        "created_date": "engage_date",
        "closed_date": "close_date",
        "amount": {"expr": "if(deal_stage == 'Won', close_value, list_price)"},
    },
    "orders": {
        "order_id": "opportunity_id",
        "order_date": "close_date",
        "customer_id": "account",
        "amount": "close_value",
        "salesperson": "sales_agent",
        "status": "deal_stage",
    },
}
MAVEN_VALUES = {
    "opportunities.stage": {"Won": "won", "Lost": "lost"},
    "orders.status": {"Won": "won", "Lost": "lost", "Engaging": "open", "Prospecting": "open"},
}
MAVEN_AS_OF = "2017-12-31"

RETAIL_COLUMNS = {
    "orders": {
        "order_id": "InvoiceNo",
        "order_date": "InvoiceDate",
        "customer_id": "CustomerID",
        "amount": {"expr": "Quantity * UnitPrice"},
        "status": {"expr": "if(starts_with(InvoiceNo, 'C'), 'cancelled', 'won')"},
    }
}
RETAIL_AS_OF = "2011-12-10"  # the day after the last invoice (9 December 2011, 12:50)


# --- data ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pipeline() -> pd.DataFrame:
    frame = pd.read_csv(
        DATA / "maven_crm" / "sales_pipeline.csv", parse_dates=["engage_date", "close_date"]
    )
    products = pd.read_csv(DATA / "maven_crm" / "products.csv")
    prices = products.set_index("product")["sales_price"].rename(index={"GTX Pro": "GTXPro"})
    frame["list_price"] = frame["product"].map(prices)
    assert frame["list_price"].notna().all()
    return frame


@pytest.fixture(scope="module")
def retail() -> pd.DataFrame:
    frame = pd.read_parquet(DATA / "online_retail" / "online_retail.parquet")
    frame["CustomerID"] = frame["CustomerID"].astype("Int64")
    assert len(frame) == 541_909
    return frame


@pytest.fixture(scope="module")
def sales(retail: pd.DataFrame) -> pd.DataFrame:
    """The retail lines that are sales of an identified customer, with their amount."""
    rows = retail[~retail["InvoiceNo"].str.startswith("C") & retail["CustomerID"].notna()].copy()
    rows["amount"] = rows["Quantity"] * rows["UnitPrice"]
    rows["day"] = rows["InvoiceDate"].dt.normalize()
    return rows


# --- comparison ----------------------------------------------------------------------------------


def assert_same(actual: pd.DataFrame, expected: pd.DataFrame, keys: list[str]) -> None:
    """Same key rows, and every column of `expected` equal: integers exactly, floats within 1e-9
    relative (both null counts as equal)."""
    actual = actual.set_index(keys).sort_index()
    expected = expected.set_index(keys).sort_index()
    assert list(actual.index) == list(expected.index)
    for column in expected.columns:
        for key, got, want in zip(expected.index, actual[column], expected[column], strict=True):
            if want is None or (isinstance(want, float) and math.isnan(want)) or want is pd.NA:
                assert pd.isna(got), f"{column} at {key}: {got!r}, expected null"
            elif isinstance(want, (str, np.integer, int)) and not isinstance(want, bool):
                assert got == want, f"{column} at {key}: {got!r}, expected {want!r}"
            else:
                assert math.isclose(float(got), float(want), rel_tol=REL, abs_tol=1e-12), (
                    f"{column} at {key}: {got!r}, expected {want!r}"
                )


def month_start(dates: pd.Series) -> pd.Series:
    return dates.dt.to_period("M").dt.start_time


def days(delta: pd.Series) -> pd.Series:
    """A timedelta as fractional days."""
    return delta.dt.total_seconds() / 86_400


# --- Part 1: Maven CRM ---------------------------------------------------------------------------


def test_win_rate_by_month(pipeline: pd.DataFrame) -> None:
    result = run_builtin(
        "sales.win_rate",
        {"opportunities": pipeline},
        columns=MAVEN_COLUMNS,
        values=MAVEN_VALUES,
    )
    assert result.notes == ()
    closed = pipeline[pipeline["deal_stage"].isin(["Won", "Lost"])].copy()
    closed["month"] = month_start(closed["close_date"])
    closed["cycle"] = (closed["close_date"] - closed["engage_date"]).dt.days
    rows = []
    for month, deals in closed.groupby("month"):
        won = deals[deals["deal_stage"] == "Won"]
        lost = deals[deals["deal_stage"] == "Lost"]
        won_amount = won["close_value"].sum()
        lost_amount = lost["list_price"].sum()  # lost deals valued at list price
        rows.append(
            {
                "month": month,
                "won": len(won),
                "lost": len(lost),
                "win_rate": len(won) / (len(won) + len(lost)),
                "won_amount": won_amount,
                "lost_amount": lost_amount,
                "win_rate_amount": won_amount / (won_amount + lost_amount),
                "avg_deal_size": won["close_value"].mean(),
                "median_deal_size": won["close_value"].median(),
                "avg_cycle_days": won["cycle"].mean(),
                "median_cycle_days": won["cycle"].median(),
            }
        )
    expected = pd.DataFrame(rows)
    # every month from the first close to the last has closed deals: no filled gaps
    assert len(expected) == 10
    assert_same(result.to_pandas(), expected, ["month"])


def test_open_pipeline_by_stage_and_owner(pipeline: pd.DataFrame) -> None:
    open_deals = pipeline[~pipeline["deal_stage"].isin(["Won", "Lost"])]
    total = open_deals["list_price"].sum()
    for view, key, column in [
        ("main", "stage", "deal_stage"),
        ("by_owner", "owner", "sales_agent"),
    ]:
        result = run_builtin(
            "sales.pipeline",
            {"opportunities": pipeline},
            view=view,
            columns=MAVEN_COLUMNS,
            values=MAVEN_VALUES,
        )
        expected = (
            open_deals.groupby(column)
            .agg(deals=("opportunity_id", "size"), amount=("list_price", "sum"))
            .reset_index()
            .rename(columns={column: key})
        )
        expected["deals"] = expected["deals"].astype("int64")
        expected["amount_share"] = expected["amount"] / total
        frame = result.to_pandas()
        assert_same(frame, expected, [key])
        # largest open amount first (there is no probability to order the stages by)
        assert list(frame["amount"]) == sorted(frame["amount"], reverse=True)
        assert any("'probability'" in note for note in result.notes)
        assert any("'expected_close_date'" in note for note in result.notes)


def test_win_rate_by_owner_with_velocity(pipeline: pd.DataFrame) -> None:
    result = run_builtin(
        "sales.win_rate",
        {"opportunities": pipeline},
        view="by_owner",
        columns=MAVEN_COLUMNS,
        values=MAVEN_VALUES,
        as_of=MAVEN_AS_OF,
    )
    as_of = pd.Timestamp(MAVEN_AS_OF)
    age = (as_of - pipeline["close_date"]).dt.days
    in_window = (age >= 0) & (age < 365)
    rows = []
    for owner, deals in pipeline.groupby("sales_agent"):
        open_deals = deals[~deals["deal_stage"].isin(["Won", "Lost"])]
        won = deals[(deals["deal_stage"] == "Won") & in_window[deals.index]]
        lost = deals[(deals["deal_stage"] == "Lost") & in_window[deals.index]]
        win_rate = len(won) / (len(won) + len(lost))
        avg_deal = won["close_value"].mean()
        avg_cycle = (won["close_date"] - won["engage_date"]).dt.days.mean()
        rows.append(
            {
                "owner": owner,
                "open_deals": len(open_deals),
                "won": len(won),
                "lost": len(lost),
                "win_rate": win_rate,
                "won_amount": won["close_value"].sum(),
                "lost_amount": lost["list_price"].sum(),
                "avg_deal_size": avg_deal,
                "avg_cycle_days": avg_cycle,
                "velocity": len(open_deals) * win_rate * avg_deal / avg_cycle,
            }
        )
    assert_same(result.to_pandas(), pd.DataFrame(rows), ["owner"])


def test_salesperson(pipeline: pd.DataFrame) -> None:
    result = run_builtin(
        "sales.salesperson",
        {"orders": pipeline, "opportunities": pipeline},
        columns=MAVEN_COLUMNS,
        values=MAVEN_VALUES,
    )
    won = pipeline[pipeline["deal_stage"] == "Won"]
    # a customer's first sale: earliest close date, ties to the smallest order id
    first = won.sort_values(["close_date", "opportunity_id"]).groupby("account").head(1)
    new_customers = first.groupby("sales_agent").size()
    expected = (
        won.groupby("sales_agent")
        .agg(
            revenue=("close_value", "sum"),
            orders=("opportunity_id", "nunique"),
            customers=("account", "nunique"),
            average_deal_size=("close_value", "mean"),
            median_deal_size=("close_value", "median"),
        )
        .reset_index()
        .rename(columns={"sales_agent": "salesperson"})
    )
    expected["revenue_share"] = expected["revenue"] / won["close_value"].sum()
    expected["new_customers"] = expected["salesperson"].map(new_customers).fillna(0).astype("int64")
    expected["average_order_value"] = expected["revenue"] / expected["orders"]
    stages = pipeline.groupby("sales_agent")["deal_stage"].value_counts().unstack(fill_value=0)
    expected["won_deals"] = expected["salesperson"].map(stages["Won"]).astype("int64")
    expected["lost_deals"] = expected["salesperson"].map(stages["Lost"]).astype("int64")
    expected["win_rate"] = expected["won_deals"] / (expected["won_deals"] + expected["lost_deals"])
    frame = result.to_pandas()
    assert_same(frame, expected, ["salesperson"])
    assert frame["new_customers"].sum() == won["account"].nunique() == 85
    assert list(frame["revenue"]) == sorted(frame["revenue"], reverse=True)


def test_performance_won_deals_as_orders(pipeline: pd.DataFrame) -> None:
    result = run_builtin(
        "sales.performance", {"orders": pipeline}, columns=MAVEN_COLUMNS, values=MAVEN_VALUES
    )
    won = pipeline[pipeline["deal_stage"] == "Won"].copy()
    won["month"] = month_start(won["close_date"])
    expected = (
        won.groupby("month")
        .agg(revenue=("close_value", "sum"), orders=("opportunity_id", "nunique"))
        .reset_index()
    )
    # consecutive months (no gaps), so the previous month is the previous row
    expected["mom_growth"] = expected["revenue"] / expected["revenue"].shift() - 1
    expected["yoy_growth"] = np.nan  # one year of data
    assert_same(result.to_pandas(), expected, ["month"])
    assert len(result.notes) == 2  # no quantity, no cost


def _tutorial_mapping_file() -> str:
    blocks = re.findall(r"^```yaml\n(.*?)^```", TUTORIAL.read_text(encoding="utf-8"), re.S | re.M)
    assert len(blocks) == 1, "the tutorial shows one mapping file"
    return blocks[0]


def test_command_line_with_the_tutorials_mapping_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text(_tutorial_mapping_file(), encoding="utf-8")
    out = tmp_path / "result.csv"
    source = DATA / "maven_crm" / "sales_pipeline.csv"
    code = cli_main(
        [
            *["builtin", "run", "sales.win_rate", "--view", "by_owner"],
            *("--data", f"opportunities={source}", "--mapping", str(mapping)),
            *("--as-of", MAVEN_AS_OF, "--out", str(out)),
        ]
    )
    assert code == 0
    assert capsys.readouterr().out.strip() == f"wrote {out} (30 rows)"
    # read from the path by DuckDB: the dates are parsed without help; amount is close_value
    raw = pd.read_csv(source, parse_dates=["engage_date", "close_date"])
    expected = []
    for owner, deals in raw.groupby("sales_agent"):
        won = deals[deals["deal_stage"] == "Won"]
        lost = deals[deals["deal_stage"] == "Lost"]
        open_count = int((~deals["deal_stage"].isin(["Won", "Lost"])).sum())
        win_rate = len(won) / (len(won) + len(lost))
        cycle = (won["close_date"] - won["engage_date"]).dt.days.mean()
        expected.append(
            {
                "owner": owner,
                "open_deals": open_count,
                "won": len(won),
                "lost": len(lost),
                "win_rate": win_rate,
                "lost_amount": 0.0,  # lost deals are recorded at 0 ...
                "win_rate_amount": 1.0,  # ... so the win rate by amount is 100%
                "avg_deal_size": won["close_value"].mean(),
                "avg_cycle_days": cycle,
                "velocity": open_count * win_rate * won["close_value"].mean() / cycle,
            }
        )
    assert_same(pd.read_csv(out), pd.DataFrame(expected), ["owner"])


# --- Part 2: Online Retail -----------------------------------------------------------------------


def _per_customer_gaps(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    per = rows.groupby(keys).agg(
        orders=("InvoiceNo", "nunique"),
        revenue=("amount", "sum"),
        purchase_days=("day", "nunique"),
        first=("InvoiceDate", "min"),
        last=("InvoiceDate", "max"),
    )
    gap = days(per["last"] - per["first"]) / (per["purchase_days"] - 1)
    per["mean_gap"] = gap.where(per["purchase_days"] > 1)
    return per.reset_index()


def test_purchase_behaviour_by_year(retail: pd.DataFrame, sales: pd.DataFrame) -> None:
    result = run_builtin("sales.purchase_behaviour", {"orders": retail}, columns=RETAIL_COLUMNS)
    rows = sales.assign(year=sales["InvoiceDate"].dt.year)
    per = _per_customer_gaps(rows, ["year", "CustomerID"])
    expected = per.groupby("year").agg(
        customers=("CustomerID", "size"),
        orders=("orders", "sum"),
        revenue=("revenue", "sum"),
        repeat_customers=("orders", lambda o: int((o >= 2).sum())),
        inter_purchase_interval=("mean_gap", "mean"),
    )
    expected["purchase_frequency"] = expected["orders"] / expected["customers"]
    expected["average_order_value"] = expected["revenue"] / expected["orders"]
    expected["repeat_purchase_rate"] = expected["repeat_customers"] / expected["customers"]
    expected = expected.reset_index()
    expected["year"] = pd.to_datetime(expected["year"].astype(str) + "-01-01")
    for column in ["customers", "orders", "repeat_customers"]:
        expected[column] = expected[column].astype("int64")
    assert_same(result.to_pandas(), expected, ["year"])
    # the lines without a customer are no one's: the 2010 figures are those of 885 customers
    assert list(result.to_pandas()["customers"]) == [885, 4220]


@pytest.fixture(scope="module")
def rfm(sales: pd.DataFrame) -> pd.DataFrame:
    """Recency, frequency, monetary and their quintile scores per customer as of RETAIL_AS_OF,
    by the documented rule: score = 1 + floor(5 * behind / n), behind = customers strictly
    worse."""
    as_of = pd.Timestamp(RETAIL_AS_OF)
    rows = sales[sales["InvoiceDate"] < as_of + pd.Timedelta(days=1)]  # the whole as_of day
    per = rows.groupby("CustomerID").agg(
        last=("InvoiceDate", "max"),
        frequency=("InvoiceNo", "nunique"),
        monetary=("amount", "sum"),
    )
    # monetary exactly, in thousandths (prices have at most 3 decimals), to rank ties as ties
    milli = (rows["UnitPrice"] * 1000).round().astype("int64") * rows["Quantity"]
    assert ((milli / 1000 - rows["amount"]).abs() < 1e-6).all()
    per["monetary_exact"] = milli.groupby(rows["CustomerID"]).sum()
    per["recency"] = (as_of - per["last"].dt.normalize()).dt.days.astype("float64")  # calendar days
    n = len(per)
    behind_r = n - per["recency"].rank(method="max")  # larger recency: worse
    behind_f = per["frequency"].rank(method="min") - 1  # fewer orders: worse
    behind_m = per["monetary_exact"].rank(method="min") - 1
    for name, behind in [("r_score", behind_r), ("f_score", behind_f), ("m_score", behind_m)]:
        per[name] = (1 + np.floor(5 * behind / n)).astype("int64")
    groups = yaml.safe_load((REPORTS / "customers" / "value" / "main.yaml").read_text())[
        "dimensions"
    ][0]["groups"]
    segment_of = {code: segment for segment, codes in groups.items() for code in codes}
    assert sorted(segment_of) == [r * 10 + f for r in range(1, 6) for f in range(1, 6)]
    per["segment"] = (per["r_score"] * 10 + per["f_score"]).map(segment_of)
    return per.reset_index().rename(columns={"CustomerID": "customer_id"})


def test_rfm_per_customer(retail: pd.DataFrame, rfm: pd.DataFrame) -> None:
    report = builtin.get("customers.value", view="customers", columns=RETAIL_COLUMNS)
    top = report.run({"orders": retail}, as_of=RETAIL_AS_OF).to_pandas()
    assert len(top) == 100
    assert list(top["monetary"]) == sorted(top["monetary"], reverse=True)
    every = report.model_copy(update={"limit": None})  # every customer, not the top 100
    frame = every.run({"orders": retail}, as_of=RETAIL_AS_OF).to_pandas()
    assert frame["customer_id"].notna().all()
    scores = ["r_score", "f_score", "m_score", "segment"]
    expected = rfm[["customer_id", "recency", "frequency", "monetary", *scores]]
    assert len(frame) == len(expected) == 4339
    assert_same(frame, expected, ["customer_id"])


def test_rfm_segments_and_grid(retail: pd.DataFrame, rfm: pd.DataFrame) -> None:
    result = run_builtin(
        "customers.value", {"orders": retail}, columns=RETAIL_COLUMNS, as_of=RETAIL_AS_OF
    )
    expected = rfm.groupby("segment").agg(
        customers=("customer_id", "size"),
        revenue=("monetary", "sum"),
        avg_recency=("recency", "mean"),
        avg_frequency=("frequency", "mean"),
        avg_monetary=("monetary", "mean"),
    )
    expected["customers"] = expected["customers"].astype("int64")
    expected["customer_share"] = expected["customers"] / len(rfm)
    expected["revenue_share"] = expected["revenue"] / rfm["monetary"].sum()
    assert_same(result.to_pandas(), expected.reset_index(), ["segment"])

    grid = run_builtin(
        "customers.value",
        {"orders": retail},
        view="rf_grid",
        columns=RETAIL_COLUMNS,
        as_of=RETAIL_AS_OF,
    )
    cells = rfm.groupby(["r_score", "f_score"]).agg(
        customers=("customer_id", "size"), revenue=("monetary", "sum")
    )
    cells["customers"] = cells["customers"].astype("int64")
    cells["customer_share"] = cells["customers"] / len(rfm)
    assert_same(grid.to_pandas(), cells.reset_index(), ["r_score", "f_score"])


def test_as_of_counts_the_whole_day(retail: pd.DataFrame, sales: pd.DataFrame) -> None:
    """As of 2011-12-09 the invoices of that day (up to 12:50) are placed on or before as_of."""
    result = run_builtin(
        "customers.value", {"orders": retail}, columns=RETAIL_COLUMNS, as_of="2011-12-09"
    )
    on_or_before = sales[sales["InvoiceDate"] < pd.Timestamp("2011-12-10")]
    assert result.to_pandas()["customers"].sum() == on_or_before["CustomerID"].nunique() == 4339


def test_cohort_retention(retail: pd.DataFrame, sales: pd.DataFrame) -> None:
    result = run_builtin(
        "customers.churn",
        {"orders": retail},
        view="retention",
        columns=RETAIL_COLUMNS,
        as_of=RETAIL_AS_OF,
    )
    rows = sales[sales["InvoiceDate"] <= pd.Timestamp(RETAIL_AS_OF)].copy()
    first = rows.groupby("CustomerID")["InvoiceDate"].transform("min")
    rows["cohort"] = month_start(first)
    rows["months_since"] = (rows["InvoiceDate"].dt.year - first.dt.year) * 12 + (
        rows["InvoiceDate"].dt.month - first.dt.month
    )
    sizes = rows.groupby("cohort")["CustomerID"].nunique()
    expected = (
        rows.groupby(["cohort", "months_since"])["CustomerID"]
        .nunique()
        .rename("active_customers")
        .reset_index()
    )
    expected["cohort_size"] = expected["cohort"].map(sizes)
    expected["retention"] = expected["active_customers"] / expected["cohort_size"]
    for column in ["months_since", "active_customers", "cohort_size"]:
        expected[column] = expected[column].astype("int64")
    frame = result.to_pandas()
    assert len(frame) == len(expected) == 91  # 13 cohorts, 13 + 12 + ... + 1 cells
    assert_same(frame, expected, ["cohort", "months_since"])
    december = frame[frame["cohort"] == pd.Timestamp("2010-12-01")]
    assert list(december["active_customers"][:2]) == [885, 324]


def test_loyalty_bands_and_interval(retail: pd.DataFrame, sales: pd.DataFrame) -> None:
    as_of = pd.Timestamp(RETAIL_AS_OF)
    per = _per_customer_gaps(sales[sales["InvoiceDate"] <= as_of], ["CustomerID"])
    per["orders_band"] = per["orders"].clip(upper=5).map({1: "1", 2: "2", 3: "3", 4: "4", 5: "5+"})
    bands = per.groupby("orders_band").agg(
        customers=("CustomerID", "size"), orders=("orders", "sum"), revenue=("revenue", "sum")
    )
    for column in ["customers", "orders"]:
        bands[column] = bands[column].astype("int64")
    bands["customer_share"] = bands["customers"] / len(per)
    bands["revenue_share"] = bands["revenue"] / per["revenue"].sum()
    result = run_builtin(
        "customers.loyalty", {"orders": retail}, columns=RETAIL_COLUMNS, as_of=RETAIL_AS_OF
    )
    assert_same(result.to_pandas(), bands.reset_index(), ["orders_band"])

    interval = run_builtin(
        "customers.loyalty",
        {"orders": retail},
        view="interval",
        columns=RETAIL_COLUMNS,
        as_of=RETAIL_AS_OF,
    ).to_pandas()
    returning = per[per["purchase_days"] >= 2]
    expected = pd.DataFrame(
        [
            {
                "one": 1,
                "customers": len(per),
                "returning_customers": len(returning),
                "returning_share": len(returning) / len(per),
                "mean_interval": returning["mean_gap"].mean(),
                "median_interval": returning["mean_gap"].median(),
            }
        ]
    )
    assert_same(interval.assign(one=1), expected, ["one"])
