"""Recording one message and everything it sets off, in the caller's transaction.

The caller (the service) analyses the text first, outside any transaction; `record_message` then
claims the case's next seq (locking its row), appends the message, opens the escalations the analysis calls
for (one per route, with all of its reasons), files the agent's promises as follow-ups, adds the
customer's hostility to the agent's stress load and advances the case's reading (peak and decayed
anger, trend, open wants and flags). Either all of it is stored or none of it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from calmline.cases import audit
from calmline.cases.escalations import Reason, merge_reasons, raise_escalation
from calmline.cases.followups import Promise, from_promises, with_due
from calmline.cases.messages import append_message
from calmline.cases.models import Escalation, FollowUp, Message
from calmline.cases.reading import record_turn
from calmline.cases.wellbeing import WellbeingPolicy, record_stress
from calmline.engine.case_reading import CaseReading, CaseRules, CaseTurn, default_rules


@dataclass(frozen=True, slots=True)
class Incoming:
    """A message with what the engine read in it (analysis for customers, promises for agents)."""

    role: str
    text: str
    channel: str | None = None
    author: str | None = None
    time: datetime | None = None
    analysis: dict[str, Any] | None = None
    anger_score: float | None = None
    anger_level: str | None = None
    abuse: bool = False
    escalations: Sequence[Reason] = ()
    promises: Sequence[Promise] = ()
    stage: str | None = None
    propose: bool = False  # return the promises for the agent to confirm, file none


@dataclass(slots=True)
class Recorded:
    message: Message
    escalations: list[Escalation] = field(default_factory=list)
    followups: list[FollowUp] = field(default_factory=list)
    proposed: list[Promise] = field(default_factory=list)
    reading: CaseReading | None = None


def record_message(session: Session, *, conversation_id: int, incoming: Incoming,
                   actor_id: int | None, policy: WellbeingPolicy,
                   followup_due: timedelta = timedelta(hours=24),
                   rules: CaseRules | None = None) -> Recorded:
    """Store the message and what it sets off; `rules` (the playbook's case reading, the packaged
    one by default) say how the case's anger fades."""
    message, owner, stored = append_message(
        session, conversation_id=conversation_id, role=incoming.role, text=incoming.text,
        channel=incoming.channel, author=incoming.author,
        author_id=actor_id if incoming.role == "agent" else None, time=incoming.time,
        analysis=incoming.analysis, anger_score=incoming.anger_score,
        anger_level=incoming.anger_level, stage=incoming.stage)
    audit.record_now(session, actor_id=actor_id, entity="message", entity_id=message.id,
                     action="added", detail={"conversation_id": conversation_id, "seq": message.seq,
                                             "role": incoming.role, "stage": incoming.stage})
    done = Recorded(message)
    for reason in merge_reasons(incoming.escalations):
        escalation = raise_escalation(session, conversation_id=conversation_id, reason=reason,
                                      message_id=message.id)
        if escalation is not None:
            done.escalations.append(escalation)
    if incoming.role == "agent" and incoming.promises and incoming.propose:
        done.proposed = with_due(incoming.promises, default_due=followup_due, now=message.time)
    elif incoming.role == "agent" and incoming.promises:
        done.followups = from_promises(
            session, conversation_id=conversation_id, promises=incoming.promises,
            owner_id=owner or actor_id, message_id=message.id,
            default_due=followup_due, actor_id=actor_id)
    if incoming.role == "customer":
        record_stress(session, policy=policy, agent_id=owner,
                      anger=incoming.anger_score, abuse=incoming.abuse,
                      conversation_id=conversation_id, message_id=message.id, time=message.time)
    turn = CaseTurn.from_stored(incoming.role, time=message.time, score=incoming.anger_score,
                                analysis=incoming.analysis)
    done.reading = record_turn(session, conversation_id=conversation_id, turn=turn,
                               rules=rules or default_rules(), claimed=(stored, message.seq))
    return done
