"""Revoked keys: refused at once by the worker that revoked them, and within a second by every
other worker sharing the database (two `create_app` instances are two workers)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from calmline.cases import db, keys
from calmline.service import create_app
from calmline.settings import Settings
from tests.cases.dbs import BACKENDS
from tests.service.conftest import Api, make_api, migrated

__all__ = ["migrated"]
PROMISE_SECONDS = 1.0


@pytest.fixture(params=BACKENDS)
def workers(request: pytest.FixtureRequest, migrated: dict[str, tuple[str, Engine]]
            ) -> Iterator[tuple[Api, TestClient, Engine]]:
    """Worker one (with its users and keys), a second worker on the same database, the engine."""
    url, engine = migrated[request.param]
    for first in make_api(url, engine):
        second_app = create_app(Settings(database_url=url))
        with TestClient(second_app, raise_server_exceptions=False) as second:
            yield first, second, engine
        second_app.state.calmline.sessions.kw["bind"].dispose()


def _me(client: TestClient, key: str) -> int:
    return client.get("/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code


def _refused_after_the_cache_bound(client: TestClient, key: str) -> None:
    # the promise is one second at most, whatever the cache does before it (a margin for the clock)
    time.sleep(PROMISE_SECONDS + 0.05)
    assert _me(client, key) == 401


def test_a_key_rotated_in_one_worker_dies_in_the_other_within_a_second(
        workers: tuple[Api, TestClient, Engine]) -> None:
    first, second, _engine = workers
    old = first.keys["agent"]
    assert _me(first.client, old) == 200 and _me(second, old) == 200  # both have it cached now
    rotated = first.client.post(f"/v1/users/{first.ids['agent']}/rotate-key", headers=first.h("admin"))
    assert rotated.status_code == 200
    assert _me(first.client, old) == 401  # the worker that rotated it: at once
    _refused_after_the_cache_bound(second, old)
    assert _me(second, rotated.json()["key"]) == 200


def test_a_user_deactivated_in_one_worker_is_refused_by_the_other_within_a_second(
        workers: tuple[Api, TestClient, Engine]) -> None:
    first, second, _engine = workers
    key = first.keys["other"]
    assert _me(second, key) == 200
    done = first.client.post(f"/v1/users/{first.ids['other']}/deactivate", headers=first.h("admin"))
    assert done.status_code == 200
    assert _me(first.client, key) == 401
    _refused_after_the_cache_bound(second, key)


def test_a_key_revoked_outside_any_server_is_refused_within_a_second(
        workers: tuple[Api, TestClient, Engine]) -> None:
    """The CLI's `calmline users deactivate` writes the database directly: no worker is told."""
    first, second, engine = workers
    key = first.keys["agent"]
    assert _me(first.client, key) == 200 and _me(second, key) == 200
    with db.transaction(db.session_factory(engine)) as session:
        keys.deactivate(session, agent_id=first.ids["agent"], actor_id=None)
    _refused_after_the_cache_bound(first.client, key)
    assert _me(second, key) == 401
