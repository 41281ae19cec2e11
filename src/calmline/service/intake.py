"""Posting a message: analyse (outside the transaction), record everything (inside), answer.

The message is analysed in the context of the case's last `COACH_TURNS` turns (read with the anger
scores already stored), the same turns the coach reads for the stage and next move, so a long case
costs the same per message as a short one.

Analysing outside the transaction keeps the write lock short (a few milliseconds), at one cost:
two messages posted to the same case at the same instant are each analysed without the other.
Both are stored, in the order their transactions commit, each exactly once.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from calmline.cases import audit, conversations, db
from calmline.cases.errors import ConflictError, TooLargeError
from calmline.cases.escalations import Reason
from calmline.cases.followups import is_overdue
from calmline.cases.intake import Incoming, Recorded, record_message
from calmline.cases.models import Message, utcnow
from calmline.engine.analysis import Analysis
from calmline.engine.budget import Budget
from calmline.engine.case_reading import CaseRules
from calmline.service import coaching
from calmline.service.deps import AppState, User, check_owner
from calmline.service.idempotency import Idempotency
from calmline.service.readings import stored_reading, with_stored_readings
from calmline.service.schemas import (
    EscalationPublic,
    FollowUpProposal,
    FollowUpPublic,
    MessageCreate,
    MessagePosted,
    Suggestion,
)

COACH_TURNS = 30


def check_length(state: AppState, text: str, what: str = "text") -> None:
    limit = state.settings.max_text_chars
    if len(text) > limit:
        raise TooLargeError(f"{what} is {len(text)} characters long; the limit is {limit}")


def message_turn(message: Message) -> dict[str, Any]:
    """A stored message as the turn the engine reads (role, text, time, the anger stored), with
    the reading stored with it for an engine that has not read it (`readings.stored_reading`)."""
    turn = {"role": message.role, "text": message.text, "time": message.time,
            "anger": message.anger_score}
    return turn | {"stored": partial(stored_reading, message.analysis)} if message.analysis else turn


def reasons_of(analysis: Analysis) -> list[Reason]:
    return [Reason(r.route, r.trigger, r.reason,
                   {"spans": [{"start": e.start, "end": e.end, "text": e.text} for e in r.evidence]})
            for r in analysis.escalate.reasons if r.route != "none"]


def post_message(state: AppState, user: User, *, conversation_id: int, body: MessageCreate,
                 with_suggestions: bool = True, actor_id: int | None = None,
                 idem: Idempotency | None = None, in_time_order: bool = False,
                 send_guard: bool = False) -> MessagePosted:
    """`in_time_order`: the message goes before any stored one with a later `time` (a helpdesk's
    events may arrive out of order); otherwise it is the case's last, as it arrived.

    `send_guard` (the API's own message POST): an agent reply the coach blocks is refused (409)
    unless it carries an `override_reason`; the override is audited. A helpdesk's event reports a
    reply already sent: it is stored, and a blocked one is audited as sent while blocked."""
    check_length(state, body.text)
    readers = state.readers or state.sessions
    with db.connect(readers) as connection:  # one statement, no session: the cost of every post
        owner, status, turns = conversations.case_window(connection, conversation_id=conversation_id,
                                                         last=COACH_TURNS)
    check_owner(user, conversation_id, owner)
    if status == "closed":
        raise ConflictError(f"conversation {conversation_id} is closed")
    history = with_stored_readings(readers, turns)
    time = body.time or utcnow()
    guarded = _guard(state, body, history, conversation_id, send_guard)
    turn = {"role": body.role, "text": body.text, "time": time}
    assessment = coaching.assess(state.engine, [*history, turn], with_suggestions=with_suggestions,
                                 key=conversation_id,
                                 budget=Budget(state.settings.work_seconds),
                                 name=body.author if body.role == "customer" else None)
    incoming = replace(_read(state, body, time, assessment.latest), stage=assessment.stage)
    rules = CaseRules.from_playbook(state.analyzer.playbook)

    def record(session: Session) -> Recorded:
        done = record_message(session, conversation_id=conversation_id, incoming=incoming,
                              actor_id=actor_id if actor_id is not None else user.id,
                              policy=state.policy,
                              followup_due=timedelta(hours=state.settings.followup_default_hours),
                              rules=rules)
        if in_time_order and body.time is not None:
            done.message.seq = conversations.place_by_time(
                session, conversation_id=conversation_id, message_id=done.message.id,
                seq=done.message.seq, time=time)
        if guarded is not None:
            audit.record(session, actor_id=user.id, entity="message", entity_id=done.message.id,
                         action=guarded[0], detail=guarded[1])
        return done

    if idem is None or idem.key is None:  # the hot path: the answer is built after the commit
        return _answer(db.write_with_retry(state.sessions, record), assessment)
    # an idempotency key records the answer with the message: it is built inside the transaction
    return idem.run(state.sessions, lambda session: _answer(record(session), assessment))


def _answer(done: Recorded, assessment: coaching.Assessment) -> MessagePosted:
    now = utcnow()
    # the stored message is validated once (its analysis is most of the answer); the rest are
    # models validated here, set on it as they are
    return MessagePosted.model_validate(done.message).model_copy(update={
        "outcome": assessment.outcome, "moment": assessment.moment,
        "next_move": assessment.next_move,
        "suggestions": [Suggestion.model_validate(s) for s in assessment.suggestions],
        "escalations": [EscalationPublic.model_validate(e) for e in done.escalations],
        "followups": [FollowUpPublic.model_validate(f).model_copy(update={"overdue": is_overdue(f, now)})
                      for f in done.followups],
        "proposed_followups": [FollowUpProposal(what=p.what, due=p.due, due_text=p.due_text,
                                                evidence=p.evidence) for p in done.proposed]})


def _guard(state: AppState, body: MessageCreate, history: list[dict[str, Any]], conversation_id: int,
           send_guard: bool) -> tuple[str, dict[str, Any]] | None:
    """(audit action, detail) for an agent reply the coach blocks, None for any other message;
    raises ConflictError for a blocked reply posted through the API without an override."""
    if body.role != "agent":
        return None
    review = coaching.review(state.engine, body.text, history, key=conversation_id,
                             budget=Budget(state.settings.work_seconds))
    if review.get("verdict") != "blocked":
        return None
    detail: dict[str, Any] = {"reasons": review.get("reasons", []), "score": review.get("score"),
                              "anti_patterns": [a["label"] for a in review.get("anti_patterns", [])]}
    reason = (body.override_reason or "").strip()
    if reason:
        return "sent_over_guard", {**detail, "override_reason": reason}
    if send_guard:
        raise ConflictError("the coach blocks this reply (" + "; ".join(detail["reasons"])
                            + "): change it, or send it as it is with an `override_reason`")
    return "sent_while_blocked", detail


def _read(state: AppState, body: MessageCreate, time: datetime, analysis: Analysis | None
          ) -> Incoming:
    """What to store with the message: a customer's analysis (with the escalations it calls for),
    or the promises in an agent's message (which become follow-ups)."""
    base = Incoming(role=body.role, text=body.text, channel=body.channel, author=body.author,
                    time=time)
    if body.role == "agent":
        promises = coaching.promises(state.engine, body.text, time) if state.settings.auto_followups else []
        return replace(base, promises=promises, propose=body.followups == "propose")
    if analysis is None:  # no coach installed: analyse the message on its own
        analysis = coaching.analyze(state.engine, body.text, [], time)
    return replace(base, analysis=analysis.to_dict(), anger_score=analysis.anger.score,
                   anger_level=analysis.anger.level, abuse=analysis.flag("abuse") is not None,
                   escalations=reasons_of(analysis))
