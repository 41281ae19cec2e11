"""`Idempotency-Key` on every POST that creates something (issue 12.6): a retry gets the first
answer and creates nothing; the key is per user, checked against the request, recorded with what
it created, and forgotten after its time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, update

from calmline.cases import idempotency as store
from calmline.cases.models import DraftReview, IdempotencyRecord, utcnow
from tests.cases.dbs import BACKENDS
from tests.service.conftest import Api, make_api

# every POST that creates something, as (path, OpenAPI path)
CREATES = ["/v1/conversations", "/v1/conversations/{conversation_id}/messages",
           "/v1/conversations/{conversation_id}/escalations",
           "/v1/conversations/{conversation_id}/followups", "/v1/messages/{message_id}/corrections",
           "/v1/users", "/v1/reviews"]


def keyed(api: Api, who: str, key: str) -> dict[str, str]:
    return {**api.h(who), "Idempotency-Key": key}


def count(api: Api, model: type[Any]) -> int:
    with api.client.app.state.calmline.sessions() as session:  # type: ignore[attr-defined]
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def conversation_ids(api: Api) -> list[int]:
    found = api.client.get("/v1/conversations", headers=api.h("supervisor"))
    return [c["id"] for c in found.json()]


def messages(api: Api, conv: int) -> list[str]:
    found = api.client.get(f"/v1/conversations/{conv}", headers=api.h("supervisor")).json()
    return [m["text"] for m in found["messages"]]


def test_every_create_documents_the_header(api: Api) -> None:
    paths = api.client.get("/openapi.json").json()["paths"]
    for path in CREATES:
        headers = [p["name"] for p in paths[path]["post"].get("parameters", []) if p["in"] == "header"]
        assert "Idempotency-Key" in headers, path


def _same_answer(first: Any, again: Any) -> None:
    assert again.status_code == first.status_code and again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert "Idempotent-Replayed" not in first.headers


def test_a_retried_message_is_stored_once(api: Api) -> None:
    conv = api.conversation()
    url, body = f"/v1/conversations/{conv}/messages", {"role": "agent", "text": "I will call you at 5pm."}
    first = api.client.post(url, json=body, headers=keyed(api, "agent", "msg-1"))
    assert first.status_code == 201, first.text
    for _ in range(2):
        _same_answer(first, api.client.post(url, json=body, headers=keyed(api, "agent", "msg-1")))
    assert messages(api, conv) == ["I will call you at 5pm."]
    # and a new key is a new message
    assert api.client.post(url, json=body, headers=keyed(api, "agent", "msg-2")).status_code == 201
    assert len(messages(api, conv)) == 2


def _created_twice(api: Api, who: str, url: str, body: dict[str, Any], key: str) -> Any:
    first = api.client.post(url, json=body, headers=keyed(api, who, key))
    assert first.status_code in (200, 201), first.text
    _same_answer(first, api.client.post(url, json=body, headers=keyed(api, who, key)))
    return first


def test_every_create_replays_instead_of_creating_again(api: Api) -> None:
    made = _created_twice(api, "agent", "/v1/conversations", {"subject": "Late laptop"}, "c-1")
    conv = made.json()["id"]
    assert conversation_ids(api) == [conv]
    message = api.say(conv, "This is the third time I ask, where is my laptop?", who="supervisor")
    escalation = {"route": "supervisor", "reason": "asked for a manager"}
    _created_twice(api, "agent", f"/v1/conversations/{conv}/escalations", escalation, "e-1")
    # without the key the same escalation is refused as already open: the retry above created none
    again = api.client.post(f"/v1/conversations/{conv}/escalations", json=escalation,
                            headers=api.h("agent"))
    assert again.status_code == 409
    _created_twice(api, "agent", f"/v1/conversations/{conv}/followups",
                   {"what": "call back", "due": "2030-01-01T09:00:00Z"}, "f-1")
    followups = api.client.get(f"/v1/conversations/{conv}", headers=api.h("agent")).json()["followups"]
    assert [f["what"] for f in followups].count("call back") == 1
    _created_twice(api, "agent", f"/v1/messages/{message['id']}/corrections",
                   {"kind": "level", "label": "angry"}, "k-1")
    assert len(api.client.get("/v1/corrections", headers=api.h("agent")).json()) == 1
    user = _created_twice(api, "admin", "/v1/users", {"name": "bo", "role": "agent"}, "u-1")
    assert user.json()["key"].startswith("cl_")
    assert [u["name"] for u in api.client.get("/v1/users", headers=api.h("admin")).json()].count("bo") == 1
    _created_twice(api, "agent", "/v1/reviews",
                   {"conversation_id": conv, "draft": "I'm sorry, I will sort it now.", "store": True},
                   "r-1")
    assert count(api, DraftReview) == 1


def test_a_key_used_for_another_request_is_refused(api: Api) -> None:
    conv = api.conversation()
    url = f"/v1/conversations/{conv}/messages"
    first = api.client.post(url, json={"role": "agent", "text": "One."}, headers=keyed(api, "agent", "k"))
    assert first.status_code == 201
    for url2, body in ((url, {"role": "agent", "text": "Two."}),  # another body
                       (url + "?suggestions=false", {"role": "agent", "text": "One."}),  # query
                       ("/v1/conversations", {})):  # another route
        refused = api.client.post(url2, json=body, headers=keyed(api, "agent", "k"))
        assert refused.status_code == 422, refused.text
        assert "different request" in refused.json()["error"]["message"]
    assert messages(api, conv) == ["One."] and len(conversation_ids(api)) == 1


def test_keys_belong_to_their_user(api: Api) -> None:
    mine = api.client.post("/v1/conversations", json={}, headers=keyed(api, "agent", "shared"))
    theirs = api.client.post("/v1/conversations", json={}, headers=keyed(api, "other", "shared"))
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"] and "Idempotent-Replayed" not in theirs.headers


def test_a_key_expires(api: Api) -> None:
    first = api.client.post("/v1/conversations", json={}, headers=keyed(api, "agent", "old"))
    with api.client.app.state.calmline.sessions.begin() as session:  # type: ignore[attr-defined]
        session.execute(update(IdempotencyRecord).values(expires_at=utcnow()))
    later = api.client.post("/v1/conversations", json={}, headers=keyed(api, "agent", "old"))
    assert later.status_code == 201 and later.json()["id"] != first.json()["id"]
    assert count(api, IdempotencyRecord) == 1  # the expired record made way for the new one


def test_the_key_must_be_printable_and_short(api: Api) -> None:
    for bad in ("has space", "x" * 201, ""):
        response = api.client.post("/v1/conversations", json={}, headers=keyed(api, "agent", bad))
        assert response.status_code == 422, (bad, response.text)
        assert set(response.json()["error"]) == {"code", "message", "detail"}
    assert conversation_ids(api) == []


def test_the_key_is_recorded_with_what_it_created(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure between creating and recording leaves neither: the retry creates it once."""
    conv = api.conversation()
    url, body = f"/v1/conversations/{conv}/messages", {"role": "agent", "text": "Refund sent."}
    with monkeypatch.context() as patch:
        def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("connection lost")

        patch.setattr(store, "remember", broken)
        assert api.client.post(url, json=body, headers=keyed(api, "agent", "a-1")).status_code == 500
    assert messages(api, conv) == []
    assert api.client.post(url, json=body, headers=keyed(api, "agent", "a-1")).status_code == 201
    assert api.client.post(url, json=body, headers=keyed(api, "agent", "a-1")).status_code == 201
    assert messages(api, conv) == ["Refund sent."]


@pytest.fixture(params=BACKENDS)
def busy_api(request: pytest.FixtureRequest, migrated: dict[str, tuple[str, Engine]]
             ) -> Iterator[Api]:
    url, engine = migrated[request.param]
    yield from make_api(url, engine, threads=12)


def test_simultaneous_retries_store_once(busy_api: Api) -> None:
    conv = busy_api.conversation()
    url = f"/v1/conversations/{conv}/messages?suggestions=false"
    send: Callable[[int], Any] = lambda _n: busy_api.client.post(  # noqa: E731
        url, json={"role": "agent", "text": "On it now."}, headers=keyed(busy_api, "agent", "same"))
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(send, range(10)))
    assert {a.status_code for a in answers} == {201}, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert messages(busy_api, conv) == ["On it now."]
