"""xlsx / xlsm / xls files on a disk or a synced folder, read with python-calamine."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import python_calamine as calamine

from ..errors import SourceError
from ..sinks.xlsx_tabs import fingerprint
from .base import RawSheet, RawWorkbook
from .safety import WorkbookFacts, inspect_workbook


@dataclass
class FileSource:
    """A workbook file. Read-only here: write-back lives elsewhere and is opt-in."""

    path: Path

    @property
    def label(self) -> str:
        return str(self.path)

    def inspect(self) -> WorkbookFacts:
        """The safety pass alone: refuse a hostile file before any reader inflates it."""
        return inspect_workbook(self.path)

    def read(self, facts: WorkbookFacts | None = None) -> RawWorkbook:
        """Read every worksheet. `facts` is this file's safety pass when it already ran
        (e.g. in a helper process); otherwise it runs here first."""
        facts = facts if facts is not None else inspect_workbook(self.path)
        seen = fingerprint(self.path)
        sheets: list[RawSheet] = []
        with _reader_errors(self.label):
            workbook = calamine.CalamineWorkbook.from_path(str(self.path))
        with _reader_errors(self.label), closing(workbook):
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


@contextmanager
def _reader_errors(label: str) -> Iterator[None]:
    """What the reader raises, as one clear SourceError naming the file."""
    try:
        yield
    except calamine.PasswordError:
        raise SourceError("source.encrypted", path=label) from None
    except (calamine.CalamineError, calamine.ZipError, calamine.XmlError, ValueError) as exc:
        raise SourceError("source.damaged_detail", path=label, detail=str(exc)) from None
    except BaseException as exc:
        if not _is_panic(exc):
            raise
        raise SourceError("source.damaged", path=label) from None


def _is_panic(exc: BaseException) -> bool:
    """python-calamine turns a Rust panic (some malformed .xls files cause one) into pyo3's
    PanicException, a BaseException that `except Exception` lets through."""
    return type(exc).__name__ == "PanicException"
