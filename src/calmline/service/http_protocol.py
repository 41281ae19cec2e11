"""The HTTP/1.1 protocol `calmline serve` runs: uvicorn's h11 one, with the limits it lacks.

uvicorn's defaults take a request head of any size (httptools accepted 5 MB) and hold a connection
that never finishes its head for ever. Here a head is bounded (`HEAD_LIMIT`: h11 refuses a longer
incomplete one, and a longer one that arrives whole in one read is refused here), and a
connection must send a complete head within the keep-alive timeout of connecting or of starting
it, else it is closed. The server's own refusals (a malformed request, a head over the
limit) get the API's JSON error shape instead of uvicorn's plain text.
"""

from __future__ import annotations

import asyncio
import json
from http import HTTPStatus
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

HEAD_LIMIT = 64 * 1024


def error_body(code: str, message: str) -> bytes:
    return json.dumps({"error": {"code": code, "message": message, "detail": None}}).encode()


class BoundedH11Protocol(H11Protocol):
    """h11 with a deadline on the request head and JSON for the server's own 400 and 431."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[arg-type]
        self._arm_head_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_deadline()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE and self._head_too_long(data):
            self._unset_keepalive_if_required()
            self._disarm_head_deadline()
            self._send_error(431, "header_too_large", f"request head over {self._limit} bytes")
            return
        super().data_received(data)
        if self._between_requests() and not self.transport.is_closing():
            self._arm_head_deadline()  # a head has started (or more of it came): keep its clock
        else:
            self._disarm_head_deadline()

    @property
    def _limit(self) -> int:
        return self.config.h11_max_incomplete_event_size or HEAD_LIMIT

    def _head_too_long(self, data: bytes) -> bool:
        """Whether the head being received runs past the limit. h11 checks only a head that is
        still incomplete, so one read holding a whole longer head would get through it."""
        buffered = self.conn.trailing_data[0]
        if len(buffered) + len(data) <= self._limit:
            return False
        window = (buffered + data)[:self._limit]
        return b"\n\r\n" not in window and b"\n\n" not in window

    def _between_requests(self) -> bool:
        return self.conn.their_state is h11.IDLE and (self.cycle is None or self.cycle.response_complete)

    def _arm_head_deadline(self) -> None:
        if self.head_deadline is None:
            self.head_deadline = self.loop.call_later(self.timeout_keep_alive, self._head_too_slow)

    def _disarm_head_deadline(self) -> None:
        if self.head_deadline is not None:
            self.head_deadline.cancel()
            self.head_deadline = None

    def _head_too_slow(self) -> None:
        self.head_deadline = None
        if self._between_requests() and not self.transport.is_closing():
            self.transport.close()

    def send_400_response(self, msg: str) -> None:
        if len(self.conn.trailing_data[0]) > self._limit:
            self._send_error(431, "header_too_large", f"request head over {self._limit} bytes")
        else:
            self._send_error(400, "bad_request", "malformed HTTP request")

    def _send_error(self, status: int, code: str, message: str) -> None:
        body = error_body(code, message)
        headers = [(b"content-type", b"application/json"), (b"connection", b"close"),
                   (b"content-length", str(len(body)).encode())]
        reason = HTTPStatus(status).phrase.encode()
        for event in (h11.Response(status_code=status, headers=headers, reason=reason),
                      h11.Data(data=body),
                      h11.EndOfMessage()):
            self.transport.write(self.conn.send(event) or b"")
        self.transport.close()
