"""The report spec: what to group by, what to measure, which rows, in what order, drawn how.

Structure only: this module knows nothing about data. Checks that need the data's schema live
in `crmreports.resolve`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, PositiveInt, field_validator

from crmreports.spec._base import FieldName, Name, SpecModel
from crmreports.spec.dimension import Dimension
from crmreports.spec.filters import Filter, Scalar
from crmreports.spec.measure import Measure
from crmreports.spec.visual import Visual


def _allow_string_items(schema: dict[str, Any]) -> None:
    """JSON Schema: list items may also be the string shorthand for {field: <string>}."""
    schema["items"] = {
        "anyOf": [
            schema["items"],
            {"type": "string", "description": "Shorthand for {field: <string>}."},
        ]
    }


def _field_shorthand(value: Any) -> Any:
    """`- channel` is accepted for `- field: channel` (dimensions and sort keys)."""
    if isinstance(value, list):
        return [{"field": v} if isinstance(v, str) else v for v in value]
    return value


class SortKey(SpecModel):
    """Order the result by a dimension or measure (by its result name)."""

    field: Name = Field(description="A dimension or measure name.")
    desc: bool = Field(default=False, description="Largest first.")


class TimeContext(SpecModel):
    """One time context for grouping *and* filtering, so relative filters and buckets agree."""

    week_start: Literal[
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"
    ] = Field(default="monday", description="First day of a week (ISO: monday).")
    fiscal_year_start: int = Field(
        default=1, ge=1, le=12, description="Month the fiscal year starts in (10 = October)."
    )
    fiscal_year_named_by: Literal["end", "start"] = Field(
        default="end",
        description="FY2025 is the fiscal year ending in 2025 (end, US style) or starting in "
        "2025 (start).",
    )
    timezone: str | None = Field(
        default=None,
        description="IANA zone (e.g. Europe/Berlin) in which timezone-aware timestamps are "
        "bucketed and filtered; naive timestamps are taken as already local. Default: UTC.",
    )


class Parameter(SpecModel):
    """A typed value supplied at run time (`run(data, params={...})`), used in filters as
    `{param: name}` and in formulas by name."""

    name: Name = Field(description="How filters and formulas refer to it.")
    type: Literal["string", "number", "integer", "date", "boolean"] = Field(
        description="Type the supplied value must have."
    )
    default: Scalar | None = Field(default=None, description="Used when no value is supplied.")
    allowed: list[Scalar] | None = Field(
        default=None, description="If given, the only values accepted."
    )
    label: str | None = Field(default=None, description="Human-readable name.")


class Relationship(SpecModel):
    """Many rows of `from` point at one row of `to` (orders -> customers): a report over
    `from` can then group and filter by `to`'s columns, written `to.column`."""

    from_: Name | None = Field(
        default=None,
        alias="from",
        description="Source holding the key; defaults to the report's source.",
    )
    to: Name = Field(description="Source looked up; its key must be unique.")
    # Not `on:`: YAML 1.1 reads an unquoted `on` as the boolean true.
    key: FieldName | dict[FieldName, FieldName] = Field(
        description="The key: one column name found on both sides, or {from_column: to_column}."
    )
    unmatched_label: str | None = Field(
        default="unknown",
        description="Text shown for rows whose key finds no match (text columns only; "
        "other types show null); null keeps them null, e.g. to filter them out with "
        "`not_null`. Unmatched rows are counted in the result's notes.",
    )


class ComputedColumn(SpecModel):
    """A column the report needs, computed from yours by a row formula."""

    expr: str = Field(
        description="Row formula over your columns, e.g. `Quantity * UnitPrice` or "
        "`if(starts_with(InvoiceNo, 'C'), 'cancelled', 'won')`."
    )


class SourceMapping(SpecModel):
    """How one of your tables maps onto the names a report uses (e.g. a built-in report's
    data model): columns renamed, values recoded, before anything else reads them."""

    columns: dict[FieldName, FieldName | ComputedColumn] = Field(
        default_factory=dict,
        description="{report_column: your_column}, e.g. {stage: deal_stage}, or "
        "{report_column: {expr: <row formula over your columns>}}, e.g. {amount: {expr: "
        "Quantity * UnitPrice}}. Your other columns stay available under their own names.",
    )
    values: dict[FieldName, dict[Scalar, Scalar]] = Field(
        default_factory=dict,
        description="{report_column: {your_value: report_value}}, e.g. {stage: {Won: won}}. "
        "Values not listed are kept as they are (null when the new values are of "
        "another kind, e.g. text recoded to true/false).",
    )
    meaningful: dict[FieldName, list[Scalar]] = Field(
        default_factory=dict,
        description="{report_column: [values the report gives a meaning to]}, e.g. {stage: "
        "[won, lost]}. A run fails when the column holds none of them, or a filter's value "
        "is missing while the column holds it in another case (Won for won): the data "
        "spells them differently and needs `values`. Built-in reports fill it from the data "
        "model.",
    )


