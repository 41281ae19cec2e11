"""The conversation, not the last message (issue 9.4), through the real app on both databases."""

from __future__ import annotations

from typing import Any

from tests.service.conftest import Api

HOSTILE = "You people are useless… I want your manager RIGHT NOW"
HELLO = "Hello?? Is anyone there?"


def _get(api: Api, path: str, who: str = "supervisor", **params: Any) -> Any:
    response = api.client.get(path, params=params, headers=api.h(who))
    assert response.status_code == 200, response.text
    return response.json()


def test_hostile_then_hello_stays_hot_and_tops_the_queue(api: Api) -> None:
    calm = api.conversation()
    api.say(calm, "Hi, could you tell me when my order ships?")
    abusive = api.conversation()
    first = api.say(abusive, HOSTILE)
    escalations = first["escalations"]
    assert isinstance(escalations, list) and len(escalations) == 1  # one page, both reasons
    (escalation,) = escalations
    assert escalation["route"] == "supervisor" and escalation["triggers"] == ["abuse", "manager"]
    assert "abuse" in escalation["reason"] and "manager" in escalation["reason"]
    assert [t["trigger"] for t in escalation["evidence"]["triggers"]] == ["abuse", "manager"]
    later = api.say(abusive, HELLO)
    assert later["escalations"] == []

    detail = _get(api, f"/v1/conversations/{abusive}", who="agent")
    reading = detail["reading"]
    assert detail["anger_level"] in ("angry", "hostile") and detail["anger_score"] >= 0.6
    assert reading["level"] == detail["anger_level"] and reading["score"] == detail["anger_score"]
    assert reading["trend"] != "cooling" and reading["latest_level"] == "calm"
    assert reading["peak_level"] == "hostile" and reading["customer_turns"] == 2
    assert {f["label"] for f in reading["open_flags"]} >= {"abuse", "manager"}
    assert "manager" in [w["label"] for w in reading["open_wants"]]
    assert [e["triggers"] for e in detail["escalations"]] == [["abuse", "manager"]]

    queue = _get(api, "/v1/supervisor/queue")
    assert [c["id"] for c in queue["hottest"]][:2] == [abusive, calm]
    assert [e["conversation_id"] for e in queue["escalations"]] == [abusive]
    hottest = _get(api, "/v1/conversations", order="hottest", status="open")
    assert [c["id"] for c in hottest][:2] == [abusive, calm]
    assert hottest[0]["reading"]["peak_level"] == "hostile"
    angry = _get(api, "/v1/conversations", anger_level=detail["anger_level"])
    assert [c["id"] for c in angry] == [abusive]


def test_an_agent_reply_closes_wants_and_resolving_closes_the_flags(api: Api) -> None:
    conv = api.conversation()
    posted = api.say(conv, HOSTILE)
    api.say(conv, "I'm sorry about this. I'm getting my manager for you now.", role="agent")
    reading = _get(api, f"/v1/conversations/{conv}", who="agent")["reading"]
    assert reading["open_wants"] == []
    assert {f["label"] for f in reading["open_flags"]} >= {"abuse", "manager"}
    escalation = posted["escalations"][0]  # type: ignore[index]
    done = api.client.post(f"/v1/escalations/{escalation['id']}/resolve",
                           json={"resolution": "the lead called the customer"},
                           headers=api.h("supervisor"))
    assert done.status_code == 200, done.text
    reading = _get(api, f"/v1/conversations/{conv}", who="agent")["reading"]
    assert not [f for f in reading["open_flags"] if f["route"] == "supervisor"]


def test_a_new_case_has_no_reading_yet(api: Api) -> None:
    conv = api.conversation()
    detail = _get(api, f"/v1/conversations/{conv}", who="agent")
    assert detail["reading"] is None and detail["anger_level"] == "calm"
    api.say(conv, "Thanks, that's all I needed.", role="agent")
    reading = _get(api, f"/v1/conversations/{conv}", who="agent")["reading"]
    assert reading["customer_turns"] == 0 and reading["trend"] is None


def test_danger_outranks_a_louder_case_in_the_queue(api: Api) -> None:
    """PLAYBOOK §2: a quiet account-takeover report goes above a hostile, abusive case, and its
    security escalation above the supervisor's."""
    abusive = api.conversation()
    api.say(abusive, HOSTILE)
    takeover = api.conversation()
    posted = api.say(takeover, "somebody logged into my account from another country and changed my "
                               "email and password")
    assert [e["route"] for e in posted["escalations"]] == ["security"]  # type: ignore[index]
    abusive_again = api.conversation()
    api.say(abusive_again, HOSTILE)  # the newest escalation is not a danger one

    queue = _get(api, "/v1/supervisor/queue")
    assert queue["hottest"][0]["id"] == takeover
    assert queue["escalations"][0]["conversation_id"] == takeover
    assert queue["escalations"][0]["route"] == "security"
    assert {e["route"] for e in queue["escalations"][1:]} == {"supervisor"}
