"""The engine: one playbook's analyzer and one coach, with the caches they need, in one object.

Everything that reads customers or coaches agents goes through an `Engine`: the CLI, the
service, the console, insights and `calmline.review`/`calmline.suggest` (which use
`calmline.default_engine()`). The engine owns its caches, so nothing is remembered at module
level and two engines (two teams' playbooks in one process) never see each other's results:

- the analyses of a conversation's turns, by the turns themselves: reviewing draft after draft of
  the same conversation analyses it once, and a conversation that grew by one turn (the service's
  next message) re-uses the analyses of the turns it already had;
- per case (the service's conversation id): the turns seen last time, so that the window of recent
  turns can slide on and still only the new turn is analysed;
- the scans of agent turns and the read moments;
- what the customer's messages and sentences say, as the suggestions' slots read them: each post
  re-reads its case's first and latest customer turns, and reads only its new one;
- the learned draft heads' reading of each draft sentence (engine/draft_heads.py), by the
  sentence's text: while the agent types, only the sentence that changed is encoded. They read
  with the analyzer's encoder; without one (the fast path, or the semantic tier could not load)
  the coach reads anti-patterns by its phrase cues only.

Every cache is bounded (least recently used goes first) and thread-safe without holding a lock
while computing, so many request threads share one engine and one slow conversation never makes
another wait. Long work takes a `Budget` and stops between turns once it is spent.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import replace
from datetime import datetime

from calmline.engine.analysis import Analysis, Fact
from calmline.engine.analyzer import Analyzer
from calmline.engine.budget import Budget
from calmline.engine.coach import Review, review_in
from calmline.engine.commitments import Commitment, extract_commitments
from calmline.engine.composer import Rewriter, Suggestion, suggest_in
from calmline.engine.cues import CueScanner, DraftContext, Scan
from calmline.engine.draft_heads import DraftReader, draft_reader
from calmline.engine.lru import LruCache, TextMemo
from calmline.engine.moment import AgentScan, ConversationLike, Moment, as_turns, read_moment
from calmline.engine.restate import FactGatherer, Told, fact_mentions, told
from calmline.errors import InputError
from calmline.playbook.coach_loader import default_coach
from calmline.playbook.coach_schema import CoachConfig
from calmline.playbook.schema import Playbook
from calmline.signals.base import Turn

Analyses = tuple[Analysis | None, ...]
Turns = tuple[Turn, ...]


def _overlap(seen: Turns, turns: Turns) -> int:
    """The most leading turns of `turns` that are the trailing turns of `seen` (0 if none)."""
    if not seen or not turns:
        return 0
    for start in (i for i, turn in enumerate(seen) if turn == turns[0]):
        size = len(seen) - start
        if size <= len(turns) and seen[start:] == turns[:size]:
            return size
    return 0


def _as_read(turns: Turns) -> Turns:
    """`turns` as the moment reads them. The last turn's anger (the score a case store kept with
    it) reaches only the analyses of turns after it, and there are none: a review right after a
    post (its window as the store hands it back, the new turn scored) is in the moment the post
    read, and finds it remembered."""
    last = turns[-1] if turns else None
    if last is None or last.anger is None:
        return turns
    return (*turns[:-1], Turn(last.role, last.text, last.time))


def _kept(analysis: Analysis, said: Told) -> Told:
    """What a FactGatherer keeps of `said`: each fact, term and topic stem once, as first told.
    The gatherer keeps the first of each, so a long message that repeats its order number a
    hundred times gathers the same from this, once per read of the window instead of a hundred."""
    gathered = FactGatherer(lambda _: said)
    gathered.add(analysis)
    kept = gathered.facts()
    return Told(kept.facts, kept.issue_terms, kept.topic_terms)


def _stored_reading(turn: Turn) -> Analysis | None:
    """The reading a case store kept with this turn (see `Turn.stored`), if it is one of it."""
    found = turn.stored() if turn.stored is not None else None
    return found if isinstance(found, Analysis) and found.text == turn.text else None


class Engine:
    """An analyzer and a coach, and what they remember. Safe to share between threads."""

    def __init__(self, analyzer: Analyzer, coach: CoachConfig | None = None, *,
                 cache_size: int = 256, cases: int = 1024, rewriter: Rewriter | None = None,
                 learned: bool = True) -> None:
        self.analyzer = analyzer
        self.coach = coach or default_coach()
        self.rewriter = rewriter  # proposes one more suggestion (the optional LLM); None: off
        self.scanner = CueScanner(self.coach)
        # drafts and rewrites are read by the learned heads too; templates by phrase cues only
        self.learned: DraftReader | None = (
            draft_reader(self.coach, analyzer.encoder, cache_size * 16) if learned else None)
        self._analyses: LruCache[Turns, Analyses] = LruCache(cache_size)
        self._cases: LruCache[Hashable, tuple[Turns, Analyses]] = LruCache(cases)
        self._scans: LruCache[Hashable, Scan] = LruCache(cache_size * 4)
        self._moments: LruCache[tuple[Turns, str | None, datetime | None], Moment] = (
            LruCache(cache_size))
        # what each customer message told (restate.told), by the analysis object (kept with it,
        # so its id is not reused while remembered): a case's window is read again on every post
        self._told: LruCache[int, tuple[Analysis, Told]] = LruCache(cache_size * 16)
        # which of the customer's facts each agent turn names, by the turn's text: the window is
        # read on every post, and each post brings at most a fact or two not asked about before
        self._named: LruCache[str, dict[Fact, bool]] = LruCache(cache_size * 4)
        # what the customer's messages and sentences say, for the suggestions' slots (by text,
        # Moment.words): each post re-reads its case's first and latest customer turns
        self._words = TextMemo(cache_size * 32)  # some 50 readings a case: 160 cases or so

    @property
    def playbook(self) -> Playbook:
        return self.analyzer.playbook

    # -- reading the customer ---------------------------------------------------------------

    def analyze(self, text: str, history: Sequence[object] | None = None,
                time: datetime | None = None) -> Analysis:
        """One customer message in the context of the turns before it."""
        return self.analyzer.analyze(text, history, time)  # type: ignore[arg-type]

    def analyse_turns(self, turns: Sequence[Turn], *, case: Hashable | None = None,
                      budget: Budget | None = None) -> Analyses:
        """One Analysis per customer turn (None for agents), each read in the context of the
        turns before it. Turns already analysed (this conversation shorter by a turn, or what
        `case` saw last time) are re-used, then the readings a case store kept with its turns
        (`Turn.stored`); only the rest is analysed, checking `budget` first."""
        read = tuple(turns)
        done = self._analyses.get(read)
        seen = self._cases.get(case) if done is None and case is not None else None
        if seen is not None and seen[0] == read:  # the case as stored after its last reading
            done = seen[1]
        if done is None:
            reused = self._reusable(read, case)
            analyses = list(reused)
            history: list[Turn] = []  # the turns before, scored (Analyzer.scored) once each
            for index in range(len(reused), len(read)):
                turn = read[index]
                if turn.role == "agent":
                    analyses.append(None)
                    continue
                if budget is not None:
                    budget.check()
                found = _stored_reading(turn)
                if found is None:
                    history.extend(map(self.analyzer.scored, read[len(history):index]))
                    found = self.analyzer.analyze(turn.text, history, turn.time)
                analyses.append(found)
            done = tuple(analyses)
            self._analyses.put(read, done)
        if case is not None and read:
            last, latest = read[-1], done[-1]
            stored = Turn(last.role, last.text, last.time, latest.anger.score if latest else None)
            self._cases.put(case, ((*read[:-1], stored), done))  # as the store hands them back
        return done

    def _reusable(self, turns: Turns, case: Hashable | None) -> Analyses:
        """The analyses of the longest leading part of `turns` this engine has already read:
        this conversation before its latest turns, or what `case` saw last time."""
        found: Analyses = ()
        seen = self._cases.get(case) if case is not None else None
        if seen is not None:
            reused = _overlap(seen[0], turns[:-1])
            found = seen[1][len(seen[1]) - reused:] if reused else ()
        for size in range(len(turns) - 1, len(found), -1):
            shorter = self._analyses.get(turns[:size])
            if shorter is not None:
                return shorter
        return found

    # -- coaching the agent -----------------------------------------------------------------

    def moment(self, conversation: ConversationLike, time: datetime | None = None, *,
               case: Hashable | None = None, budget: Budget | None = None,
               name: str | None = None) -> Moment:
        """The moment the next reply is written in (remembered: drafts in a row are cheap).
        `name`: the customer's name, where the turns carry no author (`read_moment`)."""
        turns, authored = as_turns(conversation)
        name = name or authored
        key = (_as_read(turns), name, time)
        found = self._moments.get(key)
        if found is None:
            analyses = self.analyse_turns(turns, case=case, budget=budget)
            if budget is not None:
                budget.check()
            found = read_moment(conversation, self.analyzer, self.scanner, time,
                                analyses=analyses, scan=self._scanner_for(case),
                                told_by=self._told_by, names=self._names, words=self._words,
                                name=name)
            self._moments.put(key, found)
        return found

    def _names(self, text: str, facts: Sequence[Fact]) -> bool:
        """Does `text` name one of `facts` (restate.fact_mentions, which reads each fact on its
        own), remembered per text and fact."""
        known = self._named.get_or_compute(text, dict)
        missing = [fact for fact in facts if fact not in known]
        if missing:
            if fact_mentions(text, missing):
                known.update((fact, bool(fact_mentions(text, [fact]))) for fact in missing)
            else:  # the usual answer, in one pass over the text
                known.update(dict.fromkeys(missing, False))
        return any(known[fact] for fact in facts)

    def _told_by(self, analysis: Analysis) -> Told:
        found = self._told.get(id(analysis))
        if found is not None and found[0] is analysis:
            return found[1]
        said = _kept(analysis, told(analysis))
        self._told.put(id(analysis), (analysis, said))
        return said

    def _scanner_for(self, case: Hashable | None) -> AgentScan:
        """How read_moment scans the agent's earlier turns: remembered by text and context, or
        within a case by the turn itself, so that when the window slides on (and the context of
        each agent turn loses its oldest customer turn) the turns already read are not read again
        (nor their context built).
        """
        def scan(text: str, time: datetime | None, context: Callable[[], DraftContext]) -> Scan:
            if case is not None:
                return self._scans.get_or_compute((case, text, time),
                                                  lambda: self.scanner.scan(text, context()))
            built = context()
            return self._scans.get_or_compute((text, built),
                                              lambda: self.scanner.scan(text, built))

        return scan

    def review(self, draft: str, conversation: ConversationLike, time: datetime | None = None,
               *, case: Hashable | None = None, budget: Budget | None = None) -> Review:
        """The coach's review of `draft` as the agent's next reply to `conversation`."""
        if not isinstance(draft, str):
            raise InputError(f"draft must be a string, not {type(draft).__name__}")
        return review_in(draft, self.moment(conversation, time, case=case, budget=budget),
                         self.scanner, self.learned)

    def suggest(self, conversation: ConversationLike, *, limit: int = 3,
                rewriter: Rewriter | None = None, case: Hashable | None = None,
                budget: Budget | None = None, name: str | None = None) -> list[Suggestion]:
        """Two or three replies for the current moment, each reviewed, best first. `rewriter`
        (default: the engine's own, if it has one) may propose one more; `name` as in `moment`."""
        moment = self.moment(conversation, case=case, budget=budget, name=name)
        found = suggest_in(moment, self.scanner, limit=limit, rewriter=rewriter or self.rewriter)
        if self.learned is None:
            return found
        # the rewriter's reply is written fresh, so the learned heads read it as they read drafts
        # (the templates are reviewed phrases: cues only, on every customer post)
        return [replace(s, review=(r := review_in(s.text, moment, self.scanner, self.learned)),
                        score=r.score) if s.source == "rewriter" else s for s in found]

    def promises(self, text: str, now: datetime | None = None) -> list[Commitment]:
        """The commitments in a sent agent message, each with its resolved deadline (if any)."""
        return extract_commitments(text, now)


def engine_for(analyzer: Analyzer | None = None, coach: CoachConfig | None = None) -> Engine:
    """The shared default engine when nothing is given (or just the default analyzer), else a new
    engine around `analyzer` and `coach`: build one yourself to keep its caches between calls."""
    import calmline

    default = calmline.default_engine()
    if coach is None and (analyzer is None or analyzer is default.analyzer):
        return default
    return Engine(analyzer or default.analyzer, coach)
