"""The demo: example reports over the synthetic CRM dataset, on one self-contained HTML page."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from crmreports.datasets import generate
from crmreports.render import render_page
from crmreports.report import Report

# Shown in this order on the page; together they use every visual kind.
EXAMPLES = (
    "overview",  # table
    "revenue_kpi",  # kpi with sparkline
    "revenue_by_month",  # line
    "revenue_by_category",  # stacked area
    "orders_by_channel",  # donut
    "orders_by_status",  # bar
    "salesperson_leaderboard",  # horizontal bar
    "win_rate_by_source",  # bullet
    "pipeline_by_stage",  # table
    "loss_reasons",  # pareto
    "campaign_funnel",  # funnel
    "product_margin",  # scatter
    "customer_cohorts",  # heatmap
    "tickets_by_week",  # stacked bar
    "tickets_by_channel",  # pie
    "service_by_agent",  # table with highlights and a totals row
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
    colors: dict[str, str] = {}  # one colour per category value across the whole page
    sections = [report.run(tables).section(colors=colors) for report in example_reports()]
    page = render_page(
        "crmreports demo",
        sections,
        description=f"Example reports over a synthetic CRM dataset (seed {seed}, "
        f"{size:,} orders). Every chart and table was computed from the spec beside it in "
        "crmreports/examples.",
    )
    index = out / "index.html"
    index.write_text(page, encoding="utf-8")
    build_dashboard_demo(out, tables)
    build_builtin_dashboards(out, tables)
    return index


# The synthetic data is a snapshot taken at the end of its range: "this year" is 2024.
DATA_AS_OF = "2024-12-31"


def build_builtin_dashboards(out_dir: str | Path, tables: dict[str, Any]) -> list[Path]:
    """Write `<name>.html` for each built-in dashboard (sales, customers, marketing, service)
    over `tables`, as of the last day of the synthetic data."""
    from crmreports import builtin

    written = []
    for name in builtin.dashboard_names():
        target = Path(out_dir) / f"{name}.html"
        builtin.dashboard(name).run(tables, as_of=DATA_AS_OF).to_html(target)
        written.append(target)
    return written


def build_dashboard_demo(out_dir: str | Path, tables: dict[str, Any]) -> Path:
    """Write `dashboard.html`: the sales overview dashboard (examples/dashboards/) over `tables`.

    Its references (`report: revenue_by_month`) are found among the example reports, one folder
    above the dashboard spec.
    """
    from crmreports.dashboard import Dashboard, SpecFolder

    examples = Path(str(resources.files("crmreports") / "examples"))
    spec = examples / "dashboards" / "sales_overview.yaml"
    dashboard = Dashboard.from_file(spec, loader=SpecFolder(examples))
    target = Path(out_dir) / "dashboard.html"
    dashboard.run(tables).to_html(target)
    return target
