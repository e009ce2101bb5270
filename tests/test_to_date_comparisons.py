"""To-date comparisons: year-to-date against last year's year-to-date, even when the report
shows only this year (the earlier year's running total is rebuilt from base rows)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pytest

from crmreports import Report
from tests.helpers import assert_rows_equal

D = dt.date
ORDERS = {
    "day": [D(2023, 1, 10), D(2023, 2, 20), D(2023, 3, 3), D(2024, 1, 25), D(2024, 2, 5)],
    "amount": [10.0, 20.0, 40.0, 5.0, 30.0],
}
SPEC = """
name: ytd
dimensions: [{field: day, grain: month, name: month}]
measures:
  - {name: revenue, agg: sum, field: amount}
  - {name: ytd, of: revenue, running: {reset: year}}
  - {name: ytd_last_year, of: ytd, compare: {offset: 1 year, show: value}}
  - {name: ytd_growth, formula: ytd / ytd_last_year - 1}
"""


@pytest.mark.parametrize("filtered", [False, True])
def test_year_to_date_against_last_year(constructor: Any, filtered: bool) -> None:
    text = SPEC + ("filters: [{field: day, op: ge, value: 2024-01-01}]\n" if filtered else "")
    result = Report.from_yaml(text).run(constructor(ORDERS, {"day": pa.date32()}))
    # 2023 YTD: Jan 10, Feb 10 + 20 = 30, Mar 70. 2024 YTD: Jan 5, Feb 5 + 30 = 35.
    # Jan 2024 against Jan 2023: 5 / 10 - 1 = -0.5; Feb: 35 / 30 - 1 = 0.1667.
    # Careless (filtered to 2024): last year's YTD is null, since 2023 rows were filtered out.
    this_year = [
        (D(2024, 1, 1), 5.0, 5.0, 10.0, 5 / 10 - 1),
        (D(2024, 2, 1), 30.0, 35.0, 30.0, 35 / 30 - 1),
    ]
    last_year = [
        (D(2023, 1, 1), 10.0, 10.0, None, None),
        (D(2023, 2, 1), 20.0, 30.0, None, None),
        (D(2023, 3, 1), 40.0, 70.0, None, None),
    ]
    assert_rows_equal(result, this_year if filtered else last_year + this_year)
