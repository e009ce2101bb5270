"""Shared calendar constants and vectorised sampling helpers for the generator.

Everything here is pure: randomness always comes from a ``numpy.random.Generator``
passed in by the caller, so the generator stays deterministic for a given seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# The calendar is fixed (never "today") so that output never depends on the clock.
START: np.datetime64 = np.datetime64("2023-01-01", "D")
END: np.datetime64 = np.datetime64("2024-12-31", "D")
N_DAYS: int = int((END - START).astype(np.int64)) + 1  # 731, 2024 is a leap year
SECONDS_PER_DAY: int = 86_400
# Last representable instant of the range; events that would happen later have
# "not happened yet" in the snapshot and are therefore left as NaT.
LAST_SECOND: int = N_DAYS * SECONDS_PER_DAY - 1

# Unit used for every datetime column. Microseconds is pandas 3's default
# resolution, so frames round-trip through parquet/CSV without dtype changes.
DT_UNIT = "datetime64[us]"
# Text columns use pandas' default string dtype: "str" (NaN for missing) on pandas 3;
# pandas 2 has no such default and would turn None into "None", so use object there.
TEXT_DTYPE: str | type = "str" if int(pd.__version__.split(".")[0]) >= 3 else object

SALESPEOPLE: tuple[str, ...] = (
    "Alice Moreau", "Ben Okafor", "Chen Wei", "Dana Kowalski",
    "Eli Navarro", "Fatima Haddad", "Greg Lindqvist", "Hana Sato",
)  # fmt: skip

# Relative demand by calendar month (Jan..Dec): holiday peak, summer lull.
_MONTH_FACTOR: FloatArray = np.array(
    [0.95, 0.90, 1.00, 1.00, 1.00, 0.85, 0.75, 0.80, 1.00, 1.05, 1.35, 1.60]
)


class CustomerBase(NamedTuple):
    """Customer facts the other tables need to stay consistent with ``customers``."""

    signup_day: IntArray  # day index per customer, sorted ascending (ids follow signup order)
    cum_activity: FloatArray  # cumulative "how often does this customer buy" weights
    segment: IntArray  # segment code per customer (index into SEGMENTS)


def day_weights(*, weekend_factor: float, trend: float = 0.25) -> FloatArray:
    """Probability of an event falling on each day of the range.

    Combines month seasonality, a weekday/weekend effect and a linear upward trend
    (``trend`` = relative growth from the first to the last day).
    """
    days = np.arange(START, END + np.timedelta64(1, "D"))
    month = days.astype("datetime64[M]").astype(np.int64) % 12
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    growth = 1.0 + trend * np.arange(N_DAYS) / (N_DAYS - 1)
    weights = _MONTH_FACTOR[month] * growth * np.where(weekday >= 5, weekend_factor, 1.0)
    return cast(FloatArray, weights / weights.sum())


def sample_days(rng: np.random.Generator, n: int, weights: FloatArray) -> IntArray:
    """Draw ``n`` day indices from ``weights``, returned sorted.

    A multinomial count per day followed by ``repeat`` is O(n) and yields sorted
    output for free, so ids can follow chronological order like autoincrement keys.
    """
    counts = rng.multinomial(n, weights)
    return np.repeat(np.arange(N_DAYS, dtype=np.int64), counts)


def pick_customers(rng: np.random.Generator, day: IntArray, base: CustomerBase) -> IntArray:
    """Pick a 1-based customer id per event, among customers signed up by ``day``.

    Customers are weighted by their activity so a few are heavy buyers and many
    buy rarely. Because ids are in signup order, the eligible customers for a day
    are a prefix ``0..k-1``; sampling a uniform point below ``cum_activity[k-1]``
    and binary-searching the cumulative weights keeps this fully vectorised.
    """
    # Always >= 1 because customer 1 signs up on day 0.
    eligible = np.searchsorted(base.signup_day, day, side="right")
    point = rng.random(len(day)) * base.cum_activity[eligible - 1]
    idx = np.searchsorted(base.cum_activity, point, side="right")
    return np.minimum(idx, eligible - 1).astype(np.int64) + 1  # guard float round-off


def choice(rng: np.random.Generator, n: int, probs: Sequence[float]) -> IntArray:
    """Draw ``n`` category codes with the given (not necessarily normalised) weights."""
    p = np.asarray(probs, dtype=np.float64)
    return rng.choice(len(p), size=n, p=p / p.sum()).astype(np.int64)


def with_nulls(rng: np.random.Generator, codes: IntArray, share: float) -> IntArray:
    """Replace a random ``share`` of codes with -1, the "missing" code for :func:`labels`."""
    return np.where(rng.random(len(codes)) < share, -1, codes)


def labels(values: Sequence[str], codes: IntArray) -> pd.Series:
    """Turn integer codes into a text column; code -1 becomes missing.

    Indexing a tiny object lookup table is much faster than building strings per
    row. The dtype is explicit so an all-missing column keeps the text dtype.
    """
    lookup = np.array([*values, None], dtype=object)  # index -1 hits the trailing None
    return pd.Series(lookup[codes], dtype=TEXT_DTYPE)


def dates(day: IntArray, missing: BoolArray | None = None) -> npt.NDArray[np.datetime64]:
    """Day indices to midnight datetimes, with NaT where ``missing``."""
    out = (START + day).astype(DT_UNIT)
    if missing is not None:
        out[missing] = np.datetime64("NaT")
    return out


def timestamps(seconds: IntArray, missing: BoolArray | None = None) -> npt.NDArray[np.datetime64]:
    """Seconds since the range start to datetimes, with NaT where ``missing``."""
    out = (START.astype("datetime64[s]") + seconds).astype(DT_UNIT)
    if missing is not None:
        out[missing] = np.datetime64("NaT")
    return cast(npt.NDArray[np.datetime64], out)


def nullable_int(values: IntArray, missing: BoolArray) -> pd.arrays.IntegerArray:
    """Build a nullable ``Int64`` array (``pd.NA`` where ``missing``)."""
    return pd.arrays.IntegerArray(values.astype(np.int64), missing.copy())


def choice_rows(rng: np.random.Generator, probs: FloatArray) -> IntArray:
    """Draw one category code per row, row ``i`` using the weights ``probs[i]``.

    Lets a new column depend on existing ones (e.g. ticket type on category) while
    staying vectorised: one uniform per row against that row's cumulative weights.
    """
    cum = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    codes = (rng.random(len(probs))[:, None] >= cum).sum(axis=1)
    return cast(IntArray, np.minimum(codes, probs.shape[1] - 1).astype(np.int64))  # round-off


def day_index(values: pd.Series) -> IntArray:
    """Dates or timestamps (floored to the day) back to day indices; NaT becomes -1."""
    raw = values.to_numpy(dtype="datetime64[us]").astype("datetime64[D]")
    missing = np.isnat(raw)
    day = (raw - START).astype(np.int64)
    return np.where(missing, -1, day)


def nullable_ids(ids: IntArray) -> pd.arrays.IntegerArray:
    """Nullable ``Int64`` ids from an int array using -1 for "none"."""
    return nullable_int(np.maximum(ids, 0), ids < 0)
