"""The state database, `<state dir>/clerk.sqlite3`: the reminder state and the run history
share it, and each opens it here."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

FILE_NAME = "clerk.sqlite3"
BUSY_SECONDS = 30
"""How long a writer waits for another (a nightly run, a button, a second `clerk remind`)."""


def exists(folder: Path) -> bool:
    """Whether any run has made the database yet (readers do not create it just to read)."""
    return (folder / FILE_NAME).is_file()


def connect(folder: Path, schema: str) -> sqlite3.Connection:
    """The database in write-ahead-log mode, with `schema` in place.

    Two runs opening a new database at the same moment both switch it to WAL; SQLite
    refuses the second at once ("database is locked") rather than waiting its busy
    timeout, so the switch is tried again until that timeout has passed."""
    folder.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(folder / FILE_NAME, isolation_level=None, timeout=BUSY_SECONDS)
    deadline = time.monotonic() + BUSY_SECONDS
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(schema)
            return db
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                db.close()
                raise
            time.sleep(0.02)
