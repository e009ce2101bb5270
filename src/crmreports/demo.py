"""The demo: example reports over the synthetic CRM dataset, on one self-contained HTML page."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from crmreports.datasets import generate
from crmreports.render import render_page
from crmreports.report import Report

# Shown in this order on the page.
EXAMPLES = (
    "overview",
    "revenue_by_month",
    "orders_by_status",
    "salesperson_leaderboard",
    "tickets_by_week",
    "pipeline_by_stage",
)


def example_reports() -> list[Report]:
    """The example specs shipped with the package (YAML files in crmreports/examples)."""
    folder = resources.files("crmreports") / "examples"
    return [
        Report.from_yaml((folder / f"{name}.yaml").read_text(encoding="utf-8"), origin=name)
        for name in EXAMPLES
    ]


def build_demo(out_dir: str | Path, *, seed: int = 0, size: int = 20_000) -> Path:
    """Write `index.html` (every example report) and the generated data under `out_dir`."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    dataset = generate(seed=seed, size=size)
    tables = dataset.tables()
    dataset.write(out / "data", format="parquet")
    sections = [report.run(tables).section() for report in example_reports()]
    page = render_page(
        "crmreports demo",
        sections,
        description=f"Example reports over a synthetic CRM dataset (seed {seed}, "
        f"{size:,} orders). Every chart and table was computed from the spec beside it in "
        "crmreports/examples.",
    )
    index = out / "index.html"
    index.write_text(page, encoding="utf-8")
    return index
