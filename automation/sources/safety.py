"""Looks at a workbook file before any reader inflates it.

A shared folder is an open door: a register may be truncated, encrypted,
something else under an .xlsx name, a zip bomb or an XML entity bomb. This
module checks the zip's declared sizes and ratios, inflates every part once from
its raw bytes, never past its declared size (a part that runs on is a bomb, one
that falls short or fails its CRC is damaged), refuses DTDs, follows each sheet's
cell positions the way python-calamine will so an absurd used area is refused
before the reader allocates it, and on the way collects what the fast reader
drops: cached formula errors (`#REF!`) and the 1904 date system.

The same goes for every kind of workbook an office hands over: .xlsx/.xlsm (sheet
XML), .xlsb (a zip of BIFF12 records, followed record by record in `biff12`, its shared
strings counted), .ods (content.xml followed in `odf`, its repeated rows, cells and
spaces counted as the reader writes them out), and the OLE containers of .xls and WPS's
.et/.ett (their allocation tables must lie inside the file; the BIFF records of every
sheet are followed in `biff8`, since the reader builds every sheet when it opens one).
Each sheet's used area is bounded (MAX_SHEET_CELLS), and so are all of a workbook's
together (MAX_WORKBOOK_CELLS) and how many sheets it lists (MAX_SHEETS): the reader
holds them all. So is the text the reader will hold (MAX_TEXT_CHARS): a cell naming a
shared string (.xlsx `t="s"`, .xlsb BrtCellIsst, .xls LABELSST) gets its own copy of it,
so a small file naming one long string in many cells would take gigabytes; each shared
string's length is learnt from the shared-strings part or record, and the lengths of the
strings the cells name are added up, sheet by sheet and across the workbook (a string
written in the cell itself, `t="inlineStr"`, is held once, as written). Sheets of an
.xlsx/.xlsb that are not worksheets (Excel 4 macro sheets, dialog and chart sheets) are
never read, so their contents are only inflated under the limits, not measured. An
.et/.ett that is really a zipped workbook is checked as the kind it holds (and read as
that kind, `readable`).
"""

from __future__ import annotations

import functools
import json
import re
import struct
import subprocess
import sys
import zipfile
import zlib
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

from defusedxml import DefusedXmlException, ElementTree

from ..errors import SourceError
from . import biff8, biff12, odf

MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_PARTS = 5_000
MAX_TOTAL_INFLATED = 512 * 1024 * 1024
MAX_PART_RATIO = 200
RATIO_APPLIES_ABOVE = 4 * 1024 * 1024
MAX_SHEET_CELLS = 12_000_000
"""Rows x columns of a sheet's used area; a reader allocates this much up front."""
MAX_WORKBOOK_CELLS = 16_000_000
"""Rows x columns of all a workbook's sheets together (a sheet counted as often as the
workbook lists it): the reader holds every sheet read at once. Measured peaks at the
limit: about 0.7 GB when the cells are empty (a few KB of file), 1.3 GB when each holds
a number, 2.6 GB when each holds text (a 40 MB file; one sheet at MAX_SHEET_CELLS alone
takes 2.1 GB so). A sheet at the limit of one and a third as much again; the largest real
registers hold well under a million cells."""
MAX_SHEETS = 1_000
"""Sheets a workbook may list: each is read, however small (a register has a handful)."""
MAX_TEXT_CHARS = 32_000_000
"""Characters of cell text a workbook expands to: an .ods's (each copy of a repeated cell
or row holds its own, and `<text:s text:c=...>` stands for any number of spaces), and
the shared strings named by the cells of an .xlsx, .xlsb or .xls (each cell holds its own
copy). Counted in characters, as the officer sees them and as the .ods limit is, not
bytes: the reader holds each as 1-4 bytes of UTF-8 and Python as 1-4 bytes again.
Measured at the limit (2,000 .xlsx cells naming one 16,000-character string), peak of
`clerk validate`: 0.16 GB in ASCII, 0.26 GB in Chinese, 0.35 GB in emoji (4 bytes each
way). A real register holds far less: the benchmark office's largest workbook (110,000
rows), about 5,700,000."""
STRING_CELL_BYTES = 21
"""The fewest bytes of sheet XML a shared-string cell takes: `<c t="s"><v>0</v></c>`."""
MAX_CENTRAL_DIRECTORY = MAX_PARTS * 512
"""Bytes of zip directory; zipfile builds an object per entry before MAX_PARTS is checked."""
CHUNK = 1024 * 1024
CHILD_TIMEOUT = 120
"""Seconds a child interpreter may take to check one file; the worst legal file takes ~30."""

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ZIP_END = b"PK\x05\x06"
ZIP64_END = b"PK\x06\x06"
ZIP64_LOCATOR = b"PK\x06\x07"
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".et", ".ett", ".ods"}
OLE_SUFFIXES = {".xls", ".et", ".ett"}
"""BIFF8 workbooks in an OLE container: legacy Excel's .xls, WPS's own .et and its
template .ett."""
ZIP_KINDS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xlsb": "xlsb", ".ods": "ods"}
MAX_RECORDS = 48_000_000
"""BIFF12 records in an .xlsb's sheets, all told: about 0.5 us each to follow, so the
pass stays under half a minute (a sound 12-million-cell sheet has ~14 million)."""
NOT_WORKSHEETS = {"xlmacrosheet", "xlintlmacrosheet", "dialogsheet", "chartsheet"}
"""Relationship types (last path segment, any case) of sheets that hold no register:
Excel 4 macro sheets, dialog sheets and chart sheets. They are skipped, never read."""
OLE_LAST_SECTOR = 0xFFFFFFF9
"""Higher OLE sector numbers are markers (free, end of chain, FAT, DIFAT), not sectors."""

_DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")
_WIDE_DTD_MARKERS = tuple(
    marker.decode().encode(encoding)
    for marker in _DTD_MARKERS
    for encoding in ("utf-16-le", "utf-16-be")
)
_CELL_REF = re.compile(r"([A-Za-z]*)([0-9]+)")

