"""The KPIs of RULES.md, computed. What each KPI is — its label, population, what counts as
good, its measure and the policy numbers it reads — is declared once in
`automation/policy/kpis.py`; here is one function per declared key that returns its
population for a period: one row per record, with the record's department and what it
contributes (whether it counts as good; its working days; its budget and spending). Every
deadline, lead and target comes from the office's `Policy`; none lives here.

The rollup (overall, per department, per unit, all units) is shared and sums numerators and
denominators, never averages of percentages. How a value is made and judged follows the
KPI's `Measure`: a RATE is good / all and met when value ≥ target; MEAN_DAYS is days /
records and met when value ≤ target; MEAN_SCORE is 5-point scores / records and met when
value ≥ target; a DEVIATION is (Σ spent − Σ budget) / Σ budget, signed, and met when
|value| ≤ target. A KPI declared with a floor (the satisfaction score) also marks each
department whose value is below that share of full marks (it owes a rectification plan).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

import pandas as pd

from ..i18n import t
from ..load import OfficeData
from ..policy import DEFAULT_POLICY, KPI_SPECS, SCORE_POINTS, KpiSpec, Measure, Policy
from ..policy.statuses import (
    GOOD_ATTENDANCE,
    GOOD_CONDITION,
    RESOLVED_CASE,
    RETURNED_EXPENSE,
    TRAINING,
)
from ..workdays import WorkCalendar
from .assets import AssetReport, asset_report
from .members import MemberFigures, member_figures
from .periods import Period
from .stocktakes import UncountedItem, counted, latest_counts, ledger_items, uncounted_list

_EPSILON = 1e-12
"""Room for floating point at a boundary: a value exactly at its target meets it."""


@dataclass(frozen=True)
class Scope:
    """What a KPI looks at: one office's typed registers, the period, the calendar and the
    policy whose deadlines decide what counts."""

    office: OfficeData
    period: Period
    calendar: WorkCalendar
    policy: Policy

    def frame(self, name: str) -> pd.DataFrame | None:
        table = self.office.tables.get(name)
        return None if table is None else table.frame

    def within(self, values: pd.Series) -> pd.Series:
        """Dates (or datetimes, by their date) falling in the period."""
        days = values.dt.normalize()
        return (days >= pd.Timestamp(self.period.start)) & (days <= pd.Timestamp(
            self.period.end))

    def hours(self, key: str) -> pd.Timedelta:
        """An hour deadline of the policy, ready to add to a datetime column."""
        return pd.Timedelta(self.policy.hours(key))

    @property
    def as_of(self) -> pd.Timestamp:
        return pd.Timestamp(self.period.as_of)

    @property
    def as_of_end(self) -> pd.Timestamp:
        """The end of the as-of day: `... ≤ as_of end of day`."""
        return self.as_of + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)

    @cached_property
    def _departments_by_member(self) -> pd.Series | None:
        """member_id -> department, built once per scope: a dozen KPIs ask it."""
        members = self.frame("roster.members")
        if members is None:
            return None
        known = members.dropna(subset=["member_id"]).drop_duplicates("member_id")
        return pd.Series(known["department"].to_numpy(object),
                         index=pd.Index(known["member_id"], dtype=object))

    def member_department(self, ids: pd.Series) -> pd.Series:
        lookup = self._departments_by_member
        if lookup is None or lookup.empty:
            return pd.Series(None, index=ids.index, dtype=object)
        found = lookup.index.get_indexer(ids.astype(object))
        departments = lookup.to_numpy()[found]
        departments[found < 0] = None
        return pd.Series(departments, index=ids.index, dtype=object)


Population = Callable[[Scope], pd.DataFrame]
"""A KPI's records in a scope: a frame with `department` and, by the KPI's measure, `good`
(RATE), `amount` (MEAN_DAYS: working days; MEAN_SCORE: the score out of 5) or `budget` and
`spent` (DEVIATION: cents)."""

POPULATIONS: dict[str, Population] = {}
"""KPI key -> its population function; filled by `@_kpi` below, checked against
KPI_SPECS at import."""


def _kpi(function: Population) -> Population:
    """Register `function` as the population of the KPI of the same name."""
    POPULATIONS[function.__name__] = function
    return function


def _population(department: pd.Series, good: pd.Series, amount: pd.Series | None = None
                ) -> pd.DataFrame:
    frame = pd.DataFrame({"department": department.astype(object),
                          "good": good.fillna(False).astype(bool)})
    if amount is not None:
        frame["amount"] = amount.astype("float64")
    return frame


def _empty() -> pd.DataFrame:
    return pd.DataFrame({"department": pd.Series(dtype=object), "good": pd.Series(dtype=bool),
                         "amount": pd.Series(dtype="float64"),
                         "budget": pd.Series(dtype="int64"), "spent": pd.Series(dtype="int64")})


def _own_or_member(frame: pd.DataFrame, scope: Scope, member: str) -> pd.Series:
    own = frame["department"] if "department" in frame else pd.Series(None, index=frame.index)
    return own.where(own.notna(), scope.member_department(frame[member]))


# -- one population per declared KPI, in KPI_SPECS order ------------------------------


@_kpi
def meeting_notice_on_time(scope: Scope) -> pd.DataFrame:
    """Meetings held in P up to as_of; good when noticed at least the lead of their kind
    (meeting_notice_hours for a 例会, meeting_notice_major_hours for a 重大) ahead."""
    meetings = scope.frame("roster.meetings")
    if meetings is None:
        return _empty()
    m = meetings[scope.within(meetings["start_at"])
                 & (meetings["start_at"].dt.normalize() <= scope.as_of)]
    lead = scope.policy.notice_leads(m["kind"])
    good = m["notice_at"].notna() & ((m["start_at"] - m["notice_at"]) >= lead)
    return _population(scope.member_department(m["organizer_id"]), good)


@_kpi
def minutes_on_time(scope: Scope) -> pd.DataFrame:
    """Meetings in P whose minutes deadline (start + minutes_hours) has come by the end of
    as_of; good when the minutes were out by then."""
    meetings = scope.frame("roster.meetings")
    if meetings is None:
        return _empty()
    deadline = meetings["start_at"] + scope.hours("minutes_hours")
    m = meetings[scope.within(meetings["start_at"]) & (deadline <= scope.as_of_end)]
    good = m["minutes_at"].notna() & (m["minutes_at"] <= deadline[m.index])
    return _population(scope.member_department(m["organizer_id"]), good)


def _expense_departments(scope: Scope, expenses: pd.DataFrame) -> pd.Series:
    budgets = scope.frame("finance.budgets")
    if budgets is None:
        return pd.Series(None, index=expenses.index, dtype=object)
    known = budgets.dropna(subset=["budget_id"]).drop_duplicates("budget_id")
    return expenses["budget_id"].map(dict(zip(known["budget_id"], known["department"],
                                              strict=True)))


@_kpi
def reimbursement_audit_days(scope: Scope) -> pd.DataFrame:
    """Claims audited in P: the working days from submission to audit (the mean is judged
    against the KPI's own target, ≤ 2.0 by default)."""
    expenses = scope.frame("finance.expenses")
    if expenses is None:
        return _empty()
    e = expenses[scope.within(expenses["approved_on"]) & expenses["submitted_on"].notna()]
    days = scope.calendar.workdays_between_series(e["submitted_on"], e["approved_on"])
    return _population(_expense_departments(scope, e), pd.Series(True, index=e.index), days)


@_kpi
def reimbursement_submitted_on_time(scope: Scope) -> pd.DataFrame:
    """Claims spent in P whose submission deadline (expense_submit_workdays after spending)
    is on or before as_of; good when submitted by then."""
    expenses = scope.frame("finance.expenses")
    if expenses is None:
        return _empty()
    deadline = scope.calendar.add_workdays_series(
        expenses["spent_on"], scope.policy.workdays("expense_submit_workdays"))
    e = expenses[scope.within(expenses["spent_on"]) & (deadline <= scope.as_of)]
    good = e["submitted_on"].notna() & (e["submitted_on"] <= deadline[e.index])
    return _population(_expense_departments(scope, e), good)


@_kpi
def budget_deviation(scope: Scope) -> pd.DataFrame:
    """Budgets whose `period` is P (a budget without a positive amount cannot be measured
    against): each with its amount and what its claims not 退回 spent, in cents."""
    budgets = scope.frame("finance.budgets")
    if budgets is None:
        return _empty()
    b = budgets[budgets["period"].astype("string").str.strip().str.lower()
                .eq(scope.period.key.lower()).fillna(False) & budgets["amount"].notna()
                & (budgets["amount"] > 0).fillna(False)]
    spent = pd.Series(0, index=b.index, dtype="int64")
    expenses = scope.frame("finance.expenses")
    if expenses is not None:
        counted = expenses[expenses["status"].ne(RETURNED_EXPENSE).fillna(True)]
        sums = counted["amount"].fillna(0).astype("int64").groupby(counted["budget_id"]).sum()
        spent = b["budget_id"].map(sums).fillna(0).astype("int64")
    return pd.DataFrame({"department": b["department"].astype(object),
                         "budget": b["amount"].astype("int64"), "spent": spent})


@_kpi
def budget_approval_days(scope: Scope) -> pd.DataFrame:
    """Budgets whose later approval (presidium and advisor both approved) falls in P and
    that have `submitted_on`: the working days from submission to that later approval
    (the mean is judged against budget_approval_workdays unless the office set a target)."""
    budgets = scope.frame("finance.budgets")
    if budgets is None:
        return _empty()
    approvals = budgets[["presidium_approved_on", "advisor_approved_on"]]
    later = approvals.max(axis=1).where(approvals.notna().all(axis=1))
    b = budgets[later.notna() & scope.within(later) & budgets["submitted_on"].notna()]
    days = scope.calendar.workdays_between_series(b["submitted_on"], later[b.index])
    return _population(b["department"], pd.Series(True, index=b.index), days)


def _item_departments(scope: Scope, tags: pd.Series) -> pd.Series:
    """The department of each asset tag: its item's own, else its custodian's."""
    items = scope.frame("assets.items")
    if items is None:
        return pd.Series(None, index=tags.index, dtype=object)
    known = items.dropna(subset=["asset_tag"]).drop_duplicates("asset_tag")
    own = _own_or_member(known, scope, "custodian_id")
    return tags.map(dict(zip(known["asset_tag"], own, strict=True)))


def _latest_counts(scope: Scope) -> pd.DataFrame | None:
    """Each item's latest stocktake row in P (None without a stocktake sheet)."""
    checks = scope.frame("assets.stocktakes")
    if checks is None:
        return None
    return latest_counts(checks, scope.period.start, scope.period.end)


@_kpi
def asset_good_rate(scope: Scope) -> pd.DataFrame:
    latest = _latest_counts(scope)
    if latest is None:
        return _empty()
    good = latest["found"].fillna(False).astype(bool) & latest["condition"].eq(GOOD_CONDITION)
    return _population(_item_departments(scope, latest["asset_tag"]), good)


@_kpi
def stocktake_coverage(scope: Scope) -> pd.DataFrame:
    """Ledger items not 报废; good when a stocktake row in P counts them. A period that has
    not begun has nothing to count yet: no value, not 0 %."""
    items = scope.frame("assets.items")
    if items is None or scope.as_of < pd.Timestamp(scope.period.start):
        return _empty()
    ledger = ledger_items(items)
    good = counted(ledger, scope.frame("assets.stocktakes"), scope.period.start,
                   scope.period.end)
    return _population(_own_or_member(ledger, scope, "custodian_id"), good)


@_kpi
def stocktake_accuracy(scope: Scope) -> pd.DataFrame:
    """Items counted in P, each by its latest row; good when that row found it (是否在库 是)."""
    latest = _latest_counts(scope)
    if latest is None:
        return _empty()
    good = latest["found"].eq(True).fillna(False).astype(bool)
    return _population(_item_departments(scope, latest["asset_tag"]), good)


@_kpi
def loan_record_complete(scope: Scope) -> pd.DataFrame:
    loans = scope.frame("assets.loans")
    if loans is None:
        return _empty()
    loan = loans[scope.within(loans["borrowed_on"])]
    present = loan[["borrower", "borrower_phone", "borrowed_on", "due_on",
                    "handled_by"]].notna().all(axis=1)
    settled = ((loan["returned_on"].notna() & loan["return_condition"].notna())
               | (loan["due_on"] >= scope.as_of))
    return _population(scope.member_department(loan["handled_by"]), present & settled)


@_kpi
def training_attendance(scope: Scope) -> pd.DataFrame:
    rows = scope.frame("roster.attendance")
    if rows is None:
        return _empty()
    a = rows[rows["kind"].eq(TRAINING).fillna(False) & scope.within(rows["date"])]
    return _population(scope.member_department(a["member_id"]),
                       a["status"].isin(GOOD_ATTENDANCE))


@_kpi
def task_on_time(scope: Scope) -> pd.DataFrame:
    tasks = scope.frame("roster.tasks")
    if tasks is None:
        return _empty()
    task = tasks[scope.within(tasks["due_on"]) & (tasks["due_on"] <= scope.as_of)]
    good = (task["done_on"].notna() & (task["done_on"] <= task["due_on"])
            & task["quality_ok"].ne(False).fillna(True))
    return _population(_own_or_member(task, scope, "owner_id"), good)


@_kpi
def case_response_24h(scope: Scope) -> pd.DataFrame:
    """Cases received in P whose response deadline (receipt + case_response_hours) has come
    by the end of as_of; good when first answered by then. The key keeps its name whatever
    the hours."""
    cases = scope.frame("cases.cases")
    if cases is None:
        return _empty()
    deadline = cases["received_at"] + scope.hours("case_response_hours")
    c = cases[scope.within(cases["received_at"]) & (deadline <= scope.as_of_end)]
    good = c["first_response_at"].notna() & (c["first_response_at"] <= deadline[c.index])
    return _population(scope.member_department(c["handler_id"]), good)


@_kpi
def case_progress_5wd(scope: Scope) -> pd.DataFrame:
    """Cases received in P whose progress deadline (case_progress_workdays after receipt)
    is on or before as_of; good when progress or resolution came by that day."""
    cases = scope.frame("cases.cases")
    if cases is None:
        return _empty()
    deadline = scope.calendar.add_workdays_series(
        cases["received_at"], scope.policy.workdays("case_progress_workdays"))
    c = cases[scope.within(cases["received_at"]) & (deadline <= scope.as_of)]
    first = c[["progress_at", "resolved_at"]].min(axis=1)
    good = first.notna() & (first.dt.normalize() <= deadline[c.index])
    return _population(scope.member_department(c["handler_id"]), good)


@_kpi
def case_resolution_rate(scope: Scope) -> pd.DataFrame:
    cases = scope.frame("cases.cases")
    if cases is None:
        return _empty()
    c = cases[scope.within(cases["received_at"])]
    return _population(scope.member_department(c["handler_id"]),
                       c["status"].isin(RESOLVED_CASE))


@_kpi
def document_flow_on_time(scope: Scope) -> pd.DataFrame:
    """Documents received in P whose routing deadline (receipt + document_flow_hours, or
    document_flow_urgent_hours when 紧急) has come by the end of as_of; good when routed by
    then."""
    documents = scope.frame("cases.documents")
    if documents is None:
        return _empty()
    deadline = documents["received_at"] + scope.policy.flow_limits(documents["urgency"])
    d = documents[scope.within(documents["received_at"]) & (deadline <= scope.as_of_end)]
    good = d["forwarded_at"].notna() & (d["forwarded_at"] <= deadline[d.index])
    return _population(_own_or_member(d, scope, "handler_id"), good)


@_kpi
def inquiry_reply_on_time(scope: Scope) -> pd.DataFrame:
    """Inquiries received in P whose reply deadline (receipt + the reply hours of their
    kind, urgent_reply_hours when urgent) has come by the end of as_of; good when answered
    by then."""
    inquiries = scope.frame("cases.inquiries")
    if inquiries is None:
        return _empty()
    deadline = inquiries["received_at"] + scope.policy.reply_limits(inquiries["kind"],
                                                                   inquiries["urgent"])
    i = inquiries[scope.within(inquiries["received_at"]) & (deadline <= scope.as_of_end)]
    good = i["replied_at"].notna() & (i["replied_at"] <= deadline[i.index])
    return _population(_own_or_member(i, scope, "handler_id"), good)


@_kpi
def rectification_rate(scope: Scope) -> pd.DataFrame:
    """Inquiries that need a fix (需要整改 是) due in P, on or before as_of; good when fixed
    by the due day."""
    inquiries = scope.frame("cases.inquiries")
    if inquiries is None:
        return _empty()
    due = inquiries["fix_due_on"]
    i = inquiries[inquiries["needs_fix"].eq(True).fillna(False).astype(bool)
                  & scope.within(due) & (due.dt.normalize() <= scope.as_of)]
    good = i["fixed_on"].notna() & (i["fixed_on"] <= i["fix_due_on"])
    return _population(_own_or_member(i, scope, "handler_id"), good)


@_kpi
def satisfaction_score(scope: Scope) -> pd.DataFrame:
    """Survey rows dated in P with a score: each score brought onto the 5-point scale
    (score / full marks × 5; empty full marks mean 5), for the department it rates. A
    score outside 0..its full marks (a validation error) cannot be put on the scale and
    is left out, as is a row without a score."""
    surveys = scope.frame("cases.surveys")
    if surveys is None:
        return _empty()
    scale = pd.to_numeric(surveys["scale"], errors="coerce").astype("float64")
    scale = scale.where(surveys["scale"].notna(), float(SCORE_POINTS))
    score = surveys["score"].astype("float64")
    s = surveys[scope.within(surveys["date"])
                & ((score >= 0) & (score <= scale) & (scale > 0)).fillna(False)]
    points = score[s.index] / scale[s.index] * SCORE_POINTS
    return _population(s["department"], pd.Series(True, index=s.index), points)


# -- the table: declarations joined with their functions --------------------------------


def check_declared(specs: Mapping[str, KpiSpec], functions: Mapping[str, Population]) -> None:
    """Every declared KPI has a population function and every function a declaration;
    otherwise the package does not import (a KPI would silently vanish or never show)."""
    missing = [key for key in specs if key not in functions]
    undeclared = [key for key in functions if key not in specs]
    if missing or undeclared:
        raise RuntimeError(
            "KPI declarations (automation/policy/kpis.py) and populations "
            "(automation/kpi/engine.py) disagree: "
            f"declared without a function: {missing or 'none'}; "
            f"functions without a declaration: {undeclared or 'none'}")


check_declared(KPI_SPECS, POPULATIONS)


@dataclass(frozen=True)
class Kpi:
    """One KPI: its declaration and its population function."""

    spec: KpiSpec
    population: Population

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def measure(self) -> Measure:
        return self.spec.measure


KPIS: tuple[Kpi, ...] = tuple(Kpi(spec, POPULATIONS[key]) for key, spec in KPI_SPECS.items())
"""Every KPI, in the declarations' (the dashboards') order."""


def measure_of(key: str) -> Measure:
    return KPI_SPECS[key].measure


def meets(measure: Measure, value: float, target: float) -> bool:
    """Whether `value` meets `target`: RATE and MEAN_SCORE value ≥ target, MEAN_DAYS value
    ≤ target, DEVIATION |value| ≤ target; a value exactly at its target meets it."""
    if measure in (Measure.RATE, Measure.MEAN_SCORE):
        return value >= target - _EPSILON
    if measure is Measure.MEAN_DAYS:
        return value <= target + _EPSILON
    return abs(value) <= target + _EPSILON


@dataclass
class KpiRow:
    key: str
    office: str | None
    department: str | None
    numerator: float
    denominator: float
    """A count of records; for a DEVIATION, Σ budget in yuan (2 places)."""
    target: float
    value: float | None = None
    met: bool | None = None
    floor: float | None = None
    """For a department's row of a KPI declared with a floor: the value below which the
    department owes a rectification plan (satisfaction_floor × 5); not in the JSON."""
    parent: str | None = None
    """The office `office` rolls into (None at the top and on the all-units total)."""

    @property
    def owes_plan(self) -> bool:
        """Whether this department's value is below its floor (需提交整改方案)."""
        return (self.floor is not None and self.value is not None
                and self.value < self.floor - _EPSILON)

    @property
    def measure(self) -> Measure:
        return measure_of(self.key)

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "office": self.office, "department": self.department,
                "value": self.value, "numerator": self.numerator,
                "denominator": self.denominator, "target": self.target, "met": self.met,
                "parent": self.parent}


