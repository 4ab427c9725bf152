"""The handover checklist (交接清单): what next year's officers inherit still open.

A pure function of the typed registers, the findings, the config and the period's as-of
day. Each section is a list of rows whose columns reuse the registers' own labels and PII
flags where the value comes from a register, so the checklist is labelled in the reader's
language and redacted by the same rule as everything else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Any

import pandas as pd

from ..checks.findings import Finding
from ..config import OfficeConfig
from ..kpi.periods import Period, parse_period
from ..kpi.stocktakes import uncounted_items
from ..load import OfficeData
from ..policy import Policy
from ..policy.statuses import (
    AWAITING_REPLY,
    DOCUMENT_DONE,
    LEFT,
    OPEN_CASE,
    PAID_EXPENSE,
    REFERRED_CASE,
    RETURNED_EXPENSE,
)
from ..registers import Kind, get_table, table_label
from ..reminders.rules import (
    budget_approval_due,
    document_flow_due,
    inquiry_reply_due,
    referral_followup_due,
    run_time,
)
from ..workdays import WorkCalendar

SECTIONS = ("open_loans", "custodians", "uncounted_items", "open_cases", "open_documents",
            "open_inquiries", "unpaid_expenses", "budgets", "pending_budgets", "error_findings")


@dataclass(frozen=True)
class Col:
    """One checklist column: `source` (`register.table.column`) lends it a label, a kind
    and a PII flag; a column without one is computed here and labelled by the catalogue."""

    key: str
    source: str | None = None
    kind: str = "text"
    """text | int | money | date | datetime | flag (a 是/否 shown as 是 or nothing)"""
    pii: bool = False


def reg(path: str, key: str | None = None) -> Col:
    register, table, column = path.split(".")
    spec = get_table(f"{register}.{table}").column(column)
    kind = ("flag" if spec.kind is Kind.BOOL else spec.kind.value
            if spec.kind in (Kind.INT, Kind.MONEY, Kind.DATE, Kind.DATETIME) else "text")
    return Col(key or column, path, kind, spec.pii)


@dataclass
class Section:
    key: str
    columns: tuple[Col, ...]
    rows: list[dict[str, Any]] = field(default_factory=list)
    about: dict[str, str] = field(default_factory=dict)
    """Values the section's `[handover.about]` text shows (the policy numbers in force)."""


@dataclass
class Checklist:
    office: str
    period: Period
    as_of: date
    sections: list[Section]

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def counts(self) -> dict[str, int]:
        """Rows per section, and `to_hand_over`: the assets whose custodian is not serving."""
        counts = {s.key: len(s.rows) for s in self.sections}
        counts["to_hand_over"] = sum(bool(r["needs_handover"])
                                     for r in self.section("custodians").rows)
        return counts