# A sheet as Excel, WPS, LibreOffice, openpyxl and xlsxwriter write it: every row and cell
# has `r` first (a cell's row number the same as its row's), attributes are plain
# double-quoted, no comments, CDATA or processing instructions. One regex checks that at C
# speed; any other sheet is followed element by element with expat instead.
_NAME = rb"[A-Za-z_][\w.:-]*+"
_ATTRS = rb'(?: ' + _NAME + rb'="[^"<>]*+")*+'
_OTHER_ATTRS = rb'(?: (?!r=)' + _NAME + rb'="[^"<>]*+")*+'
_TEXT = rb"[^<]*+"
_SPACE = rb"[ \t\r\n]*+"
_CHILD = (
    rb"(?:<v(?: ?/>|>" + _TEXT + rb"</v>)"
    rb"|<f" + _ATTRS + rb"(?: ?/>|>" + _TEXT + rb"</f>)"
    rb"|<is><t" + _ATTRS + rb">" + _TEXT + rb"</t></is>)"
)
_CELL = rb'<c r="[A-Z]{1,3}+(?P=row)"' + _OTHER_ATTRS + rb"(?: ?/>|>(?:" + _CHILD + rb")*+</c>)"
_ROW = (
    rb'<row r="(?P<row>[1-9][0-9]{0,6}+)"' + _OTHER_ATTRS
    + rb"(?: ?/>|>(?:" + _SPACE + _CELL + rb")*+" + _SPACE + rb"</row>)"
)
_ROW_AT = re.compile(rb'<row r="([1-9][0-9]{0,6})"')
"""A canonical row's number; its cells carry the same one (the row regex checks that)."""
_CELL_AT = re.compile(rb'<c r="(?P<column>[A-Z]{1,3})(?P<row>[1-9][0-9]{0,6})"')
_CANONICAL_ROWS = re.compile(rb"(?:" + _SPACE + _ROW + rb")*+" + _SPACE)
_CANONICAL_PROLOGUE = re.compile(
    rb"(?:\xef\xbb\xbf)?(?:<\?xml[^<>?]*+\?>)?" + _TEXT
    + rb"(?:</?" + _NAME + _ATTRS + rb" ?/?>" + _TEXT + rb")*+"
)
_STRING_CELL = re.compile(
    rb' t="s"(?:[^>]*+>(?:<f(?:[^>]*+>' + _TEXT + rb'</f>|[^>]*/>))?<v>([0-9]++)</v>(?=</c>))?'
)
"""A shared-string cell of a canonical sheet, and the index its one value names; an
attribute ` t="s"` anywhere else (or a cell written another way) finds the index empty,
and the sheet is followed with expat instead."""
_SHARED_ITEM = re.compile(
    rb'<si>(?:<t(?: xml:space="preserve")?>([^<]*+)</t>|(.*?))</si>', re.DOTALL
)
_TAG = re.compile(rb"<[^>]*+>")
TABLE_STRINGS = 2_000_000
"""Up to this many shared strings, cells find their string's length in a dict keyed by
the index as written (faster than int() for each cell); beyond, in the array."""
MAX_CARRY = 16 * 1024 * 1024
"""A shared string longer than this (in bytes of XML) sends the part to expat."""
_ERROR_CELL = re.compile(rb"<c\b[^>]*?\bt=\"e\"[^>]*>")
_ADDRESS = re.compile(rb"\br=\"([A-Z]{1,3})(\d+)\"")
_VALUE = re.compile(rb"<v>([^<]*)</v>")
_DATE1904 = re.compile(rb"date1904=\"(1|true)\"")

@dataclass
class WorkbookFacts:
    """What the safety pass learnt besides "safe": date system and cached errors."""

    date1904: bool = False
    errors: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)
    """sheet name -> {(0-based row, 0-based column): '#REF!'}"""
    short_cells: bool = False
    """An .xlsb whose sheets use the short cell records python-calamine skips (SheetJS and
    Aspose write them, Excel does not): the reader is given a copy with them in full."""


class _Areas:
    """The used areas of a workbook's sheets, measured one after another: each sheet's
    alone (MAX_SHEET_CELLS) and all of them together (MAX_WORKBOOK_CELLS)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.cells = 0

    def check(self, sheet: str | None, rows: int, columns: int, times: int = 1) -> None:
        """The sheet being measured reaches this far so far (and is listed `times` times):
        refused when it alone, or with the sheets measured before it, is too large."""
        area = rows * max(columns, 1)
        if area > MAX_SHEET_CELLS:
            raise SourceError("source.sheet_too_large", path=str(self.path), sheet=sheet,
                              rows=rows, columns=columns)
        total = self.cells + area * times
        if total > MAX_WORKBOOK_CELLS:
            raise SourceError("source.workbook_too_large", path=str(self.path), cells=total,
                              limit=MAX_WORKBOOK_CELLS)

    def add(self, sheet: str | None, rows: int, columns: int, times: int = 1) -> None:
        """A sheet measured to its end."""
        self.check(sheet, rows, columns, times)
        self.cells += rows * max(columns, 1) * times


class _Text:
    """Characters of cell text the reader will hold, all of a workbook's sheets together:
    refused past MAX_TEXT_CHARS (`check` with what the sheet being read adds so far)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.chars = 0

    def check(self, chars: int) -> None:
        total = self.chars + chars
        if total > MAX_TEXT_CHARS:
            raise SourceError("source.text_too_large", path=str(self.path), chars=total,
                              limit=MAX_TEXT_CHARS)

    def add(self, chars: int) -> None:
        self.check(chars)
        self.chars += chars


def _check_sheet_count(path: Path, count: int) -> None:
    if count > MAX_SHEETS:
        raise SourceError("source.too_many_sheets", path=str(path), count=count,
                          limit=MAX_SHEETS)


def column_number(letters: str) -> int:
    """`A` -> 1, `AA` -> 27."""
    number = 0
    for ch in letters:
        number = number * 26 + (ord(ch) - 64)
    return number


def inspect_workbook(path: Path) -> WorkbookFacts:
    """Refuse anything that is not a sound workbook; return what the reader will not tell."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(4096)
    except FileNotFoundError:
        raise SourceError("source.not_found", path=str(path)) from None
    except PermissionError:
        raise SourceError("source.locked", path=str(path)) from None
    except OSError as exc:
        raise SourceError("source.unreadable", path=str(path), detail=exc.strerror or "") from None
    suffix = path.suffix.lower()
    if suffix not in SPREADSHEET_SUFFIXES:
        raise SourceError("source.bad_suffix", path=str(path), suffix=suffix or "-")
    if size == 0:
        raise SourceError("source.empty", path=str(path))
    if size > MAX_FILE_BYTES:
        raise SourceError("source.too_large", path=str(path), mb=size // (1024 * 1024))
    if head.startswith(OLE_MAGIC):
        return _inspect_ole(path, suffix)
    if not head.startswith(ZIP_MAGIC):
        raise _not_workbook(path, _sniff(head))
    return _inspect_zip(path, suffix, size)


def _not_workbook(path: Path, kind: str) -> SourceError:
    """The refusal of a file that is no workbook; `kind` (`pdf`, `text`, `binary`, ...)
    is said in the office's language (`source.kind.<kind>`)."""
    return SourceError("source.not_workbook", path=str(path), kind=kind,
                       kind_key=f"source.kind.{kind}")


