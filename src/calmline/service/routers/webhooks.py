"""Generic inbound webhook: a helpdesk posts message events, signed with HMAC-SHA256.

Each request carries `X-Calmline-Timestamp: <unix seconds>` and
`X-Calmline-Signature: sha256=<hex of HMAC-SHA256(secret, "<timestamp>.<raw body>")>` (the scheme
of Stripe and Slack). The timestamp is signed with the body and must be within
`webhook_tolerance_seconds` (300 s) of the server's clock, so a captured request cannot be
replayed later; within that window the event's required `event_id` stops it: an event id seen
before (for 24 hours) gets the first answer back, with `Idempotent-Replayed: true`, and stores
nothing. The id is recorded in the transaction that stores the message.

The conversation is found (or opened) by the helpdesk's id and owned by routing's pick; the message
goes through exactly the same path as `POST /v1/conversations/{id}/messages`, except that the
answer has no suggested replies unless `?suggestions=true` asks for them: a helpdesk delivering
its events does not read them, and composing and reviewing them was about a quarter of an event's
CPU. The events act as the service user `webhook_agent`, created on first use; deactivating it
stops the webhook (403).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from calmline.cases import agents as agent_repo
from calmline.cases import conversations as repo
from calmline.cases import db, wellbeing
from calmline.cases.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
)
from calmline.errors import InputError
from calmline.service import idempotency, intake
from calmline.service.deps import AppState, StateDep, User
from calmline.service.routers import ERRORS
from calmline.service.schemas import MessageCreate, MessagePosted, WebhookEvent

router = APIRouter(prefix="/webhooks", tags=["webhooks"], responses=ERRORS)


def sign(secret: str, body: bytes, timestamp: int | str) -> str:
    """The `X-Calmline-Signature` of `body` sent at `timestamp` (unix seconds)."""
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """Both headers a sender puts on `body` (now, unless `timestamp` is given)."""
    stamp = int(time.time()) if timestamp is None else timestamp
    return {"X-Calmline-Timestamp": str(stamp), "X-Calmline-Signature": sign(secret, body, stamp),
            "Content-Type": "application/json"}


def verify(secret: str, body: bytes, timestamp: str | None, signature: str | None, *,
           tolerance: int, now: float | None = None) -> None:
    """AuthenticationError unless `signature` signs this body at a timestamp near `now`."""
    if not timestamp or not signature:
        raise AuthenticationError("send X-Calmline-Timestamp and X-Calmline-Signature")
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        raise AuthenticationError("X-Calmline-Timestamp must be unix seconds (digits only)")
    if not hmac.compare_digest(sign(secret, body, timestamp), signature):
        raise AuthenticationError("wrong X-Calmline-Signature for this timestamp and body")
    skew = (time.time() if now is None else now) - int(timestamp)
    if abs(skew) > tolerance:
        when = "old" if skew > 0 else "in the future"
        raise AuthenticationError(f"X-Calmline-Timestamp is {abs(int(skew))} s {when}; the limit "
                                  f"is {tolerance} s (check the sender's clock, or sign anew)")


def _service_user(state: AppState) -> User:
    """The user the webhook acts as (created on first use; its key is never shown or needed).
    A deactivated one stops the webhook: it is neither re-used nor re-created."""
    name = state.settings.webhook_agent

    def read() -> User | None:
        with (state.readers or state.sessions)() as session:
            agent = agent_repo.agent_by_name(session, name=name)
            if agent is None:
                return None
            if not agent.active:
                raise PermissionDeniedError(f"the webhook's user {name!r} is deactivated: the "
                                            "webhook is off (an admin can set webhook_agent to an "
                                            "active user's name)")
            return User(agent.id, agent.name, agent.role)

    def create(session: Session) -> User:
        agent, _key = agent_repo.create_agent(session, name=name, role="supervisor")
        return User(agent.id, agent.name, agent.role)

    found = read()
    if found is not None:
        return found
    try:
        return db.write_with_retry(state.sessions, create)
    except ConflictError:  # a concurrent first event created it: use that one
        user = read()
        if user is None:
            raise
        return user


def _conversation_id(state: AppState, event: WebhookEvent, user: User) -> int:
    def work(session: Session) -> int:
        case = repo.conversation_for(
            session, external_id=event.conversation,
            agent_id=lambda: wellbeing.pick_agent(session, policy=state.policy),
            channel=event.channel,
            customer_external_id=event.customer.external_id if event.customer else None,
            customer_name=event.customer.name if event.customer else None, actor_id=user.id)
        return case.id

    return db.write_with_retry(state.sessions, work)


@router.post("/messages", status_code=201, response_model=MessagePosted)
async def message_event(request: Request, state: StateDep,
                        x_calmline_timestamp: Annotated[str | None, Header(
                            description="unix seconds when the request was signed")] = None,
                        x_calmline_signature: Annotated[str | None, Header(
                            description="sha256=<hex HMAC-SHA256(secret, '<timestamp>.<body>')>")
                        ] = None,
                        suggestions: Annotated[bool, Query(
                            description="include suggested replies in the answer (off by default: "
                                        "a helpdesk delivering events does not read them)")] = False
                        ) -> MessagePosted:
    """One message event from a helpdesk (`WebhookEvent` JSON), verified by its signature. A
    redelivered `event_id` gets its first answer again (`Idempotent-Replayed: true`). The answer
    is a posted message's, without suggested replies unless `?suggestions=true`."""
    secret = state.settings.webhook_secret
    if not secret:
        raise NotFoundError("the webhook is disabled: set CALMLINE_WEBHOOK_SECRET to enable it")
    raw = await request.body()
    verify(secret, raw, x_calmline_timestamp, x_calmline_signature,
           tolerance=state.settings.webhook_tolerance_seconds)
    try:
        event = WebhookEvent.model_validate(json.loads(raw))
    except (json.JSONDecodeError, UnicodeDecodeError, ValidationError) as exc:
        raise InputError(f"not a valid message event: {str(exc)[:500]}") from exc
    posted = await run_in_threadpool(_handle, state, event, raw, suggestions)
    # validated already: skip FastAPI's second validation and serialisation of this large body
    return Response(posted.model_dump_json(), status_code=201,  # type: ignore[return-value]
                    media_type="application/json")


def _handle(state: AppState, event: WebhookEvent, raw: bytes, suggestions: bool) -> MessagePosted:
    user = _service_user(state)
    once = idempotency.Idempotency(
        user.id, f"event:{event.event_id}",
        idempotency.fingerprint("POST", "webhook-event", "", raw), idempotency.ttl_of(state))
    with (state.readers or state.sessions)() as session:
        once.replay_if_answered(session)  # a redelivery: answered before any work
    conversation_id = _conversation_id(state, event, user)
    body = MessageCreate(role=event.role, text=event.text, time=event.time, author=event.author,
                         channel=event.channel)
    return intake.post_message(state, user, conversation_id=conversation_id, body=body, idem=once,
                               with_suggestions=suggestions)
