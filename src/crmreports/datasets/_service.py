"""After the sale: ticket types and complaint reasons, customer churn, survey answers.

Derived from the already generated customers, orders, opportunities and tickets,
which stay unchanged; only columns and tables consistent with them are added.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._activity import TICKET_CATEGORIES
from ._common import (
    N_DAYS,
    TEXT_DTYPE,
    BoolArray,
    CustomerBase,
    IntArray,
    choice,
    choice_rows,
    dates,
    day_index,
    day_weights,
    labels,
    nullable_ids,
    pick_customers,
)

TICKET_TYPES = ("question", "problem", "request", "complaint")
COMPLAINT_REASONS = ("late delivery", "billing error", "product defect", "rude staff", "other")
# Type and complaint reason weights by ticket category (billing, technical, delivery,
# account, other), so e.g. delivery complaints are mostly about late delivery.
# Overall ~15% of tickets are complaints.
_TYPE_BY_CATEGORY = np.array(
    [[30.0, 20, 30, 20], [25, 55, 10, 10], [25, 30, 20, 25], [40, 15, 35, 10], [40, 15, 30, 15]]
)
_REASON_BY_CATEGORY = np.array(
    [
        [5.0, 75, 5, 10, 5],
        [5, 5, 70, 10, 10],
        [75, 5, 10, 5, 5],
        [5, 30, 5, 30, 30],
        [15, 10, 15, 25, 35],
    ]
)
# Tickets rated 1-2 are complaints this much more often (the rating exists already).
_UNHAPPY_COMPLAINT_FACTOR = 2.5

CHURN_REASONS = ("price", "service", "competitor", "moved", "other")
CHURN_SHARE = 0.15  # target share of customers churned by the end of the range
# Consumers leave more easily than enterprise accounts; complaints drive churn (and
# then the reason is mostly service).
_CHURN_BY_SEGMENT = {"Consumer": 1.3, "SMB": 1.0, "Enterprise": 0.5}
_COMPLAINED_CHURN_FACTOR = 2.0
_CHURN_REASON_WEIGHTS = np.array([[30.0, 15, 25, 15, 15], [15, 60, 15, 5, 5]])  # no/yes complaint

SURVEY_KINDS = ("csat", "nps")
# NPS 0..10: ~40% promoters (9-10), ~25% detractors (0-6).
_NPS_WEIGHTS = [2, 1, 2, 2, 3, 5, 10, 17, 18, 18, 22]


def ticket_types(rng: np.random.Generator, tickets: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """``tickets.type`` and ``tickets.reason`` (complaints only), by ticket category."""
    category = pd.Categorical(tickets["category"], categories=TICKET_CATEGORIES).codes
    weights = _TYPE_BY_CATEGORY[category]
    unhappy = (tickets["satisfaction"] <= 2).fillna(False).to_numpy(dtype=bool)
    weights[:, 3] *= np.where(unhappy, _UNHAPPY_COMPLAINT_FACTOR, 1.0)
    kind = choice_rows(rng, weights)
    reason = choice_rows(rng, _REASON_BY_CATEGORY[category])
    is_complaint = kind == TICKET_TYPES.index("complaint")
    return labels(TICKET_TYPES, kind), labels(COMPLAINT_REASONS, np.where(is_complaint, reason, -1))


def churn(
    rng: np.random.Generator,
    customers: pd.DataFrame,
    orders: pd.DataFrame,
    opportunities: pd.DataFrame,
    tickets: pd.DataFrame,
) -> tuple[IntArray, pd.Series]:
    """Churn day per customer (-1: still active) and ``customers.churn_reason``.

    A customer can only churn after their last recorded activity (signup, order, deal,
    ticket or its resolution), so no churned customer orders or calls in afterwards.
    """
    n = len(customers)
    last = day_index(customers["signup_date"])
    for ids, column in [
        (orders["customer_id"], orders["order_date"]),
        (opportunities["account_id"], opportunities["created_date"]),
        (tickets["customer_id"], tickets["created_at"]),
        (tickets["customer_id"], tickets["resolved_at"]),  # NaT -> -1, never the max
    ]:
        np.maximum.at(last, ids.to_numpy(np.int64) - 1, day_index(column))
    complained = np.zeros(n, dtype=bool)
    complaint_customers = tickets.loc[tickets["type"] == "complaint", "customer_id"]
    complained[complaint_customers.to_numpy(np.int64) - 1] = True

    # Customers go quiet for a while before they are recorded as lost.
    churn_day = last + np.ceil(rng.lognormal(np.log(60.0), 0.8, n)).astype(np.int64)
    possible = churn_day <= N_DAYS - 1
    segment_factor = customers["segment"].map(_CHURN_BY_SEGMENT).fillna(1.0).to_numpy(np.float64)
    weight = segment_factor * np.where(complained, _COMPLAINED_CHURN_FACTOR, 1.0)
    # Scale so ~CHURN_SHARE of all customers churn; only those with room left can.
    scale = CHURN_SHARE * n / max(weight[possible].sum(), 1e-9)
    churned = possible & (rng.random(n) < np.minimum(scale * weight, 1.0))
    reason = choice_rows(rng, _CHURN_REASON_WEIGHTS[complained.astype(np.int64)])
    return np.where(churned, churn_day, -1), labels(CHURN_REASONS, np.where(churned, reason, -1))


def make_surveys(
    rng: np.random.Generator,
    n_nps: int,
    base: CustomerBase,
    tickets: pd.DataFrame,
    churn_day: IntArray,
) -> pd.DataFrame:
    """CSAT answers (one per rated ticket) and ``n_nps`` NPS answers, in answer order.

    A ticket's CSAT answer is its ``satisfaction`` rating, given on closing: same
    score, answered on the resolution day, about the ticket's agent and channel.
    NPS answers are about the relationship, so they have no ticket, agent or channel.
    """
    rated = tickets["satisfaction"].notna().to_numpy(dtype=bool)
    csat = tickets.loc[rated]
    nps_day, nps_customer, nps_score = _nps_answers(rng, n_nps, base, churn_day)
    day = np.concatenate([day_index(csat["resolved_at"]), nps_day])
    order = np.argsort(day, kind="stable")
    is_nps: BoolArray = np.arange(len(day)) >= len(csat)

    def merged(csat_values: IntArray, nps_values: IntArray) -> IntArray:
        return np.concatenate([csat_values, nps_values]).astype(np.int64)[order]

    ticket_id = merged(csat["ticket_id"].to_numpy(np.int64), np.full(n_nps, -1))
    # Agent/channel rows follow the tickets; NPS rows get missing values.
    from_ticket = merged(np.arange(len(csat)), np.full(n_nps, -1))
    agent = csat["agent"].to_numpy(dtype=object)
    channel = csat["channel"].to_numpy(dtype=object)
    return pd.DataFrame(
        {
            "survey_id": np.arange(1, len(day) + 1, dtype=np.int64),
            "kind": labels(SURVEY_KINDS, is_nps[order].astype(np.int64)),
            "score": merged(csat["satisfaction"].to_numpy(np.int64), nps_score),
            "answered_date": dates(day[order]),
            "customer_id": merged(csat["customer_id"].to_numpy(np.int64), nps_customer),
            "ticket_id": nullable_ids(ticket_id),
            "agent": _take_text(agent, from_ticket),
            "channel": _take_text(channel, from_ticket),
        }
    )


def _nps_answers(
    rng: np.random.Generator, n: int, base: CustomerBase, churn_day: IntArray
) -> tuple[IntArray, IntArray, IntArray]:
    """Day, customer id and 0-10 score of each NPS answer."""
    day = rng.choice(N_DAYS, n, p=day_weights(weekend_factor=0.6)).astype(np.int64)
    customer = pick_customers(rng, day, base)
    customer_churn = churn_day[customer - 1]
    # A customer asked after leaving answers the exit survey on their churn day.
    day = np.where((customer_churn >= 0) & (customer_churn < day), customer_churn, day)
    # Customers who churn (at any time) were less happy: knock up to 3 points off.
    penalty = rng.integers(0, 4, n) * (customer_churn >= 0)
    score = np.maximum(choice(rng, n, _NPS_WEIGHTS) - penalty, 0)
    return day, customer, score


def _take_text(values: np.ndarray, index: IntArray) -> pd.Series:
    """``values[index]`` as a text column, missing where ``index`` is -1."""
    lookup = np.append(values, np.array([None], dtype=object))  # index -1: the trailing None
    return pd.Series(lookup[index], dtype=TEXT_DTYPE)
