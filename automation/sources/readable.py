"""A copy of a workbook that python-calamine can read, for the few it cannot read as they are.

Only ever made for a file the safety pass has accepted, in a temporary folder that goes
when the reader is done; the officer's file is never touched. Four cases:

- python-calamine picks its reader by the file's extension, case-sensitively. Under any
  other name (WPS's .et and .ett, `BOOK.XLSX`) it tries each reader in turn, and when
  all fail it keeps none of their reasons (`Cannot detect file format`): a copy named
  for what the file holds gets the real one (an unknown code page, a password).
- For the same reason a zipped workbook under such a name (an .et that is really an
  .xlsx) is always read from a copy named for what it holds: trying reader after reader
  could read it as another kind than the one the safety pass checked.
- It refuses a whole workbook that holds an Excel 4 macro sheet (it tells sheets apart
  by their folder and knows worksheets, chart sheets and dialog sheets only): the copy
  leaves the sheets that are not worksheets out of the workbook's list of sheets.
- It skips an .xlsb's short cell records without a word: the copy has them in full.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, closing, contextmanager
from functools import partial
from pathlib import Path, PurePosixPath

import python_calamine as calamine
from defusedxml import ElementTree

from . import biff12
from .panics import panics_hidden
from .safety import CHUNK, NOT_WORKSHEETS, OLE_MAGIC, zip_kind

CALAMINE_SUFFIXES = {".xls", ".xla", ".xlsx", ".xlsm", ".xlam", ".xlsb", ".ods"}
"""The extensions python-calamine picks its reader by (compared as written)."""
UNDETECTED = "Cannot detect file format"
"""What python-calamine says when no reader took a file whose extension it does not know."""
OTHER_SHEETS = ("Unrecognized sheet:type", "Unrecognized BoundSheet8:dt")
"""What it says, for an .xlsx and an .xlsb, of a sheet in a folder it does not know."""
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?(?:/>|>\s*</(?:\w+:)?sheet\s*>)")
_REL_ID = re.compile(rb"\s(?:\w+:)?id\s*=\s*[\"']([^\"']*)[\"']")
_PARTS = {
    "xlsx": ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"),
    "xlsb": ("xl/workbook.bin", "xl/_rels/workbook.bin.rels"),
}


@contextmanager
def open_readable(
    path: Path, *, expand_short_cells: bool = False,
    copy: Callable[..., AbstractContextManager[Path]] | None = None,
) -> Iterator[calamine.CalamineWorkbook]:
    """The workbook open in python-calamine, closed on leaving: the file itself, or a
    temporary copy (`readable_copy`, or `copy` in its place) when python-calamine cannot
    read it as it is (`needs_copy`), would guess which reader to use on a zip
    (`guessed_zip`) or its short cells must be in full (`expand_short_cells`). Until then,
    a Rust panic's own output is kept off stderr (`panics_hidden`)."""
    make_copy = readable_copy if copy is None else copy
    with ExitStack() as stack:
        stack.enter_context(panics_hidden())
        source = path
        if expand_short_cells or guessed_zip(path):
            source = stack.enter_context(make_copy(path, expand_short_cells=expand_short_cells))
        try:
            workbook = calamine.CalamineWorkbook.from_path(str(source))
        except calamine.CalamineError as exc:
            if source != path or not needs_copy(path, str(exc)):
                raise
            source = stack.enter_context(make_copy(path))
            workbook = calamine.CalamineWorkbook.from_path(str(source))
        stack.enter_context(closing(workbook))
        yield workbook


def needs_copy(path: Path, message: str) -> bool:
    """Whether python-calamine's refusal (`message`) is one a copy gets past or explains."""
    if message.startswith(OTHER_SHEETS):
        return True
    return message == UNDETECTED and path.suffix not in CALAMINE_SUFFIXES


