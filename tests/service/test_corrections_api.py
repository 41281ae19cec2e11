"""Corrections through the API: who may mark what, label validation, idempotency, audit, errors."""

from __future__ import annotations

import httpx

from tests.service.conftest import Api

TEXT = "I shall be telling the parish newsletter all about your shop."


def _messages(api: Api, who: str = "agent") -> tuple[int, int]:
    """A conversation of `who` with one customer and one agent message: their ids."""
    conv = api.conversation(who)
    customer = api.say(conv, TEXT, who=who)
    reply = api.say(conv, "I am sorry to hear that.", role="agent", who=who)
    return int(str(customer["id"])), int(str(reply["id"]))


def _mark(api: Api, message: int, who: str = "agent", **body: object) -> httpx.Response:
    payload = {"kind": "missed_flag", "label": "public", **body}
    return api.client.post(f"/v1/messages/{message}/corrections", json=payload, headers=api.h(who))


def test_agent_marks_a_missed_flag_once(api: Api) -> None:
    customer, _reply = _messages(api)
    first = _mark(api, customer, note="going to the newsletter is going public")
    assert first.status_code == 201, first.text
    made = first.json()
    assert made["kind"] == "missed_flag" and made["label"] == "public"
    assert made["message_id"] == customer and made["created_by"] == api.ids["agent"]
    again = _mark(api, customer)
    assert again.status_code == 200 and again.json()["id"] == made["id"]
    listed = api.client.get("/v1/corrections", headers=api.h("agent")).json()
    assert [c["id"] for c in listed] == [made["id"]]
    audit = api.client.get("/v1/audit", params={"entity": "correction"}, headers=api.h("admin"))
    assert audit.status_code == 200, audit.text
    assert [(e["entity_id"], e["action"], e["actor_id"]) for e in audit.json()] == [
        (made["id"], "created", api.ids["agent"])]


def test_agents_only_on_their_own_conversations(api: Api) -> None:
    mine, _ = _messages(api, "agent")
    theirs, _ = _messages(api, "other")
    refused = _mark(api, theirs, who="agent")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    assert _mark(api, mine, who="agent").status_code == 201
    assert _mark(api, theirs, who="other").status_code == 201
    # a supervisor may mark any customer message, and sees every correction
    assert _mark(api, theirs, who="supervisor", kind="level", label="annoyed").status_code == 201
    everyone = api.client.get("/v1/corrections", headers=api.h("supervisor")).json()
    assert len(everyone) == 3
    agents_view = api.client.get("/v1/corrections", headers=api.h("agent")).json()
    assert [c["message_id"] for c in agents_view] == [mine]
    other_view = api.client.get("/v1/corrections", params={"kind": "level"},
                                headers=api.h("other")).json()
    assert [(c["kind"], c["label"]) for c in other_view] == [("level", "annoyed")]


def test_validation_errors_are_422_in_the_error_shape(api: Api) -> None:
    customer, reply = _messages(api)
    unknown = _mark(api, customer, label="newsletter")
    assert unknown.status_code == 422
    error = unknown.json()["error"]
    assert error["code"] == "invalid_input"
    assert "'newsletter' is not a flag of this playbook" in error["message"]
    assert "public" in error["message"]
    assert _mark(api, customer, kind="level", label="livid").status_code == 422
    bad_kind = _mark(api, customer, kind="missed_area")
    assert bad_kind.status_code == 422 and bad_kind.json()["error"]["code"] == "validation_error"
    extra = _mark(api, customer, score=1)
    assert extra.status_code == 422
    agent_message = _mark(api, reply)
    assert agent_message.status_code == 422
    assert "agent's" in agent_message.json()["error"]["message"]
    assert _mark(api, 999_999).status_code == 404
    assert _mark(api, customer, note="x" * 2001).status_code == 422
    assert api.client.get("/v1/corrections", headers=api.h("agent")).json() == []


def test_needs_a_key_and_lists_labels(api: Api) -> None:
    customer, _ = _messages(api)
    assert api.client.post(f"/v1/messages/{customer}/corrections",
                           json={"kind": "level", "label": "calm"}).status_code == 401
    assert api.client.get("/v1/corrections").status_code == 401
    labels = api.client.get("/v1/corrections/labels", headers=api.h("agent"))
    assert labels.status_code == 200
    kinds = labels.json()["kinds"]
    assert kinds["level"] == ["calm", "annoyed", "frustrated", "angry", "hostile"]
    assert "public" in kinds["missed_flag"] and "refund" in kinds["wrong_want"]
