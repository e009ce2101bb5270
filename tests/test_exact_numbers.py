"""Numbers that must not drift: sums and averages of decimals, integer sums and arithmetic past
64 bits, and round() on the number as written, on every backend.

Rules (docs/semantics.md, "Exact numbers"): floating-point sums and averages are computed on
the values rounded to 6 decimal places, summed exactly as DECIMAL(38, 6); integer sums are
exact and a sum beyond the int64 range is a DataError naming the measure; integer + - * in a
formula beyond int64 is null; round() rounds half away from zero on the decimal as written.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from crmreports import Report
from crmreports.errors import DataError
from crmreports.resolve.types import DataType
from tests.helpers import assert_rows_equal, frame_to_rows
from tests.test_formula import ENGINES, check, run

GROWTH = """
name: growth
dimensions: [{field: day, grain: month, name: month}]
measures:
  - {name: rev, agg: sum, field: amount}
  - {name: avg, agg: avg, field: amount}
  - {name: g, of: rev, compare: {}}
"""


def test_a_month_that_nets_to_zero_is_zero_and_growth_against_it_is_null(
    constructor: Any,
) -> None:
    # January: 0.1 + 0.2 - 0.3 = 0 (in binary doubles 5.55e-17, and the growth of February's
    # 6.0 against it 1.08e17). February: 5.0 + 1.0 = 6, average 3.
    data = {
        "day": [dt.date(2024, 1, 3)] * 3 + [dt.date(2024, 2, 3)] * 2,
        "amount": [0.1, 0.2, -0.3, 5.0, 1.0],
    }
    rows = frame_to_rows(Report.from_yaml(GROWTH).run(constructor(data)))
    assert [r["rev"] for r in rows] == [0.0, 6.0]  # exactly, not within a tolerance
    assert [r["avg"] for r in rows] == [0.0, 3.0]
    assert [r["g"] for r in rows] == [None, None]  # no earlier month / an earlier total of 0


# Cents up to 10 million, and values with six decimals below 10^9 (15 significant digits).
_cents = st.one_of(
    st.integers(-(10**9), 10**9).map(lambda c: Decimal(c).scaleb(-2)),
    st.integers(-(10**15) + 1, 10**15 - 1).map(lambda c: Decimal(c).scaleb(-6)),
)


@settings(max_examples=25, deadline=None)
@given(groups=st.lists(st.lists(_cents, min_size=1, max_size=8), min_size=1, max_size=4))
@pytest.mark.parametrize("backend", ["pandas", "polars", "duckdb"])
def test_sums_of_cents_are_exact(backend: str, groups: list[list[Decimal]]) -> None:
    """The sum of each group is the exact sum of the amounts as written, then one rounding to
    the nearest double; the average that sum divided by the count."""
    from tests.helpers import make_frame

    keys = [f"g{i}" for i, g in enumerate(groups) for _ in g]
    amounts = [float(v) for g in groups for v in g]
    spec = """
name: cents
dimensions: [{field: k}]
measures: [{name: total, agg: sum, field: amount}, {name: mean, agg: avg, field: amount}]
"""
    result = Report.from_yaml(spec).run(make_frame(backend, {"k": keys, "amount": amounts}))
    rows = frame_to_rows(result)
    expected_totals = [float(sum(g, Decimal(0))) for g in groups]
    expected_means = [float(sum(g, Decimal(0)) / len(g)) for g in groups]
    assert [r["total"] for r in rows] == expected_totals
    for got, want in zip([r["mean"] for r in rows], expected_means, strict=True):
        assert got == pytest.approx(want, rel=1e-15, abs=1e-15)


def test_huge_and_infinite_floats_are_summed_in_floating_point(constructor: Any) -> None:
    # 1e20 is past the exact sum's range (values from 1e18 on): the double sum is taken,
    # 1e20 + 0.1 + 0.2 = 1e20. An infinity stays infinite (careless: left out of the exact
    # part, 1.0). b: one value -0.3 (the null is skipped), exact.
    data = {
        "k": ["a", "a", "a", "b", "b", "c", "c"],
        "amount": [1e20, 0.1, 0.2, -0.3, None, float("inf"), 1.0],
    }
    spec = """
name: huge
dimensions: [{field: k}]
measures: [{name: s, agg: sum, field: amount}, {name: m, agg: avg, field: amount}]
"""
    rows = frame_to_rows(Report.from_yaml(spec).run(constructor(data)))
    assert rows[0] == {"k": "a", "s": 1e20, "m": pytest.approx(1e20 / 3, rel=1e-15)}
    assert rows[1] == {"k": "b", "s": -0.3, "m": -0.3}
    assert rows[2] == {"k": "c", "s": float("inf"), "m": float("inf")}


def test_values_with_more_decimals_keep_double_precision(constructor: Any) -> None:
    # Ratios are no six-decimal numbers: 1/3 + 1/3 + 1/3 is 1.0 in doubles, while the six-decimal
    # sum would be 0.999999 (and its average 0.333333, where the double average is 1/3).
    third = 1 / 3
    data = {"k": ["a", "a", "a", "b"], "x": [third, third, third, 2 / 7]}
    spec = """
