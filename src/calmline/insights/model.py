"""The plain values insights passes around: a thread, a bad row, and the import tally.

Threads travel to worker processes and Dask workers, so they are small frozen tuples of builtins
(cheap to pickle) rather than pydantic models.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Role = Literal["customer", "agent"]


@dataclass(frozen=True, slots=True)
class Msg:
    """One message of a thread; `author` is the agent's (or customer's) id where known."""

    role: Role
    text: str
    time: datetime | None = None
    author: str | None = None
    # an agent reply the coach blocked that went out anyway: "sent_over_guard" (with a reason)
    # or "sent_while_blocked" (reported by a helpdesk); only the case store knows
    guard: str | None = None


@dataclass(frozen=True, slots=True)
class Overdue:
    """A follow-up promise still open past its due time: whose it is, and by how many whole days
    (0: less than a day) it was late when the case store was read."""

    owner: str
    days: int


@dataclass(frozen=True, slots=True)
class Thread:
    """One conversation, its messages in order. `key` is unique and sortable within a run.

    `customer` is the customer's id where the input has one (the "do they come back" figure
    follows customers across conversations); None where it has not.
    `outcome` is what the case store recorded ("open" while the case is open, else the outcome it
    was closed with); None where the input records none (an export: the stage tracker reads one).
    `overdue` lists the case's overdue follow-up promises (only the case store has them).
    """

    key: str
    messages: tuple[Msg, ...]
    customer: str | None = None
    outcome: str | None = None
    overdue: tuple[Overdue, ...] = ()


@dataclass(frozen=True, slots=True)
class BadRow:
    """A row (or line) that could not be used: where it was, and why. Never dropped silently."""

    source: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.reason}"


@dataclass(slots=True)
class ImportTally:
    """What the importers read: rows, threads, and the bad rows (first `keep` kept in full)."""

    rows: int = 0
    threads: int = 0
    messages: int = 0
    bad: int = 0
    bad_examples: list[BadRow] = field(default_factory=list)
    keep: int = 50

    def reject(self, source: str, line: int, reason: str) -> None:
        self.bad += 1
        if len(self.bad_examples) < self.keep:
            self.bad_examples.append(BadRow(source, line, reason))

    def to_dict(self) -> dict[str, object]:
        return {"rows": self.rows, "threads": self.threads, "messages": self.messages,
                "bad_rows": self.bad,
                "bad_examples": [{"source": b.source, "line": b.line, "reason": b.reason}
                                 for b in self.bad_examples]}
