"""The RFM segment map as a parameter: `params={"segment_map": {segment: [RF codes]}}`.

A code is the recency score followed by the frequency score (52: R 5, F 2). The map replaces
the value groups of every dimension named `segment`; it must give each of the 25 codes
exactly one segment, so no customer silently falls outside the map.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crmreports.errors import Problem, SpecError, unknown_name
from crmreports.report import Report

SEGMENT_MAP = "segment_map"
_CODES = {r * 10 + f for r in range(1, 6) for f in range(1, 6)}


def with_segment_map(report: Report, segment_map: Any, name: str) -> Report:
    groups = _checked(segment_map, name)
    dims = [
        d.model_copy(update={"groups": groups}) if d.output_name == "segment" else d
        for d in report.dimensions
    ]
    if dims == list(report.dimensions):
        raise SpecError(
            [
                unknown_name(
                    "unknown-param",
                    f"built-in report {name!r} has no `segment` dimension to apply "
                    f"{SEGMENT_MAP!r} to",
                    f"params.{SEGMENT_MAP}",
                    "segment",
                    [d.output_name for d in report.dimensions],
                    "dimensions",
                )
            ]
        )
    return report.model_copy(update={"dimensions": dims})


def _checked(segment_map: Any, name: str) -> dict[str, list[int]]:
    def fail(message: str) -> SpecError:
        return SpecError(
            [Problem("invalid-value", message, f"params.{SEGMENT_MAP}",
                     hint="give {segment name: [RF codes such as 55, 54]} covering each of "
                     "the 25 codes 11..55 once")],
            report=name,
        )  # fmt: skip

    if not isinstance(segment_map, Mapping) or not segment_map:
        raise fail(f"{SEGMENT_MAP} must map segment names to lists of codes")
    groups: dict[str, list[int]] = {}
    seen: dict[int, str] = {}
    for segment, codes in segment_map.items():
        if not isinstance(codes, list | tuple) or not codes:
            raise fail(f"segment {segment!r}: give a list of RF codes")
        for code in codes:
            number = int(code) if isinstance(code, int | str) and str(code).isdigit() else None
            if number not in _CODES:
                raise fail(f"segment {segment!r}: {code!r} is not an RF code from 11 to 55")
            if number in seen:
                raise fail(f"code {number} is in both {seen[number]!r} and {segment!r}")
            seen[number] = str(segment)
        groups[str(segment)] = [int(c) for c in codes]
    missing = sorted(_CODES - set(seen))
    if missing:
        raise fail(f"codes {missing} are in no segment")
    return groups
