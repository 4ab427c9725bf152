"""Reminders follow the office's declared policy (`[policy]` in office.toml).

An office with its own numbers, its own department and role names (`[enums]` and
`[policy.roles]`), one closure and one make-up Saturday. Every rule gets records just
before, at and just after its deadline; every expectation below is worked out by hand in
the comment beside it.

Today is Friday 2025-11-07, run at 08:00. The region calendar (CN) has no holiday in
these weeks; the office closes on Wednesday 11-05 (`closures`) and works on Saturday
11-08 (`extra_workdays`). Working days, therefore:

    Fri 10-31 | Mon 11-03, Tue 11-04, [Wed 11-05 closed], Thu 11-06, Fri 11-07 (today),
    Sat 11-08 (make-up) | Mon 11-10, Tue 11-11, ...
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import clerk, write_config, write_xlsx

TODAY = "2025-11-07"

POLICY = """
[enums]
departments = ["主席团", "办公室", "权益服务部", "综合部", "维权部", "文艺部"]
roles = ["主席", "会长", "总监", "部长", "干事"]

[policy]
case_response_hours = 12
case_progress_workdays = 3
referral_followup_workdays = 2
expense_audit_workdays = 1
expense_escalate_workdays = 3
loan_escalate_workdays = 1
task_escalate_workdays = 2
meeting_notice_hours = 24
meeting_notice_major_hours = 96
minutes_hours = 24

