"""Where a report's time goes: cProfile around `Report.run`, after one warm-up run.

    .venv/bin/python -m benchmarks.profile sales_performance --size 10000000 --input arrow
    .venv/bin/python -m benchmarks.profile pipeline_by_stage --size 100 --runs 200

`--size 100` profiles the fixed overhead on 100-row inputs (no cache needed). Time spent inside
DuckDB or polars shows up as the Python call that waits for it (`execute`, `collect`, ...);
`--sql` also prints each query as DuckDB receives it (SQL) or polars' optimised plan.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
from pathlib import Path

from benchmarks import data
from benchmarks.measure import small_tables
from benchmarks.specs import REPORTS


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", choices=REPORTS)
    parser.add_argument("--size", type=int, default=100, help="orders (100: small inputs)")
    parser.add_argument("--input", choices=data.KINDS, default="pandas")
    parser.add_argument("--runs", type=int, default=1, help="profiled runs")
    parser.add_argument("--top", type=int, default=25, help="lines of each listing")
    parser.add_argument("--sql", action="store_true", help="print each query's SQL / polars plan")
    parser.add_argument("--cache-dir", type=Path, default=data.DEFAULT_CACHE)
    args = parser.parse_args(argv)

    bench = REPORTS[args.report]
    if args.size <= 100:
        tables = small_tables(args.size)
        if args.input != "pandas":
            parser.error("--size 100 profiles pandas input only")
    else:
        if not data.is_cached(args.cache_dir, args.size):
            data.write_dataset(args.cache_dir, args.size)
        tables = data.load(data.dataset_dir(args.cache_dir, args.size), bench.tables, args.input)
    report, inputs = bench.report(), bench.data(tables)
    _ = report.run(inputs).data  # warm-up
    if args.sql:
        _print_sql(report, inputs)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.runs):
        _ = report.run(inputs).data
    profiler.disable()
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)


def _print_sql(report, inputs) -> None:  # type: ignore[no-untyped-def]
    """The SQL of each aggregation query, as narwhals hands it to DuckDB."""
    from crmreports.execute import bind_inputs, duckdb_cursor
    from crmreports.execute.query import compile_query
    from crmreports.plan import build_plan
    from crmreports.resolve import resolve

    cursor = duckdb_cursor()
    sources = bind_inputs(inputs, report.source, cursor)
    plan = build_plan(resolve(report, {n: s.schema for n, s in sources.items()}))
    members = {top.name: ["<members>"] for top in plan.pre}
    for query in [top.query for top in plan.pre] + list(plan.queries):
        native = compile_query(query, sources, members).to_native()
        # A DuckDB relation shows its SQL; a polars LazyFrame its optimised plan.
        text = native.sql_query() if hasattr(native, "sql_query") else native.explain()
        print(f"-- {query.name}\n{text}\n")


if __name__ == "__main__":
    main()
