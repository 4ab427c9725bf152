"""The reminder rules of RULES.md, as pure functions of the typed registers and the policy.

What each rule is called, the table it reads, the numbers and roles it uses and every word a
person reads about it are declared once in `automation/policy/rules.py` (`RULE_SPECS`);
here is only each rule's condition, one function per declared key. A rule looks at its
table as of `now` and says which rows are due a reminder, to whom, and at which level
(0: the person responsible; 1: the escalation to a department head or the president).
People are roster members, named by 学号; a row whose person cannot be named is still
returned, with no person, so it can be reported as undeliverable rather than dropped.

Every deadline, lead, escalation delay, department and role comes from the `Policy` in
force (`OfficeConfig.in_force`), never from a constant here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pandas as pd

from ..config import SemestersSection
from ..frames import TypedTable
from ..kpi.periods import Period, current_semester
from ..kpi.stocktakes import counted, ledger_items
from ..load import OfficeData
from ..policy import DEFAULT_POLICY, RULE_SPECS, Policy
from ..policy import statuses as S
from ..policy.model import holders
from ..workdays import WorkCalendar


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
    policy: Policy = DEFAULT_POLICY
    semesters: SemestersSection = field(default_factory=SemestersSection)
    """`[semesters]` of office.toml: the period a stocktake must fall in."""

    @property
    def today(self) -> date:
        return self.now.date()

    @property
    def semester(self) -> Period:
        """The current semester, as the KPIs' default period is."""
        return current_semester(self.semesters, self.today)

    @property
    def members(self) -> pd.DataFrame:
        return self.office.frame("roster.members")

    def head_of(self, department: str | None) -> str | None:
        """The serving head (`[policy.roles] head_role`) of a department (the first listed
        if several)."""
        if department is None:
            return None
        return _first(self.members, self.policy.role("head_role"), department)

    def heads_of(self, departments: pd.Series) -> pd.Series:
        """head_of for a whole column, looking each department up once."""
        heads = {d: self.head_of(d) for d in departments.dropna().unique()}
        return departments.map(heads)

    def office_head(self) -> str | None:
        """The head of `[policy.roles] office_department`."""
        return self.head_of(self.policy.role("office_department"))

    def rights_head(self) -> str | None:
        """The head of `[policy.roles] rights_department`."""
        return self.head_of(self.policy.role("rights_department"))

    def president(self) -> str | None:
        """The serving member holding `[policy.roles] president_role`."""
        return _first(self.members, self.policy.role("president_role"))

    def department_of(self, member_ids: pd.Series) -> pd.Series:
        members = self.members.dropna(subset=["member_id"]).drop_duplicates("member_id")
        return member_ids.map(dict(zip(members["member_id"], members["department"],
                                       strict=True)))

    def hours(self, key: str) -> pd.Timedelta:
        """A policy number of hours as a timedelta for whole columns."""
        return pd.Timedelta(self.policy.hours(key))

    def add_workdays(self, dates: pd.Series, key: str) -> pd.Series:
        """`add_workdays(d, <policy number key>)` for a whole column."""
        return self.calendar.add_workdays_series(dates, self.policy.workdays(key))


def _first(members: pd.DataFrame, role: str, department: str | None = None) -> str | None:
    found = holders(members, role, department)["member_id"]
    return str(found.iloc[0]) if len(found) else None


@dataclass(frozen=True)
class Send:
    """The rows of a rule's table due a reminder at one level, the person each goes to, the
    deadline a message refers to, and the role that has nobody when a person is missing."""

    mask: pd.Series
    person: pd.Series | str | None
    level: int
    deadline: pd.Series
    reason: str


Rule = Callable[[Context, pd.DataFrame], list[Send]]
"""A rule's condition: the context and its table's frame in, who is due what out."""

_RULES: dict[str, Rule] = {}


def rule(key: str) -> Callable[[Rule], Rule]:
    """Register the condition of the declared rule `key` (`RULE_SPECS`)."""
    def register(function: Rule) -> Rule:
        if key not in RULE_SPECS:
            raise RuntimeError(f"reminder rule {key!r} is not declared in "
                               "automation/policy/rules.py (RULE_SPECS)")
        if key in _RULES:
            raise RuntimeError(f"reminder rule {key!r} has two conditions")
        _RULES[key] = function
        return function
    return register


