"""Typed tables that remember where every value came from, and findings that point there."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import pandas as pd

from .checks.findings import CODES, Finding
from .i18n import current_locale, t
from .layout import column_letter
from .privacy import mask
from .registers import Kind, Table


def display(value: Any) -> str:
    """A raw cell as the officer typed it, for a message."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value).strip()


@dataclass
class TypedTable:
    """One table, normalised: `frame` holds every key of the table (typed, NA when the
    sheet lacks the column) and `_row`, the 1-based sheet row."""

    table: Table
    source: str
    sheet: str
    frame: pd.DataFrame
    raw: pd.DataFrame
    """Raw values of the columns the sheet has, same index as `frame`."""
    letters: dict[str, str] = field(default_factory=dict)
    """column key -> column letter, for the columns the sheet has."""
    header_row: int = 1
    unreadable: pd.DataFrame | None = None
    """True where a cell had a value that could not be read (already reported)."""
    fingerprint: str | None = None
    """SHA-256 of the workbook file as read (None for other sources)."""

    def readable_missing(self, key: str) -> pd.Series:
        """Rows where `key` is empty, not merely unreadable."""
        missing = self.frame[key].isna()
        if self.unreadable is not None and key in self.unreadable.columns:
            missing &= ~self.unreadable[key].fillna(False).astype(bool)
        return missing

    @property
    def register(self) -> str:
        return self.table.register

    @property
    def name(self) -> str:
        return f"{self.table.register}.{self.table.key}"

    def label(self, key: str) -> str:
        return self.table.column(key).label.get(current_locale.get())

    def finding(
        self, code: str, index: Any = None, key: str | None = None, *,
        wording: str | None = None, **values: Any
    ) -> Finding:
        """A finding at (row `index`, column `key`); either may be None for the whole sheet.
        `wording` picks another message of the catalogue for the same code."""
        row = int(self.frame.at[index, "_row"]) if index is not None else None
        letter = self.letters.get(key or "", "")
        cell = f"{letter}{row}" if row is not None and letter else ""
        raw_value = ""
        if index is not None and key is not None and key in self.raw.columns:
            raw_value = display(self.raw.at[index, key])
            if raw_value and self.table.column(key).pii:
                raw_value = mask(raw_value)
        locale = current_locale.get()
        params = {
            "label": self.table.column(key).label.get(locale) if key else "",
            "table": self.table.label.get(locale),
            "sheet": self.sheet,
            "value": raw_value,
            **values,
        }
        return Finding(
            register=self.register,
            table=self.table.key,
            source=self.source,
            sheet=self.sheet,
            row=row,
            column=key,
            cell=cell,
            severity=CODES[code],
            code=code,
            message=t(f"finding.{wording or code}", **params),
            value=raw_value,
        )


def empty_typed(table: Table, source: str) -> TypedTable:
    """A table that is not there: no rows, every column typed, so engines need no special case."""
    from .normalize import empty_column

    index = pd.RangeIndex(0)
    frame = pd.DataFrame({c.key: empty_column(c.kind, index) for c in table.columns})
    frame["_row"] = pd.Series([], dtype="int64")
    return TypedTable(table, source, "", frame, pd.DataFrame(index=index))


def letters_for(columns: dict[str, int]) -> dict[str, str]:
    return {key: column_letter(index) for key, index in columns.items()}


def kind_of(table: Table, key: str) -> Kind:
    return table.column(key).kind
