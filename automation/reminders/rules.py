"""The nine reminder rules of RULES.md, as pure functions of the typed registers.

Each rule looks at one table as of `now` and says which records are due a
reminder, to whom, and at which level (0: the person responsible; 1: the
escalation to a department head or the president). People are roster members,
named by 学号; a record whose person cannot be named is still returned, with no
person, so it can be reported as undeliverable rather than dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

from ..frames import TypedTable
from ..load import OfficeData
from ..workdays import WorkCalendar

OFFICE = "办公室"
RIGHTS = "权益服务部"
HEAD_ROLE = "部长"
PRESIDENT_ROLE = "主席"
OPEN_CASE = ("待受理", "处理中")
NOTICE_LEAD_HOURS = {"例会": 48, "重大": 72}
ESCALATE_AFTER_WORKDAYS = 3
EXPENSE_AUDIT_WORKDAYS = 2
EXPENSE_ESCALATE_WORKDAYS = 5
CASE_PROGRESS_WORKDAYS = 5


@dataclass(frozen=True)
class Due:
    """One record due a reminder, for one person (None: nobody could be named)."""

    rule: str
    register: str
    table: str
    record_id: str
    sheet: str
    row: int
    person: str | None
    level: int
    deadline: datetime
    """When it fell (or falls) due: what "since when" in a message refers to."""
    reason: str = ""
    """Why `person` is None: the role that has nobody in the roster."""


@dataclass(frozen=True)
class Context:
    """Everything a rule may look at besides its own table."""

    office: OfficeData
    now: datetime
    calendar: WorkCalendar

    @property
    def today(self) -> date:
        return self.now.date()

    @property
    def members(self) -> pd.DataFrame:
        return self.office.frame("roster.members")

    def head_of(self, department: str | None) -> str | None:
        """The serving 部长 of a department (the first listed if several)."""
        return _first(self.members, department=department, role=HEAD_ROLE)

    def heads_of(self, departments: pd.Series) -> pd.Series:
        """head_of for a whole column, looking each department up once."""
        heads = {d: self.head_of(d) for d in departments.dropna().unique()}
        return departments.map(heads)

    def president(self) -> str | None:
        return _first(self.members, role=PRESIDENT_ROLE)

    def department_of(self, member_ids: pd.Series) -> pd.Series:
        members = self.members.dropna(subset=["member_id"]).drop_duplicates("member_id")
        return member_ids.map(dict(zip(members["member_id"], members["department"],
                                       strict=True)))


def _first(members: pd.DataFrame, **equal: str | None) -> str | None:
    mask = members["status"].eq("在任").fillna(False)
    for column, value in equal.items():
        mask &= members[column].eq(value).fillna(False)
    found = members.loc[mask, "member_id"].dropna()
    return str(found.iloc[0]) if len(found) else None


def _dues(
    rule: str, tt: TypedTable, mask: pd.Series, person: pd.Series | str | None, level: int,
    deadline: pd.Series, reason: str = "",
) -> list[Due]:
    """Turn a row mask into Due records (only the flagged rows are visited, column-wise:
    a large office flags thousands of rows and cell-by-cell lookups dominate)."""
    mask = mask.fillna(False).astype(bool)
    index = mask[mask].index
    if not len(index):
        return []
    key = tt.table.primary_key
    frame = tt.frame.loc[index]
    records = frame[key.key].tolist() if key else [None] * len(index)
    people = (person.reindex(index).tolist() if isinstance(person, pd.Series)
              else [person] * len(index))
    out: list[Due] = []
    for record, row, who, when in zip(records, frame["_row"].tolist(), people,
                                      deadline.reindex(index).tolist(), strict=True):
        who = None if who is None or (isinstance(who, float) and who != who) else str(who)
        out.append(Due(
            rule=rule, register=tt.register, table=tt.table.key,
            record_id="" if record is None else str(record), sheet=tt.sheet,
            row=int(row), person=who, level=level,
            deadline=pd.Timestamp(when).to_pydatetime(),
            reason="" if who else reason,
        ))
    return out


def _hours(n: float) -> pd.Timedelta:
    return pd.Timedelta(hours=n)


# -- assets ----------------------------------------------------------------------------


def _loan_person(loans: pd.DataFrame) -> pd.Series:
    return loans["borrower_id"].where(loans["borrower_id"].notna(), loans["handled_by"])


def loan_due_soon(ctx: Context) -> list[Due]:
    """Not returned, due the next working day: remind the borrower."""
    tt = ctx.office["assets.loans"]
    loans = tt.frame
    tomorrow = pd.Timestamp(ctx.calendar.next_workday(ctx.today))
    mask = loans["returned_on"].isna() & loans["due_on"].eq(tomorrow)
    return _dues("loan_due_soon", tt, mask, _loan_person(loans), 0, loans["due_on"],
                 "borrower")


def loan_overdue(ctx: Context) -> list[Due]:
    """Not returned and past due: the borrower, and after 3 working days the head of the
    handler's department."""
    tt = ctx.office["assets.loans"]
    loans = tt.frame
    today = pd.Timestamp(ctx.today)
    late = loans["returned_on"].isna() & (loans["due_on"] < today)
    dues = _dues("loan_overdue", tt, late, _loan_person(loans), 0, loans["due_on"],
                 "borrower")
    escalate = late & (ctx.calendar.add_workdays_series(loans["due_on"],
                                                         ESCALATE_AFTER_WORKDAYS) < today)
    heads = ctx.heads_of(ctx.department_of(loans["handled_by"]))
    dues += _dues("loan_overdue", tt, escalate, heads, 1, loans["due_on"], "department_head")
    return dues


