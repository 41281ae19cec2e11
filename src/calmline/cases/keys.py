"""Key lifecycle: list users, rotate a user's key, deactivate a user (admins, API and CLI).

A support team loses laptops and people leave; an admin must be able to cut a key off now and
hand out a new one. Both are changes of the `agents` row (a new `key_hash`, `active` false), so
no schema change is needed: the old key stops matching the moment the transaction commits. Each
change writes its audit entry in the same transaction, and no key material (not even the hash)
reaches the audit log. Callers that cache key lookups must forget the user afterwards
(`calmline.service.deps.forget_user`).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from calmline.cases import audit
from calmline.cases.agents import hash_key, new_key
from calmline.cases.errors import ConflictError, NotFoundError
from calmline.cases.models import Agent


def all_agents(session: Session) -> Sequence[Agent]:
    """Every user, deactivated ones included (`agents.list_agents` is for routing: active only)."""
    return session.scalars(select(Agent).order_by(Agent.id)).all()


def find_agent(session: Session, *, ref: str) -> Agent:
    """A user by exact name, else by id when `ref` is a number (the CLI's NAME_OR_ID).

    The name wins so that a user named "42" stays reachable by name; the other one by id is then
    reachable through the API's `/users/{id}`.
    """
    agent = session.scalar(select(Agent).where(Agent.name == ref))
    if agent is None and ref.isdigit() and len(ref) < 11:
        agent = session.get(Agent, int(ref))
    if agent is None:
        raise NotFoundError(f"no user named or numbered {ref!r}")
    return agent


def _locked(session: Session, agent_id: int) -> Agent:
    # FOR UPDATE on PostgreSQL (two admins rotating at once take turns); SQLite's writers already
    # hold the database's write lock (BEGIN IMMEDIATE), where this is a plain read
    agent = session.get(Agent, agent_id, with_for_update=True)
    if agent is None:
        raise NotFoundError(f"no user with id {agent_id}")
    return agent


def rotate_key(session: Session, *, agent_id: int, actor_id: int | None) -> tuple[Agent, str]:
    """Give the user a new key (returned, the only time it exists in clear); the old one dies.

    A deactivated user is refused (409): a fresh key for someone who cannot use it is a mistake.
    """
    agent = _locked(session, agent_id)
    if not agent.active:
        raise ConflictError(f"user {agent.name!r} is deactivated; its key cannot be rotated")
    key = new_key()
    agent.key_hash = hash_key(key)
    session.flush()
    audit.record(session, actor_id=actor_id, entity="agent", entity_id=agent.id,
                 action="key_rotated", detail={"name": agent.name})
    return agent, key


def deactivate(session: Session, *, agent_id: int, actor_id: int | None) -> Agent:
    """Turn the user off: the key stops working, routing skips them; their cases stay as they are.

    Idempotent (an inactive user is returned unchanged, with no new audit entry). The last active
    admin is refused (409): nobody could then manage users through the API.
    """
    agent = _locked(session, agent_id)
    if not agent.active:
        return agent
    if agent.role == "admin":
        # the active admins' rows locked, so two admins deactivating each other take turns
        admins = session.scalars(select(Agent.id).where(
            Agent.role == "admin", Agent.active.is_(True)).with_for_update()).all()
        if len(admins) <= 1:
            raise ConflictError(f"{agent.name!r} is the last active admin; create another first")
    agent.active = False
    session.flush()
    audit.record(session, actor_id=actor_id, entity="agent", entity_id=agent.id,
                 action="deactivated", detail={"name": agent.name, "role": agent.role})
    return agent
