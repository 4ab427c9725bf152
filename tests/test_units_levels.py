"""Three levels of `[[units]]`: a school union rolls up a college branch, which rolls up a
class committee that keeps only a roster and tasks. Period 2025-10, today 2025-10-20.

Tasks (all of them owned, due in October by as_of):
  校 测试大学学生会: tasks T1..T5 of test_kpi (1 on time of 4 in October up to as_of)
  院 计算机学院分会: the same workbook (1 of 4)
  班 计科一班: 2 tasks, 1 on time (1 of 2); no assets register at all
so the all-units total of task_on_time is (1 + 1 + 1) / (4 + 4 + 2) = 3 / 10.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import clerk, write_config, write_xlsx
from test_kpi import build

CLASS_MEMBERS = [["学号", "姓名", "部门", "职务", "状态"],
                 ["K1", "班一", "办公室", "干事", "在任"]]
CLASS_TASKS = [["任务编号", "任务内容", "负责人学号", "截止日期", "完成日期", "按质完成"],
               ["K-T1", "a", "K1", "2025-10-10", "2025-10-10", "是"],
               ["K-T2", "b", "K1", "2025-10-11", None, None]]


def unit(name: str, config: str) -> str:
    return f'\n[[units]]\nname = "{name}"\nconfig = "{config}"\n'


def three_levels(root: Path) -> None:
    college = root / "college"
    klass = college / "class"
    klass.mkdir(parents=True)
    write_xlsx(klass / "roster.xlsx", {"成员": CLASS_MEMBERS, "任务": CLASS_TASKS})
    path = write_config(klass, {"roster": "roster.xlsx"})
    path.write_text(path.read_text(encoding="utf-8").replace("测试大学学生会", "计科一班"),
                    encoding="utf-8")
    build(college, name="计算机学院分会", extra=unit("计科一班", "class/office.toml"))
    build(root, extra=unit("计算机学院分会", "college/office.toml"))


def kpis(folder: Path, *extra: str) -> dict:
    done = clerk("kpi", "--period", "2025-10", "--today", "2025-10-20", "--format", "json",
                 *extra, cwd=folder)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_three_levels_roll_up_with_parents(tmp_path):
    three_levels(tmp_path)
    result = kpis(tmp_path)
    rows = [r for r in result["kpis"] if r["key"] == "task_on_time" and r["department"] is None]
    assert {r["office"]: (r["numerator"], r["denominator"], r["parent"]) for r in rows} == {
        "测试大学学生会": (1, 4, None), "计算机学院分会": (1, 4, "测试大学学生会"),
        "计科一班": (1, 2, "计算机学院分会"), "全部单位": (3, 10, None)}
    # a department row names its office's parent too
    klass = [r for r in result["kpis"] if r["office"] == "计科一班" and r["department"]]
    assert klass and {r["parent"] for r in klass} == {"计算机学院分会"}
    # the class keeps no assets register: its asset KPIs are null, not an error
    (asset,) = [r for r in result["kpis"] if r["key"] == "asset_good_rate"
                and r["office"] == "计科一班" and r["department"] is None]
    assert (asset["value"], asset["denominator"], asset["met"]) == (None, 0, None)


def test_dashboard_shows_the_tree(tmp_path):
    three_levels(tmp_path)
    out = tmp_path / "out"
    done = clerk("kpi", "--period", "2025-10", "--today", "2025-10-20", "-o", str(out),
                 cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    page = (out / "kpi_dashboard.html").read_text(encoding="utf-8")
    assert "各单位（校 → 院 → 班）" in page
    school, college, klass = (page.index(f">{n}<") if f">{n}<" in page else
                              page.index(f"└ {n}<") for n in
                              ("测试大学学生会", "计算机学院分会", "计科一班"))
    assert school < college < klass
    assert "padding-left:38px" in page   # the class, two levels down

    import openpyxl

    book = openpyxl.load_workbook(out / "kpi_dashboard.xlsx")
    assert book.sheetnames[1] == "各单位（校 → 院 → 班）"
    sheet = book.sheetnames[1]
    rows = list(book[sheet].iter_rows(values_only=True))
    header = rows[0]
    at = header.index(next(h for h in header if h and h.startswith("任务按时完成率")))
    assert [(r[0], r[at]) for r in rows[1:]] == [
        ("测试大学学生会", 0.25), ("　└ 计算机学院分会", 0.25), ("　　└ 计科一班", 0.5)]


def test_a_loop_is_refused_in_one_line(tmp_path):
    college = tmp_path / "college"
    college.mkdir()
    build(college, name="计算机学院分会", extra=unit("校会", "../office.toml"))
    build(tmp_path, extra=unit("计算机学院分会", "college/office.toml"))
    done = clerk("kpi", "--period", "2025-10", "--today", "2025-10-20", cwd=tmp_path)
    assert done.returncode == 2, done.stdout
    assert done.stderr.strip().count("\n") == 0
    assert "测试大学学生会 → 计算机学院分会 → 校会" in done.stderr


def test_the_same_office_twice_is_refused(tmp_path):
    branch = tmp_path / "branch"
    branch.mkdir()
    build(branch, name="计算机学院分会")
    build(tmp_path, extra=unit("计算机学院分会", "branch/office.toml")
          + unit("计院", "branch/office.toml"))
    done = clerk("kpi", "--period", "2025-10", "--today", "2025-10-20", cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.strip().count("\n") == 0
    assert "测试大学学生会 → 计院" in done.stderr
