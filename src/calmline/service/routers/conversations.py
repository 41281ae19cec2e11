"""Conversations (cases) and their messages."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy.orm import Session

from calmline.cases import agents as agent_repo
from calmline.cases import conversations as repo
from calmline.cases import db, limits, wellbeing
from calmline.cases.errors import NotFoundError
from calmline.cases.escalations import list_escalations
from calmline.cases.followups import is_overdue, list_followups
from calmline.cases.models import utcnow
from calmline.cases.summary import build_summary
from calmline.engine.budget import Budget
from calmline.engine.moment import customer_name
from calmline.service import coaching, intake
from calmline.service.deps import (
    AppState,
    SessionDep,
    StateDep,
    User,
    UserDep,
    check_access,
    check_customer_line,
    is_demo,
)
from calmline.service.idempotency import IdempotencyDep
from calmline.service.routers import ERRORS, helpdesk_events
from calmline.service.schemas import (
    MAX_ID,
    Assist,
    CloseRequest,
    ConversationCreate,
    ConversationDetail,
    ConversationPublic,
    Created,
    ErrorBody,
    EscalationPublic,
    FollowUpPublic,
    Level,
    MessageCreate,
    MessagePosted,
    MessagePublic,
)
from calmline.service.work import bounded

router = APIRouter(prefix="/conversations", tags=["conversations"], responses=ERRORS)
ConvId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _owner(state: StateDep, user: User, body: ConversationCreate) -> int | None:
    with state.sessions() as session:
        if body.agent_id is not None:
            agent = session.get(agent_repo.Agent, body.agent_id)
            if agent is None or not agent.active:
                raise NotFoundError(f"no agent with id {body.agent_id}")
            return agent.id
        if user.role == "agent":
            return user.id
        return wellbeing.pick_agent(session, policy=state.policy)


@router.post("", status_code=201, response_model=Created)
def create(body: ConversationCreate, state: StateDep, user: UserDep, idem: IdempotencyDep
           ) -> Created:
    """Open a case. Agents own what they open; supervisors may assign, or let routing pick."""
    if user.role == "agent" and body.agent_id not in (None, user.id):
        body = body.model_copy(update={"agent_id": user.id})
    owner = _owner(state, user, body)
    customer = body.customer

    def work(session: Session) -> Created:  # retried whole if a concurrent create took the ids
        case = repo.create_conversation(
            session, agent_id=owner, channel=body.channel, subject=body.subject,
            customer_external_id=customer.external_id if customer else None,
            customer_name=customer.name if customer else None, external_id=body.external_id,
            actor_id=user.id)
        return Created(id=case.id)

    return idem.run(state.sessions, work)


@router.get("", response_model=list[ConversationPublic])
def list_(session: SessionDep, user: UserDep,
          status: Annotated[str | None, Query(pattern="^(open|closed)$")] = None,
          agent_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
          anger_level: Level | None = None, escalated: bool | None = None,
          overdue: Annotated[bool | None, Query(description="has an overdue follow-up")] = None,
          order: Annotated[str, Query(pattern="^(recent|hottest)$")] = "recent",
          external_id: Annotated[str | None, Query(
              min_length=1, max_length=limits.EXTERNAL_ID, pattern=r"^[^\x00-\x1f\x7f]+$",
              description="the helpdesk's id, e.g. chatwoot:1:42 or zendesk:1234")] = None,
          limit: Annotated[int, Query(ge=1, le=500)] = 50,
          offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> list[ConversationPublic]:
    """Cases, newest activity first (or hottest); agents only ever see their own. With
    `external_id`, the case of one helpdesk conversation (a helpdesk's app panel finds it so)."""
    if not user.supervises:
        agent_id = user.id
    found = repo.list_conversations(session, agent_id=agent_id, status=status,
                                    anger_level=anger_level, escalated=escalated, overdue=overdue,
                                    order=order, limit=limit, offset=offset,
                                    external_id=external_id)
    return [ConversationPublic.model_validate(c) for c in found]


@router.get("/{conversation_id}", response_model=ConversationDetail)
def get(conversation_id: ConvId, session: SessionDep, user: UserDep) -> ConversationDetail:
    """The case with every message (and its analysis), escalation and follow-up."""
    case = repo.get_conversation(session, conversation_id=conversation_id)
    check_access(user, case)
    now = utcnow()
    return ConversationDetail(
        **ConversationPublic.model_validate(case).model_dump(),
        messages=[MessagePublic.model_validate(m)
                  for m in repo.messages_of(session, conversation_id=conversation_id)],
        escalations=[EscalationPublic.model_validate(e)
                     for e in list_escalations(session, conversation_id=conversation_id)],
        followups=[FollowUpPublic.model_validate(f).model_copy(update={"overdue": is_overdue(f, now)})
                   for f in list_followups(session, status=None, conversation_id=conversation_id)])


@router.post("/{conversation_id}/messages", status_code=201, response_model=MessagePosted)
def post_message(conversation_id: ConvId, body: MessageCreate, state: StateDep, user: UserDep,
                 idem: IdempotencyDep,
                 suggestions: Annotated[bool, Query(description="include suggested replies")] = True
                 ) -> MessagePosted:
    """Store a customer or agent message; answer with its analysis, the stage, the next move and
    suggested replies. Escalations and follow-ups it set off come back too. Customer messages
    come from the helpdesk or a supervisor; an agent's only on demo conversations (403)."""
    if body.role == "customer" and not user.supervises:
        with (state.readers or state.sessions)() as session:
            check_customer_line(user, repo.get_conversation(session, conversation_id=conversation_id))
    posted = intake.post_message(state, user, conversation_id=conversation_id, body=body,
                                 with_suggestions=suggestions, idem=idem, send_guard=True)
    # already validated: skip FastAPI's second validation pass of this large body (the hot path),
    # and let pydantic write the JSON itself rather than build a dict for json.dumps
    return Response(posted.model_dump_json(), status_code=201,  # type: ignore[return-value]
                    media_type="application/json")


@router.post("/{conversation_id}/close", response_model=ConversationPublic)
def close(conversation_id: ConvId, body: CloseRequest, state: StateDep, user: UserDep,
          request: Request) -> ConversationPublic:
    """Close with an outcome. Resolved with an open follow-up needs a `reason` (409 without)."""
    with db.transaction(state.sessions) as session:
        check_access(user, repo.get_conversation(session, conversation_id=conversation_id))
        case = repo.close_conversation(session, conversation_id=conversation_id,
                                       outcome=body.outcome, reason=body.reason, actor_id=user.id)
        closed = ConversationPublic.model_validate(case)
    helpdesk_events.notify_closed(state, helpdesk_events.sink_of(request), conversation_id)
    return closed


@router.get("/{conversation_id}/summary", response_model=None)
def summary(conversation_id: ConvId, session: SessionDep, user: UserDep,
            format: Annotated[str, Query(pattern="^(json|text)$")] = "json"
            ) -> dict[str, Any] | PlainTextResponse:
    """Issue, cause, what was done, what was promised, by when: JSON (with the prose in `text`),
    or `?format=text` for the prose alone as text/plain."""
    check_access(user, repo.get_conversation(session, conversation_id=conversation_id))
    data = build_summary(session, conversation_id=conversation_id)
    return PlainTextResponse(data["text"]) if format == "text" else data


@router.get("/{conversation_id}/assist", response_model=Assist, responses={
    503: {"model": ErrorBody, "description": "the reading ran past its time budget"}})
async def assist(conversation_id: ConvId, state: StateDep, user: UserDep, request: Request
                 ) -> Assist:
    """Where the case stands for the next reply: stage, moment, next move and (when the customer
    wrote last) suggested replies, as a posted message's answer has them, without posting
    anything. The work stops when the client disconnects or after `work_seconds` (503)."""
    return await bounded(request, state.settings.work_seconds,
                         lambda budget: _assist(conversation_id, state, user, budget))


def _assist(conversation_id: int, state: AppState, user: User, budget: Budget) -> Assist:
    with (state.readers or state.sessions)() as session:
        case = repo.get_conversation(session, conversation_id=conversation_id)
        check_access(user, case)
        practice = is_demo(case.external_id)
        messages = repo.messages_of(session, conversation_id=conversation_id, last=intake.COACH_TURNS)
        turns = [intake.message_turn(m) for m in messages]
        name = customer_name(messages)  # the replies call them by it (the turns carry none)
    if not turns:
        return Assist(stage="venting", next_move="Wait for the customer's first message" + (
            ", or type one in the customer box to role-play." if practice else "."))
    found = coaching.assess(state.engine, turns, key=conversation_id, budget=budget, name=name)
    return Assist.model_validate({"stage": found.stage, "moment": found.moment,
                                  "outcome": found.outcome, "next_move": found.next_move,
                                  "suggestions": found.suggestions})