def _dues(key: str, tt: TypedTable, send: Send) -> list[Due]:
    """Turn a row mask into Due records (only the flagged rows are visited, column-wise:
    a large office flags thousands of rows and cell-by-cell lookups dominate)."""
    mask = send.mask.fillna(False).astype(bool)
    index = mask[mask].index
    if not len(index):
        return []
    primary = tt.table.primary_key
    frame = tt.frame.loc[index]
    records = frame[primary.key].tolist() if primary else [None] * len(index)
    person = send.person
    people = (person.reindex(index).tolist() if isinstance(person, pd.Series)
              else [person] * len(index))
    out: list[Due] = []
    for record, row, who, when in zip(records, frame["_row"].tolist(), people,
                                      send.deadline.reindex(index).tolist(), strict=True):
        who = None if who is None or (isinstance(who, float) and who != who) else str(who)
        out.append(Due(
            rule=key, register=tt.register, table=tt.table.key,
            record_id="" if record is None else str(record), sheet=tt.sheet,
            row=int(row), person=who, level=send.level,
            deadline=pd.Timestamp(when).to_pydatetime(),
            reason="" if who else send.reason,
        ))
    return out


# -- assets ----------------------------------------------------------------------------


def _loan_person(loans: pd.DataFrame) -> pd.Series:
    return loans["borrower_id"].where(loans["borrower_id"].notna(), loans["handled_by"])


@rule("loan_due_soon")
def loan_due_soon(ctx: Context, loans: pd.DataFrame) -> list[Send]:
    """Not returned, due the next working day: remind the borrower. A loan due on a weekend,
    a holiday or a closure before that day is reminded now too, or it would be overdue
    before its borrower heard of it."""
    tomorrow = pd.Timestamp(ctx.calendar.next_workday(ctx.today))
    mask = (loans["returned_on"].isna() & (loans["due_on"] > pd.Timestamp(ctx.today))
            & (loans["due_on"] <= tomorrow))
    return [Send(mask, _loan_person(loans), 0, loans["due_on"], "borrower")]


@rule("loan_overdue")
def loan_overdue(ctx: Context, loans: pd.DataFrame) -> list[Send]:
    """Not returned and past due: the borrower, and after loan_escalate_workdays the head
    of the handler's department."""
    today = pd.Timestamp(ctx.today)
    late = loans["returned_on"].isna() & (loans["due_on"] < today)
    escalate = late & (ctx.add_workdays(loans["due_on"], "loan_escalate_workdays") < today)
    heads = ctx.heads_of(ctx.department_of(loans["handled_by"]))
    return [Send(late, _loan_person(loans), 0, loans["due_on"], "borrower"),
            Send(escalate, heads, 1, loans["due_on"], "department_head")]


@rule("audit_due")
def audit_due(ctx: Context, items: pd.DataFrame) -> list[Send]:
    """Stocktake date reached: the custodian, with the head of office_department informed."""
    due = items["next_audit_on"] <= pd.Timestamp(ctx.today)
    return [Send(due, items["custodian_id"], 0, items["next_audit_on"], "custodian"),
            Send(due, ctx.office_head(), 1, items["next_audit_on"], "office_head")]


@rule("stocktake_missing")
def stocktake_missing(ctx: Context, items: pd.DataFrame) -> list[Send]:
    """A ledger item (not 报废) with no stocktake row in the current semester, from
    stocktake_remind_days calendar days before the semester's last day to that day: the
    custodian, with the head of office_department informed."""
    semester = ctx.semester
    end = pd.Timestamp(semester.end)
    today = pd.Timestamp(ctx.today)
    in_window = end - pd.Timedelta(ctx.policy.days("stocktake_remind_days")) <= today <= end
    ledger = ledger_items(items)
    missing = pd.Series(False, index=items.index)
    if in_window:
        checks = ctx.office.tables.get("assets.stocktakes")
        uncounted = ~counted(ledger, None if checks is None else checks.frame,
                             semester.start, semester.end)
        missing.loc[uncounted[uncounted].index] = True
    deadline = pd.Series(end, index=items.index)
    return [Send(missing, items["custodian_id"], 0, deadline, "custodian"),
            Send(missing, ctx.office_head(), 1, deadline, "office_head")]


# -- finance ---------------------------------------------------------------------------


