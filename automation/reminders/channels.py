"""Where a digest goes: an outbox folder, email (SMTP), or a DingTalk / WeCom / Feishu group robot.

Every channel has the same small surface (`Channel`): `send(message)` delivers one
`Message` or raises `DeliveryError`, retrying transient failures itself (3 attempts,
capped jittered back-off, `Retry-After` honoured), and `close()` ends the run.
`open_channel(name, config)` builds one from `office.toml`.

Secrets (the SMTP password, a robot's signing secret, the token or key in a webhook
address) are read from the environment only when needed and never appear in an
exception, a message or a log line: webhook addresses are always shown redacted.
"""

from __future__ import annotations

import base64
import collections
import contextlib
import email.message
import functools
import hashlib
import hmac
import html
import json
import logging
import os
import random
import re
import smtplib
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from email.header import Header
from email.headerregistry import Address, Group
from email.message import EmailMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, parseaddr, parsedate_to_datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from ..config import EmailChannel, OfficeConfig, RobotChannel
from ..errors import ConfigError
from ..i18n import t
from .message import DeliveryError, Message

log = logging.getLogger(__name__)

CHANNELS = ("outbox", "email", "dingtalk", "wecom", "feishu")

# --- Retries ---------------------------------------------------------------------------
MAX_ATTEMPTS = 3
BACKOFF_BASE = 2.0
"""Seconds before the 2nd attempt (then doubled), each multiplied by a jitter in [0.5, 1]."""
BACKOFF_CAP = 30.0
RETRY_AFTER_CAP = 120.0
"""A server's Retry-After is honoured up to this many seconds."""

SMTP_TIMEOUT = 30.0
HTTP_TIMEOUT = 10.0

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

DEFAULT_SENDER = "Sheet Clerk <clerk@localhost>"
USER_AGENT = "sheet-clerk"

T = TypeVar("T")
Builder = Callable[[], tuple[str, bytes]]
"""Builds one robot request (address, body) afresh at each attempt: signatures expire."""


class Channel(Protocol):
    """One way of delivering digests, open for one run."""

    name: str

    def send(self, message: Message) -> None:
        """Deliver `message` or raise DeliveryError (after retrying transient failures)."""

    def close(self) -> None:
        """Release connections; the channel is not used afterwards."""


