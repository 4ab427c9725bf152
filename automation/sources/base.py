"""What every source is and hands on: sheets of cells as found, with where they came from;
a frozen copy for a snapshot; Sheet Clerk's own tabs written back into it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import ClerkError

if TYPE_CHECKING:
    from .safety import WorkbookFacts

Tabs = dict[str, list[list[Any]]]
"""Owned tabs to write back: tab name -> rows, the header first."""


@dataclass
class RawSheet:
    """One sheet's cells from A1, as the reader found them (str, float, bool, date, ...)."""

    name: str
    rows: list[list[Any]]
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    """(0-based row, 0-based column) -> cached formula error such as '#REF!'."""
    visible: bool = True


@dataclass
class RawWorkbook:
    """A whole register's workbook: its sheets and how to interpret its numbers."""

    source: str
    """What a person would call it: a file path or a Google Sheets key."""
    sheets: list[RawSheet]
    date1904: bool = False
    fingerprint: str | None = None
    """The file's SHA-256 when it was read: write-back refuses a file that changed since."""
    time_zone: str | None = None
    """The spreadsheet's own time zone (Google Sheets), in which its date-times are written."""
    serial_dates: bool = False
    """Dates arrive as serial numbers (Google Sheets' unformatted values), not as dates."""


@dataclass(frozen=True)
class Snapshot:
    """A source frozen for a snapshot: the one file everything in the bag is made from."""

    path: Path
    """The byte-for-byte copy of a file, or a Google spreadsheet's values-only xlsx export."""
    sha256: str
    """Of the bytes at `path` (what was copied, whatever the source became meanwhile)."""
    label: str
    """The source as the bag records it: a path as office.toml writes it, or a URL."""


class WriteBackSkipped(ClerkError):
    """Write-back did not happen (a locked, changed or unwritable workbook, a spreadsheet
    that refused); nothing was written. Its message is the one line a person reads."""

    exit_code = 1


class Source(Protocol):
    """Where a register lives. `read()` and `snapshot()` never modify it; `write_tabs()`
    touches only Sheet Clerk's own tabs. Load, the archive and write-back work through
    these alone: a new kind of source is one class implementing them, chosen in
    `load.source_for`.

    `path` is the local file when there is one (what the safety pass in a child process,
    the load cache and write-back work on); `size()` its bytes on disk, 0 otherwise;
    `read(facts)` takes the file's safety facts when they were already found elsewhere;
    `snapshot(folder, created)` freezes it into `folder` (a file made then is dated
    `created`); `write_tabs(tabs, expected=, backups=)` replaces its owned tabs in one write
    and returns the line saying so, or raises `WriteBackSkipped` (`expected`: the
    fingerprint it had when read; `backups`: where a file's originals are kept)."""

    @property
    def label(self) -> str: ...

    @property
    def path(self) -> Path | None: ...

    def size(self) -> int: ...

    def read(self, facts: WorkbookFacts | None = None) -> RawWorkbook: ...

    def snapshot(self, folder: Path, created: datetime) -> Snapshot: ...

    def write_tabs(self, tabs: Tabs, *, expected: str | None, backups: Path) -> str: ...