def _receipts_missing(expenses: pd.DataFrame) -> pd.Series:
    """票据齐全 is 否 (an empty cell is not a missing receipt)."""
    return expenses["receipts_ok"].eq(False).fillna(False).astype(bool)


def _awaiting_audit(expenses: pd.DataFrame) -> pd.Series:
    return expenses["status"].eq(S.AWAITING_AUDIT).fillna(False).astype(bool)


@rule("expense_receipts_missing")
def expense_receipts_missing(ctx: Context, expenses: pd.DataFrame) -> list[Send]:
    """待审核 with 票据齐全 否: the claimant hands in the receipts (no escalation)."""
    mask = _awaiting_audit(expenses) & _receipts_missing(expenses)
    since = expenses["submitted_on"].fillna(pd.Timestamp(ctx.today))
    return [Send(mask, expenses["claimant_id"], 0, since, "claimant")]


@rule("expense_audit_overdue")
def expense_audit_overdue(ctx: Context, expenses: pd.DataFrame) -> list[Send]:
    """待审核, receipts not missing, beyond expense_audit_workdays after submission: the
    approver (else the head of office_department); beyond expense_escalate_workdays, the
    president too."""
    today = pd.Timestamp(ctx.today)
    deadline = ctx.add_workdays(expenses["submitted_on"], "expense_audit_workdays")
    waiting = _awaiting_audit(expenses) & ~_receipts_missing(expenses) & (today > deadline)
    approver = expenses["approver_id"].where(expenses["approver_id"].notna(),
                                             ctx.office_head())
    escalate = waiting & (today > ctx.add_workdays(expenses["submitted_on"],
                                                   "expense_escalate_workdays"))
    return [Send(waiting, approver, 0, deadline, "approver"),
            Send(escalate, ctx.president(), 1, deadline, "president")]


def budget_approval_due(budgets: pd.DataFrame, calendar: WorkCalendar,
                        policy: Policy) -> pd.Series:
    """The last day a budget's approvals are due: budget_approval_workdays after it was
    submitted (NaT when it was not)."""
    return calendar.add_workdays_series(budgets["submitted_on"],
                                        policy.workdays("budget_approval_workdays"))


@rule("budget_approval_pending")
def budget_approval_pending(ctx: Context, budgets: pd.DataFrame) -> list[Send]:
    """Submitted, an approval date missing, beyond budget_approval_workdays: the president
    for the presidium's approval, the head of the budget's department to chase the
    advisor's (one line, not two, for a head who is the president and owes both)."""
    deadline = budget_approval_due(budgets, ctx.calendar, ctx.policy)
    late = budgets["submitted_on"].notna() & (pd.Timestamp(ctx.today) > deadline)
    presidium = late & budgets["presidium_approved_on"].isna()
    advisor = late & budgets["advisor_approved_on"].isna()
    president = ctx.president()
    heads = ctx.heads_of(budgets["department"])
    if president is not None:
        advisor &= ~(presidium & heads.eq(president).fillna(False).astype(bool))
    return [Send(presidium, president, 0, deadline, "president"),
            Send(advisor, heads, 0, deadline, "department_head")]


# -- cases -----------------------------------------------------------------------------


def _open_case(cases: pd.DataFrame) -> pd.Series:
    return cases["status"].isin(S.OPEN_CASE).fillna(False).astype(bool)


@rule("case_response_overdue")
def case_response_overdue(ctx: Context, cases: pd.DataFrame) -> list[Send]:
    """An open case (待受理, 处理中) with no first response case_response_hours after it
    was received."""
    deadline = cases["received_at"] + ctx.hours("case_response_hours")
    late = (_open_case(cases) & cases["first_response_at"].isna()
            & (pd.Timestamp(ctx.now) > deadline))
    return [Send(late, cases["handler_id"], 0, deadline, "handler"),
            Send(late, ctx.rights_head(), 1, deadline, "rights_head")]


@rule("case_progress_overdue")
def case_progress_overdue(ctx: Context, cases: pd.DataFrame) -> list[Send]:
    """An open case with no progress report case_progress_workdays after it was received."""
    deadline = ctx.add_workdays(cases["received_at"], "case_progress_workdays")
    late = (cases["progress_at"].isna() & cases["resolved_at"].isna() & _open_case(cases)
            & (pd.Timestamp(ctx.today) > deadline))
    return [Send(late, cases["handler_id"], 0, deadline, "handler"),
            Send(late, ctx.rights_head(), 1, deadline, "rights_head")]