[policy.roles]
office_department = "综合部"
rights_department = "维权部"
head_role = "总监"
president_role = "会长"
"""

# The decoys come first: a 主席, a 办公室 and a 权益服务部 head, and a 部长 of 文艺部 — the
# names the code used to hard-wire. None of them may receive an escalation here.
MEMBERS = [
    ["学号", "姓名", "部门", "职务", "手机号", "邮箱", "状态"],
    ["X_CHAIR", "主席乙", "主席团", "主席", "13800000010", "x1@x.edu.cn", "在任"],
    ["X_OFFICE", "办公室总监", "办公室", "总监", "13800000011", "x2@x.edu.cn", "在任"],
    ["X_RIGHTS", "权益总监", "权益服务部", "总监", "13800000012", "x3@x.edu.cn", "在任"],
    ["X_ARTS_BU", "文艺部长", "文艺部", "部长", "13800000013", "x4@x.edu.cn", "在任"],
    ["P_OLD", "前会长", "主席团", "会长", "13800000014", "x5@x.edu.cn", "离任"],
    ["P1", "会长甲", "主席团", "会长", "13800000001", "p1@x.edu.cn", "在任"],
    ["D_OFF", "综合总监", "综合部", "总监", "13800000002", "d2@x.edu.cn", "在任"],
    ["D_RIGHTS", "维权总监", "维权部", "总监", "13800000003", "d3@x.edu.cn", "在任"],
    ["D_ARTS", "文艺总监", "文艺部", "总监", "13800000004", "d4@x.edu.cn", "在任"],
    ["M1", "干事一", "文艺部", "干事", "13800000005", "m1@x.edu.cn", "在任"],
    ["M2", "干事二", "综合部", "干事", "13800000006", "m2@x.edu.cn", "在任"],
    ["M3", "干事三", "维权部", "干事", "13800000007", "m3@x.edu.cn", "在任"],
]
LOANS = [
    ["借用单号", "物资编号", "借用人", "借用人学号", "联系电话", "借出日期", "应还日期",
     "归还日期", "归还状况", "经手人学号"],
    # due soon: the next working day after Fri 11-07 is the make-up Sat 11-08
    ["L_SAT", "A1", "干事一", "M1", "13800000005", "2025-11-01", "2025-11-08", None, None,
     "M1"],
    ["L_MON", "A1", "干事一", "M1", "13800000005", "2025-11-01", "2025-11-10", None, None,
     "M1"],
    ["L_TODAY", "A1", "干事一", "M1", "13800000005", "2025-11-01", TODAY, None, None, "M1"],
    # overdue; escalation after 1 working day: 11-06 + 1 wd = 11-07, not before today
    ["L_LATE", "A1", "干事一", "M1", "13800000005", "2025-11-01", "2025-11-06", None, None,
     "M1"],
    # 11-04 + 1 wd = 11-06 (11-05 closed) < today: to the 总监 of the handler's 文艺部
    ["L_ESC", "A1", "干事一", "M1", "13800000005", "2025-11-01", "2025-11-04", None, None,
     "M1"],
]
ITEMS = [
    ["物资编号", "物资名称", "状况", "保管人学号", "下次盘点日期"],
    ["A1", "音响", "完好", "M1", TODAY],
    ["A2", "投影仪", "完好", "M1", "2025-11-08"],
]
BUDGETS = [["预算编号", "活动名称", "部门", "预算金额"], ["B1", "迎新", "文艺部", 1000]]
EXPENSES = [
    ["报销单号", "预算编号", "支出事项", "金额", "支出日期", "提交日期", "经办人学号",
     "审核人学号", "票据齐全", "状态"],
    # receipts missing: the claimant, never the approver, however late
    ["E_NO_RECEIPTS", "B1", "水", 10, "2025-10-20", "2025-10-20", "M2", "D_ARTS", "否",
     "待审核"],
    ["E_NO_RECEIPTS_DONE", "B1", "水", 10, "2025-10-20", "2025-10-20", "M2", "D_ARTS", "否",
     "已审核"],
    ["E_NO_CLAIMANT", "B1", "水", 10, "2025-10-20", "2025-10-20", None, "D_ARTS", "否",
     "待审核"],
    # audit within 1 wd: 11-06 + 1 = 11-07, not before today
    ["E_AT", "B1", "水", 10, "2025-11-06", "2025-11-06", "M1", "D_ARTS", "是", "待审核"],
    # 11-04 + 1 = 11-06 (closure) < today; escalation 11-04 + 3 = 11-08: not yet
    ["E_LATE", "B1", "水", 10, "2025-11-04", "2025-11-04", "M1", "D_ARTS", None, "待审核"],
    # no approver: the 总监 of 综合部; escalation 11-03 + 3 = 11-07: not yet
    ["E_ESC_AT", "B1", "水", 10, "2025-11-03", "2025-11-03", "M1", None, "是", "待审核"],
    # escalation 10-31 + 3 = 11-06 < today: the serving 会长
    ["E_ESC", "B1", "水", 10, "2025-10-31", "2025-10-31", "M1", None, "是", "待审核"],
]
CASES = [
    ["案件编号", "受理时间", "诉求摘要", "承办人学号", "首次回复时间", "进展反馈时间",
     "办结时间", "状态"],
    # first response within 12 h: 11-06 20:00 + 12 h = 11-07 08:00, exactly now
    ["C_R_AT", "2025-11-06 20:00", "热水", "M3", None, None, None, "处理中"],
    ["C_R_LATE", "2025-11-06 19:59", "热水", "M3", None, None, None, "待受理"],
    # closed or referred without a first response: not chased for one
    ["C_R_CLOSED", "2025-11-01 09:00", "热水", "M3", None, None, "2025-11-02 09:00",
     "已关闭"],
    ["C_R_REFERRED", "2025-11-06 08:00", "热水", "M3", None, None, None, "已转交"],
    # progress within 3 wd: 11-03 + 3 = 11-07 (11-05 closed), not before today
    ["C_P_AT", "2025-11-03 10:00", "热水", "M3", "2025-11-03 11:00", None, None, "处理中"],
    # 10-31 + 3 = 11-06 < today
    ["C_P_LATE", "2025-10-31 10:00", "热水", "M3", "2025-10-31 11:00", None, None,
     "处理中"],
    # referred: 2 wd after the later of receipt and progress. Progress 11-04: 11-04 + 2 =
    # 11-07, not before today (receipt alone, 10-30 + 2 = 11-03, would be)
    ["C_F_AT", "2025-10-30 09:00", "热水", "M3", "2025-10-30 10:00", "2025-11-04 15:00",
     None, "已转交"],
    # 11-03 + 2 = 11-06 < today
    ["C_F_LATE", "2025-11-03 09:00", "热水", "M3", "2025-11-03 10:00", None, None, "已转交"],
    ["C_F_RESOLVED", "2025-10-20 09:00", "热水", "M3", "2025-10-20 10:00", None,
     "2025-11-04 09:00", "已转交"],
]
MEETINGS = [
    ["会议编号", "会议名称", "会议类型", "组织人学号", "通知时间", "开会时间", "纪要发布时间"],
    # 例会 lead 24 h + 24 h heads-up: due when the start is at most 48 h away (11-09 08:00)
    ["N_REG_AT", "例会", "例会", "M2", None, "2025-11-09 08:00", None],
    ["N_REG_AFTER", "例会", "例会", "M2", None, "2025-11-09 08:01", None],
    # 重大 lead 96 h + 24 h: at most 120 h away (11-12 08:00)
    ["N_MAJ_AT", "大会", "重大", "M2", None, "2025-11-12 08:00", None],
    ["N_MAJ_AFTER", "大会", "重大", "M2", None, "2025-11-12 08:01", None],
    # minutes within 24 h: 11-06 08:00 + 24 h = now, not past it
    ["MIN_AT", "例会", "例会", "M2", "2025-11-04 08:00", "2025-11-06 08:00", None],
    ["MIN_LATE", "例会", "例会", "M2", "2025-11-04 07:00", "2025-11-06 07:59", None],
]
TASKS = [
    ["任务编号", "任务内容", "负责人学号", "部门", "截止日期", "完成日期"],
    ["T_TODAY", "写推送", "M2", "文艺部", TODAY, None],
    # escalation after 2 wd: 11-04 + 2 = 11-07, not before today
    ["T_LATE", "写推送", "M2", "文艺部", "2025-11-04", None],
    # 11-03 + 2 = 11-06 < today: the 总监 of the task's own 文艺部 (not the owner's 综合部)
    ["T_ESC", "写推送", "M2", "文艺部", "2025-11-03", None],
]


def office_toml(folder: Path, extra: str) -> None:
    """office.toml with the office's closure and make-up day in its [office] section."""
    registers = "\n".join(f'{r} = "{r}.xlsx"' for r in ("roster", "assets", "finance", "cases"))
    (folder / "office.toml").write_text(
        '[office]\nname = "测试大学学生会"\n'
        "closures = [2025-11-05]\nextra_workdays = [2025-11-08]\n\n"
        f"[registers]\n{registers}\n{extra}", encoding="utf-8")


