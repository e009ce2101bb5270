"""The reports in DuckDB SQL, over the caller's pandas DataFrames or Arrow Tables (scanned in
place, no copy) or Parquet files, registered under their table names on one connection."""

from __future__ import annotations

from typing import Any

import duckdb

SQL = {
    "sales_performance": """
        WITH base AS (SELECT * FROM orders WHERE status IN ('won', 'open')),
        top AS (SELECT product FROM base GROUP BY product ORDER BY sum(amount) DESC LIMIT 5),
        agg AS (
            SELECT date_trunc('month', order_date) AS month,
                   CASE WHEN product IN (SELECT product FROM top) THEN product ELSE 'Other' END
                       AS product,
                   coalesce(sum(amount), 0) AS revenue,
                   count(*) AS orders,
                   count(DISTINCT customer_id) AS customers,
                   median(amount) AS median_order
            FROM base GROUP BY ALL)
        SELECT a.*, (a.revenue - p.revenue) / nullif(p.revenue, 0) AS growth
        FROM agg a LEFT JOIN agg p
          ON p.product = a.product AND p.month = a.month - INTERVAL 1 MONTH
        ORDER BY a.month, a.product = 'Other', a.product""",
    "salesperson_leaderboard": """
        SELECT owner,
               coalesce(sum(amount) FILTER (WHERE stage = 'won'), 0) AS won_revenue,
               count(*) FILTER (WHERE stage = 'won') AS won_deals,
               count(*) FILTER (WHERE stage = 'lost') AS lost_deals,
               won_deals / nullif(won_deals + lost_deals, 0) AS win_rate
        FROM opportunities GROUP BY owner ORDER BY won_revenue DESC""",
    "customer_value": """
        SELECT customer_id,
               max(order_date) AS last_order,
               count(*) AS frequency,
               coalesce(sum(amount), 0) AS monetary,
               date_diff('day', last_order, TIMESTAMP '2025-01-01') AS recency_days
        FROM orders WHERE status = 'won' GROUP BY customer_id ORDER BY customer_id""",
    "cohorts": """
        SELECT date_trunc('month', c.signup_date) AS cohort,
               date_trunc('month', o.order_date) AS month,
               count(*) AS orders,
               count(DISTINCT o.customer_id) AS customers,
               coalesce(sum(o.amount), 0) AS revenue
        FROM orders o LEFT JOIN customers c USING (customer_id)
        WHERE o.status = 'won' GROUP BY ALL ORDER BY cohort, month""",
    "pipeline_by_stage": """
        SELECT stage, count(*) AS deals, sum(amount) AS amount,
               sum(amount * probability / 100) AS weighted_amount
        FROM opportunities GROUP BY stage ORDER BY weighted_amount DESC""",
}


def connect(tables: dict[str, Any]) -> duckdb.DuckDBPyConnection:
    """One connection with every input visible under its table name."""
    con = duckdb.connect()
    for name, obj in tables.items():
        if isinstance(obj, str):  # a Parquet path
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{obj}')")
        else:
            con.register(name, obj)
    return con


def run(con: duckdb.DuckDBPyConnection, report: str, kind: str) -> Any:
    """The result in the input's kind: pandas for pandas (and Parquet), Arrow for Arrow."""
    relation = con.sql(SQL[report])
    return relation.to_arrow_table() if kind == "arrow" else relation.df()
