"""The API end to end through the real app, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest

from calmline.service.routers.webhooks import signed_headers
from tests.service.conftest import SECRET, Api

ANGRY = "This is RIDICULOUS!!! Third time I'm asking. I want a refund for order 48213 NOW."


def test_health_and_docs(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok", "database": "ok"}
    spec = api.client.get("/openapi.json").json()
    for path in ("/v1/conversations", "/v1/conversations/{conversation_id}/messages", "/v1/reviews",
                 "/v1/escalations", "/v1/followups", "/v1/supervisor/queue",
                 "/v1/agents/{agent_id}/load", "/v1/webhooks/messages"):
        assert path in spec["paths"], path
    assert api.client.get("/docs").status_code == 200


def test_auth(api: Api) -> None:
    assert api.client.get("/v1/conversations").status_code == 401
    bad = api.client.get("/v1/conversations", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "unauthorized"
    conv = api.conversation("agent")
    assert api.client.get(f"/v1/conversations/{conv}", headers=api.h("other")).status_code == 403
    assert api.client.get(f"/v1/conversations/{conv}", headers=api.h("supervisor")).status_code == 200
    assert api.client.get("/v1/conversations", headers=api.h("other")).json() == []
    assert api.client.get("/v1/supervisor/queue", headers=api.h("agent")).status_code == 403
    assert api.client.get(f"/v1/agents/{api.ids['other']}/load", headers=api.h("agent")).status_code == 403


def test_post_customer_message_returns_analysis_stage_and_suggestions(api: Api) -> None:
    conv = api.conversation()
    posted = api.say(conv, ANGRY)
    assert posted["seq"] == 1 and posted["role"] == "customer"
    analysis = posted["analysis"]
    assert isinstance(analysis, dict) and analysis["anger"]["level"] in ("angry", "hostile", "frustrated")
    assert posted["stage"] == "venting"
    assert isinstance(posted["next_move"], str) and posted["next_move"]
    assert isinstance(posted["suggestions"], list) and posted["suggestions"]
    detail = api.client.get(f"/v1/conversations/{conv}", headers=api.h("agent")).json()
    assert [m["text"] for m in detail["messages"]] == [ANGRY]
    assert detail["anger_level"] == analysis["anger"]["level"]
    quick = api.say(conv, "hello?", suggestions="false")
    assert quick["suggestions"] == [] and quick["seq"] == 2


def test_a_webhook_event_is_answered_without_suggestions_unless_asked(api: Api) -> None:
    """A helpdesk delivering events does not read suggested replies: the webhook composes them
    only for `?suggestions=true`; the rest of the answer is the same either way."""
    answers = []
    for n, query in enumerate(("", "?suggestions=true")):
        raw = json.dumps({"event_id": f"evt-s{n}", "conversation": f"zd-s{n}", "role": "customer",
                          "text": ANGRY}).encode()
        answer = api.client.post("/v1/webhooks/messages" + query, content=raw,
                                 headers=signed_headers(SECRET, raw))
        assert answer.status_code == 201, answer.text
        answers.append(answer.json())
    plain, asked = answers
    assert plain["suggestions"] == [] and asked["suggestions"]
    assert plain["analysis"] == asked["analysis"] and plain["next_move"] == asked["next_move"]
    assert plain["stage"] == asked["stage"] == "venting"


def test_abuse_escalates_and_supervisor_handles_it(api: Api) -> None:
    conv = api.conversation()
    posted = api.say(conv, "You are a useless idiot and I will sue your company, my lawyer will call.")
    routes = {e["route"] for e in posted["escalations"]}
    assert routes, posted
    opened = api.client.get("/v1/escalations", params={"status": "open"}, headers=api.h("supervisor"))
    assert {e["route"] for e in opened.json()} == routes
    esc = opened.json()[0]["id"]
    assert api.client.post(f"/v1/escalations/{esc}/acknowledge", headers=api.h("agent")).status_code == 403
    ack = api.client.post(f"/v1/escalations/{esc}/acknowledge", headers=api.h("supervisor"))
    assert ack.status_code == 200 and ack.json()["status"] == "acknowledged"
    again = api.client.post(f"/v1/escalations/{esc}/acknowledge", headers=api.h("supervisor"))
    assert again.status_code == 409
    done = api.client.post(f"/v1/escalations/{esc}/resolve", json={"resolution": "called back"},
                           headers=api.h("supervisor"))
    assert done.json()["status"] == "resolved"
    listed = api.client.get("/v1/conversations", params={"escalated": "true"}, headers=api.h("agent"))
    assert [c["id"] for c in listed.json()] == [conv]


def test_manual_escalation(api: Api) -> None:
    conv = api.conversation()
    url = f"/v1/conversations/{conv}/escalations"
    made = api.client.post(url, json={"route": "legal", "reason": "asks about a contract clause"},
                           headers=api.h("agent"))
    assert made.status_code == 201 and made.json()["trigger"] == "manual"
    assert made.json()["raised_by"] == api.ids["agent"]
    unknown = api.client.post(url, json={"route": "nowhere", "reason": "x"}, headers=api.h("agent"))
    assert unknown.status_code == 422 and "unknown route" in unknown.json()["error"]["message"]
    dup = api.client.post(url, json={"route": "legal", "reason": "again"}, headers=api.h("agent"))
    assert dup.status_code == 409


def test_promises_become_followups_and_block_resolving(api: Api) -> None:
    conv = api.conversation()
    api.say(conv, "My parcel never arrived and nobody called me back.")
    posted = api.say(conv, "I'm sorry about that. I will call you back tomorrow at 10am with the "
                           "tracking update.", role="agent")
    assert posted["followups"], posted
    fid = posted["followups"][0]["id"]
    listed = api.client.get("/v1/followups", params={"status": "open"}, headers=api.h("agent")).json()
    assert [f["id"] for f in listed] == [fid]
    close = f"/v1/conversations/{conv}/close"
    blocked = api.client.post(close, json={"outcome": "resolved"}, headers=api.h("agent"))
    assert blocked.status_code == 409 and blocked.json()["error"]["code"] == "conflict"
    empty = api.client.post(f"/v1/followups/{fid}/complete", json={"result": ""}, headers=api.h("agent"))
    assert empty.status_code == 422
    done = api.client.post(f"/v1/followups/{fid}/complete", json={"result": "called, sent tracking"},
                           headers=api.h("agent"))
    assert done.json()["status"] == "done"
    closed = api.client.post(close, json={"outcome": "resolved"}, headers=api.h("agent"))
    assert closed.status_code == 200 and closed.json()["outcome"] == "resolved"
    summary = api.client.get(f"/v1/conversations/{conv}/summary", headers=api.h("agent")).json()
    assert summary["promised"][0]["status"] == "done" and "Promised:" in summary["text"]
    text = api.client.get(f"/v1/conversations/{conv}/summary", params={"format": "text"},
                          headers=api.h("agent"))
    assert text.headers["content-type"].startswith("text/plain") and text.text.startswith("Issue:")


def test_overdue_followups_and_queue(api: Api) -> None:
    conv = api.conversation()
    made = api.client.post(f"/v1/conversations/{conv}/followups",
                           json={"what": "send the refund form", "due": "2020-01-01T10:00:00Z"},
                           headers=api.h("agent"))
    assert made.status_code == 201 and made.json()["overdue"] is True
    overdue = api.client.get("/v1/followups", params={"status": "overdue"}, headers=api.h("supervisor"))
    assert [f["id"] for f in overdue.json()] == [made.json()["id"]]
    listed = api.client.get("/v1/conversations", params={"overdue": "true"}, headers=api.h("supervisor"))
    assert [c["id"] for c in listed.json()] == [conv]
    queue = api.client.get("/v1/supervisor/queue", headers=api.h("supervisor")).json()
    assert [f["id"] for f in queue["overdue_followups"]] == [made.json()["id"]]
    assert [c["id"] for c in queue["hottest"]] == [conv]


def test_agent_load_rises_with_hostility(api: Api) -> None:
    conv = api.conversation()
    url = f"/v1/agents/{api.ids['agent']}/load"
    assert api.client.get(url, headers=api.h("agent")).json()["load"] == 0
    for _ in range(4):
        api.say(conv, "You are a pathetic useless idiot, this is the WORST service ever!!!",
                suggestions="false")
    load = api.client.get(url, headers=api.h("agent")).json()
    assert load["load"] > 2 and load["abuse_total"] >= 1 and load["hostile_messages_24h"] == 4
    queue = api.client.get("/v1/supervisor/queue", headers=api.h("supervisor")).json()
    assert [a["agent_id"] for a in queue["overloaded"]] == ([api.ids["agent"]] if load["breather"] else [])


def test_reviews(api: Api) -> None:
    inline = {"conversation": {"messages": [{"role": "customer", "text": ANGRY}]},
              "draft": "Calm down, that's our policy."}
    reviewed = api.client.post("/v1/reviews", json=inline, headers=api.h("agent"))
    assert reviewed.status_code == 200, reviewed.text
    body = reviewed.json()
    assert body["available"] and body["anti_patterns"] and 0 <= body["score"] <= 100
    conv = api.conversation()
    api.say(conv, ANGRY, suggestions="false")
    stored = api.client.post("/v1/reviews", json={"conversation_id": conv, "draft": "I'm sorry.",
                                                  "store": True}, headers=api.h("agent"))
    assert stored.status_code == 200
    both = api.client.post("/v1/reviews", json={**inline, "conversation_id": conv}, headers=api.h("agent"))
    assert both.status_code == 422


def test_users_api_and_routing(api: Api) -> None:
    made = api.client.post("/v1/users", json={"name": "zoe", "role": "agent"}, headers=api.h("admin"))
    assert made.status_code == 201
    key = made.json()["key"]
    assert api.client.get("/v1/conversations", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    assert api.client.post("/v1/users", json={"name": "x"}, headers=api.h("supervisor")).status_code == 403
    assert api.client.post("/v1/users", json={"name": "zoe"}, headers=api.h("admin")).status_code == 409
    conv = api.client.post("/v1/conversations", json={}, headers=api.h("supervisor")).json()["id"]
    owner = api.client.get(f"/v1/conversations/{conv}", headers=api.h("supervisor")).json()["agent_id"]
    assert owner in (api.ids["agent"], api.ids["other"], made.json()["id"])


def test_audit_log_records_every_state_change(api: Api) -> None:
    conv = api.conversation()
    api.say(conv, ANGRY, suggestions="false")
    api.client.post(f"/v1/conversations/{conv}/close", json={"outcome": "abandoned"}, headers=api.h("agent"))
    assert api.client.get("/v1/audit", headers=api.h("agent")).status_code == 403
    case = api.client.get("/v1/audit", params={"entity": "conversation", "entity_id": conv},
                          headers=api.h("supervisor")).json()
    assert [e["action"] for e in case] == ["created", "closed"]
    assert case[1]["actor_id"] == api.ids["agent"] and case[1]["detail"]["outcome"] == "abandoned"
    everything = api.client.get("/v1/audit", headers=api.h("supervisor")).json()
    ids = [e["id"] for e in everything]
    assert ids == sorted(ids) and {"conversation", "message"} <= {e["entity"] for e in everything}
    later = api.client.get("/v1/audit", params={"after": ids[-2]}, headers=api.h("supervisor")).json()
    assert [e["id"] for e in later] == ids[-1:]


def test_each_message_is_analysed_once(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """The case's stored turns come back exactly as they were analysed (text, time, anger), so
    posting the n-th message analyses one message, not all n (on both databases)."""
    analyzer = api.client.app.state.calmline.analyzer  # type: ignore[attr-defined]
    seen: list[str] = []
    original = type(analyzer)._analyze

    def counting(self: object, text: str, *args: object) -> object:
        seen.append(text)
        return original(self, text, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(type(analyzer), "_analyze", counting)
    conv = api.conversation()
    for i in range(6):
        seen.clear()
        api.say(conv, f"Message {i}: where is my ORDER {48000 + i}?!", suggestions="false")
        assert seen == [f"Message {i}: where is my ORDER {48000 + i}?!"], seen
