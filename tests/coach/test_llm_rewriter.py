"""The optional LLM path, against a real local server that speaks the OpenAI chat-completions API
(a ThreadingHTTPServer on 127.0.0.1 in a thread; no model can run here). Every generated reply is
reviewed: one with an anti-pattern or a promise the playbook doesn't allow is never "good to
send", one that invents a fact is dropped, and a slow or broken server means no LLM suggestion,
never an error (issue 11.2)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from calmline.engine.core import Engine
from calmline.engine.rewriter import LLMRewriter, endpoint
from calmline.settings import Settings
from tests.cases.dbs import migrated
from tests.coach.support import coach_analyzer, turns
from tests.service.conftest import make_api

__all__ = ["migrated"]
CHAT = turns(("customer", "My order 55120 arrived with a cracked jug. I want a replacement."))
GOOD = ("I'm so sorry your jug arrived cracked, that's really disappointing. So order 55120 came "
        "damaged: I'll send a replacement within 2 business days, or a refund if you'd prefer. "
        "Which would you like?")


@dataclass
class ChatServer:
    """What the fake model server answers, and the requests it saw."""

    content: str = GOOD
    status: int = 200
    delay: float = 0.0
    seen: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def answer(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
        if path != "/v1/chat/completions":
            return 404, {"error": {"message": f"no route {path}"}}
        self.seen.append({"headers": headers, "body": body})
        time.sleep(self.delay)
        if self.status != 200:
            return self.status, {"error": {"message": "model failed"}}
        return 200, {"id": "chatcmpl-1", "object": "chat.completion", "model": body.get("model"),
                     "choices": [{"index": 0, "finish_reason": "stop",
                                  "message": {"role": "assistant", "content": self.content}}]}


@pytest.fixture
def chat_server() -> Iterator[ChatServer]:
    state = ChatServer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server API)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            code, answer = state.answer(self.path, dict(self.headers), body)
            data = json.dumps(answer).encode()
            try:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the client gave up waiting (the timeout test)
                pass

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()


def rewritten(server: ChatServer, **options: Any) -> list[Any]:
    rewriter = LLMRewriter(server.url + "/v1", **{"timeout": 5.0, **options})
    found = Engine(coach_analyzer()).suggest(CHAT, rewriter=rewriter, limit=20)
    return [s for s in found if s.source == "rewriter"]


def test_a_good_reply_is_proposed_and_the_request_is_chat_completions(chat_server: ChatServer) -> None:
    proposals = rewritten(chat_server, model="llama3.2", api_key="sk-local")
    assert [p.text for p in proposals] == [GOOD]
    assert proposals[0].review.verdict == "send"
    request = chat_server.seen[-1]
    assert request["headers"]["Authorization"] == "Bearer sk-local"
    body = request["body"]
    assert body["model"] == "llama3.2" and body["stream"] is False
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert "55120" in body["messages"][1]["content"]


@pytest.mark.parametrize("reply, label", [
    ("Calm down, it's just a jug. I'll send a replacement within 2 business days.", "minimise"),
    ("Sorry, the courier dropped it, that's their fault. I'll send a replacement within 2 "
     "business days.", "blame"),
    ("I'm sorry about order 55120. I guarantee this will never happen again.", "over_promise"),
])
def test_a_reply_with_an_anti_pattern_is_never_good_to_send(chat_server: ChatServer, reply: str,
                                                            label: str) -> None:
    chat_server.content = reply
    proposals = rewritten(chat_server)
    assert len(proposals) == 1  # shown, marked by its review
    for proposal in proposals:
        assert proposal.review.flagged(label)
        assert proposal.review.verdict == "blocked"
        assert proposal.review.next_move != "Good to send."


@pytest.mark.parametrize("reply", [
    "I'm so sorry your jug arrived cracked. I've found order 55129 and will replace it within 2 "
    "business days.",
    "I'm so sorry your jug arrived cracked. I'll refund the $45.99 within 2 business days.",
    "I'm so sorry your jug arrived cracked. Your replacement will be with you on Friday.",
])
def test_a_reply_that_invents_a_fact_is_dropped(chat_server: ChatServer, reply: str) -> None:
    chat_server.content = reply
    assert rewritten(chat_server) == []
    assert chat_server.seen  # it was asked, and its answer was refused


@pytest.mark.parametrize("status, delay", [(200, 3.0), (500, 0.0), (401, 0.0)])
def test_a_slow_or_failing_server_means_no_llm_suggestion(chat_server: ChatServer, status: int,
                                                          delay: float) -> None:
    chat_server.status, chat_server.delay = status, delay
    assert rewritten(chat_server, timeout=0.5) == []
    assert len(Engine(coach_analyzer()).suggest(CHAT)) >= 2  # the templates still come


@pytest.mark.parametrize("configured", ["http://h:1", "http://h:1/", "http://h:1/v1", "http://h:1/v1/",
                                        "http://h:1/v1/chat/completions"])
def test_the_url_may_be_the_server_its_v1_or_the_endpoint(configured: str) -> None:
    assert endpoint(configured) == "http://h:1/v1/chat/completions"


def test_off_by_default() -> None:
    settings = Settings()
    assert settings.llm_url == "" and settings.llm_timeout_seconds > 0


def test_the_service_suggests_the_llm_reply(chat_server: ChatServer,
                                            migrated: dict[str, tuple[str, Any]]) -> None:
    url, engine = migrated["sqlite"]
    for api in make_api(url, engine, llm_url=chat_server.url + "/v1", llm_model="qwen2.5",
                        llm_timeout_seconds=5):
        case = api.conversation()
        posted = api.say(case, CHAT[0]["text"])
        sources = [s["source"] for s in posted["suggestions"]]  # type: ignore[index]
        assert "rewriter" in sources
        assert chat_server.seen[-1]["body"]["model"] == "qwen2.5"
