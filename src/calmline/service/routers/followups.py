"""Follow-ups: list (what's next, due, overdue, done...), count, remind, create by hand, confirm
(reword, re-date or drop one filed from a promise), complete with a result. Every item names its
case's customer and subject, not just its number."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from calmline.cases import conversations as conv_repo
from calmline.cases import db
from calmline.cases import followups as repo
from calmline.cases.models import Conversation, FollowUp, Message, utcnow
from calmline.errors import InputError
from calmline.service.deps import SessionDep, StateDep, UserDep, check_access
from calmline.service.idempotency import IdempotencyDep
from calmline.service.routers import ERRORS
from calmline.service.schemas import (
    MAX_ID,
    FollowUpComplete,
    FollowUpConfirm,
    FollowUpCounts,
    FollowUpCreate,
    FollowUpPublic,
)

router = APIRouter(tags=["followups"], responses=ERRORS)


def public(followup: FollowUp, case: Conversation | None = None) -> FollowUpPublic:
    """The follow-up as the API shows it; with its `case`, named by customer and subject."""
    named = {"customer_name": case.customer.name if case.customer else None,
             "subject": case.subject} if case is not None else {}
    return FollowUpPublic.model_validate(followup).model_copy(
        update={"overdue": repo.is_overdue(followup, utcnow()), **named})


def public_all(session: Session, followups: Sequence[FollowUp]) -> list[FollowUpPublic]:
    """`public` for each, their cases read in one query."""
    ids = {f.conversation_id for f in followups}
    cases = {c.id: c for c in session.scalars(
        select(Conversation).where(Conversation.id.in_(ids))).unique()} if ids else {}
    return [public(f, cases.get(f.conversation_id)) for f in followups]


@router.get("/followups", response_model=list[FollowUpPublic])
def list_(session: SessionDep, user: UserDep,
          status: Annotated[repo.Filter | None, Query(
              description="next (overdue, undated or due within 48 h), open, due (within 24 h, "
                          "overdue included), overdue, soon (within the hour, not yet overdue), "
                          "done, cancelled")] = "open",
          owner_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
          limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[FollowUpPublic]:
    """Follow-ups by due time; agents see those of their own conversations."""
    found = repo.list_followups(session, status=status, owner_id=owner_id,
                                agent_id=None if user.supervises else user.id, limit=limit)
    return public_all(session, found)


@router.get("/followups/counts", response_model=FollowUpCounts)
def counts(session: SessionDep, user: UserDep) -> FollowUpCounts:
    """How many follow-ups each filter holds: the caller's own for an agent, everyone's for a
    supervisor (the numbers on the console's tabs)."""
    return FollowUpCounts(**repo.counts(session, agent_id=None if user.supervises else user.id))


@router.get("/followups/reminders", response_model=list[FollowUpPublic])
def reminders(session: SessionDep, user: UserDep,
              within_minutes: Annotated[int, Query(ge=1, le=7 * 24 * 60)] = 60,
              limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[FollowUpPublic]:
    """Open follow-ups falling due within `within_minutes` and not yet overdue, soonest first:
    the console's reminder badge, and what an integration polls to forward a reminder before
    the due time (each item's id and due time tell it which it already sent)."""
    found = repo.list_followups(session, status="soon", within=timedelta(minutes=within_minutes),
                                agent_id=None if user.supervises else user.id, limit=limit)
    return public_all(session, found)


@router.post("/conversations/{conversation_id}/followups", status_code=201,
             response_model=FollowUpPublic)
def create(conversation_id: Annotated[int, Path(ge=1, le=MAX_ID)], body: FollowUpCreate,
           state: StateDep, user: UserDep, idem: IdempotencyDep) -> FollowUpPublic:
    """A follow-up by hand, or (with `message_id`) the confirmation of a promise that message
    made, proposed when it was posted with `followups: propose`."""
    def work(session: Session) -> FollowUpPublic:
        case = conv_repo.get_conversation(session, conversation_id=conversation_id)
        check_access(user, case)
        owner = body.owner_id if user.supervises and body.owner_id else case.agent_id or user.id
        if body.owner_id is not None and user.supervises:
            from calmline.cases.agents import get_agent

            get_agent(session, agent_id=body.owner_id)
        if body.message_id is not None:
            _check_promise_source(session, conversation_id, body.message_id)
        return public(repo.create_followup(
            session, conversation_id=conversation_id, what=body.what, due=body.due,
            owner_id=owner, actor_id=user.id, message_id=body.message_id,
            source="commitment" if body.message_id is not None else "manual",
            due_text="confirmed by the agent" if body.message_id is not None else None), case)

    return idem.run(state.sessions, work)


def _check_promise_source(session: Session, conversation_id: int, message_id: int) -> None:
    """A confirmed promise names an agent message of its own conversation (else 422)."""
    message = session.get(Message, message_id)
    if message is None or message.conversation_id != conversation_id or message.role != "agent":
        raise InputError(f"message {message_id} is not an agent message of conversation "
                         f"{conversation_id}")


@router.post("/followups/{followup_id}/complete", response_model=FollowUpPublic)
def complete(followup_id: Annotated[int, Path(ge=1, le=MAX_ID)], body: FollowUpComplete,
             state: StateDep, user: UserDep) -> FollowUpPublic:
    """Record the result; only this closes a follow-up."""
    with db.transaction(state.sessions) as session:
        followup = repo.get_followup(session, followup_id=followup_id)
        case = conv_repo.get_conversation(session, conversation_id=followup.conversation_id)
        check_access(user, case)
        return public(repo.complete(session, followup_id=followup_id, result=body.result,
                                    actor_id=user.id), case)


@router.post("/followups/{followup_id}/confirm", response_model=FollowUpPublic)
def confirm(followup_id: Annotated[int, Path(ge=1, le=MAX_ID)], body: FollowUpConfirm,
            state: StateDep, user: UserDep) -> FollowUpPublic:
    """The agent keeps (as `what`, re-dated to `due` when given) or drops (`keep: false`) an open
    follow-up, typically one filed from a promise in their message; each choice is audited. Like
    `complete`, it changes a follow-up rather than creating one, so it takes no Idempotency-Key:
    keeping again is harmless, dropping again is a 409."""
    with db.transaction(state.sessions) as session:
        followup = repo.get_followup(session, followup_id=followup_id)
        case = conv_repo.get_conversation(session, conversation_id=followup.conversation_id)
        check_access(user, case)
        return public(repo.confirm(session, followup_id=followup_id, actor_id=user.id,
                                   keep=body.keep, what=body.what, due=body.due), case)
