"""One colour per category value, the same in every chart of a page.

Charts do not let Vega pick colours (Vega colours by position in each chart's own domain, so
'Online' could be blue in one chart and orange in the next). Instead every categorical colour
scale is built from a mapping value -> colour that the caller may share between charts:

    colors: dict[str, str] = {}
    for result in results:
        build_chart(result.to_pandas(), result.resolved, colors=colors)

Values get colours in order of first appearance, so a page's first categories get the
palette's first (most distinct) colours; a value already in the mapping keeps its colour.
Missing values and "Other" buckets are always grey, so they never look like a real category.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, MutableMapping

# Tableau 10 without its grey (colour-blind-safe, distinct in print); grey is kept for
# null and "Other".
PALETTE: tuple[str, ...] = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
)  # fmt: skip
MUTED = "#bab0ac"
MUTED_VALUES = frozenset({"(null)", "Other"})


def assign_colors(
    values: Iterable[object],
    mapping: MutableMapping[str, str] | None = None,
    *,
    muted: Iterable[str] = MUTED_VALUES,
) -> MutableMapping[str, str]:
    """Give every value of `values` a colour in `mapping` (extended in place) and return it.

    A value already in `mapping` keeps its colour. A new value gets the palette colour used
    least so far that no other value of this call holds (palette order breaks ties), so one
    chart never shows two categories in one colour until it has more categories than the
    palette has colours. Values are compared by their text (`str(value)`).

    >>> shared = {}
    >>> assign_colors(["Online", "Retail"], shared)
    {'Online': '#4e79a7', 'Retail': '#f28e2b'}
    >>> assign_colors(["Retail", "Phone", "Other"], shared)["Retail"]
    '#f28e2b'
    """
    mapping = {} if mapping is None else mapping
    muted = set(muted)
    keys = list(dict.fromkeys(str(v) for v in values))
    taken = {mapping[k] for k in keys if k in mapping}
    uses = Counter(mapping.values())
    for key in keys:
        if key in mapping:
            continue
        if key in muted:
            mapping[key] = MUTED
            continue
        free = [c for c in PALETTE if c not in taken] or list(PALETTE)
        color = min(free, key=lambda c: (uses[c], PALETTE.index(c)))
        mapping[key] = color
        taken.add(color)
        uses[color] += 1
    return mapping


def colors_for(
    values: Iterable[object],
    mapping: MutableMapping[str, str],
    muted: Iterable[str] = MUTED_VALUES,
) -> list[str]:
    """The colours of `values` in order (after assigning new ones): a Vega scale `range`."""
    keys = list(dict.fromkeys(str(v) for v in values))
    assign_colors(keys, mapping, muted=muted)
    return [mapping[k] for k in keys]
