"""Binary workbooks (.xlsb) made record by record, for the files no real producer makes:
hostile ones (lying dimensions, absurd used areas, bombs in a .bin part) and a few the
real producers here cannot (Excel's BrtFmlaError formula cells, a macro sheet).

The records are those of [MS-XLSB] as python-calamine reads them; a sound file made here
opens in python-calamine. The .xlsb files written by a real producer (SheetJS) are in
fixtures/more_formats/.
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from automation.sources.biff12 import record_bytes as record

WORKSHEET = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
MACROSHEET = "http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled'
    '.main"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/></Types>'
)
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.bin"/></Relationships>'
)
ERROR_CODES = {"#NULL!": 0x00, "#DIV/0!": 0x07, "#VALUE!": 0x0F, "#REF!": 0x17,
               "#NAME?": 0x1D, "#NUM!": 0x24, "#N/A": 0x2A}


def wide(text: str) -> bytes:
    return struct.pack("<I", len(text)) + text.encode("utf-16-le")


def cell(column: int, style: int = 0) -> bytes:
    return struct.pack("<I", column) + struct.pack("<I", style)[:3] + b"\0"


def row(number: int) -> bytes:
    """BrtRowHdr: 0-based row, style, height, flags, no column spans."""
    return record(0x0000, struct.pack("<IIHHBI", number, 0, 300, 0, 0, 0))


def number(column: int, value: float) -> bytes:
    return record(0x0005, cell(column) + struct.pack("<d", value))


def text(column: int, value: str) -> bytes:
    return record(0x0006, cell(column) + wide(value))


def error(column: int, code: str) -> bytes:
    """BrtCellError: a cell holding an error value."""
    return record(0x0003, cell(column) + bytes([ERROR_CODES[code]]))


def formula_error(column: int, code: str) -> bytes:
    """BrtFmlaError as Excel writes it: cached error, flags, then the formula `=#REF!`
    (a 1-byte PtgErr) and no extra data."""
    formula = struct.pack("<I", 2) + bytes([0x1C, ERROR_CODES[code]]) + struct.pack("<I", 0)
    return record(0x000B, cell(column) + bytes([ERROR_CODES[code]]) + b"\0\0" + formula)


def short_number(value: float) -> bytes:
    """BrtShortReal: the column is the previous cell's + 1 (as SheetJS writes it)."""
    return record(0x0010, struct.pack("<I", 0) + struct.pack("<d", value))


def sheet_head(dimension: tuple[int, int, int, int] = (0, 0, 0, 0)) -> bytes:
    """BrtBeginSheet, BrtWsDim (first row, last row, first column, last column) and
    BrtBeginSheetData."""
    return record(0x0081, b"") + record(0x0094, struct.pack("<4I", *dimension)) + record(
        0x0091, b"")


SHEET_TAIL = record(0x0092, b"") + record(0x0082, b"")


def rows(table: Iterable[Iterable[object]]) -> bytes:
    """Records for a table of str / float / int / '#REF!'-style errors / None, from A1."""
    out = bytearray()
    for r, values in enumerate(table):
        out += row(r)
        for c, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, str) and value in ERROR_CODES:
                out += error(c, value)
            elif isinstance(value, str):
                out += text(c, value)
            else:
                out += number(c, float(value))
    return bytes(out)


def workbook_bin(names: list[str], *, date1904: bool = False) -> bytes:
    body = record(0x0083, b"") + record(0x0099, struct.pack("<I", int(date1904)) + b"\0" * 8)
    body += record(0x008F, b"")
    for index, name in enumerate(names, 1):
        body += record(0x009C, struct.pack("<II", 0, index) + wide(f"rId{index}") + wide(name))
    return body + record(0x0090, b"") + record(0x0084, b"")


def relationships(targets: list[tuple[str, str]]) -> str:
    items = "".join(f'<Relationship Id="rId{i}" Type="{kind}" Target="{target}"/>'
                    for i, (kind, target) in enumerate(targets, 1))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
            f'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{items}'
            "</Relationships>")


def write_xlsb(path: Path, sheets: dict[str, bytes | Iterable[bytes]], *,
               date1904: bool = False, macro_sheets: dict[str, bytes] | None = None,
               compresslevel: int | None = None) -> Path:
    """An .xlsb whose sheets are given as the records between BrtBeginSheetData and
    BrtEndSheetData (bytes, or chunks streamed into the zip); `macro_sheets` are added
    as Excel 4 macro sheets after them."""
    macro_sheets = macro_sheets or {}
    names = [*sheets, *macro_sheets]
    targets = [(WORKSHEET, f"worksheets/sheet{i}.bin") for i in range(1, len(sheets) + 1)]
    targets += [(MACROSHEET, f"macrosheets/sheet{i}.bin")
                for i in range(1, len(macro_sheets) + 1)]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", PACKAGE_RELS)
        z.writestr("xl/workbook.bin", workbook_bin(names, date1904=date1904))
        z.writestr("xl/_rels/workbook.bin.rels", relationships(targets))
        for (_, target), body in zip(targets, [*sheets.values(), *macro_sheets.values()],
                                     strict=True):
            with z.open(f"xl/{target}", "w") as stream:
                for chunk in sheet_chunks(body):
                    stream.write(chunk)
    return path


def sheet_chunks(body: bytes | Iterable[bytes]) -> Iterator[bytes]:
    yield sheet_head()
    if isinstance(body, bytes):
        yield body
    else:
        yield from body
    yield SHEET_TAIL
