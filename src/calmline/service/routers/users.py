"""Users and API keys (admins): create, list, rotate a key, deactivate. The CLI's `calmline users`
commands do the same offline.

Rotation and deactivation commit first, then make this process forget the user's cached key
(`deps.forget_user`), so the old key gets a 401 on the very next request here; other worker
processes keep it for at most `deps.KEY_CACHE_SECONDS`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from sqlalchemy.orm import Session

from calmline.cases import agents as repo
from calmline.cases import db, keys
from calmline.service.deps import AdminDep, SessionDep, StateDep, forget_user
from calmline.service.idempotency import IdempotencyDep
from calmline.service.routers import ERRORS
from calmline.service.schemas import MAX_ID, UserCreate, UserCreated, UserKey, UserPublic

router = APIRouter(prefix="/users", tags=["users"], responses=ERRORS)
UserId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.post("", status_code=201, response_model=UserCreated)
def create(body: UserCreate, state: StateDep, user: AdminDep, idem: IdempotencyDep
           ) -> UserCreated:
    """Create a user; the key is in this response only (it is stored hashed), and in the answer
    an `Idempotency-Key` keeps for a retry (it lives as long as the key: 24 hours)."""

    def work(session: Session) -> UserCreated:
        agent, key = repo.create_agent(session, name=body.name, role=body.role, actor_id=user.id)
        return UserCreated(id=agent.id, name=agent.name, role=agent.role, key=key)

    return idem.run(state.sessions, work)


@router.get("", response_model=list[UserPublic])
def list_(session: SessionDep, user: AdminDep) -> list[UserPublic]:
    """Every user, deactivated ones included, in id order; keys are never shown again."""
    return [UserPublic.model_validate(a) for a in keys.all_agents(session)]


@router.post("/{user_id}/rotate-key", response_model=UserKey)
def rotate_key(user_id: UserId, state: StateDep, user: AdminDep) -> UserKey:
    """A new key for the user, in this response only; the old key stops working (409 if the
    user is deactivated)."""
    with db.transaction(state.sessions) as session:
        agent, key = keys.rotate_key(session, agent_id=user_id, actor_id=user.id)
        rotated = UserKey(id=agent.id, key=key)
    forget_user(state, user_id)
    return rotated


@router.post("/{user_id}/deactivate", response_model=UserPublic)
def deactivate(user_id: UserId, state: StateDep, user: AdminDep) -> UserPublic:
    """Revoke the user's key for good and take them off routing; idempotent. The last active
    admin cannot be deactivated (409)."""
    with db.transaction(state.sessions) as session:
        done = UserPublic.model_validate(keys.deactivate(session, agent_id=user_id, actor_id=user.id))
    forget_user(state, user_id)
    return done
