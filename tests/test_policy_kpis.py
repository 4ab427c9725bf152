"""KPIs follow the office's `[policy]`: deadlines, leads, targets and tolerance come from
office.toml, labels show the numbers in force, and budget_deviation is the signed
(Σ spent − Σ budget) / Σ budget of RULES.md.

The office below sets every number a KPI reads to something other than the default, and
its records sit just before, at and just after each of those deadlines. Every expectation
is counted by hand in the comments. Period 2025-fall (2025-09-01..2026-01-31), today
2025-10-20 (a Monday), so as_of is 2025-10-20; the CN calendar has 2025-10-01..08 off and
2025-10-11 (Sat) as a make-up working day.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import clerk, write_config, write_xlsx

POLICY = """
[policy]
meeting_notice_hours = 24
meeting_notice_major_hours = 36
minutes_hours = 12
expense_submit_workdays = 3
expense_audit_workdays = 1
case_response_hours = 12
case_progress_workdays = 2
budget_tolerance = 0.10

[policy.targets]
meeting_notice_on_time = 0.375
task_on_time = 0.5
reimbursement_audit_days = 1
"""

MEMBERS = [["学号", "姓名", "部门", "职务", "状态"],
           ["O1", "组织一", "办公室", "干事", "在任"],
           ["O2", "组织二", "学术发展部", "干事", "在任"],
           ["H1", "承办一", "权益服务部", "干事", "在任"]]
MEETINGS = [["会议编号", "会议名称", "会议类型", "组织人学号", "通知时间", "开会时间",
             "纪要发布时间"],
            # 例会: lead 24 h, minutes within 12 h
            ["N1", "例会", "例会", "O1", "2025-10-12 19:00", "2025-10-13 19:00",
             "2025-10-14 07:00"],                 # notice exactly 24 h, minutes exactly 12 h
            ["N2", "例会", "例会", "O1", "2025-10-12 19:01", "2025-10-13 19:00",
             "2025-10-14 07:01"],                 # a minute late, both
            ["N3", "例会", "例会", "O1", "2025-10-12 18:59", "2025-10-13 19:00",
             "2025-10-14 06:59"],                 # a minute early, both
            # 重大: lead 36 h
            ["N4", "大会", "重大", "O2", "2025-10-12 22:00", "2025-10-14 10:00",
             "2025-10-14 22:00"],                 # exactly 36 h; minutes exactly 12 h
            ["N5", "大会", "重大", "O2", "2025-10-12 22:01", "2025-10-14 10:00", None],
            ["N6", "大会", "重大", "O2", "2025-10-13 10:00", "2025-10-14 10:00",
             "2025-10-14 22:01"],                 # 24 h is a 例会's lead, not a 重大's
            # on as_of: minutes due 23:59 (counted) and 2025-10-21 00:00 (not yet)
            ["N7", "例会", "例会", "O1", None, "2025-10-20 11:59", None],
            ["N8", "例会", "例会", "O1", None, "2025-10-20 12:00", None]]
TASKS = [["任务编号", "任务内容", "负责人学号", "截止日期", "完成日期", "按质完成"],
         ["T1", "a", "O1", "2025-10-10", "2025-10-10", "是"],
         ["T2", "b", "O1", "2025-10-10", "2025-10-13", "是"]]
CASES = [["案件编号", "受理时间", "诉求摘要", "承办人学号", "首次回复时间", "进展反馈时间",
          "办结时间", "状态"],
         # response within 12 h; progress within 2 working days (10-13 -> 10-15)
         ["C1", "2025-10-13 09:00", "x", "H1", "2025-10-13 21:00", "2025-10-15 18:00", None,
          "处理中"],                               # both exactly on the deadline day/minute
         ["C2", "2025-10-13 09:00", "x", "H1", "2025-10-13 21:01", "2025-10-16 09:00", None,
          "处理中"],                               # both just after
         ["C3", "2025-10-13 09:00", "x", "H1", "2025-10-13 20:59", None, "2025-10-14 10:00",
          "已办结"],                               # both before (resolution counts as progress)
         ["C4", "2025-10-20 11:59", "x", "H1", None, None, None, "待受理"],  # due 23:59: counted
         ["C5", "2025-10-20 12:00", "x", "H1", None, None, None, "待受理"],  # due 10-21: not yet
         # received 09-30 (Tue): 2 working days later is 10-10 across the holiday
         ["C6", "2025-09-30 10:00", "x", "H1", "2025-09-30 22:00", "2025-10-11 09:00", None,
          "已转交"]]
BUDGETS = [["预算编号", "活动名称", "部门", "预算金额", "学期"],
           ["B1", "迎新", "文体活动部", 1000, "2025-fall"],
           ["B2", "讲座", "学术发展部", 200, "2025-fall"],
           ["B3", "春游", "文体活动部", 500, "2025-spring"],
           ["B4", "办公用品", "办公室", 300.50, "2025-fall"]]
EXPENSES = [["报销单号", "预算编号", "支出事项", "金额", "支出日期", "提交日期", "经办人学号",
             "审核日期", "状态"],
            # spent 09-29 (Mon): 3 working days later is 10-10 (09-30, 10-09, 10-10)
            ["E1", "B1", "x", 300.25, "2025-09-29", "2025-10-10", "O1", "2025-10-11", "已审核"],
            ["E2", "B1", "x", 400.10, "2025-09-29", "2025-10-09", "O1", "2025-10-10", "已审核"],
            ["E3", "B2", "x", 214.45, "2025-09-29", "2025-10-11", "O2", "2025-10-14", "已审核"],
            # spent 10-15: due 10-20 = as_of (counted); spent 10-16: due 10-21 (not yet)
            ["E4", "B1", "x", 10, "2025-10-15", None, "O1", None, "待审核"],
            ["E5", "B2", "x", 5.55, "2025-10-16", "2025-10-16", "O2", None, "待审核"],
            ["E6", "B1", "x", 999, "2025-08-20", "2025-08-21", "O1", None, "退回"],
            ["E7", "B3", "x", 100, "2025-05-01", "2025-05-02", "O1", "2025-05-06", "已审核"],
            ["E8", "B4", "x", 330.56, "2025-08-25", "2025-08-26", "O1", "2025-08-27", "已审核"]]


def build(folder: Path, policy: str = POLICY, name: str = "测试大学学生会",
          budgets: list[list] | None = None, extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_xlsx(folder / "roster.xlsx", {"成员": MEMBERS, "任务": TASKS, "会议": MEETINGS})
    write_xlsx(folder / "finance.xlsx", {"活动预算": budgets or BUDGETS,
                                         "报销明细": EXPENSES})
    write_xlsx(folder / "cases.xlsx", {"权益案件": CASES})
    path = write_config(folder, {r: f"{r}.xlsx" for r in ("roster", "finance", "cases")},
                        policy + extra)
    path.write_text(path.read_text(encoding="utf-8").replace("测试大学学生会", name),
                    encoding="utf-8")
    return path


def kpis(folder: Path, period: str = "2025-fall") -> dict:
    done = clerk("kpi", "--period", period, "--today", "2025-10-20", "--format", "json",
                 cwd=folder)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def row(result: dict, key: str, department: str | None = None, office: str | None = None
        ) -> dict:
    (found,) = [r for r in result["kpis"] if r["key"] == key and r["department"] == department
                and (office is None or r["office"] == office)]
    return found


def counts(result: dict, key: str, department: str | None = None) -> tuple:
    r = row(result, key, department)
    return r["numerator"], r["denominator"], r["target"], r["met"]


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    folder = tmp_path_factory.mktemp("policy")
    build(folder)
    return kpis(folder)


@pytest.fixture(scope="module")
def defaults(tmp_path_factory):
    """The same records in an office that sets no `[policy]`."""
    folder = tmp_path_factory.mktemp("defaults")
    build(folder, policy="")
    return kpis(folder)


# -- deadlines ---------------------------------------------------------------------------


def test_meeting_notice_uses_each_kinds_lead(result, defaults):
    # N1 (24 h), N3 (24 h 1 min), N4 (36 h) good; N2, N5, N6 short; N7, N8 no notice: 3/8,
    # exactly the office's target 0.375
    assert counts(result, "meeting_notice_on_time") == (3, 8, 0.375, True)
    assert counts(result, "meeting_notice_on_time", "办公室")[:2] == (2, 5)
    assert counts(result, "meeting_notice_on_time", "学术发展部")[:2] == (1, 3)
    # 48 h / 72 h: none of them
    assert counts(defaults, "meeting_notice_on_time") == (0, 8, 0.98, False)


def test_minutes_within_the_offices_hours(result, defaults):
    # N1..N7 due by the end of 10-20 (N8's 12 h end at 10-21 00:00); N1, N3, N4 on time
    assert counts(result, "minutes_on_time") == (3, 7, 0.95, False)
    # 48 h: N6 (12 h 1 min) on time too; N2 also; N7 and N8 not due yet
    assert counts(defaults, "minutes_on_time")[:2] == (5, 6)


def test_submission_within_the_offices_working_days(result, defaults):
    # deadline of 09-29 is 10-10: E1 (10-10) and E2 (10-09) on time, E3 (10-11) late;
    # E4 due 10-20 = as_of, not submitted; E5 due 10-21, not counted yet
    assert counts(result, "reimbursement_submitted_on_time") == (2, 4, 0.95, False)
    assert counts(result, "reimbursement_submitted_on_time", "文体活动部")[:2] == (2, 3)
    assert counts(result, "reimbursement_submitted_on_time", "学术发展部")[:2] == (0, 1)
    # 5 working days (10-13): E3 on time; E4 (due 10-22) not counted
    assert counts(defaults, "reimbursement_submitted_on_time")[:2] == (3, 3)


def test_audit_days_judged_against_the_offices_audit_limit(result, defaults):
    # E1 10-10 -> 10-11 (the make-up Saturday): 1; E2 10-09 -> 10-10: 1; E3 10-11 -> 10-14: 2
    r = row(result, "reimbursement_audit_days")
    assert (r["numerator"], r["denominator"], r["target"], r["met"]) == (4, 3, 1.0, False)
    assert r["value"] == pytest.approx(4 / 3)
    # 文体活动部 averages exactly the limit: met; 学术发展部 takes 2 days: not
    assert counts(result, "reimbursement_audit_days", "文体活动部") == (2, 2, 1.0, True)
    assert counts(result, "reimbursement_audit_days", "学术发展部") == (2, 1, 1.0, False)
    assert counts(defaults, "reimbursement_audit_days") == (4, 3, 2.0, True)


def test_case_response_within_the_offices_hours(result, defaults):
    # C1 exactly 12 h, C3 11 h 59, C6 12 h: answered; C2 12 h 1 min late; C4 due 23:59 on
    # as_of, unanswered; C5 due 10-21 00:00, not counted
    assert counts(result, "case_response_24h") == (3, 5, 0.95, False)
    # 24 h: C2 answered in time; C4 not due yet
    assert counts(defaults, "case_response_24h")[:2] == (4, 4)


def test_case_progress_within_the_offices_working_days(result, defaults):
    # C1 progress on 10-15 (the 2nd working day), C3 resolved 10-14: good; C2 10-16 late;
    # C6 (09-30, due 10-10) progress 10-11 late; C4, C5 due after as_of
    assert counts(result, "case_progress_5wd") == (2, 4, 0.95, False)
    # 5 working days: C2 (due 10-20) and C6 (due 10-14) in time too
    assert counts(defaults, "case_progress_5wd")[:2] == (4, 4)


def test_targets_follow_the_office(result, defaults):
    # T1 on time, T2 late: 1/2, exactly the office's 0.5
    assert counts(result, "task_on_time") == (1, 2, 0.5, True)
    assert counts(defaults, "task_on_time") == (1, 2, 0.95, False)
    assert counts(result, "task_on_time", "办公室") == (1, 2, 0.5, True)


# -- budget deviation --------------------------------------------------------------------


def test_budget_deviation_is_signed_money_over_money(result):
    # fall budgets B1 1000.00 + B2 200.00 + B4 300.50 = 1500.50 (B3 is spring)
    # spent, not 退回 (E6): B1 300.25 + 400.10 + 10.00 = 710.35; B2 214.45 + 5.55 = 220.00;
    # B4 330.56; total 1260.91; 1260.91 - 1500.50 = -239.59
    r = row(result, "budget_deviation")
    assert (r["numerator"], r["denominator"], r["target"], r["met"]) == (
        -239.59, 1500.5, 0.1, False)
    assert r["value"] == pytest.approx(-239.59 / 1500.50)


def test_budget_deviation_per_department_and_at_the_tolerance(result):
    # 学术发展部: 220.00 spent on 200.00, +10 % exactly: met
    dept = row(result, "budget_deviation", "学术发展部")
    assert (dept["numerator"], dept["denominator"], dept["met"]) == (20.0, 200.0, True)
    assert dept["value"] == pytest.approx(0.10)
    # 办公室: 330.56 on 300.50, +30.06 (just over 10 %): not met
    office = row(result, "budget_deviation", "办公室")
    assert (office["numerator"], office["denominator"], office["met"]) == (30.06, 300.5, False)
    # 文体活动部: 710.35 on 1000.00 (the spring budget B3 is not in the period): underspent
    sport = row(result, "budget_deviation", "文体活动部")
    assert (sport["numerator"], sport["denominator"], sport["met"]) == (-289.65, 1000.0, False)
    assert sport["value"] == pytest.approx(-0.28965)


def test_budget_deviation_target_written_as_a_target_moves_the_tolerance(tmp_path):
    """RULES.md: budget_tolerance is budget_deviation's target; written under
    [policy.targets] instead, it is the same number (and both at once must agree)."""
    build(tmp_path, policy=POLICY.replace("budget_tolerance = 0.10\n", "")
          + "budget_deviation = 0.30\n")
    result = kpis(tmp_path)
    assert counts(result, "budget_deviation")[2:] == (0.3, True)        # -16 %
    assert counts(result, "budget_deviation", "文体活动部")[2:] == (0.3, True)  # -29 %
    assert counts(result, "budget_deviation", "办公室")[2:] == (0.3, True)


def test_budget_deviation_without_budgets_is_null(tmp_path):
    build(tmp_path)
    month = kpis(tmp_path, "2025-10")   # budgets belong to semesters, not to a month
    r = row(month, "budget_deviation")
    assert (r["value"], r["numerator"], r["denominator"], r["met"]) == (None, 0, 0, None)
    assert not [x for x in month["kpis"] if x["key"] == "budget_deviation" and x["department"]]


# -- rollup ------------------------------------------------------------------------------


def test_rollup_counts_each_unit_by_its_own_deadlines_and_judges_by_the_office(tmp_path):
    branch = tmp_path / "branch"
    build(branch, name="计算机学院分会", policy="""
