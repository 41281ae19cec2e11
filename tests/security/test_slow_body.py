"""A body that trickles in cannot hold a worker: it gets a time limit (408); refusals of the body
limits are logged like every other answer."""

from __future__ import annotations

import logging
from typing import Any

import anyio
import pytest
from starlette.exceptions import HTTPException
from starlette.types import Message, Receive, Scope, Send

from calmline.service.limits import BodyLimit
from tests.service.conftest import Api

SCOPE: dict[str, Any] = {"type": "http", "method": "POST", "path": "/", "headers": []}


def _reader(seen: list[bytes]) -> Any:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            seen.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        await receive()  # then wait for the client to go, as a disconnect watcher does
    return app


def test_a_body_that_stops_arriving_is_refused_with_408() -> None:
    async def trickle() -> Message:
        if not sent:
            sent.append(1)
            return {"type": "http.request", "body": b"{", "more_body": True}
        await anyio.sleep(30)  # the rest never comes
        return {"type": "http.disconnect"}

    sent: list[int] = []
    seen: list[bytes] = []

    async def main() -> None:
        with anyio.fail_after(5), pytest.raises(HTTPException) as refused:
            await BodyLimit(_reader(seen), limit=1000, seconds=0.2)(SCOPE, trickle, _nowhere)
        assert refused.value.status_code == 408 and "0.2 s" in refused.value.detail

    anyio.run(main)
    assert seen == [b"{"]


def test_after_the_whole_body_waiting_is_not_bounded() -> None:
    messages = [{"type": "http.request", "body": b"{}", "more_body": False}]

    async def receive() -> Message:
        if messages:
            return messages.pop()
        await anyio.sleep(0.4)  # longer than the body limit: the client is only slow to leave
        return {"type": "http.disconnect"}

    async def main() -> None:
        await BodyLimit(_reader([]), limit=1000, seconds=0.1)(SCOPE, receive, _nowhere)

    anyio.run(main)


async def _nowhere(message: Message) -> None:
    return None


def test_an_oversized_body_is_logged_with_its_413(sqlite_api: Api, caplog: pytest.LogCaptureFixture
                                                  ) -> None:
    caplog.set_level(logging.INFO, logger="calmline.requests")
    huge = "x" * (sqlite_api.client.app.state.calmline.settings.max_body_bytes + 1)  # type: ignore[attr-defined]
    response = sqlite_api.client.post("/v1/conversations", content=huge,
                                      headers={**sqlite_api.h("agent"), "Content-Type": "application/json"})
    assert response.status_code == 413
    assert any(getattr(r, "status", None) == 413 for r in caplog.records)
