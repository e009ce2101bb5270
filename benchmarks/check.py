"""Results from every engine, made comparable and compared: a benchmark of wrong numbers is
worthless, so any difference beyond float round-off stops the run."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

RTOL = 1e-9


class ResultMismatch(AssertionError):
    pass


def normalise(result: Any, columns: list[str]) -> pd.DataFrame:
    """Any engine's result as pandas: the report's columns in its order, rows in the engine's
    order (hand-written code sorts as crmreports does, so order is compared too), numbers as
    float64, datetimes in microseconds, missing values as None/NaN."""
    if hasattr(result, "to_pandas"):  # pyarrow Table, polars DataFrame
        result = result.to_pandas()
    frame = result.reset_index(drop=True)[columns].copy()
    for col in frame.columns:
        series = frame[col]
        if pd.api.types.is_datetime64_any_dtype(series):
            frame[col] = series.astype("datetime64[us]")
        elif pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            frame[col] = series.astype("float64")
        else:
            frame[col] = series.astype(object).where(series.notna(), None)
    return frame


def compare(expected: pd.DataFrame, actual: pd.DataFrame, what: str) -> None:
    """Raise `ResultMismatch` naming the first differing cells of each column: a value may
    differ by a relative 1e-9 (float sums in another order), a null only matches a null."""
    if expected.shape != actual.shape:
        raise ResultMismatch(f"{what}: shape {actual.shape}, expected {expected.shape}")
    problems = []
    for col in expected.columns:
        want, got = expected[col], actual[col]
        if want.dtype == "float64" and got.dtype == "float64":
            both_nan = want.isna() & got.isna()
            close = np.isclose(got, want, rtol=RTOL, atol=0.0, equal_nan=False)
            bad = ~(both_nan | close)
        else:
            bad = ~((want == got) | (want.isna() & got.isna()))
        if bad.any():
            rows = list(np.flatnonzero(bad.to_numpy())[:3])
            sample = ", ".join(f"row {r}: {got.iloc[r]!r} != {want.iloc[r]!r}" for r in rows)
            problems.append(f"  {col}: {int(bad.sum())} cells differ ({sample})")
    if problems:
        raise ResultMismatch(f"{what} differs from crmreports:\n" + "\n".join(problems))
