"""The case store on SQLite and PostgreSQL: messages, order under concurrency, audit, closing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from calmline.cases import agents, audit, conversations, db, followups
from calmline.cases.errors import ConflictError, NotFoundError
from calmline.cases.intake import Incoming, record_message
from calmline.cases.models import AuditEntry, Message, utcnow
from calmline.cases.wellbeing import WellbeingPolicy

POLICY = WellbeingPolicy()


def _conversation(factory: sessionmaker[Session]) -> tuple[int, int]:
    with db.transaction(factory) as s:
        agent, _key = agents.create_agent(s, name="ana", role="agent")
        conv = conversations.create_conversation(s, agent_id=agent.id, customer_external_id="c-1")
        return agent.id, conv.id


def _post(factory: sessionmaker[Session], conv_id: int, text: str, role: str = "customer") -> int:
    def work(s: Session) -> int:
        done = record_message(s, conversation_id=conv_id, incoming=Incoming(role=role, text=text),
                              actor_id=None, policy=POLICY)
        return done.message.seq

    return db.write_with_retry(factory, work)


def test_schema_has_every_table(engine: Engine) -> None:
    names = set(inspect(engine).get_table_names())
    assert {"agents", "customers", "conversations", "messages", "reviews", "escalations",
            "followups", "stress_events", "audit_log", "alembic_version"} <= names
    db.upgrade(engine)  # idempotent


def test_messages_get_consecutive_seq_and_audit(factory: sessionmaker[Session]) -> None:
    _agent, conv = _conversation(factory)
    assert [_post(factory, conv, f"m{i}") for i in range(5)] == [1, 2, 3, 4, 5]
    with factory() as s:
        stored = conversations.messages_of(s, conversation_id=conv)
        assert [m.text for m in stored] == [f"m{i}" for i in range(5)]
        assert [m.text for m in conversations.messages_of(s, conversation_id=conv, last=2)] == ["m3", "m4"]
        actions = [e.action for e in audit.history(s, entity="message")]
        assert actions == ["added"] * 5
        assert conversations.get_conversation(s, conversation_id=conv).message_count == 5


def test_concurrent_writers_lose_nothing_and_keep_order(factory: sessionmaker[Session]) -> None:
    _agent, conv = _conversation(factory)

    def writer(n: int) -> list[int]:
        return [_post(factory, conv, f"w{n}-{i}") for i in range(15)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(writer, range(8)))
    with factory() as s:
        rows = s.execute(select(Message.seq, Message.text).where(Message.conversation_id == conv)
                         .order_by(Message.seq)).all()
    assert [seq for seq, _ in rows] == list(range(1, 121))
    assert len({text for _, text in rows}) == 120
    for n, seqs in enumerate(results):
        assert seqs == sorted(seqs)  # each writer's messages keep the order it sent them in
        mine = [text for _, text in rows if text.startswith(f"w{n}-")]
        assert mine == [f"w{n}-{i}" for i in range(15)]


def test_failed_transaction_leaves_nothing(factory: sessionmaker[Session]) -> None:
    _agent, conv = _conversation(factory)
    with pytest.raises(RuntimeError), db.transaction(factory) as s:
        record_message(s, conversation_id=conv, incoming=Incoming(role="customer", text="x"),
                       actor_id=None, policy=POLICY)
        raise RuntimeError("boom")
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(Message)) == 0
        assert s.scalar(select(func.count()).select_from(AuditEntry)
                        .where(AuditEntry.entity == "message")) == 0


def test_unknown_conversation(factory: sessionmaker[Session]) -> None:
    with pytest.raises(NotFoundError):
        _post(factory, 999_999, "hello")


def test_close_rules(factory: sessionmaker[Session]) -> None:
    agent, conv = _conversation(factory)
    with db.transaction(factory) as s:
        followups.create_followup(s, conversation_id=conv, what="call back", owner_id=agent,
                                  due=utcnow() - timedelta(hours=1))
    with pytest.raises(ConflictError), db.transaction(factory) as s:
        conversations.close_conversation(s, conversation_id=conv, outcome="resolved")
    with factory() as s:
        assert [c.id for c in conversations.list_conversations(s, overdue=True)] == [conv]
        assert conversations.list_conversations(s, overdue=False) == []
    with db.transaction(factory) as s:
        closed = conversations.close_conversation(s, conversation_id=conv, outcome="resolved",
                                                  reason="customer confirmed by phone")
        assert closed.status == "closed"
    with pytest.raises(ConflictError), db.transaction(factory) as s:
        conversations.close_conversation(s, conversation_id=conv, outcome="resolved", reason="x")
    with pytest.raises(ConflictError):
        _post(factory, conv, "are you there?")


def test_users_and_keys(factory: sessionmaker[Session]) -> None:
    with db.transaction(factory) as s:
        sup, key = agents.create_agent(s, name="sue", role="supervisor")
    assert key.startswith(agents.KEY_PREFIX) and len(key) > 40
    with factory() as s:
        assert sup.key_hash != key and agents.agent_by_key(s, key=key) is not None
        assert agents.agent_by_key(s, key=key + "x") is None
    with pytest.raises(ConflictError), db.transaction(factory) as s:
        agents.create_agent(s, name="sue", role="agent")


def test_migrations_match_the_models(engine: Engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from calmline.cases.models import Base

    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_readers_do_not_wait_for_a_writer(factory: sessionmaker[Session]) -> None:
    """While a write transaction is open, a reader sees the last committed state at once."""
    _agent, conv = _conversation(factory)
    readers = db.read_session_factory(factory.kw["bind"])
    with db.transaction(factory) as writer:
        record_message(writer, conversation_id=conv, incoming=Incoming(role="customer", text="x"),
                       actor_id=None, policy=POLICY)
        writer.flush()
        with ThreadPoolExecutor(max_workers=1) as pool:
            def count() -> int:
                with readers() as s:
                    return int(s.scalar(select(func.count()).select_from(Message)) or 0)

            assert pool.submit(count).result(timeout=5) == 0
    with readers() as s:
        assert s.scalar(select(func.count()).select_from(Message)) == 1


def test_seq_without_update_returning(tmp_path: object) -> None:
    """Older SQLite (before 3.35) has no UPDATE ... RETURNING: the seq is read back instead."""
    engine = db.make_engine(f"sqlite:///{tmp_path}/old.db")
    db.upgrade(engine)
    engine.dialect.update_returning = False
    factory = db.session_factory(engine)
    _agent, conv = _conversation(factory)
    assert [_post(factory, conv, f"m{i}") for i in range(3)] == [1, 2, 3]
    with pytest.raises(NotFoundError):
        _post(factory, 424242, "x")
    engine.dispose()


def test_case_aggregates_follow_the_messages(factory: sessionmaker[Session]) -> None:
    _agent, conv = _conversation(factory)
    for anger, level, stage in ((0.5, "frustrated", "venting"), (0.9, "hostile", None),
                                (None, None, "heard"), (0.2, "calm", None)):
        with db.transaction(factory) as s:
            record_message(s, conversation_id=conv, actor_id=None, policy=POLICY, incoming=Incoming(
                role="customer" if anger is not None else "agent", text="x", anger_score=anger,
                anger_level=level, stage=stage))
    with factory() as s:
        case = conversations.get_conversation(s, conversation_id=conv)
        # the case's anger is the 0.9 peak carried one customer turn on (half-life 3 turns),
        # not the last message's 0.2; the reading keeps the last one apart
        assert case.anger_score == pytest.approx(0.9 * 0.5 ** (1 / 3), abs=1e-3)
        assert (case.peak_anger, case.anger_level) == (0.9, "angry")
        assert case.reading is not None and case.reading["latest_score"] == 0.2
        assert case.stage == "heard" and case.message_count == 4 and case.updated_at >= case.created_at
