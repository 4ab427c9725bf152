"""Working days: the region's calendar (holidays and make-up working weekends) minus the
office's own closures, plus the make-up working days the office adds itself for a year
the library does not know yet (`[office] extra_workdays`).

- CN: `chinesecalendar` (statutory holidays and the make-up working weekends, 调休).
- HK, TW: the `holidays` package; Saturday and Sunday off, plus the region's public
  holidays, plus any make-up working Saturdays the package knows (TW announces them).

A year the library does not cover falls back to Monday–Friday and is said once per
calendar (`warn(year)`), never silently — unless the office has filled that year in
itself (make-up days in `extra_workdays` and holidays in `closures`, both in that year).

`add_workdays(d, n)` is the date with exactly n working days in (d, result];
`workdays_between(a, b)` is the number of working days in (a, b]. A datetime counts as
its date. Both have vectorised forms for pandas columns, backed by one sorted array of
working days that grows a year at a time as queries reach further.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .errors import ConfigError
from .i18n import t

if TYPE_CHECKING:
    from .config import OfficeConfig

REGIONS = ("CN", "HK", "TW")
_DEFAULT_CONFIG = "office.toml"
_DAY = np.timedelta64(1, "D")

DateLike = date | datetime


class UncoveredYearWarning(UserWarning):
    """A year the region's calendar library does not cover: Monday–Friday is assumed."""

    def __init__(self, text: str, year: int) -> None:
        super().__init__(text)
        self.year = year


def uncovered_notice(region: str, years: Iterable[int]) -> str:
    """The one line saying which years were counted Monday to Friday ('' when none)."""
    shown = sorted(set(years))
    if not shown:
        return ""
    return t("workdays.uncovered", region=region,
             year=t("list.separator").join(str(year) for year in shown))


def _as_date(value: DateLike) -> date:
    if isinstance(value, datetime):  # also pd.Timestamp
        return value.date()
    if isinstance(value, date):
        return value
    raise TypeError(f"expected a date or datetime, got {type(value).__name__}")


def _year_days(year: int) -> np.ndarray:
    start = np.datetime64(date(year, 1, 1), "D")
    return start + np.arange(366 if _leap(year) else 365)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _weekdays(days: np.ndarray) -> np.ndarray:
    """Monday = 0 … Sunday = 6 (1970-01-01 was a Thursday)."""
    return (days.astype("int64") + 3) % 7


class _Provider:
    """Per-day working flags of one year from a library, or None if it does not cover it."""

    def flags(self, year: int, days: np.ndarray) -> np.ndarray | None:
        raise NotImplementedError

    def covered(self) -> tuple[int, int] | None:
        """The first and last year the library knows, when it says."""
        raise NotImplementedError


class _ChinaProvider(_Provider):
    def __init__(self) -> None:
        import chinese_calendar

        self._cc = chinese_calendar

    def flags(self, year: int, days: np.ndarray) -> np.ndarray | None:
        is_workday = self._cc.is_workday
        try:
            is_workday(date(year, 1, 1))
        except NotImplementedError:
            return None
        try:
            return np.fromiter((is_workday(d) for d in days.tolist()), bool, len(days))
        except NotImplementedError:  # a partly covered year: treat as not covered
            return None

    def covered(self) -> tuple[int, int] | None:
        known = [d.year for d in (*self._cc.holidays, *self._cc.workdays)]
        if not known:
            return None
        first, last = min(known), max(known)
        if self.flags(last, _year_days(last)) is None:  # the last year only partly known
            last -= 1
        return first, last


class _HolidaysProvider(_Provider):
    """`holidays` for one country; weekends are Saturday and Sunday whatever the package
    says (it gives HK a Sunday-only weekend), plus the make-up working weekends it knows."""

    def __init__(self, country: str) -> None:
        import holidays

        self._holidays = holidays.country_holidays(country)
        cls = type(self._holidays)
        self._start = int(getattr(cls, "start_year", 1))
        self._end = int(getattr(cls, "end_year", 9999))

    def flags(self, year: int, days: np.ndarray) -> np.ndarray | None:
        if not self._start <= year <= self._end:
            return None
        calendar = self._holidays
        _ = date(year, 1, 1) in calendar  # fills the year (and its make-up workdays)
        makeup = set(getattr(calendar, "weekend_workdays", ()) or ())
        out = np.empty(len(days), bool)
        for i, d in enumerate(days.tolist()):
            out[i] = d in makeup if d.weekday() >= 5 else d not in calendar
        return out

    def covered(self) -> tuple[int, int] | None:
        return self._start, self._end


def _provider(region: str) -> _Provider:
    if region == "CN":
        return _ChinaProvider()
    return _HolidaysProvider(region)


def _bad_region(region: object, path: str = _DEFAULT_CONFIG) -> ConfigError:
    return ConfigError(
        "config.bad_region", path=path, key="office.region", found=repr(region),
        known=", ".join(REGIONS),
    )


