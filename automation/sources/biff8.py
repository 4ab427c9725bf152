"""The legacy workbook (.xls, WPS's .et and .ett): its OLE container and BIFF8 records,
followed the way python-calamine reads them.

An .xls is an OLE compound file (sectors chained by an allocation table, a directory of
named streams) whose `Workbook` stream (`Book` in BIFF5) is a run of records: a 2-byte
type, a 2-byte size, then that many bytes. The safety pass takes the stream out of the
container (`workbook_streams`), then follows the records (`scan_workbook`) to learn, before
the reader allocates anything, how far each sheet's cells reach.

What python-calamine 0.9 (calamine 0.37) does with an .xls, and so what is followed here:
- it reads the whole workbook when it opens it, every sheet of every kind (worksheets,
  chart, macro and dialog sheets), each from the offset its BOUNDSHEET record gives
  (an offset past the end of the stream is a panic, not an error) to the next EOF record;
  a FILEPASS record (a password to open) before the first EOF stops it there;
- a DIMENSIONS record makes it reserve room for the rows x columns it declares (with
  32-bit wrap-around: first row 5, last row 0 is four billion rows), before any cell;
- it keeps the value cells (NUMBER, RK, MULRK, LABEL, RSTRING, BOOLERR, the FORMULA
  records with their STRING, and LABELSST when the shared string it names is in the SST),
  and the sheet becomes a dense range over their bounding box, which python-calamine then
  pads from A1 when a sheet is read;
- a record cut off by the end of the stream is an error;
- a LABELSST cell gets its own copy of the shared string it names: a short file can name
  one long string (up to 65,535 characters) in every cell, so each sheet's `text` counts
  the characters of the strings its LABELSST cells name (`shared_string_lengths`).
BLANK and MULBLANK (formatted empty cells) are left out by python-calamine; they are
measured here all the same, as a writer puts them inside the declared dimensions anyway.
"""

from __future__ import annotations

import codecs
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
END_OF_CHAIN = 0xFFFF_FFFE
FREE_SECTOR = 0xFFFF_FFFF
MINI_SECTOR = 64
MINI_CUTOFF = 4096
"""Streams shorter than this live in the mini stream, as python-calamine reads them."""
STREAM_NAMES = ("Workbook", "Book")
"""The streams python-calamine reads a workbook from (BIFF8's, then BIFF5's)."""

BOF = 0x0809
EOF = 0x000A
CODEPAGE = 0x0042
FILEPASS = 0x002F
BOUNDSHEET = 0x0085
SST = 0x00FC
CONTINUE = 0x003C
DIMENSIONS = 0x0200
FORMULA = 0x0006
LABELSST = 0x00FD
MULRK = 0x00BD
MULBLANK = 0x00BE
ROW_COLUMN_CELLS = frozenset([
    0x0201,  # BLANK
    0x0203,  # NUMBER
    0x0204,  # LABEL
    0x0205,  # BOOLERR
    0x027E,  # RK
    0x00D6,  # RSTRING
    FORMULA,
])
"""Cell records that start with the cell's row and column (2 bytes each). LABELSST
does too, but is kept only when its shared string is there (`_sheet`)."""
SPAN_CELLS = frozenset([MULRK, MULBLANK])
"""Cell records for a run of cells in a row: row, first column, ..., last column."""
BIFF5_AND_OLDER = {0x0200, 0x0002, 0x0007, 0x0300, 0x0400, 0x0500}
"""BOF versions whose sheet names are 8-bit text in the workbook's code page."""

_HEAD = struct.Struct("<HH")
_U32 = struct.Struct("<I")


class BiffError(ValueError):
    """The container or its records are not sound (a chain runs outside the file, loops,
    or a record is cut off)."""


class TooManyRecords(ValueError):
    """More records than the budget allows are to be followed."""


class TooManySheets(ValueError):
    """More sheets are listed than any register has."""

    def __init__(self, count: int) -> None:
        super().__init__(count)
        self.count = count


class Encrypted(ValueError):
    """The workbook has a password to open (a FILEPASS record): python-calamine stops
    there and says so."""


# --- the OLE container ----------------------------------------------------------------------


