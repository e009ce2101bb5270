"""Entry point :func:`generate` plus the customer, order and opportunity tables.

Campaigns and tickets live in :mod:`._activity`; the tables and columns added later
in :mod:`._marketing` (leads, touches, order attribution), :mod:`._service` (ticket
types, churn, surveys) and :mod:`._team` (users, targets); shared helpers in
:mod:`._common`.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from ._activity import make_campaigns, make_tickets
from ._common import (
    N_DAYS,
    SALESPEOPLE,
    CustomerBase,
    FloatArray,
    choice,
    dates,
    day_index,
    day_weights,
    labels,
    nullable_int,
    pick_customers,
    sample_days,
    with_nulls,
)
from ._dataset import CRMDataset
from ._marketing import Campaigns, attribute_orders, make_leads, make_touches
from ._service import churn, make_surveys, ticket_types
from ._team import make_targets, make_users

REGIONS = ("North", "South", "East", "West", "Central")
SEGMENTS = ("Consumer", "SMB", "Enterprise")
INDUSTRIES = (
    "Retail", "Technology", "Healthcare", "Finance",
    "Manufacturing", "Education", "Hospitality", "Logistics",
)  # fmt: skip
GENDERS = ("F", "M", "X")
FIRST_NAMES = (
    "Ada", "Bruno", "Clara", "Diego", "Emma", "Farid", "Grace", "Hugo", "Ines", "Jonas",
    "Kira", "Liam", "Maya", "Noah", "Olga", "Pedro", "Quinn", "Rosa", "Sami", "Tara",
)  # fmt: skip
LAST_NAMES = (
    "Adams", "Baker", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hansen", "Ivanov", "Jensen",
    "Khan", "Lopez", "Muller", "Nowak", "Olsen", "Petrov", "Rossi", "Silva", "Tanaka", "Weber",
)  # fmt: skip
# Every first/last combination, so a name is just an index into this table.
FULL_NAMES = tuple(f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES)

ORDER_CHANNELS = ("Online", "Retail", "Partner", "Phone")
ORDER_STATUSES = ("won", "open", "lost", "cancelled")
# (product, category, list unit price): category is a function of product.
PRODUCTS = (
    ("CRM Basic", "Software", 29.0),
    ("CRM Pro", "Software", 99.0),
    ("Analytics Add-on", "Software", 49.0),
    ("API Access", "Software", 199.0),
    ("Barcode Scanner", "Hardware", 149.0),
    ("Receipt Printer", "Hardware", 249.0),
    ("POS Terminal", "Hardware", 899.0),
    ("Onboarding", "Services", 499.0),
    ("Training Day", "Services", 1200.0),
    ("Premium Support", "Services", 350.0),
)
CATEGORIES = ("Software", "Hardware", "Services")

STAGES = ("prospecting", "qualification", "proposal", "negotiation", "won", "lost")
STAGE_PROBABILITY = np.array([10.0, 25.0, 50.0, 75.0, 100.0, 0.0])
LEAD_SOURCES = ("Web", "Referral", "Event", "Partner", "Outbound")
# Referrals close best, cold outbound worst: gives win-rate-by-source reports a signal.
WIN_RATE_BY_SOURCE = np.array([0.30, 0.50, 0.35, 0.40, 0.20])
LOSS_REASONS = ("price", "competitor", "no budget", "timing", "no decision", "missing features")

# Streams for the tables and columns added after the original five (see generate()).
_EXTRA_STREAMS = (
    "order_campaign", "expected_close", "leads", "ticket_types", "churn", "touches",
    "surveys", "targets", "users",
)  # fmt: skip
# Median days from the snapshot until an open deal is expected to close, by open stage
# (prospecting .. negotiation): later stages are nearer to closing.
_EXPECTED_CLOSE_DAYS = np.array([90.0, 60.0, 40.0, 20.0])
_OVERDUE_SHARE = 0.12  # open deals whose expected close date has already passed

# Bigger customers buy bigger baskets and bigger deals.
SEGMENT_AMOUNT_FACTOR = np.array([1.0, 1.4, 2.5])


def generate(*, seed: int = 0, size: int = 2_000) -> CRMDataset:
    """Generate a deterministic synthetic CRM dataset.

    Parameters
    ----------
    seed:
        Non-negative int seeding ``numpy.random.default_rng``; same seed and size
        give bit-for-bit identical tables.
    size:
        Number of orders (>= 1). Other tables scale from it: ``max(20, size // 5)``
        customers, ``max(20, size // 4)`` opportunities, ``max(20, size // 3)``
        tickets, 12 to 30 campaigns, ``max(20, size // 2)`` leads, about ``size``
        touches and rated tickets plus ``max(10, size // 10)`` surveys; targets
        and users have a fixed size.
    """
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 1:
        raise ValueError(f"size must be an int >= 1 (number of orders), got {size!r}")
    seed, size = int(seed), int(size)

    # One independent child stream per table: tweaking one table's sampling does not
    # reshuffle every other table, which keeps docs examples stable across changes.
    # Child streams are numbered, so the original five keep their numbers 0-4 and each
    # later addition takes the next ones: append to _EXTRA_STREAMS, never reorder.
    streams = np.random.default_rng(seed).spawn(5 + len(_EXTRA_STREAMS))
    rng_customers, rng_orders, rng_opps, rng_campaigns, rng_tickets = streams[:5]
    extra = dict(zip(_EXTRA_STREAMS, streams[5:], strict=True))
    customers, base = _make_customers(rng_customers, max(20, size // 5))
    orders = _make_orders(rng_orders, size, base)
    opportunities = _make_opportunities(rng_opps, max(20, size // 4), base)
    campaigns = make_campaigns(rng_campaigns, min(30, max(12, size // 100)))
    tickets = make_tickets(rng_tickets, max(20, size // 3), base)

    # Everything below only adds columns and tables derived from the five above, from
    # its own streams, so the original columns stay identical for a seed and size.
    campaign_facts = Campaigns.of(campaigns)
    orders["campaign_id"] = attribute_orders(extra["order_campaign"], orders, campaign_facts)
    opportunities["expected_close_date"] = _expected_close_dates(
        extra["expected_close"], opportunities
    )
    leads, opportunities["lead_id"] = make_leads(
        extra["leads"], max(20, size // 2), opportunities, campaign_facts
    )
    tickets["type"], tickets["reason"] = ticket_types(extra["ticket_types"], tickets)
    churn_day, churn_reason = churn(extra["churn"], customers, orders, opportunities, tickets)
    customers["churned_date"] = dates(np.maximum(churn_day, 0), missing=churn_day < 0)
    customers["churn_reason"] = churn_reason
    return CRMDataset(
        customers=customers,
        orders=orders,
        opportunities=opportunities,
        campaigns=campaigns,
        tickets=tickets,
        leads=leads,
        touches=make_touches(extra["touches"], size, campaign_facts, base.signup_day, churn_day),
        surveys=make_surveys(extra["surveys"], max(10, size // 10), base, tickets, churn_day),
        targets=make_targets(extra["targets"], orders),
        users=make_users(extra["users"]),
    )


def _make_customers(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, CustomerBase]:
    """Customers, with ids assigned in signup order like an autoincrement key."""
    # Strongly early-heavy signups (~20% in the first month, then steady acquisition)
    # so early orders are spread over many customers rather than a handful.
    # Customer 1 joins on day 0 so every date has at least one eligible customer.
    signup_day = np.sort((rng.beta(0.5, 1.2, n) * N_DAYS).astype(np.int64))
    signup_day[0] = 0
    segment = choice(rng, n, [0.62, 0.28, 0.10])
    # Heavy-tailed purchase propensity: a few customers order very often, most
    # rarely; enterprise accounts order a bit more frequently.
    activity: FloatArray = rng.lognormal(0.0, 1.4, n) * np.array([1.0, 1.3, 1.8])[segment]
    age_missing = rng.random(n) < 0.05
    age = np.clip(np.rint(rng.normal(44.0, 14.0, n)), 18, 80).astype(np.int64)
    frame = pd.DataFrame(
        {
            "customer_id": np.arange(1, n + 1, dtype=np.int64),
            "name": labels(FULL_NAMES, rng.integers(0, len(FULL_NAMES), n)),
            "region": labels(REGIONS, with_nulls(rng, choice(rng, n, [22, 20, 20, 23, 15]), 0.02)),
            "segment": labels(SEGMENTS, segment),
            "industry": labels(INDUSTRIES, choice(rng, n, [18, 20, 12, 10, 14, 8, 10, 8])),
            "signup_date": dates(signup_day),
            "age": nullable_int(age, age_missing),
            "gender": labels(GENDERS, with_nulls(rng, choice(rng, n, [48, 48, 4]), 0.03)),
        }
    )
    return frame, CustomerBase(signup_day, np.cumsum(activity), segment)


def _make_orders(rng: np.random.Generator, n: int, base: CustomerBase) -> pd.DataFrame:
    """Orders with seasonality/trend in dates and lognormal-skewed amounts."""
    day = sample_days(rng, n, day_weights(weekend_factor=0.75))
    customer_id = pick_customers(rng, day, base)
    product = choice(rng, n, [22, 16, 12, 6, 9, 7, 4, 10, 5, 9])
    unit_price = np.array([p[2] for p in PRODUCTS])[product]
    quantity = np.minimum(rng.geometric(0.45, n), 20).astype(np.int64)  # mostly 1-3 units
    # Price noise (discounts, upsells) is lognormal, so order values are right-skewed.
    raw = unit_price * quantity * rng.lognormal(0.0, 0.3, n)
    raw *= SEGMENT_AMOUNT_FACTOR[base.segment[customer_id - 1]]
    amount = np.maximum(np.round(raw, 2), 0.01)
    # Margin 20-60%; rounding a smaller product can never exceed the amount.
    cost = np.round(amount * rng.uniform(0.4, 0.8, n), 2)
    missing_amount = rng.random(n) < 0.01
    amount[missing_amount] = np.nan
    cost[missing_amount] = np.nan
    category_of_product = np.array([CATEGORIES.index(p[1]) for p in PRODUCTS])
    return pd.DataFrame(
        {
            "order_id": np.arange(1, n + 1, dtype=np.int64),
            "order_date": dates(day),
            "customer_id": customer_id,
            "channel": labels(ORDER_CHANNELS, choice(rng, n, [50, 25, 15, 10])),
            "status": labels(ORDER_STATUSES, choice(rng, n, [80, 7, 8, 5])),
            "amount": amount,
            "cost": cost,
            "quantity": quantity,
            "product": labels([p[0] for p in PRODUCTS], product),
            "category": labels(CATEGORIES, category_of_product[product]),
            "salesperson": labels(
                SALESPEOPLE, with_nulls(rng, choice(rng, n, [16, 14, 14, 13, 12, 11, 10, 10]), 0.02)
            ),
        }
    )


def _make_opportunities(rng: np.random.Generator, n: int, base: CustomerBase) -> pd.DataFrame:
    """Sales pipeline: deals close after a lognormal sales cycle or are still open."""
    created = sample_days(rng, n, day_weights(weekend_factor=0.3))  # B2B: quiet weekends
    account_id = pick_customers(rng, created, base)
    lead_source = choice(rng, n, [35, 20, 15, 12, 18])
    # Median cycle ~45 days; deals whose close would fall after the range end are
    # still open in the snapshot, so recent deals are mostly open, old ones closed.
    closed = created + np.ceil(rng.lognormal(np.log(45.0), 0.7, n)).astype(np.int64)
    is_open = closed >= N_DAYS
    won = rng.random(n) < WIN_RATE_BY_SOURCE[lead_source]
    open_stage = choice(rng, n, [35, 30, 20, 15])
    stage = np.where(is_open, open_stage, np.where(won, 4, 5))
    is_lost = stage == 5
    segment_factor = SEGMENT_AMOUNT_FACTOR[base.segment[account_id - 1]]
    amount = rng.lognormal(np.log(8_000.0), 1.0, n) * segment_factor
    loss_reason = np.where(is_lost, choice(rng, n, [30, 25, 15, 12, 10, 8]), -1)
    return pd.DataFrame(
        {
            "opportunity_id": np.arange(1, n + 1, dtype=np.int64),
            "account_id": account_id,
            "owner": labels(SALESPEOPLE, choice(rng, n, [16, 14, 14, 13, 12, 11, 10, 10])),
            "stage": labels(STAGES, stage),
            "amount": np.maximum(np.round(amount, 2), 0.01),
            "probability": STAGE_PROBABILITY[stage],
            "created_date": dates(created),
            "closed_date": dates(np.minimum(closed, N_DAYS - 1), missing=is_open),
            "lead_source": labels(LEAD_SOURCES, lead_source),
            "loss_reason": labels(LOSS_REASONS, loss_reason),
        }
    )


def _expected_close_dates(rng: np.random.Generator, opportunities: pd.DataFrame) -> np.ndarray:
    """``opportunities.expected_close_date``: for open deals only, after their creation.

    Mostly in the months after the snapshot (it is a forecast, so it may lie beyond
    the range end); some deals have slipped and are overdue, i.e. expected before the
    snapshot but still open.
    """
    n = len(opportunities)
    created = day_index(opportunities["created_date"])
    stage = pd.Categorical(opportunities["stage"], categories=STAGES).codes
    is_open = opportunities["closed_date"].isna().to_numpy(dtype=bool)
    median = _EXPECTED_CLOSE_DAYS[np.minimum(stage, 3)]
    ahead = N_DAYS - 1 + np.ceil(rng.lognormal(np.log(median), 0.6)).astype(np.int64)
    slipped = created + 1 + (rng.random(n) * (N_DAYS - 1 - created)).astype(np.int64)
    overdue = (rng.random(n) < _OVERDUE_SHARE) & (created < N_DAYS - 1)
    return dates(np.where(overdue, slipped, ahead), missing=~is_open)
