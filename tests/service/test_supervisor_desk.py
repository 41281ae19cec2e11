"""The supervisor's desk (issue 14.2): take over, reassign, whisper; supervisors only, audited."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from tests.cases.dbs import BACKENDS
from tests.service.conftest import Api, make_api

MANAGER = "This is useless, I want to speak to your manager RIGHT NOW"
HOSTILE = "You are a pathetic useless idiot, this is the WORST service ever!!!"


def _escalated(api: Api) -> int:
    conv = api.conversation("agent")
    api.say(conv, MANAGER, suggestions="false")
    return conv


def _actions(api: Api, conv: int) -> list[tuple[str, int | None]]:
    entries = api.client.get("/v1/audit", params={"entity": "conversation", "entity_id": conv},
                             headers=api.h("supervisor")).json()
    return [(e["action"], e["actor_id"]) for e in entries]


def test_take_over_gives_the_case_to_the_supervisor_and_acknowledges_its_escalations(api: Api) -> None:
    conv = _escalated(api)
    url = f"/v1/conversations/{conv}/take-over"
    assert api.client.post(url, headers=api.h("agent")).status_code == 403
    taken = api.client.post(url, headers=api.h("supervisor"))
    assert taken.status_code == 200, taken.text
    assert taken.json()["agent_id"] == api.ids["supervisor"]
    escalations = api.client.get("/v1/escalations", params={"conversation_id": conv},
                                 headers=api.h("supervisor")).json()
    assert escalations and {e["status"] for e in escalations} == {"acknowledged"}
    assert {e["acknowledged_by"] for e in escalations} == {api.ids["supervisor"]}
    again = api.client.post(url, headers=api.h("supervisor"))  # a retry changes nothing
    assert again.status_code == 200 and again.json()["agent_id"] == api.ids["supervisor"]
    assert _actions(api, conv).count(("taken_over", api.ids["supervisor"])) == 1
    # the former agent no longer owns it
    assert api.client.get(f"/v1/conversations/{conv}", headers=api.h("agent")).status_code == 403


def test_reassign_moves_the_case_and_is_audited(api: Api) -> None:
    conv = _escalated(api)
    url = f"/v1/conversations/{conv}/reassign"
    body = {"agent_id": api.ids["other"]}
    assert api.client.post(url, json=body, headers=api.h("agent")).status_code == 403
    moved = api.client.post(url, json=body, headers=api.h("supervisor"))
    assert moved.status_code == 200, moved.text
    assert moved.json()["agent_id"] == api.ids["other"]
    assert api.client.get(f"/v1/conversations/{conv}", headers=api.h("other")).status_code == 200
    assert api.client.get(f"/v1/conversations/{conv}", headers=api.h("agent")).status_code == 403
    assert ("reassigned", api.ids["supervisor"]) in _actions(api, conv)
    missing = api.client.post(url, json={"agent_id": 999_999}, headers=api.h("supervisor"))
    assert missing.status_code == 404 and missing.json()["error"]["code"]
    bad = api.client.post(url, json={"agent_id": "someone"}, headers=api.h("supervisor"))
    assert bad.status_code == 422 and "error" in bad.json()


def test_closed_cases_cannot_be_moved_or_whispered_on(api: Api) -> None:
    conv = api.conversation("agent")
    api.client.post(f"/v1/conversations/{conv}/close", json={"outcome": "abandoned"},
                    headers=api.h("agent"))
    for path, body in (("take-over", None), ("reassign", {"agent_id": api.ids["other"]}),
                       ("whispers", {"text": "too late"})):
        refused = api.client.post(f"/v1/conversations/{conv}/{path}", json=body,
                                  headers=api.h("supervisor"))
        assert refused.status_code == 409, (path, refused.text)
        assert refused.json()["error"]["code"] == "conflict"


@pytest.fixture(params=BACKENDS)
def touchy(request: pytest.FixtureRequest, migrated: dict[str, tuple[str, Engine]]) -> Iterator[Api]:
    url, engine = migrated[request.param]
    yield from make_api(url, engine, breather_threshold=1.0, overload_threshold=1.5)


def test_reassign_refuses_an_agent_on_a_breather(touchy: Api) -> None:
    api = touchy
    stressed = api.conversation("other")
    for _ in range(3):
        api.say(stressed, HOSTILE, who="other", suggestions="false")
    conv = _escalated(api)
    refused = api.client.post(f"/v1/conversations/{conv}/reassign",
                              json={"agent_id": api.ids["other"]}, headers=api.h("supervisor"))
    assert refused.status_code == 409 and "breather" in refused.json()["error"]["message"]
    case = api.client.get(f"/v1/conversations/{conv}", headers=api.h("supervisor")).json()
    assert case["agent_id"] == api.ids["agent"]
    assert not [a for a, _ in _actions(api, conv) if a == "reassigned"]


def test_whispers_reach_the_agent_and_never_the_customer_record(api: Api) -> None:
    conv = _escalated(api)
    url = f"/v1/conversations/{conv}/whispers"
    note = {"text": "Offer the refund, I approve it."}
    assert api.client.post(url, json=note, headers=api.h("agent")).status_code == 403
    key = {"Idempotency-Key": "whisper-1"}
    made = api.client.post(url, json=note, headers={**api.h("supervisor"), **key})
    assert made.status_code == 201, made.text
    replay = api.client.post(url, json=note, headers={**api.h("supervisor"), **key})
    assert replay.status_code == 201 and replay.json() == made.json()
    assert replay.headers.get("Idempotent-Replayed") == "true"
    seen = api.client.get(url, headers=api.h("agent"))
    assert seen.status_code == 200
    assert [(w["text"], w["author_id"]) for w in seen.json()] == [(note["text"], api.ids["supervisor"])]
    assert api.client.get(url, headers=api.h("other")).status_code == 403
    case = api.client.get(f"/v1/conversations/{conv}", headers=api.h("agent")).json()
    assert all(note["text"] not in m["text"] for m in case["messages"])
    assert case["message_count"] == 1
    summary = api.client.get(f"/v1/conversations/{conv}/summary", headers=api.h("agent")).json()
    assert note["text"] not in str(summary)
    audited = api.client.get("/v1/audit", params={"entity": "conversation", "entity_id": conv},
                             headers=api.h("supervisor")).json()
    whispered = [e for e in audited if e["action"] == "whispered"]
    assert len(whispered) == 1 and note["text"] not in str(whispered[0]["detail"])


@pytest.mark.parametrize("text", ["", "   ", "a\x00b", "x" * 2001])
def test_bad_whispers_are_422(api: Api, text: str) -> None:
    conv = api.conversation("agent")
    refused = api.client.post(f"/v1/conversations/{conv}/whispers", json={"text": text},
                              headers=api.h("supervisor"))
    assert refused.status_code == 422 and set(refused.json()["error"]) >= {"code", "message"}


def test_the_queue_names_the_agent_the_wait_and_why_it_is_hot(api: Api) -> None:
    made = api.client.post("/v1/conversations", headers=api.h("agent"), json={
        "subject": "Parcel lost", "customer": {"external_id": "c-1", "name": "Dana Price"}})
    conv = made.json()["id"]
    api.say(conv, MANAGER, suggestions="false")
    queue = api.client.get("/v1/supervisor/queue", headers=api.h("supervisor")).json()
    [item] = [e for e in queue["escalations"] if e["conversation_id"] == conv]
    assert (item["agent_id"], item["agent_name"]) == (api.ids["agent"], "agent")
    assert (item["customer_name"], item["subject"]) == ("Dana Price", "Parcel lost")
    assert item["waiting_since"] is not None and item["waited_seconds"] >= 0
    assert any(r.startswith("escalated to supervisor:") and "manager" in r for r in item["why_hot"])
    [case] = [c for c in queue["hottest"] if c["id"] == conv]
    assert case["agent_name"] == "agent" and case["why_hot"] == item["why_hot"]
    assert any(r.startswith("customer ") for r in case["why_hot"]), case["why_hot"]
    api.say(conv, "I'm sorry, I'm getting my team lead for you now.", role="agent",
            suggestions="false")
    answered = api.client.get("/v1/supervisor/queue", headers=api.h("supervisor")).json()
    [case] = [c for c in answered["hottest"] if c["id"] == conv]
    assert case["waiting_since"] is None and case["waited_seconds"] is None
    api.say(conv, "Still waiting.", suggestions="false")
    api.say(conv, "Hello??", suggestions="false")
    again = api.client.get("/v1/supervisor/queue", headers=api.h("supervisor")).json()
    [case] = [c for c in again["hottest"] if c["id"] == conv]
    messages = api.client.get(f"/v1/conversations/{conv}", headers=api.h("agent")).json()["messages"]
    assert case["waiting_since"] == messages[2]["time"]  # the first of the unanswered two


def test_the_desk_lists_agents_with_their_breather_state(touchy: Api) -> None:
    api = touchy
    stressed = api.conversation("other")
    for _ in range(3):
        api.say(stressed, HOSTILE, who="other", suggestions="false")
    assert api.client.get("/v1/supervisor/agents", headers=api.h("agent")).status_code == 403
    listed = api.client.get("/v1/supervisor/agents", headers=api.h("supervisor")).json()
    assert [(a["name"], a["breather"]) for a in listed] == [("agent", False), ("other", True)]
