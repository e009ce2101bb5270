"""A small text-mark table, for notebooks; HTML pages show a real <table> instead.

Cells are the same display strings as the HTML table (`render.table.display_table`): formatted
numbers, 'Total' rows in bold, highlighted cells in their colour.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from crmreports.render.charts.common import BAD, GOOD, INK, Canvas
from crmreports.render.table import display_table
from crmreports.resolve import Table

MAX_ROWS = 50
STYLE_COLORS = {"good": GOOD, "bad": BAD, "warn": "#b26a00", "": INK}


def table_chart(frame: pd.DataFrame, c: Canvas, v: Table) -> Any:
    table = display_table(frame, c.report, v.columns, max_rows=MAX_ROWS)
    records = []
    for row_number, row in enumerate(table.rows):
        kind = table.kinds[row_number] if table.kinds else "detail"
        styles = table.styles[row_number] if table.styles else ("",) * len(row)
        for header, value, style in zip(table.headers, row, styles, strict=True):
            records.append(
                {
                    "row": row_number,
                    "column": header,
                    "value": value,
                    "weight": "bold" if kind != "detail" else "normal",
                    "style": style,
                }
            )
    data = pd.DataFrame(records, columns=["row", "column", "value", "weight", "style"])
    style_names = list(STYLE_COLORS)
    encoding = {
        "x": alt.X(
            "column:N",
            sort=list(table.headers),
            title=None,
            axis=alt.Axis(orient="top", labelAngle=0, labelLimit=160),
        ),
        "y": alt.Y("row:O", axis=None),
        "text": alt.Text("value:N"),
        "color": alt.Color(
            "style:N",
            scale=alt.Scale(domain=style_names, range=[STYLE_COLORS[s] for s in style_names]),
            legend=None,
        ),
        "tooltip": [alt.Tooltip("column:N", title="Column"), alt.Tooltip("value:N", title="Value")],
    }
    base = alt.Chart(data)
    layers = [
        base.transform_filter(f"datum.weight == '{weight}'")
        .mark_text(align="left", baseline="middle", fontWeight=weight)
        .encode(**encoding)
        for weight in ("normal", "bold")
    ]
    chart = alt.layer(*layers)
    return chart.properties(title=c.heading(), width="container")
