"""Small hand-made CRM tables and one report spec per visual kind, shared by the visual tests.

The tables are written out here (not generated) so chart snapshots change only when the
charts do, never when the synthetic data generator changes.
"""

from __future__ import annotations

import pandas as pd

from crmreports import ReportResult
from tests import helpers

CHANNELS = ["Online", "Retail", "Phone"]
PRODUCTS = [
    ("CRM Basic", "Software"),
    ("CRM Pro", "Software"),
    ("Scanner", "Hardware"),
    ("Printer", "Hardware"),
    ("Training", "Services"),
]


def orders() -> pd.DataFrame:
    """30 orders over January to March 2024."""
    rows = []
    for i in range(30):
        product, category = PRODUCTS[(i * 3) % 5]
        rows.append(
            {
                "order_id": i + 1,
                "order_date": pd.Timestamp(2024, 1 + i % 3, 1 + (i * 7) % 28),
                "channel": CHANNELS[(i // 2) % 3],
                "status": "won" if i % 4 else "lost",
                "amount": float(100 + (i * 37) % 400),
                "cost": float(60 + (i * 23) % 200),
                "quantity": 1 + i % 4,
                "product": product,
                "category": category,
                "owner": ["Ada", "Bo", "Cy"][i % 3],
            }
        )
    return pd.DataFrame(rows)


def campaigns() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "campaign": ["spring", "autumn"],
            "sent": [12_000, 8_000],
            "delivered": [11_500, 7_700],
            "opens": [5_000, 2_500],
            "clicks": [600, 200],
        }
    )


def tickets() -> pd.DataFrame:
    """24 tickets across weekdays and hours, with response times in hours."""
    start = pd.Timestamp("2024-03-04 08:00")  # a Monday
    created = [start + pd.Timedelta(hours=(i * 29) % 120) for i in range(24)]
    return pd.DataFrame(
        {
            "created_at": created,
            "priority": [["low", "high", "urgent"][i % 3] for i in range(24)],
            "response_hours": [0.5 + (i * 7) % 13 for i in range(24)],
        }
    )


def tables() -> dict[str, pd.DataFrame]:
    return {"orders": orders(), "campaigns": campaigns(), "tickets": tickets()}


KINDS: dict[str, str] = {
    "line": """
name: line_case
title: Revenue by month
source: orders
dimensions: [{field: order_date, grain: month}, channel]
measures: [{name: revenue, agg: sum, field: amount, currency: EUR, target: 1500}]
visual: {kind: line, x: order_date, y: revenue, color: channel}
""",
    "area": """
name: area_case
source: orders
dimensions: [{field: order_date, grain: month}, category]
measures: [{name: revenue, agg: sum, field: amount, format: compact}]
visual: {kind: area, stack: normalize}
""",
    "bar": """
name: bar_case
source: orders
dimensions: [channel, status]
measures: [{name: orders, agg: count}]
visual: {kind: bar, x: channel, y: orders, color: status, stack: false, reference: 4}
""",
    "bar_ranking": """
name: bar_ranking_case
source: orders
dimensions: [owner]
measures: [{name: revenue, agg: sum, field: amount, currency: GBP}]
visual: {kind: bar, horizontal: true, sort: value}
""",
    "bar_normalized": """
name: bar_normalized_case
source: orders
dimensions: [channel, category]
measures: [{name: revenue, agg: sum, field: amount, format: currency}]
visual: {kind: bar, stack: normalize}
""",
    "pie": """
name: pie_case
source: orders
dimensions: [channel]
measures: [{name: orders, agg: count}]
visual: {kind: pie}
""",
    "donut": """
name: donut_case
source: orders
dimensions: [category]
measures: [{name: revenue, agg: sum, field: amount, currency: JPY}]
visual: {kind: donut, category: category, value: revenue}
""",
    "kpi": """
name: kpi_case
title: Revenue this month
source: orders
dimensions: [{field: order_date, grain: month}]
measures:
  - {name: revenue, agg: sum, field: amount, format: currency, direction: higher_is_better}
  - {name: previous, of: revenue, compare: {offset: 1 period, show: value}}
visual: {kind: kpi, value: revenue, compare: previous, sparkline: true}
""",
    "funnel": """
name: funnel_case
source: campaigns
measures:
  - {name: sent, agg: sum, field: sent}
  - {name: delivered, agg: sum, field: delivered}
  - {name: opened, agg: sum, field: opens}
  - {name: clicked, agg: sum, field: clicks}
visual: {kind: funnel, values: [sent, delivered, opened, clicked]}
""",
    "bullet": """
name: bullet_case
source: orders
dimensions: [owner]
measures:
  - {name: won, agg: count, filter: {field: status, op: eq, value: won}}
  - {name: all_orders, agg: count}
  - {name: win_rate, formula: won / all_orders, format: percent, target: 0.8}
visual: {kind: bullet, category: owner, value: win_rate}
""",
    "heatmap": """
name: heatmap_case
source: tickets
dimensions:
  - {field: created_at, part: day_of_week, name: weekday}
  - {field: created_at, part: hour_of_day, name: hour}
measures: [{name: tickets, agg: count}]
visual: {kind: heatmap, x: hour, y: weekday, color: tickets, labels: true}
""",
    "scatter": """
name: scatter_case
source: orders
dimensions: [product, category]
measures:
  - {name: units, agg: sum, field: quantity}
  - {name: revenue, agg: sum, field: amount, format: currency}
  - {name: response, agg: avg, field: amount, format: compact}
visual: {kind: scatter, x: units, y: revenue, size: response, color: category}
""",
    "pareto": """
name: pareto_case
source: orders
dimensions: [product]
measures: [{name: revenue, agg: sum, field: amount, format: currency}]
visual: {kind: pareto}
""",
    "table": """
name: table_case
source: tickets
dimensions: [priority]
measures:
  - {name: tickets, agg: count}
  - {name: response, agg: avg, field: response_hours, unit: hours, direction: lower_is_better}
totals: true
visual: {kind: table, highlight: [{column: response, above: 6, style: bad}]}
""",
}


def run(spec: str) -> ReportResult:
    return helpers.run(spec, tables())
