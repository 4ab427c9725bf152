"""The OpenDocument spreadsheet (.ods): its content.xml followed the way python-calamine
expands it, so the safety pass knows before the reader how much it will hold.

A few bytes of content.xml can stand for a great many cells: a row says it is repeated
(`table:number-rows-repeated`), a cell that it is repeated across columns
(`table:number-columns-repeated`), a `<text:s text:c="..."/>` that it is that many spaces.
What python-calamine 0.9 (calamine 0.37) makes of them, and so what is counted here:
- it reads every `table:table` element (a sheet) when it opens the file, each at once;
- in a row it writes out each cell as many times as it is repeated, empty ones too when a
  cell with content comes after them; the empty cells that end a row are not written out;
- it then keeps the rows from the first to the last one with content, each as many times
  as it is repeated, all as wide as the widest: the empty rows that end a sheet cost
  nothing; and python-calamine pads the sheet from A1 when it is read;
- a cell has content when it has a value, a formula or is of string type (even empty);
- each copy of a repeated cell or row holds its own copy of the cell's text.

So a sheet costs (rows up to its last row with content) x (columns up to the furthest
cell with content), and its text (each cell's, times its repeats) is held as well.
Element names are matched as written (`table:table-row`), as python-calamine does.
"""

from __future__ import annotations

from typing import Protocol
from xml.parsers import expat

TABLE = "table:table"
ROW = "table:table-row"
CELLS = frozenset(["table:table-cell", "table:covered-table-cell"])
SPACES = "text:s"
PARAGRAPH = "text:p"
VALUE_ATTRIBUTES = frozenset([
    "office:value", "office:string-value", "office:date-value", "office:time-value",
    "office:boolean-value", "table:formula",
])
"""A cell with any of these has content (a formula makes a cell of the formula range)."""
TEXT_ATTRIBUTES = ("office:string-value", "office:date-value", "office:time-value",
                   "table:formula")


class _Handlers(Protocol):
    def _start(self, name: str, attributes: dict[str, str]) -> None: ...
    def _end(self, name: str) -> None: ...
    def _characters(self, data: str) -> None: ...
    def _doctype(self, *_: object) -> None: ...


def streaming_parser(handlers: _Handlers) -> expat.XMLParserType:
    """An expat parser fed part by part, calling `handlers`' `_start`, `_end`,
    `_characters` and `_doctype` (which refuses a DTD: no entity can expand); names as
    written, no namespace processing."""
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = handlers._start
    parser.EndElementHandler = handlers._end
    parser.CharacterDataHandler = handlers._characters
    parser.StartDoctypeDeclHandler = handlers._doctype
    return parser


class ContentScan:
    """Fed content.xml chunk by chunk: the sheets (tables) it holds and, as it goes, the
    area and text the reader will expand them to.

    `rows` x `columns` is the current table's area so far; `finished` lists the area of
    each table already closed; `text` counts the characters of cell text the reader will
    hold for all tables, the current row's included. ValueError for what expat or the
    reader would find malformed (a repeat count that is not a number, a DTD)."""

    def __init__(self) -> None:
        self.finished: list[tuple[str, int, int]] = []
        """(name, rows, columns) of each table read."""
        self.name = ""
        self.rows = 0
        self.columns = 0
        self.elements = 0
        self._text = 0
        self._in_table = False
        self._rows_before = 0  # rows of this table before the current one, repeats counted
        self._row_repeat = 0  # 0 outside a row
        self._position = 0  # columns of the current row so far, repeats counted
        self._last = 0  # columns up to the current row's last cell with content
        self._row_text = 0
        self._cell_depth = 0  # >0 inside a cell (and its contents)
        self._cell_repeat = 1
        self._cell_content = False
        self._cell_text = 0
        self._paragraphs = 0
        self._parser = streaming_parser(self)

    def feed(self, data: bytes, final: bool = False) -> None:
        self._parser.Parse(data, final)

    @property
    def text(self) -> int:
        return self._text + self._row_text * self._row_repeat

    def _doctype(self, *_: object) -> None:
        raise ValueError("DTD in content.xml")

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        self.elements += 1
        if self._cell_depth:
            self._cell_depth += 1
            if name == SPACES:
                self._cell_text += _count(attrs.get("text:c", "1"))
            elif name == PARAGRAPH:
                self._paragraphs += 1
            return
        if not self._in_table:
            if name == TABLE:
                self._in_table = True
                self.name = attrs.get("table:name", "")
                self.rows = self.columns = self._rows_before = 0
            return
        if name in CELLS:
            if not self._row_repeat:
                return
            self._cell_depth = 1
            self._cell_repeat = _count(attrs.get("table:number-columns-repeated", "1"))
            self._cell_content = (attrs.get("office:value-type") == "string"
                                  or not VALUE_ATTRIBUTES.isdisjoint(attrs))
            self._cell_text = sum(len(attrs[key]) for key in TEXT_ATTRIBUTES if key in attrs)
            self._paragraphs = 0
        elif name == ROW:
            self._row_repeat = _count(attrs.get("table:number-rows-repeated", "1"))
            self._position = self._last = self._row_text = 0

    def _end(self, name: str) -> None:
        if self._cell_depth:
            self._cell_depth -= 1
            if self._cell_depth:
                return
            self._position += self._cell_repeat
            if self._cell_content:
                self._last = self._position
                text = self._cell_text + max(self._paragraphs - 1, 0)
                self._row_text += text * self._cell_repeat
                self._grow()
            return
        if not self._in_table:
            return
        if name == ROW and self._row_repeat:
            if self._last:
                self._grow()
                self._text += self._row_text * self._row_repeat
            self._rows_before += self._row_repeat
            self._row_repeat = 0
            self._row_text = 0
        elif name == TABLE:
            self.finished.append((self.name, self.rows, self.columns))
            self._in_table = False
            self._row_repeat = 0
            self.rows = self.columns = 0

    def _grow(self) -> None:
        """The current row has content up to `_last`: the table reaches this far."""
        self.rows = self._rows_before + self._row_repeat
        if self._last > self.columns:
            self.columns = self._last

    def _characters(self, data: str) -> None:
        if self._cell_depth:
            self._cell_text += len(data)


def _count(text: str) -> int:
    """A repeat count as the reader parses it (an unsigned integer, `+` allowed), else
    ValueError, as the reader refuses it too."""
    value = text.strip().removeprefix("+")
    if not value.isdigit() or not value.isascii():
        raise ValueError(f"not a count: {text!r}")
    return int(value)
