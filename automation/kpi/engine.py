"""The twelve KPIs of RULES.md. Each KPI is one function that returns its population for a
period — one row per record, with the record's department and whether it counts as good
(or, for the audit-days KPI, its working days) — and one `Kpi` entry with its target. The
rollup (overall, per department, per unit, all units) is shared and sums numerators and
denominators, never averages of percentages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

import pandas as pd

from ..load import OfficeData
from ..workdays import WorkCalendar
from .periods import Period

NOTICE_LEAD_HOURS = {"例会": 48, "重大": 72}
GOOD_ATTENDANCE = ("出勤", "迟到")
RESOLVED = ("已办结", "已关闭")
NOT_COUNTED_EXPENSE = "退回"
DEVIATION = 0.05


@dataclass(frozen=True)
class Scope:
    """What a KPI looks at: one office's typed registers, the period and the calendar."""

    office: OfficeData
    period: Period
    calendar: WorkCalendar

    def frame(self, name: str) -> pd.DataFrame | None:
        table = self.office.tables.get(name)
        return None if table is None else table.frame

    def within(self, values: pd.Series) -> pd.Series:
        """Dates (or datetimes, by their date) falling in the period."""
        days = values.dt.normalize()
        return (days >= pd.Timestamp(self.period.start)) & (days <= pd.Timestamp(
            self.period.end))

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


def _population(department: pd.Series, good: pd.Series, amount: pd.Series | None = None
                ) -> pd.DataFrame:
    frame = pd.DataFrame({"department": department.astype(object),
                          "good": good.fillna(False).astype(bool)})
    if amount is not None:
        frame["amount"] = amount.astype("float64")
    return frame


def _empty() -> pd.DataFrame:
    return pd.DataFrame({"department": pd.Series(dtype=object), "good": pd.Series(dtype=bool)})


def _own_or_member(frame: pd.DataFrame, scope: Scope, member: str) -> pd.Series:
    own = frame["department"] if "department" in frame else pd.Series(None, index=frame.index)
    return own.where(own.notna(), scope.member_department(frame[member]))


# -- the twelve ------------------------------------------------------------------------


def meeting_notice_on_time(scope: Scope) -> pd.DataFrame:
    meetings = scope.frame("roster.meetings")
    if meetings is None:
        return _empty()
    m = meetings[scope.within(meetings["start_at"])
                 & (meetings["start_at"].dt.normalize() <= scope.as_of)]
    lead = pd.to_timedelta(m["kind"].map(NOTICE_LEAD_HOURS).astype("float64"), unit="h")
    good = m["notice_at"].notna() & ((m["start_at"] - m["notice_at"]) >= lead)
    return _population(scope.member_department(m["organizer_id"]), good)


def minutes_on_time(scope: Scope) -> pd.DataFrame:
    meetings = scope.frame("roster.meetings")
    if meetings is None:
        return _empty()
    deadline = meetings["start_at"] + pd.Timedelta(hours=48)
    m = meetings[scope.within(meetings["start_at"]) & (deadline <= scope.as_of_end)]
    good = m["minutes_at"].notna() & (m["minutes_at"] <= m["start_at"] + pd.Timedelta(hours=48))
    return _population(scope.member_department(m["organizer_id"]), good)


def _expense_departments(scope: Scope, expenses: pd.DataFrame) -> pd.Series:
    budgets = scope.frame("finance.budgets")
    if budgets is None:
        return pd.Series(None, index=expenses.index, dtype=object)
    known = budgets.dropna(subset=["budget_id"]).drop_duplicates("budget_id")
    return expenses["budget_id"].map(dict(zip(known["budget_id"], known["department"],
                                              strict=True)))


def reimbursement_audit_days(scope: Scope) -> pd.DataFrame:
    expenses = scope.frame("finance.expenses")
    if expenses is None:
        return _empty()
    e = expenses[scope.within(expenses["approved_on"]) & expenses["submitted_on"].notna()]
    days = scope.calendar.workdays_between_series(e["submitted_on"], e["approved_on"])
    return _population(_expense_departments(scope, e), pd.Series(True, index=e.index), days)


