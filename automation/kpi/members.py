"""Per-member figures (成员考核): for each member whose status is 在任, their attendance rate,
their training attendance rate and their tasks done on time over a period, and the month's
效率之星. Pure: the office's typed frames and the period in, figures out.

- attendance rate: their attendance rows dated in the period with status 出勤 or 迟到, over
  all their rows dated in the period;
- training rate: the same for rows of kind 培训;
- tasks due: tasks they own with `due_on` in the period and on or before as_of; on time:
  of those, `done_on` ≤ `due_on` and 按质完成 not 否 (as the `task_on_time` KPI counts);
- a rate with nothing to count is None (null in the JSON), never 0.

效率之星: the best task rate among the members with at least `star_min_tasks` tasks due, then
the most tasks due; members still level all share it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from ..load import OfficeData
from ..policy.statuses import GOOD_ATTENDANCE, SERVING, TRAINING
from .periods import Period


@dataclass(frozen=True)
class MemberFigures:
    member_id: str
    name: str
    department: str | None
    attended: int = 0
    attendance_rows: int = 0
    trained: int = 0
    training_rows: int = 0
    tasks_on_time: int = 0
    tasks_due: int = 0

    @staticmethod
    def _rate(good: int, total: int) -> float | None:
        return good / total if total else None

    @property
    def attendance_rate(self) -> float | None:
        return self._rate(self.attended, self.attendance_rows)

    @property
    def training_rate(self) -> float | None:
        return self._rate(self.trained, self.training_rows)

    @property
    def task_on_time_rate(self) -> float | None:
        return self._rate(self.tasks_on_time, self.tasks_due)

    def to_dict(self) -> dict[str, Any]:
        """One entry of `kpi --format json`'s `members`."""
        return {"member_id": self.member_id, "name": self.name,
                "department": self.department, "attendance_rate": self.attendance_rate,
                "training_rate": self.training_rate, "tasks_due": self.tasks_due,
                "tasks_on_time": self.tasks_on_time,
                "task_on_time_rate": self.task_on_time_rate}


def _frame(office: OfficeData, name: str) -> pd.DataFrame | None:
    table = office.tables.get(name)
    return None if table is None else table.frame


def _within(values: pd.Series, start: date, end: date) -> pd.Series:
    days = values.dt.normalize()
    return ((days >= pd.Timestamp(start)) & (days <= pd.Timestamp(end))).fillna(False)


def _counts(frame: pd.DataFrame, key: str, good: pd.Series) -> dict[str, tuple[int, int]]:
    """member id -> (good rows, rows)."""
    if frame.empty:
        return {}
    ids = frame[key].astype(object)
    totals = good.astype(bool).groupby(ids).agg(["sum", "count"])
    return {str(k): (int(s), int(c)) for k, s, c in zip(totals.index, totals["sum"],
                                                         totals["count"], strict=True)}


def _text(value: Any) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return str(value)


def member_figures(office: OfficeData, period: Period) -> list[MemberFigures]:
    """Every member whose status is 在任, in the roster's order, with their figures for
    `period`; none without a roster."""
    members = _frame(office, "roster.members")
    if members is None:
        return []
    serving = members[members["status"].eq(SERVING).fillna(False)
                      & members["member_id"].notna()].drop_duplicates("member_id")
    attendance: dict[str, tuple[int, int]] = {}
    training: dict[str, tuple[int, int]] = {}
    rows = _frame(office, "roster.attendance")
    if rows is not None:
        a = rows[_within(rows["date"], period.start, period.end) & rows["member_id"].notna()]
        good = a["status"].isin(GOOD_ATTENDANCE)
        attendance = _counts(a, "member_id", good)
        trains = a["kind"].eq(TRAINING).fillna(False).astype(bool)
        training = _counts(a[trains], "member_id", good[trains])
    tasks_counts: dict[str, tuple[int, int]] = {}
    tasks = _frame(office, "roster.tasks")
    if tasks is not None:
        due = tasks["due_on"]
        task = tasks[_within(due, period.start, period.end)
                     & (due.dt.normalize() <= pd.Timestamp(period.as_of)).fillna(False)
                     & tasks["owner_id"].notna()]
        on_time = (task["done_on"].notna() & (task["done_on"] <= task["due_on"])
                   & task["quality_ok"].ne(False).fillna(True))
        tasks_counts = _counts(task, "owner_id", on_time.fillna(False))
    figures = []
    for member in serving.itertuples():
        key = str(member.member_id)
        attended, attendance_rows = attendance.get(key, (0, 0))
        trained, training_rows = training.get(key, (0, 0))
        on_time, due_count = tasks_counts.get(key, (0, 0))
        figures.append(MemberFigures(key, _text(member.name) or "", _text(member.department),
                                     attended, attendance_rows, trained, training_rows,
                                     on_time, due_count))
    return figures


def efficiency_stars(figures: list[MemberFigures], least: int) -> list[MemberFigures]:
    """效率之星: the best task rate among members with at least `least` tasks due, then the
    most tasks due; all who are still level (none when nobody has `least` tasks)."""
    eligible = [f for f in figures if f.tasks_due >= least]
    if not eligible:
        return []

    def better(a: MemberFigures, b: MemberFigures) -> int:
        """a's rate against b's, exactly (a/b > c/d <=> a*d > c*b), then tasks due."""
        left = a.tasks_on_time * b.tasks_due
        right = b.tasks_on_time * a.tasks_due
        if left != right:
            return 1 if left > right else -1
        return (a.tasks_due > b.tasks_due) - (a.tasks_due < b.tasks_due)

    best = eligible[0]
    for f in eligible[1:]:
        if better(f, best) > 0:
            best = f
    return [f for f in eligible if better(f, best) == 0]


__all__ = ["MemberFigures", "efficiency_stars", "member_figures"]
