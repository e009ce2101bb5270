"""A dashboard's compatible reports share one aggregation and keep their own numbers.

The reference for each tile is the same report run on its own: sharing may change how many
times the data is scanned, never a value, a row order or a column.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from crmreports import Report
from crmreports.dashboard import Dashboard
from crmreports.sharing import Job, groups
from tests.helpers import assert_rows_equal, frame_to_rows

D = dt.date
ORDERS = {
    "order_date": [D(2024, 1, 3), D(2024, 1, 9), D(2024, 2, 1), D(2024, 2, 5), D(2024, 3, 7),
                   D(2024, 3, 8), D(2024, 3, 9), D(2024, 4, 2)],
    "channel": ["web", "shop", "web", "web", None, "shop", "web", "shop"],
    "customer_id": [1, 2, 1, 3, 2, 2, None, 4],
    "amount": [10.0, 20.0, 30.0, None, 5.0, 15.0, 25.0, 40.0],
    "status": ["won", "won", "won", "lost", "won", "won", "won", "won"],
}  # fmt: skip
SCHEMA = {"order_date": pa.date32(), "customer_id": pa.int64()}

ROWS = """
source: orders
dimensions: [{field: order_date, grain: month, name: month}, channel]
filters: [{field: status, op: eq, value: won}]
"""
BOARD = f"""
title: Shared
items:
  - report:
      name: revenue
      {ROWS.strip().replace(chr(10), chr(10) + "      ")}
      measures:
        - {{name: revenue, agg: sum, field: amount}}
        - {{name: growth, of: revenue, compare: {{offset: 1 period}}}}
  - report:
      name: orders
      {ROWS.strip().replace(chr(10), chr(10) + "      ")}
      measures:
        - {{name: orders, agg: count}}
        - {{name: median, agg: median, field: amount}}
        - {{name: revenue, agg: sum, field: amount}}
      sort: [{{field: orders, desc: true}}]
  - report:
      name: reach
      {ROWS.strip().replace(chr(10), chr(10) + "      ")}
      measures:
        - {{name: customers, agg: count_distinct, field: customer_id}}
        - {{name: share, of: customers, share_of: {{}}}}
  - report:
      name: other_filter
      source: orders
      dimensions: [{{field: order_date, grain: month, name: month}}, channel]
      measures: [{{name: revenue, agg: sum, field: amount}}]
  - report:
      name: limited
      {ROWS.strip().replace(chr(10), chr(10) + "      ")}
      measures: [{{name: revenue, agg: sum, field: amount}}]
      limit: 2
  - report:
      name: clash
      {ROWS.strip().replace(chr(10), chr(10) + "      ")}
      measures: [{{name: revenue, agg: max, field: amount}}]
"""


def test_compatible_reports_share_one_scan_and_keep_their_numbers(constructor) -> None:
    orders = constructor(ORDERS, SCHEMA)
    board = Dashboard.from_yaml(BOARD)
    result = board.run({"orders": orders}, as_of="2024-06-30")
    # revenue, orders and reach share one aggregation; other_filter (no status filter),
    # limited (a limit acts on result rows) and clash (`revenue` means max there) run alone.
    assert result.scans == 4
    for tile, item in zip(result.results, board.items, strict=True):
        alone = Report.from_dict(item.report.model_dump(by_alias=True)).run(
            {"orders": orders}, as_of="2024-06-30"
        )
        assert tile.columns == alone.columns
        assert_rows_equal(frame_to_rows(tile), frame_to_rows(alone))


def test_shared_numbers_by_hand() -> None:
    """The `orders` tile, sorted by orders desc, from the shared aggregation."""
    import pandas as pd

    result = Dashboard.from_yaml(BOARD).run({"orders": pd.DataFrame(ORDERS)})
    # won orders by (month, channel): Jan web 1 (10), Jan shop 1 (20), Feb web 1 (30),
    # Mar null 1 (5), Mar shop 1 (15), Mar web 1 (25), Apr shop 1 (40); each count 1, so the
    # tie-breakers (month, then channel, nulls last) decide the order.
    rows = [(r["month"], r["channel"], r["orders"]) for r in frame_to_rows(result["orders"])]
    assert rows == [
        (D(2024, 1, 1), "shop", 1),
        (D(2024, 1, 1), "web", 1),
        (D(2024, 2, 1), "web", 1),
        (D(2024, 3, 1), "shop", 1),
        (D(2024, 3, 1), "web", 1),
        (D(2024, 3, 1), None, 1),
        (D(2024, 4, 1), "shop", 1),
    ]


def test_grouping_rules() -> None:
    board = Dashboard.from_yaml(BOARD)
    jobs = [Job(r, {}) for r in board.reports()]
    assert groups(jobs) == [[0, 1, 2], [3], [4], [5]]
    # Different parameter values never share.
    assert groups([Job(jobs[0].report, {"x": 1}), Job(jobs[1].report, {"x": 2})]) == [[0], [1]]


@pytest.mark.parametrize("with_cache", [False, True])
def test_scans_are_counted(with_cache: bool) -> None:
    import pandas as pd

    from crmreports.cache import ResultCache

    cache = ResultCache() if with_cache else None
    data = {"orders": pd.DataFrame(ORDERS)}
    board = Dashboard.from_yaml(BOARD)
    first = board.run(data, cache=cache)
    assert first.scans == (6 if with_cache else 4)
    if with_cache:
        assert board.run(data, cache=cache).scans == 0  # nothing changed: nothing runs


def test_shared_rows_keep_the_order_of_text_with_case_and_accents() -> None:
    """Re-sorted after sharing (Arrow) in the order the report sorts alone (DuckDB)."""
    import pandas as pd

    data = {"d": pd.DataFrame({"c": ["b", "B", "ä", "a", "Z", "東京", "Zürich", None, "é", "e"]})}
    board = Dashboard.from_yaml(
        """
title: t
items:
  - report: {name: a, source: d, dimensions: [c], measures: [{name: n, agg: count}]}
  - report: {name: b, source: d, dimensions: [c], measures: [{name: m, agg: count}]}
"""
    )
    result = board.run(data)
    assert result.scans == 1
    # code point order, nulls last
    expected = ["B", "Z", "Zürich", "a", "b", "e", "ä", "é", "東京", None]
    assert [r["c"] for r in frame_to_rows(result["a"])] == expected
