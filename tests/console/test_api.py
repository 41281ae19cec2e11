"""The console's pages and helper API through the real app (no browser needed). What moved to
/v1 (assist, confirming a follow-up, people) is tested with the service (tests/service)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from calmline.cases import agents, db
from calmline.console import insights_view
from calmline.service import create_app
from calmline.settings import Settings

PAGES = ["/console/", "/console/signin", "/console/conversations/1", "/console/queue",
         "/console/followups", "/console/insights"]


class Client:
    def __init__(self, client: TestClient, keys: dict[str, str]) -> None:
        self.client, self.keys = client, keys

    def call(self, method: str, path: str, who: str = "admin", **kwargs: object):  # type: ignore[no-untyped-def]
        return self.client.request(method, path, headers={"Authorization": f"Bearer {self.keys[who]}"},
                                   **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Client]:
    url = f"sqlite:///{tmp_path / 'console.db'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    keys = {}
    with db.transaction(db.session_factory(engine)) as session:
        for name, role in (("admin", "admin"), ("agent", "agent"), ("lead", "supervisor")):
            keys[name] = agents.create_agent(session, name=name, role=role)[1]  # type: ignore[arg-type]
    engine.dispose()
    app = create_app(Settings(database_url=url))
    with TestClient(app) as client:
        yield Client(client, keys)
    app.state.calmline.sessions.kw["bind"].dispose()


@pytest.mark.parametrize("path", PAGES)
def test_pages_are_served_without_a_key(api: Client, path: str) -> None:
    response = api.client.get(path)
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    assert '<script id="meta" type="application/json">' in response.text


def test_root_redirects_to_the_console_and_static_files_are_served(api: Client) -> None:
    response = api.client.get("/", follow_redirects=False)
    assert response.status_code in (302, 307) and response.headers["location"] == "/console/"
    for name in ("console.css", "common.js", "conversation.js", "draft.js", "chart.js"):
        assert api.client.get(f"/console/static/{name}").status_code == 200


def test_helpers_need_a_key(api: Client) -> None:
    assert api.client.get("/console/api/state").status_code == 401
    assert api.call("GET", "/console/api/state", "agent").status_code == 200
    # who a key is comes from /v1/me alone: the console keeps no copy of it
    assert api.call("GET", "/console/api/me", "agent").status_code == 404
    assert api.call("GET", "/v1/me", "agent").json()["role"] == "agent"


def test_demo_data_is_for_admins_on_an_empty_store(api: Client) -> None:
    assert api.call("GET", "/console/api/state", "agent").json() == {"empty": True, "can_seed": False}
    assert api.call("GET", "/console/api/state").json() == {"empty": True, "can_seed": True}
    assert api.call("POST", "/console/api/demo", "lead").status_code == 403
    seeded = api.call("POST", "/console/api/demo").json()
    assert len(seeded["conversations"]) == 6
    assert {u["role"] for u in seeded["users"]} == {"agent", "supervisor"}
    assert all(u["key"].startswith("cl_") for u in seeded["users"])
    assert api.call("POST", "/console/api/demo").status_code == 409  # only into an empty store
    queue = api.call("GET", "/v1/supervisor/queue").json()
    assert {e["trigger"] for e in queue["escalations"]} >= {"abuse", "churn"}
    assert queue["overloaded"] and queue["overdue_followups"]
    assigned = api.call("GET", "/v1/conversations?status=closed").json()
    assert {c["outcome"] for c in assigned} == {"resolved"}


def test_scenarios_for_role_play(api: Client) -> None:
    found = api.call("GET", "/console/api/scenarios", "agent").json()
    assert len(found) >= 6 and all(s["lines"] and s["title"] for s in found)


def test_insights_need_a_supervisor_and_never_crash(api: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    assert api.call("GET", "/console/api/insights", "agent").json()["available"] is False
    built = api.call("GET", "/console/api/insights", "lead").json()
    assert built["available"] is True and "<html" in built["html"].lower()

    def broken(url: str, **_: object) -> str:
        raise RuntimeError("boom")

    monkeypatch.setattr(insights_view, "render_database_report", broken)
    failed = api.call("GET", "/console/api/insights", "lead").json()
    assert failed["available"] is False and "RuntimeError" in failed["reason"]


def test_helper_api_never_fails(api: Client) -> None:
    """Schemathesis over the console's own helper routes (the service's test covers /v1)."""
    schemathesis = pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error

    schema = schemathesis.openapi.from_asgi("/openapi.json", api.client.app).include(
        path_regex="^/console/api/")
    case_id = api.call("POST", "/v1/conversations", "agent", json={}).json()["id"]
    api.call("POST", f"/v1/conversations/{case_id}/messages", "agent",
             json={"role": "agent", "text": "I will call you back tomorrow."})
    headers = {"Authorization": f"Bearer {api.keys['admin']}"}
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 4  # state, demo, scenarios, insights (the rest is /v1's)
    for operation in operations:

        @settings(max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=[not_a_server_error])

        try:
            run()
        except Exception as exc:  # report every operation's failure at once
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)