def open_channel(
    name: str,
    config: OfficeConfig,
    *,
    env: Mapping[str, str] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Channel:
    """The channel `name` as `office.toml` configures it. Nothing connects until the
    first `send`; a channel listed but not configured is a ConfigError."""
    environ: Mapping[str, str] = os.environ if env is None else env
    if name == "outbox":
        return OutboxSender(config)
    if name == "email":
        email = config.channels.email
        if email is None:
            raise ConfigError("channel.not_configured", channel=name)
        return EmailSender(email, env=environ, sleep=sleep)
    robots: dict[str, type[_Robot]] = {
        "dingtalk": DingTalkRobot, "wecom": WeComRobot, "feishu": FeishuRobot,
    }
    if name in robots:
        robot = getattr(config.channels, name)
        if robot is None:
            raise ConfigError("channel.not_configured", channel=name)
        return robots[name](robot, env=environ, clock=clock, sleep=sleep)
    raise ConfigError("channel.unknown", channel=name, known=", ".join(CHANNELS))


# --- Retrying --------------------------------------------------------------------------


class _Retryable(DeliveryError):
    """A transient failure that carries the server's Retry-After, in seconds."""

    def __init__(self, detail: str, retry_after: float | None = None) -> None:
        super().__init__(detail, transient=True)
        self.retry_after = retry_after


def backoff(attempt: int, rng: Callable[[float, float], float] = random.uniform) -> float:
    """Seconds to wait after failed attempt number `attempt` (1-based): capped, jittered."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1))
    return rng(ceiling / 2, ceiling)


def with_retries(action: Callable[[], T], sleep: Callable[[float], None], what: str) -> T:
    """Run `action`; retry a transient DeliveryError up to MAX_ATTEMPTS in all."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            return action()
        except DeliveryError as exc:
            if not exc.transient or attempt == MAX_ATTEMPTS:
                raise
            retry_after = getattr(exc, "retry_after", None)
            wait = min(retry_after, RETRY_AFTER_CAP) if retry_after else backoff(attempt)
            log.info("%s: attempt %d failed (%s); retrying in %.1f s",
                     what, attempt, exc.detail, wait)
            sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


class RateLimiter:
    """At most `count` sends per rolling `window` seconds, for each (count, window)."""

    def __init__(self, limits: Iterable[tuple[int, float]], clock: Callable[[], float],
                 sleep: Callable[[float], None]) -> None:
        self.limits = [(count, window, collections.deque[float]()) for count, window in limits]
        self.clock = clock
        self.sleep = sleep

    def wait(self) -> None:
        """Block (via `sleep`) until one more send is allowed, then count it."""
        for count, window, sent in self.limits:
            now = self.clock()
            while sent and sent[0] <= now - window:
                sent.popleft()
            if len(sent) >= count:
                pause = sent[0] + window - now
                if pause > 0:
                    log.info("rate limit %d per %g s reached; waiting %.1f s",
                             count, window, pause)
                    self.sleep(pause)
                now = self.clock()
                while sent and sent[0] <= now - window:
                    sent.popleft()
        now = self.clock()
        for _, _, sent in self.limits:
            sent.append(now)


# --- The email message (outbox and SMTP alike) -------------------------------------------


def message_id(key: str, sender: str) -> str:
    """A Message-ID that is the same for the same key, so a resend is recognisable."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    return f"<clerk.{digest}@{domain}>"


def build_email(message: Message, sender: str) -> email.message.Message:
    """An RFC 5322 message: UTF-8 text/plain (the Markdown) and a simple text/html.

    Built with the compat32 MIME classes, which take a third of the time of EmailMessage's
    header registry — it matters when the nightly run puts thousands in the outbox. An
    internationalised address (non-ASCII mailbox) needs that registry, and gets it."""
    name, address = parseaddr(sender)
    if not (address.isascii() and (message.email or "").isascii()):
        return _build_international_email(message, sender)
    if message.email:
        Address(addr_spec=message.email)  # raises ValueError when malformed
    mail = MIMEMultipart("alternative", boundary=_boundary(message.key))
    mail["Subject"] = _header_text(message.subject)
    mail["From"] = formataddr((name, address), "utf-8")
    if message.email:
        mail["To"] = formataddr((message.person_name or "", message.email), "utf-8")
    else:
        # An empty group (RFC 5322 section 3.4): names the person without an address.
        who = message.person_name or message.person_id
        mail["To"] = (str(Group(display_name=who)) if who.isascii()
                      else Header(who, "utf-8").encode() + ":;")
    _common_headers(mail, message, sender)
    mail.attach(MIMEText(message.text, "plain", "utf-8"))
    mail.attach(MIMEText(markdown_html(message.text, message.subject, message.locale), "html",
                         "utf-8"))
    return mail


def _boundary(key: str) -> str:
    """The same for the same message, so a rewrite gives the same parts. Both parts are
    base64, whose alphabet has no `_`, so the boundary cannot occur in them — the
    generator's own check, a regular expression compiled per message, is not needed."""
    return f"_clerk_{hashlib.sha256(key.encode('utf-8')).hexdigest()[:24]}_"


def _header_text(text: str) -> str | Header:
    return text if text.isascii() else Header(text, "utf-8")


def _common_headers(mail: email.message.Message, message: Message, sender: str) -> None:
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = message_id(message.key, sender)
    mail["Content-Language"] = message.locale
    mail["X-Clerk-Key"] = _header_text(message.key)


def _build_international_email(message: Message, sender: str) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = sender
    if message.email:
        mail["To"] = Address(display_name=message.person_name or "", addr_spec=message.email)
    else:
        mail["To"] = Group(display_name=message.person_name or message.person_id)
    _common_headers(mail, message, sender)
    mail.set_content(message.text, subtype="plain", charset="utf-8")
    mail.add_alternative(markdown_html(message.text, message.subject, message.locale),
                         subtype="html", charset="utf-8")
    return mail


def _email_or_error(message: Message, sender: str) -> email.message.Message:
    try:
        return build_email(message, sender)
    except (ValueError, TypeError, IndexError) as exc:  # a malformed address in a header
        raise DeliveryError(t("channel.bad_address", person=message.person_name,
                              detail=str(exc)[:200]), transient=False) from None


_LINK = re.compile(r"\[([^\]]+)\]\(((?:https?://|mailto:)[^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+(.*)$")


def _inline(text: str) -> str:
    out = html.escape(text, quote=False)
    out = _CODE.sub(r"<code>\1</code>", out)
    out = _BOLD.sub(r"<strong>\1</strong>", out)
    return _LINK.sub(  # the text is escaped already; only a quote may still break out
        lambda m: f'<a href="{m.group(2).replace(chr(34), "&quot;")}">{m.group(1)}</a>', out)


def markdown_html(text: str, title: str, locale: str = "zh-Hans") -> str:
    """The little Markdown a digest uses (headings, lists, bold, code, links) as HTML."""
    body: list[str] = []
    open_list = ""
    for raw in text.splitlines():
        line = raw.rstrip()
        kind, content = "", line
        if match := _BULLET.match(line):
            kind, content = "ul", match.group(1)
        elif match := _NUMBERED.match(line):
            kind, content = "ol", match.group(1)
        if open_list and kind != open_list:
            body.append(f"</{open_list}>")
            open_list = ""
        if kind:
            if not open_list:
                body.append(f"<{kind}>")
                open_list = kind
            body.append(f"<li>{_inline(content)}</li>")
        elif match := _HEADING.match(line):
            level = len(match.group(1))
            body.append(f"<h{level}>{_inline(match.group(2))}</h{level}>")
        elif line.strip():
            body.append(f"<p>{_inline(line)}</p>")
    if open_list:
        body.append(f"</{open_list}>")
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(locale)}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>\n<body>\n" + "\n".join(body)
        + "\n</body></html>\n"
    )