def reimbursement_submitted_on_time(scope: Scope) -> pd.DataFrame:
    expenses = scope.frame("finance.expenses")
    if expenses is None:
        return _empty()
    deadline = scope.calendar.add_workdays_series(expenses["spent_on"], 5)
    e = expenses[scope.within(expenses["spent_on"]) & (deadline <= scope.as_of)]
    good = e["submitted_on"].notna() & (e["submitted_on"] <= deadline[e.index])
    return _population(_expense_departments(scope, e), good)


def budget_deviation(scope: Scope) -> pd.DataFrame:
    budgets = scope.frame("finance.budgets")
    expenses = scope.frame("finance.expenses")
    if budgets is None:
        return _empty()
    b = budgets[budgets["period"].astype("string").str.strip().str.lower()
                .eq(scope.period.key.lower()).fillna(False) & budgets["amount"].notna()
                & (budgets["amount"] > 0).fillna(False)]
    spent = pd.Series(0, index=b.index, dtype="float64")
    if expenses is not None:
        counted = expenses[expenses["status"].ne(NOT_COUNTED_EXPENSE).fillna(True)]
        sums = counted.groupby("budget_id")["amount"].sum()
        spent = b["budget_id"].map(sums).fillna(0).astype("float64")
    amount = b["amount"].astype("float64")
    good = ((spent - amount).abs() / amount) <= DEVIATION + 1e-12
    return _population(b["department"], good)


def asset_good_rate(scope: Scope) -> pd.DataFrame:
    checks = scope.frame("assets.stocktakes")
    if checks is None:
        return _empty()
    c = checks[scope.within(checks["checked_on"]) & checks["asset_tag"].notna()]
    latest = c.sort_values(["checked_on", "_row"]).drop_duplicates("asset_tag", keep="last")
    good = latest["found"].fillna(False).astype(bool) & latest["condition"].eq("完好")
    items = scope.frame("assets.items")
    department = pd.Series(None, index=latest.index, dtype=object)
    if items is not None:
        known = items.dropna(subset=["asset_tag"]).drop_duplicates("asset_tag")
        own = _own_or_member(known, scope, "custodian_id")
        department = latest["asset_tag"].map(dict(zip(known["asset_tag"], own, strict=True)))
    return _population(department, good)


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


def training_attendance(scope: Scope) -> pd.DataFrame:
    rows = scope.frame("roster.attendance")
    if rows is None:
        return _empty()
    a = rows[rows["kind"].eq("培训").fillna(False) & scope.within(rows["date"])]
    return _population(scope.member_department(a["member_id"]),
                       a["status"].isin(GOOD_ATTENDANCE))


def task_on_time(scope: Scope) -> pd.DataFrame:
    tasks = scope.frame("roster.tasks")
    if tasks is None:
        return _empty()
    task = tasks[scope.within(tasks["due_on"]) & (tasks["due_on"] <= scope.as_of)]
    good = (task["done_on"].notna() & (task["done_on"] <= task["due_on"])
            & task["quality_ok"].ne(False).fillna(True))
    return _population(_own_or_member(task, scope, "owner_id"), good)


def case_response_24h(scope: Scope) -> pd.DataFrame:
    cases = scope.frame("cases.cases")
    if cases is None:
        return _empty()
    deadline = cases["received_at"] + pd.Timedelta(hours=24)
    c = cases[scope.within(cases["received_at"]) & (deadline <= scope.as_of_end)]
    good = c["first_response_at"].notna() & (c["first_response_at"] <= deadline[c.index])
    return _population(scope.member_department(c["handler_id"]), good)


def case_progress_5wd(scope: Scope) -> pd.DataFrame:
    cases = scope.frame("cases.cases")
    if cases is None:
        return _empty()
    deadline = scope.calendar.add_workdays_series(cases["received_at"], 5)
    c = cases[scope.within(cases["received_at"]) & (deadline <= scope.as_of)]
    first = c[["progress_at", "resolved_at"]].min(axis=1)
    good = first.notna() & (first.dt.normalize() <= deadline[c.index])
    return _population(scope.member_department(c["handler_id"]), good)


