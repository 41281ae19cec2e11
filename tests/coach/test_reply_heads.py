"""The learned reply heads (engine/draft_heads.py `ReplyHeads`): a reply read as a whole shows a
behaviour no phrase names (a fix offered in other words), or an anti-pattern no phrase names (a
defensive explanation), on a sentence, in words a team lead can read; a clarifying question or an
acknowledgement is not flagged, nor is a plain answer to a calm question; they reuse the sentences
already read; and the artefact's reply heads are checked when loaded (a file without them still
loads)."""

from __future__ import annotations

import pytest

from calmline.engine.core import Engine
from calmline.engine.draft_heads import (
    DEFAULT_DRAFT_HEADS,
    REPLY_DIMENSION,
    DraftReader,
    draft_heads_from_dict,
    draft_heads_to_dict,
    load_draft_heads,
)
from calmline.errors import ModelError
from calmline.explain import explain
from calmline.playbook.coach_schema import CoachConfig
from calmline.semantic.encoder import WEIGHTS_SHA256
from tests.coach.support import CountingEncoder

NO_SHOW = [{"role": "customer", "text": "Your engineer never turned up yesterday. I waited in all "
                                        "day and nobody called."}]
LATE = [{"role": "customer", "text": "I paid for next-day delivery and the parcel took five days. "
                                     "I want the delivery fee back."}]
PLAYED_DOWN = "Waiting in all day isn't ideal, but it's a small thing and the new slot is on Friday."
FEE_BACK = ("You're right that it should have come the next day. I've put the delivery fee back on "
            "your card.")
# Holds the record against what the customer said: no phrase argues, the reply as a whole does
# a record set against the customer's account, in words no phrase of the coach names (the phrase
# families read "The engineer reported that nobody was in" since the recall work)
REPORTED = ("Apologies. The engineer was there at 10:15 and knocked twice before leaving a card through "
            "the door.")
CALM_QUESTION = [{"role": "customer", "text": "do you deliver to the Isle of Wight? thx"}]


def test_a_fix_no_phrase_names_is_found_by_the_reply_head(engine: Engine, cues_only: Engine) -> None:
    assert not any(c.found for c in cues_only.review(FEE_BACK, LATE).behaviours if c.label == "solution")
    review = engine.review(FEE_BACK, LATE)
    check = next(c for c in review.behaviours if c.label == "solution")
    assert check.found and check.evidence[0].rule == "behaviours.solution.reply"
    assert explain("model", check.evidence[0].rule).startswith(
        "the reply as a whole reads like offering a fix")
    assert not review.anti_patterns


@pytest.mark.parametrize(("draft", "customer"), [
    ("Which address was it meant to go to?", LATE),
    ("What postcode did you use for the order?", LATE),
    ("I completely understand why you're upset about this.", NO_SHOW),
    ("I've added a note so nobody asks you for the photos again.", NO_SHOW),
])
def test_reply_heads_never_flag_a_reply(engine: Engine, draft: str, customer: list[dict[str, str]]
                                        ) -> None:
    """Read as a whole, these looked like blame or arguing to anti-pattern reply heads trained on
    the team's drafts alone; the team's labelled single sentences taught them otherwise."""
    review = engine.review(draft, customer)
    assert review.verdict != "blocked", [(a.label, [e.rule for e in a.evidence])
                                         for a in review.anti_patterns]
    assert not [e for a in review.anti_patterns for e in a.evidence if e.rule.endswith(".reply")]


def test_a_defensive_reply_no_phrase_names_is_flagged_by_a_reply_head(engine: Engine,
                                                                      cues_only: Engine) -> None:
    phrased = {a.label for a in cues_only.review(REPORTED, NO_SHOW).anti_patterns}
    review = engine.review(REPORTED, NO_SHOW)
    read = [(a.label, e) for a in review.anti_patterns for e in a.evidence if e.rule.endswith(".reply")]
    assert read, [(a.label, a.evidence) for a in review.anti_patterns]
    label, evidence = read[0]
    assert label not in phrased  # no phrase of the coach names it
    assert evidence.rule == f"anti_patterns.{label}.reply" and evidence.text in REPORTED
    assert explain("model", evidence.rule).startswith("the reply as a whole reads like ")
    assert review.verdict == "blocked"  # blame and arguing are on the guard's block list


def test_a_plain_answer_to_a_calm_question_is_not_read_as_a_whole(engine: Engine) -> None:
    """The anti-pattern reply heads learnt from replies to complaints: against a calm question
    with no problem named there is nothing to argue with, and they are not read."""
    answer = "Yes, we deliver there in 3 to 4 working days at the usual price."
    assert not engine.moment(CALM_QUESTION).context().complaint
    assert engine.moment(NO_SHOW).context().complaint
    assert engine.review(answer, CALM_QUESTION).verdict != "blocked"
    assert engine.learned is not None
    read = engine.learned.find(REPORTED, whole=False)
    assert not any(e.rule.endswith(".reply") for spans in read.values() for e in spans)
    assert any(e.rule.endswith(".reply") for spans in engine.learned.find(REPORTED).values()
               for e in spans)


