"""The reports in idiomatic polars: one lazy query each, collected once."""

from __future__ import annotations

import datetime as dt

import polars as pl

AS_OF = dt.datetime(2025, 1, 1)


def sales_performance(t: dict[str, pl.DataFrame]) -> pl.DataFrame:
    o = t["orders"].lazy().filter(pl.col("status").is_in(["won", "open"]))
    top = o.group_by("product").agg(pl.col("amount").sum()).top_k(5, by="amount")
    agg = (
        o.join(top.select("product", top=pl.lit(True)), on="product", how="left")
        .group_by(
            month=pl.col("order_date").dt.truncate("1mo"),
            product=pl.when(pl.col("top")).then(pl.col("product")).otherwise(pl.lit("Other")),
        )
        .agg(
            revenue=pl.col("amount").sum(),
            orders=pl.len(),
            customers=pl.col("customer_id").n_unique(),
            median_order=pl.col("amount").median(),
        )
    )
    previous = agg.select(
        pl.col("month").dt.offset_by("1mo"), "product", previous=pl.col("revenue")
    )
    return (
        agg.join(previous, on=["month", "product"], how="left")
        .with_columns(
            growth=pl.when(pl.col("previous") != 0).then(
                (pl.col("revenue") - pl.col("previous")) / pl.col("previous")
            )
        )
        .drop("previous")
        .sort("month", pl.col("product") == "Other", "product")
        .collect()
    )


def salesperson_leaderboard(t: dict[str, pl.DataFrame]) -> pl.DataFrame:
    won, lost = pl.col("stage") == "won", pl.col("stage") == "lost"
    closed = pl.col("won_deals") + pl.col("lost_deals")
    return (
        t["opportunities"]
        .lazy()
        .group_by("owner")
        .agg(
            won_revenue=pl.col("amount").filter(won).sum(),
            won_deals=won.sum(),
            lost_deals=lost.sum(),
        )
        .with_columns(win_rate=pl.when(closed > 0).then(pl.col("won_deals") / closed))
        .sort("won_revenue", descending=True)
        .collect()
    )


def customer_value(t: dict[str, pl.DataFrame]) -> pl.DataFrame:
    return (
        t["orders"]
        .lazy()
        .filter(pl.col("status") == "won")
        .group_by("customer_id")
        .agg(
            last_order=pl.col("order_date").max(),
            frequency=pl.len(),
            monetary=pl.col("amount").sum(),
        )
        .with_columns(recency_days=(pl.lit(AS_OF) - pl.col("last_order")).dt.total_days())
        .sort("customer_id")
        .collect()
    )


def cohorts(t: dict[str, pl.DataFrame]) -> pl.DataFrame:
    customers = t["customers"].lazy().select("customer_id", "signup_date")
    return (
        t["orders"]
        .lazy()
        .filter(pl.col("status") == "won")
        .join(customers, on="customer_id", how="left")
        .group_by(
            cohort=pl.col("signup_date").dt.truncate("1mo"),
            month=pl.col("order_date").dt.truncate("1mo"),
        )
        .agg(
            orders=pl.len(),
            customers=pl.col("customer_id").n_unique(),
            revenue=pl.col("amount").sum(),
        )
        .sort("cohort", "month")
        .collect()
    )


def pipeline_by_stage(t: dict[str, pl.DataFrame]) -> pl.DataFrame:
    return (
        t["opportunities"]
        .lazy()
        .group_by("stage")
        .agg(
            deals=pl.len(),
            amount=pl.col("amount").sum(),
            weighted_amount=(pl.col("amount") * pl.col("probability") / 100).sum(),
        )
        .sort("weighted_amount", descending=True)
        .collect()
    )
