"""The one adapter between the service and the engine (calmline.engine.core.Engine).

Everything the service needs from reading and coaching goes through here: the stage and next
move of a conversation, suggested replies, a review of a draft, the promises in a sent agent
message. There is no lock: the engine is safe to share between request threads, and its caches
compute outside their own short locks, so one slow conversation never makes another wait.

Posting a message re-reads the conversation's recent turns (the stage machine needs them). The
engine remembers the turns each case (`key`, the conversation id) had last time, so only the new
turn is analysed, also when the window of recent turns has slid on. Every call takes a `Budget`:
the work stops between turns once the request's time is spent or its client has gone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from calmline.cases.followups import Promise
from calmline.engine.analysis import Analysis
from calmline.engine.analyzer import HistoryItem, as_turn
from calmline.engine.budget import Budget
from calmline.engine.core import Engine
from calmline.engine.moment import describe
from calmline.engine.recommend import move_for_moment
from calmline.engine.slots import build_slots

WINDOW = 30  # the most recent turns the coach reads: enough for the stage, bounded in cost


@dataclass(frozen=True, slots=True)
class Assessment:
    """Where the conversation stands for the next reply, and the analysis of its last turn."""

    stage: str | None = None
    outcome: str | None = None
    moment: str | None = None
    next_move: str | None = None
    suggestions: list[dict[str, Any]] = field(default_factory=list)
    latest: Analysis | None = None


def analyze(engine: Engine, text: str, history: Sequence[HistoryItem],
            time: datetime | None = None) -> Analysis:
    return engine.analyze(text, history, time)


def assess(engine: Engine, turns: Sequence[HistoryItem], *, with_suggestions: bool = True,
           key: int | None = None, budget: Budget | None = None, name: str | None = None
           ) -> Assessment:
    """Stage, moment, next move, (optionally) two or three suggested replies, and the analysis of
    the last turn in the context of the others (the last WINDOW turns). Suggestions answer the
    customer: none when the agent wrote last (their reply has not been answered yet), for a posted
    message and for `assist` alike. `key` (the case id) lets the engine re-use what it read of
    this case before. `name`: the customer's, for the replies to call them by (the stored turns
    carry no author)."""
    read = tuple(as_turn(t) for t in turns[-WINDOW:])
    if not read:
        return Assessment()
    moment = engine.moment(read, case=key, budget=budget, name=name)
    latest = moment.analyses[-1]
    info = describe(moment)
    move = (None if moment.state.stage == "closed"  # a closed case shows its outcome instead
            else move_for_moment(engine.coach, moment.kind, build_slots(moment, engine.coach)))
    answering = with_suggestions and read[-1].role == "customer"
    found = engine.suggest(read, case=key, budget=budget, name=name) if answering else []
    return Assessment(info["stage"], info["outcome"], info["moment"], move,
                      [{"text": s.text, "source": s.source, "score": s.score,
                        "placeholders": list(s.placeholders), "next_move": s.review.next_move}
                       for s in found], latest)


def review(engine: Engine, draft: str, turns: Sequence[HistoryItem], *,
           key: int | None = None, budget: Budget | None = None) -> dict[str, Any]:
    """The coach's review of `draft` as the next reply to the last WINDOW of `turns`."""
    read = tuple(as_turn(t) for t in turns[-WINDOW:])
    return engine.review(draft, read, case=key, budget=budget).to_dict()


def promises(engine: Engine, text: str, now: datetime | None = None) -> list[Promise]:
    """The commitments in a sent agent message, each with its resolved deadline (if any)."""
    return [Promise(c.what, c.due, c.due_text, c.evidence.text)
            for c in engine.promises(text, now)]


def warm_up(engine: Engine) -> None:
    """Load everything the engine loads on first use (coach, templates, commitment rules), so the
    server's first requests are not the slow ones."""
    turns: list[HistoryItem] = [
        {"role": "customer", "text": "My order 48213 is late and nobody called me back!"},
        {"role": "agent", "text": "I'm sorry about that. I will call you back tomorrow at 10am."}]
    assess(engine, turns[:1])  # the customer wrote last: suggestions too
    assess(engine, turns)
    review(engine, "Thanks for your patience, let me check that for you.", turns)
    promises(engine, "I will email you the label by Friday.")
