"""The state database, `<state dir>/clerk.sqlite3`: the reminder state and the run history
share it, and each opens it here.

This module owns the whole schema. `PRAGMA user_version` holds its version:

- version 1 is `SCHEMA_V1`: the tables `deliveries` (the reminder state and log), `runs`,
  `alerts` and `snapshots` (the nightly job's history);
- `MIGRATIONS[i]` takes version `i + 1` to `i + 2`; the latest version is
  `1 + len(MIGRATIONS)`. Append a migration for each change; never edit one that has shipped.

Opening (`connect`): a new database is made at the latest version. A database with
user_version 0 that has tables was made before the schema had a version (those releases wrote
exactly version 1's tables, some of them perhaps not yet): it is version 1, and keeps every row.
When the version on disk is older than the latest, all pending steps run in ONE transaction
(`BEGIN IMMEDIATE` ... `COMMIT`, the new user_version set inside it), after a copy of the file is
kept beside it as `clerk.sqlite3.v<N>.bak`, N the version the file had (`clerk.sqlite3.v0.bak`
for the first upgrade of a state made before versioning); if that name is taken,
`clerk.sqlite3.v<N>.2.bak`, `.3.bak`… (a copy is never overwritten). A step that fails rolls
everything back: the database stays as it was, at its old version, and the copy stays.

Several runs may open an old database at once (the nightly run, `clerk serve`, a button's
`clerk remind`): the version is read again inside the write lock, so only the first migrates
and keeps a copy; the others wait for the lock and find the work done. A database whose version
is newer than this release knows is refused (`StateVersionError`) and not written to.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from ._io import atomic_path
from .errors import StateError, StateVersionError

FILE_NAME = "clerk.sqlite3"
BUSY_SECONDS = 30
"""How long a writer waits for another (a nightly run, a button, a second `clerk remind`)."""

Migration = Callable[[sqlite3.Connection], None]
"""One step, version N to N + 1: runs inside the opening transaction. It must not commit, and
must not use `executescript` (which commits first): use `db.execute`, or `sql(script)`."""

SCHEMA_V1 = """
CREATE TABLE IF NOT EXISTS deliveries (
    day TEXT NOT NULL,
    rule TEXT NOT NULL,
    record TEXT NOT NULL,
    person TEXT NOT NULL,
    level INTEGER NOT NULL,
    channel TEXT NOT NULL,
    status TEXT NOT NULL,           -- sending | sent | failed | in_doubt
    message_key TEXT NOT NULL,
    sheet TEXT NOT NULL DEFAULT '',
    row INTEGER,
    detail TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (day, rule, record, person, level, channel)
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    today TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,            -- running | ok | problems | failed
    steps TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS alerts (
    day TEXT NOT NULL,
    kind TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (day, kind)
);
CREATE TABLE IF NOT EXISTS snapshots (
    period TEXT NOT NULL PRIMARY KEY,
    made_on TEXT NOT NULL,
    path TEXT NOT NULL
);
"""
"""Version 1: the tables of the releases before the schema had a version, unchanged."""

def _v2_delivery_policy(db: sqlite3.Connection) -> None:
    """Version 2: each delivery keeps the policy numbers and roles its rule was sent under,
    so the reminder log shows the title that went out ("超过 12 小时") after the office
    changes its policy. Lines from before are those of the default policy, the only one
    earlier releases had."""
    db.execute("ALTER TABLE deliveries ADD COLUMN policy TEXT NOT NULL DEFAULT ''")


MIGRATIONS: list[Migration] = [_v2_delivery_policy]
"""The forward migrations, in order: MIGRATIONS[0] is version 1 -> 2."""

_T = TypeVar("_T")


def latest(migrations: Sequence[Migration] | None = None) -> int:
    """The schema version this release writes."""
    return 1 + len(MIGRATIONS if migrations is None else migrations)


def statements(script: str) -> list[str]:
    """The SQL statements of `script`, one by one (semicolons inside strings or triggers kept)."""
    out: list[str] = []
    buffer = ""
    parts = script.split(";")
    for index, part in enumerate(parts):
        buffer += part
        last = index == len(parts) - 1
        if not last:
            buffer += ";"
        if (last or sqlite3.complete_statement(buffer)) and buffer.strip():
            out.append(buffer.strip())
            buffer = ""
    return out


def sql(script: str) -> Migration:
    """A migration made of SQL statements, run inside the opening transaction."""
    def run(db: sqlite3.Connection) -> None:
        for statement in statements(script):
            db.execute(statement)
    return run


def exists(folder: Path) -> bool:
    """Whether any run has made the database yet (readers do not create it just to read)."""
    return (folder / FILE_NAME).is_file()


def backup_path(folder: Path, version: int) -> Path:
    """Where the copy kept before upgrading a version-`version` file goes: a free name."""
    path = folder / f"{FILE_NAME}.v{version}.bak"
    number = 2
    while path.exists():
        path = folder / f"{FILE_NAME}.v{version}.{number}.bak"
        number += 1
    return path


def connect(folder: Path, migrations: Sequence[Migration] | None = None) -> sqlite3.Connection:
    """The database in write-ahead-log mode, at the latest schema version.

    An older file is upgraded in one transaction after a copy is kept as
    `clerk.sqlite3.v<N>.bak` beside it (see the module's description); a newer one raises
    `StateVersionError` untouched. `migrations` replaces `MIGRATIONS` (tests add steps).

    Two runs opening a new database at the same moment both switch it to WAL; SQLite refuses
    the second at once ("database is locked") rather than waiting its busy timeout, so the
    switch is tried again until that timeout has passed."""
    steps = list(MIGRATIONS if migrations is None else migrations)
    target = latest(steps)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FILE_NAME
    try:
        db = sqlite3.connect(path, isolation_level=None, timeout=BUSY_SECONDS)
    except sqlite3.Error as exc:
        raise StateError("statedb.broken", path=path, detail=str(exc)) from exc
    try:
        found = _retry(lambda: _version(db))
        _refuse_newer(path, found, target)  # before anything writes
        _retry(lambda: db.execute("PRAGMA journal_mode=WAL"))
        if found != target:
            _upgrade(db, path, steps, target)
        return db
    except sqlite3.Error as exc:
        db.close()
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            raise StateError("statedb.locked", path=path, seconds=BUSY_SECONDS) from exc
        raise StateError("statedb.broken", path=path, detail=str(exc)) from exc
    except BaseException:
        db.close()
        raise


def _retry(action: Callable[[], _T]) -> _T:
    deadline = time.monotonic() + BUSY_SECONDS
    while True:
        try:
            return action()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def _refuse_newer(path: Path, found: int, target: int) -> None:
    if found > target:
        from . import __version__

        raise StateVersionError("statedb.too_new", path=path, found=found, known=target,
                                release=__version__)


def _upgrade(db: sqlite3.Connection, path: Path, steps: list[Migration], target: int) -> None:
    """Bring the database to `target` in one transaction, after keeping a copy."""
    _retry(lambda: db.execute("BEGIN IMMEDIATE"))
    try:
        found = _version(db)  # again, inside the lock: another run may have done it
        _refuse_newer(path, found, target)
        if found == target:
            db.execute("COMMIT")
            return
        has_tables = db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' LIMIT 1").fetchone() is not None
        if has_tables:
            _keep_copy(path, found)
        if found == 0:  # new, or made before the schema had a version: that is version 1
            sql(SCHEMA_V1)(db)
            found = 1
        for version in range(found, target):
            steps[version - 1](db)
        db.execute(f"PRAGMA user_version = {int(target)}")
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def _keep_copy(path: Path, version: int) -> Path:
    """A consistent copy of the database, made while the caller holds the write lock.

    SQLite's online backup reads through a second connection (the locked one cannot be the
    source while it writes); no other run can commit meanwhile. The copy is written under a
    temporary name, switched out of WAL mode so it is one self-contained file, and renamed."""
    final = backup_path(path.parent, version)
    with atomic_path(final) as temp:
        source = sqlite3.connect(path, timeout=BUSY_SECONDS)
        try:
            target = sqlite3.connect(temp)
            try:
                source.backup(target)
                target.execute("PRAGMA journal_mode=DELETE")
            finally:
                target.close()
        finally:
            source.close()
    return final
