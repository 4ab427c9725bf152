"""What goes into a snapshot besides the workbooks themselves: the names of its CSVs (one
per sheet) and the handover checklist as xlsx and HTML (the values-only xlsx of a
redacted or Google-Sheets register is `sources.values_xlsx`). Everything here is
deterministic: the same cells give the same bytes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from .._io import safe_file_name
from ..i18n import t
from ..registers import get_table
from ..reports.html import write_page
from ..reports.xlsx import Formats, display_width, new_workbook, sheet_title
from ..sources.base import RawSheet
from .handover import Checklist, Col, Section


def sheet_csv_names(sheets: list[RawSheet]) -> list[str]:
    """`01_成员.csv`, …: numbered in workbook order, so names stay unique and sorted."""
    width = max(2, len(str(len(sheets))))
    return [f"{i:0{width}d}_{safe_file_name(s.name)}.csv" for i, s in enumerate(sheets, 1)]


# --------------------------------------------------------------------------- checklist


STATES = {"custodian_state": "custodian", "case_state": "case",
          "document_state": "document", "inquiry_state": "inquiry", "budget_state": "budget"}
"""Columns that say how a row stands, and the catalogue table of their words."""
FINE = ("serving", "in_time")
"""The states nobody needs to act on: every other state is flagged."""


def flagged(col: Col, value: Any) -> bool:
    """Whether a cell asks for attention: a 是 flag, or a state that is not fine."""
    if col.kind == "flag":
        return bool(value)
    return col.key in STATES and value is not None and value not in FINE


def column_label(col: Col, loc: str) -> str:
    if col.source:
        register, table, column = col.source.split(".")
        return get_table(f"{register}.{table}").column(column).label.get(loc)
    return t(f"handover.col.{col.key}", loc)


def shown(col: Col, value: Any, loc: str) -> str:
    """A checklist value as text (HTML and the overview)."""
    if value is None:
        return ""
    if col.kind == "flag":
        return t("handover.yes", loc) if value else ""
    if col.key in STATES:
        return t(f"handover.{STATES[col.key]}.{value}", loc)
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


Clean = Callable[[Col, Any], Any]


def _keep(col: Col, value: Any) -> Any:
    return value


def _cells(section: Section, clean: Clean) -> list[list[Any]]:
    return [[clean(c, row.get(c.key)) for c in section.columns] for row in section.rows]


def write_checklist_xlsx(checklist: Checklist, path: Path, *, locale: str, created: datetime,
                         clean: Clean = _keep) -> Path:
    """交接清单.xlsx: an overview sheet, then one sheet per section, each with a header row,
    filters and a blank 核对 (checked) column to tick during the handover."""
    loc = locale
    title = f"{checklist.office} {t('handover.title', loc)}".strip()
    book = new_workbook(path, title, created)
    fmt = Formats(book, loc)
    overview = book.add_worksheet(sheet_title(t("handover.overview", loc)))
    overview.write(0, 0, title, fmt["title"])
    overview.write(1, 0, _period_text(checklist, loc), fmt["meta"])
    overview.write_row(3, 0, [t(f"handover.overview_{key}", loc)
                              for key in ("section", "count", "about")], fmt["header"])
    for i, section in enumerate(checklist.sections, start=4):
        overview.write(i, 0, t(f"handover.section.{section.key}", loc))
        overview.write_number(i, 1, len(section.rows))
        overview.write(i, 2, t(f"handover.about.{section.key}", loc, **section.about))
    overview.write(5 + len(checklist.sections), 0, t("handover.verify_hint", loc), fmt["meta"])
    overview.set_column(0, 0, 22)
    overview.set_column(1, 1, 8)
    overview.set_column(2, 2, 70)
    for section in checklist.sections:
        sheet = book.add_worksheet(sheet_title(t(f"handover.section.{section.key}", loc)))
        labels = [column_label(c, loc) for c in section.columns] + [t("handover.checked", loc)]
        sheet.write_row(0, 0, labels, fmt["header"])
        widths = [display_width(label) for label in labels]
        for r, values in enumerate(_cells(section, clean), start=1):
            for c, (col, value) in enumerate(zip(section.columns, values, strict=True)):
                text = shown(col, value, loc)
                widths[c] = max(widths[c], display_width(text))
                if value is None or text == "":
                    continue
                if flagged(col, value):
                    sheet.write_string(r, c, text, fmt["flagged"])
                elif isinstance(value, datetime):
                    sheet.write_datetime(r, c, value, fmt["datetime"])
                elif isinstance(value, date):
                    sheet.write_datetime(r, c, datetime.combine(value, time()),
                                         fmt["date"])
                elif isinstance(value, Decimal):
                    sheet.write_number(r, c, float(value), fmt["money"])
                elif isinstance(value, int) and not isinstance(value, bool):
                    sheet.write_number(r, c, value, fmt["int"])
                else:
                    sheet.write_string(r, c, text)
        for c, width in enumerate(widths):
            sheet.set_column(c, c, min(max(width + 2, 8), 50))
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(section.rows), 1), len(labels) - 1)
    book.close()
    return path


def _period_text(checklist: Checklist, loc: str) -> str:
    period = checklist.period
    return t("handover.period_line", loc, period=period.key, start=period.start.isoformat(),
             end=period.end.isoformat(), as_of=checklist.as_of.isoformat())




def write_checklist_html(checklist: Checklist, path: Path, *, locale: str,
                         clean: Clean = _keep) -> Path:
    """交接清单.html: the same sections, self-contained (opens offline, prints cleanly)."""
    loc = locale
    sections = []
    for section in checklist.sections:
        rows = []
        for values in _cells(section, clean):
            row = []
            for col, value in zip(section.columns, values, strict=True):
                css = "num" if col.kind in ("money", "int") else ""
                if flagged(col, value):
                    css = "no"
                row.append({"text": shown(col, value, loc), "css": css})
            rows.append(row)
        sections.append({
            "key": section.key, "title": t(f"handover.section.{section.key}", loc),
            "about": t(f"handover.about.{section.key}", loc, **section.about),
            "count": len(section.rows),
            "headers": [column_label(c, loc) for c in section.columns], "rows": rows,
        })
    heading = f"{checklist.office} {t('handover.title', loc)}".strip()
    return write_page("handover.html.j2", path, loc, heading=heading,
                      meta=_period_text(checklist, loc), sections=sections)
