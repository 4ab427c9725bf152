"""The one retry policy and the one rate limiter (automation/_retry.py) that the robots,
SMTP and Google share, on a clock that only moves when the code sleeps."""

from __future__ import annotations

import doctest
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from conftest import FakeTime

from automation import _retry
from automation._retry import GaveUp, RateLimiter, RetryPolicy, retry_after_seconds
from automation.reminders.channels import DELIVERY_RETRY, RETRY_AFTER_CAP
from automation.sources.google import GOOGLE_RETRY


class Flaky(Exception):
    def __init__(self, retry_after: float | None = None) -> None:
        super().__init__("flaky")
        self.retry_after = retry_after


def failing(times: int, error: Exception, result: str = "ok"
            ) -> tuple[list[int], Callable[[], str]]:
    calls: list[int] = []

    def action() -> str:
        calls.append(1)
        if len(calls) <= times:
            raise error
        return result

    return calls, action


def lowest(low: float, high: float) -> float:
    return low


def highest(low: float, high: float) -> float:
    return high


# --- the back-off rule ------------------------------------------------------------------


def test_equal_jitter_between_half_and_all_of_the_capped_ceiling() -> None:
    policy = RetryPolicy(base=1.0, cap=8.0)
    assert [RetryPolicy(cap=8.0, jitter=highest).delay(n) for n in range(5)] == [1, 2, 4, 8, 8]
    assert [RetryPolicy(cap=8.0, jitter=lowest).delay(n) for n in range(5)] == [
        0.5, 1, 2, 4, 4]
    for n in range(8):
        wait = policy.delay(n)
        ceiling = min(8.0, 2.0 ** n)
        assert ceiling / 2 <= wait <= ceiling


def test_retry_after_is_a_floor_capped_by_retry_after_cap() -> None:
    policy = RetryPolicy(base=2.0, cap=30.0, retry_after_cap=120.0, jitter=highest)
    assert policy.delay(0, 7) == 7  # longer than the back-off: wait what the server asks
    assert policy.delay(3, 7) == 16  # shorter: the back-off still applies
    assert policy.delay(0, 3600) == 120  # absurd: honoured up to the cap
    assert policy.delay(0, 0) == 2 and policy.delay(0, None) == 2


def test_a_policy_needs_a_bound() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=None, give_up_after=None)
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)


def test_the_callers_numbers() -> None:
    assert (DELIVERY_RETRY.max_attempts, DELIVERY_RETRY.give_up_after) == (3, None)
    assert DELIVERY_RETRY.retry_after_cap == RETRY_AFTER_CAP == 120
    # robots and SMTP: 1-2 s, then 2-4 s
    for n, (low, high) in enumerate([(1, 2), (2, 4)]):
        assert low <= DELIVERY_RETRY.delay(n) <= high
    assert (GOOGLE_RETRY.max_attempts, GOOGLE_RETRY.give_up_after) == (None, 120)
    assert GOOGLE_RETRY.cap == 32


# --- calling with retries ---------------------------------------------------------------


def test_transient_failures_are_retried_then_succeed() -> None:
    fake = FakeTime()
    calls, action = failing(2, Flaky())
    retried: list[float] = []
    policy = RetryPolicy(max_attempts=3, jitter=highest)
    result = policy.call(action, retryable=lambda e: isinstance(e, Flaky), clock=fake.clock,
                         sleep=fake.sleep, on_retry=lambda exc, wait: retried.append(wait))
    assert result == "ok" and len(calls) == 3
    assert fake.sleeps == retried == [1.0, 2.0]


def test_other_failures_go_straight_through() -> None:
    fake = FakeTime()
    calls, action = failing(5, KeyError("x"))
    with pytest.raises(KeyError):
        RetryPolicy(max_attempts=3).call(action, retryable=lambda e: isinstance(e, Flaky),
                                         clock=fake.clock, sleep=fake.sleep)
    assert len(calls) == 1 and fake.sleeps == []


