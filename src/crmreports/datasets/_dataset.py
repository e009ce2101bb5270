"""The :class:`CRMDataset` container returned by :func:`crmreports.datasets.generate`."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Literal

import pandas as pd

FileFormat = Literal["parquet", "csv"]
FORMATS: tuple[str, ...] = ("parquet", "csv")


# eq=False: comparing DataFrames with ``==`` is element-wise and ambiguous, so the
# dataclass keeps identity equality; compare tables with pandas.testing instead.
# repr=False on fields: the default repr would print ten whole tables.
@dataclass(frozen=True, eq=False)
class CRMDataset:
    """Ten related synthetic CRM tables (see :mod:`crmreports.datasets`).

    They follow the data model of :mod:`crmreports.builtin.model`. The first five
    fields are the original tables; later ones are appended so positional access
    and :meth:`tables` order stay stable.

    The dataclass is frozen so tables cannot be swapped out, but the DataFrames
    themselves are ordinary (mutable) pandas objects; copy before modifying if
    the dataset is shared.
    """

    customers: pd.DataFrame = field(repr=False)
    orders: pd.DataFrame = field(repr=False)
    opportunities: pd.DataFrame = field(repr=False)
    campaigns: pd.DataFrame = field(repr=False)
    tickets: pd.DataFrame = field(repr=False)
    leads: pd.DataFrame = field(repr=False)
    touches: pd.DataFrame = field(repr=False)
    surveys: pd.DataFrame = field(repr=False)
    targets: pd.DataFrame = field(repr=False)
    users: pd.DataFrame = field(repr=False)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return ``{table name: DataFrame}`` in a fixed order."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def write(
        self, directory: str | os.PathLike[str], format: FileFormat = "parquet"
    ) -> dict[str, Path]:
        """Write one file per table (e.g. ``orders.parquet``) into ``directory``.

        The directory (and parents) is created if needed; existing files with the
        same names are overwritten. Returns ``{table name: written path}``.

        CSV does not store dtypes: read it back with ``parse_dates`` for the date
        columns, and note nullable integer columns come back as float64.
        """
        if format not in FORMATS:
            raise ValueError(f"format must be one of {FORMATS!r}, got {format!r}")
        out_dir = Path(directory)
        out_dir.mkdir(parents=True, exist_ok=True)
        paths: dict[str, Path] = {}
        for name, frame in self.tables().items():
            path = out_dir / f"{name}.{format}"
            if format == "parquet":
                frame.to_parquet(path, index=False)
            else:
                frame.to_csv(path, index=False)
            paths[name] = path
        return paths

    def __repr__(self) -> str:
        shapes = ", ".join(f"{name}={len(df):_} rows" for name, df in self.tables().items())
        return f"CRMDataset({shapes})"
