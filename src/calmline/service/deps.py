"""Request dependencies: the app's state, a database session, and the authenticated user."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from calmline.cases import agents
from calmline.cases.errors import AuthenticationError, NotFoundError, PermissionDeniedError
from calmline.cases.models import Conversation
from calmline.cases.wellbeing import WellbeingPolicy
from calmline.engine.analyzer import Analyzer
from calmline.engine.core import Engine
from calmline.insights.page import ReportCache
from calmline.settings import Settings

_bearer = HTTPBearer(auto_error=False, description="an API key from `calmline users create`")


@dataclass(frozen=True, slots=True)
class User:
    """The caller, detached from any session."""

    id: int
    name: str
    role: str

    @property
    def supervises(self) -> bool:
        return self.role in ("supervisor", "admin")


# How long a key looked up is trusted without asking the database again. A revocation made by
# another worker process (or by the CLI) reaches this one within this bound: a cached entry expires
# this long after the read that filled it began (in the worker thread, not when the request asked:
# under load a lookup can wait longer than this for a thread). One lookup a second per active key
# is nothing next to a message's own work; a revision counter would need a column of its own.
KEY_CACHE_SECONDS = 1.0


@dataclass(slots=True)
class AppState:
    settings: Settings
    sessions: sessionmaker[Session]
    engine: Engine  # the one engine (analyzer, coach, caches) behind every request of this app
    policy: WellbeingPolicy
    # sessions for reads only: on SQLite they do not take the write lock (`db.read_session_factory`)
    readers: sessionmaker[Session] | None = None
    # key hash -> (user, monotonic expiry): a key is looked up at most every KEY_CACHE_SECONDS.
    # A rotation or deactivation through this process forgets the user at once (`forget_user`);
    # other worker processes (and changes made with the CLI) are seen within KEY_CACHE_SECONDS
    # (≤ 1 s).
    known_keys: dict[str, tuple[User, float]] = field(default_factory=dict)
    # bumped by every `forget_user`: a lookup that began before it is not cached (see current_user)
    key_epoch: int = 0
    # key hash -> (key_epoch when it began, the lookup under way): requests that miss the cache
    # together (every client of a key, each time its entry expires) share one lookup instead of
    # each queueing a worker thread to read the same row. Touched on the event loop only.
    key_lookups: dict[str, tuple[int, asyncio.Future[User]]] = field(default_factory=dict)
    # the console's insights report, per case-store version (built on demand, owned by this app)
    reports: ReportCache = field(default_factory=ReportCache)

    @property
    def analyzer(self) -> Analyzer:
        return self.engine.analyzer


# The dependencies that never block are `async def`: FastAPI runs a plain `def` dependency in the
# thread pool, a hand-off per dependency per request that costs more than the work itself.


async def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.calmline
    return state


StateDep = Annotated[AppState, Depends(get_state)]


def get_session(state: StateDep) -> Iterator[Session]:
    """A read session; writes open their own transaction (`db.write_with_retry`)."""
    with (state.readers or state.sessions)() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


async def current_user(request: Request,
                       credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
                       ) -> User:
    """The caller, from a key remembered for KEY_CACHE_SECONDS or looked up (in the thread pool).

    Takes the request rather than `StateDep`: FastAPI solves a dependency's own dependencies on
    every use, cached or not, and this one is used two or three times per request."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise AuthenticationError("send an API key as `Authorization: Bearer KEY`")
    state: AppState = request.app.state.calmline
    digest = agents.hash_key(credentials.credentials)
    known = state.known_keys.get(digest)
    if known is not None and known[1] > time.monotonic():
        return known[0]
    epoch = state.key_epoch
    running = state.key_lookups.get(digest)
    if running is None or running[0] != epoch:
        # a lookup begun before a revocation in this process is not joined: it may predate it
        running = (epoch, asyncio.ensure_future(_remember(state, digest, credentials.credentials,
                                                          epoch)))
        state.key_lookups[digest] = running
        running[1].add_done_callback(partial(_lookup_done, state, digest, running))
    # shielded: a client that goes away does not cancel the lookup the others wait for
    return await asyncio.shield(running[1])


