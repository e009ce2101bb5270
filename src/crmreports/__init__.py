"""crmreports: CRM reports as typed specs, computed exactly on your own data.

>>> import crmreports
>>> report = crmreports.Report.from_yaml('''
... name: orders_by_channel
... dimensions: [channel]
... measures: [{name: orders, agg: count}]
... ''')
>>> report.name
'orders_by_channel'
"""

from crmreports.cache import ResultCache
from crmreports.dashboard import (
    Dashboard,
    DashboardResult,
    ReportCatalog,
    SpecFolder,
    load_dashboard,
)
from crmreports.errors import (
    CrmReportsError,
    DataError,
    DuplicateNameError,
    InvalidSpecError,
    Problem,
    SpecError,
    SpecSyntaxError,
    TypeMismatchError,
    UnknownFieldError,
    UnknownNameError,
    UnknownSourceError,
    ValueNotInDataError,
)
from crmreports.execute import Engine
from crmreports.render.export import export_chart
from crmreports.report import Report, load
from crmreports.result import ReportResult
from crmreports.spec import (
    AnyOf,
    BarVisual,
    BetweenFilter,
    CompareFilter,
    ContainsFilter,
    CountMeasure,
    Dimension,
    FieldMeasure,
    Format,
    Grain,
    InFilter,
    LineVisual,
    NullFilter,
    SortKey,
    TableVisual,
)

__version__ = "0.1.0"

__all__ = [
    "AnyOf",
    "BarVisual",
    "BetweenFilter",
    "CompareFilter",
    "ContainsFilter",
    "CountMeasure",
    "CrmReportsError",
    "Dashboard",
    "DashboardResult",
    "DataError",
    "Dimension",
    "DuplicateNameError",
    "Engine",
    "FieldMeasure",
    "Format",
    "Grain",
    "InFilter",
    "InvalidSpecError",
    "LineVisual",
    "NullFilter",
    "Problem",
    "Report",
    "ReportCatalog",
    "ReportResult",
    "ResultCache",
    "SortKey",
    "SpecError",
    "SpecFolder",
    "SpecSyntaxError",
    "TableVisual",
    "TypeMismatchError",
    "UnknownFieldError",
    "UnknownNameError",
    "UnknownSourceError",
    "ValueNotInDataError",
    "__version__",
    "export_chart",
    "load",
    "load_dashboard",
]
