"""The guard before send holds in the API too: a blocked agent reply needs an override with a
reason, the override is audited, a helpdesk's already-sent reply is kept and marked, and insights
over the case store count both per agent."""

from __future__ import annotations

import json
from typing import Any

from calmline.insights.run import RunOptions, run_insights
from calmline.service.routers.webhooks import signed_headers
from tests.service.conftest import SECRET, Api

BLOCKED = "Please calm down, that's our policy and there is nothing I can do."
GOOD = "I'm sorry about the wait. I'll refund order 48213 today and email you by 5pm."


def _audit(api: Api, conv: int) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = api.client.get(
        "/v1/audit", params={"limit": 200}, headers=api.h("admin")).json()
    return [e for e in entries if e["entity"] == "message" and e["action"].startswith("sent_")]


def test_a_blocked_reply_needs_a_reason_and_the_override_is_kept(api: Api) -> None:
    conv = api.conversation()
    api.say(conv, "My refund for order 48213 is three weeks late. I'm furious.", who="supervisor")
    refused = api.client.post(f"/v1/conversations/{conv}/messages", headers=api.h("agent"),
                              json={"role": "agent", "text": BLOCKED})
    assert refused.status_code == 409
    assert "override_reason" in refused.json()["error"]["message"]
    assert "calm" in refused.json()["error"]["message"].lower()
    detail = api.client.get(f"/v1/conversations/{conv}", headers=api.h("agent")).json()
    assert [m["role"] for m in detail["messages"]] == ["customer"]  # nothing stored

    blank = api.client.post(f"/v1/conversations/{conv}/messages", headers=api.h("agent"),
                            json={"role": "agent", "text": BLOCKED, "override_reason": "   "})
    assert blank.status_code == 409
    sent = api.client.post(f"/v1/conversations/{conv}/messages", headers=api.h("agent"), json={
        "role": "agent", "text": BLOCKED, "override_reason": "the customer asked for the policy"})
    assert sent.status_code == 201, sent.text
    entries = _audit(api, conv)
    assert [e["action"] for e in entries] == ["sent_over_guard"]
    assert entries[0]["detail"]["override_reason"] == "the customer asked for the policy"
    assert "minimise" in entries[0]["detail"]["anti_patterns"]

    fine = api.client.post(f"/v1/conversations/{conv}/messages", headers=api.h("agent"),
                           json={"role": "agent", "text": GOOD})
    assert fine.status_code == 201  # a good reply needs no reason and leaves no override
    assert len(_audit(api, conv)) == 1


def test_insights_count_the_replies_sent_over_the_guard(sqlite_api: Api) -> None:
    conv = sqlite_api.conversation()
    sqlite_api.say(conv, "Where is my parcel? This is the third time I ask!", who="supervisor")
    sqlite_api.client.post(f"/v1/conversations/{conv}/messages", headers=sqlite_api.h("agent"), json={
        "role": "agent", "text": BLOCKED, "override_reason": "quoting the policy on request"})
    sqlite_api.say(conv, "Unbelievable.", who="supervisor")
    url = sqlite_api.client.app.state.calmline.settings.database_url  # type: ignore[attr-defined]
    report = run_insights(RunOptions([], database=url, workers=1))
    agents = {a["agent"]: a for a in report["handling"]["agents"]}
    assert agents["agent"]["sent_over_guard"] == 1 and agents["agent"]["sent_while_blocked"] == 0


def test_a_reply_the_helpdesk_already_sent_is_kept_and_marked(api: Api) -> None:
    def deliver(event_id: str, role: str, text: str) -> int:
        raw = json.dumps({"event_id": event_id, "conversation": "cw-guard-1", "role": role,
                          "text": text}).encode()
        answer = api.client.post("/v1/webhooks/messages", content=raw,
                                 headers=signed_headers(SECRET, raw))
        assert answer.status_code in (200, 201), answer.text
        return int(answer.json()["conversation_id"])

    deliver("g-1", "customer", "My order is late again and nobody answers me!")
    conv = deliver("g-2", "agent", BLOCKED)  # already sent in the helpdesk: stored, not refused
    detail = api.client.get(f"/v1/conversations/{conv}", headers=api.h("supervisor")).json()
    assert [m["text"] for m in detail["messages"]][-1] == BLOCKED
    assert [e["action"] for e in _audit(api, conv)] == ["sent_while_blocked"]