class Rollup(SpecModel):
    """An intermediate table computed first and then read like any other source: one row per
    group of `dimensions` with the `measures` as columns (orders rolled up per customer). A
    report can aggregate it again (customers per RFM segment) or look it up by its keys."""

    name: Name = Field(description="The source name the rolled-up table is read by.")
    description: str | None = Field(default=None, description="What one row stands for.")
    source: Name | None = Field(
        default=None, description="The table rolled up (also an earlier rollup)."
    )
    dimensions: list[Dimension] = Field(
        default_factory=list,
        description="The keys: one output row per distinct combination.",
        json_schema_extra=_allow_string_items,
    )
    measures: list[Measure] = Field(default_factory=list, description="The output columns.")
    filters: list[Filter] = Field(default_factory=list, description="Row filters (AND).")
    having: list[Filter] = Field(
        default_factory=list, description="Filters on the rolled-up rows' measure values."
    )
    relationships: list[Relationship] = Field(
        default_factory=list, description="Lookups from `source`, as in a report."
    )
    optional: bool = Field(
        default=False,
        description="When the data lacks a source or column this rollup reads, leave it out "
        "with a note instead of failing; optional measures reading it go too.",
    )

    @field_validator("dimensions", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return _field_shorthand(value)


class ReportSpec(SpecModel):
    """A report: dimensions and measures over one source, filtered, sorted, limited, drawn."""

    name: Name = Field(description="Identifier of the report (letters, digits, underscores).")
    title: str | None = Field(default=None, description="Human-readable title.")
    description: str | None = Field(default=None, description="What the report answers.")
    source: Name | None = Field(
        default=None,
        description="Name of the table the report reads. Optional when a single frame is given.",
    )
    dimensions: list[Dimension] = Field(
        default_factory=list,
        description="Group-by columns. A plain string is shorthand for {field: <string>}.",
        json_schema_extra=_allow_string_items,
    )
    measures: list[Measure] = Field(default_factory=list, description="Aggregations.")
    filters: list[Filter] = Field(
        default_factory=list, description="Row filters, all of which must hold (AND)."
    )
    sort: list[SortKey] = Field(
        default_factory=list,
        description="Result order. Defaults to the dimensions in order, ascending; nulls last. "
        "A plain string is shorthand for {field: <string>}.",
        json_schema_extra=_allow_string_items,
    )
    having: list[Filter] = Field(
        default_factory=list,
        description="Filters on measure values, applied to result rows (`field` names a measure).",
    )
    limit: PositiveInt | None = Field(default=None, description="Keep the first N result rows.")
    totals: bool = Field(
        default=False,
        description="Add a grand-total row, recomputed from base rows (never a sum of "
        "medians or ratios).",
    )
    subtotals: list[Name] = Field(
        default_factory=list,
        description="Add a subtotal row for each group of these leading dimensions.",
    )
    currency: str = Field(
        default="USD",
        description="ISO 4217 code of the report's money measures (those with "
        "`format: currency` and no `currency` of their own).",
    )
    time: TimeContext = Field(
        default_factory=TimeContext,
        description="Week start, fiscal year and time zone for grouping and filtering.",
    )
    params: list[Parameter] = Field(
        default_factory=list, description="Parameters supplied at run time."
    )
    relationships: list[Relationship] = Field(
        default_factory=list,
        description="Many-to-one lookups from the source to other sources (orders -> "
        "customers -> regions), whose columns are then named `source.column`.",
    )
    rollups: list[Rollup] = Field(
        default_factory=list,
        description="Intermediate tables computed before the report, in order, each read by "
        "its name like a source (aggregate per customer first, then over customers).",
    )
    mapping: dict[Name, SourceMapping] = Field(
        default_factory=dict,
        description="Per source: your column names and values mapped onto the ones this spec uses.",
    )
    visual: Visual | None = Field(
        default=None,
        description="How to draw the result; chosen from the dimensions when omitted.",
    )

    @field_validator("dimensions", "sort", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return _field_shorthand(value)

    @property
    def display_title(self) -> str:
        return self.title or self.name.replace("_", " ").capitalize()

    def rollup_report(self, index: int) -> ReportSpec:
        """Rollup `index` as a report of its own, sharing this report's time, parameters,
        currency and mapping, so its relative filters and parameters mean the same here and
        there (the mapping is applied to the data once, by the report; the rollup carries it
        so that a column missing from a mapped source says how to map it)."""
        r = self.rollups[index]
        return ReportSpec(
            name=r.name,
            source=r.source,
            dimensions=r.dimensions,
            measures=r.measures,
            filters=r.filters,
            having=r.having,
            relationships=r.relationships,
            time=self.time,
            params=self.params,
            currency=self.currency,
            mapping=self.mapping,
            visual={"kind": "table"},  # type: ignore[arg-type]
        )
