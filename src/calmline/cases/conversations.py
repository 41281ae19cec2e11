"""Conversations (cases): create, find, list with filters, close with an outcome."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection, Exists, Integer, bindparam, case, exists, func, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, lazyload

from calmline.cases import audit
from calmline.cases.db import table_of
from calmline.cases.errors import ConflictError, NotFoundError
from calmline.cases.models import Conversation, Customer, Escalation, FollowUp, Message, utcnow

Outcome = Literal["resolved", "escalated", "abandoned", "transferred"]


def customer_for(session: Session, *, external_id: str | None, name: str | None) -> Customer | None:
    """The customer with this external id (created on first sight), or a new anonymous one.

    Two transactions seeing a new external id at once both insert it; the loser's insert (in a
    savepoint) fails on the unique id once the winner commits, and it uses the winner's row."""
    if external_id is None and name is None:
        return None
    if external_id is not None:
        found = _customer_by_external_id(session, external_id)
        if found is not None:
            return found
    customer = Customer(external_id=external_id, name=name)
    try:
        with session.begin_nested():
            session.add(customer)
            session.flush()
    except IntegrityError:
        found = _customer_by_external_id(session, external_id) if external_id else None
        if found is None:
            raise
        return found
    return customer


def _customer_by_external_id(session: Session, external_id: str) -> Customer | None:
    return session.scalar(select(Customer).where(Customer.external_id == external_id))


def create_conversation(session: Session, *, agent_id: int | None, channel: str = "chat",
                        subject: str | None = None, customer_external_id: str | None = None,
                        customer_name: str | None = None, external_id: str | None = None,
                        actor_id: int | None = None) -> Conversation:
    """A new case. A helpdesk id (`external_id`) names at most one case (ConflictError)."""
    if external_id is not None:
        existing = by_external_id(session, external_id=external_id)
        if existing is not None:
            raise ConflictError(f"conversation {existing.id} already has the external id {external_id!r}")
    customer = customer_for(session, external_id=customer_external_id, name=customer_name)
    conversation = Conversation(agent_id=agent_id, channel=channel, subject=subject,
                                customer_id=customer.id if customer else None,
                                external_id=external_id)
    session.add(conversation)
    session.flush()
    audit.record(session, actor_id=actor_id, entity="conversation", entity_id=conversation.id,
                 action="created", detail={"agent_id": agent_id, "channel": channel})
    return conversation


def conversation_for(session: Session, *, external_id: str, agent_id: Callable[[], int | None],
                     channel: str = "chat", customer_external_id: str | None = None,
                     customer_name: str | None = None, actor_id: int | None = None) -> Conversation:
    """The case with this helpdesk id, opened (owned by `agent_id()`) if there is none yet.

    Safe under concurrent first events: the create runs in a savepoint, and when a concurrent
    transaction opened the case first (the unique external id, or the check in
    `create_conversation`, says so) this one rolls back to the savepoint and uses that case."""
    found = by_external_id(session, external_id=external_id)
    if found is not None:
        return found
    try:
        with session.begin_nested():
            return create_conversation(
                session, agent_id=agent_id(), channel=channel, external_id=external_id,
                customer_external_id=customer_external_id, customer_name=customer_name,
                actor_id=actor_id)
    except (IntegrityError, ConflictError):
        found = by_external_id(session, external_id=external_id)
        if found is None:
            raise
        return found


def get_conversation(session: Session, *, conversation_id: int, for_update: bool = False
                     ) -> Conversation:
    query = select(Conversation).where(Conversation.id == conversation_id)
    if for_update:
        # PostgreSQL: writers to one conversation queue here; SQLite already holds the db lock.
        # Writers need none of the joined rows: skip the joins (customer, agent load on access).
        query = (query.options(lazyload("*")).with_for_update(of=Conversation)
                 .execution_options(populate_existing=True))
    conversation = session.scalars(query).unique().one_or_none()
    if conversation is None:
        raise NotFoundError(f"no conversation with id {conversation_id}")
    return conversation


