"""`clerk schedule`: keep the nightly job running for a year without anyone remembering.

In the foreground (a terminal left open, or a service manager keeping it alive) it runs
the nightly job every day at `[office] run_hour` in the office's time zone, catches up at
start when the last successful run is more than a day old, and stops cleanly on Ctrl-C or
SIGTERM. `--print` gives the entries for the system's own scheduler instead: a crontab
line, a systemd service and timer, or a Windows `schtasks` command, with this
installation's absolute paths.
"""

from __future__ import annotations

import shlex
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import schedule

from . import statedb
from .config import OfficeConfig, load_config
from .errors import ClerkError
from .history import History
from .i18n import t
from .load_cache import LoadCache
from .nightly import logger_for, run_nightly, state_dir

CATCH_UP_AFTER = timedelta(days=1)
TASK_NAME = "Sheet Clerk nightly"
UNIT_NAME = "sheet-clerk-nightly"


def clerk_command() -> list[str]:
    """How to start this installation's `clerk`: the console script beside this Python
    (clerk / clerk.exe in the virtualenv), else `python -m automation`."""
    folder = Path(sys.executable).parent
    for name in ("clerk.exe", "clerk") if sys.platform == "win32" else ("clerk",):
        script = folder / name
        if script.is_file():
            return [str(script.absolute())]
    return [str(Path(sys.executable).absolute()), "-m", "automation"]


def local_run_time(config: OfficeConfig, day: date | None = None) -> tuple[int, int]:
    """`run_hour` in the office's time zone, as hour and minute on this computer's clock
    (cron and Windows' Task Scheduler count in the computer's own time zone)."""
    zone = ZoneInfo(config.office.timezone)
    when = datetime.combine(day or date.today(), datetime.min.time(), zone).replace(
        hour=config.office.run_hour)
    local = when.astimezone()
    return local.hour, local.minute


def _config_path(config: OfficeConfig) -> Path:
    assert config.path is not None
    return config.path.absolute()


def print_entry(config: OfficeConfig, kind: str) -> str:
    """The text to install for `kind` (cron | systemd | windows)."""
    command = [*clerk_command(), "nightly", "-c", str(_config_path(config))]
    folder = _config_path(config).parent
    hour, minute = local_run_time(config)
    if kind == "cron":
        line = " ".join(shlex.quote(part) for part in command)
        logs = state_dir(config).absolute() / "logs"
        comment = t("schedule.cron_comment", hour=config.office.run_hour,
                    zone=config.office.timezone)
        where, log_dir = shlex.quote(str(folder)), shlex.quote(str(logs))
        log = shlex.quote(str(logs / "cron.log"))
        return (f"# {comment}\n{minute} {hour} * * * cd {where} && mkdir -p {log_dir} && "
                f"{line} >> {log} 2>&1\n")
    if kind == "systemd":
        exec_start = " ".join(_systemd_quote(part) for part in command)
        return (
            f"# ~/.config/systemd/user/{UNIT_NAME}.service\n"
            "[Unit]\n"
            f"Description={t('schedule.description')}\n\n"
            "[Service]\n"
            "Type=oneshot\n"
            f"WorkingDirectory={folder}\n"
            f"ExecStart={exec_start}\n"
            f"# {t('schedule.secrets_comment')}\n"
            f"# EnvironmentFile={folder / 'clerk.env'}\n\n"
            f"# ~/.config/systemd/user/{UNIT_NAME}.timer\n"
            "[Unit]\n"
            f"Description={t('schedule.description')}\n\n"
            "[Timer]\n"
            f"OnCalendar=*-*-* {config.office.run_hour:02d}:00:00 {config.office.timezone}\n"
            "Persistent=true\n\n"
            "[Install]\n"
            "WantedBy=timers.target\n")
    if kind == "windows":
        task = subprocess.list2cmdline(command)
        return ("schtasks /Create /F /SC DAILY "
                f"/TN {subprocess.list2cmdline([TASK_NAME])} "
                f"/ST {hour:02d}:{minute:02d} "
                f"/TR {subprocess.list2cmdline([task])}\n")
    raise ClerkError("schedule.unknown_kind", kind=kind)


def _systemd_quote(part: str) -> str:
    if part and all(c.isalnum() or c in "/._-:+=@" for c in part):
        return part
    return '"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"'


def needs_catch_up(config: OfficeConfig, now: datetime) -> bool:
    folder = state_dir(config)
    if not statedb.exists(folder):
        return True
    with History(folder) as history:
        last = history.last_success()
    return last is None or now - last > CATCH_UP_AFTER


def scheduled_nightly(cache: LoadCache) -> Callable[[OfficeConfig], Any]:
    """The job `clerk schedule` runs: the nightly run, with the registers this process has
    kept (`cache`) read again only when their files (or the config) changed."""
    return lambda config: run_nightly(config, cache=cache)


def run_forever(config_path: Path, *, say: Callable[[str], None],
                stop: threading.Event | None = None, poll_seconds: float = 30.0,
                runner: Callable[[OfficeConfig], Any] | None = None,
                cache: LoadCache | None = None) -> int:
    """Run the nightly job every day at the run hour until stopped (Ctrl-C, SIGTERM, or
    `stop`). The config is read again before every run, so edits take effect; the
    registers read are kept in `cache` (a new one by default) for the later runs."""
    stop = stop or threading.Event()
    cache = cache if cache is not None else LoadCache()
    runner = runner or scheduled_nightly(cache)
    config = load_config(config_path)
    log = logger_for(config)

    def job() -> None:
        nonlocal config
        try:
            config = load_config(config_path)
            report = runner(config)
            status = getattr(report, "status", "ok")
            say(t("schedule.ran", status=t(f"nightly.status.{status}")))
        except ClerkError as exc:
            say(exc.message())
            log.error("scheduled run not done: %s", exc.key)

    scheduler = schedule.Scheduler()
    scheduler.every().day.at(f"{config.office.run_hour:02d}:00",
                             config.office.timezone).do(job)
    previous = _on_signals(stop)
    try:
        say(t("schedule.started", hour=config.office.run_hour, zone=config.office.timezone,
              next=_next_text(scheduler)))
        if needs_catch_up(config, datetime.now()):
            say(t("schedule.catch_up"))
            job()
        while not stop.is_set():
            scheduler.run_pending()
            idle = scheduler.idle_seconds
            stop.wait(max(0.5, min(poll_seconds, idle if idle is not None else poll_seconds)))
    finally:
        _restore(previous)
    say(t("schedule.stopped"))
    return 0


def _next_text(scheduler: schedule.Scheduler) -> str:
    when = scheduler.next_run
    return when.strftime("%Y-%m-%d %H:%M") if when else "-"


def _on_signals(stop: threading.Event) -> dict[int, Any]:
    """Ctrl-C and SIGTERM (and Ctrl-Break on Windows) end the loop after the current run."""
    previous: dict[int, Any] = {}
    if threading.current_thread() is not threading.main_thread():
        return previous
    names = ["SIGINT", "SIGTERM", "SIGBREAK"]
    for name in names:
        number = getattr(signal, name, None)
        if number is not None:
            previous[number] = signal.signal(number, lambda *_: stop.set())
    return previous


def _restore(previous: dict[int, Any]) -> None:
    for number, handler in previous.items():
        signal.signal(number, handler)