def build(folder: Path, members: list[list] = MEMBERS, extra: str = POLICY) -> Path:
    write_xlsx(folder / "roster.xlsx", {"成员": members, "会议": MEETINGS, "任务": TASKS})
    write_xlsx(folder / "assets.xlsx", {"物资台账": ITEMS, "借用登记": LOANS})
    write_xlsx(folder / "finance.xlsx", {"活动预算": BUDGETS, "报销明细": EXPENSES})
    write_xlsx(folder / "cases.xlsx", {"权益案件": CASES})
    office_toml(folder, extra)
    return folder


def dry_run(folder: Path, today: str = TODAY) -> dict:
    done = clerk("remind", "--dry-run", "--format", "json", "--today", today, cwd=folder)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("policy_office"))


@pytest.fixture(scope="module")
def plan(office) -> dict:
    return dry_run(office)


def picked(plan: dict, rule: str, channel: str = "outbox") -> set[tuple[str, str, int]]:
    return {(r["record_id"], r["recipient"], r["level"]) for r in plan["reminders"]
            if r["rule"] == rule and r["channel"] == channel}


# -- each rule before, at and after its deadline under the office's numbers -------------


def test_loan_due_soon_falls_on_the_make_up_saturday(plan):
    assert picked(plan, "loan_due_soon") == {("L_SAT", "M1", 0)}


def test_loan_escalates_after_one_working_day_across_the_closure(plan):
    assert picked(plan, "loan_overdue") == {
        ("L_LATE", "M1", 0),
        ("L_ESC", "M1", 0), ("L_ESC", "D_ARTS", 1),
    }


def test_audit_due_informs_the_head_of_the_renamed_office(plan):
    assert picked(plan, "audit_due") == {("A1", "M1", 0), ("A1", "D_OFF", 1)}