def _row(kpi: Kpi, office: str | None, department: str | None, numerator: float,
         denominator: float, policy: Policy, parent: str | None = None) -> KpiRow:
    """A row from raw sums (`_sums`), judged against `policy`'s target."""
    target = policy.target(kpi.key)
    if kpi.measure is Measure.DEVIATION:   # cents -> yuan, 2 places
        numerator, denominator = round(numerator / 100, 2), round(denominator / 100, 2)
    elif kpi.measure is Measure.RATE:
        numerator, denominator = int(numerator), int(denominator)
    else:   # a sum of working days, or of scores (kept short of floating-point dust)
        numerator, denominator = round(numerator, 6), int(denominator)
    row = KpiRow(kpi.key, office, department, numerator, denominator, target, parent=parent)
    if denominator:
        row.value = numerator / denominator
        row.met = meets(kpi.measure, row.value, target)
    if department is not None and kpi.spec.floor is not None:
        full = SCORE_POINTS if kpi.measure is Measure.MEAN_SCORE else 1
        row.floor = policy.number(kpi.spec.floor) * full
    return row


def _sums(kpi: Kpi, population: pd.DataFrame) -> tuple[float, float]:
    """(numerator, denominator) of a population, before rounding: good records / records,
    working days or 5-point scores / records, or (Σ spent − Σ budget) / Σ budget in cents."""
    if kpi.measure is Measure.DEVIATION:
        budget = int(population["budget"].sum()) if len(population) else 0
        spent = int(population["spent"].sum()) if len(population) else 0
        return float(spent - budget), float(budget)
    if kpi.measure in (Measure.MEAN_DAYS, Measure.MEAN_SCORE):
        return float(population["amount"].sum()) if len(population) else 0.0, len(population)
    return float(population["good"].sum()), len(population)


