"""Measuring, one cell per fresh process, so no run inherits another's caches or memory.

`python -m benchmarks.measure time REPORT SIZE ENGINE` loads the inputs, imports every library
(so each cell starts from the same baseline), runs once to warm up, then `--repeat` timed runs,
and prints one JSON line. Peak extra memory is the resident-set high-water mark during a run
minus the resident set just before it: Linux resets the mark when "5" is written to
/proc/self/clear_refs. Elsewhere it falls back to `ru_maxrss` and reports the first run only.
The result of the last run is written, normalised, to `--out` for `benchmarks.check`.

`overhead` times `Report.run` (pandas and polars input), `Report.explain` (bind + resolve +
plan) and the hand-written SQL and pandas on 100-row inputs; `chart` measures each report's
chart payload (`len(result.chart().to_json())`) at one size. Both print one JSON line too.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb  # noqa: F401  (imported up front: every cell pays the same import cost)
import narwhals  # noqa: F401
import pandas  # noqa: F401
import polars  # noqa: F401
import pyarrow  # noqa: F401

from benchmarks import check, data
from benchmarks.baselines import hand_pandas, hand_polars, hand_sql
from benchmarks.specs import REPORTS, Bench

# engine label -> (who computes, input kind)
ENGINES: dict[str, tuple[str, str]] = {
    "crmreports/pandas": ("crmreports", "pandas"),
    "crmreports/arrow": ("crmreports", "arrow"),
    "crmreports/polars": ("crmreports", "polars"),
    "crmreports/parquet": ("crmreports", "parquet"),
    "hand pandas": ("pandas", "pandas"),
    "hand duckdb-sql/pandas": ("sql", "pandas"),
    "hand duckdb-sql/arrow": ("sql", "arrow"),
    "hand duckdb-sql/parquet": ("sql", "parquet"),
    "hand polars": ("polars", "polars"),
}
REFERENCE = "crmreports/pandas"


def job(bench: Bench, engine: str, tables: dict[str, Any]) -> Callable[[], Any]:
    """The timed work: compute the report and return it as the input's kind of frame."""
    tool, kind = ENGINES[engine]
    if tool == "crmreports":
        report, inputs = bench.report(), bench.data(tables)
        return lambda: report.run(inputs).data
    if tool == "sql":
        con = hand_sql.connect(tables)
        return lambda: hand_sql.run(con, bench.name, kind)
    module = {"pandas": hand_pandas, "polars": hand_polars}[tool]
    function = getattr(module, bench.name)
    return lambda: function(tables)


# --- memory -------------------------------------------------------------------------------------


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


def _rss_kb() -> int:
    try:
        return _status_kb("VmRSS")
    except OSError:  # no /proc: the high-water mark so far is the best we have
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _peak_kb() -> int:
    try:
        return _status_kb("VmHWM")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def time_cell(
    bench: Bench, engine: str, size: int, repeat: int, cache_dir: Path, out: Path
) -> dict[str, Any]:
    tables = data.load(data.dataset_dir(cache_dir, size), bench.tables, ENGINES[engine][1])
    work = job(bench, engine, tables)
    times: list[float] = []
    peaks_mb: list[float] = []
    result = None
    for i in range(repeat + 1):
        result = None
        gc.collect()
        can_reset = _reset_peak()
        before = _rss_kb()
        start = time.perf_counter()
        result = work()
        elapsed = time.perf_counter() - start
        if can_reset or i == 0:
            peaks_mb.append(max(_peak_kb() - before, 0) / 1024)
        if i > 0:  # run 0 is the warm-up
            times.append(elapsed)
    frame = check.normalise(result, _columns(bench))
    frame.to_parquet(out, index=False)
    return {"times": times, "peak_mb": max(peaks_mb), "rows": len(frame)}


def _columns(bench: Bench) -> list[str]:
    """The report's result columns, in its order (from a run on a small sample)."""
    return bench.report().run(bench.data(small_tables(100))).columns


# --- fixed overhead and chart payload -----------------------------------------------------------


def small_tables(size: int) -> dict[str, Any]:
    """`size` rows of orders and of opportunities (with the customers the orders point at)."""
    from crmreports.datasets import generate

    small = generate(seed=0, size=size)
    return {
        "orders": small.orders,
        "customers": small.customers,
        "opportunities": generate(seed=0, size=4 * size).opportunities.head(size),
    }


def overhead(runs: int) -> dict[str, dict[str, float]]:
    """Median milliseconds on 100-row inputs: `Report.run` on pandas and on polars, `explain`
    (bind + resolve + plan, no execution), and hand-written SQL and pandas for scale."""
    import polars as pl

    tables = small_tables(100)
    as_polars = {name: pl.from_pandas(frame) for name, frame in tables.items()}
    out = {}
    for name, bench in REPORTS.items():
        report, inputs, on_polars = bench.report(), bench.data(tables), bench.data(as_polars)
        con = hand_sql.connect({t: tables[t] for t in bench.tables})
        hand = getattr(hand_pandas, name)
        out[name] = {
            "run_ms": _median_ms(lambda r=report, i=inputs: r.run(i).data, runs),
            "polars_run_ms": _median_ms(lambda r=report, i=on_polars: r.run(i).data, runs),
            "explain_ms": _median_ms(lambda r=report, i=inputs: r.explain(i), runs),
            "sql_ms": _median_ms(lambda c=con, n=name: hand_sql.run(c, n, "pandas"), runs),
            "pandas_ms": _median_ms(lambda h=hand: h(tables), runs),
        }
    return out


def _median_ms(work: Callable[[], Any], runs: int) -> float:
    for _ in range(5):
        work()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def chart_payload(size: int, cache_dir: Path) -> dict[str, dict[str, int]]:
    out = {}
    for name, bench in REPORTS.items():
        tables = data.load(data.dataset_dir(cache_dir, size), bench.tables, "pandas")
        result = bench.report().run(bench.data(tables))
        out[name] = {"result_rows": len(result), "chart_bytes": len(result.chart().to_json())}
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Measure one benchmark cell (see module doc).")
    parser.add_argument("--cache-dir", type=Path, default=data.DEFAULT_CACHE)
    sub = parser.add_subparsers(dest="what", required=True)
    cell = sub.add_parser("time")
    cell.add_argument("report", choices=REPORTS)
    cell.add_argument("size", type=int)
    cell.add_argument("engine", choices=ENGINES)
    cell.add_argument("--repeat", type=int, default=5)
    cell.add_argument("--out", type=Path, required=True)
    sub.add_parser("overhead").add_argument("--runs", type=int, default=200)
    sub.add_parser("chart").add_argument("size", type=int)
    args = parser.parse_args(argv)
    if args.what == "time":
        bench = REPORTS[args.report]
        answer = time_cell(bench, args.engine, args.size, args.repeat, args.cache_dir, args.out)
    elif args.what == "overhead":
        answer = overhead(args.runs)
    else:
        answer = chart_payload(args.size, args.cache_dir)
    sys.stdout.write(json.dumps(answer) + "\n")


if __name__ == "__main__":
    main()
