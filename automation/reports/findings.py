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
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

import xlsxwriter

from .._io import atomic_path
from ..checks.findings import Finding
from ..i18n import DEFAULT_LOCALE, resolve_locale, t
from ..registers import REGISTERS, table_label
from .html import render_page

if TYPE_CHECKING:
    from ..validate import ValidationResult

__all__ = ["write_findings_html", "write_findings_xlsx"]


_LINKABLE = (".xlsx", ".xlsm")
_EXCEL_MAX_ROWS = 1_048_576
_EXCEL_MAX_LINKS = 65_530          # hyperlinks per worksheet
_EXCEL_MAX_URL = 2_079             # UTF-16 units, for the path and for the anchor
_SHEET_NAME_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})


# --------------------------------------------------------------------------- shared


def _locale(locale: str | None) -> str:
    return resolve_locale(locale) or DEFAULT_LOCALE


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


@contextmanager
def _atomic(path: Path) -> Iterator[Path]:
    """Yield a temp path beside `path`; on success it replaces `path`, on failure it goes."""
    with atomic_path(Path(path)) as temp:
        yield temp


# --------------------------------------------------------------------------- xlsx


def _display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: CJK and full-width characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _sheet_title(text: str) -> str:
    """A valid worksheet name: no []:*?/\\, not quoted at the ends, at most 31 characters."""
    cleaned = text.translate(_SHEET_NAME_FORBIDDEN).strip("'")[:31].strip()
    return cleaned or "Sheet1"


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


class _Formats:
    def __init__(self, book: xlsxwriter.Workbook) -> None:
        base = {"valign": "top"}
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.summary = book.add_format({"font_color": "#404040"})
        self.none = book.add_format({"bold": True, "font_color": "#006100",
                                     "bg_color": "#C6EFCE"})
        self.header = book.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1,
                                       "border_color": "#8EA9DB", "valign": "vcenter",
                                       "text_wrap": True})
        self.text = book.add_format(base)
        self.wrap = book.add_format({**base, "text_wrap": True})
        self.number = book.add_format({**base, "align": "right"})
        self.link = book.add_format({**base, "font_color": "#0563C1", "underline": 1})
        self.error = book.add_format({**base, "bold": True, "font_color": "#9C0006",
                                      "bg_color": "#FFC7CE"})
        self.warning = book.add_format({**base, "bold": True, "font_color": "#9C5700",
                                        "bg_color": "#FFEB9C"})
        self.total = book.add_format({"bold": True, "top": 1})


class _Widths:
    """Tracks the widest text per column, so columns fit their contents (within limits)."""

    def __init__(self, headers: list[str], limits: list[int]) -> None:
        self.widths = [_display_width(h) for h in headers]
        self.limits = limits

    def see(self, col: int, text: str) -> None:
        widest = max((_display_width(line) for line in text.splitlines()), default=0)
        self.widths[col] = max(self.widths[col], widest)

    def apply(self, sheet, formats: dict[int, object]) -> None:
        for col, (width, limit) in enumerate(zip(self.widths, self.limits, strict=True)):
            sheet.set_column(col, col, min(max(width + 2, 6), limit), formats.get(col))


_FINDING_COLUMNS = ("severity", "register", "sheet", "cell", "row", "message", "value", "code")
_FINDING_LIMITS = [10, 16, 22, 12, 8, 60, 30, 20]
_MESSAGE_COL = _FINDING_COLUMNS.index("message")
_HEADER_ROW = 3


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
    loc = _locale(locale)
    path = Path(path)
    findings = list(result.findings)
    summary = result.summary()
    with _atomic(path) as temp:
        book = xlsxwriter.Workbook(str(temp), {
            "strings_to_numbers": False, "strings_to_formulas": False,
            "strings_to_urls": False,
        })
        book.set_properties({"title": f"{office_name} {t('report.title', loc)}".strip(),
                             "author": "Sheet Clerk", "created": generated})
        fmt = _Formats(book)
        _findings_sheet(book, fmt, findings, summary, path.parent, loc, office_name, generated,
                        sources_root)
        _by_table_sheet(book, fmt, findings, loc)
        book.close()
    return path


