"""A report over more order rows than fit comfortably in memory, read from Parquet by DuckDB.

Writes N orders as Parquet files of 10M rows each (the project's generator, a different seed
per file, ids shifted so they stay unique), then runs one multi-measure monthly report over
the glob of files in a fresh process and prints its wall time and peak memory (RSS high-water
mark). The input is never loaded into pandas: DuckDB scans the files.

    .venv/bin/python -m benchmarks.bigdata --rows 50000000
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHUNK = 10_000_000
SPEC = """
name: big_monthly
source: orders
dimensions: [{field: order_date, grain: month}, channel]
measures:
  - {name: revenue, agg: sum, field: amount}
  - {name: orders, agg: count}
  - {name: customers, agg: count_distinct, field: customer_id}
  - {name: median_order, agg: median, field: amount}
  - {name: growth, of: revenue, compare: {offset: 1 year, show: pct_change}}
filters: [{field: status, op: in, value: [won, open]}]
"""


def write_chunks(directory: Path, rows: int) -> list[Path]:
    """Parquet files of at most CHUNK orders each, generated one at a time (bounded memory)."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, start in enumerate(range(0, rows, CHUNK)):
        path = directory / f"orders-{i:03d}.parquet"
        paths.append(path)
        if path.exists():
            continue
        size = min(CHUNK, rows - start)
        code = (
            "import sys; from crmreports.datasets import generate; "
            f"o = generate(seed={i}, size={size}).orders; o['order_id'] += {start}; "
            f"o.to_parquet(r'{path}.tmp', index=False)"
        )
        subprocess.run([sys.executable, "-c", code], check=True)  # a process per chunk
        Path(f"{path}.tmp").rename(path)
    return paths


def run_report(pattern: str) -> dict[str, float]:
    """Run the report in this process and report time, peak RSS and result size."""
    from crmreports import Report

    start = time.perf_counter()
    result = Report.from_yaml(SPEC).run({"orders": pattern}, as_of="2024-12-31")
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": seconds, "peak_gb": peak_kb / 1024 / 1024, "result_rows": len(result)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000_000)
    parser.add_argument(
        "--dir", type=Path, default=Path(tempfile.gettempdir()) / "crmreports-bigdata"
    )
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # internal: run in a child
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(run_report(args.measure)))
        return
    started = time.perf_counter()
    paths = write_chunks(args.dir / f"rows{args.rows}", args.rows)
    written = time.perf_counter() - started
    size_gb = sum(p.stat().st_size for p in paths) / 1e9
    pattern = str(paths[0].parent / "orders-*.parquet")
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.bigdata", "--measure", pattern],
        check=True,
        capture_output=True,
        text=True,
    )
    measured = json.loads(child.stdout.strip().splitlines()[-1])
    print(
        f"{args.rows:,} orders in {len(paths)} Parquet files ({size_gb:.1f} GB, written in "
        f"{written:.0f} s): report in {measured['seconds']:.1f} s, peak memory "
        f"{measured['peak_gb']:.2f} GB, {measured['result_rows']} result rows"
    )


if __name__ == "__main__":
    main()
