"""A customer who tells of a death in the family hears condolences first (coach.yaml
`customer.loss`), then their issue said back and owned; never "I can see why you're frustrated"
or a safety question for the grief itself."""

from __future__ import annotations

import pytest

from calmline.engine.composer import suggest
from calmline.engine.core import Engine
from calmline.engine.phrases import cancel_object, issue_object
from calmline.engine.recommend import move_for_moment
from calmline.engine.situations import lost_someone
from calmline.engine.slots import build_slots
from calmline.playbook.coach_loader import load_coach
from tests.coach.support import coach_analyzer, turns

LOSS = load_coach().customer.loss


@pytest.mark.parametrize(("text", "who"), [
    ("My mum passed away last month and I need to close her account.", "your mum"),
    ("I'm sorting out my late husband's gym membership", "your husband"),
    ("Since my dad died I've been trying to close his phone contract", "your dad"),
    ("our dog died last week and you're still sending his food box", "your dog"),
    ("She died on Tuesday and today you sent a letter addressed to her", "your loss"),
    ("Is there a bereavement team I can talk to?", "your loss"),
    ("I lost my card yesterday, can you block it?", None),
    ("I nearly died when I saw the bill", None),
    ("My phone died and I missed the delivery", None),
    ("the battery in my mum's car is flat, can someone come out", None),
])
def test_whom_they_lost_said_as_theirs(text: str, who: str | None) -> None:
    assert lost_someone(text, LOSS) == who


@pytest.mark.parametrize("text", [
    "Hi, my mum died last week and I need to cancel her phone contract. What do you need from me?",
    "My mum passed away last month and I need to close her account. Nobody is answering the "
    "bereavement line.",
    "My husband passed in August. I want to take his name off the energy account. Is there a form?",
    "I've sent my late mother's death certificate FOUR times. Your bereavement process is a disgrace",
])
def test_the_top_suggestion_starts_with_condolences(text: str) -> None:
    top = suggest(turns(("customer", text)), coach_analyzer())[0]
    assert top.text.startswith("I'm so sorry to hear about your"), top.text
    assert top.review.verdict == "send", (top.text, top.review.score, top.review.next_move)
    assert "frustrat" not in top.text and "Are you safe" not in top.text
    assert "your late" not in top.text  # "my late mother's" names no "late"


def test_what_they_ask_to_cancel_for_someone_else_is_said_back() -> None:
    top = suggest(turns(("customer", "Hi, my dad died last week and I need to cancel his phone "
                                     "contract.")), coach_analyzer())[0]
    assert "you'd like to cancel his phone contract" in top.text
    assert "repeat_back" in {b.label for b in top.review.behaviours if b.found}


def test_a_loss_is_not_the_issue() -> None:
    top = suggest(turns(("customer", "our dog died last week and you're still sending his monthly "
                                     "food box. cancel it please")), coach_analyzer())[0]
    assert top.text.startswith("I'm so sorry to hear about your dog")
    assert "died" not in top.text


@pytest.mark.parametrize(("text", "what"), [
    ("please cancel his phone contract", "his phone contract"),
    ("close my late husband's gym membership", "your late husband's gym membership"),
    ("cancel my gym membership", "your gym membership"),
])
def test_cancel_object_reads_whose_it_is(text: str, what: str) -> None:
    assert cancel_object([text]) == what


def test_a_late_relative_is_not_the_thing_they_write_about() -> None:
    assert issue_object(["I've sent my late mother's death certificate four times"]) != "your late"


GRIEF = "My dad died in October and you're STILL sending him letters demanding £89. It's disgusting."


@pytest.mark.parametrize("draft", ["", "Let me look into this for you.", "I'm sorry about that, I'll check."])
def test_the_next_move_after_a_loss_is_condolences_not_naming_frustration(draft: str) -> None:
    engine = Engine(coach_analyzer())
    chat = turns(("customer", GRIEF))
    move = engine.review(draft, chat).next_move
    assert "sorry for their loss" in move and "your dad" in move, move
    assert "frustrat" not in move.lower() and "Name the feeling" not in move
    moment = engine.moment(chat)
    console = move_for_moment(engine.coach, moment.kind, build_slots(moment, engine.coach))
    assert "sorry for their loss" in console and "frustrat" not in console.lower(), console


def test_the_loss_move_is_the_coach_s_own_words_and_only_for_a_loss() -> None:
    chat = turns(("customer", GRIEF))
    coach = load_coach()
    situations = {"loss": coach.situations["loss"].model_copy(update={"hint": "Offer condolences."})}
    engine = Engine(coach_analyzer(), coach.model_copy(update={"situations": situations}))
    assert engine.review("Let me look into this for you.", chat).next_move == "Offer condolences."
    # no death in the family: the usual move
    plain = Engine(coach_analyzer()).review(
        "Let me look into this for you.",
        turns(("customer", "You're STILL sending me letters demanding £89. It's disgusting.")))
    assert "loss" not in plain.next_move


def test_a_thing_of_theirs_that_died_is_still_their_issue_beside_a_loss() -> None:
    top = suggest(turns(("customer", "My phone died the day my dad passed away and you still charged me "
                                     "for a new one.")), coach_analyzer())[0]
    assert top.text.startswith("I'm so sorry to hear about your dad") and "your phone" in top.text


def test_whom_they_lost_is_never_the_issue_however_the_coach_reads_a_loss() -> None:
    coach = load_coach()
    put_down = r"(?:my|our) (?P<who>dog|cat)\b[^.!?\n]{0,40}?\b(?:put to sleep|put down)"
    custom = coach.model_copy(update={"customer": coach.customer.model_copy(
        update={"loss": [*coach.customer.loss, put_down]})})
    chat = turns(("customer", "Our dog was put to sleep on Monday and you're still sending his food box."))
    top = suggest(chat, coach_analyzer(), coach=custom)[0]
    assert top.text.startswith("I'm so sorry to hear about your dog"), top.text
    assert "problem with your dog" not in top.text


def test_the_death_is_never_said_back_as_their_issue() -> None:
    chat = turns(("customer", "our dog died last week and you're still sending his monthly food box. "
                              "cancel it please"))
    for s in suggest(chat, coach_analyzer()):
        assert "dog died" not in s.text and "dog died" not in s.review.next_move, s.review.next_move
