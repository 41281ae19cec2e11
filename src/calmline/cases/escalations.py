"""Escalations (PLAYBOOK §2): automatic from the analyzer's reasons, or raised by hand.

Each is a recorded event with who (null = the analyzer), when, why, the route and its status
(open → acknowledged → resolved). An open escalation of the same conversation, route and trigger
is not duplicated: the customer repeating a threat does not page the legal team twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from calmline.cases import audit
from calmline.cases.conversations import get_conversation
from calmline.cases.errors import ConflictError, NotFoundError
from calmline.cases.models import Escalation, utcnow

Status = Literal["open", "acknowledged", "resolved"]


@dataclass(frozen=True, slots=True)
class Reason:
    """Why to escalate: the analyzer's EscalationReason, or an agent's button press."""

    route: str
    trigger: str
    reason: str
    evidence: dict[str, Any] | None = None


def raise_escalation(session: Session, *, conversation_id: int, reason: Reason,
                     message_id: int | None = None, actor_id: int | None = None) -> Escalation | None:
    """Open an escalation, unless the same one is already open (then None)."""
    duplicate = session.scalar(select(Escalation.id).where(
        Escalation.conversation_id == conversation_id, Escalation.route == reason.route,
        Escalation.trigger == reason.trigger, Escalation.status != "resolved").limit(1))
    if duplicate is not None:
        return None
    escalation = Escalation(conversation_id=conversation_id, message_id=message_id,
                            route=reason.route, trigger=reason.trigger, reason=reason.reason,
                            evidence=reason.evidence, status="open", raised_by=actor_id)
    session.add(escalation)
    session.flush()
    conversation = get_conversation(session, conversation_id=conversation_id)
    conversation.escalated = True
    audit.record(session, actor_id=actor_id, entity="escalation", entity_id=escalation.id,
                 action="opened", detail={"conversation_id": conversation_id, "route": reason.route,
                                          "trigger": reason.trigger, "auto": actor_id is None})
    return escalation


def get_escalation(session: Session, *, escalation_id: int) -> Escalation:
    escalation = session.get(Escalation, escalation_id)
    if escalation is None:
        raise NotFoundError(f"no escalation with id {escalation_id}")
    return escalation


def list_escalations(session: Session, *, status: Status | None = None,
                     conversation_id: int | None = None, route: str | None = None,
                     agent_id: int | None = None, limit: int = 100) -> Sequence[Escalation]:
    query = select(Escalation).order_by(Escalation.created_at.desc(), Escalation.id.desc())
    if status is not None:
        query = query.where(Escalation.status == status)
    if conversation_id is not None:
        query = query.where(Escalation.conversation_id == conversation_id)
    if route is not None:
        query = query.where(Escalation.route == route)
    if agent_id is not None:
        from calmline.cases.models import Conversation

        query = query.join(Conversation, Conversation.id == Escalation.conversation_id).where(
            Conversation.agent_id == agent_id)
    return session.scalars(query.limit(limit)).all()


def acknowledge(session: Session, *, escalation_id: int, actor_id: int) -> Escalation:
    escalation = get_escalation(session, escalation_id=escalation_id)
    if escalation.status != "open":
        raise ConflictError(f"escalation {escalation_id} is {escalation.status}, not open")
    escalation.status = "acknowledged"
    escalation.acknowledged_by, escalation.acknowledged_at = actor_id, utcnow()
    audit.record(session, actor_id=actor_id, entity="escalation", entity_id=escalation_id,
                 action="acknowledged")
    return escalation


def resolve(session: Session, *, escalation_id: int, actor_id: int, resolution: str) -> Escalation:
    escalation = get_escalation(session, escalation_id=escalation_id)
    if escalation.status == "resolved":
        raise ConflictError(f"escalation {escalation_id} is already resolved")
    now = utcnow()
    if escalation.acknowledged_at is None:
        escalation.acknowledged_by, escalation.acknowledged_at = actor_id, now
    escalation.status = "resolved"
    escalation.resolved_by, escalation.resolved_at, escalation.resolution = actor_id, now, resolution
    audit.record(session, actor_id=actor_id, entity="escalation", entity_id=escalation_id,
                 action="resolved", detail={"resolution": resolution})
    return escalation
