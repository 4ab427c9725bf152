"""Every rule on records just before, at and after its deadline, across the 2025 National
Day holiday (10-01..08 off; Sun 09-28 and Sat 10-11 are make-up working days).

Today is Friday 2025-10-10 at the run hour, 08:00.
"""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from conftest import clerk, write_config, write_xlsx

TODAY = "2025-10-10"

MEMBERS = [
    ["学号", "姓名", "部门", "职务", "手机号", "邮箱", "状态"],
    ["P001", "主席甲", "主席团", "主席", "13800000001", "p1@x.edu.cn", "在任"],
    ["H_OFF", "办公室部长", "办公室", "部长", "13800000002", "h2@x.edu.cn", "在任"],
    ["H_RIGHTS", "权益部长", "权益服务部", "部长", "13800000003", "h3@x.edu.cn", "在任"],
    ["H_ARTS", "文体部长", "文体活动部", "部长", "13800000004", "h4@x.edu.cn", "在任"],
    ["M1", "干事一", "文体活动部", "干事", "13800000005", "m1@x.edu.cn", "在任"],
    ["M2", "干事二", "办公室", "干事", "13800000006", None, "在任"],
    ["M3", "干事三", "学术发展部", "干事", None, "m3@x.edu.cn", "在任"],
]
LOANS = [
    ["借用单号", "物资编号", "借用人", "借用人学号", "联系电话", "借出日期", "应还日期",
     "归还日期", "归还状况", "经手人学号"],
    ["L_SOON", "A1", "干事一", "M1", "13800000005", "2025-10-09", "2025-10-11", None, None, "M1"],
    ["L_MON", "A1", "干事一", "M1", "13800000005", "2025-10-09", "2025-10-13", None, None, "M1"],
    ["L_TODAY", "A1", "干事一", "M1", "13800000005", "2025-10-09", TODAY, None, None, "M1"],
    ["L_BACK", "A1", "干事一", "M1", "13800000005", "2025-10-09", "2025-10-11", "2025-10-09",
     "完好", "M1"],
    ["L_LATE1", "A1", "外院同学", None, "13900000000", "2025-10-01", "2025-10-09", None, None,
     "M1"],
    ["L_LATE_HOL", "A1", "干事一", "M1", "13800000005", "2025-09-20", "2025-09-30", None,
     None, "M1"],
    ["L_LATE_ESC", "A1", "干事一", "M1", "13800000005", "2025-09-20", "2025-09-26", None,
     None, "M1"],
]
ITEMS = [
    ["物资编号", "物资名称", "状况", "保管人学号", "下次盘点日期"],
    ["A1", "音响", "完好", "M1", TODAY],
    ["A2", "投影仪", "完好", "M1", "2025-10-11"],
    ["A3", "帐篷", "完好", None, "2025-09-01"],
]
EXPENSES = [
    ["报销单号", "预算编号", "支出事项", "金额", "支出日期", "提交日期", "经办人学号",
     "审核人学号", "状态"],
    ["E_ON_TIME", "B1", "水", 10, "2025-09-30", "2025-09-30", "M1", "H_ARTS", "待审核"],
    ["E_LATE", "B1", "水", 10, "2025-09-29", "2025-09-29", "M1", "H_ARTS", "待审核"],
    ["E_ESC", "B1", "水", 10, "2025-09-25", "2025-09-25", "M1", None, "待审核"],
    ["E_DONE", "B1", "水", 10, "2025-09-25", "2025-09-25", "M1", "H_ARTS", "已审核"],
]
BUDGETS = [["预算编号", "活动名称", "部门", "预算金额"], ["B1", "迎新", "文体活动部", 1000]]
CASES = [
    ["案件编号", "受理时间", "诉求摘要", "承办人学号", "首次回复时间", "进展反馈时间",
     "办结时间", "状态"],
    ["C_AT24", "2025-10-09 08:00", "热水", "M1", None, None, None, "处理中"],
    ["C_PAST24", "2025-10-09 07:59", "热水", "M1", None, None, None, "处理中"],
    ["C_P_AT", "2025-09-26 10:00", "热水", "M3", "2025-09-26 11:00", None, None, "处理中"],
    ["C_P_LATE", "2025-09-25 10:00", "热水", "M3", "2025-09-25 11:00", None, None, "处理中"],
    ["C_P_DONE", "2025-09-25 10:00", "热水", "M3", "2025-09-25 11:00", None,
     "2025-09-27 10:00", "已办结"],
]
MEETINGS = [
    ["会议编号", "会议名称", "会议类型", "组织人学号", "通知时间", "开会时间", "纪要发布时间"],
    ["N_DUE", "例会", "例会", "M2", None, "2025-10-12 08:00", None],
    ["N_EDGE", "例会", "例会", "M2", None, "2025-10-13 08:00", None],
    ["N_NOT_YET", "例会", "例会", "M2", None, "2025-10-13 09:00", None],
    ["N_MAJOR", "大会", "重大", "M2", None, "2025-10-13 08:00", None],
    ["N_SENT", "例会", "例会", "M2", "2025-10-09 20:00", "2025-10-12 08:00", None],
    ["MIN_AT48", "例会", "例会", "M2", "2025-10-05 08:00", "2025-10-08 08:00", None],
    ["MIN_LATE", "例会", "例会", "M2", "2025-10-05 07:00", "2025-10-08 07:00", None],
]
TASKS = [
    ["任务编号", "任务内容", "负责人学号", "部门", "截止日期", "完成日期"],
    ["T_LATE", "写推送", "M1", None, "2025-10-09", None],
    ["T_ESC", "写推送", "M1", None, "2025-09-26", None],
    ["T_TODAY", "写推送", "M1", None, TODAY, None],
    ["T_DONE", "写推送", "M1", None, "2025-09-26", "2025-09-27"],
]


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    folder = tmp_path_factory.mktemp("office")
    write_xlsx(folder / "roster.xlsx", {"成员": MEMBERS, "会议": MEETINGS, "任务": TASKS})
    write_xlsx(folder / "assets.xlsx", {"物资台账": ITEMS, "借用登记": LOANS})
    write_xlsx(folder / "finance.xlsx", {"活动预算": BUDGETS, "报销明细": EXPENSES})
    write_xlsx(folder / "cases.xlsx", {"权益案件": CASES})
    write_config(folder, {r: f"{r}.xlsx" for r in ("roster", "assets", "finance", "cases")},
                 extra='\n[reminders]\nchannels = ["outbox", "email"]\n\n'
                       '[channels.email]\nhost = "127.0.0.1"\n')
    done = clerk("remind", "--dry-run", "--format", "json", "--today", TODAY, cwd=folder)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def picked(plan, rule, channel="outbox"):
    return {(r["record_id"], r["recipient"], r["level"]) for r in plan["reminders"]
            if r["rule"] == rule and r["channel"] == channel}


