"""Suggestions a new user found wanting on 24 conversations written for the second trial of
issue 11: swear words and family members read as the thing that went wrong, a verb taken into the
object, broken English said back, praise and thanks answered with apologies or "I will see the two
charges", a contact count said back as what went wrong, their recipes "back" read as a refund."""

from __future__ import annotations

import pytest

from calmline.engine.composer import suggest
from calmline.engine.phrases import asked_for, issue_phrase, said_back, trouble_object
from calmline.engine.situations import deadline, praise_only, repeat_contact, thanks_for_done
from tests.coach.support import coach_analyzer, turns


def top(*chat: tuple[str, str]) -> str:
    return suggest(turns(*chat), coach_analyzer())[0].text


def clause(text: str) -> str | None:
    found = issue_phrase([text])
    return found.clause if found else None


def test_what_is_wrong_with_their_thing_is_the_thing_and_what_it_does() -> None:
    """"what the hell is wrong with your app" was "the problem with your hell that is wrong"."""
    text = ("what the hell is wrong with your app, it logs me out every 5 minutes and I lose my basket "
            "every time")
    assert clause(text) == "our app logs you out every 5 minutes and you lose your basket every time"
    assert trouble_object([text]) != "the hell"
    assert clause("What's wrong with my account?") == "something is wrong with your account"
    reply = top(("customer", text))
    assert "hell" not in reply and "the problem with our app" in reply


def test_what_was_sent_wrong_is_the_issue_and_the_verb_is_no_part_of_the_thing() -> None:
    """"The dog food subscription sent the wrong food AGAIN" was "the dog food subscription sent"."""
    text = "The dog food subscription sent the wrong food AGAIN. My dog has allergies."
    assert clause(text) == "you were sent the wrong food again"
    assert trouble_object([text]) == "the dog food subscription"
    assert trouble_object(["the courier took my parcel to the depot"]) == "the courier"


def test_a_cancelled_booking_is_the_issue_not_whose_birthday_it_was() -> None:
    text = ("I booked a table for 8 for my mums 70th on saturday and you've just emailed to say it's "
            "cancelled?? 2 days before.")
    assert clause(text) == "your table booking was cancelled"
    assert trouble_object(["a table for my mums 70th"]) is None
    assert clause("We ordered a sofa in March and now it's been cancelled") == "your sofa order was cancelled"


@pytest.mark.parametrize("text, said", [
    ("me order number 55120 not arrive, 3 week now. i pay already.",
     "your order number 55120 hasn't arrived"),
    ("order #A12345 not received", "your order A12345 hasn't arrived"),
    ("Hello my parcel still not come", "your parcel hasn't arrived"),
    ("Where is my parcel? It never arrived", "your parcel never arrived"),  # said as they said it
])
def test_broken_english_is_said_back_in_plain_english(text: str, said: str) -> None:
    assert clause(text) == said


def test_a_count_left_singular_is_said_with_its_plural() -> None:
    reply = top(("customer", "me order number 55120 not arrive, 3 week now. please help"))
    assert "3 week " not in reply + " " and "not arrive" not in reply


def test_what_our_driver_backed_into_is_what_our_driver_did() -> None:
    text = "Your driver reversed into my garden wall this morning and just drove off."
    assert clause(text) == "our driver reversed into your garden wall this morning"


def test_what_an_update_deleted_is_theirs_and_getting_it_back_is_no_refund() -> None:
    text = "the new update deleted all my saved recipes. years of them. is there any way to get them back"
    assert clause(text) == "your saved recipes were deleted"
    assert "refund" not in asked_for(text)
    assert "refund" in asked_for("You charged me twice. I want it back.")
    assert "refund" not in top(("customer", text))


def test_praise_read_near_complaints_by_meaning_is_still_praise() -> None:
    """Praise for an engineer was answered "you'd like an explanation of what happened": the
    semantic reading puts it near complaints about engineers."""
    text = "Just wanted to say the engineer who came yesterday, Tom, was brilliant. Fixed it in 20 mins."
    assert praise_only(text)
    found = suggest(turns(("customer", text)), coach_analyzer())
    assert [s.source for s in found] == ["template:praise_welcome"]  # no "I will [the agreed next step]"


def test_thanks_after_we_said_it_is_done_is_welcomed_not_recapped_as_a_promise() -> None:
    """"I can see the two charges and I've refunded the second one" was recapped "I will see the
    two charges and I've refunded the second one"."""
    done = "I'm sorry about that, I can see the two charges and I've refunded the second one."
    assert thanks_for_done("ok thanks, that's great", done)
    assert not thanks_for_done("ok thanks, but when?", done)
    assert not thanks_for_done("ok thanks", "I can refund the second one if you like.")
    reply = top(("customer", "I was charged twice for my order 9912."), ("agent", done),
                ("customer", "ok thanks, that's great"))
    assert reply.startswith("You're very welcome") and "I will see" not in reply


def test_a_counted_phone_call_is_a_repeat_contact_and_not_said_back() -> None:
    text = ("honestly I'm exhausted. third phone call this week about the same broken fridge. I just "
            "want it fixed")
    assert repeat_contact([text])
    reply = top(("customer", text))
    assert "contact us again" in reply and "third phone call" not in reply
    assert "your fridge is broken" in reply  # not "something has gone wrong with the broken fridge"
    # a fault counted is said back as they said it
    assert said_back(["Third time the order's come without the drinks."], "the order") is not None


