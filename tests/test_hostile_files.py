"""Hostile and broken workbook files, made here, each of which Sheet Clerk must refuse cleanly.

For every file: the right `SourceError` key from `inspect_workbook` and from
`FileSource.read` (with python-calamine replaced by a tripwire, so a file that gets past
the inspection fails the test instead of letting the reader allocate), a bounded time,
and the file's bytes unchanged. A few go end to end through `clerk validate`, and the
bombs once more in a child process whose peak memory is measured.

The same for the other formats an office hands over: .xlsb (its sheets are binary
records: bombs in a .bin part, lying or absurd used areas, records cut short, too many
records or cells) and WPS's .et/.ett (truncated, encrypted, another format under the name).

The corpus is built on first use in a temporary folder. The zip bomb is written in
streaming chunks (once per test process), so the test stays small in memory and quick.
"""

from __future__ import annotations

import functools
import hashlib
import json
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsb_build as xb
import xlsxwriter
from conftest import soffice_convert, soffice_path

from automation.errors import SourceError
from automation.sources import files, safety
from automation.sources.biff12 import record_bytes as record
from automation.sources.files import FileSource
from automation.sources.safety import inspect_workbook

TIME_LIMIT = 20.0
"""Seconds any refusal may take."""
MEMORY_LIMIT = 2 * 1024**3
"""Peak resident memory (bytes) of a child reading the bombs."""
BOMB_MIB = 600
"""What the zip bomb's sheet inflates to; it is about 0.6 MB on disk."""
DECLARED = 4096
"""The size the lying zip declares for its 600 MiB sheet."""

SHEET = "xl/worksheets/sheet1.xml"
SHEETJS_ROSTER = Path(__file__).parent / "fixtures" / "more_formats" / "roster.xlsb"
"""The roster as SheetJS writes an .xlsb (fixtures/more_formats/README.md)."""
SHEETJS_XLS = SHEETJS_ROSTER.with_suffix(".xls")
"""The roster as SheetJS writes an .xls: its Workbook stream (3 KB) is in the mini stream."""
SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b"<sheetData>"
)
SHEET_TAIL = b"</sheetData></worksheet>"
FAR_CELLS = (
    b'<row r="1"><c r="A1"><v>1</v></c></row>'
    b'<row r="1048576"><c r="XFD1048576"><v>2</v></c></row>'
)


# --- building blocks ---------------------------------------------------------------------


def real_xlsx(path: Path) -> Path:
    """A small, sound workbook written by xlsxwriter."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("物资台账")
    sheet.write_row(0, 0, ["物资编号", "物资名称", "数量"])
    for row in range(1, 30):
        sheet.write_row(row, 0, [f"WZ{row:04d}", f"折叠椅{row}", row * 2])
    book.close()
    return path


def sheet_xml(body: bytes) -> bytes:
    return SHEET_HEAD + body + SHEET_TAIL


def repack(
    path: Path,
    parts: dict[str, bytes] | None = None,
    rename: dict[str, str] | None = None,
) -> Path:
    """A real workbook with some parts replaced and/or renamed."""
    parts, rename = parts or {}, rename or {}
    source = real_xlsx(path.with_name(path.name + ".src.xlsx"))
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = parts.get(info.filename, src.read(info))
            out.writestr(rename.get(info.filename, info.filename), data)
    source.unlink()
    return path


def central_entries(data: bytes) -> Iterator[tuple[str, int, int]]:
    """(name, offset of its central directory entry, offset of its local header)."""
    end = data.rfind(b"PK\x05\x06")
    count, _, start = struct.unpack_from("<HLL", data, end + 10)
    at = start
    for _ in range(count):
        name_len, extra_len, comment_len = struct.unpack_from("<3H", data, at + 28)
        (local,) = struct.unpack_from("<L", data, at + 42)
        yield data[at + 46:at + 46 + name_len].decode(), at, local
        at += 46 + name_len + extra_len + comment_len


def patch_entry(path: Path, name: str, *, size: int | None = None, crc: int | None = None,
                flags: int | None = None) -> None:
    """Rewrite one part's declared size, CRC or flags in both its headers (not zip64)."""
    data = bytearray(path.read_bytes())
    for entry, central, local in central_entries(bytes(data)):
        if entry != name:
            continue
        if size is not None:
            struct.pack_into("<L", data, central + 24, size)
            struct.pack_into("<L", data, local + 22, size)
        if crc is not None:
            struct.pack_into("<L", data, central + 16, crc)
            struct.pack_into("<L", data, local + 14, crc)
        if flags is not None:
            struct.pack_into("<H", data, central + 8, flags)
            struct.pack_into("<H", data, local + 6, flags)
    path.write_bytes(bytes(data))


def ole_with_encrypted_package() -> bytes:
    """A minimal OLE compound file, by hand, holding the two streams of an Office file
    encrypted with a password: EncryptionInfo and EncryptedPackage (4 KiB each)."""
    free, end, fat_sector, none = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF

    def entry(name: str, kind: int, start: int = end, size: int = 0, left: int = none,
              child: int = none) -> bytes:
        raw = (name + "\0").encode("utf-16-le") if name else b""
        return struct.pack("<64sHBBIII16sIQQIQ", raw, len(raw), kind, 1, left, none, child,
                           b"", 0, 0, 0, start, size)

    per_stream = 8  # 8 sectors of 512 bytes: above the mini-stream cutoff
    fat = [fat_sector, end]
    for first in (2, 2 + per_stream):
        fat += [*range(first + 1, first + per_stream), end]
    fat += [free] * (128 - len(fat))
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"", 0x3E, 3, 0xFFFE,
        9, 6, b"", 0, 1, 1, 0, 0x1000, end, 0, end, 0,
    ) + struct.pack("<109I", 0, *[free] * 108)
    directory = (
        entry("Root Entry", 5, child=1)
        + entry("EncryptedPackage", 2, 2, 4096, left=2)
        + entry("EncryptionInfo", 2, 2 + per_stream, 4096)
        + entry("", 0)
    )
    return header + struct.pack("<128I", *fat) + directory + b"\x5a" * 4096 + b"\x01" * 4096


def billion_laughs(root: str, body: str) -> str:
    levels = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE {root} [\n'
            + "\n".join(levels) + "\n]>\n" + body)


LAUGHING_SHEET = billion_laughs(
    "worksheet",
    SHEET_HEAD.split(b"\n", 1)[1].decode()
    + '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    + SHEET_TAIL.decode(),
)
LAUGHING_STRINGS = billion_laughs(
    "sst",
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
    'uniqueCount="1"><si><t>&lol9;</t></si></sst>',
)


def bomb_chunks() -> Iterator[bytes]:
    """The zip bomb's sheet: a valid worksheet padded with 600 MiB of spaces."""
    yield SHEET_HEAD
    chunk = b" " * (1024 * 1024)
    for _ in range(BOMB_MIB):
        yield chunk
    yield SHEET_TAIL


# --- the corpus --------------------------------------------------------------------------


def build_truncated(path: Path) -> None:
    whole = real_xlsx(path.with_suffix(".whole.xlsx")).read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    path.with_suffix(".whole.xlsx").unlink()


def build_encrypted_for_real(path: Path) -> None:
    ooxml = pytest.importorskip("msoffcrypto.format.ooxml")
    plain = real_xlsx(path.with_suffix(".plain.xlsx"))
    with plain.open("rb") as source, path.open("wb") as out:
        ooxml.OOXMLFile(source).encrypt("学生会2025", out)
    plain.unlink()


def build_csv(path: Path) -> None:
    lines = ["学号,姓名,学院,部门,手机号"]
    lines += [f"2024{n:06d},王小明{n},计算机学院,办公室,1380013{n:04d}" for n in range(200)]
    path.write_bytes("\n".join(lines).encode("utf-8"))  # over 4 KiB, cut inside a character


def build_html(path: Path) -> None:
    path.write_text(
        '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><meta charset="utf-8">'
        "</head><body><table><tr><td>物资编号</td><td>数量</td></tr>"
        "<tr><td>WZ0001</td><td>3</td></tr></table></body></html>",
        encoding="utf-8",
    )


def build_pdf(path: Path) -> None:
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n")


