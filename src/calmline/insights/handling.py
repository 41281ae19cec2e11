"""The one door from insights to the reply coach (PLAYBOOK §3): what each agent reply did.

The coach is imported lazily, so insights works (and says "handling unavailable" in the report)
in a build without it. Each agent reply is read once by the coach's `CueScanner` — the scanner
`calmline.engine.coach.review` uses for drafts — with the context a live review would have (the
customer's facts so far, whether they were still venting, the reply's time), and the coach's stage
machine gives the conversation's outcome. Calling `review()` per reply would re-read the whole
conversation for every reply (quadratic); this reads it once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from calmline.engine.analysis import Analysis
from calmline.signals.base import Turn


@dataclass(frozen=True, slots=True)
class Reply:
    """The coach's reading of one agent reply: the labels of behaviours and anti-patterns found."""

    behaviours: tuple[str, ...]
    anti_patterns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ThreadHandling:
    """One entry per turn (None for customer turns), and the stage machine's verdict.

    `stages[i]` is the stage the conversation was in when turn i was written (before it moved
    it): "what works" compares replies written at the same stage.
    """

    replies: tuple[Reply | None, ...]
    stage: str
    outcome: str | None
    stages: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Coach:
    """What the adapter needs from the coach modules, bound once."""

    scanner: Any
    facts: Any  # CustomerFacts
    context: Any  # DraftContext
    track: Any  # track_stages
    behaviours: dict[str, str]  # label -> title, in coach.yaml order
    anti_patterns: dict[str, str]


@lru_cache(maxsize=1)
def load_coach() -> Coach | None:
    """The coach, or None when this build has none (the handling section is then unavailable)."""
    try:
        from calmline.engine.coach import scanner_for
        from calmline.engine.cues import DraftContext
        from calmline.engine.restate import CustomerFacts
        from calmline.engine.stages import track_stages
    except ImportError:
        return None
    scanner = scanner_for()
    config = scanner.config
    return Coach(scanner, CustomerFacts, DraftContext, track_stages,
                 {k: v.title for k, v in config.behaviours.items()},
                 {k: v.title for k, v in config.anti_patterns.items()})


def unavailable_reason() -> str | None:
    """None when handling metrics can be computed; otherwise why not (shown in the report)."""
    if load_coach() is None:
        return "the reply coach (calmline.engine.coach) is not part of this build"
    return None


def _venting(turns: Sequence[Turn], analyses: Sequence[Analysis | None], index: int) -> bool:
    """Was the customer still venting in the turns since the previous agent reply?"""
    for j in range(index - 1, -1, -1):
        if turns[j].role == "agent":
            return False
        analysis = analyses[j]
        if analysis is not None:
            return analysis.venting.venting
    return False


def review_thread(turns: Sequence[Turn], analyses: Sequence[Analysis | None]) -> ThreadHandling | None:
    """Read every agent reply of an analysed conversation; None without a coach."""
    coach = load_coach()
    if coach is None:
        return None
    scans: list[Any] = []
    replies: list[Reply | None] = []
    for index, turn in enumerate(turns):
        if turn.role != "agent":
            scans.append(None)
            replies.append(None)
            continue
        before = [a for a in analyses[:index] if a is not None]
        facts = coach.facts.from_analyses(before, before[-1] if before else None)
        context = coach.context(facts, _venting(turns, analyses, index), turn.time)
        scan = coach.scanner.scan(turn.text, context)
        scans.append(scan)
        replies.append(Reply(tuple(scan.behaviours), tuple(scan.anti_patterns)))
    state = coach.track(turns, analyses, scans, coach.scanner)
    return ThreadHandling(tuple(replies), state.stage, state.outcome,
                          stages_before(len(turns), state.transitions))


def stages_before(count: int, transitions: Sequence[Any]) -> tuple[str, ...]:
    """The stage in force as each of `count` turns was written, from the machine's transitions."""
    moves = sorted(transitions, key=lambda t: t.turn)
    stages, current, step = [], "venting", 0
    for index in range(count):
        while step < len(moves) and moves[step].turn < index:
            current, step = moves[step].target, step + 1
        stages.append(current)
    return tuple(stages)
