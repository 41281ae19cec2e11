"""Suggestions for situations a new user tried and found wanting: a deadline they gave, a message
that only thanks, asks a calm question or asks for something, venting with a question in it, and
how the reply calls them."""

from __future__ import annotations

import re

import pytest

from calmline.engine.composer import suggest
from calmline.engine.phrases import question_asked, said_back, trouble_object
from calmline.engine.situations import deadline, recurs, repeat_contact, thanks_only
from tests.coach.support import coach_analyzer, turns
from tests.engine.test_composer import BY_TEMPLATE  # the conversations each template is written for

WEDDING = ("My wedding dress was supposed to arrive 2 weeks ago. The wedding is on Saturday. If it's "
           "not here by Thursday I don't know what I'll do. I am in tears writing this.")


def texts(*messages: str, author: str | None = None) -> list[str]:
    chat = turns(*(("customer", m) for m in messages))
    if author is not None:
        chat[0]["author"] = author
    return [s.text for s in suggest(chat, coach_analyzer())]


@pytest.mark.parametrize("text, due", [
    ("If it's not here by Thursday I don't know what I'll do.", "by Thursday"),
    ("You've got until Friday to return it.", "by Friday"),
    ("I need my new card before Friday, I'm flying out.", "before Friday"),
    ("Please sort it by the weekend.", "by the weekend"),
    ("I need it TODAY", "today"),
])
def test_a_named_day_is_a_deadline_said_back_as_they_would(text: str, due: str) -> None:
    assert deadline(text) == due


@pytest.mark.parametrize("text", [
    "The wedding is on Saturday.",  # when something happens, not a limit
    "Your website says ORDER BY 2PM FOR NEXT DAY.",  # their rule, quoted
    "I was told I'd get a call back about my boiler today, which I did.",  # our promise, kept
    "It should have been here today.",
])
def test_what_we_said_or_when_something_happens_is_no_deadline(text: str) -> None:
    assert deadline(text) is None


def test_a_deadline_is_said_back_with_an_update_before_it() -> None:
    """The bride got "I will update you within 24 hours" and "you'd like an explanation of what
    happened", with nothing about Thursday."""
    top = texts(WEDDING)[0]
    assert "by Thursday" in top and "within 24 hours" not in top, top
    assert "your wedding dress" in top and "today" in top, top


def test_a_deadline_for_something_else_is_no_promise_of_money_back() -> None:
    """'I want it reinstated today and I want that money covered': today is for the shop, so no
    "I know you need your money back today"."""
    top = texts("Your platform suspended my shop for a week with no reason given and I've lost about "
                "three grand. I want it reinstated today and I want that money covered.")[0]
    assert "money back today" not in top and "refund myself today" not in top, top


def test_a_thank_you_gets_no_problem_said_back() -> None:
    """'The replacement arrived...thank you' got "So The replacement arrived", and two more replies
    about "the problem with the replacement"."""
    found = texts("The replacement arrived this morning and works perfectly, thank you so much for "
                  "your help!")
    assert found and all("problem" not in t and "frustrat" not in t for t in found), found
    assert "So the replacement arrived" in found[0], found[0]


def test_a_request_in_a_sign_off_is_still_a_request() -> None:
    assert not thanks_only("I just want the leaking shower fixed before my in-laws arrive. Thanks, Becca")


def test_a_calm_question_is_not_answered_as_a_complaint() -> None:
    found = texts("Hi, do you deliver to Jersey? And how long does it usually take?")
    assert found and "Jersey" in found[0], found
    assert all("frustrat" not in t and "what happened" not in t for t in found), found


def test_venting_is_heard_out_without_asking_what_they_just_told() -> None:
    """"I'm here, so tell me what happened." to a customer who had just told exactly that."""
    found = texts("I waited on the phone for an hour yesterday and then got cut off. Nobody has called "
                  "back. This is a disgrace, I am absolutely livid.")
    assert found and all("tell me what happened" not in t for t in found), found


def test_venting_with_a_want_takes_the_want_on() -> None:
    """Venting, and asking why: heard out, and the question taken on rather than turned back."""
    top = texts("WHY does the app say my parcel went back to the depot??? I was in ALL DAY. "
                "Unbelievable.")[0]
    assert "your parcel" in top and "explanation" in top and "listening" in top, top


@pytest.mark.parametrize("author, greeting", [("Priya Shah", "Hi Priya,"), ("Mr Okafor", "Hi Mr Okafor,"),
                                              ("priya.shah@example.com", "Hi there,"),
                                              ("@priya_s", "Hi there,")])
def test_the_reply_calls_them_by_their_first_name(author: str, greeting: str) -> None:
    """A greeting said "HiPriya Shah,"; an email address is nobody's name."""
    top = texts("Hello? Anyone there?", author=author)[0]
    assert top.startswith(greeting), top


def test_an_oath_is_not_said_back() -> None:
    said = said_back(["Damn it, the pharmacy delivery's gone missing again."], "the pharmacy delivery")
    assert said is not None and not re.search(r"(?i)damn", said), said


@pytest.mark.parametrize("text", ["You took £49.99 again after I cancelled. I want it back today or I'm "
                                  "calling my bank.",
                                  "Confirm by Friday what you will do, or I will take it to the Financial "
                                  "Ombudsman."])
