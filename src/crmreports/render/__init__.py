"""Rendering: Altair charts, formatted tables and self-contained HTML pages."""

from crmreports.render.charts import build_chart, chart_data
from crmreports.render.colors import PALETTE, assign_colors
from crmreports.render.formats import NumberStyle, format_number, format_time
from crmreports.render.html import Section, render_page, script_json, vega_javascript
from crmreports.render.table import DisplayTable, display_table

__all__ = [
    "PALETTE",
    "DisplayTable",
    "NumberStyle",
    "Section",
    "assign_colors",
    "build_chart",
    "chart_data",
    "display_table",
    "format_number",
    "format_time",
    "render_page",
    "script_json",
    "vega_javascript",
]
