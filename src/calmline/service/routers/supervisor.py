"""The supervisor's queue: what needs a lead's attention now."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from calmline.cases import conversations, escalations, followups, wellbeing
from calmline.playbook.schema import Playbook
from calmline.service.deps import SessionDep, StateDep, SupervisorDep
from calmline.service.routers import ERRORS
from calmline.service.routers.agents import load_public
from calmline.service.routers.followups import public
from calmline.service.schemas import ConversationPublic, EscalationPublic, SupervisorQueue

router = APIRouter(prefix="/supervisor", tags=["supervisor"], responses=ERRORS)


def danger_routes(playbook: Playbook) -> tuple[str, ...]:
    """The routes of the playbook's danger flags (violence, self-harm, account takeover)."""
    return tuple(dict.fromkeys(f.route for f in playbook.flags.values() if f.danger and f.route != "none"))


@router.get("/queue", response_model=SupervisorQueue)
def queue(session: SessionDep, state: StateDep, user: SupervisorDep,
          limit: Annotated[int, Query(ge=1, le=200)] = 20) -> SupervisorQueue:
    """Open escalations, the hottest open conversations, overloaded agents, overdue follow-ups."""
    loads = wellbeing.all_loads(session, policy=state.policy)
    danger = danger_routes(state.analyzer.playbook)
    return SupervisorQueue(
        escalations=[EscalationPublic.model_validate(e) for e in escalations.list_escalations(
            session, status="open", limit=limit, first_routes=danger)],
        hottest=[ConversationPublic.model_validate(c) for c in conversations.list_conversations(
            session, status="open", order="hottest", limit=limit, danger_routes=danger)],
        overloaded=[load_public(state, load) for load in sorted(loads, key=lambda a: -a.load)
                    if load.breather],
        overdue_followups=[public(f) for f in
                           followups.list_followups(session, status="overdue", limit=limit)])