def test_where_they_will_take_it_is_not_what_went_wrong(text: str) -> None:
    """"I'm really sorry about the problem with your bank" to "...or I'm calling my bank"."""
    found = trouble_object([text])
    assert found is None or not re.search(r"(?i)bank|ombudsman", found), found


@pytest.mark.parametrize("text", ["You've taken £39.99 from my account again this month. That's the third "
                                  "time since I cancelled.",
                                  "This is the second time my delivery has come without the drinks."])
def test_a_fault_come_back_is_not_a_contact_made_again(text: str) -> None:
    """"I'm really sorry you've had to contact us again" to a third charge, or a second missing
    order of drinks: what happened again is the fault, not their asking."""
    assert not repeat_contact([text])
    assert recurs([text])


@pytest.mark.parametrize("text", ["This is the third time I'm writing about my refund.",
                                  "Third time asking: where is my parcel?",
                                  "I've called you three times about this."])
def test_asking_again_is_a_contact_made_again(text: str) -> None:
    assert repeat_contact([text])


def test_a_charge_come_back_is_said_to_have_happened_again() -> None:
    top = texts("You've taken £39.99 from my account again this month. That's the third time since I "
                "cancelled.")[0]
    assert "contact us again" not in top and "happen again" in top, top


def test_the_sum_they_ask_back_goes_with_the_want() -> None:
    """"our assistant was rude (£34.99)": the amount was the refund they asked for."""
    top = texts("Dear Sir/Madam,\n\nThe assistant at your Leeds branch was rude and refused to process "
                "my return for a faulty kettle.\n\nI would like a full refund of £34.99.\n\nYours "
                "faithfully,\nMargaret Hill")[0]
    assert "a refund of £34.99" in top and "(£34.99)" not in top, top


def test_a_calm_cancellation_is_made_easy_not_apologised_for() -> None:
    """"I'm really sorry about what happened ... I can see how frustrating that is" to someone
    moving abroad."""
    top = texts("Hi, I'd like to cancel my broadband contract please, I'm moving abroad next month.")[0]
    assert "cancel your broadband contract" in top and "frustrat" not in top, top
    assert "what happened" not in top, top


def test_a_question_about_cancelling_is_not_a_cancellation() -> None:
    found = texts("Hi, quick question: if I cancel my gym membership this month, do I still pay for "
                  "next month?")
    assert found and all("arrange it for you" not in t for t in found), found


def test_condolences_come_before_a_request() -> None:
    top = texts("My dad died last week and I need to cancel his phone contract.")[0]
    assert top.startswith("I'm so sorry to hear about your dad"), top


def test_a_question_after_a_fix_is_agreed_is_answered() -> None:
    """"Thank you. What about food for tonight?" got "I will [the agreed next step]"."""
    top = suggest(BY_TEMPLATE["agree_question"], coach_analyzer())[0].text
    assert "food for tonight?" in top and "[" not in top, top


def test_venting_at_our_answer_gets_no_invitation_to_tell_us_more() -> None:
    """After "banks can take up to 5 working days", "It's been THREE WEEKS not 5 days. Stop giving
    me the same script." got "take your time and tell me anything else I should know"."""
    top = suggest(BY_TEMPLATE["vent_answered"], coach_analyzer())[0].text
    assert "tell me anything else" not in top and "taking this on myself" in top, top


@pytest.mark.parametrize("text", ["Please what I can do?", "So what happens now?", "What should I do?",
                                  "Can someone help me?"])
def test_a_plea_for_help_is_no_question_to_say_back(text: str) -> None:
    """"you're asking: please what you can do?" said a plea for help back as if it were a question."""
    assert question_asked(f"My shoes still have not arrived. {text}") is None


def test_a_question_to_know_something_is_still_said_back() -> None:
    assert question_asked("Do you deliver to Jersey?") == "do we deliver to Jersey?"


def test_an_apology_asked_for_is_given_plainly() -> None:
    top = texts("Your driver was incredibly rude to my elderly mother when she asked him to bring the "
                "parcel to the door. I want an apology.")[0]
    assert top.startswith("I'm so sorry about the way our driver was incredibly rude to your elderly "
                          "mother"), top
    assert "frustrat" not in top, top


def test_a_wait_said_in_two_parts_is_said_back_whole() -> None:
    """"an hour and ten minutes" was said back as "ten minutes"."""
    top = texts("I waited on the phone for an hour and ten minutes yesterday and then got cut off. "
                "Absolutely disgraceful.")[0]
    assert "an hour and ten minutes" in top, top


@pytest.mark.parametrize("text", ["I've been a customer for 20 years and my card was declined at the till.",
                                  "I've been with you for six years and my router keeps dropping out."])
def test_how_long_they_have_been_with_us_is_no_wait(text: str) -> None:
    """"I'm really sorry about waiting 20 years" to a customer of twenty years."""
    found = texts(text)
    assert found and all("20 years" not in t and "six years" not in t for t in found), found


def test_being_patient_for_weeks_is_still_a_wait() -> None:
    top = texts("I have been patient for six weeks waiting for my refund. That ends today.")[0]
    assert "six weeks" in top, top
