"""The request body size limit, as a plain ASGI middleware (no per-request task or copy).

A declared `Content-Length` over the limit is refused before the body is read. A body sent without
one (chunked) is counted as it arrives; once past the limit, reading it raises a 413 `HTTPException`
(FastAPI re-raises those from body parsing as they are), which the app's error handlers turn
into the same JSON error body as every other error.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from calmline.service.errors import error_response


class BodyLimit:
    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit

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
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise HTTPException(413, f"request body over the limit of {self.limit} bytes")
            return message

        await self.app(scope, counted, send)
