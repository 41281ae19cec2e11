"""The mergeable tally one chunk of threads produces, and that chunks merge into.

Every figure is an integer count or an integer sum (anger in 1/10,000ths: the analyzer rounds
scores to 4 decimals, so this is exact), and the example lists keep the top k under a total order.
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

    score: int
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

    def to_dict(self) -> dict[str, Any]:
        return {"score": self.score, "conversation": self.key, "turn": self.index, "agent": self.agent,
                "customer": self.customer, "reply": self.reply, "next": self.next,
                "anger_before": self.anger_before / SCALE, "anger_after": self.anger_after / SCALE,
                "behaviours": list(self.behaviours), "anti_patterns": list(self.anti_patterns)}


def _best(items: list[Exchange]) -> list[Exchange]:
    return sorted(items, key=lambda e: (-e.score, e.key, e.index))[:TOP_K]


def _worst(items: list[Exchange]) -> list[Exchange]:
    return sorted(items, key=lambda e: (e.score, e.key, e.index))[:TOP_K]


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
    works: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    agent: Counter[tuple[str, str]] = field(default_factory=Counter)
    agent_minutes: Counter[tuple[str, int]] = field(default_factory=Counter)
    visits: Counter[tuple[str, int, int, str]] = field(default_factory=Counter)  # see returns.py
    best: list[Exchange] = field(default_factory=list)
    worst: list[Exchange] = field(default_factory=list)

    def merge(self, other: Stats) -> Stats:
        """Add `other` into this tally (in place) and return it."""
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if isinstance(mine, Counter):
                mine.update(theirs)
        self.best = _best(self.best + other.best)
        self.worst = _worst(self.worst + other.worst)
        return self

    def offer(self, exchange: Exchange) -> None:
        """Keep `exchange` if it is among the best or worst k seen so far."""
        self.best = _best([*self.best, exchange])
        self.worst = _worst([*self.worst, exchange])


def merge_all(parts: list[Stats]) -> Stats:
    total = Stats()
    for part in parts:
        total.merge(part)
    return total
