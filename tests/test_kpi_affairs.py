"""The KPIs of the office's affairs (RULES.md): document_flow_on_time, inquiry_reply_on_time,
rectification_rate, satisfaction_score and budget_approval_days, on a small office whose
records sit just before, at and just after each deadline. Every expectation is counted by
hand in the comments.

Period 2025-10 (2025-10-01..2025-10-31), today 2025-10-20 (a Monday), so as_of is
2025-10-20 and "deadline ≤ as_of end of day" means ≤ 2025-10-20 23:59:59. The CN calendar
has 2025-10-01..08 off and 2025-10-11 (Sat) as a make-up working day. Default numbers:
documents 6 h (紧急 1 h), 咨询 12 h, 意见建议 / 投诉 48 h, urgent 4 h, satisfaction_floor 0.70
(a department below 3.5 points owes a rectification plan), budget_approval_workdays 1.
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from conftest import clerk, write_config, write_xlsx
from test_policy_kpis import counts, kpis, row

MEMBERS = [["学号", "姓名", "部门", "职务", "状态"],
           ["O1", "组织一", "办公室", "干事", "在任"],
           ["O2", "组织二", "学术发展部", "干事", "在任"],
           ["H1", "承办一", "权益服务部", "干事", "在任"]]

DOCUMENTS = [["文件编号", "文件标题", "收发类型", "紧急程度", "收到时间", "承办人学号",
              "流转完成时间", "状态"],
             # 普通, 6 h
             ["D1", "通知", "收文", "普通", "2025-10-13 09:00", "O1", "2025-10-13 15:00",
              "办理中"],                       # exactly 6 h: good
             ["D2", "通知", "收文", "普通", "2025-10-13 09:00", "O1", "2025-10-13 15:01",
              "办理中"],                       # 6 h 1 min: late
             # 紧急, 1 h
             ["D3", "急件", "收文", "紧急", "2025-10-14 10:00", "O2", "2025-10-14 11:00",
              "办理中"],                       # exactly 1 h: good
             ["D4", "急件", "收文", "紧急", "2025-10-14 10:00", "O2", "2025-10-14 12:00",
              "办理中"],                       # 2 h: within 6 h, but it is urgent: late
             ["D8", "通知", "发文", "普通", "2025-10-15 09:00", "O1", "2025-10-15 11:30",
              "办理中"],                       # 2 h 30: good
             # on as_of: due 23:59 (counted, not routed) and due 10-21 00:00 (not yet)
             ["D5", "通知", "收文", "普通", "2025-10-20 17:59", "O1", None, "待流转"],
             ["D6", "通知", "收文", "普通", "2025-10-20 18:00", "O1", None, "待流转"],
             # received before the period
             ["D7", "通知", "收文", "普通", "2025-09-30 10:00", "O1", "2025-09-30 11:00",
              "办理中"]]

INQUIRIES = [["编号", "收到时间", "类型", "是否紧急", "内容摘要", "承办人学号", "回复时间",
              "需要整改", "整改期限", "整改完成日期", "状态"],
             # 咨询, 12 h: just before, at, just after
             ["Q1", "2025-10-13 08:00", "咨询", "否", "x", "H1", "2025-10-13 19:59",
              "否", None, None, "已回复"],
             ["Q2", "2025-10-13 08:00", "咨询", "否", "x", "H1", "2025-10-13 20:00",
              None, None, None, "已回复"],
             ["Q3", "2025-10-13 08:00", "咨询", "否", "x", "H1", "2025-10-13 20:01",
              "是", "2025-10-17", "2025-10-17", "已完结"],   # fixed on its due day
             # 投诉, 48 h exactly
             ["Q4", "2025-10-13 08:00", "投诉", None, "x", "H1", "2025-10-15 08:00",
              "是", "2025-10-16", "2025-10-18", "已完结"],   # fixed two days late
             # urgent: 4 h whatever the kind
             ["Q5", "2025-10-14 09:00", "意见建议", "是", "x", "O2", "2025-10-14 13:01",
              "是", "2025-10-20", None, "整改中"],           # fix due on as_of, not done
             ["Q6", "2025-10-14 09:00", "咨询", "是", "x", "O2", "2025-10-14 13:00",
              "是", "2025-10-21", None, "整改中"],           # fix due after as_of
             # not answered: a complaint's 48 h end 10-21 00:00 (not yet); a question's
             # 12 h end 10-20 23:59 (counted) and 10-21 00:00 (not yet)
             ["Q7", "2025-10-19 00:00", "投诉", None, "x", "H1", None, None, None, None,
              "待回复"],
             ["Q8", "2025-10-20 11:59", "咨询", None, "x", "H1", None, None, None, None,
              "待回复"],
             ["Q9", "2025-10-20 12:00", "咨询", None, "x", "H1", None, None, None, None,
              "待回复"],
             # received before the period: only their fixes can count (by fix_due_on)
             ["Q10", "2025-09-20 09:00", "意见建议", None, "x", "O1", "2025-09-20 10:00",
              "是", "2025-10-10", "2025-10-09", "已完结"],
             ["Q11", "2025-09-20 09:00", "意见建议", None, "x", "O1", "2025-09-20 10:00",
              "是", "2025-09-30", None, "整改中"]]

SURVEYS = [["调查名称", "调查日期", "被评部门", "评价人", "得分", "满分"],
           # 办公室: 4.5 (empty full marks = 5), 9/10 -> 4.5, 95/100 -> 4.75, 4/5 -> 4.0;
           # 17.75 / 4 = 4.4375: under the 4.5 target, above the 3.5 floor
           ["期中测评", "2025-10-10", "办公室", "甲", 4.5, None],
           ["期中测评", "2025-10-10", "办公室", "乙", 9, 10],
           ["期中测评", "2025-10-10", "办公室", "丙", 95, 100],
           ["期中测评", "2025-10-10", "办公室", "丁", 4, 5],
           # 学术发展部: 3 -> 3.0, 6/10 -> 3.0, 80/100 -> 4.0; 10 / 3 = 3.33: below the floor
           ["期中测评", "2025-10-12", "学术发展部", "甲", 3, None],
           ["期中测评", "2025-10-12", "学术发展部", "乙", 6, 10],
           ["期中测评", "2025-10-12", "学术发展部", "丙", 80, 100],
           # 权益服务部: 5/5 and 10/10 -> 5.0 each; 10 / 2 = 5.0
           ["期中测评", "2025-10-12", "权益服务部", "甲", 5, 5],
           ["期中测评", "2025-10-12", "权益服务部", "乙", 10, 10],
           # 7 out of an empty (5) full marks is above full marks: a validation error, and
           # no score on the scale, so left out
           ["期中测评", "2025-10-12", "权益服务部", "丙", 7, None],
           # 新媒体中心: 7/10 -> 3.5 and 3.5 -> 3.5; exactly the floor: no plan owed
           ["期中测评", "2025-10-12", "新媒体中心", "甲", 7, 10],
           ["期中测评", "2025-10-12", "新媒体中心", "乙", 3.5, None],
           # before the period
           ["开学测评", "2025-09-28", "权益服务部", "甲", 1, 5]]

BUDGETS = [["预算编号", "活动名称", "部门", "预算金额", "学期", "提交审批日期", "主席团审批日期",
            "指导老师审批日期"],
           # submitted Thu 10-09, second approval Mon 10-13: 10-10, 10-11 (make-up Sat),
           # 10-13 -> 3 working days
           ["B1", "迎新", "文体活动部", 1000, "2025-fall", "2025-10-09", "2025-10-10",
            "2025-10-13"],
           # 10-13 -> 10-14 (both): 1
           ["B2", "讲座", "学术发展部", 200, "2025-fall", "2025-10-13", "2025-10-14",
            "2025-10-14"],
           # 09-29 (Mon) -> 10-09 across the holiday: 09-30, 10-09 -> 2
           ["B3", "办公用品", "办公室", 300, "2025-fall", "2025-09-29", "2025-10-09",
            "2025-09-30"],
           # only one approval yet: not counted
           ["B4", "换届", "办公室", 100, "2025-fall", "2025-10-15", "2025-10-16", None],
           # no submission date: not counted
           ["B5", "茶话会", "办公室", 100, "2025-fall", None, "2025-10-10", "2025-10-10"],
           # approved in September: not in the period
           ["B6", "开学", "办公室", 100, "2025-fall", "2025-09-22", "2025-09-23",
            "2025-09-24"]]

PERIOD = "2025-10"
TODAY = "2025-10-20"
"""`kpis(folder, period)` (from test_policy_kpis) runs as of this day too."""


def build(folder: Path, policy: str = "", name: str = "测试大学学生会", extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_xlsx(folder / "roster.xlsx", {"成员": MEMBERS})
    write_xlsx(folder / "finance.xlsx", {"活动预算": BUDGETS})
    write_xlsx(folder / "cases.xlsx", {"公文流转": DOCUMENTS, "咨询与反馈": INQUIRIES,
                                       "满意度调查": SURVEYS})
    path = write_config(folder, {r: f"{r}.xlsx" for r in ("roster", "finance", "cases")},
                        policy + extra)
    path.write_text(path.read_text(encoding="utf-8").replace("测试大学学生会", name),
                    encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    folder = tmp_path_factory.mktemp("affairs")
    build(folder)
    return kpis(folder, PERIOD)


OWN_POLICY = """
[policy]
document_flow_hours = 3
inquiry_reply_hours = 24
satisfaction_floor = 0.9
budget_approval_workdays = 3
"""


@pytest.fixture(scope="module")
def own(tmp_path_factory):
    """The same records in an office with its own numbers."""
    folder = tmp_path_factory.mktemp("own")
    build(folder, policy=OWN_POLICY)
    return kpis(folder, PERIOD)


# -- documents ---------------------------------------------------------------------------


def test_document_flow_by_urgency(result):
    # counted: D1, D2, D3, D4, D8 and D5 (due 23:59 on as_of); D6 (due 10-21 00:00) and D7
    # (received in September) not. Good: D1 (6 h exactly), D3 (1 h exactly), D8: 3/6
    assert counts(result, "document_flow_on_time") == (3, 6, 0.95, False)
    # by the handler's department: O1 (办公室) D1, D2, D5, D8 -> 2/4; O2 D3, D4 -> 1/2
    assert counts(result, "document_flow_on_time", "办公室")[:2] == (2, 4)
    assert counts(result, "document_flow_on_time", "学术发展部")[:2] == (1, 2)


def test_document_flow_follows_the_offices_hours(own):
    # 3 h: D1 (6 h) and D2 late now; D8 (2 h 30) good; D3 still good (urgent 1 h); D5 due
    # 20:59 and D6 due 21:00 both on as_of, neither routed: 2 good of 7
    assert counts(own, "document_flow_on_time") == (2, 7, 0.95, False)
    assert counts(own, "document_flow_on_time", "办公室")[:2] == (1, 5)
    assert counts(own, "document_flow_on_time", "学术发展部")[:2] == (1, 2)


# -- inquiries ---------------------------------------------------------------------------


def test_inquiry_just_before_at_and_after_its_deadline(result):
    # Q1 11 h 59 and Q2 12 h exactly: good; Q3 12 h 1 min: late; Q4 a complaint at 48 h:
    # good; Q5 urgent at 4 h 1 min: late; Q6 urgent at 4 h: good; Q8 due 23:59 on as_of,
    # unanswered; Q7 (due 10-21 00:00), Q9 (due 10-21 00:00), Q10, Q11 (September) not
    # counted: 4/7
    assert counts(result, "inquiry_reply_on_time") == (4, 7, 0.95, False)
    # H1: Q1, Q2, Q3, Q4, Q8 -> 3/5; O2: Q5, Q6 -> 1/2
    assert counts(result, "inquiry_reply_on_time", "权益服务部")[:2] == (3, 5)
    assert counts(result, "inquiry_reply_on_time", "学术发展部")[:2] == (1, 2)


def test_inquiry_reply_follows_the_offices_hours(own):
    # 24 h for a question: Q3 good now; Q8 due 10-21 11:59, no longer counted: 5/6
    assert counts(own, "inquiry_reply_on_time") == (5, 6, 0.95, False)


def test_rectification_rate(result):
    # fixes due 10-01..10-20: Q3 (fixed on the day: good), Q4 (two days late), Q5 (due on
    # as_of, not fixed), Q10 (received in September, fixed a day early: good); Q6 due
    # 10-21 and Q11 due 09-30 are not counted; Q1 needs none: 2/4 against 100 %
    assert counts(result, "rectification_rate") == (2, 4, 1.0, False)
    assert counts(result, "rectification_rate", "权益服务部") == (1, 2, 1.0, False)
    assert counts(result, "rectification_rate", "学术发展部") == (0, 1, 1.0, False)
    assert counts(result, "rectification_rate", "办公室") == (1, 1, 1.0, True)


# -- satisfaction ------------------------------------------------------------------------


def test_satisfaction_mixes_scales(result):
    # 办公室 17.75/4, 学术发展部 10/3, 权益服务部 10/2, 新媒体中心 7/2: 44.75 over 11
    r = row(result, "satisfaction_score")
    assert (r["numerator"], r["denominator"], r["target"], r["met"]) == (44.75, 11, 4.5, False)
    assert r["value"] == pytest.approx(44.75 / 11)


@pytest.mark.parametrize("department, numerator, denominator, met", [
    ("办公室", 17.75, 4, False),       # 4.4375
    ("学术发展部", 10.0, 3, False),    # 3.33
    ("权益服务部", 10.0, 2, True),     # 5.0 (the 7-out-of-5 row left out)
    ("新媒体中心", 7.0, 2, False),     # 3.5
])
def test_satisfaction_per_department(result, department, numerator, denominator, met):
    r = row(result, "satisfaction_score", department)
    assert (r["numerator"], r["denominator"], r["met"]) == (numerator, denominator, met)
    assert r["value"] == pytest.approx(numerator / denominator)


# -- budgets -----------------------------------------------------------------------------


def test_budget_approval_days(result, own):
    # B1 3, B2 1, B3 2 working days; B4 (one approval), B5 (not submitted), B6 (September)
    # not counted: 6 over 3 = 2.0 against 1 working day
    r = row(result, "budget_approval_days")
    assert (r["numerator"], r["denominator"], r["value"], r["target"], r["met"]) == (
        6, 3, 2.0, 1.0, False)
    assert counts(result, "budget_approval_days", "文体活动部") == (3, 1, 1.0, False)
    assert counts(result, "budget_approval_days", "学术发展部") == (1, 1, 1.0, True)
    assert counts(result, "budget_approval_days", "办公室") == (2, 1, 1.0, False)
    # budget_approval_workdays = 3 is the target: 2.0 met, 文体活动部 exactly at it
    assert counts(own, "budget_approval_days") == (6, 3, 3.0, True)
    assert counts(own, "budget_approval_days", "文体活动部") == (3, 1, 3.0, True)


def test_budget_approval_target_written_as_a_target(tmp_path):
    build(tmp_path, policy="[policy.targets]\nbudget_approval_days = 2\n")
    assert counts(kpis(tmp_path, PERIOD), "budget_approval_days") == (6, 3, 2.0, True)


@pytest.mark.parametrize("targets, says", [
    ("satisfaction_score = 95", "satisfaction_score"),     # a score, not a percentage
    ("budget_approval_days = -1", "budget_approval_days"),  # a mean cannot be negative
])
def test_impossible_targets_are_refused(tmp_path, targets, says):
    build(tmp_path, policy=f"[policy.targets]\n{targets}\n")
    done = clerk("kpi", "--period", PERIOD, "--today", TODAY, cwd=tmp_path)
    assert done.returncode == 2 and says in done.stderr
    assert done.stderr.strip().count("\n") == 0


# -- nothing to count --------------------------------------------------------------------


def test_no_records_is_null(tmp_path):
    build(tmp_path)
    august = kpis(tmp_path, "2025-08")
    for key in ("document_flow_on_time", "inquiry_reply_on_time", "rectification_rate",
                "satisfaction_score", "budget_approval_days"):
        r = row(august, key)
        assert (r["value"], r["denominator"], r["met"]) == (None, 0, None), key


# -- what a person reads ------------------------------------------------------------------


def test_terminal_shows_the_new_kpis(tmp_path):
    build(tmp_path, policy=OWN_POLICY)
    done = clerk("kpi", "--period", PERIOD, "--today", TODAY, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()

    def line(label: str) -> str:
        (found,) = [x for x in lines if f" {label}: " in x]
        return found

    # 44.75 / 11 = 4.068...
    assert line("满意度平均分") == "  ✗ 满意度平均分: 4.07 分 (≥ 4.5 分; 11 份评价共 44.75 分)"
    assert line("公文 3 小时流转率") == "  ✗ 公文 3 小时流转率: 28.6% (≥ 95%; 2/7)"
    assert line("预算审批平均用时") == \
        "  ✓ 预算审批平均用时: 2.00 个工作日 (≤ 3 个工作日; 3 笔共 6 个工作日)"
    english = clerk("kpi", "--period", PERIOD, "--today", TODAY, "--locale", "en",
                    cwd=tmp_path)
    assert "Satisfaction score: 4.07 pts (≥ 4.5 pts; 44.75 pts over 11 responses)" in english.stdout
    assert "Documents routed within 3 h:" in english.stdout


def _plan_rows(sheet) -> dict[str, str | None]:
    """Department -> its 整改方案 cell on the ranking sheet."""
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r and r[0] == "排名")
    plan = rows[header].index("整改方案")
    return {r[1]: r[plan] for r in rows[header + 1:] if r and r[1]}


def test_department_report_names_who_owes_a_rectification_plan(tmp_path):
    build(tmp_path, extra="\n[output]\nwrite_back = true\n")
    out = tmp_path / "out"
    done = clerk("kpi", "--period", PERIOD, "--today", TODAY, "-o", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    # only 学术发展部 (3.33) is below 3.5; 新媒体中心 at exactly 3.5 is not
    html = (out / "department_report.html").read_text("utf-8")
    assert "<li>学术发展部：满意度平均分 3.33 分，低于 3.50 分，需提交整改方案</li>" in html
    heading = re.search(r"<h2>\d+\. 学术发展部 (.*?)</h2>", html)
    assert heading is not None and "需提交整改方案" in heading[1]
    assert not re.search(r"<h2>\d+\. 新媒体中心 <span", html)
    assert html.count("<li>") == 1

    book = openpyxl.load_workbook(out / "department_report.xlsx")
    ranking = book.worksheets[0]
    assert ranking["A3"].value == "学术发展部：满意度平均分 3.33 分，低于 3.50 分，需提交整改方案"
    plans = _plan_rows(ranking)
    assert plans.pop("学术发展部") == "需提交整改方案"
    assert set(plans) >= {"办公室", "权益服务部", "新媒体中心"}
    assert not any(plans.values())
    # the detail sheet carries the score in points out of 5
    detail = book.worksheets[1]
    (score,) = [r for r in detail.iter_rows(min_row=2) if r[1].value == "学术发展部"
                and r[2].value == "满意度平均分"]
    assert score[3].value == pytest.approx(10 / 3)
    assert score[3].number_format == '0.00" 分"'

    # the dashboards and the KPI看板 tab show the new KPIs like the others
    dashboard = (out / "kpi_dashboard.html").read_text("utf-8")
    card = re.search(r"<h3>满意度平均分</h3>(.*?)</li>", dashboard, re.S)
    assert card is not None
    assert '<span class="value">4.07 分</span>' in card[1] and "≥ 4.5 分" in card[1]
    assert "11 份评价共 44.75 分" in card[1]
    import python_calamine as calamine

    tab = calamine.CalamineWorkbook.from_path(str(tmp_path / "cases.xlsx")).get_sheet_by_name(
        "KPI看板").to_python()
    (overall,) = [r for r in tab[1:] if r[0] == "满意度平均分" and not r[2]]
    assert (overall[3], overall[6], overall[7]) == ("4.07 分", "≥ 4.5 分", "✗")


def test_the_offices_floor_decides_who_owes_a_plan(tmp_path):
    build(tmp_path, policy=OWN_POLICY)
    out = tmp_path / "out"
    assert clerk("kpi", "--period", PERIOD, "--today", TODAY, "-o", str(out),
                 cwd=tmp_path).returncode == 0
    # floor 0.9 -> 4.5 points: 办公室 (4.44), 学术发展部 and 新媒体中心 owe one; 权益服务部 (5.0)
    # does not
    plans = _plan_rows(openpyxl.load_workbook(out / "department_report.xlsx").worksheets[0])
    assert {k for k, v in plans.items() if v} == {"办公室", "学术发展部", "新媒体中心"}
    html = (out / "department_report.html").read_text("utf-8")
    assert "<li>办公室：满意度平均分 4.44 分，低于 4.50 分，需提交整改方案</li>" in html
    assert "权益服务部：满意度" not in html


def test_department_report_in_english(tmp_path):
    config = build(tmp_path)
    config.write_text(config.read_text(encoding="utf-8").replace(
        'name = "测试大学学生会"', 'name = "测试大学学生会"\nlocale = "en"'), encoding="utf-8")
    out = tmp_path / "out"
    assert clerk("kpi", "--period", PERIOD, "--today", TODAY, "-o", str(out),
                 cwd=tmp_path).returncode == 0
    html = (out / "department_report.html").read_text("utf-8")
    assert ("<li>学术发展部: Satisfaction score 3.33 pts, below 3.50 pts: owes a "
            "rectification plan</li>") in html
    assert html.count("owes a rectification plan") == 3   # the list, the ranking, the heading
    ranking = openpyxl.load_workbook(out / "department_report.xlsx").worksheets[0]
    assert ranking["A3"].value == ("学术发展部: Satisfaction score 3.33 pts, below 3.50 pts: "
                                   "owes a rectification plan")


# -- rollup ------------------------------------------------------------------------------


def test_units_roll_up_scores_and_name_each_units_department(tmp_path):
    branch = tmp_path / "branch"
    build(branch, name="计算机学院分会")
    build(tmp_path, extra='\n[[units]]\nname = "计算机学院分会"\nconfig = "branch/office.toml"\n')
    result = kpis(tmp_path, PERIOD)
    rows = {r["office"]: (r["numerator"], r["denominator"]) for r in result["kpis"]
            if r["key"] == "satisfaction_score" and r["department"] is None}
    # the same records twice: sums of points over sums of responses
    assert rows == {"测试大学学生会": (44.75, 11), "计算机学院分会": (44.75, 11),
                    "全部单位": (89.5, 22)}
    total = row(result, "budget_approval_days", office="全部单位")
    assert (total["numerator"], total["denominator"], total["value"]) == (12, 6, 2.0)
    out = tmp_path / "out"
    assert clerk("kpi", "--period", PERIOD, "--today", TODAY, "-o", str(out),
                 cwd=tmp_path).returncode == 0
    html = (out / "department_report.html").read_text("utf-8")
    for unit in ("测试大学学生会", "计算机学院分会"):
        assert (f"<li>{unit} · 学术发展部：满意度平均分 3.33 分，低于 3.50 分，"
                "需提交整改方案</li>") in html