# --- Outbox ----------------------------------------------------------------------------

_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*\s]+')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$", re.IGNORECASE)


def safe_name(key: str, limit: int = 80) -> str:
    """A file name from `key` that is valid on Windows, macOS and Linux; a short hash is
    added whenever the key had to change, so two keys never share a file."""
    name = _UNSAFE.sub("_", key).strip(" ._")[:limit].rstrip(" .")
    if not name or _RESERVED.match(name):
        name = f"_{name}"
    if name != key:
        name += "-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]
    return name


class OutboxSender:
    """Writes each message as `<day>/<key>.eml` and `<day>/<key>.md`; nothing leaves
    the machine."""

    name = "outbox"

    def __init__(self, config: OfficeConfig) -> None:
        self.folder = config.resolve(config.channels.outbox.dir)
        email = config.channels.email
        self.sender = email.sender if email is not None else DEFAULT_SENDER
        self.timezone = config.office.timezone

    def _day(self, key: str) -> date:
        """The run day the key starts with (`YYYYMMDD-...`), else today in the office."""
        if match := re.match(r"(\d{4})(\d{2})(\d{2})(?!\d)", key):
            with contextlib.suppress(ValueError):
                return date(*(int(part) for part in match.groups()))
        try:
            return datetime.now(ZoneInfo(self.timezone)).date()
        except (KeyError, ValueError):
            return date.today()

    def send(self, message: Message) -> None:
        problem = self.send_all([message])[0]
        if problem is not None:
            raise problem

    def send_all(self, messages: Sequence[Message]) -> list[DeliveryError | None]:
        """Write every message, then sync them all to disk, then give each file its final
        name; returns each message's problem or None. Syncing after all the writes costs a
        fraction of syncing each file as it is written, and a file never shows half-written
        under its final name."""
        staged: list[list[tuple[Path, Path]]] = []
        problems: list[DeliveryError | None] = []
        for message in messages:
            folder = self.folder / self._day(message.key).isoformat()
            stem = safe_name(message.key)
            files: list[tuple[Path, Path]] = []
            try:
                mail = _email_or_error(message, self.sender).as_bytes()
                folder.mkdir(parents=True, exist_ok=True)
                for suffix, data in ((".md", message.text.encode("utf-8")), (".eml", mail)):
                    final = folder / f"{stem}{suffix}"
                    temp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
                    temp.write_bytes(data)
                    files.append((temp, final))
            except DeliveryError as exc:
                problems.append(exc)
            except OSError as exc:
                problems.append(self._failed(folder, exc))
            else:
                problems.append(None)
            staged.append(files)
        for index, files in enumerate(staged):
            try:
                if problems[index] is None:
                    for temp, _ in files:
                        with open(temp, "rb+") as handle:
                            os.fsync(handle.fileno())
                    for temp, final in files:
                        os.replace(temp, final)
            except OSError as exc:
                problems[index] = self._failed(files[0][1].parent, exc)
            finally:
                for temp, _ in files:
                    with contextlib.suppress(OSError):
                        temp.unlink(missing_ok=True)
        return problems

    @staticmethod
    def _failed(folder: Path, exc: OSError) -> DeliveryError:
        return DeliveryError(
            t("channel.outbox_write", path=str(folder), detail=exc.strerror or str(exc)),
            transient=False)

    def close(self) -> None:
        pass


