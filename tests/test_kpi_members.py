"""Per-member figures (`kpi --format json`'s `members`) and the 成员考核表 on a small office
counted by hand.

Period 2025-10, today 2025-10-20, so as_of is 2025-10-20.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from conftest import clerk, write_config, write_xlsx

from automation.kpi.members import MemberFigures, efficiency_stars

MEMBERS = [["学号", "姓名", "部门", "职务", "状态", "离任日期"],
           ["A1", "甲", "办公室", "干事", "在任", None],
           ["A2", "乙", "办公室", "干事", "在任", None],
           ["B1", "丙", "学术发展部", "干事", "在任", None],
           ["B2", "丁", "学术发展部", "干事", "在任", None],
           ["X1", "戊", "办公室", "干事", "离任", "2025-09-30"],
           ["C1", "己", "权益服务部", "干事", "在任", None]]
ATTENDANCE = [["日期", "活动名称", "类型", "学号", "出勤情况"],
              ["2025-10-08", "培训", "培训", "A1", "出勤"],
              ["2025-10-09", "例会", "例会", "A1", "迟到"],
              ["2025-10-10", "例会", "例会", "A1", "缺勤"],
              ["2025-09-30", "例会", "例会", "A1", "缺勤"],   # before the period
              ["2025-10-08", "培训", "培训", "A2", "缺勤"],
              ["2025-10-09", "例会", "例会", "A2", "出勤"],
              ["2025-10-09", "例会", "例会", "B1", "出勤"],
              ["2025-10-08", "培训", "培训", "X1", "出勤"]]
TASKS = [["任务编号", "任务内容", "负责人学号", "截止日期", "完成日期", "按质完成"],
         ["T1", "a", "A1", "2025-10-05", "2025-10-05", "是"],
         ["T2", "b", "A1", "2025-10-06", "2025-10-07", "是"],    # late
         ["T3", "c", "A1", "2025-10-07", "2025-10-07", "否"],    # not up to standard
         ["T4", "d", "A1", "2025-10-25", None, None],            # due after as_of
         ["T5", "e", "A2", "2025-10-10", "2025-10-09", "是"],
         ["T6", "f", "A2", "2025-10-11", "2025-10-11", None],    # empty 按质完成 is fine
         ["T7", "g", "A2", "2025-10-12", "2025-10-12", "是"],
         ["T8", "h", "B1", "2025-10-10", "2025-10-10", "是"],
         ["T9", "i", "B1", "2025-10-11", "2025-10-11", "是"],
         ["T10", "j", "B1", "2025-10-12", "2025-10-12", "是"],
         ["T11", "k", "B1", "2025-10-13", "2025-10-13", "是"],
         ["T12", "l", "B2", "2025-10-10", "2025-10-10", "是"],
         ["T13", "m", "B2", "2025-10-11", "2025-10-11", "是"],
         ["T14", "n", "X1", "2025-10-10", "2025-10-10", "是"],
         ["T15", "o", "X1", "2025-10-11", "2025-10-11", "是"],
         ["T16", "p", "X1", "2025-10-12", "2025-10-12", "是"],
         ["T17", "q", "X1", "2025-10-13", "2025-10-13", "是"],
         ["T18", "r", "X1", "2025-10-14", "2025-10-14", "是"]]


def build(folder: Path, extra: str = "") -> Path:
    write_xlsx(folder / "roster.xlsx", {"成员": MEMBERS, "考勤": ATTENDANCE, "任务": TASKS})
    return write_config(folder, {"roster": "roster.xlsx"}, extra=extra)


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    folder = tmp_path_factory.mktemp("members")
    build(folder)
    return folder


@pytest.fixture(scope="module")
def members(office):
    done = clerk("kpi", "--period", "2025-10", "--today", "2025-10-20", "--format", "json",
                 cwd=office)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert "kpis" in result and "period" in result, "the existing keys are kept"
    return {m["member_id"]: m for m in result["members"]}


EXPECTED = {
    # attendance: A1 出勤 + 迟到 of 3 rows in October (09-30 is outside); training 1 of 1;
    # tasks: T1 on time, T2 late, T3 否, T4 due after as_of -> 1 of 3
    "A1": ("办公室", 2 / 3, 1.0, 3, 1, 1 / 3),
    "A2": ("办公室", 1 / 2, 0.0, 3, 3, 1.0),
    "B1": ("学术发展部", 1.0, None, 4, 4, 1.0),      # no training row: null, not 0
    "B2": ("学术发展部", None, None, 2, 2, 1.0),
    "C1": ("权益服务部", None, None, 0, 0, None),     # nothing at all: every rate null
}


def test_members_counted_by_hand(members):
    assert set(members) == set(EXPECTED), "X1 (离任) is left out"
    for member_id, (department, attendance, training, due, on_time, rate) in EXPECTED.items():
        m = members[member_id]
        assert m["department"] == department
        assert m["attendance_rate"] == (pytest.approx(attendance) if attendance is not None
                                        else None)
        assert m["training_rate"] == training
        assert (m["tasks_due"], m["tasks_on_time"]) == (due, on_time)
        assert m["task_on_time_rate"] == (pytest.approx(rate) if rate is not None else None)


def test_member_keys(members):
    assert set(members["A1"]) == {"member_id", "name", "department", "attendance_rate",
                                  "training_rate", "tasks_due", "tasks_on_time",
                                  "task_on_time_rate"}
    assert members["A1"]["name"] == "甲"


def _figures(member_id: str, on_time: int, due: int) -> MemberFigures:
    return MemberFigures(member_id, member_id, "办公室", tasks_on_time=on_time, tasks_due=due)


def test_star_best_rate_then_most_tasks_then_ties_share():
    # B1 4/4 beats A2 3/3 (same rate, more tasks); B2 2/2 has too few tasks to count
    assert [f.member_id for f in efficiency_stars(
        [_figures("A2", 3, 3), _figures("B1", 4, 4), _figures("B2", 2, 2)], 3)] == ["B1"]
    # 3/4 (75 %) beats 5/7 (71 %) although 5/7 has more tasks
    assert [f.member_id for f in efficiency_stars(
        [_figures("P", 5, 7), _figures("Q", 3, 4)], 3)] == ["Q"]
    # level on rate and tasks: both are stars, in roster order
    assert [f.member_id for f in efficiency_stars(
        [_figures("R", 2, 3), _figures("S", 2, 3), _figures("T", 1, 3)], 3)] == ["R", "S"]
    assert efficiency_stars([_figures("U", 2, 2)], 3) == []
    # the office's own threshold: at 2 tasks B2's 2/2 counts and beats C's 1/3; at 3 only C
    pair = [_figures("B2", 2, 2), _figures("C", 1, 3)]
    assert [f.member_id for f in efficiency_stars(pair, 2)] == ["B2"]
    assert [f.member_id for f in efficiency_stars(pair, 3)] == ["C"]


def test_the_offices_star_threshold(tmp_path):
    """[policy] star_min_tasks: above everyone's tasks due there is no star, and the report
    says the office's number; a threshold that is not a whole number is refused."""
    build(tmp_path, extra="\n[policy]\nstar_min_tasks = 50\n")
    out = tmp_path / "out"
    done = clerk("kpi", "--period", "2025-10", "--today", "2025-10-20", "-o", str(out),
                 cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    page = (out / "member_report.html").read_text(encoding="utf-8")
    assert "不少于 50 项" in page and "2025-10 效率之星：" not in page
    bad = tmp_path / "bad"
    bad.mkdir()
    build(bad, extra="\n[policy]\nstar_min_tasks = 2.5\n")
    refused = clerk("kpi", "--period", "2025-10", "--today", "2025-10-20", cwd=bad)
    assert refused.returncode == 2
    assert "star_min_tasks" in refused.stderr and "Traceback" not in refused.stderr


def _rows(path: Path) -> list[tuple]:
    sheet = openpyxl.load_workbook(path).worksheets[0]
    return [tuple(r) for r in sheet.iter_rows(values_only=True)]


def test_member_report_whole_and_per_department(office, tmp_path):
    out = tmp_path / "out"
    done = clerk("kpi", "--period", "2025-10", "--today", "2025-10-20", "-o", str(out),
                 cwd=office)
    assert done.returncode == 0, done.stderr
    whole = _rows(out / "member_report.xlsx")
    ids = [r[0] for r in whole if r and r[0] in {"A1", "A2", "B1", "B2", "C1", "X1"}]
    assert ids == ["A1", "A2", "B1", "B2", "C1"]
    assert any("2025-10 效率之星：丙（学术发展部）" in str(r[0]) for r in whole if r)
    assert (out / "member_report.html").read_text(encoding="utf-8").count("效率之星") >= 2

    folder = out / "member_report"
    assert sorted(p.name for p in folder.iterdir()) == [
        "办公室.html", "办公室.xlsx", "学术发展部.html", "学术发展部.xlsx", "权益服务部.html",
        "权益服务部.xlsx"]
    office_rows = _rows(folder / "办公室.xlsx")
    assert [r[0] for r in office_rows if r and r[0] in {"A1", "A2", "B1", "B2", "C1"}] == [
        "A1", "A2"]
    # a head gets only their own people: 丙's star is not on 办公室's page
    page = (folder / "办公室.html").read_text(encoding="utf-8")
    assert "丙" not in page and "甲" in page
    assert "丙（学术发展部）" in (folder / "学术发展部.html").read_text(encoding="utf-8")
