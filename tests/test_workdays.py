"""Working days, each case checkable against the official calendars.

CN 2025 (国务院办公厅 2025 年部分节假日安排): 10-01..10-08 off (国庆节、中秋节);
Sunday 09-28 and Saturday 10-11 are make-up working days (调休上班).
"""

from __future__ import annotations

import random
import warnings
from datetime import date, datetime, timedelta

import chinese_calendar
import pandas as pd
import pytest

from automation.config import OfficeConfig
from automation.errors import ConfigError
from automation.workdays import UncoveredYearWarning, WorkCalendar, calendar_for


@pytest.fixture(scope="module")
def cn() -> WorkCalendar:
    return WorkCalendar("CN")


def quiet(region: str = "CN", closures=()) -> tuple[WorkCalendar, list[int]]:
    """A calendar whose uncovered-year notices are collected instead of warned."""
    said: list[int] = []
    return WorkCalendar(region, closures, warn=said.append), said


# -- CN 2025 National Day / Mid-Autumn ------------------------------------------------------

def test_national_day_2025_is_off_and_makeup_days_are_on(cn: WorkCalendar) -> None:
    for day in range(1, 9):
        assert not cn.is_workday(date(2025, 10, day))
    assert cn.is_workday(date(2025, 9, 28))  # Sunday, 调休上班
    assert cn.is_workday(date(2025, 10, 11))  # Saturday, 调休上班
    assert cn.is_workday(date(2025, 10, 9))
    assert not cn.is_workday(date(2025, 9, 27))  # an ordinary Saturday
    assert not cn.is_workday(date(2025, 10, 12))  # an ordinary Sunday


def test_add_workdays_follows_the_official_calendar(cn: WorkCalendar) -> None:
    assert cn.add_workdays(date(2025, 9, 26), 1) == date(2025, 9, 28)  # Fri -> make-up Sun
    assert cn.add_workdays(date(2025, 9, 30), 1) == date(2025, 10, 9)  # over the holiday
    assert cn.add_workdays(date(2025, 10, 9), 2) == date(2025, 10, 11)  # Thu, Fri, make-up Sat
    assert cn.add_workdays(date(2025, 10, 1), 1) == date(2025, 10, 9)  # from inside the holiday
    assert cn.add_workdays(date(2025, 9, 26), 3) == date(2025, 9, 30)
    assert cn.next_workday(date(2025, 9, 30)) == date(2025, 10, 9)
    assert cn.next_workday(date(2025, 10, 11)) == date(2025, 10, 13)


def test_workdays_between_counts_the_half_open_interval(cn: WorkCalendar) -> None:
    # (09-30, 10-09]: only 10-09 is a working day.
    assert cn.workdays_between(date(2025, 9, 30), date(2025, 10, 9)) == 1
    # (09-26, 10-12]: 09-28, 09-29, 09-30, 10-09, 10-10, 10-11.
    assert cn.workdays_between(date(2025, 9, 26), date(2025, 10, 12)) == 6
    assert cn.workdays_between(date(2025, 10, 1), date(2025, 10, 8)) == 0
    assert cn.workdays_between(date(2025, 10, 9), date(2025, 10, 9)) == 0
    assert cn.workdays_between(date(2025, 10, 12), date(2025, 9, 26)) == 0  # b before a


def test_datetimes_count_as_their_date(cn: WorkCalendar) -> None:
    late = datetime(2025, 9, 30, 23, 59)
    assert cn.add_workdays(late, 1) == date(2025, 10, 9)
    assert cn.add_workdays(pd.Timestamp("2025-09-26 08:30"), 1) == date(2025, 9, 28)
    assert cn.workdays_between(datetime(2025, 9, 30, 9), datetime(2025, 10, 9, 1)) == 1
    assert cn.workdays_between(datetime(2025, 10, 9, 18), datetime(2025, 10, 9, 20)) == 0
    assert cn.is_workday(datetime(2025, 9, 28, 12))