def workbook_streams(data: bytes) -> list[bytes]:
    """Every stream python-calamine may read the workbook from (each named `Workbook` or
    `Book`), as it reads them: BiffError when the container is not sound enough for that.

    Every chain followed (the directory, the mini stream and its table, the workbook)
    must stay inside the file and end before it loops."""
    if len(data) < 512 or not data.startswith(OLE_MAGIC):
        raise BiffError("not an OLE container")
    shift, mini_shift = struct.unpack_from("<2H", data, 0x1E)
    if shift not in (9, 12) or mini_shift != 6:
        raise BiffError("sector size")
    size = 1 << shift
    view = memoryview(data)
    count = (len(data) >> shift) - 1
    directory_start, = _U32.unpack_from(data, 0x30)
    minifat_start, minifat_sectors = struct.unpack_from("<2I", data, 0x3C)
    difat_next, = _U32.unpack_from(data, 0x44)
    fat_sectors = [n for n in struct.unpack_from("<109I", data, 0x4C) if n != FREE_SECTOR]
    seen: set[int] = set()
    while difat_next not in (FREE_SECTOR, END_OF_CHAIN):
        if difat_next >= count or difat_next in seen:
            raise BiffError("DIFAT chain")
        seen.add(difat_next)
        difat = struct.unpack_from(f"<{size // 4}I", data, (difat_next + 1) * size)
        fat_sectors.extend(n for n in difat[:-1] if n != FREE_SECTOR)
        difat_next = difat[-1]
    if any(n >= count for n in fat_sectors):
        raise BiffError("FAT sector outside the file")
    fat = _u32s(b"".join(view[(n + 1) * size:(n + 2) * size] for n in fat_sectors))
    directory = _chain(view, size, size, count, fat, directory_start, None)
    entries = [directory[at:at + 128] for at in range(0, len(directory) - 127, 128)]
    if not entries:
        raise BiffError("no directory")
    streams = []
    mini: bytes | None = None
    minifat: tuple[int, ...] = ()
    for entry in entries:
        if _entry_name(entry) not in STREAM_NAMES:
            continue
        start, length = _entry_start_and_length(entry, size)
        if length >= MINI_CUTOFF:
            streams.append(_chain(view, size, size, count, fat, start, length))
            continue
        if mini is None:
            root_start, root_length = _entry_start_and_length(entries[0], size)
            mini = _chain(view, size, size, count, fat, root_start, root_length)
            if minifat_sectors:
                minifat = _u32s(_chain(view, size, size, count, fat, minifat_start,
                                       minifat_sectors * size))
        streams.append(_chain(mini, 0, MINI_SECTOR, len(mini) // MINI_SECTOR, minifat,
                              start, length))
    return streams


