"""The optional LLM rewriter, against a tiny local chat-completions stub (no network)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

import pytest

from calmline.engine.composer import suggest
from calmline.engine.rewriter import LLMRewriter, rewriter_from_env
from tests.coach.support import coach_analyzer, turns

CHAT = turns(("customer", "My order 55120 arrived with a cracked jug. I want a replacement."))


class _Stub(BaseHTTPRequestHandler):
    reply: ClassVar[Any] = None
    seen: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server API)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Stub.seen.append(body)
        data = json.dumps(_Stub.reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def stub_url() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1/chat/completions"
    server.shutdown()
    server.server_close()


def _answer(text: str) -> dict[str, Any]:
    return {"choices": [{"message": {"role": "assistant", "content": text}}]}


def test_rewriter_output_is_reviewed_like_any_suggestion(stub_url: str) -> None:
    _Stub.reply = _answer("Calm down, it's just a jug. These things happen.")
    found = suggest(CHAT, coach_analyzer(), rewriter=LLMRewriter(stub_url), limit=10)
    proposal = next(s for s in found if s.source == "rewriter")
    assert proposal.review.flagged("minimise") and proposal.score < found[0].score
    request = _Stub.seen[-1]
    assert request["messages"][0]["role"] == "system" and "55120" in request["messages"][1]["content"]


def test_a_good_rewrite_can_win(stub_url: str) -> None:
    _Stub.reply = _answer("I'm so sorry your jug arrived cracked, that's really disappointing. So order "
                          "55120 came damaged: I'll send a replacement within 2 business days, or a "
                          "refund if you'd prefer. Which would you like?")
    found = suggest(CHAT, coach_analyzer(), rewriter=LLMRewriter(stub_url), limit=10)
    assert any(s.source == "rewriter" and s.score >= 80 for s in found)


@pytest.mark.parametrize("reply", [{"choices": []}, {"nothing": 1}, _answer("   "), "not json"])
def test_bad_answers_mean_no_proposal(stub_url: str, reply: Any) -> None:
    _Stub.reply = reply
    found = suggest(CHAT, coach_analyzer(), rewriter=LLMRewriter(stub_url), limit=10)
    assert all(s.source != "rewriter" for s in found)


def test_unreachable_endpoint_means_no_proposal() -> None:
    rewriter = LLMRewriter("http://127.0.0.1:9/v1/chat/completions", timeout=0.5)
    assert all(s.source != "rewriter" for s in suggest(CHAT, coach_analyzer(), rewriter=rewriter))


@pytest.mark.parametrize("env, built", [({}, False), ({"CALMLINE_LLM_URL": ""}, False),
                                        ({"CALMLINE_LLM_URL": "file:///etc/passwd"}, False),
                                        ({"CALMLINE_LLM_URL": "http://127.0.0.1:8000/v1"}, True)])
def test_rewriter_is_off_unless_a_url_is_configured(env: dict[str, str], built: bool) -> None:
    assert (rewriter_from_env(env) is not None) is built