name: ratios
dimensions: [{field: k}]
measures: [{name: s, agg: sum, field: x}, {name: m, agg: avg, field: x}]
"""
    rows = frame_to_rows(Report.from_yaml(spec).run(constructor(data)))
    assert rows[0]["s"] == pytest.approx(1.0, rel=1e-15)
    assert rows[0]["m"] == pytest.approx(third, rel=1e-15)
    assert rows[1] == {"k": "b", "s": pytest.approx(2 / 7, rel=1e-15),
                       "m": pytest.approx(2 / 7, rel=1e-15)}  # fmt: skip


_doubles = st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False)


@settings(max_examples=25, deadline=None)
@given(values=st.lists(_doubles, min_size=1, max_size=20))
@pytest.mark.parametrize("backend", ["pandas", "polars"])
def test_any_float_sum_is_within_the_double_error_bound(backend: str, values: list[float]) -> None:
    """Whatever the values, the sum is the exact sum (math.fsum) within the error bound of an
    ordinary double-precision sum, (n + 1) * 2^-52 * sum(|x|)."""
    import math

    from tests.helpers import make_frame

    spec = "name: s\nmeasures: [{name: s, agg: sum, field: x}]\n"
    result = Report.from_yaml(spec).run(make_frame(backend, {"x": values}))
    got = frame_to_rows(result)[0]["s"]
    bound = (len(values) + 1) * 2.0**-52 * sum(abs(v) for v in values)
    assert abs(got - math.fsum(values)) <= 2 * bound + 1e-300


# --- integers past 64 bits -----------------------------------------------------------------


def test_an_integer_sum_beyond_int64_is_a_data_error(constructor: Any) -> None:
    # 3 x 2^62 = 1.38e19 > 2^63 - 1: polars wrapped it to -4.61e18, DuckDB raised
    # "INT128 ... out of range for INT64".
    spec = """
name: big
dimensions: [{field: k}]
measures: [{name: total, agg: sum, field: n}]
"""
    data = {"k": ["a", "a", "a"], "n": [2**62] * 3}
    with pytest.raises(DataError, match=r"measure 'total': an integer sum reaches 1\.384e\+19"):
        Report.from_yaml(spec).run(constructor(data))


def test_an_integer_sum_at_the_edge_of_int64_is_exact(constructor: Any) -> None:
    # 2^62 + (2^62 - 1) = 2^63 - 1 exactly; 2^62 + 2^62 - 2^62 = 2^62 (an intermediate sum
    # beyond int64 is fine: the sum is exact).
    data = {"k": ["a", "a", "b", "b", "b"], "n": [2**62, 2**62 - 1, 2**62, 2**62, -(2**62)]}
    spec = """
name: edge
dimensions: [{field: k}]
measures: [{name: total, agg: sum, field: n}]
"""
    result = Report.from_yaml(spec).run(constructor(data, {"n": pa.int64()}))
    assert_rows_equal(result, [{"k": "a", "total": 2**63 - 1}, {"k": "b", "total": 2**62}])


@pytest.mark.parametrize("engine", ENGINES)
def test_integer_arithmetic_beyond_int64_is_null(engine: str) -> None:
    # 2^62 * 2 = 2^63 overflows (polars wrapped to -2^63, DuckDB raised); 2^62 + 2^62 too;
    # -(2^62) * 2 = -2^63 is the one negative edge, taken as out of range as well (as a
    # double it cannot be told from 2^63 - 1 + 1). 3 * 4 is just 12.
    data = {"a": [2**62, 2**62, 3, None], "b": [2, -2, 4, 1]}
    schema = {"a": pa.int64(), "b": pa.int64()}
    check(engine, data, "a * b", [None, None, 12, None], DataType.INTEGER, schema)
    check(engine, data, "a + a", [None, None, 6, None], DataType.INTEGER, schema)
    check(engine, data, "a * b - a * b + 1", [None, None, 1, None], DataType.INTEGER, schema)
    check(engine, data, "-(a * 2 - 1)", [None, None, -5, None], DataType.INTEGER, schema)
    # Nested inside a non-integer expression, the integer chain is guarded on its own.
    check(engine, data, "if(b > 0, a * b, 0) / 2", [None, 0.0, 6.0, None], DataType.FLOAT,
          schema)  # fmt: skip


def test_integer_overflow_in_a_report_is_null_on_every_backend(constructor: Any) -> None:
    spec = """