def _chain(data: bytes | memoryview, first: int, size: int, count: int,
           table: Sequence[int], start: int, length: int | None) -> bytes:
    """The sectors of a chain joined (sector n is `size` bytes at `first` + n * `size` of
    `data`, there are `count` of them), cut to `length` when it is given: the reader stops
    there too, wherever the chain would go on. BiffError when the chain leaves the
    sectors or loops before it ends."""
    parts: list[bytes | memoryview] = []
    sector = start
    wanted = count + 1 if length is None else -(-length // size)
    for _ in range(count + 1):
        if sector == END_OF_CHAIN or len(parts) == wanted:
            joined = b"".join(parts)
            return joined if length is None else joined[:length]
        if sector >= count or sector >= len(table):
            raise BiffError("chain outside the file")
        at = first + sector * size
        parts.append(data[at:at + size])
        sector = table[sector]
    raise BiffError("chain loops")


def _u32s(data: bytes) -> tuple[int, ...]:
    """Little-endian 32-bit numbers (sector numbers of an allocation table)."""
    return struct.unpack_from(f"<{len(data) // 4}I", data)


def _entry_name(entry: bytes) -> str:
    """A directory entry's name as python-calamine reads it: UTF-16 up to the first NUL."""
    name = bytes(entry[:64]).decode("utf-16-le", "ignore")
    return name.split("\0", 1)[0]


def _entry_start_and_length(entry: bytes, sector_size: int) -> tuple[int, int]:
    start, = _U32.unpack_from(entry, 116)
    if sector_size == 512:
        length, = _U32.unpack_from(entry, 120)
    else:
        length, = struct.unpack_from("<Q", entry, 120)
    return start, length


# --- the records ----------------------------------------------------------------------------


@dataclass
class SheetArea:
    """One sheet as python-calamine will hold it."""

    name: str
    rows: int = 0
    columns: int = 0
    """The furthest kept cell's row and column + 1: the area from A1 it is read as."""
    declared_rows: int = 0
    declared_columns: int = 0
    """What its largest DIMENSIONS record has the reader reserve room for."""
    text: int = 0
    """Characters of the shared strings its cells name, each cell counted."""


def scan_workbook(stream: bytes, budget: int, max_sheets: int) -> tuple[list[SheetArea], int]:
    """Each sheet of a workbook stream with the area python-calamine will allocate for it,
    and how many records were followed.

    BiffError for what it cannot read (a record cut off, a sheet offset past the end of
    the stream); TooManyRecords when more than `budget` records would be followed in all
    (sheets may share records: each is followed from its own offset, as the reader does);
    TooManySheets when more than `max_sheets` are listed."""
    book = _globals(stream, budget)
    if len(book.sheets) > max_sheets:
        raise TooManySheets(len(book.sheets))
    walked = book.records
    done: dict[int, SheetArea] = {}
    areas = []
    for offset, raw_name in book.sheets:
        if offset > len(stream):
            raise BiffError("sheet offset past the end of the stream")
        if offset not in done:
            area, records = _sheet(stream, offset, budget - walked, book.strings,
                                   book.lengths)
            walked += records
            done[offset] = area
        found = done[offset]
        areas.append(SheetArea(_sheet_name(raw_name, book.old, book.codepage), found.rows,
                               found.columns, found.declared_rows, found.declared_columns,
                               found.text))
    return areas, walked


@dataclass
class _Globals:
    """What the workbook's first records (up to the first EOF) tell about its sheets."""

    sheets: list[tuple[int, bytes]] = field(default_factory=list)
    """BOUNDSHEET offset and raw name of each sheet."""
    codepage: int = 1252
    old: bool = False
    """BIFF5 or older: sheet names are 8-bit text."""
    strings: int = 0
    """At most this many shared strings can the reader have taken from the SST."""
    lengths: list[int] = field(default_factory=list)
    """Each shared string's length in characters, as the SST declares it."""
    records: int = 0


class _Records:
    """The records from `at` to the stream's end, as (kind, body offset, length); `count`
    says how many were followed. A record cut off is damaged, more than `budget` too many."""

    def __init__(self, stream: bytes, at: int, budget: int) -> None:
        self.stream, self.at, self.budget = stream, at, budget
        self.count = 0

    def __iter__(self) -> Iterator[tuple[int, int, int]]:
        stream, at, budget = self.stream, self.at, self.budget
        end = len(stream)
        unpack = _HEAD.unpack_from
        while at < end:
            if end - at < 4:
                raise BiffError("record header cut off")
            kind, length = unpack(stream, at)
            body = at + 4
            at = body + length
            if at > end:
                raise BiffError("record cut off")
            self.count += 1
            if self.count > budget:
                raise TooManyRecords(self.count)
            yield kind, body, length


def _globals(stream: bytes, budget: int) -> _Globals:
    """The workbook's globals, from the records before the first EOF, as the reader takes
    them; Encrypted at a FILEPASS that python-calamine refuses as a password."""
    book = _Globals()
    in_sst = False
    declared = sst_bytes = 0
    sst: list[tuple[int, int]] = []
    records = _Records(stream, 0, budget)
    for kind, body, length in records:
        at = body + length
        if kind == CONTINUE and in_sst:
            sst_bytes += length
            book.strings = min(declared, sst_bytes // 3)
            sst.append((body, at))
            continue
        in_sst = False
        if kind == BOUNDSHEET:
            if length < 6:
                raise BiffError("BOUNDSHEET too short")
            offset, = _U32.unpack_from(stream, body)
            book.sheets.append((offset, stream[body + 6:at]))
        elif kind == SST and length >= 8:
            # Each string takes 3 bytes at least (length and flags): no more than that
            # many, nor more than the record declares, can the reader have taken.
            declared, = _U32.unpack_from(stream, body + 4)
            sst_bytes = length - 8
            book.strings = min(declared, sst_bytes // 3)
            in_sst = True
            sst = [(body + 8, at)]
        elif kind == FILEPASS and length >= 2 and stream[body] | stream[body + 1]:
            raise Encrypted("FILEPASS")
        elif kind == CODEPAGE and length >= 2:
            book.codepage = stream[body] | stream[body + 1] << 8
        elif kind == BOF and length >= 2:
            version = stream[body] | stream[body + 1] << 8
            kind_of = stream[body + 2] | stream[body + 3] << 8 if length >= 4 else 0
            book.old = version in BIFF5_AND_OLDER or (version == 0 and kind_of == 0x1000)
        elif kind == EOF:
            break
    book.records = records.count
    if sst and book.strings:
        book.lengths = shared_string_lengths(stream, sst, book.strings)
    return book


def shared_string_lengths(stream: bytes, segments: list[tuple[int, int]], wanted: int
                          ) -> list[int]:
    """The length in characters of each of the first `wanted` strings of an SST whose
    bytes (after its two counts) are stream[start:end] for each (start, end) of
    `segments`: the SST record's, then its CONTINUE records'.

    Each string is an XLUnicodeRichExtendedString: its character count (2 bytes), flags
    (1: 16-bit characters, 4: phonetic data follows, 8: formatting runs follow), the
    number of runs (2) and the size of the phonetic data (4) when there are any, the
    characters, 4 bytes a run, the phonetic data. Characters cut by the end of a record go
    on in the next after one byte of flags of their own. Where the strings run out before
    `wanted`, every string left counts as long as the SST has bytes: more than the reader
    can have taken from it."""
    lengths: list[int] = []
    index = 0
    at, end = segments[0]
    total = sum(stop - start for start, stop in segments)

    def read(count: int) -> bytes:
        """`count` bytes from `at` on, into the next records as needed (BiffError past the
        last record)."""
        nonlocal at, end, index
        out = b""
        while True:
            piece = stream[at:min(end, at + count - len(out))]
            out += piece
            at += len(piece)
            if len(out) == count:
                return out
            index += 1
            if index >= len(segments):
                raise BiffError("SST cut off")
            at, end = segments[index]

    try:
        while len(lengths) < wanted:
            count, flags = struct.unpack("<HB", read(3))
            extra = 0
            if flags & 8:
                extra += 4 * struct.unpack("<H", read(2))[0]
            if flags & 4:
                extra += _U32.unpack(read(4))[0]
            width = 2 if flags & 1 else 1
            left = count
            while True:
                room = (end - at) // width
                if left <= room:
                    at += left * width
                    break
                left -= room
                at += room * width
                index += 1
                if index >= len(segments):
                    raise BiffError("SST cut off")
                at, end = segments[index]
                if at >= end:
                    raise BiffError("SST continuation empty")
                width = 2 if stream[at] & 1 else 1
                at += 1
            lengths.append(count)
            while extra:
                step = min(extra, 1 << 20)
                read(step)
                extra -= step
    except (BiffError, IndexError, struct.error):
        lengths.extend([total] * (wanted - len(lengths)))
    return lengths


def _sheet(stream: bytes, start: int, budget: int, strings: int, lengths: list[int]
           ) -> tuple[SheetArea, int]:
    """The area of the sheet whose records start at `start`, and how many were followed.
    A LABELSST cell counts when its string is one of the first `strings` (python-calamine
    leaves the cell out when its string is not there), and so does its string's length
    (`lengths`) in the sheet's text."""
    text = 0
    rows = columns = 0
    declared_rows = declared_columns = 0
    unpack = _HEAD.unpack_from
    cells = ROW_COLUMN_CELLS
    spans = SPAN_CELLS
    records = _Records(stream, start, budget)
    for kind, body, length in records:
        at = body + length
        if kind in cells:
            if length >= 4:
                row, column = unpack(stream, body)
                if row >= rows:
                    rows = row + 1
                if column >= columns:
                    columns = column + 1
        elif kind == LABELSST:
            if length >= 10 and (isst := _U32.unpack_from(stream, body + 6)[0]) < strings:
                text += lengths[isst] if isst < len(lengths) else 0
                row, column = unpack(stream, body)
                if row >= rows:
                    rows = row + 1
                if column >= columns:
                    columns = column + 1
        elif kind in spans:
            if length >= 6:
                row, first = unpack(stream, body)
                last, = struct.unpack_from("<H", stream, at - 2)
                step = 6 if kind == MULRK else 2
                furthest = max(last, first + (length - 6) // step - 1)
                if row >= rows:
                    rows = row + 1
                if furthest >= columns:
                    columns = furthest + 1
        elif kind == DIMENSIONS:
            tall, wide = _declared(stream[body:at])
            if tall * wide > declared_rows * declared_columns:
                declared_rows, declared_columns = tall, wide
        elif kind == EOF:
            break
    return SheetArea("", rows, columns, declared_rows, declared_columns, text), records.count


def _declared(body: bytes) -> tuple[int, int]:
    """(rows, columns) a DIMENSIONS record has python-calamine reserve room for: its last
    row and column are one past the end, the sums wrap at 32 bits; any other size of
    record is an error there."""
    if len(body) == 14:
        first_row, last_row, first_column, last_column = struct.unpack_from("<IIHH", body)
    elif len(body) == 10:
        first_row, last_row, first_column, last_column = struct.unpack_from("<4H", body)
    else:
        raise BiffError("DIMENSIONS of an unknown size")
    if last_row < 1 or last_column < 1:
        return 1, 1
    return (last_row - first_row) & 0xFFFF_FFFF, (last_column - first_column) & 0xFFFF_FFFF


def _sheet_name(raw: bytes, old: bool, codepage: int) -> str:
    """A BOUNDSHEET's name (ShortXLUnicodeString; 8-bit in the code page before BIFF8)."""
    if not raw:
        return ""
    count = raw[0]
    if old:
        text = raw[1:1 + count]
        try:
            codec = codecs.lookup(f"cp{codepage}").name
        except LookupError:
            codec = "latin-1"
        return text.decode(codec, "replace")
    wide = len(raw) > 1 and raw[1] & 1
    text = raw[2:2 + count * (2 if wide else 1)]
    return text.decode("utf-16-le" if wide else "latin-1", "replace").replace("\0", "")
