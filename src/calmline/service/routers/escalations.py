"""Escalations: the open list, manual escalation, acknowledge and resolve (supervisors)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy.orm import Session

from calmline.cases import conversations as conv_repo
from calmline.cases import db, limits
from calmline.cases import escalations as repo
from calmline.cases.errors import ConflictError
from calmline.errors import InputError
from calmline.service.deps import SessionDep, StateDep, SupervisorDep, UserDep, check_access
from calmline.service.idempotency import IdempotencyDep
from calmline.service.routers import ERRORS
from calmline.service.schemas import MAX_ID, EscalationCreate, EscalationPublic, EscalationResolve

router = APIRouter(tags=["escalations"], responses=ERRORS)
EscId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("/escalations", response_model=list[EscalationPublic])
def list_(session: SessionDep, user: UserDep,
          status: Annotated[repo.Status | None, Query()] = None,
          route: Annotated[str | None, Query(max_length=limits.ROUTE)] = None,
          conversation_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
          limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[EscalationPublic]:
    """Escalations, newest first; agents see those of their own conversations."""
    found = repo.list_escalations(session, status=status, route=route, conversation_id=conversation_id,
                                  agent_id=None if user.supervises else user.id, limit=limit)
    return [EscalationPublic.model_validate(e) for e in found]


@router.post("/conversations/{conversation_id}/escalations", status_code=201,
             response_model=EscalationPublic)
def escalate(conversation_id: Annotated[int, Path(ge=1, le=MAX_ID)], body: EscalationCreate,
             state: StateDep, user: UserDep, idem: IdempotencyDep) -> EscalationPublic:
    """Manual escalation (the agent's button) to a route declared in the playbook."""
    routes = state.analyzer.playbook.routes
    if body.route not in routes:
        raise InputError(f"unknown route {body.route!r}; the playbook declares {sorted(routes)}")

    def work(session: Session) -> EscalationPublic:
        case = conv_repo.get_conversation(session, conversation_id=conversation_id)
        check_access(user, case)
        if case.status == "closed":
            raise ConflictError(f"conversation {conversation_id} is closed")
        reason = repo.Reason(body.route, "manual", body.reason)
        escalation = repo.raise_escalation(session, conversation_id=conversation_id, reason=reason,
                                           actor_id=user.id)
        if escalation is None:
            raise ConflictError(f"an escalation to {body.route} is already open for this conversation")
        return EscalationPublic.model_validate(escalation)

    return idem.run(state.sessions, work)


@router.post("/escalations/{escalation_id}/acknowledge", response_model=EscalationPublic)
def acknowledge(escalation_id: EscId, state: StateDep, user: SupervisorDep) -> EscalationPublic:
    with db.transaction(state.sessions) as session:
        return EscalationPublic.model_validate(
            repo.acknowledge(session, escalation_id=escalation_id, actor_id=user.id))


@router.post("/escalations/{escalation_id}/resolve", response_model=EscalationPublic)
def resolve(escalation_id: EscId, body: EscalationResolve, state: StateDep, user: SupervisorDep
            ) -> EscalationPublic:
    with db.transaction(state.sessions) as session:
        return EscalationPublic.model_validate(repo.resolve(
            session, escalation_id=escalation_id, actor_id=user.id, resolution=body.resolution))
