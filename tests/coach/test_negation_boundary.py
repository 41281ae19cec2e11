"""Negation stops at the end of a sentence: "not" in one sentence never negates the next."""

from __future__ import annotations

import pytest

from calmline.engine.cues import CueScanner, DraftContext
from calmline.playbook.coach_loader import load_coach
from calmline.signals.negation import is_negated


@pytest.mark.parametrize(("text", "phrase", "negated"), [
    ("i'm not going anywhere. are you safe right now?", "are you safe", False),
    ("i can't promise that! are you safe?", "are you safe", False),
    ("we won't charge you\nare you safe tonight?", "are you safe", False),
    ("it isn't \"fine.\" are you safe?", "are you safe", False),
    ("i do not want a refund", "want a refund", True),
    ("i'm not safe at home", "safe at home", True),
    ("no, i don't think that's fair", "think that's fair", True),
])
def test_negation_looks_back_within_its_sentence(text: str, phrase: str, negated: bool) -> None:
    assert is_negated(text, text.index(phrase)) is negated


def test_a_safety_question_after_a_negated_sentence_is_found() -> None:
    scanner = CueScanner(load_coach())
    context = DraftContext(danger=True)
    draft = "I'm sorry you're feeling like this. I can't fix everything today. Are you safe right now?"
    assert "safety_check" in scanner.scan(draft, context).behaviours


def test_telling_a_customer_to_calm_down_is_not_a_calm_tone() -> None:
    scan = CueScanner(load_coach()).scan("Please calm down and I'll look into your order.")
    assert "minimise" in scan.anti_patterns
    assert "calm_tone" not in scan.behaviours
