"""The state database's schema version: an upgrade keeps every row and sends nothing twice, a
migration runs once, in one transaction, after a copy is kept, and an older Sheet Clerk
refuses a newer state without touching it.

`fixtures/state_v0/` is a state made by the release before versioning (see its README)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import ROOT, clerk

from automation import statedb
from automation.errors import StateVersionError
from automation.history import History
from automation.reminders.state import State

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "state_v0"
DAY = "2026-12-01"
"""The fixture's day: run #1 sent 49 lines on it."""
TABLES = ("deliveries", "runs", "alerts", "snapshots")


# --------------------------------------------------------------------------- helpers


def office_from_fixture(tmp_path: Path) -> Path:
    """The fixture's office with its old state, copied (opening a state upgrades it)."""
    office = tmp_path / "office"
    shutil.copytree(FIXTURE / "office", office)
    # the rules of its day: lost_found_unclaimed came later (its longest wait keeps it quiet)
    toml = office / "office.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        "[policy]\n", "[policy]\nlost_found_transfer_days = 366\n", 1), encoding="utf-8")
    (office / ".clerk").mkdir()
    shutil.copy2(FIXTURE / statedb.FILE_NAME, office / ".clerk" / statedb.FILE_NAME)
    return office


def state_of(office: Path) -> Path:
    return office / ".clerk"


def db_file(office: Path) -> Path:
    return state_of(office) / statedb.FILE_NAME


def raw(path: Path) -> sqlite3.Connection:
    """Plain SQLite, not Sheet Clerk: reading does not upgrade."""
    return sqlite3.connect(path, isolation_level=None)


def version(path: Path) -> int:
    db = raw(path)
    try:
        return int(db.execute("PRAGMA user_version").fetchone()[0])
    finally:
        db.close()


def v1_columns() -> dict[str, list[str]]:
    """The columns of version 1's tables: what a state made before versioning holds."""
    db = sqlite3.connect(":memory:")
    try:
        db.executescript(statedb.SCHEMA_V1)
        return {table: [c[1] for c in db.execute(f"PRAGMA table_info({table})")]
                for table in TABLES}
    finally:
        db.close()


def rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of today's four tables (those present), version 1's columns, in a stable
    order: later versions add columns, and every old value must still be there."""
    db = raw(path)
    known = v1_columns()
    try:
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        return {table: sorted(db.execute(
                    f"SELECT {', '.join(known[table])} FROM {table}").fetchall(), key=repr)
                for table in TABLES if table in names}
    finally:
        db.close()


def dump(path: Path) -> tuple[int, list[str]]:
    db = raw(path)
    try:
        return int(db.execute("PRAGMA user_version").fetchone()[0]), list(db.iterdump())
    finally:
        db.close()


def columns(path: Path, table: str) -> list[str]:
    db = raw(path)
    try:
        return [r[1] for r in db.execute(f"PRAGMA table_info({table})")]
    finally:
        db.close()


def backups(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob(f"{statedb.FILE_NAME}.v*.bak"))


def remind(office: Path, day: str) -> dict:
    done = clerk("remind", "--today", day, "--format", "json", cwd=office)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    return json.loads(done.stdout)


def add_note(db: sqlite3.Connection) -> None:
    """A version-2 step a later release might ship: a column and an index."""
    db.execute("ALTER TABLE deliveries ADD COLUMN note TEXT NOT NULL DEFAULT ''")
    db.execute("CREATE INDEX deliveries_by_person ON deliveries (person, day)")


# --------------------------------------------------------------------------- the fixture


def test_fixture_is_an_unversioned_state_of_todays_tables(tmp_path):
    office = office_from_fixture(tmp_path)
    assert version(db_file(office)) == 0
    assert not list(FIXTURE.glob("*-wal")) and not list(FIXTURE.glob("*-shm"))
    counts = {table: len(found) for table, found in rows(db_file(office)).items()}
    assert counts == {"deliveries": 49, "runs": 2, "alerts": 1, "snapshots": 2}


# --------------------------------------------------------------------------- (a) v0 -> latest


def test_old_state_upgraded_keeps_every_row_and_sends_nothing_twice(tmp_path):
    office = office_from_fixture(tmp_path)
    before = rows(db_file(office))

    status = clerk("status", cwd=office)
    assert status.returncode == 0, status.stderr
    assert "#2 2026-12-02" in status.stdout and "#1 2026-12-01" in status.stdout
    assert version(db_file(office)) == statedb.latest()
    assert rows(db_file(office)) == before
    # the copy kept before the version changed: the file as it was
    assert backups(state_of(office)) == ["clerk.sqlite3.v0.bak"]
    kept = state_of(office) / "clerk.sqlite3.v0.bak"
    assert version(kept) == 0 and rows(kept) == before
    assert not (state_of(office) / "clerk.sqlite3.v0.bak-wal").exists()

    # the once-a-day guarantee survived: the fixture's day sends nothing again
    again = remind(office, DAY)
    assert again["sent"] == [] and again["skipped"] == 49
    assert rows(db_file(office)) == before
    # a later day still works, once
    later = remind(office, "2026-12-03")
    assert len(later["sent"]) > 0 and later["skipped"] == 0
    twice = remind(office, "2026-12-03")
    assert twice["sent"] == [] and twice["skipped"] > 0
    after = rows(db_file(office))
    assert set(before["deliveries"]) <= set(after["deliveries"])
    assert {r[0] for r in after["deliveries"]} == {DAY, "2026-12-03"}

    # the run history goes on from the old runs; already opened: no second copy
    done = clerk("nightly", "--today", DAY, "--format", "json", cwd=office)
    assert "Traceback" not in done.stderr, done.stderr
    report = json.loads(done.stdout)
    [step] = [s for s in report["steps"] if s["name"] == "remind"]
    assert step["counts"]["sent"] == 0 and step["counts"]["already_sent"] == 49
    runs = rows(db_file(office))["runs"]
    assert [r[0] for r in runs] == [1, 2, 3] and runs[:2] == before["runs"]
    assert backups(state_of(office)) == ["clerk.sqlite3.v0.bak"]


def test_old_state_made_by_remind_alone_gets_the_history_tables(tmp_path):
    """`clerk remind` alone made only `deliveries`; the history tables are added."""
    office = office_from_fixture(tmp_path)
    db = raw(db_file(office))
    for table in ("runs", "alerts", "snapshots"):
        db.execute(f"DROP TABLE {table}")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    before = rows(db_file(office))
    assert list(before) == ["deliveries"]

    again = remind(office, DAY)
    assert again["sent"] == [] and again["skipped"] == 49
    after = rows(db_file(office))
    assert after == {**before, "runs": [], "alerts": [], "snapshots": []}
    assert version(db_file(office)) == statedb.latest()
    assert backups(state_of(office)) == ["clerk.sqlite3.v0.bak"]


def test_new_state_is_made_at_the_latest_version_without_a_copy(tmp_path):
    folder = tmp_path / "state"
    statedb.connect(folder).close()
    assert version(folder / statedb.FILE_NAME) == statedb.latest() == 2
    assert columns(folder / statedb.FILE_NAME, "deliveries")[:3] == ["day", "rule", "record"]
    assert columns(folder / statedb.FILE_NAME, "deliveries")[-1] == "policy"  # version 2
    assert backups(folder) == []

    other = tmp_path / "other"
    statedb.connect(other, migrations=[add_note]).close()
    assert version(other / statedb.FILE_NAME) == 2
    assert "note" in columns(other / statedb.FILE_NAME, "deliveries")
    assert backups(other) == []


# --------------------------------------------------------------------------- (b) newer


def test_newer_state_is_refused_with_one_line_and_left_alone(tmp_path):
    office = office_from_fixture(tmp_path)
    path = db_file(office)
    statedb.connect(state_of(office)).close()
    newer = statedb.latest() + 1
    db = raw(path)
    db.execute(f"PRAGMA user_version = {newer}")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    content, stamp = path.read_bytes(), path.stat().st_mtime_ns
    before = dump(path)
    files = sorted(p.name for p in state_of(office).glob("clerk.sqlite3*"))

    for args in (("status",), ("remind", "--today", "2026-12-03"),
                 ("nightly", "--today", "2026-12-03")):
        done = clerk(*args, cwd=office)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr
        [line] = done.stderr.strip().splitlines()
        assert "较新版本的 Sheet Clerk" in line and "升级" in line
        assert f"版本 {newer}" in line and str(path) in line
    english = clerk("status", "--locale", "en", cwd=office)
    assert english.returncode == 2
    [line] = english.stderr.strip().splitlines()
    assert "newer Sheet Clerk" in line and "Upgrade Sheet Clerk" in line

    with pytest.raises(StateVersionError) as refused:
        State(state_of(office))
    assert refused.value.exit_code == 2 and refused.value.values["found"] == newer
    with pytest.raises(StateVersionError):
        History(state_of(office))

    assert path.read_bytes() == content and path.stat().st_mtime_ns == stamp
    assert dump(path) == before
    assert sorted(p.name for p in state_of(office).glob("clerk.sqlite3*")) == files


# --------------------------------------------------------------------------- (c) migrations


def test_injected_migration_runs_once_after_the_copy_in_one_transaction(tmp_path):
    office = office_from_fixture(tmp_path)
    folder, path = state_of(office), db_file(office)
    before = rows(path)
    seen: list[dict[str, object]] = []

    def add_note_watched(db: sqlite3.Connection) -> None:
        kept = folder / "clerk.sqlite3.v0.bak"
        add_note(db)
        outside = raw(path)  # another reader sees none of it yet: one open transaction
        try:
            seen.append({
                "copy_kept": kept.is_file(), "copy_version": version(kept),
                "copy_rows": rows(kept) == before,
                "in_transaction": db.in_transaction,
                "version_inside": db.execute("PRAGMA user_version").fetchone()[0],
                "runs_inside": db.execute("SELECT COUNT(*) FROM runs").fetchone()[0],
                "outside_version": outside.execute("PRAGMA user_version").fetchone()[0],
                "outside_columns": [r[1] for r in outside.execute(
                    "PRAGMA table_info(deliveries)")],
            })
        finally:
            outside.close()

    statedb.connect(folder, migrations=[add_note_watched]).close()
    statedb.connect(folder, migrations=[add_note_watched]).close()  # already at 2: nothing
    [step] = seen
    assert step["copy_kept"] and step["copy_version"] == 0 and step["copy_rows"]
    assert step["in_transaction"] and step["version_inside"] == 0 and step["runs_inside"] == 2
    assert step["outside_version"] == 0 and "note" not in step["outside_columns"]
    assert version(path) == 2
    assert "note" in columns(path, "deliveries")
    assert {table: [r[:12] if table == "deliveries" else r for r in found]
            for table, found in rows(path).items()} == before
    assert backups(folder) == ["clerk.sqlite3.v0.bak"]


def test_injected_migration_works_for_the_runs_and_older_releases_refuse_it(
        tmp_path, monkeypatch):
    """A state made by this release upgraded by a next one: copy named after this
    version, State and History work on it; this release (without the step) then refuses it."""
    folder = tmp_path / "state"
    this = statedb.latest()
    with History(folder) as history:
        history.start(date(2026, 12, 1), datetime(2026, 12, 1, 8))
    assert version(folder / statedb.FILE_NAME) == this and backups(folder) == []

    shipped = list(statedb.MIGRATIONS)
    monkeypatch.setattr(statedb, "MIGRATIONS", [*shipped, add_note])
    state = State(folder)
    assert state.log() == []
    state.close()
    with History(folder) as history:
        assert [run.id for run in history.runs()] == [1]
    assert version(folder / statedb.FILE_NAME) == this + 1
    assert backups(folder) == [f"clerk.sqlite3.v{this}.bak"]
    assert version(folder / f"clerk.sqlite3.v{this}.bak") == this

    monkeypatch.setattr(statedb, "MIGRATIONS", shipped)
    with pytest.raises(StateVersionError):
        State(folder)


def test_failing_migration_rolls_back_everything_and_keeps_the_copy(tmp_path):
    office = office_from_fixture(tmp_path)
    folder, path = state_of(office), db_file(office)
    before = dump(path)
    before_rows = rows(path)

    def half_done(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE half_done (x INTEGER)")
        db.execute("DELETE FROM runs")
        raise RuntimeError("migration bug")

    with pytest.raises(RuntimeError, match="migration bug"):
        statedb.connect(folder, migrations=[add_note, half_done])
    assert dump(path) == before  # no new table, no new column, every row, version 0
    assert version(path) == 0
    assert backups(folder) == ["clerk.sqlite3.v0.bak"]
    assert dump(folder / "clerk.sqlite3.v0.bak") == before
    assert not list(folder.glob("*.tmp"))

    # fixed in the next release: it migrates, keeping a second copy, never overwriting the first
    statedb.connect(folder, migrations=[add_note, statedb.sql(
        "CREATE TABLE half_done (x INTEGER);")]).close()
    assert version(path) == 3
    assert backups(folder) == ["clerk.sqlite3.v0.2.bak", "clerk.sqlite3.v0.bak"]
    assert rows(path)["runs"] == before_rows["runs"]


def test_a_migration_sqlite_refuses_is_one_line_and_changes_nothing(tmp_path):
    """An old state someone edited by hand (deliveries already has a `policy` column):
    version 2's step fails inside SQLite. The officer gets one line saying the file was not
    changed and where the copy is, not SQLite's text as an internal error."""
    office = office_from_fixture(tmp_path)
    folder, path = state_of(office), db_file(office)
    db = raw(path)
    db.execute("ALTER TABLE deliveries ADD COLUMN policy TEXT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    before = dump(path)
    done = clerk("remind", "--today", "2026-12-03", cwd=office)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    [line] = done.stderr.strip().splitlines()
    assert "无法打开或升级状态数据库" in line and "没有被改动" in line and str(path) in line
    assert "内部错误" not in line
    assert dump(path) == before and version(path) == 0
    assert backups(folder) == ["clerk.sqlite3.v0.bak"]


def test_a_state_held_by_another_program_is_one_line(tmp_path, monkeypatch):
    """A database tool holding a write lock past the busy timeout: one line, nothing
    changed."""
    office = office_from_fixture(tmp_path)
    folder, path = state_of(office), db_file(office)
    monkeypatch.setattr(statedb, "BUSY_SECONDS", 0.3)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(statedb.StateError) as refused:
            statedb.connect(folder)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert refused.value.key == "statedb.locked" and refused.value.exit_code == 2
    assert "另一个程序占用" in refused.value.message("zh-Hans")
    assert version(path) == 0


def test_failing_migration_of_a_new_state_leaves_it_empty(tmp_path):
    folder = tmp_path / "state"

    def broken(db: sqlite3.Connection) -> None:
        raise RuntimeError("migration bug")

    with pytest.raises(RuntimeError):
        statedb.connect(folder, migrations=[broken])
    assert version(folder / statedb.FILE_NAME) == 0 and rows(folder / statedb.FILE_NAME) == {}
    statedb.connect(folder).close()
    assert version(folder / statedb.FILE_NAME) == statedb.latest()
    assert backups(folder) == []


def test_sql_scripts_split_into_statements():
    script = """
    CREATE TABLE a (x TEXT DEFAULT ';');  -- a comment; with a semicolon
    CREATE TABLE b (y TEXT);
    CREATE TRIGGER copy AFTER INSERT ON a BEGIN INSERT INTO b VALUES (new.x || ';'); END;
    INSERT INTO a VALUES ('one;two')
    """
    assert len(statedb.statements(script)) == 4
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.execute("BEGIN")
    statedb.sql(script)(db)
    assert db.in_transaction  # unlike executescript, it does not commit
    assert db.execute("SELECT y FROM b").fetchall() == [("one;two;",)]
    db.close()


# --------------------------------------------------------------------------- (d) two at once


CHILD = r"""
import json, os, sys, time
from datetime import date, datetime
from pathlib import Path

from automation import statedb
from automation.history import History
from automation.reminders.state import State

folder, tally = Path(sys.argv[1]), Path(sys.argv[2])


def counted(db):
    with tally.open("a", encoding="utf-8") as out:
        out.write(f"{os.getpid()}\n")
    db.execute("CREATE TABLE IF NOT EXISTS migration_runs (pid INTEGER NOT NULL)")
    db.execute("INSERT INTO migration_runs VALUES (?)", (os.getpid(),))
    time.sleep(0.2)  # not synchronisation: holds the lock so the other run meets it


statedb.MIGRATIONS.append(counted)
print("ready", flush=True)
sys.stdin.readline()  # the barrier: both are released together
with History(folder) as history:
    run = history.start(date(2026, 12, 5), datetime(2026, 12, 5, 8))
    history.finish(run, datetime(2026, 12, 5, 8, 1), "ok", [])
state = State(folder)
lines = len(state.log())
state.close()
print(json.dumps({"run": run, "lines": lines}), flush=True)
"""


@pytest.mark.parametrize("start", ["old", "old", "old", "new"])
def test_two_runs_opening_an_old_state_at_once_migrate_it_once(tmp_path, start):
    if start == "old":
        office = office_from_fixture(tmp_path)
        folder = state_of(office)
        runs_before = 2
    else:
        folder = tmp_path / "state"
        runs_before = 0
    tally = tmp_path / "tally.txt"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    children = [subprocess.Popen(
        [sys.executable, "-c", CHILD, str(folder), str(tally)], cwd=tmp_path, env=env,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        encoding="utf-8") for _ in range(2)]
    try:
        for child in children:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready"
        for child in children:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        results = [child.communicate(timeout=120) for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
    for child, (_, err) in zip(children, results, strict=True):
        assert child.returncode == 0, err
    reports = [json.loads(out.strip().splitlines()[-1]) for out, _ in results]
    assert sorted(r["run"] for r in reports) == [runs_before + 1, runs_before + 2]

    path = folder / statedb.FILE_NAME
    assert len(tally.read_text(encoding="utf-8").splitlines()) == 1
    db = raw(path)
    try:
        assert db.execute("SELECT COUNT(*) FROM migration_runs").fetchone()[0] == 1
    finally:
        db.close()
    assert version(path) == statedb.latest() + 1  # the shipped steps and `counted`
    assert len(rows(path)["runs"]) == runs_before + 2
    assert backups(folder) == (["clerk.sqlite3.v0.bak"] if start == "old" else [])
    if start == "old":
        assert {r["lines"] for r in reports} == {49}
