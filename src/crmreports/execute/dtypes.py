"""narwhals dtypes -> the resolver's `DataType`."""

from __future__ import annotations

import narwhals as nw

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