def referral_followup_due(cases: pd.DataFrame, calendar: WorkCalendar,
                          policy: Policy) -> pd.Series:
    """The day after which a referred case's outcome is asked for: referral_followup_workdays
    after the later of its receipt and its latest progress report."""
    latest = cases[["received_at", "progress_at"]].max(axis=1)
    return calendar.add_workdays_series(latest,
                                        policy.workdays("referral_followup_workdays"))


@rule("case_referral_followup")
def case_referral_followup(ctx: Context, cases: pd.DataFrame) -> list[Send]:
    """A case referred to another level (已转交), not resolved, referral_followup_workdays
    after its receipt or latest progress: the handler asks for the outcome."""
    deadline = referral_followup_due(cases, ctx.calendar, ctx.policy)
    due = (cases["status"].eq(S.REFERRED_CASE).fillna(False) & cases["resolved_at"].isna()
           & (pd.Timestamp(ctx.today) > deadline))
    return [Send(due, cases["handler_id"], 0, deadline, "handler")]


@rule("lost_found_unclaimed")
def lost_found_unclaimed(ctx: Context, found: pd.DataFrame) -> list[Send]:
    """An item still 待认领 lost_found_transfer_days calendar days after it was found: the
    head of office_department hands it to the school's lost-and-found (then 已移交)."""
    deadline = found["found_on"] + pd.Timedelta(ctx.policy.days("lost_found_transfer_days"))
    due = (found["status"].eq(S.UNCLAIMED).fillna(False).astype(bool)
           & (pd.Timestamp(ctx.today) >= deadline).fillna(False))
    return [Send(due, ctx.office_head(), 0, deadline, "office_head")]


# -- roster ----------------------------------------------------------------------------


@rule("meeting_notice_due")
def meeting_notice_due(ctx: Context, meetings: pd.DataFrame) -> list[Send]:
    """A meeting ahead whose notice (its kind's lead before the start) is due within
    NOTICE_HEADS_UP_HOURS and not yet sent."""
    notice_by = meetings["start_at"] - ctx.policy.notice_leads(meetings["kind"])
    now = pd.Timestamp(ctx.now)
    due = (meetings["notice_at"].isna() & (meetings["start_at"] > now)
           & (now >= notice_by - pd.Timedelta(hours=S.NOTICE_HEADS_UP_HOURS)))
    return [Send(due, meetings["organizer_id"], 0, notice_by, "organizer")]


@rule("minutes_overdue")
def minutes_overdue(ctx: Context, meetings: pd.DataFrame) -> list[Send]:
    """Minutes not published minutes_hours after a meeting began."""
    deadline = meetings["start_at"] + ctx.hours("minutes_hours")
    late = meetings["minutes_at"].isna() & (pd.Timestamp(ctx.now) > deadline)
    return [Send(late, meetings["organizer_id"], 0, deadline, "organizer"),
            Send(late, ctx.office_head(), 1, deadline, "office_head")]


@rule("task_overdue")
def task_overdue(ctx: Context, tasks: pd.DataFrame) -> list[Send]:
    """A task past due and not done: its owner, and after task_escalate_workdays the head
    of the task's department."""
    today = pd.Timestamp(ctx.today)
    late = tasks["done_on"].isna() & (tasks["due_on"] < today)
    department = tasks["department"].where(tasks["department"].notna(),
                                           ctx.department_of(tasks["owner_id"]))
    escalate = late & (ctx.add_workdays(tasks["due_on"], "task_escalate_workdays") < today)
    return [Send(late, tasks["owner_id"], 0, tasks["due_on"], "owner"),
            Send(escalate, ctx.heads_of(department), 1, tasks["due_on"],
                 "department_head")]


# -- office affairs: documents, inquiries and their fixes ------------------------------


def _yes(column: pd.Series) -> pd.Series:
    """A 是/否 column that says 是 (an empty cell is not a yes)."""
    return column.eq(True).fillna(False).astype(bool)


def document_flow_due(documents: pd.DataFrame, policy: Policy) -> pd.Series:
    """When each document must be routed: received_at + the hours of its urgency."""
    return documents["received_at"] + policy.flow_limits(documents["urgency"])


