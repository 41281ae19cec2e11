"""The conversation stage machine: transitions, their turns and evidence."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from calmline.conversation import parse_conversation
from calmline.engine.coach import scanner_for
from calmline.engine.moment import read_moment
from calmline.engine.stages import STAGES
from tests.coach.support import coach_analyzer, turns


def stage_path(conversation: object) -> list[tuple[str, str, int]]:
    moment = read_moment(conversation, coach_analyzer(), scanner_for())  # type: ignore[arg-type]
    return [(t.source, t.target, t.turn) for t in moment.state.transitions]


def test_demo_chat_walks_to_follow_up_scheduled() -> None:
    raw = resources.files("calmline.demo").joinpath("angry_chat.json").read_text("utf-8")
    conversation = parse_conversation(json.loads(raw))
    moment = read_moment(conversation, coach_analyzer(), scanner_for())
    assert moment.state.stage == "follow_up_scheduled"
    path = [(t.target, t.turn, t.role) for t in moment.state.transitions]
    assert path == [("heard", 9, "agent"), ("understood", 9, "agent"), ("resolving", 9, "agent"),
                    ("agreed", 10, "customer"), ("follow_up_scheduled", 10, "customer")]
    for transition in moment.state.transitions:
        assert transition.evidence and transition.reason
    assert moment.state.to_dict()["transitions"][0]["from"] == "venting"


@pytest.mark.parametrize("conversation, path, final, outcome", [
    (turns(("customer", "My parcel is late."), ("agent", "I'm so sorry, that's really frustrating.")),
     [("venting", "heard", 1)], "heard", None),
    (turns(("customer", "My order 55120 arrived broken."),
           ("agent", "I'm sorry. So order 55120 arrived broken, is that right?")),
     [("venting", "heard", 1), ("heard", "understood", 1)], "understood", None),
    (turns(("customer", "I want a manager."),
           ("agent", "I have escalated this to my supervisor, who will call you by 3pm.")),
     [("venting", "closed", 1)], "closed", "escalated"),
    (turns(("customer", "My order 55120 arrived broken."),
           ("agent", "Sorry! I can send a replacement within 2 business days."),
           ("customer", "ok that works, thanks"),
           ("customer", "it arrived, all sorted, have a good day")),
     [("venting", "heard", 1), ("heard", "resolving", 1), ("resolving", "agreed", 2),
      ("agreed", "closed", 3)], "closed", "resolved"),
])
def test_transitions_keep_the_turn(conversation: list[dict[str, str]], path: list[tuple[str, str, int]],
                                   final: str, outcome: str | None) -> None:
    moment = read_moment(conversation, coach_analyzer(), scanner_for())
    assert stage_path(conversation) == path
    assert moment.state.stage == final and moment.state.outcome == outcome


def test_a_dated_promise_after_agreement_schedules_the_follow_up() -> None:
    chat = turns(("customer", "I was charged twice, I want a refund."),
                 ("agent", "I'm sorry. I can refund the duplicate charge."),
                 ("customer", "ok, go ahead"),
                 ("agent", "Done. I will email you the confirmation by 5pm today."))
    assert stage_path(chat)[-1] == ("agreed", "follow_up_scheduled", 3)


def test_venting_again_moves_back() -> None:
    chat = turns(("customer", "My parcel is late."), ("agent", "I'm sorry, that's frustrating."),
                 ("customer", "This is RIDICULOUS!!! I am FURIOUS, you people are a JOKE, worst "
                              "company ever, absolutely disgusting"))
    path = stage_path(chat)
    assert path[-1][1] == "venting" and path[-1][2] == 2


def test_stages_are_ordered() -> None:
    assert STAGES[0] == "venting" and STAGES[-1] == "closed" and len(set(STAGES)) == 7
