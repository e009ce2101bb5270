"""The benchmark data: the project's synthetic CRM tables, generated once per size and cached
as Parquet, then loaded as each kind of input a report accepts.

`generate(seed=0, size=N)` makes N orders, N // 5 customers and N // 4 opportunities. It is
vectorised numpy: 3 s and 0.5 GB peak at 1M orders, 43 s and 2.9 GB at 10M on a 2-core
machine, so 10M is generated directly (no tiling). Only the three tables the reports read are
written.

Run as a module to fill the cache for one size in its own process (the parent stays small):
`python -m benchmarks.data --size 1000000 --cache-dir /tmp/crmreports-bench`.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

TABLES = ("orders", "customers", "opportunities")
KINDS = ("pandas", "arrow", "polars", "parquet")
SEED = 0
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "crmreports-bench"


def dataset_dir(cache_dir: Path, size: int) -> Path:
    return cache_dir / f"seed{SEED}-orders{size}"


def is_cached(cache_dir: Path, size: int) -> bool:
    return (dataset_dir(cache_dir, size) / "DONE").exists()


def write_dataset(cache_dir: Path, size: int) -> Path:
    """Generate the tables for `size` orders and write them as Parquet (once)."""
    from crmreports.datasets import generate

    out = dataset_dir(cache_dir, size)
    if is_cached(cache_dir, size):
        return out
    out.mkdir(parents=True, exist_ok=True)
    dataset = generate(seed=SEED, size=size)
    for name in TABLES:
        getattr(dataset, name).to_parquet(out / f"{name}.parquet", index=False)
    (out / "DONE").touch()
    return out


def load(directory: Path, tables: tuple[str, ...], kind: str) -> dict[str, Any]:
    """The named tables as `kind`: a pandas DataFrame, an Arrow Table, a polars DataFrame, or
    the Parquet file's path (read by the engine on every run)."""
    paths = {name: directory / f"{name}.parquet" for name in tables}
    if kind == "parquet":
        return {name: str(path) for name, path in paths.items()}
    if kind == "pandas":
        import pandas as pd

        return {name: pd.read_parquet(path) for name, path in paths.items()}
    if kind == "arrow":
        import pyarrow.parquet as pq

        return {name: pq.read_table(path) for name, path in paths.items()}
    if kind == "polars":
        import polars as pl

        return {name: pl.read_parquet(path) for name, path in paths.items()}
    raise ValueError(f"unknown input kind {kind!r}; one of {KINDS}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    args = parser.parse_args()
    print(write_dataset(args.cache_dir, args.size))


if __name__ == "__main__":
    main()