def test_receipts_missing_goes_to_the_claimant_and_stops_the_audit_chase(plan):
    assert picked(plan, "expense_receipts_missing") == {("E_NO_RECEIPTS", "M2", 0)}
    (nobody,) = [u for u in plan["undeliverable"] if u["record_id"] == "E_NO_CLAIMANT"]
    assert (nobody["rule"], nobody["reason"], nobody["level"]) == (
        "expense_receipts_missing", "no_claimant", 0)
    audited = {r["record_id"] for r in plan["reminders"] + plan["undeliverable"]
               if r["rule"] == "expense_audit_overdue"}
    assert not audited & {"E_NO_RECEIPTS", "E_NO_CLAIMANT", "E_NO_RECEIPTS_DONE"}


def test_expense_audit_one_and_three_working_days_to_the_president_in_force(plan):
    assert picked(plan, "expense_audit_overdue") == {
        ("E_LATE", "D_ARTS", 0),
        ("E_ESC_AT", "D_OFF", 0),
        ("E_ESC", "D_OFF", 0), ("E_ESC", "P1", 1),
    }


def test_case_response_after_12_clock_hours_only_for_open_cases(plan):
    assert picked(plan, "case_response_overdue") == {("C_R_LATE", "M3", 0),
                                                     ("C_R_LATE", "D_RIGHTS", 1)}


def test_case_progress_three_working_days_counting_the_closure(plan):
    assert picked(plan, "case_progress_overdue") == {("C_P_LATE", "M3", 0),
                                                     ("C_P_LATE", "D_RIGHTS", 1)}


def test_referred_case_followed_up_from_its_latest_progress_without_escalation(plan):
    assert picked(plan, "case_referral_followup") == {("C_F_LATE", "M3", 0)}


def test_meeting_notice_leads_of_each_kind(plan):
    assert picked(plan, "meeting_notice_due") == {("N_REG_AT", "M2", 0),
                                                  ("N_MAJ_AT", "M2", 0)}


def test_minutes_after_24_hours_to_the_head_of_the_renamed_office(plan):
    assert picked(plan, "minutes_overdue") == {("MIN_LATE", "M2", 0),
                                               ("MIN_LATE", "D_OFF", 1)}


def test_task_escalates_after_two_working_days_to_its_departments_head(plan):
    assert picked(plan, "task_overdue") == {("T_LATE", "M2", 0), ("T_ESC", "M2", 0),
                                            ("T_ESC", "D_ARTS", 1)}


def test_no_escalation_reaches_the_names_the_policy_replaced(plan):
    people = {r["recipient"] for r in plan["reminders"]}
    assert not people & {"X_CHAIR", "X_OFFICE", "X_RIGHTS", "X_ARTS_BU", "P_OLD"}
    assert {r["recipient"] for r in plan["reminders"] if r["level"] == 1} == {
        "D_ARTS", "D_OFF", "D_RIGHTS", "P1"}


def test_the_same_records_under_the_default_policy(tmp_path):
    """Without [policy] the same workbooks are read with 24 h, 5 working days, 办公室,
    部长 and 主席: the numbers, not the records, made the difference above."""
    defaults = build(tmp_path, extra=POLICY.split("[policy]")[0])
    plan = dry_run(defaults)
    # 11-06 19:59 + 24 h is still ahead
    assert picked(plan, "case_response_overdue") == set()
    # 例会 48 + 24 h: both 例会 (11-09 08:00, 08:01) are within 72 h; 重大 72 + 24 h =
    # 96 h ends 11-11 08:00, before either 重大
    assert picked(plan, "meeting_notice_due") == {("N_REG_AT", "M2", 0),
                                                  ("N_REG_AFTER", "M2", 0)}
    # the escalations go to the 部长 and 主席 the roster also has
    assert picked(plan, "loan_overdue") == {("L_LATE", "M1", 0), ("L_ESC", "M1", 0)}
    assert picked(plan, "task_overdue") == {("T_LATE", "M2", 0), ("T_ESC", "M2", 0)}
    # audit within 2 wd: E_LATE (11-04 + 2 = 11-07) is not late yet; E_ESC_AT (11-03 + 2 =
    # 11-06) and E_ESC (10-31 + 2 = 11-04) are, with no approver, and 办公室 has no serving
    # 部长 (its head here is a 总监); escalation after 5 wd: 10-31 + 5 = 11-08, not yet
    assert picked(plan, "expense_audit_overdue") == set()
    reasons = {(u["record_id"], u["reason"], u["level"]) for u in plan["undeliverable"]
               if u["rule"] == "expense_audit_overdue"}
    assert reasons == {("E_ESC_AT", "no_approver", 0), ("E_ESC", "no_approver", 0)}


