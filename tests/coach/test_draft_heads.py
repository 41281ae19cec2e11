"""The coach's learned draft heads (engine/draft_heads.py): an excuse or blame that no phrase cue
matches is flagged with model evidence a team lead can read, hard negatives are not, templates are
not read by the heads (drafts and rewrites are), the coach falls back to phrase cues without the
encoder, only changed sentences are encoded, and the shipped artefact is checked when loaded."""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from pathlib import Path

import pytest

import calmline
from calmline.engine.analyzer import Analyzer
from calmline.engine.core import Engine
from calmline.engine.draft_heads import (
    DEFAULT_DRAFT_HEADS,
    DraftReader,
    draft_heads_from_dict,
    draft_heads_to_dict,
    draft_sentences,
    dump_draft_heads,
    load_draft_heads,
)
from calmline.engine.moment import Moment
from calmline.errors import ModelError
from calmline.explain import explain
from calmline.semantic import encoder as encoder_module
from calmline.semantic.encoder import WEIGHTS_SHA256, SemanticUnavailableError
from tests.coach.support import CountingEncoder

SOFA = [{"role": "customer", "text": "My sofa was meant to arrive on Tuesday and it still isn't here. "
                                     "I took the day off work for it."}]
EXCUSE = "Our drivers were stretched thin with so many orders over the holiday weekend."
BLAME = "The card you used was declined, so the order was never released."
HARD_NEGATIVES = (
    "I'm so sorry for the delay. I've booked your sofa on tomorrow's first van and I'll text you "
    "the time by 9am.",
    "Our returns policy gives you a full refund for late deliveries, so I've refunded the delivery "
    "charge today.",
)


@pytest.mark.parametrize(("draft", "label", "words"), [
    (EXCUSE, "excuse", "reads like an excuse (learned from the team's drafts)"),
    (BLAME, "blame", "reads like blaming someone else (learned from the team's drafts)"),
])
def test_missed_by_phrase_cues_flagged_by_the_head(engine: Engine, cues_only: Engine, draft: str,
                                                   label: str, words: str) -> None:
    assert not cues_only.review(draft, SOFA).flagged(label), "a phrase cue already finds it"
    review = engine.review(draft, SOFA)
    found = next(a for a in review.anti_patterns if a.label == label)
    model = [e for e in found.evidence if e.source == "model"]
    assert model, found.evidence
    span = model[0]
    assert (span.start, span.end, span.text) == (0, len(draft), draft)  # the sentence
    # the head reads the sentence itself, or the reply as a whole (its one sentence), or (a bare
    # reply that does nothing else) names the anti-pattern it reads most like: learned each way,
    # and said in the same words
    assert span.rule in (f"anti_patterns.{label}", f"anti_patterns.{label}.reply",
                         f"anti_patterns.{label}.bare_reply")
    assert explain(span.source, span.rule).endswith(words.removeprefix("reads "))
    if label == "blame":  # blame is on the guard's block list, learned or not
        assert review.verdict == "blocked"


@pytest.mark.parametrize("draft", HARD_NEGATIVES)
def test_hard_negatives_are_not_flagged(engine: Engine, draft: str) -> None:
    review = engine.review(draft, SOFA)
    assert not review.anti_patterns, [(a.label, a.evidence) for a in review.anti_patterns]
    assert review.verdict != "blocked"


def test_the_contextual_check_still_applies_to_model_hits(engine: Engine) -> None:
    """An excuse next to a real alternative is not flagged (excuse's `no_alternative` check)."""
    draft = EXCUSE + " I can send it on tomorrow's first van, or refund the delivery charge today."
    assert engine.learned is not None and "excuse" in engine.learned.find(draft)
    assert not engine.review(draft, SOFA).flagged("excuse")


def test_without_the_encoder_the_coach_uses_phrase_cues(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: object, *args: object, **kwargs: object) -> None:
        raise SemanticUnavailableError("no model here")

    monkeypatch.setattr(encoder_module.MiniLMEncoder, "__init__", refuse)
    analyzer = Analyzer(calmline.default_analyzer().playbook)  # "auto": tries, falls back
    assert analyzer.encoder is None and analyzer.semantic_note
    engine = Engine(analyzer)
    assert engine.learned is None
    review = engine.review(EXCUSE + " Sorry, that's just how it is.", SOFA)
    assert all(e.source != "model" for a in review.anti_patterns for e in a.evidence)
    assert engine.review("It isn't our fault, the courier lost it.", SOFA).flagged("blame")


def test_only_the_changed_sentence_is_encoded(engine: Engine) -> None:
    assert engine.learned is not None
    counting = CountingEncoder(engine.learned.encoder)
    reader = DraftReader(engine.learned.heads, counting, cache_size=64)  # type: ignore[arg-type]
    first = "I'm sorry about the wait. " + EXCUSE
    reader.find(first)
    assert len(counting.seen) == 2
    reader.find(first + " I'll call you at 10am")
    reader.find(first + " I'll call you at 10am tomorrow.")
    assert counting.seen[2:] == ["I'll call you at 10am", "I'll call you at 10am tomorrow."]
    assert len(counting.seen) == 4  # read again from the cache
    assert {k: [(e.start, e.end) for e in v] for k, v in reader.find(first).items()} == {
        k: [(e.start, e.end) for e in v] for k, v in engine.learned.find(first).items()}


