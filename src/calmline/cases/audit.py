"""The append-only audit log: every state change of a case is one row, written in its transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from calmline.cases.db import insert_row, table_of
from calmline.cases.models import AuditEntry, utcnow


def record(session: Session, *, actor_id: int | None, entity: str, entity_id: int, action: str,
           detail: dict[str, Any] | None = None) -> AuditEntry:
    entry = AuditEntry(actor_id=actor_id, entity=entity, entity_id=entity_id, action=action,
                       detail=detail)
    session.add(entry)
    return entry


def record_now(session: Session, *, actor_id: int | None, entity: str, entity_id: int,
               action: str, detail: dict[str, Any] | None = None) -> None:
    """`record` as one INSERT issued now (no ORM object), for the message hot path."""
    insert_row(session, table_of(AuditEntry), {
        "time": utcnow(), "actor_id": actor_id, "entity": entity, "entity_id": entity_id,
        "action": action, "detail": detail})


def history(session: Session, *, entity: str | None = None, entity_id: int | None = None,
            after: int = 0, limit: int = 500) -> Sequence[AuditEntry]:
    """Entries in the order they were written (ids only grow), from the one after `after`."""
    query = select(AuditEntry).where(AuditEntry.id > after).order_by(AuditEntry.id)
    if entity is not None:
        query = query.where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    return session.scalars(query.limit(limit)).all()
