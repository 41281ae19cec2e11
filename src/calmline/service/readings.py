"""The readings stored with a case's recent messages, handed to the engine only if it asks.

The engine remembers what it read of each case, but only in its own process: after a restart, or
when another worker took the case's last messages, it would read every turn of the window again
(30 turns of long emails cost seconds). Every customer message was read once, at intake, and that
reading was stored with it; this gives the engine those readings instead. Nothing is fetched while
the engine's memory serves: the stored analyses (large JSON) are read in one query the first time
the engine asks for one, from that message on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from calmline.cases import conversations
from calmline.engine.analysis import Analysis


def stored_reading(data: dict[str, Any] | None) -> Analysis | None:
    """The analysis a message was stored with; None when it has none or it cannot be read
    (written by an older calmline): then the engine reads the message again."""
    try:
        return Analysis.from_dict(data) if data else None
    except (KeyError, TypeError, ValueError):
        return None


class StoredReadings:
    """The stored readings of some of a case's messages (in the window's order), each fetched at
    most once. The engine asks in order, from the first turn it has not read itself: the first
    ask fetches that message's reading and those of the messages after it, in one query, and
    nothing before it (a warm engine that missed only the other worker's last message decodes
    one reading, not the window's)."""

    def __init__(self, sessions: Callable[[], Session], message_ids: Sequence[int]) -> None:
        self._sessions = sessions
        self._ids = tuple(message_ids)
        self._found: dict[int, dict[str, Any]] = {}
        self._fetched: set[int] = set()

    def reading(self, message_id: int) -> Analysis | None:
        """The analysis stored with this message (see `stored_reading`)."""
        if message_id not in self._fetched:
            start = self._ids.index(message_id) if message_id in self._ids else len(self._ids)
            wanted = [i for i in (message_id, *self._ids[start + 1:]) if i not in self._fetched]
            with self._sessions() as session:
                self._found.update(conversations.stored_analyses(session, message_ids=wanted))
            self._fetched.update(wanted)
        return stored_reading(self._found.get(message_id))


def with_stored_readings(sessions: Callable[[], Session], turns: list[dict[str, Any]]
                         ) -> list[dict[str, Any]]:
    """`turns` (from `conversations.recent_turns`), each customer turn able to hand the engine
    its stored reading."""
    readings = StoredReadings(sessions, [t["id"] for t in turns if t["role"] == "customer"])
    return [{**t, "stored": partial(readings.reading, t["id"])} if t["role"] == "customer" else t
            for t in turns]
