"""What the customer asks us to do, read from their own words (engine.phrases.asked_for)."""

from __future__ import annotations

import pytest

from calmline.engine.phrases import asked_for


@pytest.mark.parametrize(("text", "want"), [
    ("I want my £900 back.", "refund"),
    ("I had to buy one at the airport. I'd like that back, please.", "refund"),
    ("Give me my money or I'm ringing every hour.", "refund"),
    ("I'd like that charge reversed please.", "refund"),
    ("Could you please remove the charges, as agreed?", "refund"),
    ("Your boss. Now.", "manager"),
    ("I want it stopped and I want the person in charge to ring me.", "manager"),
    ("i'm not hanging up until somebody with actual authority picks up this phone", "manager"),
    ("put me through to the head of customer services", "manager"),
    ("Could someone take a look?", "repair"),
    ("The heating isn't working. Could the landlord send someone?", "repair"),
    ("Can you send a new jug?", "replacement"),
    ("Consider this my 30 days' notice.", "cancellation"),
    ("Please accept this email as formal notice that I will be ending my tenancy.", "cancellation"),
    ("Could I get a credit for next time?", "compensation"),
    ("I just want my van back with the gearbox actually fixed this time.", "repair"),
    ("I want my heating properly fixed before winter.", "repair"),
    ("I want my deposit back.", "refund"),
    ("Put the delivery fee back on my card.", "refund"),
    ("this is the third time, i need someone to come and look at it this week", "repair"),
    ("Going to keep tweeting this every hour until @StormBroadband sends an engineer.", "repair"),
    ("The router has been dead since the 2nd. I expect an engineer booked TODAY.", "repair"),
    ("I don't want another voucher. I want the app to actually let me log in.", "repair"),
    ("Could you put a bit of credit on the account? Not looking for a refund.", "compensation"),
])
def test_a_request_in_their_words_is_read(text: str, want: str) -> None:
    assert want in asked_for(text)


@pytest.mark.parametrize(("text", "want"), [
    ("I don't want a refund, honestly, I just want the right quantity.", "refund"),
    ("i'm not asking for compensation or anything, where is my parcel", "compensation"),
    ("so the manager at the store said to call this number about the price match", "manager"),
    ("Your supervisor Karen called me yesterday and promised it within 5 days.", "manager"),
    ("Can you tell me what your refund policy is for concert tickets?", "refund"),
    ("Do NOT send me another survey until you've fixed my line", "replacement"),
    ("We had to cancel our holiday because my husband was taken into hospital.", "cancellation"),
    ("Hi! Just checking: if I cancel my trial before day 14 I won't be charged, right?", "cancellation"),
    ("I was told I'd get a call back about my boiler today.", "refund"),
    ("it's been down since six this morning, I need it back on", "refund"),
    ("I want my car back with the brakes fixed.", "refund"),
    ("I just want my account back, I can't log in.", "refund"),
])
def test_what_they_do_not_ask_for_is_not_read(text: str, want: str) -> None:
    assert want not in asked_for(text)


def test_a_charge_they_want_cancelled_is_a_refund_not_a_cancellation() -> None:
    assert asked_for("Give me my £150 back and cancel the charge on my record.") == ["refund"]


def test_what_went_wrong_is_named_before_the_first_thing_they_mention() -> None:
    from calmline.engine.phrases import trouble_object as issue_object

    said = ["I'm not leaving, I really like the box, but the bills were £3 higher than the website."]
    assert issue_object(said) == "the box"
    assert issue_object(said, prefer={"bills"}) == "the bills"
    disputed = ["i will be disputing this charge with american express"]
    assert issue_object(disputed, prefer={"charg"}) == "the charge"


@pytest.mark.parametrize("text", [
    "@PlanetPhones cracked screen out of the box, shop refused a swap",
    "To the complaints department,\n\nYou are a disgrace.",
    "Sir/Madam, For the avoidance of doubt, I do not consent to this.",
    "I'm the founder of a logistics start-up.",
])
def test_a_set_phrase_or_who_they_are_is_no_thing_of_theirs(text: str) -> None:
    from calmline.engine.phrases import trouble_object as issue_object

    assert issue_object([text]) is None


def test_a_topic_stops_before_words_that_name_nothing() -> None:
    from calmline.engine.phrases import trouble_object as issue_object

    assert issue_object(["Waiting on a call back from the rep since 10am"]) == "the rep"
    assert issue_object(["the damn thing caught fire"]) is None
    assert issue_object(["I've been doing everything on my own, the bill is wrong"]) == "the bill"


def test_a_short_thing_they_name_is_their_issue_in_their_words() -> None:
    from calmline.engine.restate import issue_mentions, stems

    assert stems("my car, the TV and the app") == ["car", "tv", "app"]
    assert stems("I am ok, you can see it now") == []
    assert issue_mentions("I'm sorry about the problem with your car", stems("your car"))


def test_a_thing_named_with_a_or_one_that_went_wrong_is_named() -> None:
    from calmline.engine.phrases import trouble_object

    said = ["Four calls about one broken window lock and still nobody's come."]
    assert trouble_object(said, prefer={"broke"}) == "the broken window lock"
    paper = ["nothing in there says you can charge for a a paper bill"]
    assert trouble_object(paper, prefer={"bill"}) == "the paper bill"
    assert trouble_object(said) is None  # "a" and "one" only for what went wrong


def test_issue_object_reads_as_before() -> None:
    from calmline.engine.phrases import issue_object

    assert issue_object(["cracked screen out of the box"]) == "the box"
    assert issue_object(["um i've been charged the the cancellation fee"]) == "the cancellation fee"


def test_the_coach_s_name_for_the_issue_gives_way_to_their_words() -> None:
    from calmline.engine.slots import _in_their_words

    assert _in_their_words("the long wait and being passed around", ["on hold"]) == "being kept on hold"
    assert _in_their_words("the problem with your billing", ["charged"]) == "being charged"
    assert _in_their_words("the problem with your billing", ["fees"]) == "the fees"
    assert _in_their_words("the problem with your billing", ["billing"]) == "the problem with your billing"
    assert _in_their_words("the fault with your order", ["damaged"]) == "the fault with your order"


def test_a_customer_kept_on_hold_hears_it_back() -> None:
    from tests.engine.test_grounded import top

    text = top("don't you dare put me on hold again")
    assert "hold" in text


def test_being_left_without_a_service_is_their_issue() -> None:
    from calmline.engine.phrases import issue_phrase

    found = issue_phrase(["@VoltaBroadband 6th day with no internet. Fix it."])
    assert found is not None and found.noun == "being left with no internet"
    assert issue_phrase(["No tickets. No phone line. Just a bot."]) is None
    assert issue_phrase(["no phone call, no email, nothing"]) is None


def test_said_back_in_the_agent_s_voice_keeps_its_grammar() -> None:
    from calmline.engine.phrases import second_person

    told = second_person("I was told my internet would be upgraded")
    assert told == "you were told your internet would be upgraded"
    assert second_person("I wasn't told") == "you weren't told"
    assert second_person("I'm travelling to Canada and the US") == "you're travelling to Canada and the US"


def test_a_thing_said_with_s_is_still_named() -> None:
    from calmline.engine.phrases import trouble_object

    assert trouble_object(["the third time the tumble dryer's broken down"]) == "the tumble dryer"
    assert trouble_object(["the same address form twice now"]) == "the address form"
