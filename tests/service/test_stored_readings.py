"""A restarted server (or another worker) reads only the new message: the others' readings come
from the case store, where intake stored them, and give the same answer as the engine's memory."""

from __future__ import annotations

import json

import pytest

from calmline.engine.analysis import Analysis
from calmline.engine.core import Engine
from tests.service.conftest import Api

TEXTS = ["My order 48213 still hasn't arrived and nobody answers my emails!",
         "This is the third time I'm writing. I want a refund, today.",
         "If this isn't fixed by Friday I'm going to my lawyer and posting it everywhere.",
         "Thanks, that's fine."]


def _count_readings(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    read: list[str] = []
    analyze = engine.analyzer.analyze

    def counting(text: str, *args: object, **kwargs: object) -> Analysis:
        read.append(text)
        return analyze(text, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine.analyzer, "analyze", counting)
    return read


def _case_then_restart(api: Api, *agent_lines: str) -> int:
    """A case with three customer messages (and these agent lines), then an engine that
    remembers nothing, as after a restart or in another worker."""
    state = api.client.app.state.calmline  # type: ignore[attr-defined]
    conv = api.conversation()
    for text in TEXTS[:3]:
        api.say(conv, text)
    for line in agent_lines:
        api.say(conv, line, role="agent")
    state.engine = Engine(state.engine.analyzer, state.engine.coach)
    return conv


def test_stored_analysis_round_trips_through_json() -> None:
    from calmline import default_engine

    engine = default_engine()
    for text in TEXTS:
        analysis = engine.analyze(text, [])
        assert Analysis.from_dict(json.loads(json.dumps(analysis.to_dict()))) == analysis


def test_a_restarted_engine_reads_only_the_new_message(sqlite_api: Api,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    api = sqlite_api
    state = api.client.app.state.calmline  # type: ignore[attr-defined]
    conv = _case_then_restart(api, "I'm sorry about this. I will call you back tomorrow at 10am.")
    read = _count_readings(state.engine, monkeypatch)
    cold = api.say(conv, TEXTS[3])
    assert read == [TEXTS[3]]  # the three earlier customer messages came from the store
    review = api.client.post("/v1/reviews", headers=api.h("agent"), json={
        "draft": "Thanks for confirming. I'll send the refund today.", "conversation_id": conv})
    assert review.status_code == 200, review.text
    assert read == [TEXTS[3]]  # the review read nothing again either
    assert cold["analysis"]["anger"]["trend"] is not None  # read in the context of its history


def test_stored_readings_give_the_answer_a_warm_engine_gives(sqlite_api: Api) -> None:
    api = sqlite_api
    state = api.client.app.state.calmline  # type: ignore[attr-defined]
    answers = []
    for restart in (False, True):
        conv = api.conversation()
        for text in TEXTS[:3]:
            api.say(conv, text)
        if restart:
            state.engine = Engine(state.engine.analyzer, state.engine.coach)
        last = api.say(conv, TEXTS[3])
        answers.append({k: last[k] for k in ("analysis", "stage", "moment", "next_move",
                                             "suggestions")})
    assert answers[0] == answers[1]


def test_an_unreadable_stored_reading_is_read_again(sqlite_api: Api,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy import update

    from calmline.cases.models import Message

    api = sqlite_api
    state = api.client.app.state.calmline  # type: ignore[attr-defined]
    conv = api.conversation()
    api.say(conv, TEXTS[0])
    with state.sessions() as session:  # as an older calmline might have stored it
        session.execute(update(Message).values(analysis={"text": TEXTS[0], "score": 0.4}))
        session.commit()
    state.engine = Engine(state.engine.analyzer, state.engine.coach)
    read = _count_readings(state.engine, monkeypatch)
    api.say(conv, TEXTS[1])
    assert read == [TEXTS[0], TEXTS[1]]


def test_assist_reads_nothing_again_either(sqlite_api: Api,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    api = sqlite_api
    state = api.client.app.state.calmline  # type: ignore[attr-defined]
    conv = _case_then_restart(api)
    read = _count_readings(state.engine, monkeypatch)
    answer = api.client.get(f"/v1/conversations/{conv}/assist", headers=api.h("agent"))
    assert answer.status_code == 200, answer.text
    assert answer.json()["suggestions"] and read == []


def test_an_engine_that_missed_one_message_fetches_only_its_reading(
        sqlite_api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two workers take turns on a case: each one's engine misses the other's last message. Only
    that message's stored reading is fetched and decoded, not the window's."""
    from calmline.cases import conversations

    api = sqlite_api
    state = api.client.app.state.calmline  # type: ignore[attr-defined]
    conv = api.conversation()
    mine = state.engine
    for text in TEXTS[:2]:
        api.say(conv, text)
    state.engine = Engine(mine.analyzer, mine.coach)  # the other worker takes one message
    other = api.say(conv, TEXTS[2])
    state.engine = mine
    asked: list[list[int]] = []
    fetch = conversations.stored_analyses

    def counting(session: object, *, message_ids: list[int]) -> dict[int, dict[str, object]]:
        asked.append(list(message_ids))
        return fetch(session, message_ids=message_ids)  # type: ignore[arg-type]

    monkeypatch.setattr(conversations, "stored_analyses", counting)
    read = _count_readings(mine, monkeypatch)
    api.say(conv, TEXTS[3])
    assert asked == [[other["id"]]] and read == [TEXTS[3]]


def test_stored_readings_fetch_each_message_once_from_the_first_asked() -> None:
    from calmline.service import readings

    asked: list[list[int]] = []

    class Sessions:
        def __enter__(self) -> Sessions:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

    def fetch(session: object, *, message_ids: list[int]) -> dict[int, dict[str, object]]:
        asked.append(list(message_ids))
        return {}

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(readings.conversations, "stored_analyses", fetch)
        stored = readings.StoredReadings(Sessions, [1, 3, 5, 7])  # type: ignore[arg-type]
        for message_id in (5, 7, 5, 1, 3, 9):
            assert stored.reading(message_id) is None
    assert asked == [[5, 7], [1, 3], [9]]
