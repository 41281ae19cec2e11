"""Console helpers the /v1 API does not (yet) offer, behind the same keys and the same rules of
who sees what as /v1 (`deps.check_access`). Whatever /v1 answers (who a key is: `GET /v1/me`)
the console asks /v1 for; nothing here repeats it.

- `GET  /console/api/state`: whether the case store is empty (first run offers demo data);
- `POST /console/api/demo`: load the demo conversations (admins, empty store only);
- `GET  /console/api/people`: names beside the ids, only those the caller may see (`people`);
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
from sqlalchemy.orm import Session

from calmline.cases import audit, db
from calmline.cases import conversations as conv_repo
from calmline.cases import followups as followup_repo
from calmline.cases.errors import ConflictError
from calmline.console import demo_seed, insights_view
from calmline.console import people as people_repo
from calmline.service import coaching, intake
from calmline.service.deps import AdminDep, SessionDep, StateDep, UserDep, check_access, is_demo
from calmline.service.routers import ERRORS
from calmline.service.routers.followups import public as followup_public
from calmline.service.schemas import MAX_ID, FollowUpPublic, Time, storable_text

router = APIRouter(prefix="/console/api", tags=["console"], responses=ERRORS)


class StoreState(BaseModel):
    empty: bool = Field(description="no conversations at all yet (a first run)")
    can_seed: bool = Field(description="the caller may load the demo data now (an admin, empty store)")


class Person(BaseModel):
    name: str


class People(BaseModel):
    agents: dict[int, Person] = Field(description="users by id: all active ones for supervisors "
                                                  "and admins; an agent's own name and the owners "
                                                  "of follow-ups on their conversations for agents")
    customers: dict[int, str] = Field(description="the asked-for customers the caller may see")


def _no_nul(value: str) -> str:
    if not value.strip():
        raise ValueError("give the follow-up as text (not blank)")
    return storable_text(value)


class FollowUpConfirm(BaseModel):
    model_config = ConfigDict(extra="forbid")
    keep: bool = Field(True, description="false drops it (not a real promise)")
    what: Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(_no_nul)]
    due: Time = Field(None, description="when it is due; a time without a zone is UTC")


def _store_is_empty(session: Session) -> bool:
    return not conv_repo.list_conversations(session, limit=1)


@router.get("/state", response_model=StoreState)
def state_(session: SessionDep, user: UserDep) -> StoreState:
    """Whether this is a first run; no counts (an agent may not count the team's cases)."""
    empty = _store_is_empty(session)
    return StoreState(empty=empty, can_seed=empty and user.role == "admin")


@router.post("/demo", status_code=201)
def demo(state: StateDep, user: AdminDep) -> dict[str, Any]:
    """Seed the demo conversations through the service's own message path (admins only)."""
    with state.sessions() as session:
        if not _store_is_empty(session):
            raise ConflictError("the case store already has conversations; demo data goes only "
                                "into an empty one")
    return demo_seed.seed(state, user)


@router.get("/people", response_model=People)
def people(session: SessionDep, user: UserDep,
           customers: Annotated[str, Query(max_length=5000, pattern=r"^[0-9,]*$")] = ""
           ) -> People:
    """Names for the ids on the caller's page, under /v1's rules: an agent gets only the names
    on their own conversations; an id the caller may not see is left out."""
    ids = sorted({int(x) for x in customers.split(",") if x and len(x) <= 10 and int(x) <= MAX_ID})[:500]
    agents = people_repo.agent_names(session, user_id=user.id, supervises=user.supervises)
    return People(agents={i: Person(name=name) for i, name in agents.items()},
                  customers=people_repo.customer_names(session, ids=ids, user_id=user.id,
                                                       supervises=user.supervises))


@router.get("/scenarios")
def scenarios(user: UserDep) -> list[dict[str, Any]]:
    """Recorded customers for role-play: the customer lines of the demo conversations."""
    return demo_seed.scenarios()


@router.get("/conversations/{conversation_id}/assist")
def assist(conversation_id: Annotated[int, Path(ge=1, le=MAX_ID)], state: StateDep,
           user: UserDep) -> dict[str, Any]:
    """Where the conversation stands for the next reply: stage, moment, next move, suggestions."""
    with state.sessions() as session:
        case = conv_repo.get_conversation(session, conversation_id=conversation_id)
        check_access(user, case)
        practice = is_demo(case.external_id)
        turns = [intake.message_turn(m) for m in conv_repo.messages_of(
            session, conversation_id=conversation_id, last=intake.COACH_TURNS)]
    if not turns:
        return {"stage": "venting", "moment": None, "outcome": None,
                "next_move": "Wait for the customer's first message" + (
                    ", or type one in the customer box to role-play." if practice else "."),
                "suggestions": []}
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
    return insights_view.report(state.settings, user.supervises, state.reports)
