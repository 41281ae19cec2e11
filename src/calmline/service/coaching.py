"""The one adapter between the service and the reply coach (calmline.engine coach/composer/stages).

Everything the service needs from the coach goes through here: the stage and next move of a
conversation, suggested replies, a review of a draft, the promises in a sent agent message. The
engine modules are imported lazily, on first use; where one is missing (an older or trimmed
install) the functions degrade instead of failing: no stage (None), no suggestions ([]), no review
(None), no promises ([]). Engine calls are serialised by one lock: the coach keeps small
module-level caches that are not thread-safe, and under the GIL the lock costs nothing.

Posting a message re-reads the whole conversation (the stage machine needs every turn). So that a
long case does not cost more per message, the analyses of a conversation's turns are remembered
per case (`key`): when the stored history is what was seen last time, only the new turn is
analysed, and the engine's moment cache is handed the result instead of re-analysing every turn.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from calmline.cases.followups import Promise
from calmline.engine.analysis import Analysis
from calmline.engine.analyzer import Analyzer, HistoryItem, as_turn
from calmline.signals.base import Turn

_LOCK = threading.RLock()


# (analyzer, case id) -> the turns seen last time and their analyses
_SEEN: OrderedDict[tuple[int, int], tuple[tuple[Turn, ...], tuple[Analysis | None, ...]]] = OrderedDict()
_SEEN_SIZE = 1024  # cases remembered; about 150 KB each at most (30 turns of analyses)


@dataclass(frozen=True, slots=True)
class Assessment:
    """Where the conversation stands for the next reply, and the analysis of its last turn."""

    stage: str | None = None
    outcome: str | None = None
    moment: str | None = None
    next_move: str | None = None
    suggestions: list[dict[str, Any]] = field(default_factory=list)
    latest: Analysis | None = None


def _overlap(seen: tuple[Turn, ...], turns: tuple[Turn, ...]) -> int:
    """The most leading turns of `turns` that are the trailing turns of `seen` (0 if none)."""
    if not seen or not turns:
        return 0
    for start in (i for i, turn in enumerate(seen) if turn == turns[0]):
        size = len(seen) - start
        if size <= len(turns) and seen[start:] == turns[:size]:
            return size
    return 0


def _analyses(analyzer: Analyzer, turns: tuple[Turn, ...], key: int | None
              ) -> tuple[Analysis | None, ...]:
    """One Analysis per customer turn (None for agents), each read in the context of the turns
    before it. What `key` saw last time is re-used for the turns it shares (also when the window of
    recent turns has slid on, or another writer added turns since); only the rest is analysed."""
    slot = (id(analyzer), key) if key is not None else None
    seen = _SEEN.get(slot) if slot is not None else None
    reused = _overlap(seen[0], turns[:-1]) if seen is not None else 0
    analyses: list[Analysis | None] = list(seen[1][len(seen[1]) - reused:]) if seen and reused else []
    for index in range(reused, len(turns)):
        turn = turns[index]
        analyses.append(None if turn.role == "agent"
                        else analyzer.analyze(turn.text, turns[:index], turn.time))
    done = tuple(analyses)
    if slot is not None:
        last, latest = turns[-1], done[-1]
        stored = Turn(last.role, last.text, last.time, latest.anger.score if latest else None)
        _SEEN[slot] = ((*turns[:-1], stored), done)  # the turns as the store will hand them back
        _SEEN.move_to_end(slot)
        if len(_SEEN) > _SEEN_SIZE:
            _SEEN.popitem(last=False)
    try:  # hand the engine what it would otherwise compute again
        from calmline.engine import moment

        moment._CACHE[(id(analyzer), turns)] = done
    except (ImportError, AttributeError):
        pass
    return done


def analyze(analyzer: Analyzer, text: str, history: Sequence[HistoryItem],
            time: datetime | None = None) -> Analysis:
    with _LOCK:
        return analyzer.analyze(text, history, time)


def assess(analyzer: Analyzer, turns: Sequence[HistoryItem], *, with_suggestions: bool = True,
           key: int | None = None) -> Assessment:
    """Stage, moment, next move, (optionally) two or three suggested replies, and the analysis of
    the last turn in the context of all the others. `key` (the case id) enables re-use."""
    read = tuple(as_turn(t) for t in turns)
    with _LOCK:
        analyses = _analyses(analyzer, read, key) if read else ()
        latest = analyses[-1] if analyses else None
        try:
            from calmline.engine.coach import scanner_for
            from calmline.engine.composer import suggest
            from calmline.engine.moment import describe, read_moment
            from calmline.engine.recommend import move_for_moment
            from calmline.engine.slots import build_slots
        except ImportError:
            return Assessment(latest=latest)
        scanner = scanner_for()
        moment = read_moment(list(read), analyzer, scanner)
        info = describe(moment)
        move = move_for_moment(scanner.config, moment.kind, build_slots(moment, scanner.config))
        found = suggest(list(read), analyzer) if with_suggestions else []
    return Assessment(info["stage"], info["outcome"], info["moment"], move,
                      [{"text": s.text, "source": s.source, "score": s.score,
                        "placeholders": list(s.placeholders), "next_move": s.review.next_move}
                       for s in found], latest)


def review(analyzer: Analyzer, draft: str, turns: Sequence[HistoryItem]) -> dict[str, Any] | None:
    """The coach's review of `draft` as the next reply (Review.to_dict()), or None without a coach."""
    try:
        from calmline.engine.coach import review as coach_review
    except ImportError:
        return None
    with _LOCK:
        return coach_review(draft, list(turns), analyzer).to_dict()


def promises(text: str, now: datetime | None = None) -> list[Promise]:
    """The commitments in a sent agent message, each with its resolved deadline (if any)."""
    try:
        from calmline.engine.commitments import extract_commitments
    except ImportError:
        return []
    with _LOCK:
        found = extract_commitments(text, now)
    return [Promise(c.what, c.due, c.due_text, c.evidence.text) for c in found]


def warm_up(analyzer: Analyzer) -> None:
    """Load everything the engine loads on first use (coach, templates, commitment rules), so the
    server's first requests are not the slow ones."""
    turns: list[HistoryItem] = [
        {"role": "customer", "text": "My order 48213 is late and nobody called me back!"},
        {"role": "agent", "text": "I'm sorry about that. I will call you back tomorrow at 10am."}]
    assess(analyzer, turns)
    review(analyzer, "Thanks for your patience, let me check that for you.", turns)
    promises("I will email you the label by Friday.")
