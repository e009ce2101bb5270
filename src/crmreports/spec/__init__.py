"""Report specs as Pydantic models: structure only, no data, no pandas/narwhals/altair."""

from crmreports.spec.checks import check_structure, result_names
from crmreports.spec.dimension import Dimension, Grain
from crmreports.spec.filters import (
    AnyOf,
    BetweenFilter,
    CompareFilter,
    ContainsFilter,
    Filter,
    InFilter,
    NullFilter,
)
from crmreports.spec.io import dump_spec, parse_text, read_spec_file, validate_spec
from crmreports.spec.measure import CountMeasure, FieldMeasure, Format, Measure
from crmreports.spec.report import ReportSpec, SortKey
from crmreports.spec.visual import BarVisual, LineVisual, TableVisual, Visual

__all__ = [
    "AnyOf",
    "BarVisual",
    "BetweenFilter",
    "CompareFilter",
    "ContainsFilter",
    "CountMeasure",
    "Dimension",
    "FieldMeasure",
    "Filter",
    "Format",
    "Grain",
    "InFilter",
    "LineVisual",
    "Measure",
    "NullFilter",
    "ReportSpec",
    "SortKey",
    "TableVisual",
    "Visual",
    "check_structure",
    "dump_spec",
    "parse_text",
    "read_spec_file",
    "result_names",
    "validate_spec",
]
