"""The service's logs: one JSON object a line, and nothing in them that a customer or a key wrote.

A line holds the time, level, logger and event, and for a request its id, method, path (never
the query string: names and ids travel there; only the path of a route it reached), status and
duration. Bodies, message text and keys
never reach a log call, and an exception is logged as its type and where it was raised, never its
message: a database error's message quotes the values it refused (a customer's email in a
duplicate key, for one), and SQLAlchemy's adds the statement's parameters unless the engine hides
them (it does: `cases.db.make_engine`).

`uvicorn_config(level)` is the logging configuration `calmline serve` hands uvicorn, so its own
loggers write the same lines in every worker; `RequestLog` is the middleware that writes one line
per request and gives each request an id (`X-Request-ID`, echoed back).
"""

from __future__ import annotations

import json
import logging
import re
import time
import traceback
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("calmline.requests")

# the extra fields a line may carry: anything else passed to a log call is left out
FIELDS = ("request_id", "method", "path", "status", "duration_ms", "error")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def describe_error(exc: BaseException) -> dict[str, str]:
    """An exception as its type and where it was raised (the innermost frame, and the innermost
    frame in calmline's own code): enough to find the bug, none of the values it carried."""
    info = {"type": _qualified(type(exc))}
    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        info["where"] = _frame(frames[-1])
        own = [f for f in frames if "/calmline/" in f.filename]
        if own and own[-1] is not frames[-1]:
            info["in_calmline"] = _frame(own[-1])
    cause = exc.__cause__ or exc.__context__
    if cause is not None:
        info["cause"] = _qualified(type(cause))
    return info


def _qualified(cls: type) -> str:
    return cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


def _frame(frame: traceback.FrameSummary) -> str:
    path = frame.filename.replace("\\", "/")
    for marker in ("/site-packages/", "/src/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{path}:{frame.lineno} in {frame.name}"


class JsonFormatter(logging.Formatter):
    """One JSON object per record; an exception becomes `error` (type and place, no message)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        for field in FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        if record.exc_info and record.exc_info[1] is not None and "error" not in entry:
            entry["error"] = describe_error(record.exc_info[1])
        return json.dumps(entry, ensure_ascii=False, default=str)


def uvicorn_config(level: str) -> dict[str, Any]:
    """A `logging.config.dictConfig` for `calmline serve`: uvicorn's loggers, calmline's and
    everything else's (the root logger) write JSON lines to stderr."""
    name = level.upper()
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    quiet = {"handlers": ["json"], "level": name, "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": f"{__name__}.JsonFormatter"}},
        "handlers": {"json": handler},
        "loggers": {"uvicorn": quiet, "uvicorn.error": {"level": name},
                    "uvicorn.access": quiet, "calmline": quiet},
        "root": {"handlers": ["json"], "level": "WARNING"},
    }


class RequestLog:
    """One line per HTTP request: id, method, path, status, duration; never the query string.

    The id is the caller's `X-Request-ID` when it is a plain token, else a new one; it is echoed
    in the response and kept in the request's state so the error handlers' lines name it too.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or ()).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500  # what the client gets when the app raised before answering
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message = {**message, "headers": [*message.get("headers", ()),
                                                  (b"x-request-id", request_id.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            level = logging.ERROR if status >= 500 else logging.INFO
            log.log(level, "request", extra={
                "request_id": request_id, "method": scope.get("method"), "path": logged_path(scope),
                "status": status, "duration_ms": round((time.perf_counter() - started) * 1000, 1)})


def logged_path(scope: Scope) -> str:
    """The path of a request that reached a route (its parameters were checked as ids); any other
    path is whatever the client typed, an email address as like as not, so it is not repeated."""
    return str(scope.get("path", "")) if "endpoint" in scope else "(no route)"
