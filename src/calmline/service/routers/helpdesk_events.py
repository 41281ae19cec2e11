"""A helpdesk's event taken into calmline, the same way for Chatwoot and Zendesk.

It re-uses the generic webhook's machinery rather than copying it: the events act as its service
user (`webhook_agent`; deactivated, the intake answers 403), the helpdesk's message id is the
idempotency key recorded in the message's own transaction (a redelivery gets the first answer and
stores nothing), `conversation_for()` opens the case once however many first events race, and the
message goes through `intake.post_message`, here placed by the helpdesk's time so that events
delivered out of order still make the conversation in the order it happened.

After a commit, the helpdesk actions (`ActionSink`, built by the app factory) are queued: the note,
tags and priority when the message opened escalations, the summary when the helpdesk closed the
case. Queuing never blocks, and any failure there is logged, never answered: the intake goes on.

Every refused event is logged as one line with the helpdesk, the event and the reason; every
skipped one (a private note, a bot's message) with its reason. Never the message's text.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from fastapi import Request
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.orm import Session

from calmline.cases import agents as agent_repo
from calmline.cases import conversations as repo
from calmline.cases import db, limits, wellbeing
from calmline.cases.errors import ConflictError, NotFoundError
from calmline.cases.escalations import Reason
from calmline.cases.summary import build_summary
from calmline.errors import CalmlineError, InputError
from calmline.integrations import signatures
from calmline.integrations.actions import ActionSink
from calmline.integrations.events import HelpdeskEvent, MessageIn
from calmline.integrations.notes import HelpdeskCase
from calmline.service import idempotency, intake
from calmline.service.deps import AppState, User
from calmline.service.routers.webhooks import _service_user
from calmline.service.schemas import EscalationPublic, MessageCreate, MessagePosted

log = logging.getLogger("calmline.integrations.intake")
SINK = "helpdesk_sink"  # the app.state attribute the app factory puts the ActionSink on


class HelpdeskAnswer(BaseModel):
    """What calmline did with one helpdesk event."""

    conversation_id: int | None = Field(None, description="calmline's case, when the event has one")
    message: Literal["stored", "replayed", "skipped"] | None = Field(
        None, description="stored; replayed: a redelivery, stored the first time and not again")
    message_id: int | None = None
    status: Literal["closed", "reopened", "unchanged"] | None = None
    assignee: Literal["assigned", "unknown", "unchanged"] | None = Field(
        None, description="unknown: no active calmline user has the helpdesk agent's name or "
                          "email, so the case keeps its owner")
    skipped: str | None = Field(None, description="why nothing was taken from the event")
    escalations: int = Field(0, description="escalations the message opened")


def sink_of(request: Request) -> ActionSink | None:
    sink: ActionSink | None = getattr(request.app.state, SINK, None)
    return sink


def refused(helpdesk: str, kind: str, exc: Exception) -> None:
    """One log line for a refused event: the reason is calmline's own message, never the text."""
    log.warning("helpdesk event refused: helpdesk=%s event=%s reason=%s: %s", helpdesk, kind,
                type(exc).__name__, str(exc)[:300])


async def read_payload(request: Request, helpdesk: str, secret: str, timestamp: str | None,
                       signature: str | None, tolerance: int) -> tuple[bytes, Any]:
    """The verified body and its JSON; refused (and logged) when unsigned, badly signed, too old
    or not JSON."""
    raw = await request.body()
    try:
        if not secret:
            raise NotFoundError(f"the {helpdesk} intake is off: set "
                                f"CALMLINE_{helpdesk.upper()}_WEBHOOK_SECRET to the webhook's secret")
        signatures.verify(helpdesk, secret, raw, timestamp, signature, tolerance=tolerance)
        try:
            return raw, json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"a {helpdesk} event is JSON; this body is not") from exc
    except CalmlineError as exc:
        refused(helpdesk, "?", exc)
        raise


def handle(state: AppState, sink: ActionSink | None, event: HelpdeskEvent) -> HelpdeskAnswer:
    """Do what the event asks (the message, the assignee, the status, in that order); refusals
    are logged and raised, a skipped event logged and answered."""
    if event.skipped and not event.external_id:
        _skipped(event)
        return HelpdeskAnswer(skipped=event.skipped)
    try:
        return _handle(state, sink, event)
    except CalmlineError as exc:
        refused(event.helpdesk, event.kind, exc)
        raise


def _skipped(event: HelpdeskEvent) -> None:
    log.info("helpdesk event skipped: helpdesk=%s event=%s conversation=%s reason=%s",
             event.helpdesk, event.kind, event.ref or "-", event.skipped)


