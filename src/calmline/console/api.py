"""Console helpers the /v1 API does not (yet) offer, behind the same keys and roles.

- `GET  /console/api/me`: who this key is (the pages need the user's id and role);
- `GET  /console/api/state`: whether the case store is empty (first run offers demo data);
- `POST /console/api/demo`: load the demo conversations (admins, empty store only);
- `GET  /console/api/people`: names of users and of the customers of the given ids;
- `GET  /console/api/scenarios`: recorded customers (their lines) for role-play training;
- `GET  /console/api/conversations/{id}/assist`: stage, next move and suggested replies for the
  next reply, without posting anything (the API returns them only in answer to a new message);
- `POST /console/api/followups/{id}/confirm`: the agent confirms, corrects or drops a follow-up
  that was created from a promise in their message;
- `GET  /console/api/insights`: the insights report over this database, when available.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from sqlalchemy import func, select

from calmline.cases import audit, db
from calmline.cases import conversations as conv_repo
from calmline.cases import followups as followup_repo
from calmline.cases.errors import ConflictError
from calmline.cases.models import Agent, Conversation, Customer
from calmline.console import demo_seed, insights_view
from calmline.service import coaching, intake
from calmline.service.deps import AdminDep, SessionDep, StateDep, UserDep, check_access
from calmline.service.routers.followups import public as followup_public
from calmline.service.schemas import MAX_ID, FollowUpPublic, Time, storable_text

router = APIRouter(prefix="/console/api", tags=["console"])


class Me(BaseModel):
    id: int
    name: str
    role: str


def _no_nul(value: str) -> str:
    if not value.strip():
        raise ValueError("give the follow-up as text (not blank)")
    return storable_text(value)


class FollowUpConfirm(BaseModel):
    model_config = ConfigDict(extra="forbid")
    keep: bool = Field(True, description="false drops it (not a real promise)")
    what: Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(_no_nul)]
    due: Time = Field(None, description="when it is due; a time without a zone is UTC")


@router.get("/me", response_model=Me)
def me(user: UserDep) -> Me:
    return Me(id=user.id, name=user.name, role=user.role)


@router.get("/state")
def state_(session: SessionDep, user: UserDep) -> dict[str, Any]:
    count = session.scalar(select(func.count()).select_from(Conversation)) or 0
    return {"conversations": count, "empty": count == 0, "can_seed": count == 0 and user.role == "admin"}


@router.post("/demo", status_code=201)
def demo(state: StateDep, user: AdminDep) -> dict[str, Any]:
    """Seed the demo conversations through the service's own message path (admins only)."""
    with state.sessions() as session:
        if session.scalar(select(func.count()).select_from(Conversation)):
            raise ConflictError("the case store already has conversations; demo data goes only "
                                "into an empty one")
    return demo_seed.seed(state, user)


@router.get("/people")
def people(session: SessionDep, user: UserDep,
           customers: Annotated[str, Query(max_length=5000, pattern=r"^[0-9,]*$")] = ""
           ) -> dict[str, Any]:
    ids = sorted({int(x) for x in customers.split(",") if x and len(x) <= 10 and int(x) <= MAX_ID})[:500]
    agents = {a.id: {"name": a.name, "role": a.role}
              for a in session.scalars(select(Agent).where(Agent.active.is_(True)))}
    found: list[Customer] = list(session.scalars(select(Customer).where(Customer.id.in_(ids)))) if ids else []
    return {"agents": agents, "customers": {c.id: c.name or c.external_id or f"customer {c.id}"
                                            for c in found}}


@router.get("/scenarios")
def scenarios(user: UserDep) -> list[dict[str, Any]]:
    """Recorded customers for role-play: the customer lines of the demo conversations."""
    return demo_seed.scenarios()


@router.get("/conversations/{conversation_id}/assist")
def assist(conversation_id: Annotated[int, Path(ge=1, le=MAX_ID)], state: StateDep,
           user: UserDep) -> dict[str, Any]:
    """Where the conversation stands for the next reply: stage, moment, next move, suggestions."""
    with state.sessions() as session:
        check_access(user, conv_repo.get_conversation(session, conversation_id=conversation_id))
        turns = [intake.as_turn(m) for m in conv_repo.messages_of(
            session, conversation_id=conversation_id, last=intake.COACH_TURNS)]
    if not turns:
        return {"stage": "venting", "moment": None, "outcome": None,
                "next_move": "Wait for the customer's first message, or type one in the "
                             "customer box to role-play.", "suggestions": []}
    found = coaching.assess(state.engine, turns, with_suggestions=turns[-1]["role"] == "customer")
    return {"stage": found.stage, "moment": found.moment, "outcome": found.outcome,
            "next_move": found.next_move, "suggestions": found.suggestions}


@router.post("/followups/{followup_id}/confirm", response_model=FollowUpPublic)
def confirm_followup(followup_id: Annotated[int, Path(ge=1, le=MAX_ID)], body: FollowUpConfirm,
                     state: StateDep, user: UserDep) -> FollowUpPublic:
    """Keep (possibly reworded or re-dated) or drop a follow-up; each choice is audited."""
    with db.transaction(state.sessions) as session:
        followup = followup_repo.get_followup(session, followup_id=followup_id)
        check_access(user, conv_repo.get_conversation(session,
                                                      conversation_id=followup.conversation_id))
        if followup.status != "open":
            raise ConflictError(f"follow-up {followup_id} is already {followup.status}")
        if not body.keep:
            followup.status, followup.result = "cancelled", "dropped by the agent: not a promise"
            followup.completed_at, followup.completed_by = datetime.now(UTC), user.id
            audit.record(session, actor_id=user.id, entity="followup", entity_id=followup_id,
                         action="cancelled", detail={"reason": followup.result})
            return followup_public(followup)
        due = body.due  # aware UTC already (schemas.Time)
        changed = {"what": body.what} if body.what != followup.what else {}
        if due is not None and due != followup.due:
            changed["due"] = due.isoformat()
            followup.due, followup.due_text = due, "set by the agent"
        followup.what = body.what
        audit.record(session, actor_id=user.id, entity="followup", entity_id=followup_id,
                     action="confirmed", detail=changed or None)
        return followup_public(followup)


@router.get("/insights")
def insights(state: StateDep, user: UserDep) -> dict[str, Any]:
    return insights_view.report(state.settings.database_url, user.supervises)
