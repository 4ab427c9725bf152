"""What a cell value becomes when Sheet Clerk writes it somewhere a spreadsheet reads:
text for CSV, a plain JSON value for the Sheets API and xlwings, and the one rule that
keeps text that would run as a formula as text.

A low module (it imports nothing of Sheet Clerk's) so that the sources that write back
and the reports share one rule; `reports.cells` builds CSV on it.
"""

from __future__ import annotations

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


__all__ = ["FORMULA_LEAD", "cell_text", "formula_safe", "plain_value"]