@dataclass
class KpiResult:
    period: Period
    rows: list[KpiRow] = field(default_factory=list)
    policy: Policy = field(default=DEFAULT_POLICY, repr=False, compare=False)
    """The policy the targets (and the labels' numbers) came from; not in the JSON."""
    unit_policies: dict[str, Policy] = field(default_factory=dict, repr=False, compare=False)
    """Each rolled-up office's own policy, by its name: the deadlines its rows count by."""
    parents: dict[str, str | None] = field(default_factory=dict, repr=False, compare=False)
    """Each office of the rollup -> the office it rolls into, in tree order (depth first);
    not in the JSON (each row carries its `parent`)."""
    members: list[MemberFigures] = field(default_factory=list)
    """The office's own members who are 在任, each with their figures (`kpi.members`)."""
    assets: AssetReport | None = field(default=None, repr=False, compare=False)
    """The office's (the first unit's) inventory valued as of the period's as-of day."""
    uncounted: list[UncountedItem] = field(default_factory=list, repr=False, compare=False)
    """The office's ledger items not counted in the period (the dashboard's asset sheet);
    not in the JSON."""

    def to_dict(self) -> dict[str, Any]:
        """DESIGN.md's `kpi --format json` contract, with the members' figures and the
        inventory's `assets` totals."""
        out: dict[str, Any] = {"period": self.period.to_dict(),
                               "kpis": [r.to_dict() for r in self.rows],
                               "members": [m.to_dict() for m in self.members]}
        if self.assets is not None:
            out["assets"] = self.assets.to_dict()
        return out

    def overall(self, key: str, office: str | None = None) -> KpiRow:
        return next(r for r in self.rows if r.key == key and r.department is None
                    and (office is None or r.office == office))

    def label(self, key: str, locale: str, office: str | None = None) -> str:
        """A KPI's name with the numbers in force: 权益案件 12 小时响应率. A unit's rows are
        named with its own numbers; a name for several units whose numbers differ says so."""
        own = self.unit_policies.get(office) if office is not None else None
        if own is not None:
            return own.kpi_label(key, locale)
        name = self.policy.kpi_label(key, locale)
        if len({p.kpi_label(key, locale) for p in self.unit_policies.values()} | {name}) > 1:
            name += t("kpi.units_differ", locale)
        return name


