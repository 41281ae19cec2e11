"""The console's HTML pages: thin Jinja2 shells; the browser fills them from the API.

Each page gets the playbook facts the scripts need (anger level bounds, routes, stages) inline as
JSON, so a page needs one request for its shell and then only API calls.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

import calmline
from calmline.catalogue import build_catalogue
from calmline.service.deps import DEMO_PREFIX, StateDep
from calmline.service.headers import ZAF_SDK
from calmline.service.schemas import MAX_ID
from calmline.settings import origin_of

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
router = APIRouter(prefix="/console", include_in_schema=False)

def _meta(state: StateDep, **extra: Any) -> Markup:
    # the catalogue's facts every page needs at once; the rest it fetches from /v1/catalogue
    catalogue = build_catalogue(state.engine.playbook, state.engine.coach)
    data: dict[str, Any] = {
        "levels": {lv.name: lv.min_score for lv in catalogue.levels if lv.name != "calm"},
        "routes": {route.name: route.description for route in catalogue.routes},
        "stages": [stage.model_dump() for stage in catalogue.stages],
        # a demo or practice conversation's external id starts with it: only there may the agent
        # type the customer's side (deps.check_customer_line)
        "demo_prefix": DEMO_PREFIX,
        **extra,
    }
    # `</` cannot end the script element early once escaped; the JSON stays valid
    return Markup(json.dumps(data).replace("</", "<\\/"))


def _page(request: Request, state: StateDep, template: str, title: str, page: str,
          **extra: Any) -> HTMLResponse:
    context = {"title": title, "page": page, "meta": _meta(state), "version": calmline.__version__,
               **extra}
    return TEMPLATES.TemplateResponse(request, template, context)


@router.get("/", response_class=HTMLResponse)
def conversations(request: Request, state: StateDep) -> HTMLResponse:
    return _page(request, state, "list.html", "Conversations", "list")


@router.get("/signin", response_class=HTMLResponse)
def signin(request: Request, state: StateDep) -> HTMLResponse:
    return _page(request, state, "signin.html", "Sign in", "signin")


@router.get("/conversations/{conversation_id}", response_class=HTMLResponse)
def conversation(request: Request, state: StateDep,
                 conversation_id: Annotated[int, PathParam(ge=1, le=MAX_ID)]) -> HTMLResponse:
    return _page(request, state, "conversation.html", f"Conversation {conversation_id}",
                 "conversation", conversation_id=conversation_id)


@router.get("/queue", response_class=HTMLResponse)
def queue(request: Request, state: StateDep) -> HTMLResponse:
    return _page(request, state, "queue.html", "Live queue", "queue")


@router.get("/followups", response_class=HTMLResponse)
def followups(request: Request, state: StateDep) -> HTMLResponse:
    return _page(request, state, "followups.html", "Follow-ups", "followups")


@router.get("/insights", response_class=HTMLResponse)
def insights(request: Request, state: StateDep) -> HTMLResponse:
    return _page(request, state, "insights.html", "Insights", "insights")


@router.get("/panel", response_class=HTMLResponse)
def own_panel(request: Request, state: StateDep) -> HTMLResponse:
    """The panel of one case in calmline's own console: `?conversation=<id>`."""
    return panel(request, state, "console")


@router.get("/panel/{host}", response_class=HTMLResponse)
def panel(request: Request, state: StateDep,
          host: Annotated[str, PathParam(pattern="^(chatwoot|zendesk)$")]) -> HTMLResponse:
    """The copilot beside a helpdesk's composer: Chatwoot frames it as a dashboard app (context by
    postMessage, accepted only from `chatwoot_url`'s origin), Zendesk as a ticket-sidebar app
    (the page loads Zendesk's app framework SDK and calls calmline through Zendesk's proxy);
    `/console/panel?conversation=<id>` is calmline's own. The only pages that `frame_ancestors`
    may frame; no key ever travels in their URL."""
    settings = state.settings
    meta = _meta(state, host=host, chatwoot_origin=origin_of(settings.chatwoot_url),
                 chatwoot_account=settings.chatwoot_account_id)
    context = {"title": "calmline", "page": "panel", "meta": meta, "host": host,
               "version": calmline.__version__, "zaf_sdk": ZAF_SDK}
    return TEMPLATES.TemplateResponse(request, "panel.html", context)
