"""成员考核表 (member report): each serving member's attendance rate, training rate and tasks
done on time over a period, with each month's 效率之星; xlsx and one self-contained HTML
page, for the whole office and one pair per department (`member_report/<部门>.xlsx`), so
that a head of department can be sent only their own people. The figures are the engine's
(`kpi.members`); this only renders them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path

from .._io import safe_file_name
from ..i18n import t
from ..kpi.engine import KpiResult
from ..kpi.members import MemberFigures, efficiency_stars
from ..kpi.periods import Period
from .html import write_page
from .kpi_text import NONE_TEXT
from .model import Book, Cell, Column, Kind, Sheet, reader_locale
from .xlsx import display_width, sheet_title, write_xlsx

__all__ = ["MEMBER_REPORT", "write_member_reports"]

MEMBER_REPORT = "member_report"
"""The stem of the whole office's files; the departments' are in a folder of that name."""


@dataclass(frozen=True)
class _Star:
    month: str
    member: MemberFigures


def _rate(value: float | None) -> Cell:
    return Cell(NONE_TEXT, "none") if value is None else Cell(value, kind=Kind.PERCENT,
                                                             text=_rate_text(value))


def _rate_text(value: float | None) -> str:
    return NONE_TEXT if value is None else f"{value * 100:.1f}%"


def _period_line(period: Period, loc: str) -> str:
    return t("dashboard.period", loc, key=period.key, start=period.start.isoformat(),
             end=period.end.isoformat(), as_of=period.as_of.isoformat())


def _star_lines(stars: list[_Star], loc: str) -> list[str]:
    return [t("members.star_line", loc, month=s.month, name=s.member.name,
              department=s.member.department or NONE_TEXT, done=s.member.tasks_on_time,
              due=s.member.tasks_due) for s in stars]


def _columns(loc: str, members: Sequence[MemberFigures]) -> list[Column]:
    name_width = max([10] + [display_width(m.name) + 2 for m in members])
    return [Column(t("members.member_id", loc), width=12),
            Column(t("members.name", loc), width=name_width),
            Column(t("members.department", loc), width=14),
            Column(t("members.attendance_rate", loc), Kind.PERCENT, 12),
            Column(t("members.training_rate", loc), Kind.PERCENT, 12),
            Column(t("members.tasks_due", loc), Kind.INT, 10),
            Column(t("members.tasks_on_time", loc), Kind.INT, 10),
            Column(t("members.task_on_time_rate", loc), Kind.PERCENT, 12)]


def _write(members: list[MemberFigures], stars: list[_Star], period: Period, stem: Path,
           title: str, loc: str, least: int) -> list[Path]:
    meta = _period_line(period, loc)
    lines = _star_lines(stars, loc) or [t("members.no_star", loc, least=least)]
    sheet = Sheet(
        sheet_title(t("members.sheet", loc)), _columns(loc, members),
        [[Cell(m.member_id), Cell(m.name), Cell(m.department or ""),
          _rate(m.attendance_rate), _rate(m.training_rate), Cell(m.tasks_due),
          Cell(m.tasks_on_time), _rate(m.task_on_time_rate)] for m in members],
        heading=title, meta=[meta, *lines], freeze=2, filter=bool(members),
        empty=Cell(t("members.none", loc), kind=Kind.NOTE))
    stem.parent.mkdir(parents=True, exist_ok=True)
    xlsx = write_xlsx(Book(title, datetime.combine(period.as_of, time()), loc, [sheet]),
                      stem.with_name(stem.name + ".xlsx"))
    html = write_page(
        "member_report.html.j2", stem.with_name(stem.name + ".html"), loc, heading=title,
        meta=meta, stars=lines,
        rows=[{"member_id": m.member_id, "name": m.name, "department": m.department or "",
               "attendance": _rate_text(m.attendance_rate),
               "training": _rate_text(m.training_rate), "due": m.tasks_due,
               "on_time": m.tasks_on_time, "rate": _rate_text(m.task_on_time_rate),
               "star": any(s.member.member_id == m.member_id for s in stars)}
              for m in members])
    return [xlsx, html]


def write_member_reports(result: KpiResult, months: Sequence[KpiResult], folder: Path, *,
                         locale: str, office_name: str) -> list[Path]:
    """`member_report.xlsx` / `.html` for `result`'s period in `folder`, then the same for
    each department in `folder/member_report/`. `months`: the period month by month (the
    dashboards' trend), whose each month names its 效率之星; `[result]` for a month."""
    loc = reader_locale(locale)
    folder = Path(folder)
    least = result.policy.count("star_min_tasks")
    stars = [_Star(m.period.key, star) for m in months
             for star in efficiency_stars(m.members, least)]
    title = " · ".join(p for p in (office_name, t("members.title", loc)) if p)
    paths = _write(result.members, stars, result.period, folder / MEMBER_REPORT, title, loc,
                   least)
    departments = sorted({m.department for m in result.members if m.department})
    for department in departments:
        own = [m for m in result.members if m.department == department]
        ids = {m.member_id for m in own}
        paths += _write(own, [s for s in stars if s.member.member_id in ids], result.period,
                        folder / MEMBER_REPORT / safe_file_name(department),
                        f"{title} · {department}", loc, least)
    return paths
