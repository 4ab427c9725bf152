"""The nightly job on an office the demo generator never made (written with openpyxl):
its outputs, runs started together, the archive day, a failing step with its alert sent
through a real robot endpoint on 127.0.0.1, the lock, the history and the log."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import filelock
from conftest import clerk, write_config, write_xlsx

MEMBERS = [["学号", "姓名", "部门", "职务", "手机号", "邮箱", "状态"],
           ["S01", "韩立", "主席团", "主席", "13855550001", "hanli@u.example.cn", "在任"],
           ["S02", "南宫婉", "办公室", "部长", "13855550002", "ngw@u.example.cn", "在任"],
           ["S03", "厉飞雨", "办公室", "干事", "13855550003", "lfy@u.example.cn", "在任"],
           ["S04", "紫灵", "权益服务部", "部长", "13855550004", "zl@u.example.cn", "在任"],
           ["S05", "墨彩环", "权益服务部", "干事", "13855550005", "mch@u.example.cn", "在任"]]
TASKS = [["任务编号", "任务内容", "负责人学号", "部门", "截止日期", "完成日期"],
         ["RW1", "整理会议纪要", "S03", "办公室", "2026-03-02", None],
         ["RW2", "更新物资台账", "S03", "办公室", "2026-03-05", "2026-03-04"],
         ["RW3", "回访同学", "S05", "权益服务部", "2026-03-06", None]]
ITEMS = [["物资编号", "物资名称", "状况", "保管人学号"], ["Z1", "相机", "完好", "S02"]]
LOANS = [["借用单号", "物资编号", "借用人", "借用人学号", "联系电话", "借出日期", "应还日期",
          "经手人学号"],
         ["J1", "Z1", "厉飞雨", "S03", "13855550003", "2026-02-20", "2026-03-01", "S02"]]
CASES = [["案件编号", "受理时间", "诉求摘要", "反映人", "联系方式", "承办人学号", "状态"],
         ["A1", "2026-03-05 09:00", "空调不制冷", "路人甲乙", "13677770001", "S05", "待受理"]]
BUDGETS = [["预算编号", "活动名称", "部门", "预算金额"], ["Y1", "读书会", "办公室", 800]]
EXPENSES = [["报销单号", "预算编号", "支出事项", "金额", "支出日期", "提交日期", "经办人学号",
             "审核人学号", "状态"],
            ["E1", "Y1", "图书", 300, "2026-02-25", "2026-02-26", "S03", "S02", "待审核"],
            ["E2", "Y1", "茶歇", "约三百", "2026-02-25", "2026-02-26", "S03", None, "待审核"]]
PERSONAL = ["13855550001", "13855550003", "hanli@u.example.cn", "lfy@u.example.cn", "路人甲乙",
            "13677770001"]


def build(folder: Path, extra: str = "") -> Path:
    write_xlsx(folder / "data" / "roster.xlsx", {"成员": MEMBERS, "任务": TASKS})
    write_xlsx(folder / "data" / "assets.xlsx", {"物资台账": ITEMS, "借用登记": LOANS})
    write_xlsx(folder / "data" / "finance.xlsx", {"活动预算": BUDGETS, "报销明细": EXPENSES})
    write_xlsx(folder / "data" / "cases.xlsx", {"权益案件": CASES})
    return write_config(folder, {r: f"data/{r}.xlsx" for r in ("roster", "assets", "finance",
                                                                 "cases")}, extra)


def nightly(folder: Path, today: str, *args: str, env: dict[str, str] | None = None
            ) -> tuple[int, dict]:
    done = clerk("nightly", "--today", today, "--format", "json", *args, cwd=folder, env=env)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout) if done.stdout.strip() else {}


def outbox(folder: Path) -> list[Path]:
    return sorted((folder / "output" / "outbox").rglob("*.eml"))


def test_nightly_writes_reports_dashboard_and_reminders(tmp_path):
    build(tmp_path)
    code, report = nightly(tmp_path, "2026-03-09")
    assert code == 1, report  # the planted 约三百 is an error finding
    steps = {s["name"]: s for s in report["steps"]}
    assert [s["name"] for s in report["steps"]] == ["read", "validate", "remind", "kpi",
                                                    "archive"]
    assert steps["validate"]["status"] == "problems"
    assert steps["validate"]["counts"]["errors"] == 1
    assert steps["remind"]["status"] == "ok" and steps["remind"]["counts"]["sent"] >= 3
    out = tmp_path / "output"
    for name in ("validation.html", "validation.xlsx", "validation.json",
                 "kpi/kpi_dashboard.html", "kpi/kpi_dashboard.xlsx", "reminder_log.csv",
                 "kpi/month/kpi_dashboard.html"):
        assert (out / name).is_file(), name
    recipients = [m.read_text(encoding="utf-8") for m in outbox(tmp_path)]
    assert any("lfy@u.example.cn" in m for m in recipients)
    status = clerk("status", "--format", "json", cwd=tmp_path)
    [run] = json.loads(status.stdout)["runs"]
    assert run["status"] == "problems" and run["today"] == "2026-03-09"


def test_runs_started_together_send_nothing_twice(tmp_path):
    build(tmp_path)
    command = [sys.executable, "-m", "automation", "nightly", "--today", "2026-03-09"]
    children = [subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, encoding="utf-8")
                for _ in range(2)]
    results = [(c.wait(timeout=300), *c.communicate()) for c in children]
    for code, _out, err in results:
        assert "Traceback" not in err
        assert code in (1, 2)
    refused = [err for code, _, err in results if code == 2]
    for err in refused:
        assert "另一个夜间任务正在运行" in err and len(err.strip().splitlines()) == 1
    first = outbox(tmp_path)
    assert first
    code, report = nightly(tmp_path, "2026-03-09")
    assert code == 1
    remind = next(s for s in report["steps"] if s["name"] == "remind")
    assert remind["counts"]["sent"] == 0 and remind["counts"]["already_sent"] > 0
    assert outbox(tmp_path) == first
    db = sqlite3.connect(tmp_path / ".clerk" / "clerk.sqlite3")
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    sent = db.execute("SELECT day, rule, record, person, level, channel, COUNT(*) "
                      "FROM deliveries GROUP BY 1, 2, 3, 4, 5, 6 HAVING COUNT(*) > 1").fetchall()
    assert sent == []
    runs = db.execute("SELECT status FROM runs").fetchall()
    assert len(runs) == 3 - len(refused)


def test_a_held_lock_means_nothing_is_done(tmp_path):
    build(tmp_path)
    state = tmp_path / ".clerk"
    state.mkdir()
    with filelock.FileLock(str(state / "nightly.lock")):
        done = clerk("nightly", "--today", "2026-03-09", cwd=tmp_path)
    assert done.returncode == 2 and "另一个夜间任务正在运行" in done.stderr
    assert not (tmp_path / "output").exists() and outbox(tmp_path) == []


def test_snapshot_on_the_day_after_the_semester_ends(tmp_path):
    build(tmp_path)
    for day in ("2026-01-31", "2026-02-01", "2026-02-02"):
        nightly(tmp_path, day)
    snapshots = sorted((tmp_path / "output" / "archive").iterdir())
    assert [p.name for p in snapshots] == ["测试大学学生会_2025-fall_2026-02-01"]
    done = clerk("verify", str(snapshots[0]))
    assert done.returncode == 0


def test_missed_archive_day_is_caught_up_once(tmp_path):
    build(tmp_path)
    nightly(tmp_path, "2026-02-09")
    nightly(tmp_path, "2026-02-10")
    assert [p.name for p in (tmp_path / "output" / "archive").iterdir()] == [
        "测试大学学生会_2025-fall_2026-02-09"]


def test_failed_step_others_run_and_one_alert_a_day(tmp_path, robot_server):
    extra = ("\n[reminders]\nchannels = [\"email\"]\n"  # email is not configured: remind fails
             "\n[nightly]\nalert_channel = \"dingtalk\"\n"
             f"\n[channels.dingtalk]\nwebhook = \"{robot_server.dingtalk_webhook}\"\n"
             "secret_env = \"ROBOT_SECRET\"\n")
    build(tmp_path, extra)
    env = {**os.environ, "ROBOT_SECRET": robot_server.dingtalk_secret}
    code, report = nightly(tmp_path, "2026-03-09", env=env)
    assert code == 2
    steps = {s["name"]: s["status"] for s in report["steps"]}
    assert steps == {"read": "ok", "validate": "problems", "remind": "failed", "kpi": "ok",
                     "archive": "ok"}
    assert report["alert"] == "sent"
    [post] = robot_server.posts("dingtalk")
    assert "提醒" in json.dumps(post.body, ensure_ascii=False)
    code, report = nightly(tmp_path, "2026-03-09", env=env)
    assert code == 2 and report["alert"] == "already_sent"
    assert len(robot_server.posts("dingtalk")) == 1
    status = clerk("status", cwd=tmp_path)
    assert status.returncode == 0 and "失败：提醒" in status.stdout


def test_log_rotates_and_holds_no_personal_value(tmp_path):
    build(tmp_path)
    nightly(tmp_path, "2026-03-09")
    nightly(tmp_path, "2026-03-10")
    log = (tmp_path / ".clerk" / "logs" / "clerk.log").read_text(encoding="utf-8")
    assert "validate problems" in log and "finished" in log
    for value in PERSONAL:
        assert value not in log


def test_write_back_puts_all_owned_tabs_in_one_write(tmp_path):
    import openpyxl

    build(tmp_path, "\n[output]\nwrite_back = true\n")
    books = {r: tmp_path / "data" / f"{r}.xlsx" for r in ("roster", "assets", "finance",
                                                           "cases")}

    def officers_cells(path: Path) -> dict[str, list[tuple]]:
        book = openpyxl.load_workbook(path)
        return {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames
                if name not in ("校验结果", "KPI看板", "提醒记录")}

    before = {r: officers_cells(p) for r, p in books.items()}
    for day in ("2026-03-09", "2026-03-10"):
        code, report = nightly(tmp_path, day)
        assert code == 1
        write = next(s for s in report["steps"] if s["name"] == "write_back")
        assert write["status"] == "ok" and write["counts"]["written"] == 4
    for register, path in books.items():
        names = openpyxl.load_workbook(path).sheetnames
        assert names[-3:] == ["校验结果", "提醒记录", "KPI看板"], names
        assert len(names) == len(before[register]) + 3
        assert officers_cells(path) == before[register]
    findings = openpyxl.load_workbook(books["finance"])["校验结果"]
    assert any("约三百" in str(c.value) for row in findings.iter_rows() for c in row)


def test_a_year_the_calendar_does_not_know_is_said_unless_the_office_filled_it_in(tmp_path):
    """chinesecalendar stops at its last known year; the unattended run says so once, and
    stops saying it once the office lists that year's make-up days."""
    from automation.workdays import WorkCalendar

    year = (WorkCalendar("CN").library_years() or (0, 2026))[1] + 1
    build(tmp_path)
    _, report = nightly(tmp_path, f"{year}-03-09")
    said = [n for n in report["notes"] if str(year) in n and "extra_workdays" in n]
    assert len(said) == 1, report["notes"]
    other = tmp_path / "filled"
    build(other)
    text = (other / "office.toml").read_text(encoding="utf-8")
    (other / "office.toml").write_text(text.replace(
        'name = "测试大学学生会"', f'name = "测试大学学生会"\nextra_workdays = [{year}-02-20]'
        f'\nclosures = [{year}-02-15]'),
        encoding="utf-8")
    _, report = nightly(other, f"{year}-03-09")
    assert not [n for n in report["notes"] if "extra_workdays" in n], report["notes"]
