"""Review a draft reply without sending it (the console calls this as the agent types)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session

from calmline.cases import conversations as conv_repo
from calmline.cases.models import DraftReview
from calmline.engine.budget import Budget
from calmline.service import coaching, intake
from calmline.service.analysis_schemas import ReviewPublic
from calmline.service.deps import AppState, StateDep, User, UserDep, check_access
from calmline.service.idempotency import Idempotency, IdempotencyDep
from calmline.service.readings import with_stored_readings
from calmline.service.routers import ERRORS
from calmline.service.schemas import ErrorBody, ReviewRequest
from calmline.service.work import bounded

router = APIRouter(tags=["reviews"], responses=ERRORS)


@router.post("/reviews", responses={503: {"model": ErrorBody, "description":
                                         "the review ran past its time budget"}})
async def review(body: ReviewRequest, state: StateDep, user: UserDep, idem: IdempotencyDep,
                 request: Request) -> ReviewPublic:
    """The coach's review of `draft` as the next reply to a stored conversation
    (`conversation_id`) or to one given inline (`conversation`; its last 30 turns are read).
    Stored only with `store: true`. The work stops when the client disconnects or after
    `work_seconds` (503)."""
    return await bounded(request, state.settings.work_seconds,
                         lambda budget: _review(body, state, user, idem, budget))


def _review(body: ReviewRequest, state: AppState, user: User, idem: Idempotency, budget: Budget
            ) -> ReviewPublic:
    intake.check_length(state, body.draft, "draft")
    if body.conversation is not None:
        for turn in body.conversation.messages:
            intake.check_length(state, turn.text, "a message")
        turns: list[dict[str, Any]] = [t.model_dump() for t in body.conversation.messages]
    else:
        with state.sessions() as session:
            check_access(user, conv_repo.get_conversation(session, conversation_id=body.conversation_id
                                                          or 0))
            turns = with_stored_readings(state.sessions, conv_repo.recent_turns(
                session, conversation_id=body.conversation_id or 0, last=intake.COACH_TURNS))
    result = coaching.review(state.engine, body.draft, turns, key=body.conversation_id,
                             budget=budget)
    answer = ReviewPublic.model_validate(result)
    if body.store and body.conversation_id is not None:
        stored = DraftReview(conversation_id=body.conversation_id, agent_id=user.id,
                             draft=body.draft, score=int(result.get("score", 0)), result=result)

        def work(session: Session) -> ReviewPublic:
            session.add(stored)
            return answer

        return idem.run(state.sessions, work, status=200)
    return answer
