"""Liveness for monitors and load balancers: no key needed, never an error status."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import text

from calmline.service.deps import StateDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(state: StateDep) -> dict[str, Any]:
    """Liveness and database reachability (no key needed)."""
    try:
        with state.sessions() as session:
            session.execute(text("select 1"))
        database = "ok"
    except Exception as exc:  # report, never raise: this is what monitors poll
        database = f"error: {type(exc).__name__}"
    return {"status": "ok" if database == "ok" else "degraded", "database": database}
