"""Registers already read, kept by a long-running process (`clerk serve`, `clerk schedule`)
so that a button click or a scheduled run reads again only the workbooks that changed.

A one-shot command passes no cache and reads everything, as always. The server and the
scheduler each make one `LoadCache` and hand it down to `load_office` / `iter_registers`.

When an entry is served — the rule, checked on every use:

1. Only workbook files (`FileSource`) are kept. Google Sheets are read every time: there is
   no cheap way to learn that a spreadsheet changed (its revision needs a Drive API request
   of its own, and a wrong answer would hide an officer's fix), so they are not cached.
2. What changes the typing must be what it was: the config (a SHA-256 of its model dump and
   its path: enums, time zone, validation settings, the register's file) and the language
   the findings are written in. Otherwise the register is read again.
3. The file's size and modification time (nanoseconds) must be what they were when it was
   read. If either differs, the file is read again, without hashing it.
4. When they agree, the file's SHA-256 is computed and compared with the one taken when it
   was read (the read takes it anyway, for write-back). Only an equal hash serves the entry.
   Hashing whenever the stat agrees, rather than only when the stat looks "racy", is what
   catches a file rewritten within one timestamp tick with the same size, or one whose time
   was set back by a sync tool or `os.utime`. Measured on the 2-core benchmark machine:
   20 µs for the demo's 25 KiB roster, 13 ms for 20 MiB (0.6 ms per MiB), against the
   ~60 ms it takes to read and type a demo register again and seconds for a large one.
5. A file that changed while it was being read (its stat before and after differ) is
   handed on but not kept.

The entries are bounded (`max_entries` registers, `max_rows` typed rows in all; the least
recently used go first) and guarded by a lock. What is handed out are fresh `TypedTable`
objects over shallow copies of the frames (pandas' copy-on-write, always on from pandas 3:
a caller that sets a column or a cell changes its own copy, never the cached frame; under
pandas 2 without copy-on-write the frames are copied whole) and fresh findings lists. The
engines were checked and do not change the frames they are given anyway.
"""

from __future__ import annotations

import os
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from ._io import sha256_file, sha256_text  # sha256_file: the hash FileSource.read takes
from .checks.findings import Finding
from .config import OfficeConfig
from .frames import TypedTable
from .i18n import current_locale

DEFAULT_MAX_ENTRIES = 64
DEFAULT_MAX_ROWS = 2_000_000
"""About 1 GiB of typed frames at the widest registers; a bigger office is read each time."""


@dataclass(frozen=True)
class FileStamp:
    """What a stat says about a file: enough to tell it changed, not that it did not."""

    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> FileStamp | None:
        try:
            stat = os.stat(path)
        except OSError:
            return None
        return cls(stat.st_size, stat.st_mtime_ns)


@dataclass
class _Entry:
    config_key: str
    stamp: FileStamp
    sha256: str
    tables: dict[str, TypedTable]
    findings: list[Finding]
    rows: int


@dataclass
class CacheStats:
    hits: int = 0
    """Registers served from the cache."""
    reads: int = 0
    """Registers read (and typed) because they were not kept or had changed."""
    read_by_register: Counter[str] = field(default_factory=Counter)
    """How many times each register was read (for tests and the benchmark)."""


def config_key(config: OfficeConfig) -> str:
    """What about the config (and the language) changes how a register is typed."""
    return sha256_text("\0".join((str(config.path.absolute() if config.path else ""),
                                   current_locale.get(), config.model_dump_json())))


def _copy_on_write() -> bool:
    if int(pd.__version__.split(".")[0]) >= 3:
        return True
    return pd.options.mode.copy_on_write is True  # pragma: no cover - pandas 2


def hand_out(tables: dict[str, TypedTable]) -> dict[str, TypedTable]:
    """New TypedTable objects over copies of the frames: shallow ones where pandas copies on
    write (cheap, and a change to them never reaches the cache), whole ones otherwise."""
    deep = not _copy_on_write()
    return {
        name: replace(
            tt,
            frame=tt.frame.copy(deep=deep),
            raw=tt.raw.copy(deep=deep),
            unreadable=None if tt.unreadable is None else tt.unreadable.copy(deep=deep),
            letters=dict(tt.letters),
        )
        for name, tt in tables.items()
    }


class LoadCache:
    """Typed registers and their findings, by register and file; see the module docstring
    for when an entry is served. Thread-safe."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES,
                 max_rows: int = DEFAULT_MAX_ROWS) -> None:
        self.max_entries = max_entries
        self.max_rows = max_rows
        self.stats = CacheStats()
        self._entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()
        self._rows = 0
        self._lock = threading.Lock()

    @property
    def entries(self) -> int:
        """Registers kept."""
        with self._lock:
            return len(self._entries)

    @property
    def rows(self) -> int:
        """Typed rows kept, all registers told."""
        with self._lock:
            return self._rows

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._rows = 0

    @staticmethod
    def _key(register: str, path: Path) -> tuple[str, str]:
        return register, str(path.absolute())

    def lookup(self, key: str, register: str, path: Path
               ) -> tuple[dict[str, TypedTable], list[Finding]] | None:
        """The register as last read from `path`, if the file and what types it are the
        same; None when it must be read."""
        slot = self._key(register, path)
        with self._lock:
            entry = self._entries.get(slot)
        if entry is None or entry.config_key != key:
            return None
        if FileStamp.of(path) != entry.stamp:
            return None
        try:
            digest = sha256_file(path)
        except OSError:
            return None
        with self._lock:
            if digest != entry.sha256 or self._entries.get(slot) is not entry:
                return None
            self._entries.move_to_end(slot)
            self.stats.hits += 1
        return hand_out(entry.tables), list(entry.findings)

    def store(self, key: str, register: str, path: Path, before: FileStamp | None,
              sha256: str | None, tables: dict[str, TypedTable], findings: list[Finding]
              ) -> tuple[dict[str, TypedTable], list[Finding]]:
        """Keep a register just read (when the file held still while it was read); returns
        what to hand the caller."""
        rows = sum(len(tt.frame) for tt in tables.values())
        after = FileStamp.of(path)
        with self._lock:
            self.stats.reads += 1
            self.stats.read_by_register[register] += 1
            slot = self._key(register, path)
            old = self._entries.pop(slot, None)
            if old is not None:
                self._rows -= old.rows
            if before is not None and after == before and sha256 and rows <= self.max_rows:
                self._entries[slot] = _Entry(key, before, sha256, tables, list(findings), rows)
                self._rows += rows
                while self._entries and (len(self._entries) > self.max_entries
                                         or self._rows > self.max_rows):
                    _, evicted = self._entries.popitem(last=False)
                    self._rows -= evicted.rows
        return hand_out(tables), list(findings)
