"""Registers kept between button clicks and scheduled runs (issue 18, item 6): real workbook
files on disk, the real server on 127.0.0.1, reads counted where they happen
(`FileSource.read`); another program (openpyxl) rewrites a register between clicks."""

from __future__ import annotations

import os
import threading
import zipfile
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
import requests
import xlwings
from test_buttons import apply_actions

from automation.buttons import book_register, book_workbook
from automation.config import load_config
from automation.layout import locate_tables
from automation.load import OfficeData, load_office
from automation.load_cache import LoadCache
from automation.nightly import run_nightly
from automation.office import init_office
from automation.registers import REGISTERS
from automation.scheduler import run_forever, scheduled_nightly
from automation.server import _remote_engine, create_app, running, vba_client_payload
from automation.sources.files import FileSource

TOKEN = "load-cache-token-for-tests-0123456789"
TODAY = date(2025, 11, 20)
HANDLER = "2024230006"
"""A member the demo's loans name as 经手人 (handler); renamed, those loans point nowhere."""
RENAMED = "2024239996"
"""Same length: the rewritten workbook can be given the same size."""


@pytest.fixture
def office(tmp_path: Path) -> Path:
    init_office(tmp_path, demo=True, today=TODAY)
    return tmp_path


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Workbook files read from disk, by register file stem (every path leads here)."""
    counted: Counter[str] = Counter()
    original = FileSource.read

    def counting(self: FileSource, *args: Any, **kwargs: Any) -> Any:
        counted[self.path.stem] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(FileSource, "read", counting)
    return counted


@pytest.fixture
def served(office: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Any]]:
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    app = create_app(load_config(office / "office.toml"), token=TOKEN, today=TODAY)
    with running(app) as url:
        yield url, app


def click(url: str, payload: dict[str, Any]) -> list[list[Any]]:
    """校验 on the posted book; the 校验结果 rows the client would write."""
    answer = requests.post(f"{url}/buttons/validate", json=payload,
                           headers={"Authorization": TOKEN}, timeout=120)
    assert answer.status_code == 200, answer.text
    after, _ = apply_actions(payload, answer.json()["actions"])
    return next(s["values"] for s in after["sheets"] if s["name"] == "校验结果")


def mentions(rows: list[list[Any]], value: str) -> int:
    return sum(1 for row in rows[1:] if any(value in str(cell) for cell in row))


def rename_member(path: Path, old: str, new: str, *, slack: int = 0) -> None:
    """What another program does: openpyxl opens the workbook, changes a member's number
    everywhere it appears, saves. `slack` bytes of zip comment are left at the end so a
    later rewrite can be made the very same size."""
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value == old:
                    cell.value = new
    book.save(path)
    if slack:
        with zipfile.ZipFile(path, "a") as archive:
            archive.comment = b" " * slack


def same_size_same_time(path: Path, rewrite: Any) -> None:
    """Rewrite the file, then give it back its size (zip comment) and modification time
    (`os.utime`), as a fast editor within one timestamp tick, or a sync tool, would."""
    before = os.stat(path)
    rewrite(path)
    with zipfile.ZipFile(path) as archive:
        bare = path.stat().st_size - len(archive.comment)
    pad = before.st_size - bare
    assert 0 <= pad < 65_536, "the first version needs more slack"
    with zipfile.ZipFile(path, "a") as archive:
        archive.comment = b" " * pad
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(path)
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def assert_same_office(cached: OfficeData, fresh: OfficeData) -> None:
    assert cached.registers == fresh.registers
    assert list(cached.tables) == list(fresh.tables)
    for name, table in fresh.tables.items():
        kept = cached.tables[name]
        pd.testing.assert_frame_equal(kept.frame, table.frame)
        pd.testing.assert_frame_equal(kept.raw, table.raw)
        if table.unreadable is None:
            assert kept.unreadable is None
        else:
            pd.testing.assert_frame_equal(kept.unreadable, table.unreadable)
        assert (kept.table, kept.source, kept.sheet, kept.letters, kept.header_row,
                kept.fingerprint) == (table.table, table.source, table.sheet, table.letters,
                                      table.header_row, table.fingerprint)
    assert cached.findings == fresh.findings


# --- through the server -------------------------------------------------------------------


def test_a_second_click_reads_no_unchanged_register(office, served, reads):
    url, app = served
    payload = vba_client_payload(office / "workbooks" / "assets.xlsx")
    first = click(url, payload)
    assert reads == Counter({"roster": 1, "finance": 1, "cases": 1})  # the book is posted
    second = click(url, payload)
    assert reads == Counter({"roster": 1, "finance": 1, "cases": 1})
    assert second == first
    assert app.state.load_cache.stats.hits == 3


def test_the_server_without_cache_reads_every_click(office, reads, monkeypatch):
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    app = create_app(load_config(office / "office.toml"), token=TOKEN, today=TODAY,
                     cache=False)
    payload = vba_client_payload(office / "workbooks" / "assets.xlsx")
    with running(app) as url:
        click(url, payload)
        click(url, payload)
    assert app.state.load_cache is None
    assert reads == Counter({"roster": 2, "finance": 2, "cases": 2})


def test_a_register_rewritten_between_clicks_is_read_again(office, served, reads):
    url, _ = served
    roster = office / "workbooks" / "roster.xlsx"
    payload = vba_client_payload(office / "workbooks" / "assets.xlsx")
    assert mentions(click(url, payload), HANDLER) == 0

    rename_member(roster, HANDLER, RENAMED, slack=512)  # another program saves it
    rows = click(url, payload)
    assert reads["roster"] == 2 and reads["finance"] == reads["cases"] == 1
    missing = mentions(rows, HANDLER)
    assert missing > 0  # the loans' handler is no member any more

    # Renamed back within the same timestamp tick, to the very same size: only the
    # content hash can tell, and it does.
    same_size_same_time(roster, lambda path: rename_member(path, RENAMED, HANDLER))
    assert mentions(click(url, payload), HANDLER) == 0
    assert reads["roster"] == 3 and reads["finance"] == reads["cases"] == 1

    same_size_same_time(roster, lambda path: rename_member(path, HANDLER, RENAMED))
    assert mentions(click(url, payload), HANDLER) == missing
    assert reads["roster"] == 4 and reads["finance"] == reads["cases"] == 1


# --- load_office with a cache ---------------------------------------------------------------


def test_the_cached_office_equals_an_uncached_read(office, reads):
    config = load_config(office / "office.toml")
    cache = LoadCache()
    fresh = load_office(config)
    assert_same_office(load_office(config, cache=cache), fresh)
    assert sum(reads.values()) == 8
    assert_same_office(load_office(config, cache=cache), fresh)
    assert sum(reads.values()) == 8
    assert cache.stats.hits == 4 and cache.entries == 4
    assert cache.rows == sum(len(t.frame) for t in fresh.tables.values())


def test_a_caller_changing_its_frames_does_not_change_the_cache(office):
    config = load_config(office / "office.toml")
    cache = LoadCache()
    fresh = load_office(config)
    handed = load_office(config, cache=cache)
    members = handed.tables["roster.members"]
    members.frame["name"] = "changed"
    members.frame.loc[members.frame.index[0], "member_id"] = "X"
    members.raw.iloc[0, 0] = "X"
    members.letters.clear()
    handed.findings.clear()
    handed.tables.clear()
    assert_same_office(load_office(config, cache=cache), fresh)


def test_a_config_change_reads_again_and_the_same_config_does_not(office, reads):
    path = office / "office.toml"
    cache = LoadCache()
    load_office(load_config(path), cache=cache)
    load_office(load_config(path), cache=cache)  # read again from disk, as the scheduler does
    assert sum(reads.values()) == 4
    path.write_text(path.read_text(encoding="utf-8")
                    + '\n[validation]\nphone_pattern = "^8[0-9]{3}$"\n', encoding="utf-8")
    changed = load_config(path)
    assert_same_office(load_office(changed, cache=cache), load_office(changed))
    assert sum(reads.values()) == 12  # 4 + 4 through the cache + 4 uncached


def test_a_file_that_changes_while_it_is_read_is_not_kept(office, monkeypatch):
    config = load_config(office / "office.toml")
    original = FileSource.read

    def touched_meanwhile(self: FileSource, *args: Any, **kwargs: Any) -> Any:
        workbook = original(self, *args, **kwargs)
        if self.path.stem == "finance":
            os.utime(self.path, ns=(1_000_000_000, 1_000_000_000))
        return workbook

    monkeypatch.setattr(FileSource, "read", touched_meanwhile)
    cache = LoadCache()
    load_office(config, cache=cache)
    assert cache.entries == 3
    assert cache.stats.read_by_register["finance"] == 1
    load_office(config, cache=cache)
    assert cache.stats.read_by_register == {"roster": 1, "assets": 1, "finance": 2, "cases": 1}


def test_the_cache_is_bounded(office):
    config = load_config(office / "office.toml")
    few = LoadCache(max_entries=2)
    load_office(config, cache=few)
    assert few.entries == 2
    tiny = LoadCache(max_rows=1)  # every demo register has more rows than that
    load_office(config, cache=tiny)
    load_office(config, cache=tiny)
    assert tiny.entries == 0 and tiny.stats.reads == 8 and tiny.rows == 0
    office_data = load_office(config)
    total = sum(len(t.frame) for t in office_data.tables.values())
    half = LoadCache(max_rows=total // 2)
    load_office(config, cache=half)
    assert 0 < half.entries < 4 and 0 < half.rows <= total // 2


def test_threads_sharing_a_cache_get_the_same_office(office):
    config = load_config(office / "office.toml")
    fresh = load_office(config)
    cache = LoadCache()
    got: list[OfficeData] = []
    errors: list[BaseException] = []

    def load() -> None:
        try:
            for _ in range(3):
                got.append(load_office(config, cache=cache))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=load) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors and len(got) == 12
    for office_data in got:
        assert_same_office(office_data, fresh)
    assert cache.entries == 4


# --- the scheduler --------------------------------------------------------------------------


def test_the_scheduler_reuses_unchanged_registers(office, reads):
    path = office / "office.toml"
    cache = LoadCache()
    stop = threading.Event()
    stop.set()  # leave the loop after the catch-up run
    lines: list[str] = []
    assert run_forever(path, say=lines.append, stop=stop, cache=cache) == 0
    assert any("补跑" in line for line in lines)  # the catch-up run happened
    assert reads == Counter({"roster": 1, "assets": 1, "finance": 1, "cases": 1})

    job = scheduled_nightly(cache)  # the job the scheduler runs each day
    report = job(load_config(path))
    assert report.step("read").status == "ok"
    assert reads == Counter({"roster": 1, "assets": 1, "finance": 1, "cases": 1})

    rename_member(office / "workbooks" / "cases.xlsx", "x", "y")  # saved, unchanged values
    report = run_nightly(load_config(path), today=TODAY, cache=cache)
    assert report.step("read").status == "ok"
    assert reads == Counter({"roster": 1, "assets": 1, "finance": 1, "cases": 2})
    assert cache.stats.hits == 4 + 3


# --- which register the clicked book is -------------------------------------------------------


def test_the_book_is_the_register_whose_tables_it_holds_most_of(office, monkeypatch):
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    _remote_engine()
    config = load_config(office / "office.toml")
    workbooks = office / "workbooks"
    mixed = workbooks / "mixed.xlsx"
    book = openpyxl.load_workbook(workbooks / "assets.xlsx")
    roster = openpyxl.load_workbook(workbooks / "roster.xlsx")
    for name in ("成员", "任务"):  # two roster tables beside three assets tables
        sheet = book.create_sheet(name)
        for row in roster[name].iter_rows(values_only=True):
            sheet.append(list(row))
    book.save(mixed)
    for path in [*sorted(workbooks.glob("*.xlsx"))]:
        remote = xlwings.Book(json=vba_client_payload(path))
        workbook = book_workbook(remote, config)
        scores = {key: len(locate_tables(REGISTERS[key], workbook)) for key in REGISTERS}
        expected = max(scores, key=lambda key: scores[key])
        assert book_register(config, remote, workbook) == expected, path.name