def _findings_sheet(book, fmt: _Formats, findings: list[Finding], summary: dict[str, int],
                    report_dir: Path, loc: str, office_name: str,
                    generated: datetime, sources_root: Path | None = None) -> None:
    sheet = book.add_worksheet(_sheet_title(t("report.title", loc)))
    title = " · ".join(part for part in (office_name, t("report.title", loc),
                                         t("report.generated_at", loc,
                                           time=_stamp(generated))) if part)
    sheet.write_string(0, 0, title, fmt.title)
    sheet.set_row(0, 22)
    sheet.write_string(1, 0, t("report.summary_line", loc, errors=summary["errors"],
                                 warnings=summary["warnings"], rows=summary["rows_checked"]),
                       fmt.summary)
    if not findings:
        sheet.write_string(_HEADER_ROW, 0, t("report.none", loc), fmt.none)
        sheet.set_column(0, 0, max(_display_width(t("report.none", loc)) + 4, 20))
        return

    headers = [t(f"report.{key}", loc) for key in _FINDING_COLUMNS]
    widths = _Widths(headers, _FINDING_LIMITS)
    for col, header in enumerate(headers):
        sheet.write_string(_HEADER_ROW, col, header, fmt.header)

    room = _EXCEL_MAX_ROWS - _HEADER_ROW - 2        # keep one row for the "more" line
    shown = findings[:room]
    links = 0
    tip = t("report.open_cell", loc)[:255]
    for index, f in enumerate(shown):
        row = _HEADER_ROW + 1 + index
        severity = t(f"report.{f.severity}", loc)
        texts = [severity, _register_label(f.register, loc), f.sheet, f.cell, "",
                 f.message, f.value, f.code]
        sheet.write_string(row, 0, severity, fmt.error if f.severity == "error" else fmt.warning)
        for col in (1, 2, 5, 6, 7):
            if texts[col]:
                sheet.write_string(row, col, texts[col], fmt.wrap if col == 5 else fmt.text)
        link = _cell_link(f, report_dir, sources_root) if links < _EXCEL_MAX_LINKS else None
        if link and sheet.write_url(row, 3, link, fmt.link, f.cell, tip) == 0:
            links += 1
        elif f.cell:
            sheet.write_string(row, 3, f.cell, fmt.text)
        if f.row is not None:
            sheet.write_number(row, 4, f.row, fmt.number)
            texts[4] = str(f.row)
        for col, text in enumerate(texts):
            widths.see(col, text)
    last = _HEADER_ROW + len(shown)
    if len(shown) < len(findings):
        sheet.write_string(last + 1, 0, t("report.truncated", loc,
                                          count=len(findings) - len(shown)), fmt.summary)

    widths.apply(sheet, {_MESSAGE_COL: fmt.wrap})
    sheet.set_row(_HEADER_ROW, 20)
    sheet.freeze_panes(_HEADER_ROW + 1, 0)
    sheet.autofilter(_HEADER_ROW, 0, last, len(headers) - 1)
    sheet.repeat_rows(_HEADER_ROW)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)


def _by_table_sheet(book, fmt: _Formats, findings: list[Finding], loc: str) -> None:
    sheet = book.add_worksheet(_sheet_title(t("report.by_table", loc)))
    keys = ("register", "table", "errors", "warnings")
    headers = [t(f"report.{key}", loc) for key in keys]
    widths = _Widths(headers, [16, 24, 10, 10])
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header, fmt.header)
    counts = _by_table(findings)
    if not counts:
        sheet.write_string(1, 0, t("report.none", loc), fmt.none)
    for row, entry in enumerate(counts, start=1):
        register = _register_label(entry.register, loc)
        table = table_label(entry.register, entry.table, loc)
        sheet.write_string(row, 0, register, fmt.text)
        sheet.write_string(row, 1, table, fmt.text)
        sheet.write_number(row, 2, entry.errors, fmt.error if entry.errors else fmt.number)
        sheet.write_number(row, 3, entry.warnings,
                           fmt.warning if entry.warnings else fmt.number)
        widths.see(0, register)
        widths.see(1, table)
    if counts:
        total = len(counts) + 1
        sheet.write_string(total, 0, t("report.total", loc), fmt.total)
        sheet.write_blank(total, 1, None, fmt.total)
        sheet.write_number(total, 2, sum(c.errors for c in counts), fmt.total)
        sheet.write_number(total, 3, sum(c.warnings for c in counts), fmt.total)
        sheet.autofilter(0, 0, len(counts), len(keys) - 1)
    widths.apply(sheet, {})
    sheet.freeze_panes(1, 0)


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
    loc = _locale(locale)
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
    html = render_page(
        "validation.html.j2", loc,
        heading=heading,
        generated=_stamp(generated),
        generated_iso=generated.isoformat(timespec="minutes"),
        summary=result.summary(),
        counts=rows,
        groups=_groups(findings, loc),
    )
    with _atomic(path) as temp:
        temp.write_text(html, encoding="utf-8", newline="\n")
    return path
