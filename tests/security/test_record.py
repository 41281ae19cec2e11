"""The record can't be faked: who may post a customer's words, blank customer lines, and times
that are ISO 8601 strings rather than numbers read as seconds since 1970.

The rule (README, "The service"): customer messages come from the helpdesk (the webhook's user or
an integration's key) or from a supervisor or admin importing history. An agent may post customer
lines only on a demo or practice conversation (external id `demo:…`), to role-play.
"""

from __future__ import annotations

import json
import uuid

import pytest

from calmline.service.routers.webhooks import signed_headers
from tests.service.conftest import SECRET, Api, api, migrated

__all__ = ["api", "migrated"]
ANGRY = "I want my refund NOW. This is the third time I'm asking, you people are hopeless."


def _post(api: Api, conv: int, who: str, role: str, text: str) -> tuple[int, dict[str, object]]:
    response = api.client.post(f"/v1/conversations/{conv}/messages", params={"suggestions": "false"},
                               json={"role": role, "text": text}, headers=api.h(who))
    return response.status_code, response.json()


def _messages(api: Api, conv: int) -> list[tuple[str, str]]:
    found = api.client.get(f"/v1/conversations/{conv}", headers=api.h("supervisor")).json()
    return [(m["role"], m["text"]) for m in found["messages"]]


def _event(api: Api, conversation: str, text: str) -> tuple[int, dict[str, object]]:
    raw = json.dumps({"event_id": uuid.uuid4().hex, "conversation": conversation,
                      "role": "customer", "text": text}).encode()
    response = api.client.post("/v1/webhooks/messages", content=raw,
                               headers=signed_headers(SECRET, raw))
    return response.status_code, response.json()


def test_an_agent_cannot_put_words_in_a_real_customers_mouth(api: Api) -> None:
    conv = api.conversation("agent")
    status, body = _post(api, conv, "agent", "customer", "Thank you, you've been wonderful!")
    assert status == 403 and body["error"]["code"] == "forbidden"
    assert "helpdesk" in body["error"]["message"]
    assert _messages(api, conv) == []  # nothing stored, nothing scored
    status, _ = _post(api, conv, "agent", "agent", "I'm sorry about the wait.")
    assert status == 201  # their own side, as ever


@pytest.mark.parametrize("who", ["supervisor", "admin"])
def test_supervisors_and_admins_import_customer_lines(api: Api, who: str) -> None:
    conv = api.conversation("agent")
    status, body = _post(api, conv, who, "customer", ANGRY)
    assert status == 201 and body["analysis"] is not None
    assert _messages(api, conv) == [("customer", ANGRY)]


def test_the_helpdesk_posts_customer_lines(api: Api) -> None:
    status, body = _event(api, "zendesk-4242", ANGRY)
    assert status == 201, body
    assert _messages(api, int(str(body["conversation_id"]))) == [("customer", ANGRY)]


def test_an_agent_role_plays_the_customer_only_on_their_own_demo_conversation(api: Api) -> None:
    made = api.client.post("/v1/conversations", json={"external_id": "demo:practice-7"},
                           headers=api.h("agent"))
    assert made.status_code == 201
    practice = int(made.json()["id"])
    status, body = _post(api, practice, "agent", "customer", ANGRY)
    assert status == 201 and body["analysis"] is not None
    status, _ = _post(api, practice, "other", "customer", ANGRY)
    assert status == 403  # someone else's practice conversation
    # an id that merely contains the word is not a demo conversation
    real = api.client.post("/v1/conversations", json={"external_id": "zendesk-demo:9"},
                           headers=api.h("agent")).json()["id"]
    assert _post(api, real, "agent", "customer", ANGRY)[0] == 403


def test_demo_data_is_marked_and_its_agents_can_role_play_on_it(api: Api) -> None:
    seeded = api.client.post("/console/api/demo", headers=api.h("admin"))
    assert seeded.status_code == 201, seeded.text
    ids = seeded.json()["conversations"]
    cases = [api.client.get(f"/v1/conversations/{i}", headers=api.h("admin")).json() for i in ids]
    assert all(str(c["external_id"]).startswith("demo:") for c in cases)
    keys = {u["id"]: u["key"] for u in seeded.json()["users"]}
    case = next(c for c in cases if c["status"] == "open" and c["agent_id"] in keys)
    response = api.client.post(f"/v1/conversations/{case['id']}/messages",
                               json={"role": "customer", "text": "Still waiting."},
                               headers={"Authorization": f"Bearer {keys[case['agent_id']]}"})
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("text", ["", " ", "\n\t  \r\n"])
def test_a_blank_customer_line_is_refused_not_scored(api: Api, text: str) -> None:
    conv = api.conversation("agent")
    status, body = _post(api, conv, "supervisor", "customer", text)
    assert status == 422 and body["error"]["message"], body
    assert _messages(api, conv) == []
    status, body = _event(api, "chatwoot-blank", text)
    assert status == 422 and body["error"]["message"], body
    practice = api.client.post("/v1/conversations", json={"external_id": "demo:blank"},
                               headers=api.h("agent")).json()["id"]
    assert _post(api, practice, "agent", "customer", text)[0] == 422


NOT_ISO = [0, 1, 1_700_000_000, 1.5, "0", "1700000000", "", "tomorrow", True]


@pytest.mark.parametrize("due", NOT_ISO)
def test_a_follow_up_due_time_is_an_iso_string_not_a_number(api: Api, due: object) -> None:
    conv = api.conversation("agent")
    refused = api.client.post(f"/v1/conversations/{conv}/followups",
                              json={"what": "Call the customer back", "due": due}, headers=api.h("agent"))
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["code"] == "validation_error"
    posted = api.say(conv, "I will call you back tomorrow at 10am.", role="agent")
    followup = posted["followups"][0]["id"]  # type: ignore[index]
    confirm = api.client.post(f"/v1/followups/{followup}/confirm",
                              json={"what": "Call back", "due": due}, headers=api.h("agent"))
    assert confirm.status_code == 422, confirm.text
    message = api.client.post(f"/v1/conversations/{conv}/messages",
                              json={"role": "agent", "text": "Hello", "time": due}, headers=api.h("agent"))
    assert message.status_code == 422, message.text


def test_iso_times_are_still_accepted(api: Api) -> None:
    conv = api.conversation("agent")
    made = api.client.post(f"/v1/conversations/{conv}/followups",
                           json={"what": "Call back", "due": "2030-05-01T09:30:00+02:00"},
                           headers=api.h("agent"))
    assert made.status_code == 201 and made.json()["due"].startswith("2030-05-01T07:30:00")
    dated = api.client.post(f"/v1/conversations/{conv}/followups",
                            json={"what": "Send the label", "due": "2030-05-02"}, headers=api.h("agent"))
    assert dated.status_code == 201
