"""The guard before send: every review ends in a verdict (send, improve, blocked) with reasons,
decided by coach.yaml's `guard`, the same for the engine and for the API (issue 11.4)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from calmline.engine.core import Engine
from calmline.errors import PlaybookError
from calmline.playbook.coach_loader import load_coach, parse_coach
from calmline.playbook.coach_schema import CoachConfig
from tests.cases.dbs import migrated
from tests.coach.support import DEMO_CHAT, coach_analyzer
from tests.service.conftest import Api, api

__all__ = ["api", "migrated"]  # the fixtures of the API test below
GOOD = ("I'm sorry your laptop hasn't arrived, Dana. I can see how frustrating that is. Let me "
        "check order LP-48213 now and I will update you by 5pm today.")
REPLIES = Path(__file__).resolve().parents[1] / "data" / "agent_replies.jsonl"
RAW = yaml.safe_load(resources.files("calmline.playbook").joinpath("coach.yaml").read_text("utf-8"))


def engine_with(**guard: object) -> Engine:
    data = yaml.safe_load(yaml.safe_dump(RAW))
    data["guard"].update(guard)
    return Engine(coach_analyzer(), CoachConfig.model_validate(data))


@pytest.mark.parametrize("draft, label", [
    ("Please calm down, it's our policy.", "minimise"),
    ("I'm sorry, but the courier lost it, that's their fault, not ours.", "blame"),
    ("I'm sorry. I guarantee it will arrive tomorrow.", "over_promise"),
    ("THIS IS NOT MY PROBLEM!!!", "hostile_tone"),
])
def test_a_severe_anti_pattern_blocks_the_draft(draft: str, label: str) -> None:
    review = Engine(coach_analyzer()).review(draft, DEMO_CHAT)
    assert review.flagged(label)
    assert review.verdict == "blocked"
    title = load_coach().anti_patterns[label].title
    assert any(reason.startswith(title) for reason in review.reasons), review.reasons
    assert review.next_move != "Good to send."


def test_a_good_reply_is_good_to_send() -> None:
    review = Engine(coach_analyzer()).review(GOOD, DEMO_CHAT)
    assert review.verdict == "send" and review.reasons == ()


def test_a_milder_anti_pattern_asks_to_improve_not_block() -> None:
    # an excuse about ourselves: one that names the courier reads as blame too (the drafts set
    # labels "our billing system had a glitch …" excuse and blame), and blame blocks
    draft = GOOD + " We've been really busy this week, that's why it was late."
    review = Engine(coach_analyzer()).review(draft, DEMO_CHAT)
    assert review.flagged("excuse") and "excuse" not in load_coach().guard.block
    assert review.verdict == "improve"
    assert any(reason.startswith(load_coach().anti_patterns["excuse"].title)
               for reason in review.reasons)


@pytest.mark.parametrize("draft", ["Could you tell me which address it was meant to go to?",
                                   "I'm really sorry your laptop hasn't turned up."])
def test_a_short_good_reply_is_not_blocked(draft: str) -> None:
    """A low score means the draft does little of what the moment calls for, not that it hurts."""
    review = Engine(coach_analyzer()).review(draft, DEMO_CHAT)
    assert review.score < load_coach().guard.send_from and not review.anti_patterns
    assert review.verdict == "improve"


def strict_ok(engine: Engine) -> str:
    return engine.review("ok", DEMO_CHAT).verdict


def test_the_thresholds_come_from_the_coach_yaml() -> None:
    draft = "Please calm down, it's our policy."
    strict = Engine(coach_analyzer()).review(draft, DEMO_CHAT)
    lenient = engine_with(block=[]).review(draft, DEMO_CHAT)
    assert strict.score == lenient.score
    assert strict.verdict == "blocked" and lenient.verdict == "improve"
    low = engine_with(block_below=30).review("ok", DEMO_CHAT)
    assert not low.anti_patterns and low.score < 30
    assert low.verdict == "blocked" and low.reasons == (f"scores {low.score}, below 30",)
    assert strict_ok(Engine(coach_analyzer())) == "improve"
    assert strict_ok(engine_with(send_from=0)) == "send"


def test_on_the_labelled_replies_the_guard_blocks_harm_not_good_replies() -> None:
    """Issue 11's goal: good drafts blocked at most 5%; and most with a severe anti-pattern are."""
    engine, guard = Engine(coach_analyzer()), load_coach().guard
    rows = [json.loads(line) for line in REPLIES.read_text("utf-8").splitlines() if line.strip()]
    anti = set(load_coach().anti_patterns)

    def blocked(row: dict[str, Any]) -> bool:
        turn = [{"role": "customer", "text": row["customer"]}]
        return engine.review(row["text"], turn).verdict == "blocked"

    good = [blocked(r) for r in rows if not set(r["labels"]) & anti]
    severe = [blocked(r) for r in rows if set(r["labels"]) & set(guard.block)]
    assert len(good) >= 150 and len(severe) >= 40
    assert sum(good) / len(good) <= 0.05
    assert sum(severe) / len(severe) >= 0.75


@pytest.mark.parametrize("guard, message", [
    ({"block": ["shouting_at_people"]}, "unknown anti-patterns"),
    ({"block_below": 80, "send_from": 60}, "block_below"),
])
def test_a_bad_guard_fails_at_load(guard: dict[str, object], message: str) -> None:
    data = yaml.safe_load(yaml.safe_dump(RAW))
    data["guard"].update(guard)
    with pytest.raises(PlaybookError, match=message):
        parse_coach(yaml.safe_dump(data), "coach.yaml")


def test_the_api_answers_with_the_verdict(api: Api) -> None:
    conversation = {"messages": DEMO_CHAT}
    for draft, verdict in (("Please calm down, it's our policy.", "blocked"), (GOOD, "send")):
        response = api.client.post("/v1/reviews", json={"draft": draft, "conversation": conversation},
                                   headers=api.h("agent"))
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["verdict"] == verdict
        assert bool(body["reasons"]) == (verdict != "send")
    schema = api.client.get("/openapi.json").json()["components"]["schemas"]["ReviewPublic"]
    assert schema["properties"]["verdict"]["enum"] == ["send", "improve", "blocked"]
