"""`clerk nightly`: every morning, unattended — read each register once, validate, remind,
compute the month-to-date and period-to-date KPIs, write the reports (and the owned tabs
when write-back is on), and make the period snapshot on the day after a period ends.

Each step's failure is recorded and the others still run; one run at a time (a file lock
that works on Windows too); the run history goes into the state database, a log file
(rotated, no secrets or personal values) into the state folder, and a failed run sends
one alert a day to the configured admin channel.
"""

from __future__ import annotations

import logging
import logging.handlers
import time as clock
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import filelock

from . import statedb
from .config import OfficeConfig
from .errors import ClerkError
from .history import History
from .i18n import t
from .kpi.periods import Period, parse_period, semester_of
from .load import OfficeData, load_office
from .reminders.rules import run_time
from .workdays import UncoveredYearWarning, uncovered_notice

if TYPE_CHECKING:
    from .load_cache import LoadCache

STEPS = ("read", "validate", "remind", "kpi", "write_back", "archive")
LOG_BYTES = 1024 * 1024
LOG_BACKUPS = 5


@dataclass
class StepResult:
    name: str
    status: str = "skipped"
    """ok | problems | failed | skipped"""
    counts: dict[str, int] = field(default_factory=dict)
    detail: str = ""
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "counts": self.counts,
                "detail": self.detail, "seconds": round(self.seconds, 2)}


@dataclass
class NightlyReport:
    today: date
    steps: list[StepResult] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Lines for the officer: write-back results, what the snapshot is, ..."""
    alert: str = ""
    """none | sent | already_sent | failed: what happened to the failure alert."""

    @property
    def status(self) -> str:
        states = {s.status for s in self.steps}
        if "failed" in states:
            return "failed"
        return "problems" if "problems" in states else "ok"

    @property
    def exit_code(self) -> int:
        return {"ok": 0, "problems": 1, "failed": 2}[self.status]

    def step(self, name: str) -> StepResult:
        return next(s for s in self.steps if s.name == name)

    def to_dict(self) -> dict[str, Any]:
        return {"today": self.today.isoformat(), "status": self.status,
                "steps": [s.to_dict() for s in self.steps],
                "outputs": [str(p) for p in self.outputs], "notes": self.notes,
                "alert": self.alert}


class NightlyRunning(ClerkError):
    """Another nightly run holds the lock."""

    exit_code = 2


def state_dir(config: OfficeConfig) -> Path:
    return config.resolve(config.state.dir)


def logger_for(config: OfficeConfig) -> logging.Logger:
    """`<state>/logs/clerk.log`, rotated at 1 MB, five kept."""
    folder = state_dir(config) / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "clerk.log"
    log = logging.getLogger(f"clerk.nightly.{path}")
    if not log.handlers:
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8", delay=True)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
    return log


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ClerkError):
        return exc.message()
    return t("cli.internal_error", detail=f"{type(exc).__name__}: {exc}".splitlines()[0])


# --------------------------------------------------------------------------- archive day


def _period_containing(kind: str, day: date, config: OfficeConfig) -> Period:
    if kind == "week":
        year, week, _ = day.isocalendar()
        key = f"{year}-W{week:02d}"
    elif kind == "month":
        key = f"{day:%Y-%m}"
    elif kind == "year":
        key = str(day.year)
    else:
        key = semester_of(config, day)
    return parse_period(key, config, day)


def snapshots_due(config: OfficeConfig, today: date, made: Callable[[str], bool]
                  ) -> list[Period]:
    """Periods of the kinds in `[archive] auto` that ended before today, within the
    catch-up window, and have no snapshot yet: on the day after a semester ends (or the
    first run after it, if the computer was off), that semester."""
    due: dict[str, Period] = {}
    for back in range(1, config.archive.catch_up_days + 1):
        day = today - timedelta(days=back)
        for kind in config.archive.auto:
            period = _period_containing(kind, day, config)
            if period.end == day and period.key not in due and not made(period.key):
                due[period.key] = parse_period(period.key, config, today)
    return sorted(due.values(), key=lambda p: (p.end, p.start))


# --------------------------------------------------------------------------- the run


class _Run:
    """One nightly run's steps, each timed, logged and kept from stopping the others."""

    def __init__(self, config: OfficeConfig, report: NightlyReport, log: logging.Logger,
                 progress: Callable[[str], None] | None) -> None:
        self.config = config
        self.report = report
        self.log = log
        self.progress = progress or (lambda name: None)
        self.scrub: Callable[[str], str] = lambda text: text

    def step(self, name: str, body: Callable[[StepResult], None],
             needs: StepResult | None = None) -> StepResult:
        result = StepResult(name)
        self.report.steps.append(result)
        self.progress(name)
        if needs is not None and needs.status == "failed":
            result.detail = t("nightly.skipped_after", step=t(f"nightly.step.{needs.name}"))
            self.log.info("%s skipped", name)
            return result
        started = clock.perf_counter()
        try:
            result.status = "ok"
            body(result)
        except Exception as exc:  # a failed step is reported; the others still run
            result.status = "failed"
            result.detail = self.scrub(_describe(exc))
            self.log.error("%s failed: %s", name, result.detail)
            self.log.debug("%s", name, exc_info=True)
        else:
            self.log.info("%s %s %s", name, result.status, result.counts)
        result.seconds = clock.perf_counter() - started
        return result


