"""The people behind the data: the users table and the salespeople's monthly targets."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._activity import AGENTS
from ._common import DT_UNIT, N_DAYS, SALESPEOPLE, START, TEXT_DTYPE, dates, labels

# Salespeople split into two teams of four (in SALESPEOPLE order), each covering one of
# the customer regions; service agents form one support team serving every region.
SALES_TEAMS = ("East",) * 4 + ("West",) * 4
SALES_REGIONS = ("North", "East", "East", "Central", "West", "South", "West", "South")
SUPPORT_TEAM = "Support"
# Everyone was hired before the range starts (they own orders and tickets from day 0),
# so hired dates lie a month to 8 years before 2023-01-01, outside the data's range.
_HIRED_DAYS_BEFORE = (30, 8 * 365)


def make_users(rng: np.random.Generator) -> pd.DataFrame:
    """The 8 salespeople (role sales) and 6 service agents (role service), one row each."""
    names = SALESPEOPLE + AGENTS
    n_sales, n = len(SALESPEOPLE), len(SALESPEOPLE) + len(AGENTS)
    hired = -rng.integers(*_HIRED_DAYS_BEFORE, n)
    return pd.DataFrame(
        {
            "name": pd.Series(names, dtype=TEXT_DTYPE),
            "role": pd.Series(["sales"] * n_sales + ["service"] * len(AGENTS), dtype=TEXT_DTYPE),
            "team": pd.Series(SALES_TEAMS + (SUPPORT_TEAM,) * len(AGENTS), dtype=TEXT_DTYPE),
            # Agents are not tied to a region: missing rather than a made-up "All".
            "region": labels(SALES_REGIONS, np.r_[np.arange(n_sales), np.full(len(AGENTS), -1)]),
            "hired_date": dates(hired),
        }
    )


def make_targets(rng: np.random.Generator, orders: pd.DataFrame) -> pd.DataFrame:
    """One revenue target per salesperson and month of the range.

    A target is half the salesperson's actual won revenue that month and half their
    smoothed expectation (their total spread by the company-wide monthly profile),
    with ~12% noise, rounded to 100. Anchoring on actuals keeps attainment (won
    revenue / target) plausible, mostly 70-130%, even for small datasets where one
    big order dominates a month; the smooth half keeps it from being exactly 100%.
    """
    months = np.arange(START.astype("datetime64[M]"), (START + N_DAYS).astype("datetime64[M]"))
    won = orders[(orders["status"] == "won") & orders["salesperson"].notna()]
    month_code = won["order_date"].to_numpy().astype("datetime64[M]") - months[0]
    person_code = pd.Categorical(won["salesperson"], categories=SALESPEOPLE).codes
    actual = np.zeros((len(SALESPEOPLE), len(months)))
    np.add.at(
        actual, (person_code, month_code.astype(np.int64)), won["amount"].fillna(0.0).to_numpy()
    )
    total = actual.sum()
    profile = actual.sum(axis=0) / total if total > 0 else np.full(len(months), 1 / len(months))
    expected = actual.sum(axis=1, keepdims=True) * profile
    noise = rng.lognormal(0.0, 0.12, actual.shape)
    amount = np.maximum(np.round((0.8 * actual + 0.2 * expected) * noise, -2), 100.0)
    return pd.DataFrame(
        {
            "owner": pd.Series(np.repeat(SALESPEOPLE, len(months)), dtype=TEXT_DTYPE),
            "period": np.tile(months.astype(DT_UNIT), len(SALESPEOPLE)),
            "amount": amount.ravel(),
            "team": pd.Series(np.repeat(SALES_TEAMS, len(months)), dtype=TEXT_DTYPE),
        }
    )