def build_docx(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document '
                   'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                   "<w:body><w:p><w:r><w:t>学生会工作总结</w:t></w:r></w:p></w:body></w:document>")


def build_random_zip(path: Path) -> None:
    noise = random.Random(20250901).randbytes(64 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("data.bin", noise)
        z.writestr("readme.txt", "nothing to see")


@functools.cache
def zip_bomb_bytes() -> bytes:
    """A real workbook whose sheet inflates to 600 MiB; built once (about 2 s), 0.6 MB."""
    with tempfile.TemporaryDirectory() as folder:
        source, bomb = real_xlsx(Path(folder) / "src.xlsx"), Path(folder) / "bomb.xlsx"
        with zipfile.ZipFile(source) as src, zipfile.ZipFile(
            bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9
        ) as out:
            for info in src.infolist():
                if info.filename != SHEET:
                    out.writestr(info.filename, src.read(info))
                    continue
                with out.open(SHEET, "w") as stream:  # streamed: never 600 MiB in memory
                    for chunk in bomb_chunks():
                        stream.write(chunk)
        return bomb.read_bytes()


def build_zip_bomb(path: Path) -> None:
    path.write_bytes(zip_bomb_bytes())


def first_bytes(count: int) -> bytes:
    data = b""
    for chunk in bomb_chunks():
        data += chunk[: count - len(data)]
        if len(data) == count:
            return data
    return data


def build_lying_sizes(forge_crc: bool) -> Callable[[Path], None]:
    """The bomb, its sheet declared (in both headers) as 4 KiB; optionally with the CRC of
    those first 4 KiB, so a reader that trusts the declared size sees nothing wrong."""

    def build(path: Path) -> None:
        build_zip_bomb(path)
        crc = zlib.crc32(first_bytes(DECLARED)) if forge_crc else None
        patch_entry(path, SHEET, size=DECLARED, crc=crc)

    return build


def build_sizes_lie_upward(path: Path) -> None:
    repack(path)
    with zipfile.ZipFile(path) as z:
        actual = z.getinfo(SHEET).file_size
    patch_entry(path, SHEET, size=actual * 2)


def build_flipped_bytes(path: Path) -> None:
    repack(path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("xl/theme/theme1.xml")
    start = info.header_offset + 30 + len(info.filename)
    for i in range(start + 10, start + 400):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))


def build_many_entries(path: Path) -> None:
    """A zip whose directory lists 200,000 one-byte-named entries (and claims one)."""
    entry = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0,
                        0, 0, 0, 0) + b"a"
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, 0, 0, 0, 1, 0) + b"a"
    directory = entry * 200_000
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(directory), len(local), 0)
    path.write_bytes(local + directory + end)


def build_overlapping_entries(path: Path) -> None:
    """Fifield's trick: 700 directory entries share one 1 MiB kernel; 700 MiB declared."""
    repack(path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/kernel.bin", b"\0" * (1024 * 1024))
        kernel = z.getinfo("xl/media/kernel.bin")
        for n in range(700):
            copy = zipfile.ZipInfo(f"xl/media/image{n}.png", kernel.date_time)
            for attr in ("compress_type", "CRC", "compress_size", "file_size", "header_offset",
                         "flag_bits", "create_version", "extract_version"):
                setattr(copy, attr, getattr(kernel, attr))
            z.filelist.append(copy)
            z.NameToInfo[copy.filename] = copy


def build_zipcrypto_flag(path: Path) -> None:
    repack(path)
    patch_entry(path, SHEET, flags=0x1)


def build_absurd(body: bytes, rename: dict[str, str] | None = None) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        repack(path, {SHEET: sheet_xml(body)}, rename)

    return build


def build_laughing(part: str, text: str, encoding: str = "utf-8") -> Callable[[Path], None]:
    """A real workbook with one part replaced by an entity bomb in the given encoding."""

    def build(path: Path) -> None:
        declared = text.replace('encoding="UTF-8"', f'encoding="{encoding.upper()}"')
        repack(path, {part: declared.encode(encoding)})

    return build


def build_xls(path: Path) -> None:
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sheet = book.add_sheet("物资台账")
    for row in range(40):
        for col in range(5):
            sheet.write(row, col, f"格{row}-{col}" if col % 2 else row * col)
    book.save(str(path))


def build_xls_renamed(path: Path) -> None:
    build_xls(path.with_suffix(".xls"))
    path.with_suffix(".xls").rename(path)


def build_truncated_xls(path: Path) -> None:
    build_xls(path)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])


# --- .xlsb and WPS's .et / .ett -------------------------------------------------------------

XLSB_SHEET = "xl/worksheets/sheet1.bin"
XLSB_TABLE = [["物资编号", "物资名称", "数量"], *([f"WZ{r:04d}", f"折叠椅{r}", r * 2]
                                                for r in range(1, 30))]


def real_xlsb(path: Path) -> Path:
    """A small, sound .xlsb (made record by record: nothing here writes .xlsb but SheetJS,
    whose files are in fixtures/more_formats)."""
    return xb.write_xlsb(path, {"物资台账": xb.rows(XLSB_TABLE)})


def xlsb_bomb_chunks() -> Iterator[bytes]:
    """A sheet whose data is three 200 MiB records of a type the reader passes over."""
    yield xb.rows(XLSB_TABLE[:2])
    chunk = b"\0" * (1024 * 1024)
    for _ in range(3):
        yield b"\x25\x80\x80\x80\x64"  # BrtACBegin, 200 MiB (a 4-byte size varint)
        for _ in range(200):
            yield chunk


@functools.cache
def xlsb_bomb_bytes() -> bytes:
    """An .xlsb whose sheet part inflates to 600 MiB; built once, about 0.6 MB."""
    with tempfile.TemporaryDirectory() as folder:
        bomb = xb.write_xlsb(Path(folder) / "bomb.xlsb", {"物资台账": xlsb_bomb_chunks()},
                             compresslevel=9)
        return bomb.read_bytes()


def build_xlsb_bomb(path: Path) -> None:
    path.write_bytes(xlsb_bomb_bytes())


def build_xlsb_sizes_lie(path: Path) -> None:
    """The .xlsb bomb, its sheet declared 4 KiB with the CRC of its first 4 KiB."""
    build_xlsb_bomb(path)
    head = b""
    for chunk in xb.sheet_chunks(xlsb_bomb_chunks()):
        head += chunk[: DECLARED - len(head)]
        if len(head) == DECLARED:
            break
    patch_entry(path, XLSB_SHEET, size=DECLARED, crc=zlib.crc32(head))


def build_xlsb_truncated(path: Path) -> None:
    whole = real_xlsb(path.with_suffix(".whole.xlsb")).read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    path.with_suffix(".whole.xlsb").unlink()


def build_xlsb(records: bytes) -> Callable[[Path], None]:
    """An .xlsb whose one sheet holds these records, under a BrtWsDim that says A1:A1."""

    def build(path: Path) -> None:
        xb.write_xlsb(path, {"物资台账": records})

    return build


def build_xlsb_cut_record(path: Path) -> None:
    """A sheet part that ends inside a record (its size says 200 bytes, 10 are there)."""
    replace_part(real_xlsb(path), XLSB_SHEET,
                 xb.sheet_head() + xb.row(0) + b"\x06\xc8\x01" + b"\0" * 10)


def replace_part(path: Path, name: str, data: bytes) -> None:
    with zipfile.ZipFile(path) as z:
        parts = {info.filename: z.read(info) for info in z.infolist()}
    parts[name] = data
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for part, content in parts.items():
            z.writestr(part, content)


def build_xlsb_laughing_rels(path: Path) -> None:
    replace_part(real_xlsb(path), "xl/_rels/workbook.bin.rels",
                 billion_laughs("Relationships", "<Relationships/>").encode())


def build_xlsb_renamed_xlsx(path: Path) -> None:
    real_xlsb(path.with_suffix(".xlsb")).rename(path)


