"""Delivery end to end: the real `clerk remind` against a real SMTP server and robot server on
127.0.0.1 — exactly once a day, through failures, a crash and quiet hours."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import write_config, write_xlsx
from servers import DINGTALK_SECRET, FEISHU_SECRET, SMTP_PASSWORD, SMTP_USER, SMTPTestServer

TODAY = "2025-10-10"
PEOPLE = [(f"M{n}", f"干事{n}", f"1380000000{n}", f"m{n}@x.edu.cn") for n in range(1, 7)]


def office(folder: Path, extra: str) -> Path:
    members = [["学号", "姓名", "部门", "职务", "手机号", "邮箱", "状态"]]
    members += [[i, name, "文体活动部", "干事", phone, mail, "在任"]
                for i, name, phone, mail in PEOPLE]
    loans = [["借用单号", "物资编号", "借用人", "借用人学号", "联系电话", "借出日期", "应还日期",
              "经手人学号"]]
    for n, (member, name, phone, _) in enumerate(PEOPLE, start=1):
        for k in range(2):  # two overdue loans each: one digest carries both
            loans.append([f"L{n}{k}", "A1", name, member, phone, "2025-10-01", "2025-10-09",
                          member])
    write_xlsx(folder / "roster.xlsx", {"成员": members})
    write_xlsx(folder / "assets.xlsx", {"物资台账": [["物资编号", "物资名称", "状况"],
                                                  ["A1", "音响", "完好"]],
                                        "借用登记": loans})
    return write_config(folder, {"roster": "roster.xlsx", "assets": "assets.xlsx"}, extra)


def email_config(server: SMTPTestServer) -> str:
    return ('\n[reminders]\nchannels = ["email"]\n\n[channels.email]\n'
            f'host = "127.0.0.1"\nport = {server.port}\nsecurity = "none"\n'
            f'username = "{SMTP_USER}"\npassword_env = "CLERK_TEST_SMTP"\n'
            'sender = "学生会办公室 <office@example.edu.cn>"\n')


def run(folder: Path, *args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, CLERK_TEST_SMTP=SMTP_PASSWORD)
    return subprocess.Popen(
        [sys.executable, "-m", "automation", "remind", "--today", TODAY, *args],
        cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        encoding="utf-8")


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=120)
    assert "Traceback" not in err, err
    return process.returncode, out, err


def delivered(server: SMTPTestServer) -> list[str]:
    return sorted(rcpt for _, rcpts in server.envelopes for rcpt in rcpts)


def everyone() -> list[str]:
    return sorted(mail for *_, mail in PEOPLE)


def test_a_rerun_the_same_day_sends_nothing_new(tmp_path, smtp_server):
    office(tmp_path, email_config(smtp_server))
    status, out, _ = finish(run(tmp_path))
    assert status == 0 and delivered(smtp_server) == everyone()
    body = smtp_server.messages[0].get_body(("plain",)).get_content()
    assert body.count("借用物资逾期未还") == 2, "one digest carries both loans"
    log = (tmp_path / "output" / "reminder_log.csv").read_bytes()
    assert log.startswith(b"\xef\xbb\xbf"), "CSV for Excel carries a BOM"
    assert log.decode("utf-8-sig").count("已发送") == 12
    status, out, _ = finish(run(tmp_path))
    assert status == 0 and delivered(smtp_server) == everyone()
    assert "12 条今天已发过" in out


def test_a_server_that_fails_half_way_then_heals(tmp_path, smtp_server):
    office(tmp_path, email_config(smtp_server))
    smtp_server.fail(3, 12, code=451)  # long enough to outlast the channel's own retries
    status, out, _ = finish(run(tmp_path, "--format", "json"))
    first = json.loads(out)
    assert status == 1 and first["failed"], "failed deliveries are reported, exit 1"
    assert {f["recipient"] for f in first["failed"]} <= {p for p, *_ in PEOPLE}
    for _ in range(2):  # the office runs it again; the server has healed
        status, out, _ = finish(run(tmp_path, "--format", "json"))
    assert status == 0
    assert delivered(smtp_server) == everyone(), "every person exactly once"


def test_two_runs_started_together_send_each_digest_once(tmp_path, smtp_server):
    """The nightly job and the every-N-minutes run both start at 08:00: whichever is second
    waits for the first, then finds everything sent. Each person gets one message."""
    office(tmp_path, email_config(smtp_server))
    for attempt in range(3):
        runs = [run(tmp_path, "--format", "json") for _ in range(3)]
        results = [finish(process) for process in runs]
        assert [status for status, *_ in results] == [0, 0, 0]
        reports = [json.loads(out) for _, out, _ in results]
        assert sum(len(r["sent"]) for r in reports) == (6 if attempt == 0 else 0)
        assert delivered(smtp_server) == everyone(), "every person exactly once"
        assert not any(r["in_doubt"] for r in reports), "a live run is not a dead one"


def test_a_later_run_the_same_day_sends_only_the_new_item_as_a_message_of_its_own(
        tmp_path, smtp_server):
    """A loan registered overdue after the morning run: the preview and the next run carry
    it alone, as a second message with its own Message-ID (mail systems drop a repeated
    one), and the outbox keeps both files."""
    office(tmp_path, email_config(smtp_server).replace(
        'channels = ["email"]', 'channels = ["email", "outbox"]'))
    assert finish(run(tmp_path))[0] == 0
    preview = json.loads(finish(run(tmp_path, "--dry-run", "--format", "json"))[1])
    assert preview["reminders"] == [], "the preview leaves out what went out today"
    _, text, _ = finish(run(tmp_path, "--dry-run"))
    assert "另有 24 项今天已发过" in text
    import openpyxl

    book = openpyxl.load_workbook(tmp_path / "assets.xlsx")
    book["借用登记"].append(["L_NEW", "A1", "干事1", "M1", "13800000001", "2025-10-02",
                          "2025-10-08", "M1"])
    book.save(tmp_path / "assets.xlsx")
    preview = json.loads(finish(run(tmp_path, "--dry-run", "--format", "json"))[1])
    assert {(r["record_id"], r["channel"]) for r in preview["reminders"]} \
        == {("L_NEW", "email"), ("L_NEW", "outbox")}
    assert finish(run(tmp_path))[0] == 0
    to_m1 = [m for m in smtp_server.messages if m["To"].endswith("<m1@x.edu.cn>")
             or m["To"] == "m1@x.edu.cn"]
    assert len(to_m1) == 2 and len({m["Message-ID"] for m in to_m1}) == 2
    second = to_m1[1].get_body(("plain",)).get_content()
    assert "L_NEW" in second and "L10" not in second
    outbox = sorted(p.name for p in (tmp_path / "output" / "outbox").rglob("*-outbox-M1*.md"))
    assert outbox == ["20251010-outbox-M1-2.md", "20251010-outbox-M1.md"]
    first = next((tmp_path / "output" / "outbox").rglob("20251010-outbox-M1.md"))
    assert "L10" in first.read_text(encoding="utf-8"), "the morning's message is kept"


def test_a_preview_in_a_new_office_makes_no_state(tmp_path):
    office(tmp_path, "")
    status, out, _ = finish(run(tmp_path, "--dry-run", "--format", "json"))
    assert status == 0 and len(json.loads(out)["reminders"]) == 12
    assert not (tmp_path / ".clerk").exists()


class _KillOnMessage(SMTPTestServer):
    """Accepts message N, then kills the client before it hears 250 — a crash between
    sending and recording."""

    victim: subprocess.Popen[str] | None = None
    kill_on = 3

    async def handle_DATA(self, server, session, envelope):  # type: ignore[override]
        reply = await super().handle_DATA(server, session, envelope)
        if len(self.messages) == self.kill_on and self.victim is not None:
            self.victim.kill()
            self.victim.wait()
        return reply


def test_a_crash_between_sending_and_recording_sends_nothing_twice(tmp_path):
    with _KillOnMessage() as server:
        office(tmp_path, email_config(server))
        process = run(tmp_path)
        server.victim = process
        process.communicate(timeout=120)
        assert process.returncode != 0
        assert len(server.messages) == 3
        server.victim = None
        status, out, _ = finish(run(tmp_path))
        assert status == 1, "the rerun names the message that may have gone out"
        assert "可能已经发出" in out
        assert delivered(server) == everyone(), "each person exactly once"
        status, _, _ = finish(run(tmp_path))
        assert status == 0 and delivered(server) == everyone()


def test_quiet_hours_hold_messages(tmp_path, smtp_server):
    office(tmp_path, email_config(smtp_server).replace(
        "[reminders]\n", '[reminders]\nquiet_hours = "07:00-09:00"\n'))
    status, out, _ = finish(run(tmp_path))
    assert status == 0 and smtp_server.envelopes == []
    assert "免打扰" in out


def test_robots_receive_signed_posts_with_mentions(tmp_path, robot_server):
    extra = ('\n[reminders]\nchannels = ["dingtalk", "feishu", "outbox"]\n\n'
             f'[channels.dingtalk]\nwebhook = "{robot_server.webhook("dingtalk")}"\n'
             'secret_env = "CLERK_TEST_DING"\n\n'
             f'[channels.feishu]\nwebhook = "{robot_server.webhook("feishu")}"\n'
             'secret_env = "CLERK_TEST_FEISHU"\n')
    office(tmp_path, extra)
    env = dict(os.environ, CLERK_TEST_DING=DINGTALK_SECRET, CLERK_TEST_FEISHU=FEISHU_SECRET)
    done = subprocess.run([sys.executable, "-m", "automation", "remind", "--today", TODAY],
                          cwd=tmp_path, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    ding = robot_server.posts("dingtalk")
    feishu = robot_server.posts("feishu")
    assert len(ding) == len(PEOPLE) and all(p.accepted for p in ding)
    assert len(feishu) == len(PEOPLE) and all(p.accepted for p in feishu)
    mentioned = {m for p in ding for m in p.body["at"]["atMobiles"]}
    assert mentioned == {phone for _, _, phone, _ in PEOPLE}
    assert DINGTALK_SECRET not in done.stdout + done.stderr
    outbox = list((tmp_path / "output" / "outbox").rglob("*.eml"))
    assert len(outbox) == len(PEOPLE)


@pytest.mark.parametrize("moment, quiet", [
    ("21:59", False), ("22:00", True), ("03:00", True), ("07:29", True), ("07:30", False),
])
def test_quiet_hours_span_midnight(moment, quiet):
    from datetime import time

    from automation.reminders.remind import in_quiet_hours

    assert in_quiet_hours(time.fromisoformat(moment), "22:00-07:30") is quiet


def test_concurrent_runs_do_not_share_a_cursor(tmp_path):
    """State writes are transactions: two threads recording at once lose nothing."""
    from datetime import date, datetime

    from automation.reminders.digest import Planned
    from automation.reminders.rules import Due
    from automation.reminders.state import State

    def line(n: int) -> Planned:
        return Planned(Due("task_overdue", "roster", "tasks", f"T{n}", "任务", n + 1, "M1", 0,
                           datetime(2025, 10, 9)), "outbox")

    day = date(2025, 10, 10)

    def write(offset: int) -> None:
        state = State(tmp_path)
        for n in range(offset, offset + 50):
            state.record(day, [line(n)], "sent", f"k{n}")
        state.close()

    threads = [threading.Thread(target=write, args=(k * 50,)) for k in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    state = State(tmp_path)
    assert len(state.log()) == 100
    state.close()


def test_runs_that_open_a_new_state_at_the_same_moment_all_get_in(tmp_path):
    """A button's `clerk remind` and the nightly job may both create the state database at
    once; SQLite refuses the second switch to WAL without waiting, and that must not
    cost a run its state."""
    from automation.history import History
    from automation.reminders.state import State

    problems: list[BaseException] = []

    def open_and_close(opener: type, folder: Path) -> None:
        try:
            opener(folder).close()
        except BaseException as exc:
            problems.append(exc)

    for trial in range(60):
        folder = tmp_path / str(trial)
        threads = [threading.Thread(target=open_and_close, args=(opener, folder))
                   for opener in (State, History, State)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert problems == []


def test_an_outbox_run_that_died_is_written_again_not_left_in_doubt(tmp_path):
    """The outbox writes its messages together; a run that died between the intent and the
    outcome leaves `sending` lines, and the next run writes those messages again (the same
    files) instead of asking a person to check."""
    import sqlite3

    office(tmp_path, '\n[reminders]\nchannels = ["outbox"]\n')
    status, _, _ = finish(run(tmp_path))
    assert status == 0
    outbox = tmp_path / "output" / "outbox"
    first = {p.name: p.read_bytes() for p in outbox.rglob("*.eml")}
    assert len(first) == len(PEOPLE)
    lost = sorted(outbox.rglob("*.eml"))[:2]
    for path in lost:  # the dead run never got these to disk
        path.unlink()
        path.with_suffix(".md").unlink()
    with sqlite3.connect(tmp_path / ".clerk" / "clerk.sqlite3") as db:
        db.execute("UPDATE deliveries SET status = 'sending'")
    status, out, _ = finish(run(tmp_path))
    assert status == 0, out
    assert "可能已经发出" not in out
    again = {p.name: p.read_bytes() for p in outbox.rglob("*.eml")}
    assert again.keys() == first.keys(), "one file per person, none lost, none doubled"
    assert all(path.with_suffix(".md").is_file() for path in outbox.rglob("*.eml"))
    assert not list(outbox.rglob("*.tmp")), "no half-written file is left behind"
    log = (tmp_path / "output" / "reminder_log.csv").read_bytes().decode("utf-8-sig")
    assert log.count("已发送") == 12 and "可能已发送" not in log


@pytest.mark.parametrize(("log_days", "days_shown"), [(3, {"2025-10-20"}),
                                                      (0, {"2025-10-10", "2025-10-20"})])
def test_the_reminder_log_shows_the_configured_days_and_the_state_keeps_all(
        tmp_path, log_days, days_shown):
    """A nightly run a year on must not rewrite a year of lines: the log files show the
    last `log_days` days (0: all), while the state keeps every day for the snapshots."""
    import sqlite3

    from conftest import clerk
    from python_calamine import CalamineWorkbook

    office(tmp_path, f'\n[reminders]\nchannels = ["outbox"]\nlog_days = {log_days}\n')
    for day in ("2025-10-10", "2025-10-20"):
        done = clerk("remind", "--today", day, cwd=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
    csv_days = {line.split(",")[0] for line in (tmp_path / "output" / "reminder_log.csv")
                .read_text(encoding="utf-8-sig").splitlines()[1:]}
    assert csv_days == days_shown
    sheet = CalamineWorkbook.from_path(tmp_path / "output" / "reminder_log.xlsx"
                                       ).get_sheet_by_index(0).to_python()
    assert {str(row[0]) for row in sheet[1:]} == days_shown
    assert len(sheet) - 1 == 12 * len(days_shown)
    with sqlite3.connect(tmp_path / ".clerk" / "clerk.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0] == 24


def test_a_log_longer_than_an_excel_sheet_keeps_the_newest_and_says_so(tmp_path,
                                                                      monkeypatch):
    from openpyxl import load_workbook

    from automation.reports import reminder_log, sheetml

    monkeypatch.setattr(sheetml, "EXCEL_MAX_ROWS", 6)
    rows = [{"day": f"2025-10-{d:02d}", "rule": "loan_overdue", "record": f"assets.loans:L{d}",
             "person": "M1", "level": 0, "channel": "outbox", "status": "sent",
             "sheet": "借用登记", "row": d, "detail": "", "updated_at": ""}
            for d in range(20, 10, -1)]  # newest first, as the state gives them
    csv_path, xlsx_path = reminder_log.write_reminder_log(rows, tmp_path, "zh-Hans")
    assert len(csv_path.read_text(encoding="utf-8-sig").splitlines()) == 11
    sheet = load_workbook(xlsx_path).active
    assert sheet.title == "提醒记录" and sheet.freeze_panes == "A2"
    assert sheet["A1"].value == "日期" and sheet["A1"].font.b, "a bold header"
    assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:K")
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert len(values) == 6
    assert [r[0] for r in values[1:5]] == ["2025-10-20", "2025-10-19", "2025-10-18",
                                           "2025-10-17"]
    assert "另有 6 条较早的记录" in values[5][0] and "reminder_log.csv" in values[5][0]


def test_libreoffice_opens_the_reminder_log_as_the_csv_says(tmp_path):
    """The log workbook is written part by part; a second real reader, LibreOffice, must
    see in it exactly what the CSV holds — Chinese, numbers, a formula-looking detail."""
    import csv as csv_module

    from conftest import CSV_FILTER, soffice_convert, soffice_path

    from automation.reports.reminder_log import write_reminder_log

    soffice = soffice_path()
    rows = [{"day": "2025-10-10", "rule": rule, "record": f"assets.loans:L{n}",
             "person": f"M{n}", "level": n % 2, "channel": "outbox", "status": status,
             "sheet": "借用登记", "row": n + 1, "detail": detail,
             "updated_at": "2025-10-10T08:00:00"}
            for n, (rule, status, detail) in enumerate([
                ("loan_overdue", "sent", ""),
                ("case_response_overdue", "failed", "=1+1 <x> & 'q'"),
                ("task_overdue", "in_doubt", "550 mailbox 不存在")])]
    csv_path, xlsx_path = write_reminder_log(rows, tmp_path / "log", "zh-Hans")
    exported = soffice_convert(soffice, xlsx_path, CSV_FILTER, tmp_path / "lo")
    seen = list(csv_module.reader(exported.read_text(encoding="utf-8").splitlines()))
    ours = list(csv_module.reader(csv_path.read_text(encoding="utf-8-sig").splitlines()))
    assert seen == ours
    assert seen[2][9] == "'=1+1 <x> & 'q'" and seen[1][6] == "已发送"
