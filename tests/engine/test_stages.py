"""The conversation stage machine: transitions, their turns and evidence."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from calmline.conversation import parse_conversation
from calmline.engine.coach import scanner_for
from calmline.engine.core import Engine
from calmline.engine.moment import read_moment
from calmline.engine.stages import STAGES
from calmline.service import coaching
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
    # her first message is a plain question about a late order (not venting), her second vents
    # (nobody called back); the agent's one good reply hears her; her "OK ... I'll wait for your
    # call at 4" accepts the fix and agrees to the dated call back
    assert path == [("heard", 0, "customer"), ("venting", 2, "customer"), ("heard", 9, "agent"),
                    ("resolving", 10, "customer"), ("agreed", 10, "customer"),
                    ("follow_up_scheduled", 10, "customer")]
    for transition in moment.state.transitions:
        assert transition.evidence and transition.reason
    assert moment.state.to_dict()["transitions"][1]["from"] == "heard"


@pytest.mark.parametrize("conversation, path, final, outcome", [
    (turns(("customer", "My parcel is late AGAIN and nobody tells me anything, this is ridiculous!"),
           ("agent", "I'm so sorry, that's really frustrating.")),
     [("venting", "heard", 1)], "heard", None),
    (turns(("customer", "My order 55120 arrived broken and I'm fed up with you people!"),
           ("agent", "I'm sorry. So order 55120 arrived broken, is that right?"),
           ("customer", "yes, that's right")),
     [("venting", "heard", 1), ("heard", "understood", 2)], "understood", None),
    (turns(("customer", "I want a manager."),
           ("agent", "I have escalated this to my supervisor, who will call you by 3pm.")),
     [("venting", "heard", 0), ("heard", "closed", 1)], "closed", "escalated"),
    (turns(("customer", "My order 55120 arrived broken and I'm fed up with you people!"),
           ("agent", "Sorry! I can send a replacement within 2 business days."),
           ("customer", "ok that works, thanks"),
           ("customer", "it arrived, all sorted, have a good day")),
     [("venting", "heard", 1), ("heard", "resolving", 2), ("resolving", "agreed", 2),
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


def test_a_dated_call_back_the_customer_accepts_is_agreed_and_scheduled() -> None:
    """The call back is the fix for "you never call back": their "ok fine, 2pm" accepts it and
    agrees to it, so the case waits for the 2pm call (it is not still 'heard', where the coach
    would suggest saying sorry again and promising an update "within 24 hours")."""
    chat = turns(("customer", "Third time I've been cut off mid-call. You keep promising a callback "
                              "and it never comes."),
                 ("agent", "I'm so sorry, being cut off three times and then waiting for callbacks "
                           "that never come is awful. I'll call you myself at 2pm today and stay on "
                           "the line until it's sorted."),
                 ("customer", "ok fine, 2pm. don't forget."))
    assert stage_path(chat) == [("venting", "heard", 1), ("heard", "resolving", 2),
                                ("resolving", "agreed", 2), ("agreed", "follow_up_scheduled", 2)]
    # without the customer's answer the promise is only a claim: one step
    assert stage_path(chat[:2]) == [("venting", "heard", 1)]


def test_frustrated_push_back_does_not_take_the_offer() -> None:
    """'3 working days?! ... This is a joke.' is not venting and not heated, but it is no yes: the
    case stays heard (the coach once read it as resolving and suggested "Thank you, that's agreed")."""
    chat = turns(("customer", "I was promised a refund of £240 two weeks ago by your colleague Mark. "
                              "Nothing has arrived. I want it today."),
                 ("agent", "I'm sorry, Mark should have followed that up. I've submitted the £240 "
                           "refund now and it will reach your card within 3 working days."),
                 ("customer", "3 working days?! I was told it was done two weeks ago. This is a joke."))
    assert stage_path(chat) == [("venting", "heard", 1)]


def test_venting_again_moves_back() -> None:
    chat = turns(("customer", "My parcel is late."), ("agent", "I'm sorry, that's frustrating."),
                 ("customer", "This is RIDICULOUS!!! I am FURIOUS, you people are a JOKE, worst "
                              "company ever, absolutely disgusting"))
    path = stage_path(chat)
    assert path[-1][1] == "venting" and path[-1][2] == 2


def test_stages_are_ordered() -> None:
    assert STAGES[0] == "venting" and STAGES[-1] == "closed" and len(set(STAGES)) == 7


def test_one_agent_promise_does_not_tick_every_step() -> None:
    """Apology, fix, "to confirm" and a dated call back in one message: heard, nothing more,
    until the customer answers."""
    chat = turns(("customer", "My order 55120 is late, this is ridiculous! Nobody ever replies!"),
                 ("agent", "I'm sorry. Just to confirm the next steps: I will refund you today and "
                           "call you tomorrow at 10am."))
    moment = read_moment(chat, coach_analyzer(), scanner_for())
    assert stage_path(chat) == [("venting", "heard", 1)]
    assert moment.kind == "understand"


def test_agent_messages_in_a_row_take_one_step() -> None:
    chat = turns(("customer", "My order 55120 is late, this is ridiculous! Nobody ever replies!"),
                 ("agent", "I'm so sorry, that's really frustrating."),
                 ("agent", "So order 55120 is late. I can send a replacement within 2 business days."))
    assert stage_path(chat) == [("venting", "heard", 1)]


def test_a_fix_offered_to_an_unheard_customer_waits_for_them() -> None:
    chat = turns(("customer", "My order 55120 is late, this is ridiculous! Nobody ever replies!"),
                 ("agent", "I can send a replacement within 2 business days."))
    moment = read_moment(chat, coach_analyzer(), scanner_for())
    assert stage_path(chat) == [] and moment.kind == "hear"
    accepted = [*chat, {"role": "customer", "text": "ok, that works"}]
    assert [target for _, target, _ in stage_path(accepted)] == ["resolving", "agreed"]


def test_the_customer_agreeing_accepts_the_offer() -> None:
    chat = turns(("customer", "My order 55120 is late, this is ridiculous! Nobody ever replies!"),
                 ("agent", "I'm sorry. Just to confirm the next steps: I will refund you today and "
                           "call you tomorrow at 10am."),
                 ("customer", "ok, that works"))
    assert [target for _, target, _ in stage_path(chat)] == [
        "heard", "resolving", "agreed", "follow_up_scheduled"]


AGREED_THEN_ANGRY = turns(
    ("customer", "I was charged twice for order 55120, I want a refund."),
    ("agent", "I'm sorry. I can refund the duplicate charge today."),
    ("customer", "ok, go ahead"),
    ("agent", "Done. I will email you the confirmation by 5pm today."),
    ("customer", "Wait, what? No. That is NOT what we agreed. Where is my refund??"))


def test_upset_again_after_the_agreement_falls_back() -> None:
    moment = read_moment(AGREED_THEN_ANGRY, coach_analyzer(), scanner_for())
    assert stage_path(AGREED_THEN_ANGRY[:4])[-1][1] == "follow_up_scheduled"
    assert moment.state.stage == "venting"
    assert moment.state.transitions[-1].turn == 4 and moment.state.transitions[-1].role == "customer"
    assert moment.kind not in ("agree", "close")


def test_no_agreed_suggestion_once_the_customer_is_upset_again() -> None:
    engine = Engine(coach_analyzer())
    top = engine.suggest(AGREED_THEN_ANGRY)[0]
    assert top.source != "template:agree_confirm" and "that's agreed" not in top.text


def test_venting_again_after_a_scheduled_follow_up_moves_back() -> None:
    chat = [*AGREED_THEN_ANGRY[:4],
            {"role": "customer", "text": "This is RIDICULOUS!!! I am FURIOUS, you people are a JOKE, "
                                         "worst company ever, absolutely disgusting"}]
    assert stage_path(chat)[-1] == ("follow_up_scheduled", "venting", 4)


@pytest.mark.parametrize("text", [
    "Hi, could you tell me when my order 55120 will arrive?",
    "Hello, how do I change the delivery address on my account?",
])
def test_a_calm_question_is_not_venting(text: str) -> None:
    moment = read_moment(turns(("customer", text)), coach_analyzer(), scanner_for())
    assert moment.latest is not None and not moment.latest.venting.venting
    assert moment.state.stage == "heard"
    assert moment.kind not in ("venting", "hear")
    assert moment.state.transitions[0].role == "customer"


CLOSED = turns(("customer", "My order 55120 arrived broken and I'm fed up with you people!"),
               ("agent", "Sorry! I can send a replacement within 2 business days."),
               ("customer", "ok that works, thanks"),
               ("customer", "it arrived, all sorted, have a good day"))


def test_a_closed_case_has_no_suggestions_or_next_move() -> None:
    engine = Engine(coach_analyzer())
    assert engine.moment(CLOSED).state.stage == "closed"
    assert engine.suggest(CLOSED) == []
    found = coaching.assess(engine, CLOSED)
    assert found.stage == "closed" and found.outcome == "resolved"
    assert found.next_move is None and found.suggestions == []
