"""Bounded retries with jittered exponential backoff, for calls that must not hang a caller.

A retryable failure (no answer, 429, 5xx) is tried again after `base · 2^n` seconds scaled by a
random factor in [0.5, 1] ("equal jitter", so a burst of failures does not retry in lockstep),
never longer than `cap`; a server's `Retry-After` is honoured up to `cap`. After `tries` the last
failure is returned, not raised: the caller records it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from calmline.integrations.http import HelpdeskCallError

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    tries: int = 3
    base: float = 0.5
    cap: float = 8.0

    def delay(self, attempt: int, failure: HelpdeskCallError, rand: Callable[[], float]) -> float:
        """Seconds to wait after failed try number `attempt` (1-based)."""
        if failure.retry_after is not None:
            return min(self.cap, failure.retry_after)
        ceiling = min(self.cap, self.base * 2 ** (attempt - 1))
        return ceiling * (0.5 + rand() / 2)


@dataclass(frozen=True, slots=True)
class Tried:
    """What came of a call: its value, or the last failure; `attempts` how many tries it took."""

    attempts: int
    failure: HelpdeskCallError | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None


def with_retries(call: Callable[[], object], policy: RetryPolicy,
                 sleep: Callable[[float], None] = time.sleep,
                 rand: Callable[[], float] = random.random) -> Tried:
    """Run `call` until it succeeds, fails for good, or has had `policy.tries` tries."""
    for attempt in range(1, policy.tries + 1):
        try:
            call()
            return Tried(attempt)
        except HelpdeskCallError as failure:
            if not failure.retryable or attempt == policy.tries:
                return Tried(attempt, failure)
            sleep(policy.delay(attempt, failure, rand))
    raise AssertionError("unreachable: the loop returns on its last try")


def retrying(call: Callable[[], T], policy: RetryPolicy,
             sleep: Callable[[float], None] = time.sleep,
             rand: Callable[[], float] = random.random) -> T:
    """`call`'s value, tried like `with_retries`; the last failure is raised, for callers (the
    history exports) that stop on it and resume later."""
    for attempt in range(1, policy.tries + 1):
        try:
            return call()
        except HelpdeskCallError as failure:
            if not failure.retryable or attempt == policy.tries:
                raise
            sleep(policy.delay(attempt, failure, rand))
    raise AssertionError("unreachable: the loop returns or raises on its last try")
