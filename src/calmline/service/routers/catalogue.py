"""`GET /catalogue`: the playbook's labels, routes, stages and coach moments, for any signed-in
role; clients (the console first) title labels from it instead of keeping their own copies."""

from __future__ import annotations

from fastapi import APIRouter

from calmline.catalogue import Catalogue, build_catalogue
from calmline.service.deps import StateDep, UserDep
from calmline.service.routers import ERRORS

router = APIRouter(prefix="/catalogue", tags=["catalogue"], responses=ERRORS)


@router.get("", response_model=Catalogue)
async def catalogue(user: UserDep, state: StateDep) -> Catalogue:
    """Levels, flags (route, danger, reason), wants, causes, areas, routes, stages, and the coach's
    moments, behaviours and anti-patterns: this server's playbook and coach (a team's own)."""
    return build_catalogue(state.engine.playbook, state.engine.coach)
