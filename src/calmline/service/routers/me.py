"""`GET /me`: who a key belongs to, so a client (or a person with a key in hand) can check it
before acting on it. Any role; answered from the authentication itself, with no query of its own."""

from __future__ import annotations

from fastapi import APIRouter

from calmline.service.deps import UserDep
from calmline.service.routers import ERRORS
from calmline.service.schemas import Me

router = APIRouter(prefix="/me", tags=["users"], responses=ERRORS)


@router.get("", response_model=Me)
async def me(user: UserDep) -> Me:
    """The caller's id, name and role."""
    return Me(id=user.id, name=user.name, role=user.role)