def build_truncated_et(path: Path) -> None:
    build_xls(path.with_suffix(".xls"))
    whole = path.with_suffix(".xls").read_bytes()
    path.with_suffix(".xls").unlink()
    path.write_bytes(whole[: len(whole) // 2])


FAR_XLSB = (xb.row(0) + xb.number(0, 1) + xb.row(1_048_575) + xb.number(16_383, 2))


def build_too_large(path: Path) -> None:
    with path.open("wb") as out:  # sparse: 300 MiB on paper, next to nothing on disk
        out.write(b"PK\x03\x04")
        out.truncate(300 * 1024 * 1024)


# --- LibreOffice's .xls and .ods, patched ----------------------------------------------------

LO_SHEETS = ("物资台账", "借用登记", "盘点记录")


@functools.cache
def libreoffice_books() -> dict[str, bytes]:
    """A three-sheet workbook (xlsxwriter) as LibreOffice saves it as .xls and .ods; made
    once per test process (the test is skipped without LibreOffice)."""
    soffice = soffice_path()
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "books.xlsx"
        book = xlsxwriter.Workbook(str(source))
        for name in LO_SHEETS:
            sheet = book.add_worksheet(name)
            for row, values in enumerate(XLSB_TABLE):
                sheet.write_row(row, 0, values)
        book.close()
        return {kind: soffice_convert(soffice, source, kind, Path(folder) / kind).read_bytes()
                for kind in ("xls", "ods")}


def workbook_stream(data: bytes) -> tuple[bytes, Callable[[int], int]]:
    """An .xls's Workbook stream, and where each of its bytes is in the file."""
    olefile = pytest.importorskip("olefile")
    ole = olefile.OleFileIO(data)
    entry = next(e for e in ole.direntries if e is not None and e.name == "Workbook")
    assert entry.size >= 4096  # in the big sectors, chained in the allocation table
    sectors, sector = [], entry.isectStart
    while sector != olefile.ENDOFCHAIN:
        sectors.append(sector)
        sector = ole.fat[sector]
    stream = ole.openstream("Workbook").read()
    size = ole.sectorsize
    ole.close()
    return stream, lambda at: (sectors[at // size] + 1) * size + at % size


def biff_records(stream: bytes, start: int = 0) -> Iterator[tuple[int, int, int]]:
    """(offset, type, size) of each record from `start` to the EOF record that ends it."""
    at = start
    while at + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, at)
        yield at, kind, size
        if kind == 0x000A:
            return
        at += 4 + size


def sheet_offsets(stream: bytes) -> list[int]:
    """Where each sheet's records start, as its BOUNDSHEET record says."""
    return [struct.unpack_from("<I", stream, at + 4)[0]
            for at, kind, _ in biff_records(stream) if kind == 0x0085]


def first_record(stream: bytes, kind: int, start: int = 0) -> int:
    return next(at for at, found, _ in biff_records(stream, start) if found == kind)


def build_lo_xls(edit: Callable[[bytes], dict[int, bytes]]) -> Callable[[Path], None]:
    """LibreOffice's .xls with bytes of its Workbook stream replaced: `edit` gets the
    stream and says what to write where (stream offsets)."""

    def build(path: Path) -> None:
        data = bytearray(libreoffice_books()["xls"])
        stream, in_file = workbook_stream(bytes(data))
        for at, new in edit(stream).items():
            for i, byte in enumerate(new):
                data[in_file(at + i)] = byte
        path.write_bytes(bytes(data))

    return build


def dimensions_of_every_sheet(stream: bytes) -> dict[int, bytes]:
    """DIMENSIONS: rows 0 to 0xFFFFFFFF, columns 0 to 0xFFFF (a few cells in fact)."""
    return {first_record(stream, 0x0200, start) + 4: struct.pack("<IIHH", 0, 0xFFFF_FFFF, 0,
                                                                  0xFFFF)
            for start in sheet_offsets(stream)}


def first_text_cell_at(row: int, column: int, sheets: int = 1) -> Callable[[bytes],
                                                                         dict[int, bytes]]:
    """The first LABELSST cell of the first `sheets` sheets moved to (row, column)."""

    def edit(stream: bytes) -> dict[int, bytes]:
        return {first_record(stream, 0x00FD, start) + 4: struct.pack("<HH", row, column)
                for start in sheet_offsets(stream)[:sheets]}

    return edit


def sheet_offset_past_end(stream: bytes) -> dict[int, bytes]:
    return {first_record(stream, 0x0085) + 4: struct.pack("<I", 0x7FFF_FFF0)}


def short_defined_name(stream: bytes) -> dict[int, bytes]:
    """WINDOW1 replaced by a 2-byte Lbl (a defined name) and a filler record as long as the
    rest: python-calamine reads the name's fourth byte and panics (xls.rs, parse_lbl)."""
    at = first_record(stream, 0x003D)
    size, = struct.unpack_from("<H", stream, at + 2)
    return {at: struct.pack("<HH", 0x0018, 2) + b"\0\0"
            + struct.pack("<HH", 0x0999, size - 6) + b"\0" * (size - 6)}


def build_small_xls_dimensions_lie(path: Path) -> None:
    """SheetJS's .xls with every DIMENSIONS record declaring rows 0 to 0xFFFFFFFF: its
    stream is in the mini stream, whose little sectors SheetJS writes in order."""
    olefile = pytest.importorskip("olefile")
    data = bytearray(SHEETJS_XLS.read_bytes())
    header = b"\x00\x02\x0e\x00"  # DIMENSIONS, 14 bytes: rows, columns, 2 reserved
    lie = struct.pack("<IIHH", 0, 0xFFFF_FFFF, 0, 0xFFFF)
    at = data.find(header)
    while at >= 0:
        data[at + 4:at + 4 + len(lie)] = lie
        at = data.find(header, at + 18)
    path.write_bytes(bytes(data))
    with olefile.OleFileIO(str(path)) as ole:
        assert ole.get_size("Workbook") < 4096
        assert ole.openstream("Workbook").read().count(header + lie) == 2


def rewrite_lo_ods(path: Path, change: Callable[[str, bytes], bytes]) -> None:
    """LibreOffice's .ods at `path` with each part's bytes passed through `change(name,
    data)` (the parts it leaves alone as they were)."""
    source = path.with_suffix(".lo.ods")
    source.write_bytes(libreoffice_books()["ods"])
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w") as out:
        for info in src.infolist():
            out.writestr(info, change(info.filename, src.read(info)),
                         compress_type=info.compress_type)
    source.unlink()


def build_lo_ods(edit: Callable[[str], str]) -> Callable[[Path], None]:
    """LibreOffice's .ods with its content.xml edited (every other part as it was)."""

    def change(name: str, data: bytes) -> bytes:
        if name != "content.xml":
            return data
        edited = edit(data.decode("utf-8"))
        assert edited != data.decode("utf-8")
        return edited.encode("utf-8")

    return lambda path: rewrite_lo_ods(path, change)


def rows_in_front(rows: int, columns: int, tables: int = 1) -> Callable[[str], str]:
    """A row of `columns` numbers, repeated `rows` times, put first in `tables` tables:
    a few dozen bytes for rows x columns cells."""
    block = (f'<table:table-row table:number-rows-repeated="{rows}"><table:table-cell '
             f'office:value-type="float" office:value="1" '
             f'table:number-columns-repeated="{columns}"/></table:table-row>')
    first_row = re.compile(r"(<table:table [^>]*>.*?)(<table:table-row)", re.DOTALL)
    return lambda content: first_row.sub(lambda m: m[1] + block + m[2], content, tables)


def build_encrypted_ods(path: Path) -> None:
    """LibreOffice's .ods as it saves one with a password: its manifest says how
    content.xml is encrypted, and content.xml is ciphertext."""

    def change(name: str, data: bytes) -> bytes:
        if name == "content.xml":
            return random.Random(7).randbytes(len(data))
        if name == "META-INF/manifest.xml":
            data = re.sub(
                rb'(<manifest:file-entry manifest:full-path="content.xml"[^>]*?)/>',
                rb'\1><manifest:encryption-data manifest:checksum-type="SHA1/1K" '
                rb'manifest:checksum="AAAA"><manifest:algorithm manifest:algorithm-name='
                rb'"Blowfish CFB" manifest:initialisation-vector="AAAA"/>'
                rb"</manifest:encryption-data></manifest:file-entry>", data)
            assert b"encryption-data" in data
        return data

    rewrite_lo_ods(path, change)


def spaces_in_a_cell(content: str) -> str:
    """A string cell holding `<text:s text:c="100000000"/>`: a hundred million spaces."""
    return content.replace("<text:p>", '<text:p><text:s text:c="100000000"/>', 1)


# --- more .xlsx and .xlsb ------------------------------------------------------------------


def build_sparse_sheets(count: int) -> Callable[[Path], None]:
    """openpyxl's workbook of `count` sheets, each holding A1 and L1000000: 12,000,000
    cells of used area each, at the limit of one sheet (and no further)."""

    def build(path: Path) -> None:
        book = openpyxl.Workbook()
        for index in range(count):
            sheet = book.active if index == 0 else book.create_sheet()
            sheet.title = f"台账{index + 1}"
            sheet["A1"] = 1
            sheet["L1000000"] = 2
        book.save(path)

    return build


def build_listed_again(times: int) -> Callable[[Path], None]:
    """openpyxl's workbook whose one sheet (A1 and L1000000, at the limit of one sheet)
    workbook.xml lists `times` times: the reader reads it as often."""

    def build(path: Path) -> None:
        build_sparse_sheets(1)(path)
        with zipfile.ZipFile(path) as z:
            parts = {info.filename: z.read(info) for info in z.infolist()}
        book = parts["xl/workbook.xml"].decode()
        listed = re.search(r"<sheet [^>]*/>", book)
        assert listed is not None
        copies = "".join(listed[0].replace('name="台账1"', f'name="台账{n}"').replace(
            'sheetId="1"', f'sheetId="{n}"') for n in range(1, times + 1))
        parts["xl/workbook.xml"] = book.replace(listed[0], copies).encode()
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in parts.items():
                z.writestr(name, data)

    return build


SPARSE_XLSB = xb.row(0) + xb.number(0, 1) + xb.row(999_999) + xb.number(11, 2)


def build_sparse_xlsb(count: int) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        xb.write_xlsb(path, {f"台账{n}": SPARSE_XLSB for n in range(1, count + 1)})

    return build


def shared_strings(declared: int, *texts: str) -> bytes:
    """xl/sharedStrings.bin: BrtBeginSst declaring `declared` strings, then `texts`."""
    items = b"".join(record(0x0013, b"\0" + xb.wide(text)) for text in texts)
    return (record(0x009F, struct.pack("<II", declared, declared)) + items
            + record(0x00A0, b""))


def build_sheetjs_xlsb(parts: dict[str, bytes | Callable[[bytes], bytes]]
                       ) -> Callable[[Path], None]:
    """SheetJS's roster.xlsb with parts added or replaced (a callable gets the old one)."""

    def build(path: Path) -> None:
        shutil.copyfile(SHEETJS_ROSTER, path)
        with zipfile.ZipFile(path) as z:
            old = {info.filename: z.read(info) for info in z.infolist()}
        for name, new in parts.items():
            old[name] = new(old[name]) if callable(new) else new
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in old.items():
                z.writestr(name, data)

    return build


def text_cell_naming(index: int) -> bytes:
    """SheetJS's first sheet with its first cell a BrtCellIsst naming shared string `index`."""
    return (xb.sheet_head() + xb.row(0) + record(0x0007, xb.cell(0) + struct.pack("<I", index))
            + xb.SHEET_TAIL)


# --- one long shared string named by many cells ---------------------------------------------

LONG_STRING = "x" * 1_000_000
"""One shared string of a million characters: named by 2,000 cells, two billion."""


def xlsx_naming_one_string(cells: int, text: str) -> Callable[[Path], None]:
    """xlsxwriter's workbook whose first sheet has `cells` cells naming one shared string,
    its text then patched in xl/sharedStrings.xml to `text` (a few KB once zipped)."""

    def build(path: Path) -> None:
        source = path.with_name(path.name + ".src.xlsx")
        book = xlsxwriter.Workbook(str(source))
        sheet = book.add_worksheet("物资台账")
        for row in range(cells):
            sheet.write_string(row, 0, "完好")
        book.close()
        with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED,
                                                            compresslevel=9) as out:
            for info in src.infolist():
                data = src.read(info)
                if info.filename == "xl/sharedStrings.xml":
                    assert data.count("完好".encode()) == 1
                    data = data.replace("完好".encode(), text.encode())
                out.writestr(info.filename, data)
        source.unlink()

    return build


def build_xlsx_amplified_not_canonical(path: Path) -> None:
    """2,000 shared-string cells written without `r` (followed by expat, not the regex)."""
    repack(path, {
        SHEET: sheet_xml(b'<row><c t="s"><v>0</v></c></row>' * 2_000),
        "xl/sharedStrings.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.'
            f'org/spreadsheetml/2006/main" count="2000" uniqueCount="1"><si><t>{LONG_STRING}'
            "</t></si></sst>").encode()})


def xlsb_naming_one_string(cells: int, text: str) -> Callable[[Path], None]:
    """An .xlsb whose sheet has `cells` BrtCellIsst cells naming shared string 0, `text`."""

    def build(path: Path) -> None:
        records = b"".join(xb.row(r) + record(0x0007, xb.cell(0) + struct.pack("<I", 0))
                           for r in range(cells))
        xb.write_xlsb(path, {"物资台账": records}, compresslevel=9)
        with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
            z.writestr("xl/sharedStrings.bin", shared_strings(1, text))

    return build


def xls_naming_one_string(cells: int, text: str) -> Callable[[Path], None]:
    """xlwt's .xls whose sheet has `cells` LABELSST cells naming one shared string (xlwt
    writes at most 32,767 characters; its SST runs on in CONTINUE records)."""

    def build(path: Path) -> None:
        xlwt = pytest.importorskip("xlwt")
        book = xlwt.Workbook(encoding="utf-8")
        sheet = book.add_sheet("物资台账")
        for cell in range(cells):
            sheet.write(cell // 4, cell % 4, text)
        book.save(str(path))

    return build


@dataclass(frozen=True)
class Case:
    name: str
    suffix: str
    build: Callable[[Path], None]
    key: str
    values: dict[str, Any] = field(default_factory=dict)


CASES = [
    Case("empty", ".xlsx", lambda p: p.write_bytes(b""), "source.empty"),
    Case("truncated", ".xlsx", build_truncated, "source.damaged"),
    Case("encrypted_msoffcrypto", ".xlsx", build_encrypted_for_real, "source.encrypted"),
    Case("encrypted_ole_by_hand", ".xlsx", lambda p: p.write_bytes(ole_with_encrypted_package()),
         "source.encrypted"),
    Case("csv_as_xlsx", ".xlsx", build_csv, "source.not_workbook", {"kind": "text"}),
    Case("csv_gbk_as_xlsx", ".xlsx",
         lambda p: p.write_bytes("学号,姓名\n2024001,李华\n".encode("gbk")),
         "source.not_workbook", {"kind": "text"}),
    Case("unicode_text_as_xlsx", ".xlsx",
         lambda p: p.write_bytes("学号\t姓名\r\n2024001\t李华\r\n".encode("utf-16")),
         "source.not_workbook", {"kind": "text"}),
    Case("html_table_as_xlsx", ".xlsx", build_html, "source.not_workbook", {"kind": "html"}),
    Case("pdf_as_xlsx", ".xlsx", build_pdf, "source.not_workbook", {"kind": "pdf"}),
    Case("docx_as_xlsx", ".xlsx", build_docx, "source.not_workbook", {"kind": "word"}),
    Case("random_zip_as_xlsx", ".xlsx", build_random_zip, "source.not_workbook", {"kind": "zip"}),
    Case("zip_bomb", ".xlsx", build_zip_bomb, "source.bomb"),
    Case("sizes_lie", ".xlsx", build_lying_sizes(forge_crc=False), "source.bomb"),
    Case("sizes_lie_crc_forged", ".xlsx", build_lying_sizes(forge_crc=True), "source.bomb"),
    Case("sizes_lie_upward", ".xlsx", build_sizes_lie_upward, "source.damaged"),
    Case("flipped_compressed_bytes", ".xlsx", build_flipped_bytes, "source.damaged"),
    Case("zip_directory_200k_entries", ".xlsx", build_many_entries, "source.bomb"),
    Case("overlapping_entries", ".xlsx", build_overlapping_entries, "source.bomb"),
    Case("zipcrypto_flag", ".xlsx", build_zipcrypto_flag, "source.encrypted"),
    Case("billion_laughs_shared_strings", ".xlsx",
         build_laughing("xl/sharedStrings.xml", LAUGHING_STRINGS), "source.xml_entities",
         {"part": "xl/sharedStrings.xml"}),
    Case("billion_laughs_shared_strings_utf16", ".xlsx",
         build_laughing("xl/sharedStrings.xml", LAUGHING_STRINGS, "utf-16"),
         "source.xml_entities"),
    Case("billion_laughs_sheet", ".xlsx",
         build_laughing(SHEET, LAUGHING_SHEET), "source.xml_entities", {"part": SHEET}),
    Case("billion_laughs_workbook", ".xlsx",
         build_laughing("xl/workbook.xml", billion_laughs("workbook", "<workbook/>")),
         "source.xml_entities", {"part": "xl/workbook.xml"}),
    Case("absurd_used_area", ".xlsx", build_absurd(FAR_CELLS), "source.sheet_too_large",
         {"rows": 1048576, "columns": 16384}),
    Case("absurd_used_area_rows_without_r", ".xlsx", build_absurd(
        b'<row><c r="A1"><v>1</v></c></row><row><c r="XFD1048576"><v>2</v></c></row>'),
        "source.sheet_too_large", {"rows": 1048576, "columns": 16384}),
    Case("absurd_used_area_lowercase", ".xlsx", build_absurd(
        b'<row r="1"><c r="a1"><v>1</v></c></row><row r="1048576"><c r="xfd1048576"><v>2</v>'
        b"</c></row>"), "source.sheet_too_large", {"rows": 1048576, "columns": 16384}),
    Case("absurd_used_area_odd_quoting", ".xlsx", build_absurd(
        b"<row r = '1'><c r = 'A1'><v>1</v></c></row><row spans=\">\" r='1048576'>"
        b"<c t=\"n\" r = 'XFD1048576'><v>2</v></c></row>"),
        "source.sheet_too_large", {"rows": 1048576, "columns": 16384}),
    Case("absurd_used_area_after_comment", ".xlsx", build_absurd(
        b"<!-- exported --><?tool v1?>" + FAR_CELLS),
        "source.sheet_too_large", {"rows": 1048576, "columns": 16384}),
    Case("absurd_used_area_positional", ".xlsx", build_absurd(
        b"<row/>" * 4000 + b"<row>" + b"<c/>" * 4000 + b"<c><v>1</v></c></row>"),
        "source.sheet_too_large", {"rows": 4001, "columns": 4001}),
    Case("absurd_used_area_part_in_other_case", ".xlsx",
         build_absurd(FAR_CELLS, {SHEET: "XL/Worksheets/Sheet1.XML"}), "source.sheet_too_large"),
    Case("xls_renamed_xlsx", ".xlsx", build_xls_renamed, "source.wrong_suffix", {"kind": "xls"}),
    Case("xlsx_renamed_xls", ".xls", repack, "source.wrong_suffix", {"kind": "xlsx"}),
    Case("truncated_xls", ".xls", build_truncated_xls, "source.damaged"),
    Case("txt_suffix", ".txt", real_xlsx, "source.bad_suffix", {"suffix": ".txt"}),
    Case("xlsb_truncated", ".xlsb", build_xlsb_truncated, "source.damaged"),
    Case("xlsb_zip_bomb", ".xlsb", build_xlsb_bomb, "source.bomb"),
    Case("xlsb_sizes_lie_crc_forged", ".xlsb", build_xlsb_sizes_lie, "source.bomb"),
    Case("xlsb_absurd_used_area", ".xlsb", build_xlsb(FAR_XLSB), "source.sheet_too_large",
         {"rows": 1048576, "columns": 16384, "sheet": "物资台账"}),
    Case("xlsb_absurd_column", ".xlsb", build_xlsb(xb.row(0) + xb.number(2**31, 1)),
         "source.sheet_too_large", {"rows": 1, "columns": 2**31 + 1}),
    Case("xlsb_absurd_area_short_cells", ".xlsb", build_xlsb(
        xb.row(1_048_575) + xb.number(0, 1) + xb.short_number(2) * 16_383),
        "source.sheet_too_large", {"rows": 1048576, "columns": 16384}),
    Case("xlsb_absurd_area_out_of_order", ".xlsb", build_xlsb(
        xb.row(1_048_575) + xb.number(0, 1) + xb.row(0) + xb.number(16_383, 2)),
        "source.sheet_too_large", {"rows": 1048576, "columns": 16384}),
    Case("xlsb_record_cut_short", ".xlsb", build_xlsb_cut_record, "source.damaged"),
    Case("xlsb_billion_laughs_rels", ".xlsb", build_xlsb_laughing_rels, "source.xml_entities",
         {"part": "xl/_rels/workbook.bin.rels"}),
    Case("xlsb_renamed_xlsx", ".xlsx", build_xlsb_renamed_xlsx, "source.wrong_suffix",
         {"kind": "xlsb"}),
    Case("xlsx_renamed_xlsb", ".xlsb", repack, "source.wrong_suffix", {"kind": "xlsx"}),
    Case("docx_as_xlsb", ".xlsb", build_docx, "source.not_workbook", {"kind": "word"}),
    Case("truncated_et", ".et", build_truncated_et, "source.damaged"),
    Case("truncated_ett", ".ett", build_truncated_et, "source.damaged"),
    Case("encrypted_et_msoffcrypto", ".et", build_encrypted_for_real, "source.encrypted"),
    Case("encrypted_ett_ole_by_hand", ".ett",
         lambda p: p.write_bytes(ole_with_encrypted_package()), "source.encrypted"),
    Case("random_bytes_as_et", ".et",
         lambda p: p.write_bytes(random.Random(17).randbytes(50_000)), "source.not_workbook",
         {"kind": "binary"}),
    Case("over_256_mib", ".xlsx", build_too_large, "source.too_large", {"mb": 300}),
    # LibreOffice's .xls (also as WPS's .et / .ett): used areas python-calamine would
    # allocate when it opens the file, and a sheet it would look for past the end.
    Case("xls_dimensions_lie", ".xls", build_lo_xls(dimensions_of_every_sheet),
         "source.sheet_too_large", {"rows": 0xFFFF_FFFF, "columns": 0xFFFF, "sheet": "物资台账"}),
    Case("et_cell_at_ffff", ".et", build_lo_xls(first_text_cell_at(0xFFFF, 0xFFFF)),
         "source.sheet_too_large", {"rows": 65536, "columns": 65536, "sheet": "物资台账"}),
    Case("ett_cell_at_iv65536", ".ett", build_lo_xls(first_text_cell_at(65535, 255)),
         "source.sheet_too_large", {"rows": 65536, "columns": 256}),
    Case("small_xls_dimensions_lie", ".xls", build_small_xls_dimensions_lie,
         "source.sheet_too_large", {"rows": 0xFFFF_FFFF, "columns": 0xFFFF,
                                    "sheet": "成员名单"}),
    Case("xls_sheets_together_too_large", ".xls",
         build_lo_xls(first_text_cell_at(65535, 182, sheets=2)), "source.workbook_too_large"),
    Case("et_sheet_offset_past_end", ".et", build_lo_xls(sheet_offset_past_end),
         "source.damaged"),
    # Sheets each within the limit of one, too many together; sheets listed over and over.
    Case("xlsx_sheets_together_too_large", ".xlsx", build_sparse_sheets(2),
         "source.workbook_too_large"),
    Case("xlsx_one_sheet_listed_twice", ".xlsx", build_listed_again(2),
         "source.workbook_too_large"),
    Case("xlsx_sheet_listed_1001_times", ".xlsx", build_listed_again(1001),
         "source.too_many_sheets", {"count": 1001}),
    Case("xlsb_sheets_together_too_large", ".xlsb", build_sparse_xlsb(2),
         "source.workbook_too_large", {"cells": 24_000_000}),
    # LibreOffice's .ods: repeated rows and cells, repeated spaces.
    Case("ods_rows_repeated", ".ods", build_lo_ods(rows_in_front(90_000, 1000)),
         "source.sheet_too_large", {"rows": 90_030, "columns": 1000, "sheet": "物资台账"}),
    Case("ods_tables_together_too_large", ".ods",
         build_lo_ods(rows_in_front(9_000, 1000, tables=2)), "source.workbook_too_large"),
    Case("ods_spaces_bomb", ".ods", build_lo_ods(spaces_in_a_cell), "source.text_too_large",
         {"limit": 32_000_000}),
    Case("ods_encrypted", ".ods", build_encrypted_ods, "source.encrypted"),
    # SheetJS's .xlsb with shared strings: a cell naming one that is not there (the
    # reader panics), a part cut short, fewer strings than it declares.
    Case("xlsb_shared_string_not_there", ".xlsb", build_sheetjs_xlsb({
        "xl/sharedStrings.bin": shared_strings(1, "学号"),
        "xl/worksheets/sheet1.bin": text_cell_naming(5)}), "source.damaged"),
    Case("xlsb_shared_strings_cut", ".xlsb", build_sheetjs_xlsb({
        "xl/sharedStrings.bin": shared_strings(1, "学号")[:-5]}), "source.damaged"),
    Case("xlsb_fewer_shared_strings_than_declared", ".xlsb", build_sheetjs_xlsb({
        "xl/sharedStrings.bin": shared_strings(0xFFFF_FFFF, "学号")}), "source.damaged"),
    # One long shared string named by many cells: each cell gets its own copy.
    Case("xlsx_shared_string_amplified", ".xlsx", xlsx_naming_one_string(2_000, LONG_STRING),
         "source.text_too_large", {"chars": 2_000_000_000, "limit": 32_000_000}),
    Case("xlsx_shared_string_amplified_not_canonical", ".xlsx",
         build_xlsx_amplified_not_canonical, "source.text_too_large",
         {"chars": 2_000_000_000}),
    Case("xlsb_shared_string_amplified", ".xlsb", xlsb_naming_one_string(2_000, LONG_STRING),
         "source.text_too_large", {"chars": 2_000_000_000}),
    Case("xls_shared_string_amplified", ".xls", xls_naming_one_string(2_000, "y" * 32_767),
         "source.text_too_large", {"chars": 65_534_000}),
    Case("et_shared_string_amplified", ".et", xls_naming_one_string(2_000, "y" * 32_767),
         "source.text_too_large", {"chars": 65_534_000}),
]
BY_NAME = {case.name: case for case in CASES}


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """name -> the hostile file, built on first use."""
    folder = tmp_path_factory.mktemp("hostile")
    built: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in built:
            case = BY_NAME[name]
            path = folder / name / f"bad{case.suffix}"
            path.parent.mkdir(exist_ok=True)
            case.build(path)
            built[name] = path
        return built[name]

    return get


@pytest.fixture
def tripwire(monkeypatch: pytest.MonkeyPatch) -> None:
    """python-calamine must never see these files: opening one fails the test at once,
    rather than letting the reader allocate a dense range or inflate a bomb."""

    class Unreachable:
        @staticmethod
        def from_path(path: str, *args: Any, **kwargs: Any) -> None:
            raise AssertionError(f"python-calamine opened {path}: the inspection let it pass")

    monkeypatch.setattr(files.calamine, "CalamineWorkbook", Unreachable)


def sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def refusal(action: Callable[[], object]) -> tuple[SourceError, float]:
    started = time.monotonic()
    with pytest.raises(SourceError) as caught:
        action()
    return caught.value, time.monotonic() - started


# --- the tests ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", [case.name for case in CASES])
def test_hostile_file_is_refused(name: str, corpus: Callable[[str], Path],
                                 tripwire: None) -> None:
    case = BY_NAME[name]
    path = corpus(name)
    before = sha256(path)

    for action in (lambda: inspect_workbook(path), lambda: FileSource(path).read()):
        error, seconds = refusal(action)
        assert error.key == case.key, f"{name}: {error.key} ({error})"
        assert seconds < TIME_LIMIT, f"{name}: refused after {seconds:.1f} s"
        assert error.values.get("path") == str(path)
        for key, value in case.values.items():
            assert error.values.get(key) == value, f"{name}: {key}={error.values.get(key)!r}"
        if error.key == "source.workbook_too_large":
            assert error.values["cells"] > safety.MAX_WORKBOOK_CELLS
        for locale in ("en", "zh-Hans", "zh-Hant"):
            message = error.message(locale)
            assert path.name in message and "{" not in message

    assert sha256(path) == before, f"{name}: the file was modified"


SOUND_SHEETS = {
    "written_by_xlsxwriter": None,
    "rows_and_cells_without_r": (
        '<row><c t="inlineStr"><is><t>学号</t></is></c><c><v>7</v></c></row>'.encode()
        + b"<row><c/><c><v>8</v></c></row>",
        [["学号", 7.0], ["", 8.0]],
    ),
    "comment_and_odd_quoting": (
        b"<!-- made by hand --><row r = '2'><c r='B2' t=\"inlineStr\"><is><t>x</t></is></c>"
        b"</row>",
        [["", ""], ["", "x"]],
    ),
    "wide_but_sane": (
        b'<row r="1"><c r="A1"><v>1</v></c></row><row r="2000"><c r="Z2000"><v>2</v></c></row>',
        None,
    ),
}


@pytest.mark.parametrize("name", list(SOUND_SHEETS))
def test_sound_workbooks_still_read(name: str, tmp_path: Path) -> None:
    """The checks must not refuse what the reader handles: canonical or not."""
    sheet = SOUND_SHEETS[name]
    path = tmp_path / "good.xlsx"
    if sheet is None:
        real_xlsx(path)
    else:
        repack(path, {SHEET: sheet_xml(sheet[0])})
    inspect_workbook(path)
    book = FileSource(path).read()
    rows = book.sheets[0].rows
    if sheet is None:
        assert rows[1] == ["WZ0001", "折叠椅1", 2.0]
    elif sheet[1] is not None:
        assert rows == sheet[1]
    else:
        assert (len(rows), max(len(row) for row in rows)) == (2000, 26)


SOUND_XLSB = {
    "written_in_order": (xb.rows(XLSB_TABLE), None),
    "rows_out_of_order": (
        xb.row(2) + xb.text(1, "x") + xb.row(0) + xb.number(0, 7),
        [[7.0, ""], ["", ""], ["", "x"]],
    ),
    "stops_past_the_last_row": (
        xb.row(0) + xb.number(0, 1) + xb.row(0x0010_0001) + xb.number(16_383, 2),
        [[1.0]],
    ),
    "wide_but_sane": (xb.row(0) + xb.number(0, 1) + xb.row(1999) + xb.number(25, 2), None),
}


@pytest.mark.parametrize("name", list(SOUND_XLSB))
def test_sound_xlsb_still_read(name: str, tmp_path: Path) -> None:
    """The record checks must not refuse what the reader handles; cells after a row
    header past 0x100000 are dropped by both, so they are not measured."""
    records, expected = SOUND_XLSB[name]
    path = xb.write_xlsb(tmp_path / "good.xlsb", {"物资台账": records})
    inspect_workbook(path)
    rows = FileSource(path).read().sheets[0].rows
    if name == "written_in_order":
        assert rows[1] == ["WZ0001", "折叠椅1", 2.0]
    elif expected is not None:
        assert rows == expected
    else:
        assert (len(rows), max(len(row) for row in rows)) == (2000, 26)


def test_xlsb_records_and_cells_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            tripwire: None) -> None:
    """Past MAX_RECORDS records (time) or MAX_SHEET_CELLS cells held by the reader (memory,
    even all in one place) an .xlsb is refused; the limits are lowered here, the full
    ones would take a 100 MB file to reach."""
    monkeypatch.setattr(safety, "MAX_RECORDS", 5_000)
    many = xb.write_xlsb(tmp_path / "many.xlsb", {
        "物资台账": xb.rows(XLSB_TABLE) + b"\x25\x00" * 6_000})  # BrtACBegin, empty
    error, seconds = refusal(lambda: FileSource(many).read())
    assert error.key == "source.bomb" and "records" in error.values["detail"]
    monkeypatch.setattr(safety, "MAX_RECORDS", 48_000_000)
    monkeypatch.setattr(safety, "MAX_SHEET_CELLS", 1_000)
    piled = xb.write_xlsb(tmp_path / "piled.xlsb", {
        "物资台账": xb.row(0) + xb.number(0, 1) * 2_000})  # 2,000 cells all in A1
    error, seconds = refusal(lambda: FileSource(piled).read())
    assert error.key == "source.bomb" and "2000 cells" in error.values["detail"]
    assert seconds < TIME_LIMIT


CLI_CASES = [
    "empty",
    "csv_as_xlsx",
    "encrypted_ole_by_hand",
    "zip_bomb",
    "sizes_lie_crc_forged",
    "billion_laughs_shared_strings",
    "absurd_used_area_rows_without_r",
    "xlsb_absurd_used_area",
    "xlsb_zip_bomb",
    "truncated_et",
    "encrypted_ett_ole_by_hand",
    "random_bytes_as_et",
    "xls_dimensions_lie",
    "et_sheet_offset_past_end",
    "xlsx_sheets_together_too_large",
    "ods_rows_repeated",
    "xlsb_shared_string_not_there",
    "xlsx_shared_string_amplified",
    "xlsb_shared_string_amplified",
    "xls_shared_string_amplified",
]


@pytest.mark.parametrize("name", CLI_CASES)
def test_cli_refuses_with_one_line(name: str, corpus: Callable[[str], Path],
                                   tmp_path: Path) -> None:
    """`clerk validate` on an office whose register is hostile: exit 2, one line on stderr
    naming the file, no traceback, the file untouched."""
    bad = tmp_path / f"bad{BY_NAME[name].suffix}"
    shutil.copyfile(corpus(name), bad)
    (tmp_path / "office.toml").write_text(
        f'[office]\nname = "测试学生会"\n[registers]\nassets = "{bad.name}"\n',
        encoding="utf-8",
    )
    before = sha256(bad)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "automation", "validate", "-c", "office.toml", "--format", "json"],
        cwd=tmp_path, capture_output=True, text=True, encoding="utf-8", timeout=120,
    )
    seconds = time.monotonic() - started
    lines = done.stderr.splitlines()
    assert done.returncode == 2, f"{name}: exit {done.returncode}, stderr {done.stderr!r}"
    assert len(lines) == 1 and lines[0].strip(), f"{name}: stderr {done.stderr!r}"
    assert bad.name in lines[0]
    assert "Traceback" not in done.stderr
    assert seconds < TIME_LIMIT + 10, f"{name}: {seconds:.1f} s"
    assert sha256(bad) == before


