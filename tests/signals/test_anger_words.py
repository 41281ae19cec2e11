"""The anger lexicon reads a feeling the customer says they have, not one they deny or suppose.

Read on the fast path (lexicon and linear model, no semantic heads), so these check the detector
and the playbook's words alone.
"""

from __future__ import annotations

import pytest

from calmline.engine.analyzer import Analyzer


@pytest.mark.parametrize("text", [
    "I'm really disappointed, the necklace clasp snapped on the first day.",
    "Honestly so let down by the hotel, the pool was shut all week.",
    "My daughter was really upset when the party bags never turned up.",
    "Gutted, the vinyl arrived warped.",
    "I've never been so disappointed by a restaurant.",
    "We're not happy with how the move was handled.",
])
def test_saying_disappointment_or_upset_reads_at_least_annoyed(fast_analyzer: Analyzer, text: str) -> None:
    anger = fast_analyzer.analyze(text).anger
    assert anger.level != "calm", anger
    assert any(e.rule == "anger.lexicon.disappointment" for e in anger.evidence), anger.evidence


@pytest.mark.parametrize("text", [
    "Not disappointed at all, it fits perfectly.",
    "If I'm not happy with the colour can I send it back?",
    "You won't be disappointed, my friend said, so I've booked again!",
    "My dog has an upset stomach, which of your foods is gentlest?",
    "I'm torn between the two broadband plans, which is faster?",
])
def test_a_denied_supposed_or_other_sense_adds_nothing(fast_analyzer: Analyzer, text: str) -> None:
    """The model reads "disappointed" in "not disappointed" as it likes; the lexicon adds nothing."""
    anger = fast_analyzer.analyze(text).anger
    assert not any(e.source == "lexicon" for e in anger.evidence), anger.evidence
    assert anger.score == anger.model_score


@pytest.mark.parametrize("text", [
    "Not angry, just puzzled: my statement shows two direct debits this month.",
    "I'm not annoyed or anything, I just want to know the delivery day.",
])
def test_a_denied_anger_word_adds_nothing(fast_analyzer: Analyzer, text: str) -> None:
    anger = fast_analyzer.analyze(text).anger
    assert not any(e.source == "lexicon" for e in anger.evidence), anger.evidence
    assert anger.score == anger.model_score


@pytest.mark.parametrize("text, cause", [
    ("The tickets you sent are for the wrong date.", "unmet_expectations"),
    ("The lifeguard yelled at my daughter in front of her friends.", "unmet_expectations"),
    ("The agent was incredibly rude to me on the phone.", "unmet_expectations"),
    ("You served my son a curry with cashews after I told you about his allergy.", "unmet_expectations"),
    ("The table arrived with a crack across the top.", "unmet_expectations"),
])
def test_wrong_things_mistreatment_and_harm_name_a_cause(fast_analyzer: Analyzer, text: str,
                                                         cause: str) -> None:
    assert cause in {c.label for c in fast_analyzer.analyze(text).causes}


@pytest.mark.parametrize("text", [
    "Nothing wrong with the order, I just need a VAT receipt.",
    "The staff weren't rude at all, I just couldn't find the exit.",
    "Does the chocolate cake contain nuts?",
    "Your staff were so kind to my mum at the checkout.",
])
def test_their_look_alikes_name_none(fast_analyzer: Analyzer, text: str) -> None:
    assert not fast_analyzer.analyze(text).causes
