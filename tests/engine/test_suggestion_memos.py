"""What a customer's post remembers for its suggestions: the readings of the customer's messages
and sentences the slots are built from (by text, owned by the engine), and each behaviour's hint
filled once per moment. Remembering must change nothing that is suggested or reviewed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import calmline
from calmline.engine import phrases, situations
from calmline.engine.coach import review_in
from calmline.engine.composer import suggest_in
from calmline.engine.core import Engine
from calmline.engine.lru import TextMemo
from calmline.engine.moment import read_moment
from calmline.engine.slots import build_slots
from calmline.signals.base import Turn

START = datetime(2026, 11, 24, 10, tzinfo=UTC)
CUSTOMER = ["Hi, my new TV arrived cracked and nobody answers my emails. Order SF-20931.",
            "It's the third time I'm writing! I want a refund, or a replacement by Friday.",
            "I took the day off work for the engineer and nobody came. Nobody called either.",
            "Please cancel my gym membership. Where is my parcel? It never arrived.",
            "The kettle you sent has a little dent in the side and the lid is broken.",
            "Thanks, the refund arrived today, all sorted now."]
AGENT = ["I'm sorry about that. I can send a replacement today or refund you in full.",
         "I will call you tomorrow at 10am with the tracking number."]


def case(posts: int) -> list[Turn]:
    """A case of customer posts, with an agent reply after every second one."""
    turns: list[Turn] = []
    for n in range(posts):
        turns.append(Turn("customer", CUSTOMER[n % len(CUSTOMER)], START + timedelta(minutes=len(turns))))
        if n % 2:
            turns.append(Turn("agent", AGENT[n // 2 % len(AGENT)], START + timedelta(minutes=len(turns))))
    return turns


def test_a_text_memo_reads_each_text_once_none_included() -> None:
    memo = TextMemo(2)
    read: list[str] = []

    def nothing(text: str) -> None:
        read.append(text)

    assert memo(nothing, "a") is None and memo(nothing, "a") is None
    assert read == ["a"]
    assert memo(len, "a") == 1  # another reading of the same text is kept apart
    memo(nothing, "b")
    memo(nothing, "a")  # bounded: the least recently used went first
    assert read == ["a", "b", "a"] and len(memo) == 2


@pytest.mark.parametrize("texts", [CUSTOMER, CUSTOMER[:1], CUSTOMER[2:4], [], ["", "   "]])
def test_readings_with_a_memo_are_the_readings_without(texts: list[str]) -> None:
    memo = TextMemo(1000)
    for _ in range(2):  # the second time from the memo
        assert phrases.issue_phrase(texts, memo) == phrases.issue_phrase(texts)
        assert phrases.trouble_object(texts, {"crack", "broke"}, memo) == (
            phrases.trouble_object(texts, {"crack", "broke"}))
        for topic in ("your TV", "your parcel", "the kettle"):
            assert phrases.said_back(texts, topic, memo=memo) == phrases.said_back(texts, topic)
            assert phrases.asked_only(texts, topic, memo) == phrases.asked_only(texts, topic)
        assert situations.repeat_contact(texts, memo) == situations.repeat_contact(texts)
        assert phrases.cancel_object(texts, memo) == phrases.cancel_object(texts)
        for text in texts:
            assert phrases.asked_for(text, memo) == phrases.asked_for(text)
        read = len(memo)
    assert len(memo) == read  # nothing read again


def test_a_case_read_post_after_post_suggests_what_a_fresh_read_does() -> None:
    """The engine hands each moment its memo of the customer's words: each post of a case reads
    only its new message, and its slots and suggestions are those of a moment read afresh."""
    engine = Engine(calmline.default_analyzer())
    turns = case(9)
    for end in range(1, len(turns) + 1):
        if turns[end - 1].role != "customer":
            continue
        moment = engine.moment(turns[max(0, end - 6):end], case=3)  # a window that slides on
        assert moment.words is engine.moment(turns[:1]).words  # one memo for the engine's moments
        fresh = read_moment(moment.turns, engine.analyzer, engine.scanner, analyses=moment.analyses)
        assert moment.words is not fresh.words
        assert build_slots(moment, engine.coach) == build_slots(fresh, engine.coach)
        assert ([s.to_dict() for s in suggest_in(moment, engine.scanner)]
                == [s.to_dict() for s in suggest_in(fresh, engine.scanner)])


def test_drafts_reviewed_in_one_moment_get_the_hints_of_a_fresh_review() -> None:
    """The behaviours' hints are filled once per moment; every later review in it shows them as
    a review in a moment of its own would."""
    engine = Engine(calmline.default_analyzer())
    turns = case(4)
    moment = engine.moment(turns)
    drafts = ["Sorry, let me look.", "I will refund you today by 5pm.", "Calm down, it's our policy."]
    for draft in drafts:
        again = read_moment(turns, engine.analyzer, engine.scanner, analyses=moment.analyses)
        assert (review_in(draft, moment, engine.scanner).to_dict()
                == review_in(draft, again, engine.scanner).to_dict())
    assert "hints" in moment.memo


FIRST_CONTACTS = ["This is the THIRD time I'm writing. My order 55120 arrived broken, I want a refund.",
                  "My new TV arrived cracked. I want a replacement or my money back, order SF-20931.",
                  "Where is my parcel 48213? It was due last week and nobody answers.",
                  "Please cancel my gym membership, I'm moving abroad."]


@pytest.mark.parametrize("text", FIRST_CONTACTS)
def test_the_best_few_are_those_of_ranking_every_candidate(text: str) -> None:
    """Only the candidates that can still be among the shown ones are reviewed; what is shown
    is what ranking all of them gives (limit 100 reviews them all)."""
    engine = Engine(calmline.default_analyzer())
    moment = engine.moment([Turn("customer", text, START)])
    every = [s.to_dict() for s in suggest_in(moment, engine.scanner, limit=100)]
    for limit in (1, 2, 3, 0):
        assert [s.to_dict() for s in suggest_in(moment, engine.scanner, limit=limit)] == (
            every[:max(1, limit)])


def test_a_candidate_that_cannot_be_shown_is_not_reviewed(monkeypatch: pytest.MonkeyPatch) -> None:
    from calmline.engine import composer

    engine = Engine(calmline.default_analyzer())
    moment = engine.moment([Turn("customer", FIRST_CONTACTS[0], START)])
    reviewed: list[str] = []
    made = composer._suggestion

    def counted(text: str, *args: object) -> composer.Suggestion:
        reviewed.append(text)
        return made(text, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(composer, "_suggestion", counted)
    assert len(suggest_in(moment, engine.scanner)) == 3
    assert 3 <= len(reviewed) < len(composer.candidates(engine.coach, moment))
