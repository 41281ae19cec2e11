"""The analysis and the review are typed in the API: the OpenAPI document describes them, and what
the API sends is exactly what the engine's `to_dict()` gives, also for analyses stored long ago."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select

from calmline.cases.models import Message
from calmline.engine.coach import review
from calmline.service.analysis_schemas import AnalysisPublic, ReviewPublic
from tests.service.conftest import Api

ANGRY = ("This is RIDICULOUS!!! Third time I'm asking. I want a refund for order 48213 NOW, "
         "or I'm calling my lawyer.")


def _json(data: Any) -> Any:
    return json.loads(json.dumps(data))


def _engine_part(data: Any) -> Any:
    """What the engine said: the API adds an `explanation` to each piece of evidence."""
    if isinstance(data, dict):
        return {k: _engine_part(v) for k, v in data.items() if k != "explanation"}
    if isinstance(data, list):
        return [_engine_part(v) for v in data]
    return data


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = spec["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    for option in node.get("anyOf", ()):  # `X | None`: the X
        if option.get("type") != "null":
            return _resolve(spec, option)
    return node


def test_openapi_describes_the_analysis_and_the_review(sqlite_api: Api) -> None:
    spec = sqlite_api.client.get("/openapi.json").json()
    posted = spec["paths"]["/v1/conversations/{conversation_id}/messages"]["post"]
    message = _resolve(spec, posted["responses"]["201"]["content"]["application/json"]["schema"])
    analysis = _resolve(spec, message["properties"]["analysis"])
    anger = _resolve(spec, analysis["properties"]["anger"])
    assert anger["properties"]["level"]["enum"] == ["calm", "annoyed", "frustrated", "angry",
                                                    "hostile"]
    flag = _resolve(spec, analysis["properties"]["flags"]["items"])
    assert {"label", "score", "evidence", "section"} <= set(flag["properties"])
    assert "watch" in flag["properties"]["section"]["description"]
    evidence = _resolve(spec, flag["properties"]["evidence"]["items"])
    assert {"start", "end", "text", "rule"} <= set(evidence["properties"])

    detail = spec["paths"]["/v1/conversations/{conversation_id}"]["get"]
    case = _resolve(spec, detail["responses"]["200"]["content"]["application/json"]["schema"])
    listed = _resolve(spec, case["properties"]["messages"]["items"])
    assert _resolve(spec, listed["properties"]["analysis"])["title"] == analysis["title"]

    reviews = spec["paths"]["/v1/reviews"]["post"]["responses"]["200"]["content"]
    verdict = _resolve(spec, reviews["application/json"]["schema"])
    assert {"behaviours", "anti_patterns", "missing", "commitments", "next_move", "verdict"} <= set(
        verdict["properties"])


def test_a_posted_message_carries_exactly_the_engine_analysis(sqlite_api: Api) -> None:
    conv = sqlite_api.conversation()
    body = sqlite_api.say(conv, ANGRY, suggestions="false")
    assert isinstance(body["analysis"], dict)
    AnalysisPublic.model_validate(body["analysis"])
    analyzer = sqlite_api.client.app.state.calmline.analyzer  # type: ignore[attr-defined]
    time = datetime.fromisoformat(str(body["time"]))
    expected = analyzer.analyze(ANGRY, [], time).to_dict()
    assert expected["flags"] and expected["anger"]["evidence"]
    assert _engine_part(body["analysis"]) == _json(expected)

    detail = sqlite_api.client.get(f"/v1/conversations/{conv}", headers=sqlite_api.h("agent")).json()
    assert _engine_part(detail["messages"][0]["analysis"]) == _json(expected)


def test_a_review_is_exactly_the_coach_review(sqlite_api: Api) -> None:
    draft = "Calm down, that's our policy. I will call you back tomorrow at 10am."
    turns = [{"role": "customer", "text": ANGRY}]
    response = sqlite_api.client.post("/v1/reviews", json={"conversation": {"messages": turns},
                                                           "draft": draft},
                                      headers=sqlite_api.h("agent"))
    assert response.status_code == 200, response.text
    body = response.json()
    ReviewPublic.model_validate(body)
    analyzer = sqlite_api.client.app.state.calmline.analyzer  # type: ignore[attr-defined]
    expected = review(draft, [{**t, "time": None, "author": None} for t in turns], analyzer).to_dict()
    assert expected["anti_patterns"] and expected["commitments"]
    due = [c.pop("due") for c in body["commitments"]], [c.pop("due") for c in expected["commitments"]]
    assert [d is None for d in due[0]] == [d is None for d in due[1]]  # "tomorrow": from now
    assert _engine_part(body) == {"available": True, **_json(expected)}


def test_an_old_stored_analysis_still_serves(sqlite_api: Api) -> None:
    conv = sqlite_api.conversation()
    sqlite_api.say(conv, ANGRY, suggestions="false")
    sessions = sqlite_api.client.app.state.calmline.sessions  # type: ignore[attr-defined]
    with sessions() as session:
        message = session.scalars(select(Message).where(Message.conversation_id == conv)).one()
        old: dict[str, Any] = json.loads(json.dumps(message.analysis))
        for key in ("causes", "areas", "wants", "flags", "extra"):
            for finding in old.get(key, []):
                finding.pop("section", None)
        for key in ("extra", "notes"):
            old.pop(key, None)
        old["escalate"].pop("route", None)
        old["from_an_older_version"] = True
        message.analysis = old
        session.commit()
    response = sqlite_api.client.get(f"/v1/conversations/{conv}", headers=sqlite_api.h("agent"))
    assert response.status_code == 200, response.text
    served = response.json()["messages"][0]["analysis"]
    assert served["flags"] and all(f["section"] is None for f in served["flags"])
    assert served["extra"] == [] and served["notes"] == [] and served["escalate"]["route"] is None
    assert "from_an_older_version" not in served
    assert _engine_part(served["anger"]) == old["anger"]
