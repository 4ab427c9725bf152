"""`--redact`: every value of a PII-flagged column (REGISTERS.md) is masked wherever it
appears in a snapshot — in its own column, and also where it was copied into another
cell, a log line or a report — so a redacted bag can leave the office.

Masks come from `automation.privacy.mask` (`138****8000`, `王*`, `u***@x.cn`). A value
is swept from other cells only when it is distinctive enough to be a person's (an
e-mail, a number of 7 digits or more, or a name of two characters or more that is not a
placeholder such as 匿名), so that a reporter called 无 does not blank every 无.
"""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import ahocorasick
import pandas as pd

from ..frames import TypedTable, display
from ..load import OfficeData
from ..privacy import mask

PLACEHOLDERS = frozenset({
    "匿名", "无", "暂无", "未知", "不详", "保密", "本人", "同学", "学生", "老师",
    "anonymous", "none", "null", "n/a", "na", "unknown", "-", "--", "—", "/",
})
"""Values of a personal column that are not anybody's: never swept from other cells."""

_DIGITS = re.compile(r"\d")
_TAG = re.compile(r"<[^>]*>")
TEXT_SUFFIXES = (".csv", ".txt", ".json", ".md", ".html", ".htm", ".xml", ".eml")
ZIP_SUFFIXES = (".xlsx", ".xlsm", ".zip")


def distinctive(text: str) -> bool:
    """Whether `text` could only be somebody's: worth sweeping from every other cell."""
    text = text.strip()
    if len(text) < 2 or text.casefold() in PLACEHOLDERS:
        return False
    if "@" in text:
        return len(text) >= 5
    digits = len(_DIGITS.findall(text))
    if digits:
        return digits >= 7
    return True


@dataclass(frozen=True)
class Leak:
    """A personal value found in a redacted snapshot: which file (and zip part), which value
    (shown masked, since the report itself must not leak it)."""

    file: str
    masked: str


class Redactor:
    """Masks personal columns and sweeps known personal values out of everything else."""

    def __init__(self, values: Iterable[str]) -> None:
        self._automaton = ahocorasick.Automaton()
        for value in {v.strip() for v in values if v and distinctive(v)}:
            self._automaton.add_word(value.casefold(), value)
        self.size = len(self._automaton)
        if self.size:
            self._automaton.make_automaton()

    @classmethod
    def for_office(cls, office: OfficeData) -> Redactor:
        """Every value of every PII column in the office, as typed and as normalised."""
        return cls(personal_values(office))

    def _matches(self, text: str) -> Iterator[tuple[int, int]]:
        if not self.size:
            return
        folded = text.casefold()
        if len(folded) != len(text):  # casefolding changed lengths: match as written
            folded = text
        for end, value in self._automaton.iter_long(folded):
            yield end - len(value) + 1, end + 1

    def text(self, text: str) -> str:
        """`text` with every personal value in it masked."""
        spans = list(self._matches(text))
        if not spans:
            return text
        out: list[str] = []
        last = 0
        for start, end in spans:
            out.append(text[last:start])
            out.append(mask(text[start:end]))
            last = end
        out.append(text[last:])
        return "".join(out)

    def value(self, value: Any, personal: bool = False) -> Any:
        """A cell: masked whole when its column is personal, else swept if it is text."""
        if value is None or (isinstance(value, float) and value != value):
            return value
        if personal:
            shown = display(value)
            return mask(shown) if shown else value
        return self.text(value) if isinstance(value, str) else value

    def series(self, series: pd.Series, personal: bool = False) -> pd.Series:
        if series.dtype != object:
            return series
        return series.map(lambda v: self.value(v, personal), na_action="ignore")

    def table(self, typed: TypedTable) -> TypedTable:
        def clean(frame: pd.DataFrame) -> pd.DataFrame:
            frame = frame.copy()
            for key in frame.columns:
                if key == "_row":
                    continue
                personal = key in typed.table.keys and typed.table.column(key).pii
                frame[key] = self.series(frame[key], personal)
            return frame

        return replace(typed, frame=clean(typed.frame), raw=clean(typed.raw))

    def office(self, office: OfficeData) -> OfficeData:
        """A copy of `office` with every personal value masked, for the reports in a bag."""
        findings = [replace(f, value=self.text(f.value), message=self.text(f.message))
                    for f in office.findings]
        tables = {name: self.table(typed) for name, typed in office.tables.items()}
        return OfficeData(tables=tables, findings=findings, registers=list(office.registers))

    def leaks(self, root: Path) -> list[Leak]:
        """Every personal value still readable in any file under `root`, inside xlsx and zip
        parts too: the last check before a redacted bag is let out."""
        found: list[Leak] = []
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            name = path.relative_to(root).as_posix()
            for part, text in _readable_texts(path):
                where = f"{name}:{part}" if part else name
                found.extend(Leak(where, mask(text[s:e])) for s, e in self._matches(text))
        return found


def personal_values(office: OfficeData) -> set[str]:
    values: set[str] = set()
    for typed in office.tables.values():
        for column in typed.table.columns:
            if not column.pii:
                continue
            for frame in (typed.frame, typed.raw):
                if column.key in frame.columns:
                    values.update(display(v) for v in frame[column.key].dropna().unique())
    return {v for v in values if v}


def _as_text(data: bytes, markup: bool) -> str:
    text = data.decode("utf-8-sig", errors="replace")
    if markup:
        text = html.unescape(_TAG.sub(" ", text))
    return text


def _readable_texts(path: Path) -> Iterator[tuple[str, str]]:
    """(part name, text) for a file and, for an xlsx or zip, for each part inside it."""
    suffix = path.suffix.lower()
    if suffix in ZIP_SUFFIXES and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                data = archive.read(info)
                inner = info.filename.lower()
                yield info.filename, _as_text(data, inner.endswith((".xml", ".rels", ".html")))
        return
    data = path.read_bytes()
    yield "", _as_text(data, suffix in (".html", ".htm", ".xml"))
