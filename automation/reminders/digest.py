"""From due records to messages: who can be reached on which channel, and one digest per
person per channel, rendered from a Jinja2 template an office can override."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import jinja2
import pandas as pd

from ..i18n import t
from ..policy import DEFAULT_POLICY, RULE_SPECS, Policy
from ..registers import get_table
from .message import Message
from .rules import Due, rule_order

TEMPLATE = "digest.md.j2"
SUBJECT_TEMPLATE = "subject.txt.j2"
NEEDS_EMAIL = {"email"}


@dataclass(frozen=True)
class Person:
    member_id: str
    name: str
    department: str | None
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class Planned:
    """One record for one person on one channel: a line of `remind --dry-run`."""

    due: Due
    channel: str

    def to_dict(self) -> dict[str, object]:
        d = self.due
        return {"rule": d.rule, "register": d.register, "table": d.table,
                "record_id": d.record_id, "sheet": d.sheet, "row": d.row,
                "recipient": d.person, "channel": self.channel, "level": d.level}


@dataclass(frozen=True)
class Unreachable:
    """A record whose person cannot be reached on a channel, and why."""

    due: Due
    channel: str
    reason: str

    def to_dict(self) -> dict[str, object]:
        return Planned(self.due, self.channel).to_dict() | {"reason": self.reason}


@dataclass
class Plan:
    reminders: list[Planned]
    undeliverable: list[Unreachable]
    people: dict[str, Person]

    def to_dict(self) -> dict[str, object]:
        return {"reminders": [p.to_dict() for p in self.reminders],
                "undeliverable": [u.to_dict() for u in self.undeliverable]}


def roster_people(members: pd.DataFrame) -> dict[str, Person]:
    people: dict[str, Person] = {}
    for row in members.dropna(subset=["member_id"]).itertuples(index=False):
        people.setdefault(str(row.member_id), Person(
            str(row.member_id), str(row.name or ""), row.department,
            row.email if isinstance(row.email, str) else None,
            row.phone if isinstance(row.phone, str) else None,
        ))
    return people


def plan(dues: list[Due], people: dict[str, Person], channels: list[str]) -> Plan:
    """Pair every due record with every channel; what cannot be delivered says why."""
    reminders: list[Planned] = []
    unreachable: list[Unreachable] = []
    for due in dues:
        for channel in channels:
            if due.person is None:
                unreachable.append(Unreachable(due, channel, f"no_{due.reason or 'person'}"))
            elif due.person not in people:
                unreachable.append(Unreachable(due, channel, "not_in_roster"))
            elif channel in NEEDS_EMAIL and not people[due.person].email:
                unreachable.append(Unreachable(due, channel, "no_email"))
            else:
                reminders.append(Planned(due, channel))
    return Plan(reminders, unreachable, people)


@dataclass
class Digest:
    """One message and the planned lines it carries."""

    message: Message
    lines: list[Planned]


def _environment(override: Path | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if override is not None and override.is_dir():
        loaders.append(jinja2.FileSystemLoader(str(override)))
    loaders.append(jinja2.PackageLoader("automation.reminders", "templates"))
    return jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), autoescape=False,
                              keep_trailing_newline=True, trim_blocks=True,
                              lstrip_blocks=True, undefined=jinja2.StrictUndefined)


def _item(due: Due, now: datetime, locale: str,
          words: Callable[[str], tuple[str, str]]) -> dict[str, object]:
    title, todo = words(due.rule)
    table = get_table(f"{due.register}.{due.table}")
    key = table.primary_key
    has_deadline = RULE_SPECS[due.rule].has_deadline
    late_days = (now.date() - due.deadline.date()).days if has_deadline else 0
    has_time = bool(due.deadline.hour or due.deadline.minute)
    deadline = due.deadline.strftime("%Y-%m-%d %H:%M" if has_time else "%Y-%m-%d")
    when = t("digest.since" if has_deadline else "digest.waiting", locale, deadline=deadline)
    if late_days > 0:
        when += t("digest.late", locale, days=late_days)
    return {
        "rule": due.rule,
        "title": title,
        "todo": todo,
        "table": table.label.get(locale),
        "key_label": key.label.get(locale) if key else "",
        "record_id": due.record_id,
        "location": t("digest.row", locale, sheet=due.sheet, row=due.row),
        "sheet": due.sheet,
        "row": due.row,
        "deadline": deadline,
        "late_days": late_days,
        "when": when,
        "level": due.level,
    }


def _free_key(base: str, taken: set[str]) -> str:
    """`base`, else the first `base-N` (N from 2) not taken today."""
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def digests(plan_: Plan, *, now: datetime, locale: str, office_name: str,
            templates: Path | None = None, policy: Policy = DEFAULT_POLICY,
            taken: Mapping[tuple[str, str], set[str]] | None = None) -> list[Digest]:
    """One digest per person per channel, their own items first, then escalations, each in
    the rules' declared order; titles and what to do show the numbers of `policy`. A person
    who already had a message today on a channel (`taken`: their message keys) gets the
    next key, `<day>-<channel>-<person>-2`, `-3`…: a file and a Message-ID of its own."""
    env = _environment(templates)
    body = env.get_template(TEMPLATE)
    subject = env.get_template(SUBJECT_TEMPLATE)
    # a rule's title and what to do, formatted once: tens of thousands of items, few rules
    words = functools.cache(lambda rule: (policy.rule_title(rule, locale),
                                          policy.rule_todo(rule, locale)))
    grouped: dict[tuple[str, str], list[Planned]] = defaultdict(list)
    for line in plan_.reminders:
        grouped[(line.due.person or "", line.channel)].append(line)
    out: list[Digest] = []
    for (person_id, channel), lines in grouped.items():
        person = plan_.people[person_id]
        lines.sort(key=lambda p: (p.due.level, rule_order(p.due.rule), p.due.deadline,
                                  p.due.row))
        own = [_item(p.due, now, locale, words) for p in lines if p.due.level == 0]
        oversee = [_item(p.due, now, locale, words) for p in lines if p.due.level > 0]
        context = {"t": lambda key, **kw: t(key, locale, **kw), "person": person,
                   "own": own, "oversee": oversee, "office": office_name,
                   "today": now.strftime("%Y-%m-%d"), "count": len(lines)}
        message = Message(
            key=_free_key(f"{now:%Y%m%d}-{channel}-{person_id}",
                          (taken or {}).get((person_id, channel), set())),
            channel=channel, person_id=person_id, person_name=person.name,
            subject=subject.render(context).strip(), text=body.render(context),
            email=person.email, phone=person.phone, locale=locale,
            mentions=(person.phone,) if person.phone else (),
        )
        out.append(Digest(message, lines))
    out.sort(key=lambda d: (d.message.channel, d.message.person_id))
    return out