# -- what a person reads shows the numbers and names in force ---------------------------


@pytest.fixture(scope="module")
def sent(tmp_path_factory) -> Path:
    """A real run to the outbox folder, so the digests and the reminder log are written."""
    folder = build(tmp_path_factory.mktemp("policy_sent"))
    done = clerk("remind", "--today", TODAY, cwd=folder)
    assert done.returncode == 0, done.stdout + done.stderr
    return folder


def digest_text(folder: Path, person: str) -> str:
    (path,) = (folder / "output" / "outbox").rglob(f"*-outbox-{person}.md")
    return path.read_text(encoding="utf-8")


def test_digest_titles_and_todo_show_the_numbers_in_force(sent):
    text = digest_text(sent, "M3")
    assert "权益案件超过 12 小时未首次回复" in text
    assert "权益案件超过 3 个工作日没有进展反馈" in text
    assert "已转交案件该跟进结果了" in text
    assert "24 小时" not in text and "5 个工作日" not in text
    # in the declared order: response, progress, referral (not alphabetical)
    assert (text.index("12 小时未首次回复") < text.index("3 个工作日没有进展")
            < text.index("已转交案件该跟进"))
    notice = digest_text(sent, "M2")
    assert "例会提前 24 小时、重大会议提前 96 小时" in notice
    assert "会议纪要超过 24 小时未发布" in notice
    assert "报销单票据不全" in notice
    receipts = notice[notice.index("报销单票据不全"):].split("\n- ")[0]
    assert "提交于：" in receipts and "截止" not in receipts and "逾期" not in receipts
    assert "审核人就会收到审核提醒" in receipts
    assert "如需延期请与总监沟通" in notice
    head = digest_text(sent, "D_ARTS")
    assert "报销单超过 1 个工作日未审核" in head


def test_reminder_log_shows_the_titles_in_force(sent):
    log = (sent / "output" / "reminder_log.csv").read_text(encoding="utf-8-sig")
    assert "权益案件超过 12 小时未首次回复" in log
    assert "已转交案件该跟进结果了" in log and "报销单票据不全" in log
    assert "报销单超过 1 个工作日未审核" in log
    assert "超过 24 小时未首次回复" not in log and "2 个工作日未审核" not in log


def test_terminal_report_names_the_roles_in_force(tmp_path):
    """Nobody heads 综合部 and nobody is 会长: the undeliverable lines say so by those
    names, and the titles carry the office's numbers."""
    members = [m for m in MEMBERS if m[0] not in ("D_OFF", "P1")]
    folder = build(tmp_path, members)
    done = clerk("remind", "--dry-run", "--today", TODAY, cwd=folder)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "没有审核人，名册中也没有综合部在任的总监" in out
    assert "名册中找不到综合部在任的总监" in out
    assert "名册中找不到在任的会长" in out
    assert "办公室" not in out and "部长" not in out and "主席" not in out
    assert "权益案件超过 12 小时未首次回复" in out
    english = clerk("remind", "--dry-run", "--today", TODAY, "--locale", "en", cwd=folder)
    assert "no serving 会长 in the roster" in english.stdout
    assert "Rights case without a first response after 12 h" in english.stdout


# -- the handover checklist ----------------------------------------------------------------


