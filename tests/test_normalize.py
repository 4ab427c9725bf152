"""Every value form DESIGN.md lists, read to the right type, and what must become a finding."""

from __future__ import annotations

from datetime import date, datetime, time

import pandas as pd
import pytest

from automation.normalize import Context, normalize_column
from automation.registers import get_table

LOANS = get_table("assets.loans")
ITEMS = get_table("assets.items")
MEMBERS = get_table("roster.members")
MEETINGS = get_table("roster.meetings")
STOCKTAKES = get_table("assets.stocktakes")


def parse(table, key, values, ctx=None):
    parsed = normalize_column(pd.Series(values, dtype=object), table.column(key), ctx or Context())
    issues = [None if pd.isna(i) else i for i in parsed.issues]
    return list(parsed.values), issues


D = pd.Timestamp("2025-03-05")


@pytest.mark.parametrize("value", [
    "2025-03-05", "2025/3/5", "2025.3.5", "2025年3月5日", "20250305", "２０２５－０３－０５",
    " 2025-03-05\u00a0", "\u200b2025/03/05", 45721.0, 20250305.0, date(2025, 3, 5),
    "2025/03/05 星期三", "2025-03-05（周三）", "2025-03-05 Wed",
    datetime(2025, 3, 5, 14, 30), "2025-03-05 14:30",
])
def test_dates_in_every_form(value):
    values, issues = parse(LOANS, "borrowed_on", [value])
    assert values == [D] and issues == [None]


def test_1904_serials_use_the_1904_epoch():
    values, _ = parse(LOANS, "borrowed_on", [44259.0], Context(date1904=True))
    assert values == [D]


@pytest.mark.parametrize("value, code", [
    ("2025-02-30", "date_invalid"), ("3/5/2025", "not_a_date"), ("下周一", "not_a_date"),
    ("1899-01-01", "date_out_of_range"), (time(9, 30), "date_is_time"), (True, "not_a_date"),
    (99999999.0, "not_a_date"),
])
def test_unreadable_dates_are_issues_not_guesses(value, code):
    values, issues = parse(LOANS, "borrowed_on", [value])
    assert pd.isna(values[0]) and issues == [code]


@pytest.mark.parametrize("value, expected", [
    ("2025-03-05 14:30", "2025-03-05 14:30"), ("2025/3/5 下午2:30", "2025-03-05 14:30"),
    ("2025年3月5日 14时30分", "2025-03-05 14:30"), (45721.5, "2025-03-05 12:00"),
    ("2025-03-05T08:00:00", "2025-03-05 08:00"), (datetime(2025, 3, 5, 9), "2025-03-05 09:00"),
    ("2025年3月5日下午3点", "2025-03-05 15:00"), ("2025-03-05 14时", "2025-03-05 14:00"),
    ("2025-03-05 周三 9:05", "2025-03-05 09:05"),
])
def test_datetimes(value, expected):
    values, issues = parse(MEETINGS, "start_at", [value])
    assert values == [pd.Timestamp(expected)] and issues == [None]


def test_a_date_without_time_in_a_datetime_column_is_kept_with_a_warning():
    values, issues = parse(MEETINGS, "start_at", ["2025-03-05", 45721.0])
    assert values == [pd.Timestamp("2025-03-05")] * 2
    assert issues == ["datetime_no_time"] * 2


def test_a_date_cell_in_a_datetime_column_is_midnight_without_warning():
    """The reader gives a plain date for a date-time cell at 00:00: not a finding."""
    values, issues = parse(MEETINGS, "start_at", [date(2025, 3, 5)])
    assert values == [pd.Timestamp("2025-03-05")] and issues == [None]


