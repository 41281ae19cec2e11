"""Follow-ups (PLAYBOOK §5): what the agent promised, by when, whose; closed only with a result."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from calmline.cases import audit
from calmline.cases.errors import ConflictError, NotFoundError
from calmline.cases.models import Conversation, FollowUp, utcnow

Filter = Literal["next", "open", "overdue", "due", "soon", "done", "cancelled"]
FILTERS: tuple[Filter, ...] = ("next", "open", "overdue", "due", "soon", "done", "cancelled")
NEXT_WINDOW = timedelta(hours=48)
"""`next`: what needs doing next: overdue, undated, or due within this (today's and tomorrow's
items whatever the viewer's time zone), so a promise due tomorrow is never "nothing here"."""


@dataclass(frozen=True, slots=True)
class Promise:
    """A commitment the coach found in a sent agent message (engine.commitments.Commitment)."""

    what: str
    due: datetime | None
    due_text: str | None
    evidence: str | None = None


def create_followup(session: Session, *, conversation_id: int, what: str, due: datetime | None,
                    owner_id: int | None, due_text: str | None = None, evidence: str | None = None,
                    source: str = "manual", message_id: int | None = None,
                    actor_id: int | None = None) -> FollowUp:
    followup = FollowUp(conversation_id=conversation_id, what=what, due=due, due_text=due_text,
                        owner_id=owner_id, evidence=evidence, source=source, message_id=message_id,
                        status="open")
    session.add(followup)
    session.flush()
    audit.record(session, actor_id=actor_id, entity="followup", entity_id=followup.id,
                 action="created", detail={"conversation_id": conversation_id, "what": what,
                                           "due": due.isoformat() if due else None,
                                           "source": source})
    return followup


def with_due(promises: Sequence[Promise], *, default_due: timedelta, now: datetime | None = None
             ) -> list[Promise]:
    """The promises, each with a due time: one that names none gets `default_due` from now."""
    start = now or utcnow()
    return [Promise(p.what, p.due or start + default_due,
                    p.due_text or f"(no time given: {default_due} by default)", p.evidence)
            for p in promises]


def from_promises(session: Session, *, conversation_id: int, promises: Sequence[Promise],
                  owner_id: int | None, message_id: int | None, default_due: timedelta,
                  actor_id: int | None = None, now: datetime | None = None) -> list[FollowUp]:
    """One follow-up per promise; a promise with no time gets `default_due` from now."""
    return [create_followup(session, conversation_id=conversation_id, what=p.what, due=p.due,
                            due_text=p.due_text, evidence=p.evidence, owner_id=owner_id,
                            source="commitment", message_id=message_id, actor_id=actor_id)
            for p in with_due(promises, default_due=default_due, now=now)]


def get_followup(session: Session, *, followup_id: int) -> FollowUp:
    followup = session.get(FollowUp, followup_id)
    if followup is None:
        raise NotFoundError(f"no follow-up with id {followup_id}")
    return followup


def list_followups(session: Session, *, status: Filter | None = "open", owner_id: int | None = None,
                   conversation_id: int | None = None, agent_id: int | None = None,
                   now: datetime | None = None, within: timedelta | None = None,
                   limit: int = 200) -> Sequence[FollowUp]:
    """`overdue`: open and past due; `due`: open and due within `within` (default 24 h), overdue
    included; `soon`: open and falling due within `within` (not yet overdue: what a reminder is
    for); `next`: open and overdue, undated or due within `within` (default 48 h)."""
    now = now or utcnow()
    query = select(FollowUp).order_by(FollowUp.due.asc(), FollowUp.id)
    query = query.where(*_matching(status, now, within))
    if owner_id is not None:
        query = query.where(FollowUp.owner_id == owner_id)
    if conversation_id is not None:
        query = query.where(FollowUp.conversation_id == conversation_id)
    if agent_id is not None:
        query = query.join(Conversation, Conversation.id == FollowUp.conversation_id).where(
            Conversation.agent_id == agent_id)
    return session.scalars(query.limit(limit)).all()


def complete(session: Session, *, followup_id: int, result: str, actor_id: int | None) -> FollowUp:
    """Record what happened; a follow-up closes only this way (or cancelled, also with a result)."""
    followup = get_followup(session, followup_id=followup_id)
    if followup.status != "open":
        raise ConflictError(f"follow-up {followup_id} is already {followup.status}")
    if not result.strip():
        raise ConflictError("a follow-up closes only with a result: say what was done")
    followup.status, followup.result = "done", result
    followup.completed_at, followup.completed_by = utcnow(), actor_id
    audit.record(session, actor_id=actor_id, entity="followup", entity_id=followup_id,
                 action="completed", detail={"result": result})
    return followup


def confirm(session: Session, *, followup_id: int, actor_id: int | None, keep: bool, what: str,
            due: datetime | None = None) -> FollowUp:
    """The agent's word on a follow-up filed from a promise in their message: keep it (as `what`,
    re-dated to `due` when given) or drop it (`keep=False`: not a real promise; cancelled, with
    that as its result). Only an open one (ConflictError); each choice is audited, a kept one
    with what changed."""
    followup = get_followup(session, followup_id=followup_id)
    if followup.status != "open":
        raise ConflictError(f"follow-up {followup_id} is already {followup.status}")
    if not keep:
        followup.status, followup.result = "cancelled", "dropped by the agent: not a promise"
        followup.completed_at, followup.completed_by = utcnow(), actor_id
        audit.record(session, actor_id=actor_id, entity="followup", entity_id=followup_id,
                     action="cancelled", detail={"reason": followup.result})
        return followup
    changed: dict[str, Any] = {"what": what} if what != followup.what else {}
    if due is not None and due != followup.due:
        changed["due"] = due.isoformat()
        followup.due, followup.due_text = due, "set by the agent"
    followup.what = what
    audit.record(session, actor_id=actor_id, entity="followup", entity_id=followup_id,
                 action="confirmed", detail=changed or None)
    return followup


def is_overdue(followup: FollowUp, now: datetime | None = None) -> bool:
    return followup.status == "open" and followup.due is not None and followup.due < (now or utcnow())


def _matching(status: Filter | None, now: datetime, within: timedelta | None) -> list[Any]:
    """The WHERE clauses of a filter (see `list_followups`)."""
    if status is None:
        return []
    if status in ("done", "cancelled"):
        return [FollowUp.status == status]
    clauses: list[Any] = [FollowUp.status == "open"]
    dated = FollowUp.due.is_not(None)
    if status == "overdue":
        clauses += [dated, FollowUp.due < now]
    elif status == "due":
        clauses += [dated, FollowUp.due < now + (within or timedelta(hours=24))]
    elif status == "soon":
        clauses += [dated, FollowUp.due >= now, FollowUp.due < now + (within or timedelta(hours=1))]
    elif status == "next":
        clauses.append(or_(FollowUp.due.is_(None), FollowUp.due < now + (within or NEXT_WINDOW)))
    return clauses


def counts(session: Session, *, agent_id: int | None = None, now: datetime | None = None
           ) -> dict[str, int]:
    """How many follow-ups each filter holds (the console's tab counts), for one agent's
    conversations or everyone's."""
    now = now or utcnow()
    found: dict[str, int] = {}
    for status in FILTERS:
        query = select(func.count()).select_from(FollowUp).where(*_matching(status, now, None))
        if agent_id is not None:
            query = query.join(Conversation, Conversation.id == FollowUp.conversation_id).where(
                Conversation.agent_id == agent_id)
        found[status] = int(session.scalar(query) or 0)
    return found
