"""Presentation metadata of measures: currency, duration unit, direction, target.

Decided here, once, so every renderer (chart axes, tooltips, labels, tables) reads the same
answer. A window over a measure (running total, rolling sum, previous value) shows the same kind
of quantity as that measure, so it inherits its format, currency and unit unless it sets its own.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import assert_never

from crmreports.errors import Problem
from crmreports.resolve.measures import (
    ResolvedAggregate,
    ResolvedCompare,
    ResolvedFormula,
    ResolvedMeasure,
    ResolvedPacing,
    ResolvedRank,
    ResolvedRolling,
    ResolvedRollingDistinct,
    ResolvedRunning,
    ResolvedShare,
)
from crmreports.spec import Format, Measure

_ISO_CODE = re.compile(r"^[A-Z]{3}$")


def present(
    specs: list[Measure],
    bound: list[ResolvedMeasure | None],
    currency: str,
    problems: list[Problem],
) -> list[ResolvedMeasure | None]:
    """`bound` (aligned with `specs`) with currency, unit, direction, target and format set."""
    _check_code(currency, "currency", problems)
    by_name = {s.name: i for i, s in enumerate(specs)}
    done: dict[int, ResolvedMeasure | None] = {}

    def visit(i: int, depth: int = 0) -> ResolvedMeasure | None:
        if i in done:
            return done[i]
        resolved, spec = bound[i], specs[i]
        if resolved is None:
            done[i] = None
            return None
        base = None
        of = _same_unit_as(resolved)
        if of is not None and spec.format is None:
            j = by_name.get(of)
            if j is not None and j != i and depth < len(specs):
                base = visit(j, depth + 1)
        done[i] = _apply(resolved, spec, base, currency, i, problems)
        return done[i]

    return [visit(i) for i in range(len(specs))]


def _same_unit_as(m: ResolvedMeasure) -> str | None:
    """The measure whose unit `m`'s values are in (a running total's, not a ratio's or a
    rank's), if any."""
    match m:
        case ResolvedRunning() | ResolvedRolling() | ResolvedRollingDistinct():
            return m.of
        case ResolvedCompare():
            return m.of if m.show != "pct_change" else None
        case ResolvedAggregate() | ResolvedFormula() | ResolvedShare() | ResolvedRank():
            return None
        case ResolvedPacing():
            return None
        case _:
            assert_never(m)


def _apply(
    m: ResolvedMeasure,
    spec: Measure,
    base: ResolvedMeasure | None,
    report_currency: str,
    i: int,
    problems: list[Problem],
) -> ResolvedMeasure:
    if spec.currency is not None:
        _check_code(spec.currency, f"measures[{i}].currency", problems)
    fmt = m.format
    if spec.format is None:
        if spec.currency is not None:
            fmt = Format.CURRENCY
        elif spec.unit is not None:
            fmt = Format.DURATION
        elif base is not None:
            fmt = base.format
    unit = spec.unit or (base.unit if base is not None else None)
    if fmt is Format.DURATION and unit is None:
        unit = "hours"
    currency = spec.currency or (base.currency if base is not None else None)
    if currency is None and fmt is Format.CURRENCY:
        currency = report_currency
    shown = replace(
        m.shown,
        format=fmt,
        currency=currency,
        unit=unit,
        direction=spec.direction or (base.direction if base is not None else None),
        target=spec.target,
    )
    return replace(m, shown=shown)


def _check_code(code: str, path: str, problems: list[Problem]) -> None:
    if not _ISO_CODE.match(code):
        problems.append(
            Problem(
                "invalid-value",
                f"{code!r} is not an ISO 4217 currency code",
                path,
                hint="use three capital letters, e.g. USD, EUR, GBP or JPY",
            )
        )
