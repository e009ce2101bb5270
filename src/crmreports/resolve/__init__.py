"""Bind a report spec to the data's schema; every problem reported at once, located."""

from crmreports.resolve.resolved import (
    AnyOfPredicate,
    Between,
    Comparison,
    Contains,
    Membership,
    NullTest,
    Predicate,
    ResolvedDimension,
    ResolvedMeasure,
    ResolvedReport,
    ResolvedVisual,
    SortOrder,
)
from crmreports.resolve.resolver import resolve
from crmreports.resolve.types import DataType, Schema

__all__ = [
    "AnyOfPredicate",
    "Between",
    "Comparison",
    "Contains",
    "DataType",
    "Membership",
    "NullTest",
    "Predicate",
    "ResolvedDimension",
    "ResolvedMeasure",
    "ResolvedReport",
    "ResolvedVisual",
    "Schema",
    "SortOrder",
    "resolve",
]
