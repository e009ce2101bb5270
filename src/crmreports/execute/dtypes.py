"""narwhals dtypes -> the resolver's `DataType`, and `DataType` -> an Arrow type."""

from __future__ import annotations

import narwhals as nw
import pyarrow as pa

from crmreports.resolve import DataType


def to_data_type(dtype: nw.dtypes.DType) -> DataType:
    if dtype.is_integer():
        return DataType.INTEGER
    if dtype.is_float() or dtype.is_decimal():
        return DataType.FLOAT
    if dtype == nw.Boolean:
        return DataType.BOOLEAN
    if dtype in (nw.String, nw.Categorical, nw.Enum):
        return DataType.STRING
    if dtype == nw.Date:
        return DataType.DATE
    if dtype == nw.Datetime:
        return DataType.DATETIME
    return DataType.OTHER


def time_zone_of(dtype: nw.dtypes.DType) -> str | None:
    return getattr(dtype, "time_zone", None) if dtype == nw.Datetime else None


_ARROW_TYPES = {
    DataType.INTEGER: pa.int64(),
    DataType.FLOAT: pa.float64(),
    DataType.BOOLEAN: pa.bool_(),
    DataType.STRING: pa.string(),
    DataType.DATE: pa.date32(),
    DataType.DATETIME: pa.timestamp("us"),
    DataType.OTHER: pa.string(),
}


def empty_table(types: dict[str, DataType]) -> pa.Table:
    """A table with these columns and types and no rows: what a computation would give, for
    checking against it without computing it."""
    return pa.table({n: pa.array([], type=_ARROW_TYPES[t]) for n, t in types.items()})