def case_resolution_rate(scope: Scope) -> pd.DataFrame:
    cases = scope.frame("cases.cases")
    if cases is None:
        return _empty()
    c = cases[scope.within(cases["received_at"])]
    return _population(scope.member_department(c["handler_id"]), c["status"].isin(RESOLVED))


@dataclass(frozen=True)
class Kpi:
    key: str
    population: Callable[[Scope], pd.DataFrame]
    target: float
    higher_is_better: bool = True
    mean: bool = False
    """True: value is the mean of `amount` (working days), not a rate."""


KPIS: tuple[Kpi, ...] = (
    Kpi("meeting_notice_on_time", meeting_notice_on_time, 0.98),
    Kpi("minutes_on_time", minutes_on_time, 0.95),
    Kpi("reimbursement_audit_days", reimbursement_audit_days, 2.0, higher_is_better=False,
        mean=True),
    Kpi("reimbursement_submitted_on_time", reimbursement_submitted_on_time, 0.95),
    Kpi("budget_deviation", budget_deviation, 0.95),
    Kpi("asset_good_rate", asset_good_rate, 0.98),
    Kpi("loan_record_complete", loan_record_complete, 1.0),
    Kpi("training_attendance", training_attendance, 0.90),
    Kpi("task_on_time", task_on_time, 0.95),
    Kpi("case_response_24h", case_response_24h, 0.95),
    Kpi("case_progress_5wd", case_progress_5wd, 0.95),
    Kpi("case_resolution_rate", case_resolution_rate, 0.95),
)


@dataclass
class KpiRow:
    key: str
    office: str | None
    department: str | None
    numerator: float
    denominator: int
    target: float
    value: float | None = None
    met: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "office": self.office, "department": self.department,
                "value": self.value, "numerator": self.numerator,
                "denominator": self.denominator, "target": self.target, "met": self.met}


def _row(kpi: Kpi, office: str | None, department: str | None, numerator: float,
         denominator: int) -> KpiRow:
    row = KpiRow(kpi.key, office, department, numerator, denominator, kpi.target)
    if denominator:
        row.value = numerator / denominator
        row.met = (row.value >= kpi.target - 1e-12 if kpi.higher_is_better
                   else row.value <= kpi.target + 1e-12)
    if not kpi.mean:
        row.numerator = int(numerator)
    return row


def _sums(kpi: Kpi, population: pd.DataFrame) -> tuple[float, int]:
    if kpi.mean:
        return float(population["amount"].sum()) if len(population) else 0.0, len(population)
    return float(population["good"].sum()), len(population)


@dataclass
class KpiResult:
    period: Period
    rows: list[KpiRow] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """DESIGN.md's `kpi --format json` contract."""
        return {"period": self.period.to_dict(), "kpis": [r.to_dict() for r in self.rows]}

    def overall(self, key: str, office: str | None = None) -> KpiRow:
        return next(r for r in self.rows if r.key == key and r.department is None
                    and (office is None or r.office == office))


def populations(office: OfficeData, period: Period, calendar: WorkCalendar
                ) -> dict[str, pd.DataFrame]:
    scope = Scope(office, period, calendar)
    return {kpi.key: kpi.population(scope) for kpi in KPIS}


def compute_kpis(units: list[tuple[str, OfficeData, WorkCalendar]], period: Period,
                 total_label: str | None = None) -> KpiResult:
    """Every KPI for each unit, overall and per department; with several units, also the
    total of all units from summed numerators and denominators."""
    result = KpiResult(period)
    per_unit = [(name, populations(office, period, calendar))
                for name, office, calendar in units]
    for kpi in KPIS:
        for name, pops in per_unit:
            population = pops[kpi.key]
            result.rows.append(_row(kpi, name, None, *_sums(kpi, population)))
            for department, group in population.groupby("department", sort=True):
                result.rows.append(_row(kpi, name, str(department), *_sums(kpi, group)))
        if len(per_unit) > 1:
            numerator = sum(_sums(kpi, p[kpi.key])[0] for _, p in per_unit)
            denominator = sum(_sums(kpi, p[kpi.key])[1] for _, p in per_unit)
            result.rows.append(_row(kpi, total_label, None, numerator, denominator))
    return result


def today_default(today: date | None) -> date:
    return today or date.today()
