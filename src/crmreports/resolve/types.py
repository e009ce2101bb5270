"""The few column types the resolver reasons about, independent of any dataframe library."""

from __future__ import annotations

from enum import StrEnum


class DataType(StrEnum):
    INTEGER = "integer"
    FLOAT = "float"
    BOOLEAN = "boolean"
    STRING = "string"
    DATE = "date"
    DATETIME = "datetime"
    OTHER = "other"

    @property
    def is_numeric(self) -> bool:
        return self in (DataType.INTEGER, DataType.FLOAT)

    @property
    def is_temporal(self) -> bool:
        return self in (DataType.DATE, DataType.DATETIME)


# source name -> column name -> type: everything the resolver needs to know about the data.
Schema = dict[str, dict[str, DataType]]
