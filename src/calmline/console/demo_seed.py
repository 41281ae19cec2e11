"""Demo data for a first run: a small team and six conversations at different stages.

Everything goes through the service's own paths (`intake.post_message` for every message), so the
demo cases carry real analyses, stages, automatic escalations, follow-ups from promises and the
agents' stress load, exactly as if the messages had arrived over the API. Message times are set in
the past (minutes before loading) so follow-ups can be overdue and stress has partly decayed.
Each demo conversation's external id starts with `demo:` (`deps.DEMO_PREFIX`): the console offers
role-play (an agent typing the customer's side) only there.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

from calmline.cases import agents as agent_repo
from calmline.cases import conversations as conv_repo
from calmline.cases import db, escalations, followups
from calmline.cases.models import utcnow
from calmline.service import intake
from calmline.service.deps import DEMO_PREFIX, AppState, User
from calmline.service.schemas import MessageCreate

DATA = Path(__file__).with_name("demo_conversations.json")
BUNDLED_CHAT = Path(__file__).parents[1] / "demo" / "angry_chat.json"


def load_data(path: Path = DATA) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def scenarios() -> list[dict[str, Any]]:
    """Recorded customers for role-play: each demo conversation's customer lines, in order."""
    found = [{"title": spec["subject"].split(": ", 1)[-1].capitalize(),
              "customer": (spec.get("customer") or {}).get("name"),
              "lines": [m["text"] for m in spec["messages"] if m["role"] == "customer"]}
             for spec in load_data()["conversations"]]
    if BUNDLED_CHAT.is_file():
        chat = json.loads(BUNDLED_CHAT.read_text(encoding="utf-8"))
        found.insert(0, {"title": "Laptop order that never arrived", "customer": "Dana",
                         "lines": [m["text"] for m in chat["messages"] if m["role"] == "customer"]})
    return [s for s in found if s["lines"]]


def _users(state: AppState, specs: list[dict[str, str]]) -> tuple[dict[str, User], list[dict[str, Any]]]:
    """The demo users by ref (created when missing) and the keys of those created now."""
    users: dict[str, User] = {}
    created: list[dict[str, Any]] = []
    with db.transaction(state.sessions) as session:
        for spec in specs:
            agent = agent_repo.agent_by_name(session, name=spec["name"])
            if agent is None:
                agent, key = agent_repo.create_agent(session, name=spec["name"],
                                                     role=spec["role"])  # type: ignore[arg-type]
                created.append({"id": agent.id, "name": agent.name, "role": agent.role, "key": key})
            users[spec["ref"]] = User(agent.id, agent.name, agent.role)
    return users, created


def _conversation(state: AppState, spec: dict[str, Any], owner: User, lead: User, actor: User) -> int:
    customer = spec.get("customer") or {}
    with db.transaction(state.sessions) as session:
        case = conv_repo.create_conversation(
            session, agent_id=owner.id, channel=spec.get("channel", "chat"), subject=spec["subject"],
            customer_external_id=customer.get("external_id"), customer_name=customer.get("name"),
            external_id=f"{DEMO_PREFIX}{uuid4().hex[:12]}", actor_id=actor.id)
        case_id = case.id
    now = utcnow()
    for message in spec["messages"]:
        body = MessageCreate(role=message["role"], text=message["text"],
                             time=now - timedelta(minutes=message["ago"]))
        intake.post_message(state, owner, conversation_id=case_id, body=body, with_suggestions=False)
    _settle(state, spec, case_id, owner, lead)
    return case_id


def _settle(state: AppState, spec: dict[str, Any], case_id: int, owner: User, lead: User) -> None:
    """What happened after the messages: escalations acknowledged, follow-ups done, case closed."""
    with db.transaction(state.sessions) as session:
        if spec.get("acknowledge"):
            for escalation in escalations.list_escalations(session, status="open",
                                                           conversation_id=case_id):
                escalations.acknowledge(session, escalation_id=escalation.id, actor_id=lead.id)
        if spec.get("complete_followups"):
            for followup in followups.list_followups(session, status="open", conversation_id=case_id):
                followups.complete(session, followup_id=followup.id,
                                   result=spec["complete_followups"], actor_id=owner.id)
        if spec.get("close"):
            conv_repo.close_conversation(session, conversation_id=case_id,
                                         outcome=spec["close"]["outcome"],
                                         reason=spec["close"].get("reason"), actor_id=owner.id)


def seed(state: AppState, actor: User, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """Create the demo team and conversations; returns their ids and the new users' keys."""
    data = data or load_data()
    users, created = _users(state, data["users"])
    lead = next(u for u in users.values() if u.role == "supervisor")
    ids = [_conversation(state, spec, users[spec["agent"]], lead, actor)
           for spec in data["conversations"]]
    return {"conversations": ids, "users": created}
