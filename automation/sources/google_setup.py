"""Setting up Google Sheets for an office: a blank spreadsheet filled from a register's
template (`clerk init --google`), and the OAuth login for offices without a service
account (`clerk google-login`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._io import write_text
from ..config import OfficeConfig
from ..errors import ConfigError, SourceError
from ..i18n import t
from ..registers import REGISTERS, Column, Kind
from ..templates import TEMPLATE_ROWS, describe_column, enum_choices, header_label
from ..templates import instruction_rows as instruction_table
from .google import SCOPES, connection_for, new_sheet_id, quote_title, sheet_url

HEADER_COLOUR = {"red": 0.867, "green": 0.922, "blue": 0.969}
"""The templates' header fill (#DDEBF7)."""
REQUIRED_COLOUR = {"red": 0.753, "green": 0.0, "blue": 0.0}

NUMBER_FORMATS = {
    Kind.DATE: {"type": "DATE", "pattern": "yyyy-mm-dd"},
    Kind.DATETIME: {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm"},
    Kind.MONEY: {"type": "NUMBER", "pattern": "#,##0.00"},
}
TEXT_FORMAT = {"type": "TEXT", "pattern": "@"}


@dataclass
class GoogleSetup:
    key: str
    title: str
    register: str
    tabs: list[str]

    @property
    def url(self) -> str:
        return sheet_url(self.key)


def _number_format(column: Column) -> dict[str, str] | None:
    if column.identifier or column.kind is Kind.PHONE:
        return TEXT_FORMAT
    return NUMBER_FORMATS.get(column.kind)


def _cells(sheet_id: int, row: int, col: int, rows: int = 1, cols: int = 1) -> dict[str, int]:
    return {"sheetId": sheet_id, "startRowIndex": row, "endRowIndex": row + rows,
            "startColumnIndex": col, "endColumnIndex": col + cols}


def setup_requests(register_key: str, locale: str, enums: dict[str, list[str]],
                   used_ids: set[int]) -> tuple[list[dict[str, Any]], list[dict[str, Any]],
                                                list[str]]:
    """(batchUpdate requests, values data, tab titles) that lay out one register: a tab per
    table with its header frozen, formats, dropdowns and a note on every header cell that
    says its rules; then the 填写说明 tab."""
    register = REGISTERS[register_key]
    requests: list[dict[str, Any]] = []
    data: list[dict[str, Any]] = []
    titles: list[str] = []
    for table in register.tables:
        sheet_id = new_sheet_id(used_ids)
        used_ids.add(sheet_id)
        title = table.label.get(locale)
        titles.append(title)
        columns = list(table.columns)
        requests.append({"addSheet": {"properties": {
            "sheetId": sheet_id, "title": title,
            "gridProperties": {"rowCount": TEMPLATE_ROWS + 1, "columnCount": len(columns),
                               "frozenRowCount": 1}}}})
        requests.append({"repeatCell": {
            "range": _cells(sheet_id, 0, 0, cols=len(columns)),
            "cell": {"userEnteredFormat": {"backgroundColor": HEADER_COLOUR,
                                           "textFormat": {"bold": True},
                                           "wrapStrategy": "WRAP"}},
            "fields": "userEnteredFormat(backgroundColor,textFormat,wrapStrategy)"}})
        notes = []
        for index, column in enumerate(columns):
            note = describe_column(table, column, locale)
            notes.append({"note": note} if note else {})
            if column.required:
                requests.append({"repeatCell": {
                    "range": _cells(sheet_id, 0, index),
                    "cell": {"userEnteredFormat": {"textFormat": {
                        "bold": True, "foregroundColor": REQUIRED_COLOUR}}},
                    "fields": "userEnteredFormat.textFormat"}})
            number = _number_format(column)
            if number is not None:
                requests.append({"repeatCell": {
                    "range": _cells(sheet_id, 1, index, rows=TEMPLATE_ROWS),
                    "cell": {"userEnteredFormat": {"numberFormat": number}},
                    "fields": "userEnteredFormat.numberFormat"}})
            if column.kind in (Kind.ENUM, Kind.BOOL):
                choices = enum_choices(column, locale, enums.get(column.enum or ""))
                requests.append({"setDataValidation": {
                    "range": _cells(sheet_id, 1, index, rows=TEMPLATE_ROWS),
                    "rule": {"condition": {"type": "ONE_OF_LIST",
                                           "values": [{"userEnteredValue": v} for v in choices]},
                             "inputMessage": note[:250], "strict": False,
                             "showCustomUi": True}}})
        requests.append({"updateCells": {"range": _cells(sheet_id, 0, 0, cols=len(columns)),
                                         "rows": [{"values": notes}], "fields": "note"}})
        data.append({"range": quote_title(title) + "!A1", "majorDimension": "ROWS",
                     "values": [[header_label(c, locale) for c in columns]]})
    guide = t("template.instructions", locale)
    guide_id = new_sheet_id(used_ids)
    used_ids.add(guide_id)
    rows = [[t("template.intro", locale)], [], *instruction_table(register, locale)]
    titles.append(guide)
    requests.append({"addSheet": {"properties": {
        "sheetId": guide_id, "title": guide,
        "gridProperties": {"rowCount": len(rows) + 1, "columnCount": 5,
                           "frozenRowCount": 3}}}})
    data.append({"range": quote_title(guide) + "!A1", "majorDimension": "ROWS",
                 "values": rows})
    return requests, data, titles


def setup_google_register(config: OfficeConfig, key: str, register: str,
                          locale: str | None = None) -> GoogleSetup:
    """Fill a blank spreadsheet (shared with the service account) from a register's template.

    A spreadsheet with any value in any tab is refused, so nothing is ever overwritten;
    its empty default tabs (工作表1 / Sheet1) are removed once the register's are in.
    """
    loc = locale or config.locale
    connection = connection_for(config)
    meta = connection.metadata(key, register)
    existing = [p for p in meta.tabs if p.get("sheetType", "GRID") == "GRID"]
    if existing:
        with connection.talking_to(key, register):
            answer = connection.client.http_client.values_batch_get(
                key, [quote_title(str(p["title"])) for p in existing])
        for props, found in zip(existing, answer.get("valueRanges", []), strict=False):
            if any(any(v not in ("", None) for v in row) for row in found.get("values", [])):
                raise SourceError("google.init_not_empty", key=key, tab=props["title"],
                                  who=connection.who or "?")
    used = {int(p["sheetId"]) for p in meta.tabs if "sheetId" in p}
    enums = {d: config.enum_values(d) for d in config.enums}
    adds, data, titles = setup_requests(register, loc, enums, used)
    renames = [{"updateSheetProperties": {
        "properties": {"sheetId": p["sheetId"], "title": f"~{p['sheetId']}"},
        "fields": "title"}} for p in meta.tabs]
    removals = [{"deleteSheet": {"sheetId": p["sheetId"]}} for p in meta.tabs]
    with connection.talking_to(key, register):
        connection.client.http_client.batch_update(
            key, {"requests": renames + adds + removals})
        connection.client.http_client.values_batch_update(
            key, {"valueInputOption": "RAW", "data": data})
    connection.meta.pop(key, None)
    return GoogleSetup(key, meta.title, register, titles)


# --- OAuth login ------------------------------------------------------------------------


def login_target(config: OfficeConfig) -> Path:
    """Where `clerk google-login` keeps the authorized-user JSON: the configured
    credentials file, else the state folder."""
    if config.google.credentials:
        return config.resolve(config.google.credentials)
    return config.resolve(config.state.dir) / "google-authorized-user.json"


def google_login(config: OfficeConfig, client_secrets: Path, *, open_browser: bool = True,
                 port: int = 0) -> Path:
    """The installed-app flow: a browser page at Google, a one-off local redirect server,
    and the refresh token saved (readable by this user only) for the nightly job."""
    from google_auth_oauthlib.flow import InstalledAppFlow

    if not client_secrets.is_file():
        raise ConfigError("google.login_client_missing", path=str(client_secrets))
    try:
        flow = InstalledAppFlow.from_client_secrets_file(str(client_secrets),
                                                         scopes=list(SCOPES))
        credentials = flow.run_local_server(
            host="127.0.0.1", port=port, open_browser=open_browser,
            authorization_prompt_message=t("google.login_prompt") + " {url}",
            success_message=t("google.login_success"))
    except ValueError as exc:
        raise ConfigError("google.login_failed", detail=str(exc).split("\n")[0]) from None
    except Exception as exc:
        if type(exc).__module__.startswith(("oauthlib", "google")):
            raise ConfigError("google.login_failed", detail=type(exc).__name__) from None
        raise
    target = login_target(config)
    saved = {"type": "authorized_user", **json.loads(credentials.to_json())}
    # only its owner may read the saved refresh token
    write_text(target, json.dumps(saved, ensure_ascii=False, indent=2), mode=0o600,
               durable=True)
    return target