def test_handover_checklist_uses_the_policy_and_lists_referred_cases(office):
    import openpyxl

    done = clerk("archive", "--period", "2025-fall", "--today", TODAY, "--format", "json",
                 cwd=office)
    assert done.returncode == 0, done.stdout + done.stderr
    bag = Path(json.loads(done.stdout)["path"])
    book = openpyxl.load_workbook(bag / "data" / "交接清单.xlsx")
    rows = list(book["未办结权益案件"].iter_rows(values_only=True))
    cases = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert set(cases) == {"C_R_AT", "C_R_LATE", "C_P_AT", "C_P_LATE", "C_R_REFERRED",
                          "C_F_AT", "C_F_LATE"}
    assert str(cases["C_R_LATE"]["回复期限"]).startswith("2025-11-07 07:59")
    assert cases["C_R_LATE"]["期限情况"] == "回复已超期"
    assert str(cases["C_P_AT"]["进展期限"]).startswith("2025-11-07")
    assert cases["C_P_AT"]["期限情况"] == "未超期"
    assert cases["C_P_LATE"]["期限情况"] == "进展已超期"
    assert str(cases["C_F_LATE"]["跟进日期"]).startswith("2025-11-06")
    assert cases["C_F_LATE"]["期限情况"] == "该跟进转交结果了"
    assert str(cases["C_F_AT"]["跟进日期"]).startswith("2025-11-07")
    assert cases["C_F_AT"]["期限情况"] == "未超期"
    # received Thu 11-06: + 2 working days = 11-07, the make-up Saturday 11-08
    assert str(cases["C_R_REFERRED"]["跟进日期"]).startswith("2025-11-08")
    assert cases["C_R_REFERRED"]["回复期限"] is None
    overview = [r for r in book["概览"].iter_rows(values_only=True) if r[0] == "未办结权益案件"]
    about = overview[0][2]
    assert "12 小时回复期限" in about and "3 个工作日进展期限" in about
    assert "2 个工作日" in about and "24 小时" not in about
    html = (bag / "data" / "交接清单.html").read_text(encoding="utf-8")
    assert "12 小时回复期限" in html


# -- an office without [policy] gets the reminders it always got ---------------------------

GOLDEN = [  # the outbox lines for tests/test_reminder_rules.py's office, as before issue 16
    ("loan_due_soon", "L_SOON", "M1", 0),
    ("loan_overdue", "L_LATE1", "M1", 0), ("loan_overdue", "L_LATE_HOL", "M1", 0),
    ("loan_overdue", "L_LATE_ESC", "M1", 0), ("loan_overdue", "L_LATE_ESC", "H_ARTS", 1),
    ("audit_due", "A1", "M1", 0), ("audit_due", "A1", "H_OFF", 1),
    ("audit_due", "A3", "H_OFF", 1),
    ("expense_audit_overdue", "E_LATE", "H_ARTS", 0),
    ("expense_audit_overdue", "E_ESC", "H_OFF", 0),
    ("expense_audit_overdue", "E_ESC", "P001", 1),
    ("case_response_overdue", "C_PAST24", "M1", 0),
    ("case_response_overdue", "C_PAST24", "H_RIGHTS", 1),
    ("case_progress_overdue", "C_P_LATE", "M3", 0),
    ("case_progress_overdue", "C_P_LATE", "H_RIGHTS", 1),
    ("meeting_notice_due", "N_DUE", "M2", 0), ("meeting_notice_due", "N_EDGE", "M2", 0),
    ("meeting_notice_due", "N_MAJOR", "M2", 0),
    ("minutes_overdue", "MIN_LATE", "M2", 0), ("minutes_overdue", "MIN_LATE", "H_OFF", 1),
    ("task_overdue", "T_LATE", "M1", 0), ("task_overdue", "T_ESC", "M1", 0),
    ("task_overdue", "T_ESC", "H_ARTS", 1),
]
GOLDEN_UNDELIVERABLE = [
    ("audit_due", "A3", "outbox", "no_custodian"), ("audit_due", "A3", "email", "no_custodian"),
    ("meeting_notice_due", "N_DUE", "email", "no_email"),
    ("meeting_notice_due", "N_EDGE", "email", "no_email"),
    ("meeting_notice_due", "N_MAJOR", "email", "no_email"),
    ("minutes_overdue", "MIN_LATE", "email", "no_email"),
]


