"""An agent's stress load (PLAYBOOK §6)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from calmline.cases import agents as repo
from calmline.cases import wellbeing
from calmline.cases.errors import PermissionDeniedError
from calmline.service.deps import AppState, SessionDep, StateDep, UserDep
from calmline.service.routers import ERRORS
from calmline.service.schemas import MAX_ID, AgentLoadPublic

router = APIRouter(prefix="/agents", tags=["agents"], responses=ERRORS)


def load_public(state: AppState, load: wellbeing.AgentLoad) -> AgentLoadPublic:
    policy = state.policy
    return AgentLoadPublic(
        agent_id=load.agent_id, name=load.name, load=load.load, breather=load.breather,
        overloaded=load.overloaded, abuse_total=load.abuse_total, abuse_24h=load.abuse_24h,
        hostile_messages_24h=load.hostile_messages_24h, last_event=load.last_event,
        advice=load.advice,
        thresholds={"breather": policy.breather, "overload": policy.overload,
                    "half_life_minutes": policy.half_life.total_seconds() / 60})


@router.get("/{agent_id}/load", response_model=AgentLoadPublic)
def load(agent_id: Annotated[int, Path(ge=1, le=MAX_ID)], session: SessionDep, state: StateDep,
         user: UserDep) -> AgentLoadPublic:
    """Stress load now (decayed), abuse counts, and whether to take a breather.
    Agents may read their own; supervisors anyone's."""
    if not user.supervises and agent_id != user.id:
        raise PermissionDeniedError("agents may only read their own load")
    agent = repo.get_agent(session, agent_id=agent_id)
    return load_public(state, wellbeing.agent_load(session, agent=agent, policy=state.policy))
