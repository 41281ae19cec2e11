"""The request body's size and time limits, as a plain ASGI middleware (no per-request task).

A declared `Content-Length` over the limit is refused before the body is read. A body sent without
one (chunked) is counted as it arrives; once past the limit, reading it raises a 413 `HTTPException`
(FastAPI re-raises those from body parsing as they are), which the app's error handlers turn
into the same JSON error body as every other error. A body that trickles in is given `seconds`
from the request's start to arrive whole; after that reading it raises a 408, so a slow client
cannot hold a worker thread open for as long as it likes.
"""

from __future__ import annotations

import time

import anyio
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from calmline.service.errors import error_response


class BodyLimit:
    def __init__(self, app: ASGIApp, *, limit: int, seconds: float = 30.0) -> None:
        self.app = app
        self.limit = limit
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or ()).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            status = 413 if length.isdigit() else 400
            code, what = (("too_large", f"request body over the limit of {self.limit} bytes")
                          if status == 413 else ("bad_request", "invalid Content-Length header"))
            await error_response(status, code, what)(scope, receive, send)
            return
        seen, whole = 0, False
        deadline = time.monotonic() + self.seconds

        async def counted() -> Message:
            nonlocal seen, whole
            if whole:  # after the body: waiting for a disconnect is not bounded here
                return await receive()
            try:
                with anyio.fail_after(max(0.0, deadline - time.monotonic())):
                    message = await receive()
            except TimeoutError:
                raise HTTPException(408, f"the request body took longer than {self.seconds:g} s "
                                         "to arrive") from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                whole = not message.get("more_body", False)
                if seen > self.limit:
                    raise HTTPException(413, f"request body over the limit of {self.limit} bytes")
            return message

        await self.app(scope, counted, send)
