"""Cell values as text a spreadsheet opens safely: CSV for Excel (UTF-8 with BOM), and
text that would run as a formula kept as text. One rule for every CSV and xlsx written."""

from __future__ import annotations

import csv
import io
import math
from datetime import date, datetime, time, timedelta
from typing import Any

FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")
"""A text cell starting with one of these would run as a formula in Excel or WPS."""


def cell_text(value: Any) -> str:
    """A cell as CSV text: full precision, ISO dates, integers without `.0`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value != value:
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def plain_value(value: Any) -> Any:
    """A cell as the Sheets API and xlwings' clients take it: text, a number or a boolean
    (dates as ISO text, missing and NaN as '')."""
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    return "" if isinstance(value, float) else cell_text(value)


def formula_safe(value: Any) -> Any:
    """`value`, or for text that would run as a formula, the same text with a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_LEAD):
        return "'" + value
    return value


def neutralised(value: Any) -> str:
    """Cell text safe to open in a spreadsheet: text that would run as a formula gets a
    leading `'` (numbers are written as numbers and need none)."""
    return cell_text(formula_safe(value))


def csv_bytes(rows: list[list[Any]]) -> bytes:
    """UTF-8 with a BOM (so Excel opens Chinese correctly), CRLF, every cell neutralised."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(
        [neutralised(v) for v in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
