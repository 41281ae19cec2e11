"""Protect the agent (PLAYBOOK §6): stress load from the hostility received, decaying over time.

Each hostile customer message an agent receives is a stress event worth its anger score (plus
`abuse_stress` when it was abuse). The load now is the sum of the events, each halved every
`half_life` since it happened. Past `breather` the agent is prompted to take a break and routing
skips them; past `overload` the supervisor queue lists them. Abuse is counted apart, undecayed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from calmline.cases.db import insert_row, table_of
from calmline.cases.models import Agent, StressEvent, utcnow


@dataclass(frozen=True, slots=True)
class WellbeingPolicy:
    half_life: timedelta = timedelta(minutes=30)
    breather: float = 3.0
    overload: float = 5.0
    min_anger: float = 0.3
    abuse_stress: float = 1.0

    def __post_init__(self) -> None:
        if self.half_life <= timedelta(0) or not 0 < self.breather <= self.overload:
            raise ValueError("half_life must be positive and 0 < breather <= overload")


@dataclass(frozen=True, slots=True)
class AgentLoad:
    agent_id: int
    name: str
    load: float
    breather: bool
    overloaded: bool
    abuse_total: int
    abuse_24h: int
    hostile_messages_24h: int
    last_event: datetime | None
    advice: str


def record_stress(session: Session, *, policy: WellbeingPolicy, agent_id: int | None,
                  anger: float | None, abuse: bool, conversation_id: int | None = None,
                  message_id: int | None = None, time: datetime | None = None) -> StressEvent | None:
    """Record the hostility of one received message (None when it adds no stress)."""
    if agent_id is None or anger is None or (anger < policy.min_anger and not abuse):
        return None
    fields = {"agent_id": agent_id, "conversation_id": conversation_id, "message_id": message_id,
              "time": time or utcnow(), "abuse": abuse,
              "hostility": round(anger + (policy.abuse_stress if abuse else 0.0), 4)}
    # one INSERT now, not an ORM object: this runs for every hostile customer message
    event_id = insert_row(session, table_of(StressEvent), fields)
    return StressEvent(id=event_id, **fields)


def decayed(events: Sequence[tuple[datetime, float]], *, now: datetime, half_life: timedelta) -> float:
    total = 0.0
    for when, hostility in events:
        age = max(0.0, (now - when).total_seconds())
        total += hostility * 0.5 ** (age / half_life.total_seconds())
    return total


def agent_load(session: Session, *, agent: Agent, policy: WellbeingPolicy,
               now: datetime | None = None) -> AgentLoad:
    now = now or utcnow()
    horizon = now - policy.half_life * 12  # older events weigh < 1/4096: ignore them
    rows = session.execute(select(StressEvent.time, StressEvent.hostility).where(
        StressEvent.agent_id == agent.id, StressEvent.time >= horizon)).all()
    load = round(decayed([(t, h) for t, h in rows], now=now, half_life=policy.half_life), 3)
    day = now - timedelta(hours=24)
    abuse_total, abuse_24h, hostile_24h, last = session.execute(select(
        func.count().filter(StressEvent.abuse.is_(True)),
        func.count().filter(StressEvent.abuse.is_(True), StressEvent.time >= day),
        func.count().filter(StressEvent.time >= day),
        func.max(StressEvent.time)).where(StressEvent.agent_id == agent.id)).one()
    breather = load >= policy.breather
    advice = ("Take a short breather: step away for a few minutes before the next conversation."
              if breather else "Load is fine.")
    return AgentLoad(agent.id, agent.name, load, breather, load >= policy.overload,
                     int(abuse_total or 0), int(abuse_24h or 0), int(hostile_24h or 0), last, advice)


def all_loads(session: Session, *, policy: WellbeingPolicy, now: datetime | None = None
              ) -> list[AgentLoad]:
    agents = session.scalars(select(Agent).where(Agent.active.is_(True), Agent.role == "agent")).all()
    return [agent_load(session, agent=a, policy=policy, now=now) for a in agents]


def pick_agent(session: Session, *, policy: WellbeingPolicy, now: datetime | None = None) -> int | None:
    """Routing: the least loaded agent not on a breather (None when every agent needs one)."""
    loads = [load for load in all_loads(session, policy=policy, now=now) if not load.breather]
    return min(loads, key=lambda a: (a.load, a.agent_id)).agent_id if loads else None
