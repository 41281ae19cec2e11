"""Wire the console into a service app (called once from `create_app`)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from calmline.console import api as console_api
from calmline.console import pages

STATIC = Path(__file__).with_name("static")


def mount(app: FastAPI) -> None:
    """Add the console pages, its helper API and static files to `app`."""
    app.include_router(pages.router)
    app.include_router(console_api.router)
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console-static")

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/console/")
