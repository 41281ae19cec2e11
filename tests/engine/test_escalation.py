from __future__ import annotations

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
