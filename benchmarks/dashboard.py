"""Shared aggregations: a dashboard of compatible reports, shared versus one scan per report.

Four reports over the same rows (won orders by month and channel): revenue with growth, orders
and median order, distinct customers with their share, units. With sharing they run as one
aggregation; without, as four. Every shared result is first checked equal to the report run on
its own.

    .venv/bin/python -m benchmarks.dashboard --size 1000000 --repeat 5
"""

from __future__ import annotations

import argparse
import statistics
import time

from crmreports import Dashboard, Report
from crmreports.datasets import generate

ROWS = """
      source: orders
      dimensions: [{field: order_date, grain: month, name: month}, channel]
      filters: [{field: status, op: eq, value: won}]"""

BOARD = f"""
title: Four views of the same rows
items:
  - report:
      name: revenue{ROWS}
      measures:
        - {{name: revenue, agg: sum, field: amount}}
        - {{name: growth, of: revenue, compare: {{offset: 1 period}}}}
  - report:
      name: orders{ROWS}
      measures:
        - {{name: orders, agg: count}}
        - {{name: median_order, agg: median, field: amount}}
  - report:
      name: customers{ROWS}
      measures:
        - {{name: customers, agg: count_distinct, field: customer_id}}
        - {{name: share, of: customers, share_of: {{}}}}
  - report:
      name: units{ROWS}
      measures: [{{name: units, agg: sum, field: quantity}}]
"""


def _assert_close(shared: object, alone: object, name: str) -> None:
    """Equal within 1e-9 relative: DuckDB's parallel float sums may differ in the last bits
    from one run to the next, shared or not."""
    import pandas as pd

    pd.testing.assert_frame_equal(shared, alone, rtol=1e-9, atol=0, obj=name)  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    orders = generate(seed=0, size=args.size).orders
    data = {"orders": orders}
    board = Dashboard.from_yaml(BOARD)
    shared = board.run(data, as_of="2024-12-31")
    for tile, item in zip(shared.results, board.items, strict=True):
        alone = Report.from_dict(item.report.model_dump(by_alias=True)).run(
            data, as_of="2024-12-31"
        )
        _assert_close(tile.to_pandas(), alone.to_pandas(), item.report.name)
    reports = board.reports()

    def timed(run: object) -> float:
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            run()  # type: ignore[operator]
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    together = timed(lambda: board.run(data, as_of="2024-12-31"))
    apart = timed(lambda: [r.run(data, as_of="2024-12-31") for r in reports])
    print(f"{args.size:,} orders, median of {args.repeat}")
    print(f"dashboard, shared ({shared.scans} aggregation): {together:.3f} s")
    print(f"the same four reports run one by one: {apart:.3f} s")
    print(f"ratio shared / one by one: {together / apart:.2f}")


if __name__ == "__main__":
    main()
