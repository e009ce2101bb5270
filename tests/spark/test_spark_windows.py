"""Windows over time read the whole calendar on Spark too: random cases against the naive
reference (tests/window_reference.py), the same rules as tests/soundness/test_calendar_windows.py.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pyarrow as pa
import pytest

from tests import window_reference as ref
from tests.helpers import assert_rows_equal, frame_to_rows
from tests.soundness.test_calendar_windows import SCHEMA, _key, run, spec_of

pytestmark = pytest.mark.spark


def _case(seed: int) -> dict[str, Any]:
    rng = random.Random(seed)

    def day() -> dt.date:
        return dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(730))

    rows = [
        {
            "region": rng.choice(["EU", "US", None]),
            "day": day() if rng.random() > 0.1 else None,
            "amount": rng.randrange(-8, 80) / 4 if rng.random() > 0.1 else None,
        }
        for _ in range(rng.randrange(1, 25))
    ]
    rows[0]["day"] = day()  # one dated row at least: the column is a date column
    grain = rng.choice(["month", "quarter", "week"])
    lower = day() if rng.random() > 0.4 else None
    upper = day() if rng.random() > 0.4 else None
    if lower and upper and upper < lower:
        lower, upper = upper, lower
    offsets = [(1, "period")] + ([] if grain == "week" else [(1, "year"), (2, "month")])
    return {
        "rows": rows,
        "grain": grain,
        "by_region": rng.random() > 0.5,
        "lower": lower,
        "upper": upper,
        "form": "between" if lower and upper and rng.random() > 0.5 else "ge_lt",
        "region_is": rng.choice([None, "EU"]),
        "fill_gaps": rng.random() > 0.5,
        "rolling": rng.randrange(1, 5),
        "reset": None if grain == "week" else rng.choice([None, "year", "quarter"]),
        "offset": rng.choice(offsets),
    }


@pytest.mark.parametrize("seed", range(8))
def test_windows_match_the_naive_reference_on_spark(spark: Any, seed: int) -> None:
    case = _case(seed)
    table = pa.table({n: pa.array([r[n] for r in case["rows"]], t) for n, t in SCHEMA.items()})
    frame = spark.createDataFrame(table.to_pandas())
    expected = ref.compute(
        case["rows"],
        grain=case["grain"],
        by_region=case["by_region"],
        time_filter=ref.TimeFilter(case["lower"], case["upper"], case["form"] == "between"),
        region_is=case["region_is"],
        fill_gaps=case["fill_gaps"],
        rolling=case["rolling"],
        reset=case["reset"],
        offset=case["offset"],
    )
    if not case["by_region"]:
        for row in expected:
            del row["region"]
    actual = frame_to_rows(run(spec_of(case), frame))
    assert_rows_equal(sorted(actual, key=_key), sorted(expected, key=_key))
