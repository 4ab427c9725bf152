"""Run history, failure alerts and automatic snapshots: the nightly job's memory, in the
same SQLite database as the reminder state (`<state dir>/clerk.sqlite3`). Its tables `runs`,
`alerts` and `snapshots` are defined, and upgraded, in `statedb`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from . import statedb


@dataclass
class Run:
    id: int
    today: date
    started_at: datetime
    finished_at: datetime | None
    status: str
    steps: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "today": self.today.isoformat(),
                "started_at": self.started_at.isoformat(timespec="seconds"),
                "finished_at": self.finished_at.isoformat(timespec="seconds")
                if self.finished_at else None,
                "status": self.status, "steps": self.steps}


class History:
    def __init__(self, folder: Path) -> None:
        self._db = statedb.connect(folder)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self, today: date, now: datetime) -> int:
        cursor = self._db.execute(
            "INSERT INTO runs (today, started_at, status) VALUES (?, ?, 'running')",
            (today.isoformat(), now.isoformat(timespec="seconds")))
        return int(cursor.lastrowid or 0)

    def finish(self, run_id: int, now: datetime, status: str,
               steps: list[dict[str, Any]]) -> None:
        self._db.execute(
            "UPDATE runs SET finished_at = ?, status = ?, steps = ? WHERE id = ?",
            (now.isoformat(timespec="seconds"), status, json.dumps(steps, ensure_ascii=False),
             run_id))

    def runs(self, limit: int = 10) -> list[Run]:
        rows = self._db.execute(
            "SELECT id, today, started_at, finished_at, status, steps FROM runs "
            "ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [Run(r[0], date.fromisoformat(r[1]), datetime.fromisoformat(r[2]),
                    datetime.fromisoformat(r[3]) if r[3] else None, r[4], json.loads(r[5]))
                for r in rows]

    def last_success(self) -> datetime | None:
        """When the last run that did all its work (status ok or problems) finished."""
        row = self._db.execute(
            "SELECT MAX(finished_at) FROM runs WHERE status IN ('ok', 'problems')").fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    def claim_alert(self, day: date, kind: str, now: datetime) -> bool:
        """True the first time an alert of `kind` is claimed on `day`: one a day at most."""
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO alerts (day, kind, sent_at) VALUES (?, ?, ?)",
            (day.isoformat(), kind, now.isoformat(timespec="seconds")))
        return cursor.rowcount == 1

    def release_alert(self, day: date, kind: str) -> None:
        """An alert that could not be sent may be tried again by the next run."""
        self._db.execute("DELETE FROM alerts WHERE day = ? AND kind = ?",
                         (day.isoformat(), kind))

    def snapshot_made(self, period: str) -> bool:
        row = self._db.execute("SELECT 1 FROM snapshots WHERE period = ?", (period,)).fetchone()
        return row is not None

    def record_snapshot(self, period: str, day: date, path: Path) -> None:
        self._db.execute("INSERT OR REPLACE INTO snapshots (period, made_on, path) "
                         "VALUES (?, ?, ?)", (period, day.isoformat(), str(path)))
