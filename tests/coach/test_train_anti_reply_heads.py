"""Training the anti-pattern reply heads (calmline.semantic.train_draft_heads): the team's labelled
single sentences become one-sentence replies with only the coach's anti-patterns as labels (their
behaviour labels dropped), a sentence with none weighs more as a negative, and heads trained on
them alone already tell an arguing sentence from a clarifying question. For cross-validation the
train drafts are cut into folds by the customer message they answer."""

from __future__ import annotations

import json

import numpy as np

from calmline.engine.draft_heads import REPLY_DIMENSION
from calmline.evaluation.drafts_set import DraftRow
from calmline.playbook.coach_loader import default_coach
from calmline.semantic.encoder import MiniLMEncoder
from calmline.semantic.train_draft_heads import (
    AGENT_SENTENCES,
    FOLDS,
    GOOD_SENTENCE_WEIGHT,
    OFF,
    fold_of,
    labelled_sentences,
    train_anti_reply_heads,
)


def test_the_labelled_sentences_keep_only_anti_patterns(encoder: MiniLMEncoder) -> None:
    coach = default_coach()
    sentences = labelled_sentences(coach, encoder, AGENT_SENTENCES)
    rows = [json.loads(line) for line in AGENT_SENTENCES.read_text("utf-8").splitlines() if line.strip()]
    examples = sum(len(spec.examples) + len(spec.near_misses) for spec in coach.draft_heads.labels.values())
    assert len(sentences.labels) == len(rows) + examples == len(sentences.vectors)
    assert all(found <= set(coach.anti_patterns) for found in sentences.labels)
    apology = next(i for i, r in enumerate(rows) if r["labels"] == ["apology"])
    assert sentences.labels[apology] == frozenset()
    assert sentences.weights[apology] == GOOD_SENTENCE_WEIGHT
    argues = next(i for i, r in enumerate(rows) if set(r["labels"]) == {"argue"})
    assert sentences.labels[argues] == {"argue"} and sentences.weights[argues] == 1.0
    first_excuse = len(rows) + 0  # the examples follow the file, in the coach's order of labels
    assert sentences.labels[first_excuse] == {next(iter(coach.draft_heads.labels))}


def test_heads_trained_on_the_sentences_tell_arguing_from_a_question(encoder: MiniLMEncoder) -> None:
    sentences = labelled_sentences(default_coach(), encoder, AGENT_SENTENCES)
    heads = train_anti_reply_heads(("argue", "minimise"), [], sentences)
    assert heads.labels == ("argue", "minimise")
    assert heads.coef.shape == (2, REPLY_DIMENSION) and np.all(heads.thresholds == OFF)
    arguing = heads.probabilities(encoder.encode(["That's not what happened, the driver did knock."]))
    asking = heads.probabilities(encoder.encode(["Which address was the parcel meant to go to?"]))
    # few positives and a heavy weight on the good sentences keep both low; the order is the point
    assert arguing[0] > 5 * asking[0] and asking[0] < 0.1


def test_drafts_answering_one_message_share_a_fold() -> None:
    """The drafts written for one customer message share its situation and often its words: a
    head read on one of them must not have learnt from its siblings."""
    def row(i: int, customer: str) -> DraftRow:
        return DraftRow(f"dr-{i}", "train", "chat", customer, "text", "bad", frozenset(), frozenset())

    assert len({fold_of(row(i, "My parcel is late.")) for i in range(20)}) == 1
    assert {fold_of(row(0, f"My parcel is {n} days late.")) for n in range(200)} == set(range(FOLDS))
