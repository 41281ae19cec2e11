"""The coach reads the everyday ways agents apologise, thank, reflect, restate, ask, suggest and
reassure, and does not read those behaviours into replies that only look like them.

Every sentence here was written for this file (none comes from a public evaluation set).
"""

from __future__ import annotations

from functools import lru_cache

import pytest

from calmline.engine.cues import CueScanner
from calmline.playbook.coach_loader import load_coach


@lru_cache(maxsize=1)
def scanner() -> CueScanner:
    return CueScanner(load_coach())


def found(text: str) -> set[str]:
    scan = scanner().scan(text)
    return set(scan.behaviours)


@pytest.mark.parametrize("reply", [
    "That's our mistake, and I've put it right.",
    "The replacement can't go out today, sorry.",
    "We regret the trouble this has caused.",
    "My apologies for the mix-up with your booking.",
])
def test_apologies_in_their_usual_forms(reply: str) -> None:
    assert "apology" in found(reply)


@pytest.mark.parametrize("reply", [
    "There's no need to apologise, these things happen.",
    "I'm not sorry to see the old tariff go, but let's get you set up on the new one.",
    "You made a mistake in the form, so it was rejected.",
])
def test_no_apology_where_there_is_none(reply: str) -> None:
    assert "apology" not in found(reply)


@pytest.mark.parametrize("reply", [
    "Much appreciated, that photo helps a lot.",
    "I can't change the date myself, but thank you for asking.",
    "Thankyou for waiting while I checked.",
    "Cheers for sending the invoice over.",
    "THANK YOU for bearing with us.",
    "I'm thankful you flagged it before it shipped.",
])
def test_thanks_in_their_usual_forms(reply: str) -> None:
    assert "thanks" in found(reply)


@pytest.mark.parametrize("reply", [
    "Thankfully the parcel was insured.",
    "Don't thank me, the courier found it.",
    "Kind regards, Sam. Cheers.",
])
def test_no_thanks_where_nobody_is_thanked(reply: str) -> None:
    assert "thanks" not in found(reply)


@pytest.mark.parametrize("reply", [
    "It sounds like you're really fed up with being passed around.",
    "You must be exhausted after three calls about this.",
    "I can't imagine how stressful the last week has been.",
    "I can definitely understand your frustration with the engineer.",
])
def test_reflecting_the_feeling_is_an_acknowledgement(reply: str) -> None:
    assert "acknowledge" in found(reply)


@pytest.mark.parametrize("reply", [
    "So you were charged twice for the annual plan?",
    "If I understand correctly, the engineer never arrived on Tuesday.",
    "It sounds like the replacement kettle leaks from the base too.",
    "You mentioned the courier left the parcel outside in the rain.",
    "Correct me if I'm wrong, but the router drops out every evening?",
])
def test_a_paraphrase_of_their_situation_is_a_repeat_back(reply: str) -> None:
    assert "repeat_back" in found(reply)


@pytest.mark.parametrize("reply", [
    "So, just to confirm, you have a problem with something.",
    "I'll send a new one, so you can choose another colour.",
    "Our status page showed it, so your team would have known about the outage.",
    "I'm passing on everything you've told me so you won't have to repeat anything.",
    "I'm really glad you told me, and I'm here to help.",
])
def test_no_repeat_back_without_a_paraphrase_of_their_situation(reply: str) -> None:
    assert "repeat_back" not in found(reply)


@pytest.mark.parametrize("reply", [
    "Has the router been restarted this week?",
    "Is this the first time the payment has failed?",
    "Did they give you a reference number at the depot?",
    "What's the serial number on the back of the unit?",
    "Any chance you still have the original box?",
])
def test_a_genuine_question_is_a_clarifying_question(reply: str) -> None:
    assert "clarifying_question" in found(reply)


def test_a_statement_is_not_a_clarifying_question() -> None:
    assert "clarifying_question" not in found("It is fixed now, and the engineer has signed it off.")
    assert "clarifying_question" not in found("The engineer will call before he arrives.")


@pytest.mark.parametrize("reply", [
    "You could try clearing the app's cache and signing in again.",
    "I'd suggest switching the router off for thirty seconds.",
    "Have you tried pairing the earbuds from the settings menu?",
    "It might help to update the app before the next attempt.",
])
def test_a_concrete_suggestion_is_a_solution(reply: str) -> None:
    assert "solution" in found(reply)


@pytest.mark.parametrize("reply", [
    "You should have applied earlier if you had travel booked.",
    "You can talk to the Samaritans any time on 116 123.",
    "We tried to deliver it twice.",
])
def test_no_solution_in_blame_signposting_or_a_report(reply: str) -> None:
    assert "solution" not in found(reply)


@pytest.mark.parametrize("reply", [
    "I'm sure we can get this sorted before the weekend.",
    "You've done nothing wrong here.",
    "It's completely normal for the first bill to show a pro-rata charge.",
    "That's a good question, and you're not the only one to ask it.",
    "Plenty of customers have asked the same thing after the update.",
])
def test_reassurance_in_its_usual_forms(reply: str) -> None:
    assert "reassurance" in found(reply)


@pytest.mark.parametrize("reply", [
    "You can find the rebooking options under Manage Booking.",
    "The refund was issued on Monday.",
])
def test_no_reassurance_in_plain_information(reply: str) -> None:
    assert "reassurance" not in found(reply)


@pytest.mark.parametrize("reply", [
    "Sorry about that, being logged out every time is annoying.",
    "Having to explain it four times is exhausting, and it shouldn't have happened.",
    "That would make anyone furious.",
    "Nine years, no claims, and a 70% jump: I'd want an explanation too.",
])
def test_their_situation_named_with_how_it_feels_is_an_acknowledgement(reply: str) -> None:
    assert "acknowledge" in found(reply)


@pytest.mark.parametrize("reply", [
    "What is worrying you most?",
    "Is anything annoying you about the new layout?",
])
def test_a_question_about_feelings_is_not_an_acknowledgement(reply: str) -> None:
    assert "acknowledge" not in found(reply)


@pytest.mark.parametrize("reply", [
    "I've added the 2000 gems to his account now.",
    "I'll book the swap for the blue one now.",
    "I can divert your old number to your mobile.",
    "As a goodwill gesture, here is 20% off your next service.",
    "The scratch will be repaired right away, and I'll confirm the time today.",
])
def test_a_fix_done_or_offered_is_a_solution(reply: str) -> None:
    assert "solution" in found(reply)


@pytest.mark.parametrize("reply", [
    "I'll call you back at 4pm with an update.",
    "I've passed your notes to my colleague.",
])
def test_a_call_back_is_not_a_fix(reply: str) -> None:
    assert "solution" not in found(reply)
