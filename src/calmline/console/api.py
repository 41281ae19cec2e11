"""The console's own helpers, beside the /v1 API and behind the same keys and rules of who sees
what. Everything that is API (a case, its assist, follow-ups and their confirmation, who a key
is, the names beside the ids) the console asks /v1 for; what stays here serves the console's
pages only and means nothing to another client:

- `GET  /console/api/state`: whether the case store is empty, so a first run can offer demo data;
- `POST /console/api/demo`: load the console's demo conversations and users (admins, empty store
  only): the console's onboarding, not a resource;
- `GET  /console/api/scenarios`: recorded customers (their lines) for the console's role-play;
- `GET  /console/api/insights`: the insights report over this database as the console's page
  embeds it (rendered HTML, or why it is not available).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from calmline.cases import conversations as conv_repo
from calmline.cases.errors import ConflictError
from calmline.console import demo_seed, insights_view
from calmline.service.deps import AdminDep, SessionDep, StateDep, UserDep
from calmline.service.routers import ERRORS

router = APIRouter(prefix="/console/api", tags=["console"], responses=ERRORS)


class StoreState(BaseModel):
    empty: bool = Field(description="no conversations at all yet (a first run)")
    can_seed: bool = Field(description="the caller may load the demo data now (an admin, empty store)")


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


@router.get("/scenarios")
def scenarios(user: UserDep) -> list[dict[str, Any]]:
    """Recorded customers for role-play: the customer lines of the demo conversations."""
    return demo_seed.scenarios()


@router.get("/insights")
def insights(state: StateDep, user: UserDep) -> dict[str, Any]:
    return insights_view.report(state.settings, user.supervises, state.reports)