def run_nightly(config: OfficeConfig, *, today: date | None = None,
                progress: Callable[[str], None] | None = None,
                open_channel: Any = None, cache: LoadCache | None = None) -> NightlyReport:
    """The whole nightly job as a library call (the CLI, the scheduler and the demo use it).
    `cache`: registers kept from earlier runs in this process (`clerk schedule`'s), read
    again only when their files changed. Raises NightlyRunning when another run holds the
    lock."""
    folder = state_dir(config)
    folder.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(str(folder / "nightly.lock"))
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        raise NightlyRunning("nightly.running", path=str(folder / "nightly.lock")) from None
    try:
        return _run_locked(config, today, progress, open_channel, cache)
    finally:
        lock.release()


def _run_locked(config: OfficeConfig, today: date | None,
                progress: Callable[[str], None] | None, open_channel: Any,
                cache: LoadCache | None = None) -> NightlyReport:
    from .reminders.remind import local_now

    now = run_time(today, config.office.run_hour) if today else local_now(config)
    day = now.date()
    report = NightlyReport(day)
    log = logger_for(config)
    run = _Run(config, report, log, progress)
    with History(state_dir(config)) as history:
        run_id = history.start(day, datetime.now().replace(microsecond=0))
        log.info("nightly run %s for %s started", run_id, day)
        context: dict[str, Any] = {"uncovered": set()}
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", UncoveredYearWarning)
                _steps(run, config, now, context, history, open_channel, cache)
            _calendar_notice(report, config, context["uncovered"], caught)
        finally:
            status = report.status
            history.finish(run_id, datetime.now().replace(microsecond=0), status,
                           [s.to_dict() for s in report.steps])
            log.info("nightly run %s finished: %s", run_id, status)
        if status == "failed":
            report.alert = send_alert(config, report, history, open_channel, log)
    return report


def _calendar_notice(report: NightlyReport, config: OfficeConfig, years: set[int],
                     caught: list[warnings.WarningMessage]) -> None:
    """One line for every year the calendar fell back to Monday–Friday in any step (the
    reminders collect theirs, the other steps warn); other warnings are shown as usual."""
    for warning in caught:
        if isinstance(warning.message, UncoveredYearWarning):
            years.add(warning.message.year)
        else:
            warnings.showwarning(warning.message, warning.category, warning.filename,
                                 warning.lineno)
    if notice := uncovered_notice(config.office.region, years):
        report.notes.append(notice)


