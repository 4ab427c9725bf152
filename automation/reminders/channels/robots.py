"""Group robots: DingTalk, WeCom and Feishu custom robots, on one shared base (`Robot`):
signing secret, the 20-a-minute rate limit, POST with retries, and the platforms' own
message size limits.

Secrets (a robot's signing secret, the token or key in a webhook address) are read from
the environment only when needed and never appear in an exception, a message or a log
line: webhook addresses are always shown redacted.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import hmac
import json
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ..._retry import RateLimiter, retry_after_seconds
from ...config import RobotChannel
from ...i18n import t
from ..message import DeliveryError, Message
from .base import HTTP_TIMEOUT, USER_AGENT, Transient, with_retries
from .splitting import cut, json_bytes, numbered, split_lines, split_markdown, utf8_size

# --- Platform limits (bytes of UTF-8), checked against the platforms' own documentation ---
DINGTALK_MARKDOWN_BYTES = 20_000
"""DingTalk custom robot, `markdown.text`: 20,000 bytes is the figure DingTalk's robot
message limits are quoted with; its message-type page does not print one for markdown,
so this is the documented text-message ceiling applied to markdown too."""
WECOM_MARKDOWN_BYTES = 4_096
"""WeCom group robot (developer.work.weixin.qq.com, 群机器人配置说明): markdown `content`
最长不超过4096个字节, UTF-8."""
WECOM_TEXT_BYTES = 2_048
"""Same page: text `content` 最长不超过2048个字节."""
FEISHU_BODY_BYTES = 20_000
"""Feishu custom bot guide (自定义机器人使用指南): 请求体的数据大小不能超过 20 KB. This
is the whole JSON body, not only the text, so parts are measured as serialised bodies."""

# --- Rate limits -----------------------------------------------------------------------
ROBOT_PER_MINUTE = 20
"""RULES.md: at most 20 messages a minute per robot. DingTalk documents exactly this
(每个机器人每分钟最多发送20条, then 10 minutes of throttling), WeCom too (不能超过20条/分钟);
Feishu allows 100/min, so 20 is the common ceiling."""
FEISHU_PER_SECOND = 5
"""Feishu custom bot guide: 100 次/分钟, 5 次/秒 — the per-second cap matters for bursts."""

DINGTALK_RATE_LIMITED = {130101}  # send too fast, exceed 20 times per minute
WECOM_RATE_LIMITED = {45009}  # api freq out of limit
FEISHU_RATE_LIMITED = {11232, 99991400}  # frequency limited (message service / gateway)
FEISHU_AMBIGUOUS = 9499  # "Bad Request", also sent as "too many request": transient only then

Builder = Callable[[], tuple[str, bytes]]
"""Builds one robot request (address, body) afresh at each attempt: signatures expire."""

_LINK = re.compile(r"\[([^\]]+)\]\(((?:https?://|mailto:)[^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def redact_url(url: str) -> str:
    """A webhook address safe to show: the query (DingTalk's access_token, WeCom's key)
    and, without a query, the last path segment (Feishu's hook token) become ***."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "***"
    path = parts.path
    if not parts.query and path.strip("/"):
        head, _, _ = path.rstrip("/").rpartition("/")
        path = f"{head}/***"
    return urllib.parse.urlunsplit(
        (parts.scheme, parts.hostname or "", path, "***" if parts.query else "", ""))


class Robot:
    """Shared by the three group robots: signing secret, rate limit, POST with retries."""

    name = "robot"
    limits: tuple[tuple[int, float], ...] = ((ROBOT_PER_MINUTE, 60.0),)

    def __init__(self, config: RobotChannel, *, env: Mapping[str, str],
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.webhook = config.webhook.strip()
        self.secret_env = config.secret_env
        self.env = env
        self.sleep = sleep
        self.limiter = RateLimiter(self.limits, clock, sleep)
        self.shown = redact_url(self.webhook)
        scheme = urllib.parse.urlsplit(self.webhook).scheme
        self.valid = scheme in ("http", "https")
        host = urllib.parse.urlsplit(self.webhook).hostname or ""
        handlers = [urllib.request.ProxyHandler({})] if host in _LOOPBACK else []
        self.opener = urllib.request.build_opener(*handlers)

    # secrets ---------------------------------------------------------------------------
    def secret(self) -> str | None:
        if not self.secret_env:
            return None
        value = self.env.get(self.secret_env)
        if not value:
            raise DeliveryError(t("channel.secret_missing", channel=self.name,
                                  env=self.secret_env), transient=False)
        return value

    def scrub(self, text: str) -> str:
        """Remove anything secret from text that came from outside (a server's answer)."""
        hidden = [self.webhook, urllib.parse.urlsplit(self.webhook).query]
        hidden += [part for part in urllib.parse.urlsplit(self.webhook).path.split("/")
                   if len(part) >= 16]
        if self.secret_env and self.env.get(self.secret_env):
            hidden.append(self.env[self.secret_env])
        for value in sorted(filter(None, hidden), key=len, reverse=True):
            text = text.replace(value, "***")
        return " ".join(text.split())[:300]

    # delivery --------------------------------------------------------------------------
    def send(self, message: Message) -> None:
        if not self.valid:
            raise DeliveryError(t("channel.bad_webhook", channel=self.name, url=self.shown),
                                transient=False)
        for build in self.requests(message):
            with_retries(functools.partial(self._attempt, build), self.sleep,
                         f"{self.name} message to {message.person_id}")

    def _attempt(self, build: Builder) -> None:
        self._post(*build())

    def requests(self, message: Message) -> list[Builder]:
        """One builder per POST, called again at every attempt (fresh signatures)."""
        raise NotImplementedError

    def check(self, answer: dict[str, Any]) -> None:
        """Raise DeliveryError if the platform's JSON answer says it refused the message."""
        raise NotImplementedError

    def _post(self, url: str, body: bytes) -> None:
        self.limiter.wait()
        request = urllib.request.Request(
            url, data=body, method="POST",
            headers={"Content-Type": "application/json; charset=utf-8",
                     "User-Agent": USER_AGENT})
        try:
            with self.opener.open(request, timeout=HTTP_TIMEOUT) as response:
                raw = response.read(1 << 20)
        except urllib.error.HTTPError as exc:
            status = exc.code
            retry_after = retry_after_seconds(
                exc.headers.get("Retry-After") if exc.headers is not None else None)
            with contextlib.suppress(Exception):
                exc.close()
            detail = t("channel.http_status", channel=self.name, url=self.shown, status=status)
            if status == 429 or status >= 500:
                raise Transient(detail, retry_after) from None
            raise DeliveryError(detail, transient=False) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            kind = "timeout" if isinstance(reason, TimeoutError | socket.timeout) else ""
            detail = self.scrub(kind or str(reason) or type(reason).__name__)
            raise Transient(t("channel.http_unreachable", channel=self.name, url=self.shown,
                              detail=detail)) from None
        try:
            answer = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            answer = None
        if not isinstance(answer, dict):
            raise DeliveryError(t("channel.bad_answer", channel=self.name, url=self.shown),
                                transient=False)
        self.check(answer)

    def refused(self, code: Any, detail: Any, transient: bool) -> DeliveryError:
        text = t("channel.robot_error", channel=self.name, code=code,
                 detail=self.scrub(str(detail or "")))
        return Transient(text) if transient else DeliveryError(text, transient=False)

    def close(self) -> None:
        pass


def _with_query(url: str, extra: dict[str, str]) -> str:
    joiner = "&" if urllib.parse.urlsplit(url).query else ("" if url.endswith("?") else "?")
    return url + joiner + urllib.parse.urlencode(extra)


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk: base64(HMAC-SHA256(key=secret, msg="{timestamp}\\n{secret}")); it is
    URL-quoted when appended to the webhook as `&timestamp=..&sign=..`."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(),
                      hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu: base64(HMAC-SHA256(key="{timestamp}\\n{secret}", msg=b""))."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def _mobiles(mentions: Iterable[str]) -> list[str]:
    out: list[str] = []
    for phone in mentions:
        cleaned = re.sub(r"[\s()\-]", "", phone or "")
        if cleaned and cleaned not in out:
            out.append(cleaned)
    return out


class DingTalkRobot(Robot):
    """DingTalk custom robot: markdown, signed when `secret_env` is set, @ by mobile."""

    name = "dingtalk"

    def requests(self, message: Message) -> list[Builder]:
        mobiles = _mobiles(message.mentions)
        at_line = " ".join(f"@{mobile}" for mobile in mobiles)
        text = message.text.rstrip("\n") + (f"\n\n{at_line}" if at_line else "")
        parts = split_markdown(text, message.subject, DINGTALK_MARKDOWN_BYTES)
        total = len(parts)
        builders: list[Builder] = []
        for index, part in enumerate(parts, 1):
            mention = bool(at_line) and at_line in part
            payload = {
                "msgtype": "markdown",
                "markdown": {"title": numbered(message.subject, index, total), "text": part},
                "at": {"atMobiles": mobiles if mention else [], "isAtAll": False},
            }
            builders.append(functools.partial(self._signed, payload))
        return builders

    def _signed(self, payload: dict[str, Any]) -> tuple[str, bytes]:
        return self._signed_url(), json_bytes(payload)

    def _signed_url(self) -> str:
        secret = self.secret()
        if secret is None:
            return self.webhook
        timestamp = int(time.time() * 1000)
        return _with_query(self.webhook, {"timestamp": str(timestamp),
                                          "sign": dingtalk_sign(secret, timestamp)})

    def check(self, answer: dict[str, Any]) -> None:
        code = answer.get("errcode", 0)
        if code not in (0, "0", None):
            raise self.refused(code, answer.get("errmsg"), code in DINGTALK_RATE_LIMITED)


class WeComRobot(Robot):
    """WeCom group robot: markdown (4,096 bytes), then a text @-mentioning by mobile."""

    name = "wecom"

    def requests(self, message: Message) -> list[Builder]:
        bodies: list[dict[str, Any]] = [{"msgtype": "markdown", "markdown": {"content": part}}
                  for part in split_markdown(message.text, message.subject,
                                             WECOM_MARKDOWN_BYTES)]
        mobiles = _mobiles(message.mentions)
        if mobiles:
            note = t("channel.wecom_mention", message.locale, subject=message.subject)
            note = cut(note, lambda s: utf8_size(s) <= WECOM_TEXT_BYTES)[0]
            bodies.append({"msgtype": "text",
                           "text": {"content": note, "mentioned_mobile_list": mobiles}})
        return [functools.partial(self._plain, body) for body in bodies]

    def _plain(self, body: dict[str, Any]) -> tuple[str, bytes]:
        return self.webhook, json_bytes(body)

    def check(self, answer: dict[str, Any]) -> None:
        code = answer.get("errcode", 0)
        if code not in (0, "0", None):
            raise self.refused(code, answer.get("errmsg"), code in WECOM_RATE_LIMITED)


class FeishuRobot(Robot):
    """Feishu custom bot: a rich-text `post`, signed in the body; no @ by phone."""

    name = "feishu"
    limits = ((ROBOT_PER_MINUTE, 60.0), (FEISHU_PER_SECOND, 1.0))

    @staticmethod
    def paragraph(line: str) -> list[dict[str, str]]:
        """One line of Markdown as Feishu post elements: links become `a` tags, heading
        marks and bold stars are dropped (a post does not render Markdown)."""
        line = _HEADING.sub(r"\2", line)
        line = _BOLD.sub(r"\1", line)
        elements: list[dict[str, str]] = []
        position = 0
        for match in _LINK.finditer(line):
            if match.start() > position:
                elements.append({"tag": "text", "text": line[position:match.start()]})
            elements.append({"tag": "a", "text": match.group(1), "href": match.group(2)})
            position = match.end()
        if position < len(line) or not elements:
            elements.append({"tag": "text", "text": line[position:]})
        return elements

    def _body(self, title: str, lines: Sequence[str], language: str,
              signature: dict[str, str]) -> dict[str, Any]:
        return {
            **signature,
            "msg_type": "post",
            "content": {"post": {language: {
                "title": title,
                "content": [self.paragraph(line) for line in lines],
            }}},
        }

    def requests(self, message: Message) -> list[Builder]:
        language = "en_us" if message.locale.startswith("en") else "zh_cn"
        placeholder = {"timestamp": "9999999999", "sign": "x" * 44}  # as long as the real ones
        title = f"{message.subject} (999/999)"
        base = len(json_bytes(self._body(title, [], language, placeholder)))
        budget = FEISHU_BODY_BYTES - base

        def cost(line: str) -> int:
            return len(json_bytes(self.paragraph(line))) + 1

        parts = split_lines(message.text.split("\n"), cost, budget)
        total = len(parts)
        return [functools.partial(self._signed, numbered(message.subject, index, total), lines,
                                  language) for index, lines in enumerate(parts, 1)]

    def _signed(self, title: str, lines: Sequence[str], language: str) -> tuple[str, bytes]:
        return self.webhook, json_bytes(self._body(title, lines, language, self._signature()))

    def _signature(self) -> dict[str, str]:
        secret = self.secret()
        if secret is None:
            return {}
        timestamp = int(time.time())
        return {"timestamp": str(timestamp), "sign": feishu_sign(secret, timestamp)}

    def check(self, answer: dict[str, Any]) -> None:
        code = answer.get("code", answer.get("StatusCode", 0))
        if code in (0, "0", None):
            return
        detail = str(answer.get("msg") or answer.get("StatusMessage") or "")
        transient = code in FEISHU_RATE_LIMITED or (
            code == FEISHU_AMBIGUOUS and re.search(r"too many|frequen|limit", detail, re.I))
        raise self.refused(code, detail, bool(transient))


ROBOTS: dict[str, type[Robot]] = {
    "dingtalk": DingTalkRobot, "wecom": WeComRobot, "feishu": FeishuRobot,
}

__all__ = [
    "DINGTALK_MARKDOWN_BYTES",
    "FEISHU_BODY_BYTES",
    "ROBOTS",
    "ROBOT_PER_MINUTE",
    "WECOM_MARKDOWN_BYTES",
    "DingTalkRobot",
    "FeishuRobot",
    "Robot",
    "WeComRobot",
    "dingtalk_sign",
    "feishu_sign",
    "redact_url",
]
