"""`[schedule] remind_every_minutes`: the reminders alone every N minutes within office
hours, never in quiet hours — in the foreground scheduler (driven by its injectable clock)
and in the printed entries — as cheap as the reminders: registers from the load cache,
nothing validated, no KPI, the reminder log written only when something new went out."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import threading
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import clerk, write_config, write_xlsx

POSIX = os.name == "posix"

MEMBERS = [
    ["学号", "姓名", "部门", "职务", "手机号", "邮箱", "状态"],
    ["H_OFF", "办公室部长", "办公室", "部长", "13800000002", "h2@x.edu.cn", "在任"],
    ["M2", "干事二", "办公室", "干事", "13800000006", "m2@x.edu.cn", "在任"],
]
DOC_HEADER = ["文件编号", "文件标题", "收发类型", "紧急程度", "收到时间", "承办人学号",
              "流转完成时间", "状态"]


def office(folder: Path, schedule: str, *, received: datetime | None = None,
           quiet: str = "22:00-07:30") -> Path:
    """An office with one urgent document (received at `received`, office time); returns
    its office.toml."""
    stamp = (received or datetime(2025, 10, 10, 9, 0)).strftime("%Y-%m-%d %H:%M")
    write_xlsx(folder / "roster.xlsx", {"成员": MEMBERS})
    write_xlsx(folder / "cases.xlsx", {"公文流转": [
        DOC_HEADER, ["D1", "紧急通知", "收文", "紧急", stamp, "M2", None, "待流转"]]})
    write_config(folder, {"roster": "roster.xlsx", "cases": "cases.xlsx"},
                 extra=f'\n[reminders]\nquiet_hours = "{quiet}"\n\n[schedule]\n{schedule}\n')
    return folder / "office.toml"


# -- the slots ---------------------------------------------------------------------------


def test_slots_fill_office_hours_and_skip_quiet_hours(tmp_path):
    from automation.config import load_config
    from automation.scheduler import next_remind_at, remind_slots, reminders_due_now

    config = load_config(office(tmp_path, 'remind_every_minutes = 30\n'
                                          'office_hours = "08:00-18:00"',
                                quiet="12:00-13:00"))
    slots = [f"{m // 60:02d}:{m % 60:02d}" for m in remind_slots(config)]
    assert slots[:3] == ["08:00", "08:30", "09:00"] and slots[-1] == "17:30"
    assert "11:30" in slots and "12:00" not in slots and "12:30" not in slots
    assert "13:00" in slots and "18:00" not in slots
    assert len(slots) == 18
    day = datetime(2025, 10, 10)
    assert next_remind_at(config, day.replace(hour=9, minute=5)) == day.replace(hour=9,
                                                                                minute=30)
    assert next_remind_at(config, day.replace(hour=11, minute=30)) == day.replace(hour=13)
    assert next_remind_at(config, day.replace(hour=17, minute=45)) == datetime(2025, 10, 11, 8)
    assert reminders_due_now(config, day.replace(hour=10, minute=7))
    assert not reminders_due_now(config, day.replace(hour=12, minute=15))   # quiet
    assert not reminders_due_now(config, day.replace(hour=7, minute=59))    # before hours
    assert not reminders_due_now(config, day.replace(hour=18))              # end excluded


def test_off_by_default_and_windows_past_midnight(tmp_path):
    from automation.config import load_config
    from automation.scheduler import next_remind_at, remind_slots

    assert remind_slots(load_config(office(tmp_path, ""))) == []
    assert next_remind_at(load_config(office(tmp_path, "")), datetime(2025, 10, 10)) is None
    night = load_config(office(tmp_path, 'remind_every_minutes = 60\n'
                                         'office_hours = "20:00-02:00"', quiet=""))
    assert remind_slots(night) == [0, 60, 20 * 60, 21 * 60, 22 * 60, 23 * 60]


@pytest.mark.parametrize("value", ["-1", "7.5", '"15"', "1441", "true"])
def test_a_bad_value_is_one_clear_line(tmp_path, value):
    office(tmp_path, f"remind_every_minutes = {value}")
    done = clerk("schedule", "--print", "cron", cwd=tmp_path)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert "schedule.remind_every_minutes" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("value", ["0", "1440"])
def test_the_bounds_are_allowed(tmp_path, value):
    office(tmp_path, f"remind_every_minutes = {value}")
    assert clerk("schedule", "--print", "cron", cwd=tmp_path).returncode == 0


# -- the foreground scheduler -------------------------------------------------------------


class FakeClock:
    """The office's time, moving only when the scheduler waits."""

    def __init__(self, start: datetime, until: datetime, stop: threading.Event) -> None:
        self.now, self.until, self.stop = start, until, stop

    def __call__(self) -> datetime:
        return self.now

    def wait(self, seconds: float) -> bool:
        self.now += timedelta(seconds=seconds)
        if self.now >= self.until:
            self.stop.set()
        return self.stop.is_set()


