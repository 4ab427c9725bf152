"""The one xlsx renderer: a `Book` of the report model (`reports/model.py`) as a workbook,
written atomically, with the one formats table (`FORMATS`) every report takes its colours
and number formats from: the validation report, the KPI dashboard and the monthly reports,
the handover checklist.

A cell's format is named by its kind and state (`percent_good`, `text_error`; a state of
none is the greyed `—`); each format is made once per workbook, when first used.

>>> write_xlsx(Book("报表", datetime(2026, 3, 17), "zh-Hans", [sheet]), Path("r.xlsx"))
...  # doctest: +SKIP
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from .._io import atomic_path
from ..sources.values_xlsx import new_workbook
from .kpi_text import affixes
from .model import Book, Cell, Chart, Kind, Sheet

HEADER_FILL = "#D9E1F2"
GOOD_FILL, BAD_FILL, WARNING_FILL = "#C6EFCE", "#FFC7CE", "#FFEB9C"
GOOD_FONT, BAD_FONT, WARNING_FONT = "#006100", "#9C0006", "#9C5700"
CHART_BLUE, CHART_GREY = "#4472C4", "#A5A5A5"
MONEY_FORMAT = "#,##0.00"
DAYS = "{days}"
"""Stands for the working-days number format of the book's locale (`0.00" 个工作日"`)."""
SCORE = "{score}"
"""Stands for the score number format of the book's locale (`0.00" 分"`)."""
_AFFIXED = {DAYS: "kpi.days", SCORE: "kpi.score"}
"""Number formats made from a catalogue text around the number, by placeholder."""

_TOP = {"valign": "top"}
_GOOD = {"bold": True, "font_color": GOOD_FONT, "bg_color": GOOD_FILL}
_BAD = {"bold": True, "font_color": BAD_FONT, "bg_color": BAD_FILL}
_WARNING = {"bold": True, "font_color": WARNING_FONT, "bg_color": WARNING_FILL}
_TOTAL = {"bold": True, "top": 1}
_META = {"font_color": "#404040"}
_JUDGED = {"percent": "0.0%", "days": DAYS, "score": SCORE,
           "deviation": "+0.0%;-0.0%;0.0%"}
"""Numbers judged against a target: filled green or red by their state."""

FORMATS: dict[str, dict[str, Any]] = {
    "title": {"bold": True, "font_size": 14},
    "meta": _META,
    "header": {"bold": True, "bg_color": HEADER_FILL, "border": 1, "border_color": "#8EA9DB",
               "valign": "vcenter", "text_wrap": True},
    "text": _TOP,
    "text_error": {**_TOP, **_BAD},
    "text_warning": {**_TOP, **_WARNING},
    "wrap": {**_TOP, "text_wrap": True},
    "link": {**_TOP, "font_color": "#0563C1", "underline": 1},
    "note": _META,
    "note_good": _GOOD,
    "count": {**_TOP, "align": "right"},
    "count_error": {**_TOP, **_BAD},
    "count_warning": {**_TOP, **_WARNING},
    "int": {"num_format": "0"},
    "number": {"num_format": "General"},
    "money": {"num_format": MONEY_FORMAT},
    "tolerance": {"num_format": '"±"0.0%'},
    "flag_good": {**_GOOD, "align": "center"},
    "flag_bad": {**_BAD, "align": "center"},
    "none": {"font_color": "#667085", "align": "right"},
    "flagged": _BAD,
    "date": {"num_format": "yyyy-mm-dd", "align": "left"},
    "datetime": {"num_format": "yyyy-mm-dd hh:mm", "align": "left"},
    "total": _TOTAL,
    "money_total": {"num_format": MONEY_FORMAT, **_TOTAL},
    **{kind: {"num_format": shape} for kind, shape in _JUDGED.items()},
    **{f"{kind}_good": {"num_format": shape, "bg_color": GOOD_FILL}
       for kind, shape in _JUDGED.items()},
    **{f"{kind}_bad": {"num_format": shape, "bg_color": BAD_FILL}
       for kind, shape in _JUDGED.items()},
}
"""Every named format of every report workbook (xlsxwriter properties)."""

