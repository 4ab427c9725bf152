"""A Google Sheets API v4 stand-in over real HTTP on 127.0.0.1, for tests that drive the
real gspread + google-auth code. PYTEST_DONT_REWRITE (so that test modules may both import
names from here and list it in `pytest_plugins` without an "already imported" warning).

Fidelity comes first: the answers (field names, range echoes, trimmed empties, omitted
fields, status codes and error bodies) follow what Google answered in the recordings of
gspread's own test suite; tests/test_sheets_standin.py replays them against this module.

A client talks to it unmodified except for URL prefixes, which it rewrites to `standin.url`:
`https://sheets.googleapis.com` and `https://www.googleapis.com` (the API and Drive), plus in
the transport google-auth uses for its own requests `https://oauth2.googleapis.com` (google-auth
2.62 sends authorized-user refreshes there whatever the JSON's token_uri says) and
`https://iamcredentials.googleapis.com` (its background "allowed locations" lookup for
service accounts, answered here and not recorded). Service-account JWTs go to the
`token_uri` of `service_account_info()`, which points here.

Use it from a test module with

    pytest_plugins = ["sheets_standin"]

    def test_something(sheets_standin):
        key = sheets_standin.create_spreadsheet("名册", {"成员": [["姓名", "入会日期"]]})

What is modelled
    OAuth token endpoint (RS256 JWT assertions verified against the key issued here; refresh
    tokens), bearer tokens and scopes, sharing (403), values get/batchGet/update/batchUpdate/
    append/clear/batchClear, spreadsheet metadata with `fields` masks and grid data (values,
    notes, formats, validation), spreadsheets.create, the batchUpdate requests in
    `SUPPORTED_REQUESTS` (atomic: all or nothing; other real request types answer 501),
    Drive files create/get/delete for spreadsheets, injected failures (`fail_next`) and
    delays (`delay_next`, API requests only), per-minute read/write quotas per identity.

Documented approximations
    * Formulas are evaluated once, when written, and only for arithmetic (+ - * / ^ &,
      parentheses, numbers, strings, same-sheet cell references). Any other formula keeps
      its text and has no value: FORMATTED/UNFORMATTED render "" (Google would compute it).
      References are not adjusted when rows or columns move.
    * "Automatic" number format: integers without ".0", other numbers with 10 significant
      digits ("0.3333333333"), 1E+20 style for huge ones. Dates use the cell's pattern, else
      the locale's default: en_US m/d/yyyy, zh_CN yyyy-mm-dd (others in `_LOCALE_DATE`);
      times h:mm:ss am/pm (en_US) or h:mm:ss (24 h); date-times "<date> h:mm:ss".
    * USER_ENTERED understands numbers ("0042" -> 42, "2,000,000.01", "12%"), TRUE/FALSE,
      a leading ' (text), "=" formulas, yyyy-mm-dd / yyyy/m/d / m/d/yyyy (en_*) dates with
      an optional h:mm[:ss] time, and h:mm[:ss] times. Currency text stays text.
    * A number format, once set (typed date, seeded date, repeatCell), stays with the cell
      when later values are written, as in Google.
    * `cells()` returns Python values: str, int, float, bool, None (empty), CellError,
      Formula(text, value), and date/datetime/time for cells whose number format is
      DATE/DATE_TIME/TIME (converted back from the serial number).
    * `data_validations()` is the log of setDataValidation requests as sent; it is not
      shifted when rows or columns are inserted or deleted.
    * Error messages the recordings do not show use Google's wording as far as known; the
      ones the replay checks are exact.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import functools
import json
import math
import re
import secrets
import struct
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

__all__ = ["Call", "CellError", "Formula", "SheetsStandIn", "sheets_standin"]

HOST = "127.0.0.1"
SHEETS_SCOPE = "https://www.googleapis.com/auth/spreadsheets"
DRIVE_SCOPE = "https://www.googleapis.com/auth/drive"
# Scopes with which Google lets a token read (first set) or write (second) spreadsheets.
READ_SCOPES = frozenset({SHEETS_SCOPE, SHEETS_SCOPE + ".readonly", DRIVE_SCOPE,
                         DRIVE_SCOPE + ".readonly", DRIVE_SCOPE + ".file"})
WRITE_SCOPES = frozenset({SHEETS_SCOPE, DRIVE_SCOPE, DRIVE_SCOPE + ".file"})
DRIVE_SCOPES = frozenset({DRIVE_SCOPE, DRIVE_SCOPE + ".file", DRIVE_SCOPE + ".readonly"})
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# google-auth always signs for this audience, whatever the token_uri; Google accepts these.
GOOGLE_AUDIENCES = frozenset({"https://oauth2.googleapis.com/token",
                              "https://www.googleapis.com/oauth2/v4/token",
                              "https://accounts.google.com/o/oauth2/token"})
TOKEN_LIFETIME = 3599
SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"

READ_KINDS = frozenset({"metadata", "values.get", "values.batchGet"})
WRITE_KINDS = frozenset({"batchUpdate", "values.batchUpdate", "values.update", "values.clear",
                         "values.batchClear", "values.append", "create"})
DRIVE_KINDS = frozenset({"drive.create", "drive.get", "drive.delete"})
# Call.kind values; "unsupported" is an API path the stand-in does not model (answered 404).
KINDS = READ_KINDS | WRITE_KINDS | DRIVE_KINDS | {"token", "unsupported"}

UNAUTHENTICATED_MISSING = (
    "Request is missing required authentication credential. Expected OAuth 2 access token, "
    "login cookie or other valid authentication credential. See "
    "https://developers.google.com/identity/sign-in/web/devconsole-project.")
UNAUTHENTICATED_INVALID = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
    "cookie or other valid authentication credential. See "
    "https://developers.google.com/identity/sign-in/web/devconsole-project.")
QUOTA_MESSAGE = (
    "Quota exceeded for quota metric '{metric} requests' and limit '{metric} requests per "
    "minute per user' of service 'sheets.googleapis.com' for consumer "
    "'project_number:123456'.")
JWT_TIME_MESSAGE = (
    "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable "
    "timeframe. Check your iat and exp values in the JWT claim.")

# Google's status names and default messages, by HTTP status.
STATUS_TEXT: dict[int, tuple[str, str]] = {
    400: ("INVALID_ARGUMENT", "Request contains an invalid argument."),
    401: ("UNAUTHENTICATED", UNAUTHENTICATED_INVALID),
    403: ("PERMISSION_DENIED", "The caller does not have permission"),
    404: ("NOT_FOUND", "Requested entity was not found."),
    409: ("ABORTED", "The operation was aborted."),
    429: ("RESOURCE_EXHAUSTED", ""),
    500: ("INTERNAL", "Internal error encountered."),
    501: ("UNIMPLEMENTED", "Operation is not implemented, or supported, or enabled."),
    502: ("UNAVAILABLE", "The service is currently unavailable."),
    503: ("UNAVAILABLE", "The service is currently unavailable."),
    504: ("DEADLINE_EXCEEDED", "The request timed out. Please try again."),
}

# gRPC method names Google reports in error details, by call kind.
_METHODS = {
    "metadata": "GetSpreadsheet", "batchUpdate": "BatchUpdateSpreadsheet",
    "values.get": "GetValues", "values.batchGet": "BatchGetValues",
    "values.update": "UpdateValues", "values.batchUpdate": "BatchUpdateValues",
    "values.append": "AppendValues", "values.clear": "ClearValues",
    "values.batchClear": "BatchClearValues", "create": "CreateSpreadsheet",
}

# batchUpdate request types: those the stand-in models, and all that Google knows.
SUPPORTED_REQUESTS = frozenset({
    "addSheet", "deleteSheet", "updateSheetProperties", "updateSpreadsheetProperties",
    "setDataValidation", "repeatCell", "updateCells", "appendDimension", "insertDimension",
    "deleteDimension", "autoResizeDimensions", "updateDimensionProperties",
    "addProtectedRange", "deleteProtectedRange", "mergeCells", "unmergeCells",
    "addNamedRange", "deleteNamedRange", "updateNamedRange", "sortRange", "copyPaste",
    "cutPaste", "setBasicFilter", "clearBasicFilter", "addDimensionGroup",
    "deleteDimensionGroup", "updateBorders",
})
GOOGLE_REQUESTS = SUPPORTED_REQUESTS | frozenset({
    "autoFill", "addFilterView", "appendCells", "deleteEmbeddedObject", "deleteFilterView",
    "duplicateFilterView", "duplicateSheet", "findReplace", "insertRange", "moveDimension",
    "updateEmbeddedObjectPosition", "pasteData", "textToColumns", "updateFilterView",
    "deleteRange", "addConditionalFormatRule", "updateConditionalFormatRule",
    "deleteConditionalFormatRule", "updateProtectedRange", "addChart", "updateChartSpec",
    "updateBanding", "addBanding", "deleteBanding", "createDeveloperMetadata",
    "updateDeveloperMetadata", "deleteDeveloperMetadata", "randomizeRange",
    "updateDimensionGroup", "trimWhitespace", "deleteDuplicates",
    "updateEmbeddedObjectBorder", "addSlicer", "updateSlicerSpec", "addDataSource",
    "updateDataSource", "deleteDataSource", "refreshDataSource", "cancelDataSourceRefresh",
    "addTable", "updateTable", "deleteTable",
})

DEFAULT_FORMAT: dict[str, Any] = {
    "backgroundColor": {"red": 1, "green": 1, "blue": 1},
    "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
    "verticalAlignment": "BOTTOM",
    "wrapStrategy": "OVERFLOW_CELL",
    "textFormat": {
        "foregroundColor": {}, "fontFamily": "arial,sans,sans-serif", "fontSize": 10,
        "bold": False, "italic": False, "strikethrough": False, "underline": False,
        "foregroundColorStyle": {"rgbColor": {}},
    },
    "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 1, "blue": 1}},
}
_THEME_COLORS = [
    ("TEXT", {}), ("BACKGROUND", {"red": 1, "green": 1, "blue": 1}),
    ("ACCENT1", {"red": 0.25882354, "green": 0.52156866, "blue": 0.95686275}),
    ("ACCENT2", {"red": 0.91764706, "green": 0.2627451, "blue": 0.20784314}),
    ("ACCENT3", {"red": 0.9843137, "green": 0.7372549, "blue": 0.015686275}),
    ("ACCENT4", {"red": 0.20392157, "green": 0.65882355, "blue": 0.3254902}),
    ("ACCENT5", {"red": 1, "green": 0.42745098, "blue": 0.003921569}),
    ("ACCENT6", {"red": 0.27450982, "green": 0.7411765, "blue": 0.7764706}),
    ("LINK", {"red": 0.06666667, "green": 0.33333334, "blue": 0.8}),
]
THEME: dict[str, Any] = {
    "primaryFontFamily": "Arial",
    "themeColors": [{"colorType": kind, "color": {"rgbColor": rgb}} for kind, rgb in
                    _THEME_COLORS],
}

_EPOCH = dt.datetime(1899, 12, 30)
_LOCALE_DATE = {"en_US": "m/d/yyyy", "zh_CN": "yyyy-mm-dd", "zh_TW": "yyyy/m/d",
                "en_GB": "dd/mm/yyyy", "fr_FR": "dd/mm/yyyy", "de_DE": "dd.mm.yyyy",
                "ja_JP": "yyyy/mm/dd", "ru_RU": "dd.mm.yyyy"}
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


# --- public value types ------------------------------------------------------------------


@dataclass(frozen=True)
class CellError:
    """A formula error shown in a cell, e.g. CellError("#REF!")."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Formula:
    """A formula cell with the value Google would have computed for it."""

    formula: str
    value: Any = None


@dataclass
class Call:
    """One request the stand-in answered (API and token requests)."""

    method: str
    path: str
    query: dict[str, list[str]]
    spreadsheet: str | None
    kind: str
    status: int
    identity: str | None = None
    body: Any = None


# --- small helpers -----------------------------------------------------------------------


def _col_letters(index: int) -> str:
    """0-based column index -> A, B, ..., Z, AA, ..."""
    letters, number = "", index + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _col_index(letters: str) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number - 1


def _cell_a1(row: int, col: int) -> str:
    return f"{_col_letters(col)}{row + 1}"


_PLAIN_TITLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CELL_LIKE = re.compile(r"[A-Za-z]{1,3}[0-9]+|[Rr][0-9]*[Cc][0-9]*")