@pytest.mark.parametrize("value, cents", [
    (12.5, 1250), ("¥1,234.50", 123450), ("1234元", 123400), ("1.2万", 1200000000 // 1000),
    ("￥ 88", 8800), ("1,234,567.8元", 123456780), ("0.05万元", 50000), (0.1 + 0.2, 30),
    ("１２３．４", 12340), (-3.0, -300),
])
def test_money_to_cents(value, cents):
    values, issues = parse(ITEMS, "unit_price", [value])
    assert values == [cents] and issues == [None]


@pytest.mark.parametrize("value, code", [
    ("abc", "money_invalid"), (12.345, "money_precision"), ("1.2345", "money_precision"),
    (True, "money_invalid"), ("约100", "money_invalid"),
])
def test_bad_money(value, code):
    _, issues = parse(ITEMS, "unit_price", [value])
    assert issues == [code]


@pytest.mark.parametrize("value, expected", [
    ("2021001234", "2021001234"), (2021001234.0, "2021001234"), ("2021001234.0", "2021001234"),
    (" 2021001234 ", "2021001234"), ("２０２１００１２３４", "2021001234"),
    ("'2021001234", "2021001234"), (2021001234, "2021001234"),
])
def test_ids_typed_as_numbers_equal_the_same_id_as_text(value, expected):
    values, issues = parse(MEMBERS, "member_id", [value])
    assert values == [expected] and issues == [None]


def test_lost_precision_ids_are_reported():
    values, issues = parse(MEMBERS, "member_id", ["2.021E+09", 1.10101199003071e17])
    assert issues == ["id_scientific", "id_precision"]
    assert values == [None, None]


@pytest.mark.parametrize("value", [
    "138-0013-8000", "+86 138 0013 8000", 13800138000.0, "008613800138000", "138 0013 8000",
    "（138）00138000", "138-0013-8000（微信同号）", "手机 13800138000",
])
def test_phones(value):
    values, issues = parse(MEMBERS, "phone", [value])
    assert values == ["13800138000"] and issues == [None]


def test_bad_phone_and_configured_pattern():
    _, issues = parse(MEMBERS, "phone", ["1380013800", "0571-88888888", "13800138000/13900139000"])
    assert issues == ["phone_invalid"] * 3
    values, issues = parse(MEMBERS, "phone", ["0571-88888888"],
                           Context(phone_pattern=r"0\d{2,3}-\d{7,8}"))
    assert values == ["0571-88888888"] and issues == [None]


def test_emails():
    values, issues = parse(MEMBERS, "email", ["a@b.cn", "x＠y.edu.cn", "bad", "a@b"])
    assert values[:2] == ["a@b.cn", "x@y.edu.cn"]
    assert issues == [None, None, "email_invalid", "email_invalid"]


def test_enums_accept_every_locale_and_stray_spaces():
    values, issues = parse(MEMBERS, "department",
                           ["办公室", "辦公室", "General Office", "办 公 室", " 主席团 ", "宣传部"])
    assert values[:5] == ["办公室", "办公室", "办公室", "办公室", "主席团"]
    assert issues[-1] == "enum_invalid"


def test_enums_follow_the_config():
    ctx = Context(enum_values={"departments": ["办公室", "宣传部"]})
    values, issues = parse(MEMBERS, "department", ["宣传部", "新媒体中心"], ctx)
    assert values[0] == "宣传部" and issues == [None, "enum_invalid"]


@pytest.mark.parametrize("value, expected", [
    ("是", True), ("否", False), ("Y", True), ("n", False), ("TRUE", True), ("✓", True),
    ("×", False), (True, True), (0.0, False), ("在库", True), ("✔️", True),
])
def test_bools(value, expected):
    values, issues = parse(STOCKTAKES, "found", [value])
    assert values == [expected] and issues == [None]


def test_ints_and_measure_words():
    values, issues = parse(ITEMS, "quantity", [3.0, "5台", "３", "2.5", "x"])
    assert values[:3] == [3, 5, 3]
    assert issues[3:] == ["int_invalid", "int_invalid"]


def test_blank_looking_cells_are_missing_not_findings():
    values, issues = parse(LOANS, "borrower", ["", None, "  ", "\u3000", "\u200b"])
    assert all(v is None for v in values) and issues == [None] * 5


def test_text_is_cleaned_but_kept():
    values, _ = parse(LOANS, "borrower", ["\u00a0王小明 ", 123.0])
    assert values == ["王小明", "123"]


@pytest.mark.parametrize("header, key", [
    ("学号*", "member_id"), ("*学号", "member_id"), ("学号(必填)", "member_id"),
    ("学 号", "member_id"), ("学号：", "member_id"), ("Student ID", "member_id"),
    ("student id.", "member_id"), ("學號", "member_id"), ("手机\n号", "phone"),
    ("手机号（选填）", "phone"), ("Mobile", "phone"), ("入职日期(yyyy-mm-dd)", "joined_on"),
])
def test_headers_as_officers_write_them(header, key):
    from automation.layout import header_text, match_header

    assert match_header(header_text(header), MEMBERS) == key
