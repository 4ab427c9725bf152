"""What every channel shares: the retry policy of a delivery and the transient failure
that carries a server's Retry-After.

A delivery is tried at most 3 times; between attempts the shared rule of
`automation._retry` waits 1-2 s, then 2-4 s (equal jitter on a 2 s base, capped at 30 s),
or as long as the server's Retry-After asks, up to 2 minutes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ..._retry import GaveUp, RetryPolicy
from ..message import DeliveryError

T = TypeVar("T")

MAX_ATTEMPTS = 3
BACKOFF_BASE = 2.0
"""Seconds before the 2nd attempt at most (then doubled), at least half of it."""
BACKOFF_CAP = 30.0
RETRY_AFTER_CAP = 120.0
"""A server's Retry-After is honoured up to this many seconds."""

DELIVERY_RETRY = RetryPolicy(max_attempts=MAX_ATTEMPTS, give_up_after=None, base=BACKOFF_BASE,
                             cap=BACKOFF_CAP, retry_after_cap=RETRY_AFTER_CAP)
"""Three attempts bound a delivery (at most 2 waits of 2 minutes), so no deadline."""

SMTP_TIMEOUT = 30.0
HTTP_TIMEOUT = 10.0
USER_AGENT = "sheet-clerk"


class Transient(DeliveryError):
    """A transient failure that carries the server's Retry-After, in seconds."""

    def __init__(self, detail: str, retry_after: float | None = None) -> None:
        super().__init__(detail, transient=True)
        self.retry_after = retry_after


def _transient(exc: Exception) -> bool:
    return isinstance(exc, DeliveryError) and exc.transient


def _retry_after(exc: Exception) -> float | None:
    return getattr(exc, "retry_after", None)


def with_retries(action: Callable[[], T], sleep: Callable[[float], None], what: str,
                 policy: RetryPolicy = DELIVERY_RETRY) -> T:
    """Run `action`; retry a transient DeliveryError under `policy`. When the attempts run
    out, the last attempt's DeliveryError is raised as it was."""
    try:
        return policy.call(action, retryable=_transient, retry_after=_retry_after, what=what,
                           sleep=sleep)
    except GaveUp as gave_up:
        raise gave_up.last from None
