"""No request can stall the service: engine work is bounded, stops on a deadline or a disconnect,
and no lock makes one conversation wait for another."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio
import pytest

import calmline
from calmline.engine.analyzer import Analyzer
from calmline.engine.budget import Budget, OutOfTimeError
from calmline.engine.core import Engine
from calmline.service import coaching
from calmline.service.work import bounded
from tests.service.conftest import Api, make_api


@pytest.fixture
def tight_api(migrated: dict[str, Any]) -> Iterator[Api]:
    """The app with a time budget no real work fits in."""
    url, engine = migrated["sqlite"]
    yield from make_api(url, engine, work_seconds=1e-9)


class CountingAnalyzer(Analyzer):
    calls = 0

    def analyze(self, text, history=None, time=None):  # type: ignore[no-untyped-def]
        self.calls += 1
        return super().analyze(text, history, time)


class MeetingAnalyzer(Analyzer):
    """Two messages must be inside the analyzer at the same time to get past it: a lock that
    serialised engine work would make the barrier time out."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.barrier = threading.Barrier(2, timeout=20)

    def analyze(self, text, history=None, time=None):  # type: ignore[no-untyped-def]
        if text.startswith("meet:"):
            self.barrier.wait()
        return super().analyze(text, history, time)


def long_conversation(turns: int, size: int = 400) -> list[dict[str, str]]:
    filler = "The parcel never came and the tracking page says nothing at all. " * (size // 60)
    return [{"role": "customer" if n % 2 == 0 else "agent", "text": f"turn {n}: {filler}"}
            for n in range(turns)]


def test_a_long_inline_conversation_is_read_on_its_last_window_only() -> None:
    analyzer = CountingAnalyzer(calmline.default_analyzer().playbook)
    coaching.review(Engine(analyzer), "I'm sorry, let me check.", long_conversation(500))
    assert analyzer.calls == coaching.WINDOW // 2  # the customer's turns among the last 30


def test_a_review_past_its_time_budget_is_a_503(tight_api: Api) -> None:
    sqlite_api = tight_api
    response = sqlite_api.client.post("/v1/reviews", headers=sqlite_api.h("agent"), json={
        "draft": "Sorry!", "conversation": {"messages": long_conversation(8, 2000)}})
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "out_of_time"


def test_a_message_past_its_time_budget_is_a_503_and_is_not_stored(tight_api: Api) -> None:
    sqlite_api = tight_api
    conv = sqlite_api.conversation()
    response = sqlite_api.client.post(f"/v1/conversations/{conv}/messages",
                                      headers=sqlite_api.h("supervisor"),
                                      json={"role": "customer", "text": "Where is my refund???"})
    assert response.status_code == 503, response.text
    listed = sqlite_api.client.get(f"/v1/conversations/{conv}", headers=sqlite_api.h("supervisor"))
    assert listed.json().get("messages", []) == []


def test_a_client_that_goes_away_stops_the_work() -> None:
    class GoneRequest:
        async def is_disconnected(self) -> bool:
            return True

    seen: list[Budget] = []

    def work(budget: Budget) -> str:
        seen.append(budget)
        for _ in range(500):  # at most ~10 s: the watcher cancels within its first poll
            budget.check()
            threading.Event().wait(0.02)
        return "finished"

    async def main() -> None:
        with pytest.raises(OutOfTimeError, match="cancelled"):
            await bounded(GoneRequest(), 60, work)  # type: ignore[arg-type]

    anyio.run(main)
    assert seen and seen[0].cancelled.is_set()


def test_two_conversations_are_read_at_the_same_time(sqlite_api: Api) -> None:
    state = sqlite_api.client.app.state.calmline  # type: ignore[attr-defined]
    state.engine = Engine(MeetingAnalyzer(calmline.default_analyzer().playbook))
    first, second = sqlite_api.conversation("supervisor"), sqlite_api.conversation("supervisor")

    def post(conv: int) -> int:
        response = sqlite_api.client.post(
            f"/v1/conversations/{conv}/messages", headers=sqlite_api.h("supervisor"),
            params={"suggestions": "false"},
            json={"role": "customer", "text": f"meet: my order {conv} is late"})
        return response.status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        assert list(pool.map(post, (first, second))) == [201, 201]
