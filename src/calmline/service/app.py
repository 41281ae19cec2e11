"""The app factory: `create_app(settings)` builds one FastAPI app with its own engine and analyzer.

Nothing happens on import; `calmline serve` runs the migrations and then serves `create_app()`.
The analyzer is built once per app (models loaded, playbook validated) and shared by all requests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from anyio import to_thread
from fastapi import FastAPI

import calmline
from calmline import Analyzer, Playbook, load_playbook
from calmline.cases import db
from calmline.cases.wellbeing import WellbeingPolicy
from calmline.catalogue import build_catalogue
from calmline.engine.blas import one_blas_thread
from calmline.engine.core import Engine
from calmline.engine.rewriter import build_rewriter
from calmline.errors import InputError
from calmline.integrations.actions import build_sink
from calmline.playbook.coach_loader import default_coach, load_coach
from calmline.service import errors, idempotency
from calmline.service.deps import AppState
from calmline.service.headers import SecurityHeaders
from calmline.service.limits import BodyLimit
from calmline.service.reminders import build_sender
from calmline.service.routers import (
    agents,
    audit,
    catalogue,
    conversations,
    corrections,
    desk,
    escalations,
    followups,
    health,
    helpdesk_chatwoot,
    helpdesk_zendesk,
    me,
    people,
    reviews,
    supervisor,
    users,
    webhooks,
)
from calmline.settings import Settings, get_settings


def policy_from(settings: Settings, playbook: Playbook) -> WellbeingPolicy:
    """The playbook's wellbeing thresholds, with any the settings override."""
    base = playbook.wellbeing

    def pick(override: float | None, default: float) -> float:
        return default if override is None else override

    try:
        return WellbeingPolicy(
            half_life=timedelta(minutes=pick(settings.stress_half_life_minutes, base.half_life_minutes)),
            breather=pick(settings.breather_threshold, base.breather),
            overload=pick(settings.overload_threshold, base.overload),
            min_anger=pick(settings.stress_min_anger, base.min_anger),
            abuse_stress=pick(settings.abuse_stress, base.abuse_stress))
    except ValueError as exc:
        raise InputError(f"wellbeing settings: {exc}") from exc


def build_analyzer(settings: Settings) -> Analyzer:
    if settings.playbook:
        return Analyzer(load_playbook(settings.playbook))
    return calmline.default_analyzer()


def create_app(settings: Settings | None = None, *, migrate: bool = False) -> FastAPI:
    """A ready app. `migrate=True` brings the database schema up to date first."""
    settings = settings or get_settings()
    one_blas_thread()  # a request's small products stall on BLAS threads (engine/blas.py)
    engine = db.make_engine(settings.database_url, echo=settings.database_echo,
                            pool_size=settings.database_pool_size)
    if migrate:
        db.upgrade(engine)
    threads = settings.threads

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # the pool that runs the (blocking) endpoints: anyio's default of 40 threads only makes
        # them take turns on the GIL, which costs CPU and spreads latency (settings.threads)
        to_thread.current_default_thread_limiter().total_tokens = threads
        reminders = build_sender(app.state.calmline)  # follow-up reminders out, when configured
        if reminders is not None:
            reminders.start()
        yield
        if reminders is not None:
            await to_thread.run_sync(reminders.stop)
        if app.state.helpdesk_sink is not None:  # send what is queued, then stop the worker
            await to_thread.run_sync(app.state.helpdesk_sink.close)

    app = FastAPI(title="calmline", version=calmline.__version__, lifespan=lifespan,
                  description="De-escalation copilot: cases, escalations, follow-ups and agent load.")
    analyzer = build_analyzer(settings)
    coach = load_coach(settings.coach) if settings.coach else None
    if settings.crisis_line:  # one deployment's help line, without editing the playbook
        team = coach or default_coach()
        coach = team.model_copy(update={"sla": {**team.sla, "crisis_line": settings.crisis_line}})
    rewriter = build_rewriter(settings.llm_url, settings.llm_model,
                              settings.llm_api_key.get_secret_value(), settings.llm_timeout_seconds)
    app.state.calmline = AppState(settings, db.session_factory(engine),
                                  Engine(analyzer, coach, rewriter=rewriter),
                                  policy_from(settings, analyzer.playbook),
                                  readers=db.read_session_factory(engine))
    # the actions calmline takes in a connected helpdesk (routers/helpdesk_events.py queues them)
    app.state.helpdesk_sink = build_sink(settings, build_catalogue(analyzer.playbook))
    errors.install(app)
    idempotency.install(app)  # a retried create request gets its first answer
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes, seconds=settings.body_seconds)
    app.add_middleware(SecurityHeaders, frame_ancestors=settings.frame_ancestors)  # CSP and co.
    errors.log_requests(app)  # outermost: it logs every answer, refusals of the layers above too
    app.include_router(health.router)
    for module in (conversations, reviews, escalations, followups, agents, supervisor, users,
                   me, people, audit, webhooks, corrections, catalogue, desk):
        app.include_router(module.router, prefix="/v1")
    for module in (helpdesk_chatwoot, helpdesk_zendesk):  # the helpdesks' own webhooks
        app.include_router(module.router, prefix="/v1")
    # Other parts of calmline (the web console) mount their routers below, one line each.
    from calmline.console import mount as mount_console  # imported here: the console imports service
    mount_console(app)
    return app
