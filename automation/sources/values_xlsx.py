"""A workbook's values (no formulas, styles or pictures) as a fresh xlsx: the form a
Google-Sheets register (`GoogleSource.snapshot`) or a redacted one takes in a snapshot,
and the one place an xlsxwriter workbook is opened with Sheet Clerk's options (the
reports' renderer opens its books here too). The same cells give the same bytes."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import xlsxwriter

from .._cells import cell_text
from .base import RawSheet

_OPTIONS = {"strings_to_numbers": False, "strings_to_formulas": False,
            "strings_to_urls": False}


def new_workbook(path: Path, title: str, created: Any) -> xlsxwriter.Workbook:
    """An xlsxwriter workbook that never turns text into numbers, formulas or links."""
    book = xlsxwriter.Workbook(str(path), dict(_OPTIONS))
    book.set_properties({"title": title, "author": "Sheet Clerk", "created": created})
    return book


def write_values_xlsx(sheets: list[RawSheet], path: Path, *, title: str, created: datetime
                      ) -> Path:
    """Every sheet's values (no formulas, styles or pictures) in a fresh workbook with the
    same sheet names, order and visibility: the form a redacted or Google-Sheets register
    takes in a snapshot."""
    book = new_workbook(path, title, created)
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    clock = book.add_format({"num_format": "hh:mm:ss"})
    shown = False
    for raw in sheets:
        sheet = book.add_worksheet(raw.name)
        if not raw.visible:
            sheet.hide()
        for r, row in enumerate(raw.rows):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, bool):
                    sheet.write_boolean(r, c, value)
                elif isinstance(value, int | float):
                    if value == value:
                        sheet.write_number(r, c, value)
                elif isinstance(value, datetime):
                    sheet.write_datetime(r, c, value, moment)
                elif isinstance(value, date):
                    sheet.write_datetime(r, c, datetime.combine(value, time()), day)
                elif isinstance(value, time):
                    sheet.write_datetime(r, c, value, clock)
                else:
                    sheet.write_string(r, c, cell_text(value))
        if raw.visible and not shown:
            sheet.activate()
            shown = True
    if not sheets:
        book.add_worksheet()
    book.close()
    return path
