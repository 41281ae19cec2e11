"""Escalations (PLAYBOOK §2): automatic from the analyzer's reasons, or raised by hand.

Each is a recorded event with who (null = the analyzer), when, why, the route and its status
(open → acknowledged → resolved). One message gives one escalation per route carrying all its
reasons (`merge_reasons`: abuse and a manager request are one page to a supervisor, not two).
While a case has an escalation open on a route, an automatic reason for that route opens no
other: the customer repeating a threat does not page the legal team twice, and a new trigger is
added to the open escalation's reasons instead, so nothing is dropped. An agent's manual
escalation is refused only while one of theirs is open on that route.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Integer, String, bindparam, case, select, update
from sqlalchemy.orm import Session

from calmline.cases import audit
from calmline.cases.errors import ConflictError, NotFoundError
from calmline.cases.models import Conversation, Escalation, utcnow
from calmline.cases.reading import route_resolved

Status = Literal["open", "acknowledged", "resolved"]

# prebuilt, the values as parameters: every customer message with an escalation reason looks for
# the case's open escalation on its route, and building the select anew (and its cache key) cost
# about as much as running it
_OPEN_ON_ROUTE = (select(Escalation)
                  .where(Escalation.conversation_id == bindparam("case_id", type_=Integer()),
                         Escalation.route == bindparam("route", type_=String()),
                         Escalation.status != "resolved")
                  .order_by(Escalation.id).limit(1))
_OPEN_MANUAL = _OPEN_ON_ROUTE.where(Escalation.trigger == bindparam("trigger", type_=String()))


@dataclass(frozen=True, slots=True)
class Reason:
    """Why to escalate: the analyzer's EscalationReason, or an agent's button press."""

    route: str
    trigger: str
    reason: str
    evidence: dict[str, Any] | None = None


def merge_reasons(reasons: Sequence[Reason]) -> list[Reason]:
    """One reason per route, in the order the routes first appear: its `trigger` is the first
    trigger, its `reason` every reason, its evidence every trigger with its own spans
    (`{"triggers": [{"trigger", "reason", "spans"}], "spans": [all of them]}`)."""
    by_route: dict[str, list[Reason]] = {}
    for reason in reasons:
        by_route.setdefault(reason.route, []).append(reason)
    return [Reason(route, group[0].trigger, "; ".join(dict.fromkeys(r.reason for r in group)),
                   _evidence(group)) for route, group in by_route.items()]


def _parts(reason: Reason) -> list[dict[str, Any]]:
    """The triggers a reason stands for, each with its reason and spans."""
    listed = (reason.evidence or {}).get("triggers")
    if isinstance(listed, list) and listed:
        return [dict(t) for t in listed if isinstance(t, dict)]
    spans = (reason.evidence or {}).get("spans") or []
    return [{"trigger": reason.trigger, "reason": reason.reason, "spans": list(spans)}]


def _evidence(group: Sequence[Reason]) -> dict[str, Any]:
    parts: dict[str, dict[str, Any]] = {}
    for reason in group:
        for part in _parts(reason):
            parts.setdefault(str(part.get("trigger")), part)
    triggers = list(parts.values())
    return {"triggers": triggers, "spans": [s for t in triggers for s in t.get("spans") or ()]}


def raise_escalation(session: Session, *, conversation_id: int, reason: Reason,
                     message_id: int | None = None, actor_id: int | None = None) -> Escalation | None:
    """Open an escalation, unless one already covers it (then None): for an automatic reason
    (`actor_id` None) any unresolved escalation of the case on the route, which takes the new
    triggers into its reasons; for a manual one an unresolved manual escalation on the route."""
    params = {"case_id": conversation_id, "route": reason.route}
    if actor_id is None:
        existing = session.scalars(_OPEN_ON_ROUTE, params).first()
    else:
        existing = session.scalars(_OPEN_MANUAL, {**params, "trigger": reason.trigger}).first()
    if existing is not None:
        _add_triggers(session, existing, reason)
        return None
    escalation = Escalation(conversation_id=conversation_id, message_id=message_id,
                            route=reason.route, trigger=reason.trigger, reason=reason.reason,
                            evidence=_evidence([reason]), status="open", raised_by=actor_id)
    session.add(escalation)
    session.flush()
    # one UPDATE, not the case loaded to set one column (a case already in the session is
    # updated too); no row: no such case, and the transaction goes back
    marked = session.execute(update(Conversation).where(Conversation.id == conversation_id)
                             .values(escalated=True))
    if not marked.rowcount:  # type: ignore[attr-defined]
        raise NotFoundError(f"no conversation with id {conversation_id}")
    audit.record(session, actor_id=actor_id, entity="escalation", entity_id=escalation.id,
                 action="opened", detail={"conversation_id": conversation_id, "route": reason.route,
                                          "trigger": reason.trigger, "auto": actor_id is None,
                                          "triggers": escalation.triggers})
    return escalation


def _add_triggers(session: Session, escalation: Escalation, reason: Reason) -> None:
    """Fold the triggers of `reason` that `escalation` lacks into its reasons (audited)."""
    known = set(escalation.triggers)
    new = [p for p in _parts(reason) if str(p.get("trigger")) not in known]
    if not new:
        return
    current = Reason(escalation.route, escalation.trigger, escalation.reason, escalation.evidence)
    extra = [Reason(reason.route, str(p["trigger"]), str(p.get("reason") or ""), {"triggers": [p]})
             for p in new]
    merged = merge_reasons([current, *extra])[0]
    escalation.reason, escalation.evidence = merged.reason, merged.evidence
    audit.record(session, actor_id=None, entity="escalation", entity_id=escalation.id,
                 action="reasons_added",
                 detail={"triggers": [str(p["trigger"]) for p in new]})


def get_escalation(session: Session, *, escalation_id: int) -> Escalation:
    escalation = session.get(Escalation, escalation_id)
    if escalation is None:
        raise NotFoundError(f"no escalation with id {escalation_id}")
    return escalation


def list_escalations(session: Session, *, status: Status | None = None,
                     conversation_id: int | None = None, route: str | None = None,
                     agent_id: int | None = None, limit: int = 100,
                     first_routes: Sequence[str] = ()) -> Sequence[Escalation]:
    """Newest first; escalations to `first_routes` (the danger routes) before all others."""
    query = select(Escalation)
    if first_routes:
        query = query.order_by(case((Escalation.route.in_(list(first_routes)), 0), else_=1))
    query = query.order_by(Escalation.created_at.desc(), Escalation.id.desc())
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
    route_resolved(session, conversation_id=escalation.conversation_id, route=escalation.route)
    return escalation
