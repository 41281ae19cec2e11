"""What a customer wants is read from what they ask for, in the everyday ways they ask ("can
someone get that looked at", "pop a credit on"), not from the word alone: "I cancelled in March",
"I've had to cancel the trip", "the cancellation fee" and a bare "or I'm cancelling" ask for
nothing, and a negation inside a condition ("if this isn't refunded by Friday") is a demand."""

from __future__ import annotations

import pytest

from calmline.engine.analyzer import Analyzer
from calmline.playbook import load_playbook


@pytest.fixture(scope="module")
def fast() -> Analyzer:
    return Analyzer(load_playbook(), encoder=None)


@pytest.mark.parametrize("text", [
    "Cancel my subscription please.",
    "Can you just cancel it for me?",
    "I'm cancelling my membership from today.",
    "I want the contract cancelled today.",
    "Please close my current account and savings account.",
    "Please process my cancellation today.",
])
def test_a_request_to_cancel_is_a_want(fast: Analyzer, text: str) -> None:
    assert "cancellation" in fast.analyze(text).want_labels()


@pytest.mark.parametrize("text", [
    "You have taken £89.99 for a subscription I cancelled in writing on 4 March.",
    "I've had to cancel a £3,000 trip because you lost my passport.",
    "What's the cancellation fee on the business plan?",
    "Book the engineer for today or I'm cancelling and going elsewhere.",
    "My flight was cancelled and nobody told me.",
])
def test_the_word_alone_is_not_a_want(fast: Analyzer, text: str) -> None:
    assert "cancellation" not in fast.analyze(text).want_labels()


@pytest.mark.parametrize("text", [
    "If this isn't refunded by Friday I'm taking you to small claims court.",
    "If you don't refund me by Friday I'm issuing proceedings.",
])
def test_a_negation_inside_a_condition_is_a_demand(fast: Analyzer, text: str) -> None:
    assert "refund" in fast.analyze(text).want_labels()


def test_a_plain_negation_still_refuses(fast: Analyzer) -> None:
    assert "refund" not in fast.analyze("I don't want a refund, I want it fixed.").want_labels()


@pytest.mark.parametrize(("text", "want"), [
    ("The showers have been cold all week, can someone get that looked at?", "repair"),
    ("Do NOT send me another survey until you've actually fixed my line.", "repair"),
    ("It's been down since six this morning, I need it back on.", "repair"),
    ("Second time the delivery's come without the dips, can you just pop a credit on?", "compensation"),
    ("Your mistake cost me a £25 bank charge. I want that covered.", "compensation"),
    ("I was billed £60 for installation you promised was free. Take it off my bill.", "refund"),
    ("We paid extra for the sea view and didn't get it, so could we get the difference back?", "refund"),
])
def test_everyday_ways_of_asking_are_wants(fast: Analyzer, text: str, want: str) -> None:
    assert want in fast.analyze(text).want_labels()


@pytest.mark.parametrize("text", [
    "Hi, my discount code SPRING20 isn't working at checkout. Can you help?",
    "The promo discount didn't apply to my basket.",
    "The voucher my nan gave me says it's already been used, but I've never used it.",
    "My gift voucher code won't redeem.",
])
def test_a_code_or_voucher_that_fails_is_not_a_wish_for_compensation(fast: Analyzer, text: str) -> None:
    assert "compensation" not in fast.analyze(text).want_labels()


@pytest.mark.parametrize("text", [
    "The least you could do is give me a discount.",
    "I'd expect a discount on my next bill after this.",
    "Give me some vouchers or points at least, for the inconvenience.",
    "A voucher for the trouble would be nice.",
])
def test_a_discount_or_voucher_asked_for_is_compensation(fast: Analyzer, text: str) -> None:
    assert "compensation" in fast.analyze(text).want_labels()