# the two reads of every message post, prebuilt (a statement built per call costs more than it)
_CASES, _MESSAGES = table_of(Conversation), table_of(Message)
_OWNER = (select(_CASES.c.agent_id, _CASES.c.status)
          .where(_CASES.c.id == bindparam("case_id", type_=Integer())))
_TURNS = (select(_MESSAGES.c.id, _MESSAGES.c.role, _MESSAGES.c.text, _MESSAGES.c.time,
                 _MESSAGES.c.anger_score)
          .where(_MESSAGES.c.conversation_id == bindparam("case_id", type_=Integer()))
          .order_by(_MESSAGES.c.seq.desc()).limit(bindparam("last", type_=Integer())))
# both in one statement for a message post: the case's owner and status, and its last turns (one
# row per turn, or one row of NULL turn columns for a case with no messages yet)
_WINDOW = (select(_MESSAGES.c.id, _MESSAGES.c.role, _MESSAGES.c.text, _MESSAGES.c.time,
                  _MESSAGES.c.anger_score, _MESSAGES.c.seq)
           .where(_MESSAGES.c.conversation_id == bindparam("case_id", type_=Integer()))
           .order_by(_MESSAGES.c.seq.desc()).limit(bindparam("last", type_=Integer()))
           .subquery("window"))
_CASE_WINDOW = (select(_CASES.c.agent_id, _CASES.c.status, _WINDOW.c.id, _WINDOW.c.role,
                       _WINDOW.c.text, _WINDOW.c.time, _WINDOW.c.anger_score)
                .select_from(_CASES.outerjoin(_WINDOW, true()))
                .where(_CASES.c.id == bindparam("case_id", type_=Integer()))
                .order_by(_WINDOW.c.seq))
_ANALYSES = (select(_MESSAGES.c.id, _MESSAGES.c.analysis)
             .where(_MESSAGES.c.id.in_(bindparam("ids", expanding=True)))
             .where(_MESSAGES.c.analysis.is_not(None)))


def owner_and_status(session: Session, *, conversation_id: int) -> tuple[int | None, str]:
    """The owning agent and status alone: what a writer checks before the work (no joins)."""
    row = session.connection().execute(_OWNER, {"case_id": conversation_id}).one_or_none()
    if row is None:
        raise NotFoundError(f"no conversation with id {conversation_id}")
    return row[0], row[1]


def by_external_id(session: Session, *, external_id: str) -> Conversation | None:
    return session.scalars(
        select(Conversation).where(Conversation.external_id == external_id)).unique().one_or_none()


def messages_of(session: Session, *, conversation_id: int, last: int | None = None
                ) -> Sequence[Message]:
    """The conversation's messages in order (only the `last` ones when given)."""
    if last is None:
        query = select(Message).where(Message.conversation_id == conversation_id).order_by(Message.seq)
        return session.scalars(query).all()
    query = (select(Message).where(Message.conversation_id == conversation_id)
             .order_by(Message.seq.desc()).limit(last))
    return list(reversed(session.scalars(query).all()))


def recent_turns(session: Session, *, conversation_id: int, last: int) -> list[dict[str, Any]]:
    """The last `last` turns as the engine reads them (message id, role, text, time, stored anger
    score), in order: only those columns are read, not the stored analyses (the cost of every
    message post); `stored_analyses` fetches those when the engine needs them."""
    rows = session.connection().execute(_TURNS, {"case_id": conversation_id, "last": last}).all()
    return [{"id": id_, "role": role, "text": text, "time": time, "anger": anger}
            for id_, role, text, time, anger in reversed(rows)]


def case_window(connection: Connection, *, conversation_id: int, last: int
                ) -> tuple[int | None, str, list[dict[str, Any]]]:
    """`owner_and_status` and `recent_turns` in one statement, on a plain Core connection: the
    reads of every message post (a session and a second statement cost more than the reads)."""
    rows = connection.execute(_CASE_WINDOW, {"case_id": conversation_id, "last": last}).all()
    if not rows:
        raise NotFoundError(f"no conversation with id {conversation_id}")
    turns = [{"id": id_, "role": role, "text": text, "time": time, "anger": anger}
             for _, _, id_, role, text, time, anger in rows if id_ is not None]
    return rows[0][0], rows[0][1], turns


