"""Follow-ups: list open/due/overdue, create by hand, complete with a result."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy.orm import Session

from calmline.cases import conversations as conv_repo
from calmline.cases import db
from calmline.cases import followups as repo
from calmline.cases.models import FollowUp, utcnow
from calmline.service.deps import SessionDep, StateDep, UserDep, check_access
from calmline.service.idempotency import IdempotencyDep
from calmline.service.routers import ERRORS
from calmline.service.schemas import MAX_ID, FollowUpComplete, FollowUpCreate, FollowUpPublic

router = APIRouter(tags=["followups"], responses=ERRORS)


def public(followup: FollowUp) -> FollowUpPublic:
    return FollowUpPublic.model_validate(followup).model_copy(
        update={"overdue": repo.is_overdue(followup, utcnow())})


@router.get("/followups", response_model=list[FollowUpPublic])
def list_(session: SessionDep, user: UserDep,
          status: Annotated[repo.Filter | None, Query(description="open, due (within 24 h), "
                                                                  "overdue, done, cancelled")] = "open",
          owner_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
          limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[FollowUpPublic]:
    """Follow-ups by due time; agents see those of their own conversations."""
    found = repo.list_followups(session, status=status, owner_id=owner_id,
                                agent_id=None if user.supervises else user.id, limit=limit)
    return [public(f) for f in found]


@router.post("/conversations/{conversation_id}/followups", status_code=201,
             response_model=FollowUpPublic)
def create(conversation_id: Annotated[int, Path(ge=1, le=MAX_ID)], body: FollowUpCreate,
           state: StateDep, user: UserDep, idem: IdempotencyDep) -> FollowUpPublic:
    def work(session: Session) -> FollowUpPublic:
        case = conv_repo.get_conversation(session, conversation_id=conversation_id)
        check_access(user, case)
        owner = body.owner_id if user.supervises and body.owner_id else case.agent_id or user.id
        if body.owner_id is not None and user.supervises:
            from calmline.cases.agents import get_agent

            get_agent(session, agent_id=body.owner_id)
        return public(repo.create_followup(session, conversation_id=conversation_id, what=body.what,
                                           due=body.due, owner_id=owner, actor_id=user.id))

    return idem.run(state.sessions, work)


@router.post("/followups/{followup_id}/complete", response_model=FollowUpPublic)
def complete(followup_id: Annotated[int, Path(ge=1, le=MAX_ID)], body: FollowUpComplete,
             state: StateDep, user: UserDep) -> FollowUpPublic:
    """Record the result; only this closes a follow-up."""
    with db.transaction(state.sessions) as session:
        followup = repo.get_followup(session, followup_id=followup_id)
        check_access(user, conv_repo.get_conversation(session, conversation_id=followup.conversation_id))
        return public(repo.complete(session, followup_id=followup_id, result=body.result,
                                    actor_id=user.id))
