"""Finds each table in a workbook: which sheet, which header row, which column holds what.

Officers rename sheets, put a merged title row above the header, add 备注
columns, reorder columns and mark required headers with `*` or `(必填)`.
Headers and sheet names are matched by any of the three labels and the
aliases, after normalising those habits away.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pandas as pd

from .registers import Register, Table
from .sources.base import RawSheet, RawWorkbook

HEADER_SCAN_ROWS = 30
_MARKERS = re.compile(
    r"^[*]+|[*]+$|[(\[【](必填|必填项|选填|選填|可选|可選|required|optional)[)\]】]$"
)
_TRAILING_NOTE = re.compile(r"[(\[【][^()\[\]【】]*[)\]】]$")
_SPACES = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")
_PUNCTUATION = re.compile(r"[.:;,'\"、_\-/·。，；]+")
"""Dropped from headers before comparing: `Student No.`, `学号：`, `借用-单号`."""


def header_text(value: Any) -> str:
    """A header cell as comparable text: NFKC, no spaces or line breaks, no `*`/(必填)."""
    if value is None or isinstance(value, float | int | bool):
        return ""
    text = _SPACES.sub("", unicodedata.normalize("NFKC", str(value))).casefold()
    text = _PUNCTUATION.sub("", text)
    previous = None
    while previous != text:
        previous = text
        text = _MARKERS.sub("", text)
    return text


def _without_note(text: str) -> str:
    """`金额(元)` -> `金额`: the unit or hint some offices put in a header."""
    return _TRAILING_NOTE.sub("", text)


_LABEL_INDEXES: dict[int, tuple[Table, dict[str, str]]] = {}


def label_index(table: Table) -> dict[str, str]:
    """Normalised header text -> column key, over all labels and aliases. Kept by the
    table's identity: hashing a whole table declaration for every header cell read was a
    large part of reading a workbook."""
    known = _LABEL_INDEXES.get(id(table))
    if known is not None and known[0] is table:
        return known[1]
    index: dict[str, str] = {}
    for column in table.columns:
        for text in (*column.label.all(), *column.aliases):
            index.setdefault(header_text(text), column.key)
    _LABEL_INDEXES[id(table)] = (table, index)
    return index


@cache
def sheet_names(table: Table) -> tuple[str, ...]:
    return tuple(header_text(t) for t in (*table.label.all(), *table.aliases))


def match_header(text: str, table: Table) -> str | None:
    index = label_index(table)
    if not text:
        return None
    return index.get(text) or index.get(_without_note(text))


@dataclass
class Located:
    """Where a table was found."""

    table: Table
    sheet: RawSheet
    header_row: int
    """0-based index into sheet.rows."""
    columns: dict[str, int]
    """column key -> 0-based column index."""
    duplicates: dict[str, int] = field(default_factory=dict)
    """column key -> a second column that also matched it (ignored)."""


def _score_row(row: list[Any], table: Table) -> tuple[dict[str, int], dict[str, int]]:
    found: dict[str, int] = {}
    dupes: dict[str, int] = {}
    for index, cell in enumerate(row):
        key = match_header(header_text(cell), table)
        if key is None:
            continue
        if key in found:
            dupes.setdefault(key, index)
        else:
            found[key] = index
    return found, dupes


def _best_header(sheet: RawSheet, table: Table) -> Located | None:
    best: Located | None = None
    for index, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
        found, dupes = _score_row(row, table)
        if best is None or len(found) > len(best.columns):
            best = Located(table, sheet, index, found, dupes)
    return best if best is not None and best.columns else None


def _name_matches(sheet: RawSheet, table: Table) -> int:
    """2 for an exact sheet-name match, 1 when the name contains a label, else 0."""
    name = header_text(sheet.name)
    names = sheet_names(table)
    if name in names:
        return 2
    if any(label and label in name for label in names):
        return 1
    return 0


def _enough(located: Located) -> bool:
    table = located.table
    required = [c.key for c in table.columns if c.required]
    hits = sum(1 for key in required if key in located.columns)
    return len(located.columns) >= 2 and hits * 2 >= len(required)


def locate_tables(register: Register, workbook: RawWorkbook) -> dict[str, Located]:
    """Table key -> where it is. A table that cannot be found is simply absent."""
    out: dict[str, Located] = {}
    claimed: set[int] = set()
    by_name: list[tuple[int, int, Table, Located]] = []
    for table in register.tables:
        for position, sheet in enumerate(workbook.sheets):
            strength = _name_matches(sheet, table)
            if strength:
                located = _best_header(sheet, table)
                if located is not None and len(located.columns) >= 1:
                    by_name.append((-strength, position, table, located))
    for _, position, table, located in sorted(by_name, key=lambda item: (item[0], item[1])):
        if table.key in out or position in claimed:
            continue
        out[table.key] = located
        claimed.add(position)
    for table in register.tables:
        if table.key in out:
            continue
        candidates = []
        for position, sheet in enumerate(workbook.sheets):
            if position in claimed:
                continue
            located = _best_header(sheet, table)
            if located is not None and _enough(located):
                candidates.append((len(located.columns), -position, position, located))
        if candidates:
            *_, position, located = max(candidates, key=lambda c: (c[0], c[1]))
            out[table.key] = located
            claimed.add(position)
    return out


def tables_at_most(registers: dict[str, Register], workbook: RawWorkbook) -> dict[str, int]:
    """Per register, how many of its tables `locate_tables` could find in `workbook` at
    most: a table is found only under a header row (within the first HEADER_SCAN_ROWS) with
    two of its columns, or with one on a sheet named like it. Cheap (each header cell is
    normalised once), so that locating is spent on the registers that can win."""
    sheets = []
    for sheet in workbook.sheets:
        rows = []
        for row in sheet.rows[:HEADER_SCAN_ROWS]:
            texts = [header_text(cell) for cell in row]
            rows.append([(text, _without_note(text)) for text in texts if text])
        sheets.append((sheet, rows))
    bounds: dict[str, int] = {}
    for key, register in registers.items():
        bounds[key] = 0
        for table in register.tables:
            index = label_index(table)
            for sheet, rows in sheets:
                most = max((len({found for text, bare in row
                                 if (found := index.get(text) or index.get(bare))})
                            for row in rows), default=0)
                if most >= 2 or (most and _name_matches(sheet, table)):
                    bounds[key] += 1
                    break
    return bounds


def column_letter(index: int) -> str:
    """0 -> `A`, 26 -> `AA`."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


ERROR_MARK = object()


def extract(located: Located) -> pd.DataFrame:
    """The table's data rows as an object frame: one column per found key, `_row` 1-based.

    Cells holding a cached formula error carry ERROR_MARK so the normaliser can
    report them; blank rows are dropped after normalising, when blank is known.
    """
    sheet = located.sheet
    keys = list(located.columns)
    indexes = [located.columns[k] for k in keys]
    start = located.header_row + 1
    body = sheet.rows[start:]
    frame = pd.DataFrame(body, dtype=object) if body else pd.DataFrame()
    width = frame.shape[1]
    data = {
        key: (frame[idx] if idx < width else pd.Series([""] * len(frame), dtype=object))
        for key, idx in zip(keys, indexes, strict=True)
    }
    out = pd.DataFrame(data, index=frame.index)
    for (row, col), _ in sheet.errors.items():
        if row >= start and col in indexes:
            out.at[row - start, keys[indexes.index(col)]] = ERROR_MARK
    out["_row"] = out.index + start + 1
    return out
