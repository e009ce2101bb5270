"""Formula trees -> narwhals expressions that give the same values on DuckDB and polars.

Each rule below was checked on both engines (tests/test_formula.py pins them):

- `a / b` and `a % b` are null when `b` is 0 or null (never inf, NaN or an engine error: DuckDB
  raises on `% 0`); `/` is always float; `%` takes the sign of the divisor, as in Python.
- A comparison with null is null, `and`/`or`/`not` follow SQL's three-valued logic (both engines
  already agree), and `if(c, a, b)` takes `b` when `c` is null.
- `x in [...]` is an `or` of equalities, so it is null for a null `x` and mixes int and float
  values (polars' `is_in` refuses `[1, 2.5]` for an integer column).
- `round(x, d)` rounds half away from zero on the number as written (polars' own `round`
  rounds half to even, DuckDB's rounds the binary value: 1.005 -> 1.0): a fraction within two
  units in the last place below .5 counts as .5, so 1.005 -> 1.01, 2.675 -> 2.68,
  0.125 -> 0.13. Integers are returned unchanged; floor/ceil keep floats as floats.
- Integer `+ - *` chains are null where they could leave int64 (polars wraps, DuckDB raises).
- `days_between(start, end)` counts calendar days between the dates (an integer) for any mix
  of dates and datetimes; `hours_between`/`minutes_between` are the elapsed time between
  instants when both sides come from timezone-aware columns (`instants`), else the difference
  of the wall-clock times (a date is midnight).
- `add_days(d, n)` is the date (datetime) n calendar days after d (before, for negative n),
  of d's own type; n is any integer expression. `add_months(d, n)` clamps to the month's end.
- `to_date(text, format)` is compiled by `execute.date_parsing` (null for text that does not
  match).
- min_of/max_of skip nulls (null only when both are null), as both engines do natively.
- Timezone-aware datetimes met here are converted to UTC first (polars refuses to compare
  different zones). In a report they never are: the query first turns every aware column into
  wall-clock time in the report's `time.timezone` (UTC by default), so hour() and the other
  parts read that zone's local time.
- `to_int(text)` is the whole number the text spells, blanks around it dropped ('01', ' 1',
  '+1' -> 1); anything else ('', '1.5', 'x', more than 18 digits) is null on every engine.
- lower()/upper() agree on ordinary accented text ('Zürich'); DuckDB maps one character to one
  (upper('ß') is 'ẞ'), polars applies full Unicode case mapping ('SS').
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

import narwhals as nw

from crmreports.errors import InvalidSpecError
from crmreports.execute.date_parsing import parse_dates
from crmreports.resolve.formula_types import MAX_DAYS, annotate, iso_temporal, whole_days
from crmreports.resolve.types import DataType
from crmreports.spec.formula import Binary, Call, IfElse, InList, Literal, Node, Ref, Unary

__all__ = ["to_expr"]

_INT, _FLOAT, _BOOL = DataType.INTEGER, DataType.FLOAT, DataType.BOOLEAN
_TEXT, _DATE, _DATETIME = DataType.STRING, DataType.DATE, DataType.DATETIME
_US_PER_DAY = 86_400_000_000
# The functions `call` hands to `calendar_call`.
_CALENDAR_FUNCTIONS = frozenset(
    {
        "date",
        "days_between",
        "hours_between",
        "minutes_between",
        "add_days",
        "add_months",
        "to_date",
    }
)
_US_PER_HOUR = 3_600_000_000
_US_PER_MINUTE = 60_000_000
# The bound an integer chain must stay below: 2^63 less a margin (2^23) for the rounding of the
# floating-point bound itself (at most a few units of 2^10 near 2^63).
_INT64_LIMIT = 2.0**63 - 2.0**23
_PARTS: dict[str, Callable[[nw.Expr], nw.Expr]] = {
    "year": lambda e: e.dt.year(),
    "month": lambda e: e.dt.month(),
    "day": lambda e: e.dt.day(),
    # ISO (Monday = 1 ... Sunday = 7); narwhals gives Sunday = 0 on Spark, hence the mapping.
    "weekday": lambda e: (e.dt.weekday().cast(nw.Int64) + 6) % 7 + 1,
    "hour": lambda e: e.dt.hour(),
}


def to_expr(
    node: Node,
    types: Mapping[str, DataType],
    *,
    time_zones: Mapping[str, str | None] | None = None,
    columns: Mapping[str, str] | None = None,
    instants: Mapping[str, str] | None = None,
    civil_durations: bool = False,
) -> nw.Expr:
    """The narwhals expression computing `node` for each row.

    `types` are the column types (as `resolve` saw them); `time_zones` the zone of each
    timezone-aware datetime column, needed to mix it with dates and naive values; `columns`
    the frame's name of a column where it is not the name written (see `BoundSource.renamed`);
    `instants` names, for a column that was aware before the query made it wall-clock time, the
    column holding its instants in microseconds since 1970, from which elapsed hours and
    minutes are taken. `civil_durations`: for an engine without durations (narwhals has no
    total_microseconds on Spark), elapsed time is counted from the civil date and time instead.
    Raises `InvalidSpecError` if the formula does not type-check (resolve reports that first).
    """
    found, problems = annotate(node, types)
    if problems:
        raise InvalidSpecError(problems)
    translator = _Translator(
        found, time_zones or {}, columns or {}, instants or {}, civil_durations
    )
    return translator.expr(node)


class _Translator:
    def __init__(
        self,
        found: dict[int, DataType | None],
        zones: Mapping[str, str | None],
        columns: Mapping[str, str],
        instants: Mapping[str, str],
        civil_durations: bool = False,
    ) -> None:
        self.found = found
        self.zones = zones
        self.columns = columns
        self.instants = instants
        self.civil_durations = civil_durations

    def type(self, node: Node) -> DataType | None:
        return self.found.get(id(node))

    def aware(self, node: Node) -> bool:
        """Whether `node` is a timezone-aware datetime (made UTC by `expr`)."""
        if isinstance(node, Ref):
            return self.type(node) is _DATETIME and self.zones.get(node.name) is not None
        if isinstance(node, IfElse):
            return self.aware(node.then) or self.aware(node.otherwise)
        if isinstance(node, Call) and node.function in ("coalesce", "min_of", "max_of"):
            return any(self.aware(a) for a in node.args)
        if isinstance(node, Call) and node.function in ("add_days", "add_months"):
            return self.aware(node.args[0])
        return False

    def instant(self, node: Node) -> nw.Expr | None:
        """The instant of a datetime read from timezone-aware columns, in microseconds since
        1970 (UTC), or None when `node` is wall-clock time only (a date, a naive column, a
        literal, a moved date)."""
        if isinstance(node, Ref) and self.type(node) is _DATETIME:
            column = self.instants.get(node.name)
            return None if column is None else nw.col(column)
        if isinstance(node, Literal) and node.value is None:
            return nw.lit(None, nw.Int64)
        if isinstance(node, IfElse):
            then, otherwise = self.instant(node.then), self.instant(node.otherwise)
            if then is None or otherwise is None:
                return None
            return nw.when(self.expr(node.cond)).then(then).otherwise(otherwise)
        if isinstance(node, Call) and node.function in ("coalesce", "min_of", "max_of"):
            parts = [self.instant(a) for a in node.args]
            if any(p is None for p in parts):
                return None
            exprs = [p for p in parts if p is not None]
            if node.function == "coalesce":
                return nw.coalesce(*exprs)
            return (nw.min_horizontal if node.function == "min_of" else nw.max_horizontal)(*exprs)
        return None

    def as_type(self, node: Node, target: DataType, aware: bool = False) -> nw.Expr:
        """`node` converted to `target`: bool -> int, int -> float, date -> datetime, typed null."""
        ty = self.type(node)
        if ty is None:
            return nw.lit(None, _dtype(target, aware))
        expr = self.expr(node)
        if ty is _BOOL and target in (_INT, _FLOAT):
            return expr.cast(nw.Int64 if target is _INT else nw.Float64)
        if ty is _INT and target is _FLOAT:
            return expr.cast(nw.Float64)
        if ty is _DATE and target is _DATETIME:
            return expr.cast(_dtype(_DATETIME, aware))
        if ty is _DATETIME and aware and not self.aware(node):
            # A naive datetime next to an aware one is read as UTC. Not `replace_time_zone`:
            # narwhals makes that a no-op on DuckDB, which then refuses to mix the two.
            return expr.cast(_dtype(_DATETIME, aware=True))
        return expr

    def expr(self, node: Node) -> nw.Expr:
        if isinstance(node, Literal):
            return nw.lit(node.value, _dtype(self.type(node) or _INT))
        if isinstance(node, Ref):
            expr = nw.col(self.columns.get(node.name, node.name))
            zone = self.zones.get(node.name) if self.type(node) is _DATETIME else None
            return expr.dt.convert_time_zone("UTC") if zone not in (None, "UTC") else expr
        if isinstance(node, Unary):
            if node.op == "not":
                return ~self.expr(node.operand)
            if self.type(node) is _INT:  # -(-2^63) overflows too
                return self.guarded_integers(node)
            return -self.as_type(node.operand, self.type(node) or _INT)
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, InList):
            test = self.compare("eq", node.operand, node.values[0])
            for value in node.values[1:]:
                test = test | self.compare("eq", node.operand, value)
            return ~test if node.negate else test
        if isinstance(node, IfElse):
            target, aware = self.type(node) or _INT, self.aware(node)
            then, otherwise = (self.as_type(n, target, aware) for n in (node.then, node.otherwise))
            return nw.when(self.expr(node.cond)).then(then).otherwise(otherwise)
        return self.call(node)

    def binary(self, node: Binary) -> nw.Expr:
        op = node.op
        if op in ("and", "or"):
            left, right = self.expr(node.left), self.expr(node.right)
            return left & right if op == "and" else left | right
        if op not in ("add", "sub", "mul", "div", "mod"):
            return self.compare(op, node.left, node.right)
        target = _FLOAT if op == "div" else self.type(node) or _INT
        if target is _INT and op != "mod":
            return self.guarded_integers(node)
        left, right = self.as_type(node.left, target), self.as_type(node.right, target)
        if op == "add":
            return left + right
        if op == "sub":
            return left - right
        if op == "mul":
            return left * right
        # A zero or null divisor becomes null *before* dividing: the result is null on both
        # engines, and DuckDB never sees `x % 0` (an error there, not a null).
        safe = nw.when(right != 0).then(right)
        return left / safe if op == "div" else left % safe

    def guarded_integers(self, node: Node) -> nw.Expr:
        """A chain of integer + - * (and unary -), null where it could leave the 64-bit range.

        polars wraps around on overflow and DuckDB raises, so the chain is first bounded in
        floating point: the same chain over max(|leaf|, 1) with every - made + bounds every
        intermediate result (|x ± y| <= |x| + |y|, |x * y| <= |x| * |y|, and factors of at
        least 1 never shrink a product). The exact arithmetic runs only where the bound stays
        below the limit (DuckDB and Spark evaluate a CASE branch only for its rows; polars
        evaluates it everywhere but wraps silently, and those rows are masked).
        """
        return nw.when(self.bound(node) < _INT64_LIMIT).then(self.integer_chain(node))

    def integer_chain(self, node: Node) -> nw.Expr:
        """`node` in int64 arithmetic, without guards inside the chain."""
        if _in_chain(node, self.type(node)):
            assert isinstance(node, Binary | Unary)
            if isinstance(node, Unary):
                return -self.integer_chain(node.operand)
            left, right = self.integer_chain(node.left), self.integer_chain(node.right)
            return _arith(node.op, left, right)
        return self.as_type(node, _INT)

    def bound(self, node: Node) -> nw.Expr:
        """A floating-point upper bound of |every intermediate result| of an integer chain."""
        if _in_chain(node, self.type(node)):
            assert isinstance(node, Binary | Unary)
            if isinstance(node, Unary):
                return self.bound(node.operand)
            left, right = self.bound(node.left), self.bound(node.right)
            return left * right if node.op == "mul" else left + right
        magnitude = self.as_type(node, _FLOAT).abs()
        return nw.when(magnitude > 1.0).then(magnitude).otherwise(nw.lit(1.0))

    def compare(self, op: str, left_node: Node, right_node: Node) -> nw.Expr:
        left, right = self.comparable(left_node, right_node), self.comparable(right_node, left_node)
        if op == "eq":
            return left == right
        if op == "ne":
            return left != right
        if op == "lt":
            return left < right
        if op == "le":
            return left <= right
        if op == "gt":
            return left > right
        return left >= right

    def comparable(self, node: Node, other: Node) -> nw.Expr:
        """`node` ready to compare with `other`: text literals read as dates, zones aligned."""
        mine, theirs = self.type(node), self.type(other)
        temporal = (_DATE, _DATETIME)
        if theirs in temporal and mine in (*temporal, _TEXT):
            target = _DATETIME if _DATETIME in (mine, theirs) else _DATE
            aware = self.aware(node) or self.aware(other)
            if mine is _TEXT and isinstance(node, Literal) and isinstance(node.value, str):
                value = iso_temporal(node.value, target)
                return nw.lit(_in_zone(value, aware), _dtype(target, aware))
            return self.as_type(node, target, aware)
        return self.expr(node)

    def temporal_pair(self, start: Node, end: Node) -> tuple[nw.Expr, nw.Expr]:
        """Both sides as datetimes in one zone: DuckDB subtracts two dates into whole days, polars
        into a duration, so dates are made datetimes (midnight) before subtracting."""
        aware = self.aware(start) or self.aware(end)
        return self.as_type(start, _DATETIME, aware), self.as_type(end, _DATETIME, aware)

    def call(self, node: Call) -> nw.Expr:
        name, args = node.function, node.args
        if name in _CALENDAR_FUNCTIONS:
            return self.calendar_call(node)
        if name in ("coalesce", "min_of", "max_of"):
            target, aware = self.type(node) or _INT, self.aware(node)
            exprs = [self.as_type(a, target, aware) for a in args]
            if name == "coalesce":
                return nw.coalesce(*exprs)
            return (nw.min_horizontal if name == "min_of" else nw.max_horizontal)(*exprs)
        value = self.expr(args[0])
        if name == "is_null":
            return value.is_null()
        if name == "not_null":
            return ~value.is_null()
        if name in _PARTS:
            return _PARTS[name](value).cast(nw.Int64)  # polars gives Int8/Int32, DuckDB Int64
        if name == "quarter":
            return (value.dt.month().cast(nw.Int64) + 2) // 3
        if name == "lower":
            return value.str.to_lowercase()
        if name == "upper":
            return value.str.to_uppercase()
        if name == "to_int":
            return value if self.type(args[0]) is _INT else _whole_number(value)
        if name == "length":
            return value.str.len_chars().cast(nw.Int64)
        if name in ("contains", "starts_with", "ends_with"):
            assert isinstance(args[1], Literal) and isinstance(args[1].value, str)
            needle = args[1].value
            if name == "contains":
                return value.str.contains(needle, literal=True)
            if name == "starts_with":
                return value.str.starts_with(needle)
            return value.str.ends_with(needle)
        return self.numeric(name, node)

    def calendar_call(self, node: Call) -> nw.Expr:
        """date(), days/hours/minutes_between, add_days, add_months, to_date."""
        name, args = node.function, node.args
        if name == "date":
            assert isinstance(args[0], Literal) and isinstance(args[0].value, str)
            return nw.lit(dt.date.fromisoformat(args[0].value), nw.Date)
        if name == "days_between":
            # Calendar days between the two (local) dates: a datetime counts as its date.
            start, end = (_midnight(e) for e in self.temporal_pair(args[0], args[1]))
            return (self.micros_between(start, end) // _US_PER_DAY).cast(nw.Int64)
        if name in ("hours_between", "minutes_between"):
            # Elapsed time between instants when both sides know theirs (aware columns);
            # otherwise the difference of the wall-clock times.
            per = _US_PER_HOUR if name == "hours_between" else _US_PER_MINUTE
            first, last = self.instant(args[0]), self.instant(args[1])
            if first is not None and last is not None:
                return (last - first) / per
            start, end = self.temporal_pair(args[0], args[1])
            return self.micros_between(start, end) / per
        if name == "add_days":
            target = self.type(node) or _DATE
            days = whole_days(args[1])
            if days is not None:  # a fixed number of days: the engines' own calendar offset
                moved = self.expr(args[0]).dt.offset_by(f"{days}d")
            else:
                # Out of range (beyond MAX_DAYS either way) is null, not an engine error.
                count = self.expr(args[1])
                count = nw.when(count.abs() <= MAX_DAYS).then(count)
                moved = self.expr(args[0]) + count * nw.lit(dt.timedelta(days=1))
            # DuckDB returns a timestamp for a date moved by an interval: cast back.
            return moved.cast(_dtype(target, self.aware(args[0])))
        if name == "add_months":
            months = whole_days(args[1])
            assert months is not None  # checked by the type checker
            target = self.type(node) or _DATE
            moved = self.expr(args[0]).dt.offset_by(f"{months}mo") if months else self.expr(args[0])
            return moved.cast(_dtype(target, self.aware(args[0])))
        assert name == "to_date", name
        fmt = args[1]
        assert isinstance(fmt, Literal) and isinstance(fmt.value, str)
        return parse_dates(self.expr(args[0]), fmt.value)

    def micros_between(self, start: nw.Expr, end: nw.Expr) -> nw.Expr:
        # On an engine without durations (Spark), days_between counts civil dates; elsewhere
        # the engine's own duration is used, as the counting makes a much bigger expression
        # that DuckDB plans slowly when nested.
        if self.civil_durations:
            return _epoch_micros(end) - _epoch_micros(start)
        return (end - start).dt.total_microseconds()

    def numeric(self, name: str, node: Call) -> nw.Expr:
        """abs, floor, ceil, round: integers (and booleans, as 0/1) stay integers."""
        target = self.type(node) or _INT
        value = self.as_type(node.args[0], target)
        if name == "abs":
            return value.abs()
        if target is _INT:
            return value  # already whole
        if name == "floor":
            return value.floor()
        if name == "ceil":
            return value.ceil()
        digits = node.args[1]
        assert isinstance(digits, Literal) and isinstance(digits.value, int)
        scale = 10.0**digits.value
        scaled = value.abs() * scale
        down = scaled.floor()
        # Half away from zero on the number as written: 1.005 is stored as 1.00499999999999989
        # and 1.005 * 100 is 100.49999999999999, so a fraction within two units in the last
        # place of t (relative 2^-51) below .5 counts as .5. For any value written with at
        # most 15 significant digits that is exactly decimal rounding (the rounding error is
        # below 2^-52 relative, the distance to a true half at least 10^-15). Past 2^49 every
        # double has a fraction of a quarter at most, and the tolerance is dropped.
        tolerance = nw.when(scaled < 2.0**49).then(scaled * 2.0**-51).otherwise(0.0)
        up = scaled - down >= 0.5 - tolerance
        # Divided by 10^d as a column: polars divides an array by a scalar as a product with
        # its reciprocal (3 * 0.1 = 0.30000000000000004), not a correctly rounded division
        # (and it folds a when/then of a literal back into a scalar).
        divisor = down * 0.0 + scale
        magnitude = nw.when(up).then(down + 1).otherwise(down) / divisor
        rounded = nw.when(value < 0).then(-magnitude).otherwise(magnitude)
        # From 2^52 on, x * 10^d is no longer exact (576460752305 * 10^6 lands 64 units off),
        # but x then has no digit past the d-th decimal to round: a value written with at most
        # 15 significant digits and 16 or more before that decimal is already rounded.
        return nw.when(scaled >= 2.0**52).then(value).otherwise(rounded)


# to_int(text): blanks around are dropped, then an optional sign and 1 to 18 digits make the
# number ('01', ' 1' and '+1' are 1); anything else ('', '1.5', '1e3', 'x', 19 digits) is
# null. The pattern is checked before casting: DuckDB's cast trims blanks, polars' refuses
# them, and polars raises on text that is no number where DuckDB's try would give null.
_WHOLE_NUMBER = r"^[ \t\r\n]*[+-]?[0-9]{1,18}[ \t\r\n]*$"


def _whole_number(text: nw.Expr) -> nw.Expr:
    digits = text.str.replace_all(r"[ \t\r\n+]", "")
    return nw.when(text.str.contains(_WHOLE_NUMBER)).then(digits).cast(nw.Int64)


def _dtype(ty: DataType, aware: bool = False) -> nw.dtypes.DType:
    if ty is _DATETIME:
        return nw.Datetime("us", "UTC" if aware else None)
    mapping = {_INT: nw.Int64, _FLOAT: nw.Float64, _BOOL: nw.Boolean, _TEXT: nw.String}
    return mapping.get(ty, nw.Date)()


def _in_zone(value: dt.date | dt.datetime | None, aware: bool) -> dt.date | dt.datetime | None:
    """A datetime literal next to an aware column: a naive one means UTC, an aware one in UTC."""
    if not isinstance(value, dt.datetime):
        return value
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC) if aware else value
    return value.astimezone(dt.UTC) if aware else value.astimezone(dt.UTC).replace(tzinfo=None)


def _in_chain(node: Node, ty: DataType | None) -> bool:
    """Whether `node` is integer + - * or unary - (a link of an overflow-guarded chain)."""
    if ty is not _INT:
        return False
    if isinstance(node, Binary):
        return node.op in ("add", "sub", "mul")
    return isinstance(node, Unary) and node.op == "neg"


def _arith(op: str, left: nw.Expr, right: nw.Expr) -> nw.Expr:
    if op == "add":
        return left + right
    if op == "sub":
        return left - right
    return left * right


def _midnight(value: nw.Expr) -> nw.Expr:
    """The start of the day of a datetime (its own zone), still a datetime."""
    return value.dt.truncate("1d")


def _epoch_micros(value: nw.Expr) -> nw.Expr:
    """Microseconds since 1970-01-01 of a datetime, in integer arithmetic on its parts.

    Every engine has year/month/day/hour/... but not the same duration functions (narwhals
    has no `total_microseconds` on Spark), so the civil date is counted into days with
    H. Hinnant's days_from_civil, which is exact for every proleptic Gregorian date.
    """

    def part(expr: nw.Expr) -> nw.Expr:  # polars gives i8 hours: widen before multiplying
        return expr.cast(nw.Int64)

    dt_ = value.dt
    year, month, day = part(dt_.year()), part(dt_.month()), part(dt_.day())
    march_based_year = year - (month <= 2).cast(nw.Int64)
    era = march_based_year // 400
    year_of_era = march_based_year - era * 400
    shifted_month = nw.when(month > 2).then(month - 3).otherwise(month + 9)
    day_of_year = (153 * shifted_month + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    days = era * 146_097 + day_of_era - 719_468
    seconds = part(dt_.hour()) * 3600 + part(dt_.minute()) * 60 + part(dt_.second())
    return days * _US_PER_DAY + seconds * 1_000_000 + part(dt_.microsecond())
