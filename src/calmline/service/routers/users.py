"""Users and API keys (admins). The CLI's `calmline users create` does the same offline."""

from __future__ import annotations

from fastapi import APIRouter

from calmline.cases import agents as repo
from calmline.cases import db
from calmline.service.deps import AdminDep, StateDep
from calmline.service.routers import ERRORS
from calmline.service.schemas import UserCreate, UserCreated

router = APIRouter(prefix="/users", tags=["users"], responses=ERRORS)


@router.post("", status_code=201, response_model=UserCreated)
def create(body: UserCreate, state: StateDep, user: AdminDep) -> UserCreated:
    """Create a user; the key is in this response only (it is stored hashed)."""
    with db.transaction(state.sessions) as session:
        agent, key = repo.create_agent(session, name=body.name, role=body.role, actor_id=user.id)
        return UserCreated(id=agent.id, name=agent.name, role=agent.role, key=key)
