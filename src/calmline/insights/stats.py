"""The mergeable tally one chunk of threads produces, and that chunks merge into.

Every figure is an integer count or an integer sum (anger in 1/10,000ths: the analyzer rounds
scores to 4 decimals, so this is exact), and the example pools keep the top k under a total order.
`merge` is therefore associative and commutative, so any engine, in any order, over any chunking,
gets exactly the same result — which the Dask test checks.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields
from typing import Any

SCALE = 10_000  # anger scores are stored as int(score * SCALE)
TOP_K = 5


@dataclass(frozen=True, slots=True)
class Exchange:
    """A customer message, the agent's reply and the customer's next message (redacted)."""

    key: str
    index: int
    agent: str
    customer: str
    reply: str
    next: str
    anger_before: int
    anger_after: int
    behaviours: tuple[str, ...]
    anti_patterns: tuple[str, ...]

    @property
    def score(self) -> int:
        """How much calmer the next message was (before − after anger; negative: angrier)."""
        return self.anger_before - self.anger_after

    def to_dict(self) -> dict[str, Any]:
        return {"anger_drop": self.score / SCALE, "conversation": self.key, "turn": self.index,
                "agent": self.agent, "customer": self.customer, "reply": self.reply, "next": self.next,
                "anger_before": self.anger_before / SCALE, "anger_after": self.anger_after / SCALE,
                "behaviours": list(self.behaviours), "anti_patterns": list(self.anti_patterns)}


def top_calmed(items: list[Exchange]) -> list[Exchange]:
    """The k exchanges whose customer calmed most (ties: conversation, then turn)."""
    return sorted(items, key=lambda e: (-e.score, e.key, e.index))[:TOP_K]


def top_angered(items: list[Exchange]) -> list[Exchange]:
    """The k exchanges whose customer grew angrier most."""
    return sorted(items, key=lambda e: (e.score, e.key, e.index))[:TOP_K]


def _pool_merge(mine: dict[str, list[Exchange]], theirs: dict[str, list[Exchange]],
                top: Any) -> dict[str, list[Exchange]]:
    return {label: top(mine.get(label, []) + theirs.get(label, [])) for label in {*mine, *theirs}}


@dataclass(slots=True)
class Stats:
    """Counters keyed by plain values; see collect.py for what each one counts."""

    totals: Counter[str] = field(default_factory=Counter)
    levels: Counter[str] = field(default_factory=Counter)
    trig_msgs: Counter[str] = field(default_factory=Counter)
    trig_anger: Counter[str] = field(default_factory=Counter)
    trig_threads: Counter[str] = field(default_factory=Counter)
    trig_days: Counter[tuple[str, int]] = field(default_factory=Counter)
    days: Counter[int] = field(default_factory=Counter)
    trajectory: Counter[str] = field(default_factory=Counter)
    calm_turns: Counter[int] = field(default_factory=Counter)
    calm_secs: Counter[int] = field(default_factory=Counter)
    outcome: Counter[str] = field(default_factory=Counter)
    replies: Counter[str] = field(default_factory=Counter)
    reply_labels: Counter[tuple[str, str]] = field(default_factory=Counter)
    effects: Counter[tuple[str, str, str, str]] = field(default_factory=Counter)  # see effects.py
    agent: Counter[tuple[str, str]] = field(default_factory=Counter)
    agent_minutes: Counter[tuple[str, int]] = field(default_factory=Counter)
    visits: Counter[tuple[str, int, int, str]] = field(default_factory=Counter)  # see returns.py
    overdue: Counter[tuple[str, int]] = field(default_factory=Counter)  # (owner, days late)
    guard: Counter[tuple[str, str]] = field(default_factory=Counter)  # (agent, how a blocked reply went)
    # training candidates, per label: calmed after a reply with that behaviour and no anti-pattern;
    # angered after a reply with that anti-pattern (see training.py)
    calmed: dict[str, list[Exchange]] = field(default_factory=dict)
    angered: dict[str, list[Exchange]] = field(default_factory=dict)

    def merge(self, other: Stats) -> Stats:
        """Add `other` into this tally (in place) and return it."""
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if isinstance(mine, Counter):
                mine.update(theirs)
        self.calmed = _pool_merge(self.calmed, other.calmed, top_calmed)
        self.angered = _pool_merge(self.angered, other.angered, top_angered)
        return self

    def offer(self, exchange: Exchange) -> None:
        """Keep `exchange` as a training candidate where it is among the top k of a pool: under
        each behaviour when anger fell after a reply with no anti-pattern; under each anti-pattern
        when anger rose. The two never share an exchange."""
        if exchange.anti_patterns and exchange.score < 0:
            for label in exchange.anti_patterns:
                self.angered[label] = top_angered([*self.angered.get(label, []), exchange])
        elif not exchange.anti_patterns and exchange.score > 0:
            for label in exchange.behaviours:
                self.calmed[label] = top_calmed([*self.calmed.get(label, []), exchange])


def merge_all(parts: list[Stats]) -> Stats:
    total = Stats()
    for part in parts:
        total.merge(part)
    return total
