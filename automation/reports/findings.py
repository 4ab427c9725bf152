"""Findings for people: an officer-friendly xlsx workbook and one self-contained HTML page.

Both take a `ValidationResult` and write one file atomically (a temp file in the
same folder, then `os.replace`), so a synced folder or an open browser tab never
sees half a report. Every word a person reads comes from the `[report]` section
of the locale catalogues; register and table names come from the register
definitions.

>>> write_findings_html(result, Path("output/validation.html"), locale="zh-Hans",
...                     office_name="XX大学学生会", generated=datetime.now())  # doctest: +SKIP
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from ..checks.findings import Finding
from ..i18n import t
from ..registers import REGISTERS, table_label
from .html import write_page
from .model import Book, Cell, Column, Kind, Sheet, reader_locale
from .sheetml import EXCEL_MAX_ROWS
from .xlsx import display_width, sheet_title, write_xlsx

if TYPE_CHECKING:
    from ..validate import ValidationResult

__all__ = ["write_findings_html", "write_findings_xlsx"]


_LINKABLE = (".xlsx", ".xlsm")
_EXCEL_MAX_URL = 2_079             # UTF-16 units, for the path and for the anchor


# --------------------------------------------------------------------------- shared


def _register_label(register: str, locale: str) -> str:
    found = REGISTERS.get(register)
    return found.label.get(locale) if found else register


def _stamp(generated: datetime) -> str:
    return generated.strftime("%Y-%m-%d %H:%M")


@dataclass
class _TableCount:
    register: str
    table: str
    errors: int = 0
    warnings: int = 0


def _by_table(findings: list[Finding]) -> list[_TableCount]:
    """Errors and warnings per register+table, in the order the findings come (reading order)."""
    counts: dict[tuple[str, str], _TableCount] = {}
    for f in findings:
        entry = counts.setdefault((f.register, f.table), _TableCount(f.register, f.table))
        if f.severity == "error":
            entry.errors += 1
        else:
            entry.warnings += 1
    return list(counts.values())


# --------------------------------------------------------------------------- xlsx


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _cell_link(finding: Finding, report_dir: Path, sources_root: Path | None = None
               ) -> str | None:
    """`external:<workbook>#'<sheet>'!<cell>` when the finding points into an xlsx/xlsm file.

    The workbook path is written relative to the report's folder when it can be (so the
    link keeps working when the office folder is synced to another computer), absolute
    otherwise (another drive on Windows). A relative source is taken as relative to
    `sources_root` when one is given (a snapshot names its copies relative to its payload).
    """
    source = finding.source
    if not (finding.cell and finding.sheet and source):
        return None
    if "://" in source or not source.lower().endswith(_LINKABLE) or "#" in source:
        return None
    if sources_root is not None and not os.path.isabs(source):
        source = os.path.join(sources_root, source)
    try:
        target = os.path.relpath(os.path.abspath(source), os.path.abspath(report_dir))
    except ValueError:
        target = os.path.abspath(source)
    sheet = finding.sheet.replace("'", "''")
    anchor = f"'{sheet}'!{finding.cell}"
    if _utf16_len(target) > _EXCEL_MAX_URL or _utf16_len(anchor) > _EXCEL_MAX_URL:
        return None
    return f"external:{target}#{anchor}"


_FINDING_COLUMNS = (("severity", Kind.TEXT, 10), ("register", Kind.TEXT, 16),
                    ("sheet", Kind.TEXT, 22), ("cell", Kind.TEXT, 12), ("row", Kind.COUNT, 8),
                    ("message", Kind.WRAP, 60), ("value", Kind.TEXT, 30),
                    ("code", Kind.TEXT, 20))
_COUNT_COLUMNS = (("register", Kind.TEXT, 16), ("table", Kind.TEXT, 24),
                  ("errors", Kind.COUNT, 10), ("warnings", Kind.COUNT, 10))


def _columns(spec: tuple[tuple[str, Kind, int], ...], loc: str) -> list[Column]:
    return [Column(t(f"report.{key}", loc), kind, minimum=6, limit=limit)
            for key, kind, limit in spec]


def _text(value: str) -> Cell | None:
    return Cell(value) if value else None


def write_findings_xlsx(
    result: ValidationResult,
    path: Path,
    *,
    locale: str,
    office_name: str,
    generated: datetime,
    sources_root: Path | None = None,
) -> Path:
    """Write the findings as a workbook for officers and return `path`.

    Sheet 1 (named after `report.title`): a title row, a summary line, then one row per
    finding; the cell address links into the officer's own workbook when the finding's
    source is an xlsx/xlsm file. Sheet 2 (`report.by_table`): errors and warnings per table.
    """
    loc = reader_locale(locale)
    path = Path(path)
    findings = list(result.findings)
    book = Book(f"{office_name} {t('report.title', loc)}".strip(), generated, loc, [
        _findings_sheet(findings, result.summary(), path.parent, loc, office_name, generated,
                        sources_root),
        _by_table_sheet(findings, loc),
    ])
    return write_xlsx(book, path)


def _findings_sheet(findings: list[Finding], summary: dict[str, int], report_dir: Path,
                    loc: str, office_name: str, generated: datetime,
                    sources_root: Path | None = None) -> Sheet:
    title = " · ".join(part for part in (office_name, t("report.title", loc),
                                         t("report.generated_at", loc,
                                           time=_stamp(generated))) if part)
    sheet = Sheet(
        sheet_title(t("report.title", loc)), _columns(_FINDING_COLUMNS, loc),
        heading=title, heading_height=22,
        meta=[t("report.summary_line", loc, errors=summary["errors"],
                warnings=summary["warnings"], rows=summary["rows_checked"])])
    if not findings:
        none = t("report.none", loc)
        sheet.columns = [Column("", Kind.NOTE, width=max(display_width(none) + 4, 20))]
        sheet.show_header = False
        sheet.empty = Cell(none, "good", Kind.NOTE)
        return sheet
    room = EXCEL_MAX_ROWS - sheet.header_row - 2        # keep one row for the "more" line
    shown = findings[:room]
    tip = t("report.open_cell", loc)[:255]
    sheet.rows = [[
        Cell(t(f"report.{f.severity}", loc), "error" if f.severity == "error" else "warning"),
        _text(_register_label(f.register, loc)),
        _text(f.sheet),
        Cell(f.cell, link=_cell_link(f, report_dir, sources_root), tip=tip) if f.cell else None,
        None if f.row is None else Cell(f.row, text=str(f.row)),
        _text(f.message),
        _text(f.value),
        _text(f.code),
    ] for f in shown]
    if len(shown) < len(findings):
        sheet.note = Cell(t("report.truncated", loc, count=len(findings) - len(shown)),
                          kind=Kind.NOTE)
    sheet.header_height, sheet.freeze, sheet.filter, sheet.wide = 20, 0, True, True
    return sheet


def _by_table_sheet(findings: list[Finding], loc: str) -> Sheet:
    counts = _by_table(findings)
    sheet = Sheet(sheet_title(t("report.by_table", loc)), _columns(_COUNT_COLUMNS, loc),
                  freeze=0, filter=True, empty=Cell(t("report.none", loc), "good", Kind.NOTE))
    sheet.rows = [[
        Cell(_register_label(entry.register, loc)),
        Cell(table_label(entry.register, entry.table, loc)),
        Cell(entry.errors, "error" if entry.errors else None),
        Cell(entry.warnings, "warning" if entry.warnings else None),
    ] for entry in counts]
    if counts:
        sheet.totals = [Cell(t("report.total", loc)), Cell(None),
                        Cell(sum(c.errors for c in counts)),
                        Cell(sum(c.warnings for c in counts))]
    return sheet


# --------------------------------------------------------------------------- html



@dataclass
class _Group:
    register: str
    sheet: str
    file: str
    findings: list[Finding]


def _groups(findings: list[Finding], loc: str) -> list[_Group]:
    """Findings grouped by register and sheet, groups in the order they first appear."""
    groups: dict[tuple[str, str, str], _Group] = {}
    for f in findings:
        file = PurePath(f.source.replace("\\", "/")).name if f.source else ""
        sheet = f.sheet or table_label(f.register, f.table, loc)
        key = (f.register, sheet, f.source)
        if key not in groups:
            groups[key] = _Group(_register_label(f.register, loc), sheet, file, [])
        groups[key].findings.append(f)
    return list(groups.values())


def write_findings_html(
    result: ValidationResult,
    path: Path,
    *,
    locale: str,
    office_name: str,
    generated: datetime,
) -> Path:
    """Write the findings as one self-contained HTML page (no network needed) and return `path`."""
    loc = reader_locale(locale)
    path = Path(path)
    findings = list(result.findings)
    counts = _by_table(findings)
    widest = max((c.errors + c.warnings for c in counts), default=0) or 1
    rows = [{
        "register": _register_label(c.register, loc),
        "table": table_label(c.register, c.table, loc),
        "errors": c.errors, "warnings": c.warnings,
        "error_pct": round(80 * c.errors / widest) or 1,
        "warning_pct": round(80 * c.warnings / widest) or 1,
    } for c in counts]
    heading = " · ".join(p for p in (office_name, t("report.title", loc)) if p)
    return write_page(
        "validation.html.j2", path, loc,
        heading=heading,
        generated=_stamp(generated),
        generated_iso=generated.isoformat(timespec="minutes"),
        summary=result.summary(),
        counts=rows,
        groups=_groups(findings, loc),
    )
