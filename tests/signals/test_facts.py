from __future__ import annotations

import pytest

from calmline.engine.analyzer import Analyzer


@pytest.mark.parametrize(
    "text, kind, value",
    [
        ("my order number is 88213-A and it's late", "order_id", "88213-A"),
        ("Ticket #A-99120 is still open", "order_id", "A-99120"),
        ("reference: XK99812", "order_id", "XK99812"),
        ("you charged me $1,249.99 twice", "amount", "$1,249.99"),
        ("that's 40 euros for nothing", "amount", "40 euros"),
        ("I've been on hold for 2 hours", "duration", "2 hours"),
        ("waiting three weeks now", "duration", "three weeks"),
        ("it was due on Monday", "date", "on Monday"),
        ("ordered on 12/03/2026", "date", "12/03/2026"),
        ("it should have come by March 3rd", "date", "March 3rd"),
        ("my iPhone 15 Pro screen cracked", "product", "iPhone 15 Pro"),
        ("the Galaxy S23 won't charge", "product", "Galaxy S23"),
    ],
)
def test_fact_found_with_exact_span(analyzer: Analyzer, text: str, kind: str, value: str) -> None:
    analysis = analyzer.analyze(text)
    matches = [f for f in analysis.facts if f.kind == kind]
    assert any(f.value == value for f in matches), analysis.facts
    for fact in matches:
        assert text[fact.start : fact.end] == fact.text


@pytest.mark.parametrize("text", ["I AM SO ANGRY RIGHT NOW", "thanks a lot", "it is what it is"])
def test_no_invented_facts(analyzer: Analyzer, text: str) -> None:
    assert analyzer.analyze(text).facts == ()


@pytest.mark.parametrize("text", ["I'm paying £60 a month for this", "it drops out twice a week",
                                  "I pay 40 pounds a month", "it happens three times a day"])
def test_a_price_or_frequency_is_not_a_wait(analyzer: Analyzer, text: str) -> None:
    """"£60 a month" is what they pay, not how long they waited: a reply must not say "waiting a
    month" back to them."""
    assert [f for f in analyzer.analyze(text).facts if f.kind == "duration"] == []


def test_a_wait_next_to_a_price_is_still_a_wait(analyzer: Analyzer) -> None:
    facts = analyzer.analyze("I pay £40 a month and I've waited 3 weeks for an engineer").facts
    assert [f.value for f in facts if f.kind == "duration"] == ["3 weeks"]


@pytest.mark.parametrize("text", ["Flight BA2490 cancelled 2 hours before departure.",
                                  "I gave you 48 hours notice and you still charged me.",
                                  "I cancelled two days in advance.", "It came a day early, but broken."])
def test_a_time_before_something_is_not_a_wait(analyzer: Analyzer, text: str) -> None:
    """"cancelled 2 hours before departure" was said back as "after 2 hours": when something
    happened, or the notice they gave, is not how long they waited."""
    assert [f for f in analyzer.analyze(text).facts if f.kind == "duration"] == []
    assert [f.value for f in analyzer.analyze("I was kept on hold for 2 hours before anyone answered.").facts
            if f.kind == "duration"] == ["2 hours"]
