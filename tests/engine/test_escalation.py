from __future__ import annotations

import pytest

from calmline.engine.analyzer import Analyzer
from calmline.signals.base import Turn


def test_refund_above_the_limit_needs_a_supervisor(analyzer: Analyzer) -> None:
    analysis = analyzer.analyze("I want a refund of $950 for this broken TV")
    triggers = {r.trigger for r in analysis.escalate.reasons}
    assert "refund_limit" in triggers
    assert analysis.escalate.route == "supervisor"


def test_small_refund_stays_with_the_agent(analyzer: Analyzer) -> None:
    assert not analyzer.analyze("I want a refund of $15 please").escalate.escalate


def test_security_topic_routes_to_security(analyzer: Analyzer) -> None:
    analysis = analyzer.analyze("someone hacked my account and made unauthorized charges")
    assert "security" in analysis.escalate.routes


def test_anger_rising_over_several_turns_escalates(analyzer: Analyzer) -> None:
    history = [
        Turn("customer", "Hi, my order hasn't arrived, can you check?"),
        Turn("agent", "I'm sorry about that, let me check right now."),
        Turn("customer", "It's been two weeks. This is getting really annoying."),
        Turn("agent", "I understand, I've asked the courier for an update."),
    ]
    analysis = analyzer.analyze("This is RIDICULOUS!!! Absolutely unacceptable, I am FURIOUS", history)
    assert "rising_anger" in {r.trigger for r in analysis.escalate.reasons}


def test_every_reason_names_a_declared_route(analyzer: Analyzer) -> None:
    analysis = analyzer.analyze("I'll sue you, post it on twitter and cancel my account, you idiot")
    routes = set(analyzer.playbook.routes)
    assert len(analysis.escalate.reasons) >= 4
    assert all(r.route in routes for r in analysis.escalate.reasons)


def _security(analyzer: Analyzer, text: str) -> list[str]:
    """The triggers of the message's security reasons."""
    return [r.trigger for r in analyzer.analyze(text).escalate.reasons if r.route == "security"]


@pytest.mark.parametrize("text", [
    "I'm not saying I've been hacked, I just want to change my password",
    "not hacked, just reminding everyone to turn on two-factor",
    "Does your fraud team work weekends? I want to ask about a standing order.",
    "I thought I'd been hacked but it was my son on the iPad, all sorted now.",
])
def test_a_takeover_word_said_of_something_else_routes_nowhere(analyzer: Analyzer, text: str) -> None:
    assert _security(analyzer, text) == []


@pytest.mark.parametrize("text", [
    "is this a fraud text or really from you?",
    "Got an email saying my parcel is held and to pay £1.99, is that email really from you?",
    "Someone rang claiming to be from your bank and asked for my PIN. I hung up.",
])
def test_a_phishing_check_goes_to_security_as_one(analyzer: Analyzer, text: str) -> None:
    """With its own reason: a check, not a confirmed takeover (the account_security flag may
    still read one beside it, with its own reason)."""
    analysis = analyzer.analyze(text)
    triggers = _security(analyzer, text)
    assert "phishing_check" in triggers and "security" not in triggers, analysis.escalate.reasons
    assert "swearing" not in {f.label for f in analysis.flags}


def test_a_question_about_a_fraud_text_is_only_a_phishing_check(analyzer: Analyzer) -> None:
    analysis = analyzer.analyze("is this a fraud text or really from you?")
    assert _security(analyzer, analysis.text) == ["phishing_check"]
    assert not {"account_security", "swearing"} & {f.label for f in analysis.flags}


@pytest.mark.parametrize("text", [
    "I'm not saying I've been hacked, but there's a login I don't recognise",
    "someone hacked my account and made unauthorized charges",
])
def test_a_takeover_routes_to_security_once(analyzer: Analyzer, text: str) -> None:
    """The account_security flag reads the takeover words (`read_by`): the keyword topic adds
    no second reason to the same route."""
    assert _security(analyzer, text) == ["account_security"]


def test_a_security_keyword_no_flag_reads_still_routes(fast_analyzer: Analyzer) -> None:
    assert _security(fast_analyzer, "There was a data breach and my address is out there") == ["security"]
