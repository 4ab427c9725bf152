"""KPI values on a small hand-built office where the answer can be counted, with records on
each boundary (48 h, 72 h, 24 h, the 5th working day across the 2025 National Day holiday).

Period 2025-09-01..2025-10-31, today 2025-10-20, so as_of is 2025-10-20.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import clerk, write_config, write_xlsx

MEMBERS = [["学号", "姓名", "部门", "职务", "状态"],
           ["O1", "组织一", "办公室", "干事", "在任"],
           ["O2", "组织二", "学术发展部", "干事", "在任"],
           ["H1", "承办一", "权益服务部", "干事", "在任"]]
MEETINGS = [["会议编号", "会议名称", "会议类型", "组织人学号", "通知时间", "开会时间",
             "纪要发布时间"],
            ["M1", "例会", "例会", "O1",
             "2025-10-11 19:00", "2025-10-13 19:00", "2025-10-15 19:00"],
            ["M2", "例会", "例会", "O1",
             "2025-10-11 19:01", "2025-10-13 19:00", "2025-10-15 19:01"],
            ["M3", "大会", "重大", "O1", "2025-10-11 10:00", "2025-10-14 10:00", None],
            ["M4", "大会", "重大", "O1",
             "2025-10-11 10:01", "2025-10-14 10:00", "2025-10-14 12:00"],
            ["M5", "例会", "例会", "O1", "2025-10-17 10:00", "2025-10-19 10:00", None],
            ["M6", "例会", "例会", "O1", None, "2025-10-25 10:00", None],
            ["M7", "例会", "例会", "O1", None, "2025-09-30 10:00", None],
            ["M8", "例会", "例会", "O2", None, "2025-10-18 19:00", "2025-10-20 19:00"]]
ATTENDANCE = [["日期", "活动名称", "类型", "学号", "出勤情况"],
              ["2025-10-08", "培训", "培训", "O1", "出勤"],
              ["2025-10-08", "培训", "培训", "O2", "迟到"],
              ["2025-10-08", "培训", "培训", "H1", "缺勤"],
              ["2025-10-08", "例会", "例会", "H1", "缺勤"]]
TASKS = [["任务编号", "任务内容", "负责人学号", "截止日期", "完成日期", "按质完成"],
         ["T1", "a", "O1", "2025-10-10", "2025-10-10", "是"],
         ["T2", "b", "O1", "2025-10-10", "2025-10-11", "是"],
         ["T3", "c", "O2", "2025-10-12", "2025-10-01", "否"],
         ["T4", "d", "O2", "2025-10-25", None, None],
         ["T5", "e", "O2", "2025-10-15", None, None]]
CASES = [["案件编号", "受理时间", "诉求摘要", "承办人学号", "首次回复时间", "进展反馈时间",
          "办结时间", "状态"],
         ["C1", "2025-09-30 10:00", "x", "H1", "2025-10-01 10:00", "2025-10-14 18:00", None,
          "处理中"],
         ["C2", "2025-09-30 10:00", "x", "H1", "2025-10-01 10:01", "2025-10-15 09:00",
          "2025-10-16 10:00", "已办结"],
         ["C3", "2025-10-19 20:00", "x", "H1", None, None, None, "待受理"],
         ["C4", "2025-10-20 09:00", "x", "H1", None, None, None, "已关闭"],
         ["C5", "2025-09-29 09:00", "x", "H1", "2025-09-29 10:00", None, "2025-10-09 10:00",
          "已办结"]]
BUDGETS = [["预算编号", "活动名称", "部门", "预算金额", "学期"],
           ["B1", "迎新", "文体活动部", 1000, "2025-fall"],
           ["B2", "讲座", "学术发展部", 200, "2025-fall"]]
EXPENSES = [["报销单号", "预算编号", "支出事项", "金额", "支出日期", "提交日期", "经办人学号",
             "审核日期", "状态"],
            ["E1", "B1", "x", 500, "2025-09-26", "2025-10-09", "O1", "2025-10-10", "已审核"],
            ["E2", "B1", "x", 450, "2025-09-30", "2025-10-14", "O1", "2025-10-17", "已审核"],
            ["E3", "B2", "x", 250, "2025-09-30", "2025-10-15", "O1", None, "待审核"],
            ["E4", "B2", "x", 10, "2025-10-15", "2025-10-15", "O1", None, "待审核"],
            ["E5", "B1", "x", 999, "2025-09-10", "2025-09-10", "O1", "2025-09-12", "退回"]]
ITEMS = [["物资编号", "物资名称", "状况", "所属部门"], ["A1", "音响", "完好", "办公室"],
         ["A2", "投影仪", "完好", "办公室"], ["A4", "帐篷", "完好", "办公室"]]
STOCKTAKES = [["盘点日期", "物资编号", "是否在库", "状况"],
              ["2025-09-10", "A1", "是", "完好"], ["2025-10-10", "A1", "否", "完好"],
              ["2025-10-01", "A2", "是", "完好"], ["2025-08-30", "A4", "是", "完好"]]
LOANS = [["借用单号", "物资编号", "借用人", "联系电话", "借出日期", "应还日期", "归还日期",
          "归还状况", "经手人学号"],
         ["L1", "A1", "甲", "13800000001", "2025-10-01", "2025-10-05", "2025-10-05", "完好", "O1"],
         ["L2", "A1", "乙", "13800000002", "2025-10-10", "2025-10-25", None, None, "O1"],
         ["L3", "A1", "丙", "13800000003", "2025-10-10", "2025-10-15", None, None, "O1"],
         ["L4", "A1", "丁", "13800000004", "2025-10-01", "2025-10-02", "2025-10-03", None, "O1"],
         ["L5", "A1", "戊", "13800000005", "2025-08-01", "2025-08-02", None, None, "O1"]]


def build(folder: Path, name: str = "测试大学学生会", extra: str = "") -> Path:
    write_xlsx(folder / "roster.xlsx", {"成员": MEMBERS, "考勤": ATTENDANCE, "任务": TASKS,
                                        "会议": MEETINGS})
    write_xlsx(folder / "assets.xlsx", {"物资台账": ITEMS, "借用登记": LOANS,
                                        "盘点记录": STOCKTAKES})
    write_xlsx(folder / "finance.xlsx", {"活动预算": BUDGETS, "报销明细": EXPENSES})
    write_xlsx(folder / "cases.xlsx", {"权益案件": CASES})
    path = write_config(folder, {r: f"{r}.xlsx" for r in ("roster", "assets", "finance",
                                                           "cases")}, extra)
    text = path.read_text(encoding="utf-8").replace("测试大学学生会", name)
    path.write_text(text, encoding="utf-8")
    return path


def kpis(folder: Path, period: str) -> dict:
    done = clerk("kpi", "--period", period, "--today", "2025-10-20", "--format", "json",
                 cwd=folder)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kpi")
    build(folder)
    return kpis(folder, "2025-09-01..2025-10-31")


def overall(result: dict, key: str) -> tuple:
    (row,) = [r for r in result["kpis"] if r["key"] == key and r["department"] is None]
    return row["numerator"], row["denominator"], row["met"]


EXPECTED = {
    "meeting_notice_on_time": (3, 7, False),   # 48 h and 72 h exactly count; a minute less not
    "minutes_on_time": (3, 6, False),          # M5's 48 h end after as_of: not yet counted
    "reimbursement_submitted_on_time": (3, 4, False),  # 5th working day across the holiday
    "asset_good_rate": (1, 2, False),          # the latest stocktake per asset
    "loan_record_complete": (2, 4, False),
    "training_attendance": (2, 3, False),
    "task_on_time": (1, 4, False),
    "case_response_24h": (2, 4, False),        # exactly 24 h counts; C3's 24 h end on as_of
    "case_progress_5wd": (2, 3, False),        # the 5th working day after 09-30 is 10-14
    "case_resolution_rate": (3, 5, False),
}


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_counted_by_hand(result, key):
    assert overall(result, key) == EXPECTED[key]


def test_audit_days_is_a_mean_of_working_days(result):
    (row,) = [r for r in result["kpis"] if r["key"] == "reimbursement_audit_days"
              and r["department"] is None]
    assert (row["numerator"], row["denominator"], row["value"], row["met"]) == (6, 3, 2.0, True)


def test_empty_population_is_null_not_zero(result):
    (row,) = [r for r in result["kpis"] if r["key"] == "budget_deviation"
              and r["department"] is None]
    assert (row["value"], row["denominator"], row["met"]) == (None, 0, None)


def test_per_department(result):
    rows = {(r["key"], r["department"]): r for r in result["kpis"]}
    assert (rows[("minutes_on_time", "学术发展部")]["numerator"],
            rows[("minutes_on_time", "学术发展部")]["denominator"]) == (1, 1)
    assert rows[("meeting_notice_on_time", "办公室")]["denominator"] == 6
    assert ("training_attendance", "权益服务部") in rows
    assert ("case_resolution_rate", "新媒体中心") not in rows, "no rows without records"


def test_contract(result):
    assert result["period"] == {"key": "2025-09-01..2025-10-31", "start": "2025-09-01",
                                "end": "2025-10-31", "as_of": "2025-10-20"}
    assert set(result["kpis"][0]) == {"key", "office", "department", "value", "numerator",
                                      "denominator", "target", "met", "parent"}
    assert len({r["key"] for r in result["kpis"]}) == 19   # 17, and the two stocktake KPIs


def test_budget_deviation_for_the_semester(tmp_path):
    build(tmp_path)
    result = kpis(tmp_path, "2025-fall")
    assert result["period"]["start"] == "2025-09-01" and result["period"]["end"] == "2026-01-31"
    # B1: 1000 budget, 500 + 450 spent (E5 退回 not counted); B2: 200 budget, 250 + 10 spent
    (row,) = [r for r in result["kpis"] if r["key"] == "budget_deviation"
              and r["department"] is None]
    assert (row["numerator"], row["denominator"], row["met"]) == (10.0, 1200.0, True)
    assert row["value"] == pytest.approx(10 / 1200)


def test_units_roll_up_by_summing_numerators_and_denominators(tmp_path):
    branch = tmp_path / "branch"
    branch.mkdir()
    build(branch, name="计算机学院分会")
    build(tmp_path, extra='\n[[units]]\nname = "计算机学院分会"\nconfig = "branch/office.toml"\n')
    result = kpis(tmp_path, "2025-09-01..2025-10-31")
    rows = [r for r in result["kpis"] if r["key"] == "task_on_time" and r["department"] is None]
    assert {r["office"]: (r["numerator"], r["denominator"]) for r in rows} == {
        "测试大学学生会": (1, 4), "计算机学院分会": (1, 4), "全部单位": (2, 8)}


@pytest.mark.parametrize("period, start, end", [
    ("2025-10", "2025-10-01", "2025-10-31"), ("2025-W41", "2025-10-06", "2025-10-12"),
    ("2026-spring", "2026-02-01", "2026-07-31"), ("2025", "2025-01-01", "2025-12-31"),
])
def test_periods(period, start, end):
    from datetime import date

    from automation.config import config_from_dict
    from automation.kpi.periods import parse_period

    p = parse_period(period, config_from_dict({}), date(2025, 10, 20))
    assert (p.start.isoformat(), p.end.isoformat()) == (start, end)
    assert p.as_of == min(p.end, date(2025, 10, 20))


def test_bad_period_is_one_clear_line(tmp_path):
    build(tmp_path)
    done = clerk("kpi", "--period", "2025-autumn", cwd=tmp_path)
    assert done.returncode == 2 and "2025-autumn" in done.stderr
    assert done.stderr.strip().count("\n") == 0


def test_kpi_tab_is_written_back_when_switched_on(tmp_path):
    import python_calamine as calamine

    build(tmp_path, extra="\n[output]\nwrite_back = true\n")
    done = clerk("kpi", "--period", "2025-10", "--today", "2025-10-20", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    book = calamine.CalamineWorkbook.from_path(str(tmp_path / "roster.xlsx"))
    assert book.sheet_names[-1] == "KPI看板"
    rows = book.get_sheet_by_name("KPI看板").to_python()
    assert rows[0][0] == "指标" and any(r[0] == "任务按时完成率" for r in rows[1:])
