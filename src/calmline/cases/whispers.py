"""Whispers: a supervisor's note to the agent on a case, which the customer never sees.

A whisper is its own row, never a message: it does not enter the customer record, the case's
reading, its summary, the insights or anything sent to a helpdesk. The case's agent and the
supervisors read them; writing one is audited like every other change to a case.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from calmline.cases import audit
from calmline.cases.conversations import get_conversation
from calmline.cases.errors import ConflictError
from calmline.cases.models import Whisper


def add_whisper(session: Session, *, conversation_id: int, text: str, author_id: int) -> Whisper:
    """Store a whisper on an open case (a closed one has nobody left to read it: 409)."""
    case = get_conversation(session, conversation_id=conversation_id)
    if case.status == "closed":
        raise ConflictError(f"conversation {conversation_id} is closed")
    whisper = Whisper(conversation_id=conversation_id, text=text, author_id=author_id)
    session.add(whisper)
    session.flush()
    # the text stays out of the audit detail: the log records that a note was left, and where
    audit.record(session, actor_id=author_id, entity="conversation", entity_id=conversation_id,
                 action="whispered", detail={"whisper_id": whisper.id,
                                             "to_agent_id": case.agent_id})
    return whisper


def whispers_of(session: Session, *, conversation_id: int) -> Sequence[Whisper]:
    """The case's whispers, oldest first."""
    query = (select(Whisper).where(Whisper.conversation_id == conversation_id)
             .order_by(Whisper.created_at, Whisper.id))
    return session.scalars(query).all()
