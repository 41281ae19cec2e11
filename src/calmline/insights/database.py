"""Read the service's case store (calmline.cases) as threads, a page of conversations at a time.

Conversations are read in id order, `PAGE` at a time, each page in its own short read (keyset
paging on the conversation id), so memory stays bounded and no cursor or lock is held while the
engine analyses: the live service keeps writing while a report runs. The engine here is a plain
SQLAlchemy engine, not the service's writer engine (which opens every transaction with SQLite's
`BEGIN IMMEDIATE`, i.e. as a writer).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, create_engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from calmline.errors import InputError
from calmline.insights.model import ImportTally, Msg, Overdue, Role, Thread

PAGE = 500  # conversations per read
SOURCE = "database"


def display_url(url: str) -> str:
    """The URL with its password hidden, for the report and the progress line."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def reader_engine(url: str) -> Engine:
    """A plain engine for reading `url`; InputError when the URL or its driver is unusable."""
    try:
        return create_engine(url)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise InputError(f"not a usable database URL {display_url(url)!r}: {exc}") from exc


Row = tuple[int, str | None, int, str, str, datetime | None, str | None, str | None, str | None]


@dataclass(frozen=True, slots=True)
class Case:
    """What the store records about a case beyond its messages."""

    outcome: str  # "open" while open, else the outcome it was closed with
    overdue: tuple[Overdue, ...] = ()


def _cases(connection: Connection, ids: list[int], now: datetime) -> dict[int, Case]:
    """Each case's recorded outcome, and its open follow-ups whose due time has passed."""
    from calmline.cases.models import Agent, Conversation, FollowUp

    late: dict[int, list[Overdue]] = {}
    query = (select(FollowUp.conversation_id, Agent.name, FollowUp.due)
             .outerjoin(Agent, Agent.id == FollowUp.owner_id)
             .where(FollowUp.conversation_id.in_(ids), FollowUp.status == "open",
                    FollowUp.due.is_not(None), FollowUp.due < now)
             .order_by(FollowUp.conversation_id, FollowUp.id))
    for conversation, owner, due in connection.execute(query):
        late.setdefault(conversation, []).append(
            Overdue(owner or "(no owner)", max(0, (now - due).days) if due else 0))
    rows = connection.execute(select(Conversation.id, Conversation.status, Conversation.outcome)
                              .where(Conversation.id.in_(ids)))
    return {cid: Case("open" if status != "closed" else (outcome or "closed"), tuple(late.get(cid, ())))
            for cid, status, outcome in rows}


def _page(engine: Engine, after: int, now: datetime) -> tuple[int, list[Row], dict[int, Case]] | None:
    """The next PAGE conversation ids after `after`: the last of them, their messages and what the
    store recorded about each."""
    from calmline.cases.models import Agent, Conversation, Customer, Message

    with engine.connect() as connection:
        ids = list(connection.scalars(select(Conversation.id).where(Conversation.id > after)
                                      .order_by(Conversation.id).limit(PAGE)).all())
        if not ids:
            return None
        query = (select(Message.conversation_id, Conversation.external_id, Message.id,
                        Message.role, Message.text, Message.time,
                        func.coalesce(Message.author, Agent.name), Customer.external_id,
                        Conversation.customer_id)
                 .join(Conversation, Conversation.id == Message.conversation_id)
                 .outerjoin(Agent, Agent.id == Message.author_id)
                 .outerjoin(Customer, Customer.id == Conversation.customer_id)
                 .where(Message.conversation_id.in_(ids))
                 .order_by(Message.conversation_id, Message.seq))
        found = [(*row[:7], _customer(row[7], row[8])) for row in connection.execute(query)]
        cases = _cases(connection, ids, now)
        guarded = _guarded(connection, [row[2] for row in found])
        rows = [(*row, guarded.get(row[2])) for row in found]
    return ids[-1], rows, cases  # type: ignore[return-value]


GUARD_ACTIONS = ("sent_over_guard", "sent_while_blocked")  # service/intake.py audits these


def _guarded(connection: Connection, message_ids: list[int]) -> dict[int, str]:
    """The replies of these messages that went out although the coach blocked them."""
    from calmline.cases.models import AuditEntry

    if not message_ids:
        return {}
    query = (select(AuditEntry.entity_id, AuditEntry.action)
             .where(AuditEntry.entity == "message", AuditEntry.action.in_(GUARD_ACTIONS),
                    AuditEntry.entity_id.in_(message_ids)))
    return {int(entity): str(action) for entity, action in connection.execute(query)}


def read_database(url: str, tally: ImportTally, now: datetime | None = None) -> Iterator[Thread]:
    """Every conversation with at least one usable message, in id order.

    A message with an unknown role or no text is a bad row (its message id stands in for the
    line number); a conversation with no usable message is skipped and not counted as a thread.
    A conversation's customer is its customer's `external_id`, else `customer-<id>`. Each thread
    carries the case's recorded outcome, and its follow-ups overdue at `now` (default: the time
    the read starts, one clock for the whole report).
    """
    engine = reader_engine(url)
    try:
        yield from _threads(engine, tally, now or datetime.now(UTC))
    except SQLAlchemyError as exc:
        raise InputError(f"cannot read the case store at {display_url(url)}: "
                         f"{str(exc).splitlines()[0]}") from exc
    finally:
        engine.dispose()


def _threads(engine: Engine, tally: ImportTally, now: datetime) -> Iterator[Thread]:
    after = 0
    while page := _page(engine, after, now):
        after, rows, cases = page
        key: int | None = None
        name: str | None = None
        customer: str | None = None
        messages: list[Msg] = []
        for conversation, external, message_id, role, text, time, author, cust, guard in rows:
            if conversation != key:
                if key is not None and messages:
                    yield _thread(key, name, messages, customer, cases)
                key, name, customer, messages = conversation, external, cust, []
            tally.rows += 1
            if role not in ("customer", "agent"):
                tally.reject(SOURCE, message_id, f"message {message_id}: unknown role {role!r}")
            elif not (text or "").strip():
                tally.reject(SOURCE, message_id, f"message {message_id}: empty text")
            else:
                messages.append(Msg(_role(role), text, time, author, guard))
        if key is not None and messages:
            yield _thread(key, name, messages, customer, cases)


def _thread(key: int, name: str | None, messages: list[Msg], customer: str | None,
            cases: dict[int, Case]) -> Thread:
    case = cases.get(key, Case("open"))
    return Thread(name or f"case-{key}", tuple(messages), customer, case.outcome, case.overdue)


def _customer(external: str | None, customer_id: int | None) -> str | None:
    """The customer's own id where the store has one, else its row id; None without a customer."""
    if customer_id is None:
        return None
    return external or f"customer-{customer_id}"


def _role(value: str) -> Role:
    return "agent" if value == "agent" else "customer"
