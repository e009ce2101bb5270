"""to_date(text, format): text read as a date or datetime by strptime directives, on every engine.

Engines parse dates with different dialects (DuckDB's strptime, polars' chrono, Spark's Java
patterns) that disagree on padding, case and bad input: DuckDB and polars raise on one bad row.
So the format is compiled here, once, into portable string operations:

1. the text must match the whole format (a regular expression built from it, ignoring case,
   as Python's `datetime.strptime` does); anything else is null;
2. its numbers are cut out (runs of digits; directives written without a separator between
   them have their full width: `%Y%m%d` is `20240131`), month names and AM/PM are recognised;
3. a day that its month does not have (`02/30/2024`) is null;
4. the parts are rebuilt as ISO text, which every engine reads the same way.

Supported directives are listed in `crmreports.spec.formula.DATE_DIRECTIVES`.
"""

from __future__ import annotations

import re

import narwhals as nw

__all__ = ["parse_dates"]

_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")  # fmt: skip
# Python's own patterns (`_strptime.TimeRE`), with [0-9] for \d (polars' \d is Unicode).
_PATTERNS = {
    "Y": "[0-9]{4}", "y": "[0-9]{2}", "m": "1[0-2]|0[1-9]|[1-9]",
    "d": "3[01]|[12][0-9]|0[1-9]|[1-9]", "H": "2[0-3]|[01][0-9]|[0-9]",
    "I": "1[0-2]|0[1-9]|[1-9]", "M": "[0-5][0-9]|[0-9]", "S": "[0-5][0-9]|[0-9]",
    "p": "am|pm", "b": "|".join(m[:3] for m in _MONTHS), "B": "|".join(_MONTHS),
}  # fmt: skip
_WIDTH = {"Y": 4}  # the full width of a number written without a separator (else 2)
_NUMBERS = set("YymdHIMS")
_WHITESPACE = "[ \t\n\r\f\v]+"


def _tokens(fmt: str) -> list[tuple[str, str]]:
    """("dir", "Y") and ("lit", text) items, in order."""
    items: list[tuple[str, str]] = []
    for piece in re.split(r"(%.)", fmt):
        if not piece:
            continue
        if piece.startswith("%") and len(piece) == 2 and piece != "%%":
            items.append(("dir", piece[1]))
        else:
            items.append(("lit", "%" if piece == "%%" else piece))
    return items


def _regex_and_layout(fmt: str) -> tuple[str, list[list[tuple[str, int | None]]]]:
    """The whole-text regex, and the numeric directives grouped by digit run with widths."""
    items = _tokens(fmt)
    regex = ""
    runs: list[list[tuple[str, int | None]]] = []
    previous_numeric = False
    for i, (kind, value) in enumerate(items):
        if kind == "lit":
            regex += "".join(_WHITESPACE if c.isspace() else re.escape(c) for c in value)
            previous_numeric = False
            continue
        if value not in _NUMBERS:
            regex += f"(?:{_PATTERNS[value]})"
            previous_numeric = False
            continue
        following = items[i + 1] if i + 1 < len(items) else None
        next_numeric = following is not None and following[0] == "dir" and following[1] in _NUMBERS
        if previous_numeric or next_numeric:  # a run of numbers: each has its full width
            width = _WIDTH.get(value, 2)
            regex += f"[0-9]{{{width}}}"
            if previous_numeric:
                runs[-1].append((value, width))
            else:
                runs.append([(value, width)])
        else:
            regex += f"(?:{_PATTERNS[value]})"
            runs.append([(value, None)])
        previous_numeric = True
    return f"(?i)^{regex}$", runs


def parse_dates(text: nw.Expr, fmt: str) -> nw.Expr:
    """`text` parsed with `fmt` (checked by the parser): a datetime if it has an hour, else a
    date; null for text that does not match or names no real day."""
    regex, runs = _regex_and_layout(fmt)
    directives = {d for d in re.findall(r"%(.)", fmt)}
    matched = text.str.contains(regex, literal=False)
    # Text that does not match is swapped for a sample that does, so that cutting it into
    # numbers never fails (polars raises on a missing list element); it is masked at the end.
    text = nw.when(matched).then(text).otherwise(nw.lit(_sample(fmt)))
    digits = text.str.replace_all("[^0-9]+", " ", literal=False).str.strip_chars().str.split(" ")
    parts: dict[str, nw.Expr] = {}
    for index, run in enumerate(runs):
        number = digits.list.get(index)
        offset = 0
        for directive, width in run:
            piece = number if width is None else number.str.slice(offset, width)
            parts[directive] = piece.cast(nw.Int64)
            offset += width or 0
    lowered = text.str.to_lowercase()
    if "y" in parts:  # Python's rule for two-digit years
        short = parts.pop("y")
        parts["Y"] = nw.when(short < 69).then(short + 2000).otherwise(short + 1900)
    if "b" in directives or "B" in directives:
        month: nw.Expr = nw.lit(None, nw.Int64)
        for month_number, name in enumerate(_MONTHS, 1):
            named = lowered.str.contains(name[:3], literal=True)
            month = nw.when(named).then(month_number).otherwise(month)
        parts["m"] = month
    if "I" in parts:  # 12 AM is midnight, 12 PM noon
        pm = lowered.str.contains("pm", literal=True).cast(nw.Int64)
        parts["H"] = parts.pop("I") % 12 + pm * 12
    year, month_, day = parts["Y"], parts["m"], parts["d"]
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    last_day = (
        nw.when(month_ == 2)
        .then(28 + leap.cast(nw.Int64))
        .otherwise(nw.when(month_.is_in([4, 6, 9, 11])).then(30).otherwise(31))
    )
    valid = matched & (day <= last_day)
    pieces = [_padded(year, 4), nw.lit("-"), _padded(month_, 2), nw.lit("-"), _padded(day, 2)]
    with_time = "H" in parts
    if with_time:
        clock = [parts["H"], parts.get("M", nw.lit(0)), parts.get("S", nw.lit(0))]
        for value in clock:
            pieces += [nw.lit(":" if len(pieces) > 5 else " "), _padded(value, 2)]
    iso = nw.concat_str(pieces)
    placeholder = "1970-01-01 00:00:00" if with_time else "1970-01-01"
    # Invalid rows are parsed as a placeholder and masked: polars parses every row of both
    # branches, so the text handed to the parser must always be valid.
    safe = nw.when(valid).then(iso).otherwise(nw.lit(placeholder))
    if with_time:
        parsed = safe.str.to_datetime("%Y-%m-%d %H:%M:%S").cast(nw.Datetime("us"))
    else:
        parsed = safe.str.to_date("%Y-%m-%d")
    return nw.when(valid).then(parsed)


def _sample(fmt: str) -> str:
    """A text that `fmt` reads (1970-01-01, midnight)."""
    values = {"Y": "1970", "y": "70", "m": "01", "d": "01", "H": "00", "I": "12", "M": "00",
              "S": "00", "p": "AM", "b": "Jan", "B": "January"}  # fmt: skip
    return "".join(
        values[v] if kind == "dir" else " " if v.isspace() else v for kind, v in _tokens(fmt)
    )


def _padded(value: nw.Expr, width: int) -> nw.Expr:
    """A number 0 <= value < 10^width as text with leading zeros (narwhals' zfill repeats its
    input five times on SQL engines: 10^width + value, less its leading 1, does not)."""
    padded: nw.Expr = (value.cast(nw.Int64) + 10**width).cast(nw.String).str.slice(1, width)
    return padded
