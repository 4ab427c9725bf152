"""One retry policy and one rate limiter for every network call Sheet Clerk makes: the
group robots, SMTP and the Google Sheets API.

The rule (`RetryPolicy`):

- after failed attempt number *n* (the first retry is n = 0) wait a capped exponential
  back-off with "equal" jitter: a random time between half and all of
  ``min(cap, base * 2**n)`` — never less than half, so a throttled server is not asked
  again at once, and spread out so two runs started together do not retry in step;
- a server's ``Retry-After`` is honoured: the wait is the larger of the back-off and
  Retry-After, the latter counted up to `retry_after_cap` seconds;
- only failures the caller calls transient are retried, at most `max_attempts` attempts
  in all, and never past `give_up_after` seconds from the first attempt: a wait that
  would end past that deadline is not started. Then `GaveUp` is raised, carrying the
  attempts made, the seconds spent and the last failure.

>>> policy = RetryPolicy(max_attempts=3, jitter=lambda low, high: high)
>>> [policy.delay(n) for n in range(3)], policy.delay(0, retry_after=7)
([1.0, 2.0, 4.0], 7.0)

`RateLimiter` keeps calls inside "at most N per T seconds" (one or several such windows)
on a sliding window; clock and sleep are injectable, so tests need not wait.
"""

from __future__ import annotations

import collections
import email.utils
import logging
import math
import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
Clock = Callable[[], float]
Sleep = Callable[[float], None]


class GaveUp(Exception):
    """Retries ran out (attempts or time); `last` is what the last attempt raised."""

    def __init__(self, attempts: int, seconds: float, last: Exception) -> None:
        super().__init__(f"gave up after {attempts} attempts in {seconds:.1f} s: {last}")
        self.attempts = attempts
        self.seconds = seconds
        self.last = last


def _no_retry_after(_: Exception) -> float | None:
    return None


@dataclass(frozen=True)
class RetryPolicy:
    """Capped exponential back-off with equal jitter, honouring Retry-After, bounded by
    an attempt count and a deadline (either may be None: unbounded on that side, but
    keep at least one)."""

    max_attempts: int | None = None
    give_up_after: float | None = 120.0
    """Seconds from the first attempt after which no retry is started."""
    base: float = 1.0
    """The back-off ceiling before the first retry; doubled for each later one."""
    cap: float = 32.0
    """The back-off ceiling never grows past this many seconds."""
    retry_after_cap: float = 120.0
    """A server's Retry-After is honoured up to this many seconds."""
    jitter: Callable[[float, float], float] = random.uniform
    """Picks a wait in [low, high]; tests pass e.g. `lambda low, high: high`."""

    def __post_init__(self) -> None:
        if self.max_attempts is None and self.give_up_after is None:
            raise ValueError("a retry policy needs max_attempts, give_up_after or both")
        if self.max_attempts is not None and self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")

    def delay(self, retry: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number `retry` (0 for the first retry)."""
        ceiling = min(self.cap, self.base * 2.0 ** retry)
        wait = float(self.jitter(ceiling / 2, ceiling))
        if retry_after is not None and retry_after > 0:
            wait = max(wait, min(float(retry_after), self.retry_after_cap))
        return wait

    def call(
        self,
        action: Callable[[], T],
        *,
        retryable: Callable[[Exception], bool],
        retry_after: Callable[[Exception], float | None] = _no_retry_after,
        what: str = "call",
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
        on_retry: Callable[[Exception, float], None] | None = None,
    ) -> T:
        """`action()`, retried under this policy. An exception `retryable` refuses goes
        straight through; when retries run out, `GaveUp` (raised from the last failure).
        `on_retry(failure, wait)` is told before each wait."""
        started = clock()
        attempt = 0
        while True:
            attempt += 1
            try:
                return action()
            except Exception as exc:
                if not retryable(exc):
                    raise
                elapsed = clock() - started
                if self.max_attempts is not None and attempt >= self.max_attempts:
                    raise GaveUp(attempt, elapsed, exc) from exc
                wait = self.delay(attempt - 1, retry_after(exc))
                if self.give_up_after is not None and elapsed + wait > self.give_up_after:
                    raise GaveUp(attempt, elapsed, exc) from exc
                log.info("%s: attempt %d failed (%s); retrying in %.1f s",
                         what, attempt, _describe(exc), wait)
                if on_retry is not None:
                    on_retry(exc, wait)
                sleep(wait)


def _describe(exc: Exception) -> str:
    """A short name for a failure in a log line: its `detail` (already free of secrets,
    see DeliveryError) or only its type, never its full text (it may hold an address)."""
    detail = getattr(exc, "detail", None)
    return str(detail) if detail else type(exc).__name__


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """An HTTP Retry-After header as seconds (a number of seconds, or an HTTP date);
    None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class RateLimiter:
    """At most `count` calls in any `window` seconds, for each (count, window) given —
    e.g. ``[(20, 60.0), (5, 1.0)]``: 20 a minute and 5 a second.

    `wait()` blocks (through `sleep`) until one more call is allowed and counts it. Each
    caller reserves its moment under a lock and then sleeps outside it, so threads sharing
    one limiter queue up in order and none spins.

    >>> now = [0.0]
    >>> limiter = RateLimiter([(2, 60.0)], clock=lambda: now[0],
    ...                       sleep=lambda s: now.__setitem__(0, now[0] + s))
    >>> [limiter.wait() for _ in range(3)]
    [0.0, 0.0, 60.0]
    """

    def __init__(self, limits: Iterable[tuple[int, float]], clock: Clock = time.monotonic,
                 sleep: Sleep = time.sleep) -> None:
        self.limits = [(int(count), float(window)) for count, window in limits]
        if any(count < 1 or window <= 0 for count, window in self.limits):
            raise ValueError("each limit needs a count of at least 1 and a positive window")
        self.clock = clock
        self.sleep = sleep
        self._sent = [collections.deque[float]() for _ in self.limits]
        self._lock = threading.Lock()

    def wait(self) -> float:
        """Block until one more call is allowed, count it, and return the seconds waited."""
        with self._lock:
            now = self.clock()
            at = now
            for (count, window), sent in zip(self.limits, self._sent, strict=True):
                while sent and sent[0] <= now - window:
                    sent.popleft()
                if sent:
                    at = max(at, sent[-1])
                if len(sent) >= count:
                    at = max(at, sent[-count] + window)
            for sent in self._sent:
                sent.append(at)
        pause = at - now
        if pause > 0:
            log.info("rate limit %s reached; waiting %.1f s",
                     ", ".join(f"{c} per {w:g} s" for c, w in self.limits), pause)
            self.sleep(pause)
        return max(pause, 0.0)


__all__ = ["GaveUp", "RateLimiter", "RetryPolicy", "retry_after_seconds"]