EXCEL_MAX_LINKS = 65_530
"""Hyperlinks per worksheet."""
_SHEET_NAME_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: CJK and full-width characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def sheet_title(text: str) -> str:
    """A valid worksheet name: no []:*?/\\, not quoted at the ends, at most 31 characters."""
    cleaned = text.translate(_SHEET_NAME_FORBIDDEN).strip("'")[:31].strip()
    return cleaned or "Sheet1"


def affixed_format(key: str, locale: str) -> str:
    """`0.00" 个工作日"`: a number with the words of the catalogue's `key` around it that
    stays a number."""
    return "0.00".join(f'"{part}"' if part else ""
                       for part in (p.replace('"', "") for p in affixes(key, locale)))


def days_format(locale: str) -> str:
    """`0.00" 个工作日"`: a number of working days that stays a number."""
    return affixed_format("kpi.days", locale)


class Formats:
    """The formats of one workbook, each made from `FORMATS` when first asked for."""

    def __init__(self, book: xlsxwriter.Workbook, locale: str) -> None:
        self.book = book
        self.locale = locale
        self.made: dict[str, Format] = {}

    def __getitem__(self, name: str) -> Format:
        if name not in self.made:
            properties = dict(FORMATS[name])
            if properties.get("num_format") in _AFFIXED:
                properties["num_format"] = affixed_format(_AFFIXED[properties["num_format"]],
                                                          self.locale)
            self.made[name] = self.book.add_format(properties)
        return self.made[name]

    def of(self, kind: Kind, state: str | None = None) -> Format:
        """A cell's format: by its state and kind (a state of none is always `none`)."""
        if state == "none":
            return self["none"]
        return self[f"{kind.value}_{state}" if state else kind.value]

    def total(self, kind: Kind) -> Format:
        name = f"{kind.value}_total"
        return self[name if name in FORMATS else "total"]


def write_xlsx(book: Book, path: Path) -> Path:
    """Write `book` to `path` atomically (a temp file beside it, then `os.replace`)."""
    path = Path(path)
    with atomic_path(path) as temp:
        workbook = new_workbook(temp, book.title, book.created)
        formats = Formats(workbook, book.locale)
        for sheet in book.sheets:
            _sheet(workbook, formats, sheet)
        workbook.close()
    return path


def _write(ws: Worksheet, row: int, col: int, cell: Cell, fmt: Format) -> None:
    value = cell.value
    if value is None:
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, str):
        ws.write_string(row, col, value, fmt)
    else:
        ws.write_number(row, col, value, fmt)


class _Links:
    def __init__(self) -> None:
        self.count = 0

    def write(self, ws: Worksheet, row: int, col: int, cell: Cell, formats: Formats) -> bool:
        """The cell as a hyperlink, when it has one and the sheet may hold another."""
        if not cell.link or self.count >= EXCEL_MAX_LINKS:
            return False
        if ws.write_url(row, col, cell.link, formats["link"], str(cell.value), cell.tip) != 0:
            return False
        self.count += 1
        return True


def _row(ws: Worksheet, formats: Formats, sheet: Sheet, row: int, cells: Any,
         links: _Links) -> None:
    for col, cell in enumerate(cells):
        if cell is None:
            continue
        kind = cell.kind or sheet.columns[col].kind
        if not links.write(ws, row, col, cell, formats):
            _write(ws, row, col, cell, formats.of(kind, cell.state))


