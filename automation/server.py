"""`clerk serve`: the buttons for Excel on the web and Google Sheets. The xlwings client in
the workbook (Office Scripts, Apps Script, or the VBA remote client) posts the whole book as
JSON to `POST /buttons/<name>`; the answer is the list of actions the client replays.

One book is handled at a time: xlwings sends app-level actions to the most recently opened
book, and `bagit` (the archive button) changes the process's working folder.

The server keeps the registers it has read (`load_cache.LoadCache`): a click reads again only
the other registers' files that changed since the last click, and the clicked book itself.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as time_of_day
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from .buttons import BUTTONS, press
from .config import OfficeConfig
from .errors import ConfigError
from .i18n import current_locale, t
from .load_cache import LoadCache
from .publish.book import MARK_COLOURS

CLIENT_ACTIONS = frozenset({
    "setValues", "setRangeColor", "addSheet", "setSheetName", "activateSheet",
    "sheetDelete", "sheetClear", "sheetClearContents", "sheetClearFormats",
    "rangeClear", "rangeClearContents", "rangeClearFormats",
    "alert", "setNumberFormat", "addHyperlink",
})
"""Actions both the VBA and the Apps Script clients of xlwings implement (and Office
Scripts): values, colours, sheets, clearing, alerts, number formats, hyperlinks."""
LICENSE_ENV = "XLWINGS_LICENSE_KEY"
MIN_TOKEN_LENGTH = 16
"""A shorter secret could be guessed by anyone who can reach the port."""


def server_token(config: OfficeConfig, env: dict[str, str] | None = None) -> str:
    """The shared secret every request must carry, from the variable the config names."""
    environ = os.environ if env is None else env
    token = environ.get(config.server.token_env, "").strip()
    if not token:
        raise ConfigError("server.no_token", env=config.server.token_env)
    if len(token) < MIN_TOKEN_LENGTH:
        raise ConfigError("server.short_token", env=config.server.token_env,
                          length=len(token))
    return token


def check_license(env: dict[str, str] | None = None) -> None:
    environ = os.environ if env is None else env
    if not environ.get(LICENSE_ENV, "").strip():
        raise ConfigError("server.no_license", env=LICENSE_ENV)


def _remote_engine() -> None:
    """xlwings registers its remote engine only if the licence key was set when it was first
    imported; register it now if it was imported earlier (the key is checked by then)."""
    import xlwings as xw

    if "remote" not in [engine.name for engine in xw.engines]:
        from xlwings.main import Engine
        from xlwings.pro import _xlremote

        xw.engines.add(Engine(impl=_xlremote.engine))


def create_app(config: OfficeConfig, *, token: str | None = None,
               today: date | None = None, cache: LoadCache | bool = True) -> Any:
    """The FastAPI app. `today` pins the date the buttons work with (tests, demos).
    `cache`: the registers kept between clicks — True for a new one (the default), False
    to read every register on every click, or a LoadCache to share; `app.state.load_cache`."""
    import xlwings as xw

    secret = token or server_token(config)
    check_license()
    _remote_engine()
    one_book = threading.Lock()
    loaded = cache if isinstance(cache, LoadCache) else LoadCache() if cache else None
    limit = config.server.max_payload_mb * 1024 * 1024
    app = FastAPI(title="Sheet Clerk", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.load_cache = loaded

    def refuse(status: int, key: str, **values: Any) -> JSONResponse:
        return JSONResponse({"error": t(key, config.locale, **values)}, status_code=status)

    @app.get("/health")
    def health() -> dict[str, str]:
        from . import __version__

        return {"status": "ok", "clerk": __version__, "xlwings": xw.__version__}

    @app.post("/buttons/{name}")
    async def button(name: str, request: Request) -> JSONResponse:
        given = request.headers.get("authorization", "")
        given = given[7:] if given.lower().startswith("bearer ") else given
        if not hmac.compare_digest(given.strip().encode(), secret.encode()):
            return refuse(401, "server.unauthorized")
        if name not in BUTTONS:
            return refuse(404, "server.unknown_button", name=name, known=", ".join(BUTTONS))
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            return refuse(413, "server.too_large", mb=config.server.max_payload_mb)
        body = await request.body()
        if len(body) > limit:
            return refuse(413, "server.too_large", mb=config.server.max_payload_mb)
        try:
            payload = json.loads(body)
        except ValueError:
            return refuse(400, "server.not_json")
        if not isinstance(payload, dict) or not isinstance(payload.get("sheets"), list):
            return refuse(400, "server.not_a_book")
        version = str(payload.get("version", ""))
        if version != xw.__version__:
            return refuse(400, "server.version", client=version or "?", server=xw.__version__)
        payload.setdefault("client", "unknown")
        payload.setdefault("names", [])
        def run() -> dict[str, Any]:
            with one_book:
                token_locale = current_locale.set(config.locale)
                try:
                    book = xw.Book(json=payload)
                    options: dict[str, Any] = {"cache": loaded}
                    if today is not None:
                        options["today"] = today
                    press(name, book, config, **options)
                    answer: dict[str, Any] = book.json()
                    return answer
                finally:
                    current_locale.reset(token_locale)

        actions = await run_in_threadpool(run)
        unsupported = {a["func"] for a in actions["actions"]} - CLIENT_ACTIONS
        if unsupported:  # a programming error: the client would fail half-way through
            return refuse(500, "server.unsupported_action", funcs=", ".join(sorted(unsupported)))
        return JSONResponse(actions)

    return app


def serve(config: OfficeConfig, host: str | None = None, port: int | None = None) -> None:
    """Run the app with uvicorn until Ctrl-C."""
    import uvicorn

    app = create_app(config)
    uvicorn.run(app, host=host or config.server.host, port=port or config.server.port,
                log_level="warning")


@contextmanager
def running(app: Any, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve `app` with uvicorn on a background thread; yields its base URL. Port 0 picks a
    free port, read back from the bound socket."""
    import uvicorn

    web = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    thread = threading.Thread(target=web.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not web.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    if not web.started:
        raise ConfigError("server.no_start", host=host, port=port)
    bound = web.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{bound}"
    finally:
        web.should_exit = True
        thread.join(10)


def vba_client_payload(path: Path) -> dict[str, Any]:
    """The JSON book xlwings' VBA remote client posts for the saved workbook at `path`:
    every sheet's used range from A1, empty cells as null, dates as ISO text with a Z."""
    import openpyxl
    import xlwings as xw

    workbook = openpyxl.load_workbook(path, data_only=True, read_only=True)
    sheets = []
    for sheet in workbook.worksheets:
        rows = [[_iso(value) for value in row] for row in sheet.iter_rows(values_only=True)]
        sheets.append({"name": sheet.title, "values": rows or [[]], "pictures": [],
                       "tables": []})
    workbook.close()
    return {"client": "VBA", "version": xw.__version__,
            "book": {"name": path.name, "active_sheet_index": 0, "selection": "A1"},
            "names": [], "sheets": sheets}


def _iso(value: Any) -> Any:
    """Dates the way the clients write them: `2025-10-20T00:00:00.000Z`."""
    if isinstance(value, date):
        moment = value if isinstance(value, datetime) else datetime.combine(value, time_of_day())
        return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return value


@dataclass
class ButtonDemo:
    """What one 校验 click through the server did, for `clerk demo` to show."""

    url: str
    workbook: str
    actions: int
    findings: int
    errors_marked: int
    warnings_marked: int
    licence_assumed: bool


def demo_button(config: OfficeConfig, workbook: Path, *, today: date | None = None
                ) -> ButtonDemo:
    """Start `clerk serve` on a free local port with a one-off token, post `workbook` the
    way the desktop client would, and count what the answer would change in the book."""
    import requests

    assumed = not os.environ.get(LICENSE_ENV, "").strip()
    if assumed:  # the demo is noncommercial by nature; say so rather than fail
        os.environ[LICENSE_ENV] = "noncommercial"
    token = secrets.token_urlsafe(24)
    app = create_app(config, token=token, today=today)
    payload = vba_client_payload(workbook)
    with running(app) as url:
        answer = requests.post(f"{url}/buttons/validate", json=payload,
                               headers={"Authorization": token}, timeout=300)
    answer.raise_for_status()
    actions = answer.json()["actions"]
    tab = config.output.results_tab
    names = [sheet["name"] for sheet in payload["sheets"]]
    tab_position = names.index(tab) if tab in names else next(
        (a["args"][0] for a in actions if a["func"] == "addSheet" and a["args"][1] == tab), None)
    rows = sum(len(a["values"]) for a in actions
               if a["func"] == "setValues" and a["sheet_position"] == tab_position)
    painted = [a["args"][0] for a in actions if a["func"] == "setRangeColor"]
    return ButtonDemo(url=url, workbook=workbook.name, actions=len(actions),
                      findings=max(rows - 1, 0),
                      errors_marked=painted.count(MARK_COLOURS["error"]),
                      warnings_marked=painted.count(MARK_COLOURS["warning"]),
                      licence_assumed=assumed)