# --- Email -----------------------------------------------------------------------------


def _smtp_text(error: bytes | str) -> str:
    text = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
    return " ".join(text.split())[:300]


class EmailSender:
    """SMTP over SSL, STARTTLS or plain; one connection for the run, opened on the first
    message and opened again once if the server dropped it."""

    name = "email"

    def __init__(self, config: EmailChannel, *, env: Mapping[str, str],
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.config = config
        self.env = env
        self.sleep = sleep
        self.sender = config.sender
        self.envelope_from = parseaddr(config.sender)[1] or config.sender
        self._smtp: smtplib.SMTP | None = None

    # connection ------------------------------------------------------------------------
    def _password(self) -> str:
        variable = self.config.password_env
        if not variable:
            raise DeliveryError(t("channel.password_env_unset"), transient=False)
        password = self.env.get(variable)
        if not password:
            raise DeliveryError(t("channel.password_missing", env=variable), transient=False)
        return password

    def _connect(self) -> smtplib.SMTP:
        cfg = self.config
        password = self._password() if cfg.username else None
        try:
            if cfg.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    cfg.host, cfg.port, timeout=SMTP_TIMEOUT,
                    context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=SMTP_TIMEOUT)
        except (OSError, smtplib.SMTPException) as exc:
            raise self._unreachable(exc) from None
        try:
            smtp.ehlo_or_helo_if_needed()
            if cfg.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if cfg.username and password is not None:
                smtp.login(cfg.username, password)
        except BaseException as exc:
            with contextlib.suppress(Exception):
                smtp.close()
            if isinstance(exc, smtplib.SMTPAuthenticationError | UnicodeError):
                code = getattr(exc, "smtp_code", "")
                raise DeliveryError(t("channel.smtp_auth", user=cfg.username or "",
                                      env=cfg.password_env or "", code=code),
                                    transient=False) from None
            if isinstance(exc, smtplib.SMTPNotSupportedError):
                raise DeliveryError(t("channel.smtp_unsupported", host=cfg.host,
                                      detail=_smtp_text(str(exc))), transient=False) from None
            if isinstance(exc, smtplib.SMTPResponseException):
                raise self._refused(exc.smtp_code, exc.smtp_error, "") from None
            if isinstance(exc, OSError):  # includes ssl errors and SMTPServerDisconnected
                raise self._unreachable(exc) from None
            raise
        return smtp

    def _unreachable(self, exc: BaseException) -> DeliveryError:
        detail = _smtp_text(str(exc)) or type(exc).__name__
        if isinstance(exc, ssl.SSLCertVerificationError):
            return DeliveryError(t("channel.smtp_unreachable", host=self.config.host,
                                   port=self.config.port, detail=detail), transient=False)
        return DeliveryError(t("channel.smtp_unreachable", host=self.config.host,
                               port=self.config.port, detail=detail), transient=True)

    def _refused(self, code: int, error: bytes | str, person: str) -> DeliveryError:
        if code in (421,) or code < 0:
            self._drop()
        return DeliveryError(
            t("channel.smtp_rejected", person=person, code=code, detail=_smtp_text(error)),
            transient=400 <= code < 500 or code < 0,
        )

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            with contextlib.suppress(Exception):
                smtp.close()

    # sending ---------------------------------------------------------------------------
    def send(self, message: Message) -> None:
        if not message.email:
            raise DeliveryError(t("channel.no_email", person=message.person_name),
                                transient=False)
        mail = _email_or_error(message, self.sender)
        with_retries(lambda: self._send_once(mail, message), self.sleep,
                     f"email to {message.person_id}")

    def _send_once(self, mail: email.message.Message, message: Message) -> None:
        person = message.person_name or message.person_id
        for _ in range(2):
            reused = self._smtp is not None
            if self._smtp is None:
                self._smtp = self._connect()
            try:
                self._smtp.send_message(mail, from_addr=self.envelope_from,
                                        to_addrs=[message.email or ""])
                return
            except smtplib.SMTPRecipientsRefused as exc:
                code, error = next(iter(exc.recipients.values()), (550, b""))
                raise self._refused(code, error, person) from None
            except smtplib.SMTPResponseException as exc:
                raise self._refused(exc.smtp_code, exc.smtp_error, person) from None
            except smtplib.SMTPServerDisconnected as exc:
                self._drop()
                if reused:
                    log.info("SMTP connection dropped (%s); reconnecting", type(exc).__name__)
                    continue
                raise self._unreachable(exc) from None
            except smtplib.SMTPException as exc:  # SMTPNotSupportedError and the like
                self._drop()
                raise DeliveryError(t("channel.smtp_rejected", person=person, code="",
                                      detail=_smtp_text(str(exc))), transient=False) from None
            except OSError as exc:  # the socket: reset, broken pipe, timeout
                self._drop()
                if reused:
                    log.info("SMTP connection dropped (%s); reconnecting", type(exc).__name__)
                    continue
                raise self._unreachable(exc) from None
        raise DeliveryError(t("channel.smtp_unreachable", host=self.config.host,
                              port=self.config.port, detail="connection dropped"),
                            transient=True)

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except Exception:
                with contextlib.suppress(Exception):
                    smtp.close()