def audit_due(ctx: Context) -> list[Due]:
    """Stocktake date reached: the custodian, with the head of 办公室 informed."""
    tt = ctx.office["assets.items"]
    items = tt.frame
    due = items["next_audit_on"] <= pd.Timestamp(ctx.today)
    dues = _dues("audit_due", tt, due, items["custodian_id"], 0, items["next_audit_on"],
                 "custodian")
    dues += _dues("audit_due", tt, due, ctx.head_of(OFFICE), 1, items["next_audit_on"],
                  "office_head")
    return dues


# -- finance ---------------------------------------------------------------------------


def expense_audit_overdue(ctx: Context) -> list[Due]:
    """待审核 beyond 2 working days after submission: the approver (else the head of
    办公室); beyond 5 working days, the president too."""
    tt = ctx.office["finance.expenses"]
    expenses = tt.frame
    today = pd.Timestamp(ctx.today)
    deadline = ctx.calendar.add_workdays_series(expenses["submitted_on"],
                                                EXPENSE_AUDIT_WORKDAYS)
    waiting = expenses["status"].eq("待审核").fillna(False) & (today > deadline)
    approver = expenses["approver_id"].where(expenses["approver_id"].notna(),
                                             ctx.head_of(OFFICE))
    dues = _dues("expense_audit_overdue", tt, waiting, approver, 0, deadline, "approver")
    escalate = waiting & (today > ctx.calendar.add_workdays_series(
        expenses["submitted_on"], EXPENSE_ESCALATE_WORKDAYS))
    dues += _dues("expense_audit_overdue", tt, escalate, ctx.president(), 1, deadline,
                  "president")
    return dues


# -- cases -----------------------------------------------------------------------------


def case_response_overdue(ctx: Context) -> list[Due]:
    """No first response 24 hours after a case was received."""
    tt = ctx.office["cases.cases"]
    cases = tt.frame
    deadline = cases["received_at"] + _hours(24)
    late = cases["first_response_at"].isna() & (pd.Timestamp(ctx.now) > deadline)
    dues = _dues("case_response_overdue", tt, late, cases["handler_id"], 0, deadline,
                 "handler")
    dues += _dues("case_response_overdue", tt, late, ctx.head_of(RIGHTS), 1, deadline,
                  "department_head")
    return dues


def case_progress_overdue(ctx: Context) -> list[Due]:
    """An open case with no progress report 5 working days after it was received."""
    tt = ctx.office["cases.cases"]
    cases = tt.frame
    deadline = ctx.calendar.add_workdays_series(cases["received_at"], CASE_PROGRESS_WORKDAYS)
    late = (cases["progress_at"].isna() & cases["resolved_at"].isna()
            & cases["status"].isin(OPEN_CASE) & (pd.Timestamp(ctx.today) > deadline))
    dues = _dues("case_progress_overdue", tt, late, cases["handler_id"], 0, deadline,
                 "handler")
    dues += _dues("case_progress_overdue", tt, late, ctx.head_of(RIGHTS), 1, deadline,
                  "department_head")
    return dues


