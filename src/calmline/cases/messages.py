"""Appending a message to a conversation: the per-conversation `seq` is assigned here.

The caller holds the conversation row (`get_conversation(for_update=True)`), so on PostgreSQL
writers to one conversation queue on that lock and on SQLite on the database lock; the unique
constraint (conversation_id, seq) is the backstop that turns any other race into a retry
(`db.write_with_retry`), never into a lost or duplicated message.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from calmline.cases.models import Conversation, Message, utcnow


def add_message(session: Session, *, conversation: Conversation, role: str, text: str,
                channel: str | None = None, author: str | None = None, author_id: int | None = None,
                time: datetime | None = None, analysis: dict[str, Any] | None = None,
                anger_score: float | None = None, stage: str | None = None) -> Message:
    """Insert the message as the conversation's next one and update the case's aggregates."""
    # the caller holds the case's row, and message_count is kept equal to the last seq in the
    # same transactions, so it is the next seq without another query
    seq = (conversation.message_count or 0) + 1
    message = Message(conversation_id=conversation.id, seq=seq, role=role, text=text,
                      channel=channel or conversation.channel, author=author, author_id=author_id,
                      time=time or utcnow(), analysis=analysis, anger_score=anger_score, stage=stage)
    session.add(message)
    session.flush()  # the unique constraint fires here, inside the caller's transaction
    conversation.message_count = seq
    conversation.updated_at = utcnow()
    if stage:
        conversation.stage = stage
    if anger_score is not None:
        conversation.anger_score = anger_score
        conversation.peak_anger = max(conversation.peak_anger or 0.0, anger_score)
    return message
