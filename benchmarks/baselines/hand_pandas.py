"""The reports in idiomatic pandas: boolean masks, named aggregation, `observed=True`."""

from __future__ import annotations

import numpy as np
import pandas as pd

AS_OF = pd.Timestamp("2025-01-01")


def _month(dates: pd.Series) -> np.ndarray:
    # Faster than .dt.to_period("M").dt.start_time (0.1 s against 1.5 s on 10M rows).
    return dates.to_numpy().astype("datetime64[M]").astype(dates.dtype)


def sales_performance(t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    orders = t["orders"]
    o = orders[orders["status"].isin(["won", "open"])]
    top = o.groupby("product", observed=True)["amount"].sum().nlargest(5).index
    o = o.assign(
        month=_month(o["order_date"]), product=o["product"].where(o["product"].isin(top), "Other")
    )
    out = (
        o.groupby(["month", "product"], observed=True, sort=False)
        .agg(
            revenue=("amount", "sum"),
            orders=("amount", "size"),
            customers=("customer_id", "nunique"),
            median_order=("amount", "median"),
        )
        .reset_index()
    )
    previous = out[["month", "product", "revenue"]].rename(columns={"revenue": "previous"})
    previous["month"] = previous["month"] + pd.DateOffset(months=1)
    out = out.merge(previous, on=["month", "product"], how="left")
    out["growth"] = (out["revenue"] - out["previous"]) / out["previous"].replace(0, np.nan)
    out["other"] = out["product"].eq("Other")  # crmreports' order: the top 5 by name, then Other
    return out.sort_values(["month", "other", "product"], ignore_index=True).drop(
        columns=["previous", "other"]
    )


def salesperson_leaderboard(t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    o = t["opportunities"]
    won, lost = o["stage"].eq("won"), o["stage"].eq("lost")
    out = (
        o.assign(won_revenue=o["amount"].where(won), won_deals=won, lost_deals=lost)
        .groupby("owner", observed=True)
        .agg(
            won_revenue=("won_revenue", "sum"),
            won_deals=("won_deals", "sum"),
            lost_deals=("lost_deals", "sum"),
        )
        .reset_index()
    )
    closed = (out["won_deals"] + out["lost_deals"]).replace(0, np.nan)
    out["win_rate"] = out["won_deals"] / closed
    return out.sort_values("won_revenue", ascending=False, ignore_index=True)


def customer_value(t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    orders = t["orders"]
    o = orders[orders["status"].eq("won")]
    out = (
        o.groupby("customer_id")
        .agg(
            last_order=("order_date", "max"),
            frequency=("order_date", "size"),
            monetary=("amount", "sum"),
        )
        .reset_index()
    )
    out["recency_days"] = (AS_OF - out["last_order"]).dt.days
    return out  # groupby sorts by customer_id, as crmreports does


def cohorts(t: dict[str, pd.DataFrame]) -> pd.DataFrame:  # sorted by cohort, month
    orders = t["orders"]
    o = orders[orders["status"].eq("won")]
    signup = o["customer_id"].map(t["customers"].set_index("customer_id")["signup_date"])
    return (
        o.assign(cohort=_month(signup), month=_month(o["order_date"]))
        .groupby(["cohort", "month"], observed=True)
        .agg(
            orders=("order_date", "size"),
            customers=("customer_id", "nunique"),
            revenue=("amount", "sum"),
        )
        .reset_index()
    )


def pipeline_by_stage(t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    o = t["opportunities"]
    return (
        o.assign(weighted=o["amount"] * o["probability"] / 100)
        .groupby("stage", observed=True)
        .agg(deals=("stage", "size"), amount=("amount", "sum"), weighted_amount=("weighted", "sum"))
        .reset_index()
        .sort_values("weighted_amount", ascending=False, ignore_index=True)
    )
