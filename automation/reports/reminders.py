"""`clerk remind` for a person at a terminal: what goes (or went) to whom, and what could not."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console

from ..config import OfficeConfig
from ..i18n import current_locale, t
from ..policy import ROLES, Policy
from ..reminders.remind import RemindReport
from .reminder_log import rule_title


def _say(console: Console, text: str) -> None:
    console.print(text, markup=False, highlight=False, soft_wrap=True)


def role_names(policy: Policy, locale: str) -> dict[str, str]:
    """The departments and roles in force, as a reason for an undeliverable item names them
    (`{office_department}`, `{head_role}`, ...)."""
    return {key: policy.shown_role(key, locale) for key in ROLES}


def render_remind(report: RemindReport, config: OfficeConfig, console: Console,
                  notes: Sequence[str] = ()) -> None:
    """What went (or would go) to whom; `notes`: the write-back's lines."""
    policy, loc = config.in_force, current_locale.get()
    roles = role_names(policy, loc)
    if notice := report.calendar_notice(config.office.region):
        _say(console, notice)
    if report.held:
        _say(console, t("remind.held", quiet=config.reminders.quiet_hours))
    for digest in report.messages if report.dry_run else []:
        message = digest.message
        _say(console, f"[{message.channel}] {message.person_name} ({message.person_id}): "
                      f"{message.subject}")
        for line in digest.lines:
            due = line.due
            where = t("digest.row", sheet=due.sheet, row=due.row)
            _say(console, f"    {rule_title(due.rule, loc, policy)} · {due.record_id} · {where}")
    for item in report.plan.undeliverable:
        due = item.due
        _say(console, t("remind.unreachable", rule=rule_title(due.rule, loc, policy),
                        record=due.record_id,
                        location=t("digest.row", sheet=due.sheet, row=due.row),
                        reason=t(f"reason.{item.reason}", **roles)))
    for failure in report.failed:
        _say(console, t("remind.failed", channel=failure.digest.message.channel,
                        person=failure.digest.message.person_name, detail=failure.detail))
    for doubt in report.in_doubt:
        _say(console, t("remind.in_doubt", channel=doubt.channel, person=doubt.person))
    for note in notes:
        _say(console, note)
    if report.dry_run:
        _say(console, t("remind.dry_summary", messages=len(report.messages),
                        items=len(report.plan.reminders),
                        undeliverable=len(report.plan.undeliverable)))
        if report.skipped:
            _say(console, t("remind.dry_already", skipped=len(report.skipped)))
    else:
        _say(console, t("remind.summary", sent=len(report.sent),
                        held=len(report.messages) if report.held else 0,
                        skipped=len(report.skipped), failed=len(report.failed),
                        undeliverable=len(report.plan.undeliverable)))
