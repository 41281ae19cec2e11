"""Group rows into threads on disk, so memory stays bounded whatever the input size.

CSV exports and the Twitter layout do not keep a conversation's rows together. Rows go into a
temporary SQLite file (inserted in batches); threads come back out ordered by key, then time,
then file order, one at a time. Memory holds one batch of rows and one thread. A row may carry
the customer's id (CSV's optional customer column); a thread takes the first one in its order.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from calmline.insights.model import Msg, Role, Thread

_BATCH = 5_000


def iso(time: datetime | None) -> str:
    """A sortable UTC text form of `time` ('' when unknown, which sorts first)."""
    if time is None:
        return ""
    if time.tzinfo is None:
        time = time.replace(tzinfo=UTC)
    return time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def from_iso(text: str) -> datetime | None:
    return datetime.fromisoformat(text).replace(tzinfo=UTC) if text else None


class Spool:
    """A temporary on-disk table of messages keyed by thread; use as a context manager."""

    def __init__(self, directory: str | Path | None = None) -> None:
        handle, self.path = tempfile.mkstemp(prefix="calmline-spool-", suffix=".db", dir=directory)
        os.close(handle)
        self.db = sqlite3.connect(self.path)
        self.db.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-65536;"
            "CREATE TABLE msgs (k TEXT, t TEXT, seq INTEGER, role TEXT, text TEXT, author TEXT, cust TEXT);")
        self._pending: list[tuple[str, str, int, str, str, str | None, str | None]] = []
        self._seq = 0

    def add(self, key: str, msg: Msg, customer: str | None = None) -> None:
        self._seq += 1
        self._pending.append((key, iso(msg.time), self._seq, msg.role, msg.text, msg.author, customer))
        if len(self._pending) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            self.db.executemany("INSERT INTO msgs VALUES (?, ?, ?, ?, ?, ?, ?)", self._pending)
            self.db.commit()
            self._pending = []

    def threads(self, key_sql: str = "k", join: str = "") -> Iterator[Thread]:
        """Threads in key order. `key_sql`/`join` let the Twitter importer group by root tweet."""
        self.flush()
        query = (f"SELECT {key_sql} AS g, t, role, text, author, cust FROM msgs {join} "
                 f"ORDER BY g, t, seq")
        key: str | None = None
        customer: str | None = None
        messages: list[Msg] = []
        for group, t, role, text, author, cust in self.db.execute(query):
            group = str(group)
            if group != key:
                if key is not None:
                    yield Thread(key, tuple(messages), customer)
                key, messages, customer = group, [], None
            messages.append(Msg(_role(role), text, from_iso(t), author))
            customer = customer or cust
        if key is not None:
            yield Thread(key, tuple(messages), customer)

    def close(self) -> None:
        self.db.close()
        Path(self.path).unlink(missing_ok=True)

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _role(value: str) -> Role:
    return "agent" if value == "agent" else "customer"
