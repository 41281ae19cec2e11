"""The webhook (issue 12, items 4, 5 and 8): a signed timestamp, an event id stored once, a case
opened once by concurrent first events, and no events for a deactivated service user."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import Engine

from calmline.cases import idempotency as store
from calmline.service.routers.webhooks import sign, signed_headers
from tests.cases.dbs import BACKENDS
from tests.service.conftest import SECRET, Api, make_api

URL = "/v1/webhooks/messages"


def event(event_id: str, conversation: str = "zd-501", text: str = "Where is my refund?",
          **extra: Any) -> bytes:
    return json.dumps({"event_id": event_id, "conversation": conversation, "role": "customer",
                       "text": text, **extra}).encode()


def post(api: Api, raw: bytes, stamp: int | None = None) -> Any:
    return api.client.post(URL, content=raw, headers=signed_headers(SECRET, raw, stamp))


def stored(api: Api, conversation_id: int) -> list[dict[str, Any]]:
    found = api.client.get(f"/v1/conversations/{conversation_id}", headers=api.h("supervisor"))
    assert found.status_code == 200, found.text
    messages: list[dict[str, Any]] = found.json()["messages"]
    return messages


def refused(response: Any, status: int, words: str) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"code", "message", "detail"} and words in error["message"], error


def test_a_captured_request_replayed_stores_nothing(api: Api) -> None:
    raw = event("evt-1")
    headers = signed_headers(SECRET, raw)
    first = api.client.post(URL, content=raw, headers=headers)
    assert first.status_code == 201, first.text
    for _ in range(3):  # the very same bytes and headers, as an eavesdropper would resend them
        again = api.client.post(URL, content=raw, headers=headers)
        assert again.status_code == 201 and again.json() == first.json()
        assert again.headers["Idempotent-Replayed"] == "true"
    # the helpdesk redelivering the event later, signed anew, gets the same answer
    redelivered = post(api, raw)
    assert redelivered.json() == first.json()
    assert [m["text"] for m in stored(api, first.json()["conversation_id"])] == ["Where is my refund?"]


def test_an_event_id_reused_for_another_event_is_refused(api: Api) -> None:
    assert post(api, event("evt-7")).status_code == 201
    refused(post(api, event("evt-7", text="Something else entirely")), 422, "different request")
    refused(post(api, json.dumps({"conversation": "zd-1", "role": "customer",
                                  "text": "no id"}).encode()), 422, "event_id")


def test_the_timestamp_is_signed_and_must_be_recent(api: Api) -> None:
    raw, now = event("evt-2"), int(time.time())
    refused(post(api, raw, stamp=now - 400), 401, "old")
    refused(post(api, raw, stamp=now + 400), 401, "in the future")
    moved = {**signed_headers(SECRET, raw, now - 10), "X-Calmline-Timestamp": str(now)}
    refused(api.client.post(URL, content=raw, headers=moved), 401, "wrong X-Calmline-Signature")
    old_scheme = hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()  # the body alone
    body_only = {"X-Calmline-Timestamp": str(now), "X-Calmline-Signature": f"sha256={old_scheme}"}
    refused(api.client.post(URL, content=raw, headers=body_only), 401, "wrong X-Calmline-Signature")
    refused(api.client.post(URL, content=raw, headers={"X-Calmline-Signature": sign(SECRET, raw, now)}),
            401, "X-Calmline-Timestamp")
    refused(post(api, raw, stamp=-5), 401, "unix seconds")
    assert post(api, raw, stamp=now - 200).status_code == 201


def test_the_tolerance_is_a_setting(migrated: dict[str, tuple[str, Engine]]) -> None:
    url, engine = migrated["sqlite"]
    for api in make_api(url, engine, webhook_tolerance_seconds=5):
        refused(post(api, event("evt-3"), stamp=int(time.time()) - 30), 401, "the limit is 5 s")


def test_the_event_id_is_recorded_in_the_message_transaction(api: Api,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """If recording the event id fails, the message is not stored either (and vice versa)."""
    opened = post(api, event("evt-a", text="First."))
    assert opened.status_code == 201
    with monkeypatch.context() as patch:
        def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("the disk filled up")

        patch.setattr(store, "remember", broken)
        assert post(api, event("evt-b", text="Second.")).status_code == 500
    assert [m["text"] for m in stored(api, opened.json()["conversation_id"])] == ["First."]
    retried = post(api, event("evt-b", text="Second."))
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried.headers
    assert [m["text"] for m in stored(api, opened.json()["conversation_id"])] == ["First.", "Second."]


@pytest.fixture(params=BACKENDS)
def busy_api(request: pytest.FixtureRequest, migrated: dict[str, tuple[str, Engine]]
             ) -> Iterator[Api]:
    """The app with enough request threads for 20 events to race each other in the database."""
    url, engine = migrated[request.param]
    yield from make_api(url, engine, threads=24)


def test_concurrent_first_events_open_one_case_and_store_every_message(busy_api: Api) -> None:
    events = [event(f"evt-race-{n}", conversation="zd-race", text=f"Message {n}: where is it?",
                    customer={"external_id": "cust-race", "name": "Ray"}) for n in range(20)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda raw: post(busy_api, raw), events))
    assert [a.status_code for a in answers] == [201] * 20, [a.text for a in answers if a.status_code != 201]
    cases = {a.json()["conversation_id"] for a in answers}
    assert len(cases) == 1
    messages = stored(busy_api, cases.pop())
    assert sorted(m["text"] for m in messages) == sorted(f"Message {n}: where is it?" for n in range(20))
    assert [m["seq"] for m in messages] == list(range(1, 21))


def test_a_deactivated_webhook_user_stops_the_webhook(api: Api) -> None:
    first = post(api, event("evt-u1"))
    assert first.status_code == 201
    users = api.client.get("/v1/users", headers=api.h("admin")).json()
    hook = next(u for u in users if u["name"] == "webhook")
    off = api.client.post(f"/v1/users/{hook['id']}/deactivate", headers=api.h("admin"))
    assert off.status_code == 200, off.text
    refused(post(api, event("evt-u2", text="Are you there?")), 403, "deactivated")
    after = api.client.get("/v1/users", headers=api.h("admin")).json()
    assert [u["name"] for u in after].count("webhook") == 1  # not re-created under another id
    assert len(stored(api, first.json()["conversation_id"])) == 1
