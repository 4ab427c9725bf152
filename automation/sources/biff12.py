"""The binary workbook (.xlsb): its BIFF12 records, followed the way python-calamine reads them.

An .xlsb is a zip like an .xlsx, but its workbook, shared strings, styles and sheets are
binary parts made of records: a record type (a 1-2 byte varint), a size (a 1-4 byte
varint), then that many bytes. The safety pass streams each sheet part through
`SheetScan` to learn, before the reader allocates anything, how far the cells reach;
`expand_short_cells` and `without_sheets` make the copy the reader is given when a file
uses what python-calamine cannot read itself.

What python-calamine 0.9 (calamine 0.37) does with a sheet, and so what is followed here:
- it reads cells from the first BrtBeginSheetData to BrtEndSheetData, or to a row
  header past row 0x100000, where it stops;
- a cell's row is the last BrtRowHdr's (0 before any), its column the record's first 4
  bytes, unchecked; BrtWsDim, the declared dimension, only sizes a small reservation, so
  it is not trusted here either;
- it keeps the value cells (BrtCellRk, Error, Bool, Real, St, Isst and the formulas with
  a number, string or bool), in any order, and the sheet is then read as a dense range
  from A1 to the furthest row and column of those cells;
- it skips, without a word, the short cell records (BrtShort*, the column left out: one
  more than the previous cell's) that SheetJS and Aspose write and Excel does not: those
  are written out in full in the copy the reader gets, and counted here as they will be.
"""

from __future__ import annotations

import struct
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence

ROW_HEADER = 0x0000
FULL_CELLS = range(0x0001, 0x000C)
"""BrtCellBlank .. BrtFmlaError: a Cell (column, style) first."""
SHORT_CELLS = range(0x000C, 0x0013)
"""BrtShortBlank .. BrtShortIsst: a ShortCell (style only) first; column = previous + 1."""
SHORT_TO_FULL = 0x000B
"""BrtShortBlank (0x0C) - 0x0B = BrtCellBlank (0x01), and so on up to Isst (0x12 -> 0x07)."""
KEPT_CELLS = frozenset([*range(0x0002, 0x000B), *range(0x000D, 0x0013)])
"""The cells python-calamine keeps (short ones once written out in full): not the blanks
and not BrtFmlaError, whose cell it leaves empty."""
ERROR_CELLS = {0x0003: 8, 0x000B: 8, 0x000E: 4}
"""BrtCellError, BrtFmlaError, BrtShortError -> offset of the error code in the record."""
STRING_CELLS = {0x0007: 8, 0x0012: 4}
"""BrtCellIsst, BrtShortIsst -> offset of the shared string's index in the record."""
BEGIN_SST = 0x009F
SST_ITEM = 0x0013
SHARED_STRINGS = "xl/sharedStrings.bin"
"""The part python-calamine takes an .xlsb's shared strings from (by this exact name)."""
BEGIN_SHEET_DATA = 0x0091
END_SHEET_DATA = 0x0092
BUNDLE_SHEET = 0x009C
WORKBOOK_PROPERTIES = 0x0099
LAST_ROW = 0x0010_0000
"""python-calamine stops reading a sheet at a row header beyond this row index."""
ERROR_TEXT = {
    0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?",
    0x24: "#NUM!", 0x2A: "#N/A", 0x2B: "#GETTING_DATA",
}
HEAD_BYTES = 12
"""What is needed of a record here: a cell's column, style and value or error code."""


class RecordError(ValueError):
    """A part is not a sound sequence of records (one is cut off or too short)."""


class Records:
    """Splits a part fed chunk by chunk into records, never holding more than a record's
    first HEAD_BYTES: `on_record(type, head, size)` gets each one (head = its first bytes,
    `size` its full length). Counts them; `close()` says whether the part ended on a
    record boundary."""

    def __init__(self, on_record: Callable[[int, bytes, int], bool | None]) -> None:
        self.count = 0
        self.stopped = False
        self._on_record = on_record
        self._pending = b""
        self._skip = 0

    def feed(self, chunk: bytes) -> None:
        if self.stopped:
            return
        if self._skip:
            if self._skip >= len(chunk):
                self._skip -= len(chunk)
                return
            chunk = chunk[self._skip:]
            self._skip = 0
        data = self._pending + chunk if self._pending else chunk
        self._pending = b""
        size_of = len(data)
        at = 0
        on_record = self._on_record
        count = 0
        while at < size_of:
            start = at
            kind = data[at]
            at += 1
            if kind & 0x80:
                if at >= size_of:
                    self._pending = data[start:]
                    break
                kind = (kind & 0x7F) | ((data[at] & 0x7F) << 7)
                at += 1
            if at >= size_of:
                self._pending = data[start:]
                break
            length = data[at]
            at += 1
            if length & 0x80:
                length &= 0x7F
                shift = 7
                while True:
                    if at >= size_of:
                        break
                    byte = data[at]
                    at += 1
                    length |= (byte & 0x7F) << shift
                    if not byte & 0x80 or shift == 21:
                        shift = 0
                        break
                    shift += 7
                if shift:
                    self._pending = data[start:]
                    break
            head_end = at + (length if length < HEAD_BYTES else HEAD_BYTES)
            if head_end > size_of:
                self._pending = data[start:]
                break
            count += 1
            if on_record(kind, data[at:head_end], length):
                self.stopped = True
                break
            at += length
        else:
            if at > size_of:
                self._skip = at - size_of
        self.count += count

    def close(self) -> None:
        if not self.stopped and (self._pending or self._skip):
            raise RecordError("a record runs past the end of its part")


