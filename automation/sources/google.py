"""Google Sheets through gspread + google-auth: every tab in one batched read, owned tabs
written in one structural and one values call, and a transport that retries politely,
stays inside the quota and always gives up in bounded time.

API calls per spreadsheet: reading is one metadata call and one `values:batchGet`;
writing the owned tabs back is one `spreadsheets:batchUpdate` and one `values:batchUpdate`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import requests

if TYPE_CHECKING:
    import gspread

from .._cells import plain_value
from .._io import safe_file_name, sha256_file
from .._retry import GaveUp, RateLimiter, RetryPolicy, retry_after_seconds
from ..config import OfficeConfig
from ..errors import ConfigError, SourceError
from ..i18n import t
from ..layout import locate_tables
from ..normalize import is_date_serial, serial_to_date, zones_apart
from ..registers import REGISTERS, Kind
from .base import RawSheet, RawWorkbook, Snapshot, Tabs, WriteBackSkipped
from .values_xlsx import write_values_xlsx

GOOGLE_API = "https://sheets.googleapis.com"
GOOGLE_APIS = "https://www.googleapis.com"
SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)
SHEET_URL = "https://docs.google.com/spreadsheets/d/{key}"
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
ERROR_VALUES = frozenset({"#N/A", "#REF!", "#NAME?", "#DIV/0!", "#VALUE!", "#NUM!", "#NULL!",
                          "#ERROR!", "#SPILL!", "#CALC!"})
"""What a formula error looks like in unformatted values."""


def sheet_url(key: str) -> str:
    return SHEET_URL.format(key=key)


def quote_title(title: str) -> str:
    """A tab title as an A1 range naming the whole tab: always quoted, quotes doubled."""
    return "'" + title.replace("'", "''") + "'"


# --- pacing and retrying ----------------------------------------------------------------
# The rule is the one every network call shares (`automation._retry`); Google's numbers:

GOOGLE_RETRY = RetryPolicy(max_attempts=None, give_up_after=120.0, base=1.0, cap=32.0)
"""Google's own advice for Sheets API 429s: truncated exponential back-off to 32 s or 64 s.
No attempt count: a read is bounded by time (`[google] give_up_after`)."""


class Pacer:
    """At most `per_minute` requests of a kind in any 60 seconds, shared by every
    spreadsheet reached with the same identity (Google's quota is per user): one sliding
    window `RateLimiter` per kind."""

    def __init__(self, per_minute: Mapping[str, int], *,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.per_minute = dict(per_minute)
        self._limiters = {kind: RateLimiter([(limit, 60.0)], clock, sleep)
                          for kind, limit in self.per_minute.items() if limit}

    def wait_turn(self, kind: str) -> float:
        """Block until a request of `kind` may go; returns the seconds waited."""
        limiter = self._limiters.get(kind)
        return limiter.wait() if limiter is not None else 0.0


@dataclass
class CallLog:
    """What this process asked Google, per spreadsheet, for reports and tests."""

    calls: list[tuple[str, str]] = field(default_factory=list)
    """(spreadsheet key, kind) for each request that reached the server."""
    retries: int = 0
    paced_seconds: float = 0.0

    def count(self, key: str) -> int:
        return sum(1 for k, _ in self.calls if k == key)


def _call_kind(method: str, url: str) -> tuple[str, str]:
    """(spreadsheet key, kind) of a Sheets API URL; kind is 'read' or 'write' for pacing."""
    path = url.split("?", 1)[0]
    marker = "/v4/spreadsheets/"
    key = ""
    if marker in path:
        key = path.split(marker, 1)[1].split("/", 1)[0].split(":", 1)[0]
    return key, ("read" if method.upper() == "GET" else "write")


def make_http_client(settings: TransportSettings) -> type[gspread.HTTPClient]:
    """A gspread HTTPClient factory whose requests go to the configured endpoint, are paced,
    timed out and retried under `settings`."""
    import gspread

    class ClerkHTTPClient(gspread.HTTPClient):
        def __init__(self, auth: Any, session: requests.Session | None = None) -> None:
            super().__init__(auth, session)
            self.timeout = settings.timeout

        def request(self, method: str, endpoint: str, *args: Any, **kwargs: Any
                    ) -> requests.Response:
            url = settings.rewrite(endpoint)
            key, kind = _call_kind(method, url)
            send = super().request

            def attempt() -> requests.Response:
                settings.log.paced_seconds += settings.pacer.wait_turn(kind)
                settings.log.calls.append((key, method.lower() + " " + _path_kind(url)))
                return send(method, url, *args, **kwargs)

            def counted(_: Exception, __: float) -> None:
                settings.log.retries += 1

            return settings.retry.call(
                attempt, retryable=_transient, retry_after=_retry_after,
                what=f"Google {method.upper()} {key or 'API'}", clock=settings.clock,
                sleep=settings.sleep, on_retry=counted)

    return ClerkHTTPClient


def _transient(exc: Exception) -> bool:
    """Worth another try: 408, 429 and 5xx answers, time-outs and dropped connections."""
    import gspread

    if isinstance(exc, gspread.exceptions.APIError):
        return exc.response.status_code in RETRY_STATUSES
    return isinstance(exc, requests.Timeout | requests.ConnectionError)


def _retry_after(exc: Exception) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    return retry_after_seconds(headers.get("Retry-After")) if headers is not None else None


def _failure(exc: Exception) -> str:
    """What the last attempt met, as the give-up message says it: `HTTP 503`, or the
    kind of network failure (`ReadTimeout`, `ConnectionError`)."""
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    if status is not None and not isinstance(exc, requests.RequestException):
        return f"HTTP {status}"
    return type(exc).__name__


def _path_kind(url: str) -> str:
    path = url.split("?", 1)[0]
    tail = path.rsplit("/", 1)[-1]
    if ":" in tail:
        return tail.split(":", 1)[1]
    return "values" if "/values/" in path else "metadata"


@dataclass
class TransportSettings:
    endpoint: str = GOOGLE_API
    timeout: float = 30.0
    retry: RetryPolicy = GOOGLE_RETRY
    pacer: Pacer = field(default_factory=lambda: Pacer({"read": 55, "write": 55}))
    log: CallLog = field(default_factory=CallLog)
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep

    def rewrite(self, url: str) -> str:
        """Google's addresses -> the configured endpoint (a proxy, or a stand-in in tests)."""
        for prefix in (GOOGLE_API, GOOGLE_APIS):
            if url.startswith(prefix) and self.endpoint != prefix:
                return self.endpoint + url[len(prefix):]
        return url


# --- credentials --------------------------------------------------------------------------


def credentials_info(config: OfficeConfig) -> tuple[dict[str, Any], str]:
    """The credential JSON and where it came from (an env variable's name or a path).

    The environment variable named by `[google] credentials_env` wins when set: it holds
    the file's path or the JSON itself, so a server need not keep the file in the folder.
    """
    env_name = config.google.credentials_env
    raw = os.environ.get(env_name, "").strip() if env_name else ""
    if raw.startswith("{"):
        return _parse_credentials(raw, f"${env_name}"), f"${env_name}"
    if raw:
        path = config.resolve(raw)
        where = f"${env_name} → {path}"
    elif config.google.credentials:
        path = config.resolve(config.google.credentials)
        where = str(path)
    else:
        raise ConfigError("google.no_credentials", env=env_name or "")
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError("google.credentials_missing", path=where) from None
    except OSError as exc:
        raise ConfigError("google.credentials_unreadable", path=where,
                          detail=exc.strerror or type(exc).__name__) from None
    return _parse_credentials(text, where), where


def _parse_credentials(text: str, where: str) -> dict[str, Any]:
    try:
        info = json.loads(text)
    except json.JSONDecodeError:
        raise ConfigError("google.credentials_not_json", path=where) from None
    kind = info.get("type") if isinstance(info, dict) else None
    needed = {"service_account": ("client_email", "private_key", "token_uri"),
              "authorized_user": ("client_id", "client_secret", "refresh_token")}.get(str(kind))
    if needed is None:
        raise ConfigError("google.credentials_kind", path=where, found=str(kind))
    missing = [name for name in needed if not info.get(name)]
    if missing:
        raise ConfigError("google.credentials_incomplete", path=where,
                          fields=", ".join(missing))
    return dict(info)


def load_credentials(info: Mapping[str, Any], endpoint: str = GOOGLE_API) -> Any:
    """google-auth credentials for a service account or an authorized user (OAuth login).

    google-auth sends an authorized user's refresh token to Google's token endpoint whatever
    the file says (a doctored file must not leak it); Sheet Clerk lets the file's
    `token_uri` stand only when it is on the host the office itself set as `api_endpoint`.
    """
    credentials: Any
    if info["type"] == "service_account":
        from google.oauth2.service_account import Credentials as ServiceAccount

        credentials = ServiceAccount.from_service_account_info(dict(info), scopes=list(SCOPES))
    else:
        from google.oauth2.credentials import Credentials as UserCredentials

        credentials = UserCredentials.from_authorized_user_info(dict(info),
                                                                scopes=list(SCOPES))
        token_uri = str(info.get("token_uri") or "")
        if endpoint != GOOGLE_API and _host_of(token_uri) == _host_of(endpoint):
            credentials = credentials.with_token_uri(token_uri)
    if endpoint != GOOGLE_API and hasattr(credentials,
                                          "_is_regional_access_boundary_lookup_required"):
        # Behind a proxy or a stand-in, no background call to iamcredentials.googleapis.com.
        credentials._is_regional_access_boundary_lookup_required = lambda: False
    return credentials


def _host_of(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc.lower()


def identity(info: Mapping[str, Any]) -> str:
    """Who the office shares its spreadsheets with: the service account's address."""
    return str(info.get("client_email") or info.get("account") or info.get("client_id") or "")


# --- the connection: one per config (per command) ----------------------------------------

_PACERS: dict[tuple[str, str], Pacer] = {}
_PACERS_LOCK = threading.Lock()


def _shared_pacer(who: str, endpoint: str, reads: int, writes: int) -> Pacer:
    """One pacer per identity and endpoint for the whole process (the quota is per user)."""
    with _PACERS_LOCK:
        pacer = _PACERS.get((who, endpoint))
        if pacer is None:
            pacer = _PACERS[(who, endpoint)] = Pacer({"read": reads, "write": writes})
        return pacer


@dataclass
class SheetMeta:
    """What the metadata call says about one spreadsheet."""

    key: str
    title: str
    time_zone: str
    locale: str
    tabs: list[dict[str, Any]]
    """Each tab's `properties` (sheetId, title, index, gridProperties, hidden...)."""

    def tab(self, title: str) -> dict[str, Any] | None:
        return next((p for p in self.tabs if p.get("title") == title), None)


class GoogleConnection:
    """A gspread client with Sheet Clerk's transport, and what was learnt this command."""

    def __init__(self, config: OfficeConfig, *, settings: TransportSettings | None = None
                 ) -> None:
        self.config = config
        self.info, self.where = credentials_info(config)
        self.who = identity(self.info)
        google = config.google
        self.settings = settings or TransportSettings(
            endpoint=google.api_endpoint, timeout=google.timeout,
            retry=dataclasses.replace(GOOGLE_RETRY, give_up_after=google.give_up_after),
            pacer=_shared_pacer(self.who, google.api_endpoint, google.reads_per_minute,
                                google.writes_per_minute),
        )
        self.meta: dict[str, SheetMeta] = {}
        self._client: Any = None

    @property
    def log(self) -> CallLog:
        return self.settings.log

    @property
    def client(self) -> Any:
        if self._client is None:
            import gspread

            self._client = gspread.Client(load_credentials(self.info, self.settings.endpoint),
                                          http_client=make_http_client(self.settings))
        return self._client

    @contextmanager
    def talking_to(self, key: str, register: str | None = None) -> Iterator[None]:
        """Google's and the network's failures as one clear SourceError naming the sheet."""
        import gspread
        from google.auth import exceptions as auth_errors

        where = f"registers.{register}" if register else key
        try:
            yield
        except GaveUp as exc:
            raise SourceError("google.gave_up", key=key, where=where, attempts=exc.attempts,
                              seconds=round(exc.seconds), last=_failure(exc.last)) from None
        except gspread.exceptions.APIError as exc:
            status = exc.response.status_code
            message = _api_message(exc)
            if status == 404:
                raise SourceError("google.not_found", key=key, where=where) from None
            if status == 403:
                raise SourceError("google.forbidden", key=key, where=where,
                                  who=self.who or "?") from None
            if status == 401:
                raise SourceError("google.unauthenticated", credentials=self.where) from None
            raise SourceError("google.rejected", key=key, where=where, status=status,
                              detail=message) from None
        except auth_errors.RefreshError as exc:
            raise SourceError("google.credentials_refused", credentials=self.where,
                              detail=_refresh_reason(exc)) from None
        except auth_errors.TransportError as exc:
            raise SourceError("google.unreachable", endpoint=_host(exc),
                              detail=type(exc).__name__) from None
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise SourceError("google.unreachable", endpoint=self.settings.endpoint,
                              detail=type(exc).__name__) from None

    def metadata(self, key: str, register: str | None = None, *, fresh: bool = False
                 ) -> SheetMeta:
        """One metadata call per spreadsheet per command (cached)."""
        if key in self.meta and not fresh:
            return self.meta[key]
        with self.talking_to(key, register):
            raw = self.client.http_client.fetch_sheet_metadata(key)
        props = raw.get("properties", {})
        meta = SheetMeta(
            key=key, title=str(props.get("title", key)),
            time_zone=str(props.get("timeZone") or ""), locale=str(props.get("locale") or ""),
            tabs=[dict(s.get("properties", {})) for s in raw.get("sheets", [])],
        )
        self.meta[key] = meta
        return meta

    def read(self, key: str, register: str | None = None,
             skip_tabs: Iterable[str] = ()) -> RawWorkbook:
        """Every grid tab of a spreadsheet in one values:batchGet after the metadata call."""
        meta = self.metadata(key, register)
        skipped = set(skip_tabs)
        tabs = [p for p in meta.tabs
                if p.get("sheetType", "GRID") == "GRID" and p.get("title") not in skipped]
        value_ranges: list[dict[str, Any]] = []
        if tabs:
            with self.talking_to(key, register):
                answer = self.client.http_client.values_batch_get(
                    key, [quote_title(str(p["title"])) for p in tabs],
                    params={"valueRenderOption": "UNFORMATTED_VALUE",
                            "dateTimeRenderOption": "SERIAL_NUMBER",
                            "majorDimension": "ROWS"})
            value_ranges = list(answer.get("valueRanges", []))
        sheets = [raw_sheet(str(p["title"]), vr.get("values", []), hidden=bool(p.get("hidden")))
                  for p, vr in zip(tabs, value_ranges, strict=False)]
        return RawWorkbook(source=sheet_url(key), sheets=sheets, time_zone=meta.time_zone,
                           serial_dates=True)

    def replace_tabs(self, key: str, tabs: Mapping[str, Sequence[Sequence[Any]]],
                     register: str | None = None) -> list[str]:
        """Create or replace the named tabs (and no other) with these rows: one
        spreadsheets:batchUpdate (delete the old tab, add it afresh, header frozen) and one
        values:batchUpdate (RAW, so nothing written is taken as a formula)."""
        if not tabs:
            return []
        meta = self.metadata(key, register)
        used = {int(p["sheetId"]) for p in meta.tabs if "sheetId" in p}
        requests_: list[dict[str, Any]] = []
        data: list[dict[str, Any]] = []
        end = len(meta.tabs)
        for title, rows in tabs.items():
            values = [[plain_value(v) for v in row] for row in rows]
            width = max((len(r) for r in values), default=1) or 1
            old = meta.tab(title)
            index = end
            if old is not None:
                requests_.append({"deleteSheet": {"sheetId": old["sheetId"]}})
                index = int(old.get("index", end))
            sheet_id = new_sheet_id(used)
            used.add(sheet_id)
            grid = {"rowCount": max(len(values), 2), "columnCount": width,
                    "frozenRowCount": 1 if values else 0}
            requests_.append({"addSheet": {"properties": {
                "sheetId": sheet_id, "title": title, "index": index, "gridProperties": grid}}})
            if values:
                data.append({"range": quote_title(title) + "!A1", "majorDimension": "ROWS",
                             "values": values})
        with self.talking_to(key, register):
            self.client.http_client.batch_update(key, {"requests": requests_})
            if data:
                self.client.http_client.values_batch_update(
                    key, {"valueInputOption": "RAW", "data": data})
        self.meta.pop(key, None)
        return list(tabs)


def new_sheet_id(used: set[int]) -> int:
    while True:
        candidate = random.randint(1, 2_000_000_000)
        if candidate not in used:
            return candidate


def _api_message(exc: Any) -> str:
    try:
        error = exc.response.json().get("error", {})
        return str(error.get("message") or exc.response.reason)
    except ValueError:
        return str(exc.response.reason or exc.response.status_code)


def _refresh_reason(exc: BaseException) -> str:
    """The token endpoint's own reason (error and description), never the request."""
    args = getattr(exc, "args", ())
    for arg in args[1:]:
        if isinstance(arg, dict):
            parts = [str(arg.get("error", "")), str(arg.get("error_description", ""))]
            reason = ": ".join(p for p in parts if p)
            if reason:
                return reason
    text = str(args[0]) if args else type(exc).__name__
    return text.split("{", 1)[0].strip(" :") or type(exc).__name__


def _host(exc: BaseException) -> str:
    text = str(exc)
    for word in text.split():
        if "://" in word:
            return word.strip("'\"(),")
    return "oauth2"


def raw_sheet(title: str, values: list[list[Any]], *, hidden: bool = False) -> RawSheet:
    """Google's trimmed rows as a rectangular sheet from A1, formula errors set aside."""
    width = max((len(r) for r in values), default=0)
    rows: list[list[Any]] = []
    errors: dict[tuple[int, int], str] = {}
    for r, row in enumerate(values):
        cells = list(row) + [""] * (width - len(row))
        for c, cell in enumerate(cells):
            if isinstance(cell, str) and cell in ERROR_VALUES:
                errors[(r, c)] = cell
                cells[c] = ""
        rows.append(cells)
    return RawSheet(name=title, rows=rows, errors=errors, visible=not hidden)


# --- the Source ---------------------------------------------------------------------------


def connection_for(config: OfficeConfig) -> GoogleConnection:
    """The config's one connection for this command (made on first use)."""
    if config._google is None:
        config._google = GoogleConnection(config)
    connection: GoogleConnection = config._google
    return connection


@dataclass
class GoogleSource:
    """A register kept in a Google spreadsheet. Read-only but for `write_tabs` (opt-in)."""

    config: OfficeConfig
    register: str
    key: str

    @property
    def label(self) -> str:
        return sheet_url(self.key)

    @property
    def path(self) -> None:
        """Not a local file: no safety pass to run elsewhere, nothing to cache by."""
        return None

    def size(self) -> int:
        return 0

    def read(self, facts: object = None) -> RawWorkbook:
        owned = {self.config.output.results_tab, self.config.output.kpi_tab,
                 self.config.output.reminder_tab}
        return connection_for(self.config).read(self.key, self.register, skip_tabs=owned)

    def snapshot(self, folder: Path, created: datetime) -> Snapshot:
        """The spreadsheet read once (2 API calls) and kept in `folder` as a values-only
        xlsx named after its title, its dates as dates: that export is what a snapshot
        holds and everything in it is made from."""
        workbook = self.read()
        title = connection_for(self.config).metadata(self.key, self.register).title
        target = folder / safe_file_name(f"{title or self.register}.xlsx")
        folder.mkdir(parents=True, exist_ok=True)
        write_values_xlsx(dated_sheets(self.register, workbook, self.config), target,
                          title=title, created=created)
        return Snapshot(target, sha256_file(target), self.label)

    def write_tabs(self, tabs: Tabs, *, expected: str | None = None,
                   backups: Path | None = None) -> str:
        """The owned tabs replaced in one structural and one values call (`expected` and
        `backups` are a file's: the spreadsheet keeps its own version history)."""
        connection = connection_for(self.config)
        try:
            title = connection.metadata(self.key, self.register).title
            done = connection.replace_tabs(self.key, tabs, self.register)
        except SourceError as exc:
            raise WriteBackSkipped(exc.key, **exc.values) from None
        return t("google.written", tabs=t("list.separator").join(done), title=title,
                 url=sheet_url(self.key))


def dated_sheets(register: str, workbook: RawWorkbook, config: OfficeConfig) -> list[RawSheet]:
    """The workbook's sheets with the serial numbers of its date and date-time columns
    turned into dates (date-times in the office's time zone), as a file would hold them."""
    zones = zones_apart(workbook.time_zone, config.office.timezone)
    converted: dict[str, RawSheet] = {}
    for located in locate_tables(REGISTERS[register], workbook).values():
        name = located.sheet.name
        sheet = converted.setdefault(name, dataclasses.replace(
            located.sheet, rows=[list(row) for row in located.sheet.rows]))
        for column_key, index in located.columns.items():
            kind = located.table.column(column_key).kind
            if kind not in (Kind.DATE, Kind.DATETIME):
                continue
            for row in sheet.rows[located.header_row + 1:]:
                if index < len(row) and is_date_serial(row[index]):
                    moment = serial_to_date(row[index])
                    if kind is Kind.DATETIME and zones and isinstance(moment, datetime):
                        moment = moment.replace(tzinfo=ZoneInfo(zones[0])).astimezone(
                            ZoneInfo(zones[1])).replace(tzinfo=None)
                    row[index] = moment
    return [converted.get(sheet.name, sheet) for sheet in workbook.sheets]
