"""The one door from insights to the reply coach (PLAYBOOK §3): what each agent reply did.

Each agent reply is read once by the engine's `CueScanner` — the scanner the engine's `review`
uses for drafts, built from the same (team's) coach — with the context a live review would have
(the customer's facts so far, whether they were still venting, the reply's time), and the coach's
stage machine gives the conversation's outcome. Calling `review()` per reply would re-read the
whole conversation for every reply (quadratic); this reads it once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from calmline.engine.analysis import Analysis
from calmline.engine.core import Engine
from calmline.engine.cues import DraftContext, Scan
from calmline.engine.restate import FactGatherer
from calmline.engine.stages import track_stages
from calmline.playbook.coach_schema import CoachConfig
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


def labels(config: CoachConfig) -> tuple[dict[str, str], dict[str, str]]:
    """(behaviour label -> title, anti-pattern label -> title), in coach.yaml order."""
    return ({k: v.title for k, v in config.behaviours.items()},
            {k: v.title for k, v in config.anti_patterns.items()})


def _venting(turns: Sequence[Turn], analyses: Sequence[Analysis | None], index: int) -> bool:
    """Was the customer still venting in the turns since the previous agent reply?"""
    for j in range(index - 1, -1, -1):
        if turns[j].role == "agent":
            return False
        analysis = analyses[j]
        if analysis is not None:
            return analysis.venting.venting
    return False


def review_thread(turns: Sequence[Turn], analyses: Sequence[Analysis | None], engine: Engine
                  ) -> ThreadHandling:
    """Read every agent reply of an analysed conversation with `engine`'s coach."""
    scans: list[Scan | None] = []
    replies: list[Reply | None] = []
    gathered, last = FactGatherer(), None
    for index, (turn, analysis) in enumerate(zip(turns, analyses, strict=True)):
        if analysis is not None:
            gathered.add(analysis)
            last = analysis
        if turn.role != "agent":
            scans.append(None)
            replies.append(None)
            continue
        context = DraftContext(gathered.facts(last), _venting(turns, analyses, index), turn.time)
        scan = engine.scanner.scan(turn.text, context)
        scans.append(scan)
        replies.append(Reply(tuple(scan.behaviours), tuple(scan.anti_patterns)))
    state = track_stages(turns, analyses, scans, engine.scanner)
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
