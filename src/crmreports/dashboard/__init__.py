"""Dashboards: several reports run together on the same data, shown on one page.

One module per job: `board` (the `Dashboard` spec and its verbs), `loaders` (finding the
reports items name by text), `filters` (which shared filter each report can take), `problems`
(a report's problems located in the dashboard), `run` (checking and running the reports
together) and `result` (the computed page).
"""

from crmreports.dashboard.board import Dashboard, load_dashboard
from crmreports.dashboard.loaders import ReportCatalog, ReportLoader, SpecFolder
from crmreports.dashboard.result import DashboardResult, Item, TileResult

__all__ = [
    "Dashboard",
    "DashboardResult",
    "Item",
    "ReportCatalog",
    "ReportLoader",
    "SpecFolder",
    "TileResult",
    "load_dashboard",
]