MEASURED = ["zip_bomb", "sizes_lie_crc_forged", "absurd_used_area_positional", "xlsb_zip_bomb",
            "xlsb_sizes_lie_crc_forged", "xlsb_absurd_used_area", "xls_dimensions_lie",
            "et_cell_at_ffff", "ett_cell_at_iv65536", "xlsx_sheets_together_too_large",
            "ods_rows_repeated", "ods_spaces_bomb", "xlsx_shared_string_amplified",
            "xlsb_shared_string_amplified", "xls_shared_string_amplified"]

READER = """
import json, resource, sys
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, (4 * 1024**3, 4 * 1024**3))  # a regression fails, not swaps
from automation.errors import SourceError
from automation.sources.files import FileSource
keys = []
for name in sys.argv[1:]:
    try:
        FileSource(Path(name)).read()
        keys.append(None)
    except SourceError as exc:
        keys.append(exc.key)
print(json.dumps(keys))
"""

MEASURER = """
import json, resource, subprocess, sys
done = subprocess.run([sys.executable, "-c", sys.argv[1], *sys.argv[2:]],
                      capture_output=True, text=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"code": done.returncode, "out": done.stdout, "err": done.stderr[-2000:],
                  "peak": peak * (1 if sys.platform == "darwin" else 1024)}))
"""


