"""`clerk schedule`: keep the nightly job running for a year without anyone remembering.

In the foreground (a terminal left open, or a service manager keeping it alive) it runs
the nightly job every day at `[office] run_hour` in the office's time zone, catches up at
start when the last successful run is more than a day old, and stops cleanly on Ctrl-C or
SIGTERM. `--print` gives the entries for the system's own scheduler instead: a crontab
line, a systemd service and timer, or a Windows `schtasks` command, with this
installation's absolute paths.

With `[schedule] remind_every_minutes = N` (N > 0) the reminders alone also run every N
minutes within `[schedule] office_hours`, never in `[reminders] quiet_hours`, so an hour
deadline (a 1-hour urgent document) is chased within the hour. Such a run reads only the
workbooks that changed (the load cache), validates nothing, computes no KPI and writes the
reminder log only when something new went out; `--print` adds its entries
(`clerk remind --periodic`, which does nothing outside those hours).

    >>> slots = remind_slots(config)        # minutes of the day, office time
    >>> next_remind_at(config, datetime(2025, 10, 10, 9, 5))
    datetime.datetime(2025, 10, 10, 9, 15)   # every 15 minutes from 08:00
"""

from __future__ import annotations

import shlex
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import schedule

from . import statedb
from .config import OfficeConfig, load_config
from .errors import ClerkError
from .history import History
from .i18n import t
from .load_cache import LoadCache
from .nightly import logger_for, run_nightly, state_dir
from .reminders.remind import in_quiet_hours, local_now

if TYPE_CHECKING:
    from .publish.commands import Published
    from .reminders.remind import RemindReport

CATCH_UP_AFTER = timedelta(days=1)
TASK_NAME = "Sheet Clerk nightly"
UNIT_NAME = "sheet-clerk-nightly"
REMIND_TASK_NAME = "Sheet Clerk reminders"
REMIND_UNIT_NAME = "sheet-clerk-remind"
DAY_MINUTES = 24 * 60


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
    return machine_time(config, config.office.run_hour * 60, day)


