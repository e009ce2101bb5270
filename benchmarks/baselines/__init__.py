"""The benchmarked reports written by hand, the way a competent analyst would, once per tool.

Each module has one function per report (named like the spec), taking `{table name: input}`
and returning the result in the input's own kind. They compute exactly the numbers of the
specs in `benchmarks/specs/` on the generated data (checked on every benchmark run), but they
only handle what that data needs: e.g. no null customer ids, no null products.
"""

from benchmarks.baselines import hand_pandas, hand_polars, hand_sql

__all__ = ["hand_pandas", "hand_polars", "hand_sql"]
