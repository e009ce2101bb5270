"""Self-contained HTML pages: Jinja2 with autoescape, the Vega JavaScript inlined.

Nothing is fetched when the page opens. Chart specs travel as JSON inside
`<script type="application/json">` with `<`, `>` and `&` escaped, and data values reach the page
only as escaped table text or as Vega's SVG text, so a customer called `<script>` stays text.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass, field
from typing import Any

import altair as alt
import jinja2

from crmreports.render.table import DisplayTable


@dataclass(frozen=True)
class Section:
    """One report on a page: its texts, its chart (a Vega-Lite dict) and its table."""

    title: str
    description: str | None
    chart: dict[str, Any] | None
    table: DisplayTable | None
    notes: tuple[str, ...] = field(default_factory=tuple)


@functools.cache
def template_environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("crmreports.render", "templates"),
        autoescape=True,  # every {{ value }} is escaped; nothing in a report is trusted markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@functools.cache
def vega_javascript() -> str:
    """Vega, Vega-Lite and vega-embed as one inline script, matching Altair's Vega-Lite."""
    import vl_convert

    version = alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0]  # "v6.1.0" -> "6.1"
    # Without a snippet, the bundle is the libraries alone (vl-convert's stub marks the
    # argument required; the function does not).
    bundle: str = vl_convert.javascript_bundle(vl_version=version)  # type: ignore[call-arg]
    # "</script" inside the bundle would end the inline <script> element early.
    return bundle.replace("</script", "<\\/script")


def script_json(value: Any) -> str:
    """JSON that is safe inside <script>: no character can close the element or open markup."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, default=str)
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def render_page(
    title: str,
    sections: list[Section],
    description: str | None = None,
    generated_at: dt.datetime | None = None,
) -> str:
    stamp = (generated_at or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC")
    template = template_environment().get_template("page.html.j2")
    specs = [script_json(s.chart) if s.chart is not None else None for s in sections]
    return template.render(
        title=title,
        description=description,
        sections=list(zip(sections, specs, strict=True)),
        generated_at=stamp,
        vega_js=vega_javascript(),
    )
