"""Key lifecycle in the store (SQLite and PostgreSQL): rotation, deactivation, lookup by ref."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from calmline.cases import agents, audit, db, keys
from calmline.cases.errors import ConflictError, NotFoundError


def test_rotate_and_deactivate(factory: sessionmaker[Session]) -> None:
    with db.transaction(factory) as s:
        boss, _ = agents.create_agent(s, name="boss", role="admin")
        ana, old = agents.create_agent(s, name="ana", role="agent")
        named_number, _ = agents.create_agent(s, name="1", role="agent")
    with db.transaction(factory) as s:
        _, new = keys.rotate_key(s, agent_id=ana.id, actor_id=boss.id)
    with factory() as s:
        assert agents.agent_by_key(s, key=old) is None
        assert agents.agent_by_key(s, key=new) is not None
        assert keys.find_agent(s, ref="ana").id == ana.id
        assert keys.find_agent(s, ref=str(ana.id)).id == ana.id  # ana is never id 1: boss came first
        assert keys.find_agent(s, ref="1").id == named_number.id  # the name wins over the id
        with pytest.raises(NotFoundError):
            keys.find_agent(s, ref="99999999999999999999")
    with db.transaction(factory) as s:
        keys.deactivate(s, agent_id=ana.id, actor_id=boss.id)
        keys.deactivate(s, agent_id=ana.id, actor_id=boss.id)
    with factory() as s:
        assert agents.agent_by_key(s, key=new) is None
        assert [a.name for a in keys.all_agents(s)] == ["boss", "ana", "1"]
        assert [a.name for a in agents.list_agents(s)] == ["boss", "1"]
        entries = audit.history(s, entity="agent", entity_id=ana.id)
        assert [e.action for e in entries] == ["created", "key_rotated", "deactivated"]
        assert all(e.actor_id == boss.id for e in entries[1:])
    with pytest.raises(ConflictError), db.transaction(factory) as s:
        keys.rotate_key(s, agent_id=ana.id, actor_id=boss.id)
    with pytest.raises(ConflictError), db.transaction(factory) as s:
        keys.deactivate(s, agent_id=boss.id, actor_id=boss.id)
    with pytest.raises(NotFoundError), db.transaction(factory) as s:
        keys.rotate_key(s, agent_id=424242, actor_id=boss.id)


def test_a_failed_rotation_leaves_key_and_audit_untouched(factory: sessionmaker[Session]) -> None:
    """The key change and its audit entry commit together, or neither does."""
    with db.transaction(factory) as s:
        ana, old = agents.create_agent(s, name="ana", role="agent")
    with pytest.raises(RuntimeError), db.transaction(factory) as s:
        keys.rotate_key(s, agent_id=ana.id, actor_id=None)
        raise RuntimeError("the connection dropped before the commit")
    with factory() as s:
        assert agents.agent_by_key(s, key=old) is not None
        assert [e.action for e in audit.history(s, entity="agent")] == ["created"]