def inquiry_reply_due(inquiries: pd.DataFrame, policy: Policy) -> pd.Series:
    """When each inquiry must be answered: received_at + the reply hours of its kind (or
    urgent_reply_hours when it is urgent)."""
    return inquiries["received_at"] + policy.reply_limits(inquiries["kind"],
                                                          inquiries["urgent"])


@rule("document_flow_overdue")
def document_flow_overdue(ctx: Context, documents: pd.DataFrame) -> list[Send]:
    """A document still 待流转, not routed document_flow_hours (紧急:
    document_flow_urgent_hours) after it was received: clock hours, as of `now`."""
    deadline = document_flow_due(documents, ctx.policy)
    late = (documents["status"].eq(S.DOCUMENT_TO_ROUTE).fillna(False).astype(bool)
            & documents["forwarded_at"].isna() & (pd.Timestamp(ctx.now) > deadline))
    return [Send(late, documents["handler_id"], 0, deadline, "handler"),
            Send(late, ctx.office_head(), 1, deadline, "office_head")]


@rule("inquiry_reply_overdue")
def inquiry_reply_overdue(ctx: Context, inquiries: pd.DataFrame) -> list[Send]:
    """An inquiry 待回复 with no reply past the reply hours of its kind: the handler, and
    the head of the handler's department."""
    deadline = inquiry_reply_due(inquiries, ctx.policy)
    late = (inquiries["status"].eq(S.AWAITING_REPLY).fillna(False).astype(bool)
            & inquiries["replied_at"].isna() & (pd.Timestamp(ctx.now) > deadline))
    heads = ctx.heads_of(ctx.department_of(inquiries["handler_id"]))
    return [Send(late, inquiries["handler_id"], 0, deadline, "handler"),
            Send(late, heads, 1, deadline, "department_head")]


@rule("fix_overdue")
def fix_overdue(ctx: Context, inquiries: pd.DataFrame) -> list[Send]:
    """A fix (需要整改 是) not done by its fix_due_on: the handler, and the head of
    office_department."""
    late = (_yes(inquiries["needs_fix"]) & inquiries["fixed_on"].isna()
            & (inquiries["fix_due_on"] < pd.Timestamp(ctx.today)))
    return [Send(late, inquiries["handler_id"], 0, inquiries["fix_due_on"], "handler"),
            Send(late, ctx.office_head(), 1, inquiries["fix_due_on"], "office_head")]


def _every_rule() -> dict[str, Rule]:
    """The conditions in RULE_SPECS order; a declared rule without a condition, or a
    condition without a declaration, stops the import."""
    missing = [key for key in RULE_SPECS if key not in _RULES]
    if missing:
        raise RuntimeError("reminder rules declared in automation/policy/rules.py without a "
                           f"condition in automation/reminders/rules.py: {', '.join(missing)}")
    return {key: _RULES[key] for key in RULE_SPECS}


RULES: dict[str, Rule] = _every_rule()
"""Every rule, in the order a digest lists them (RULE_SPECS order)."""


def due_now(office: OfficeData, now: datetime, calendar: WorkCalendar,
            policy: Policy = DEFAULT_POLICY, semesters: SemestersSection | None = None
            ) -> list[Due]:
    """Every rule over the tables that were read, as of `now` (local, naive), under
    `policy` (pass `config.in_force`) and the office's `semesters` (`config.semesters`)."""
    if "roster.members" not in office.tables:
        return []
    ctx = Context(office, now, calendar, policy, semesters or SemestersSection())
    out: list[Due] = []
    for key, condition in RULES.items():
        table = RULE_SPECS[key].table
        if table not in office.tables:
            continue
        tt = office[table]
        for send in condition(ctx, tt.frame):
            out.extend(_dues(key, tt, send))
    return out


def rule_order(rule_key: str) -> int:
    """A rule's place in a digest (RULE_SPECS order); an unknown key goes last."""
    try:
        return list(RULE_SPECS).index(rule_key)
    except ValueError:
        return len(RULE_SPECS)


def run_time(today: date, run_hour: int) -> datetime:
    """`--today D` runs as of D at the configured run hour."""
    return datetime.combine(today, datetime.min.time()) + timedelta(hours=run_hour)
