"""The "Customer Support on Twitter" layout: one tweet per row, threads rebuilt from reply links.

Columns: tweet_id, author_id, inbound (True = the customer), created_at, text,
response_tweet_id, in_response_to_tweet_id. Every tweet joins the thread of the tweet it answers;
a thread's key is its root tweet (the first tweet, answering nothing in the file). Roots are found
on disk by pointer jumping in SQLite, so memory stays bounded. A thread's customer is the
author_id of its first inbound tweet (the customer who opened it, in the usual layout).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path

from calmline.errors import InputError
from calmline.insights.model import ImportTally, Msg, Thread
from calmline.insights.sources import delimiter, open_text
from calmline.insights.spool import Spool
from calmline.insights.timeparse import parse_time

TWCS_COLUMNS = ("tweet_id", "author_id", "inbound", "created_at", "text", "in_response_to_tweet_id")
_MAX_JUMPS = 64  # 2**64 hops: any real reply chain; a cycle stops here instead of looping


def _tweet_id(text: str | None, what: str) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return int(float(text)) if "." in text or "e" in text.lower() else int(text)
    except ValueError:
        raise ValueError(f"{what} {text[:30]!r} is not a tweet id") from None


def _row(row: Mapping[str, str | None]) -> tuple[int, int | None, Msg]:
    tweet = _tweet_id(row.get("tweet_id"), "tweet_id")
    if tweet is None:
        raise ValueError("empty tweet_id")
    inbound = (row.get("inbound") or "").strip().lower()
    if inbound not in ("true", "false", "1", "0"):
        raise ValueError(f"inbound {inbound[:10]!r} is not True/False")
    text = (row.get("text") or "").strip()
    if not text:
        raise ValueError("empty text")
    msg = Msg("customer" if inbound in ("true", "1") else "agent", text,
              parse_time(row.get("created_at") or ""), (row.get("author_id") or "").strip() or None)
    return tweet, _tweet_id(row.get("in_response_to_tweet_id"), "in_response_to_tweet_id"), msg


def _load(path: Path, spool: Spool, tally: ImportTally) -> None:
    spool.db.executescript("CREATE TABLE raw (id INTEGER, parent INTEGER, line INTEGER);"
                           "CREATE TABLE links (id INTEGER PRIMARY KEY, parent INTEGER, root INTEGER);")
    with open_text(path) as handle:
        reader = csv.DictReader(handle, delimiter=delimiter(path))
        missing = set(TWCS_COLUMNS) - {h.strip() for h in reader.fieldnames or []}
        if missing:
            raise InputError(f"{path}: not the Twitter layout, missing {', '.join(sorted(missing))}")
        start, batch = reader.line_num + 1, []
        for row in reader:
            tally.rows += 1
            try:
                tweet, parent, msg = _row(row)
                batch.append((tweet, parent, start))
                spool.add(str(tweet), msg)
            except ValueError as exc:
                tally.reject(path.name, start, str(exc))
            start = reader.line_num + 1
            if len(batch) >= 5_000:
                spool.db.executemany("INSERT INTO raw VALUES (?, ?, ?)", batch)
                batch = []
        spool.db.executemany("INSERT INTO raw VALUES (?, ?, ?)", batch)
    _link(spool, path, tally)


def _link(spool: Spool, path: Path, tally: ImportTally) -> None:
    """Keep the first row of each tweet_id; every repeat is reported as a bad row."""
    spool.flush()
    db = spool.db
    db.execute("INSERT OR IGNORE INTO links SELECT id, parent, id FROM raw ORDER BY line")
    if db.execute("SELECT count(*) - count(DISTINCT id) FROM raw").fetchone()[0]:
        db.execute("CREATE INDEX raw_id ON raw(id)")
        repeats = db.execute("SELECT r.id, r.line FROM raw r WHERE r.line > "
                             "(SELECT min(line) FROM raw f WHERE f.id = r.id) ORDER BY r.line")
        for tweet, line in repeats.fetchall():
            tally.reject(path.name, line, f"duplicate tweet_id {tweet}")
        db.execute("DELETE FROM msgs WHERE rowid NOT IN (SELECT min(rowid) FROM msgs GROUP BY k)")
    db.execute("DROP TABLE raw")
    db.commit()


def _resolve_roots(spool: Spool) -> None:
    db = spool.db
    db.execute("UPDATE links SET root = parent WHERE parent IN (SELECT id FROM links)")
    for _ in range(_MAX_JUMPS):
        changed = db.execute(
            "UPDATE links SET root = (SELECT p.root FROM links p WHERE p.id = links.root) "
            "WHERE root != id AND EXISTS (SELECT 1 FROM links p WHERE p.id = links.root AND p.root != p.id)"
        ).rowcount
        if not changed:
            break
    db.commit()


def read_twcs(path: Path, tally: ImportTally) -> Iterator[Thread]:
    """Threads of a Twitter-layout CSV, each ordered by time then tweet order, keyed by root id."""
    with Spool() as spool:
        _load(path, spool, tally)
        _resolve_roots(spool)
        for thread in spool.threads(key_sql="printf('%020d', links.root)",
                                    join="JOIN links ON links.id = CAST(msgs.k AS INTEGER)"):
            customer = next((m.author for m in thread.messages if m.role == "customer"), None)
            yield replace(thread, customer=customer)
