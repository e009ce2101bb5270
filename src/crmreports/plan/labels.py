"""Labels the library invents (a top-N's "Other", an unmatched lookup's "unknown", the
"(null)" of a missing category), kept apart from the data's own values.

A bucket labelled like a real value would be one row in a chart and two in the frame, or one
row mixing both: when the data already holds the label, the invented one gets a suffix saying
what it is ("Other (all others)"), numbered if even that is taken.
"""

from __future__ import annotations

from collections.abc import Iterable


def distinct_label(label: str, taken: Iterable[object], what: str) -> str:
    """`label`, or `label (what)`, `label (what 2)`, ... : the first that no value in `taken`
    (compared as text) equals.

    >>> distinct_label("Other", ["a", "b"], "all others")
    'Other'
    >>> distinct_label("Other", ["a", "Other", "Other (all others)"], "all others")
    'Other (all others 2)'
    """
    texts = {str(v) for v in taken if v is not None}
    if label not in texts:
        return label
    candidate, n = f"{label} ({what})", 1
    while candidate in texts:
        n += 1
        candidate = f"{label} ({what} {n})"
    return candidate


__all__ = ["distinct_label"]
