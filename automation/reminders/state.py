"""Sheet Clerk's memory of what went out: SQLite in the configured state folder.

Every (rule, record, person, level, channel) gets at most one message a day.
The intent is written before sending and the outcome after, so a run that
died half-way is known: what was `sending` when it died may have gone out, and
is not sent again that day but reported for a person to check. The `deliveries` table is
defined, and upgraded, in `automation.statedb`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from .. import statedb
from ..policy import DEFAULT_POLICY, RULE_SPECS, Policy
from .digest import Planned

SETTLED = ("sent", "in_doubt", "sending")
"""Statuses after which a line is not sent again the same day."""


def _settled(db: sqlite3.Connection, day: date, lines: Iterable[Planned]
             ) -> set[tuple[object, ...]]:
    rows = db.execute(
        "SELECT day, rule, record, person, level, channel FROM deliveries "
        f"WHERE day = ? AND status IN ({','.join('?' * len(SETTLED))})",
        (day.isoformat(), *SETTLED)).fetchall()
    done: set[tuple[object, ...]] = {tuple(row) for row in rows}
    if not done:  # the day's first run
        return set()
    return {key for line in lines if (key := _key(day, line)) in done}


def _message_keys(db: sqlite3.Connection, day: date) -> dict[tuple[str, str], set[str]]:
    taken: dict[tuple[str, str], set[str]] = {}
    for person, channel, key in db.execute(
            "SELECT DISTINCT person, channel, message_key FROM deliveries WHERE day = ?",
            (day.isoformat(),)):
        taken.setdefault((person, channel), set()).add(key)
    return taken


def already_today(folder: Path, day: date, lines: Iterable[Planned]
                  ) -> tuple[set[tuple[object, ...]], dict[tuple[str, str], set[str]]]:
    """What a preview (`--dry-run`, messages held in quiet hours) leaves out because it went
    out today, and the message keys taken, read without writing: no state is made, and an
    older one is not upgraded, for a look."""
    path = folder / statedb.FILE_NAME
    if not path.is_file():
        return set(), {}
    try:
        db = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error:
        return set(), {}
    try:
        return _settled(db, day, lines), _message_keys(db, day)
    except sqlite3.Error:  # no table yet, or a state this release cannot read
        return set(), {}
    finally:
        db.close()


def is_settled(day: date, line: Planned, settled: set[tuple[object, ...]]) -> bool:
    """Whether `line` went out today (or may have): `settled` from `State.settled`."""
    return bool(settled) and _key(day, line) in settled


def record_key(line: Planned) -> str:
    d = line.due
    return f"{d.register}.{d.table}:{d.record_id or '#' + str(d.row)}"


def _key(day: date, line: Planned) -> tuple[str, str, str, str, int, str]:
    d = line.due
    return (day.isoformat(), d.rule, record_key(line), d.person or "", d.level, line.channel)


@dataclass(frozen=True)
class Interrupted:
    """A message a dead run was sending: it may or may not have gone out."""

    channel: str
    person: str
    message_key: str


class State:
    def __init__(self, folder: Path, policy: Policy = DEFAULT_POLICY,
                 timezone: str | None = None) -> None:
        self.path = folder / statedb.FILE_NAME
        self._db = statedb.connect(folder)
        self._policy = policy
        """What each recorded line keeps of the policy it was sent under (`rule_terms`)."""
        self._zone = ZoneInfo(timezone) if timezone else None
        """The office's time zone: the log's 更新时间 is the office's wall clock, like every
        other time it reads, not the machine's."""

    def close(self) -> None:
        self._db.close()

    def settle_interrupted(self, day: date, retry: Iterable[str] = ()) -> list[Interrupted]:
        """Lines a dead run left `sending` become `in_doubt`; returns their messages. On the
        `retry` channels, where sending again only rewrites the same message, they are
        forgotten instead and planned afresh."""
        again = sorted(set(retry))
        marks = ",".join("?" * len(again))
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            if again:
                self._db.execute("DELETE FROM deliveries WHERE day = ? AND status = 'sending' "
                                 f"AND channel IN ({marks})", (day.isoformat(), *again))
            rows = self._db.execute(
                "SELECT DISTINCT channel, person, message_key FROM deliveries "
                "WHERE day = ? AND status = 'sending'", (day.isoformat(),)).fetchall()
            self._db.execute("UPDATE deliveries SET status = 'in_doubt' "
                             "WHERE day = ? AND status = 'sending'", (day.isoformat(),))
        return [Interrupted(*row) for row in rows]

    def settled(self, day: date, lines: Iterable[Planned]) -> set[tuple[object, ...]]:
        """Keys of the lines that already went out today (or may have)."""
        return _settled(self._db, day, lines)

    def message_keys(self, day: date) -> dict[tuple[str, str], set[str]]:
        """The message keys already recorded today, by (person, channel): a later digest
        to the same person gets a key of its own (its own outbox file, its own Message-ID,
        which mail systems use to drop duplicates)."""
        return _message_keys(self._db, day)

    def record(self, day: date, lines: Iterable[Planned], status: str, message_key: str,
               detail: str = "") -> None:
        """Write one status for all lines of a message, in one transaction."""
        self.record_many(day, [(lines, status, message_key, detail)])

    def record_many(self, day: date,
                    outcomes: Iterable[tuple[Iterable[Planned], str, str, str]]) -> None:
        """Write (lines, status, message key, detail) for many messages in one transaction."""
        now = datetime.now(self._zone).replace(tzinfo=None).isoformat(timespec="seconds")
        terms: dict[str, str] = {}
        rows = [(*_key(day, line), status, message_key, line.due.sheet, line.due.row,
                 detail, now, self._terms(line.due.rule, terms))
                for lines, status, message_key, detail in outcomes for line in lines]
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(
                "INSERT INTO deliveries (day, rule, record, person, level, channel, status, "
                "message_key, sheet, row, detail, updated_at, policy) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (day, rule, record, person, level, channel) DO UPDATE SET "
                "status = excluded.status, message_key = excluded.message_key, "
                "detail = excluded.detail, updated_at = excluded.updated_at", rows)

    def _terms(self, rule: str, known: dict[str, str]) -> str:
        if rule not in known:
            known[rule] = self._policy.rule_terms(rule) if rule in RULE_SPECS else ""
        return known[rule]

    def log(self, since: date | None = None) -> list[dict[str, object]]:
        """The reminder log (提醒记录): every line recorded, newest first."""
        query = ("SELECT day, rule, record, person, level, channel, status, sheet, row, "
                 "detail, updated_at, policy FROM deliveries")
        args: tuple[str, ...] = ()
        if since:
            query += " WHERE day >= ?"
            args = (since.isoformat(),)
        query += " ORDER BY day DESC, updated_at DESC, rule, record"
        cursor = self._db.execute(query, args)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