def test_the_scheduler_reminds_every_n_minutes_in_office_hours_only(tmp_path):
    from automation.scheduler import run_forever

    folder = office(tmp_path, 'remind_every_minutes = 30\noffice_hours = "08:00-18:00"',
                    quiet="12:00-13:00")
    stop = threading.Event()
    clock = FakeClock(datetime(2025, 10, 10, 6, 50), datetime(2025, 10, 11, 9, 10), stop)
    nightly: list[datetime] = []
    reminded: list[datetime] = []
    said: list[str] = []
    code = run_forever(folder, say=said.append, stop=stop, poll_seconds=600,
                       runner=lambda config: nightly.append(clock()),
                       reminders=lambda config: reminded.append(clock()),
                       clock=clock, wait=clock.wait)
    assert code == 0
    assert len(nightly) == 1  # the catch-up at start (no state yet)
    day = [datetime(2025, 10, 10, 8) + timedelta(minutes=30 * k) for k in range(20)]
    expected = [t for t in day if not 12 <= t.hour < 13]
    expected += [datetime(2025, 10, 11, 8), datetime(2025, 10, 11, 8, 30),
                 datetime(2025, 10, 11, 9)]
    assert reminded == expected
    assert any("每 30 分钟" in line and "2025-10-10 08:00" in line for line in said)


def test_the_scheduler_without_the_key_only_runs_the_nightly_job(tmp_path):
    from automation.scheduler import run_forever

    folder = office(tmp_path, "")
    stop = threading.Event()
    clock = FakeClock(datetime(2025, 10, 10, 6, 50), datetime(2025, 10, 10, 20), stop)
    reminded: list[datetime] = []
    run_forever(folder, say=lambda line: None, stop=stop, poll_seconds=600,
                runner=lambda config: None, reminders=lambda config: reminded.append(clock()),
                clock=clock, wait=clock.wait)
    assert reminded == []


def test_the_real_reminder_job_is_cheap_and_sends_once_a_day(tmp_path):
    """The job `clerk schedule` runs: the registers from the load cache, nothing validated,
    no KPI, the log written when something went out and left alone when nothing did."""
    from automation.config import load_config
    from automation.load_cache import LoadCache
    from automation.reminders.remind import local_now
    from automation.scheduler import scheduled_reminders

    probe = load_config(office(tmp_path, "remind_every_minutes = 15", quiet=""))
    now = local_now(probe)
    config = load_config(office(tmp_path, "remind_every_minutes = 15", quiet="",
                                received=now - timedelta(hours=2)))
    cache = LoadCache()
    job = scheduled_reminders(cache)
    first = job(config).result
    assert {(line.due.rule, line.due.person, line.due.level)
            for digest in first.sent for line in digest.lines} == {
        ("document_flow_overdue", "M2", 0), ("document_flow_overdue", "H_OFF", 1)}
    log = tmp_path / "output" / "reminder_log.csv"
    assert log.is_file()
    stamp = log.stat().st_mtime_ns
    second = job(config).result
    assert second.sent == [] and len(second.skipped) == 2
    assert log.stat().st_mtime_ns == stamp                 # nothing new: not rewritten
    assert cache.stats.reads == 2 and cache.stats.hits == 2  # roster, cases: read once
    written = {p.name for p in (tmp_path / "output").iterdir()}
    assert "validation.html" not in written and "kpi" not in written


