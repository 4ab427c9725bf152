"""The report model: what a report says, before it is a file. A `Book` is sheets; a `Sheet`
is a heading, meta lines, typed `Column`s, rows of `Cell`s (a value and an optional state),
an optional totals row and optional `Chart`s. `reports/xlsx.py` renders a book as a
workbook (one formats table), `reports/cells.py` a sheet as CSV; the HTML pages are Jinja
templates fed by the same reports (`reports/html.py`).

A column's kind says how its numbers read (a percentage, working days, a score, yuan, a
signed deviation); a cell's state says how it is judged (good, bad, error, warning) or that
there is no value to show (none, written as `—`). Positions follow from the model: a sheet
with a heading has it in row 1, the meta lines under it, one empty row, then the header
row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from ..i18n import DEFAULT_LOCALE, resolve_locale

State = Literal["good", "bad", "error", "warning", "none"]
"""How a cell is judged: met or not (good, bad), a finding's severity (error, warning), or
no value to show (none: the cell shows `—` greyed)."""


class Kind(StrEnum):
    """How a column's values are written and read."""

    TEXT = "text"
    WRAP = "wrap"            # text that wraps (a finding's message)
    NOTE = "note"            # a line of explanation (greyed)
    COUNT = "count"          # a whole number as it comes (a row number, a count of findings)
    INT = "int"              # a whole number, `0`
    NUMBER = "number"        # as typed: General (Excel shows `0.##` integers as "4.")
    PERCENT = "percent"      # a share, `95.0%`
    DAYS = "days"            # working days, `2.00 个工作日` (still a number)
    SCORE = "score"          # a mean score out of 5, `4.62 分` (still a number)
    MONEY = "money"          # yuan, `#,##0.00`
    DEVIATION = "deviation"  # a signed percentage around zero, `+3.2%`
    TOLERANCE = "tolerance"  # a ± percentage, `±5.0%`
    FLAG = "flag"            # ✓ / ✗ with a word, centred


@dataclass(frozen=True)
class Cell:
    """One value. `kind` overrides its column's (a KPI table mixes percentages and days in
    one column); `text` is how the value reads, measured for the column's width; `link`
    (an `external:` or `https:` target) with its `tip` makes the cell a hyperlink."""

    value: Any
    state: State | None = None
    kind: Kind | None = None
    text: str | None = None
    link: str | None = None
    tip: str | None = None

    @property
    def shown(self) -> str:
        if self.text is not None:
            return self.text
        return self.value if isinstance(self.value, str) else ""


Row = Sequence["Cell | None"]
"""A row's cells by column; None leaves the cell empty (nothing written)."""


@dataclass(frozen=True)
class Column:
    """A column: its header, kind and width. `width` fixes it; otherwise it fits the widest
    of the header, the cells' text and (when there are rows) `samples`, within `minimum`
    and `limit`."""

    header: str
    kind: Kind = Kind.TEXT
    width: float | None = None
    minimum: int = 8
    limit: int = 40
    samples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Series:
    """One series of a chart: the values in `column` (of the sheet, or of the chart's own
    data), named `name` or, when None, by that column's header cell."""

    column: int
    colour: str
    name: str | None = None


@dataclass(frozen=True)
class Chart:
    """A native chart of a sheet's rows: bars, columns or lines of `series` over the
    categories in `categories`, on a 0–100 % value axis. `data` puts the chart's own rows in
    hidden columns from `data_column` (a block the chart reads in one piece, when the rows
    it shows are not contiguous in the table); the series then index into it. The chart
    sits `below` empty rows under the table, in column `column`."""

    type: Literal["bar", "column", "line"]
    title: str
    series: Sequence[Series]
    categories: int
    size: tuple[int, int]
    legend: Literal["bottom", "right"] | None = None
    labels: bool = False        # each bar labelled with its value
    gridlines: bool = False
    gap: int | None = None
    below: int = 2
    column: int = 0
    data: Sequence[Row] = ()
    data_column: int = 0


@dataclass
class Sheet:
    """One worksheet: `heading` and `meta` lines above the table, the header row (left out
    with `show_header=False`), `rows`, a `totals` row under them, `empty` in place of the
    rows when there are none, `note` under everything. `freeze` is the number of columns
    frozen beside the header (None: nothing frozen); `filter` puts an autofilter on the
    rows; `wide` prints landscape, one page wide, the header on each page."""

    name: str
    columns: Sequence[Column]
    rows: Sequence[Row] = ()
    heading: str | None = None
    meta: Sequence[str] = ()
    totals: Row | None = None
    empty: Cell | None = None
    note: Cell | None = None
    charts: Sequence[Chart] = ()
    show_header: bool = True
    freeze: int | None = None
    filter: bool = False
    wide: bool = False
    heading_height: int | None = None
    header_height: int | None = None

    @property
    def header_row(self) -> int:
        """The header row (0-based): under the heading, the meta lines and an empty row."""
        return 0 if self.heading is None else len(self.meta) + 2

    @property
    def first_row(self) -> int:
        return self.header_row + (1 if self.show_header else 0)

    @property
    def last_row(self) -> int:
        """The last row of the table (the header when there are no rows)."""
        return self.first_row + len(self.rows) - 1


@dataclass
class Book:
    """A workbook: its sheets, its title and the moment it is stamped with (the day its
    figures are as of, so that the same figures give the same bytes). `locale` is the
    reader's (working days read `2.00 个工作日`)."""

    title: str
    created: datetime
    locale: str
    sheets: list[Sheet] = field(default_factory=list)


def reader_locale(locale: str | None) -> str:
    """The catalogue a report is written in: `locale` if known, the default otherwise."""
    return resolve_locale(locale) or DEFAULT_LOCALE


__all__ = ["Book", "Cell", "Chart", "Column", "Kind", "Row", "Series", "Sheet", "State",
           "reader_locale"]
