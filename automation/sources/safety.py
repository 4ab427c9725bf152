"""Looks at a workbook file before any reader inflates it.

A shared folder is an open door: a register may be truncated, encrypted,
something else under an .xlsx name, a zip bomb or an XML entity bomb. This
module checks the zip's declared sizes and ratios, streams every part once
under hard limits (the zip's own CRC check catches parts that lie about their
size), refuses DTDs, and on the way collects what the fast reader drops:
cached formula errors (`#REF!`) and the 1904 date system.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from defusedxml import ElementTree

from ..errors import SourceError

MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_PARTS = 5_000
MAX_TOTAL_INFLATED = 512 * 1024 * 1024
MAX_PART_RATIO = 200
RATIO_APPLIES_ABOVE = 4 * 1024 * 1024
MAX_SHEET_CELLS = 12_000_000
"""Rows x columns of a sheet's used area; a reader allocates this much up front."""
CHUNK = 1024 * 1024

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}

_ROW_NUMBER = re.compile(rb"<row\b[^>]*?\br=\"(\d+)\"")
_WIDE_COLUMN = re.compile(rb"\br=\"([A-Z]{2,3})\d+\"")
_ERROR_CELL = re.compile(rb"<c\b[^>]*?\bt=\"e\"[^>]*>")
_ADDRESS = re.compile(rb"\br=\"([A-Z]{1,3})(\d+)\"")
_VALUE = re.compile(rb"<v>([^<]*)</v>")
_DATE1904 = re.compile(rb"date1904=\"(1|true)\"")
_SINGLE_LETTERS = [(26 - i, f' r="{chr(ord("Z") - i)}'.encode()) for i in range(26)]

NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass
class WorkbookFacts:
    """What the safety pass learnt besides "safe": date system and cached errors."""

    date1904: bool = False
    errors: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)
    """sheet name -> {(0-based row, 0-based column): '#REF!'}"""


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
        raise SourceError("source.not_workbook", path=str(path), kind=_sniff(head))
    if suffix == ".xls":
        raise SourceError("source.wrong_suffix", path=str(path), kind="xlsx", suffix=suffix)
    return _inspect_zip(path, suffix)


def _sniff(head: bytes) -> str:
    """A short name for what a non-workbook file looks like, for the message."""
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe\xfe\xff \t\r\n").lower()
    if text.startswith(b"%pdf"):
        return "PDF"
    if text.startswith((b"<!doctype html", b"<html", b"<table", b"<meta")):
        return "HTML"
    if text.startswith(b"<?xml") or text.startswith(b"<"):
        return "XML"
    if head.startswith((b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")):
        return "archive"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "image"
    try:
        head.decode("utf-8")
        return "text/CSV"
    except UnicodeDecodeError:
        pass
    try:
        head.decode("gb18030")
        return "text/CSV"
    except UnicodeDecodeError:
        return "binary"


def _inspect_ole(path: Path, suffix: str) -> WorkbookFacts:
    """An OLE container is either a legacy .xls or a password-protected OOXML file."""
    data = path.read_bytes()
    if ENCRYPTED_STREAM in data:
        raise SourceError("source.encrypted", path=str(path))
    if suffix != ".xls":
        raise SourceError("source.wrong_suffix", path=str(path), kind="xls", suffix=suffix)
    return WorkbookFacts()


def _inspect_zip(path: Path, suffix: str) -> WorkbookFacts:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise SourceError("source.damaged", path=str(path)) from None
    with archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        if suffix == ".ods":
            if "content.xml" not in names:
                raise SourceError("source.not_workbook", path=str(path), kind="zip")
        elif "xl/workbook.xml" not in names:
            kind = "Word" if "word/document.xml" in names else (
                "PowerPoint" if any(n.startswith("ppt/") for n in names) else "zip")
            raise SourceError("source.not_workbook", path=str(path), kind=kind)
        _check_declared_sizes(path, infos)
        sheet_parts = _sheet_parts(archive) if suffix != ".ods" else {}
        facts = WorkbookFacts()
        for info in infos:
            if info.is_dir():
                continue
            sheet = sheet_parts.get(info.filename)
            if info.flag_bits & 0x1:
                raise SourceError("source.encrypted", path=str(path))
            try:
                _scan_part(archive, info, sheet, facts, path)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError):
                raise SourceError("source.damaged", path=str(path)) from None
            except NotImplementedError:
                raise SourceError("source.damaged", path=str(path)) from None
        return facts


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


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """zip part name -> sheet name, from workbook.xml and its relationships."""
    try:
        workbook = _small_xml(archive, "xl/workbook.xml")
        rels = _small_xml(archive, "xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    targets = {
        rel.get("Id"): rel.get("Target", "")
        for rel in rels.iter(f"{NS_PKG_REL}Relationship")
    }
    parts: dict[str, str] = {}
    for sheet in workbook.iter(f"{NS_MAIN}sheet"):
        target = targets.get(sheet.get(f"{NS_REL}id"))
        if not target:
            continue
        part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        parts[_posix_normalise(part)] = sheet.get("name", "")
    return parts


def _posix_normalise(part: str) -> str:
    out: list[str] = []
    for piece in part.split("/"):
        if piece == "..":
            if out:
                out.pop()
        elif piece not in ("", "."):
            out.append(piece)
    return "/".join(out)


def _small_xml(archive: zipfile.ZipFile, name: str) -> ElementTree.Element:
    info = archive.getinfo(name)
    if info.file_size > 16 * 1024 * 1024:
        raise zipfile.BadZipFile(name)
    data = archive.read(info)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise zipfile.BadZipFile(name)
    return ElementTree.fromstring(data, forbid_dtd=True)


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    with archive.open(info) as stream:
        while chunk := stream.read(CHUNK):
            yield chunk


def _scan_part(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    sheet: str | None,
    facts: WorkbookFacts,
    path: Path,
) -> None:
    """Inflate one part under the limits; note DTDs, the date system, errors and extent."""
    is_xml = info.filename.endswith((".xml", ".rels", ".vml"))
    tail = b""
    max_row = 0
    max_col = 0
    errors: dict[tuple[int, int], str] = {}
    for chunk in _chunks(archive, info):
        window = tail + chunk
        if is_xml and (b"<!DOCTYPE" in window or b"<!ENTITY" in window):
            raise SourceError("source.xml_entities", path=str(path), part=info.filename)
        if info.filename == "xl/workbook.xml" and _DATE1904.search(window):
            facts.date1904 = True
        if sheet is not None:
            rows = _ROW_NUMBER.findall(window)
            if rows:
                max_row = max(max_row, *map(int, rows))
            for letters in _WIDE_COLUMN.findall(window):
                max_col = max(max_col, column_number(letters.decode()))
            if max_col < 26:
                for number, needle in _SINGLE_LETTERS:
                    if number <= max_col:
                        break
                    if needle in window:
                        max_col = number
                        break
            if max_row * max(max_col, 1) > MAX_SHEET_CELLS:
                raise SourceError(
                    "source.sheet_too_large", path=str(path), sheet=sheet,
                    rows=max_row, columns=max_col,
                )
            if b't="e"' in window:
                _collect_errors(window, errors)
        tail = window[-4096:]
    if sheet is not None and errors:
        facts.errors[sheet] = errors


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
