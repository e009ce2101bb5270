"""Deterministic synthetic CRM data for demos, docs and tests.

Nothing is shipped on disk; tables are generated on demand::

    from crmreports.datasets import generate
    ds = generate(seed=0, size=2_000)      # size = number of orders
    ds.orders.head()
    ds.write("out/", format="parquet")    # customers.parquet, orders.parquet, ...

The tables follow the CRM data model of :mod:`crmreports.builtin.model` (every
table and column it lists). The same ``seed`` and ``size`` always give identical
tables, and adding tables or columns never changes existing ones: each table (and
each group of added columns) draws from its own random stream.

All dates fall in the fixed range 2023-01-01 .. 2024-12-31 (inclusive), except
two: ``users.hired_date`` (everyone was hired before the range) and
``opportunities.expected_close_date`` (a forecast, often after it). The data is a
snapshot taken at the end of that range. Ids are int64 starting at 1, in
chronological order; ids that can be missing are ``Int64``. Text columns use
pandas' default ``str`` dtype (missing = NaN); datetimes are ``datetime64[us]``
(``*_date`` and ``period`` at midnight, ticket ``*_at`` with time of day); flags
are ``bool``. Every id referring to another table points at an existing row.

Tables (row counts for ``size`` orders):

customers (``max(20, size // 5)``)
    customer_id, name, region (5 values, ~2% null), segment (Consumer/SMB/
    Enterprise, skewed), industry (8 values), signup_date, age (``Int64``, 18-80,
    ~5% null), gender (F/M/X, ~3% null), churned_date (~15% of customers, some
    time after their last order, deal or ticket; consumers and customers who
    complained churn more), churn_reason (price/service/competitor/moved/other,
    set exactly when churned_date is).
orders (``size``)
    order_id, order_date (Nov/Dec peak, summer lull, mild growth), customer_id
    (placed on/after the customer's signup; a few customers order a lot),
    channel (Online/Retail/Partner/Phone), status (won/open/lost/cancelled, mostly
    won), amount (float64, right-skewed, ~1% null), cost (40-80% of amount, null
    with it), quantity (1-20, mostly small), product (10), category (Software/
    Hardware/Services, determined by product), salesperson (8 names, ~2% null),
    campaign_id (``Int64``, ~25% of orders: a campaign running on the order date
    or ended at most 14 days before).
opportunities (``max(20, size // 4)``)
    opportunity_id, account_id (customer id), owner, stage (prospecting,
    qualification, proposal, negotiation, won, lost), amount, probability
    (10/25/50/75/100/0 by stage), created_date, closed_date (NaT while open),
    lead_source (Web/Referral/Event/Partner/Outbound), loss_reason (lost only),
    expected_close_date (open deals only, after created_date: mostly in the months
    after the snapshot, ~12% overdue), lead_id (``Int64``, the lead it was
    converted from: ~60% of Web/Event/Referral deals, never Partner/Outbound).
campaigns (12-30)
    campaign_id, name, channel (email/search/social/events/display), start_date,
    end_date, cost, sent >= delivered >= opens >= clicks (int64).
tickets (``max(20, size // 3)``)
    ticket_id, customer_id, created_at, channel (email/phone/chat/web), priority
    (low/medium/high/urgent), category (billing/technical/delivery/account/other),
    agent (6 names), first_response_at (NaT if no response yet), resolved_at
    (NaT if open), satisfaction (``Int64`` 1-5, some resolved tickets only),
    type (question/problem/request/complaint, ~15% complaints, depending on
    category and more likely for low ratings), reason (complaints only: late
    delivery/billing error/product defect/rude staff/other, by category).
leads (``max(20, size // 2)``)
    lead_id, created_date, source (search/social/email/events/referral),
    campaign_id (``Int64``, ~2/3 of leads; the campaign's channel equals source),
    status (new/working/qualified/disqualified/converted, older leads mostly
    disqualified), score (``Int64`` 0-100, null for some new leads), grade (A >= 75,
    B >= 50, C >= 25, else D; null with score), converted_date and opportunity_id
    (``Int64``) for converted leads only: the deal's created_date and id, with
    ``opportunities.lead_id`` pointing back.
touches (about ``size``; at least 3 per campaign, at most its ``sent``)
    touch_id, campaign_id, customer_id (each customer at most once per campaign,
    signed up and not churned at its start), sent_date (within the campaign),
    delivered, opened, clicked, responded (``bool``; opened, clicked and
    responded only when delivered, clicks nearly always opened; rates follow the
    campaign's own funnel).
surveys (rated tickets plus ``max(10, size // 10)`` NPS answers)
    survey_id, kind (csat/nps), score (1-5 for csat, 0-10 for nps), answered_date,
    customer_id, ticket_id (``Int64``), agent, channel. One csat answer per rated
    ticket: its satisfaction, answered on the resolution day, with the ticket's
    customer, agent and channel. NPS answers have no ticket, agent or channel and
    are given before (at the latest on) the customer's churn date.
targets (192: 8 salespeople x 24 months)
    owner (salesperson), period (first day of the month), amount (monthly won
    revenue target, rounded to 100; attainment mostly 70-130% unless ``size`` is
    small), team.
users (14)
    name (unique: the 8 salespeople, then the 6 ticket agents), role (sales/
    service), team (East/West, 4 salespeople each; Support for agents), region
    (for salespeople; null for agents), hired_date.
"""

from ._dataset import CRMDataset
from ._generate import generate

__all__ = ["CRMDataset", "generate"]