def _handle(state: AppState, sink: ActionSink | None, event: HelpdeskEvent) -> HelpdeskAnswer:
    user = _service_user(state)
    answer = HelpdeskAnswer()
    if event.skipped:
        _skipped(event)
        answer.skipped = event.skipped
        if event.message is not None:
            answer.message = "skipped"
        answer.conversation_id = _existing(state, event)
        return answer
    if event.message is not None:
        _message(state, sink, user, event, event.message, answer)
    if event.assignee or event.kind == "conversation_updated":
        _assignee(state, user, event, answer)
    if event.status is not None:
        _status(state, sink, user, event, answer)
    return answer


def _existing(state: AppState, event: HelpdeskEvent) -> int | None:
    with (state.readers or state.sessions)() as session:
        found = repo.by_external_id(session, external_id=event.external_id)
        return found.id if found is not None else None


def _agent_named(session: Session, names: Sequence[str]) -> int | None:
    """The active calmline user with one of these names (the helpdesk agent's name or email)."""
    for name in names:
        agent = agent_repo.agent_by_name(session, name=name)
        if agent is not None and agent.active:
            return agent.id
    return None


def _case(state: AppState, user: User, event: HelpdeskEvent) -> int:
    """The event's case, opened on the first event: owned by the helpdesk's assignee when a
    calmline user has that name, else by routing's pick."""
    customer = event.customer

    def work(session: Session) -> int:
        def owner() -> int | None:
            return _agent_named(session, event.assignee) or wellbeing.pick_agent(
                session, policy=state.policy)

        case = repo.conversation_for(
            session, external_id=event.external_id, agent_id=owner, channel=event.channel,
            customer_external_id=customer.external_id if customer else None,
            customer_name=customer.name if customer else None, actor_id=user.id)
        return case.id

    return db.write_with_retry(state.sessions, work)


def _body(event: HelpdeskEvent, message: MessageIn) -> MessageCreate:
    try:
        return MessageCreate.model_validate({
            "role": message.role, "text": message.text, "time": message.time,
            "author": (message.author or "")[:limits.NAME] or None, "channel": event.channel})
    except ValidationError as exc:  # its messages would quote the text: name the fields only
        fields = ", ".join(".".join(str(p) for p in e["loc"]) or "message" for e in exc.errors())
        raise InputError(f"the message cannot be stored: bad {fields}") from None


def _message(state: AppState, sink: ActionSink | None, user: User, event: HelpdeskEvent,
             message: MessageIn, answer: HelpdeskAnswer) -> None:
    body = _body(event, message)
    once = idempotency.Idempotency(
        user.id, f"{event.helpdesk}:{message.key}",
        idempotency.fingerprint("POST", event.helpdesk, event.external_id,
                                json.dumps([message.role, message.text]).encode()),
        idempotency.ttl_of(state))
    try:
        with (state.readers or state.sessions)() as session:
            once.replay_if_answered(session)  # a redelivery: answered before any work
        answer.conversation_id = _case(state, user, event)
        posted = _post(state, user, answer.conversation_id, body, once)
    except idempotency.Replayed as replay:
        answer.message, answer.message_id = "replayed", replay.answer.body.get("id")
        answer.conversation_id = replay.answer.body.get("conversation_id")
        return
    answer.message, answer.message_id = "stored", posted.id
    answer.escalations = len(posted.escalations)
    if posted.escalations:
        _escalated(state, sink, event, answer.conversation_id, posted.escalations)


def _post(state: AppState, user: User, conversation_id: int, body: MessageCreate,
          once: idempotency.Idempotency) -> MessagePosted:
    """Post the message; one that arrives for a case the helpdesk has since closed (a late
    delivery, or the customer writing again) opens it, and a late one closes it again after."""
    try:
        return intake.post_message(state, user, conversation_id=conversation_id, body=body,
                                   with_suggestions=False, idem=once, in_time_order=True)
    except ConflictError:
        closed = _closed_state(state, conversation_id)
        if closed is None:
            raise
    outcome, reason, closed_at = closed
    db.write_with_retry(state.sessions, lambda s: repo.reopen_conversation(
        s, conversation_id=conversation_id, actor_id=user.id))
    posted = intake.post_message(state, user, conversation_id=conversation_id, body=body,
                                 with_suggestions=False, idem=once, in_time_order=True)
    if body.time is not None and closed_at is not None and body.time <= closed_at:
        db.write_with_retry(state.sessions, lambda s: repo.close_conversation(
            s, conversation_id=conversation_id, outcome=outcome, reason=reason or "closed in the "
            "helpdesk", actor_id=user.id))
    return posted