def test_bombs_stay_small_in_memory(corpus: Callable[[str], Path]) -> None:
    """Read the bombs in a child of a fresh process, whose RUSAGE_CHILDREN is that child's
    alone: refused, and well under 2 GiB at the peak."""
    pytest.importorskip("resource")  # not on Windows; the measuring child uses it
    paths = [str(corpus(name)) for name in MEASURED]
    done = subprocess.run([sys.executable, "-c", MEASURER, READER, *paths],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    child = json.loads(done.stdout)
    assert child["code"] == 0, child["err"]
    keys = json.loads(child["out"])
    assert keys == [BY_NAME[name].key for name in MEASURED]
    assert 0 < child["peak"] < MEMORY_LIMIT, f"peak RSS {child['peak'] / 2**20:.0f} MiB"


# --- what the reader refuses by itself: one line, whatever it raises -----------------------


def validate(folder: Path, register: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`clerk validate` in `folder`, whose one register (assets) is `register`."""
    (folder / "office.toml").write_text(
        f'[office]\nname = "测试学生会"\n[registers]\nassets = "{register.name}"\n',
        encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "automation", "validate", "-c", "office.toml", *args],
        cwd=folder, capture_output=True, text=True, encoding="utf-8", timeout=120)


def assert_one_clear_line(done: subprocess.CompletedProcess[str], path: Path) -> str:
    """Exit 2 and one line naming the file: no traceback, no Rust panic, no backtrace."""
    lines = done.stderr.splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1 and path.name in lines[0], done.stderr
    for noise in ("Traceback", "panicked", "backtrace", "RUST_BACKTRACE", "OSError"):
        assert noise not in done.stderr, done.stderr
    return lines[0]


DAMAGED_FOR_THE_READER = {
    # The safety pass lets these through (every record is whole); python-calamine then
    # raises an OSError (a part ends before what it declares), a CalamineError in
    # English, or panics in Rust.
    "xlsb_styles_cut_in_half": (".xlsb", build_sheetjs_xlsb(
        {"xl/styles.bin": lambda old: old[: len(old) // 2]})),
    "xlsb_string_longer_than_its_record": (".xlsb", build_sheetjs_xlsb({
        "xl/worksheets/sheet1.bin": xb.sheet_head() + xb.row(0) + record(
            0x0006, xb.cell(0) + struct.pack("<I", 0x7FFF_FFFF) + b"a\0") + xb.SHEET_TAIL})),
    "xls_reader_panics": (".xls", build_lo_xls(short_defined_name)),
}


@pytest.mark.parametrize("name", list(DAMAGED_FOR_THE_READER))
def test_what_the_reader_refuses_is_one_line_in_the_office_language(name: str,
                                                                    tmp_path: Path) -> None:
    """Damage only the reader finds: `source.damaged`, in each language, without the
    reader's English or its panic output; its own words stay on the exception."""
    suffix, build = DAMAGED_FOR_THE_READER[name]
    bad = tmp_path / f"bad{suffix}"
    build(bad)
    before = sha256(bad)
    inspect_workbook(bad)
    error, _ = refusal(lambda: FileSource(bad).read())
    assert error.key == "source.damaged"
    assert error.values["reader"]  # for --debug and support, not for the officer
    for locale in ("zh-Hans", "zh-Hant", "en"):
        assert error.values["reader"] not in error.message(locale)
    line = assert_one_clear_line(validate(tmp_path, bad), bad)
    assert "已损坏或不完整" in line and not re.search(r"[A-Za-z]{4,}", line.replace(
        str(tmp_path / bad.name), ""))
    assert sha256(bad) == before


def test_the_reader_cell_limit_is_said_in_the_office_language() -> None:
    """python-calamine's own bound on an .ods (`Cell limit exceeded`), were it ever met,
    is the workbook-too-large line, not its English."""
    message = "Cell limit exceeded (1000000000 cells requested, max 100000000)"
    error = files._refusal("台账.ods", message)
    assert error.key == "source.workbook_too_large"
    assert error.values["cells"] == 1_000_000_000
    assert "1,000,000,000 个单元格" in error.message("zh-Hans")
    assert "Cell limit" not in error.message("zh-Hans")


@pytest.mark.parametrize("locale", ["zh-Hans", "zh-Hant", "en"])
def test_what_a_file_looks_like_is_said_in_the_office_language(locale: str,
                                                               corpus: Callable[[str], Path]
                                                               ) -> None:
    """Random bytes named .et: the kind of file is a catalogue word, in every language."""
    error, _ = refusal(lambda: inspect_workbook(corpus("random_bytes_as_et")))
    said = error.message(locale)
    assert "binary" not in said if locale != "en" else "binary data" in said
    assert {"zh-Hans": "二进制数据", "zh-Hant": "二進位資料", "en": "not a spreadsheet"}[
        locale] in said


# --- Rust's panic output kept off stderr ---------------------------------------------------

PANIC_1 = (
    b"\nthread '<unnamed>' (4242) panicked at /root/.cargo/registry/src/calamine-0.37.0/"
    b"src/xls.rs:811:15:\nindex out of bounds: the len is 2 but the index is 3\n"
    b"stack backtrace:\n   0: __rustc::rust_begin_unwind\n   1: calamine::xls::parse_lbl\n"
    b"             at /tmp/python-build/Python-3.11.7/Objects/methodobject.c:443:24\n"
    b"note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose "
    b"backtrace.\n")
PANIC_0 = (b"\nthread '<unnamed>' panicked at src/xls.rs:811:15:\nindex out of bounds\n"
           b"note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n")
PANIC_FULL = (b"\nthread 'main' panicked at src/xls.rs:1:2:\nboom\nstack backtrace:\n"
              b"   0:     0x7f00 - std::backtrace\n                               at std.rs:1\n")


def test_panic_output_is_taken_out_of_what_was_written() -> None:
    from automation.sources.panics import without_panics

    for panic in (PANIC_1, PANIC_0, PANIC_FULL):
        assert without_panics(b"warning: one\n" + panic + b"warning: two\n") == (
            b"warning: one\nwarning: two\n")
    assert without_panics(b"\n\nplain text\n") == b"\n\nplain text\n"


HIDING_THREADS = r"""
import os, random, sys, threading, time
from automation.sources.panics import panics_hidden

panic = sys.argv[1].encode().decode("unicode_escape").encode("latin-1")

def reader(n):
    with panics_hidden():
        time.sleep(random.random() / 20)
        with panics_hidden():  # nested: a read inside a read
            os.write(2, panic)
        os.write(2, f"line {n}\n".encode())
        time.sleep(random.random() / 20)

threads = [threading.Thread(target=reader, args=(n,)) for n in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
os.write(2, b"after\n")
print("done")
"""


def test_panics_are_hidden_while_reads_overlap() -> None:
    """Eight reads at once in threads, nested too: every panic dropped, every other line
    kept, and stderr is the real one again afterwards."""
    done = subprocess.run(
        [sys.executable, "-c", HIDING_THREADS, PANIC_1.decode("latin-1").encode(
            "unicode_escape").decode()],
        capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout == "done\n", done.stderr
    lines = done.stderr.splitlines()
    assert sorted(lines[:-1]) == sorted(f"line {n}" for n in range(8))
    assert lines[-1] == "after"


# --- WPS's .et / .ett holding a zipped workbook; a name that lies -------------------------


@pytest.mark.parametrize("suffix", [".et", ".ett"])
def test_zipped_workbook_named_et_is_read_as_what_it_is(tmp_path: Path, suffix: str) -> None:
    """An .xlsx (openpyxl) or .xlsb (SheetJS) saved under WPS's names reads as it would
    under its own, checked as what it holds (its used area is measured as a sheet's)."""
    xlsx = tmp_path / "book.xlsx"
    book = openpyxl.Workbook()
    assert book.active is not None
    book.active.title = "物资台账"
    for values in XLSB_TABLE:
        book.active.append(values)
    book.save(xlsx)
    for source, expected in ((xlsx, FileSource(xlsx).read()),
                             (SHEETJS_ROSTER, FileSource(SHEETJS_ROSTER).read())):
        renamed = tmp_path / f"{source.stem}{suffix}"
        shutil.copyfile(source, renamed)
        inspect_workbook(renamed)
        read = FileSource(renamed).read()
        assert [(s.name, s.rows) for s in read.sheets] == [
            (s.name, s.rows) for s in expected.sheets]
    far = tmp_path / f"far{suffix}"
    build_sparse_sheets(2)(far)
    assert refusal(lambda: inspect_workbook(far))[0].key == "source.workbook_too_large"


def test_workbook_under_another_kind_of_name_says_what_it_really_is(tmp_path: Path) -> None:
    bad = repack(tmp_path / "台账.xls")
    error, _ = refusal(lambda: inspect_workbook(bad))
    assert error.key == "source.wrong_suffix"
    assert "其实是 .xlsx 文件" in error.message("zh-Hans")
    assert "改为 .xlsx" in error.message("zh-Hans")
    assert "Rename it to .xlsx" in error.message("en")


# --- what must still be read, and how fast ----------------------------------------------


def test_libreoffice_xls_and_ods_of_several_sheets_still_read(tmp_path: Path) -> None:
    for kind, data in libreoffice_books().items():
        path = tmp_path / f"books.{kind}"
        path.write_bytes(data)
        inspect_workbook(path)
        read = FileSource(path).read()
        assert [sheet.name for sheet in read.sheets] == list(LO_SHEETS)
        assert read.sheets[2].rows[1][:2] == ["WZ0001", "折叠椅1"]


def test_small_xls_in_the_mini_stream_still_reads() -> None:
    """SheetJS's .xls keeps its Workbook stream in the container's mini stream: the safety
    pass follows it there, and finds nothing wrong."""
    inspect_workbook(SHEETJS_XLS)
    read = FileSource(SHEETJS_XLS).read()
    assert [sheet.name for sheet in read.sheets] == ["成员名单", "考勤"]
    assert read.sheets[0].rows[2][:2] == ["2024010001", "王小明"]


def test_xlsb_shared_strings_in_range_still_read(tmp_path: Path) -> None:
    path = tmp_path / "roster.xlsb"
    build_sheetjs_xlsb({"xl/sharedStrings.bin": shared_strings(1, "学号"),
                        "xl/worksheets/sheet1.bin": text_cell_naming(0)})(path)
    inspect_workbook(path)
    assert FileSource(path).read().sheets[0].rows == [["学号"]]


def test_a_large_xls_is_checked_well_under_a_second(tmp_path: Path) -> None:
    """A few MB of legacy workbook (xlwt, 200,000 cells): every record followed, fast."""
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("物资台账")
    for row in range(20_000):
        for column in range(10):
            sheet.write(row, column, f"格{row}-{column}" if column % 2 else row + 0.5)
    path = tmp_path / "large.xls"
    book.save(str(path))
    assert path.stat().st_size > 2 * 1024 * 1024
    started = time.perf_counter()
    inspect_workbook(path)
    assert time.perf_counter() - started < 0.5


# --- shared strings: counted as each cell holds them, and only as often as named ----------


REMARK = "借用时发现椅腿松动，已联系后勤维修，维修完成前请勿借出。" * 1_000
"""A 29,000-character remark: one cell may hold it; so long a string has cells counted."""


@pytest.mark.parametrize("suffix", [".xlsx", ".xlsb", ".xls"])
def test_many_repeated_short_strings_still_read(tmp_path: Path, suffix: str) -> None:
    """200,000 cells of 完好 (one shared string, 400,000 characters once copied) and one
    long remark: counted cell by cell, well under the limit, read; checked in time."""
    path = tmp_path / f"good{suffix}"
    cells = 200_000
    if suffix == ".xlsx":
        book = xlsxwriter.Workbook(str(path))
        sheet = book.add_worksheet("物资台账")
        sheet.write_string(0, 5, REMARK)
        for cell in range(cells):
            sheet.write_string(cell // 4, cell % 4, "完好")
        book.close()
    elif suffix == ".xlsb":
        records = xb.row(0) + record(0x0007, xb.cell(5) + struct.pack("<I", 1)) + b"".join(
            xb.row(r) + b"".join(record(0x0007, xb.cell(c) + struct.pack("<I", 0))
                                 for c in range(4)) for r in range(cells // 4))
        xb.write_xlsb(path, {"物资台账": records})
        with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
            z.writestr("xl/sharedStrings.bin", shared_strings(2, "完好", REMARK))
    else:
        xlwt = pytest.importorskip("xlwt")
        book = xlwt.Workbook(encoding="utf-8")
        sheet = book.add_sheet("物资台账")
        sheet.write(0, 5, REMARK)
        for cell in range(cells):
            sheet.write(cell // 4, cell % 4, "完好")
        book.save(str(path))
    started = time.perf_counter()
    inspect_workbook(path)
    assert time.perf_counter() - started < 2.0
    rows = FileSource(path).read().sheets[0].rows
    assert len(rows) == cells // 4 and rows[-1][:4] == ["完好"] * 4 and rows[0][5] == REMARK


def test_shared_strings_count_each_cell_and_inline_strings_do_not(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The limit lowered to 10,000 characters: 100 cells naming one 200-character shared
    string (20,000 once copied) are refused, in each kind of workbook, and one cell naming
    it is not; the same text written in each cell itself (`t="inlineStr"`) is not counted:
    the file holds every character the reader will, so the zip limits bound it."""
    monkeypatch.setattr(safety, "MAX_TEXT_CHARS", 10_000)
    text = "库" * 200
    for suffix, build in ((".xlsx", xlsx_naming_one_string), (".xlsb", xlsb_naming_one_string),
                          (".xls", xls_naming_one_string)):
        many, one = tmp_path / f"many{suffix}", tmp_path / f"one{suffix}"
        build(100, text)(many)
        build(1, text)(one)
        error, _ = refusal(lambda: inspect_workbook(many))  # noqa: B023
        assert error.key == "source.text_too_large" and error.values["chars"] == 20_000
        inspect_workbook(one)
    inline = tmp_path / "inline.xlsx"
    repack(inline, {SHEET: sheet_xml(b"".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{"库" * 200}</t></is></c></row>'.encode()
        for r in range(1, 101)))})
    inspect_workbook(inline)


def test_shared_strings_written_otherwise_are_measured_alike(tmp_path: Path) -> None:
    """Shared strings in UTF-16, with a prefix, CDATA or rich-text runs are measured by
    expat: the long one is found whichever way it is written."""
    cells = b"".join(b'<row r="%d"><c r="A%d" t="s"><v>1</v></c></row>' % (r, r)
                     for r in range(1, 2_001))
    head = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
    long = "z" * 20_000  # 2,000 cells: 40,000,000 characters
    for items in (f"<si><t>a</t></si><si><t>{long}</t></si>",
                  f"<x:si><x:t>a</x:t></x:si><x:si><x:t>{long}</x:t></x:si>",
                  f"<si><t>a</t></si><si><t><![CDATA[{long}]]></t></si>",
                  f"<si><t>a</t></si><si><r><rPr><b/></rPr><t>{long}</t></r></si>"):
        for encoding in ("utf-8", "utf-16"):
            path = tmp_path / "odd.xlsx"
            repack(path, {SHEET: sheet_xml(cells), "xl/sharedStrings.xml": (
                f'<?xml version="1.0" encoding="{encoding}"?>{head}{items}</sst>').encode(
                    encoding)})
            error, _ = refusal(lambda: inspect_workbook(path))  # noqa: B023
            assert error.key == "source.text_too_large", (items[:40], encoding)
            assert error.values["chars"] == 40_000_000
