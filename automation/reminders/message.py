"""What a channel delivers: one digest for one person, already rendered."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Message:
    """One digest for one person on one channel.

    `text` is Markdown (the robots render it; email sends it as text/plain and
    also as simple HTML). `key` is stable for the same person, channel and day, so
    a channel can make a resend recognisable (e.g. the email Message-ID).
    """

    key: str
    channel: str
    person_id: str
    person_name: str
    subject: str
    text: str
    email: str | None = None
    phone: str | None = None
    locale: str = "zh-Hans"
    mentions: tuple[str, ...] = field(default_factory=tuple)
    """Phones to @-mention where the platform allows it."""


class DeliveryError(Exception):
    """A message did not go out. `transient` errors (SMTP 4xx, HTTP 429/5xx, timeouts)
    are worth retrying; the others (bad credentials, 4xx) are not."""

    def __init__(self, detail: str, *, transient: bool) -> None:
        super().__init__(detail)
        self.detail = detail
        self.transient = transient
