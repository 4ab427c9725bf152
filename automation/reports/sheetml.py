"""Plain tables as SpreadsheetML: a whole one-sheet workbook around the worksheet part
of `sources.sheetml` (which the write-back puts into an officer's workbook). The
reminder log, tens of thousands of lines on a large office, is
written as a whole workbook about three times faster than xlsxwriter writes it, because
a plain table needs none of xlsxwriter's per-cell bookkeeping.
"""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from ..layout import column_letter
from ..sources.sheetml import ILLEGAL_XML, MAIN_NS, REL_NS, XML_HEAD, sheet_xml

EXCEL_MAX_ROWS = 1_048_576
HEADER_STYLE = 1
"""The style index `table_workbook` gives the header row: bold on light blue."""
_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


_STYLES = (
    f'{XML_HEAD}<styleSheet xmlns="{MAIN_NS}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/><bgColor indexed="64"/>'
    "</patternFill></fill></fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    "</cellStyleXfs>"
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" '
    'applyFill="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def table_workbook(path: Path, title: str, rows: list[list[Any]],
                   created: datetime | None = None) -> None:
    """A one-sheet xlsx of `rows` (the first is the header: bold, frozen, with filters).
    The same rows and `created` give the same bytes."""
    name = ILLEGAL_XML.sub("", title)[:31] or "Sheet1"
    last_column = column_letter(max((len(r) for r in rows), default=1) - 1)
    area = f"{_quoted(name)}!$A$1:${last_column}${max(len(rows), 1)}"
    stamp = (created or datetime(1980, 1, 1)).timetuple()[:6]
    when = created.strftime("%Y-%m-%dT%H:%M:%SZ") if created else ""
    parts = {
        "[Content_Types].xml": (
            f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            'sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            'worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/docProps/core.xml" ContentType="application/'
            'vnd.openxmlformats-package.core-properties+xml"/></Types>'),
        "_rels/.rels": (
            f'{XML_HEAD}<Relationships xmlns="{_PACKAGE_REL}">'
            f'<Relationship Id="rId1" Type="{_DOC_REL}/officeDocument" '
            'Target="xl/workbook.xml"/><Relationship Id="rId2" Type="http://schemas.'
            'openxmlformats.org/package/2006/relationships/metadata/core-properties" '
            'Target="docProps/core.xml"/></Relationships>'),
        "docProps/core.xml": (
            f'{XML_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/'
            'package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/'
            '1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/'
            f'2001/XMLSchema-instance"><dc:title>{escape(name)}</dc:title>'
            "<dc:creator>Sheet Clerk</dc:creator>"
            + (f'<dcterms:created xsi:type="dcterms:W3CDTF">{when}</dcterms:created>'
               if when else "")
            + "</cp:coreProperties>"),
        "xl/workbook.xml": (
            f'{XML_HEAD}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><bookViews>'
            '<workbookView/></bookViews><sheets>'
            f'<sheet name={quoteattr(name)} sheetId="1" r:id="rId1"/></sheets>'
            '<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" '
            f'hidden="1">{escape(area)}</definedName></definedNames>'
            "</workbook>"),
        "xl/_rels/workbook.xml.rels": (
            f'{XML_HEAD}<Relationships xmlns="{_PACKAGE_REL}">'
            f'<Relationship Id="rId1" Type="{_DOC_REL}/worksheet" '
            'Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_DOC_REL}/styles" Target="styles.xml"/>'
            "</Relationships>"),
        "xl/styles.xml": _STYLES,
    }
    with zipfile.ZipFile(path, "w") as package:
        for part, text in parts.items():
            package.writestr(zipfile.ZipInfo(part, stamp), text.encode("utf-8"),
                             zipfile.ZIP_DEFLATED, 3)
        package.writestr(zipfile.ZipInfo("xl/worksheets/sheet1.xml", stamp),
                         sheet_xml(rows, header_style=HEADER_STYLE, autofilter=True),
                         zipfile.ZIP_DEFLATED, 3)


def _quoted(sheet: str) -> str:
    """A sheet name as a formula reference names it."""
    return "'" + sheet.replace("'", "''") + "'"
