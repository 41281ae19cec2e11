"""The supervisor's desk: take a case over, hand it to another agent, whisper to its agent.

Each action is a supervisor's or admin's (403 for agents) and is audited in the transaction that
makes it. Whispers are read by the case's agent and the supervisors; the customer record never
holds them (`calmline.cases.whispers`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from sqlalchemy.orm import Session

from calmline.cases import conversations as conv_repo
from calmline.cases import db, escalations, wellbeing, whispers
from calmline.cases.agents import get_agent
from calmline.cases.errors import ConflictError, NotFoundError
from calmline.service.deps import SessionDep, StateDep, SupervisorDep, UserDep, check_access
from calmline.service.idempotency import IdempotencyDep
from calmline.service.routers import ERRORS
from calmline.service.schemas import (
    MAX_ID,
    ConversationPublic,
    ReassignRequest,
    WhisperCreate,
    WhisperPublic,
)

router = APIRouter(prefix="/conversations", tags=["supervisor"], responses=ERRORS)
ConvId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.post("/{conversation_id}/take-over", response_model=ConversationPublic)
def take_over(conversation_id: ConvId, state: StateDep, user: SupervisorDep) -> ConversationPublic:
    """The supervisor owns the case from now on (a manager request answered by a manager); its
    open escalations are acknowledged in their name. Taking over one's own case changes nothing."""
    with db.transaction(state.sessions) as session:
        case = conv_repo.reassign(session, conversation_id=conversation_id, agent_id=user.id,
                                  actor_id=user.id, action="taken_over")
        for open_one in escalations.list_escalations(session, status="open",
                                                     conversation_id=conversation_id):
            escalations.acknowledge(session, escalation_id=open_one.id, actor_id=user.id)
        return ConversationPublic.model_validate(case)


@router.post("/{conversation_id}/reassign", response_model=ConversationPublic)
def reassign(conversation_id: ConvId, body: ReassignRequest, state: StateDep, user: SupervisorDep
             ) -> ConversationPublic:
    """Hand the case to another active user; not to an agent on a breather (409: routing skips
    them too, PLAYBOOK §6)."""
    with db.transaction(state.sessions) as session:
        agent = get_agent(session, agent_id=body.agent_id)
        if not agent.active:
            raise NotFoundError(f"no agent with id {body.agent_id}")
        if wellbeing.agent_load(session, agent=agent, policy=state.policy).breather:
            raise ConflictError(f"{agent.name} is on a breather: give the case to someone else")
        case = conv_repo.reassign(session, conversation_id=conversation_id, agent_id=agent.id,
                                  actor_id=user.id)
        return ConversationPublic.model_validate(case)


@router.get("/{conversation_id}/whispers", response_model=list[WhisperPublic])
def list_whispers(conversation_id: ConvId, session: SessionDep, user: UserDep
                  ) -> list[WhisperPublic]:
    """The case's whispers, oldest first: for its agent and the supervisors."""
    check_access(user, conv_repo.get_conversation(session, conversation_id=conversation_id))
    return [WhisperPublic.model_validate(w)
            for w in whispers.whispers_of(session, conversation_id=conversation_id)]


@router.post("/{conversation_id}/whispers", status_code=201, response_model=WhisperPublic)
def whisper(conversation_id: ConvId, body: WhisperCreate, state: StateDep, user: SupervisorDep,
            idem: IdempotencyDep) -> WhisperPublic:
    """Leave a note for the case's agent; the customer never sees it and it is no message."""
    def work(session: Session) -> WhisperPublic:
        return WhisperPublic.model_validate(whispers.add_whisper(
            session, conversation_id=conversation_id, text=body.text, author_id=user.id))

    return idem.run(state.sessions, work)