# --- Splitting -------------------------------------------------------------------------


def _cut(line: str, fits: Callable[[str], bool]) -> list[str]:
    """Cut one line that is too long into pieces that each fit (binary search)."""
    pieces: list[str] = []
    rest = line
    while rest and not fits(rest):
        low, high = 1, len(rest)
        while low < high:
            middle = (low + high + 1) // 2
            if fits(rest[:middle]):
                low = middle
            else:
                high = middle - 1
        pieces.append(rest[:low])
        rest = rest[low:]
    if rest:
        pieces.append(rest)
    return pieces


def split_lines(lines: Sequence[str], cost: Callable[[str], int], budget: int) -> list[list[str]]:
    """Pack lines in order into parts whose summed `cost` stays within `budget`; a line
    longer than the budget on its own is cut."""
    if budget <= 0:
        raise ValueError("budget must be positive")
    parts: list[list[str]] = []
    current: list[str] = []
    used = 0
    for line in lines:
        for piece in _cut(line, lambda s: cost(s) <= budget) if cost(line) > budget else [line]:
            size = cost(piece)
            if current and used + size > budget:
                parts.append(current)
                current, used = [], 0
            current.append(piece)
            used += size
    if current or not parts:
        parts.append(current)
    return parts


def _utf8(text: str) -> int:
    return len(text.encode("utf-8"))


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _numbered(subject: str, index: int, total: int) -> str:
    return f"{subject} ({index}/{total})" if total > 1 else subject


