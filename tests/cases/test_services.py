"""Escalations, follow-ups, agent load and the summary on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from calmline.cases import agents, audit, conversations, db, escalations, followups, wellbeing
from calmline.cases.errors import ConflictError
from calmline.cases.intake import Incoming, record_message
from calmline.cases.models import utcnow
from calmline.cases.summary import build_summary

POLICY = wellbeing.WellbeingPolicy(half_life=timedelta(minutes=30), breather=1.0, overload=2.0)


def _setup(factory: sessionmaker[Session]) -> tuple[int, int, int]:
    with db.transaction(factory) as s:
        agent, _ = agents.create_agent(s, name="ana", role="agent")
        lead, _ = agents.create_agent(s, name="lee", role="supervisor")
        conv = conversations.create_conversation(s, agent_id=agent.id)
        return agent.id, lead.id, conv.id


def test_escalation_lifecycle_and_dedupe(factory: sessionmaker[Session]) -> None:
    _agent, lead, conv = _setup(factory)
    reason = escalations.Reason("legal", "legal", "mentions a lawyer", {"spans": []})
    incoming = Incoming(role="customer", text="my lawyer will call", anger_score=0.7,
                        anger_level="angry", escalations=[reason])
    with db.transaction(factory) as s:
        first = record_message(s, conversation_id=conv, incoming=incoming, actor_id=None, policy=POLICY)
        again = record_message(s, conversation_id=conv, incoming=incoming, actor_id=None, policy=POLICY)
    assert len(first.escalations) == 1 and again.escalations == []
    esc = first.escalations[0].id
    with db.transaction(factory) as s:
        escalations.acknowledge(s, escalation_id=esc, actor_id=lead)
    with pytest.raises(ConflictError), db.transaction(factory) as s:
        escalations.acknowledge(s, escalation_id=esc, actor_id=lead)
    with db.transaction(factory) as s:
        done = escalations.resolve(s, escalation_id=esc, actor_id=lead, resolution="handed to legal")
        assert done.status == "resolved" and done.resolved_by == lead
    with factory() as s:
        assert conversations.get_conversation(s, conversation_id=conv).escalated
        actions = [e.action for e in audit.history(s, entity="escalation", entity_id=esc)]
        assert actions == ["opened", "acknowledged", "resolved"]


def test_promises_become_followups(factory: sessionmaker[Session]) -> None:
    agent, _lead, conv = _setup(factory)
    due = utcnow() + timedelta(hours=2)
    promises = [followups.Promise("call you back", due, "in 2 hours"),
                followups.Promise("email the label", None, None)]
    with db.transaction(factory) as s:
        done = record_message(s, conversation_id=conv, actor_id=agent, policy=POLICY,
                              incoming=Incoming(role="agent", text="...", promises=promises),
                              followup_due=timedelta(hours=24))
    assert [f.owner_id for f in done.followups] == [agent, agent]
    assert done.followups[1].due is not None and done.followups[1].due > due
    with factory() as s:
        assert len(followups.list_followups(s, status="open")) == 2
        assert followups.list_followups(s, status="overdue") == []
        later = utcnow() + timedelta(hours=3)
        assert len(followups.list_followups(s, status="overdue", now=later)) == 1
    with pytest.raises(ConflictError), db.transaction(factory) as s:
        followups.complete(s, followup_id=done.followups[0].id, result="  ", actor_id=agent)


def test_stress_load_decays_and_counts_abuse(factory: sessionmaker[Session]) -> None:
    agent_id, _lead, conv = _setup(factory)
    now = utcnow()
    with db.transaction(factory) as s:
        for minutes, anger, abuse in ((0, 0.9, True), (30, 0.8, False), (60, 0.1, False)):
            wellbeing.record_stress(s, policy=POLICY, agent_id=agent_id, anger=anger, abuse=abuse,
                                    conversation_id=conv, time=now - timedelta(minutes=minutes))
    with factory() as s:
        agent = agents.get_agent(s, agent_id=agent_id)
        load = wellbeing.agent_load(s, agent=agent, policy=POLICY, now=now)
        assert load.load == pytest.approx(1.9 + 0.4, abs=0.01)  # the calm message adds nothing
        assert load.breather and load.overloaded and load.abuse_total == 1
        later = wellbeing.agent_load(s, agent=agent, policy=POLICY, now=now + timedelta(hours=2))
        assert later.load < 0.2 and not later.breather and later.abuse_total == 1
        assert wellbeing.pick_agent(s, policy=POLICY, now=now) is None
        assert wellbeing.pick_agent(s, policy=POLICY, now=now + timedelta(hours=2)) == agent_id


def test_summary_from_stored_facts(factory: sessionmaker[Session]) -> None:
    agent, _lead, conv = _setup(factory)
    analysis = {"areas": [{"label": "delivery"}], "wants": [{"label": "refund"}],
                "causes": [{"label": "delay"}], "facts": [{"kind": "order_id", "value": "48213"}]}
    with db.transaction(factory) as s:
        record_message(s, conversation_id=conv, actor_id=None, policy=POLICY, incoming=Incoming(
            role="customer", text="Where is order 48213?", analysis=analysis, anger_score=0.5))
        record_message(s, conversation_id=conv, actor_id=agent, policy=POLICY, incoming=Incoming(
            role="agent", text="I will refund it by Friday.", stage="resolving",
            promises=[followups.Promise("refund it", utcnow() + timedelta(days=2), "by Friday")]))
    with factory() as s:
        summary = build_summary(s, conversation_id=conv)
    assert summary["issue"]["areas"] == ["delivery"] and summary["cause"] == ["delay"]
    assert summary["promised"][0]["what"] == "refund it" and summary["by_when"]
    assert "order_id: 48213" in summary["text"] and "resolving" in summary["text"]


def test_migrations_downgrade_and_upgrade(tmp_path: object) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path}/m.db")
    db.upgrade(engine)
    db.downgrade(engine)
    db.upgrade(engine)
    engine.dispose()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 24 * 60), st.floats(0, 3)), max_size=30),
       st.integers(0, 600), st.integers(1, 240))
def test_stress_load_only_decays_and_adds_up(events: list[tuple[int, float]], wait: int,
                                             half_life: int) -> None:
    now = utcnow()
    timed = [(now - timedelta(minutes=age), hostility) for age, hostility in events]
    hl = timedelta(minutes=half_life)
    load = wellbeing.decayed(timed, now=now, half_life=hl)
    later = wellbeing.decayed(timed, now=now + timedelta(minutes=wait), half_life=hl)
    assert 0 <= later <= load + 1e-9 <= sum(h for _, h in events) + 1e-6
    assert later == pytest.approx(load * 0.5 ** (wait / half_life), rel=1e-6, abs=1e-9)
