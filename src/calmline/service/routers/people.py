"""Names beside the ids of the other answers (a customer id, an agent or owner id), under the
rules of who sees what: an agent gets the names on their own conversations only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from calmline.cases import people as repo
from calmline.service.deps import SessionDep, UserDep
from calmline.service.routers import ERRORS
from calmline.service.schemas import MAX_ID, People, Person

router = APIRouter(tags=["people"], responses=ERRORS)
MOST_CUSTOMERS = 500


@router.get("/people", response_model=People)
def people(session: SessionDep, user: UserDep,
           customers: Annotated[str, Query(
               max_length=5000, pattern=r"^[0-9,]*$",
               description="customer ids, comma-separated (the first 500 distinct ones count)")
           ] = "") -> People:
    """Names for the ids on the caller's page: the users they may see named (every active one
    for supervisors and admins; for an agent their own and the owners of follow-ups on their
    conversations) and those of `customers` whose conversations they may open. An id the caller
    may not see is left out, as if unknown."""
    ids = sorted({int(x) for x in customers.split(",")
                  if x and len(x) <= 10 and int(x) <= MAX_ID})[:MOST_CUSTOMERS]
    agents = repo.agent_names(session, user_id=user.id, supervises=user.supervises)
    return People(agents={i: Person(name=name) for i, name in agents.items()},
                  customers=repo.customer_names(session, ids=ids, user_id=user.id,
                                                supervises=user.supervises))
