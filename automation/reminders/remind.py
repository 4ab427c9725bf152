"""`clerk remind` as a library call: due records -> plan -> digests -> channels, once a day."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import filelock

from ..config import OfficeConfig
from ..errors import ClerkError, ConfigError
from ..load import OfficeData, load_office
from ..workdays import calendar_for, uncovered_notice
from .digest import Digest, Plan, Planned, digests, plan, roster_people
from .message import DeliveryError
from .rules import due_now, run_time
from .state import Interrupted, State, already_today, is_settled

REWRITABLE_CHANNELS = frozenset({"outbox"})
"""Channels where sending a message again only rewrites the same files."""


@dataclass
class Failure:
    digest: Digest
    detail: str


@dataclass
class RemindReport:
    now: datetime
    plan: Plan
    dry_run: bool
    messages: list[Digest] = field(default_factory=list)
    sent: list[Digest] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    skipped: list[Planned] = field(default_factory=list)
    in_doubt: list[Interrupted] = field(default_factory=list)
    held: bool = False
    uncovered_years: list[int] = field(default_factory=list)
    """Years the holiday calendar does not cover (counted Monday to Friday)."""
    log: list[dict[str, object]] | None = None
    """The reminder log as of this run (`log_start`), read after sending; None when
    nothing was sent (a dry run, messages held). Published by `automation.publish`."""
    office: OfficeData | None = field(default=None, repr=False)
    """The registers the run read (what the log's 提醒记录 tabs go into)."""

    @property
    def ok(self) -> bool:
        return not self.failed and not self.in_doubt

    def calendar_notice(self, region: str) -> str:
        """The one line saying which years were counted Monday to Friday ('' when none)."""
        return uncovered_notice(region, self.uncovered_years)

    def to_dict(self) -> dict[str, Any]:
        """DESIGN.md's `remind --dry-run --format json` contract, plus what happened."""
        out: dict[str, Any] = self.plan.to_dict()
        if not self.dry_run:
            out["sent"] = [_message_dict(d) for d in self.sent]
            out["failed"] = [_message_dict(f.digest) | {"detail": f.detail}
                             for f in self.failed]
            out["in_doubt"] = [{"channel": i.channel, "recipient": i.person,
                                "message_key": i.message_key} for i in self.in_doubt]
            out["skipped"] = len(self.skipped)
            out["held"] = self.held
        return out


def _message_dict(digest: Digest) -> dict[str, Any]:
    return {"channel": digest.message.channel, "recipient": digest.message.person_id,
            "items": len(digest.lines)}


def in_quiet_hours(moment: time, spec: str) -> bool:
    """`22:00-07:30` holds messages from 22:00 until 07:30 the next morning."""
    if not spec:
        return False
    start_text, end_text = spec.split("-")
    start = time.fromisoformat(start_text.strip().zfill(5))
    end = time.fromisoformat(end_text.strip().zfill(5))
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end


def local_now(config: OfficeConfig) -> datetime:
    """The office's wall-clock time, naive like the datetimes in its workbooks."""
    return datetime.now(ZoneInfo(config.office.timezone)).replace(tzinfo=None)


def remind(
    config: OfficeConfig,
    *,
    today: date | None = None,
    dry_run: bool = False,
    office: OfficeData | None = None,
    open_channel: Any = None,
) -> RemindReport:
    """Work out every reminder due as of `today` (at the run hour) or now, and send the
    digests not sent yet today. `dry_run` only plans. Sending is all this does: the log
    files and the 提醒记录 tabs are written by `automation.publish`
    (`remind_and_publish`) from the report's `log`."""
    if config.register_source("roster") is None:
        raise ConfigError("remind.no_roster")
    for channel in config.reminders.channels:
        if channel != "outbox" and getattr(config.channels, channel) is None:
            raise ConfigError("remind.channel_missing", channel=channel)
    now = run_time(today, config.office.run_hour) if today else local_now(config)
    office = office or load_office(config)
    uncovered: list[int] = []
    calendar = calendar_for(config, warn=uncovered.append)
    policy = config.in_force
    dues = due_now(office, now, calendar, policy, config.semesters)
    people = roster_people(office.frame("roster.members"))
    planned = plan(dues, people, list(config.reminders.channels))
    report = RemindReport(now, planned, dry_run, uncovered_years=sorted(uncovered),
                          office=office)
    templates = _templates_dir(config)
    folder = config.resolve(config.state.dir)
    day = now.date()

    def fresh_digests(settled: set[tuple[object, ...]],
                      taken: dict[tuple[str, str], set[str]]) -> Plan:
        """The lines not sent today, and their digests (keys not taken today)."""
        fresh: list[Planned] = []
        for line in planned.reminders:
            (report.skipped if is_settled(day, line, settled) else fresh).append(line)
        fresh_plan = Plan(fresh, planned.undeliverable, planned.people)
        report.messages = digests(fresh_plan, now=now, locale=config.locale,
                                  office_name=config.office.name, templates=templates,
                                  policy=policy, taken=taken)
        return fresh_plan

    if dry_run or in_quiet_hours(now.time(), config.reminders.quiet_hours):
        # what would go out: a look that writes nothing, not even the state
        shown = fresh_digests(*already_today(folder, day, planned.reminders))
        report.held = not dry_run
        if dry_run:
            report.plan = shown
        return report
    folder.mkdir(parents=True, exist_ok=True)
    with _sending_alone(folder), closing(
            State(folder, config.in_force, config.office.timezone)) as state:
        report.in_doubt = state.settle_interrupted(day, retry=REWRITABLE_CHANNELS)
        fresh_digests(state.settled(day, planned.reminders), state.message_keys(day))
        _deliver(report, state, day, config, open_channel)
        report.log = state.log(since=log_start(config, day))
    return report


SENDING_LOCK = "remind.lock"
SENDING_WAIT_SECONDS = 30 * 60
"""How long a run waits for another one still sending (robots send 20 a minute)."""


@contextmanager
def _sending_alone(folder: Path) -> Iterator[None]:
    """One run at a time between reading what went out today and recording what this run
    sent: the nightly job and the every-N-minutes run both start at 08:00, and neither
    may send what the other is sending. A second run waits, then finds it all sent; a
    `sending` line found while holding the lock was left by a run that died."""
    lock = filelock.FileLock(str(folder / SENDING_LOCK))
    try:
        lock.acquire(timeout=SENDING_WAIT_SECONDS)
    except filelock.Timeout:
        raise ClerkError("remind.busy", path=str(folder / SENDING_LOCK),
                         minutes=SENDING_WAIT_SECONDS // 60) from None
    try:
        yield
    finally:
        lock.release()


def log_start(config: OfficeConfig, day: date) -> date | None:
    """The first day the reminder log shows (`[reminders] log_days`), None for every day:
    rewriting a whole year's log every night would grow without bound."""
    days = config.reminders.log_days
    return day - timedelta(days=days - 1) if days else None


def _templates_dir(config: OfficeConfig) -> Path | None:
    folder = config.reminders.templates
    return config.resolve(folder) if folder else None


def _deliver(report: RemindReport, state: State, day: date, config: OfficeConfig,
             open_channel: Any) -> None:
    if open_channel is None:
        from .channels import open_channel as default_open

        open_channel = default_open
    by_channel: dict[str, list[Digest]] = {}
    for digest in report.messages:
        by_channel.setdefault(digest.message.channel, []).append(digest)
    for name, batch in by_channel.items():
        channel = open_channel(name, config)
        try:
            if name in REWRITABLE_CHANNELS:
                _deliver_together(report, state, day, channel, batch)
                continue
            for digest in batch:
                key = digest.message.key
                state.record(day, digest.lines, "sending", key)
                try:
                    channel.send(digest.message)
                except DeliveryError as exc:
                    state.record(day, digest.lines, "failed", key, exc.detail)
                    report.failed.append(Failure(digest, exc.detail))
                else:
                    state.record(day, digest.lines, "sent", key)
                    report.sent.append(digest)
        finally:
            channel.close()


def _deliver_together(report: RemindReport, state: State, day: date, channel: Any,
                      batch: list[Digest]) -> None:
    """A channel where sending again rewrites the same message (the outbox folder): the
    intents go down in one transaction, the messages are written together, the outcomes
    in one more transaction. A run that dies in between leaves `sending` lines that the
    next run simply writes again."""
    state.record_many(day, [(d.lines, "sending", d.message.key, "") for d in batch])
    problems = channel.send_all([d.message for d in batch])
    outcomes = []
    for digest, problem in zip(batch, problems, strict=True):
        if problem is None:
            report.sent.append(digest)
        else:
            report.failed.append(Failure(digest, problem.detail))
        outcomes.append((digest.lines, "sent" if problem is None else "failed",
                         digest.message.key, problem.detail if problem else ""))
    state.record_many(day, outcomes)
