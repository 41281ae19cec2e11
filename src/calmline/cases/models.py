"""The case store's tables (SQLAlchemy 2, typed). API schemas live in calmline.service.schemas.

Times are stored timezone-aware (UTC). Each conversation's messages carry a `seq` assigned inside
the writing transaction; `uq_message_seq` makes a lost race fail loudly so the writer retries.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from calmline.cases import limits


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite drops the zone; this puts it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, datetime: UTCDateTime()}


class Agent(Base):
    """A user of the service: an agent, a supervisor or an admin. Only the key's hash is kept."""

    __tablename__ = "agents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(limits.NAME), unique=True)
    role: Mapped[str] = mapped_column(String(limits.KEYWORD))
    key_hash: Mapped[str] = mapped_column(String(limits.KEY_HASH), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Customer(Base):
    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(limits.EXTERNAL_ID), unique=True)
    name: Mapped[str | None] = mapped_column(String(limits.NAME))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Conversation(Base):
    """A case: one customer, one owning agent, its messages and everything that followed."""

    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conv_status_agent", "status", "agent_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(limits.EXTERNAL_ID), unique=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    channel: Mapped[str] = mapped_column(String(limits.KEYWORD), default="chat")
    subject: Mapped[str | None] = mapped_column(String(limits.SUBJECT))
    status: Mapped[str] = mapped_column(String(limits.KEYWORD), default="open")  # open | closed
    stage: Mapped[str] = mapped_column(String(limits.STAGE), default="venting")
    # the case's anger (engine.case_reading): the peak carried forward and fading, not the last
    # message's; it ranks the queue. `reading` is the whole CaseReading.to_dict() (null on cases
    # stored before it existed, rebuilt from their messages on the next one).
    anger_score: Mapped[float] = mapped_column(Float, default=0.0)
    anger_level: Mapped[str] = mapped_column(String(limits.KEYWORD), default="calm")
    peak_anger: Mapped[float] = mapped_column(Float, default=0.0)
    reading: Mapped[dict[str, Any] | None] = mapped_column()
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str | None] = mapped_column(String(limits.STAGE))
    close_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column()

    customer: Mapped[Customer | None] = relationship(lazy="joined")
    agent: Mapped[Agent | None] = relationship(lazy="joined")


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("conversation_id", "seq", name="uq_message_seq"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(limits.KEYWORD))  # customer | agent
    channel: Mapped[str] = mapped_column(String(limits.KEYWORD), default="chat")
    author: Mapped[str | None] = mapped_column(String(limits.NAME))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    time: Mapped[datetime] = mapped_column(default=utcnow)
    text: Mapped[str] = mapped_column(Text)
    anger_score: Mapped[float | None] = mapped_column(Float)
    analysis: Mapped[dict[str, Any] | None] = mapped_column()
    stage: Mapped[str | None] = mapped_column(String(limits.STAGE))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DraftReview(Base):
    """A review of a draft the coach gave (kept when the draft was reviewed against a case)."""

    __tablename__ = "reviews"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    draft: Mapped[str] = mapped_column(Text)
    score: Mapped[int] = mapped_column(Integer)
    result: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Escalation(Base):
    """Who raised it (null = the analyzer), when, why, to which route, and where it stands."""

    __tablename__ = "escalations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    route: Mapped[str] = mapped_column(String(limits.ROUTE))
    trigger: Mapped[str] = mapped_column(String(limits.ROUTE))
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any] | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(limits.KEYWORD), default="open", index=True)
    raised_by: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column()
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    resolved_at: Mapped[datetime | None] = mapped_column()
    resolution: Mapped[str | None] = mapped_column(Text)

    @property
    def triggers(self) -> list[str]:
        """Every trigger behind this escalation: one message can give a route several reasons
        (abuse and a manager request both go to a supervisor); `trigger` is the first of them."""
        listed = (self.evidence or {}).get("triggers")
        if isinstance(listed, list):
            names = [str(t["trigger"]) for t in listed if isinstance(t, dict) and t.get("trigger")]
            if names:
                return names
        return [self.trigger]


class FollowUp(Base):
    """A promise to keep: what, by when, whose; it closes only with a recorded result."""

    __tablename__ = "followups"
    __table_args__ = (Index("ix_followup_status_due", "status", "due"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    what: Mapped[str] = mapped_column(Text)
    due: Mapped[datetime | None] = mapped_column()
    due_text: Mapped[str | None] = mapped_column(String(limits.DUE_TEXT))
    evidence: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(limits.KEYWORD), default="manual")  # commitment | manual
    status: Mapped[str] = mapped_column(String(limits.KEYWORD), default="open")  # open | done | cancelled
    result: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column()
    completed_by: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))


class StressEvent(Base):
    """Hostility one agent received in one message; the load decays from `time` on."""

    __tablename__ = "stress_events"
    __table_args__ = (Index("ix_stress_agent_time", "agent_id", "time"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"))
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    time: Mapped[datetime] = mapped_column(default=utcnow)
    hostility: Mapped[float] = mapped_column(Float)
    abuse: Mapped[bool] = mapped_column(Boolean, default=False)


class AuditEntry(Base):
    """Append-only: one row per state change; nothing in calmline updates or deletes these."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    time: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    entity: Mapped[str] = mapped_column(String(limits.ENTITY))
    entity_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(limits.ACTION))
    detail: Mapped[dict[str, Any] | None] = mapped_column()


class Correction(Base):
    """A person's verdict that calmline read a customer message wrong (issue 9.5).

    `kind` says what was wrong (the level, or a flag, want or cause missed or wrongly given) and
    `label` the level it should have been or the label concerned. One person marks the same thing
    on the same message once (`uq_correction`); `calmline train --from-corrections` turns the rows
    into playbook examples.
    """

    __tablename__ = "corrections"
    __table_args__ = (UniqueConstraint("message_id", "kind", "label", "created_by",
                                       name="uq_correction"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(limits.KEYWORD))
    label: Mapped[str] = mapped_column(String(limits.LABEL))
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdempotencyRecord(Base):
    """A create request already answered: a retry with the same key (per user) gets this answer.

    Written in the transaction that created the thing, so either both the thing and its record
    exist or neither does: a crash between commit and response cannot turn a retry into a
    duplicate. `fingerprint` (SHA-256 of the method, path, query and body) tells a true retry from
    a key re-used for another request. Rows past `expires_at` are ignored and purged.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("agent_id", "key", name="uq_idempotency_key"),
                      Index("ix_idempotency_expiry", "agent_id", "expires_at"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any] | list[Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()


class Whisper(Base):
    """A note from a supervisor to the case's agent (or back): never a message of the case, so the
    customer record, its analysis, summaries and insights never see it."""

    __tablename__ = "whispers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
