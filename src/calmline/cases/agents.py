"""Users of the service (agents, supervisors, admins) and their API keys.

A key is 32 random bytes shown once at creation; only its SHA-256 is stored. For keys this random
a slow password hash adds nothing, and a fast one keeps authentication off the request's budget.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from typing import Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from calmline.cases import audit
from calmline.cases.errors import ConflictError, NotFoundError
from calmline.cases.models import Agent

Role = Literal["agent", "supervisor", "admin"]
ROLES: tuple[Role, ...] = ("agent", "supervisor", "admin")
KEY_PREFIX = "cl_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def create_agent(session: Session, *, name: str, role: Role, actor_id: int | None = None
                 ) -> tuple[Agent, str]:
    """Create a user; returns it and its API key (the only time the key exists in clear)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    key = new_key()
    agent = Agent(name=name, role=role, key_hash=hash_key(key), active=True)
    try:
        with session.begin_nested():
            session.add(agent)
            session.flush()
    except IntegrityError as exc:
        raise ConflictError(f"a user named {name!r} already exists") from exc
    audit.record(session, actor_id=actor_id, entity="agent", entity_id=agent.id, action="created",
                 detail={"name": name, "role": role})
    return agent, key


def agent_by_key(session: Session, *, key: str) -> Agent | None:
    agent = session.scalar(select(Agent).where(Agent.key_hash == hash_key(key)))
    return agent if agent is not None and agent.active else None


def get_agent(session: Session, *, agent_id: int) -> Agent:
    agent = session.get(Agent, agent_id)
    if agent is None:
        raise NotFoundError(f"no agent with id {agent_id}")
    return agent


def agent_by_name(session: Session, *, name: str) -> Agent | None:
    return session.scalar(select(Agent).where(Agent.name == name))


def list_agents(session: Session, *, role: Role | None = None) -> Sequence[Agent]:
    query = select(Agent).where(Agent.active.is_(True)).order_by(Agent.id)
    if role is not None:
        query = query.where(Agent.role == role)
    return session.scalars(query).all()


def bootstrap_admin(session: Session, *, name: str = "admin") -> tuple[Agent, str] | None:
    """The first admin of a store that has none (a fresh database), with its key; None otherwise.

    `calmline serve` calls this on start so a new install is usable at once: the key is printed
    in the terminal that started it, and nowhere else.
    """
    if session.scalar(select(Agent.id).where(Agent.role == "admin", Agent.active.is_(True))
                      .limit(1)) is not None:
        return None
    taken = set(session.scalars(select(Agent.name).where(Agent.name.like(f"{name}%"))))
    unique = next(f"{name}-{n}" if n else name for n in range(len(taken) + 1)
                  if (f"{name}-{n}" if n else name) not in taken)
    return create_agent(session, name=unique, role="admin")
