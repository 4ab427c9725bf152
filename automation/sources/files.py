"""Workbook files on a disk or a synced folder, read with python-calamine.

Every workbook an office hands over: .xlsx and .xlsm, .xlsb (Excel's binary workbook),
legacy .xls, WPS's own .et and its template .ett (BIFF8 in an OLE container, like .xls),
and .ods. Each is first checked by the safety pass (`safety.inspect_workbook`). Sheets
that are not worksheets (Excel 4 macro sheets, dialog and chart sheets) are skipped.
What python-calamine cannot read as it is (a macro sheet, an .xlsb's short cells, a
reason hidden by an extension it does not know) it reads from a temporary copy
(`readable`). Its refusals, whatever their type (its own errors, the OSError of a part
cut short, a Rust panic), become one line in the office's language: a legacy workbook in
a code page it does not know says so and how to fix it (save it as .xlsx), anything else
is damaged. The reader's own words are kept on the exception (`reader`, and as its
cause, which `--debug` prints), not put in front of the officer.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

import python_calamine as calamine

from .._io import copy_hashed, safe_file_name, sha256_file
from ..errors import SourceError
from ..i18n import t
from .base import RawSheet, RawWorkbook, Snapshot, Tabs
from .readable import open_readable, readable_copy
from .safety import WorkbookFacts, inspect_workbook
from .xlsx_tabs import write_owned_tabs

_CODEPAGE = re.compile(r"Codepage ([0-9A-Fa-f]+) not found")
"""python-calamine's refusal of a BIFF workbook whose CODEPAGE record it does not know
(the number in hexadecimal: `Cfb error: Codepage 8001 not found` is code page 32769)."""
_CELL_LIMIT = re.compile(r"Cell limit exceeded \((\d+) cells requested, max (\d+)\)")
"""python-calamine's own bound on the cells of an .ods (the safety pass refuses far
fewer, so this is a second line of defence)."""


@dataclass
class FileSource:
    """A workbook file. Read-only but for `write_tabs` (opt-in, `[output] write_back`)."""

    path: Path
    spec: str | None = None
    """The path as office.toml writes it (what a snapshot records), when it came from there."""

    @property
    def label(self) -> str:
        return str(self.path)

    def size(self) -> int:
        return self.path.stat().st_size if self.path.is_file() else 0

    def inspect(self) -> WorkbookFacts:
        """The safety pass alone: refuse a hostile file before any reader inflates it."""
        return inspect_workbook(self.path)

    def read(self, facts: WorkbookFacts | None = None) -> RawWorkbook:
        """Read every worksheet. `facts` is this file's safety pass when it already ran
        (e.g. in a helper process); otherwise it runs here first."""
        facts = facts if facts is not None else inspect_workbook(self.path)
        seen = sha256_file(self.path)
        sheets: list[RawSheet] = []
        with _opened(self.path, self.label, facts) as workbook, _reader_errors(self.label):
            for meta in workbook.sheets_metadata:
                if meta.typ != calamine.SheetTypeEnum.WorkSheet:
                    continue
                sheet = workbook.get_sheet_by_name(meta.name)
                sheets.append(
                    RawSheet(
                        name=meta.name,
                        rows=sheet.to_python(skip_empty_area=False),
                        errors=facts.errors.get(meta.name, {}),
                        visible=meta.visible == calamine.SheetVisibleEnum.Visible,
                    )
                )
        return RawWorkbook(source=self.label, sheets=sheets, date1904=facts.date1904,
                           fingerprint=seen)

    def snapshot(self, folder: Path, created: datetime) -> Snapshot:
        """The file copied byte for byte into `folder` (its name made safe for any disk),
        with the SHA-256 of what was copied: an officer saving it meanwhile cannot make a
        snapshot disagree with itself. `created` is not needed: the copy is the file."""
        target = folder / safe_file_name(self.path.name)
        try:
            digest = copy_hashed(self.path, target)
        except FileNotFoundError:
            raise SourceError("source.not_found", path=str(self.path)) from None
        except PermissionError:
            raise SourceError("source.locked", path=str(self.path)) from None
        return Snapshot(target, digest, self.spec or self.label)

    def write_tabs(self, tabs: Tabs, *, expected: str | None, backups: Path) -> str:
        """The owned tabs written into an xlsx/xlsm at the part level (`xlsx_tabs`: VBA,
        charts and everything else kept; another format refused with one line)."""
        done = write_owned_tabs(self.path, tabs, expected=expected, backups=backups)
        return t("writeback.written", tabs=t("list.separator").join(done.tabs),
                 path=str(done.path), backup=str(done.backup))


@contextmanager
def _opened(path: Path, label: str, facts: WorkbookFacts) -> Iterator[calamine.CalamineWorkbook]:
    """The workbook open in python-calamine: the file itself, or when python-calamine
    cannot read it as it is (see `readable`) a temporary copy it can; closed on leaving."""
    with ExitStack() as stack:
        with _reader_errors(label):
            workbook = stack.enter_context(open_readable(
                path, expand_short_cells=facts.short_cells, copy=partial(_copy, label=label)))
        yield workbook


@contextmanager
def _copy(path: Path, *, label: str, expand_short_cells: bool = False) -> Iterator[Path]:
    """`readable_copy`; a temporary folder that cannot take it (a full disk) is one clear
    line."""
    with ExitStack() as stack:
        try:
            copy = stack.enter_context(
                readable_copy(path, expand_short_cells=expand_short_cells))
        except OSError as exc:
            raise SourceError("source.unreadable", path=label,
                              detail=exc.strerror or str(exc)) from None
        except (zipfile.BadZipFile, ValueError):
            raise SourceError("source.damaged", path=label) from None
        yield copy


@contextmanager
def _reader_errors(label: str) -> Iterator[None]:
    """What the reader raises, as one clear SourceError naming the file: python-calamine's
    errors, the OSError it raises for a part cut short, a Rust panic."""
    try:
        yield
    except calamine.PasswordError:
        raise SourceError("source.encrypted", path=label) from None
    except FileNotFoundError:
        raise SourceError("source.not_found", path=label) from None
    except PermissionError:
        raise SourceError("source.locked", path=label) from None
    except (calamine.CalamineError, OSError, ValueError) as exc:
        raise _refusal(label, str(exc)) from exc
    except BaseException as exc:
        if not _is_panic(exc):
            raise
        raise SourceError("source.damaged", path=label, reader=str(exc)) from exc


def _refusal(label: str, message: str) -> SourceError:
    """python-calamine's words (`message`) as the line an officer reads."""
    codepage = _CODEPAGE.search(message)
    if codepage:
        number = int(codepage.group(1), 16)
        return SourceError("source.xls_codepage", path=label,
                           codepage=f"{number} (0x{number:04X})")
    cells = _CELL_LIMIT.search(message)
    if cells:
        return SourceError("source.workbook_too_large", path=label, cells=int(cells[1]),
                           limit=int(cells[2]))
    return SourceError("source.damaged", path=label, reader=message)


def _is_panic(exc: BaseException) -> bool:
    """python-calamine turns a Rust panic (some malformed .xls files cause one) into pyo3's
    PanicException, a BaseException that `except Exception` lets through."""
    return type(exc).__name__ == "PanicException"
