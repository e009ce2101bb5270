"""Execute plans through narwhals on the caller's own data (DuckDB for pandas and Arrow)."""

from crmreports.execute.dtypes import empty_table
from crmreports.execute.executor import ExecutedFrame, execute
from crmreports.execute.inputs import (
    DEFAULT_SOURCE,
    BoundSource,
    Engine,
    InputKind,
    align_engines,
    apply_mapping,
    bind_inputs,
    duckdb_cursor,
)

__all__ = [
    "DEFAULT_SOURCE",
    "BoundSource",
    "Engine",
    "ExecutedFrame",
    "InputKind",
    "align_engines",
    "apply_mapping",
    "bind_inputs",
    "duckdb_cursor",
    "empty_table",
    "execute",
]
