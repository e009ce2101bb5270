"""The CRM data model the built-in reports are written against.

Ten tables, each column with its type, whether reports need it, and what it means. Your own
tables rarely use these names: map yours onto them (`builtin.get(..., columns=..., values=...)`)
instead of renaming your data. The synthetic dataset (`crmreports.datasets.generate`) follows
this model exactly. `docs/data-model.md` is generated from this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColumnType = Literal["id", "text", "number", "integer", "date", "datetime", "boolean"]


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    description: str
    required: bool = False  # every report reading the table needs it
    # Values reports give a meaning to (stage won/lost): a report filtering on one that no
    # row holds, while a row holds it spelled otherwise (Won, Closed Won), fails with the
    # mapping to give (`SourceMapping.meaningful`).
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


def _c(
    name: str,
    type: ColumnType,
    description: str,
    required: bool = False,
    values: tuple[str, ...] = (),
) -> Column:
    return Column(name, type, description, required, values)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "customers",
            "One row per customer (account).",
            (
                _c("customer_id", "id", "Unique key.", required=True),
                _c("name", "text", "Display name."),
                _c("region", "text", "Sales region or country."),
                _c("segment", "text", "Segment, e.g. Consumer / SMB / Enterprise."),
                _c("industry", "text", "Industry of a business customer."),
                _c("signup_date", "date", "When the customer was acquired."),
                _c("age", "integer", "Age in years (people)."),
                _c("gender", "text", "Gender as recorded."),
                _c("churned_date", "date", "When the customer left (null while active)."),
                _c("churn_reason", "text", "Why the customer left, where recorded."),
            ),
        ),
        Table(
            "orders",
            "One row per order or order line. Rows with `status` other than `won` "
            "(open, lost, cancelled) are not sales; without a `status` column every row is.",
            (
                _c("order_id", "id", "Order key (order lines share it).", required=True),
                _c("order_date", "date", "When the order was placed.", required=True),
                _c("customer_id", "id", "Who ordered (customers.customer_id).", required=True),
                _c(
                    "amount", "number", "Revenue of the row, in the report currency.", required=True
                ),
                _c("cost", "number", "Cost of goods of the row (profit = amount - cost)."),
                _c("quantity", "integer", "Units."),
                _c(
                    "status",
                    "text",
                    "won (a sale), open, lost or cancelled.",
                    values=("won", "open", "lost", "cancelled"),
                ),
                _c("channel", "text", "Sales channel, e.g. Online / Retail / Partner."),
                _c("product", "text", "Product name."),
                _c("category", "text", "Product category."),
                _c("salesperson", "text", "Who sold it (users.name)."),
                _c("campaign_id", "id", "Campaign the order is attributed to, if any."),
            ),
        ),
        Table(
            "opportunities",
            "One row per deal in the pipeline. `stage` is `won` or `lost` once closed; any "
            "other value is an open stage.",
            (
                _c("opportunity_id", "id", "Unique key.", required=True),
                _c(
                    "stage",
                    "text",
                    "Pipeline stage; won and lost are closed.",
                    required=True,
                    values=("won", "lost"),
                ),
                _c("amount", "number", "Deal value (expected while open, actual once won)."),
                _c("owner", "text", "Salesperson owning the deal (users.name)."),
                _c("account_id", "id", "The customer (customers.customer_id)."),
                _c("probability", "number", "Chance to win, 0-100 or 0-1 (state which)."),
                _c("created_date", "date", "When the deal was opened."),
                _c("closed_date", "date", "When it was won or lost (null while open)."),
                _c("expected_close_date", "date", "When an open deal is expected to close."),
                _c("lead_source", "text", "Where the deal came from."),
                _c("loss_reason", "text", "Why a lost deal was lost."),
                _c("lead_id", "id", "The lead it was converted from (leads.lead_id)."),
            ),
        ),
        Table(
            "campaigns",
            "One row per marketing campaign.",
            (
                _c("campaign_id", "id", "Unique key.", required=True),
                _c("name", "text", "Campaign name."),
                _c("channel", "text", "email / search / social / events / display ..."),
                _c("start_date", "date", "First day."),
                _c("end_date", "date", "Last day."),
                _c("cost", "number", "Total spend."),
                _c("sent", "integer", "Messages sent (email-like campaigns)."),
                _c("delivered", "integer", "Messages delivered (sent minus bounces)."),
                _c("opens", "integer", "Delivered messages opened (unique)."),
                _c("clicks", "integer", "Delivered messages clicked (unique)."),
            ),
        ),
        Table(
            "leads",
            "One row per lead (a prospect before it becomes a deal).",
            (
                _c("lead_id", "id", "Unique key.", required=True),
                _c("created_date", "date", "When the lead arrived.", required=True),
                _c("source", "text", "Channel it came from: search, social, email, ..."),
                _c("campaign_id", "id", "Campaign that generated it, if any."),
                _c("status", "text", "new / working / qualified / disqualified / converted."),
                _c("score", "number", "Lead score, 0-100."),
                _c("grade", "text", "Lead grade, A-D."),
                _c("converted_date", "date", "When it became an opportunity (null if not)."),
                _c("opportunity_id", "id", "The opportunity it became, if converted."),
            ),
        ),
        Table(
            "touches",
            "One row per campaign message or interaction with one person.",
            (
                _c("touch_id", "id", "Unique key.", required=True),
                _c("campaign_id", "id", "The campaign (campaigns.campaign_id).", required=True),
                _c("customer_id", "id", "Who was reached.", required=True),
                _c("sent_date", "date", "When it was sent."),
                _c("delivered", "boolean", "Reached the inbox (not bounced)."),
                _c("opened", "boolean", "Opened (delivered messages only)."),
                _c("clicked", "boolean", "Clicked (delivered messages only)."),
                _c("responded", "boolean", "Replied, registered or otherwise responded."),
            ),
        ),
        Table(
            "tickets",
            "One row per service ticket.",
            (
                _c("ticket_id", "id", "Unique key.", required=True),
                _c("created_at", "datetime", "When the ticket was opened.", required=True),
                _c("customer_id", "id", "Who raised it."),
                _c("channel", "text", "email / phone / chat / web."),
                _c("priority", "text", "low / medium / high / urgent."),
                _c("category", "text", "billing / technical / delivery / account / other."),
                _c(
                    "type",
                    "text",
                    "question / problem / request / complaint.",
                    values=("question", "problem", "request", "complaint"),
                ),
                _c("reason", "text", "Complaint reason, for complaints."),
                _c("agent", "text", "Agent handling it (users.name)."),
                _c("first_response_at", "datetime", "First agent response (null: none yet)."),
                _c("resolved_at", "datetime", "Resolution (null while open)."),
                _c("satisfaction", "integer", "Rating 1-5 given on closing, where asked."),
            ),
        ),
        Table(
            "surveys",
            "One row per survey answer (CSAT 1-5 or NPS 0-10).",
            (
                _c("survey_id", "id", "Unique key.", required=True),
                _c("kind", "text", "csat or nps.", required=True, values=("csat", "nps")),
                _c("score", "integer", "1-5 for csat, 0-10 for nps.", required=True),
                _c("answered_date", "date", "When it was answered."),
                _c("customer_id", "id", "Who answered."),
                _c("ticket_id", "id", "Ticket it is about, if any."),
                _c("agent", "text", "Agent it is about, if any."),
                _c("channel", "text", "Channel it is about, if any."),
            ),
        ),
        Table(
            "targets",
            "One row per salesperson (or team) and month: the sales target.",
            (
                _c("owner", "text", "Salesperson (users.name) or team.", required=True),
                _c("period", "date", "First day of the month.", required=True),
                _c("amount", "number", "Target revenue for that month.", required=True),
                _c("team", "text", "The owner's team."),
            ),
        ),
        Table(
            "users",
            "One row per salesperson or service agent.",
            (
                _c(
                    "name",
                    "text",
                    "Unique name, as used in orders, deals and tickets.",
                    required=True,
                ),
                _c("role", "text", "sales or service."),
                _c("team", "text", "Team."),
                _c("region", "text", "Region covered."),
                _c("hired_date", "date", "Start date."),
            ),
        ),
    )
}

__all__ = ["TABLES", "Column", "Table"]