def machine_time(config: OfficeConfig, minute: int, day: date | None = None
                 ) -> tuple[int, int]:
    """A minute of the office's day as hour and minute on this computer's clock."""
    zone = ZoneInfo(config.office.timezone)
    when = datetime.combine(day or date.today(), time(minute // 60, minute % 60), zone)
    local = when.astimezone()
    return local.hour, local.minute


# -- the every-N-minutes reminders ---------------------------------------------------------


def _minute(text: str) -> int:
    hour, minute = text.strip().split(":")
    return int(hour) * 60 + int(minute)


def office_window(config: OfficeConfig) -> tuple[int, int]:
    """`[schedule] office_hours` as its first minute of the day and its length in minutes
    (a window may run past midnight; equal ends mean the whole day)."""
    start_text, end_text = config.schedule.office_hours.split("-")
    start, end = _minute(start_text), _minute(end_text)
    return start, (end - start) % DAY_MINUTES or DAY_MINUTES


def in_office_hours(config: OfficeConfig, moment: time) -> bool:
    start, length = office_window(config)
    return (moment.hour * 60 + moment.minute - start) % DAY_MINUTES < length


def remind_slots(config: OfficeConfig) -> list[int]:
    """The minutes of the office's day at which the reminders run besides the nightly job:
    from the start of office_hours every remind_every_minutes until its end, without those
    in quiet hours; none when remind_every_minutes is 0."""
    every = config.schedule.remind_every_minutes
    if not every:
        return []
    start, length = office_window(config)
    slots = {(start + offset) % DAY_MINUTES for offset in range(0, length, every)}
    quiet = config.reminders.quiet_hours
    return sorted(m for m in slots if not in_quiet_hours(time(m // 60, m % 60), quiet))


def next_remind_at(config: OfficeConfig, after: datetime) -> datetime | None:
    """The first reminder slot strictly after `after` (office time, naive); None when the
    every-N-minutes reminders are off."""
    slots = remind_slots(config)
    for day in (after.date(), after.date() + timedelta(days=1)):
        for minute in slots:
            when = datetime.combine(day, time()) + timedelta(minutes=minute)
            if when > after:
                return when
    return None


def reminders_due_now(config: OfficeConfig, now: datetime) -> bool:
    """Whether an every-N-minutes reminder run does anything at `now` (office time): the
    reminders are on, it is office hours and not quiet hours."""
    return (config.schedule.remind_every_minutes > 0
            and in_office_hours(config, now.time())
            and not in_quiet_hours(now.time(), config.reminders.quiet_hours))


def run_reminders(config: OfficeConfig, *, cache: LoadCache | None = None,
                  open_channel: Any = None) -> Published[RemindReport]:
    """The reminders alone, as of now: the registers read (from `cache` when unchanged),
    what is due sent once a day per item, the reminder log written only when something new
    went out. No validation, no KPI, no report."""
    from .load import load_office
    from .publish.commands import remind_and_publish

    office = load_office(config, cache=cache)
    return remind_and_publish(config, office=office, open_channel=open_channel,
                              only_news=True)


def periodic_reminders(config: OfficeConfig, *, now: datetime | None = None,
                       cache: LoadCache | None = None, open_channel: Any = None
                       ) -> Published[RemindReport] | None:
    """`clerk remind --periodic`: `run_reminders` when `reminders_due_now`, else None."""
    if not reminders_due_now(config, now or local_now(config)):
        return None
    return run_reminders(config, cache=cache, open_channel=open_channel)


def scheduled_reminders(cache: LoadCache) -> Callable[[OfficeConfig], Any]:
    """The every-N-minutes job of `clerk schedule`, with the scheduler's registers."""
    return lambda config: run_reminders(config, cache=cache)


# -- the entries for the system's scheduler ------------------------------------------------


def _config_path(config: OfficeConfig) -> Path:
    assert config.path is not None
    return config.path.absolute()


def print_entry(config: OfficeConfig, kind: str) -> str:
    """The text to install for `kind` (cron | systemd | windows): the nightly job, and with
    `[schedule] remind_every_minutes` the every-N-minutes reminders after it."""
    if kind not in ("cron", "systemd", "windows"):
        raise ClerkError("schedule.unknown_kind", kind=kind)
    text = _nightly_entry(config, kind)
    if remind_slots(config):
        text += "\n" + _remind_entry(config, kind)
    return text


def _nightly_entry(config: OfficeConfig, kind: str) -> str:
    command = [*clerk_command(), "nightly", "-c", str(_config_path(config))]
    hour, minute = local_run_time(config)
    if kind == "cron":
        comment = t("schedule.cron_comment", hour=config.office.run_hour,
                    zone=config.office.timezone)
        return f"# {comment}\n{_cron_line(config, f'{minute} {hour}', command)}"
    if kind == "systemd":
        return _systemd_units(config, UNIT_NAME, t("schedule.description"), command,
                              [f"{config.office.run_hour:02d}:00:00"], persistent=True)
    return _schtasks(TASK_NAME, f"{hour:02d}:{minute:02d}", command)


def _remind_entry(config: OfficeConfig, kind: str) -> str:
    """`clerk remind --periodic` at every reminder slot (it checks the hours itself too)."""
    command = [*clerk_command(), "remind", "--periodic", "-c", str(_config_path(config))]
    every = config.schedule.remind_every_minutes
    if kind == "cron":
        comment = t("schedule.cron_remind_comment", every=every,
                    hours=config.schedule.office_hours, zone=config.office.timezone,
                    quiet=config.reminders.quiet_hours or "-")
        hours: dict[int, list[int]] = {}
        for slot in remind_slots(config):
            hour, minute = machine_time(config, slot)
            hours.setdefault(hour, []).append(minute)
        lines = [_cron_line(config, f"{_listed(minutes, '-')} {_listed(list(group), '-')}",
                            command) for minutes, group in _grouped(hours).items()]
        return f"# {comment}\n" + "".join(lines)
    if kind == "systemd":
        slots: dict[int, list[int]] = {}
        for slot in remind_slots(config):
            slots.setdefault(slot // 60, []).append(slot % 60)
        calendars = [f"{_listed(list(group), '..', 2)}:{_listed(minutes, '..', 2)}:00"
                     for minutes, group in _grouped(slots).items()]
        return _systemd_units(config, REMIND_UNIT_NAME,
                              t("schedule.remind_description", every=every), command,
                              calendars, persistent=False)
    start, length = office_window(config)
    hour, minute = machine_time(config, start)
    repeat = (f" /RI {every} /DU {length // 60:04d}:{length % 60:02d}" if every < length
              else "")
    return _schtasks(REMIND_TASK_NAME, f"{hour:02d}:{minute:02d}", command, repeat)


def _grouped(by_hour: dict[int, list[int]]) -> dict[tuple[int, ...], list[int]]:
    """Hours that run at the same minutes, together: one cron line or calendar each."""
    groups: dict[tuple[int, ...], list[int]] = {}
    for hour in sorted(by_hour):
        groups.setdefault(tuple(sorted(by_hour[hour])), []).append(hour)
    return groups


def _listed(values: list[int] | tuple[int, ...], dash: str, width: int = 1) -> str:
    """`0,15,30,45`, `8-21` (cron) or `08..21` (systemd): runs of three or more as a range."""
    parts: list[str] = []
    run: list[int] = []
    for value in [*sorted(values), None]:
        if value is not None and run and value == run[-1] + 1:
            run.append(value)
            continue
        if run:
            shown = [f"{v:0{width}d}" for v in run]
            parts += ([f"{shown[0]}{dash}{shown[-1]}"] if len(run) > 2 else shown)
        run = [] if value is None else [value]
    return ",".join(parts)


def _cron_line(config: OfficeConfig, when: str, command: list[str]) -> str:
    """One crontab line running `command` in the office folder, its output in cron.log."""
    logs = state_dir(config).absolute() / "logs"
    where = shlex.quote(str(_config_path(config).parent))
    log_dir, log = shlex.quote(str(logs)), shlex.quote(str(logs / "cron.log"))
    line = " ".join(shlex.quote(part) for part in command)
    return f"{when} * * * cd {where} && mkdir -p {log_dir} && {line} >> {log} 2>&1\n"


def _systemd_units(config: OfficeConfig, unit: str, description: str, command: list[str],
                   times: list[str], *, persistent: bool) -> str:
    """A oneshot service running `command` and its timer, at each of `times` (HH:MM:SS
    calendar parts) in the office's time zone."""
    folder = _config_path(config).parent
    exec_start = " ".join(_systemd_quote(part) for part in command)
    calendars = "".join(f"OnCalendar=*-*-* {when} {config.office.timezone}\n"
                        for when in times)
    return (
        f"# ~/.config/systemd/user/{unit}.service\n"
        "[Unit]\n"
        f"Description={description}\n\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"WorkingDirectory={folder}\n"
        f"ExecStart={exec_start}\n"
        f"# {t('schedule.secrets_comment')}\n"
        f"# EnvironmentFile={folder / 'clerk.env'}\n\n"
        f"# ~/.config/systemd/user/{unit}.timer\n"
        "[Unit]\n"
        f"Description={description}\n\n"
        "[Timer]\n"
        f"{calendars}"
        f"Persistent={'true' if persistent else 'false'}\n\n"
        "[Install]\n"
        "WantedBy=timers.target\n")


def _schtasks(name: str, start: str, command: list[str], repeat: str = "") -> str:
    task = subprocess.list2cmdline(command)
    return (f"schtasks /Create /F /SC DAILY /TN {subprocess.list2cmdline([name])} "
            f"/ST {start}{repeat} /TR {subprocess.list2cmdline([task])}\n")


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
                cache: LoadCache | None = None,
                reminders: Callable[[OfficeConfig], Any] | None = None,
                clock: Callable[[], datetime] | None = None,
                wait: Callable[[float], Any] | None = None) -> int:
    """Run the nightly job every day at the run hour until stopped (Ctrl-C, SIGTERM, or
    `stop`), and with `[schedule] remind_every_minutes` the reminders at every slot of
    `remind_slots` in between. The config is read again before every run, so edits take
    effect; the registers read are kept in `cache` (a new one by default) for the later
    runs. `clock` (the office's time, naive) and `wait` (seconds) time the reminder slots:
    a test passes its own."""
    stop = stop or threading.Event()
    cache = cache if cache is not None else LoadCache()
    runner = runner or scheduled_nightly(cache)
    reminders = reminders or scheduled_reminders(cache)
    config = load_config(config_path)
    clock = clock or (lambda: local_now(config))
    wait = wait or stop.wait
    log = logger_for(config)
    next_remind: datetime | None = None

    def job() -> None:
        nonlocal config, next_remind
        try:
            config = load_config(config_path)
            report = runner(config)
            status = getattr(report, "status", "ok")
            say(t("schedule.ran", status=t(f"nightly.status.{status}")))
        except ClerkError as exc:
            say(exc.message())
            log.error("scheduled run not done: %s", exc.key)
        next_remind = next_remind_at(config, clock())  # the nightly run reminded too

    def remind_job() -> None:
        nonlocal config, next_remind
        try:
            config = load_config(config_path)
            if remind_slots(config):
                published = reminders(config)
                report = getattr(published, "result", published)
                sent, failed = len(getattr(report, "sent", ())), len(getattr(report,
                                                                             "failed", ()))
                if sent or failed:
                    say(t("schedule.reminded", sent=sent, failed=failed))
        except ClerkError as exc:
            say(t("schedule.remind_failed", detail=exc.message()))
            log.error("scheduled reminders not done: %s", exc.key)
        except Exception as exc:  # the nightly job must outlive one failed reminder run
            say(t("schedule.remind_failed", detail=type(exc).__name__))
            log.exception("scheduled reminders not done")
        next_remind = next_remind_at(config, clock())

    scheduler = schedule.Scheduler()
    scheduler.every().day.at(f"{config.office.run_hour:02d}:00",
                             config.office.timezone).do(job)
    previous = _on_signals(stop)
    try:
        say(t("schedule.started", hour=config.office.run_hour, zone=config.office.timezone,
              next=_next_text(scheduler)))
        next_remind = next_remind_at(config, clock())
        if next_remind is not None:
            say(t("schedule.reminders_every", every=config.schedule.remind_every_minutes,
                  hours=config.schedule.office_hours,
                  quiet=config.reminders.quiet_hours or "-",
                  next=next_remind.strftime("%Y-%m-%d %H:%M")))
        if needs_catch_up(config, datetime.now()):
            say(t("schedule.catch_up"))
            job()
        while not stop.is_set():
            scheduler.run_pending()
            if next_remind is not None and clock() >= next_remind:
                remind_job()
            idle = scheduler.idle_seconds
            waits = [poll_seconds, idle if idle is not None else poll_seconds]
            if next_remind is not None:
                waits.append((next_remind - clock()).total_seconds())
            wait(max(0.5, min(waits)))
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