def test_zero_days_is_the_same_date(cn: WorkCalendar) -> None:
    assert cn.add_workdays(date(2025, 10, 3), 0) == date(2025, 10, 3)  # even on a holiday
    result = cn.add_workdays(datetime(2025, 10, 3, 15, 30), 0)
    assert result == date(2025, 10, 3) and not isinstance(result, datetime)
    with pytest.raises(ValueError):
        cn.add_workdays(date(2025, 10, 3), -1)


def test_office_closures_remove_a_day() -> None:
    cal = WorkCalendar("CN", [date(2025, 9, 29)])  # the office shuts on Monday 09-29
    assert not cal.is_workday(date(2025, 9, 29))
    assert cal.add_workdays(date(2025, 9, 28), 1) == date(2025, 9, 30)
    assert cal.workdays_between(date(2025, 9, 26), date(2025, 10, 12)) == 5
    config = OfficeConfig.model_validate({"office": {"closures": ["2025-10-09"]}})
    cal = calendar_for(config)
    assert cal.region == "CN"
    assert cal.add_workdays(date(2025, 9, 30), 1) == date(2025, 10, 10)


def test_matches_chinese_calendar_day_by_day() -> None:
    """The precomputed array agrees with a plain day-by-day walk over the library."""
    cal, said = quiet()
    rng = random.Random(2025)
    for _ in range(200):
        start = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 3 * 365 - 60))
        n = rng.randrange(0, 12)
        day, left = start, n
        while left:
            day += timedelta(days=1)
            left -= chinese_calendar.is_workday(day)
        assert cal.add_workdays(start, n) == day
        end = start + timedelta(days=rng.randrange(-5, 40))
        walk = sum(
            chinese_calendar.is_workday(start + timedelta(days=i))
            for i in range(1, (end - start).days + 1)
        )
        assert cal.workdays_between(start, end) == walk
    assert said == []


# -- vectorised forms ------------------------------------------------------------------------

def random_stamps(rng: random.Random, count: int) -> list[pd.Timestamp]:
    base = pd.Timestamp("2024-01-01")
    span = (pd.Timestamp("2026-12-31") - base).days
    return [
        base + pd.Timedelta(days=rng.randrange(span + 1), minutes=rng.randrange(24 * 60))
        for _ in range(count)
    ]


@pytest.mark.parametrize("n", [0, 1, 2, 5, 20])
def test_add_workdays_series_equals_scalar(n: int) -> None:
    cal, _ = quiet("CN", [date(2025, 5, 6)])
    stamps = random_stamps(random.Random(n), 300)
    stamps[7] = pd.NaT
    stamps[100] = pd.NaT
    series = pd.Series(stamps, index=range(10, 310), name="借出时间")
    got = cal.add_workdays_series(series, n)
    assert str(got.dtype) == "datetime64[ns]"
    assert list(got.index) == list(series.index) and got.name == "借出时间"
    for stamp, result in zip(stamps, got, strict=True):
        if pd.isna(stamp):
            assert pd.isna(result)
        else:
            assert result == pd.Timestamp(cal.add_workdays(stamp, n))
            assert result == result.normalize()  # time of day dropped


def test_workdays_between_series_equals_scalar() -> None:
    cal, _ = quiet("CN", [date(2024, 10, 8)])
    rng = random.Random(7)
    a = random_stamps(rng, 300)
    b = [x + pd.Timedelta(days=rng.randrange(-10, 60), hours=rng.randrange(24)) for x in a]
    a[3], b[4], a[5], b[5] = pd.NaT, pd.NaT, pd.NaT, pd.NaT
    got = cal.workdays_between_series(pd.Series(a), pd.Series(b))
    assert str(got.dtype) == "Int64"
    for x, y, count in zip(a, b, got, strict=True):
        if pd.isna(x) or pd.isna(y):
            assert count is pd.NA
        else:
            assert count == cal.workdays_between(x, y)
    # One side may be a single date (e.g. "as of").
    as_of = cal.workdays_between_series(pd.Series(a), date(2026, 6, 30))
    assert as_of.iloc[0] == cal.workdays_between(a[0], date(2026, 6, 30))
    assert as_of.iloc[3] is pd.NA


