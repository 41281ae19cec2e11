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
])
def test_what_they_do_not_ask_for_is_not_read(text: str, want: str) -> None:
    assert want not in asked_for(text)


def test_a_charge_they_want_cancelled_is_a_refund_not_a_cancellation() -> None:
    assert asked_for("Give me my £150 back and cancel the charge on my record.") == ["refund"]
