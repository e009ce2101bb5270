"""Marketing campaigns and support tickets tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._common import (
    LAST_SECOND,
    N_DAYS,
    SECONDS_PER_DAY,
    START,
    TEXT_DTYPE,
    CustomerBase,
    choice,
    dates,
    day_weights,
    labels,
    nullable_int,
    pick_customers,
    sample_days,
    timestamps,
)

CAMPAIGN_CHANNELS = ("email", "search", "social", "events", "display")
# Campaign theme by start month (Jan..Dec), so names read sensibly.
MONTH_THEMES = (
    "New Year Kickoff", "Win-back", "Spring Launch", "Spring Launch", "Product Update",
    "Summer Deals", "Summer Deals", "Back to Business", "Back to Business",
    "Webinar Series", "Black Friday", "Holiday Push",
)  # fmt: skip
# Per channel (email, search, social, events, display): typical audience ("sent",
# i.e. emails, impressions or invitations), funnel rates and cost per unit sent.
_AUDIENCE = np.array([20_000.0, 50_000.0, 30_000.0, 500.0, 100_000.0])
_DELIVERY_RATE = np.array([0.96, 0.99, 0.98, 0.95, 0.99])
_OPEN_RATE = np.array([0.25, 0.60, 0.40, 0.50, 0.50])
_CLICK_RATE = np.array([0.12, 0.08, 0.05, 0.30, 0.01])
_COST_PER_SENT = np.array([0.01, 0.40, 0.15, 40.0, 0.02])

TICKET_CHANNELS = ("email", "phone", "chat", "web")
PRIORITIES = ("low", "medium", "high", "urgent")
TICKET_CATEGORIES = ("billing", "technical", "delivery", "account", "other")
AGENTS = ("Iris Bauer", "Jamal Reed", "Kenji Mori", "Lucia Ferri", "Marta Sousa", "Omar Aziz")
# Share of tickets created in each hour of the day: business hours, lunch dip.
_HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 16, 14, 11, 14, 15, 14, 12, 9, 6, 4, 3, 2, 2, 1]
# Median minutes to first response and to resolution (after response), by priority:
# urgent tickets are handled fastest, which reports on SLA can pick up.
_RESPONSE_MINUTES = np.array([600.0, 240.0, 60.0, 15.0])
_RESOLVE_MINUTES = np.array([2_880.0, 1_440.0, 720.0, 240.0])


def make_campaigns(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Campaigns with a consistent funnel: sent >= delivered >= opens >= clicks."""
    channel = choice(rng, n, [30, 25, 20, 10, 15])
    duration = rng.integers(7, 61, n)
    # Start early enough that the campaign ends inside the range; ids follow start.
    start = rng.integers(0, N_DAYS - duration)
    order = np.argsort(start, kind="stable")
    channel, duration, start = channel[order], duration[order], start[order]
    end = start + duration
    sent = np.maximum(np.rint(rng.lognormal(np.log(_AUDIENCE[channel]), 0.6)), 50).astype(np.int64)
    # Binomial thinning guarantees each funnel stage never exceeds the previous one;
    # the uniform factors spread performance between campaigns.
    delivered = rng.binomial(sent, _DELIVERY_RATE[channel] * rng.uniform(0.97, 1.0, n))
    opens = rng.binomial(delivered, _OPEN_RATE[channel] * rng.uniform(0.7, 1.3, n))
    clicks = rng.binomial(opens, _CLICK_RATE[channel] * rng.uniform(0.7, 1.3, n))
    cost = np.round(sent * _COST_PER_SENT[channel] * rng.lognormal(0.0, 0.3, n) + 100.0, 2)
    # At most 30 rows, so building names in Python is fine here.
    month = (START + start).astype("datetime64[M]")
    names = [
        f"{MONTH_THEMES[int(m.astype(np.int64)) % 12]} {CAMPAIGN_CHANNELS[c]} {m}"
        for c, m in zip(channel, month, strict=True)
    ]
    return pd.DataFrame(
        {
            "campaign_id": np.arange(1, n + 1, dtype=np.int64),
            "name": pd.Series(names, dtype=TEXT_DTYPE),
            "channel": labels(CAMPAIGN_CHANNELS, channel),
            "start_date": dates(start),
            "end_date": dates(end),
            "cost": cost,
            "sent": sent,
            "delivered": delivered.astype(np.int64),
            "opens": opens.astype(np.int64),
            "clicks": clicks.astype(np.int64),
        }
    )


def make_tickets(rng: np.random.Generator, n: int, base: CustomerBase) -> pd.DataFrame:
    """Support tickets; response/resolution times depend on priority.

    The data is a snapshot taken at the end of the range: anything that would
    happen after 2024-12-31 23:59:59 has not happened yet and is NaT, on top of
    ~3% never-responded and ~5% still-open tickets.
    """
    day = sample_days(rng, n, day_weights(weekend_factor=0.5))
    customer_id = pick_customers(rng, day, base)
    hour = choice(rng, n, _HOUR_WEIGHTS)
    created = day * SECONDS_PER_DAY + hour * 3_600 + rng.integers(0, 3_600, n)
    order = np.argsort(created, kind="stable")  # chronological ticket ids
    created, customer_id = created[order], customer_id[order]
    priority = choice(rng, n, [35, 40, 18, 7])
    # Lognormal delays (in minutes) around the per-priority medians.
    response_min = rng.lognormal(np.log(_RESPONSE_MINUTES[priority]), 0.8)
    resolve_min = rng.lognormal(np.log(_RESOLVE_MINUTES[priority]), 1.0)
    responded = created + np.rint(response_min * 60).astype(np.int64)
    resolved = responded + np.rint(resolve_min * 60).astype(np.int64)
    no_response = (rng.random(n) < 0.03) | (responded > LAST_SECOND)
    still_open = no_response | (rng.random(n) < 0.05) | (resolved > LAST_SECOND)
    # Most customers rate 4-5; slow resolutions (> 3 days) tend to cost a point.
    score = choice(rng, n, [6, 8, 16, 35, 35]) + 1
    slow = (resolved - created) > 3 * SECONDS_PER_DAY
    score = np.where(slow & (rng.random(n) < 0.5), np.maximum(score - 1, 1), score)
    no_score = still_open | (rng.random(n) < 0.4)  # only ~60% of resolved tickets get rated
    return pd.DataFrame(
        {
            "ticket_id": np.arange(1, n + 1, dtype=np.int64),
            "customer_id": customer_id,
            "created_at": timestamps(created),
            "channel": labels(TICKET_CHANNELS, choice(rng, n, [35, 25, 25, 15])),
            "priority": labels(PRIORITIES, priority),
            "category": labels(TICKET_CATEGORIES, choice(rng, n, [25, 35, 18, 14, 8])),
            "agent": labels(AGENTS, choice(rng, n, [20, 18, 17, 16, 15, 14])),
            "first_response_at": timestamps(responded, missing=no_response),
            "resolved_at": timestamps(resolved, missing=still_open),
            "satisfaction": nullable_int(score, no_score),
        }
    )
