"""Dimensions -> resolved dimensions: the row value, its transform, its result type."""

from __future__ import annotations

from crmreports.errors import Problem
from crmreports.resolve.context import Context
from crmreports.resolve.params import param_value
from crmreports.resolve.predicates import FilterValue
from crmreports.resolve.resolved import (
    BinsTransform,
    GroupsTransform,
    ResolvedDimension,
    TopTransform,
)
from crmreports.resolve.types import DataType
from crmreports.spec import Dimension, ParamRef
from crmreports.spec.formula import Node, Ref


def bind_dimension(ctx: Context, dim: Dimension, i: int) -> ResolvedDimension | None:
    path = f"dimensions[{i}]"
    if (dim.field is None) == (dim.expr is None):
        ctx.problems.append(
            Problem(
                "invalid-value",
                "a dimension needs exactly one of `field` (a column) or `expr` (a formula)",
                path,
                hint='e.g. `{field: channel}` or `{name: band, expr: "if(amount > 1000, '
                "'large', 'small')\"}`",
            )
        )
        return None
    transforms = [k for k in ("grain", "part", "bins", "groups") if getattr(dim, k) is not None]
    if len(transforms) > 1:
        ctx.problems.append(
            Problem(
                "invalid-value",
                "a dimension takes one of grain, part, bins or groups, got "
                + " and ".join(transforms),
                path,
                hint="split it into two dimensions",
            )
        )
        return None
    value: Node
    if dim.expr is not None:
        if dim.name is None:
            ctx.problems.append(
                Problem(
                    "missing-key",
                    "a formula dimension needs a `name` for its result column",
                    f"{path}.name",
                    hint="add `name: <result column>`",
                )
            )
            return None
        typed = ctx.formula(dim.expr, f"{path}.expr")
        if typed is None:
            return None
        value, dtype = typed
    else:
        assert dim.field is not None
        found = ctx.column(dim.field, f"{path}.field")
        if found is None:
            return None
        value, dtype = Ref(dim.field), found
    label = dim.label or humanize(dim.output_name)
    result = _transform(ctx, dim, path, dtype)
    if result is None:
        return None
    out_dtype, bins, groups = result
    top = None
    if dim.top is not None:
        if out_dtype not in (DataType.STRING, DataType.BOOLEAN, DataType.INTEGER):
            ctx.problems.append(
                Problem(
                    "invalid-value",
                    f"`top` needs a category dimension, but {dim.output_name!r} is "
                    f"{out_dtype.value}",
                    f"{path}.top",
                )
            )
            return None
        top = TopTransform(dim.top.n, dim.top.by, dim.top.other_label, dim.top.bottom)
        out_dtype = DataType.STRING  # members and the label of the rest share one column
    if dim.fill_gaps and dim.grain is None:
        ctx.problems.append(
            Problem(
                "invalid-value",
                "`fill_gaps` completes a time axis and needs a `grain`",
                f"{path}.fill_gaps",
            )
        )
        return None
    return ResolvedDimension(
        name=dim.output_name,
        label=label,
        value=value,
        input_dtype=dtype,
        dtype=out_dtype,
        grain=dim.grain,
        part=dim.part,
        bins=bins,
        groups=groups,
        top=top,
        fill_gaps=dim.fill_gaps,
    )


def _transform(
    ctx: Context, dim: Dimension, path: str, dtype: DataType
) -> tuple[DataType, BinsTransform | None, GroupsTransform | None] | None:
    what = dim.field or dim.name
    if dim.grain is not None:
        if not dtype.is_temporal:
            ctx.problems.append(
                Problem(
                    "not-temporal",
                    f"grain {dim.grain.value!r} needs a date or datetime column, "
                    f"but {what!r} is {dtype.value}",
                    f"{path}.grain",
                    hint="remove `grain`, or convert the column to dates first "
                    "(e.g. pandas.to_datetime)",
                )
            )
            return None
        if dim.grain.value == "hour" and dtype is DataType.DATE:
            ctx.problems.append(
                Problem(
                    "not-temporal",
                    f"grain 'hour' needs a datetime column, but {what!r} holds dates only",
                    f"{path}.grain",
                )
            )
            return None
        return dtype, None, None
    if dim.part is not None:
        if not dtype.is_temporal or (dim.part.value == "hour_of_day" and dtype is DataType.DATE):
            ctx.problems.append(
                Problem(
                    "not-temporal",
                    f"part {dim.part.value!r} needs a "
                    f"{'datetime' if dim.part.value == 'hour_of_day' else 'date or datetime'} "
                    f"column, but {what!r} is {dtype.value}",
                    f"{path}.part",
                )
            )
            return None
        return DataType.INTEGER, None, None
    if dim.bins is not None:
        if not dtype.is_numeric:
            ctx.problems.append(
                Problem(
                    "not-numeric",
                    f"`bins` need a numeric column, but {what!r} is {dtype.value}",
                    f"{path}.bins",
                )
            )
            return None
        bounds = [b.below for b in dim.bins]
        defined = [b for b in bounds if b is not None]
        if not dim.bins or any(b is None for b in bounds[:-1]) or defined != sorted(set(defined)):
            ctx.problems.append(
                Problem(
                    "invalid-value",
                    "bins need strictly increasing `below` bounds; only the last may omit it",
                    f"{path}.bins",
                    hint="e.g. [{label: small, below: 1000}, {label: large}]",
                )
            )
            return None
        return DataType.STRING, BinsTransform(tuple(bounds), tuple(b.label for b in dim.bins)), None
    if dim.groups is not None:
        groups = []
        for label, values in dim.groups.items():
            converted = [
                _group_value(ctx, v, dtype, what or "", f"{path}.groups.{label}[{j}]")
                for j, v in enumerate(values)
            ]
            groups.append((label, tuple(converted)))
        if any(v is None for _, values in groups for v in values):
            return None  # every member's problem is reported, not only the first group's
        if dim.unmatched == "keep" and dtype is not DataType.STRING:
            ctx.problems.append(
                Problem(
                    "invalid-value",
                    f"`unmatched: keep` mixes group names with raw values, but {what!r} "
                    f"is {dtype.value}, not text",
                    f"{path}.unmatched",
                    hint="use `unmatched: other` (with `other_label`) or `unmatched: null`",
                )
            )
            return None
        if dim.unmatched == "other" and dim.other_label in dim.groups:
            # One label for a group and for the values in none would merge them silently.
            ctx.problems.append(
                Problem(
                    "invalid-value",
                    f"other_label {dim.other_label!r} is also the name of a group: the group "
                    "and the values in no group would read as one",
                    f"{path}.other_label",
                    hint="choose another other_label, or list those values in the group",
                )
            )
            return None
        # no member is None past the check above; the filter says so to the type checker
        members = tuple((label, tuple(v for v in vs if v is not None)) for label, vs in groups)
        return DataType.STRING, None, GroupsTransform(members, dim.unmatched, dim.other_label)
    return dtype, None, None


def _group_value(
    ctx: Context, value: object, dtype: DataType, what: str, path: str
) -> FilterValue | None:
    """A group member converted to the column's type; `{param: p}` is the parameter's value,
    read exactly as a filter reads it."""
    if isinstance(value, ParamRef):
        value = param_value(value, ctx.params, path, ctx.problems, ctx.failed_params)
        if value is None:
            return None
    converted: FilterValue | None = ctx.value(value, dtype, what, path)
    return converted


def humanize(name: str) -> str:
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]