def test_attempts_run_out_with_the_last_failure() -> None:
    fake = FakeTime()
    last = Flaky()
    calls, action = failing(10, last)
    with pytest.raises(GaveUp) as caught:
        RetryPolicy(max_attempts=3, give_up_after=None).call(
            action, retryable=lambda e: True, clock=fake.clock, sleep=fake.sleep)
    assert len(calls) == 3 and len(fake.sleeps) == 2
    assert caught.value.attempts == 3 and caught.value.last is last
    assert caught.value.seconds == pytest.approx(sum(fake.sleeps))
    assert caught.value.__cause__ is last


def test_the_deadline_is_never_overrun() -> None:
    fake = FakeTime()
    _, action = failing(1000, Flaky())
    with pytest.raises(GaveUp) as caught:
        RetryPolicy(give_up_after=90, jitter=highest).call(
            action, retryable=lambda e: True, clock=fake.clock, sleep=fake.sleep)
    assert sum(fake.sleeps) <= 90
    # 1+2+4+8+16+32 = 63 s slept; the next wait (32 s) would end past 90 s: not started
    assert fake.sleeps == [1, 2, 4, 8, 16, 32] and caught.value.attempts == 7


def test_a_retry_after_past_the_deadline_gives_up_at_once() -> None:
    fake = FakeTime()
    calls, action = failing(5, Flaky(retry_after=100))
    with pytest.raises(GaveUp):
        RetryPolicy(give_up_after=60).call(action, retryable=lambda e: True,
                                           retry_after=lambda e: getattr(e, "retry_after", None),
                                           clock=fake.clock, sleep=fake.sleep)
    assert len(calls) == 1 and fake.sleeps == []


def test_retry_after_forms() -> None:
    assert retry_after_seconds("12") == 12
    assert retry_after_seconds(" 1.5 ") == 1.5
    assert retry_after_seconds("-3") == 0
    assert retry_after_seconds(None) is None and retry_after_seconds("") is None
    assert retry_after_seconds("soon") is None and retry_after_seconds("nan") is None
    when = "Wed, 21 Oct 2015 07:28:00 GMT"
    half_a_minute_before = datetime(2015, 10, 21, 7, 27, 30, tzinfo=UTC).timestamp()
    assert retry_after_seconds(when, now=half_a_minute_before) == 30
    assert retry_after_seconds(when) == 0  # long past


# --- the rate limiter -------------------------------------------------------------------


def test_sliding_window() -> None:
    fake = FakeTime()
    limiter = RateLimiter([(20, 60.0)], fake.clock, fake.sleep)
    for _ in range(10):
        limiter.wait()
    fake.now += 30
    for _ in range(10):
        limiter.wait()
    assert fake.sleeps == []
    assert limiter.wait() == 30.0  # the 21st within 60 s of the first
    for _ in range(9):
        limiter.wait()
    assert fake.sleeps == [30.0]
    limiter.wait()
    assert fake.sleeps == [30.0, 30.0]


def test_several_windows_at_once() -> None:
    fake = FakeTime()
    limiter = RateLimiter([(20, 60.0), (5, 1.0)], fake.clock, fake.sleep)
    starts = []
    for _ in range(25):
        limiter.wait()
        starts.append(fake.now - 1000)
    assert starts[:5] == [0] * 5 and starts[5:10] == [1] * 5 and starts[15:20] == [3] * 5
    assert starts[20:] == [60] * 5  # the minute's 20 are used up after 4 bursts


def test_threads_sharing_a_limiter_queue_up() -> None:
    clock_lock = threading.Lock()
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        with clock_lock:
            slept.append(seconds)

    limiter = RateLimiter([(3, 60.0)], lambda: now[0], sleep)
    threads = [threading.Thread(target=limiter.wait) for _ in range(7)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(slept) == [60.0, 60.0, 60.0, 120.0]  # reserved in turn, none spins


def test_a_limit_needs_sense() -> None:
    with pytest.raises(ValueError):
        RateLimiter([(0, 60.0)])
    with pytest.raises(ValueError):
        RateLimiter([(5, 0.0)])


def test_real_time_is_the_default() -> None:
    limiter = RateLimiter([(2, 0.2)])
    started = time.monotonic()
    for _ in range(3):
        limiter.wait()
    assert time.monotonic() - started >= 0.15


def test_the_examples_in_the_docstrings_run() -> None:
    assert doctest.testmod(_retry).failed == 0