async def _remember(state: AppState, digest: str, key: str, epoch: int) -> User:
    user, began = await run_in_threadpool(_lookup, state, key)
    if len(state.known_keys) > 10_000:
        state.known_keys.clear()
    state.known_keys[digest] = (user, began + KEY_CACHE_SECONDS)
    if state.key_epoch != epoch:
        # a key was revoked while this lookup ran: what it read may predate that commit, so it
        # answers the requests that raced the revocation but is not remembered. Checked after the
        # insert: a `forget_user` that bumps later also evicts what was just put there.
        state.known_keys.pop(digest, None)
    return user


def _lookup_done(state: AppState, digest: str, running: tuple[int, asyncio.Future[User]],
                 task: asyncio.Future[User]) -> None:
    if state.key_lookups.get(digest) is running:
        del state.key_lookups[digest]
    if not task.cancelled():
        task.exception()  # retrieved: a refused key with no request left waiting is not an error


def forget_user(state: AppState, user_id: int) -> None:
    """Drop every cached key of `user_id`, after a commit that rotated or revoked it.

    Called from the (threaded) endpoints, so it never iterates the live dict: `list(...)` copies
    it in one step under the GIL, and `pop` tolerates an entry another request already dropped.
    """
    state.key_epoch += 1
    for digest, (user, _expiry) in list(state.known_keys.items()):
        if user.id == user_id:
            state.known_keys.pop(digest, None)


def _lookup(state: AppState, key: str) -> tuple[User, float]:
    """The key's user and the monotonic time its read began (what the cache's bound counts from)."""
    began = time.monotonic()
    with (state.readers or state.sessions)() as session:
        agent = agents.agent_by_key(session, key=key)
        if agent is None:
            raise AuthenticationError("unknown or revoked API key")
        return User(agent.id, agent.name, agent.role), began


UserDep = Annotated[User, Depends(current_user)]


async def supervisor(user: UserDep) -> User:
    if not user.supervises:
        raise PermissionDeniedError("this needs a supervisor or admin key")
    return user


async def admin(user: UserDep) -> User:
    if user.role != "admin":
        raise PermissionDeniedError("this needs an admin key")
    return user


SupervisorDep = Annotated[User, Depends(supervisor)]
AdminDep = Annotated[User, Depends(admin)]


def check_access(user: User, conversation: Conversation | None) -> None:
    """Agents see their own conversations only (403 for anyone else's)."""
    if conversation is None:
        raise NotFoundError("no such conversation")
    check_owner(user, conversation.id, conversation.agent_id)


def check_owner(user: User, conversation_id: int, agent_id: int | None) -> None:
    if not user.supervises and agent_id != user.id:
        raise PermissionDeniedError(f"conversation {conversation_id} belongs to another agent")


# A demo or practice conversation: loaded as demo data, or opened by someone to role-play the
# customer. Its helpdesk id (`external_id`) says so, so every read of the case shows it too.
DEMO_PREFIX = "demo:"


def is_demo(external_id: str | None) -> bool:
    return external_id is not None and external_id.startswith(DEMO_PREFIX)


def check_customer_line(user: User, conversation: Conversation) -> None:
    """Who may put words in the customer's mouth, so the record cannot be faked.

    Customer messages come from the helpdesk (the webhook's user, an integration's key) or from a
    supervisor or admin importing history. An agent may post customer lines only on a demo or
    practice conversation (external id `demo:…`), to role-play; on a real one that would let the
    agent stage a de-escalation of their own.
    """
    check_access(user, conversation)
    if not user.supervises and not is_demo(conversation.external_id):
        raise PermissionDeniedError(
            f"conversation {conversation.id} is a real one: customer messages come from the "
            "helpdesk; agents post customer lines only on demo or practice conversations")
