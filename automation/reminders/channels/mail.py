"""E-mail: building the RFC 5322 message (the outbox writes the same one) and sending it
over SMTP (SSL, STARTTLS or plain).

Named `mail`, not `email`, so that nothing in this package can mistake it for the
standard library's `email`.
"""

from __future__ import annotations

import contextlib
import email.errors
import email.message
import logging
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping
from email.header import Header
from email.headerregistry import Address, Group
from email.message import EmailMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, parseaddr
from typing import cast

from ..._io import sha256_text
from ...config import EmailChannel
from ...i18n import t
from ..message import DeliveryError, Message
from .base import SMTP_TIMEOUT, with_retries
from .markdown import markdown_html

log = logging.getLogger(__name__)

DEFAULT_SENDER = "Sheet Clerk <clerk@localhost>"


# --- The message (outbox and SMTP alike) -------------------------------------------------


def message_id(key: str, sender: str) -> str:
    """A Message-ID that is the same for the same key, so a resend is recognisable."""
    digest = sha256_text(key)[:32]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    return f"<clerk.{digest}@{domain}>"


def build_email(message: Message, sender: str) -> email.message.Message:
    """An RFC 5322 message: UTF-8 text/plain (the Markdown) and its text/html rendering.

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
    return f"_clerk_{sha256_text(key)[:24]}_"


def _header_text(text: str) -> str:
    """ASCII as it is, anything else as an RFC 2047 `Header` (which the compat32 classes
    take as a header value, though the type stubs only name `str`)."""
    return text if text.isascii() else cast(str, Header(text, "utf-8"))


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


def email_or_error(message: Message, sender: str) -> email.message.Message:
    """`build_email`, with a malformed address as a permanent DeliveryError."""
    try:
        return build_email(message, sender)
    except (ValueError, TypeError, IndexError, email.errors.MessageError) as exc:
        # a malformed address in a header (`a@b@c` is a HeaderParseError)
        raise DeliveryError(t("channel.bad_address", person=message.person_name,
                              detail=str(exc)[:200]), transient=False) from None


# --- SMTP ----------------------------------------------------------------------------------


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
        return DeliveryError(t("channel.smtp_unreachable", host=self.config.host,
                               port=self.config.port, detail=detail),
                             transient=not isinstance(exc, ssl.SSLCertVerificationError))

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
        mail = email_or_error(message, self.sender)
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
            except OSError as exc:  # the socket (reset, broken pipe, timeout), SMTP's errors
                self._drop()
                if (isinstance(exc, smtplib.SMTPException)
                        and not isinstance(exc, smtplib.SMTPServerDisconnected)):
                    # SMTPNotSupportedError and the like
                    raise DeliveryError(t("channel.smtp_rejected", person=person, code="",
                                          detail=_smtp_text(str(exc))), transient=False
                                        ) from None
                if reused:
                    log.info("SMTP connection dropped (%s); reconnecting", type(exc).__name__)
                    continue
                raise self._unreachable(exc) from None
        raise DeliveryError(t("channel.smtp_unreachable", host=self.config.host,
                              port=self.config.port, detail=t("channel.smtp_dropped")),
                            transient=True)

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except Exception:
                with contextlib.suppress(Exception):
                    smtp.close()


__all__ = ["DEFAULT_SENDER", "EmailSender", "build_email", "email_or_error", "message_id"]
