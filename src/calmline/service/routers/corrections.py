"""Corrections: mark a customer message's reading wrong; list what the team marked."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from calmline.cases import corrections as repo
from calmline.service.correction_schemas import CorrectionCreate, CorrectionLabels, CorrectionPublic
from calmline.service.deps import SessionDep, StateDep, UserDep, check_owner
from calmline.service.idempotency import IdempotencyDep
from calmline.service.routers import ERRORS
from calmline.service.schemas import MAX_ID

router = APIRouter(tags=["corrections"], responses=ERRORS)


@router.post("/messages/{message_id}/corrections", status_code=201, response_model=CorrectionPublic,
             responses={200: {"model": CorrectionPublic,
                              "description": "this person had already marked it: the stored one"}})
def create(message_id: Annotated[int, Path(ge=1, le=MAX_ID)], body: CorrectionCreate,
           state: StateDep, user: UserDep, idem: IdempotencyDep) -> JSONResponse:
    """Say what calmline read wrong in a customer message (201), or get back the same correction
    this person made before (200). Agents correct messages of their own conversations only."""
    repo.check_label(state.analyzer.playbook, kind=body.kind, label=body.label)

    def work(session: Session) -> JSONResponse:
        message, conversation = repo.customer_message(session, message_id=message_id)
        check_owner(user, conversation.id, conversation.agent_id)
        done = repo.record_correction(session, message=message, kind=body.kind, label=body.label,
                                      note=body.note, actor_id=user.id)
        public = CorrectionPublic.model_validate(done.correction)
        return JSONResponse(public.model_dump(mode="json"), status_code=201 if done.created else 200)

    return idem.run(state.sessions, work)


@router.get("/corrections", response_model=list[CorrectionPublic])
def list_(session: SessionDep, user: UserDep,
          kind: repo.Kind | None = None,
          message_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
          conversation_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
          limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[CorrectionPublic]:
    """Corrections, newest first; agents see those on their own conversations."""
    found = repo.list_corrections(session, agent_id=None if user.supervises else user.id, kind=kind,
                                  message_id=message_id, conversation_id=conversation_id,
                                  limit=limit)
    return [CorrectionPublic.model_validate(c) for c in found]


@router.get("/corrections/labels", response_model=CorrectionLabels)
def labels(state: StateDep, user: UserDep) -> CorrectionLabels:
    """What can be marked: each kind with the labels of the running playbook."""
    return CorrectionLabels(kinds=repo.catalogue(state.analyzer.playbook))
