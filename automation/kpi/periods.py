"""Reporting periods: `2025-10`, `2025-W41`, `2025-fall`, `2026-spring`, `2025`,
`2025-09-01..2026-01-31`; and `as_of = min(period end, today)`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from ..config import OfficeConfig, SemestersSection
from ..errors import UsageError

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$", re.I)
_SEMESTER = re.compile(r"^(\d{4})-(fall|spring)$", re.I)
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True)
class Period:
    key: str
    start: date
    end: date
    as_of: date

    def to_dict(self) -> dict[str, str]:
        return {"key": self.key, "start": self.start.isoformat(), "end": self.end.isoformat(),
                "as_of": self.as_of.isoformat()}

    @property
    def kind(self) -> str:
        """week | month | semester | year | range: what retention class a snapshot gets."""
        for kind, pattern in (("week", _WEEK), ("month", _MONTH), ("semester", _SEMESTER),
                              ("year", _YEAR)):
            if pattern.match(self.key):
                return kind
        return "range"

    def months(self) -> list[Period]:
        """The calendar months within the period (clipped), for trends."""
        out: list[Period] = []
        first = self.start.replace(day=1)
        while first <= self.end:
            following = (first + timedelta(days=32)).replace(day=1)
            start, end = max(first, self.start), min(following - timedelta(days=1), self.end)
            out.append(Period(f"{first:%Y-%m}", start, end, min(end, self.as_of)))
            first = following
        return out


def semester_bounds(config: OfficeConfig, year: int, which: str) -> tuple[date, date]:
    return _bounds(config.semesters, year, which)


def _bounds(semesters: SemestersSection, year: int, which: str) -> tuple[date, date]:
    spec = getattr(semesters, which)
    start_text, end_text = spec.split("..")
    sm, sd = (int(x) for x in start_text.split("-"))
    em, ed = (int(x) for x in end_text.split("-"))
    start = date(year, sm, sd)
    end = date(year, em, ed)
    if end < start:
        end = date(year + 1, em, ed)
    return start, end


def semester_of(config: OfficeConfig, day: date) -> str:
    """The semester key a day falls in (fall if it is in none, e.g. summer: the last one)."""
    return _semester_key(config.semesters, day)


def _semester_key(semesters: SemestersSection, day: date) -> str:
    for year in (day.year, day.year - 1):
        for which in ("fall", "spring"):
            start, end = _bounds(semesters, year, which)
            if start <= day <= end:
                return f"{year}-{which}"
    return f"{day.year}-spring" if day.month < 9 else f"{day.year}-fall"


def current_semester(semesters: SemestersSection, day: date) -> Period:
    """The semester `day` falls in, as the KPIs' default period is (`parse_period` with no
    key): its first and last day, as of `day`."""
    key = _semester_key(semesters, day)
    year, which = key.split("-")
    start, end = _bounds(semesters, int(year), which)
    return Period(key, start, end, min(end, day))


def parse_period(text: str | None, config: OfficeConfig, today: date) -> Period:
    """A period key as typed on the command line; default: the semester of `today`."""
    key = (text or semester_of(config, today)).strip()
    try:
        if m := _MONTH.match(key):
            start = date(int(m[1]), int(m[2]), 1)
            end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            key = f"{start:%Y-%m}"
        elif m := _WEEK.match(key):
            start = date.fromisocalendar(int(m[1]), int(m[2]), 1)
            end = start + timedelta(days=6)
            key = f"{m[1]}-W{int(m[2]):02d}"
        elif m := _SEMESTER.match(key):
            key = f"{m[1]}-{m[2].lower()}"
            start, end = semester_bounds(config, int(m[1]), m[2].lower())
        elif m := _YEAR.match(key):
            start, end = date(int(m[1]), 1, 1), date(int(m[1]), 12, 31)
        elif m := _RANGE.match(key):
            start, end = date.fromisoformat(m[1]), date.fromisoformat(m[2])
            if end < start:
                raise ValueError(key)
        else:
            raise ValueError(key)
    except ValueError:
        raise UsageError("kpi.bad_period", value=key) from None
    return Period(key, start, end, min(end, today))
