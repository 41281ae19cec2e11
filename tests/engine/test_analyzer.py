from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import calmline
from calmline.engine.analyzer import Analyzer
from calmline.errors import InputError
from calmline.playbook import LEVELS

WILD = [
    "",
    "   \n\t ",
    "😡😡😡🤬",
    "WHY IS NOBODY ANSWERING?!?!?!",
    "sooooooo sloooooow",
    "this is sh1t and you are a f***ing j0ke",
    "check https://example.com/a?b=c and @acme_help #fail",
    "x" * 50_000,
    "Je suis très en colère, ma commande n'est jamais arrivée",
    "我的订单还没有到",
    "\x00\x01\x1b[31m control chars",
]


@pytest.mark.parametrize("text", WILD)
def test_wild_text_gives_a_complete_serialisable_analysis(analyzer: Analyzer, text: str) -> None:
    analysis = analyzer.analyze(text)
    assert 0.0 <= analysis.anger.score <= 1.0
    assert analysis.anger.level in LEVELS
    json.dumps(analysis.to_dict(), default=str)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture],
          deadline=None)
@given(st.text(max_size=400))
def test_never_crashes_and_spans_stay_inside(analyzer: Analyzer, text: str) -> None:
    analysis = analyzer.analyze(text)
    findings = (*analysis.causes, *analysis.areas, *analysis.wants, *analysis.flags)
    for ev in (*analysis.anger.evidence, *(e for f in findings for e in f.evidence)):
        if ev.start >= 0:
            assert analysis.text[ev.start : ev.end] == ev.text


def test_long_message_is_truncated_with_a_note(analyzer: Analyzer) -> None:
    analysis = analyzer.analyze("late " * 10_000)
    assert any("analysed the first" in note for note in analysis.notes)


def test_anger_orders_messages_sensibly(analyzer: Analyzer) -> None:
    calm = analyzer.analyze("Hi, could you tell me when my order ships? Thanks!")
    annoyed = analyzer.analyze("My order is late again, this is annoying.")
    furious = analyzer.analyze("This is RIDICULOUS!!! I am absolutely furious, worst service EVER")
    assert calm.anger.score < annoyed.anger.score < furious.anger.score
    assert calm.anger.level == "calm"
    assert furious.anger.level in ("angry", "hostile")
    assert any(e.source == "cue" for e in furious.anger.evidence)


def test_the_same_failure_again_raises_anger_with_its_words(analyzer: Analyzer) -> None:
    once = analyzer.analyze("My parcel is late.")
    again = analyzer.analyze("This is the third time my parcel is late.")
    assert again.anger.score > once.anger.score
    assert any(e.rule == "anger.lexicon.repeated_failure" and e.text == "third time"
               for e in again.anger.evidence)


def test_abuse_makes_the_message_hostile(analyzer: Analyzer) -> None:
    assert analyzer.analyze("you are a useless moron").anger.level == "hostile"


def test_history_gives_a_trend(analyzer: Analyzer) -> None:
    history = ["Hi, my parcel hasn't arrived yet, could you check?",
               {"role": "agent", "text": "Sure, one moment."}]
    rising = analyzer.analyze("This is RIDICULOUS!!! Where is my parcel?! Useless!!!", history)
    assert rising.anger.trend == "rising"
    assert analyzer.analyze("hi").anger.trend is None


def test_bad_history_is_an_input_error(analyzer: Analyzer) -> None:
    with pytest.raises(InputError):
        analyzer.analyze("hi", [{"role": "robot", "text": "x"}])
    with pytest.raises(InputError):
        analyzer.analyze(123)  # type: ignore[arg-type]


def test_analyze_conversation_scores_customer_turns_only(analyzer: Analyzer) -> None:
    results = analyzer.analyze_conversation(
        ["it broke", {"role": "agent", "text": "sorry!"}, "still broken!!!"])
    assert results[1] is None
    assert results[0] is not None and results[2] is not None
    assert results[2].anger.trend is not None


def test_public_analyze_uses_the_default_playbook() -> None:
    assert calmline.analyze("I want a refund").want_labels() == ["refund"]
