from __future__ import annotations

from datetime import UTC, datetime, timedelta

from calmline.engine.analyzer import Analyzer
from calmline.signals.base import Turn


def test_all_feeling_no_request_is_venting(analyzer: Analyzer) -> None:
    analysis = analyzer.analyze("This is absolutely ridiculous. Worst company EVER. Unbelievable!!!")
    assert analysis.venting.venting
    assert "no request" in analysis.venting.reason


def test_angry_with_a_request_is_not_venting(analyzer: Analyzer) -> None:
    analysis = analyzer.analyze("This is ridiculous!!! I want a refund today.")
    assert not analysis.venting.venting


def test_calm_question_is_not_venting(analyzer: Analyzer) -> None:
    assert not analyzer.analyze("hi, where can I see my invoice?").venting.venting


def test_burst_of_customer_messages_is_venting(analyzer: Analyzer) -> None:
    history = [Turn("agent", "Hello, how can I help?"), Turn("customer", "my router is dead"),
               Turn("customer", "third one this year")]
    analysis = analyzer.analyze("can you send a new one", history)
    assert analysis.venting.venting
    assert "3 customer messages in a row" in analysis.venting.reason


def test_quick_angry_messages_are_a_burst_but_an_agent_reply_breaks_it(analyzer: Analyzer) -> None:
    now = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    angry = "This is ridiculous!!! I am furious, can you fix it"
    history = [Turn("customer", angry, now - timedelta(seconds=30))]
    assert analyzer.analyze(angry, history, now).venting.venting
    replied = [*history, Turn("agent", "I'm sorry, let me check.", now - timedelta(seconds=10))]
    assert not analyzer.analyze(angry, replied, now).venting.venting