# -- roster ----------------------------------------------------------------------------


def meeting_notice_due(ctx: Context) -> list[Due]:
    """A meeting ahead whose notice (48 h before a 例会, 72 h before a 重大) is due within
    24 hours and not yet sent."""
    tt = ctx.office["roster.meetings"]
    meetings = tt.frame
    lead = meetings["kind"].map(NOTICE_LEAD_HOURS).astype("float64")
    notice_by = meetings["start_at"] - pd.to_timedelta(lead, unit="h")
    now = pd.Timestamp(ctx.now)
    due = (meetings["notice_at"].isna() & (meetings["start_at"] > now)
           & (now >= notice_by - _hours(24)))
    return _dues("meeting_notice_due", tt, due, meetings["organizer_id"], 0, notice_by,
                 "organizer")


def minutes_overdue(ctx: Context) -> list[Due]:
    """Minutes not published 48 hours after a meeting began."""
    tt = ctx.office["roster.meetings"]
    meetings = tt.frame
    deadline = meetings["start_at"] + _hours(48)
    late = meetings["minutes_at"].isna() & (pd.Timestamp(ctx.now) > deadline)
    dues = _dues("minutes_overdue", tt, late, meetings["organizer_id"], 0, deadline,
                 "organizer")
    dues += _dues("minutes_overdue", tt, late, ctx.head_of(OFFICE), 1, deadline,
                  "office_head")
    return dues


def task_overdue(ctx: Context) -> list[Due]:
    """A task past due and not done: its owner, and after 3 working days the head of the
    task's department."""
    tt = ctx.office["roster.tasks"]
    tasks = tt.frame
    today = pd.Timestamp(ctx.today)
    late = tasks["done_on"].isna() & (tasks["due_on"] < today)
    dues = _dues("task_overdue", tt, late, tasks["owner_id"], 0, tasks["due_on"], "owner")
    department = tasks["department"].where(tasks["department"].notna(),
                                           ctx.department_of(tasks["owner_id"]))
    escalate = late & (ctx.calendar.add_workdays_series(tasks["due_on"],
                                                         ESCALATE_AFTER_WORKDAYS) < today)
    dues += _dues("task_overdue", tt, escalate, ctx.heads_of(department), 1,
                  tasks["due_on"], "department_head")
    return dues


RULES: dict[str, Callable[[Context], list[Due]]] = {
    "loan_due_soon": loan_due_soon,
    "loan_overdue": loan_overdue,
    "audit_due": audit_due,
    "expense_audit_overdue": expense_audit_overdue,
    "case_response_overdue": case_response_overdue,
    "case_progress_overdue": case_progress_overdue,
    "meeting_notice_due": meeting_notice_due,
    "minutes_overdue": minutes_overdue,
    "task_overdue": task_overdue,
}
"""Every rule, in the order a digest lists them."""

RULE_TABLES = {
    "loan_due_soon": "assets.loans", "loan_overdue": "assets.loans",
    "audit_due": "assets.items", "expense_audit_overdue": "finance.expenses",
    "case_response_overdue": "cases.cases", "case_progress_overdue": "cases.cases",
    "meeting_notice_due": "roster.meetings", "minutes_overdue": "roster.meetings",
    "task_overdue": "roster.tasks",
}


def due_now(office: OfficeData, now: datetime, calendar: WorkCalendar) -> list[Due]:
    """Every rule over the tables that were read, as of `now` (local, naive)."""
    if "roster.members" not in office.tables:
        return []
    ctx = Context(office, now, calendar)
    out: list[Due] = []
    for name, rule in RULES.items():
        if RULE_TABLES[name] in office.tables:
            out.extend(rule(ctx))
    return out


def run_time(today: date, run_hour: int) -> datetime:
    """`--today D` runs as of D at the configured run hour."""
    return datetime.combine(today, datetime.min.time()) + timedelta(hours=run_hour)
