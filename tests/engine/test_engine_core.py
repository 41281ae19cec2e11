"""The engine object: its own bounded caches, re-use of analysed turns, thread safety, budgets."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

import calmline
from calmline.engine.analyzer import Analyzer
from calmline.engine.budget import Budget, OutOfTimeError
from calmline.engine.core import Engine, engine_for
from calmline.engine.cues import _sentence_of
from calmline.engine.lru import LruCache
from calmline.signals.base import Turn

START = datetime(2026, 11, 24, 10, tzinfo=UTC)
LINES = ["Where is my order 48213? It was due last week.",
         "I'm sorry it's late. Let me check that for you.",
         "This is RIDICULOUS, third time I'm asking and nobody calls back!!!",
         "I understand. I will call you tomorrow at 10am with the tracking.",
         "I want a refund NOW or I'm going to my lawyer."]


def chat(lines: list[str] = LINES) -> list[Turn]:
    return [Turn("customer" if i % 2 == 0 else "agent", text, START + timedelta(minutes=i))
            for i, text in enumerate(lines)]


class CountingAnalyzer(Analyzer):
    """The real analyzer, counting the customer messages it reads."""

    calls = 0

    def analyze(self, text, history=None, time=None):  # type: ignore[no-untyped-def]
        self.calls += 1
        return super().analyze(text, history, time)


@pytest.fixture(scope="module")
def counting() -> CountingAnalyzer:
    return CountingAnalyzer(calmline.default_analyzer().playbook)


def test_a_conversation_grown_by_one_turn_analyses_only_that_turn(counting: CountingAnalyzer
                                                                   ) -> None:
    engine = Engine(counting)
    turns = chat()
    engine.review("Sorry, let me look.", turns[:3])
    before = counting.calls
    engine.review("Sorry, let me look.", turns[:3])  # same conversation: nothing analysed again
    assert counting.calls == before
    engine.review("I'm sorry about this.", turns)  # two turns more, one of them the customer's
    assert counting.calls == before + 1


def test_a_sliding_window_reuses_the_case(counting: CountingAnalyzer) -> None:
    engine = Engine(counting)
    turns = chat()
    first = engine.analyse_turns(turns[:4], case=7)
    before = counting.calls
    slid = engine.analyse_turns(turns[1:], case=7)  # the window dropped a turn and gained one
    assert counting.calls == before + 1
    assert slid[:3] == first[1:]
    last = turns[-1]  # the new turn is read in the context of the window, as if read afresh
    assert slid[-1] == counting.analyze(last.text, turns[1:-1], last.time)


def test_a_review_after_a_post_is_in_the_moment_the_post_read(counting: CountingAnalyzer) -> None:
    """The store hands the new turn back with its score: that changes nothing the moment reads,
    so the review finds the post's moment (its slots worked out once) and says what a fresh
    engine says."""
    engine = Engine(counting)
    posted = chat()
    moment = engine.moment(posted, case=5)
    last = posted[-1]
    assert moment.latest is not None
    stored = [*posted[:-1], Turn(last.role, last.text, last.time, moment.latest.anger.score)]
    assert engine.moment(stored, case=5) is moment
    drafts = ["I'm sorry, I will refund it today by 5pm.", "Calm down, it's our policy."]
    for draft in drafts:
        fresh = Engine(counting).review(draft, stored, case=5).to_dict()
        assert engine.review(draft, stored, case=5).to_dict() == fresh
    earlier = [*posted[:2], Turn(posted[2].role, posted[2].text, posted[2].time, 0.99),
               *posted[3:]]  # an earlier turn's score is context for the turns after it
    assert engine.moment(earlier, case=5) is not moment


def test_remembered_agent_turns_are_not_given_their_context_again(
        counting: CountingAnalyzer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Within a case an agent turn's scan is remembered by the turn: the next post does not
    gather the facts told before each agent turn again, only the customer's facts as they stand."""
    from calmline.engine import restate

    engine = Engine(counting)
    turns = chat()
    engine.moment(turns[:4], case=11)
    asked: list[object] = []
    facts = restate.FactGatherer.facts

    def counted(self: restate.FactGatherer, latest: object = None) -> restate.CustomerFacts:
        if latest is not None:  # a turn's context, or the moment's own (not what a message told)
            asked.append(latest)
        return facts(self, latest)  # type: ignore[arg-type]

    monkeypatch.setattr(restate.FactGatherer, "facts", counted)
    moment = engine.moment(turns, case=11)
    assert len(asked) == 1 and asked[0] is moment.latest
    monkeypatch.undo()
    assert moment == Engine(counting).moment(turns, case=11)