def _sheet(book: xlsxwriter.Workbook, formats: Formats, sheet: Sheet) -> None:
    ws = book.add_worksheet(sheet.name)
    if sheet.heading is not None:
        ws.write_string(0, 0, sheet.heading, formats["title"])
        if sheet.heading_height:
            ws.set_row(0, sheet.heading_height)
        for index, line in enumerate(sheet.meta, start=1):
            ws.write_string(index, 0, line, formats["meta"])
    header = sheet.header_row
    if sheet.show_header:
        for col, column in enumerate(sheet.columns):
            ws.write_string(header, col, column.header, formats["header"])
    links = _Links()
    for index, cells in enumerate(sheet.rows):
        _row(ws, formats, sheet, sheet.first_row + index, cells, links)
    after = sheet.last_row + 1
    if not sheet.rows and sheet.empty is not None:
        _row(ws, formats, sheet, sheet.first_row, [sheet.empty], links)
    if sheet.totals is not None:
        for col, cell in enumerate(sheet.totals):
            if cell is not None:
                _write(ws, after, col, cell, formats.total(cell.kind or sheet.columns[col].kind))
        after += 1
    if sheet.note is not None:
        _row(ws, formats, sheet, after, [sheet.note], links)
    for chart in sheet.charts:
        _chart(book, ws, formats, sheet, chart)
    _widths(ws, formats, sheet)
    if sheet.header_height:
        ws.set_row(header, sheet.header_height)
    if sheet.freeze is not None:
        ws.freeze_panes(sheet.first_row, sheet.freeze)
    if sheet.filter and sheet.rows:
        ws.autofilter(header, 0, sheet.last_row, len(sheet.columns) - 1)
    if sheet.wide:
        ws.repeat_rows(header)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)


def _widths(ws: Worksheet, formats: Formats, sheet: Sheet) -> None:
    """Each column as wide as its widest text (CJK counts double) within its limits."""
    for col, column in enumerate(sheet.columns):
        width = column.width
        if width is None:
            texts = [column.header, *(column.samples if sheet.rows else ())]
            texts += [cell.shown for cells in sheet.rows
                      if col < len(cells) and (cell := cells[col]) is not None]
            widest = max((display_width(line) for text in texts
                          for line in text.splitlines()), default=0)
            width = min(max(widest + 2, column.minimum), column.limit)
        ws.set_column(col, col, width, formats["wrap"] if column.kind is Kind.WRAP else None)


def _chart(book: xlsxwriter.Workbook, ws: Worksheet, formats: Formats, sheet: Sheet,
           chart: Chart) -> None:
    """A native chart over the sheet's rows (or over its own data, in hidden columns)."""
    first = sheet.first_row
    count = len(chart.data) if chart.data else len(sheet.rows)
    last = first + count - 1
    base = 0
    if chart.data:
        base = chart.data_column
        for index, cells in enumerate(chart.data):
            for col, cell in enumerate(cells):
                if cell is not None and cell.value is not None:
                    kind = cell.kind or Kind.TEXT
                    fmt = None if kind is Kind.TEXT else formats.of(kind)
                    _write(ws, first + index, base + col, cell, fmt)  # type: ignore[arg-type]
        width = max(len(cells) for cells in chart.data)
        ws.set_column(base, base + width - 1, None, None, {"hidden": True})
    name = ws.get_name()
    made = book.add_chart({"type": chart.type})
    assert made is not None
    for series in chart.series:
        col = base + series.column
        options: dict[str, Any] = {
            "name": series.name if series.name is not None else [name, sheet.header_row, col],
            "categories": [name, first, base + chart.categories, last, base + chart.categories],
            "values": [name, first, col, last, col],
        }
        if chart.type == "line":
            options["line"] = {"color": series.colour, "width": 2}
            options["marker"] = {"type": "circle", "size": 5, "fill": {"color": series.colour},
                                 "border": {"color": series.colour}}
        else:
            options["fill"] = {"color": series.colour}
        if chart.gap is not None:
            options["gap"] = chart.gap
        if chart.labels:
            options["data_labels"] = {"value": True, "num_format": "0%"}
        made.add_series(options)
    made.set_title({"name": chart.title})
    axis: dict[str, Any] = {"min": 0, "max": 1, "num_format": "0%"}
    if chart.gridlines:
        axis["major_gridlines"] = {"visible": True}
    if chart.type == "bar":          # horizontal: values across, categories top down
        made.set_x_axis(axis)
        made.set_y_axis({"reverse": True})
    else:
        made.set_y_axis(axis)
    made.set_legend({"position": chart.legend} if chart.legend else {"none": True})
    made.set_size({"width": chart.size[0], "height": chart.size[1]})
    if chart.data:
        made.show_hidden_data()
    ws.insert_chart(sheet.last_row + 1 + chart.below, chart.column, made)


__all__ = ["CHART_BLUE", "CHART_GREY", "EXCEL_MAX_LINKS", "FORMATS", "Formats", "affixed_format",
           "days_format", "display_width", "new_workbook", "sheet_title", "write_xlsx"]
