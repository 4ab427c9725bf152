"""`clerk schedule`: the printed entries work as printed (the cron line run by a shell, the
systemd ExecStart run as systemd would), and the foreground scheduler catches up at start
and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import clerk
from test_nightly import build

POSIX = os.name == "posix"


def printed(folder: Path, kind: str) -> str:
    done = clerk("schedule", "--print", kind, cwd=folder)
    assert done.returncode == 0, done.stderr
    return done.stdout


def local_time_of_eight_shanghai() -> tuple[int, int]:
    now = datetime.now(ZoneInfo("Asia/Shanghai")).replace(hour=8, minute=0, second=0,
                                                           microsecond=0)
    local = now.astimezone()
    return local.hour, local.minute


@pytest.mark.skipif(not POSIX, reason="a crontab line is run by a POSIX shell")
def test_cron_line_runs_as_printed(tmp_path):
    build(tmp_path)
    lines = [line for line in printed(tmp_path, "cron").splitlines() if line.strip()]
    assert lines[0].startswith("#")
    minute, hour, day, month, weekday, command = lines[1].split(" ", 5)
    assert (int(hour), int(minute)) == local_time_of_eight_shanghai()
    assert (day, month, weekday) == ("*", "*", "*")
    done = subprocess.run(["/bin/sh", "-c", command], cwd="/", timeout=300)
    assert done.returncode in (0, 1)
    assert (tmp_path / "output" / "validation.html").is_file()
    log = (tmp_path / ".clerk" / "logs" / "cron.log").read_text(encoding="utf-8")
    assert "读取台账：正常" in log  # the run's plain-text summary went to the cron log


def units(text: str) -> dict[str, dict[str, dict[str, str]]]:
    """The two unit files, split at their `# path` comments, as section -> key -> value."""
    files: dict[str, dict[str, dict[str, str]]] = {}
    current: dict[str, dict[str, str]] = {}
    section: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("# ~/"):
            current = files.setdefault(Path(line[2:]).suffix, {})
        elif line.startswith("[") and line.endswith("]"):
            section = current.setdefault(line[1:-1], {})
        elif "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            section[key] = value
    return files


@pytest.mark.skipif(not POSIX, reason="systemd is Linux")
def test_systemd_units_run_as_printed(tmp_path):
    build(tmp_path)
    parsed = units(printed(tmp_path, "systemd"))
    service, timer = parsed[".service"], parsed[".timer"]
    assert service["Service"]["Type"] == "oneshot"
    assert timer["Timer"]["OnCalendar"] == "*-*-* 08:00:00 Asia/Shanghai"
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"
    command = shlex.split(service["Service"]["ExecStart"])
    assert Path(command[0]).is_absolute() and Path(command[0]).is_file()
    done = subprocess.run(command, cwd=service["Service"]["WorkingDirectory"], timeout=300,
                          capture_output=True)
    assert done.returncode in (0, 1)
    assert (tmp_path / "output" / "kpi" / "kpi_dashboard.html").is_file()
    analyze = shutil.which("systemd-analyze")
    if analyze:
        check = subprocess.run([analyze, "calendar", timer["Timer"]["OnCalendar"]],
                               capture_output=True, text=True)
        assert check.returncode == 0, check.stderr


def test_windows_command(tmp_path):
    build(tmp_path)
    text = printed(tmp_path, "windows").strip()
    hour, minute = local_time_of_eight_shanghai()
    assert text.startswith('schtasks /Create /F /SC DAILY /TN "Sheet Clerk nightly"')
    assert f"/ST {hour:02d}:{minute:02d}" in text
    task = re.search(r'/TR "(.*)"$', text)
    assert task is not None
    inner = task.group(1).replace('\\"', '"')
    parts = shlex.split(inner, posix=True)
    assert Path(parts[0]).is_file()
    assert parts[1:3] == ["nightly", "-c"] and Path(parts[3]) == (tmp_path / "office.toml")


def test_unknown_kind_is_one_clear_line(tmp_path):
    build(tmp_path)
    done = clerk("schedule", "--print", "launchd", cwd=tmp_path)
    assert done.returncode == 2 and "cron" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def start_scheduler(folder: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "automation", "schedule"], cwd=folder,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            encoding="utf-8")


@pytest.mark.skipif(not POSIX, reason="SIGTERM to a child is POSIX")
def test_scheduler_catches_up_then_stops_on_sigterm(tmp_path):
    build(tmp_path)
    child = start_scheduler(tmp_path)
    deadline = time.monotonic() + 120
    report = tmp_path / "output" / "validation.html"
    while time.monotonic() < deadline and not report.is_file():
        time.sleep(0.2)
    assert report.is_file(), "the catch-up run did not happen"
    while time.monotonic() < deadline:  # let the run finish: a loaded machine is slow
        shown = clerk("status", cwd=tmp_path).stdout
        if "#1 " in shown and "运行中" not in shown:
            break
        time.sleep(0.5)
    child.send_signal(signal.SIGTERM)
    out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    assert "补跑" in out and "已停止" in out
    status = clerk("status", cwd=tmp_path)
    assert status.stdout.count("#1 ") == 1 and "#2 " not in status.stdout

    child = start_scheduler(tmp_path)  # the last run is recent: nothing to catch up
    time.sleep(3)
    child.send_signal(signal.SIGTERM)
    out, _ = child.communicate(timeout=60)
    assert "补跑" not in out and child.returncode == 0
    assert "#2 " not in clerk("status", cwd=tmp_path).stdout
