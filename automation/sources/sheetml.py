"""One plain worksheet part as SpreadsheetML: inline strings, numbers, a frozen header.

What the write-back puts into an officer's workbook without touching its shared strings
or styles (`xlsx_tabs`), and what `reports.sheetml` wraps into a whole one-sheet workbook.
"""

from __future__ import annotations

import re
from typing import Any
from xml.sax.saxutils import escape

from ..layout import column_letter

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _cell(ref: str, value: Any, style: str) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float) and value == value and abs(value) < 1e15:
        return f'<c r="{ref}"{style}><v>{value!r}</v></c>'
    text = ILLEGAL_XML.sub("", str(value))[:32767]
    return (f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{escape(text)}'
            "</t></is></c>")


def sheet_xml(rows: list[list[Any]], *, header_style: int | None = None,
              autofilter: bool = False) -> bytes:
    """A plain worksheet: inline strings, numbers, frozen header. `header_style` is a
    style index of the workbook's own styles (none by default: an officer's workbook has
    its own); `autofilter` puts filter buttons on the header."""
    width = max((len(r) for r in rows), default=1)
    letters = [column_letter(c) for c in range(width)]
    header = f' s="{header_style}"' if header_style is not None else ""
    body = []
    for r, row in enumerate(rows, start=1):
        style = header if r == 1 else ""
        cells = "".join(_cell(f"{letters[c]}{r}", v, style) for c, v in enumerate(row))
        body.append(f'<row r="{r}">{cells}</row>')
    area = f"A1:{letters[-1]}{max(len(rows), 1)}"
    return (
        f'{XML_HEAD}<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        f'<dimension ref="{area}"/>'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
        'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/>'
        f'<cols><col min="1" max="{width}" width="18" customWidth="1"/></cols>'
        f'<sheetData>{"".join(body)}</sheetData>'
        + (f'<autoFilter ref="{area}"/>' if autofilter and rows else "")
        + '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
        'footer="0.3"/></worksheet>'
    ).encode()
