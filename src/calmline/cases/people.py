"""Names beside the ids in /v1's answers (`GET /v1/people`), under /v1's rules of who sees what.

Supervisors and admins see every case, so every active user's name. An agent sees their own
cases only, so only the names on them: their own, and the owners of follow-ups on their cases.
A customer's name goes to whoever may open one of that customer's conversations. Reads only,
keyword-only, over the caller's session (the shape of `calmline.cases`' repositories).
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from calmline.cases import agents
from calmline.cases.models import Agent, Conversation, Customer, FollowUp


def agent_names(session: Session, *, user_id: int, supervises: bool) -> dict[int, str]:
    """{user id: name} of the users this caller may see named."""
    if supervises:
        return {agent.id: agent.name for agent in agents.list_agents(session)}
    owners = (select(FollowUp.owner_id)
              .join(Conversation, FollowUp.conversation_id == Conversation.id)
              .where(Conversation.agent_id == user_id, FollowUp.owner_id.is_not(None)))
    query = select(Agent.id, Agent.name).where(Agent.active.is_(True),
                                               or_(Agent.id == user_id, Agent.id.in_(owners)))
    return {row.id: row.name for row in session.execute(query)}


def customer_names(session: Session, *, ids: Collection[int], user_id: int, supervises: bool
                   ) -> dict[int, str]:
    """{customer id: name} of those of `ids` the caller may see (others are left out, as if
    unknown: their existence is not the caller's business)."""
    if not ids:
        return {}
    query = select(Customer).where(Customer.id.in_(list(ids)))
    if not supervises:
        query = query.where(exists().where(Conversation.customer_id == Customer.id,
                                           Conversation.agent_id == user_id))
    return {c.id: c.name or c.external_id or f"customer {c.id}" for c in session.scalars(query)}