[policy]
case_response_hours = 48
budget_tolerance = 0.2

[policy.targets]
case_response_24h = 0.95
""")
    build(tmp_path, policy=POLICY + "case_response_24h = 0.7\n",
          extra='\n[[units]]\nname = "计算机学院分会"\nconfig = "branch/office.toml"\n')
    result = kpis(tmp_path)
    rows = {r["office"]: r for r in result["kpis"]
            if r["key"] == "case_response_24h" and r["department"] is None}
    # the office, 12 h: 3/5 (see above). The branch, 48 h: C1, C2, C3 (due 10-15 09:00) and
    # C6 answered; C4 and C5 not due yet: 4/4. Together 7/9.
    assert {k: (r["numerator"], r["denominator"]) for k, r in rows.items()} == {
        "测试大学学生会": (3, 5), "计算机学院分会": (4, 4), "全部单位": (7, 9)}
    # every row is judged by the rolling-up office's target, 0.7
    assert {k: (r["target"], r["met"]) for k, r in rows.items()} == {
        "测试大学学生会": (0.7, False), "计算机学院分会": (0.7, True), "全部单位": (0.7, True)}
    branch_dept = row(result, "case_response_24h", "权益服务部", office="计算机学院分会")
    assert branch_dept["target"] == 0.7
    # budget deviation sums money: twice -239.59 over twice 1500.50, the office's ±10 %
    total = row(result, "budget_deviation", office="全部单位")
    assert (total["numerator"], total["denominator"], total["target"], total["met"]) == (
        -479.18, 3001.0, 0.1, False)
    # each unit's line is named with the hours it was counted by; the total says they differ
    text = clerk("kpi", "--period", "2025-fall", "--today", "2025-10-20", cwd=tmp_path).stdout
    blocks = dict(b.split("]\n", 1) for b in text.split("\n[")[1:])
    assert " 权益案件 12 小时响应率: " in blocks["测试大学学生会"]
    assert " 权益案件 48 小时响应率: " in blocks["计算机学院分会"]
    assert " 权益案件 12 小时响应率（各单位按本单位时限统计）: " in blocks["全部单位"]
    assert " 权益案件办结率: " in blocks["全部单位"]  # no number in its name: nothing to say


# -- what a person reads ------------------------------------------------------------------


def test_terminal_labels_show_the_numbers_in_force(tmp_path):
    build(tmp_path)
    done = clerk("kpi", "--period", "2025-fall", "--today", "2025-10-20", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()

    def line(label: str) -> str:
        (found,) = [x for x in lines if f" {label}: " in x]
        return found

    assert line("纪要 12 小时内发布率").startswith("  ✗")
    assert line("权益案件 12 小时响应率")
    assert line("权益案件 2 个工作日进展率")
    assert "24 小时" not in done.stdout and "48 小时" not in done.stdout
    budget = line("预算执行偏差率")
    assert "-16.0%" in budget and "±10%" in budget and "-239.59" in budget
    audit = line("报销审核平均用时")
    assert "1.33" in audit and "≤ 1 " in audit
    assert "✓" in line("会议通知按时率") and "≥ 37.5%" in line("会议通知按时率")

    english = clerk("kpi", "--period", "2025-fall", "--today", "2025-10-20", "--locale",
                    "en", cwd=tmp_path)
    assert "Cases answered within 12 h:" in english.stdout
    assert "Minutes published within 12 h:" in english.stdout


def test_dashboards_and_the_kpi_tab_show_the_numbers_in_force(tmp_path):
    import python_calamine as calamine

    build(tmp_path, extra="\n[output]\nwrite_back = true\n")
    out = tmp_path / "dash"
    done = clerk("kpi", "--period", "2025-fall", "--today", "2025-10-20", "-o", str(out),
                 cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    html = (out / "kpi_dashboard.html").read_text("utf-8")
    for label in ("纪要 12 小时内发布率", "权益案件 12 小时响应率", "权益案件 2 个工作日进展率"):
        assert label in html
        assert label in (out / "department_report.html").read_text("utf-8")
    assert "24 小时响应率" not in html
    card = re.search(r"<h3>预算执行偏差率</h3>(.*?)</li>", html, re.S)
    assert card is not None
    assert '<span class="value">-16.0%</span>' in card[1]
    assert "±10%" in card[1] and "未达标" in card[1]

    book = calamine.CalamineWorkbook.from_path(str(tmp_path / "cases.xlsx"))
    tab = book.get_sheet_by_name("KPI看板").to_python()
    names = {r[0] for r in tab[1:]}
    assert "权益案件 12 小时响应率" in names and "纪要 12 小时内发布率" in names
    budget = next(r for r in tab[1:] if r[0] == "预算执行偏差率" and not r[2])
    assert (budget[3], budget[6], budget[7]) == ("-16.0%", "±10%", "✗")


def test_dashboard_workbook_shows_deviation_as_signed_percent(tmp_path):
    import openpyxl

    build(tmp_path)
    out = tmp_path / "dash"
    assert clerk("kpi", "--period", "2025-fall", "--today", "2025-10-20", "-o", str(out),
                 cwd=tmp_path).returncode == 0
    sheet = openpyxl.load_workbook(out / "kpi_dashboard.xlsx").worksheets[0]
    (r,) = [r for r in sheet.iter_rows(min_row=5, max_row=16) if r[0].value == "预算执行偏差率"]
    assert r[1].value == pytest.approx(-239.59 / 1500.5)
    assert r[1].number_format.startswith("+0.0%")
    assert (r[2].value, r[3].value) == (-239.59, 1500.5)
    assert r[4].value == pytest.approx(0.1) and "±" in r[4].number_format


# -- the default policy changes nothing but the budget correction --------------------------


def test_without_policy_the_kpis_are_as_before(tmp_path):
    from test_kpi import build as build_old

    build_old(tmp_path)
    result = kpis(tmp_path, "2025-09-01..2025-10-31")
    got = [(r["key"], r["department"], r["numerator"], r["denominator"], r["target"], r["met"])
           for r in result["kpis"] if r["key"] != "budget_deviation"]
    assert [g for g in got if g[0] in {b[0] for b in BEFORE}] == BEFORE
    # the KPIs of the affairs tables this office does not keep (and budgets without a
    # submission date) have no records: null, never 0
    # (the stocktake KPIs, added later, measure the assets this office does keep)
    stocktake = {"stocktake_coverage", "stocktake_accuracy"}
    assert {g[0] for g in got} - {b[0] for b in BEFORE} - stocktake == {
        "budget_approval_days", "document_flow_on_time", "inquiry_reply_on_time",
        "rectification_rate", "satisfaction_score"}
    assert all(r["value"] is None and r["denominator"] == 0 for r in result["kpis"]
               if r["key"] not in {b[0] for b in BEFORE} | {"budget_deviation"} | stocktake)


BEFORE = [
    ("meeting_notice_on_time", None, 3, 7, 0.98, False),
    ("meeting_notice_on_time", "办公室", 3, 6, 0.98, False),
    ("meeting_notice_on_time", "学术发展部", 0, 1, 0.98, False),
    ("minutes_on_time", None, 3, 6, 0.95, False),
    ("minutes_on_time", "办公室", 2, 5, 0.95, False),
    ("minutes_on_time", "学术发展部", 1, 1, 0.95, True),
    ("reimbursement_audit_days", None, 6.0, 3, 2.0, True),
    ("reimbursement_audit_days", "文体活动部", 6.0, 3, 2.0, True),
    ("reimbursement_submitted_on_time", None, 3, 4, 0.95, False),
    ("reimbursement_submitted_on_time", "学术发展部", 0, 1, 0.95, False),
    ("reimbursement_submitted_on_time", "文体活动部", 3, 3, 0.95, True),
    ("asset_good_rate", None, 1, 2, 0.98, False),
    ("asset_good_rate", "办公室", 1, 2, 0.98, False),
    ("loan_record_complete", None, 2, 4, 1.0, False),
    ("loan_record_complete", "办公室", 2, 4, 1.0, False),
    ("training_attendance", None, 2, 3, 0.9, False),
    ("training_attendance", "办公室", 1, 1, 0.9, True),
    ("training_attendance", "学术发展部", 1, 1, 0.9, True),
    ("training_attendance", "权益服务部", 0, 1, 0.9, False),
    ("task_on_time", None, 1, 4, 0.95, False),
    ("task_on_time", "办公室", 1, 2, 0.95, False),
    ("task_on_time", "学术发展部", 0, 2, 0.95, False),
    ("case_response_24h", None, 2, 4, 0.95, False),
    ("case_response_24h", "权益服务部", 2, 4, 0.95, False),
    ("case_progress_5wd", None, 2, 3, 0.95, False),
    ("case_progress_5wd", "权益服务部", 2, 3, 0.95, False),
    ("case_resolution_rate", None, 3, 5, 0.95, False),
    ("case_resolution_rate", "权益服务部", 3, 5, 0.95, False),
]
"""Every row but budget_deviation as the engine gave it before the policy was declared."""


# -- declarations and functions agree ------------------------------------------------------


def test_every_declared_kpi_has_a_population_and_nothing_else_does():
    from dataclasses import replace

    from automation.kpi.engine import KPIS, POPULATIONS, check_declared
    from automation.policy import KPI_SPECS

    assert [k.key for k in KPIS] == list(KPI_SPECS)
    check_declared(KPI_SPECS, POPULATIONS)
    declared = dict(KPI_SPECS)
    declared["lost_found_claimed_rate"] = replace(KPI_SPECS["task_on_time"],
                                                  key="lost_found_claimed_rate")
    with pytest.raises(RuntimeError, match="lost_found_claimed_rate"):
        check_declared(declared, POPULATIONS)
    functions = dict(POPULATIONS)
    functions["mystery_rate"] = POPULATIONS["task_on_time"]
    with pytest.raises(RuntimeError, match="mystery_rate"):
        check_declared(KPI_SPECS, functions)