def split_markdown(text: str, subject: str, limit: int) -> list[str]:
    """`text` as one or more Markdown parts of at most `limit` bytes each, cut on line
    boundaries; when there are several, each starts with **subject (i/n)**."""
    if _utf8(text) <= limit:
        return [text]
    header_room = _utf8(f"**{subject} (999/999)**\n")
    if header_room * 2 > limit:  # an absurd subject: keep it short in the header
        subject = subject[: max(1, limit // 16)]
        header_room = _utf8(f"**{subject} (999/999)**\n")
    parts = split_lines(text.split("\n"), lambda s: _utf8(s) + 1, limit - header_room)
    total = len(parts)
    return ["\n".join([f"**{_numbered(subject, i, total)}**", *part])
            for i, part in enumerate(parts, 1)]


# --- Robots ----------------------------------------------------------------------------


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


def _retry_after(headers: Any) -> float | None:
    value = headers.get("Retry-After") if headers is not None else None
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class _Robot:
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
            status, retry_after = exc.code, _retry_after(exc.headers)
            with contextlib.suppress(Exception):
                exc.close()
            detail = t("channel.http_status", channel=self.name, url=self.shown, status=status)
            if status == 429 or status >= 500:
                raise _Retryable(detail, retry_after) from None
            raise DeliveryError(detail, transient=False) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            kind = "timeout" if isinstance(reason, TimeoutError | socket.timeout) else ""
            detail = self.scrub(kind or str(reason) or type(reason).__name__)
            raise _Retryable(t("channel.http_unreachable", channel=self.name, url=self.shown,
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
        return _Retryable(text) if transient else DeliveryError(text, transient=False)

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


class DingTalkRobot(_Robot):
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
                "markdown": {"title": _numbered(message.subject, index, total), "text": part},
                "at": {"atMobiles": mobiles if mention else [], "isAtAll": False},
            }
            builders.append(functools.partial(self._signed, payload))
        return builders

    def _signed(self, payload: dict[str, Any]) -> tuple[str, bytes]:
        return self._signed_url(), _json_bytes(payload)

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


class WeComRobot(_Robot):
    """WeCom group robot: markdown (4,096 bytes), then a text @-mentioning by mobile."""

    name = "wecom"

    def requests(self, message: Message) -> list[Builder]:
        bodies: list[dict[str, Any]] = [{"msgtype": "markdown", "markdown": {"content": part}}
                  for part in split_markdown(message.text, message.subject,
                                             WECOM_MARKDOWN_BYTES)]
        mobiles = _mobiles(message.mentions)
        if mobiles:
            note = t("channel.wecom_mention", message.locale, subject=message.subject)
            note = _cut(note, lambda s: _utf8(s) <= WECOM_TEXT_BYTES)[0]
            bodies.append({"msgtype": "text",
                           "text": {"content": note, "mentioned_mobile_list": mobiles}})
        return [functools.partial(self._plain, body) for body in bodies]

    def _plain(self, body: dict[str, Any]) -> tuple[str, bytes]:
        return self.webhook, _json_bytes(body)

    def check(self, answer: dict[str, Any]) -> None:
        code = answer.get("errcode", 0)
        if code not in (0, "0", None):
            raise self.refused(code, answer.get("errmsg"), code in WECOM_RATE_LIMITED)


class FeishuRobot(_Robot):
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
        base = len(_json_bytes(self._body(title, [], language, placeholder)))
        budget = FEISHU_BODY_BYTES - base

        def cost(line: str) -> int:
            return len(_json_bytes(self.paragraph(line))) + 1

        parts = split_lines(message.text.split("\n"), cost, budget)
        total = len(parts)
        return [functools.partial(self._signed, _numbered(message.subject, index, total), lines,
                                  language) for index, lines in enumerate(parts, 1)]

    def _signed(self, title: str, lines: Sequence[str], language: str) -> tuple[str, bytes]:
        return self.webhook, _json_bytes(self._body(title, lines, language, self._signature()))

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


__all__ = [
    "CHANNELS",
    "Channel",
    "DeliveryError",
    "DingTalkRobot",
    "EmailSender",
    "FeishuRobot",
    "OutboxSender",
    "RateLimiter",
    "WeComRobot",
    "build_email",
    "open_channel",
    "redact_url",
    "split_markdown",
]