def test_templates_are_not_read_by_the_heads_but_rewrites_are(engine: Engine) -> None:
    class Proposes:
        def propose(self, moment: Moment, drafts: Sequence[str]) -> str | None:
            return EXCUSE

    fresh = Engine(engine.analyzer)
    assert fresh.learned is not None
    counting = CountingEncoder(fresh.learned.encoder)
    fresh.learned.encoder = counting  # type: ignore[assignment]
    templates = fresh.suggest(SOFA)
    assert templates and counting.seen == []
    suggestions = fresh.suggest(SOFA, rewriter=Proposes())
    rewrite = next(s for s in suggestions if s.source == "rewriter")
    assert counting.seen == [EXCUSE]
    assert rewrite.review.flagged("excuse") and rewrite.score == rewrite.review.score
    assert all(e.source != "model" for s in suggestions if s.source != "rewriter"
               for a in s.review.anti_patterns for e in a.evidence)


def test_shipped_artefact_loads_and_is_checked(tmp_path: Path) -> None:
    heads = load_draft_heads(DEFAULT_DRAFT_HEADS, WEIGHTS_SHA256)
    assert {"excuse", "blame", "argue", "policy", "minimise"} <= set(heads.labels)
    assert heads.coef.shape == (len(heads.labels), 384)
    assert all(0 < t < 1 for t in heads.thresholds.tolist())
    assert heads.meta["trained_on"]["train_drafts"] > 0
    with pytest.raises(ModelError, match="other model weights"):
        load_draft_heads(DEFAULT_DRAFT_HEADS, "0" * 64)
    data = draft_heads_to_dict(heads)
    for broken, match in (
            ({**data, "heads": [{**data["heads"][0], "coef": [0.1] * 12}]}, "384 weights"),
            ({**data, "heads": [{**data["heads"][0], "threshold": 1.5}]}, "between 0 and 1"),
            ({**data, "heads": [data["heads"][0], data["heads"][0]]}, "appears twice"),
            ({**data, "heads": [{**data["heads"][0], "intercept": float("nan")}]}, "finite"),
            ({k: v for k, v in data.items() if k != "heads"}, "malformed")):
        with pytest.raises(ModelError, match=match):
            draft_heads_from_dict(broken)
    path = tmp_path / "broken.json.gz"
    path.write_bytes(gzip.compress(b"{not json"))
    with pytest.raises(ModelError, match="cannot load"):
        load_draft_heads(str(path), WEIGHTS_SHA256)
    # the same heads always give the same bytes (no timestamp in the gzip header)
    one, two = tmp_path / "one.json.gz", tmp_path / "two.json.gz"
    dump_draft_heads(heads, one)
    dump_draft_heads(heads, two)
    assert one.read_bytes() == two.read_bytes()
    assert json.loads(gzip.decompress(one.read_bytes()))["heads"][0]["label"] == heads.labels[0]


def test_sentences_read() -> None:
    text = "Hi Sam,\nThe lamp costs $89.99 each. Our courier has been swamped!! Sorry. I'll call at 3pm"
    assert [text[s:e] for s, e in draft_sentences(text)] == [
        "The lamp costs $89.99 each.", "Our courier has been swamped!!", "I'll call at 3pm"]


BARE = "Large items are handed to a specialist courier once they leave us."


def test_a_bare_explanation_to_an_upset_customer_is_flagged_as_what_it_reads_most_like(
        engine: Engine) -> None:
    review = engine.review(BARE, SOFA)
    bare = [a for a in review.anti_patterns
            if any(e.rule.endswith(".bare_reply") for e in a.evidence)]
    assert bare, [(a.label, [e.rule for e in a.evidence]) for a in review.anti_patterns]
    assert bare[0].evidence[0].source == "model" and bare[0].evidence[0].text in BARE
    ev = bare[0].evidence[0]
    assert explain(ev.source, ev.rule).startswith("the reply does nothing else")
    assert review.verdict != "send"


def test_a_reply_that_does_something_is_not_read_as_bare(engine: Engine) -> None:
    owned = BARE + " I'm sorry it's late: I'll chase the depot now and text you a time by 4pm."
    review = engine.review(owned, SOFA)
    assert not any(e.rule.endswith(".bare_reply") for a in review.anti_patterns for e in a.evidence)


def test_without_a_floor_a_bare_reply_is_only_what_its_cues_say(engine: Engine) -> None:
    coach = engine.coach.model_copy(update={"draft_heads": engine.coach.draft_heads.model_copy(
        update={"bare_reply_floor": None})})
    review = Engine(engine.analyzer, coach).review(BARE, SOFA)
    assert not any(e.rule.endswith(".bare_reply") for a in review.anti_patterns for e in a.evidence)


@pytest.mark.parametrize("draft", [
    "I'm sorry, that's a serious mistake on our side. I'm sending the right tablets today.",
    "That's not your fault, and the charges have been refunded.",
    "I've reissued the certificate and emailed a copy. Good luck with the application.",
    "I have to take what you've said about the driver seriously, and I've passed it on.",
    "You did exactly the right thing by calling us straight away. I'm glad you're safe.",
])
def test_owning_kind_and_serious_words_are_no_anti_pattern(engine: Engine, draft: str) -> None:
    found = [a.label for a in engine.review(draft, SOFA).anti_patterns]
    assert not {"blame", "argue", "instant_promise"} & set(found), found