def test_loan_due_soon_uses_the_make_up_saturday(plan):
    assert picked(plan, "loan_due_soon") == {("L_SOON", "M1", 0)}


@pytest.mark.parametrize(("today", "closures", "due"), [
    # Thu 2025-10-16: the next working day is Fri 10-17
    ("2025-10-16", "", {"L_FRI"}),
    # Fri 10-17: Sat 10-18 and Sun 10-19 are days off before Mon 10-20, the next working day
    ("2025-10-17", "", {"L_SAT", "L_SUN", "L_MON"}),
    # the office closes on Mon 10-20: Tuesday is the next working day
    ("2025-10-17", "closures = [2025-10-20]", {"L_SAT", "L_SUN", "L_MON", "L_TUE"}),
    # Sat 10-18 (not a working day): the next one is Monday
    ("2025-10-18", "", {"L_SUN", "L_MON"}),
])
def test_a_loan_due_on_a_day_off_is_reminded_the_working_day_before(tmp_path, today,
                                                                    closures, due):
    """Not overdue before its borrower heard of it: a loan due on a weekend or a closure is
    reminded with those due the next working day, never on or after its due date."""
    loans = [LOANS[0]] + [
        [loan, "A1", "干事一", "M1", "13800000005", "2025-10-13", day, None, None, "M1"]
        for loan, day in (("L_FRI", "2025-10-17"), ("L_SAT", "2025-10-18"),
                          ("L_SUN", "2025-10-19"), ("L_MON", "2025-10-20"),
                          ("L_TUE", "2025-10-21"))]
    write_xlsx(tmp_path / "roster.xlsx", {"成员": MEMBERS})
    write_xlsx(tmp_path / "assets.xlsx", {"物资台账": ITEMS, "借用登记": loans})
    write_config(tmp_path, {"roster": "roster.xlsx", "assets": "assets.xlsx"})
    if closures:
        path = tmp_path / "office.toml"
        path.write_text(path.read_text(encoding="utf-8").replace(
            'name = "测试大学学生会"', f'name = "测试大学学生会"\n{closures}'), encoding="utf-8")
    done = clerk("remind", "--dry-run", "--format", "json", "--today", today, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert {r for r, *_ in picked(json.loads(done.stdout), "loan_due_soon")} == due


def test_loan_overdue_and_escalation_count_working_days_across_the_holiday(plan):
    assert picked(plan, "loan_overdue") == {
        ("L_LATE1", "M1", 0),        # outside borrower: the handler
        ("L_LATE_HOL", "M1", 0),     # 3 working days after 09-30 end on 10-11: not yet
        ("L_LATE_ESC", "M1", 0), ("L_LATE_ESC", "H_ARTS", 1),  # 09-26 + 3 wd = 09-30
    }


def test_audit_due_on_the_day_with_the_office_head(plan):
    assert picked(plan, "audit_due") == {("A1", "M1", 0), ("A1", "H_OFF", 1),
                                         ("A3", "H_OFF", 1)}
    (nobody,) = [u for u in plan["undeliverable"]
                 if u["record_id"] == "A3" and u["channel"] == "outbox"]
    assert nobody["reason"] == "no_custodian" and nobody["recipient"] is None


def test_expense_audit_two_and_five_working_days(plan):
    assert picked(plan, "expense_audit_overdue") == {
        ("E_LATE", "H_ARTS", 0),                      # 09-29 + 2 wd = 10-09 < today
        ("E_ESC", "H_OFF", 0), ("E_ESC", "P001", 1),  # no approver: head of 办公室
    }


def test_case_response_24_hours_is_clock_hours(plan):
    assert picked(plan, "case_response_overdue") == {("C_PAST24", "M1", 0),
                                                     ("C_PAST24", "H_RIGHTS", 1)}


def test_case_progress_five_working_days(plan):
    assert picked(plan, "case_progress_overdue") == {("C_P_LATE", "M3", 0),
                                                     ("C_P_LATE", "H_RIGHTS", 1)}


def test_meeting_notice_lead_times(plan):
    assert picked(plan, "meeting_notice_due") == {("N_DUE", "M2", 0), ("N_EDGE", "M2", 0),
                                                  ("N_MAJOR", "M2", 0)}


def test_minutes_after_48_hours(plan):
    assert picked(plan, "minutes_overdue") == {("MIN_LATE", "M2", 0),
                                               ("MIN_LATE", "H_OFF", 1)}


def test_task_overdue_and_escalation(plan):
    assert picked(plan, "task_overdue") == {("T_LATE", "M1", 0), ("T_ESC", "M1", 0),
                                            ("T_ESC", "H_ARTS", 1)}


def test_people_without_an_address_for_a_channel_are_listed_not_dropped(plan):
    no_email = {(u["rule"], u["record_id"], u["recipient"]) for u in plan["undeliverable"]
                if u["channel"] == "email" and u["reason"] == "no_email"}
    assert ("meeting_notice_due", "N_DUE", "M2") in no_email
    outbox = picked(plan, "meeting_notice_due", "outbox")
    email = picked(plan, "meeting_notice_due", "email")
    assert outbox and not email


def test_contract_fields(plan):
    assert set(plan) == {"reminders", "undeliverable"}
    assert set(plan["reminders"][0]) == {"rule", "register", "table", "record_id", "sheet",
                                         "row", "recipient", "channel", "level"}
    row = next(r for r in plan["reminders"] if r["record_id"] == "L_SOON")
    assert (row["register"], row["table"], row["sheet"], row["row"]) == (
        "assets", "loans", "借用登记", 2)


def test_run_time_is_the_configured_hour():
    from automation.reminders.rules import run_time

    assert run_time(date(2025, 10, 10), 8) == datetime(2025, 10, 10, 8)
