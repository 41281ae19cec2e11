"""The case's reading kept with the case (`conversations.reading`), updated where the case changes.

Each message advances the stored reading by one turn (`engine.case_reading.advance`) inside the
message's transaction, after the case's row was locked by claiming the message's seq, so two
writers never advance the same reading. A case stored before the reading existed has none: its
reading is rebuilt once from its stored messages. The case's `anger_score`, `anger_level` and
`peak_anger` columns mirror the reading (the decayed score ranks the queue and filters lists).
Resolving the case's last open escalation on a route closes the flags that escalated there.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, bindparam, select, update
from sqlalchemy.orm import Session

from calmline.cases.db import table_of
from calmline.cases.models import Conversation, Escalation, Message
from calmline.engine.case_reading import (
    CaseReading,
    CaseRules,
    CaseTurn,
    advance,
    read_case,
    reading_of,
    resolve_route,
)

_CASES = table_of(Conversation)
_CASE_ID = bindparam("case_id", type_=Integer())
_READ = select(_CASES.c.reading, _CASES.c.message_count).where(_CASES.c.id == _CASE_ID)
_WRITE = (update(_CASES).where(_CASES.c.id == _CASE_ID)
          .values(reading=bindparam("new_reading", type_=_CASES.c.reading.type),
                  anger_score=bindparam("new_score"), anger_level=bindparam("new_level"),
                  peak_anger=bindparam("new_peak")))


def _save(session: Session, conversation_id: int, reading: CaseReading) -> None:
    session.connection().execute(_WRITE, {
        "case_id": conversation_id, "new_reading": reading.to_dict(), "new_score": reading.score,
        "new_level": reading.level, "new_peak": reading.peak_score})


def _open_routes(session: Session, conversation_id: int) -> set[str]:
    return set(session.scalars(select(Escalation.route).where(
        Escalation.conversation_id == conversation_id, Escalation.status != "resolved")))


def rebuild(session: Session, *, conversation_id: int, rules: CaseRules) -> CaseReading:
    """The reading from every stored message of the case, with the flags of routes that have no
    unresolved escalation closed (they were handled before the reading was kept)."""
    messages = session.scalars(select(Message).where(Message.conversation_id == conversation_id)
                               .order_by(Message.seq)).all()
    reading = read_case((CaseTurn.from_stored(m.role, time=m.time, score=m.anger_score,
                                              analysis=m.analysis) for m in messages), rules)
    open_routes = _open_routes(session, conversation_id)
    for route in {f.route for f in reading.open_flags} - open_routes:
        if route is not None:
            reading = resolve_route(reading, route)
    return reading


def record_turn(session: Session, *, conversation_id: int, turn: CaseTurn, rules: CaseRules,
                claimed: tuple[Any, int] | None = None) -> CaseReading:
    """Advance the case's reading by the message just appended (in the same transaction).

    `claimed`: the stored reading and message count that appending the message returned (under
    the row's lock, nothing has changed them since); without it they are read here."""
    raw, count = claimed or session.connection().execute(_READ, {"case_id": conversation_id}).one()
    stored = reading_of(raw)
    if stored is None and count > 1:
        reading = rebuild(session, conversation_id=conversation_id, rules=rules)
    else:
        reading = advance(stored, turn, rules)
    _save(session, conversation_id, reading)
    return reading


def route_resolved(session: Session, *, conversation_id: int, route: str) -> None:
    """An escalation on `route` was resolved: unless another is still open there, the flags that
    escalated to it are handled and leave the reading's open flags."""
    if route in _open_routes(session, conversation_id):  # autoflushes the resolved status first
        return
    locked = select(_CASES.c.reading).where(_CASES.c.id == conversation_id).with_for_update()
    reading = reading_of(session.connection().execute(locked).scalar_one_or_none())
    if reading is not None and any(f.route == route for f in reading.open_flags):
        _save(session, conversation_id, resolve_route(reading, route))

