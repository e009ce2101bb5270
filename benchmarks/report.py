"""The measurements as Markdown tables (printed, and pasted into docs/performance.md)."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass

# (ratio label, numerator engine, denominator engine); below 1 means crmreports is faster.
RATIOS = (
    ("crm/pandas ÷ hand pandas", "crmreports/pandas", "hand pandas"),
    ("crm/pandas ÷ sql/pandas", "crmreports/pandas", "hand duckdb-sql/pandas"),
    ("crm/arrow ÷ sql/arrow", "crmreports/arrow", "hand duckdb-sql/arrow"),
    ("crm/parquet ÷ sql/parquet", "crmreports/parquet", "hand duckdb-sql/parquet"),
    ("crm/polars ÷ hand polars", "crmreports/polars", "hand polars"),
)
TARGET_VS_PANDAS = 0.5  # at least 2x faster than hand-written pandas
TARGET_VS_SQL = 1.15  # within 1.15x of hand-written DuckDB SQL
TARGET_OVERHEAD_MS = 5.0


@dataclass(frozen=True)
class Cell:
    report: str
    size: int
    engine: str
    input_rows: int
    times: tuple[float, ...]
    peak_mb: float
    load: float  # 1-minute load average when the cell finished (the machine may be shared)

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def _table(header: list[str], rows: Iterable[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def timings(cells: list[Cell]) -> str:
    return _table(
        [
            "report",
            "orders",
            "input rows",
            "engine / input",
            "median s",
            "min s",
            "extra MB",
            "load",
        ],
        (
            [
                c.report,
                f"{c.size:,}",
                f"{c.input_rows:,}",
                c.engine,
                f"{c.median:.3f}",
                f"{min(c.times):.3f}",
                f"{c.peak_mb:,.0f}",
                f"{c.load:.1f}",
            ]
            for c in cells
        ),
    )


def _ratio(
    by: dict[tuple[str, int, str], Cell], report: str, size: int, a: str, b: str
) -> float | None:
    """Median time of engine `a` over engine `b`, or None when either was not run."""
    if (report, size, a) not in by or (report, size, b) not in by:
        return None
    return by[report, size, a].median / by[report, size, b].median


def _fmt(ratio: float | None) -> str:
    return "-" if ratio is None else f"{ratio:.2f}"


def ratios(cells: list[Cell]) -> str:
    by = {(c.report, c.size, c.engine): c for c in cells}
    keys = dict.fromkeys((c.report, c.size) for c in cells)
    return _table(
        ["report", "orders", *(label for label, _, _ in RATIOS)],
        ([r, f"{s:,}", *(_fmt(_ratio(by, r, s, a, b)) for _, a, b in RATIOS)] for r, s in keys),
    )


def _verdict(ratio: float | None, target: float) -> str:
    if ratio is None:
        return "not measured"
    return f"{ratio:.3f}, {'met' if ratio <= target else 'MISSED'} (target <= {target})"


def targets(cells: list[Cell]) -> str:
    """The issue's targets at the largest size measured, one line per report."""
    by = {(c.report, c.size, c.engine): c for c in cells}
    size = max(c.size for c in cells)
    lines = []
    for report in dict.fromkeys(c.report for c in cells if c.size == size):
        vs_pandas = _ratio(by, report, size, "crmreports/pandas", "hand pandas")
        vs_sql = _ratio(by, report, size, "crmreports/pandas", "hand duckdb-sql/pandas")
        lines.append(
            f"- {report} at {size:,} orders, pandas input: time / hand pandas "
            f"{_verdict(vs_pandas, TARGET_VS_PANDAS)}; time / DuckDB SQL "
            f"{_verdict(vs_sql, TARGET_VS_SQL)}"
        )
    return "\n".join(lines)


def overhead(results: dict[str, dict[str, float]]) -> str:
    rows = [
        [
            name,
            f"{r['run_ms']:.1f}",
            f"{r['polars_run_ms']:.1f}",
            f"{r['explain_ms']:.1f}",
            f"{r['sql_ms']:.1f}",
            f"{r['pandas_ms']:.1f}",
            "met" if r["run_ms"] < TARGET_OVERHEAD_MS else "MISSED",
        ]
        for name, r in results.items()
    ]
    header = ["report", "run, pandas in", "run, polars in", "explain (bind+resolve+plan)",
              "hand SQL", "hand pandas", "run < 5 ms"]  # fmt: skip
    return _table(header, rows)


def chart_payload(results: dict[int, dict[str, dict[str, int]]]) -> str:
    sizes = sorted(results)
    names = list(results[sizes[0]])
    return _table(
        ["report", *(f"{s:,} orders: rows / bytes" for s in sizes)],
        (
            [
                name,
                *(
                    f"{results[s][name]['result_rows']:,} / {results[s][name]['chart_bytes']:,}"
                    for s in sizes
                ),
            ]
            for name in names
        ),
    )