def _sniff(head: bytes) -> str:
    """What a non-workbook file looks like, for the message: a `source.kind` key."""
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe\xfe\xff \t\r\n").lower()
    if text.startswith(b"%pdf"):
        return "pdf"
    if text.startswith((b"<!doctype html", b"<html", b"<table", b"<meta")):
        return "html"
    if text.startswith(b"<?xml") or text.startswith(b"<"):
        return "xml"
    if head.startswith((b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")):
        return "archive"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "image"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text"  # Excel's "Unicode text": UTF-16 with a byte-order mark
    for encoding in ("utf-8", "gb18030"):
        for cut in range(4):  # the head may end inside a multi-byte character
            try:
                head[: len(head) - cut].decode(encoding)
                return "text"
            except UnicodeDecodeError:
                continue
    return "binary"


def _inspect_ole(path: Path, suffix: str) -> WorkbookFacts:
    """An OLE container is either a legacy .xls / .et / .ett or a password-protected OOXML
    file."""
    data = path.read_bytes()
    if ENCRYPTED_STREAM in data:
        raise SourceError("source.encrypted", path=str(path))
    if suffix not in OLE_SUFFIXES:
        raise SourceError("source.wrong_suffix", path=str(path), kind="xls", suffix=suffix)
    if not _ole_sectors_present(data):
        raise SourceError("source.damaged", path=str(path))
    _scan_biff(data, path)
    return WorkbookFacts()


def _scan_biff(data: bytes, path: Path) -> None:
    """Every sheet of a legacy workbook measured as python-calamine will allocate it, which
    it does for all of them when it opens the file: the room a DIMENSIONS record reserves,
    the cells' area from A1, all sheets together (`biff8`)."""
    areas = _Areas(path)
    text = _Text(path)
    budget = MAX_RECORDS
    try:
        for stream in biff8.workbook_streams(data):
            sheets, followed = biff8.scan_workbook(stream, budget, MAX_SHEETS)
            budget -= followed
            for sheet in sheets:
                if sheet.declared_rows * sheet.declared_columns > MAX_SHEET_CELLS:
                    raise SourceError(
                        "source.sheet_too_large", path=str(path), sheet=sheet.name,
                        rows=sheet.declared_rows, columns=sheet.declared_columns)
                areas.add(sheet.name, sheet.rows, sheet.columns)
                text.add(sheet.text)
    except biff8.TooManySheets as exc:
        raise SourceError("source.too_many_sheets", path=str(path), count=exc.count,
                          limit=MAX_SHEETS) from None
    except biff8.Encrypted:
        raise SourceError("source.encrypted", path=str(path)) from None
    except biff8.TooManyRecords:
        raise SourceError("source.bomb", path=str(path),
                          detail=f"> {MAX_RECORDS} records") from None
    except (biff8.BiffError, struct.error):
        raise SourceError("source.damaged", path=str(path)) from None


def _ole_sectors_present(data: bytes) -> bool:
    """Whether every sector the OLE header and allocation table name lies inside the file.

    A cut-off .xls (an interrupted sync or download) names sectors past its end, and
    python-calamine panics on those instead of failing cleanly.
    """
    if len(data) < 512:
        return False
    (shift,) = struct.unpack_from("<H", data, 0x1E)
    if shift not in (9, 12):
        return False
    sector = 1 << shift
    present = (len(data) >> shift) - 1
    fat_count, directory = struct.unpack_from("<2L", data, 0x2C)
    (minifat,) = struct.unpack_from("<L", data, 0x3C)
    difat_next, difat_count = struct.unpack_from("<2L", data, 0x44)
    fat_sectors = list(struct.unpack_from("<109L", data, 0x4C))
    for _ in range(min(difat_count, present)):
        if difat_next >= present:
            return False
        entries = struct.unpack_from(f"<{sector // 4}L", data, (difat_next + 1) * sector)
        fat_sectors.extend(entries[:-1])
        difat_next = entries[-1]
    if fat_count == 0 or fat_count > len(fat_sectors):
        return False
    fat_sectors = fat_sectors[:fat_count]
    named = [*fat_sectors, directory] + ([minifat] if minifat <= OLE_LAST_SECTOR else [])
    if any(number >= present for number in named):
        return False
    for number in fat_sectors:
        chain = struct.unpack_from(f"<{sector // 4}L", data, (number + 1) * sector)
        if any(present <= entry <= OLE_LAST_SECTOR for entry in chain):
            return False
    return True


def _inspect_zip(path: Path, suffix: str, size: int) -> WorkbookFacts:
    _check_central_directory(path, size)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error):
        raise SourceError("source.damaged", path=str(path)) from None
    with archive, path.open("rb") as raw:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        kind = _check_kind(path, suffix, names)
        _check_declared_sizes(path, infos)
        if any(info.flag_bits & 0x1 for info in infos):
            raise SourceError("source.encrypted", path=str(path))
        facts = WorkbookFacts()
        areas = _Areas(path)
        try:
            if kind == "xlsb":
                _scan_xlsb(raw, infos, facts, path, areas)
                return facts
            if kind == "ods":
                _scan_ods(raw, infos, facts, path, areas)
                return facts
            sheet_parts = _sheet_parts(raw, infos, path)
            strings = _Strings(path)
            for info in infos:
                if _is_shared_strings(info):
                    strings.read(raw, info)
            strings.settle(sum(info.file_size * sheet_parts.times.get(info.filename.lower(), 1)
                               for info in infos if _sheet_name(info, sheet_parts) is not None))
            for info in infos:
                if info.is_dir() or _is_shared_strings(info):
                    continue
                _scan_part(raw, info, _sheet_name(info, sheet_parts), facts, path, areas,
                           sheet_parts.times.get(info.filename.lower(), 1), strings)
        except _READ_ERRORS:
            raise SourceError("source.damaged", path=str(path)) from None
        return facts


def _check_kind(path: Path, suffix: str, names: set[str]) -> str:
    """Which kind of zipped workbook the file is read as: the kind its name says; for
    WPS's .et / .ett, whatever zipped workbook it holds (WPS opens such a file as what it
    is, so the officer sees nothing wrong with it); another kind under another name is a
    wrong suffix, anything else not a workbook."""
    expected = ZIP_KINDS.get(suffix)
    if expected is not None and _ZIP_MARKERS[expected] in names:
        return expected
    found = zip_kind(names)
    if found is None:
        raise _not_workbook(path, "word" if "word/document.xml" in names else (
            "powerpoint" if any(n.startswith("ppt/") for n in names) else "zip"))
    if suffix in OLE_SUFFIXES - {".xls"}:
        return found
    raise SourceError("source.wrong_suffix", path=str(path), kind=found, suffix=suffix)


_ZIP_MARKERS = {"xlsx": "xl/workbook.xml", "xlsb": "xl/workbook.bin", "ods": "content.xml"}
"""The part each kind of zipped workbook cannot do without, as its reader looks it up."""


def zip_kind(names: set[str]) -> str | None:
    """Which kind of zipped workbook (`xlsx`, `xlsb`, `ods`) parts named `names` make."""
    return next((kind for kind, marker in _ZIP_MARKERS.items() if marker in names), None)


_READ_ERRORS = (
    zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, struct.error,
    NotImplementedError, zlib.error, expat.ExpatError, ParseError, DefusedXmlException,
)
"""What a broken part raises on the way through zipfile, zlib, expat and the XML parser."""


def _check_central_directory(path: Path, size: int) -> None:
    """Refuse a zip directory too large for a workbook before zipfile builds it in memory.

    zipfile makes an object for every entry of the directory its end record declares, so
    a few hundred MB of one-byte entries cost seconds and GBs before MAX_PARTS is checked.
    The end record is found as zipfile finds it; sizes beyond the file are left to zipfile.
    """
    try:
        with path.open("rb") as fh:
            fh.seek(max(0, size - 22 - 0xFFFF))
            tail = fh.read()
            end = len(tail) - 22
            if not (end >= 0 and tail.startswith(ZIP_END, end) and tail.endswith(b"\0\0")):
                end = tail.rfind(ZIP_END)
            if end < 0 or len(tail) - end < 22:
                return
            declared = [struct.unpack_from("<L", tail, end + 12)[0]]
            locator = end - 20
            if locator >= 0 and tail.startswith(ZIP64_LOCATOR, locator):
                (offset,) = struct.unpack_from("<Q", tail, locator + 8)
                fh.seek(min(offset, size))
                for record in (fh.read(56), tail[max(0, locator - 56):locator]):
                    if len(record) == 56 and record.startswith(ZIP64_END):
                        declared.append(struct.unpack_from("<Q", record, 40)[0])
    except OSError:
        raise SourceError("source.damaged", path=str(path)) from None
    largest = max((d for d in declared if d <= size), default=0)
    if largest > MAX_CENTRAL_DIRECTORY:
        raise SourceError(
            "source.bomb", path=str(path), detail=f"{largest // 1024} KiB zip directory"
        )


def _check_declared_sizes(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_PARTS:
        raise SourceError("source.bomb", path=str(path), detail=f"{len(infos)} parts")
    total = sum(info.file_size for info in infos)
    if total > MAX_TOTAL_INFLATED:
        raise SourceError("source.bomb", path=str(path), detail=f"{total // 2**20} MiB inflated")
    for info in infos:
        if info.file_size > RATIO_APPLIES_ABOVE and (
            info.compress_size == 0 or info.file_size / info.compress_size > MAX_PART_RATIO
        ):
            ratio = info.file_size // max(info.compress_size, 1)
            raise SourceError(
                "source.bomb", path=str(path), detail=f"{info.filename} {ratio}:1"
            )


@dataclass
class _SheetParts:
    """Lower-cased zip part name -> the sheet it holds, and how many times the workbook
    lists it (the reader reads a sheet once for each time it is listed)."""

    names: dict[str, str] = field(default_factory=dict)
    times: dict[str, int] = field(default_factory=dict)
    listed: int = 0
    """Worksheets the workbook lists."""

    def add(self, parts: set[str], name: str) -> None:
        self.listed += 1
        for part in parts:
            self.names[part.lower()] = name
            self.times[part.lower()] = self.times.get(part.lower(), 0) + 1


def _sheet_parts(raw: BinaryIO, infos: list[zipfile.ZipInfo], path: Path) -> _SheetParts:
    """The parts of an .xlsx's worksheets, from workbook.xml and its relationships.

    As python-calamine does, part names match in any case and a target may already start
    with xl/; every copy of a duplicated workbook or relationships part counts.
    """
    targets = _sheet_targets(raw, infos, path, "xl/_rels/workbook.xml.rels")
    parts = _SheetParts()
    for info in infos:
        if info.filename.lower() != "xl/workbook.xml":
            continue
        for sheet in _small_xml(raw, info, path).iter():
            if _local(sheet.tag) != "sheet":
                continue
            ids = [value for key, value in sheet.attrib.items() if key.endswith("}id")]
            found = {part for rid in ids for t in targets.get(rid, [])
                     for part in _target_parts(t)}
            if found:
                parts.add(found, sheet.get("name", ""))
    _check_sheet_count(path, parts.listed)
    return parts


def _sheet_targets(raw: BinaryIO, infos: list[zipfile.ZipInfo], path: Path, rels: str
                   ) -> dict[str, list[str]]:
    """Relationship id -> targets, from every copy of the workbook's relationships part,
    leaving out the sheets that are not worksheets (NOT_WORKSHEETS)."""
    targets: dict[str, list[str]] = {}
    for info in infos:
        if info.filename.lower() != rels:
            continue
        for rel in _small_xml(raw, info, path).iter():
            if _local(rel.tag) != "Relationship":
                continue
            if rel.get("Type", "").rpartition("/")[2].lower() in NOT_WORKSHEETS:
                continue
            targets.setdefault(rel.get("Id", ""), []).append(rel.get("Target", ""))
    return targets


def _scan_xlsb(raw: BinaryIO, infos: list[zipfile.ZipInfo], facts: WorkbookFacts,
               path: Path, areas: _Areas) -> None:
    """Every part of an .xlsb under the limits; its worksheets record by record.

    Its sheets are named by BrtBundleSh records of xl/workbook.bin (python-calamine puts
    `xl/` before each relationship target); as for an .xlsx, any other .bin part under
    xl/worksheets/ is measured too. The shared strings are counted: a cell naming one
    that is not there makes the reader panic.
    """
    targets = _sheet_targets(raw, infos, path, "xl/_rels/workbook.bin.rels")
    parts = _SheetParts()
    for info in infos:
        if info.filename.lower() != "xl/workbook.bin":
            continue
        if info.file_size > 16 * 1024 * 1024:
            raise zipfile.BadZipFile(info.filename)
        book = list(biff12.records(b"".join(_chunks(raw, info, path))))
        facts.date1904 = facts.date1904 or biff12.date1904(book)
        for rel_id, name in biff12.bundle_sheets(book):
            found = {part for target in targets.get(rel_id, [])
                     for part in {*_target_parts(target), f"xl/{target}"}}
            if found:
                parts.add(found, name)
    _check_sheet_count(path, parts.listed)
    budget = MAX_RECORDS
    strings: int | None = None
    lengths: array[int] = array("Q")
    for info in infos:
        if info.filename == biff12.SHARED_STRINGS:
            held, copy = _scan_shared_strings(raw, info, path)
            strings = held if strings is None else min(strings, held)
            for index, length in enumerate(copy[:len(lengths)]):
                lengths[index] = max(lengths[index], length)
            lengths.extend(copy[len(lengths):])
    furthest_string = -1
    text = _Text(path)
    for info in infos:
        name = info.filename.lower()
        if info.is_dir() or name == "xl/workbook.bin" or info.filename == biff12.SHARED_STRINGS:
            continue
        sheet = parts.names.get(name)
        if sheet is None and name.startswith("xl/worksheets/") and name.endswith(".bin"):
            sheet = PurePosixPath(info.filename).stem
        if sheet is None:
            _scan_part(raw, info, None, facts, path, areas)
        else:
            times = parts.times.get(name, 1)
            scan = _scan_binary_sheet(raw, info, sheet, facts, path, budget, areas, times,
                                      lengths[:strings or 0], text)
            budget -= scan.records
            furthest_string = max(furthest_string, scan.furthest_string)
            text.add(scan.text * times)
    if furthest_string >= (strings or 0):
        raise SourceError("source.damaged", path=str(path))


def _scan_shared_strings(raw: BinaryIO, info: zipfile.ZipInfo, path: Path
                         ) -> tuple[int, array[int]]:
    """How many shared strings python-calamine takes from xl/sharedStrings.bin: the
    count its BrtBeginSst declares, which must all be there; and each one's length."""
    scan = biff12.SharedStringsScan()
    for chunk in _chunks(raw, info, path):
        scan.feed(chunk)
    scan.close()
    if scan.declared is None or scan.items < scan.declared:
        raise SourceError("source.damaged", path=str(path))
    return scan.declared, scan.lengths


def _scan_binary_sheet(raw: BinaryIO, info: zipfile.ZipInfo, sheet: str, facts: WorkbookFacts,
                       path: Path, budget: int, areas: _Areas, times: int,
                       lengths: array[int], text: _Text) -> biff12.SheetScan:
    """One .xlsb worksheet under the limits: used area, cells held, records followed
    (at most `budget`), the shared strings its cells name (whose `lengths` are known),
    cached errors and short cells into `facts`."""
    scan = biff12.SheetScan(lengths)
    for chunk in _chunks(raw, info, path):
        scan.feed(chunk)
        areas.check(sheet, scan.rows, scan.columns, times)
        text.check(scan.text * times)
        if scan.records > budget:
            raise SourceError("source.bomb", path=str(path),
                              detail=f"{info.filename} > {budget} records")
        if scan.cells > MAX_SHEET_CELLS:
            raise SourceError("source.bomb", path=str(path),
                              detail=f"{info.filename} {scan.cells} cells")
    scan.close()
    areas.add(sheet, scan.rows, scan.columns, times)
    if scan.errors:
        facts.errors.setdefault(sheet, {}).update(scan.errors)
    facts.short_cells = facts.short_cells or scan.short_cells
    return scan


def _scan_ods(raw: BinaryIO, infos: list[zipfile.ZipInfo], facts: WorkbookFacts,
              path: Path, areas: _Areas) -> None:
    """Every part of an .ods under the limits; content.xml followed as python-calamine
    expands it (`odf`): each table's area, all of them together, and the text they hold.
    A password-protected one (its manifest says how its parts are encrypted, as
    python-calamine looks for it) is refused as such before its content is read."""
    for info in infos:
        if info.filename == "META-INF/manifest.xml":
            if info.file_size > 16 * 1024 * 1024:
                raise zipfile.BadZipFile(info.filename)
            manifest = b"".join(chunk for chunk, _ in _checked_chunks(raw, info, path))
            if b"<manifest:encryption-data" in manifest:
                raise SourceError("source.encrypted", path=str(path))
    for info in infos:
        if info.is_dir():
            continue
        if info.filename != "content.xml":
            _scan_part(raw, info, None, facts, path, areas)
            continue
        content = odf.ContentScan()
        text = _Text(path)
        measured = 0
        for chunk, _ in _checked_chunks(raw, info, path):
            content.feed(chunk)
            for name, rows, columns in content.finished[measured:]:
                areas.add(name, rows, columns)
            measured = len(content.finished)
            _check_sheet_count(path, measured)
            areas.check(content.name, content.rows, content.columns)
            text.check(content.text)
            if content.elements > MAX_RECORDS:
                raise SourceError("source.bomb", path=str(path),
                                  detail=f"content.xml > {MAX_RECORDS} elements")
        content.feed(b"", final=True)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _local_name(name: str) -> str:
    """An element's name without its prefix, cut at the first colon as the reader does."""
    prefix, colon, local = name.partition(":")
    return local if colon else prefix


def _target_parts(target: str) -> set[str]:
    """The zip part names a workbook relationship target may stand for."""
    relative = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
    if target.startswith("/xl/"):
        literal = target[1:]
    elif target.startswith("xl/"):
        literal = target
    else:
        literal = f"xl/{target}"
    return {_posix_normalise(relative), literal}


def _sheet_name(info: zipfile.ZipInfo, sheet_parts: _SheetParts) -> str | None:
    """The sheet a part holds, if a reader may take it for one; anything under
    xl/worksheets/ counts even when no relationship names it."""
    name = info.filename.lower()
    if name in sheet_parts.names:
        return sheet_parts.names[name]
    if name.startswith("xl/worksheets/"):
        return PurePosixPath(info.filename).stem
    return None


def _posix_normalise(part: str) -> str:
    out: list[str] = []
    for piece in part.split("/"):
        if piece == "..":
            if out:
                out.pop()
        elif piece not in ("", "."):
            out.append(piece)
    return "/".join(out)


def _small_xml(raw: BinaryIO, info: zipfile.ZipInfo, path: Path) -> ElementTree.Element:
    if info.file_size > 16 * 1024 * 1024:
        raise zipfile.BadZipFile(info.filename)
    data = b"".join(_chunks(raw, info, path))
    if _has_dtd(data):
        raise SourceError("source.xml_entities", path=str(path), part=info.filename)
    return ElementTree.fromstring(data, forbid_dtd=True)


def _has_dtd(data: bytes, wide: bool = True) -> bool:
    """Whether XML bytes declare a DTD or entities, in UTF-8 or (when `wide`) UTF-16."""
    if b"<!" in data and any(marker in data for marker in _DTD_MARKERS):
        return True
    return wide and b"\x00" in data and any(marker in data for marker in _WIDE_DTD_MARKERS)


def _looks_wide(head: bytes) -> bool:
    """UTF-16 XML starts with a byte-order mark or has a NUL in its first characters."""
    return head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:4]


def _chunks(raw: BinaryIO, info: zipfile.ZipInfo, path: Path) -> Iterator[bytes]:
    """Inflate one part from its raw bytes, never past its declared size, checking its CRC.

    zipfile stops at the declared size and checks the CRC of what it read, so a part
    whose CRC was forged for a short prefix would pass while the reader inflates it all.
    """
    raw.seek(info.header_offset)
    header = raw.read(30)
    if len(header) < 30 or not header.startswith(ZIP_MAGIC):
        raise zipfile.BadZipFile(info.filename)
    name_length, extra_length = struct.unpack_from("<2H", header, 26)
    raw.seek(info.header_offset + 30 + name_length + extra_length)
    if info.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    elif info.compress_type == zipfile.ZIP_STORED:
        inflater = None
    else:
        raise NotImplementedError(info.compress_type)
    left = info.compress_size
    pending = b""
    produced = 0
    crc = 0
    while inflater is None or not inflater.eof:
        if not pending:
            if left == 0:
                break
            pending = raw.read(min(CHUNK, left))
            if not pending:
                raise EOFError(info.filename)
            left -= len(pending)
        if inflater is None:
            data, pending = pending, b""
        else:
            data = inflater.decompress(pending, min(CHUNK, info.file_size - produced + 1))
            pending = inflater.unconsumed_tail
        produced += len(data)
        if produced > info.file_size:
            raise SourceError(
                "source.bomb", path=str(path),
                detail=f"{info.filename} > {info.file_size} B declared",
            )
        if data:
            crc = zlib.crc32(data, crc)
            yield data
    if produced != info.file_size or crc != info.CRC:
        raise zipfile.BadZipFile(info.filename)


def _is_shared_strings(info: zipfile.ZipInfo) -> bool:
    """An .xlsx's shared strings part, in any case (as the reader looks parts up)."""
    return info.filename.lower() == "xl/sharedstrings.xml"


class _Strings:
    """The shared strings of an .xlsx, each one's length in characters (as many as or more
    than the reader will hold: entities, `_xHHHH_` escapes and phonetic runs count as
    written), and the text of the cells that name them (`text`).

    Cells are counted only when they might matter (`counting`): not when every cell the
    sheets' bytes could hold, each naming the longest string, stays under MAX_TEXT_CHARS.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lengths = array("Q")
        self.text = _Text(path)
        self.counting = False
        self._table: dict[bytes, int] = {}

    def read(self, raw: BinaryIO, info: zipfile.ZipInfo) -> None:
        """One copy of the shared strings part (another copy's longer strings win)."""
        lengths = _shared_string_lengths(raw, info, self.path)
        for index, length in enumerate(lengths[:len(self.lengths)]):
            self.lengths[index] = max(self.lengths[index], length)
        self.lengths.extend(lengths[len(self.lengths):])

    def settle(self, sheet_bytes: int) -> None:
        """Whether cells need counting, given the bytes of all sheet XML (a sheet listed
        twice counted twice)."""
        longest = max(self.lengths, default=0)
        if sheet_bytes // STRING_CELL_BYTES * longest <= MAX_TEXT_CHARS:
            return
        self.counting = True
        if len(self.lengths) <= TABLE_STRINGS:
            self._table = {b"%d" % index: length for index, length in enumerate(self.lengths)}

    def chars(self, indexes: list[bytes]) -> int:
        """The characters of the strings these cells name (an index as written)."""
        try:
            return sum(map(self._table.__getitem__, indexes))
        except KeyError:  # a large table, or an index written `007`
            return sum(map(self.length, map(int, indexes)))

    def length(self, index: int) -> int:
        """A string's length; a string that is not there is no text."""
        return self.lengths[index] if 0 <= index < len(self.lengths) else 0


def _shared_string_lengths(raw: BinaryIO, info: zipfile.ZipInfo, path: Path) -> array[int]:
    """Each `<si>` item's length in characters: at regex speed when the part is written
    plainly (UTF-8, `<si>` unprefixed, no comments or CDATA), by expat otherwise."""
    lengths = array("Q")
    carry = b""
    for chunk, _ in _checked_chunks(raw, info, path):
        if not lengths and not carry and _looks_wide(chunk[:4]):
            return _shared_string_lengths_slowly(raw, info, path)
        window = carry + chunk if carry else chunk
        cut = window.rfind(b"<si")
        if cut <= 0:
            carry = window
            if len(carry) > MAX_CARRY:
                return _shared_string_lengths_slowly(raw, info, path)
            continue
        found = _plain_items(window[:cut])
        if found is None:
            return _shared_string_lengths_slowly(raw, info, path)
        lengths.extend(found)
        carry = window[cut:]
    found = _plain_items(carry)
    if found is None:
        return _shared_string_lengths_slowly(raw, info, path)
    lengths.extend(found)
    return lengths


def _plain_items(block: bytes) -> list[int] | None:
    """The lengths of the `<si>` items of a stretch of plainly written shared strings (each
    item's text, tags left out), or None when it is not plain: an item the regex cannot
    tell from the `<si` that start it, a comment, CDATA or a prefixed item."""
    if b"<!" in block or b":si" in block:
        return None
    found = _SHARED_ITEM.findall(block)
    if len(found) != block.count(b"<si"):
        return None
    return [len((plain or _TAG.sub(b"", rich)).decode("utf-8", "replace"))
            for plain, rich in found]


def _shared_string_lengths_slowly(raw: BinaryIO, info: zipfile.ZipInfo, path: Path
                                  ) -> array[int]:
    """Each `<si>` item's length by expat: all the text inside it, whatever its encoding,
    prefixes, comments or CDATA."""
    scan = _SharedStringsXml()
    for chunk, _ in _checked_chunks(raw, info, path):
        scan.feed(chunk)
    scan.feed(b"", final=True)
    return scan.lengths


class _SharedStringsXml:
    """Fed a shared strings part: the characters of text inside each `si` element (named
    as the reader names it: the part after the first colon). An item inside an item is
    refused as damaged, not guessed."""

    def __init__(self) -> None:
        self.lengths = array("Q")
        self._depth = 0
        self._parser = odf.streaming_parser(self)

    def feed(self, data: bytes, final: bool = False) -> None:
        self._parser.Parse(data, final)

    def _doctype(self, *_: object) -> None:
        raise ValueError("DTD in the shared strings")

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        if self._depth:
            if _local_name(name) == "si":
                raise ValueError("a shared string inside a shared string")
            self._depth += 1
        elif _local_name(name) == "si":
            self.lengths.append(0)
            self._depth = 1

    def _end(self, name: str) -> None:
        if self._depth:
            self._depth -= 1

    def _characters(self, data: str) -> None:
        if self._depth:
            self.lengths[-1] += len(data)


class _CanonicalSheet:
    """The used area of a canonically written sheet, at regex speed; or gives up (`failed`).

    Fed the sheet part chunk by chunk; `done` once </sheetData> is reached, as the
    reader stops there. Rows and columns are those of the furthest cell from A1; `text`
    the characters of the shared strings its cells name, when `strings` are counted.
    """

    def __init__(self, strings: _Strings | None = None) -> None:
        self.strings = strings if strings is not None and strings.counting else None
        self.text = 0
        self.rows = 0
        self.columns = 0
        self.done = False
        self.failed = False
        self._carry = b""
        self._in_rows = False
        self._row = b""
        self._column = b""

    def feed(self, chunk: bytes) -> None:
        if self.done or self.failed:
            return
        data = self._carry + chunk
        start = 0
        if not self._in_rows:
            at = data.find(b"<sheetData")
            if at < 0:
                self._keep(data, 0)
                return
            if data.find(b"sheetData") != at + 1 or not _CANONICAL_PROLOGUE.fullmatch(
                data, 0, at
            ):
                self.failed = True
                return
            if data.startswith(b"<sheetData/>", at):
                self.done = True
                return
            if not data.startswith(b"<sheetData>", at):
                if len(data) - at < len(b"<sheetData/>"):
                    self._keep(data, 0)  # cut short: wait for the next chunk
                else:
                    self.failed = True
                return
            start = at + len(b"<sheetData>")
            self._in_rows = True
        rows = _CANONICAL_ROWS.match(data, start)
        end = rows.end() if rows else start
        if self.strings is not None:
            indexes = _STRING_CELL.findall(data, start, end)
            if indexes:
                if b"" in indexes:
                    self.failed = True
                    return
                self.text += self.strings.chars(indexes)
        numbers = _ROW_AT.findall(data, start, end)
        if numbers:
            furthest = max(map(int, numbers))
            if furthest > int(self._row or b"0"):
                self._row = str(furthest).encode()
        self._column = _furthest(data, start, end, "column", self._column)
        self.rows = int(self._row or b"0")
        self.columns = column_number(self._column.decode())
        if data.startswith(b"</sheetData>", end):
            self.done = True
        else:
            self._keep(data, end)

    def _keep(self, data: bytes, start: int) -> None:
        """Carry an unfinished row into the next chunk; a row over CHUNK is not canonical."""
        self._carry = data[start:]
        if len(self._carry) > CHUNK:
            self.failed = True


def _furthest(data: bytes, start: int, end: int, kind: str, current: bytes) -> bytes:
    """The highest cell row number or column letters in data[start:end], or `current`.

    Cells usually come in order, so the last one is tried first, then a search for any
    further one, which in a sorted sheet finds none; a sheet in a contrived order gets
    every cell listed instead.
    """
    last = data.rfind(b'<c r="', start, end)
    if last >= 0 and (cell := _CELL_AT.match(data, last)):
        current = max(current, cell[kind], key=_order)
    for _ in range(8):
        found = _beyond(kind, current).search(data, start, end)
        if not found:
            return current
        current = found[1]
        start = found.start()
    values = {cell[kind] for cell in _CELL_AT.finditer(data, start, end)}
    return max(values | {current}, key=_order)


def _order(value: bytes) -> tuple[int, bytes]:
    """Row numbers and column letters sort by length, then by character."""
    return len(value), value


@functools.lru_cache(maxsize=4096)
def _beyond(kind: str, current: bytes) -> re.Pattern[bytes]:
    """A regex for a canonical cell whose row number or column letters (`kind`) come after
    `current`: longer, or as long and greater at the first difference."""
    if kind == "row":
        head, first, rest, top, most = rb'<c r="[A-Z]{1,3}+', b"[1-9]", b"[0-9]", b"9", 7
        tail = b'"'
    else:
        head, first, rest, top, most = b'<c r="', b"[A-Z]", b"[A-Z]", b"Z", 3
        tail = b"[0-9]"
    options = []
    if len(current) < most:
        options.append(first + rest + b"{%d,%d}" % (len(current), most - 1))
    for i, byte in enumerate(current):
        if byte < top[0]:
            options.append(
                re.escape(current[:i]) + b"[" + bytes([byte + 1]) + b"-" + top + b"]"
                + rest + b"{%d}" % (len(current) - i - 1)
            )
    return re.compile(head + b"(" + (b"|".join(options) or b"(?!)") + b")" + tail)


class _SheetExtent:
    """Follows a sheet's cell positions the way python-calamine will place them.

    calamine puts a cell at its `r` reference or, without one, after the previous cell
    (a row without `r` follows the previous row), and allocates the dense range from A1
    to the furthest cell. expat reads quoting, comments, CDATA and prefixes as calamine
    does; what expat finds malformed, or a cell nested in a cell, is refused, not guessed.
    A shared-string cell (`t="s"`) adds the length of the string its value names to
    `text`, when `strings` are counted (the longest, should it have several values).
    """

    def __init__(self, strings: _Strings | None = None) -> None:
        self.rows = 0
        self.columns = 0
        self.text = 0
        self._row = 0
        self._column = 0
        self._in_cell = False
        self._stage = 0  # 0 before <sheetData>, 1 inside it, 2 after it
        self._strings = strings if strings is not None and strings.counting else None
        self._string_cell = False
        self._value: list[str] | None = None
        self._cell_text = 0
        self._parser = expat.ParserCreate("utf-8")
        self._parser.StartElementHandler = self._start
        self._parser.EndElementHandler = self._end
        self._parser.StartDoctypeDeclHandler = self._doctype
        if self._strings is not None:
            self._parser.CharacterDataHandler = self._characters

    def feed(self, data: bytes, final: bool = False) -> None:
        self._parser.Parse(data, final)

    def _doctype(self, *_: object) -> None:
        raise ValueError("DTD in a sheet")

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        local = _local_name(name)
        if self._stage != 1:
            if self._stage == 0 and local == "sheetData":
                self._stage = 1
            return
        if self._in_cell:
            if local in ("c", "row"):
                raise ValueError("cell or row nested in a cell")
            if local == "v" and self._string_cell:
                self._value = []
            return
        if local == "row":
            ref = _CELL_REF.fullmatch(attrs.get("r", ""))
            if ref:
                self._row = int(ref.group(2)) - 1
        elif local == "c":
            row, column = self._row, self._column
            ref = _CELL_REF.fullmatch(attrs.get("r", ""))
            if ref and ref.group(1):
                row = int(ref.group(2)) - 1
                column = self._column = column_number(ref.group(1).upper()) - 1
            self._in_cell = True
            self._string_cell = self._strings is not None and attrs.get("t") == "s"
            self._cell_text = 0
            self.rows = max(self.rows, row + 1)
            self.columns = max(self.columns, column + 1)

    def _end(self, name: str) -> None:
        if self._stage != 1:
            return
        local = _local_name(name)
        if self._in_cell:
            if local == "c":
                self._in_cell = False
                self._column += 1
                self.text += self._cell_text
            elif local == "v" and self._value is not None and self._strings is not None:
                value = "".join(self._value).strip()
                self._value = None
                if value.isascii() and value.lstrip("+").isdigit():
                    length = self._strings.length(int(value))
                    self._cell_text = max(self._cell_text, length)
        elif local == "row":
            self._row += 1
            self._column = 0
        elif local == "sheetData":
            self._stage = 2


    def _characters(self, data: str) -> None:
        if self._value is not None and len(self._value) < 64:
            self._value.append(data)


def _scan_part(
    raw: BinaryIO,
    info: zipfile.ZipInfo,
    sheet: str | None,
    facts: WorkbookFacts,
    path: Path,
    areas: _Areas,
    times: int = 1,
    strings: _Strings | None = None,
) -> None:
    """Inflate one part under the limits; note DTDs, the date system, errors and extent
    (of a sheet listed `times` times), and the shared strings its cells name."""
    name = info.filename.lower()
    is_xml = sheet is not None or name.endswith((".xml", ".rels", ".vml"))
    fast = _CanonicalSheet(strings) if sheet is not None else None
    errors: dict[tuple[int, int], str] = {}
    for chunk, window in _checked_chunks(raw, info, path, is_xml):
        if name == "xl/workbook.xml" and _DATE1904.search(window):
            facts.date1904 = True
        if fast is not None:
            fast.feed(chunk)
            areas.check(sheet, fast.rows, fast.columns, times)
            if strings is not None:
                strings.text.check(fast.text * times)
            if b't="e"' in window:
                _collect_errors(window, errors)
    if fast is None:
        return
    measured: _CanonicalSheet | _SheetExtent = fast
    if not fast.done:
        measured = extent = _SheetExtent(strings)
        for chunk in _chunks(raw, info, path):
            extent.feed(chunk)
            areas.check(sheet, extent.rows, extent.columns, times)
            if strings is not None:
                strings.text.check(extent.text * times)
        extent.feed(b"", final=True)
    areas.add(sheet, measured.rows, measured.columns, times)
    if strings is not None:
        strings.text.add(measured.text * times)
    if sheet is not None and errors:
        facts.errors[sheet] = errors


def _checked_chunks(raw: BinaryIO, info: zipfile.ZipInfo, path: Path, is_xml: bool = True
                    ) -> Iterator[tuple[bytes, bytes]]:
    """(chunk, the chunk with the end of the one before) of a part inflated under the
    limits; an XML part (`is_xml`) that declares a DTD, in UTF-8 or UTF-16, is refused."""
    tail = b""
    wide: bool | None = None
    head = b""
    for chunk in _chunks(raw, info, path):
        window = tail + chunk
        if wide is None:
            head += chunk[:4]
            wide = _looks_wide(head) if len(head) >= 4 else None
        if is_xml and _has_dtd(window, wide is not False):
            raise SourceError("source.xml_entities", path=str(path), part=info.filename)
        yield chunk, window
        tail = window[-4096:]


def _collect_errors(window: bytes, errors: dict[tuple[int, int], str]) -> None:
    for match in _ERROR_CELL.finditer(window):
        address = _ADDRESS.search(match.group(0))
        if not address:
            continue
        end = window.find(b"</c>", match.end())
        value = _VALUE.search(window, match.end(), end if end != -1 else len(window))
        text = value.group(1).decode("utf-8", "replace") if value else "#ERROR"
        row = int(address.group(2)) - 1
        col = column_number(address.group(1).decode()) - 1
        errors[(row, col)] = text


def inspect_in_child(path: Path) -> WorkbookFacts:
    """The safety pass in a fresh interpreter, so its CPU work leaves this process's GIL
    (large offices read while they are checked). Falls back to checking here when no
    child can be started or it answers nothing readable."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "automation.sources.safety", str(path)],
            capture_output=True, timeout=CHILD_TIMEOUT, check=False,
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
        )
        answer = json.loads(done.stdout.decode("utf-8"))
    except subprocess.TimeoutExpired:
        raise SourceError("source.bomb", path=str(path),
                          detail=f"> {CHILD_TIMEOUT} s to check") from None
    except (OSError, subprocess.SubprocessError, ValueError):
        return inspect_workbook(path)
    if "refused" in answer:
        raise SourceError(answer["refused"]["key"], **answer["refused"]["values"])
    facts = answer.get("facts")
    if not isinstance(facts, dict):
        return inspect_workbook(path)
    errors: dict[str, dict[tuple[int, int], str]] = {}
    for sheet, row, column, text in facts["errors"]:
        errors.setdefault(sheet, {})[(row, column)] = text
    return WorkbookFacts(date1904=bool(facts["date1904"]), errors=errors,
                         short_cells=bool(facts.get("short_cells")))


def _child_main(argv: list[str]) -> int:
    """`python -m automation.sources.safety PATH`: one JSON line, facts or refusal."""
    try:
        facts = inspect_workbook(Path(argv[0]))
    except SourceError as exc:
        answer: dict[str, object] = {"refused": {"key": exc.key, "values": exc.values}}
    else:
        answer = {"facts": {
            "date1904": facts.date1904,
            "errors": [[sheet, row, column, text]
                       for sheet, cells in facts.errors.items()
                       for (row, column), text in cells.items()],
            "short_cells": facts.short_cells,
        }}
    sys.stdout.write(json.dumps(answer, ensure_ascii=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(_child_main(sys.argv[1:]))
