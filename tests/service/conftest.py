"""The real app over both databases, with one user per role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from calmline.cases import agents, db
from calmline.service import create_app
from calmline.settings import Settings
from tests.cases.dbs import BACKENDS, migrated, wipe

__all__ = ["migrated"]
SECRET = "test-webhook-secret"


@dataclass
class Api:
    client: TestClient
    keys: dict[str, str]
    ids: dict[str, int]

    def h(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[who]}"}

    def conversation(self, who: str = "agent") -> int:
        response = self.client.post("/v1/conversations", json={}, headers=self.h(who))
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    def say(self, conv: int, text: str, role: str = "customer", who: str = "agent",
            **params: str) -> dict[str, object]:
        """Post a message to `who`'s conversation. A customer line comes as it does in production,
        from the helpdesk (a supervisor's key, as the webhook's user is): an agent's key may post
        customer lines only on demo conversations."""
        poster = "supervisor" if role == "customer" and who in ("agent", "other") else who
        response = self.client.post(f"/v1/conversations/{conv}/messages", params=params,
                                    json={"role": role, "text": text}, headers=self.h(poster))
        assert response.status_code == 201, response.text
        body: dict[str, object] = response.json()
        return body


def make_api(url: str, engine: Engine, **overrides: object) -> Iterator[Api]:
    options: dict[str, object] = {"webhook_secret": SECRET, "max_text_chars": 5000, **overrides}
    settings = Settings(database_url=url, **options)  # type: ignore[arg-type]
    keys, ids = {}, {}
    with db.transaction(db.session_factory(engine)) as session:
        for name, role in (("agent", "agent"), ("other", "agent"), ("supervisor", "supervisor"),
                           ("admin", "admin")):
            agent, keys[name] = agents.create_agent(session, name=name, role=role)  # type: ignore[arg-type]
            ids[name] = agent.id
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client, keys, ids)
    app.state.calmline.sessions.kw["bind"].dispose()
    wipe(engine)


@pytest.fixture(params=BACKENDS)
def api(request: pytest.FixtureRequest, migrated: dict[str, tuple[str, Engine]]) -> Iterator[Api]:
    url, engine = migrated[request.param]
    yield from make_api(url, engine)


@pytest.fixture
def sqlite_api(migrated: dict[str, tuple[str, Engine]]) -> Iterator[Api]:
    url, engine = migrated["sqlite"]
    yield from make_api(url, engine)
