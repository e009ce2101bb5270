"""Run the benchmark: every report, every engine and input kind, at each size.

    .venv/bin/python -m benchmarks.run --sizes 1000000,10000000 --repeat 5

Each cell runs in a fresh process (`benchmarks.measure`); every hand-written result is checked
against crmreports' before any time is reported, and a mismatch stops the run (exit code 1).
Progress goes to stderr, the Markdown tables to stdout (and to `--markdown FILE`).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from benchmarks import check, data, report
from benchmarks.measure import ENGINES, REFERENCE
from benchmarks.specs import REPORTS


def _python(*args: str) -> Any:
    """Run `python -m benchmarks.<args>` in a fresh process; its last stdout line is JSON."""
    done = subprocess.run(
        [sys.executable, "-m", *args], check=True, stdout=subprocess.PIPE, text=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _ensure_data(sizes: list[int], cache_dir: Path) -> None:
    for size in sizes:
        if not data.is_cached(cache_dir, size):
            _log(f"generating {size:,} orders into {data.dataset_dir(cache_dir, size)} ...")
            subprocess.run(
                [sys.executable, "-m", "benchmarks.data", "--size", str(size),
                 "--cache-dir", str(cache_dir)],
                check=True, stdout=subprocess.DEVNULL,
            )  # fmt: skip


def _input_rows(table: str, size: int) -> int:
    return size if table == "orders" else max(20, size // 4)  # opportunities


def time_all(
    names: list[str], engines: list[str], sizes: list[int], repeat: int, cache_dir: Path
) -> list[report.Cell]:
    engines = [REFERENCE, *(e for e in engines if e != REFERENCE)]  # the reference runs first
    cells = []
    with tempfile.TemporaryDirectory(prefix="crmreports-bench-results-") as tmp:
        for size in sizes:
            for name in names:
                expected = None
                for engine in engines:
                    out = Path(tmp) / f"{name}-{size}-{engine.replace('/', '_')}.parquet"
                    cells.append(_time_cell(name, size, engine, repeat, cache_dir, out))
                    result = pd.read_parquet(out)
                    if expected is None:
                        expected = result
                    else:
                        check.compare(expected, result, f"{name} at {size:,} on {engine}")
    return cells


def _time_cell(
    name: str, size: int, engine: str, repeat: int, cache_dir: Path, out: Path
) -> report.Cell:
    got = _python(
        "benchmarks.measure", "--cache-dir", str(cache_dir), "time",
        name, str(size), engine, "--repeat", str(repeat), "--out", str(out),
    )  # fmt: skip
    rows = _input_rows(REPORTS[name].source, size)
    cell = report.Cell(
        name, size, engine, rows, tuple(got["times"]), got["peak_mb"], os.getloadavg()[0]
    )
    _log(
        f"{name:24} {size:>11,} {engine:26} {cell.median:8.3f} s {cell.peak_mb:6.0f} MB "
        f"load {cell.load:3.1f}  ({got['rows']} result rows)"
    )
    return cell


def _load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg()) + " (1 / 5 / 15 min)"


def _log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _csv(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark crmreports against hand-written code.")
    parser.add_argument("--sizes", default="1000000", help="orders per dataset, comma-separated")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per cell (+1 warm-up)")
    parser.add_argument("--reports", default=",".join(REPORTS), help="comma-separated subset")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated subset")
    parser.add_argument("--chart-sizes", default="1000,100000,1000000")
    parser.add_argument("--overhead-runs", type=int, default=200)
    parser.add_argument("--skip", default="", help="any of: timings,overhead,chart")
    parser.add_argument("--cache-dir", type=Path, default=data.DEFAULT_CACHE)
    parser.add_argument("--markdown", type=Path, help="also write the tables to this file")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in _csv(args.sizes)]
    chart_sizes = [int(s) for s in _csv(args.chart_sizes)]
    skip = set(_csv(args.skip))
    unknown = [n for n in _csv(args.reports) if n not in REPORTS]
    unknown += [e for e in _csv(args.engines) if e not in ENGINES]
    if unknown:
        parser.error(f"unknown report or engine: {', '.join(unknown)}")

    sections = [f"{os.cpu_count()} CPUs; load average at start: {_load()}"]
    _ensure_data(sorted(set(sizes) | (set() if "chart" in skip else set(chart_sizes))),
                 args.cache_dir)  # fmt: skip
    if "timings" not in skip:
        try:
            cells = time_all(
                _csv(args.reports), _csv(args.engines), sizes, args.repeat, args.cache_dir
            )
        except check.ResultMismatch as mismatch:
            _log(f"RESULTS DIFFER, no timings reported:\n{mismatch}")
            return 1
        sections += [
            f"## Wall time and memory (median of {args.repeat} runs after one warm-up)",
            report.timings(cells),
            "## Ratios (crmreports time / hand-written time; below 1: crmreports faster)",
            report.ratios(cells),
            "## Targets",
            report.targets(cells),
        ]
    if "overhead" not in skip:
        _log("fixed overhead at 100 rows ...")
        measured = _python("benchmarks.measure", "overhead", "--runs", str(args.overhead_runs))
        sections += ["## Fixed overhead per report at 100 rows (median ms)",
                     report.overhead(measured)]  # fmt: skip
    if "chart" not in skip:
        _log("chart payload ...")
        payload = {
            s: _python("benchmarks.measure", "--cache-dir", str(args.cache_dir), "chart", str(s))
            for s in chart_sizes
        }
        sections += ["## Chart payload (result rows / bytes of chart JSON)",
                     report.chart_payload(payload)]  # fmt: skip
    sections.append(f"Load average at the end: {_load()}")
    text = "\n\n".join(sections) + "\n"
    print(text)
    if args.markdown:
        args.markdown.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
