"""The idempotency store: the answer to each keyed create request, per user, for a limited time.

A record is written by `remember` in the same transaction as the thing the request created, so
the two commit together or not at all. `recall` finds a live record (expired ones count as
absent). Two requests with one key racing each other both pass `recall`; the second one's insert
then hits `uq_idempotency_key` and its whole transaction (the thing it created included) rolls
back and retries, and on the retry `recall` finds the first one's answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from calmline.cases.db import insert_row, table_of
from calmline.cases.models import IdempotencyRecord, utcnow

_RECORDS = table_of(IdempotencyRecord)


@dataclass(frozen=True, slots=True)
class Answer:
    """A stored answer: the request's fingerprint, HTTP status and JSON body."""

    fingerprint: str
    status: int
    body: Any


def recall(session: Session, *, agent_id: int, key: str, now: datetime | None = None
           ) -> Answer | None:
    """The live answer recorded under `key` for this user, if any."""
    row = session.execute(
        select(_RECORDS.c.fingerprint, _RECORDS.c.status, _RECORDS.c.response)
        .where(_RECORDS.c.agent_id == agent_id, _RECORDS.c.key == key,
               _RECORDS.c.expires_at >= (now or utcnow()))).one_or_none()
    return None if row is None else Answer(row[0], row[1], row[2])


def remember(session: Session, *, agent_id: int, key: str, answer: Answer, ttl: timedelta,
             now: datetime | None = None) -> None:
    """Record `answer` under `key` in the session's transaction; this user's expired records go
    (so an expired key can be used again, and the table holds about one `ttl` of requests)."""
    now = now or utcnow()
    session.execute(delete(_RECORDS).where(_RECORDS.c.agent_id == agent_id,
                                           _RECORDS.c.expires_at < now))
    insert_row(session, _RECORDS, {
        "agent_id": agent_id, "key": key, "fingerprint": answer.fingerprint,
        "status": answer.status, "response": answer.body, "created_at": now,
        "expires_at": now + ttl})