def _quote_title(title: str) -> str:
    """Google quotes a title unless it is a plain ASCII identifier that is not a cell ref."""
    if _PLAIN_TITLE.fullmatch(title) and not _CELL_LIKE.fullmatch(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def _float32(value: float) -> float | int:
    """Colours come back as float32, printed as briefly as round-trips (1.0 -> 1)."""
    packed = struct.pack("f", float(value))
    single = struct.unpack("f", packed)[0]
    text = repr(single)
    for digits in range(1, 10):
        candidate = f"{single:.{digits}g}"
        if struct.pack("f", float(candidate)) == packed:
            text = candidate
            break
    number = float(text)
    return int(number) if number.is_integer() else number


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _random_token(size: int) -> str:
    return secrets.token_urlsafe(size)[:size]


def _iso(stamp: float) -> str:
    moment = dt.datetime.fromtimestamp(stamp, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _jsonable(value: Any) -> Any:
    """Integral floats print as integers, as Google's JSON does (2, not 2.0)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


# --- field masks -------------------------------------------------------------------------

MaskTree = dict[str, Any]  # name -> subtree, or None for "the whole field"


def _merge_mask(tree: MaskTree, name: str, sub: MaskTree | None) -> None:
    if name in tree and (tree[name] is None or sub is None):
        tree[name] = None
    elif name in tree:
        for key, value in sub.items():
            _merge_mask(tree[name], key, value)
    else:
        tree[name] = sub


def parse_field_mask(text: str) -> MaskTree:
    """'a.b,c(d,e/f)' -> {'a': {'b': None}, 'c': {'d': None, 'e': {'f': None}}}."""
    pos = 0

    def name() -> str:
        nonlocal pos
        start = pos
        while pos < len(text) and (text[pos].isalnum() or text[pos] in "_*@"):
            pos += 1
        if start == pos:
            raise ValueError(f"bad field mask {text!r}")
        return text[start:pos]

    def path() -> tuple[list[str], MaskTree | None]:
        nonlocal pos
        names = [name()]
        while pos < len(text) and text[pos] in "./":
            pos += 1
            names.append(name())
        sub: MaskTree | None = None
        if pos < len(text) and text[pos] == "(":
            pos += 1
            sub = items()
            if pos >= len(text) or text[pos] != ")":
                raise ValueError(f"bad field mask {text!r}")
            pos += 1
        return names, sub

    def items() -> MaskTree:
        nonlocal pos
        tree: MaskTree = {}
        while True:
            while pos < len(text) and text[pos] == " ":
                pos += 1
            names, sub = path()
            for inner in reversed(names[1:]):
                sub = {inner: sub}
            _merge_mask(tree, names[0], sub)
            while pos < len(text) and text[pos] == " ":
                pos += 1
            if pos < len(text) and text[pos] == ",":
                pos += 1
                continue
            return tree

    tree = items()
    if pos != len(text):
        raise ValueError(f"bad field mask {text!r}")
    return tree


def apply_field_mask(value: Any, tree: MaskTree | None) -> Any:
    """Keep only the masked fields; messages that end up empty stay as {} like Google's."""
    if tree is None:
        return value
    if isinstance(value, list):
        return [apply_field_mask(item, tree) for item in value]
    if not isinstance(value, dict):
        return value
    if "*" in tree:
        return value
    return {key: apply_field_mask(value[key], sub) for key, sub in tree.items() if key in value}


def _mask_paths(tree: MaskTree, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = []
    for key, sub in tree.items():
        if sub is None:
            paths.append((*prefix, key))
        else:
            paths.extend(_mask_paths(sub, (*prefix, key)))
    return paths


def _get_path(source: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = source
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def _set_path(target: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        target = target.setdefault(key, {})
    if value is None:
        target.pop(path[-1], None)
    else:
        target[path[-1]] = copy.deepcopy(value)


# --- cleaning output like proto3 JSON ------------------------------------------------------

_COLOR_KEYS = frozenset({"red", "green", "blue", "alpha"})


def _clean_color(color: dict[str, Any]) -> dict[str, Any]:
    """Google keeps 8 bits per channel (0.5 comes back as 127/255 = 0.49803922)."""
    out: dict[str, Any] = {}
    for key, value in color.items():
        if key not in _COLOR_KEYS or not value:
            continue
        if key != "alpha":
            value = math.floor(float(value) * 255 + 0.5 - 1e-7) / 255
        if value:
            out[key] = _float32(value)
    return out


def _clean(value: Any, *, drop_false: bool) -> Any:
    """Drop unset fields (None, empty messages, colour zeros; False when asked)."""
    if isinstance(value, dict):
        if value and set(value) <= _COLOR_KEYS:
            return _clean_color(value)
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key in ("rgbColor", "foregroundColor", "backgroundColor", "color") and \
                    isinstance(item, dict):
                if item or key == "foregroundColor":
                    out[key] = _clean_color(item)
                continue
            cleaned = _clean(item, drop_false=drop_false)
            if cleaned is None or (drop_false and cleaned is False):
                continue
            if isinstance(cleaned, dict) and not cleaned:
                continue
            out[key] = cleaned
        return out
    if isinstance(value, list):
        return [_clean(item, drop_false=drop_false) for item in value]
    return value


def _with_color_styles(fmt: dict[str, Any]) -> dict[str, Any]:
    """Google answers every colour twice: plain and as a ...Style with rgbColor."""
    fmt = copy.deepcopy(fmt)

    def pair(holder: dict[str, Any], plain: str, style: str) -> None:
        if plain in holder and style not in holder:
            holder[style] = {"rgbColor": holder[plain]}
        elif style in holder and plain not in holder and "rgbColor" in (holder[style] or {}):
            holder[plain] = holder[style]["rgbColor"]

    pair(fmt, "backgroundColor", "backgroundColorStyle")
    if isinstance(fmt.get("textFormat"), dict):
        pair(fmt["textFormat"], "foregroundColor", "foregroundColorStyle")
    for side in ("top", "bottom", "left", "right"):
        border = (fmt.get("borders") or {}).get(side)
        if isinstance(border, dict):
            pair(border, "color", "colorStyle")
    return fmt


# --- numbers, dates and the formats Google shows them with ------------------------------


def _to_serial(value: dt.date | dt.datetime | dt.time) -> int | float:
    if isinstance(value, dt.datetime):
        delta = value.replace(tzinfo=None) - _EPOCH
        return delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
    if isinstance(value, dt.date):
        return (value - _EPOCH.date()).days
    return (value.hour * 3600 + value.minute * 60 + value.second
            + value.microsecond / 1e6) / 86400


def _from_serial(serial: float) -> dt.datetime:
    days = math.floor(serial)
    seconds = round((serial - days) * 86400)
    return _EPOCH + dt.timedelta(days=days, seconds=seconds)


_DATE_TOKEN = re.compile(r"yyyy|yy|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|am/pm|a/p|"
                         r"\"[^\"]*\"|\\.|.", re.IGNORECASE)


def _format_date(serial: float, pattern: str) -> str:
    moment = _from_serial(serial)
    tokens = _DATE_TOKEN.findall(pattern)
    twelve = any(t.lower() in ("am/pm", "a/p") for t in tokens)
    significant = [i for i, t in enumerate(tokens) if t[0].lower() in "ymdhsa"]
    out: list[str] = []
    for index, token in enumerate(tokens):
        low = token.lower()
        if low in ("m", "mm"):
            place = significant.index(index)
            before = tokens[significant[place - 1]].lower() if place else ""
            after = tokens[significant[place + 1]].lower() if place + 1 < len(
                significant) else ""
            minutes = before in ("h", "hh") or after in ("s", "ss")
            number = moment.minute if minutes else moment.month
            out.append(f"{number:02d}" if low == "mm" else str(number))
        elif low == "yyyy":
            out.append(f"{moment.year:04d}")
        elif low == "yy":
            out.append(f"{moment.year % 100:02d}")
        elif low == "mmmm":
            out.append(_MONTHS[moment.month - 1])
        elif low == "mmm":
            out.append(_MONTHS[moment.month - 1][:3])
        elif low == "dddd":
            out.append(_DAYS[moment.weekday()])
        elif low == "ddd":
            out.append(_DAYS[moment.weekday()][:3])
        elif low in ("d", "dd"):
            out.append(f"{moment.day:02d}" if low == "dd" else str(moment.day))
        elif low in ("h", "hh"):
            hour = (moment.hour % 12 or 12) if twelve else moment.hour
            out.append(f"{hour:02d}" if low == "hh" else str(hour))
        elif low in ("s", "ss"):
            out.append(f"{moment.second:02d}" if low == "ss" else str(moment.second))
        elif low == "am/pm":
            out.append("AM" if moment.hour < 12 else "PM")
        elif low == "a/p":
            out.append("A" if moment.hour < 12 else "P")
        elif token.startswith('"'):
            out.append(token[1:-1])
        elif token.startswith("\\"):
            out.append(token[1:])
        else:
            out.append(token)
    return "".join(out)


def _default_pattern(kind: str, locale: str) -> str:
    date = _LOCALE_DATE.get(locale, "yyyy-mm-dd")
    clock = "h:mm:ss am/pm" if locale == "en_US" else "h:mm:ss"
    if kind == "DATE":
        return date
    if kind == "TIME":
        return clock
    return f"{date} h:mm:ss"


def _automatic_number(value: float | int) -> str:
    if isinstance(value, int) or (value.is_integer() and abs(value) < 1e15):
        return str(int(value))
    text = f"{value:.10g}"
    if "e" in text:
        mantissa, _, exponent = text.partition("e")
        sign = exponent[0]
        text = f"{mantissa}E{sign}{int(exponent[1:]):02d}"
    return text


def _pattern_number(value: float | int, pattern: str) -> str:
    """Numeric patterns such as '#,##0.00', '0%', '0.00%', '$#,##0.00'."""
    body = re.search(r"[#0,.]*[#0][#0,.]*%?", pattern)
    if body is None:
        return _automatic_number(value)
    spec = body.group(0)
    prefix, suffix = pattern[:body.start()], pattern[body.end():]
    prefix, suffix = prefix.replace('"', ""), suffix.replace('"', "")
    percent = spec.endswith("%")
    number = value * 100 if percent else value
    decimals = spec.split(".", 1)[1].rstrip("%") if "." in spec else ""
    shown = f"{abs(number):{',' if ',' in spec else ''}.{len(decimals)}f}"
    optional = len(decimals) - len(decimals.rstrip("#"))
    if optional and "." in shown:
        whole, _, fraction = shown.partition(".")
        keep = len(decimals) - optional
        fraction = fraction[:keep] + fraction[keep:].rstrip("0")
        shown = f"{whole}.{fraction}" if fraction else whole
    sign = "-" if number < 0 and float(shown.replace(",", "")) != 0 else ""
    return f"{sign}{prefix}{shown}{'%' if percent else ''}{suffix}"


# --- cells, sheets, spreadsheets -----------------------------------------------------------


@dataclass
class _Cell:
    value: Any = None  # str | int | float | bool | CellError | None
    formula: str | None = None
    fmt: dict[str, Any] = field(default_factory=dict)  # userEnteredFormat
    note: str | None = None
    validation: dict[str, Any] | None = None

    @property
    def has_value(self) -> bool:
        return self.value is not None or self.formula is not None

    @property
    def is_empty(self) -> bool:
        return not self.has_value and not self.fmt and self.note is None and \
            self.validation is None

    @property
    def number_type(self) -> str:
        return str((self.fmt.get("numberFormat") or {}).get("type") or "")


@dataclass
class _Sheet:
    sheet_id: int
    props: dict[str, Any]  # SheetProperties without sheetId and index
    cells: dict[tuple[int, int], _Cell] = field(default_factory=dict)
    merges: list[dict[str, int]] = field(default_factory=list)
    protected: list[dict[str, Any]] = field(default_factory=list)
    basic_filter: dict[str, Any] | None = None
    row_groups: list[dict[str, Any]] = field(default_factory=list)
    column_groups: list[dict[str, Any]] = field(default_factory=list)
    validations: list[dict[str, Any]] = field(default_factory=list)
    row_meta: dict[int, dict[str, Any]] = field(default_factory=dict)
    column_meta: dict[int, dict[str, Any]] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return str(self.props["title"])

    @property
    def grid(self) -> dict[str, Any]:
        return self.props.setdefault("gridProperties", {"rowCount": 1000, "columnCount": 26})

    @property
    def row_count(self) -> int:
        return int(self.grid.get("rowCount", 0))

    @property
    def column_count(self) -> int:
        return int(self.grid.get("columnCount", 0))

    def cell(self, row: int, col: int) -> _Cell:
        return self.cells.setdefault((row, col), _Cell())

    def tidy(self, row: int, col: int) -> None:
        cell = self.cells.get((row, col))
        if cell is not None and cell.is_empty:
            del self.cells[(row, col)]


@dataclass
class _Spreadsheet:
    key: str
    props: dict[str, Any]
    sheets: list[_Sheet]
    shared_with: set[str] | None
    named_ranges: list[dict[str, Any]] = field(default_factory=list)
    created: float = field(default_factory=time.time)
    modified: float = field(default_factory=time.time)

    def sheet_by_id(self, sheet_id: int) -> _Sheet | None:
        return next((s for s in self.sheets if s.sheet_id == sheet_id), None)

    def sheet_by_title(self, title: str) -> _Sheet | None:
        exact = next((s for s in self.sheets if s.title == title), None)
        return exact or next((s for s in self.sheets if s.title.casefold() == title.casefold()),
                             None)


@dataclass
class _Range:
    """A resolved A1 range; end indexes are exclusive and may lie beyond the grid."""

    sheet: _Sheet
    r0: int
    c0: int
    r1: int
    c1: int
    text: str  # the A1 part as the client wrote it ('' for a whole sheet)
    whole: bool = False
    single: bool = False


class ApiError(Exception):
    """An error answer with Google's body {"error": {"code", "message", "status"}}."""

    def __init__(self, code: int, message: str | None = None, *,
                 details: list[dict[str, Any]] | None = None,
                 headers: dict[str, str] | None = None,
                 drive_reason: str | None = None) -> None:
        status, default = STATUS_TEXT.get(code, ("UNKNOWN", "Unknown error."))
        self.code = code
        self.message = default if message is None else message
        self.status = status
        self.details = details
        self.headers = headers or {}
        self.drive_reason = drive_reason
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        if self.drive_reason:  # Drive v3 answers in its older style
            return {"error": {"code": self.code, "message": self.message, "errors": [{
                "message": self.message, "domain": "global", "reason": self.drive_reason,
                "location": "fileId", "locationType": "parameter"}]}}
        error: dict[str, Any] = {"code": self.code, "message": self.message,
                                 "status": self.status}
        if self.details:
            error["details"] = self.details
        return {"error": error}


def _bad_request(message: str, field_name: str | None = None) -> ApiError:
    details = None
    if field_name is not None:
        details = [{"@type": "type.googleapis.com/google.rpc.BadRequest",
                    "fieldViolations": [{"field": field_name, "description": message}]}]
    return ApiError(400, message, details=details)


class _RequestError(Exception):
    """A batchUpdate request that Google would refuse; the index and name get prefixed."""


# --- A1 notation -------------------------------------------------------------------------

_A1_SIDE = re.compile(r"\$?([A-Za-z]{1,3})?\$?([0-9]+)?")


def _parse_side(text: str) -> tuple[int | None, int | None] | None:
    match = _A1_SIDE.fullmatch(text)
    if not match or not (match.group(1) or match.group(2)):
        return None
    col = _col_index(match.group(1)) if match.group(1) else None
    row = int(match.group(2)) - 1 if match.group(2) else None
    if row is not None and row < 0:
        return None
    return col, row


def _parse_a1(text: str) -> tuple[int | None, int | None, int | None, int | None] | None:
    """'A1:C3' -> (c0, r0, c1, r1) with None for open ends; None when not A1 at all."""
    first, colon, second = text.partition(":")
    start = _parse_side(first)
    if start is None:
        return None
    if not colon:
        if start[0] is None or start[1] is None:
            return None
        return start[0], start[1], start[0], start[1]
    end = _parse_side(second)
    if end is None:
        return None
    return start[0], start[1], end[0], end[1]


def _split_sheet(text: str) -> tuple[str | None, str | None]:
    """"'It''s'!A1" -> ("It's", "A1"); "Sheet1" -> (None, "Sheet1")."""
    if text.startswith("'"):
        title: list[str] = []
        pos = 1
        while pos < len(text):
            char = text[pos]
            if char == "'":
                if text[pos + 1:pos + 2] == "'":
                    title.append("'")
                    pos += 2
                    continue
                pos += 1
                break
            title.append(char)
            pos += 1
        else:
            raise ValueError(text)
        rest = text[pos:]
        if not rest:
            return "".join(title), None
        if rest.startswith("!"):
            return "".join(title), rest[1:]
        raise ValueError(text)
    if "!" in text:
        title_text, _, a1 = text.rpartition("!")
        return title_text, a1
    return None, text


# --- the stand-in ------------------------------------------------------------------------


@dataclass
class _Trouble:
    status: int
    remaining: int
    retry_after: str | None
    kinds: frozenset[str] | None


@dataclass
class _Token:
    email: str
    expires: float
    scopes: frozenset[str]


class SheetsStandIn:
    """Google Sheets API v4 (and the bits of Drive and OAuth it needs) on 127.0.0.1.

    `url` and `token_uri` are set by `start()` (or entering the `with` block). Seed with
    `create_spreadsheet`; look inside with `cells`, `tabs`, `sheet_properties`,
    `data_validations`, `notes`; watch `calls` (one `Call` per API or token request, `kind`
    one of `KINDS`) and `tokens_issued`; misbehave with `fail_next`, `delay_next` and the
    per-minute quotas given to the constructor.
    """

    SUPPORTED_REQUESTS: ClassVar[frozenset[str]] = SUPPORTED_REQUESTS

    def __init__(self, *, read_quota_per_minute: int | None = None,
                 write_quota_per_minute: int | None = None) -> None:
        self.read_quota_per_minute = read_quota_per_minute
        self.write_quota_per_minute = write_quota_per_minute
        self.calls: list[Call] = []
        self.tokens_issued = 0
        self.url = ""
        self.token_uri = ""
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._spreadsheets: dict[str, _Spreadsheet] = {}
        self._service_accounts: dict[str, dict[str, Any]] = {}
        self._users: dict[str, dict[str, Any]] = {}
        self._tokens: dict[str, _Token] = {}
        self._trouble: list[_Trouble] = []
        self._delays: list[list[float]] = []
        self._usage: dict[tuple[str, str], list[float]] = {}

    # life ------------------------------------------------------------------------------
    def start(self) -> SheetsStandIn:
        """Bind a free port on 127.0.0.1 and serve in a daemon thread."""
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body leave at once, no 40 ms stalls

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                status, headers, data = standin.handle(self.command, self.path,
                                                       dict(self.headers.items()), raw)
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    if data:
                        self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (its timeout ran out during delay_next)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer((HOST, 0), Handler)
        self._server.daemon_threads = True
        port = self._server.server_address[1]
        self.url = f"http://{HOST}:{port}"
        self.token_uri = f"{self.url}/token"
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> SheetsStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # identities ------------------------------------------------------------------------
    def service_account_info(
            self, email: str = "clerk-bot@office-test.iam.gserviceaccount.com"
    ) -> dict[str, Any]:
        """A new RSA key for `email`, registered here, in the JSON Google issues."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
        key_id = secrets.token_hex(20)
        client_id = str(100000000000000000000 + secrets.randbelow(10 ** 20))
        project = email.partition("@")[2].split(".")[0] or "office-test"
        with self._lock:
            self._service_accounts[email] = {"public_key": key.public_key(), "key_id": key_id}
        return {
            "type": "service_account",
            "project_id": project,
            "private_key_id": key_id,
            "private_key": pem,
            "client_email": email,
            "client_id": client_id,
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": self.token_uri,
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/"
                                    + urllib.parse.quote(email),
            "universe_domain": "googleapis.com",
        }

    def authorized_user_info(self, email: str = "officer@example.edu.cn") -> dict[str, Any]:
        """An OAuth "authorized_user" JSON (as gcloud / installed apps save it), registered."""
        client_id = f"{secrets.randbelow(10 ** 12):012d}-{_random_token(32).lower()}" \
                    ".apps.googleusercontent.com"
        info = {
            "type": "authorized_user",
            "client_id": client_id,
            "client_secret": "GOCSPX-" + _random_token(28),
            "refresh_token": "1//0" + _random_token(99),
            "token_uri": self.token_uri,
        }
        with self._lock:
            self._users[client_id] = {**info, "email": email}
        return info

    # spreadsheets ----------------------------------------------------------------------
    def create_spreadsheet(self, title: str, tabs: dict[str, list[list[Any]]], *,
                           time_zone: str = "Asia/Shanghai", locale: str = "zh_CN",
                           hidden: Iterable[str] = (), shared_with: Iterable[str] | None = None,
                           key: str | None = None) -> str:
        """Seed a spreadsheet; tabs in order, rows from A1. Returns its 44-character key."""
        hidden = set(hidden)
        with self._lock:
            key = key or self._new_key()
            sheets: list[_Sheet] = []
            for number, (tab, rows) in enumerate((tabs or {"Sheet1": []}).items()):
                width = max((len(row) for row in rows), default=0)
                props: dict[str, Any] = {
                    "title": tab, "sheetType": "GRID",
                    "gridProperties": {"rowCount": max(1000, len(rows)),
                                       "columnCount": max(26, width)},
                }
                if tab in hidden:
                    props["hidden"] = True
                sheet = _Sheet(0 if number == 0 else self._new_sheet_id(sheets), props)
                for r, row in enumerate(rows):
                    for c, value in enumerate(row):
                        self._seed_cell(sheet, r, c, value)
                sheets.append(sheet)
            spreadsheet = _Spreadsheet(
                key, {"title": title, "locale": locale, "autoRecalc": "ON_CHANGE",
                      "timeZone": time_zone}, sheets,
                None if shared_with is None else set(shared_with))
            self._spreadsheets[key] = spreadsheet
        return key

    def cells(self, key: str, tab: str) -> list[list[Any]]:
        """The stored grid, trimmed like Google's values (None for interior empties)."""
        with self._lock:
            sheet = self._sheet(key, tab)
            rows: list[list[Any]] = []
            for (r, c), cell in sheet.cells.items():
                if not cell.has_value:
                    continue
                while len(rows) <= r:
                    rows.append([])
                row = rows[r]
                while len(row) <= c:
                    row.append(None)
                row[c] = self._python_value(cell)
            return rows

    def tabs(self, key: str) -> list[str]:
        with self._lock:
            return [sheet.title for sheet in self._get(key).sheets]

    def sheet_properties(self, key: str, tab: str) -> dict[str, Any]:
        with self._lock:
            spreadsheet = self._get(key)
            sheet = self._sheet(key, tab)
            return self._sheet_props_out(sheet, spreadsheet.sheets.index(sheet))

    def data_validations(self, key: str, tab: str) -> list[dict[str, Any]]:
        """The setDataValidation requests applied to the tab, in order (range + rule)."""
        with self._lock:
            return copy.deepcopy(self._sheet(key, tab).validations)

    def notes(self, key: str, tab: str) -> dict[tuple[int, int], str]:
        with self._lock:
            return {pos: cell.note for pos, cell in sorted(self._sheet(key, tab).cells.items())
                    if cell.note is not None}

    def calls_for(self, key: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.spreadsheet == key
                    and call.kind != "token"]

    # misbehaviour ----------------------------------------------------------------------
    def fail_next(self, status: int, times: int = 1, *, retry_after: float | str | None = None,
                  kinds: Iterable[str] | None = None) -> None:
        """The next `times` authenticated API requests (of `kinds`; never token requests)
        answer `status` with Google's body for it, and Retry-After when given."""
        if isinstance(retry_after, float) and retry_after.is_integer():
            retry_after = int(retry_after)
        unknown = set(kinds or ()) - KINDS
        if unknown:
            raise ValueError(f"unknown call kinds {sorted(unknown)}; known: {sorted(KINDS)}")
        with self._lock:
            self._trouble.append(_Trouble(status, times, None if retry_after is None
                                          else str(retry_after),
                                          None if kinds is None else frozenset(kinds)))

    def delay_next(self, seconds: float, times: int = 1) -> None:
        """The next `times` API requests (not token requests) wait `seconds` first."""
        with self._lock:
            self._delays.append([seconds, times])

    def reset_calls(self) -> None:
        with self._lock:
            self.calls.clear()

    # internals: state ------------------------------------------------------------------
    def _new_key(self) -> str:
        while True:
            key = "1" + _random_token(43)
            if key not in self._spreadsheets:
                return key

    @staticmethod
    def _new_sheet_id(sheets: list[_Sheet]) -> int:
        taken = {sheet.sheet_id for sheet in sheets}
        while True:
            sheet_id = secrets.randbelow(2 ** 31 - 2) + 1
            if sheet_id not in taken:
                return sheet_id

    def _get(self, key: str) -> _Spreadsheet:
        try:
            return self._spreadsheets[key]
        except KeyError:
            raise KeyError(f"no spreadsheet {key!r} in the stand-in") from None

    def _sheet(self, key: str, tab: str) -> _Sheet:
        sheet = self._get(key).sheet_by_title(tab)
        if sheet is None:
            raise KeyError(f"no tab {tab!r} in spreadsheet {key!r}")
        return sheet

    def _seed_cell(self, sheet: _Sheet, row: int, col: int, value: Any) -> None:
        if value is None:
            return
        allowed = (str, int, float, bool, dt.date, dt.time, CellError, Formula)
        if not isinstance(value, allowed):
            raise TypeError(f"{sheet.title}!{_cell_a1(row, col)}: a Google cell cannot hold "
                            f"{type(value).__name__} {value!r}")
        cell = sheet.cell(row, col)
        if isinstance(value, Formula):
            cell.formula = value.formula
            value = value.value
            if value is None:
                return
        if isinstance(value, (dt.date, dt.time)):
            kind = "DATE_TIME" if isinstance(value, dt.datetime) else (
                "DATE" if isinstance(value, dt.date) else "TIME")
            cell.fmt["numberFormat"] = {"type": kind}
            cell.value = _to_serial(value)
        else:
            cell.value = value

    def _python_value(self, cell: _Cell) -> Any:
        value = cell.value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            kind = cell.number_type
            if kind in ("DATE", "DATE_TIME", "TIME"):
                moment = _from_serial(value)
                value = moment.date() if kind == "DATE" else (
                    moment if kind == "DATE_TIME" else moment.time())
        if cell.formula is not None:
            return Formula(cell.formula, value)
        return value

    # internals: HTTP -------------------------------------------------------------------
    def handle(self, method: str, raw_path: str, headers: dict[str, str],
               raw: bytes) -> tuple[int, dict[str, str], bytes]:
        """Answer one HTTP request: (status, headers, body)."""
        parts = urllib.parse.urlsplit(raw_path)
        path = parts.path
        query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
        lowered = {k.lower(): v for k, v in headers.items()}
        if path == "/token":
            return self._answer_token(method, path, query, lowered, raw)
        if path.startswith("/v1/projects/-/serviceAccounts/") and \
                path.endswith("/allowedLocations"):
            # google-auth's background Regional Access Boundary lookup; not recorded.
            return self._json(200, {"encodedLocations": "0x0", "locations": []})
        kind, key, rest = self._route(method, path)
        delay = self._take_delay()
        if delay:
            time.sleep(delay)
        body: Any = None
        status, extra, payload = 200, {}, None
        identity: str | None = None
        try:
            body = self._parse_body(raw)
            identity, scopes = self._authenticate(lowered, kind)
            with self._lock:
                self._check_trouble(kind)
                self._check_quota(kind, identity)
                if kind == "unsupported":
                    raise ApiError(404, f"Method not found: {method} {path}")
                status, payload = self._dispatch(kind, method, key, rest, query, body,
                                                 identity, scopes)
        except Exception as error:
            if not isinstance(error, ApiError):  # a stand-in bug: say so instead of hanging up
                error = ApiError(500, f"Sheets stand-in failure: {error!r}")
            status, extra, payload = error.code, error.headers, error.body()
            if status == 401:
                extra = {**extra, "WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'}
        with self._lock:
            self.calls.append(Call(method, path, query, key, kind, status, identity, body))
        if status == 204:
            return status, {"Content-Type": "text/html", **extra}, b""
        return self._json(status, payload, extra)

    @staticmethod
    def _json(status: int, payload: Any, extra: dict[str, str] | None = None
              ) -> tuple[int, dict[str, str], bytes]:
        data = (json.dumps(_jsonable(payload), ensure_ascii=False, indent=2) + "\n").encode()
        return status, {"Content-Type": "application/json; charset=UTF-8", **(extra or {})}, data

    @staticmethod
    def _parse_body(raw: bytes) -> Any:
        if not raw.strip():
            return None
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise _bad_request("Invalid JSON payload received. Unexpected token.") from None

    @staticmethod
    def _route(method: str, path: str) -> tuple[str, str | None, str]:
        """(kind, spreadsheet key, remainder) for an API path."""
        if path.startswith("/v4/spreadsheets"):
            rest = path[len("/v4/spreadsheets"):]
            if rest in ("", "/"):
                return ("create" if method == "POST" else "unsupported"), None, ""
            rest = rest[1:]
            key, slash, tail = rest.partition("/")
            if slash:
                key = urllib.parse.unquote(key)
                if not tail.startswith("values"):
                    return "unsupported", key, tail
                tail = tail[len("values"):]
                batch = {":batchGet": ("GET", "values.batchGet"),
                         ":batchUpdate": ("POST", "values.batchUpdate"),
                         ":batchClear": ("POST", "values.batchClear")}
                if tail in batch:
                    wanted, kind = batch[tail]
                    return (kind if method == wanted else "unsupported"), key, ""
                if not tail.startswith("/"):
                    return "unsupported", key, tail
                range_text = tail[1:]
                if method == "GET":
                    return "values.get", key, urllib.parse.unquote(range_text)
                if method == "PUT":
                    return "values.update", key, urllib.parse.unquote(range_text)
                if method == "POST":
                    head, colon, verb = range_text.rpartition(":")
                    if colon and verb in ("append", "clear"):
                        return f"values.{verb}", key, urllib.parse.unquote(head)
                return "unsupported", key, range_text
            key, colon, verb = rest.partition(":")
            key = urllib.parse.unquote(key)
            if not colon and method == "GET":
                return "metadata", key, ""
            if verb == "batchUpdate" and method == "POST":
                return "batchUpdate", key, ""
            return "unsupported", key, verb
        if path.startswith("/drive/v3/files"):
            rest = path[len("/drive/v3/files"):].strip("/")
            if not rest and method == "POST":
                return "drive.create", None, ""
            if rest and "/" not in rest and method in ("GET", "DELETE"):
                return f"drive.{method.lower()}", urllib.parse.unquote(rest), ""
            return "unsupported", None, rest
        return "unsupported", None, path

    def _take_delay(self) -> float:
        with self._lock:
            if not self._delays:
                return 0.0
            entry = self._delays[0]
            entry[1] -= 1
            if entry[1] <= 0:
                self._delays.pop(0)
            return float(entry[0])

    def _authenticate(self, headers: dict[str, str], kind: str) -> tuple[str, frozenset[str]]:
        header = headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        metadata = {"service": "sheets.googleapis.com"}
        if kind in _METHODS:
            metadata["method"] = f"google.apps.sheets.v4.SpreadsheetsService.{_METHODS[kind]}"
        if not header:
            raise ApiError(401, UNAUTHENTICATED_MISSING, details=[{
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "CREDENTIALS_MISSING", "domain": "googleapis.com",
                "metadata": metadata}])
        with self._lock:
            grant = self._tokens.get(token.strip()) if scheme.lower() == "bearer" else None
            if grant is None or grant.expires < time.time():
                raise ApiError(401, UNAUTHENTICATED_INVALID, details=[{
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "ACCESS_TOKEN_EXPIRED" if grant else "ACCESS_TOKEN_TYPE_UNSUPPORTED",
                    "domain": "googleapis.com", "metadata": metadata}])
            return grant.email, grant.scopes

    def _check_trouble(self, kind: str) -> None:
        for trouble in self._trouble:
            if trouble.kinds is not None and kind not in trouble.kinds:
                continue
            trouble.remaining -= 1
            if trouble.remaining <= 0:
                self._trouble.remove(trouble)
            headers = {"Retry-After": trouble.retry_after} if trouble.retry_after else {}
            if trouble.status == 429:
                raise self._quota_error(kind, headers)
            raise ApiError(trouble.status, headers=headers)

    @staticmethod
    def _quota_error(kind: str, headers: dict[str, str] | None = None) -> ApiError:
        metric = "Read" if kind in READ_KINDS else "Write"
        details = [
            {"@type": "type.googleapis.com/google.rpc.ErrorInfo",
             "reason": "RATE_LIMIT_EXCEEDED", "domain": "googleapis.com",
             "metadata": {"quota_location": "global",
                          "quota_metric": f"sheets.googleapis.com/{metric.lower()}_requests",
                          "quota_limit": f"{metric}RequestsPerMinutePerUser",
                          "service": "sheets.googleapis.com",
                          "consumer": "projects/123456",
                          "quota_limit_value": "60"}},
            {"@type": "type.googleapis.com/google.rpc.Help",
             "links": [{"description": "Request a higher quota limit.",
                        "url": "https://cloud.google.com/docs/quotas/help/request_increase"}]},
        ]
        return ApiError(429, QUOTA_MESSAGE.format(metric=metric), details=details,
                        headers=headers)

    def _check_quota(self, kind: str, identity: str) -> None:
        if kind in READ_KINDS:
            bucket, limit = "read", self.read_quota_per_minute
        elif kind in WRITE_KINDS:
            bucket, limit = "write", self.write_quota_per_minute
        else:
            return
        if limit is None:
            return
        now = time.monotonic()
        used = [stamp for stamp in self._usage.get((identity, bucket), []) if now - stamp < 60]
        if len(used) >= limit:
            self._usage[(identity, bucket)] = used
            raise self._quota_error(kind)
        used.append(now)
        self._usage[(identity, bucket)] = used

    # token endpoint ----------------------------------------------------------------------
    def _answer_token(self, method: str, path: str, query: dict[str, list[str]],
                      headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, str], bytes]:
        text = raw.decode("utf-8", "replace")
        if "json" in headers.get("content-type", ""):
            try:
                form = {k: str(v) for k, v in json.loads(text).items()}
            except (ValueError, AttributeError):
                form = {}
        else:
            form = {k: v[0] for k, v in urllib.parse.parse_qs(text).items()}
        with self._lock:
            status, payload, email = self._grant(form)
            self.calls.append(Call(method, path, query, None, "token", status, email,
                                   {k: v for k, v in form.items()
                                    if k not in ("assertion", "client_secret",
                                                 "refresh_token")}))
            if status == 200:
                self.tokens_issued += 1
        return self._json(status, payload)

    def _grant(self, form: dict[str, str]) -> tuple[int, dict[str, Any], str | None]:
        grant_type = form.get("grant_type", "")
        if grant_type == JWT_GRANT:
            return self._grant_jwt(form.get("assertion", ""))
        if grant_type == "refresh_token":
            user = self._users.get(form.get("client_id", ""))
            if user is None or user["client_secret"] != form.get("client_secret"):
                return 401, {"error": "invalid_client", "error_description": "Unauthorized"}, None
            if user["refresh_token"] != form.get("refresh_token"):
                return 400, {"error": "invalid_grant", "error_description": "Bad Request"}, None
            scopes = frozenset({SHEETS_SCOPE, DRIVE_SCOPE})
            token = self._issue(user["email"], scopes)
            return 200, {"access_token": token, "expires_in": TOKEN_LIFETIME,
                         "scope": " ".join(sorted(scopes)), "token_type": "Bearer"}, user["email"]
        return 400, {"error": "unsupported_grant_type",
                     "error_description": f"Invalid grant_type: {grant_type}"}, None

    def _grant_jwt(self, assertion: str) -> tuple[int, dict[str, Any], str | None]:
        bad_signature = {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
        try:
            head_b64, claims_b64, signature_b64 = assertion.split(".")
            header = json.loads(_b64url_decode(head_b64))
            claims = json.loads(_b64url_decode(claims_b64))
            signature = _b64url_decode(signature_b64)
        except (ValueError, UnicodeDecodeError):
            return 400, bad_signature, None
        email = str(claims.get("iss", ""))
        account = self._service_accounts.get(email)
        if account is None:
            return 400, {"error": "invalid_grant",
                         "error_description": "Invalid grant: account not found"}, None
        if header.get("alg") != "RS256" or header.get("kid", account["key_id"]) != \
                account["key_id"]:
            return 400, bad_signature, None
        try:
            account["public_key"].verify(signature, f"{head_b64}.{claims_b64}".encode(),
                                         padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return 400, bad_signature, None
        if claims.get("aud") not in GOOGLE_AUDIENCES | {self.token_uri}:
            return 400, {"error": "invalid_grant", "error_description":
                         "Invalid JWT: Failed audience check. The right audience is "
                         "https://oauth2.googleapis.com/token"}, None
        now = time.time()
        try:
            issued, expires = float(claims["iat"]), float(claims["exp"])
        except (KeyError, TypeError, ValueError):
            return 400, {"error": "invalid_grant", "error_description": JWT_TIME_MESSAGE}, None
        if expires <= now or expires - issued > 3600 or issued > now + 300:
            return 400, {"error": "invalid_grant", "error_description": JWT_TIME_MESSAGE}, None
        if claims.get("sub") and claims["sub"] != email:
            return 401, {"error": "unauthorized_client", "error_description":
                         "Client is unauthorized to retrieve access tokens using this method, "
                         "or client not authorized for any of the scopes requested."}, None
        scopes = frozenset(str(claims.get("scope", "")).split())
        if not scopes & READ_SCOPES:
            return 400, {"error": "invalid_scope", "error_description":
                         "Invalid OAuth scope or ID token audience provided."}, None
        token = self._issue(email, scopes)
        return 200, {"access_token": token, "expires_in": TOKEN_LIFETIME,
                     "token_type": "Bearer"}, email

    def _issue(self, email: str, scopes: frozenset[str]) -> str:
        token = "ya29.c." + _random_token(140)
        self._tokens[token] = _Token(email, time.time() + TOKEN_LIFETIME + 1, scopes)
        return token

    # dispatch ----------------------------------------------------------------------------
    def _dispatch(self, kind: str, method: str, key: str | None, rest: str,
                  query: dict[str, list[str]], body: Any, identity: str,
                  scopes: frozenset[str]) -> tuple[int, Any]:
        if kind.startswith("drive."):
            if not scopes & DRIVE_SCOPES:
                raise ApiError(403, "Request had insufficient authentication scopes.")
            return self._drive(kind, key, query, body, identity)
        needed = READ_SCOPES if kind in READ_KINDS else WRITE_SCOPES
        if not scopes & needed:
            raise ApiError(403, "Request had insufficient authentication scopes.", details=[{
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT", "domain": "googleapis.com",
                "metadata": {"service": "sheets.googleapis.com",
                             "method": f"google.apps.sheets.v4.SpreadsheetsService."
                                       f"{_METHODS.get(kind, 'GetSpreadsheet')}"}}])
        if kind == "create":
            return 200, self._create_via_api(body or {}, identity)
        spreadsheet = self._spreadsheets.get(key or "")
        if spreadsheet is None:
            raise ApiError(404)
        if spreadsheet.shared_with is not None and identity not in spreadsheet.shared_with:
            raise ApiError(403)
        handler: Callable[..., Any] = getattr(self, "_do_" + kind.replace(".", "_"))
        return 200, handler(spreadsheet, rest, query, body, identity)

    # drive ---------------------------------------------------------------------------
    def _drive_file(self, spreadsheet: _Spreadsheet) -> dict[str, Any]:
        return {"kind": "drive#file", "id": spreadsheet.key,
                "name": spreadsheet.props["title"], "mimeType": SPREADSHEET_MIME,
                "createdTime": _iso(spreadsheet.created),
                "modifiedTime": _iso(spreadsheet.modified)}

    def _drive(self, kind: str, key: str | None, query: dict[str, list[str]], body: Any,
               identity: str) -> tuple[int, Any]:
        fields = (query.get("fields") or [""])[0]
        if kind == "drive.create":
            body = body or {}
            if body.get("mimeType") != SPREADSHEET_MIME:
                raise ApiError(501, "The Sheets stand-in only creates Google Sheets files.")
            key = self._new_key()
            sheet = _Sheet(0, {"title": "Sheet1", "sheetType": "GRID",
                               "gridProperties": {"rowCount": 1000, "columnCount": 26}})
            self._spreadsheets[key] = _Spreadsheet(
                key, {"title": body.get("name", "Untitled spreadsheet"), "locale": "en_US",
                      "autoRecalc": "ON_CHANGE", "timeZone": "Etc/GMT"}, [sheet], {identity})
            file = self._drive_file(self._spreadsheets[key])
            if fields:
                return 200, apply_field_mask(file, parse_field_mask(fields))
            return 200, {k: file[k] for k in ("kind", "id", "name", "mimeType")}
        spreadsheet = self._spreadsheets.get(key or "")
        if spreadsheet is None or (spreadsheet.shared_with is not None
                                   and identity not in spreadsheet.shared_with):
            raise ApiError(404, f"File not found: {key}.", drive_reason="notFound")
        if kind == "drive.delete":
            del self._spreadsheets[spreadsheet.key]
            return 204, None
        file = self._drive_file(spreadsheet)
        if fields:
            return 200, apply_field_mask(file, parse_field_mask(fields))
        return 200, {k: file[k] for k in ("kind", "id", "name", "mimeType")}

    def _create_via_api(self, body: dict[str, Any], identity: str) -> dict[str, Any]:
        props = body.get("properties") or {}
        key = self._new_key()
        sheets: list[_Sheet] = []
        for number, item in enumerate(body.get("sheets") or [{}]):
            given = copy.deepcopy(item.get("properties") or {})
            sheet_id = given.pop("sheetId", None)
            given.pop("index", None)
            given.setdefault("title", f"Sheet{number + 1}")
            given.setdefault("sheetType", "GRID")
            grid = given.setdefault("gridProperties", {})
            grid.setdefault("rowCount", 1000)
            grid.setdefault("columnCount", 26)
            sheets.append(_Sheet(sheet_id if sheet_id is not None else (
                0 if number == 0 else self._new_sheet_id(sheets)), given))
        spreadsheet = _Spreadsheet(key, {
            "title": props.get("title", "Untitled spreadsheet"),
            "locale": props.get("locale", "en_US"), "autoRecalc": "ON_CHANGE",
            "timeZone": props.get("timeZone", "Etc/GMT")}, sheets, {identity})
        self._spreadsheets[key] = spreadsheet
        return self._metadata(spreadsheet, {})

    # ranges --------------------------------------------------------------------------
    def _resolve(self, spreadsheet: _Spreadsheet, text: str) -> _Range:
        """A1 text -> _Range, or Google's "Unable to parse range" error."""
        try:
            title, a1 = _split_sheet(text.strip())
        except ValueError:
            raise _bad_request(f"Unable to parse range: {text}") from None
        sheet: _Sheet | None
        if title is not None:
            sheet = spreadsheet.sheet_by_title(title)
            if sheet is None:
                raise _bad_request(f"Unable to parse range: {text}")
            if a1 is None:
                return self._whole(sheet)
        else:
            assert a1 is not None
            parsed = _parse_a1(a1)
            if parsed is None:
                sheet = spreadsheet.sheet_by_title(a1)
                if sheet is not None:
                    return self._whole(sheet)
                named = self._named(spreadsheet, a1)
                if named is not None:
                    return named
                raise _bad_request(f"Unable to parse range: {text}")
            visible = [s for s in spreadsheet.sheets if not s.props.get("hidden")]
            sheet = (visible or spreadsheet.sheets)[0]
        parsed = _parse_a1(a1)
        if parsed is None:
            named = self._named(spreadsheet, a1)
            if named is not None:
                return named
            raise _bad_request(f"Unable to parse range: {text}")
        c0, r0, c1, r1 = parsed
        if c0 is None and c1 is None:
            c0, c1 = 0, sheet.column_count - 1
        if r0 is None and r1 is None:
            r0, r1 = 0, sheet.row_count - 1
        c0 = 0 if c0 is None else c0
        r0 = 0 if r0 is None else r0
        c1 = sheet.column_count - 1 if c1 is None else c1
        r1 = sheet.row_count - 1 if r1 is None else r1
        single = ":" not in a1
        return _Range(sheet, min(r0, r1), min(c0, c1), max(r0, r1) + 1, max(c0, c1) + 1, a1,
                      single=single)

    @staticmethod
    def _whole(sheet: _Sheet) -> _Range:
        return _Range(sheet, 0, 0, sheet.row_count, sheet.column_count, "", whole=True)

    def _named(self, spreadsheet: _Spreadsheet, name: str) -> _Range | None:
        for named in spreadsheet.named_ranges:
            if named["name"].casefold() == name.casefold():
                grid = named["range"]
                sheet = spreadsheet.sheet_by_id(grid.get("sheetId", 0))
                if sheet is None:
                    return None
                return _Range(sheet, grid.get("startRowIndex", 0),
                              grid.get("startColumnIndex", 0),
                              grid.get("endRowIndex", sheet.row_count),
                              grid.get("endColumnIndex", sheet.column_count), name)
        return None

    @staticmethod
    def _check_grid(rng: _Range) -> None:
        sheet = rng.sheet
        if rng.r1 > sheet.row_count or rng.c1 > sheet.column_count or \
                rng.r0 >= sheet.row_count or rng.c0 >= sheet.column_count:
            raise _grid_error(sheet, rng.text or _a1_part(rng.r0, rng.c0, rng.r1, rng.c1))

    # rendering ---------------------------------------------------------------------------
    def _formatted(self, cell: _Cell, locale: str) -> str:
        value = cell.value
        if value is None:
            return ""
        if isinstance(value, CellError):
            return value.text
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, (int, float)):
            number_format = cell.fmt.get("numberFormat") or {}
            kind = number_format.get("type") or ""
            pattern = number_format.get("pattern") or ""
            if kind in ("DATE", "TIME", "DATE_TIME"):
                return _format_date(value, pattern or _default_pattern(kind, locale))
            if kind == "TEXT":
                return _automatic_number(value)
            if pattern:
                return _pattern_number(value, pattern)
            return _automatic_number(value)
        return str(value)

    def _render(self, cell: _Cell | None, option: str, date_option: str, locale: str) -> Any:
        if cell is None or not cell.has_value:
            return ""
        if option == "FORMULA" and cell.formula is not None:
            return cell.formula
        if option == "FORMATTED_VALUE":
            return self._formatted(cell, locale)
        value = cell.value
        if value is None:
            return ""
        if isinstance(value, CellError):
            return value.text
        if isinstance(value, (int, float)) and not isinstance(value, bool) and \
                cell.number_type in ("DATE", "TIME", "DATE_TIME") and \
                date_option == "FORMATTED_STRING":
            return self._formatted(cell, locale)
        return value

    def _value_range(self, spreadsheet: _Spreadsheet, rng: _Range, query: dict[str, list[str]]
                     ) -> dict[str, Any]:
        option = _enum(query, "valueRenderOption", "FORMATTED_VALUE",
                       ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA"),
                       "value_render_option", "ValueRenderOption")
        date_option = _enum(query, "dateTimeRenderOption", "SERIAL_NUMBER",
                            ("SERIAL_NUMBER", "FORMATTED_STRING"), "date_time_render_option",
                            "DateTimeRenderOption")
        major = _enum(query, "majorDimension", "ROWS", ("ROWS", "COLUMNS"), "major_dimension",
                      "Dimension")
        self._check_grid(rng)
        locale = spreadsheet.props["locale"]
        grid: dict[tuple[int, int], Any] = {}
        for (r, c), cell in rng.sheet.cells.items():
            if rng.r0 <= r < rng.r1 and rng.c0 <= c < rng.c1 and cell.has_value:
                rendered = self._render(cell, option, date_option, locale)
                if rendered != "":
                    grid[(r - rng.r0, c - rng.c0) if major == "ROWS"
                         else (c - rng.c0, r - rng.r0)] = rendered
        answer: dict[str, Any] = {"range": self._echo(rng), "majorDimension": major}
        if grid:
            lines = max(r for r, _ in grid) + 1
            values: list[list[Any]] = [[] for _ in range(lines)]
            for (r, c), rendered in sorted(grid.items()):
                line = values[r]
                line.extend([""] * (c - len(line)))
                line.append(rendered)
            answer["values"] = values
        return answer

    @staticmethod
    def _echo(rng: _Range) -> str:
        return f"{_quote_title(rng.sheet.title)}!{_a1_part(rng.r0, rng.c0, rng.r1, rng.c1)}"

    # values endpoints ----------------------------------------------------------------------
    def _do_values_get(self, spreadsheet: _Spreadsheet, rest: str,
                       query: dict[str, list[str]], body: Any, identity: str) -> Any:
        return self._value_range(spreadsheet, self._resolve(spreadsheet, rest), query)

    def _do_values_batchGet(self, spreadsheet: _Spreadsheet, rest: str,
                            query: dict[str, list[str]], body: Any, identity: str) -> Any:
        ranges = [self._resolve(spreadsheet, text) for text in query.get("ranges", [])]
        answer: dict[str, Any] = {"spreadsheetId": spreadsheet.key}
        if ranges:
            answer["valueRanges"] = [self._value_range(spreadsheet, rng, query)
                                     for rng in ranges]
        return answer

    def _do_values_update(self, spreadsheet: _Spreadsheet, rest: str,
                          query: dict[str, list[str]], body: Any, identity: str) -> Any:
        _known_fields(body, ("range", "majorDimension", "values"), "")
        _matrix(body or {}, "data.values")  # the body is checked before the range
        option = _input_option(query.get("valueInputOption", [""])[0])
        rng = self._resolve(spreadsheet, rest)
        update, _ = self._write(spreadsheet, rng, body or {}, option, "data.values")
        spreadsheet.modified = time.time()
        answer = {"spreadsheetId": spreadsheet.key, **update}
        if _flag(query, "includeValuesInResponse"):
            answer["updatedData"] = self._updated_data(spreadsheet, update, query)
        return answer

    def _do_values_batchUpdate(self, spreadsheet: _Spreadsheet, rest: str,
                               query: dict[str, list[str]], body: Any, identity: str) -> Any:
        body = body or {}
        _known_fields(body, ("valueInputOption", "data", "includeValuesInResponse",
                             "responseValueRenderOption", "responseDateTimeRenderOption"), "")
        option = _input_option(body.get("valueInputOption", ""))
        state = copy.deepcopy(spreadsheet)
        responses = []
        touched: set[tuple[int, int, int]] = set()
        for number, item in enumerate(body.get("data") or []):
            if not isinstance(item, dict):
                raise _bad_request(f"Invalid value at 'data[{number}]' (type.googleapis.com/"
                                   f"google.apps.sheets.v4.ValueRange)", f"data[{number}]")
            _known_fields(item, ("range", "majorDimension", "values"), f"data[{number}]")
            rng = self._resolve(state, str(item.get("range", "")))
            update, written = self._write(state, rng, item, option, f"data[{number}].values")
            responses.append({"spreadsheetId": spreadsheet.key, **update})
            touched |= {(rng.sheet.sheet_id, r, c) for r, c in written}
        self._adopt(spreadsheet, state)
        # Google counts distinct rows / columns with at least one updated cell.
        totals = {
            "totalUpdatedRows": len({(s, r) for s, r, _ in touched}),
            "totalUpdatedColumns": len({(s, c) for s, _, c in touched}),
            "totalUpdatedCells": len(touched),
            "totalUpdatedSheets": len({s for s, _, _ in touched}),
        }
        answer: dict[str, Any] = {"spreadsheetId": spreadsheet.key,
                                  **{k: v for k, v in totals.items() if v}}
        if responses:
            answer["responses"] = responses
        return answer

    def _do_values_append(self, spreadsheet: _Spreadsheet, rest: str,
                          query: dict[str, list[str]], body: Any, identity: str) -> Any:
        _known_fields(body, ("range", "majorDimension", "values"), "")
        _matrix(body or {}, "data.values")  # the body is checked before the range
        option = _input_option(query.get("valueInputOption", [""])[0])
        insert = _enum(query, "insertDataOption", "OVERWRITE", ("OVERWRITE", "INSERT_ROWS"),
                       "insert_data_option", "InsertDataOption")
        rng = self._resolve(spreadsheet, rest)
        sheet = rng.sheet
        if rng.r0 >= sheet.row_count or rng.c0 >= sheet.column_count:
            raise _grid_error(sheet, rng.text or "A1")
        table = self._find_table(sheet, rng)
        answer: dict[str, Any] = {"spreadsheetId": spreadsheet.key}
        if table is None:
            start_row, start_col = rng.r0, rng.c0
        else:
            answer["tableRange"] = self._echo(_Range(sheet, *table, ""))
            start_row, start_col = table[2], table[1]
        rows = _matrix(body or {}, "data.values")
        height = len(rows) if _major(body) == "ROWS" else max((len(r) for r in rows), default=0)
        state = copy.deepcopy(spreadsheet)
        target = state.sheet_by_id(sheet.sheet_id)
        assert target is not None
        if insert == "INSERT_ROWS" and height:
            self._insert(state, target, "ROWS", start_row, start_row + height)
        if start_row + height > target.row_count:
            target.grid["rowCount"] = start_row + height
        start = _Range(target, start_row, start_col, start_row + 1, start_col + 1,
                       rng.text, single=True)
        update, _ = self._write(state, start, body or {}, option, "data.values")
        self._adopt(spreadsheet, state)
        answer["updates"] = {"spreadsheetId": spreadsheet.key, **update}
        if _flag(query, "includeValuesInResponse"):
            answer["updates"]["updatedData"] = self._updated_data(spreadsheet, update, query)
        return answer

    def _do_values_clear(self, spreadsheet: _Spreadsheet, rest: str,
                         query: dict[str, list[str]], body: Any, identity: str) -> Any:
        rng = self._resolve(spreadsheet, rest)
        self._check_grid(rng)
        self._clear_values(rng)
        spreadsheet.modified = time.time()
        return {"spreadsheetId": spreadsheet.key, "clearedRange": self._echo(rng)}

    def _do_values_batchClear(self, spreadsheet: _Spreadsheet, rest: str,
                              query: dict[str, list[str]], body: Any, identity: str) -> Any:
        _known_fields(body, ("ranges",), "")
        ranges = [self._resolve(spreadsheet, str(text)) for text in (body or {}).get(
            "ranges", [])]
        for rng in ranges:
            self._check_grid(rng)
        for rng in ranges:
            self._clear_values(rng)
        spreadsheet.modified = time.time()
        answer: dict[str, Any] = {"spreadsheetId": spreadsheet.key}
        if ranges:
            answer["clearedRanges"] = [self._echo(rng) for rng in ranges]
        return answer

    def _updated_data(self, spreadsheet: _Spreadsheet, update: dict[str, Any],
                      query: dict[str, list[str]]) -> dict[str, Any]:
        render = {"valueRenderOption": query.get("responseValueRenderOption",
                                                 ["FORMATTED_VALUE"]),
                  "dateTimeRenderOption": query.get("responseDateTimeRenderOption",
                                                    ["SERIAL_NUMBER"])}
        return self._value_range(spreadsheet, self._resolve(spreadsheet, update["updatedRange"]),
                                 render)

    @staticmethod
    def _adopt(spreadsheet: _Spreadsheet, state: _Spreadsheet) -> None:
        """Commit a deep-copied state (all-or-nothing updates)."""
        spreadsheet.sheets = state.sheets
        spreadsheet.props = state.props
        spreadsheet.named_ranges = state.named_ranges
        spreadsheet.modified = time.time()

    @staticmethod
    def _clear_values(rng: _Range) -> None:
        for (r, c) in list(rng.sheet.cells):
            if rng.r0 <= r < rng.r1 and rng.c0 <= c < rng.c1:
                cell = rng.sheet.cells[(r, c)]
                cell.value, cell.formula = None, None
                rng.sheet.tidy(r, c)

    @staticmethod
    def _find_table(sheet: _Sheet, rng: _Range) -> tuple[int, int, int, int] | None:
        """Google appends after the table holding the last value of the range: the block of
        values connected to it (r0, c0, r1, c1)."""
        inside = [pos for pos, cell in sheet.cells.items() if cell.has_value
                  and rng.r0 <= pos[0] < rng.r1 and rng.c0 <= pos[1] < rng.c1]
        if not inside:
            return None
        seen = {max(inside)}
        todo = list(seen)
        while todo:
            r, c = todo.pop()
            for near in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
                cell = sheet.cells.get(near)
                if near not in seen and cell is not None and cell.has_value:
                    seen.add(near)
                    todo.append(near)
        rows = [r for r, _ in seen]
        cols = [c for _, c in seen]
        return min(rows), min(cols), max(rows) + 1, max(cols) + 1

    def _write(self, spreadsheet: _Spreadsheet, rng: _Range, body: dict[str, Any],
               option: str, field_name: str) -> tuple[dict[str, Any], set[tuple[int, int]]]:
        """Write body["values"] from the range's corner: Google's update counts, and the
        cells written."""
        rows = _matrix(body, field_name)
        major = _major(body)
        sheet = rng.sheet
        bounded = not rng.single and not rng.whole
        cells: list[tuple[int, int, Any]] = []
        for i, line in enumerate(rows):
            for j, value in enumerate(line):
                if value is None:
                    continue
                r, c = (rng.r0 + i, rng.c0 + j) if major == "ROWS" else (rng.r0 + j, rng.c0 + i)
                if bounded and r >= rng.r1:
                    raise _bad_request(f"Requested writing within range [{self._echo(rng)}], "
                                       f"but tried writing to row [{r + 1}]")
                if bounded and c >= rng.c1:
                    raise _bad_request(f"Requested writing within range [{self._echo(rng)}], "
                                       f"but tried writing to column [{_col_letters(c)}]")
                cells.append((r, c, value))
        if cells:
            r1 = max(r for r, _, _ in cells) + 1
            c1 = max(c for _, c, _ in cells) + 1
            if r1 > sheet.row_count or c1 > sheet.column_count:
                text = rng.text if rng.text and not rng.single else _a1_part(
                    rng.r0, rng.c0, max(r1, rng.r0 + 1), max(c1, rng.c0 + 1))
                raise _grid_error(sheet, text)
        elif rng.whole or rng.r0 >= sheet.row_count or rng.c0 >= sheet.column_count:
            self._check_grid(rng)
        for r, c, value in cells:
            self._store(spreadsheet, sheet, r, c, value, option)
        written = {(r, c) for r, c, _ in cells}
        if not cells:
            return {"updatedRange": self._echo(_Range(sheet, rng.r0, rng.c0, rng.r0 + 1,
                                                      rng.c0 + 1, ""))}, written
        r0 = min(r for r, _, _ in cells)
        c0 = min(c for _, c, _ in cells)
        r1 = max(r for r, _, _ in cells) + 1
        c1 = max(c for _, c, _ in cells) + 1
        return {"updatedRange": self._echo(_Range(sheet, r0, c0, r1, c1, "")),
                "updatedRows": len({r for r, _, _ in cells}),
                "updatedColumns": len({c for _, c, _ in cells}),
                "updatedCells": len(cells)}, written

    def _store(self, spreadsheet: _Spreadsheet, sheet: _Sheet, row: int, col: int, value: Any,
               option: str) -> None:
        cell = sheet.cell(row, col)
        cell.formula = None
        if isinstance(value, (dict, list)):
            raise _bad_request(f"Invalid values[{row}][{col}]: struct_value")
        if value == "" and isinstance(value, str):
            cell.value = None
            sheet.tidy(row, col)
            return
        if option == "RAW" or not isinstance(value, str):
            cell.value = value
            return
        parsed, number_format, formula = _parse_user_entered(value, spreadsheet.props["locale"])
        if formula is not None:
            cell.formula = formula
            cell.value = _evaluate(formula, sheet)
            return
        cell.value = parsed
        if number_format is not None:
            cell.fmt["numberFormat"] = number_format

    # metadata ------------------------------------------------------------------------------
    def _sheet_props_out(self, sheet: _Sheet, index: int) -> dict[str, Any]:
        props = _clean(copy.deepcopy(sheet.props), drop_false=True)
        grid = props.pop("gridProperties", {})
        grid["rowCount"] = sheet.row_count
        grid["columnCount"] = sheet.column_count
        out: dict[str, Any] = {"sheetId": sheet.sheet_id, "title": sheet.title, "index": index,
                               "sheetType": props.pop("sheetType", "GRID")}
        ordered_grid = {k: grid[k] for k in ("rowCount", "columnCount") if k in grid}
        ordered_grid.update({k: v for k, v in grid.items() if k not in ordered_grid and v})
        out["gridProperties"] = ordered_grid
        props.pop("title", None)
        out.update(props)
        return out

    def _metadata(self, spreadsheet: _Spreadsheet, query: dict[str, list[str]]
                  ) -> dict[str, Any]:
        fields = (query.get("fields") or [""])[0]
        try:
            mask = parse_field_mask(fields) if fields else None
        except ValueError:
            raise _bad_request(f"Invalid field selection {fields}") from None
        wants_data = _flag(query, "includeGridData")
        if mask is not None:
            if "sheets" not in mask:
                wants_data = False
            elif mask["sheets"] is not None:
                wants_data = wants_data or "data" in mask["sheets"] or "*" in mask["sheets"]
        ranges = [self._resolve(spreadsheet, text) for text in query.get("ranges", [])]
        props = dict(spreadsheet.props)
        props["defaultFormat"] = copy.deepcopy(DEFAULT_FORMAT)
        props["spreadsheetTheme"] = copy.deepcopy(THEME)
        answer: dict[str, Any] = {"spreadsheetId": spreadsheet.key, "properties": props}
        sheets = []
        chosen = spreadsheet.sheets
        if ranges:
            ids = {rng.sheet.sheet_id for rng in ranges}
            chosen = [s for s in spreadsheet.sheets if s.sheet_id in ids]
        for sheet in chosen:
            item: dict[str, Any] = {"properties": self._sheet_props_out(
                sheet, spreadsheet.sheets.index(sheet))}
            if wants_data:
                wanted = [rng for rng in ranges if rng.sheet is sheet] or [self._whole(sheet)]
                item["data"] = [self._grid_data(spreadsheet, rng) for rng in wanted]
            if sheet.merges:
                item["merges"] = [_grid_out(m, sheet.sheet_id) for m in sheet.merges]
            if sheet.protected:
                item["protectedRanges"] = [self._protected_out(p, sheet, metadata=True)
                                           for p in sheet.protected]
            if sheet.basic_filter is not None:
                item["basicFilter"] = copy.deepcopy(sheet.basic_filter)
            if sheet.row_groups:
                item["rowGroups"] = copy.deepcopy(sheet.row_groups)
            if sheet.column_groups:
                item["columnGroups"] = copy.deepcopy(sheet.column_groups)
            sheets.append(item)
        answer["sheets"] = sheets
        if spreadsheet.named_ranges:
            answer["namedRanges"] = [self._named_out(n, spreadsheet)
                                     for n in spreadsheet.named_ranges]
        answer["spreadsheetUrl"] = f"https://docs.google.com/spreadsheets/d/{spreadsheet.key}/edit"
        return apply_field_mask(answer, mask) if mask is not None else answer

    def _do_metadata(self, spreadsheet: _Spreadsheet, rest: str, query: dict[str, list[str]],
                     body: Any, identity: str) -> Any:
        return self._metadata(spreadsheet, query)

    def _grid_data(self, spreadsheet: _Spreadsheet, rng: _Range) -> dict[str, Any]:
        sheet = rng.sheet
        self._check_grid(rng)
        locale = spreadsheet.props["locale"]
        rows: dict[int, dict[int, dict[str, Any]]] = {}
        for (r, c), cell in sheet.cells.items():
            if rng.r0 <= r < rng.r1 and rng.c0 <= c < rng.c1 and not cell.is_empty:
                rows.setdefault(r - rng.r0, {})[c - rng.c0] = self._cell_data(cell, locale)
        data: dict[str, Any] = {}
        if rng.r0:
            data["startRow"] = rng.r0
        if rng.c0:
            data["startColumn"] = rng.c0
        if rows:
            row_data: list[dict[str, Any]] = []
            for r in range(max(rows) + 1):
                line = rows.get(r)
                if not line:
                    row_data.append({})
                    continue
                row_data.append({"values": [line.get(c, {}) for c in range(max(line) + 1)]})
            data["rowData"] = row_data
        data["rowMetadata"] = [self._dimension_meta(sheet.row_meta, r, 21)
                               for r in range(rng.r0, rng.r1)]
        data["columnMetadata"] = [self._dimension_meta(sheet.column_meta, c, 100)
                                  for c in range(rng.c0, rng.c1)]
        return data

    @staticmethod
    def _dimension_meta(meta: dict[int, dict[str, Any]], index: int, size: int
                        ) -> dict[str, Any]:
        entry = {"pixelSize": size}
        entry.update(meta.get(index, {}))
        if not entry.get("hiddenByUser"):
            entry.pop("hiddenByUser", None)
        return entry

    def _cell_data(self, cell: _Cell, locale: str) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if cell.has_value:
            if cell.formula is not None:
                data["userEnteredValue"] = {"formulaValue": cell.formula}
            else:
                data["userEnteredValue"] = _typed_value(cell.value)
            if cell.value is not None:
                data["effectiveValue"] = _typed_value(cell.value)
                data["formattedValue"] = self._formatted(cell, locale)
        if cell.fmt:
            data["userEnteredFormat"] = _clean(_with_color_styles(cell.fmt), drop_false=False)
        if cell.note is not None:
            data["note"] = cell.note
        if cell.validation is not None:
            data["dataValidation"] = copy.deepcopy(cell.validation)
        return data

    @staticmethod
    def _named_out(named: dict[str, Any], spreadsheet: _Spreadsheet) -> dict[str, Any]:
        out = {"namedRangeId": named["namedRangeId"], "name": named["name"],
               "range": _grid_out(named["range"], named["range"].get("sheetId", 0))}
        return out

    @staticmethod
    def _protected_out(item: dict[str, Any], sheet: _Sheet, *, metadata: bool
                       ) -> dict[str, Any]:
        out: dict[str, Any] = {"protectedRangeId": item["protectedRangeId"],
                               "range": _grid_out(item["range"], sheet.sheet_id)}
        for key in ("description", "namedRangeId"):
            if item.get(key):
                out[key] = item[key]
        if item.get("warningOnly"):
            out["warningOnly"] = True
        out["requestingUserCanEdit"] = True
        editors = item.get("editors") or {}
        users = list(editors.get("users") or [])
        groups = list(editors.get("groups") or [])
        if metadata and item.get("owner") and item["owner"] not in users:
            users.append(item["owner"])
        shown: dict[str, Any] = {}
        if users:
            shown["users"] = users
        if groups:
            shown["groups"] = groups
        if editors.get("domainUsersCanEdit"):
            shown["domainUsersCanEdit"] = True
        out["editors"] = shown
        return out

    # batchUpdate ---------------------------------------------------------------------------
    def _do_batchUpdate(self, spreadsheet: _Spreadsheet, rest: str,
                        query: dict[str, list[str]], body: Any, identity: str) -> Any:
        body = body or {}
        _known_fields(body, ("requests", "includeSpreadsheetInResponse", "responseRanges",
                             "responseIncludeGridData"), "")
        requests = body.get("requests") or []
        for number, request in enumerate(requests):
            names = list(request) if isinstance(request, dict) else []
            for name in names:
                if name not in GOOGLE_REQUESTS:
                    message = (f'Invalid JSON payload received. Unknown name "{name}" at '
                               f"'requests[{number}]': Cannot find field.")
                    raise _bad_request(message, f"requests[{number}]")
            if len(names) != 1:
                raise _bad_request(f"Invalid requests[{number}]: No request set.")
            if names[0] not in SUPPORTED_REQUESTS:
                raise ApiError(501, f"The Sheets stand-in does not model requests[{number}]."
                                    f"{names[0]}.")
        state = copy.deepcopy(spreadsheet)
        replies = []
        for number, request in enumerate(requests):
            name = next(iter(request))
            handler = getattr(self, "_req_" + name)
            try:
                replies.append(handler(state, request[name] or {}, identity))
            except _RequestError as error:
                raise _bad_request(f"Invalid requests[{number}].{name}: {error}") from None
        self._adopt(spreadsheet, state)
        answer: dict[str, Any] = {"spreadsheetId": spreadsheet.key, "replies": replies}
        if body.get("includeSpreadsheetInResponse"):
            answer["updatedSpreadsheet"] = self._metadata(spreadsheet, {})
        return answer

    # grid helpers for requests
    @staticmethod
    def _grid_sheet(state: _Spreadsheet, sheet_id: Any) -> _Sheet:
        sheet = state.sheet_by_id(int(sheet_id or 0))
        if sheet is None:
            raise _RequestError(f"No grid with id: {int(sheet_id or 0)}")
        return sheet

    def _grid(self, state: _Spreadsheet, grid: dict[str, Any] | None
              ) -> tuple[_Sheet, int, int, int, int]:
        grid = grid or {}
        sheet = self._grid_sheet(state, grid.get("sheetId", 0))
        r0 = int(grid.get("startRowIndex", 0) or 0)
        c0 = int(grid.get("startColumnIndex", 0) or 0)
        r1 = int(grid.get("endRowIndex", sheet.row_count))
        c1 = int(grid.get("endColumnIndex", sheet.column_count))
        if r1 > sheet.row_count or c1 > sheet.column_count or r0 < 0 or c0 < 0:
            raise _RequestError(f"Range ({_quote_title(sheet.title)}!"
                                f"{_a1_part(r0, c0, max(r1, r0 + 1), max(c1, c0 + 1))}) "
                                f"exceeds grid limits. Max rows: {sheet.row_count}, max "
                                f"columns: {sheet.column_count}")
        return sheet, r0, c0, max(r0, r1), max(c0, c1)

    @staticmethod
    def _check_title(state: _Spreadsheet, title: str, sheet: _Sheet | None = None) -> None:
        other = state.sheet_by_title(title)
        if other is not None and other is not sheet and \
                other.title.casefold() == title.casefold():
            raise _RequestError(f'A sheet with the name "{title}" already exists. Please enter '
                                "another name.")

    def _req_addSheet(self, state: _Spreadsheet, request: dict[str, Any], identity: str) -> Any:
        props = copy.deepcopy(request.get("properties") or {})
        sheet_id = props.pop("sheetId", None)
        index = props.pop("index", None)
        if sheet_id is not None and state.sheet_by_id(int(sheet_id)) is not None:
            raise _RequestError(f"Sheet with id {sheet_id} already exists.")
        title = props.get("title")
        if not title:
            number = len(state.sheets) + 1
            while state.sheet_by_title(f"Sheet{number}") is not None:
                number += 1
            title = f"Sheet{number}"
        props["title"] = title
        self._check_title(state, title)
        props.setdefault("sheetType", "GRID")
        grid = props.setdefault("gridProperties", {})
        grid.setdefault("rowCount", 1000)
        grid.setdefault("columnCount", 26)
        _pair_tab_color(props)
        _check_frozen(grid)
        sheet = _Sheet(int(sheet_id) if sheet_id is not None else self._new_sheet_id(
            state.sheets), props)
        position = len(state.sheets) if index is None else max(0, min(int(index),
                                                                       len(state.sheets)))
        state.sheets.insert(position, sheet)
        return {"addSheet": {"properties": self._sheet_props_out(sheet, position)}}

    def _req_deleteSheet(self, state: _Spreadsheet, request: dict[str, Any],
                         identity: str) -> Any:
        sheet = self._grid_sheet(state, request.get("sheetId"))
        if len(state.sheets) == 1:
            raise _RequestError("You can't remove all the sheets in a document.")
        state.sheets.remove(sheet)
        state.named_ranges = [n for n in state.named_ranges
                              if n["range"].get("sheetId", 0) != sheet.sheet_id]
        return {}

    def _req_updateSheetProperties(self, state: _Spreadsheet, request: dict[str, Any],
                                   identity: str) -> Any:
        props = request.get("properties") or {}
        sheet = self._grid_sheet(state, props.get("sheetId"))
        paths = _paths_of(request.get("fields"), props)
        for path in paths:
            if path[0] in ("sheetId", "sheetType"):
                continue
            if path == ("index",):
                self._move_sheet(state, sheet, int(props.get("index") or 0))
                continue
            if path == ("title",):
                title = str(props.get("title") or "")
                if not title:
                    raise _RequestError("The sheet title may not be empty.")
                self._check_title(state, title, sheet)
                sheet.props["title"] = title
                continue
            if path[0] == "gridProperties" and len(path) == 1:
                for key in ("rowCount", "columnCount"):
                    if key in (props.get("gridProperties") or {}):
                        self._resize(sheet, key, int(props["gridProperties"][key]))
                grid = {k: v for k, v in (props.get("gridProperties") or {}).items()
                        if k not in ("rowCount", "columnCount")}
                sheet.props["gridProperties"] = {"rowCount": sheet.row_count,
                                                 "columnCount": sheet.column_count, **grid}
                continue
            if path in (("gridProperties", "rowCount"), ("gridProperties", "columnCount")):
                value = _get_path(props, path)
                if value is None or int(value) < 1:
                    raise _RequestError(f"Invalid {path[1]}: {value}")
                self._resize(sheet, path[1], int(value))
                continue
            _set_path(sheet.props, path, _get_path(props, path))
            if path[0] in ("tabColor", "tabColorStyle"):
                _pair_tab_color(sheet.props, prefer=path[0])
        _check_frozen(sheet.grid)
        if all(s.props.get("hidden") for s in state.sheets):
            raise _RequestError("You can't hide all the sheets in a document.")
        return {}

    @staticmethod
    def _move_sheet(state: _Spreadsheet, sheet: _Sheet, index: int) -> None:
        """Indexes are "before the move": to put S1 after S2 of S1,S2,S3 ask for index 2."""
        old = state.sheets.index(sheet)
        state.sheets.remove(sheet)
        if index > old:
            index -= 1
        state.sheets.insert(max(0, min(index, len(state.sheets))), sheet)

    @staticmethod
    def _resize(sheet: _Sheet, key: str, size: int) -> None:
        """Set rowCount / columnCount; cells beyond the new edge are dropped."""
        if size < 1:
            noun = "rows" if key == "rowCount" else "columns"
            raise _RequestError(f"You can't delete all the {noun} on the sheet.")
        sheet.grid[key] = size
        for r, c in list(sheet.cells):
            if r >= sheet.row_count or c >= sheet.column_count:
                del sheet.cells[(r, c)]

    def _req_updateSpreadsheetProperties(self, state: _Spreadsheet, request: dict[str, Any],
                                         identity: str) -> Any:
        props = request.get("properties") or {}
        for path in _paths_of(request.get("fields"), props):
            if path[0] in ("defaultFormat", "spreadsheetTheme", "iterativeCalculationSettings"):
                continue
            value = _get_path(props, path)
            if path[0] in ("title", "locale", "timeZone", "autoRecalc") and value is None:
                continue
            _set_path(state.props, path, value)
        return {}

    def _req_setDataValidation(self, state: _Spreadsheet, request: dict[str, Any],
                               identity: str) -> Any:
        sheet, r0, c0, r1, c1 = self._grid(state, request.get("range"))
        rule = request.get("rule")
        sheet.validations.append({"range": copy.deepcopy(request.get("range") or {}),
                                  "rule": copy.deepcopy(rule)})
        for r in range(r0, r1):
            for c in range(c0, c1):
                if rule:
                    sheet.cell(r, c).validation = _clean(copy.deepcopy(rule), drop_false=True)
                elif (r, c) in sheet.cells:
                    sheet.cells[(r, c)].validation = None
                    sheet.tidy(r, c)
        return {}

    def _req_repeatCell(self, state: _Spreadsheet, request: dict[str, Any],
                        identity: str) -> Any:
        sheet, r0, c0, r1, c1 = self._grid(state, request.get("range"))
        mask = _mask_of(request.get("fields"), request.get("cell") or {})
        for r in range(r0, r1):
            for c in range(c0, c1):
                self._apply_cell(state, sheet, r, c, request.get("cell") or {}, mask)
        return {}

    def _req_updateCells(self, state: _Spreadsheet, request: dict[str, Any],
                         identity: str) -> Any:
        rows = request.get("rows") or []
        if "range" in request:
            sheet, r0, c0, r1, c1 = self._grid(state, request["range"])
        else:
            start = request.get("start") or {}
            sheet = self._grid_sheet(state, start.get("sheetId", 0))
            r0, c0 = int(start.get("rowIndex", 0)), int(start.get("columnIndex", 0))
            r1 = r0 + len(rows)
            c1 = c0 + max((len(row.get("values") or []) for row in rows), default=0)
            if r1 > sheet.row_count or c1 > sheet.column_count:
                raise _RequestError(f"Range ({_quote_title(sheet.title)}!"
                                    f"{_a1_part(r0, c0, r1, c1)}) exceeds grid limits. Max "
                                    f"rows: {sheet.row_count}, max columns: "
                                    f"{sheet.column_count}")
        fields = request.get("fields")
        if not fields:
            raise _RequestError("At least one field must be specified.")
        mask = parse_field_mask(fields)
        for r in range(r0, r1):
            line = rows[r - r0].get("values") or [] if r - r0 < len(rows) else []
            for c in range(c0, c1):
                data = line[c - c0] if c - c0 < len(line) else {}
                if "range" not in request and c - c0 >= len(line):
                    continue
                self._apply_cell(state, sheet, r, c, data or {}, mask)
        return {}

    def _apply_cell(self, state: _Spreadsheet, sheet: _Sheet, r: int, c: int,
                    data: dict[str, Any], mask: MaskTree) -> None:
        cell = sheet.cell(r, c)
        everything = "*" in mask
        if everything or "userEnteredValue" in mask:
            value = data.get("userEnteredValue") or {}
            cell.formula = None
            cell.value = None
            if "formulaValue" in value:
                cell.formula = str(value["formulaValue"])
                cell.value = _evaluate(cell.formula, sheet)
            elif "stringValue" in value:
                cell.value = str(value["stringValue"])
            elif "numberValue" in value:
                cell.value = value["numberValue"]
            elif "boolValue" in value:
                cell.value = bool(value["boolValue"])
            elif "errorValue" in value:
                cell.value = CellError(str((value["errorValue"] or {}).get("message") or
                                           "#ERROR!"))
        if everything or "userEnteredFormat" in mask:
            sub = None if everything else mask["userEnteredFormat"]
            given = data.get("userEnteredFormat") or {}
            if sub is None:
                cell.fmt = copy.deepcopy(given)
            else:
                for path in _mask_paths(sub):
                    _set_path(cell.fmt, path, _get_path(given, path))
            cell.fmt = _clean(cell.fmt, drop_false=False) if cell.fmt else {}
        if everything or "note" in mask:
            cell.note = data.get("note") or None
        if everything or "dataValidation" in mask:
            cell.validation = copy.deepcopy(data.get("dataValidation")) or None
        sheet.tidy(r, c)

    def _req_appendDimension(self, state: _Spreadsheet, request: dict[str, Any],
                             identity: str) -> Any:
        sheet = self._grid_sheet(state, request.get("sheetId"))
        length = int(request.get("length") or 0)
        if length < 1:
            raise _RequestError("length must be at least 1")
        if request.get("dimension") == "COLUMNS":
            sheet.grid["columnCount"] = sheet.column_count + length
        else:
            sheet.grid["rowCount"] = sheet.row_count + length
        return {}

    def _dimension(self, state: _Spreadsheet, request: dict[str, Any]
                   ) -> tuple[_Sheet, str, int, int]:
        span = request.get("range") or request.get("dimensions") or {}
        sheet = self._grid_sheet(state, span.get("sheetId", 0))
        dimension = span.get("dimension") or "ROWS"
        if dimension not in ("ROWS", "COLUMNS"):
            raise _RequestError(f"Invalid dimension: {dimension}")
        size = sheet.row_count if dimension == "ROWS" else sheet.column_count
        start = int(span.get("startIndex", 0) or 0)
        end = int(span.get("endIndex", size))
        return sheet, dimension, start, end

    def _req_insertDimension(self, state: _Spreadsheet, request: dict[str, Any],
                             identity: str) -> Any:
        sheet, dimension, start, end = self._dimension(state, request)
        size = sheet.row_count if dimension == "ROWS" else sheet.column_count
        if start < 0 or end <= start or start > size:
            raise _RequestError(f"Invalid range for insertDimension: [{start}, {end})")
        self._insert(state, sheet, dimension, start, end)
        return {}

    @staticmethod
    def _shift_grid(grid: dict[str, Any], dimension: str, at: int, by: int) -> None:
        first, last = (("startRowIndex", "endRowIndex") if dimension == "ROWS"
                       else ("startColumnIndex", "endColumnIndex"))
        if first in grid and grid[first] >= at:
            grid[first] += by
        if last in grid and grid[last] > at:
            grid[last] += by

    def _insert(self, state: _Spreadsheet, sheet: _Sheet, dimension: str, start: int,
                end: int) -> None:
        count = end - start
        axis = 0 if dimension == "ROWS" else 1
        moved: dict[tuple[int, int], _Cell] = {}
        for pos, cell in sheet.cells.items():
            if pos[axis] >= start:
                pos = (pos[0] + count, pos[1]) if axis == 0 else (pos[0], pos[1] + count)
            moved[pos] = cell
        sheet.cells = moved
        key = "rowCount" if dimension == "ROWS" else "columnCount"
        sheet.grid[key] = sheet.grid[key] + count
        for grid in sheet.merges:
            self._shift_grid(grid, dimension, start, count)
        for named in state.named_ranges:
            if named["range"].get("sheetId", 0) == sheet.sheet_id:
                self._shift_grid(named["range"], dimension, start, count)

    def _req_deleteDimension(self, state: _Spreadsheet, request: dict[str, Any],
                             identity: str) -> Any:
        sheet, dimension, start, end = self._dimension(state, request)
        size = sheet.row_count if dimension == "ROWS" else sheet.column_count
        noun = "row" if dimension == "ROWS" else "column"
        if end > size:
            raise _RequestError(f"Cannot delete a {noun} that doesn't exist. Tried to delete "
                                f"{noun} index {end - 1} but there are only {size} {noun}s.")
        if start <= 0 and end >= size:
            raise _RequestError(f"You can't delete all the {noun}s on the sheet.")
        count = end - start
        axis = 0 if dimension == "ROWS" else 1
        kept: dict[tuple[int, int], _Cell] = {}
        for pos, cell in sheet.cells.items():
            if start <= pos[axis] < end:
                continue
            if pos[axis] >= end:
                pos = (pos[0] - count, pos[1]) if axis == 0 else (pos[0], pos[1] - count)
            kept[pos] = cell
        sheet.cells = kept
        key = "rowCount" if dimension == "ROWS" else "columnCount"
        sheet.grid[key] = size - count
        for grid in sheet.merges:
            self._shift_grid(grid, dimension, end, -count)
        return {}

    def _req_autoResizeDimensions(self, state: _Spreadsheet, request: dict[str, Any],
                                  identity: str) -> Any:
        self._dimension(state, request)
        return {}

    def _req_updateDimensionProperties(self, state: _Spreadsheet, request: dict[str, Any],
                                       identity: str) -> Any:
        sheet, dimension, start, end = self._dimension(state, request)
        props = request.get("properties") or {}
        meta = sheet.row_meta if dimension == "ROWS" else sheet.column_meta
        for path in _paths_of(request.get("fields"), props):
            if path[0] not in ("pixelSize", "hiddenByUser"):
                continue
            for index in range(start, end):
                entry = meta.setdefault(index, {})
                value = props.get(path[0])
                if value is None:
                    entry.pop(path[0], None)
                else:
                    entry[path[0]] = value
        return {}

    def _req_updateBorders(self, state: _Spreadsheet, request: dict[str, Any],
                           identity: str) -> Any:
        self._grid(state, request.get("range"))
        return {}

    def _req_addProtectedRange(self, state: _Spreadsheet, request: dict[str, Any],
                               identity: str) -> Any:
        given = copy.deepcopy(request.get("protectedRange") or {})
        grid = given.get("range") or {}
        sheet, r0, c0, r1, c1 = self._grid(state, grid)
        item = {
            "protectedRangeId": int(given.get("protectedRangeId") or
                                    secrets.randbelow(2 ** 31 - 2) + 1),
            "range": _explicit(grid, sheet, r0, c0, r1, c1, keep=grid),
            "description": given.get("description"),
            "warningOnly": bool(given.get("warningOnly")),
            "editors": given.get("editors") or {},
            "owner": identity,
        }
        sheet.protected.append(item)
        return {"addProtectedRange": {"protectedRange": self._protected_out(
            item, sheet, metadata=False)}}

    def _req_deleteProtectedRange(self, state: _Spreadsheet, request: dict[str, Any],
                                  identity: str) -> Any:
        wanted = int(request.get("protectedRangeId") or 0)
        for sheet in state.sheets:
            for item in sheet.protected:
                if item["protectedRangeId"] == wanted:
                    sheet.protected.remove(item)
                    return {}
        raise _RequestError(f"No protected range with id: {wanted}")

    def _req_mergeCells(self, state: _Spreadsheet, request: dict[str, Any],
                        identity: str) -> Any:
        sheet, r0, c0, r1, c1 = self._grid(state, request.get("range"))
        kind = request.get("mergeType") or "MERGE_ALL"
        if kind == "MERGE_ALL":
            blocks = [(r0, c0, r1, c1)]
        elif kind == "MERGE_ROWS":
            blocks = [(r, c0, r + 1, c1) for r in range(r0, r1)]
        elif kind == "MERGE_COLUMNS":
            blocks = [(r0, c, r1, c + 1) for c in range(c0, c1)]
        else:
            raise _RequestError(f"Invalid mergeType: {kind}")
        blocks = [b for b in blocks if (b[2] - b[0]) * (b[3] - b[1]) > 1]
        for existing in list(sheet.merges):
            box = (existing["startRowIndex"], existing["startColumnIndex"],
                   existing["endRowIndex"], existing["endColumnIndex"])
            if r0 <= box[0] and box[2] <= r1 and c0 <= box[1] and box[3] <= c1:
                sheet.merges.remove(existing)
            elif box[0] < r1 and r0 < box[2] and box[1] < c1 and c0 < box[3]:
                raise _RequestError("You can't merge cells that partially overlap a merge.")
        for br0, bc0, br1, bc1 in blocks:
            for r in range(br0, br1):
                for c in range(bc0, bc1):
                    if (r, c) != (br0, bc0) and (r, c) in sheet.cells:
                        sheet.cells[(r, c)].value = None
                        sheet.cells[(r, c)].formula = None
                        sheet.tidy(r, c)
            sheet.merges.append({"startRowIndex": br0, "endRowIndex": br1,
                                 "startColumnIndex": bc0, "endColumnIndex": bc1})
        return {}

    def _req_unmergeCells(self, state: _Spreadsheet, request: dict[str, Any],
                          identity: str) -> Any:
        sheet, r0, c0, r1, c1 = self._grid(state, request.get("range"))
        sheet.merges = [m for m in sheet.merges if not (
            m["startRowIndex"] < r1 and r0 < m["endRowIndex"]
            and m["startColumnIndex"] < c1 and c0 < m["endColumnIndex"])]
        return {}

    def _req_addNamedRange(self, state: _Spreadsheet, request: dict[str, Any],
                           identity: str) -> Any:
        given = copy.deepcopy(request.get("namedRange") or {})
        name = str(given.get("name") or "")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", name) or _parse_a1(name) is not None:
            raise _RequestError(f"Invalid named range name: {name}")
        if any(n["name"].casefold() == name.casefold() for n in state.named_ranges):
            raise _RequestError(f"Named range with name \"{name}\" already exists.")
        grid = given.get("range") or {}
        self._grid(state, grid)
        named = {"namedRangeId": str(given.get("namedRangeId") or
                                     secrets.randbelow(2 ** 31 - 2) + 1),
                 "name": name, "range": copy.deepcopy(grid)}
        state.named_ranges.append(named)
        return {"addNamedRange": {"namedRange": self._named_out(named, state)}}

    def _req_deleteNamedRange(self, state: _Spreadsheet, request: dict[str, Any],
                              identity: str) -> Any:
        wanted = str(request.get("namedRangeId") or "")
        for named in state.named_ranges:
            if named["namedRangeId"] == wanted:
                state.named_ranges.remove(named)
                return {}
        raise _RequestError(f"No named range with id: {wanted}")

    def _req_updateNamedRange(self, state: _Spreadsheet, request: dict[str, Any],
                              identity: str) -> Any:
        given = request.get("namedRange") or {}
        wanted = str(given.get("namedRangeId") or "")
        named = next((n for n in state.named_ranges if n["namedRangeId"] == wanted), None)
        if named is None:
            raise _RequestError(f"No named range with id: {wanted}")
        for path in _paths_of(request.get("fields"), given):
            if path == ("name",):
                named["name"] = str(given.get("name") or named["name"])
            elif path[0] == "range":
                self._grid(state, given.get("range"))
                named["range"] = copy.deepcopy(given.get("range") or {})
        return {}

    def _req_sortRange(self, state: _Spreadsheet, request: dict[str, Any],
                       identity: str) -> Any:
        sheet, r0, c0, r1, c1 = self._grid(state, request.get("range"))
        specs = request.get("sortSpecs") or []
        rows = [{c: sheet.cells.pop((r, c)) for c in range(c0, c1) if (r, c) in sheet.cells}
                for r in range(r0, r1)]

        def compare(left: dict[int, _Cell], right: dict[int, _Cell]) -> int:
            for spec in specs:
                column = c0 + int(spec.get("dimensionIndex", 0))
                a, b = left.get(column), right.get(column)
                a_blank = a is None or not a.has_value
                b_blank = b is None or not b.has_value
                if a_blank or b_blank:
                    if a_blank != b_blank:
                        return 1 if a_blank else -1
                    continue
                assert a is not None and b is not None
                order = _compare_values(a.value, b.value)
                if spec.get("sortOrder") == "DESCENDING":
                    order = -order
                if order:
                    return order
            return 0

        rows.sort(key=functools.cmp_to_key(compare))
        for offset, row in enumerate(rows):
            for c, cell in row.items():
                sheet.cells[(r0 + offset, c)] = cell
        return {}

    def _req_copyPaste(self, state: _Spreadsheet, request: dict[str, Any],
                       identity: str) -> Any:
        sheet, r0, c0, r1, c1 = self._grid(state, request.get("source"))
        target, t0, u0, t1, u1 = self._grid(state, request.get("destination"))
        kind = request.get("pasteType") or "PASTE_NORMAL"
        transpose = request.get("pasteOrientation") == "TRANSPOSE"
        height, width = (c1 - c0, r1 - r0) if transpose else (r1 - r0, c1 - c0)
        if not height or not width:
            return {}
        tiles_down = max(1, (t1 - t0) // height)
        tiles_across = max(1, (u1 - u0) // width)
        source = {pos: copy.deepcopy(cell) for pos, cell in sheet.cells.items()
                  if r0 <= pos[0] < r1 and c0 <= pos[1] < c1}
        for tile_r in range(tiles_down):
            for tile_c in range(tiles_across):
                for i in range(height):
                    for j in range(width):
                        src = (r0 + j, c0 + i) if transpose else (r0 + i, c0 + j)
                        dst = (t0 + tile_r * height + i, u0 + tile_c * width + j)
                        if dst[0] >= target.row_count or dst[1] >= target.column_count:
                            raise _RequestError("The paste would go beyond the grid.")
                        self._paste_cell(target, dst, source.get(src), kind)
        return {}

    @staticmethod
    def _paste_cell(target: _Sheet, dst: tuple[int, int], cell: _Cell | None,
                    kind: str) -> None:
        old = target.cells.get(dst) or _Cell()
        new = copy.deepcopy(cell) if cell is not None else _Cell()
        if kind == "PASTE_VALUES":
            new.formula = None
            new.fmt, new.note, new.validation = old.fmt, old.note, old.validation
        elif kind == "PASTE_FORMAT":
            new.value, new.formula, new.note = old.value, old.formula, old.note
        elif kind == "PASTE_DATA_VALIDATION":
            new = _with_validation(old, new.validation)
        target.cells[dst] = new
        target.tidy(*dst)

    def _req_cutPaste(self, state: _Spreadsheet, request: dict[str, Any],
                      identity: str) -> Any:
        sheet, r0, c0, r1, c1 = self._grid(state, request.get("source"))
        where = request.get("destination") or {}
        target = self._grid_sheet(state, where.get("sheetId", 0))
        t0, u0 = int(where.get("rowIndex", 0) or 0), int(where.get("columnIndex", 0) or 0)
        if t0 + r1 - r0 > target.row_count or u0 + c1 - c0 > target.column_count:
            raise _RequestError("The paste would go beyond the grid.")
        kind = request.get("pasteType") or "PASTE_NORMAL"
        source = {pos: sheet.cells.pop(pos) for pos in list(sheet.cells)
                  if r0 <= pos[0] < r1 and c0 <= pos[1] < c1}
        for r in range(r0, r1):
            for c in range(c0, c1):
                self._paste_cell(target, (t0 + r - r0, u0 + c - c0), source.get((r, c)), kind)
        return {}

    def _req_setBasicFilter(self, state: _Spreadsheet, request: dict[str, Any],
                            identity: str) -> Any:
        given = copy.deepcopy(request.get("filter") or {})
        grid = given.get("range") or {}
        sheet, r0, c0, r1, c1 = self._grid(state, grid)
        given["range"] = _explicit(grid, sheet, r0, c0, r1, c1)
        sheet.basic_filter = given
        return {}

    def _req_clearBasicFilter(self, state: _Spreadsheet, request: dict[str, Any],
                              identity: str) -> Any:
        sheet = self._grid_sheet(state, request.get("sheetId"))
        sheet.basic_filter = None
        return {}

    def _groups(self, state: _Spreadsheet, request: dict[str, Any]
                ) -> tuple[_Sheet, list[dict[str, Any]], dict[str, Any]]:
        sheet, dimension, start, end = self._dimension(state, request)
        if end <= start:
            raise _RequestError("Invalid dimension range.")
        groups = sheet.row_groups if dimension == "ROWS" else sheet.column_groups
        span = {"dimension": dimension, "startIndex": start, "endIndex": end}
        if sheet.sheet_id:
            span = {"sheetId": sheet.sheet_id, **span}
        return sheet, groups, span

    def _req_addDimensionGroup(self, state: _Spreadsheet, request: dict[str, Any],
                               identity: str) -> Any:
        sheet, groups, span = self._groups(state, request)
        depth = 1 + sum(1 for g in groups if g["range"]["startIndex"] <= span["startIndex"]
                        and span["endIndex"] <= g["range"]["endIndex"])
        groups.append({"range": span, "depth": depth})
        groups.sort(key=lambda g: (g["depth"], g["range"]["startIndex"]))
        control = ("rowGroupControlAfter" if span["dimension"] == "ROWS"
                   else "columnGroupControlAfter")
        sheet.grid.setdefault(control, True)
        return {"addDimensionGroup": {"dimensionGroups": copy.deepcopy(groups)}}

    def _req_deleteDimensionGroup(self, state: _Spreadsheet, request: dict[str, Any],
                                  identity: str) -> Any:
        _, groups, span = self._groups(state, request)
        match = [g for g in groups if g["range"]["startIndex"] == span["startIndex"]
                 and g["range"]["endIndex"] == span["endIndex"]]
        if not match:
            raise _RequestError("No dimension group exists for the given range.")
        groups.remove(max(match, key=lambda g: g["depth"]))
        reply: dict[str, Any] = {}
        if groups:
            reply["dimensionGroups"] = copy.deepcopy(groups)
        return {"deleteDimensionGroup": reply}


# --- module-level helpers used by the stand-in ------------------------------------------


def _with_validation(old: _Cell, validation: dict[str, Any] | None) -> _Cell:
    new = copy.deepcopy(old)
    new.validation = copy.deepcopy(validation)
    return new


def _a1_part(r0: int, c0: int, r1: int, c1: int) -> str:
    first = _cell_a1(r0, c0)
    if r1 - r0 == 1 and c1 - c0 == 1:
        return first
    return f"{first}:{_cell_a1(r1 - 1, c1 - 1)}"


def _grid_error(sheet: _Sheet, text: str) -> ApiError:
    return _bad_request(f"Range ({_quote_title(sheet.title)}!{text}) exceeds grid limits. "
                        f"Max rows: {sheet.row_count}, max columns: {sheet.column_count}")


def _grid_out(grid: dict[str, Any], sheet_id: int) -> dict[str, Any]:
    """A GridRange as Google prints it: sheetId only when not 0, indexes as stored."""
    out: dict[str, Any] = {}
    if sheet_id:
        out["sheetId"] = sheet_id
    for key in ("startRowIndex", "endRowIndex", "startColumnIndex", "endColumnIndex"):
        if key in grid:
            out[key] = grid[key]
    return out


def _explicit(grid: dict[str, Any], sheet: _Sheet, r0: int, c0: int, r1: int, c1: int, *,
              keep: dict[str, Any] | None = None) -> dict[str, Any]:
    """A GridRange with every bound spelled out (Google fills them in), or as given."""
    if keep is not None:
        out = {k: keep[k] for k in ("startRowIndex", "endRowIndex", "startColumnIndex",
                                    "endColumnIndex") if k in keep}
    else:
        out = {"startRowIndex": r0, "endRowIndex": r1, "startColumnIndex": c0,
               "endColumnIndex": c1}
    if sheet.sheet_id:
        out = {"sheetId": sheet.sheet_id, **out}
    return out


def _check_frozen(grid: dict[str, Any]) -> None:
    """Google refuses to freeze every row (or column) of a sheet."""
    if int(grid.get("frozenRowCount") or 0) >= int(grid.get("rowCount") or 0) > 0:
        raise _RequestError("You can't freeze all visible rows on the sheet.")
    if int(grid.get("frozenColumnCount") or 0) >= int(grid.get("columnCount") or 0) > 0:
        raise _RequestError("You can't freeze all visible columns on the sheet.")


def _pair_tab_color(props: dict[str, Any], prefer: str = "tabColorStyle") -> None:
    """Keep the deprecated tabColor and tabColorStyle.rgbColor in step, as Google does."""
    style = props.get("tabColorStyle")
    plain = props.get("tabColor")
    if prefer == "tabColorStyle" and "tabColorStyle" in props:
        rgb = (style or {}).get("rgbColor")
        if rgb:
            props["tabColor"] = copy.deepcopy(rgb)
        else:
            props.pop("tabColor", None)
            if not (style or {}).get("themeColor"):
                props.pop("tabColorStyle", None)
    elif "tabColor" in props:
        if plain:
            props["tabColorStyle"] = {"rgbColor": copy.deepcopy(plain)}
        else:
            props.pop("tabColor", None)
            props.pop("tabColorStyle", None)


def _paths_of(fields: Any, given: dict[str, Any]) -> list[tuple[str, ...]]:
    if not fields:
        raise _RequestError("At least one field must be specified.")
    if fields == "*":
        return [(key,) for key in given]
    try:
        return _mask_paths(parse_field_mask(str(fields)))
    except ValueError:
        raise _RequestError(f"Invalid field mask: {fields}") from None


def _mask_of(fields: Any, given: dict[str, Any]) -> MaskTree:
    if not fields:
        raise _RequestError("At least one field must be specified.")
    try:
        return parse_field_mask(str(fields))
    except ValueError:
        raise _RequestError(f"Invalid field mask: {fields}") from None


def _typed_value(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, (int, float)):
        return {"numberValue": value}
    if isinstance(value, CellError):
        return {"errorValue": {"type": "ERROR", "message": value.text}}
    return {"stringValue": "" if value is None else str(value)}


def _compare_values(a: Any, b: Any) -> int:
    """Sort order: numbers, then text (case-insensitive), then booleans, then errors."""
    def rank(value: Any) -> tuple[int, Any]:
        if isinstance(value, bool):
            return 2, value
        if isinstance(value, (int, float)):
            return 0, value
        if isinstance(value, CellError):
            return 3, value.text
        return 1, str(value).casefold()

    left, right = rank(a), rank(b)
    return (left > right) - (left < right)


def _enum(query: dict[str, list[str]], name: str, default: str, allowed: tuple[str, ...],
          snake: str, type_name: str) -> str:
    value = (query.get(name) or [default])[0] or default
    if value not in allowed:
        message = (f"Invalid value at '{snake}' (type.googleapis.com/google.apps.sheets.v4."
                   f"{type_name}), \"{value}\"")
        raise _bad_request(message, snake)
    return value


def _input_option(value: str) -> str:
    if value in ("RAW", "USER_ENTERED"):
        return value
    if not value:
        raise _bad_request("Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED")
    message = (f"Invalid value at 'value_input_option' (type.googleapis.com/google.apps.sheets."
               f"v4.ValueInputOption), \"{value}\"")
    raise _bad_request(message, "value_input_option")


def _flag(query: dict[str, list[str]], name: str) -> bool:
    return (query.get(name) or ["false"])[0].lower() == "true"


def _known_fields(body: Any, allowed: tuple[str, ...], where: str) -> None:
    if body is None:
        return
    if not isinstance(body, dict):
        raise _bad_request("Invalid JSON payload received. Expected an object.")
    for name in body:
        if name not in allowed:
            message = f'Invalid JSON payload received. Unknown name "{name}": Cannot find field.'
            raise _bad_request(message, where or name)


def _major(body: Any) -> str:
    major = (body or {}).get("majorDimension") or "ROWS"
    if major not in ("ROWS", "COLUMNS"):
        raise _bad_request(f"Invalid value at 'data.major_dimension' (type.googleapis.com/"
                           f"google.apps.sheets.v4.Dimension), \"{major}\"",
                           "data.major_dimension")
    return str(major)


def _matrix(body: dict[str, Any], field_name: str) -> list[list[Any]]:
    """body["values"] as rows, or Google's ListValue error for anything else."""
    values = body.get("values")
    if values is None:
        return []
    if not isinstance(values, list):
        message = (f"Invalid value at '{field_name}' (type.googleapis.com/google.protobuf."
                   f"ListValue), {json.dumps(values, ensure_ascii=False)}")
        raise _bad_request(message, field_name)
    for number, row in enumerate(values):
        if not isinstance(row, list):
            where = f"{field_name}[{number}]"
            message = (f"Invalid value at '{where}' (type.googleapis.com/google.protobuf."
                       f"ListValue), {json.dumps(row, ensure_ascii=False)}")
            raise _bad_request(message, where)
    return values


_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
_PERCENT = re.compile(r"([+-]?(?:\d+\.?\d*|\.\d+))%")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_SLASH_YMD = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})")
_SLASH_MDY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


def _parse_user_entered(text: str, locale: str
                        ) -> tuple[Any, dict[str, Any] | None, str | None]:
    """What Google makes of typed text: (value, numberFormat or None, formula or None)."""
    if text.startswith("'"):
        return text[1:], None, None
    if text.startswith("=") and len(text) > 1:
        return None, None, text
    stripped = text.strip()
    if stripped.upper() in ("TRUE", "FALSE"):
        return stripped.upper() == "TRUE", None, None
    if _NUMBER.fullmatch(stripped):
        number = float(stripped)
        if re.fullmatch(r"[+-]?\d+", stripped) and abs(number) < 1e15:
            return int(stripped), None, None
        return number, None, None
    if _GROUPED.fullmatch(stripped):
        decimals = len(stripped.partition(".")[2])
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        number = float(stripped.replace(",", ""))
        value: Any = int(number) if not decimals and abs(number) < 1e15 else number
        return value, {"type": "NUMBER", "pattern": pattern}, None
    match = _PERCENT.fullmatch(stripped)
    if match:
        decimals = len(match.group(1).partition(".")[2])
        pattern = "0" + ("." + "0" * decimals if decimals else "") + "%"
        return float(match.group(1)) / 100, {"type": "PERCENT", "pattern": pattern}, None
    date_text, _, clock_text = stripped.partition(" ")
    moment: dt.date | None = None
    date_pattern = ""
    for regex, order, pattern in ((_ISO_DATE, "ymd", "yyyy-mm-dd"),
                                  (_SLASH_YMD, "ymd", "yyyy/m/d"),
                                  (_SLASH_MDY, "mdy", "m/d/yyyy")):
        found = regex.fullmatch(date_text)
        if found and (order == "ymd" or locale.startswith("en")):
            parts = [int(p) for p in found.groups()]
            year, month, day = parts if order == "ymd" else (parts[2], parts[0], parts[1])
            try:
                moment = dt.date(year, month, day)
            except ValueError:
                moment = None
            date_pattern = pattern
            break
    clock = _CLOCK.fullmatch(clock_text.strip()) if clock_text else None
    if moment is not None and (not clock_text or clock):
        if clock:
            hour, minute, second = (int(g or 0) for g in clock.groups())
            if hour < 24 and minute < 60 and second < 60:
                stamp = dt.datetime(moment.year, moment.month, moment.day, hour, minute, second)
                return _to_serial(stamp), {"type": "DATE_TIME",
                                           "pattern": f"{date_pattern} h:mm:ss"}, None
        else:
            return _to_serial(moment), {"type": "DATE", "pattern": date_pattern}, None
    clock = _CLOCK.fullmatch(stripped)
    if clock:
        hour, minute, second = (int(g or 0) for g in clock.groups())
        if hour < 24 and minute < 60 and second < 60:
            return _to_serial(dt.time(hour, minute, second)), {"type": "TIME",
                                                               "pattern": "h:mm:ss"}, None
    return text, None, None


# --- a small evaluator for arithmetic formulas -------------------------------------------

_FORMULA_TOKEN = re.compile(r"\s*(?:(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+)|(\$?[A-Za-z]{1,3}\$?\d+)"
                            r"|(\"(?:[^\"]|\"\")*\")|(TRUE|FALSE)\b|([-+*/^&()]))", re.I)


class _Unsupported(Exception):
    """A formula beyond what the stand-in evaluates."""


def _evaluate(formula: str, sheet: _Sheet) -> Any:
    """Evaluate arithmetic formulas once; anything else has no value (None)."""
    text = formula[1:]
    tokens: list[tuple[str, Any]] = []
    pos = 0
    while pos < len(text):
        match = _FORMULA_TOKEN.match(text, pos)
        if not match or match.end() == pos:
            if text[pos:].strip() == "":
                break
            return None
        pos = match.end()
        number, ref, string, boolean, op = match.groups()
        if number is not None:
            tokens.append(("num", float(number)))
        elif ref is not None:
            tokens.append(("ref", ref.replace("$", "").upper()))
        elif string is not None:
            tokens.append(("str", string[1:-1].replace('""', '"')))
        elif boolean is not None:
            tokens.append(("bool", boolean.upper() == "TRUE"))
        else:
            tokens.append(("op", op))
    index = 0

    def peek() -> tuple[str, Any] | None:
        return tokens[index] if index < len(tokens) else None

    def take() -> tuple[str, Any]:
        nonlocal index
        if index >= len(tokens):
            raise _Unsupported
        index += 1
        return tokens[index - 1]

    def number(value: Any) -> float:
        if isinstance(value, CellError):
            raise _ErrorValue(value)
        if value is None or value == "":
            return 0.0
        if isinstance(value, bool):
            return float(value)
        if isinstance(value, (int, float)):
            return float(value)
        try:
            return float(str(value))
        except ValueError:
            raise _ErrorValue(CellError("#VALUE!")) from None

    def primary() -> Any:
        kind, value = take()
        if kind in ("num", "str", "bool"):
            return value
        if kind == "ref":
            parsed = _parse_side(value)
            assert parsed is not None
            cell = sheet.cells.get((parsed[1], parsed[0]))
            return None if cell is None else cell.value
        if (kind, value) == ("op", "("):
            result = concat()
            if take() != ("op", ")"):
                raise _Unsupported
            return result
        if (kind, value) == ("op", "-"):
            return -number(primary())
        if (kind, value) == ("op", "+"):
            return number(primary())
        raise _Unsupported

    def power() -> Any:
        left = primary()
        while peek() == ("op", "^"):
            take()
            left = number(left) ** number(primary())
        return left

    def product() -> Any:
        left = power()
        while peek() in (("op", "*"), ("op", "/")):
            op = take()[1]
            right = number(power())
            if op == "*":
                left = number(left) * right
            elif right == 0:
                raise _ErrorValue(CellError("#DIV/0!"))
            else:
                left = number(left) / right
        return left

    def total() -> Any:
        left = product()
        while peek() in (("op", "+"), ("op", "-")):
            op = take()[1]
            right = number(product())
            left = number(left) + right if op == "+" else number(left) - right
        return left

    def concat() -> Any:
        left = total()
        while peek() == ("op", "&"):
            take()
            right = total()
            left = f"{_plain(left)}{_plain(right)}"
        return left

    try:
        result = concat()
        if index != len(tokens):
            return None
    except _ErrorValue as error:
        return error.value
    except (_Unsupported, OverflowError):
        return None
    if isinstance(result, float) and result.is_integer() and abs(result) < 1e15:
        return int(result)
    return "" if result is None else result


class _ErrorValue(Exception):
    def __init__(self, value: CellError) -> None:
        super().__init__(value.text)
        self.value = value


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return _automatic_number(value)
    return str(value)


# --- pytest fixture ----------------------------------------------------------------------


@pytest.fixture
def sheets_standin() -> Iterator[SheetsStandIn]:
    """A started SheetsStandIn, stopped after the test."""
    with SheetsStandIn() as standin:
        yield standin
