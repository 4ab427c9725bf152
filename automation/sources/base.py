"""What every source hands on: sheets of cells as found, with where they came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .safety import WorkbookFacts


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


class Source(Protocol):
    """Where a register lives. `read()` never modifies it.

    `path` is the local file when there is one (what the safety pass in a child process,
    the load cache and write-back work on); `size()` its bytes on disk, 0 otherwise;
    `read(facts)` takes the file's safety facts when they were already found elsewhere."""

    @property
    def label(self) -> str: ...

    @property
    def path(self) -> Path | None: ...

    def size(self) -> int: ...

    def read(self, facts: WorkbookFacts | None = None) -> RawWorkbook: ...
