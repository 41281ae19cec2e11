"""`GET /v1/conversations/{id}/assist` (where a case stands for the next reply, posting nothing)
and `POST /v1/followups/{id}/confirm` (the agent keeps, rewords, re-dates or drops a follow-up
filed from their promise): the owner's and supervisors' only, every choice audited."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine

from calmline.settings import Settings
from tests.service.conftest import Api, api, make_api, migrated

__all__ = ["api", "migrated"]


def _audit(api: Api, followup: int) -> list[dict[str, Any]]:
    found = api.client.get("/v1/audit", params={"entity": "followup", "entity_id": followup},
                           headers=api.h("admin"))
    assert found.status_code == 200, found.text
    entries: list[dict[str, Any]] = found.json()
    return entries


def test_assist_gives_the_next_move_and_suggestions(api: Api) -> None:
    conv = api.conversation()
    empty = api.client.get(f"/v1/conversations/{conv}/assist", headers=api.h("agent"))
    assert empty.status_code == 200, empty.text
    assert empty.json() == {"stage": "venting", "moment": None, "outcome": None,
                            "next_move": "Wait for the customer's first message.",
                            "suggestions": []}
    api.say(conv, "My refund for order #A-1234 never came. Unacceptable!")
    assist = api.client.get(f"/v1/conversations/{conv}/assist", headers=api.h("agent")).json()
    assert assist["stage"] == "venting" and assist["next_move"]
    assert assist["suggestions"] and {"text", "source", "score", "placeholders", "next_move"} == set(
        assist["suggestions"][0])
    by_lead = api.client.get(f"/v1/conversations/{conv}/assist", headers=api.h("supervisor"))
    assert by_lead.status_code == 200
    answered = api.say(conv, "I'm sorry, let me check the refund for you now.", role="agent")
    replied = api.client.get(f"/v1/conversations/{conv}/assist", headers=api.h("agent")).json()
    assert replied["suggestions"] == []  # the agent wrote last: nothing to suggest yet
    # and the message's own answer agrees: no first-contact replies after the agent's answer
    assert answered["suggestions"] == [] and answered["next_move"] == replied["next_move"]


def test_assist_is_the_owner_s_and_posts_nothing(api: Api) -> None:
    theirs = api.conversation("other")
    api.say(theirs, "Where is my parcel?", who="other")
    refused = api.client.get(f"/v1/conversations/{theirs}/assist", headers=api.h("agent"))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    missing = api.client.get("/v1/conversations/999999/assist", headers=api.h("agent"))
    assert missing.status_code == 404
    assert api.client.get(f"/v1/conversations/{theirs}/assist").status_code == 401
    case = api.client.get(f"/v1/conversations/{theirs}", headers=api.h("other")).json()
    assert len(case["messages"]) == 1


def test_the_agent_confirms_rewords_or_drops_a_follow_up_and_each_is_audited(api: Api) -> None:
    conv = api.conversation()
    api.say(conv, "Where is my parcel?")
    sent = api.say(conv, "I will call you back tomorrow and I will email the label today.",
                   role="agent")
    first, second = sent["followups"][:2]  # type: ignore[index]
    kept = api.client.post(f"/v1/followups/{first['id']}/confirm", headers=api.h("agent"),
                           json={"keep": True, "what": "Call back about the parcel",
                                 "due": "2030-01-02T09:30:00Z"})
    assert kept.status_code == 200, kept.text
    body = kept.json()
    assert body["what"] == "Call back about the parcel" and body["due"].startswith("2030-01-02T09:30")
    assert body["status"] == "open" and body["due_text"] == "set by the agent"
    confirmed = [e for e in _audit(api, first["id"]) if e["action"] == "confirmed"]
    assert len(confirmed) == 1 and confirmed[0]["actor_id"] == api.ids["agent"]
    assert confirmed[0]["detail"] == {"what": "Call back about the parcel",
                                      "due": "2030-01-02T09:30:00+00:00"}
    same = api.client.post(f"/v1/followups/{first['id']}/confirm", headers=api.h("agent"),
                           json={"what": "Call back about the parcel"})
    assert same.status_code == 200 and same.json()["due"].startswith("2030-01-02T09:30")
    assert [e["detail"] for e in _audit(api, first["id"]) if e["action"] == "confirmed"][-1] is None

    dropped = api.client.post(f"/v1/followups/{second['id']}/confirm", headers=api.h("agent"),
                              json={"keep": False, "what": second["what"]})
    assert dropped.status_code == 200 and dropped.json()["status"] == "cancelled"
    cancelled = [e for e in _audit(api, second["id"]) if e["action"] == "cancelled"]
    assert len(cancelled) == 1 and cancelled[0]["actor_id"] == api.ids["agent"]
    again = api.client.post(f"/v1/followups/{second['id']}/confirm", headers=api.h("agent"),
                            json={"keep": True, "what": "x"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"


def test_only_the_owner_or_a_supervisor_confirms(api: Api) -> None:
    theirs = api.conversation("other")
    posted = api.say(theirs, "I will call you back tomorrow at 10am.", role="agent", who="other")
    followup = posted["followups"][0]["id"]  # type: ignore[index]
    refused = api.client.post(f"/v1/followups/{followup}/confirm", json={"what": "Call back"},
                              headers=api.h("agent"))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert not [e for e in _audit(api, followup) if e["action"] == "confirmed"]
    missing = api.client.post("/v1/followups/999999/confirm", json={"what": "Call back"},
                              headers=api.h("agent"))
    assert missing.status_code == 404
    blank = api.client.post(f"/v1/followups/{followup}/confirm", json={"what": "  "},
                            headers=api.h("other"))
    assert blank.status_code == 422
    by_lead = api.client.post(f"/v1/followups/{followup}/confirm", json={"what": "Call back"},
                              headers=api.h("supervisor"))
    assert by_lead.status_code == 200, by_lead.text
    assert [e["actor_id"] for e in _audit(api, followup) if e["action"] == "confirmed"] == [
        api.ids["supervisor"]]


def test_the_moved_routes_are_v1_s_and_documented(api: Api) -> None:
    paths = api.client.get("/openapi.json").json()["paths"]
    for path, method, model in (("/v1/conversations/{conversation_id}/assist", "get", "Assist"),
                                ("/v1/followups/{followup_id}/confirm", "post", "FollowUpPublic"),
                                ("/v1/people", "get", "People")):
        responses = paths[path][method]["responses"]
        assert {"401", "403", "404", "409", "422"} <= set(responses), path
        assert responses["200"]["content"]["application/json"]["schema"] == {
            "$ref": f"#/components/schemas/{model}"}
    for old in ("/console/api/people", "/console/api/conversations/{conversation_id}/assist",
                "/console/api/followups/{followup_id}/confirm"):
        assert old not in paths
    assert api.client.get("/console/api/people", headers=api.h("agent")).status_code == 404


CRISIS = "I can't do this anymore. Everyone would be better off without me."


def test_a_team_sets_its_crisis_line_without_editing_the_playbook(
        migrated: dict[str, tuple[str, Engine]]) -> None:
    """CALMLINE_CRISIS_LINE fills the wellbeing reply's help line; without it the reply keeps the
    [local crisis line] placeholder for the agent to fill (no number is right everywhere)."""
    url, engine = migrated["sqlite"]
    for line, expected in (("Samaritans on 116 123", "Samaritans on 116 123"), (None, "[local crisis line]")):
        for served in make_api(url, engine, crisis_line=line):
            conv = served.conversation()
            served.say(conv, CRISIS)
            assist = served.client.get(f"/v1/conversations/{conv}/assist", headers=served.h("agent")).json()
            top = assist["suggestions"][0]
            assert expected in top["text"], top
            assert ("[local crisis line]" in top["placeholders"]) == (line is None), top


def test_a_crisis_line_with_a_slot_or_placeholder_is_refused() -> None:
    with pytest.raises(ValidationError):
        Settings(crisis_line="call {crisis_line}")
    with pytest.raises(ValidationError):
        Settings(crisis_line="[local crisis line]")


def test_the_replies_call_the_customer_by_the_name_they_wrote_under(api: Api) -> None:
    """The console showed "I'm really sorry about ..., and thank you for telling me" to Priya
    Shah: the stored turns carry no author, so the suggestions never used her name."""
    conv = api.conversation()
    posted = api.client.post(f"/v1/conversations/{conv}/messages", headers=api.h("supervisor"),
                             json={"role": "customer", "author": "Priya Shah",
                                   "text": "Hello? Is anyone there?"})
    assert posted.status_code == 201, posted.text
    assert posted.json()["suggestions"][0]["text"].startswith("Hi Priya,"), posted.json()["suggestions"]
    assist = api.client.get(f"/v1/conversations/{conv}/assist", headers=api.h("agent")).json()
    assert assist["suggestions"][0]["text"].startswith("Hi Priya,"), assist["suggestions"]
