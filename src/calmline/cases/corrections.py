"""Corrections (issue 9.5): a person marks calmline's reading of a customer message wrong.

Kinds: `level` (the label is the level it should have been), `missed_flag|want|cause` (the
label should have been found) and `wrong_flag|want|cause` (the label was found but does not
apply). Labels are checked against the running playbook's catalogue, so a correction always
names something `calmline train --from-corrections` can teach. Marking the same thing on the same
message twice keeps one row; every new row is audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from calmline.cases import audit
from calmline.cases.errors import NotFoundError
from calmline.cases.models import Conversation, Correction, Message
from calmline.errors import InputError
from calmline.playbook.schema import LEVELS, Playbook

Kind = Literal["level", "missed_flag", "wrong_flag", "missed_want", "wrong_want", "missed_cause",
               "wrong_cause"]
KINDS: tuple[str, ...] = get_args(Kind)
_SECTION = {"flag": "flags", "want": "wants", "cause": "causes"}


def section_of(kind: str) -> str | None:
    """The playbook section a kind's label comes from (`flags`, `wants`, `causes`); None: level."""
    return None if kind == "level" else _SECTION[kind.split("_", 1)[1]]


def catalogue(playbook: Playbook) -> dict[str, list[str]]:
    """Every kind with the labels it accepts, from the playbook (the console builds its menu here)."""
    out: dict[str, list[str]] = {}
    for kind in KINDS:
        section = section_of(kind)
        out[kind] = list(LEVELS) if section is None else sorted(getattr(playbook, section))
    return out


def check_label(playbook: Playbook, *, kind: str, label: str) -> None:
    """InputError (a 422) unless `kind` is known and `label` is one the playbook has for it."""
    if kind not in KINDS:
        raise InputError(f"unknown correction kind {kind!r}: use one of {', '.join(KINDS)}")
    allowed = catalogue(playbook)[kind]
    if label not in allowed:
        what = "level" if kind == "level" else kind.split("_", 1)[1]
        raise InputError(f"{label!r} is not a {what} of this playbook: use one of {', '.join(allowed)}")


@dataclass(frozen=True, slots=True)
class Recorded:
    correction: Correction
    created: bool


def customer_message(session: Session, *, message_id: int) -> tuple[Message, Conversation]:
    """The message and its case; NotFoundError if none, InputError if it is not the customer's."""
    message = session.get(Message, message_id)
    if message is None:
        raise NotFoundError(f"no message with id {message_id}")
    if message.role != "customer":
        raise InputError(f"message {message_id} is an agent's: only customer messages are read, "
                         "so only theirs can be corrected")
    conversation = session.get(Conversation, message.conversation_id)
    if conversation is None:  # pragma: no cover - the foreign key forbids it
        raise NotFoundError(f"no conversation for message {message_id}")
    return message, conversation


def _existing(session: Session, *, message_id: int, kind: str, label: str,
              actor_id: int | None) -> Correction | None:
    query = select(Correction).where(Correction.message_id == message_id, Correction.kind == kind,
                                     Correction.label == label)
    query = query.where(Correction.created_by.is_(None) if actor_id is None
                        else Correction.created_by == actor_id)
    return session.scalars(query).first()


def record_correction(session: Session, *, message: Message, kind: str, label: str,
                      note: str | None, actor_id: int | None) -> Recorded:
    """Store the correction, or return the one this person already made (`created` False).

    The caller checks the label (`check_label`) and that the person may see the message.
    """
    found = _existing(session, message_id=message.id, kind=kind, label=label, actor_id=actor_id)
    if found is not None:
        return Recorded(found, created=False)
    correction = Correction(message_id=message.id, conversation_id=message.conversation_id,
                            kind=kind, label=label, note=note or None, created_by=actor_id)
    try:
        with session.begin_nested():
            session.add(correction)
            session.flush()
    except IntegrityError:  # the same person, twice at once: the other request stored it
        found = _existing(session, message_id=message.id, kind=kind, label=label, actor_id=actor_id)
        if found is None:
            raise
        return Recorded(found, created=False)
    audit.record(session, actor_id=actor_id, entity="correction", entity_id=correction.id,
                 action="created", detail={"message_id": message.id, "kind": kind, "label": label,
                                           "note": correction.note})
    return Recorded(correction, created=True)


def list_corrections(session: Session, *, agent_id: int | None = None, kind: str | None = None,
                     message_id: int | None = None, conversation_id: int | None = None,
                     limit: int = 500) -> Sequence[Correction]:
    """Newest first; `agent_id` keeps those on that agent's conversations."""
    query = select(Correction).order_by(Correction.id.desc())
    if agent_id is not None:
        query = query.join(Conversation, Conversation.id == Correction.conversation_id).where(
            Conversation.agent_id == agent_id)
    if kind is not None:
        query = query.where(Correction.kind == kind)
    if message_id is not None:
        query = query.where(Correction.message_id == message_id)
    if conversation_id is not None:
        query = query.where(Correction.conversation_id == conversation_id)
    return session.scalars(query.limit(limit)).all()


@dataclass(frozen=True, slots=True)
class Lesson:
    """What training reads: the kind, the label and the corrected message's text."""

    kind: str
    label: str
    text: str


def lessons(session: Session) -> list[Lesson]:
    """Every correction with its message's text, oldest first (one per kind, label and message)."""
    rows = session.execute(
        select(Correction.kind, Correction.label, Message.text, Correction.message_id)
        .join(Message, Message.id == Correction.message_id).order_by(Correction.id)).all()
    seen: set[tuple[str, str, int]] = set()
    out = []
    for kind, label, text, message_id in rows:
        if (kind, label, message_id) not in seen:
            seen.add((kind, label, message_id))
            out.append(Lesson(kind, label, text))
    return out