name: products
dimensions: [{field: k}]
measures: [{name: biggest, agg: max, expr: "n * n"}, {name: rows, agg: count}]
"""
    # a: 3 * 3 = 9 and (2^32)^2 = 2^64 (null): max 9. b: only 2^32: null.
    data = {"k": ["a", "a", "b"], "n": [3, 2**32, 2**32]}
    result = Report.from_yaml(spec).run(constructor(data, {"n": pa.int64()}))
    assert_rows_equal(
        result, [{"k": "a", "biggest": 9, "rows": 2}, {"k": "b", "biggest": None, "rows": 1}]
    )


# --- round() on the number as written --------------------------------------------------------


def spreadsheet_round(text: str, digits: int) -> float:
    """The naive reference: decimal rounding, half away from zero, of the number as written."""
    exponent = Decimal(1).scaleb(-digits)
    return float(Decimal(text).quantize(exponent, rounding=ROUND_HALF_UP))


@pytest.mark.parametrize(
    ("x", "digits", "expected"),
    [
        # A careless engine rounds the binary double: 1.005 -> 1.0, 2.675 -> 2.67 (DuckDB's own
        # round and Python's), -1.005 -> -1.0, 1.0049999999999999 -> 1.0.
        ("1.005", 2, 1.01), ("2.675", 2, 2.68), ("-1.005", 2, -1.01), ("0.125", 2, 0.13),
        ("1.255", 2, 1.26), ("1234.005", 2, 1234.01), ("8.345", 2, 8.35), ("0.285", 2, 0.29),
        ("1.45", 1, 1.5), ("-2.5", 0, -3.0), ("1.0049", 2, 1.0), ("1.00499999999", 2, 1.0),
        ("123456789.125", 2, 123456789.13), ("5.015", 2, 5.02), ("0.0000005", 6, 0.000001),
    ],
)  # fmt: skip
def test_round_follows_the_written_decimal(constructor: Any, x: str, digits: int,
                                           expected: float) -> None:  # fmt: skip
    assert spreadsheet_round(x, digits) == expected
    spec = f"""
name: r
measures: [{{name: r, agg: max, expr: "round(x, {digits})"}}]
"""
    rows = frame_to_rows(Report.from_yaml(spec).run(constructor({"x": [float(x)]})))
    assert rows == [{"r": expected}]


_decimal_texts = st.builds(
    lambda mantissa, exponent: str(Decimal(mantissa).scaleb(exponent)),
    st.integers(-(10**12), 10**12),
    st.integers(-9, 2),
)
_wholes = st.integers(-(10**9), 10**9)


@pytest.mark.parametrize("engine", ENGINES)
@settings(max_examples=30, deadline=None)
@given(
    texts=st.lists(_decimal_texts, min_size=1, max_size=10),
    wholes=st.lists(_wholes, max_size=5),
    digits=st.integers(0, 6),
)
# Found by CI: past 2^52, x * 10^d is no longer exact and the scaled value came back 64 units off.
@example(texts=["576460752305"], wholes=[], digits=6)
def test_round_matches_decimal_rounding(
    engine: str, texts: list[str], wholes: list[int], digits: int
) -> None:
    """Any value written with at most 15 significant digits rounds as its decimal does."""
    # Exact halves at the rounding digit (w + 0.5 units of 10^-digits), where a careless
    # rounding goes wrong most often.
    texts = texts + [str((Decimal(w) + Decimal("0.5")).scaleb(-digits)) for w in wholes]
    for text in texts:
        assert len(Decimal(text).normalize().as_tuple().digits) <= 15
    data = {"x": [float(t) for t in texts]}
    values, _ = run(engine, data, f"round(x, {digits})", {"x": pa.float64()})
    assert values == [spreadsheet_round(t, digits) for t in texts]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("digits", range(7))
def test_round_leaves_large_values_that_have_no_digit_to_round(engine: str, digits: int) -> None:
    """Values whose scaled form passes 2^52 (where x * 10^d stops being exact) come back as
    written, and the ones just below still round as their decimals do."""
    texts = [
        "576460752305",
        "-576460752305",
        "4503599627370.5",
        "999999999999.125",
        "123456789012345",
        "98765432.123456",
        "-98765432.1234565",
        "4503599627.37049",
    ]
    data = {"x": [float(t) for t in texts]}
    values, _ = run(engine, data, f"round(x, {digits})", {"x": pa.float64()})
    assert values == [spreadsheet_round(t, digits) for t in texts]
