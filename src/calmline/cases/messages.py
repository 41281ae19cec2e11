"""Appending a message to a conversation: the per-conversation `seq` is assigned here.

One `UPDATE conversations ... RETURNING` claims the next seq (message_count + 1), refreshes the
case's aggregates and locks the case's row until the transaction ends, so on PostgreSQL writers to
one conversation queue on that row and on SQLite on the database lock. The unique constraint
(conversation_id, seq) is the backstop that turns any other race into a retry
(`db.write_with_retry`), never into a lost or duplicated message. This is the hot path of the
service: it is written in SQLAlchemy Core, three statements and no ORM unit of work. The claim
also returns the case's stored reading, which the message then advances (`reading.record_turn`),
so that needs no read of its own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, Integer, String, bindparam, case, func, select, update
from sqlalchemy.orm import Session

from calmline.cases.db import insert_row, table_of
from calmline.cases.errors import ConflictError, NotFoundError
from calmline.cases.models import Conversation, Message, UTCDateTime, utcnow

CASES = table_of(Conversation)
MESSAGES = table_of(Message)
_ANGER = bindparam("new_anger", type_=Float())
# prebuilt, the values as parameters (a statement built per call costs more than running it);
# a None parameter leaves that aggregate as it was
_CLAIM = (update(CASES)
          .where(CASES.c.id == bindparam("case_id", type_=Integer()), CASES.c.status == "open")
          .values(message_count=CASES.c.message_count + 1,
                  updated_at=bindparam("now", type_=UTCDateTime()),
                  stage=func.coalesce(bindparam("new_stage", type_=String()), CASES.c.stage),
                  anger_score=func.coalesce(_ANGER, CASES.c.anger_score),
                  peak_anger=case((_ANGER > CASES.c.peak_anger, _ANGER), else_=CASES.c.peak_anger),
                  anger_level=func.coalesce(bindparam("new_level", type_=String()),
                                            CASES.c.anger_level)))
_WANTED = (CASES.c.message_count, CASES.c.agent_id, CASES.c.channel, CASES.c.reading)
_CLAIM_RETURNING = _CLAIM.returning(*_WANTED)
_READ_BACK = select(*_WANTED).where(CASES.c.id == bindparam("case_id", type_=Integer()))


def append_message(session: Session, *, conversation_id: int, role: str, text: str,
                   channel: str | None = None, author: str | None = None,
                   author_id: int | None = None, time: datetime | None = None,
                   analysis: dict[str, Any] | None = None, anger_score: float | None = None,
                   anger_level: str | None = None, stage: str | None = None
                   ) -> tuple[Message, int | None, Any]:
    """Store the message as the open conversation's next one and update the case's aggregates.
    Returns the message (detached, with its id), the case's owner and the case's stored reading
    (as `conversations.reading` holds it, read under the claim's lock). NotFoundError for an
    unknown case, ConflictError for a closed one."""
    now = utcnow()
    params = {"case_id": conversation_id, "now": now, "new_stage": stage or None,
              "new_anger": anger_score, "new_level": anger_level}
    connection = session.connection()  # Core statements, straight on the transaction's connection
    if connection.dialect.update_returning:
        row = connection.execute(_CLAIM_RETURNING, params).one_or_none()
    else:  # SQLite before 3.35: the update holds the lock, the read sees our own write
        done = connection.execute(_CLAIM, params)
        row = connection.execute(_READ_BACK, params).one_or_none() if done.rowcount else None
    if row is None:
        status = connection.scalar(select(CASES.c.status).where(CASES.c.id == conversation_id))
        if status is None:
            raise NotFoundError(f"no conversation with id {conversation_id}")
        raise ConflictError(f"conversation {conversation_id} is {status}")
    seq, owner, case_channel, reading = row
    fields: dict[str, Any] = {
        "conversation_id": conversation_id, "seq": seq, "role": role, "text": text,
        "channel": channel or case_channel, "author": author, "author_id": author_id,
        "time": time or now, "analysis": analysis, "anger_score": anger_score, "stage": stage,
        "created_at": now}
    message_id = insert_row(session, MESSAGES, fields)
    return Message(id=message_id, **fields), owner, reading