def test_series_known_dates() -> None:
    cal = WorkCalendar("CN")
    start = pd.Series([pd.Timestamp("2025-09-26 17:00"), pd.Timestamp("2025-09-30 09:00"), pd.NaT])
    assert list(cal.add_workdays_series(start, 1)[:2]) == [
        pd.Timestamp("2025-09-28"), pd.Timestamp("2025-10-09"),
    ]
    end = pd.Series([pd.Timestamp("2025-10-12"), pd.Timestamp("2025-10-09 08:00"), pd.NaT])
    counts = cal.workdays_between_series(start, end)
    assert counts.tolist() == [6, 1, pd.NA]
    empty = pd.Series([], dtype="datetime64[ns]")
    assert len(cal.add_workdays_series(empty, 3)) == 0
    assert len(cal.workdays_between_series(empty, empty)) == 0


# -- years the library does not cover --------------------------------------------------------

def test_uncovered_year_is_said_once_and_falls_back_to_monday_to_friday() -> None:
    cal, said = quiet()
    assert cal.is_workday(date(2025, 10, 9)) and said == []  # covered: nothing said
    assert cal.is_workday(date(2031, 10, 1))  # a Wednesday; no holiday known
    assert not cal.is_workday(date(2031, 10, 4))  # Saturday
    assert cal.add_workdays(date(2031, 10, 3), 1) == date(2031, 10, 6)  # Fri -> Mon
    assert cal.workdays_between(date(2031, 9, 28), date(2031, 10, 5)) == 5
    series = pd.Series(pd.to_datetime(["2031-01-01", "2031-12-26"]))
    cal.add_workdays_series(series, 1)
    cal.workdays_between_series(series, series + pd.Timedelta(days=3))
    assert said == [2031]
    assert cal.uncovered_years == {2031}