def test_an_agent_turn_is_read_for_each_fact_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whether an earlier agent turn named one of the customer's order numbers is remembered per
    turn and fact: a post reads the agent turns only for the facts it newly brings."""
    from calmline.engine import core
    from calmline.engine.analysis import Fact

    read: list[list[str]] = []
    mentions = core.fact_mentions

    def counted(text: str, facts: list[Fact]) -> list[object]:
        read.append([f.value for f in facts])
        return mentions(text, facts)  # type: ignore[return-value]

    monkeypatch.setattr(core, "fact_mentions", counted)
    engine = Engine(calmline.default_analyzer())
    one, two = (Fact("order_id", value, f"order {value}", 0, 0) for value in ("48213", "51177"))
    said = "I'm sorry about order 48213, I will call you tomorrow."
    assert engine._names(said, [one]) and read == [["48213"], ["48213"]]
    assert not engine._names("Let me check.", [one, two]) and read[2:] == [["48213", "51177"]]
    read.clear()
    assert engine._names(said, [one, two]) and read == [["51177"]]
    assert engine._names(said, [two, one]) and not engine._names("Let me check.", [two]) and read == [
        ["51177"]]


def test_what_a_message_told_is_kept_once_per_fact_and_stem() -> None:
    """The engine remembers what each customer message told as the gatherer keeps it (the first
    of each fact and stem): the customer's facts come out the same as from the whole message."""
    from calmline.engine.core import _kept
    from calmline.engine.restate import CustomerFacts, FactGatherer, told

    engine = Engine(calmline.default_analyzer())
    text = ("My order 48213 has not arrived, the tracking for order 48213 is stuck since Friday. "
            "Order 48213! Friday! The charger is broken too. ") * 5
    analysis = engine.analyze(text)
    said, kept = told(analysis), _kept(analysis, told(analysis))
    assert len(kept.facts) < len(said.facts)
    gathered = FactGatherer(lambda _: kept)
    gathered.add(analysis)
    assert gathered.facts(analysis) == CustomerFacts.from_analyses([analysis], analysis)


def test_engines_do_not_share_what_they_remember(counting: CountingAnalyzer) -> None:
    one, two = Engine(counting), Engine(counting)
    one.review("Let me check.", chat())
    before = counting.calls
    two.review("Let me check.", chat())
    assert counting.calls == before + 3  # the second engine read the customer's three turns itself


def test_many_threads_share_one_engine_without_a_lock() -> None:
    engine = Engine(calmline.default_analyzer())
    conversations = [chat([f"My order {40000 + n} is late!!! I want a refund", *LINES[1:]])
                     for n in range(12)]
    drafts = ["I'm sorry, I will refund it today by 5pm.", "Calm down, it's our policy."]
    alone = [Engine(calmline.default_analyzer()).review(d, c).to_dict()
             for c in conversations for d in drafts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(lambda job: engine.review(job[1], job[0]).to_dict(),
                                 [(c, d) for c in conversations for d in drafts]))
    assert together == alone


def test_a_spent_budget_stops_before_the_next_turn(counting: CountingAnalyzer) -> None:
    engine = Engine(counting)
    budget = Budget(None)
    budget.cancel()
    before = counting.calls
    with pytest.raises(OutOfTimeError, match="cancelled"):
        engine.review("Sorry.", chat(), budget=budget)
    assert counting.calls == before
    with pytest.raises(OutOfTimeError, match="budget"):
        engine.analyse_turns(chat(), budget=Budget(-1.0))


def test_the_lru_cache_is_bounded_and_keeps_the_recent() -> None:
    cache: LruCache[int, str] = LruCache(3)
    for n in range(5):
        cache.put(n, str(n))
    assert len(cache) == 3 and cache.get(0) is None and cache.get(4) == "4"
    cache.get(2)
    cache.put(5, "5")
    assert cache.get(3) is None and cache.get(2) == "2"
    with pytest.raises(ValueError):
        LruCache(0)


def test_concurrent_misses_compute_and_store_once_each() -> None:
    cache: LruCache[str, int] = LruCache(10)
    barrier = threading.Barrier(4)

    def work() -> int:
        barrier.wait()
        return cache.get_or_compute("k", lambda: 42)

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert set(pool.map(lambda _: work(), range(4))) == {42}
    assert len(cache) == 1


def test_the_default_engine_is_shared_and_a_team_analyzer_gets_its_own() -> None:
    assert engine_for() is calmline.default_engine()
    assert engine_for(calmline.default_analyzer()) is calmline.default_engine()
    team = Analyzer(calmline.default_analyzer().playbook, encoder=None)
    assert engine_for(team).analyzer is team


def test_sentences_end_at_punctuation_runs_and_lines() -> None:
    text = "Price is $89.99 today. Call us!!! We will\nship it tomorrow"
    assert text[slice(*_sentence_of(text, 3))] == "Price is $89.99 today."
    assert text[slice(*_sentence_of(text, text.index("Call")))] == " Call us!!!"
    assert text[slice(*_sentence_of(text, text.index("We")))] == " We will"
    assert text[slice(*_sentence_of(text, text.index("ship")))] == "ship it tomorrow"
