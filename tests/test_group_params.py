"""`{param: name}` inside a dimension's `groups`: read as a filter reads it, on every backend."""

from __future__ import annotations

from typing import Any

import pytest

from crmreports import Report
from crmreports.errors import SpecError
from tests.helpers import assert_rows_equal

SPEC = """
name: channels
params:
  - {name: focus, type: string, default: web}
  - {name: also, type: string}
  - {name: cutoff, type: integer, default: 3}
dimensions:
  - field: channel
    groups: {focus: [{param: focus}], rest: [{param: also}, shop]}
    unmatched: other
  - field: tier
    groups: {low: [1, 2, {param: cutoff}]}
    unmatched: "null"
measures: [{name: n, agg: count}]
"""

DATA = {
    "channel": ["web", "mail", "shop", "web", None, "fax"],
    "tier": [1, 3, 4, 2, 3, None],
}


def test_groups_take_parameters(constructor: Any) -> None:
    # focus = web (default): rows 0, 3; rest = mail (given) or shop: rows 1, 2; fax: Other;
    # null channel stays null. low = 1, 2, 3 (cutoff's default): rows 0, 1, 3, 4; tier 4 and
    # null: null.
    result = Report.from_yaml(SPEC).run(constructor(DATA), params={"also": "mail"})
    assert_rows_equal(
        result,
        [
            ("Other", None, 1),
            ("focus", "low", 2),
            ("rest", "low", 1),
            ("rest", None, 1),
            (None, "low", 1),
        ],
    )


def test_a_group_parameter_given_at_run_time_replaces_the_default(constructor: Any) -> None:
    # focus = fax, cutoff = 1: focus is row 5 only; web rows are Other; low = 1, 2, 1.
    result = Report.from_yaml(SPEC).run(
        constructor(DATA), params={"also": "mail", "focus": "fax", "cutoff": 1}
    )
    assert_rows_equal(
        result,
        [
            ("Other", "low", 2),
            ("focus", None, 1),
            ("rest", None, 2),
            (None, None, 1),
        ],
    )


def test_a_group_parameter_of_the_wrong_kind_or_unknown_is_located() -> None:
    spec = """
name: bad
params: [{name: cutoff, type: integer, default: 3}]
dimensions:
  - {field: channel, groups: {a: [{param: cutoff}], b: [{param: nope}]}}
measures: [{name: n, agg: count}]
"""
    import pyarrow as pa

    with pytest.raises(SpecError) as info:
        Report.from_yaml(spec).run(pa.table({"channel": ["web"]}))
    message = str(info.value)
    assert "3 cannot be compared with 'channel', which is string" in message
    assert "dimensions[0].groups.a[0]" in message
    assert "unknown parameter 'nope'" in message
    assert "dimensions[0].groups.b[0]" in message