def test_uncovered_year_default_warning() -> None:
    cal = WorkCalendar("CN")
    with pytest.warns(UncoveredYearWarning, match="2031"):
        cal.add_workdays(date(2031, 3, 3), 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a second query in 2031 says nothing more
        cal.add_workdays(date(2031, 6, 3), 1)
        cal.is_workday(date(2031, 6, 4))


def test_a_span_into_uncovered_years_names_each_year_once() -> None:
    cal, said = quiet()
    cal.workdays_between(date(2026, 12, 1), date(2028, 1, 10))
    cal.add_workdays(date(2026, 12, 31), 1)  # lands in 2027, already said
    assert said == [2027, 2028]
    cal, said = quiet()
    result = cal.add_workdays(date(2026, 12, 30), 1)  # still inside 2026
    assert result == date(2026, 12, 31) and said == []


# -- HK and TW -------------------------------------------------------------------------------

def test_tw_national_day_and_makeup_saturday() -> None:
    tw, said = quiet("TW")
    assert not tw.is_workday(date(2025, 10, 10))  # 國慶日, Friday
    assert tw.add_workdays(date(2025, 10, 9), 1) == date(2025, 10, 13)
    assert tw.is_workday(date(2025, 2, 8))  # Saturday worked for the Lunar New Year bridge
    assert not tw.is_workday(date(2025, 1, 27))  # the bridge day off it pays for
    assert said == []


def test_hk_establishment_day_and_saturdays_off() -> None:
    hk, said = quiet(" hk ")
    assert hk.region == "HK"
    assert not hk.is_workday(date(2025, 7, 1))  # 香港特別行政區成立紀念日, Tuesday
    assert hk.add_workdays(date(2025, 6, 30), 1) == date(2025, 7, 2)
    assert not hk.is_workday(date(2025, 7, 5))  # Saturday is off for the office
    assert hk.add_workdays(date(2025, 7, 4), 1) == date(2025, 7, 7)
    assert said == []


# -- configuration ---------------------------------------------------------------------------

def test_unknown_region_is_a_clear_error() -> None:
    with pytest.raises(ConfigError) as caught:
        WorkCalendar("XX")
    assert caught.value.key == "config.bad_region"
    assert "XX" in caught.value.message("en") and "CN" in caught.value.message("en")
    config = OfficeConfig.model_validate({"office": {"region": "Beijing"}})
    with pytest.raises(ConfigError) as caught:
        calendar_for(config)
    assert caught.value.values["key"] == "office.region"
    assert "Beijing" in caught.value.message("zh-Hans")


# -- the office's own make-up days ([office] extra_workdays) --------------------------------

def test_extra_workdays_fill_in_a_year_the_library_does_not_know() -> None:
    """2027 is not in chinesecalendar 1.11: Spring Festival off as closures, the make-up
    Saturday as an extra working day; the office has filled the year in, so nothing is said."""
    said: list[int] = []
    cal = WorkCalendar("CN", [date(2027, 2, 8), date(2027, 2, 9)],
                       extra_workdays=[date(2027, 2, 6)], warn=said.append)
    assert cal.is_workday(date(2027, 2, 6))  # a Saturday, worked
    assert not cal.is_workday(date(2027, 2, 8))  # a Monday, closed
    # Friday 02-05 + 2 working days: Sat 02-06, then Wed 02-10 (Mon, Tue closed).
    assert cal.add_workdays(date(2027, 2, 5), 2) == date(2027, 2, 10)
    assert cal.workdays_between(date(2027, 2, 5), date(2027, 2, 10)) == 2
    assert said == []


def test_without_extra_workdays_an_unknown_year_is_said_once() -> None:
    said: list[int] = []
    cal = WorkCalendar("CN", warn=said.append)
    assert not cal.is_workday(date(2027, 2, 6))  # Monday to Friday only
    cal.add_workdays(date(2027, 3, 1), 3)
    assert said == [2027]


def test_a_closure_wins_over_an_extra_workday_on_the_same_day() -> None:
    cal = WorkCalendar("CN", [date(2025, 10, 11)], extra_workdays=[date(2025, 10, 11)])
    assert not cal.is_workday(date(2025, 10, 11))


def test_extra_workday_moves_a_deadline_in_a_known_year(cn: WorkCalendar) -> None:
    cal = WorkCalendar("CN", extra_workdays=[date(2025, 10, 12)])  # the office works Sunday
    assert cn.add_workdays(date(2025, 10, 10), 2) == date(2025, 10, 13)
    assert cal.add_workdays(date(2025, 10, 10), 2) == date(2025, 10, 12)


def test_library_years_are_what_the_library_knows() -> None:
    first, last = WorkCalendar("CN").library_years() or (0, 0)
    assert first <= 2025 <= last
    chinese_calendar.is_workday(date(last, 12, 31))  # the last year is known to its end
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(last + 1, 6, 1))


def test_calendar_for_reads_extra_workdays_from_the_config() -> None:
    config = OfficeConfig.model_validate(
        {"office": {"extra_workdays": ["2025-10-12"], "closures": ["2025-10-13"]}})
    cal = calendar_for(config)
    assert cal.is_workday(date(2025, 10, 12)) and not cal.is_workday(date(2025, 10, 13))


def test_make_up_days_without_holidays_still_say_the_year() -> None:
    """Only extra_workdays for 2027: its Spring Festival would count as working days."""
    said: list[int] = []
    cal = WorkCalendar("CN", extra_workdays=[date(2027, 2, 6)], warn=said.append)
    assert cal.is_workday(date(2027, 2, 6))
    cal.add_workdays(date(2027, 2, 5), 3)
    assert said == [2027] and cal.office_years == frozenset()