def rule_office(folder: Path, *, corrections: bool) -> dict:
    import test_reminder_rules as base

    expenses, cases = base.EXPENSES, base.CASES
    if corrections:  # the records the corrections are about
        expenses = [[*expenses[0], "票据齐全"], *[[*r, None] for r in expenses[1:]],
                    ["E_RECEIPTS", "B1", "水", 10, "2025-09-25", "2025-09-25", "M1", "H_ARTS",
                     "待审核", "否"]]
        cases = [*cases,
                 # closed without a first response: chased forever before the correction
                 ["C_CLOSED", "2025-09-20 10:00", "热水", "M1", None, None,
                  "2025-09-21 10:00", "已关闭"],
                 # referred 09-25: + 5 wd = 09-26, 09-28 (make-up Sun), 09-29, 09-30, 10-09
                 ["C_REFERRED", "2025-09-25 10:00", "热水", "M3", None, None, None,
                  "已转交"]]
    write_xlsx(folder / "roster.xlsx", {"成员": base.MEMBERS, "会议": base.MEETINGS,
                                        "任务": base.TASKS})
    write_xlsx(folder / "assets.xlsx", {"物资台账": base.ITEMS, "借用登记": base.LOANS})
    write_xlsx(folder / "finance.xlsx", {"活动预算": base.BUDGETS, "报销明细": expenses})
    write_xlsx(folder / "cases.xlsx", {"权益案件": cases})
    write_config(folder, {r: f"{r}.xlsx" for r in ("roster", "assets", "finance", "cases")},
                 extra='\n[reminders]\nchannels = ["outbox", "email"]\n\n'
                       '[channels.email]\nhost = "127.0.0.1"\n')
    return dry_run(folder, base.TODAY)


def lines(plan: dict) -> tuple[list[tuple], list[tuple], list[tuple]]:
    outbox = [(r["rule"], r["record_id"], r["recipient"], r["level"])
              for r in plan["reminders"] if r["channel"] == "outbox"]
    email = [(r["rule"], r["record_id"], r["recipient"], r["level"])
             for r in plan["reminders"] if r["channel"] == "email"]
    undeliverable = [(u["rule"], u["record_id"], u["channel"], u["reason"])
                     for u in plan["undeliverable"]]
    return outbox, email, undeliverable


def test_without_a_policy_the_reminders_are_those_of_before(tmp_path):
    outbox, email, undeliverable = lines(rule_office(tmp_path, corrections=False))
    assert outbox == GOLDEN
    assert email == [line for line in GOLDEN if line[2] != "M2"]  # M2 has no e-mail
    assert undeliverable == GOLDEN_UNDELIVERABLE


def test_without_a_policy_only_the_corrections_differ(tmp_path):
    outbox, _, undeliverable = lines(rule_office(tmp_path, corrections=True))
    receipts = ("expense_receipts_missing", "E_RECEIPTS", "M1", 0)
    referral = ("case_referral_followup", "C_REFERRED", "M3", 0)
    at = GOLDEN.index(("expense_audit_overdue", "E_LATE", "H_ARTS", 0))
    after_progress = GOLDEN.index(("meeting_notice_due", "N_DUE", "M2", 0))
    expected = [*GOLDEN[:at], receipts, *GOLDEN[at:after_progress], referral,
                *GOLDEN[after_progress:]]
    assert outbox == expected
    assert undeliverable == GOLDEN_UNDELIVERABLE


# -- every declared rule has exactly one condition ---------------------------------------


def test_a_rule_declared_without_a_condition_or_the_reverse_stops_the_import(monkeypatch):
    from dataclasses import replace

    from automation.policy import RULE_SPECS
    from automation.reminders import rules

    with pytest.raises(RuntimeError, match="not declared"):
        rules.rule("no_such_rule")(lambda ctx, frame: [])
    with pytest.raises(RuntimeError, match="two conditions"):
        rules.rule("task_overdue")(lambda ctx, frame: [])
    extra = replace(RULE_SPECS["task_overdue"], key="survey_followup")
    monkeypatch.setitem(RULE_SPECS, "survey_followup", extra)
    with pytest.raises(RuntimeError, match="survey_followup"):
        rules._every_rule()