def stored_analyses(session: Session, *, message_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The analyses stored with these messages (customer messages have one), by message id."""
    if not message_ids:
        return {}
    rows = session.connection().execute(_ANALYSES, {"ids": list(message_ids)}).all()
    return {id_: analysis for id_, analysis in rows}


def _overdue_clause(now: datetime) -> Exists:
    return exists().where(FollowUp.conversation_id == Conversation.id, FollowUp.status == "open",
                          FollowUp.due.is_not(None), FollowUp.due < now)


def _open_escalation_clause(routes: Sequence[str] | None = None) -> Exists:
    clause = exists().where(Escalation.conversation_id == Conversation.id,
                            Escalation.status != "resolved")
    return clause.where(Escalation.route.in_(list(routes))) if routes is not None else clause


def list_conversations(session: Session, *, agent_id: int | None = None, status: str | None = None,
                       anger_level: str | None = None, escalated: bool | None = None,
                       overdue: bool | None = None, order: str = "recent", limit: int = 50,
                       offset: int = 0, now: datetime | None = None,
                       danger_routes: Sequence[str] = (), external_id: str | None = None
                       ) -> Sequence[Conversation]:
    """Cases matching the filters. `anger_level` is the case's (decayed) level. "hottest" puts
    cases with an unresolved escalation to a danger route first (PLAYBOOK §2: danger outranks
    everything: a quiet self-harm message before a loud complaint), then any other unresolved
    escalation, then the hottest case reading (the peak carried forward and fading, not the last
    message's anger), newest first among equals. `external_id` finds the case of one helpdesk
    conversation (at most one: the id is unique)."""
    query = select(Conversation)
    if external_id is not None:
        query = query.where(Conversation.external_id == external_id)
    if agent_id is not None:
        query = query.where(Conversation.agent_id == agent_id)
    if status is not None:
        query = query.where(Conversation.status == status)
    if anger_level is not None:
        query = query.where(Conversation.anger_level == anger_level)
    if escalated is not None:
        query = query.where(Conversation.escalated.is_(escalated))
    if overdue is not None:
        clause = _overdue_clause(now or utcnow())
        query = query.where(clause if overdue else ~clause)
    if order == "hottest":
        escalated_now = case((_open_escalation_clause(danger_routes), 2),
                             (_open_escalation_clause(), 1), else_=0)
        query = query.order_by(escalated_now.desc(), Conversation.anger_score.desc(),
                               Conversation.id.desc())
    else:
        query = query.order_by(Conversation.updated_at.desc(), Conversation.id.desc())
    return session.scalars(query.limit(limit).offset(offset)).unique().all()


def close_conversation(session: Session, *, conversation_id: int, outcome: Outcome,
                       reason: str | None = None, actor_id: int | None = None) -> Conversation:
    """Close a case. Closing as resolved with open follow-ups needs a reason (it is recorded)."""
    conversation = get_conversation(session, conversation_id=conversation_id, for_update=True)
    if conversation.status == "closed":
        raise ConflictError(f"conversation {conversation_id} is already closed")
    open_followups = session.scalar(
        select(FollowUp.id).where(FollowUp.conversation_id == conversation_id,
                                  FollowUp.status == "open").limit(1))
    if outcome == "resolved" and open_followups is not None and not (reason or "").strip():
        raise ConflictError("this conversation has open follow-ups: complete them, or give a reason "
                            "to close it as resolved anyway")
    conversation.status = "closed"
    conversation.outcome = outcome
    conversation.close_reason = reason
    conversation.closed_at = conversation.updated_at = utcnow()
    audit.record(session, actor_id=actor_id, entity="conversation", entity_id=conversation_id,
                 action="closed", detail={"outcome": outcome, "reason": reason,
                                          "open_followups": open_followups is not None})
    return conversation


def reassign(session: Session, *, conversation_id: int, agent_id: int, actor_id: int,
             action: str = "reassigned") -> Conversation:
    """Give an open case to another user (`action` "taken_over" when the actor takes it).

    Giving a case to its current owner changes nothing and records nothing, so a retried request
    is harmless. Whether the new owner may take more (a breather) is the caller's check."""
    conversation = get_conversation(session, conversation_id=conversation_id, for_update=True)
    if conversation.status == "closed":
        raise ConflictError(f"conversation {conversation_id} is closed")
    if conversation.agent_id == agent_id:
        return conversation
    previous = conversation.agent_id
    conversation.agent_id = agent_id
    conversation.updated_at = utcnow()
    audit.record(session, actor_id=actor_id, entity="conversation", entity_id=conversation_id,
                 action=action, detail={"from_agent_id": previous, "to_agent_id": agent_id})
    return conversation


def waiting_since(session: Session, *, conversation_ids: Sequence[int]) -> dict[int, datetime]:
    """For each case whose customer spoke last: the time of the first customer message nobody
    has answered yet (how long the customer has been waiting). Cases the agent answered last
    are absent."""
    if not conversation_ids:
        return {}
    answered = (select(func.coalesce(func.max(_AGENT.seq), 0))
                .where(_AGENT.conversation_id == Message.conversation_id, _AGENT.role == "agent")
                .scalar_subquery())
    query = (select(Message.conversation_id, func.min(Message.time))
             .where(Message.conversation_id.in_(list(conversation_ids)), Message.role == "customer",
                    Message.seq > answered)
             .group_by(Message.conversation_id))
    return {conv: when for conv, when in session.execute(query).all()}


_AGENT = aliased(Message)


def reopen_conversation(session: Session, *, conversation_id: int, actor_id: int | None = None
                        ) -> Conversation:
    """Open a closed case again (its helpdesk reopened it): the outcome is cleared, the close is
    kept in the audit trail. An open case is left as it is."""
    conversation = get_conversation(session, conversation_id=conversation_id, for_update=True)
    if conversation.status != "closed":
        return conversation
    previous = conversation.outcome
    conversation.status = "open"
    conversation.outcome = conversation.close_reason = conversation.closed_at = None
    conversation.updated_at = utcnow()
    audit.record(session, actor_id=actor_id, entity="conversation", entity_id=conversation_id,
                 action="reopened", detail={"previous_outcome": previous})
    return conversation


def last_message_time(session: Session, *, conversation_id: int) -> datetime | None:
    """When the case's latest message was written (its `time`), None before the first: what a
    helpdesk event is compared with to tell a late, older one from news."""
    table = _MESSAGES
    found: datetime | None = session.connection().scalar(
        select(func.max(table.c.time)).where(table.c.conversation_id == conversation_id))
    return found


def place_by_time(session: Session, *, conversation_id: int, message_id: int, seq: int,
                  time: datetime) -> int:
    """Move a just-appended message (the case's last, `seq`) back before the messages whose
    `time` is later, and return its seq: a helpdesk that delivers events out of order still gets
    the conversation in the order it happened. Messages at the same time keep arrival order.

    Runs in the appending transaction, which holds the case's row, so no writer sees the gap.
    The unique (conversation, seq) is checked row by row, so the later messages move through
    negative seqs: -seq first, then 1 - (-seq)."""
    table, connection = _MESSAGES, session.connection()
    mine = table.c.conversation_id == conversation_id
    first_later = connection.scalar(
        select(func.min(table.c.seq)).where(mine, table.c.seq < seq, table.c.time > time))
    if first_later is None:
        return seq
    connection.execute(update(table).where(mine, table.c.seq >= first_later, table.c.seq <= seq)
                       .values(seq=-table.c.seq))
    connection.execute(update(table).where(table.c.id == message_id).values(seq=first_later))
    connection.execute(update(table).where(mine, table.c.seq < 0).values(seq=1 - table.c.seq))
    return int(first_later)
