"""Appending a message to a conversation: the per-conversation `seq` is assigned here.

One `UPDATE conversations ... RETURNING` claims the next seq (message_count + 1), refreshes the
case's aggregates and locks the case's row until the transaction ends, so on PostgreSQL writers to
one conversation queue on that row and on SQLite on the database lock. The unique constraint
(conversation_id, seq) is the backstop that turns any other race into a retry
(`db.write_with_retry`), never into a lost or duplicated message. This is the hot path of the
service: it is written in SQLAlchemy Core, three statements and no ORM unit of work.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from calmline.cases.db import insert_row, table_of
from calmline.cases.errors import ConflictError, NotFoundError
from calmline.cases.models import Conversation, Message, utcnow

CASES = table_of(Conversation)
MESSAGES = table_of(Message)


def append_message(session: Session, *, conversation_id: int, role: str, text: str,
                   channel: str | None = None, author: str | None = None,
                   author_id: int | None = None, time: datetime | None = None,
                   analysis: dict[str, Any] | None = None, anger_score: float | None = None,
                   anger_level: str | None = None, stage: str | None = None
                   ) -> tuple[Message, int | None]:
    """Store the message as the open conversation's next one and update the case's aggregates.
    Returns the message (detached, with its id) and the case's owner. NotFoundError for an unknown
    case, ConflictError for a closed one."""
    now = utcnow()
    values: dict[str, Any] = {"message_count": CASES.c.message_count + 1, "updated_at": now}
    if stage:
        values["stage"] = stage
    if anger_score is not None:
        values["anger_score"] = anger_score
        values["peak_anger"] = case((CASES.c.peak_anger < anger_score, anger_score),
                                    else_=CASES.c.peak_anger)
    if anger_level is not None:
        values["anger_level"] = anger_level
    claim = update(CASES).where(CASES.c.id == conversation_id, CASES.c.status == "open").values(values)
    wanted = (CASES.c.message_count, CASES.c.agent_id, CASES.c.channel)
    connection = session.connection()  # Core statements, straight on the transaction's connection
    if connection.dialect.update_returning:
        row = connection.execute(claim.returning(*wanted)).one_or_none()
    else:  # SQLite before 3.35: the update holds the lock, the read sees our own write
        done = connection.execute(claim)
        row = (connection.execute(select(*wanted).where(CASES.c.id == conversation_id)).one_or_none()
               if done.rowcount else None)
    if row is None:
        status = connection.scalar(select(CASES.c.status).where(CASES.c.id == conversation_id))
        if status is None:
            raise NotFoundError(f"no conversation with id {conversation_id}")
        raise ConflictError(f"conversation {conversation_id} is {status}")
    seq, owner, case_channel = row
    fields: dict[str, Any] = {
        "conversation_id": conversation_id, "seq": seq, "role": role, "text": text,
        "channel": channel or case_channel, "author": author, "author_id": author_id,
        "time": time or now, "analysis": analysis, "anger_score": anger_score, "stage": stage,
        "created_at": now}
    message_id = insert_row(session, MESSAGES, fields)
    return Message(id=message_id, **fields), owner