def guessed_zip(path: Path) -> bool:
    """Whether python-calamine would guess the reader for this file (its extension is not
    one it knows) and the file is a zip, which several of its readers may take."""
    if path.suffix in CALAMINE_SUFFIXES:
        return False
    with path.open("rb") as handle:
        return handle.read(len(OLE_MAGIC)) != OLE_MAGIC


def content_suffix(path: Path) -> str:
    """The extension of what the file holds: .xls for an OLE container, else the zip's
    kind (the safety pass has said it is one of these)."""
    with path.open("rb") as handle:
        if handle.read(len(OLE_MAGIC)) == OLE_MAGIC:
            return ".xls"
    with zipfile.ZipFile(path) as archive:
        kind = zip_kind(set(archive.namelist()))
    return f".{kind or 'ods'}"


@contextmanager
def readable_copy(path: Path, *, expand_short_cells: bool = False) -> Iterator[Path]:
    """A temporary copy of `path` named for its content, without sheets that are not
    worksheets and (`expand_short_cells`) with an .xlsb's short cells in full."""
    suffix = content_suffix(path)
    with tempfile.TemporaryDirectory(prefix="clerk-read-") as folder:
        copy = Path(folder) / f"book{suffix}"
        if suffix in _ZIPPED:
            _rewrite(path, copy, _ZIPPED[suffix], expand_short_cells)
        else:
            shutil.copyfile(path, copy)
        yield copy


_ZIPPED = {".xlsx": "xlsx", ".xlsb": "xlsb"}


def _rewrite(path: Path, copy: Path, kind: str, expand: bool) -> None:
    workbook_part, rels_part = _PARTS[kind]
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(
        copy, "w", zipfile.ZIP_DEFLATED, compresslevel=1
    ) as out:
        others, sheets = _relationships(source, rels_part)
        for info in source.infolist():
            if info.is_dir():
                continue
            name = info.filename
            target = zipfile.ZipInfo(name, date_time=info.date_time)
            target.compress_type = zipfile.ZIP_DEFLATED
            if name == workbook_part and others:
                data = source.read(info)
                out.writestr(target, _without_xml_sheets(data, others) if kind == "xlsx"
                             else biff12.without_sheets(data, others))
                continue
            with source.open(info) as stream, out.open(target, "w") as sink:
                chunks: Iterator[bytes] = iter(partial(stream.read, CHUNK), b"")
                if expand and kind == "xlsb" and _is_sheet(name, sheets):
                    chunks = biff12.expand_short_cells(chunks)
                for chunk in chunks:
                    sink.write(chunk)


def _relationships(source: zipfile.ZipFile, rels_part: str) -> tuple[set[str], set[str]]:
    """(ids of the sheets that are not worksheets, parts of those that are)."""
    others: set[str] = set()
    sheets: set[str] = set()
    try:
        data = source.read(rels_part)
    except KeyError:
        return others, sheets
    for rel in ElementTree.fromstring(data, forbid_dtd=True).iter():
        if rel.tag.rpartition("}")[2] != "Relationship":
            continue
        kind = rel.get("Type", "").rpartition("/")[2].lower()
        if kind in NOT_WORKSHEETS:
            others.add(rel.get("Id", ""))
        elif kind == "worksheet":
            target = rel.get("Target", "")
            sheets.add(target.lstrip("/") if target.startswith("/")
                       else str(PurePosixPath("xl") / target))
    return others, sheets


def _is_sheet(name: str, sheets: set[str]) -> bool:
    return name in sheets or (name.lower().startswith("xl/worksheets/") and name.endswith(".bin"))


def _without_xml_sheets(data: bytes, rel_ids: set[str]) -> bytes:
    """workbook.xml without the <sheet> elements of the given relationship ids."""
    def keep(match: re.Match[bytes]) -> bytes:
        found = _REL_ID.search(match.group(0))
        if found and found.group(1).decode("utf-8", "replace") in rel_ids:
            return b""
        return match.group(0)

    return _SHEET.sub(keep, data)
