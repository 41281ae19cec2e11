"""The supervisor's queue: what needs a lead's attention now, with who has it, how long the
customer has waited and why it is hot."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from calmline.cases import conversations, escalations, followups, wellbeing
from calmline.cases.models import Conversation, Escalation, utcnow
from calmline.playbook.schema import Playbook
from calmline.service.deps import SessionDep, StateDep, SupervisorDep
from calmline.service.routers import ERRORS
from calmline.service.routers.agents import load_public
from calmline.service.routers.followups import public_all
from calmline.service.schemas import (
    AgentLoadPublic,
    ConversationPublic,
    EscalationPublic,
    QueueCase,
    QueueContext,
    QueueEscalation,
    SupervisorQueue,
)

router = APIRouter(prefix="/supervisor", tags=["supervisor"], responses=ERRORS)


def danger_routes(playbook: Playbook) -> tuple[str, ...]:
    """The routes of the playbook's danger flags (violence, self-harm, account takeover)."""
    return tuple(dict.fromkeys(f.route for f in playbook.flags.values() if f.danger and f.route != "none"))


def why_hot(case: Conversation, open_escalations: Sequence[Escalation], playbook: Playbook
            ) -> list[str]:
    """The reasons a lead reads at a glance: each open escalation's, the case's anger and trend,
    and the flags and wants still unhandled (in the playbook's words, not its keys)."""
    reasons = [f"escalated to {e.route}: {e.reason}" for e in open_escalations]
    reading: dict[str, Any] = case.reading or {}
    if case.anger_level != "calm":
        rising = ", rising" if reading.get("trend") == "rising" else ""
        # on the console's 0-100 scale, as its level pills show it
        reasons.append(f"customer {case.anger_level} (anger {round(case.anger_score * 100)}{rising})")
    escalated = {e.route for e in open_escalations}
    for flag in reading.get("open_flags") or ():
        known = playbook.flags.get(str(flag.get("label")))
        if known is not None and known.route not in escalated:
            reasons.append(f"not yet handled: {known.reason}")
    wants = [_ask(playbook, str(w.get("label"))) for w in reading.get("open_wants") or ()]
    if wants:
        reasons.append("asked for and not answered: " + ", ".join(wants))
    return reasons


def _ask(playbook: Playbook, label: str) -> str:
    want = playbook.wants.get(label)
    return want.ask if want is not None and want.ask else label


def _context(session: Session, cases: Sequence[Conversation], playbook: Playbook
             ) -> dict[int, QueueContext]:
    ids = [c.id for c in cases]
    waiting = conversations.waiting_since(session, conversation_ids=ids)
    open_ones: dict[int, list[Escalation]] = {}
    for escalation in session.scalars(select(Escalation).where(
            Escalation.conversation_id.in_(ids), Escalation.status != "resolved")
            .order_by(Escalation.id)):
        open_ones.setdefault(escalation.conversation_id, []).append(escalation)
    now = utcnow()
    return {case.id: QueueContext(
        agent_name=case.agent.name if case.agent else None,
        customer_name=case.customer.name if case.customer else None, subject=case.subject,
        waiting_since=waiting.get(case.id), waited_seconds=_seconds(now, waiting.get(case.id)),
        why_hot=why_hot(case, open_ones.get(case.id, []), playbook)) for case in cases}


def _seconds(now: datetime, since: datetime | None) -> int | None:
    return None if since is None else max(0, int((now - since).total_seconds()))


@router.get("/queue", response_model=SupervisorQueue)
def queue(session: SessionDep, state: StateDep, user: SupervisorDep,
          limit: Annotated[int, Query(ge=1, le=200)] = 20) -> SupervisorQueue:
    """Open escalations, the hottest open conversations, overloaded agents, overdue follow-ups.
    Each escalation and case names its agent, how long its customer has waited and why it is hot."""
    loads = wellbeing.all_loads(session, policy=state.policy)
    playbook = state.analyzer.playbook
    danger = danger_routes(playbook)
    open_escalations = escalations.list_escalations(session, status="open", limit=limit,
                                                    first_routes=danger)
    hottest = conversations.list_conversations(session, status="open", order="hottest",
                                               limit=limit, danger_routes=danger)
    cases = {c.id: c for c in hottest}
    missing = {e.conversation_id for e in open_escalations} - set(cases)
    if missing:
        cases.update({c.id: c for c in session.scalars(
            select(Conversation).where(Conversation.id.in_(missing))).unique()})
    context = _context(session, list(cases.values()), playbook)
    return SupervisorQueue(
        escalations=[QueueEscalation(**EscalationPublic.model_validate(e).model_dump(),
                                     **context[e.conversation_id].model_dump(),
                                     agent_id=cases[e.conversation_id].agent_id)
                     for e in open_escalations],
        hottest=[QueueCase(**{**ConversationPublic.model_validate(c).model_dump(),
                              **context[c.id].model_dump()}) for c in hottest],
        overloaded=[load_public(state, load) for load in sorted(loads, key=lambda a: -a.load)
                    if load.breather],
        overdue_followups=public_all(session, followups.list_followups(
            session, status="overdue", limit=limit)))


@router.get("/agents", response_model=list[AgentLoadPublic])
def agents(session: SessionDep, state: StateDep, user: SupervisorDep) -> list[AgentLoadPublic]:
    """Every active agent with their load, least loaded first: whom a case can be handed to
    (one on a breather cannot: reassigning to them is a 409)."""
    loads = wellbeing.all_loads(session, policy=state.policy)
    return [load_public(state, load) for load in sorted(loads, key=lambda a: (a.load, a.name))]
