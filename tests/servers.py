"""Real servers on 127.0.0.1 for tests that deliver messages: an SMTP server (aiosmtpd)
and a group-robot HTTP server that checks DingTalk / WeCom / Feishu requests the way the
platforms do (token, signature, timestamp freshness, size) and answers like them.

Use the fixtures (`smtp_server`, `smtp_server_factory`, `robot_server`) from a test
module with

    pytest_plugins = ["servers"]

and read the credentials from the fixture (`smtp_server.password`, `robot_server.token`,
`robot_server.dingtalk_secret`). Importing names from this module at the top of a test
module works too, but then pytest cannot rewrite its asserts (a warning), and importing the
fixture functions by name makes ruff report every test parameter of that name (F811).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

SMTP_USER = "office@example.edu.cn"
SMTP_PASSWORD = "app-password-4242"
ROBOT_TOKEN = "robot0token0for0tests0abcdef123456"
DINGTALK_SECRET = "SECdingtalk0test0secret0abcdef0123456789"
FEISHU_SECRET = "feishu0test0secret0XYZ"

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


# --- SMTP ------------------------------------------------------------------------------


class SMTPTestServer:
    """aiosmtpd on a free port. Stores every accepted message (parsed), the envelopes and
    the logins; `fail(first, last, code)` makes DATA attempts first..last (1-based, counted
    over the server's life) answer `code`, to imitate a server that fails then heals.
    `idle_timeout` closes an idle connection after that many seconds, as servers do."""

    def __init__(self, *, user: str = SMTP_USER, password: str = SMTP_PASSWORD,
                 auth_required: bool = True, idle_timeout: float = 300.0) -> None:
        self.user = user
        self.password = password
        self.auth_required = auth_required
        self.idle_timeout = idle_timeout
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.logins: list[str] = []
        self.failed_logins = 0
        self.data_attempts = 0
        self._replies: dict[int, str] = {}
        self._lock = threading.Lock()
        self.controller: Controller | None = None
        self.host = HOST
        self.port = 0

    def fail(self, first: int, last: int | None = None, code: int = 451,
             text: str | None = None) -> None:
        text = text or ("4.3.0 Try again later" if code < 500 else "5.7.1 Message rejected")
        for attempt in range(first, (last or first) + 1):
            self._replies[attempt] = f"{code} {text}"

    # aiosmtpd hooks --------------------------------------------------------------------
    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str,
                          mail_options: list[str]) -> str:
        # AUTH is required here rather than with aiosmtpd's auth_required, which warns
        # when TLS is not required too (these tests speak plain SMTP on 127.0.0.1).
        if self.auth_required and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.data_attempts += 1
            reply = self._replies.get(self.data_attempts)
            if reply:
                return reply
            self.messages.append(BytesParser(policy=policy.default).parsebytes(
                envelope.original_content or envelope.content))
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 2.0.0 OK queued"

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str,
                      auth_data: Any) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            login = auth_data.login.decode("utf-8", "replace")
            password = auth_data.password.decode("utf-8", "replace")
            if login == self.user and password == self.password:
                with self._lock:
                    self.logins.append(login)
                return AuthResult(success=True)
        with self._lock:
            self.failed_logins += 1
        return AuthResult(success=False, handled=False)

    # life ------------------------------------------------------------------------------
    def start(self) -> SMTPTestServer:
        for _ in range(5):  # a free port may be taken between probing and binding
            self.port = free_port()
            controller = Controller(
                self, hostname=HOST, port=self.port, authenticator=self._authenticate,
                auth_require_tls=False,
                timeout=self.idle_timeout, ready_timeout=5.0)
            try:
                controller.start()
            except Exception:
                continue
            self.controller = controller
            return self
        raise RuntimeError("could not start the test SMTP server")

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def __enter__(self) -> SMTPTestServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@pytest.fixture
def smtp_server() -> Iterator[SMTPTestServer]:
    """A started SMTPTestServer with the default user and password."""
    with SMTPTestServer() as server:
        yield server


@pytest.fixture
def smtp_server_factory() -> Iterator[Callable[..., SMTPTestServer]]:
    """Start SMTPTestServers with other settings (`idle_timeout`, `auth_required`, ...);
    all are stopped after the test."""
    started: list[SMTPTestServer] = []

    def start(**options: Any) -> SMTPTestServer:
        server = SMTPTestServer(**options).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


# --- Group robots ----------------------------------------------------------------------

DINGTALK_LIMIT = 20_000  # markdown text bytes
WECOM_MARKDOWN_LIMIT = 4_096
WECOM_TEXT_LIMIT = 2_048
FEISHU_BODY_LIMIT = 20 * 1024
SIGNATURE_WINDOW = 3600  # both platforms: the timestamp must be within one hour

RATE_LIMITED: dict[str, dict[str, Any]] = {
    "dingtalk": {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"},
    "wecom": {"errcode": 45009, "errmsg": "api freq out of limit"},
    "feishu": {"code": 11232, "msg": "frequency limited psm[lark.oapi.app_platform_runtime]"},
}
OK: dict[str, dict[str, Any]] = {
    "dingtalk": {"errcode": 0, "errmsg": "ok"},
    "wecom": {"errcode": 0, "errmsg": "ok"},
    "feishu": {"StatusCode": 0, "StatusMessage": "success", "code": 0, "data": {},
               "msg": "success"},
}


@dataclass
class RobotPost:
    platform: str
    path: str
    query: dict[str, str]
    body: Any
    raw: bytes
    status: int = 200
    answer: Any = None

    @property
    def accepted(self) -> bool:
        return self.status == 200 and self.answer in OK.values()


@dataclass
class _Trouble:
    count: int
    status: int | None = None  # an HTTP status, else the platform's rate-limit answer
    retry_after: str | None = None


@dataclass
class RobotServer:
    """DingTalk at /dingtalk/robot/send?access_token=..., WeCom at
    /wecom/cgi-bin/webhook/send?key=..., Feishu at /feishu/open-apis/bot/v2/hook/<token>.
    A secret of None means the robot does not require signing."""

    dingtalk_secret: str | None = DINGTALK_SECRET
    feishu_secret: str | None = FEISHU_SECRET
    token: str = ROBOT_TOKEN
    requests: list[RobotPost] = field(default_factory=list)
    _trouble: dict[str, list[_Trouble]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    # addresses -------------------------------------------------------------------------
    @property
    def base(self) -> str:
        assert self._server is not None
        return f"http://{HOST}:{self._server.server_address[1]}"

    @property
    def dingtalk_webhook(self) -> str:
        return f"{self.base}/dingtalk/robot/send?access_token={self.token}"

    @property
    def wecom_webhook(self) -> str:
        return f"{self.base}/wecom/cgi-bin/webhook/send?key={self.token}"

    @property
    def feishu_webhook(self) -> str:
        return f"{self.base}/feishu/open-apis/bot/v2/hook/{self.token}"

    def webhook(self, platform: str) -> str:
        return str(getattr(self, f"{platform}_webhook"))

    def posts(self, platform: str | None = None) -> list[RobotPost]:
        """The requests the robot accepted (delivered to the group), in order."""
        with self._lock:
            return [p for p in self.requests
                    if p.accepted and (platform is None or p.platform == platform)]

    # misbehaviour ----------------------------------------------------------------------
    def throttle(self, platform: str, count: int, *, http_status: int | None = None,
                 retry_after: str | None = None) -> None:
        """The next `count` requests to `platform` answer its rate-limit error (or
        `http_status`, e.g. 429, with `Retry-After` when given)."""
        with self._lock:
            self._trouble.setdefault(platform, []).append(
                _Trouble(count, http_status, retry_after))

    # the platforms' checks -------------------------------------------------------------
    def _check_dingtalk(self, query: dict[str, str], body: Any) -> dict[str, Any] | None:
        if query.get("access_token") != self.token:
            return {"errcode": 300001, "errmsg": "token is not exist"}
        if self.dingtalk_secret is not None:
            stamp, sign = query.get("timestamp", ""), query.get("sign", "")
            late = stamp.isdigit() and abs(time.time() * 1000 - int(stamp)) > SIGNATURE_WINDOW * 1e3
            if not stamp.isdigit() or late:
                return {"errcode": 310000, "errmsg": "sign not match, timestamp is invalid"}
            key = self.dingtalk_secret.encode()
            want = base64.b64encode(hmac.new(key, f"{stamp}\n{self.dingtalk_secret}".encode(),
                                             hashlib.sha256).digest()).decode()
            if not hmac.compare_digest(want, sign):
                return {"errcode": 310000, "errmsg": "sign not match"}
        if body.get("msgtype") not in ("markdown", "text"):
            return {"errcode": 40035, "errmsg": "缺少参数 msgtype"}
        text = (body.get("markdown") or {}).get("text", "") + (body.get("text") or {}).get(
            "content", "")
        if len(text.encode("utf-8")) > DINGTALK_LIMIT:
            return {"errcode": 460101, "errmsg": "message too long, exceed 20000 bytes"}
        return None

    def _check_wecom(self, query: dict[str, str], body: Any) -> dict[str, Any] | None:
        if query.get("key") != self.token:
            return {"errcode": 93000, "errmsg": "invalid webhook url"}
        kind = body.get("msgtype")
        if kind == "markdown":
            size, limit = len(body["markdown"]["content"].encode("utf-8")), WECOM_MARKDOWN_LIMIT
        elif kind == "text":
            size, limit = len(body["text"]["content"].encode("utf-8")), WECOM_TEXT_LIMIT
        else:
            return {"errcode": 40008, "errmsg": "invalid message type"}
        if size > limit:
            return {"errcode": 40058, "errmsg": f"{kind}.content exceed max length {limit}"}
        return None

    def _check_feishu(self, path: str, body: Any, raw: bytes) -> dict[str, Any] | None:
        if path.rstrip("/").rpartition("/")[2] != self.token:
            return {"code": 19001, "msg": "param invalid: incoming webhook access token invalid"}
        if self.feishu_secret is not None:
            stamp, sign = str(body.get("timestamp", "")), str(body.get("sign", ""))
            key = f"{stamp}\n{self.feishu_secret}".encode()
            want = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
            fresh = stamp.isdigit() and abs(time.time() - int(stamp)) <= SIGNATURE_WINDOW
            if not fresh or not hmac.compare_digest(want, sign):
                return {"code": 19021, "msg": "sign match fail or timestamp is not within one "
                                              "hour from current time"}
        if len(raw) > FEISHU_BODY_LIMIT or body.get("msg_type") not in ("text", "post"):
            return {"code": 9499, "msg": "Bad Request", "data": {}}
        return None

    def handle(self, path: str, raw: bytes) -> tuple[int, dict[str, str], Any]:
        parts = urllib.parse.urlsplit(path)
        platform = parts.path.strip("/").partition("/")[0]
        query = dict(urllib.parse.parse_qsl(parts.query))
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            body = None
        record = RobotPost(platform, parts.path, query, body, raw)
        status, headers = 200, {}
        answer: Any = None
        with self._lock:
            pending = self._trouble.get(platform) or []
            trouble = pending[0] if pending else None
            if trouble:
                trouble.count -= 1
                if trouble.count <= 0:
                    pending.pop(0)
        if platform not in OK:
            status, answer = 404, {"error": "not found"}
        elif not isinstance(body, dict):
            status, answer = 400, {"errcode": 40001, "errmsg": "invalid json"}
        elif trouble and trouble.status:
            status, answer = trouble.status, {"errcode": trouble.status, "errmsg": "busy"}
            if trouble.retry_after is not None:
                headers["Retry-After"] = trouble.retry_after
        else:
            if platform == "dingtalk":
                answer = self._check_dingtalk(query, body)
            elif platform == "wecom":
                answer = self._check_wecom(query, body)
            else:
                answer = self._check_feishu(parts.path, body, raw)
            if answer is None and trouble:
                answer = RATE_LIMITED[platform]
            answer = answer or OK[platform]
        record.status, record.answer = status, answer
        with self._lock:
            self.requests.append(record)
        return status, headers, answer

    # life ------------------------------------------------------------------------------
    def start(self) -> RobotServer:
        robot = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                status, headers, answer = robot.handle(self.path, raw)
                data = json.dumps(answer, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer((HOST, 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> RobotServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@pytest.fixture
def robot_server() -> Iterator[RobotServer]:
    """A started RobotServer requiring signatures (DINGTALK_SECRET, FEISHU_SECRET); set
    `dingtalk_secret` / `feishu_secret` to None for a robot without signing."""
    with RobotServer() as server:
        yield server
