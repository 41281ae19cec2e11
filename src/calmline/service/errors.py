"""The one place errors become HTTP responses: `{"error": {"code", "message", "detail"}}`.

calmline's own errors map to 4xx by class; request validation to 422 (400 for a body that is
not JSON); a database that cannot be reached to a 503; anything unexpected to a 500 with a generic message:
no traceback reaches a client. Their log lines name the exception's type and place, never its
message (a database error quotes the values it refused: customers' emails, card numbers).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from calmline.cases.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    TooLargeError,
)
from calmline.engine.budget import OutOfTimeError
from calmline.errors import CalmlineError, InputError, PlaybookError
from calmline.service.logs import RequestLog, describe_error, logged_path

log = logging.getLogger("calmline.service")

# most specific first: TooLargeError is an InputError
_STATUS: tuple[tuple[type[CalmlineError], int, str], ...] = (
    (AuthenticationError, 401, "unauthorized"),
    (PermissionDeniedError, 403, "forbidden"),
    (NotFoundError, 404, "not_found"),
    (ConflictError, 409, "conflict"),
    (TooLargeError, 413, "too_large"),
    (PlaybookError, 422, "playbook"),
    (InputError, 422, "invalid_input"),
    (OutOfTimeError, 503, "out_of_time"),
)
_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               408: "request_timeout",
               405: "method_not_allowed", 413: "too_large", 415: "unsupported_media_type"}


def error_response(status: int, code: str, message: str, detail: Any = None,
                   headers: Mapping[str, str] | None = None) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "detail": jsonable_encoder(detail)}}
    return JSONResponse(body, status_code=status, headers=headers)


async def _calmline_error(request: Request, exc: Exception) -> JSONResponse:
    for cls, status, code in _STATUS:
        if isinstance(exc, cls):
            headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
            return error_response(status, code, str(exc), headers=headers)
    return error_response(400, "error", str(exc))


def _clean(errors: list[Any]) -> list[dict[str, Any]]:
    out = []
    for err in errors[:20]:
        item = {"loc": list(err.get("loc", ())), "msg": str(err.get("msg", "")),
                "type": str(err.get("type", ""))}
        out.append(item)
    return out


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _clean(list(exc.errors()))
    if any(e["type"] == "json_invalid" for e in errors):
        return error_response(400, "invalid_json", "the request body is not valid JSON", errors)
    first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
    where = ".".join(str(p) for p in first["loc"])
    return error_response(422, "validation_error", f"{where}: {first['msg']}", errors)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    return error_response(exc.status_code, code, str(exc.detail), headers=exc.headers)


def _context(request: Request, exc: Exception) -> dict[str, Any]:
    """What an error's log line says: the request (no query string, no body) and the exception's
    type and place. Never `str(exc)`: a database error quotes the values it refused."""
    return {"request_id": getattr(request.state, "request_id", None), "method": request.method,
            "path": logged_path(request.scope), "error": describe_error(exc)}


async def _integrity(request: Request, exc: Exception) -> JSONResponse:
    # a safety net: writers check uniqueness first, so this is a race that lost twice
    log.warning("integrity error", extra=_context(request, exc))
    return error_response(409, "conflict", "the change conflicts with stored data; try again")


async def _database_down(request: Request, exc: Exception) -> JSONResponse:
    log.error("database unavailable", extra=_context(request, exc))
    return error_response(503, "unavailable", "the database is unavailable; try again shortly",
                          headers={"Retry-After": "5"})


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error", extra=_context(request, exc))
    return error_response(500, "internal", "internal error: the request was not completed")


class QueryTextGuard:
    """Refuses (422) any request whose query string holds a NUL character (`%00`).

    No query parameter can be stored or compared with a NUL in it (PostgreSQL refuses the string
    outright), and no name or id legitimately holds one: one check here covers every route's
    string parameters, present and future, before any of them reaches a query.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        query = scope.get("query_string", b"") if scope["type"] == "http" else b""
        if b"%00" in query or b"\x00" in query:
            detail = [{"loc": ["query"], "msg": "must not contain NUL characters (%00)",
                       "type": "string_nul"}]
            response = error_response(422, "validation_error",
                                      "query: must not contain NUL characters (%00)", detail)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def log_requests(app: FastAPI) -> None:
    """One log line per request (and the id the handlers' log lines name): call after every other
    middleware is added."""
    app.add_middleware(RequestLog)


def install(app: FastAPI) -> None:
    """The error handlers, and the NUL guard that goes with them (its refusals share the error
    shape). The request log is added last, by `log_requests`, so that it is the outermost layer
    and also logs what the other middlewares refuse (a 413 body, a 408 slow body)."""
    app.add_middleware(QueryTextGuard)
    app.add_exception_handler(CalmlineError, _calmline_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(IntegrityError, _integrity)
    app.add_exception_handler(OperationalError, _database_down)
    app.add_exception_handler(Exception, _unexpected)