def split(data: bytes) -> Iterator[tuple[int, int, int, int]]:
    """(type, start, start of its body, end) of each record of a whole part; RecordError
    when the last one is cut off."""
    at = 0
    size_of = len(data)
    while at < size_of:
        header = _header(data, at)
        if header is None or header[2] > size_of:
            raise RecordError("a record runs past the end of its part")
        kind, body, end = header
        yield kind, at, body, end
        at = end


def records(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(type, body) of every record of a small whole part (the workbook's)."""
    for kind, _, body, end in split(data):
        yield kind, data[body:end]


def record_bytes(kind: int, body: bytes) -> bytes:
    """One record as it is written: type and size varints, then the body."""
    head = bytearray()
    head.append((kind & 0x7F) | (0x80 if kind > 0x7F else 0))
    if kind > 0x7F:
        head.append(kind >> 7)
    size = len(body)
    while True:
        byte = size & 0x7F
        size >>= 7
        head.append(byte | (0x80 if size else 0))
        if not size:
            break
    return bytes(head) + body


class SheetScan:
    """A worksheet part's used area, cached errors and short cells, as the reader will
    see them once short cells are written out in full. Feed it chunks, then `close()`.

    `rows` x `columns` is what python-calamine allocates from A1: the furthest kept row + 1
    by the furthest kept column + 1. `cells` counts the kept cells (the reader
    holds each before it builds the range). `furthest_string` is the highest shared
    string a cell names (-1 for none): the reader panics on one that is not there.
    `text` is the characters of the shared strings its cells name, each cell counted (the
    reader gives every cell its own copy), given the strings' `lengths`.
    """

    def __init__(self, lengths: Sequence[int] = ()) -> None:
        self.text = 0
        self._lengths = lengths
        self.rows = 0
        self.columns = 0
        self.cells = 0
        self.furthest_string = -1
        self.short_cells = False
        self.errors: dict[tuple[int, int], str] = {}
        self._stage = 0  # 0 before BrtBeginSheetData, 1 in the cells, 2 done
        self._row = 0
        self._column = -1
        self._records = Records(self._record)

    @property
    def records(self) -> int:
        return self._records.count

    def feed(self, chunk: bytes) -> None:
        self._records.feed(chunk)

    def close(self) -> None:
        self._records.close()

    def _record(self, kind: int, head: bytes, size: int) -> bool:
        if self._stage != 1:
            if kind == BEGIN_SHEET_DATA:
                self._stage = 1
            return False
        if kind < 0x0013:
            if kind == ROW_HEADER:
                if len(head) < 4:
                    raise RecordError("row header too short")
                row = int.from_bytes(head[:4], "little")
                if row > LAST_ROW:
                    self._stage = 2
                    return True
                self._row = row
                self._column = -1
                return False
            if kind >= 0x000C:
                self.short_cells = True
                column = self._column + 1
            else:
                if len(head) < 4:
                    raise RecordError("cell record too short")
                column = int.from_bytes(head[:4], "little")
            self._column = column
            if kind in KEPT_CELLS:
                if self._row >= self.rows:
                    self.rows = self._row + 1
                if column >= self.columns:
                    self.columns = column + 1
                self.cells += 1
                at = STRING_CELLS.get(kind)
                if at is not None:
                    if len(head) < at + 4:
                        raise RecordError("string cell too short")
                    index = int.from_bytes(head[at:at + 4], "little")
                    if index > self.furthest_string:
                        self.furthest_string = index
                    if index < len(self._lengths):
                        self.text += self._lengths[index]
            at = ERROR_CELLS.get(kind)
            if at is not None and len(head) > at:
                self.errors[(self._row, column)] = ERROR_TEXT.get(head[at], "#ERROR")
            return False
        if kind == END_SHEET_DATA:
            self._stage = 2
            return True
        return False


class SharedStringsScan:
    """xl/sharedStrings.bin fed chunk by chunk: how many strings its BrtBeginSst declares
    (`declared`, None without one) and how many BrtSSTItem records follow it (`items`),
    and each one's length in characters (`lengths`: UTF-16 code units, as many as or more
    than the reader's characters; never more than the record holds).
    `close()` says whether the part ended on a record boundary."""

    def __init__(self) -> None:
        self.declared: int | None = None
        self.items = 0
        self.lengths = array("Q")
        self._records = Records(self._record)

    def feed(self, chunk: bytes) -> None:
        self._records.feed(chunk)

    def close(self) -> None:
        self._records.close()

    def _record(self, kind: int, head: bytes, size: int) -> bool:
        if self.declared is None:
            if kind == BEGIN_SST:
                if len(head) < 8:
                    raise RecordError("BrtBeginSst too short")
                self.declared = int.from_bytes(head[4:8], "little")
        elif kind == SST_ITEM:
            self.items += 1
            # A RichStr: flags (1 byte), then an XLWideString: its length (4), its UTF-16.
            declared = int.from_bytes(head[1:5], "little") if len(head) >= 5 else 0
            self.lengths.append(min(declared, max(size - 5, 0) // 2))
        return False


def expand_short_cells(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """A sheet part, streamed, with each short cell record written out in full (the column
    it stands for put in front: one more than the previous cell's in the row, the first
    of a row in column A, as `SheetScan` counts) and every other byte as it was.

    Only a short record is held whole; any other is passed on as it comes, its first
    4 bytes read when it is a cell (its column)."""
    column = -1
    buffer = bytearray()
    passing = 0  # bytes of a long record still to pass on as they come
    for chunk in chunks:
        if passing:
            if passing >= len(chunk):
                passing -= len(chunk)
                yield chunk
                continue
            yield chunk[:passing]
            chunk = chunk[passing:]
            passing = 0
        buffer += chunk
        out = bytearray()
        at = 0
        while True:
            header = _header(buffer, at)
            if header is None:
                break
            kind, body, end = header
            if kind in SHORT_CELLS:
                if end > len(buffer):
                    break
                column += 1
                out += record_bytes(kind - SHORT_TO_FULL,
                                    struct.pack("<I", column) + buffer[body:end])
                at = end
                continue
            if kind in FULL_CELLS:
                if end - body >= 4:
                    if body + 4 > len(buffer):
                        break
                    column = int.from_bytes(buffer[body:body + 4], "little")
            elif kind in (ROW_HEADER, BEGIN_SHEET_DATA):
                column = -1
            out += buffer[at:min(end, len(buffer))]
            if end > len(buffer):
                passing = end - len(buffer)
                at = len(buffer)
                break
            at = end
        del buffer[:at]
        if out:
            yield bytes(out)
    if buffer or passing:
        raise RecordError("a record runs past the end of its part")


def _header(data: bytes | bytearray, at: int) -> tuple[int, int, int] | None:
    """(type, start of body, end) of the record at `at`, or None if its type and size are
    not all there yet."""
    size_of = len(data)
    if at >= size_of:
        return None
    kind = data[at]
    at += 1
    if kind & 0x80:
        if at >= size_of:
            return None
        kind = (kind & 0x7F) | ((data[at] & 0x7F) << 7)
        at += 1
    length = 0
    for shift in (0, 7, 14, 21):
        if at >= size_of:
            return None
        byte = data[at]
        at += 1
        length |= (byte & 0x7F) << shift
        if not byte & 0x80:
            break
    return kind, at, at + length


def bundle_sheets(body_records: Iterable[tuple[int, bytes]]) -> Iterator[tuple[str, str]]:
    """(relationship id, sheet name) of each BrtBundleSh of a workbook.bin."""
    for kind, body in body_records:
        if kind != BUNDLE_SHEET or len(body) < 12:
            continue
        (rel_length,) = struct.unpack_from("<I", body, 8)
        if rel_length == 0xFFFF_FFFF:
            continue
        end = 12 + 2 * rel_length
        rel_id = body[12:end].decode("utf-16-le", "replace")
        name = ""
        if len(body) >= end + 4:
            (name_length,) = struct.unpack_from("<I", body, end)
            name = body[end + 4:end + 4 + 2 * name_length].decode("utf-16-le", "replace")
        yield rel_id, name


def without_sheets(data: bytes, rel_ids: set[str]) -> bytes:
    """A workbook.bin without the BrtBundleSh records of the given relationship ids; every
    other byte as it was."""
    out = bytearray()
    copied = 0
    for kind, start, body, end in split(data):
        if kind == BUNDLE_SHEET and any(
            rel_id in rel_ids for rel_id, _ in bundle_sheets([(kind, data[body:end])])
        ):
            out += data[copied:start]
            copied = end
    out += data[copied:]
    return bytes(out)


def date1904(body_records: Iterable[tuple[int, bytes]]) -> bool:
    """BrtWbProp's f1904 bit, as python-calamine reads it."""
    return any(kind == WORKBOOK_PROPERTIES and body[:1] and body[0] & 1
               for kind, body in body_records)
