"""The case reading kept with the case, one escalation per route, the queue's order (both databases)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, inspect, update
from sqlalchemy.orm import Session, sessionmaker

from calmline.cases import agents, audit, conversations, db, escalations
from calmline.cases.intake import Incoming, Recorded, record_message
from calmline.cases.models import Conversation, utcnow
from calmline.cases.wellbeing import WellbeingPolicy
from calmline.engine.analyzer import Analyzer

POLICY = WellbeingPolicy()
HOSTILE = "You people are useless… I want your manager RIGHT NOW"
HELLO = "Hello?? Is anyone there?"


def _case(factory: sessionmaker[Session], name: str = "ana") -> tuple[int, int]:
    with db.transaction(factory) as s:
        agent, _ = agents.create_agent(s, name=name, role="agent")
        return agent.id, conversations.create_conversation(s, agent_id=agent.id).id


def _customer(analyzer: Analyzer, text: str) -> Incoming:
    """What the service stores for a customer message (analysis, score, the escalations)."""
    analysis = analyzer.analyze(text)
    reasons = [escalations.Reason(r.route, r.trigger, r.reason,
                                  {"spans": [{"start": e.start, "end": e.end, "text": e.text}
                                             for e in r.evidence]})
               for r in analysis.escalate.reasons if r.route != "none"]
    return Incoming(role="customer", text=text, analysis=analysis.to_dict(),
                    anger_score=analysis.anger.score, anger_level=analysis.anger.level,
                    abuse=analysis.flag("abuse") is not None, escalations=reasons)


def _say(factory: sessionmaker[Session], conv: int, incoming: Incoming) -> Recorded:
    return db.write_with_retry(factory, lambda s: record_message(
        s, conversation_id=conv, incoming=incoming, actor_id=None, policy=POLICY))


def test_hostile_then_hello_stays_hot_with_one_supervisor_escalation(
        factory: sessionmaker[Session], analyzer: Analyzer) -> None:
    _agent, conv = _case(factory)
    first = _say(factory, conv, _customer(analyzer, HOSTILE))
    assert [e.route for e in first.escalations] == ["supervisor"]  # abuse + manager: one page
    escalation = first.escalations[0]
    assert escalation.triggers == ["abuse", "manager"]
    assert "abuse" in escalation.reason and "manager" in escalation.reason
    assert escalation.evidence is not None
    assert [t["trigger"] for t in escalation.evidence["triggers"]] == ["abuse", "manager"]
    assert all(t["spans"] for t in escalation.evidence["triggers"])
    second = _say(factory, conv, _customer(analyzer, HELLO))
    assert second.escalations == [] and second.reading is not None
    with factory() as s:
        case = conversations.get_conversation(s, conversation_id=conv)
        assert case.anger_level in ("angry", "hostile") and case.anger_score >= 0.6
        assert case.reading is not None and case.reading["trend"] != "cooling"
        assert case.reading["latest_level"] == "calm" and case.reading["peak_level"] == "hostile"
        assert {f["label"] for f in case.reading["open_flags"]} >= {"abuse", "manager"}
        assert len(escalations.list_escalations(s, conversation_id=conv)) == 1


def test_hottest_puts_the_abusive_case_first(factory: sessionmaker[Session],
                                             analyzer: Analyzer) -> None:
    _a, calm = _case(factory, "calm")
    _b, abusive = _case(factory, "abusive")
    _c, grumpy = _case(factory, "grumpy")
    _d, faded = _case(factory, "faded")
    _say(factory, faded, Incoming(role="customer", text="x", anger_score=0.9))
    _say(factory, faded, Incoming(role="customer", text="y", anger_score=0.05))
    _say(factory, abusive, _customer(analyzer, HOSTILE))
    _say(factory, abusive, _customer(analyzer, HELLO))
    _say(factory, calm, _customer(analyzer, "Hi, could you tell me when my order ships?"))
    _say(factory, grumpy, Incoming(role="customer", text="meh", anger_score=0.5,
                                   anger_level="frustrated"))
    with factory() as s:
        ranked = [c.id for c in conversations.list_conversations(s, status="open", order="hottest")]
        # open escalation first, then the case's decayed anger (faded: 0.9 then 0.05 reads 0.71)
        assert ranked == [abusive, faded, grumpy, calm]
        hot = conversations.list_conversations(s, anger_level="angry")
        assert abusive in [c.id for c in hot]


def test_a_new_trigger_joins_the_open_escalation_of_its_route(factory: sessionmaker[Session]
                                                              ) -> None:
    agent, conv = _case(factory)
    legal = escalations.Reason("supervisor", "abuse", "abuse aimed at the agent", {"spans": []})
    manager = escalations.Reason("supervisor", "manager", "asks for a manager", {"spans": []})
    first = _say(factory, conv, Incoming(role="customer", text="a", anger_score=0.8,
                                         escalations=[legal]))
    again = _say(factory, conv, Incoming(role="customer", text="b", anger_score=0.8,
                                         escalations=[legal, manager]))
    assert len(first.escalations) == 1 and again.escalations == []
    with factory() as s:
        (only,) = escalations.list_escalations(s, conversation_id=conv)
        assert only.triggers == ["abuse", "manager"] and only.trigger == "abuse"
        assert only.reason == "abuse aimed at the agent; asks for a manager"
        actions = [e.action for e in audit.history(s, entity="escalation", entity_id=only.id)]
        assert actions == ["opened", "reasons_added"]
    manual = escalations.Reason("supervisor", "manual", "the customer needs a lead")
    with db.transaction(factory) as s:  # an agent's button press is its own event, once at a time
        made = escalations.raise_escalation(s, conversation_id=conv, reason=manual, actor_id=agent)
        assert made is not None and made.triggers == ["manual"]
        assert escalations.raise_escalation(s, conversation_id=conv, reason=manual,
                                            actor_id=agent) is None


def test_routed_flags_stay_open_until_their_escalation_is_resolved(
        factory: sessionmaker[Session], analyzer: Analyzer) -> None:
    agent, conv = _case(factory)
    done = _say(factory, conv, _customer(analyzer, HOSTILE))
    _say(factory, conv, Incoming(role="agent", text="I'm sorry. Let me get my manager for you."))
    with factory() as s:
        reading = conversations.get_conversation(s, conversation_id=conv).reading
        assert reading is not None and reading["open_wants"] == []
        assert {f["label"] for f in reading["open_flags"]} >= {"abuse", "manager"}
    with db.transaction(factory) as s:
        escalations.resolve(s, escalation_id=done.escalations[0].id, actor_id=agent,
                            resolution="lead took over")
    with factory() as s:
        reading = conversations.get_conversation(s, conversation_id=conv).reading
        assert reading is not None
        assert not [f for f in reading["open_flags"] if f["route"] == "supervisor"]


def test_a_case_without_a_reading_is_rebuilt_from_its_messages(
        factory: sessionmaker[Session], analyzer: Analyzer) -> None:
    _agent, conv = _case(factory)
    _say(factory, conv, _customer(analyzer, HOSTILE))
    with db.transaction(factory) as s:  # as stored before the reading existed
        s.execute(update(Conversation).where(Conversation.id == conv)
                  .values(reading=None, anger_score=0.0, anger_level="calm"))
    _say(factory, conv, _customer(analyzer, HELLO))
    with factory() as s:
        case = conversations.get_conversation(s, conversation_id=conv)
        assert case.reading is not None and case.reading["customer_turns"] == 2
        assert case.reading["peak_level"] == "hostile" and case.anger_level in ("angry", "hostile")


def test_time_between_messages_fades_the_case(factory: sessionmaker[Session]) -> None:
    _agent, conv = _case(factory)
    start = utcnow()
    _say(factory, conv, Incoming(role="customer", text="x", anger_score=0.9, time=start))
    _say(factory, conv, Incoming(role="customer", text="y", anger_score=0.0,
                                 time=start + timedelta(hours=3)))
    with factory() as s:
        case = conversations.get_conversation(s, conversation_id=conv)
        assert case.anger_score == pytest.approx(0.9 * 0.5 ** (1 / 3) * 0.5 ** 3, abs=1e-3)


def test_the_migration_adds_and_drops_the_reading_column(engine: Engine) -> None:
    db.downgrade(engine, "0001")
    try:
        assert "reading" not in {c["name"] for c in inspect(engine).get_columns("conversations")}
    finally:
        db.upgrade(engine)
    assert "reading" in {c["name"] for c in inspect(engine).get_columns("conversations")}