def test_one_of_their_things_is_one_of_them() -> None:
    text = "I ordered the oak bookcase and one of the shelves arrived split down the middle."
    assert clause(text) == "one of your shelves arrived split"


def test_a_deposit_asked_back_is_their_deposit_back() -> None:
    reply = top(("customer", "This is the fourth email about my deposit. I'm going to small claims "
                             "on Monday if I don't get it back"))
    assert "your deposit back" in reply
    # a deposit named elsewhere is not what they ask back
    other = top(("customer", "The venue kept the deposit. Separately, I was charged £80 twice for the "
                             "cake, and I want a refund of the £80."))
    assert "your deposit back" not in other


# Follow-ups written for the same trial: the conversation so far changes the reply.


def test_a_day_they_offer_instead_is_the_day_checked() -> None:
    """"Thursday is no good, I'm at work. Saturday?" was asked "tell me what would suit you better"."""
    reply = top(("customer", "Your engineer didn't turn up yesterday."),
                ("agent", "I'm really sorry about that. I've rebooked the visit for Thursday "
                          "between 8 and 1."),
                ("customer", "Thursday is no good, I'm at work. Saturday?"))
    assert "I'll check Saturday for you" in reply and "what would suit you better" not in reply


def test_again_on_its_own_is_a_fault_come_back() -> None:
    reply = top(("customer", "I was promised a call back on Monday and nobody called."),
                ("agent", "I'm sorry nobody called you. I'll make sure the team calls you today "
                          "before 4pm."),
                ("customer", "It's 5pm. Nobody has called. Again."))
    assert "happen again" in reply


def test_many_times_in_answer_to_a_question_counts_no_contacts() -> None:
    assert not repeat_contact(["Yes. Obviously. Many times. That's the first thing I did."])
    assert repeat_contact(["I have called you many times about this."])


@pytest.mark.parametrize("text, due", [
    ("ok so I just wait? it's £64 and I need it for my rent friday", "by Friday"),
    ("I ordered a birthday cake for my daughter for tomorrow and just got an email saying it can't be made.",
     "tomorrow"),
    ("The hotel cancelled our room. We're stuck at the airport with two kids at midnight.", "tonight"),
    ("We are stranded in Lisbon, the flight has gone.", "right now"),
    ("I got stuck in traffic last week and missed the slot.", None),
    ("My card is stuck in your machine.", None),
])
def test_a_deadline_said_without_by_and_someone_stranded(text: str, due: str | None) -> None:
    assert deadline(text) == due


def test_someone_stranded_tonight_hears_back_within_the_hour() -> None:
    reply = top(("customer", "The hotel cancelled our room the night before. We're stuck at the airport with "
                             "two kids at midnight."))
    assert "within the hour" in reply and "within 24 hours" not in reply
    cake = top(("customer", "I ordered a birthday cake for my daughter for tomorrow and just got an email "
                            "saying it can't be made. Her party is tomorrow at 2!!"))
    assert "your birthday cake order can't be made" in cake and "tell me a bit more" not in cake
    assert "within 24 hours" not in cake


# Emails written for the same trial.


def test_what_did_not_work_in_their_room_is_the_issue_and_a_partial_refund_is_partial() -> None:
    email = ("Hello,\n\nI am writing to complain about my recent stay at your Bristol hotel (booking ref "
             "HB-20931). The air conditioning in room 214 did not work for the whole three nights. I would "
             "like a partial refund for the inconvenience.\n\nKind regards,\nMargaret Holt")
    assert clause(email) == "your air conditioning did not work"
    reply = top(("customer", email))
    assert "a partial refund" in reply and "your recent stay" not in reply


def test_an_initial_is_no_name_to_call_them_by() -> None:
    chat = turns(("customer", "For the third month running my electricity bill has been estimated."))
    chat[0]["author"] = "J. Okafor"
    text = suggest(chat, coach_analyzer())[0].text
    assert "J." not in text
    chat[0]["author"] = "Mr Okafor"
    assert "Mr Okafor" in suggest(chat, coach_analyzer())[0].text


def test_explained_is_no_want_of_an_explanation() -> None:
    """"Fixed it in 20 mins and explained everything" (praise) and "I've explained this four
    times" read as wanting an explanation: the wants lexicon took any "explain" word."""
    praise = ("Just wanted to say the engineer who came yesterday, Tom, was brilliant. Fixed it in 20 mins "
              "and explained everything.")
    assert "explanation" not in coach_analyzer().analyze(praise).want_labels()
    assert [s.source for s in suggest(turns(("customer", praise)), coach_analyzer())] == [
        "template:praise_welcome"]
    assert "explanation" in coach_analyzer().analyze("Can you explain why it was cancelled?").want_labels()
    wanted = coach_analyzer().analyze("I would like an explanation of what happened.")
    assert "explanation" in wanted.want_labels()


def test_a_phishing_check_is_thanked_and_kept_safe_not_escalated_to_a_supervisor() -> None:
    """"is this a fraud text or really from you?" got "You have every right to be upset... I have
    escalated this to my supervisor... sorry it has taken this long"."""
    found = suggest(turns(("customer", "is this a fraud text or really from you?")), coach_analyzer())
    assert found[0].source == "template:security_phishing"
    assert "don't click any links" in found[0].text and "supervisor" not in found[0].text
    # money already taken is a takeover: the account is locked, not a check thanked
    lost = suggest(turns(("customer", "Someone rang claiming to be from your bank and asked for my PIN. I "
                                      "gave it to them and now £300 has gone.")), coach_analyzer())
    assert lost[0].source != "template:security_phishing"
