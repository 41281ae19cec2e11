"""`Idempotency-Key` on the POSTs that create something: a retry gets the first answer, not a twin.

A client that sends `Idempotency-Key: <its own unique string>` with a create request may send it
again (same key, same request) as often as it likes: the first request that succeeds creates the
thing and records its answer (status and JSON body) under (caller, key) in the same transaction;
every later one gets that answer back (with `Idempotent-Replayed: true`) and creates nothing. The
same key with a different request (method, path, query or body) is a 422. Keys are per user and
live for `idempotency_ttl_hours` (24 h by default); failed requests (4xx) record nothing.

The webhook uses the same store with its event id as the key (`routers/webhooks.py`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any, TypeVar

from fastapi import Depends, FastAPI, Header, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from calmline.cases import db
from calmline.cases import idempotency as store
from calmline.errors import InputError
from calmline.service.deps import AppState, UserDep

T = TypeVar("T")
HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_PATTERN = r"^[\x21-\x7e]{1,200}$"


class Replayed(Exception):  # noqa: N818 (not an error: the control flow of a retry)
    """The request was answered before: send that answer again."""

    def __init__(self, answer: store.Answer) -> None:
        super().__init__("replayed")
        self.answer = answer


class KeyReusedError(InputError):
    """An idempotency key sent again with a different request."""


def fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    """SHA-256 of the request; a JSON body counts by its content (key order and spacing aside)."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, UnicodeDecodeError):
        canonical = body
    digest = hashlib.sha256(f"{method} {path}?{query}\n".encode())
    digest.update(canonical)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Idempotency:
    """One request's key (None: no key, nothing is recorded) and what it is checked against."""

    agent_id: int = 0
    key: str | None = None
    fingerprint: str = ""
    ttl: timedelta = timedelta(hours=24)

    def replay_if_answered(self, session: Session) -> None:
        """Raise `Replayed` if this key has an answer (KeyReusedError if for another request)."""
        if self.key is None:
            return
        answer = store.recall(session, agent_id=self.agent_id, key=self.key)
        if answer is None:
            return
        if answer.fingerprint != self.fingerprint:
            raise KeyReusedError(f"the {HEADER} {self.key!r} was already used for a different "
                                 "request: send a new key with a new request")
        raise Replayed(answer)

    def run(self, sessions: sessionmaker[Session], work: Callable[[Session], T], *,
            status: int = 201) -> T:
        """`work` in one transaction (retried as `db.write_with_retry` does) that also records
        its answer under the key; a retry that finds the answer recorded replays it instead."""
        if self.key is None:
            return db.write_with_retry(sessions, work)

        def once(session: Session) -> T:
            self.replay_if_answered(session)
            result = work(session)
            code, body = _as_json(result, status)
            store.remember(session, agent_id=self.agent_id, key=self.key or "",
                           answer=store.Answer(self.fingerprint, code, body), ttl=self.ttl)
            return result

        return db.write_with_retry(sessions, once)


NO_KEY = Idempotency()


def _as_json(result: object, status: int) -> tuple[int, Any]:
    """The status and JSON body the client gets for `result` (a model or a JSON response)."""
    if isinstance(result, Response):
        return result.status_code, json.loads(bytes(result.body))
    if isinstance(result, BaseModel):
        return status, result.model_dump(mode="json", by_alias=True)
    raise TypeError(f"cannot record an answer of type {type(result).__name__}")


def ttl_of(state: AppState) -> timedelta:
    return timedelta(hours=state.settings.idempotency_ttl_hours)


async def idempotency(
        request: Request, user: UserDep,
        key: Annotated[str | None, Header(
            alias=HEADER, pattern=KEY_PATTERN,
            description="a unique string of the client's (1-200 printable ASCII characters): a "
                        "retry with the same key and request gets the first answer and creates "
                        "nothing; the same key with another request is a 422. Kept 24 hours, "
                        "per user.")] = None) -> Idempotency:
    """The request's `Idempotency-Key`, checked up front: an answered one is replayed here,
    before any work (the analysis of a message costs milliseconds). The app's state comes from
    the request, not `StateDep`: every dependency is solved again on each use (see current_user)."""
    if key is None:
        return NO_KEY
    state: AppState = request.app.state.calmline
    body = await request.body()
    found = Idempotency(user.id, key, fingerprint(request.method, request.url.path,
                                                  request.url.query, body), ttl_of(state))
    await run_in_threadpool(_check, state, found)
    return found


def _check(state: AppState, found: Idempotency) -> None:
    with (state.readers or state.sessions)() as session:
        found.replay_if_answered(session)


IdempotencyDep = Annotated[Idempotency, Depends(idempotency)]


async def _replay(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Replayed)
    return JSONResponse(exc.answer.body, status_code=exc.answer.status,
                        headers={REPLAYED_HEADER: "true"})


def install(app: FastAPI) -> None:
    app.add_exception_handler(Replayed, _replay)
