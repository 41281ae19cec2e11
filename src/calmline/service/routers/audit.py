"""The append-only audit log, read-only: who changed what, when (supervisors and admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from calmline.cases import audit
from calmline.service.deps import SessionDep, SupervisorDep
from calmline.service.routers import ERRORS
from calmline.service.schemas import MAX_ID, AuditPublic

router = APIRouter(prefix="/audit", tags=["audit"], responses=ERRORS)


@router.get("", response_model=list[AuditPublic])
def history(session: SessionDep, user: SupervisorDep,
            entity: Annotated[str | None, Query(pattern="^(conversation|message|escalation|followup|"
                                                        "agent|correction)$")] = None,
            entity_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
            after: Annotated[int, Query(ge=0, le=MAX_ID, description="entries after this id")] = 0,
            limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[AuditPublic]:
    """State changes in the order they happened; page with `after` (the last id seen)."""
    entries = audit.history(session, entity=entity, entity_id=entity_id, after=after, limit=limit)
    return [AuditPublic.model_validate(e) for e in entries]
