"""Where a digest goes: an outbox folder, email (SMTP), or a DingTalk / WeCom / Feishu group
robot — one module per kind of channel, all behind one small protocol.

Every channel has the same surface (`Channel`): `send(message)` delivers one `Message` or
raises `DeliveryError`, retrying transient failures itself (3 attempts, capped jittered
back-off, `Retry-After` honoured: `base.DELIVERY_RETRY`, the rule of `automation._retry`),
and `close()` ends the run. `open_channel(name, config)` builds one from `office.toml`.

- `outbox`: `.eml` and `.md` files in a folder per day (the default; nothing is sent);
- `mail`: the e-mail message (shared with the outbox) and SMTP;
- `markdown`: the digest's Markdown as the e-mail's HTML part (template `digest.html.j2`);
- `robots`: the three group robots on one base, with their size and rate limits;
- `splitting`: cutting a long digest into robot-sized parts.

Secrets (the SMTP password, a robot's signing secret, the token or key in a webhook
address) are read from the environment only when needed and never appear in an
exception, a message or a log line: webhook addresses are always shown redacted.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from typing import Protocol

from ...config import OfficeConfig
from ...errors import ConfigError
from ..message import Message
from .base import DELIVERY_RETRY, RETRY_AFTER_CAP
from .mail import EmailSender, message_id
from .markdown import markdown_html
from .outbox import OutboxSender, safe_name
from .robots import (
    DINGTALK_MARKDOWN_BYTES,
    FEISHU_BODY_BYTES,
    ROBOTS,
    WECOM_MARKDOWN_BYTES,
    redact_url,
)
from .splitting import split_markdown

CHANNELS = ("outbox", "email", "dingtalk", "wecom", "feishu")


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
    if name in ROBOTS:
        robot = getattr(config.channels, name)
        if robot is None:
            raise ConfigError("channel.not_configured", channel=name)
        return ROBOTS[name](robot, env=environ, clock=clock, sleep=sleep)
    raise ConfigError("channel.unknown", channel=name, known=", ".join(CHANNELS))


__all__ = [
    "CHANNELS",
    "DELIVERY_RETRY",
    "DINGTALK_MARKDOWN_BYTES",
    "FEISHU_BODY_BYTES",
    "RETRY_AFTER_CAP",
    "WECOM_MARKDOWN_BYTES",
    "Channel",
    "markdown_html",
    "message_id",
    "open_channel",
    "redact_url",
    "safe_name",
    "split_markdown",
]
