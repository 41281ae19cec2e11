"""Corrections in the case store, on SQLite and PostgreSQL: stored once per person, audited,
listed by agent, labels checked against the playbook, agent messages refused."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, inspect
from sqlalchemy.orm import Session, sessionmaker

from calmline.cases import agents, audit, conversations, db
from calmline.cases import corrections as repo
from calmline.cases.errors import NotFoundError
from calmline.cases.intake import Incoming, record_message
from calmline.cases.wellbeing import WellbeingPolicy
from calmline.errors import InputError
from calmline.playbook import load_playbook

PLAYBOOK = load_playbook()
TEXT = "I shall be telling the parish newsletter all about your shop."


def _case(factory: sessionmaker[Session], owner: str = "ana") -> tuple[int, int, int]:
    """(agent id, customer message id, agent message id) of a new conversation."""
    def work(s: Session) -> tuple[int, int, int]:
        agent, _key = agents.create_agent(s, name=owner, role="agent")
        conv = conversations.create_conversation(s, agent_id=agent.id)
        ids = []
        for role, text in (("customer", TEXT), ("agent", "I am sorry to hear that.")):
            done = record_message(s, conversation_id=conv.id, incoming=Incoming(role=role, text=text),
                                  actor_id=None, policy=WellbeingPolicy())
            ids.append(done.message.id)
        return agent.id, ids[0], ids[1]

    return db.write_with_retry(factory, work)


def _mark(factory: sessionmaker[Session], message_id: int, actor: int, kind: str = "missed_flag",
          label: str = "public", note: str | None = None) -> repo.Recorded:
    with db.transaction(factory) as s:
        message, _conv = repo.customer_message(s, message_id=message_id)
        done = repo.record_correction(s, message=message, kind=kind, label=label, note=note,
                                      actor_id=actor)
        s.flush()
        s.expunge(done.correction)
        return done


def test_table_exists(engine: Engine) -> None:
    assert "corrections" in inspect(engine).get_table_names()


def test_same_person_same_mark_is_stored_once_and_audited_once(factory: sessionmaker[Session]) -> None:
    agent, message, _ = _case(factory)
    first = _mark(factory, message, agent, note="they threaten to go public")
    again = _mark(factory, message, agent, note="a second note is not a second correction")
    assert first.created and not again.created
    assert again.correction.id == first.correction.id
    assert again.correction.note == "they threaten to go public"
    with factory() as s:
        stored = repo.list_corrections(s)
        assert [(c.kind, c.label, c.message_id) for c in stored] == [("missed_flag", "public", message)]
        entries = audit.history(s, entity="correction")
        assert [(e.action, e.actor_id, e.entity_id) for e in entries] == [
            ("created", agent, first.correction.id)]
        assert entries[0].detail == {"message_id": message, "kind": "missed_flag", "label": "public",
                                     "note": "they threaten to go public"}


def test_another_person_or_another_label_is_another_row(factory: sessionmaker[Session]) -> None:
    agent, message, _ = _case(factory)
    with db.transaction(factory) as s:
        boss = agents.create_agent(s, name="sue", role="supervisor")[0].id
    assert _mark(factory, message, agent).created
    assert _mark(factory, message, boss).created
    assert _mark(factory, message, agent, kind="level", label="annoyed").created
    with factory() as s:
        assert len(repo.list_corrections(s)) == 3
        assert len(repo.list_corrections(s, kind="level")) == 1
        lessons = repo.lessons(s)
    # training reads one lesson per kind, label and message, whoever marked it
    assert [(x.kind, x.label, x.text) for x in lessons] == [
        ("missed_flag", "public", TEXT), ("level", "annoyed", TEXT)]


def test_agents_filter_keeps_their_own_conversations(factory: sessionmaker[Session]) -> None:
    ana, mine, _ = _case(factory, "ana")
    bob, theirs, _ = _case(factory, "bob")
    _mark(factory, mine, ana)
    _mark(factory, theirs, bob)
    with factory() as s:
        assert [c.message_id for c in repo.list_corrections(s, agent_id=ana)] == [mine]
        assert [c.message_id for c in repo.list_corrections(s, agent_id=bob)] == [theirs]
        assert len(repo.list_corrections(s)) == 2


def test_agent_messages_and_unknown_ids_are_refused(factory: sessionmaker[Session]) -> None:
    _agent, _customer, reply = _case(factory)
    with factory() as s:
        with pytest.raises(InputError, match="agent's"):
            repo.customer_message(s, message_id=reply)
        with pytest.raises(NotFoundError):
            repo.customer_message(s, message_id=reply + 1000)


@pytest.mark.parametrize("kind, label, ok", [
    ("missed_flag", "public", True),
    ("wrong_want", "refund", True),
    ("missed_cause", "lack_of_communication", True),
    ("level", "hostile", True),
    ("level", "furious", False),
    ("missed_flag", "refund", False),  # a want, not a flag
    ("wrong_cause", "nonsense", False),
    ("missed_area", "billing", False),  # not a kind
])
def test_labels_come_from_the_playbook(kind: str, label: str, ok: bool) -> None:
    if ok:
        repo.check_label(PLAYBOOK, kind=kind, label=label)
    else:
        with pytest.raises(InputError, match="use one of"):
            repo.check_label(PLAYBOOK, kind=kind, label=label)


def test_catalogue_lists_every_kind() -> None:
    found = repo.catalogue(PLAYBOOK)
    assert set(found) == set(repo.KINDS)
    assert found["level"] == ["calm", "annoyed", "frustrated", "angry", "hostile"]
    assert found["missed_flag"] == sorted(PLAYBOOK.flags) == found["wrong_flag"]


def test_migration_goes_down_and_up(tmp_path: object) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path}/m.db")
    try:
        db.upgrade(engine)
        db.downgrade(engine, "0002")
        assert "corrections" not in inspect(engine).get_table_names()
        db.upgrade(engine)
        assert "corrections" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