def test_the_reply_heads_read_the_sentences_already_encoded(engine: Engine) -> None:
    assert engine.learned is not None
    counting = CountingEncoder(engine.learned.encoder)
    reader = DraftReader(engine.learned.heads, counting, cache_size=64,  # type: ignore[arg-type]
                         labels=engine.coach.anti_patterns, behaviours=engine.coach.behaviours)
    reader.find(PLAYED_DOWN)
    assert "solution" in reader.find_behaviours(FEE_BACK)
    assert counting.seen == [PLAYED_DOWN, "You're right that it should have come the next day.",
                             "I've put the delivery fee back on your card."]
    reader.find(FEE_BACK)
    reader.find_behaviours(PLAYED_DOWN)
    assert len(counting.seen) == 3  # nothing encoded twice


def test_a_team_coach_without_a_behaviour_gets_no_head_for_it(engine: Engine) -> None:
    assert engine.learned is not None
    reader = DraftReader(engine.learned.heads, engine.learned.encoder,
                         labels=engine.coach.anti_patterns,
                         behaviours=[b for b in engine.coach.behaviours if b != "solution"])
    assert "solution" not in reader.find_behaviours(FEE_BACK)


def test_the_artefact_reply_heads_are_checked_and_optional() -> None:
    heads = load_draft_heads(DEFAULT_DRAFT_HEADS, WEIGHTS_SHA256)
    assert heads.replies is not None
    assert heads.replies.coef.shape == (len(heads.replies.labels), REPLY_DIMENSION)
    assert {"solution", "ownership"} <= set(heads.replies.labels)
    assert "replies" in heads.meta["dev"]
    data = draft_heads_to_dict(heads)
    first = data["replies"][0]
    for broken, match in (
            ({**data, "replies": [{**first, "coef": [0.1] * 384}]}, "768 weights"),
            ({**data, "replies": [{**first, "threshold": 0.0}]}, "between 0 and 1"),
            ({**data, "replies": [first, first]}, "appears twice")):
        with pytest.raises(ModelError, match=match):
            draft_heads_from_dict(broken)
    older = draft_heads_from_dict({k: v for k, v in data.items() if k != "replies"})
    assert older.replies is None and older.labels == heads.labels
    assert heads.anti_replies is not None and "anti_replies" in heads.meta["dev"]
    assert heads.anti_replies.coef.shape == (len(heads.anti_replies.labels), REPLY_DIMENSION)
    assert {"argue", "minimise"} <= set(heads.anti_replies.labels)
    anti = data["anti_replies"][0]
    with pytest.raises(ModelError, match="anti-pattern reply heads"):
        draft_heads_from_dict({**data, "anti_replies": [{**anti, "coef": [0.1] * 384}]})
    without = draft_heads_from_dict({k: v for k, v in data.items() if k != "anti_replies"})
    assert without.anti_replies is None and without.replies is not None


def test_an_older_heads_file_reads_sentences_only(engine: Engine) -> None:
    assert engine.learned is not None
    data = draft_heads_to_dict(engine.learned.heads)
    older = draft_heads_from_dict({k: v for k, v in data.items() if k != "replies"})
    reader = DraftReader(older, engine.learned.encoder, labels=engine.coach.anti_patterns)
    assert reader.reply_probabilities(FEE_BACK) is None
    assert reader.find_behaviours(FEE_BACK) == {}
    assert not any(e.rule.endswith(".reply") for spans in reader.find(FEE_BACK).values() for e in spans)
    sentences_only = draft_heads_from_dict({k: v for k, v in data.items()
                                            if k not in ("replies", "anti_replies")})
    reader = DraftReader(sentences_only, engine.learned.encoder, labels=engine.coach.anti_patterns)
    assert not any(e.rule.endswith(".reply") for spans in reader.find(REPORTED).values() for e in spans)


def test_the_coach_names_only_its_own_labels_for_reply_heads(engine: Engine) -> None:
    data = engine.coach.model_dump()
    data["draft_heads"]["replies"] = ["solution", "juggling"]
    with pytest.raises(ValueError, match="juggling"):
        CoachConfig.model_validate(data)
    data = engine.coach.model_dump()
    data["draft_heads"]["anti_replies"] = ["argue", "solution"]  # a behaviour, not an anti-pattern
    with pytest.raises(ValueError, match="anti_replies names unknown anti-patterns"):
        CoachConfig.model_validate(data)


def test_a_behaviour_read_in_the_whole_reply_is_not_shown_on_a_sentence_that_blames(engine: Engine) -> None:
    """"You should have ordered earlier if you needed it for a wedding." was shown as the reply's
    concrete solution: the reply head's likeliest sentence for it, though it blames the customer."""
    chat = [{"role": "customer", "text": "My wedding dress was supposed to arrive 2 weeks ago. The "
                                         "wedding is on Saturday. If it's not here by Thursday I "
                                         "don't know what I'll do."}]
    found = engine.review("Hi, deliveries can be delayed at busy times, that's not something we "
                          "control. You should have ordered earlier if you needed it for a wedding. "
                          "I'll check the tracking for you.", chat)
    assert "blame" in {a.label for a in found.anti_patterns}
    shown = [e.text for c in found.behaviours if c.found and c.label != "calm_tone" for e in c.evidence]
    assert not any("should have ordered" in text for text in shown), shown
