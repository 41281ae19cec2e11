"""The key cache under load: requests that miss it together share one lookup, a lookup that
waited for a worker thread is remembered from when its read began, and a lookup begun before a
revocation in this process is never joined by a request that comes after it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from calmline.service import deps
from calmline.service.deps import AppState, User
from tests.service.conftest import Api

Lookup = Callable[[AppState, str], tuple[User, float]]


def _counting(monkeypatch: pytest.MonkeyPatch, *, before: Callable[[], None]) -> list[float]:
    """Replace the database lookup with one that runs `before` first and records when it ran."""
    real: Lookup = deps._lookup
    calls: list[float] = []

    def lookup(state: AppState, key: str) -> tuple[User, float]:
        before()
        calls.append(time.monotonic())
        return real(state, key)

    monkeypatch.setattr(deps, "_lookup", lookup)
    return calls


def _me(api: Api, who: str) -> int:
    return api.client.get("/v1/me", headers=api.h(who)).status_code


def test_requests_that_miss_the_cache_together_share_one_lookup(
        sqlite_api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counting(monkeypatch, before=lambda: time.sleep(0.2))  # they all arrive meanwhile
    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda _: _me(sqlite_api, "agent"), range(8)))
    assert codes == [200] * 8
    assert len(calls) == 1


def test_a_lookup_that_waited_for_a_thread_is_remembered_from_its_read(
        sqlite_api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counting(monkeypatch, before=lambda: time.sleep(0.3))  # a queue for the threads
    assert _me(sqlite_api, "agent") == 200
    state: AppState = sqlite_api.client.app.state.calmline  # type: ignore[attr-defined]
    (_user, expiry), = state.known_keys.values()
    assert expiry >= calls[0] + deps.KEY_CACHE_SECONDS - 0.01  # not from before the wait


def test_a_request_after_a_revocation_does_not_join_a_lookup_begun_before_it(
        sqlite_api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    started, release = threading.Event(), threading.Event()

    def first_one_waits() -> None:
        if not started.is_set():
            started.set()
            release.wait(5)

    calls = _counting(monkeypatch, before=first_one_waits)
    state: AppState = sqlite_api.client.app.state.calmline  # type: ignore[attr-defined]
    with ThreadPoolExecutor(2) as pool:
        early = pool.submit(_me, sqlite_api, "agent")
        assert started.wait(5)
        deps.forget_user(state, sqlite_api.ids["supervisor"])  # any revocation bumps the epoch
        late = pool.submit(_me, sqlite_api, "agent")
        assert late.result(5) == 200  # its own lookup: it did not wait for the early one
        release.set()
        assert early.result(5) == 200
    assert len(calls) == 2
    assert not state.key_lookups
