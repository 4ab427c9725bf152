"""Writing a button's answer into the book it was clicked in (through xlwings: desktop
Excel, or the remote actions Excel on the web and Google Sheets run): the owned tabs and
the colours of the cells at fault. The files and tabs of the command line and the nightly
job are written by the rest of this package; this is the same job for the live book."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._cells import formula_safe, plain_value

if TYPE_CHECKING:
    from ..checks.findings import Finding
    from ..config import OfficeConfig

MARK_COLOURS = {"error": "#FFC7CE", "warning": "#FFEB9C"}
"""Fill of a cell at fault: Excel's own 'bad' red and 'neutral' yellow."""
HEADER_COLOUR = "#DDEBF7"
MAX_MARKS = 500
"""Cells coloured (and hyperlinks added) per click: each is one action the client replays."""
NO_FILL = ""
"""How the results tab records 'the cell had no fill'."""


def client_of(book: Any) -> str:
    api = getattr(book, "api", None)
    return str(api.get("client", "")) if isinstance(api, dict) else "desktop"


def write_tab(book: Any, name: str, rows: list[list[Any]], *,
              links: list[tuple[int, str, str]] | None = None) -> Any:
    """Create or clear the owned tab `name` (last in the book) and write `rows` from A1;
    `links` are (row index, target, text) hyperlinks in column A."""
    existing = [s for s in book.sheets if s.name == name]
    if existing:
        sheet = existing[0]
        sheet.clear()
    else:
        sheet = book.sheets.add(name, after=book.sheets[len(book.sheets) - 1])
    width = max((len(r) for r in rows), default=1)
    grid = [[_cell(v) for v in row] + [""] * (width - len(row)) for row in rows]
    if grid:
        sheet.range((1, 1)).value = grid
        sheet.range((1, 1), (1, width)).color = HEADER_COLOUR
    for index, target, text in (links or [])[:MAX_MARKS]:
        sheet.range((index + 1, 1)).add_hyperlink(target, text)
    return sheet


def _cell(value: Any) -> Any:
    """Written with setValues, which clients enter as typed: text that would run as a
    formula (an officer's '=…' quoted in a finding) is kept as text."""
    return formula_safe(plain_value(value))


def _colour_hex(value: Any) -> str:
    """A colour as xlwings reports it (RGB tuple, hex or None) -> '#RRGGBB' or ''."""
    if value is None:
        return NO_FILL
    if isinstance(value, tuple):
        return "#{:02X}{:02X}{:02X}".format(*value[:3])
    return str(value).upper()


def _current_colour(book: Any, sheet: str, cell: str) -> str:
    """The cell's fill before Sheet Clerk colours it; remote clients do not send colours,
    so there it is taken as no fill."""
    if isinstance(getattr(book, "api", None), dict):
        return NO_FILL
    try:
        return _colour_hex(book.sheets[sheet].range(cell).color)
    except Exception:  # a sheet or cell that moved since: nothing to keep
        return NO_FILL


def _paint(book: Any, sheet: str, cell: str, colour: str) -> None:
    target = book.sheets[sheet].range(cell)
    if colour == NO_FILL and client_of(book) == "VBA":
        colour = "#FFFFFF"  # xlwings' VBA client cannot clear a fill (HexToRgb(Null))
    target.color = colour or None


def previous_marks(book: Any, config: OfficeConfig) -> dict[tuple[str, str], str]:
    """(sheet, cell) -> the fill it had before, from the last 校验结果 this button wrote
    (its last two columns: the colour given, the colour it had)."""
    names = [s.name for s in book.sheets]
    if config.output.results_tab not in names:
        return {}
    sheet = book.sheets[config.output.results_tab]
    last = sheet.used_range.last_cell
    rows = sheet.range((1, 1), (last.row, last.column)).options(ndim=2).value or []
    marks: dict[tuple[str, str], str] = {}
    for row in rows[1:]:
        if len(row) < 3 or not row[0] or not row[-2]:
            continue
        where = str(row[0])
        if "!" not in where:
            continue
        sheet_name, cell = where.rsplit("!", 1)
        if sheet_name.strip("'") in names:
            marks[(sheet_name.strip("'"), cell)] = "" if row[-1] is None else str(row[-1])
    return marks


def _fault_cells(findings: list[Finding], sheets: set[str]) -> dict[tuple[str, str], str]:
    """(sheet, cell) -> 'error' or 'warning' (an error wins)."""
    cells: dict[tuple[str, str], str] = {}
    for f in findings:
        if f.sheet in sheets and f.cell and f.severity in MARK_COLOURS:
            key = (f.sheet, f.cell)
            if cells.get(key) != "error":
                cells[key] = f.severity
    return cells


@dataclass
class Marks:
    """What colouring the cells at fault did: each (sheet, cell) -> 'error' or 'warning',
    the fill each had before, and the cells given their earlier fill back."""

    faults: dict[tuple[str, str], str] = field(default_factory=dict)
    originals: dict[tuple[str, str], str] = field(default_factory=dict)
    marked: dict[str, str] = field(default_factory=dict)
    restored: dict[str, str] = field(default_factory=dict)


def mark_faults(book: Any, config: OfficeConfig, findings: list[Finding]) -> Marks:
    """Colour the cells at fault (errors red, warnings yellow, at most MAX_MARKS), after
    giving the cells last run coloured and now fine their own fill back."""
    sheets = {s.name for s in book.sheets}
    marks = Marks(dict(list(_fault_cells(findings, sheets).items())[:MAX_MARKS]))
    before = previous_marks(book, config)
    for (sheet, cell), original in before.items():
        if (sheet, cell) not in marks.faults:
            _paint(book, sheet, cell, original)
            marks.restored[f"{sheet}!{cell}"] = original
    marks.originals = {key: before[key] if key in before else _current_colour(book, *key)
                       for key in marks.faults}
    for (sheet, cell), severity in marks.faults.items():
        _paint(book, sheet, cell, MARK_COLOURS[severity])
        marks.marked[f"{sheet}!{cell}"] = MARK_COLOURS[severity]
    return marks
