"""Deterministic synthetic CRM data for demos, docs and tests.

Nothing is shipped on disk; tables are generated on demand::

    from crmreports.datasets import generate
    ds = generate(seed=0, size=2_000)      # size = number of orders
    ds.orders.head()
    ds.write("out/", format="parquet")    # customers.parquet, orders.parquet, ...

The same ``seed`` and ``size`` always give identical tables. All dates fall in the
fixed range 2023-01-01 .. 2024-12-31 (inclusive); the data is a snapshot taken at
the end of that range. Ids are int64 starting at 1, in chronological order. Text
columns use pandas' default ``str`` dtype (missing = NaN); datetimes are
``datetime64[us]`` (``*_date`` at midnight, ticket ``*_at`` with time of day).

Tables (row counts for ``size`` orders):

customers (``max(20, size // 5)``)
    customer_id, name, region (5 values, ~2% null), segment (Consumer/SMB/
    Enterprise, skewed), industry (8 values), signup_date, age (``Int64``, 18-80,
    ~5% null), gender (F/M/X, ~3% null).
orders (``size``)
    order_id, order_date (Nov/Dec peak, summer lull, mild growth), customer_id
    (placed on/after the customer's signup; a few customers order a lot),
    channel (Online/Retail/Partner/Phone), status (won/open/lost/cancelled, mostly
    won), amount (float64, right-skewed, ~1% null), cost (40-80% of amount, null
    with it), quantity (1-20, mostly small), product (10), category (Software/
    Hardware/Services, determined by product), salesperson (8 names, ~2% null).
opportunities (``max(20, size // 4)``)
    opportunity_id, account_id (customer id), owner, stage (prospecting,
    qualification, proposal, negotiation, won, lost), amount, probability
    (10/25/50/75/100/0 by stage), created_date, closed_date (NaT while open),
    lead_source (Web/Referral/Event/Partner/Outbound), loss_reason (lost only).
campaigns (12-30)
    campaign_id, name, channel (email/search/social/events/display), start_date,
    end_date, cost, sent >= delivered >= opens >= clicks (int64).
tickets (``max(20, size // 3)``)
    ticket_id, customer_id, created_at, channel (email/phone/chat/web), priority
    (low/medium/high/urgent), category (billing/technical/delivery/account/other),
    agent (6 names), first_response_at (NaT if no response yet), resolved_at
    (NaT if open), satisfaction (``Int64`` 1-5, some resolved tickets only).
"""

from ._dataset import CRMDataset
from ._generate import generate

__all__ = ["CRMDataset", "generate"]
