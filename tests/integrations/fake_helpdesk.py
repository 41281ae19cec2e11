"""A real HTTP server on 127.0.0.1 that plays a helpdesk's REST API and records every request.

Routes are (method, path regex) → handler; a handler gets the recorded request and the regex
match and returns (status, JSON body, headers). Tests assert on `server.requests`: method, path,
query, headers and the decoded body, as calmline sent them.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> Any:
    """A fixture file (named after the vendor's documented endpoint), decoded."""
    return json.loads((FIXTURES / name).read_text("utf-8"))


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


Answer = tuple[int, Any] | tuple[int, Any, dict[str, str]]
Handler = Callable[[Recorded, re.Match[str]], Answer]


class FakeHelpdesk:
    def __init__(self) -> None:
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def route(self, method: str, pattern: str, handler: Handler | Answer) -> None:
        """Answer `method` on paths matching `pattern` (anchored) with `handler` or a fixed answer."""
        call: Handler = handler if callable(handler) else (lambda _r, _m, a=handler: a)
        self.routes.insert(0, (method, re.compile(pattern + r"\Z"), call))

    def sent(self, method: str | None = None, path: str | None = None) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if (method is None or r.method == method)
                    and (path is None or re.fullmatch(path, r.path))]

    def _answer(self, recorded: Recorded) -> Answer:
        with self._lock:
            self.requests.append(recorded)
        for method, pattern, handler in self.routes:
            match = pattern.match(recorded.path)
            if method == recorded.method and match:
                return handler(recorded, match)
        return 404, {"error": "RecordNotFound"}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                recorded = Recorded(self.command, url.path, parse_qs(url.query),
                                    {k.lower(): v for k, v in self.headers.items()},
                                    json.loads(raw) if raw else None)
                answer = fake._answer(recorded)
                status, body = answer[0], answer[1]
                headers = answer[2] if len(answer) > 2 else {}  # type: ignore[misc]
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve  # noqa: N815 (http.server's names)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        return Handler

    @contextmanager
    def running(self) -> Iterator[FakeHelpdesk]:
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()
            thread.join(5)


ACCOUNT = 3
CONVERSATION = r"/api/v1/accounts/3/conversations/(?P<id>\d+)"
TICKET = r"/api/v2/tickets/(?P<id>\d+)"


def fake_chatwoot() -> FakeHelpdesk:
    """Chatwoot's documented endpoints that calmline calls, answered from the fixtures."""
    fake = FakeHelpdesk()
    fake.route("GET", "/api/v1/profile", (200, fixture("chatwoot/fetch_user_profile.json")))
    fake.route("GET", CONVERSATION, (200, fixture("chatwoot/get_conversation_details.json")))
    fake.route("GET", CONVERSATION + "/labels", (200, fixture("chatwoot/conversation_list_labels.json")))
    fake.route("POST", CONVERSATION + "/labels",
               lambda r, m: (200, {"payload": r.body["labels"]}))
    fake.route("POST", CONVERSATION + "/messages", (200, fixture("chatwoot/create_new_message.json")))
    fake.route("POST", CONVERSATION + "/toggle_priority", (200, None))
    return fake


def fake_zendesk() -> FakeHelpdesk:
    """Zendesk's documented endpoints that calmline calls, answered from the fixtures."""
    fake = FakeHelpdesk()
    fake.route("GET", "/api/v2/users/me.json", (200, fixture("zendesk/show_current_user.json")))
    fake.route("GET", TICKET + r"\.json", (200, fixture("zendesk/show_ticket.json")))
    fake.route("PUT", TICKET + r"\.json", (200, fixture("zendesk/update_ticket.json")))
    fake.route("PUT", TICKET + r"/tags\.json", (200, fixture("zendesk/add_tags.json")))
    return fake