UnitSpec = tuple[str, OfficeData, WorkCalendar, Policy]
"""One office to measure: its name, registers, working-day calendar and policy."""


def populations(office: OfficeData, period: Period, calendar: WorkCalendar, policy: Policy
                ) -> dict[str, pd.DataFrame]:
    scope = Scope(office, period, calendar, policy)
    return {kpi.key: kpi.population(scope) for kpi in KPIS}


def compute_kpis(units: Sequence[UnitSpec], period: Period, total_label: str | None = None,
                 policy: Policy | None = None,
                 parents: Mapping[str, str | None] | None = None) -> KpiResult:
    """Every KPI for each unit, overall and per department; with several units, also the
    total of all units from summed numerators and denominators.

    Which policy decides what:
    - what counts (deadlines, leads) is each unit's own policy: a branch that answers
      cases within 12 h is counted against 12 h, its records and its rules;
    - every row's target and `met` — each unit's, its departments' and the all-units
      total — follow one policy, `policy`: the rolling-up office's (default: the first
      unit's, which is the office itself in `load_units`). The result is that office's
      dashboard, judged by its targets and labelled with its numbers (`result.policy`).

    `parents` names the office each unit rolls into (none: every unit under the first);
    every row of a unit, and of its departments, carries it. A unit without a register
    has empty populations for it: null KPIs, not an error.
    """
    if policy is None:
        policy = units[0][3] if units else DEFAULT_POLICY
    result = KpiResult(period, policy=policy,
                       unit_policies={name: own for name, _, _, own in units},
                       members=member_figures(units[0][1], period) if units else [])
    if parents is None:
        parents = {name: (None if i == 0 else units[0][0])
                   for i, (name, *_) in enumerate(units)}
    result.parents = {name: parents.get(name) for name, *_ in units}
    if units:
        result.assets = asset_report(units[0][1], period.as_of, units[0][3].depreciation)
        own = units[0][1].tables
        result.uncounted = uncounted_list(
            own["assets.items"].frame if "assets.items" in own else None,
            own["assets.stocktakes"].frame if "assets.stocktakes" in own else None,
            period.start, period.end)
    per_unit = [(name, populations(office, period, calendar, own))
                for name, office, calendar, own in units]
    for kpi in KPIS:
        for name, pops in per_unit:
            population = pops[kpi.key]
            parent = result.parents.get(name)
            result.rows.append(_row(kpi, name, None, *_sums(kpi, population), policy,
                                    parent))
            for department, group in population.groupby("department", sort=True):
                result.rows.append(_row(kpi, name, str(department), *_sums(kpi, group),
                                        policy, parent))
        if len(per_unit) > 1:
            sums = [_sums(kpi, p[kpi.key]) for _, p in per_unit]
            result.rows.append(_row(kpi, total_label, None, sum(s[0] for s in sums),
                                    sum(s[1] for s in sums), policy))
    return result


def today_default(today: date | None) -> date:
    return today or date.today()
