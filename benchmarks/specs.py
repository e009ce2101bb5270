"""The benchmarked reports: crmreports YAML specs in `benchmarks/specs/`, and what each needs.

Every report is also written by hand three times (`benchmarks.baselines`); the names here are
the keys shared by all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import crmreports

SPEC_DIR = Path(__file__).parent / "specs"


@dataclass(frozen=True)
class Bench:
    name: str
    tables: tuple[str, ...]  # the first is the report's source

    @property
    def source(self) -> str:
        return self.tables[0]

    def report(self) -> crmreports.Report:
        return _load(self.name)

    def data(self, tables: dict[str, Any]) -> Any:
        """What `Report.run` takes: the source alone, or a mapping when it looks others up."""
        return tables if len(self.tables) > 1 else tables[self.source]


REPORTS: dict[str, Bench] = {
    b.name: b
    for b in (
        Bench("sales_performance", ("orders",)),
        Bench("salesperson_leaderboard", ("opportunities",)),
        Bench("customer_value", ("orders",)),
        Bench("cohorts", ("orders", "customers")),
        Bench("pipeline_by_stage", ("opportunities",)),
    )
}


@cache
def _load(name: str) -> crmreports.Report:
    return crmreports.load(SPEC_DIR / f"{name}.yaml")
