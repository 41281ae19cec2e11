"""Generic inbound webhook: a helpdesk posts message events, signed with HMAC-SHA256.

The signature is `X-Calmline-Signature: sha256=<hex of HMAC-SHA256(secret, raw body)>`. The
conversation is found (or opened) by the helpdesk's id and owned by routing's pick; the message
goes through exactly the same path as `POST /v1/conversations/{id}/messages`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Annotated

from fastapi import APIRouter, Header, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from calmline.cases import agents as agent_repo
from calmline.cases import conversations as repo
from calmline.cases import db, wellbeing
from calmline.cases.errors import AuthenticationError, ConflictError, NotFoundError
from calmline.errors import InputError
from calmline.service import intake
from calmline.service.deps import AppState, StateDep, User
from calmline.service.routers import ERRORS
from calmline.service.schemas import MessageCreate, MessagePosted, WebhookEvent

router = APIRouter(prefix="/webhooks", tags=["webhooks"], responses=ERRORS)


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _service_user(state: AppState) -> User:
    """The user the webhook acts as (created on first use; its key is never shown or needed)."""
    name = state.settings.webhook_agent

    def work(session: Session) -> User:
        agent = agent_repo.agent_by_name(session, name=name)
        if agent is None:
            agent, _key = agent_repo.create_agent(session, name=name, role="supervisor")
        return User(agent.id, agent.name, agent.role)

    try:
        return db.write_with_retry(state.sessions, work)
    except ConflictError:  # a concurrent first event created it: use that one
        return db.write_with_retry(state.sessions, work)


def _conversation_id(state: AppState, event: WebhookEvent, user: User) -> int:
    def work(session: Session) -> int:
        found = repo.by_external_id(session, external_id=event.conversation)
        if found is not None:
            return found.id
        owner = wellbeing.pick_agent(session, policy=state.policy)
        case = repo.create_conversation(
            session, agent_id=owner, channel=event.channel, external_id=event.conversation,
            customer_external_id=event.customer.external_id if event.customer else None,
            customer_name=event.customer.name if event.customer else None, actor_id=user.id)
        return case.id

    return db.write_with_retry(state.sessions, work)


@router.post("/messages", status_code=201, response_model=MessagePosted)
async def message_event(request: Request, state: StateDep,
                        x_calmline_signature: Annotated[str | None, Header()] = None
                        ) -> MessagePosted:
    """One message event from a helpdesk (`WebhookEvent` JSON), verified by its signature."""
    secret = state.settings.webhook_secret
    if not secret:
        raise NotFoundError("the webhook is disabled: set CALMLINE_WEBHOOK_SECRET to enable it")
    raw = await request.body()
    if not x_calmline_signature or not hmac.compare_digest(sign(secret, raw), x_calmline_signature):
        raise AuthenticationError("missing or wrong X-Calmline-Signature")
    try:
        event = WebhookEvent.model_validate(json.loads(raw))
    except (json.JSONDecodeError, UnicodeDecodeError, ValidationError) as exc:
        raise InputError(f"not a valid message event: {str(exc)[:500]}") from exc
    return await run_in_threadpool(_handle, state, event)


def _handle(state: AppState, event: WebhookEvent) -> MessagePosted:
    user = _service_user(state)
    conversation_id = _conversation_id(state, event, user)
    body = MessageCreate(role=event.role, text=event.text, time=event.time, author=event.author,
                         channel=event.channel)
    return intake.post_message(state, user, conversation_id=conversation_id, body=body)