def _value(value: Any) -> Any:
    """A frame value as a plain Python value for a checklist row (None when empty)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value.item() if hasattr(value, "item") else value


def _money(cents: Any) -> Decimal | None:
    cents = _value(cents)
    return None if cents is None else Decimal(int(cents)) / 100


def _frame(office: OfficeData, name: str) -> pd.DataFrame:
    table = office.tables.get(name)
    if table is None:
        from ..frames import empty_typed

        return empty_typed(get_table(name), "").frame
    return table.frame


def _where(office: OfficeData, name: str, row: Any) -> str:
    table = office.tables.get(name)
    return f"{table.sheet}!{int(row)}" if table is not None and table.sheet else ""


def _members(office: OfficeData) -> dict[str, dict[str, Any]]:
    members = _frame(office, "roster.members").dropna(subset=["member_id"])
    return {str(m["member_id"]): m for m in members.drop_duplicates("member_id")
            .to_dict("records")}


def _name(members: dict[str, dict[str, Any]], member_id: Any) -> str | None:
    member = members.get(str(member_id)) if _value(member_id) is not None else None
    return None if member is None else _value(member.get("name"))


def _rows(frame: pd.DataFrame, columns: tuple[Col, ...], extra: tuple[str, ...] = ()
          ) -> list[dict[str, Any]]:
    keys = [c.key for c in columns if c.source and c.key in frame.columns] + list(extra)
    return [{k: _value(v) for k, v in record.items()}
            for record in frame[[*keys, "_row"]].to_dict("records")]


OPEN_LOAN_COLUMNS = (
    reg("assets.loans.loan_id"), reg("assets.loans.asset_tag"), reg("assets.items.name"),
    reg("assets.loans.borrower"), reg("assets.loans.borrower_id"),
    reg("assets.loans.borrower_phone"), reg("assets.loans.borrowed_on"),
    reg("assets.loans.due_on"), Col("days_overdue", kind="int"),
    reg("assets.loans.handled_by"), Col("handler_name"), Col("where"),
)


def open_loans(office: OfficeData, as_of: date) -> Section:
    """Loans not returned: who has what, since when, and how late."""
    loans = _frame(office, "assets.loans")
    items = _frame(office, "assets.items").dropna(subset=["asset_tag"])
    names = dict(zip(items["asset_tag"].astype(str), items["name"], strict=True))
    members = _members(office)
    open_ = loans[loans["returned_on"].isna() & loans["loan_id"].notna()]
    open_ = open_.sort_values(["due_on", "_row"], kind="stable", na_position="last")
    rows = _rows(open_, OPEN_LOAN_COLUMNS)
    for row in rows:
        row["name"] = _value(names.get(str(row["asset_tag"])))
        due = row.get("due_on")
        late = (as_of - due.date()).days if isinstance(due, datetime) else None
        row["days_overdue"] = late if late and late > 0 else None
        row["handler_name"] = _name(members, row.get("handled_by"))
        row["where"] = _where(office, "assets.loans", row.pop("_row"))
    return Section("open_loans", OPEN_LOAN_COLUMNS, rows)


CUSTODIAN_COLUMNS = (
    reg("assets.items.custodian_id"), Col("custodian_name"), Col("custodian_state"),
    Col("needs_handover", kind="flag"), reg("assets.items.asset_tag"),
    reg("assets.items.name"), reg("assets.items.quantity"), reg("assets.items.condition"),
    reg("assets.items.location"), Col("where"),
)


def custodian_state(member: dict[str, Any] | None, member_id: Any, as_of: date) -> str:
    """serving | leaving | left | not_in_roster | none."""
    if _value(member_id) is None:
        return "none"
    if member is None:
        return "not_in_roster"
    left_on = _value(member.get("left_on"))
    if _value(member.get("status")) == LEFT or (
            isinstance(left_on, datetime) and left_on.date() <= as_of):
        return "left"
    if isinstance(left_on, datetime):
        return "leaving"
    return "serving"


def custodians(office: OfficeData, as_of: date) -> Section:
    """Every asset by custodian; those whose custodian has left or is leaving come first."""
    items = _frame(office, "assets.items")
    items = items[items["asset_tag"].notna()]
    members = _members(office)
    rows = _rows(items, CUSTODIAN_COLUMNS)
    for row in rows:
        member_id = row.get("custodian_id")
        member = members.get(str(member_id)) if member_id is not None else None
        state = custodian_state(member, member_id, as_of)
        row["custodian_name"] = _name(members, member_id)
        row["custodian_state"] = state
        row["needs_handover"] = state != "serving"
        row["where"] = _where(office, "assets.items", row.pop("_row"))
    rows.sort(key=lambda r: (not r["needs_handover"], str(r.get("custodian_id") or ""),
                             str(r["asset_tag"])))
    return Section("custodians", CUSTODIAN_COLUMNS, rows)


UNCOUNTED_COLUMNS = (
    reg("assets.items.asset_tag"), reg("assets.items.name"), reg("assets.items.condition"),
    reg("assets.items.location"), reg("assets.items.custodian_id"), Col("custodian_name"),
    Col("last_counted", kind="date"), Col("where"),
)


def uncounted(office: OfficeData, period: Period) -> Section:
    """Ledger items (not 报废) with no stocktake row in the period, with the last day each
    was ever counted (the stocktake_coverage KPI's misses)."""
    items = _frame(office, "assets.items")
    checks = _frame(office, "assets.stocktakes")
    missing = uncounted_items(items, checks, period.start, period.end)
    last = (checks.dropna(subset=["asset_tag", "checked_on"])
            .assign(asset_tag=lambda f: f["asset_tag"].astype(str))
            .groupby("asset_tag")["checked_on"].max())
    members = _members(office)
    rows = _rows(missing, UNCOUNTED_COLUMNS) if len(missing) else []
    for row in rows:
        row["custodian_name"] = _name(members, row.get("custodian_id"))
        row["last_counted"] = _value(last.get(str(row["asset_tag"])))
        row["where"] = _where(office, "assets.items", row.pop("_row"))
    return Section("uncounted_items", UNCOUNTED_COLUMNS, rows,
                   about={"start": period.start.isoformat(), "end": period.end.isoformat()})


OPEN_CASE_COLUMNS = (
    reg("cases.cases.case_id"), reg("cases.cases.received_at"), reg("cases.cases.category"),
    reg("cases.cases.summary"), reg("cases.cases.reporter"),
    reg("cases.cases.reporter_contact"), reg("cases.cases.handler_id"), Col("handler_name"),
    reg("cases.cases.status"), reg("cases.cases.first_response_at"),
    Col("response_due", kind="datetime"), reg("cases.cases.progress_at"),
    Col("progress_due", kind="date"), Col("followup_due", kind="date"), Col("case_state"),
    Col("where"),
)
OPEN_CASE_NUMBERS = ("case_response_hours", "case_progress_workdays",
                     "referral_followup_workdays")
"""The policy numbers the open-cases section and its `[handover.about]` text show."""


def open_cases(office: OfficeData, calendar: WorkCalendar, now: datetime,
               policy: Policy) -> Section:
    """Rights cases still open (待受理, 处理中) with their two deadlines (reply within
    case_response_hours, progress within case_progress_workdays), and cases referred to
    another level (已转交) and not resolved, with the day their outcome is to be asked for
    (referral_followup_workdays after receipt or the latest progress) — the same
    deadlines the reminders chase."""
    cases = _frame(office, "cases.cases")
    referred = cases["status"].eq(REFERRED_CASE).fillna(False) & cases["resolved_at"].isna()
    listed = cases[(cases["status"].isin(OPEN_CASE) | referred) & cases["case_id"].notna()]
    listed = listed.sort_values(["received_at", "_row"], kind="stable", na_position="last")
    followup = referral_followup_due(listed, calendar, policy)
    rows = _rows(listed, OPEN_CASE_COLUMNS, extra=("resolved_at",))
    for row, follow in zip(rows, followup.tolist(), strict=True):
        received = row.get("received_at")
        response_due = progress_due = followup_due = None
        state = "in_time"
        if row.get("status") == REFERRED_CASE:
            if isinstance(follow, datetime) and not pd.isna(follow):
                followup_due = follow.date()
                if now.date() > followup_due:
                    state = "followup_due"
        elif isinstance(received, datetime):
            response_due = received + policy.hours("case_response_hours")
            progress_due = calendar.add_workdays(received,
                                                 policy.workdays("case_progress_workdays"))
            if row.get("first_response_at") is None and now > response_due:
                state = "response_overdue"
            elif (row.get("progress_at") is None and row.get("resolved_at") is None
                  and now.date() > progress_due):
                state = "progress_overdue"
        row["response_due"] = response_due
        row["progress_due"] = progress_due
        row["followup_due"] = followup_due
        row["case_state"] = state
        row.pop("resolved_at")
    return _handled("open_cases", OPEN_CASE_COLUMNS, rows, office, "cases.cases", policy,
                    OPEN_CASE_NUMBERS)


def _handled(key: str, columns: tuple[Col, ...], rows: list[dict[str, Any]],
             office: OfficeData, name: str, policy: Policy, numbers: tuple[str, ...]
             ) -> Section:
    """A section of records a handler answers for, against deadlines: each row gets its
    handler's name and its place in table `name`; the section's text shows `numbers`."""
    members = _members(office)
    for row in rows:
        row["handler_name"] = _name(members, row.get("handler_id"))
        row["where"] = _where(office, name, row.pop("_row"))
    return Section(key, columns, rows, {n: policy.shown_number(n) for n in numbers})


def _standing(now: datetime, pending: bool, due: datetime | None, day_due: Any,
              late: str, day_late: str) -> str:
    """How a record stands: `late` when it is `pending` and `now` is past its `due`
    moment, else `day_late` when `now`'s day is past the date `day_due`, else in_time."""
    if pending and due is not None and now > due:
        return late
    if isinstance(day_due, datetime) and now.date() > day_due.date():
        return day_late
    return "in_time"


def _due(series: pd.Series) -> list[datetime | None]:
    return [None if pd.isna(v) else pd.Timestamp(v).to_pydatetime() for v in series]


OPEN_DOCUMENT_COLUMNS = (
    reg("cases.documents.doc_id"), reg("cases.documents.title"),
    reg("cases.documents.direction"), reg("cases.documents.urgency"),
    reg("cases.documents.received_at"), reg("cases.documents.handler_id"),
    Col("handler_name"), reg("cases.documents.status"), reg("cases.documents.forwarded_at"),
    Col("flow_due", kind="datetime"), reg("cases.documents.due_on"),
    Col("document_state"), Col("where"),
)
OPEN_DOCUMENT_NUMBERS = ("document_flow_hours", "document_flow_urgent_hours")


def open_documents(office: OfficeData, now: datetime, policy: Policy) -> Section:
    """Documents not yet done (办结): their routing deadline (document_flow_hours, 紧急
    document_flow_urgent_hours, the deadline the reminders chase) and their own 办理期限."""
    documents = _frame(office, "cases.documents")
    listed = documents[documents["status"].ne(DOCUMENT_DONE).fillna(True)
                       & documents["done_on"].isna() & documents["doc_id"].notna()]
    listed = listed.sort_values(["received_at", "_row"], kind="stable", na_position="last")
    rows = _rows(listed, OPEN_DOCUMENT_COLUMNS)
    for row, due in zip(rows, _due(document_flow_due(listed, policy)), strict=True):
        routing = row.get("forwarded_at") is None
        row["flow_due"] = due if routing else None
        row["document_state"] = _standing(now, routing, due, row.get("due_on"),
                                          "flow_overdue", "past_due")
    return _handled("open_documents", OPEN_DOCUMENT_COLUMNS, rows, office, "cases.documents",
                    policy, OPEN_DOCUMENT_NUMBERS)


OPEN_INQUIRY_COLUMNS = (
    reg("cases.inquiries.inquiry_id"), reg("cases.inquiries.received_at"),
    reg("cases.inquiries.kind"), reg("cases.inquiries.urgent"),
    reg("cases.inquiries.summary"), reg("cases.inquiries.asker"),
    reg("cases.inquiries.asker_contact"), reg("cases.inquiries.handler_id"),
    Col("handler_name"), reg("cases.inquiries.status"), reg("cases.inquiries.replied_at"),
    Col("reply_due", kind="datetime"), reg("cases.inquiries.needs_fix"),
    reg("cases.inquiries.fix_due_on"), Col("inquiry_state"), Col("where"),
)
OPEN_INQUIRY_NUMBERS = ("inquiry_reply_hours", "feedback_reply_hours", "urgent_reply_hours")


def open_inquiries(office: OfficeData, now: datetime, policy: Policy) -> Section:
    """Inquiries not answered yet (待回复) with their reply deadline, and fixes (整改) not
    done yet with their fix deadline — the deadlines the reminders chase."""
    inquiries = _frame(office, "cases.inquiries")
    unanswered = (inquiries["status"].eq(AWAITING_REPLY).fillna(False).astype(bool)
                  & inquiries["replied_at"].isna())
    fixing = inquiries["needs_fix"].eq(True).fillna(False).astype(bool) \
        & inquiries["fixed_on"].isna()
    listed = inquiries[(unanswered | fixing) & inquiries["inquiry_id"].notna()]
    listed = listed.sort_values(["received_at", "_row"], kind="stable", na_position="last")
    rows = _rows(listed, OPEN_INQUIRY_COLUMNS)
    waiting = unanswered[listed.index].tolist()
    for row, due, open_reply in zip(rows, _due(inquiry_reply_due(listed, policy)), waiting,
                                    strict=True):
        fix_due = row.get("fix_due_on") if row.get("needs_fix") else None
        row["reply_due"] = due if open_reply else None
        row["inquiry_state"] = _standing(now, open_reply, due, fix_due, "reply_overdue",
                                         "fix_overdue")
    return _handled("open_inquiries", OPEN_INQUIRY_COLUMNS, rows, office, "cases.inquiries",
                    policy, OPEN_INQUIRY_NUMBERS)


UNPAID_COLUMNS = (
    reg("finance.expenses.expense_id"), reg("finance.expenses.budget_id"),
    reg("finance.expenses.item"), reg("finance.expenses.amount"),
    reg("finance.expenses.spent_on"), reg("finance.expenses.submitted_on"),
    reg("finance.expenses.claimant_id"), Col("claimant_name"),
    reg("finance.expenses.status"), reg("finance.expenses.approved_on"), Col("where"),
)


def unpaid_expenses(office: OfficeData) -> Section:
    """Reimbursements neither paid nor sent back."""
    expenses = _frame(office, "finance.expenses")
    unpaid = expenses[~expenses["status"].isin((PAID_EXPENSE, RETURNED_EXPENSE))
                      & expenses["expense_id"].notna()]
    unpaid = unpaid.sort_values(["spent_on", "_row"], kind="stable", na_position="last")
    members = _members(office)
    rows = _rows(unpaid, UNPAID_COLUMNS)
    for row in rows:
        row["amount"] = _money(row.get("amount"))
        row["claimant_name"] = _name(members, row.get("claimant_id"))
        row["where"] = _where(office, "finance.expenses", row.pop("_row"))
    return Section("unpaid_expenses", UNPAID_COLUMNS, rows)


BUDGET_COLUMNS = (
    reg("finance.budgets.budget_id"), reg("finance.budgets.activity"),
    reg("finance.budgets.department"), reg("finance.budgets.period"),
    reg("finance.budgets.amount"), Col("spent", kind="money"), Col("paid", kind="money"),
    Col("balance", kind="money"), Col("where"),
)


def _overlaps(key: Any, period: Period, config: OfficeConfig) -> bool:
    """A budget belongs to the handover when its own period overlaps P (or it has none)."""
    if _value(key) is None:
        return True
    try:
        own = parse_period(str(key), config, period.end)
    except Exception:  # a budget period nobody can read is shown rather than hidden
        return True
    return own.start <= period.end and own.end >= period.start


def budgets(office: OfficeData, period: Period, config: OfficeConfig) -> Section:
    """Each budget of the period: amount, spent (not 退回), paid (已报销), balance."""
    frame = _frame(office, "finance.budgets")
    frame = frame[frame["budget_id"].notna()]
    overlaps = pd.Series([_overlaps(k, period, config) for k in frame["period"]],
                         index=frame.index, dtype=bool)
    frame = frame[overlaps]  # a boolean mask: an empty list would pick no columns instead
    expenses = _frame(office, "finance.expenses")
    counted = expenses[expenses["status"].ne(RETURNED_EXPENSE).fillna(True)]
    spent = counted.groupby(counted["budget_id"].astype(str))["amount"].sum()
    paid_rows = counted[counted["status"].eq(PAID_EXPENSE).fillna(False)]
    paid = paid_rows.groupby(paid_rows["budget_id"].astype(str))["amount"].sum()
    rows = _rows(frame, BUDGET_COLUMNS)
    for row in rows:
        budget_id = str(row["budget_id"])
        amount = _money(row.get("amount"))
        row["amount"] = amount
        row["spent"] = _money(spent.get(budget_id, 0))
        row["paid"] = _money(paid.get(budget_id, 0))
        row["balance"] = None if amount is None else amount - row["spent"]
        row["where"] = _where(office, "finance.budgets", row.pop("_row"))
    return Section("budgets", BUDGET_COLUMNS, rows)


PENDING_BUDGET_COLUMNS = (
    reg("finance.budgets.budget_id"), reg("finance.budgets.activity"),
    reg("finance.budgets.department"), reg("finance.budgets.period"),
    reg("finance.budgets.amount"), reg("finance.budgets.submitted_on"),
    Col("approval_due", kind="date"), reg("finance.budgets.presidium_approved_on"),
    reg("finance.budgets.advisor_approved_on"), Col("budget_state"), Col("where"),
)


def pending_budgets(office: OfficeData, as_of: date, calendar: WorkCalendar,
                    policy: Policy) -> Section:
    """Budgets still waiting for the presidium's or the advisor's approval, with the day
    the approvals were due (budget_approval_workdays after submission), whatever their
    period: an approval still missing is handed over."""
    frame = _frame(office, "finance.budgets")
    listed = frame[(frame["presidium_approved_on"].isna() | frame["advisor_approved_on"].isna())
                   & frame["budget_id"].notna()]
    listed = listed.sort_values(["submitted_on", "_row"], kind="stable", na_position="last")
    rows = _rows(listed, PENDING_BUDGET_COLUMNS)
    for row, due in zip(rows, _due(budget_approval_due(listed, calendar, policy)),
                        strict=True):
        row["amount"] = _money(row.get("amount"))
        row["approval_due"] = due.date() if due is not None else None
        row["budget_state"] = ("not_submitted" if due is None
                               else "approval_overdue" if as_of > due.date() else "in_time")
        row["where"] = _where(office, "finance.budgets", row.pop("_row"))
    about = {"budget_approval_workdays": policy.shown_number("budget_approval_workdays")}
    return Section("pending_budgets", PENDING_BUDGET_COLUMNS, rows, about)


FINDING_COLUMNS = (Col("location"), Col("table"), Col("message"), Col("value"))


def error_findings(findings: list[Finding], table_label: Callable[[str, str], str]
                   ) -> Section:
    rows = [{"location": f.location, "table": table_label(f.register, f.table),
             "message": f.message, "value": f.value or None}
            for f in findings if f.severity == "error"]
    return Section("error_findings", FINDING_COLUMNS, rows)


def handover_checklist(office: OfficeData, findings: list[Finding], config: OfficeConfig,
                       period: Period, calendar: WorkCalendar, locale: str) -> Checklist:
    """The 交接清单 as of `period.as_of` (the configured run hour of that day)."""
    now = run_time(period.as_of, config.office.run_hour)
    policy = config.in_force
    sections = [
        open_loans(office, period.as_of),
        custodians(office, period.as_of),
        uncounted(office, period),
        open_cases(office, calendar, now, policy),
        open_documents(office, now, policy),
        open_inquiries(office, now, policy),
        unpaid_expenses(office),
        budgets(office, period, config),
        pending_budgets(office, period.as_of, calendar, policy),
        error_findings(findings, partial(table_label, locale=locale)),
    ]
    return Checklist(config.office.name, period, period.as_of, sections)