def _steps(run: _Run, config: OfficeConfig, now: datetime, context: dict[str, Any],
           history: History, open_channel: Any, cache: LoadCache | None = None) -> None:
    report = run.report
    day = now.date()
    out = config.output_dir
    generated = now.replace(microsecond=0)
    tabs: list[dict[str, dict[str, list[list[object]]]]] = []
    """Each step's owned tabs, written together in the write_back step."""

    def read(step: StepResult) -> None:
        office = load_office(config, cache=cache)
        context["office"] = office
        step.counts = {"registers": len(office.registers),
                       "rows": sum(len(tt.frame) for tt in office.tables.values())}
        from .archive.redact import Redactor

        run.scrub = Redactor.for_office(office).text

    read_step = run.step("read", read)

    def validate(step: StepResult) -> None:
        from .publish.files import validation_files
        from .publish.tabs import validation_tabs
        from .validate import validate_office

        result = validate_office(config, office=context["office"])
        context["validation"] = result
        report.outputs += validation_files(result, config, out, generated=generated)
        tabs.append(validation_tabs(config, result))
        step.counts = result.summary()
        if result.errors:
            step.status = "problems"

    run.step("validate", validate, read_step)

    def remind(step: StepResult) -> None:
        from .publish.commands import remind_and_publish
        from .publish.tabs import reminder_tabs

        office: OfficeData = context["office"]
        published = remind_and_publish(config, today=day, office=office,
                                       open_channel=open_channel, tabs=False)
        sent = published.result
        if sent.log is not None:
            tabs.append(reminder_tabs(config, office, sent.log))
        report.outputs += published.files
        step.counts = {"sent": len(sent.sent), "failed": len(sent.failed),
                       "already_sent": len(sent.skipped), "in_doubt": len(sent.in_doubt),
                       "undeliverable": len(sent.plan.undeliverable), "held": int(sent.held)}
        context["uncovered"].update(sent.uncovered_years)
        if not sent.ok or sent.plan.undeliverable:
            step.status = "problems"

    run.step("remind", remind, read_step)

    def kpi(step: StepResult) -> None:
        from .kpi import kpi_report, kpi_trend, load_units
        from .publish.files import kpi_files
        from .publish.tabs import kpi_tabs

        office = context["office"]
        units = load_units(config, office)
        period = kpi_report(config, None, day, office, units)
        month = kpi_report(config, f"{day:%Y-%m}", day, office, units)
        # the month's expense report once, in kpi/month/ (the period's would be the same)
        report.outputs += kpi_files(config, period, kpi_trend(config, units, period, [month]),
                                    office, out / "kpi", today=day, expense=False)
        report.outputs += kpi_files(config, month, kpi_trend(config, units, month), office,
                                    out / "kpi" / "month", today=day)
        tabs.append(kpi_tabs(config, period, office))
        rows = [r for r in period.rows if r.department is None and r.value is not None]
        step.counts = {"measured": len(rows), "met": sum(bool(r.met) for r in rows)}

    run.step("kpi", kpi, read_step)

    def write_back(step: StepResult) -> None:
        from .publish.tabs import write_tabs

        done = write_tabs(config, context["office"], tabs)
        report.notes += done.written + done.skipped
        step.counts = {"written": len(done.written), "skipped": len(done.skipped)}
        if done.skipped:
            step.status = "problems"

    if config.output.write_back:
        run.step("write_back", write_back, read_step)

    def archive(step: StepResult) -> None:
        from .archive import archive_period

        made = 0
        for period in snapshots_due(config, day, history.snapshot_made):
            snapshot = archive_period(config, period.key, today=day,
                                      redact=config.archive.auto_redact)
            history.record_snapshot(period.key, day, snapshot.path)
            report.outputs.append(snapshot.path)
            report.notes.append(t("nightly.snapshot", period=period.key, path=snapshot.path,
                                  fingerprint=snapshot.fingerprint))
            made += 1
        step.counts = {"snapshots": made}

    run.step("archive", archive)


# --------------------------------------------------------------------------- alerts


def send_alert(config: OfficeConfig, report: NightlyReport, history: History,
               open_channel: Any, log: logging.Logger) -> str:
    """One message to the admin channel with the cause, at most once a day."""
    channel_name = config.nightly.alert_channel
    if channel_name is None:
        return "none"
    now = datetime.now().replace(microsecond=0)
    if not history.claim_alert(report.today, "nightly_failed", now):
        return "already_sent"
    from .reminders.channels import open_channel as default_open
    from .reminders.message import DeliveryError, Message

    failed = [s for s in report.steps if s.status == "failed"]
    lines = [t("nightly.alert_intro", office=config.office.name, day=report.today.isoformat())]
    lines += [f"- {t(f'nightly.step.{s.name}')}: {s.detail}" for s in failed]
    lines.append(t("nightly.alert_hint"))
    message = Message(
        key=f"nightly-failed-{report.today.isoformat()}", channel=channel_name,
        person_id="admin", person_name=t("nightly.admin"),
        subject=t("nightly.alert_subject", office=config.office.name,
                  day=report.today.isoformat()),
        text="\n".join(lines), email=config.nightly.alert_to, locale=config.locale)
    opener = open_channel or default_open
    try:
        channel = opener(channel_name, config)
        try:
            channel.send(message)
        finally:
            channel.close()
    except (DeliveryError, ClerkError, OSError) as exc:
        history.release_alert(report.today, "nightly_failed")
        log.error("alert not sent: %s", type(exc).__name__)
        return "failed"
    log.info("alert sent on %s", channel_name)
    return "sent"


def run_status(config: OfficeConfig, limit: int = 10) -> list[dict[str, Any]]:
    """`clerk status`: the last runs, newest first."""
    folder = state_dir(config)
    if not statedb.exists(folder):
        return []
    with History(folder) as history:
        return [r.to_dict() for r in history.runs(limit)]
