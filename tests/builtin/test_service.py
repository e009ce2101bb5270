"""The service reports (service.response_time, .resolution_time, .complaints, .satisfaction).

Every expected value is worked out by hand in the comments, from the small fixtures below, and
checked on every backend. All runs are as of 2024-12-31, i.e. up to 2025-01-01 00:00.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from crmreports import SpecError
from tests.helpers import assert_rows_equal, run_builtin, synthetic_tables

T = dt.datetime
D = dt.date
AS_OF = "2024-12-31"
TS = pa.timestamp("us")


run = partial(run_builtin, as_of=AS_OF)


# --- service.response_time -----------------------------------------------------------------------

# Response hours (first_response_at - created_at), SLA 24 h by default:
#  1 email high    12-02 09:00 -> 12-02 11:00   2 h
#  2 email low     12-02 10:00 -> 12-03 16:00  30 h (responded, SLA missed)
#  3 email low     12-10 08:00 -> 12-10 14:00   6 h
#  4 email high    12-30 12:00 -> none         awaiting; 36 h old at the end of 12-31: overdue
#  5 chat  high    12-31 20:00 -> none         awaiting; 4 h old: not yet subject
#  6 chat  low     11-05 08:00 -> 11-05 08:30   0.5 h
#  7 chat  low     11-06 09:00 -> 11-06 08:00  response before creation: excluded, counted
#  8 chat  high    12-31 10:00 -> 2025-01-01 09:00  answered after as_of: awaiting; 14 h old
#  9 web   high    2025-01-02 (opened after as_of): left out everywhere
# 10 chat  high    11-20 00:00 -> 11-21 00:00  24 h exactly: within the SLA (<=)
# 11 phone low     12-31 00:00 -> none         awaiting; exactly 24 h old: not yet overdue (>)
# 12 web   low     09-15 10:00 -> 09-15 12:00   2 h
RESPONSES = {
    "ticket_id": list(range(1, 13)),
    "created_at": [T(2024, 12, 2, 9), T(2024, 12, 2, 10), T(2024, 12, 10, 8),
                   T(2024, 12, 30, 12), T(2024, 12, 31, 20), T(2024, 11, 5, 8),
                   T(2024, 11, 6, 9), T(2024, 12, 31, 10), T(2025, 1, 2, 10),
                   T(2024, 11, 20), T(2024, 12, 31), T(2024, 9, 15, 10)],
    "first_response_at": [T(2024, 12, 2, 11), T(2024, 12, 3, 16), T(2024, 12, 10, 14), None,
                          None, T(2024, 11, 5, 8, 30), T(2024, 11, 6, 8), T(2025, 1, 1, 9),
                          T(2025, 1, 2, 11), T(2024, 11, 21), None, T(2024, 9, 15, 12)],
    "channel": ["email", "email", "email", "email", "chat", "chat", "chat", "chat", "web",
                "chat", "phone", "web"],
    "priority": ["high", "low", "low", "high", "high", "low", "low", "high", "high", "high",
                 "low", "low"],
}  # fmt: skip
RESPONSE_TYPES = {"created_at": TS, "first_response_at": TS}


def _response_row(key: dict[str, Any], *values: Any) -> dict[str, Any]:
    names = ["tickets", "responded", "awaiting_response", "mean_response_hours",
             "median_response_hours", "p90_response_hours", "within_sla", "overdue_unanswered",
             "sla_subject", "sla_compliance", "invalid_response_times"]  # fmt: skip
    return {**key, **dict(zip(names, values, strict=True))}


def test_response_time_by_channel(constructor) -> None:
    tickets = constructor(RESPONSES, RESPONSE_TYPES)
    result = run("service.response_time", view="main", data={"tickets": tickets})
    assert constructor.is_native_result(result.data)
    # chat (5, 6, 7, 8, 10): responded 6 (0.5 h) and 10 (24 h); awaiting 5 and 8; 7 invalid.
    #   mean = median = 24.5 / 2 = 12.25; p90 = 0.5 + 0.9 * (24 - 0.5) = 21.65.
    #   Both within 24 h; 5 (4 h) and 8 (14 h) are too young to be overdue: 2 / 2 = 1.0.
    # email (1-4): responded 2, 30, 6 h; mean 38 / 3; median 6; sorted 2, 6, 30: p90 at
    #   position 0.9 * 2 = 1.8 -> 6 + 0.8 * 24 = 25.2. Within: 2 and 6 h; 4 is 36 h old and
    #   overdue: compliance 2 / (3 + 1) = 0.5.
    # phone (11): awaiting, exactly 24 h old, not overdue: nothing subject -> null compliance.
    # web (12 only; 9 is after as_of): 2 h, within: 1 / 1.
    assert_rows_equal(
        result,
        [
            _response_row({"channel": "chat"}, 5, 2, 2, 12.25, 12.25, 21.65, 2, 0, 2, 1.0, 1),
            _response_row({"channel": "email"}, 4, 3, 1, 38 / 3, 6.0, 25.2, 2, 1, 4, 0.5, 0),
            _response_row({"channel": "phone"}, 1, 0, 1, None, None, None, 0, 0, 0, None, 0),
            _response_row({"channel": "web"}, 1, 1, 0, 2.0, 2.0, 2.0, 1, 0, 1, 1.0, 0),
        ],
    )
    assert result.notes == ()


def test_response_time_sla_hours_is_a_parameter(constructor) -> None:
    tickets = constructor(RESPONSES, RESPONSE_TYPES)
    result = run(
        "service.response_time", view="main", data={"tickets": tickets}, params={"sla_hours": 8}
    )
    # SLA 8 h. chat: within only 6 (0.5 h; 10 took 24 h); 8 (14 h old) is now overdue, 5 (4 h)
    #   not: 1 / (2 + 1). email: within 2 and 6 h; 4 overdue: 2 / 4. phone: 11 (24 h old) is
    #   overdue: 0 / 1 = 0.0. web: 2 h within: 1 / 1.
    rows = result.to_pandas()[["channel", "within_sla", "overdue_unanswered", "sla_compliance"]]
    assert_rows_equal(
        rows,
        [
            {"channel": "chat", "within_sla": 1, "overdue_unanswered": 1, "sla_compliance": 1 / 3},
            {"channel": "email", "within_sla": 2, "overdue_unanswered": 1, "sla_compliance": 0.5},
            {"channel": "phone", "within_sla": 0, "overdue_unanswered": 1, "sla_compliance": 0.0},
            {"channel": "web", "within_sla": 1, "overdue_unanswered": 0, "sla_compliance": 1.0},
        ],
    )


def test_response_time_by_priority(constructor) -> None:
    tickets = constructor(RESPONSES, RESPONSE_TYPES)
    result = run("service.response_time", view="by_priority", data={"tickets": tickets})
    # high (1, 4, 5, 8, 10; 9 is after as_of): responded 1 (2 h) and 10 (24 h); awaiting 4, 5,
    #   8. mean = median = 13; p90 = 2 + 0.9 * 22 = 21.8. Both within; 4 overdue: 2 / 3.
    # low (2, 3, 6, 7, 11, 12): responded 30, 6, 0.5, 2 h (7 invalid); awaiting 11 (24 h old,
    #   not overdue). mean 38.5 / 4 = 9.625; sorted 0.5, 2, 6, 30: median 4; p90 at position
    #   2.7 -> 6 + 0.7 * 24 = 22.8. Within: 6, 0.5, 2 h: 3 / 4.
    assert_rows_equal(
        result,
        [
            _response_row({"priority": "high"}, 5, 2, 3, 13.0, 13.0, 21.8, 2, 1, 3, 2 / 3, 0),
            _response_row({"priority": "low"}, 6, 4, 1, 9.625, 4.0, 22.8, 3, 0, 4, 0.75, 1),
        ],
    )


def test_response_time_trend_by_month_opened(constructor) -> None:
    tickets = constructor(RESPONSES, RESPONSE_TYPES)
    result = run("service.response_time", view="trend", data={"tickets": tickets})
    # September: 12 (2 h). October: no ticket (a filled gap: counts 0, times and compliance
    # null). November: 6 (0.5 h), 7 (invalid), 10 (24 h) -> as chat above. December: 1, 2, 3
    # (2, 30, 6 h), 4 (overdue), 5, 8, 11 (awaiting, not overdue): as email above plus three
    # awaiting tickets. January 2025 (ticket 9) is after as_of: no row.
    assert_rows_equal(
        result,
        [
            _response_row({"month": T(2024, 9, 1)}, 1, 1, 0, 2.0, 2.0, 2.0, 1, 0, 1, 1.0, 0),
            _response_row({"month": T(2024, 10, 1)}, 0, 0, 0, None, None, None, 0, 0, 0, None, 0),
            _response_row({"month": T(2024, 11, 1)}, 3, 2, 0, 12.25, 12.25, 21.65, 2, 0, 2, 1.0, 1),
            _response_row({"month": T(2024, 12, 1)}, 7, 3, 4, 38 / 3, 6.0, 25.2, 2, 1, 4, 0.5, 0),
        ],
    )
    result.chart()


def test_response_time_maps_your_columns_and_values(constructor) -> None:
    mine = {
        "id": RESPONSES["ticket_id"],
        "opened": RESPONSES["created_at"],
        "first_reply": RESPONSES["first_response_at"],
        "source": [{"email": "E-Mail", "chat": "Chat"}.get(c, c) for c in RESPONSES["channel"]],
    }
    tickets = constructor(mine, {"opened": TS, "first_reply": TS})
    result = run(
        "service.response_time",
        view="main",
        data={"tickets": tickets},
        columns={"tickets": {"created_at": "opened", "first_response_at": "first_reply",
                             "channel": "source"}},
        values={"tickets.channel": {"E-Mail": "email", "Chat": "chat"}},
    )  # fmt: skip
    # The same figures as test_response_time_by_channel, under the model's names and values.
    rows = result.to_pandas()[["channel", "tickets", "sla_compliance"]]
    assert_rows_equal(
        rows,
        [
            {"channel": "chat", "tickets": 5, "sla_compliance": 1.0},
            {"channel": "email", "tickets": 4, "sla_compliance": 0.5},
            {"channel": "phone", "tickets": 1, "sla_compliance": None},
            {"channel": "web", "tickets": 1, "sla_compliance": 1.0},
        ],
    )


def test_response_time_without_first_response_says_how_to_map_it() -> None:
    tickets = pd.DataFrame(RESPONSES).drop(columns="first_response_at")
    with pytest.raises(SpecError) as info:
        run("service.response_time", view="main", data={"tickets": tickets})
    message = str(info.value)
    assert "unknown column 'first_response_at' in formula" in message
    assert "builtin.get(..., columns={'tickets': {'first_response_at': '<your column>'}})" in (
        message
    )


# --- service.resolution_time ---------------------------------------------------------------------

# Resolution hours (resolved_at - created_at):
#  1 high   billing   Ann  11-01 08:00 -> 11-01 12:00   4 h
#  2 high   billing   Ann  11-03 08:00 -> 11-04 08:00  24 h
#  3 high   technical Bob  11-10 00:00 -> 11-09 00:00  resolved before created: excluded, counted
#  4 low    technical Bob  11-15 00:00 -> 11-18 00:00  72 h
#  5 low    billing   Bob  12-01 00:00 -> 12-11 00:00  240 h
#  6 low    technical Ann  12-20 12:00 -> none         open, 11.5 days old at 2025-01-01 00:00
#  7 high   technical Ann  12-30 00:00 -> 2025-01-02   resolved after as_of: open, 2 days old
#  8 low    billing   Bob  2025-01-05 (opened after as_of): left out everywhere
#  9 urgent account   Cy   12-31 06:00 -> 12-31 07:30   1.5 h
# 10 low    technical Ann  10-01 00:00 -> none         open, 92 days old (31 + 30 + 31)
RESOLUTIONS = {
    "ticket_id": list(range(1, 11)),
    "created_at": [T(2024, 11, 1, 8), T(2024, 11, 3, 8), T(2024, 11, 10), T(2024, 11, 15),
                   T(2024, 12, 1), T(2024, 12, 20, 12), T(2024, 12, 30), T(2025, 1, 5),
                   T(2024, 12, 31, 6), T(2024, 10, 1)],
    "resolved_at": [T(2024, 11, 1, 12), T(2024, 11, 4, 8), T(2024, 11, 9), T(2024, 11, 18),
                    T(2024, 12, 11), None, T(2025, 1, 2), T(2025, 1, 6), T(2024, 12, 31, 7, 30),
                    None],
    "priority": ["high", "high", "high", "low", "low", "low", "high", "low", "urgent", "low"],
    "category": ["billing", "billing", "technical", "technical", "billing", "technical",
                 "technical", "billing", "account", "technical"],
    "agent": ["Ann", "Ann", "Bob", "Bob", "Bob", "Ann", "Ann", "Bob", "Cy", "Ann"],
}  # fmt: skip
RESOLUTION_TYPES = {"created_at": TS, "resolved_at": TS}


def _resolution_row(key: dict[str, Any], *values: Any) -> dict[str, Any]:
    names = ["tickets", "resolved", "open_tickets", "mean_resolution_hours",
             "median_resolution_hours", "p90_resolution_hours", "invalid_durations"]  # fmt: skip
    return {**key, **dict(zip(names, values, strict=True))}


def test_resolution_time_by_priority(constructor) -> None:
    tickets = constructor(RESOLUTIONS, RESOLUTION_TYPES)
    result = run("service.resolution_time", view="main", data={"tickets": tickets})
    assert constructor.is_native_result(result.data)
    # high (1, 2, 3, 7): resolved 4 and 24 h: mean = median = 14, p90 = 4 + 0.9 * 20 = 22;
    #   7 is open (resolved after as_of); 3 is resolved before created: counted, not averaged
    #   (with it, the mean would be (4 + 24 - 24) / 3).
    # low (4, 5, 6, 10; 8 after as_of): 72 and 240 h: mean = median = 156,
    #   p90 = 72 + 0.9 * 168 = 223.2; 6 and 10 open.
    # urgent (9): 1.5 h.
    assert_rows_equal(
        result,
        [
            _resolution_row({"priority": "high"}, 4, 2, 1, 14.0, 14.0, 22.0, 1),
            _resolution_row({"priority": "low"}, 4, 2, 2, 156.0, 156.0, 223.2, 0),
            _resolution_row({"priority": "urgent"}, 1, 1, 0, 1.5, 1.5, 1.5, 0),
        ],
    )
    assert result.notes == ()


def test_resolution_time_by_category(constructor) -> None:
    tickets = constructor(RESOLUTIONS, RESOLUTION_TYPES)
    result = run("service.resolution_time", view="by_category", data={"tickets": tickets})
    # account (9): 1.5 h. billing (1, 2, 5): 4, 24, 240 h: mean 268 / 3, median 24,
    #   p90 at position 1.8 -> 24 + 0.8 * 216 = 196.8. technical (3, 4, 6, 7, 10): only 4
    #   (72 h) resolved validly; 6, 7, 10 open; 3 invalid.
    assert_rows_equal(
        result,
        [
            _resolution_row({"category": "account"}, 1, 1, 0, 1.5, 1.5, 1.5, 0),
            _resolution_row({"category": "billing"}, 3, 3, 0, 268 / 3, 24.0, 196.8, 0),
            _resolution_row({"category": "technical"}, 5, 1, 3, 72.0, 72.0, 72.0, 1),
        ],
    )


def test_resolution_time_by_agent(constructor) -> None:
    tickets = constructor(RESOLUTIONS, RESOLUTION_TYPES)
    result = run("service.resolution_time", view="by_agent", data={"tickets": tickets})
    # Ann (1, 2, 6, 7, 10): 4 and 24 h; 6, 7, 10 open. Bob (3, 4, 5): 72 and 240 h; 3
    # invalid. Cy (9): 1.5 h.
    assert_rows_equal(
        result,
        [
            _resolution_row({"agent": "Ann"}, 5, 2, 3, 14.0, 14.0, 22.0, 0),
            _resolution_row({"agent": "Bob"}, 3, 2, 0, 156.0, 156.0, 223.2, 1),
            _resolution_row({"agent": "Cy"}, 1, 1, 0, 1.5, 1.5, 1.5, 0),
        ],
    )


def test_resolution_time_distribution_bands(constructor) -> None:
    tickets = constructor(RESOLUTIONS, RESOLUTION_TYPES)
    result = run("service.resolution_time", view="distribution", data={"tickets": tickets})
    # Valid resolutions by as_of: 1.5 h (9), 4 h (1), 24 h (2), 72 h (4), 240 h (5); the
    # negative one (3) and those after as_of (7, 8) are out. A bound belongs to the next band:
    # 4 h is "4-24 h", 24 h "1-3 days", 72 h "3-7 days". Each band 1 of 5 = 0.2; no band is
    # "2 weeks or more".
    assert_rows_equal(
        result,
        [
            {"resolution_time": "under 4 h", "resolved": 1, "share": 0.2,
             "median_resolution_hours": 1.5},
            {"resolution_time": "4-24 h", "resolved": 1, "share": 0.2,
             "median_resolution_hours": 4.0},
            {"resolution_time": "1-3 days", "resolved": 1, "share": 0.2,
             "median_resolution_hours": 24.0},
            {"resolution_time": "3-7 days", "resolved": 1, "share": 0.2,
             "median_resolution_hours": 72.0},
            {"resolution_time": "1-2 weeks", "resolved": 1, "share": 0.2,
             "median_resolution_hours": 240.0},
        ],
    )  # fmt: skip


def test_resolution_time_trend_by_month_resolved(constructor) -> None:
    tickets = constructor(RESOLUTIONS, RESOLUTION_TYPES)
    result = run("service.resolution_time", view="trend", data={"tickets": tickets})
    # November: resolved 1 (4 h), 2 (24 h), 4 (72 h), and 3 (invalid, resolved 11-09):
    #   mean 100 / 3, median 24, p90 at position 1.8 -> 24 + 0.8 * 48 = 62.4.
    # December: 5 (240 h, resolved 12-11) and 9 (1.5 h): mean = median = 120.75,
    #   p90 = 1.5 + 0.9 * 238.5 = 216.15. 7 and 8 are resolved in 2025, after as_of.
    assert_rows_equal(
        result,
        [
            {"month": T(2024, 11, 1), "resolved": 3, "mean_resolution_hours": 100 / 3,
             "median_resolution_hours": 24.0, "p90_resolution_hours": 62.4,
             "invalid_durations": 1},
            {"month": T(2024, 12, 1), "resolved": 2, "mean_resolution_hours": 120.75,
             "median_resolution_hours": 120.75, "p90_resolution_hours": 216.15,
             "invalid_durations": 0},
        ],
    )  # fmt: skip


def test_resolution_time_open_ticket_age(constructor) -> None:
    tickets = constructor(RESOLUTIONS, RESOLUTION_TYPES)
    result = run("service.resolution_time", view="open_age", data={"tickets": tickets})
    # Open at the end of 2024-12-31: 7 (high, 2 days old, resolved only in 2025), 6 (low,
    # 11.5 days) and 10 (low, 92 days). Urgent has no open ticket: no row.
    assert_rows_equal(
        result,
        [
            {"priority": "high", "open_tickets": 1, "mean_age_days": 2.0,
             "median_age_days": 2.0, "max_age_days": 2.0},
            {"priority": "low", "open_tickets": 2, "mean_age_days": 51.75,
             "median_age_days": 51.75, "max_age_days": 92.0},
        ],
    )  # fmt: skip


def test_resolution_time_maps_your_columns_and_values(constructor) -> None:
    mine = {
        "key": RESOLUTIONS["ticket_id"],
        "opened": RESOLUTIONS["created_at"],
        "closed": RESOLUTIONS["resolved_at"],
        "prio": [{"high": "P2", "low": "P4", "urgent": "P1"}[p] for p in RESOLUTIONS["priority"]],
    }
    tickets = constructor(mine, {"opened": TS, "closed": TS})
    result = run(
        "service.resolution_time",
        view="main",
        data={"tickets": tickets},
        columns={"created_at": "opened", "resolved_at": "closed", "priority": "prio"},
        values={"priority": {"P1": "urgent", "P2": "high", "P4": "low"}},
    )
    # As test_resolution_time_by_priority.
    assert_rows_equal(
        result.to_pandas()[["priority", "resolved", "mean_resolution_hours"]],
        [
            {"priority": "high", "resolved": 2, "mean_resolution_hours": 14.0},
            {"priority": "low", "resolved": 2, "mean_resolution_hours": 156.0},
            {"priority": "urgent", "resolved": 1, "mean_resolution_hours": 1.5},
        ],
    )


def test_resolution_time_without_resolved_at_says_how_to_map_it() -> None:
    tickets = pd.DataFrame(RESOLUTIONS).drop(columns="resolved_at")
    with pytest.raises(SpecError) as info:
        run("service.resolution_time", view="main", data={"tickets": tickets})
    message = str(info.value)
    assert "unknown column 'resolved_at' in formula" in message
    assert "columns={'tickets': {'resolved_at': '<your column>'}}" in message


# --- service.complaints --------------------------------------------------------------------------

#  1 billing   complaint billing error  10-05
#  2 billing   complaint billing error  10-20
#  3 billing   question  -              10-21
#  4 delivery  complaint late delivery  12-01
#  5 delivery  problem   -              12-02
#  6 delivery  complaint (no reason)    12-15
#  7 technical question  -              12-20
#  8 technical request   -              12-21
#  9 billing   complaint billing error  2025-01-03 (after as_of: left out)
# 10 delivery  complaint rude staff     12-31 23:00 (the as_of day: in)
# 11 (none)    complaint other          12-10
# 12 billing   (no type) -              12-11 (a ticket, not a complaint)
COMPLAINTS = {
    "ticket_id": list(range(1, 13)),
    "created_at": [T(2024, 10, 5, 9), T(2024, 10, 20, 9), T(2024, 10, 21, 9), T(2024, 12, 1, 9),
                   T(2024, 12, 2, 9), T(2024, 12, 15, 9), T(2024, 12, 20, 9), T(2024, 12, 21, 9),
                   T(2025, 1, 3, 9), T(2024, 12, 31, 23), T(2024, 12, 10, 9), T(2024, 12, 11, 9)],
    "category": ["billing", "billing", "billing", "delivery", "delivery", "delivery",
                 "technical", "technical", "billing", "delivery", None, "billing"],
    "type": ["complaint", "complaint", "question", "complaint", "problem", "complaint",
             "question", "request", "complaint", "complaint", "complaint", None],
    "reason": ["billing error", "billing error", None, "late delivery", None, None, None, None,
               "billing error", "rude staff", "other", None],
}  # fmt: skip
COMPLAINT_TYPES = {"created_at": TS}

# Won orders per month: October O1 (two lines) and O2 (O3 is cancelled); November O6;
# December O4 (on the as_of day), O8, O9 (O10 lost); O5 is after as_of, O7 in September.
ORDERS = {
    "order_id": ["O1", "O1", "O2", "O3", "O4", "O5", "O6", "O7", "O8", "O9", "O10"],
    "order_date": [D(2024, 10, 2), D(2024, 10, 2), D(2024, 10, 15), D(2024, 10, 16),
                   D(2024, 12, 31), D(2025, 1, 1), D(2024, 11, 10), D(2024, 9, 1),
                   D(2024, 12, 5), D(2024, 12, 6), D(2024, 12, 7)],
    "status": ["won", "won", "won", "cancelled", "won", "won", "won", "won", "won", "won", "lost"],
    "customer_id": ["c"] * 11,
    "amount": [1.0] * 11,
}  # fmt: skip
ORDER_TYPES = {"order_date": pa.date32()}


def test_complaints_by_category_as_a_pareto(constructor) -> None:
    tickets = constructor(COMPLAINTS, COMPLAINT_TYPES)
    result = run("service.complaints", view="main", data={"tickets": tickets})
    assert constructor.is_native_result(result.data)
    # Up to as_of, 6 complaints: delivery 4, 6, 10 (3 of its 4 tickets), billing 1, 2 (2 of 4:
    # 1, 2, 3 and the untyped 12), no category 11 (1 of 1), technical none (0 of 2).
    # Largest first.
    assert_rows_equal(
        result,
        [
            {"category": "delivery", "complaints": 3, "complaint_share": 0.5, "tickets": 4,
             "complaint_rate": 0.75},
            {"category": "billing", "complaints": 2, "complaint_share": 2 / 6, "tickets": 4,
             "complaint_rate": 0.5},
            {"category": None, "complaints": 1, "complaint_share": 1 / 6, "tickets": 1,
             "complaint_rate": 1.0},
            {"category": "technical", "complaints": 0, "complaint_share": 0.0, "tickets": 2,
             "complaint_rate": 0.0},
        ],
    )  # fmt: skip
    assert result.chart().to_dict()  # the Pareto chart draws


def test_complaints_by_reason(constructor) -> None:
    tickets = constructor(COMPLAINTS, COMPLAINT_TYPES)
    result = run("service.complaints", view="by_reason", data={"tickets": tickets})
    # The 6 complaints up to as_of: billing error 1, 2; late delivery 4; rude staff 10;
    # other 11; no reason 6 (its own group, last among the ties).
    assert_rows_equal(
        result,
        [
            {"reason": "billing error", "complaints": 2, "complaint_share": 2 / 6},
            {"reason": "late delivery", "complaints": 1, "complaint_share": 1 / 6},
            {"reason": "other", "complaints": 1, "complaint_share": 1 / 6},
            {"reason": "rude staff", "complaints": 1, "complaint_share": 1 / 6},
            {"reason": None, "complaints": 1, "complaint_share": 1 / 6},
        ],
    )


def test_complaints_trend(constructor) -> None:
    tickets = constructor(COMPLAINTS, COMPLAINT_TYPES)
    result = run("service.complaints", view="trend", data={"tickets": tickets})
    # October: 1, 2, 3 -> 2 of 3. November: no ticket (a filled gap), rate null. December: 4,
    # 5, 6, 7, 8, 10, 11, 12 -> complaints 4, 6, 10, 11: 4 of 8. 9 (2025) is after as_of.
    assert_rows_equal(
        result,
        [
            {"month": T(2024, 10, 1), "complaints": 2, "tickets": 3, "complaint_rate": 2 / 3},
            {"month": T(2024, 11, 1), "complaints": 0, "tickets": 0, "complaint_rate": None},
            {"month": T(2024, 12, 1), "complaints": 4, "tickets": 8, "complaint_rate": 0.5},
        ],
    )
    assert result.notes == ()


def test_complaints_per_1000_orders(constructor) -> None:
    tickets = constructor(COMPLAINTS, COMPLAINT_TYPES)
    orders = constructor(ORDERS, ORDER_TYPES)
    result = run(
        "service.complaints", view="per_orders", data={"tickets": tickets, "orders": orders}
    )
    # Won orders: October O1, O2 -> 2 (2 complaints: 1000 per 1,000); December O4, O8, O9 -> 3
    # (4 complaints: 4000 / 3). November (O6) and September (O7) have orders but no ticket, and
    # January 2025 is after as_of: no rows (only months with tickets are kept).
    assert_rows_equal(
        result,
        [
            {"month": T(2024, 10, 1), "complaints": 2, "tickets": 3, "complaint_rate": 2 / 3,
             "orders": 2, "complaints_per_1000_orders": 1000.0},
            {"month": T(2024, 12, 1), "complaints": 4, "tickets": 8, "complaint_rate": 0.5,
             "orders": 3, "complaints_per_1000_orders": 4000 / 3},
        ],
    )  # fmt: skip
    # The report's own filter (tickets on or before as_of) is restated on the orders' matched
    # column, order_date: every report filter reaches the orders, so there is nothing to note.
    assert result.notes == ()


def test_complaints_per_1000_orders_in_a_month_without_orders_is_null(constructor) -> None:
    tickets = constructor(COMPLAINTS, COMPLAINT_TYPES)
    no_december = {k: v[:4] for k, v in ORDERS.items()}  # O1 (twice), O2, O3
    orders = constructor(no_december, ORDER_TYPES)
    result = run(
        "service.complaints", view="per_orders", data={"tickets": tickets, "orders": orders}
    )
    # December has tickets and complaints but no order: the orders table says nothing about
    # it, so its order count is null (a measure of another source is null where that source
    # has no rows, as a missing target is) and so is the rate, never infinity or 0.
    assert_rows_equal(
        result.to_pandas()[["orders", "complaints_per_1000_orders"]],
        [
            {"orders": 2, "complaints_per_1000_orders": 1000.0},
            {"orders": None, "complaints_per_1000_orders": None},
        ],
    )


def test_complaints_per_1000_orders_without_orders_is_left_out(constructor) -> None:
    tickets = constructor(COMPLAINTS, COMPLAINT_TYPES)
    result = run("service.complaints", view="per_orders", data={"tickets": tickets})
    # The ticket measures remain: October 2 of 3, December 4 of 8.
    assert_rows_equal(
        result,
        [
            {"month": T(2024, 10, 1), "complaints": 2, "tickets": 3, "complaint_rate": 2 / 3},
            {"month": T(2024, 12, 1), "complaints": 4, "tickets": 8, "complaint_rate": 0.5},
        ],
    )
    assert result.notes == (
        "measure 'orders' left out: the data has no source 'orders'",
        "measure 'complaints_per_1000_orders' left out: it is built on 'orders', left out",
        "the visual named a left-out measure; a default visual is drawn instead",
    )
    result.chart()


def test_complaints_per_1000_orders_needs_the_order_status(constructor) -> None:
    tickets = constructor(COMPLAINTS, COMPLAINT_TYPES)
    no_status = {k: v for k, v in ORDERS.items() if k != "status"}
    orders = constructor(no_status, ORDER_TYPES)
    result = run(
        "service.complaints", view="per_orders", data={"tickets": tickets, "orders": orders}
    )
    # Without a status the cancelled and lost rows cannot be told from sales: left out.
    assert list(result.to_pandas().columns) == ["month", "complaints", "tickets", "complaint_rate"]
    assert result.notes[:2] == (
        "measure 'orders' left out: source 'orders' has no column 'status'",
        "measure 'complaints_per_1000_orders' left out: it is built on 'orders', left out",
    )


def test_complaints_map_your_type_values(constructor) -> None:
    mine = {**COMPLAINTS, "ticket_type": [
        {"complaint": "Beschwerde", "question": "Frage"}.get(t, t) if t else t
        for t in COMPLAINTS["type"]
    ]}  # fmt: skip
    del mine["type"]
    tickets = constructor(mine, COMPLAINT_TYPES)
    result = run(
        "service.complaints",
        view="main",
        data={"tickets": tickets},
        columns={"tickets.type": "ticket_type"},
        values={"tickets.type": {"Beschwerde": "complaint", "Frage": "question"}},
    )
    # As test_complaints_by_category_as_a_pareto.
    assert result.to_pandas()["complaints"].tolist() == [3, 2, 1, 0]


def test_complaints_without_type_say_how_to_map_it() -> None:
    tickets = pd.DataFrame(COMPLAINTS).drop(columns="type")
    with pytest.raises(SpecError) as info:
        run("service.complaints", view="main", data={"tickets": tickets})
    message = str(info.value)
    assert "unknown column 'type'" in message
    assert "columns={'tickets': {'type': '<your column>'}}" in message


# --- service.satisfaction ------------------------------------------------------------------------

#  1 csat 5  10-03 Ann chat        8 nps 6   10-07 (detractor)
#  2 csat 4  10-10 Ann email       9 nps 8   10-08 (passive)
#  3 csat 2  10-12 Bob chat       10 nps 0   12-09 (detractor)
#  4 csat 3  12-01 Bob email      11 nps 7   12-10 (passive)
#  5 csat 6  12-02 Bob email: out of range   12 csat 5 2025-01-02 Ann chat: after as_of
#  6 nps 10  10-05 (promoter)     13 nps 11  12-11: out of range
#  7 nps 9   10-06 (promoter)     14 csat 1  12-31 Ann chat (the as_of day: in)
#                                 15 csat 4  09-20 Ann web
# NPS answers are about no agent and no channel.
SURVEYS = {
    "survey_id": list(range(1, 16)),
    "kind": ["csat", "csat", "csat", "csat", "csat", "nps", "nps", "nps", "nps", "nps", "nps",
             "csat", "nps", "csat", "csat"],
    "score": [5, 4, 2, 3, 6, 10, 9, 6, 8, 0, 7, 5, 11, 1, 4],
    "answered_date": [D(2024, 10, 3), D(2024, 10, 10), D(2024, 10, 12), D(2024, 12, 1),
                      D(2024, 12, 2), D(2024, 10, 5), D(2024, 10, 6), D(2024, 10, 7),
                      D(2024, 10, 8), D(2024, 12, 9), D(2024, 12, 10), D(2025, 1, 2),
                      D(2024, 12, 11), D(2024, 12, 31), D(2024, 9, 20)],
    "agent": ["Ann", "Ann", "Bob", "Bob", "Bob", None, None, None, None, None, None, "Ann",
              None, "Ann", "Ann"],
    "channel": ["chat", "email", "chat", "email", "email", None, None, None, None, None, None,
                "chat", None, "chat", "web"],
}  # fmt: skip
SURVEY_TYPES = {"answered_date": pa.date32()}


def _satisfaction_row(key: dict[str, Any], *values: Any) -> dict[str, Any]:
    names = ["csat_answers", "csat_satisfied", "csat", "nps_answers", "promoters", "detractors",
             "nps", "out_of_range"]  # fmt: skip
    return {**key, **dict(zip(names, values, strict=True))}


def test_satisfaction_by_month(constructor) -> None:
    surveys = constructor(SURVEYS, SURVEY_TYPES)
    result = run("service.satisfaction", view="main", data={"surveys": surveys})
    assert constructor.is_native_result(result.data)
    # September: 15 (csat 4): 1 / 1; no NPS answer -> NPS null.
    # October: csat 5, 4, 2 -> 2 / 3; nps 10, 9, 6, 8 -> (2 - 1) / 4 * 100 = 25.
    # November: no answers (a filled gap): both null.
    # December: csat 3 and 1 (14, on the as_of day) -> 0 / 2 = 0.0, 5 (score 6) out of range;
    #   nps 0 and 7 -> (0 - 1) / 2 * 100 = -50, 13 (score 11) out of range. 12 is after as_of.
    assert_rows_equal(
        result,
        [
            _satisfaction_row({"month": D(2024, 9, 1)}, 1, 1, 1.0, 0, 0, 0, None, 0),
            _satisfaction_row({"month": D(2024, 10, 1)}, 3, 2, 2 / 3, 4, 2, 1, 25.0, 0),
            _satisfaction_row({"month": D(2024, 11, 1)}, 0, 0, None, 0, 0, 0, None, 0),
            _satisfaction_row({"month": D(2024, 12, 1)}, 2, 0, 0.0, 2, 0, 1, -50.0, 2),
        ],
    )
    assert result.notes == ()


def test_satisfaction_by_agent(constructor) -> None:
    surveys = constructor(SURVEYS, SURVEY_TYPES)
    result = run("service.satisfaction", view="by_agent", data={"surveys": surveys})
    # Ann: 5, 4, 1, 4 (12 is after as_of) -> 3 / 4; no NPS. Bob: 2, 3 -> 0 / 2 (6 out of range).
    # No agent: nps 10, 9, 6, 8, 0, 7 -> (2 - 2) / 6 * 100 = 0 (11 out of range); no CSAT.
    assert_rows_equal(
        result,
        [
            _satisfaction_row({"agent": "Ann"}, 4, 3, 0.75, 0, 0, 0, None, 0),
            _satisfaction_row({"agent": "Bob"}, 2, 0, 0.0, 0, 0, 0, None, 1),
            _satisfaction_row({"agent": None}, 0, 0, None, 6, 2, 2, 0.0, 1),
        ],
    )


def test_satisfaction_by_channel(constructor) -> None:
    surveys = constructor(SURVEYS, SURVEY_TYPES)
    result = run("service.satisfaction", view="by_channel", data={"surveys": surveys})
    # chat: 5, 2, 1 -> 1 / 3. email: 4, 3 -> 1 / 2 (6 out of range). web: 4 -> 1 / 1.
    # No channel: the NPS answers, as by agent.
    assert_rows_equal(
        result,
        [
            _satisfaction_row({"channel": "chat"}, 3, 1, 1 / 3, 0, 0, 0, None, 0),
            _satisfaction_row({"channel": "email"}, 2, 1, 0.5, 0, 0, 0, None, 1),
            _satisfaction_row({"channel": "web"}, 1, 1, 1.0, 0, 0, 0, None, 0),
            _satisfaction_row({"channel": None}, 0, 0, None, 6, 2, 2, 0.0, 1),
        ],
    )


def test_satisfaction_by_agent_without_answered_date_counts_every_answer(constructor) -> None:
    data = {k: v for k, v in SURVEYS.items() if k != "answered_date"}
    result = run("service.satisfaction", view="by_agent", data={"surveys": constructor(data)})
    # Without dates the as_of filter is skipped, so 12 (csat 5, Ann) counts too: Ann 4 / 5.
    assert_rows_equal(
        result.to_pandas()[["agent", "csat_answers", "csat"]],
        [
            {"agent": "Ann", "csat_answers": 5, "csat": 0.8},
            {"agent": "Bob", "csat_answers": 2, "csat": 0.0},
            {"agent": None, "csat_answers": 0, "csat": None},
        ],
    )
    assert result.notes == ("filter 1 skipped: source 'surveys' has no column 'answered_date'",)


def test_satisfaction_maps_your_columns_and_values(constructor) -> None:
    mine = {
        "id": SURVEYS["survey_id"],
        "survey": [k.upper() for k in SURVEYS["kind"]],
        "rating": SURVEYS["score"],
        "date": SURVEYS["answered_date"],
    }
    surveys = constructor(mine, {"date": pa.date32()})
    result = run(
        "service.satisfaction",
        view="main",
        data={"surveys": surveys},
        columns={"surveys": {"kind": "survey", "score": "rating", "answered_date": "date"}},
        values={"surveys.kind": {"CSAT": "csat", "NPS": "nps"}},
    )
    # As test_satisfaction_by_month.
    assert_rows_equal(
        result.to_pandas()[["csat", "nps"]],
        [
            {"csat": 1.0, "nps": None},
            {"csat": 2 / 3, "nps": 25.0},
            {"csat": None, "nps": None},
            {"csat": 0.0, "nps": -50.0},
        ],
    )


def test_satisfaction_without_score_says_how_to_map_it() -> None:
    surveys = pd.DataFrame(SURVEYS).drop(columns="score")
    with pytest.raises(SpecError) as info:
        run("service.satisfaction", view="main", data={"surveys": surveys})
    message = str(info.value)
    assert "unknown column 'score'" in message
    assert "columns={'surveys': {'score': '<your column>'}}" in message


# Ticket ratings (resolved_at decides the month):
#  1 10-01 09:00 -> 10-02 10:00 rated 5     6 12-30 -> 2025-01-02 rated 5: resolved after as_of
#  2 10-03       -> 10-04       rated 3     7 12-04 -> 12-05 rated 7: out of range
#  3 10-05       -> 10-06       not rated   8 12-06 -> 12-07 rated 1
#  4 12-01       -> 12-02       rated 4     9 12-08 -> 12-09 rated 5
#  5 12-03       -> open        (not resolved: not counted)
RATINGS = {
    "ticket_id": list(range(1, 10)),
    "created_at": [T(2024, 10, 1, 9), T(2024, 10, 3), T(2024, 10, 5), T(2024, 12, 1),
                   T(2024, 12, 3), T(2024, 12, 30), T(2024, 12, 4), T(2024, 12, 6),
                   T(2024, 12, 8)],
    "resolved_at": [T(2024, 10, 2, 10), T(2024, 10, 4), T(2024, 10, 6), T(2024, 12, 2), None,
                    T(2025, 1, 2), T(2024, 12, 5), T(2024, 12, 7), T(2024, 12, 9)],
    "satisfaction": [5, 3, None, 4, None, 5, 7, 1, 5],
}  # fmt: skip
RATING_TYPES = {"created_at": TS, "resolved_at": TS, "satisfaction": pa.int64()}


def test_satisfaction_from_ticket_ratings(constructor) -> None:
    tickets = constructor(RATINGS, RATING_TYPES)
    result = run("service.satisfaction", view="ticket_ratings", data={"tickets": tickets})
    # October: resolved 1, 2, 3; rated 5 and 3 -> 2 / 3 rated, CSAT 1 / 2, mean 4.
    # November: nothing resolved (a filled gap): shares and mean null.
    # December: resolved 4, 7, 8, 9; rated 4, 1, 5 (7 is out of range) -> 3 / 4 rated,
    #   CSAT 2 / 3, mean 10 / 3. 5 is open and 6 resolved after as_of.
    assert_rows_equal(
        result,
        [
            {"month": T(2024, 10, 1), "resolved": 3, "rated": 2, "rating_rate": 2 / 3,
             "satisfied": 1, "csat": 0.5, "mean_rating": 4.0, "out_of_range": 0},
            {"month": T(2024, 11, 1), "resolved": 0, "rated": 0, "rating_rate": None,
             "satisfied": 0, "csat": None, "mean_rating": None, "out_of_range": 0},
            {"month": T(2024, 12, 1), "resolved": 4, "rated": 3, "rating_rate": 0.75,
             "satisfied": 2, "csat": 2 / 3, "mean_rating": 10 / 3, "out_of_range": 1},
        ],
    )  # fmt: skip


# --- a cross-check on the synthetic data ---------------------------------------------------------
# (every view also runs and draws on it in tests/builtin/test_catalog.py)


@pytest.fixture(scope="module")
def synthetic() -> dict[str, pd.DataFrame]:
    return synthetic_tables(3000)


def test_synthetic_figures_agree_with_plain_pandas(synthetic: dict[str, pd.DataFrame]) -> None:
    """The main figures against a direct pandas computation of the documented definitions."""
    tickets, end, hour = synthetic["tickets"], pd.Timestamp("2025-01-01"), pd.Timedelta(hours=1)
    opened = tickets[tickets["created_at"] < end]

    response = (
        run("service.response_time", view="main", data=synthetic).to_pandas().set_index("channel")
    )
    answered = opened["first_response_at"] < end
    hours = (opened["first_response_at"] - opened["created_at"]) / hour
    valid = answered & (hours >= 0)
    overdue = ~answered & ((end - opened["created_at"]) / hour > 24)
    per_channel = opened.assign(hours=hours.where(valid))
    assert response["tickets"].to_dict() == per_channel.groupby("channel").size().to_dict()
    expected_median = per_channel.groupby("channel")["hours"].median()
    assert (response["median_response_hours"] - expected_median).abs().max() < 1e-9
    assert response["within_sla"].sum() == (valid & (hours <= 24)).sum()
    assert response["sla_subject"].sum() == valid.sum() + overdue.sum()

    resolution = run("service.resolution_time", view="main", data=synthetic).to_pandas()
    assert resolution["open_tickets"].sum() == (~(opened["resolved_at"] < end)).sum()

    complaints = run("service.complaints", view="main", data=synthetic).to_pandas()
    assert complaints["complaints"].sum() == (opened["type"] == "complaint").sum()
    per_orders = run("service.complaints", view="per_orders", data=synthetic).to_pandas()
    orders = synthetic["orders"]
    won = orders[(orders["status"] == "won") & (orders["order_date"] < end)]
    by_month = won.groupby(won["order_date"].dt.to_period("M").dt.start_time)["order_id"]
    months = per_orders.set_index("month")["orders"]
    assert months.to_dict() == by_month.nunique().loc[months.index].to_dict()

    surveys = synthetic["surveys"]
    csat = surveys[(surveys["kind"] == "csat") & surveys["score"].between(1, 5)]
    satisfaction = run("service.satisfaction", view="main", data=synthetic).to_pandas()
    assert satisfaction["csat_answers"].sum() == len(csat)
    assert satisfaction["csat_satisfied"].sum() == (csat["score"] >= 4).sum()
