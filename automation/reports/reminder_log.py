"""The reminder log (提醒记录): every reminder recorded in the state database, for officers
— as CSV that Excel opens (UTF-8 with BOM) and as xlsx. The same rows are what write-back
puts in the workbook's own 提醒记录 tab."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import xlsxwriter

from ..i18n import t
from .cells import csv_bytes, formula_safe

COLUMNS = ("day", "rule", "record", "person", "level", "channel", "status", "sheet", "row",
           "detail", "updated_at")


def log_table(rows: list[dict[str, object]], locale: str) -> list[list[object]]:
    """Header and rows in the reader's language."""
    table: list[list[object]] = [[t(f"log.{c}", locale) for c in COLUMNS]]
    for row in rows:
        values = dict(row)
        values["rule"] = t(f"rule.{row['rule']}.title", locale)
        values["status"] = t(f"log.status_{row['status']}", locale)
        table.append([_safe(values.get(c)) for c in COLUMNS])
    return table


def _safe(value: object) -> object:
    """Cells that a spreadsheet would run as a formula are kept as text."""
    return "" if value is None else formula_safe(value)


def write_reminder_log(rows: list[dict[str, object]], folder: Path, locale: str,
                       created: datetime | None = None) -> list[Path]:
    """reminder_log.csv and .xlsx in `folder`; `created` stamps the xlsx (a snapshot passes
    its as-of time so that the same log gives the same bytes)."""
    folder.mkdir(parents=True, exist_ok=True)
    table = log_table(rows, locale)
    csv_path = folder / "reminder_log.csv"
    _replace(csv_path, csv_bytes(table))
    xlsx_path = folder / "reminder_log.xlsx"
    temp = xlsx_path.with_name(f".{xlsx_path.name}.tmp")
    book = xlsxwriter.Workbook(str(temp), {"strings_to_formulas": False,
                                           "strings_to_urls": False})
    if created is not None:
        book.set_properties({"created": created})
    sheet = book.add_worksheet(t("log.title", locale)[:31])
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7"})
    for r, values in enumerate(table):
        sheet.write_row(r, 0, values, bold if r == 0 else None)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(table) - 1, 0), len(COLUMNS) - 1)
    sheet.set_column(0, len(COLUMNS) - 1, 16)
    book.close()
    os.replace(temp, xlsx_path)
    return [csv_path, xlsx_path]


def _replace(path: Path, data: bytes) -> None:
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_bytes(data)
    os.replace(temp, path)