def test_clerk_remind_periodic_does_nothing_outside_office_hours(tmp_path):
    from automation.config import load_config
    from automation.reminders.remind import local_now

    now = local_now(load_config(office(tmp_path, "")))
    # office hours that end before now: the run does nothing, whatever is due
    start, end = (now - timedelta(hours=3)), (now - timedelta(hours=2))
    office(tmp_path, f'remind_every_minutes = 15\noffice_hours = '
                     f'"{start:%H:%M}-{end:%H:%M}"', quiet="", received=now - timedelta(hours=5))
    done = clerk("remind", "--periodic", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout == "" and done.stderr == ""
    assert not (tmp_path / "output").exists()
    # within office hours it sends, once
    office(tmp_path, f'remind_every_minutes = 15\noffice_hours = '
                     f'"{start:%H:%M}-{start:%H:%M}"', quiet="", received=now - timedelta(hours=5))
    done = clerk("remind", "--periodic", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "2 条消息已发送" in done.stdout
    assert len(list((tmp_path / "output" / "outbox").rglob("*.md"))) == 2
    again = clerk("remind", "--periodic", cwd=tmp_path)
    assert again.returncode == 0 and again.stdout == ""
    refused = clerk("remind", "--periodic", "--dry-run", cwd=tmp_path)
    assert refused.returncode == 2 and "--periodic" in refused.stderr


# -- the printed entries -------------------------------------------------------------------


def printed(folder: Path, kind: str) -> str:
    done = clerk("schedule", "--print", kind, cwd=folder)
    assert done.returncode == 0, done.stderr
    return done.stdout


def machine(hour: int, minute: int) -> tuple[int, int]:
    when = datetime.now(ZoneInfo("Asia/Shanghai")).replace(hour=hour, minute=minute, second=0,
                                                           microsecond=0).astimezone()
    return when.hour, when.minute


def cron_times(field_minutes: str, field_hours: str) -> set[tuple[int, int]]:
    def values(text: str) -> list[int]:
        out: list[int] = []
        for part in text.split(","):
            lo, _, hi = part.partition("-")
            out += range(int(lo), int(hi or lo) + 1)
        return out

    return {(h, m) for h in values(field_hours) for m in values(field_minutes)}


@pytest.mark.skipif(not POSIX, reason="a crontab line is run by a POSIX shell")
def test_cron_lines_at_exactly_the_slots(tmp_path):
    office(tmp_path, 'remind_every_minutes = 45\noffice_hours = "08:00-18:00"',
           quiet="12:00-13:00")
    lines = [line for line in printed(tmp_path, "cron").splitlines() if line.strip()]
    assert "nightly" in lines[1] and lines[2].startswith("#") and "45" in lines[2]
    times: set[tuple[int, int]] = set()
    for line in lines[3:]:
        minute, hour, day, month, weekday, command = line.split(" ", 5)
        assert (day, month, weekday) == ("*", "*", "*")
        assert "remind --periodic -c" in command
        times |= cron_times(minute, hour)
    slots = [8 * 60 + 45 * k for k in range(14)]
    expected = {machine(m // 60, m % 60) for m in slots if not 12 * 60 <= m < 13 * 60}
    assert times == expected
    # the command runs as printed: outside office hours or inside them, exit 0
    command = lines[3].split(" ", 5)[5]
    done = subprocess.run(["/bin/sh", "-c", command], cwd="/", timeout=300)
    assert done.returncode == 0


@pytest.mark.skipif(not POSIX, reason="systemd is Linux")
def test_systemd_timer_in_the_offices_zone(tmp_path):
    office(tmp_path, 'remind_every_minutes = 15\noffice_hours = "08:00-22:00"')
    text = printed(tmp_path, "systemd")
    remind = text[text.index("# ~/.config/systemd/user/sheet-clerk-remind.service"):]
    assert "ExecStart=" in remind and "remind --periodic -c" in remind
    calendars = re.findall(r"^OnCalendar=(.*)$", remind, re.M)
    assert calendars == ["*-*-* 08..21:00,15,30,45:00 Asia/Shanghai"]
    assert "Persistent=false" in remind
    command = shlex.split(re.search(r"^ExecStart=(.*)$", remind, re.M).group(1))
    assert Path(command[0]).is_file()
    analyze = shutil.which("systemd-analyze")
    if analyze:
        check = subprocess.run([analyze, "calendar", *calendars], capture_output=True,
                               text=True)
        assert check.returncode == 0, check.stderr


def test_windows_task_repeats_through_office_hours(tmp_path):
    office(tmp_path, 'remind_every_minutes = 20\noffice_hours = "08:00-22:00"')
    lines = [line for line in printed(tmp_path, "windows").splitlines() if line.strip()]
    assert len(lines) == 2 and '"Sheet Clerk nightly"' in lines[0]
    hour, minute = machine(8, 0)
    assert lines[1].startswith('schtasks /Create /F /SC DAILY /TN "Sheet Clerk reminders" '
                               f"/ST {hour:02d}:{minute:02d} /RI 20 /DU 0014:00 /TR ")
    task = re.search(r'/TR "(.*)"$', lines[1]).group(1).replace('\\"', '"')
    parts = shlex.split(task, posix=True)
    assert parts[1:4] == ["remind", "--periodic", "-c"]
    assert Path(parts[4]) == tmp_path / "office.toml"


def test_no_reminder_entry_when_off(tmp_path):
    office(tmp_path, "")
    for kind in ("cron", "systemd", "windows"):
        assert "--periodic" not in printed(tmp_path, kind)


def test_the_dry_run_json_is_unchanged_by_the_schedule(tmp_path):
    office(tmp_path, "remind_every_minutes = 10", received=datetime(2025, 10, 10, 6, 0))
    done = clerk("remind", "--dry-run", "--format", "json", "--today", "2025-10-10",
                 cwd=tmp_path)
    assert done.returncode == 0
    assert [r["record_id"] for r in json.loads(done.stdout)["reminders"]] == ["D1", "D1"]