class WorkCalendar:
    """Working days of one region, minus the office's closures."""

    def __init__(
        self,
        region: str = "CN",
        closures: Iterable[date] = (),
        *,
        extra_workdays: Iterable[date] = (),
        warn: Callable[[int], None] | None = None,
    ) -> None:
        code = region.strip().upper() if isinstance(region, str) else ""
        if code not in REGIONS:
            raise _bad_region(region)
        self.region: str = code
        self.uncovered_years: set[int] = set()
        self._closures = np.array(sorted({_as_date(c) for c in closures}), dtype="datetime64[D]")
        self._extra = np.array(sorted({_as_date(d) for d in extra_workdays}),
                               dtype="datetime64[D]")
        self.office_years: frozenset[int] = frozenset(
            int(str(d)[:4]) for d in self._extra) & frozenset(
            int(str(d)[:4]) for d in self._closures)
        """Years the office filled in itself: their make-up working days in `extra_workdays`
        and their holidays in `closures` (make-up days alone would count every holiday of
        that year as a working day, so such a year is still said)."""
        self._warn = warn if warn is not None else self._default_warn
        self._provider = _provider(code)
        self._lock = threading.RLock()
        self._fallback: set[int] = set()  # computed years that fell back to Monday–Friday
        self._flags: dict[int, np.ndarray] = {}
        self._lo: int | None = None
        self._hi: int | None = None
        self._days = np.empty(0, dtype="datetime64[D]")  # working days of [_lo, _hi], sorted

    def __repr__(self) -> str:
        return (f"WorkCalendar(region={self.region!r}, closures={len(self._closures)}, "
                f"extra_workdays={len(self._extra)})")

    def library_years(self) -> tuple[int, int] | None:
        """The first and last year the region's calendar library knows (None: unknown)."""
        return self._provider.covered()

    # -- the calendar, grown a year at a time ---------------------------------------------

    def _default_warn(self, year: int) -> None:
        warnings.warn(
            UncoveredYearWarning(uncovered_notice(self.region, [year]), year),
            stacklevel=4,
        )

    def _year_flags(self, year: int) -> np.ndarray:
        flags = self._flags.get(year)
        if flags is None:
            days = _year_days(year)
            flags = self._provider.flags(year, days)
            if flags is None:
                if year not in self.office_years:
                    self._fallback.add(year)
                flags = _weekdays(days) < 5
            flags = flags.copy()
            extra = self._extra[(self._extra >= days[0]) & (self._extra <= days[-1])]
            flags[(extra - days[0]).astype("int64")] = True
            closed = self._closures[
                (self._closures >= days[0]) & (self._closures <= days[-1])
            ]
            flags[(closed - days[0]).astype("int64")] = False
            self._flags[year] = flags
        return flags

    def _ensure(self, lo: int, hi: int) -> None:
        """Working days of every year in [lo, hi] (and in between what we had) are known."""
        lo, hi = max(lo, 1), min(hi, 9999)
        with self._lock:
            if self._lo is not None and self._hi is not None:
                if lo >= self._lo and hi <= self._hi:
                    return
                lo, hi = min(lo, self._lo), max(hi, self._hi)
            parts = []
            for year in range(lo, hi + 1):
                if self._lo is not None and self._hi is not None and self._lo <= year <= self._hi:
                    continue
                parts.append((year, _year_days(year)[self._year_flags(year)]))
            before = [p for y, p in parts if self._lo is not None and y < self._lo]
            after = [p for y, p in parts if self._lo is None or y > self._hi]  # type: ignore[operator]
            self._days = np.concatenate([*before, self._days, *after])
            self._lo, self._hi = lo, hi

    def _touch(self, first: int, last: int) -> None:
        """A query used the years [first, last]: say each uncovered one, once."""
        if last < first:
            return
        with self._lock:
            new = sorted(
                y for y in self._fallback
                if first <= y <= last and y not in self.uncovered_years
            )
            self.uncovered_years.update(new)
        for year in new:
            self._warn(year)

    def _touch_spans(self, first: np.ndarray, last: np.ndarray) -> None:
        """As `_touch`, for many [first, last] spans of years at once."""
        if not len(first):
            return
        with self._lock:
            pending = sorted(self._fallback - self.uncovered_years)
        lo, hi = int(first.min()), int(last.max())
        hit = [y for y in pending if lo <= y <= hi and bool(((first <= y) & (last >= y)).any())]
        for year in hit:
            self._touch(year, year)

    def _count_le(self, days: np.ndarray | np.datetime64) -> Any:
        """Working days known that are on or before each day (index into `_days`)."""
        return np.searchsorted(self._days, days, side="right")

    def _grow_until(self, index: int) -> None:
        """Extend the known range forward until `_days[index]` exists."""
        while index >= len(self._days):
            assert self._hi is not None
            if self._hi >= 9999:
                raise OverflowError("date beyond year 9999")
            missing = index - len(self._days) + 1
            self._ensure(self._hi + 1, self._hi + 1 + missing // 200)

    # -- scalar ---------------------------------------------------------------------------

    def is_workday(self, d: DateLike) -> bool:
        day = _as_date(d)
        with self._lock:
            flags = self._year_flags(day.year)
        self._touch(day.year, day.year)
        return bool(flags[day.timetuple().tm_yday - 1])

    def add_workdays(self, d: DateLike, n: int) -> date:
        """The date with exactly `n` working days in (d, result]; `n == 0` gives d's date."""
        day = _as_date(d)
        n = int(n)
        if n < 0:
            raise ValueError("n must be >= 0")
        if n == 0:
            return day
        with self._lock:
            self._ensure(day.year, day.year)
            index = int(self._count_le(np.datetime64(day, "D"))) + n - 1
            self._grow_until(index)
            result: date = self._days[index].astype(object)
        self._touch(day.year, result.year)
        return result

    def workdays_between(self, a: DateLike, b: DateLike) -> int:
        """The number of working days in (a, b]; 0 when b is not after a."""
        start, end = _as_date(a), _as_date(b)
        if end <= start:
            return 0
        with self._lock:
            self._ensure(start.year, end.year)
            count = int(self._count_le(np.datetime64(end, "D"))) - int(
                self._count_le(np.datetime64(start, "D"))
            )
        first = start.year + 1 if (start.month, start.day) == (12, 31) else start.year
        self._touch(first, end.year)
        return count

    def next_workday(self, d: DateLike) -> date:
        return self.add_workdays(d, 1)

    # -- vectorised -----------------------------------------------------------------------

    def add_workdays_series(self, dates: pd.Series, n: int) -> pd.Series:
        """`add_workdays` for each date of a column; NaT stays NaT; datetime64[ns] out."""
        n = int(n)
        if n < 0:
            raise ValueError("n must be >= 0")
        series = _as_datetime_series(dates)
        days = _to_days(series)
        valid = ~np.isnat(days)
        out = np.full(len(days), np.datetime64("NaT"), dtype="datetime64[D]")
        if n == 0 or not valid.any():
            out[valid] = days[valid]
        else:
            start = days[valid]
            years = _years(start)
            with self._lock:
                self._ensure(int(years.min()), int(years.max()))
                index = self._count_le(start) + (n - 1)
                self._grow_until(int(index.max()))
                found = self._days[index]
            out[valid] = found
            self._touch_spans(years, _years(found))
        return pd.Series(out.astype("datetime64[ns]"), index=series.index, name=series.name)

    def workdays_between_series(
        self, a: pd.Series | DateLike, b: pd.Series | DateLike
    ) -> pd.Series:
        """`workdays_between` row by row (either side may be one date); Int64, NA for NaT."""
        index, name = _frame_of(a, b)
        left, right = _to_days_any(a, len(index)), _to_days_any(b, len(index))
        valid = ~(np.isnat(left) | np.isnat(right))
        counts = np.zeros(len(index), dtype="int64")
        forward = valid & (right > left)
        if forward.any():
            lo_days, hi_days = left[forward], right[forward]
            with self._lock:
                self._ensure(int(_years(lo_days).min()), int(_years(hi_days).max()))
                counts[forward] = self._count_le(hi_days) - self._count_le(lo_days)
            self._touch_spans(_years(lo_days + _DAY), _years(hi_days))
        result = pd.array(counts, dtype="Int64")
        result[~valid] = pd.NA
        return pd.Series(result, index=index, name=name)


def _years(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[Y]").astype("int64") + 1970


def _as_datetime_series(values: Any) -> pd.Series:
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    if not pd.api.types.is_datetime64_any_dtype(series.dtype):
        series = pd.to_datetime(series)
    if getattr(series.dt, "tz", None) is not None:
        series = series.dt.tz_localize(None)  # keep the wall-clock date
    return series


def _to_days(series: pd.Series) -> np.ndarray:
    return series.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")


def _frame_of(a: Any, b: Any) -> tuple[pd.Index, Any]:
    for side in (a, b):
        if isinstance(side, pd.Series):
            other = b if side is a else a
            if isinstance(other, pd.Series) and len(other) != len(side):
                raise ValueError("the two columns differ in length")
            return side.index, side.name
    return pd.RangeIndex(1), None


def _to_days_any(value: Any, length: int) -> np.ndarray:
    if isinstance(value, pd.Series):
        return _to_days(_as_datetime_series(value))
    if value is None or value is pd.NaT:
        return np.full(length, np.datetime64("NaT"), dtype="datetime64[D]")
    return np.full(length, np.datetime64(_as_date(value), "D"))


def calendar_for(
    config: OfficeConfig, *, warn: Callable[[int], None] | None = None
) -> WorkCalendar:
    """The office's calendar: `office.region` minus `office.closures`, plus
    `office.extra_workdays`."""
    office = config.office
    try:
        return WorkCalendar(office.region, office.closures,
                            extra_workdays=office.extra_workdays, warn=warn)
    except ConfigError as exc:
        if exc.key != "config.bad_region":
            raise
        raise _bad_region(office.region, str(config.path or _DEFAULT_CONFIG)) from None


__all__ = ["REGIONS", "UncoveredYearWarning", "WorkCalendar", "calendar_for"]
