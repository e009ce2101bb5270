"""`Report.explain()`: one small report per kind of plan step, and the text it prints.

Every expected listing below was written out and checked by hand against its spec: the filters
in the order given, the internal column names in the order the planner numbers them (`__v`
inputs, `__d` derived dimensions, `__x` row values, `__w` masked values, `__m` aggregates), and
the post-aggregation steps in the order they run. Together they reach every branch of
plan/explain.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from tests.helpers import report

D = dt.date


def deals() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "stage": ["won", "lost", "won"],
            "amount": [10.0, 20.0, 30.0],
            "day": [D(2024, 1, 5), D(2024, 2, 1), D(2024, 2, 9)],
            "customer_id": [1, 2, 1],
            "owner": ["ann", "bob", None],
        }
    )


def customers() -> pd.DataFrame:
    return pd.DataFrame({"customer_id": [1, 2], "region": ["EU", "US"]})


def targets() -> pd.DataFrame:
    return pd.DataFrame({"month": [D(2024, 1, 1), D(2024, 2, 1)], "quota": [100.0, 200.0]})


def explain(spec: str, data: Any = None, **options: Any) -> str:
    return report(spec).explain(deals() if data is None else data, **options)


def test_filter_group_sort_and_limit() -> None:
    text = explain(
        "dimensions: [stage]\n"
        "measures: [{name: revenue, agg: sum, field: amount}]\n"
        "filters: [{field: stage, op: ne, value: lost}, {field: amount, op: between, "
        "value: [1, 50]}]\n"
        "sort: [{field: revenue, desc: true}]\n"
        "limit: 2\n"
    )
    # The sort ends with the dimensions, so ties come out in a fixed order.
    assert text == (
        "query main:\n"
        "   scan data\n"
        "   filter stage != 'lost' AND amount between 1 and 50\n"
        "   aggregate by __v0: __m0=sum(__x0)\n"
        "   select stage=__v0::string, revenue=__m0::float\n"
        "then (on the aggregated rows):\n"
        "   sort revenue desc, stage asc (nulls last)\n"
        "   limit 2\n"
        "-> columns: stage, revenue"
    )


def test_running_rolling_and_compare_on_a_month_axis() -> None:
    text = explain(
        "dimensions: [{field: day, grain: month}]\n"
        "measures:\n"
        "  - {name: revenue, agg: sum, field: amount}\n"
        "  - {name: run, of: revenue, running: {reset: year}}\n"
        "  - {name: roll, of: revenue, rolling: {periods: 3}}\n"
        "  - {name: chg, of: revenue, compare: {offset: 1 period, show: change}}\n"
        "  - {name: yoy, of: revenue, compare: {offset: 1 year}}\n"
    )
    # No time filter: every window reads the report's own query; one period back on a month
    # axis is one month (1mo); `show` defaults to pct_change.
    assert text == (
        "query main:\n"
        "   scan data\n"
        "   derive __d0=month_start(__v0)\n"
        "   aggregate by __d0: __m0=sum(__x0)\n"
        "   select day=__d0::date, revenue=__m0::float\n"
        "then (on the aggregated rows):\n"
        "   run = running sum of revenue along day, restarting each year"
        " (from main, empty periods filled)\n"
        "   roll = sum of revenue over the 3 months ending at each row"
        " (from main, empty periods filled)\n"
        "   chg = change of revenue against 1mo earlier (from main, empty periods filled)\n"
        "   yoy = pct_change of revenue against 1y earlier (from main, empty periods filled)\n"
        "   sort day asc (nulls last)\n"
        "-> columns: day, revenue, run, roll, chg, yoy"
    )


def test_share_rank_and_grand_total() -> None:
    text = explain(
        "dimensions: [stage, owner]\n"
        "measures:\n"
        "  - {name: revenue, agg: sum, field: amount}\n"
        "  - {name: sh, of: revenue, share_of: {within: [stage]}}\n"
        "  - {name: rk, of: revenue, rank: {within: [stage]}}\n"
        "  - {name: rk2, of: revenue, rank: {desc: false}}\n"
        "totals: true\n"
    )
    # The share's denominator is its own query per stage; the total row its own query over
    # all rows (recomputed from the base rows, not added up from the detail rows).
    assert text == (
        "query main:\n"
        "   scan data\n"
        "   aggregate by __v0, __v1: __m0=sum(__x0)\n"
        "   select stage=__v0::string, owner=__v1::string, revenue=__m0::float\n"
        "query share1:\n"
        "   scan data\n"
        "   aggregate by __v0: __m0=sum(__x0)\n"
        "   select stage=__v0::string, revenue=__m0::float\n"
        "query total:\n"
        "   scan data\n"
        "   aggregate over all rows: __m0=sum(__x0)\n"
        "   select revenue=__m0::float\n"
        "then (on the aggregated rows):\n"
        "   sh = revenue / total of revenue within stage (share1)\n"
        "   rk = rank of revenue within stage (largest first)\n"
        "   rk2 = rank of revenue\n"
        "   sort stage asc, owner asc (nulls last)\n"
        "   append total rows from total\n"
        "-> columns: stage, owner, revenue, sh, rk, rk2, row_type"
    )


def test_subtotals() -> None:
    text = explain(
        "dimensions: [stage, owner]\n"
        "measures: [{name: revenue, agg: sum, field: amount}]\n"
        "subtotals: [stage]\n"
    )
    assert text == (
        "query main:\n"
        "   scan data\n"
        "   aggregate by __v0, __v1: __m0=sum(__x0)\n"
        "   select stage=__v0::string, owner=__v1::string, revenue=__m0::float\n"
        "query subtotal1:\n"
        "   scan data\n"
        "   aggregate by __v0: __m0=sum(__x0)\n"
        "   select stage=__v0::string, revenue=__m0::float\n"
        "then (on the aggregated rows):\n"
        "   sort stage asc, owner asc (nulls last)\n"
        "   append subtotal rows from subtotal1\n"
        "-> columns: stage, owner, revenue, row_type, row_level"
    )


def test_bottom_n_and_a_share_of_the_grand_total() -> None:
    text = explain(
        "dimensions: [{field: stage, top: {n: 1, by: revenue, bottom: true}}]\n"
        "measures:\n"
        "  - {name: revenue, agg: sum, field: amount}\n"
        "  - {name: sh, of: revenue, share_of: {}}\n"
    )
    # The members are chosen first (pre), then each row is mapped to its member or the
    # bucket; __o0 orders the kept members before the bucket.
    assert text == (
        "pre top0: keep the bottom 1\n"
        "   scan data\n"
        "   aggregate by __v0: __m0=sum(__x0)\n"
        "   select member=__v0::string, value=__m0::float\n"
        "query main:\n"
        "   scan data\n"
        "   derive __t0=top_member(__v0 via top0)\n"
        "   aggregate by __o0, __t0: __m0=sum(__x0)\n"
        "   select stage=__t0::string, __o0=__o0::integer, revenue=__m0::float\n"
        "query share1:\n"
        "   scan data\n"
        "   aggregate over all rows: __m0=sum(__x0)\n"
        "   select revenue=__m0::float\n"
        "then (on the aggregated rows):\n"
        "   sh = revenue / total of revenue within the grand total (share1)\n"
        "   sort __o0 asc, stage asc (nulls last)\n"
        "-> columns: stage, revenue, sh"
    )


def test_bins_date_parts_groups_measure_filters_and_having() -> None:
    text = explain(
        "dimensions:\n"
        "  - {field: amount, bins: [{label: small, below: 15}, {label: big}]}\n"
        "  - {field: day, part: month_of_year}\n"
        "  - {field: stage, groups: {closed: [won, lost]}}\n"
        "measures:\n"
        "  - {name: n, agg: count, filter: {field: owner, op: is_null}}\n"
        "  - {name: m, agg: sum, expr: 'amount * 2',\n"
        "     filter: [{field: stage, op: contains, value: W, ignore_case: true}]}\n"
        "having: [{field: n, op: gt, value: 0}]\n"
    )
    # A filtered count sums a 0/1 flag (__w0); a filtered sum masks its row value (__w1);
    # bins sort by their order (__i0), not their labels.
    assert text == (
        "query main:\n"
        "   scan data\n"
        "   derive __d0=bin(__v0, ['small', 'big']), __d1=month_of_year(__v1),"
        " __d2=group(__v2), __w0=(1 where owner is null), __x1=amount * 2,"
        " __w1=(__x1 where stage contains 'W' (ignore case))\n"
        "   aggregate by __i0, __d0, __d1, __d2: __m0=sum(__w0), __m1=sum(__w1)\n"
        "   select amount=__d0::string, day=__d1::integer, stage=__d2::string,"
        " __i0=__i0::integer, n=__m0::integer, m=__m1::float\n"
        "then (on the aggregated rows):\n"
        "   keep rows where n > 0\n"
        "   sort __i0 asc, day asc, stage asc (nulls last)\n"
        "-> columns: amount, day, stage, n, m"
    )


def test_membership_any_of_null_tests_kept_nulls_and_formulas() -> None:
    text = explain(
        "dimensions: [stage]\n"
        "measures:\n"
        "  - {name: n, agg: count}\n"
        "  - {name: won, agg: count, filter: {field: stage, op: eq, value: won}}\n"
        "  - {name: rate, formula: 'won / n'}\n"
        "  - {name: cd, agg: count_distinct, field: owner}\n"
        "  - {name: p9, agg: percentile, field: amount, p: 0.9}\n"
        "filters:\n"
        "  - {field: owner, op: not_in, value: [zed]}\n"
        "  - {any_of: [{field: amount, op: gt, value: 5}, {expr: 'amount < 100'}]}\n"
        "  - {field: owner, op: not_null}\n"
        "  - {field: stage, op: ne, value: open, keep_nulls: true}\n"
    )
    # A distinct count subtracts 1 where the group saw a null (n_unique counts it).
    assert text == (
        "query main:\n"
        "   scan data\n"
        "   filter owner not in ['zed'] AND (amount > 5 OR (amount < 100))"
        " AND owner is not null AND (stage != 'open' OR stage is null)\n"
        "   derive __w1=(1 where stage = 'won'), __n3=is_null(__x3)\n"
        "   aggregate by __v0: __m0=len(), __m1=sum(__w1), __m3=n_unique(__x3),"
        " __m3_has_null=max(__n3), __m4=quantile(__x4, 0.9)\n"
        "   select stage=__v0::string, n=__m0::integer, won=__m1::integer,"
        " cd=__m3 - __m3_has_null::integer, p9=__m4::float\n"
        "then (on the aggregated rows):\n"
        "   rate = won / n\n"
        "   sort stage asc (nulls last)\n"
        "-> columns: stage, n, won, rate, cd, p9"
    )


def test_a_relative_date_filter_is_a_half_open_range() -> None:
    text = explain(
        "dimensions: [{field: day, grain: month}]\n"
        "measures: [{name: n, agg: count}]\n"
        "filters: [{field: day, op: last, n: 3, unit: month}]\n",
        as_of="2024-03-31",
    )
    # The last 3 complete months before March 2024: December, January, February.
    assert text == (
        "query main:\n"
        "   scan data\n"
        "   filter day in [2023-12-01, 2024-03-01)\n"
        "   derive __d0=month_start(__v0)\n"
        "   aggregate by __d0: __m0=len()\n"
        "   select day=__d0::date, n=__m0::integer\n"
        "then (on the aggregated rows):\n"
        "   sort day asc (nulls last)\n"
        "-> columns: day, n"
    )


def test_a_lookup_and_a_sum_of_a_condition() -> None:
    text = explain(
        "source: deals\n"
        "relationships: [{to: customers, key: customer_id}]\n"
        "dimensions: [customers.region]\n"
        "measures:\n"
        "  - {name: revenue, agg: sum, field: amount}\n"
        "  - {name: big, agg: sum, expr: 'amount > 15'}\n",
        {"deals": deals(), "customers": customers()},
    )
    # The condition is cast to an integer before the sum; the unmatched-row count (__u0) and
    # the row count feed the "no match" note.
    assert text == (
        "query main:\n"
        "   scan deals\n"
        "   look up customers (many-to-one, left join) on customer_id = customers.customer_id\n"
        "   derive __x1=amount > 15, __b1=int(__x1), __uf0=is_null(customers.__matched)\n"
        "   aggregate by __v0: __m0=sum(__x0), __m1=sum(__b1), __u0=sum(__uf0), __rows=len()\n"
        "   select customers.region=__v0::string, revenue=__m0::float, big=__m1::integer,"
        " __u0=__u0::integer, __rows=__rows::integer\n"
        "then (on the aggregated rows):\n"
        "   sort customers.region asc (nulls last)\n"
        "-> columns: customers.region, revenue, big"
    )


def test_a_measure_of_another_source_gap_filled() -> None:
    text = explain(
        "source: deals\n"
        "dimensions: [{field: day, grain: month, fill_gaps: true}]\n"
        "measures:\n"
        "  - {name: revenue, agg: sum, field: amount}\n"
        "  - {name: quota, agg: sum, field: quota, source: targets, match: {month: day}}\n"
        "  - {name: att, formula: 'revenue / quota'}\n"
        "  - {name: rq, of: quota, running: {}}\n",
        {"deals": deals(), "targets": targets()},
    )
    # targets is aggregated on its own at the report's grain and joined in; its covered span
    # (span2) bounds the months a gap is filled in.
    assert text == (
        "query main:\n"
        "   scan deals\n"
        "   derive __d0=month_start(__v0)\n"
        "   aggregate by __d0: __m0=sum(__x0)\n"
        "   select day=__d0::date, revenue=__m0::float\n"
        "query across1:\n"
        "   scan targets\n"
        "   derive __d0=month_start(__v0)\n"
        "   aggregate by __d0: __m1=sum(__x1)\n"
        "   select day=__d0::date, quota=__m1::float\n"
        "query span2:\n"
        "   scan targets\n"
        "   derive __sb=month_start(__sv)\n"
        "   aggregate over all rows: __sf=min(__sb), __sl=max(__sb)\n"
        "   select first=__sf::date, last=__sl::date\n"
        "then (on the aggregated rows):\n"
        "   join measures of across1 on day\n"
        "   fill missing months of day (empty inside the covered span)\n"
        "   att = revenue / quota\n"
        "   rq = running sum of quota along day (from main, empty periods filled)\n"
        "   sort day asc (nulls last)\n"
        "-> columns: day, revenue, quota, att, rq"
    )


def test_a_window_reads_a_wider_calendar_than_the_filter() -> None:
    text = explain(
        "source: deals\n"
        "dimensions: [{field: day, grain: month}]\n"
        "measures:\n"
        "  - {name: revenue, agg: sum, field: amount}\n"
        "  - {name: quota, agg: sum, field: quota, source: targets, match: {month: day}}\n"
        "  - {name: att, formula: 'revenue / quota'}\n"
        "  - {name: ra, of: att, rolling: {periods: 2, agg: avg}}\n"
        "filters: [{field: day, op: last, n: 1, unit: month}]\n",
        {"deals": deals(), "targets": targets()},
        as_of="2024-02-29",
    )
    # The report keeps January 2024 (the last complete month); the 2-month window also needs
    # December 2023, so it reads its own queries from 2023-12-01 (roll4 from deals, across5
    # from targets) and recomputes the formula there.
    assert text == (
        "query main:\n"
        "   scan deals\n"
        "   filter day in [2024-01-01, 2024-02-01)\n"
        "   derive __d0=month_start(__v0)\n"
        "   aggregate by __d0: __m0=sum(__x0)\n"
        "   select day=__d0::date, revenue=__m0::float\n"
        "query across1:\n"
        "   scan targets\n"
        "   filter month in [2024-01-01, 2024-02-01)\n"
        "   derive __d0=month_start(__v0)\n"
        "   aggregate by __d0: __m1=sum(__x1)\n"
        "   select day=__d0::date, quota=__m1::float\n"
        "query span2:\n"
        "   scan deals\n"
        "   derive __sb=month_start(__sv)\n"
        "   aggregate over all rows: __sf=min(__sb), __sl=max(__sb)\n"
        "   select first=__sf::date, last=__sl::date\n"
        "query span3:\n"
        "   scan targets\n"
        "   derive __sb=month_start(__sv)\n"
        "   aggregate over all rows: __sf=min(__sb), __sl=max(__sb)\n"
        "   select first=__sf::date, last=__sl::date\n"
        "query roll4:\n"
        "   scan deals\n"
        "   filter day in [2023-12-01, 2024-02-01)\n"
        "   derive __d0=month_start(__v0)\n"
        "   aggregate by __d0: __m0=sum(__x0)\n"
        "   select day=__d0::date, revenue=__m0::float\n"
        "query across5:\n"
        "   scan targets\n"
        "   filter month in [2023-12-01, 2024-02-01)\n"
        "   derive __d0=month_start(__v0)\n"
        "   aggregate by __d0: __m1=sum(__x1)\n"
        "   select day=__d0::date, quota=__m1::float\n"
        "then (on the aggregated rows):\n"
        "   join measures of across1 on day\n"
        "   att = revenue / quota\n"
        "   ra = avg of att over the 2 months ending at each row"
        " (from roll4, across5, empty periods filled; then att = revenue / quota)\n"
        "   sort day asc (nulls last)\n"
        "-> columns: day, revenue, quota, att, ra"
    )


def test_pacing() -> None:
    text = explain(
        "dimensions: [{field: day, grain: month}]\n"
        "measures:\n"
        "  - {name: revenue, agg: sum, field: amount}\n"
        "  - {name: goal, agg: sum, field: amount}\n"
        "  - {name: pace, of: revenue, pacing: {target: goal}}\n",
        as_of="2024-02-15",
    )
    assert text == (
        "query main:\n"
        "   scan data\n"
        "   derive __d0=month_start(__v0)\n"
        "   aggregate by __d0: __m0=sum(__x0), __m1=sum(__x1)\n"
        "   select day=__d0::date, revenue=__m0::float, goal=__m1::float\n"
        "then (on the aggregated rows):\n"
        "   pace = revenue / (goal x share of each month elapsed by 2024-02-15)\n"
        "   sort day asc (nulls last)\n"
        "-> columns: day, revenue, goal, pace"
    )


# --- known blemishes of the text (reported; these turn into failures once fixed) -------------


def test_a_report_without_dimensions_lists_no_empty_sort() -> None:
    text = explain("measures: [{name: n, agg: count}]\n")
    assert text == (
        "query main:\n"
        "   scan data\n"
        "   aggregate over all rows: __m0=len()\n"
        "   select n=__m0::integer\n"
        "-> columns: n"
    )


def test_dates_in_comparisons_are_written_as_dates() -> None:
    text = explain(
        "measures: [{name: n, agg: count}]\n"
        "filters: [{field: day, op: ge, value: 2024-02-01}, "
        "{field: day, op: between, value: [2024-01-01, 2024-12-31]}]\n"
    )
    assert "filter day >= 2024-02-01 AND day between 2024-01-01 and 2024-12-31\n" in text
