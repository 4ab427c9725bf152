"""`clerk serve`: the buttons for Excel on the web and Google Sheets. The xlwings client in
the workbook (Office Scripts, Apps Script, or the VBA remote client) posts the whole book as
JSON to `POST /buttons/<name>`; the answer is the list of actions the client replays.

One book is handled at a time: xlwings sends app-level actions to the most recently opened
book, and `bagit` (the archive button) changes the process's working folder.
"""

from __future__ import annotations

import hmac
import json
import os
import threading
from datetime import date
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from .buttons import BUTTONS, press
from .config import OfficeConfig
from .errors import ConfigError
from .i18n import current_locale, t

CLIENT_ACTIONS = frozenset({
    "setValues", "setRangeColor", "addSheet", "setSheetName", "activateSheet",
    "sheetDelete", "sheetClear", "sheetClearContents", "sheetClearFormats",
    "rangeClear", "rangeClearContents", "rangeClearFormats",
    "alert", "setNumberFormat", "addHyperlink",
})
"""Actions both the VBA and the Apps Script clients of xlwings implement (and Office
Scripts): values, colours, sheets, clearing, alerts, number formats, hyperlinks."""
LICENSE_ENV = "XLWINGS_LICENSE_KEY"


def server_token(config: OfficeConfig, env: dict[str, str] | None = None) -> str:
    """The shared secret every request must carry, from the variable the config names."""
    environ = os.environ if env is None else env
    token = environ.get(config.server.token_env, "").strip()
    if len(token) < 16:
        raise ConfigError("server.no_token", env=config.server.token_env)
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
               today: date | None = None) -> Any:
    """The FastAPI app. `today` pins the date the buttons work with (tests, demos)."""
    import xlwings as xw

    secret = token or server_token(config)
    check_license()
    _remote_engine()
    one_book = threading.Lock()
    limit = config.server.max_payload_mb * 1024 * 1024
    app = FastAPI(title="Sheet Clerk", docs_url=None, redoc_url=None, openapi_url=None)

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
                    options = {"today": today} if today is not None else {}
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
