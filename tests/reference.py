"""A deliberately naive reference: the expected result of a report, by plain Python loops.

Written from the library's stated semantics, independently of its code (it imports nothing
from crmreports, pandas, narwhals or duckdb). Slow and obvious on purpose.

The description is the same plain data a spec is written in:

    {
        "dimensions": ["region", {"field": "order_date", "grain": "month", "name": "month"}],
        "measures": [{"name": "n", "agg": "count"}, {"name": "s", "agg": "sum", "field": "x"}],
        "filters": [{"field": "status", "op": "ne", "value": "lost"}],
        "sort": [{"field": "s", "desc": True}],
        "limit": 10,
    }

Semantics:
- filters are AND-ed; `any_of` is an OR of its filters; a comparison with a null is false,
  so a null row passes only `is_null`, or a comparison with `keep_nulls: true`;
- a null dimension value forms its own group; each time bucket is labelled by its first day
  and keeps the column's type (a date stays a date, a datetime stays a datetime);
- count: rows; count with field: non-null values; count_distinct: distinct non-null values;
  sum: 0 when no values; avg, min, max, median: null when no values; median is exact;
  booleans are 0/1 for sum and avg;
- sort: the spec's keys, then the dimensions not already used, ascending; nulls last always;
- with no dimensions there is exactly one result row, even for no input rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

Row = Mapping[str, Any]


# --- filters -----------------------------------------------------------------------------------


def _coerce(value: Any, sample: Any) -> Any:
    """A spec value (ISO text for dates, as after a JSON round trip) in the column's type."""
    if isinstance(sample, dt.datetime):
        if isinstance(value, str):
            return dt.datetime.fromisoformat(value)
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return dt.datetime(value.year, value.month, value.day)
        return value
    if isinstance(sample, dt.date):
        if isinstance(value, str):
            return dt.date.fromisoformat(value)
        return value
    return value


def _compare(op: str, v: Any, target: Any) -> bool:
    if op == "eq":
        return v == target
    if op == "ne":
        return v != target
    if op == "lt":
        return v < target
    if op == "le":
        return v <= target
    if op == "gt":
        return v > target
    if op == "ge":
        return v >= target
    raise ValueError(op)


def keeps(row: Row, f: Mapping[str, Any]) -> bool:
    """Whether the filter `f` keeps `row`."""
    if "any_of" in f:
        return any(keeps(row, child) for child in f["any_of"])
    v = row[f["field"]]
    op = f["op"]
    if op == "is_null":
        return v is None
    if op == "not_null":
        return v is not None
    if v is None:
        return bool(f.get("keep_nulls", False))
    value = f["value"]
    if op == "contains":
        if f.get("ignore_case", False):
            return value.lower() in v.lower()
        return value in v
    if op == "in":
        return any(v == _coerce(x, v) for x in value)
    if op == "not_in":
        return all(v != _coerce(x, v) for x in value)
    if op == "between":
        low = _coerce(value[0], v)
        high = _coerce(value[1], v)
        return low <= v and v <= high
    return _compare(op, v, _coerce(value, v))


# --- dimensions --------------------------------------------------------------------------------


def bucket(value: Any, grain: str | None) -> Any:
    """The first day of the period containing `value`, of the same type as `value`."""
    if value is None or grain is None:
        return value
    is_datetime = isinstance(value, dt.datetime)
    day = dt.date(value.year, value.month, value.day)
    if grain == "day":
        start = day
    elif grain == "week":
        start = day - dt.timedelta(days=day.weekday())  # Monday
    elif grain == "month":
        start = dt.date(day.year, day.month, 1)
    elif grain == "quarter":
        start = dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    elif grain == "year":
        start = dt.date(day.year, 1, 1)
    else:
        raise ValueError(grain)
    if is_datetime:
        return dt.datetime(start.year, start.month, start.day)
    return start


def _dimension(d: Any) -> tuple[str, str, str | None]:
    if isinstance(d, str):
        return d, d, None
    return d.get("name") or d["field"], d["field"], d.get("grain")


# --- measures ----------------------------------------------------------------------------------


def _numbers(values: list[Any]) -> list[Any]:
    out = []
    for v in values:
        if isinstance(v, bool):
            out.append(1 if v else 0)
        else:
            out.append(v)
    return out


def aggregate(agg: str, rows: list[Row], field: str | None) -> Any:
    if agg == "count" and field is None:
        return len(rows)
    values = [row[field] for row in rows if row[field] is not None]
    if agg == "count":
        return len(values)
    if agg == "count_distinct":
        distinct = []
        for v in values:
            if v not in distinct:
                distinct.append(v)
        return len(distinct)
    if agg == "sum":
        total = 0
        for v in _numbers(values):
            total = total + v
        return total
    if not values:
        return None
    if agg == "avg":
        numbers = _numbers(values)
        total = 0
        for v in numbers:
            total = total + v
        return total / len(numbers)
    if agg == "min":
        best = values[0]
        for v in values[1:]:
            if v < best:
                best = v
        return best
    if agg == "max":
        best = values[0]
        for v in values[1:]:
            if v > best:
                best = v
        return best
    if agg == "median":
        ordered = sorted(_numbers(values))
        n = len(ordered)
        middle = n // 2
        if n % 2 == 1:
            return float(ordered[middle])
        return (ordered[middle - 1] + ordered[middle]) / 2
    raise ValueError(agg)


# --- the whole report --------------------------------------------------------------------------


def _sort(rows: list[dict[str, Any]], keys: list[tuple[str, bool]]) -> list[dict[str, Any]]:
    # Stable sorts from the least to the most significant key; nulls last in both directions.
    for name, desc in reversed(keys):
        present = [r for r in rows if r[name] is not None]
        missing = [r for r in rows if r[name] is None]
        present = sorted(present, key=lambda r, name=name: r[name], reverse=desc)
        rows = present + missing
    return rows


def compute(rows: Sequence[Row], spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Expected result rows (dicts in result column order) of `spec` over `rows`."""
    dims = [_dimension(d) for d in spec.get("dimensions", [])]
    measures = list(spec.get("measures", []))

    kept = []
    for row in rows:
        if all(keeps(row, f) for f in spec.get("filters", [])):
            kept.append(row)

    groups: dict[tuple[Any, ...], list[Row]] = {}
    if not dims:
        groups[()] = kept
    for row in kept if dims else []:
        key = tuple(bucket(row[field], grain) for _, field, grain in dims)
        groups.setdefault(key, []).append(row)

    out = []
    for key, members in groups.items():
        result: dict[str, Any] = {}
        for (name, _, _), value in zip(dims, key, strict=True):
            result[name] = value
        for m in measures:
            result[m["name"]] = aggregate(m["agg"], members, m.get("field"))
        out.append(result)

    sort_keys: list[tuple[str, bool]] = []
    for s in spec.get("sort", []):
        if isinstance(s, str):
            sort_keys.append((s, False))
        else:
            sort_keys.append((s["field"], bool(s.get("desc", False))))
    used = {name for name, _ in sort_keys}
    sort_keys += [(name, False) for name, _, _ in dims if name not in used]
    out = _sort(out, sort_keys)

    limit = spec.get("limit")
    if limit is not None:
        out = out[:limit]
    return out
