"""The CSV renderer: cell values as text a spreadsheet opens safely, for Excel (UTF-8 with
BOM, CRLF), text that would run as a formula kept as text. One rule for every CSV and xlsx
written (the rule itself, and the cell conversions, live in the low module
`automation._cells`); `sheet_csv` writes a sheet of the report model (`reports/model.py`)."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

from .._cells import FORMULA_LEAD, cell_text, formula_safe

if TYPE_CHECKING:
    from .model import Sheet


def neutralised(value: Any) -> str:
    """Cell text safe to open in a spreadsheet: text that would run as a formula gets a
    leading `'` (numbers are written as numbers and need none)."""
    return cell_text(formula_safe(value))


def csv_bytes(rows: list[list[Any]]) -> bytes:
    """UTF-8 with a BOM (so Excel opens Chinese correctly), CRLF, every cell neutralised."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(
        [v if type(v) is str and not v.startswith(FORMULA_LEAD) else neutralised(v)
         for v in row] for row in rows)  # most cells are plain text: no calls for them
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def sheet_csv(sheet: Sheet) -> bytes:
    """A model sheet as CSV: the header row, the rows and the totals, each cell's value
    (a cell left out is empty)."""
    rows: list[list[Any]] = [[column.header for column in sheet.columns]]
    for cells in [*sheet.rows, *([sheet.totals] if sheet.totals is not None else [])]:
        rows.append([None if cell is None else cell.value for cell in cells])
    return csv_bytes(rows)


__all__ = ["csv_bytes", "neutralised", "sheet_csv"]