def _closed_state(state: AppState, conversation_id: int) -> tuple[Any, str | None, datetime | None] | None:
    with (state.readers or state.sessions)() as session:
        case = repo.get_conversation(session, conversation_id=conversation_id)
        if case.status != "closed":
            return None
        return case.outcome or "resolved", case.close_reason, case.closed_at


def _assignee(state: AppState, user: User, event: HelpdeskEvent, answer: HelpdeskAnswer) -> None:
    def work(session: Session) -> str:
        case = repo.conversation_for(
            session, external_id=event.external_id,
            agent_id=lambda: _agent_named(session, event.assignee) or wellbeing.pick_agent(
                session, policy=state.policy), channel=event.channel, actor_id=user.id)
        answer.conversation_id = case.id
        agent_id = _agent_named(session, event.assignee)
        if agent_id is None:
            return "unknown"
        if agent_id == case.agent_id or case.status == "closed" or _stale(session, case.id, event):
            return "unchanged"
        repo.reassign(session, conversation_id=case.id, agent_id=agent_id, actor_id=user.id)
        return "assigned"

    done = db.write_with_retry(state.sessions, work)
    answer.assignee = "unknown" if done == "unknown" else done  # type: ignore[assignment]
    if done == "unknown":
        log.info("helpdesk assignee unknown: helpdesk=%s conversation=%s (no calmline user of that "
                 "name; the case keeps its owner)", event.helpdesk, event.ref)


def _stale(session: Session, conversation_id: int, event: HelpdeskEvent) -> bool:
    """An event older than the case's latest message: delivered late, its assignee is old news."""
    latest = repo.last_message_time(session, conversation_id=conversation_id)
    return event.time is not None and latest is not None and event.time < latest


def _status(state: AppState, sink: ActionSink | None, user: User, event: HelpdeskEvent,
            answer: HelpdeskAnswer) -> None:
    conversation_id = answer.conversation_id or _case(state, user, event)
    answer.conversation_id = conversation_id

    def work(session: Session) -> str:
        case = repo.get_conversation(session, conversation_id=conversation_id, for_update=True)
        if event.status == "closed" and case.status != "closed":
            repo.close_conversation(session, conversation_id=conversation_id,
                                    outcome=event.outcome or "resolved",  # type: ignore[arg-type]
                                    reason=f"{event.helpdesk}: {event.kind}", actor_id=user.id)
            return "closed"
        if event.status == "open" and case.status == "closed":
            if event.time and case.closed_at and event.time <= case.closed_at:
                return "unchanged"  # an older event delivered after the close: it stays closed
            repo.reopen_conversation(session, conversation_id=conversation_id, actor_id=user.id)
            return "reopened"
        return "unchanged"

    done = db.write_with_retry(state.sessions, work)
    answer.status = done  # type: ignore[assignment]
    if done == "closed":
        notify_closed(state, sink, conversation_id)


# -- the actions out: queued after the commit, never in the intake's way -----------------------
def helpdesk_case(state: AppState, conversation_id: int) -> HelpdeskCase | None:
    """The case as its helpdesk knows it, or None when it did not come from one."""
    with (state.readers or state.sessions)() as session:
        case = repo.get_conversation(session, conversation_id=conversation_id)
        parts = (case.external_id or "").split(":")
        if parts[0] == "chatwoot" and len(parts) == 3:
            ref = parts[2]
        elif parts[0] == "zendesk" and len(parts) == 2:
            ref = parts[1]
        else:
            return None
        return HelpdeskCase(parts[0], ref, case_id=case.id, anger_level=case.anger_level,
                            peak_anger=case.peak_anger)


def _escalated(state: AppState, sink: ActionSink | None, event: HelpdeskEvent,
               conversation_id: int, escalations: Sequence[EscalationPublic]) -> None:
    if sink is None:
        return
    try:
        case = helpdesk_case(state, conversation_id)
        if case is not None:
            sink.escalated(case, [Reason(e.route, e.trigger, e.reason, e.evidence)
                                  for e in escalations])
    except Exception:  # the actions must never fail the intake: the message is stored
        log.exception("helpdesk actions: queuing the escalation of case %s failed", conversation_id)


def notify_closed(state: AppState, sink: ActionSink | None, conversation_id: int) -> None:
    """Queue the summary note for a closed case that came from a helpdesk (the sink sends it
    only where the team switched `summary` on). Never raises."""
    if sink is None:
        return
    try:
        case = helpdesk_case(state, conversation_id)
        if case is None:
            return
        with (state.readers or state.sessions)() as session:
            summary = build_summary(session, conversation_id=conversation_id)
        sink.closed(case, summary)
    except Exception:
        log.exception("helpdesk actions: queuing the summary of case %s failed", conversation_id)
