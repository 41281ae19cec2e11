"""What a message post asks the database, on both backends: the case (owner, status) and its
window of recent turns in one statement before the work, then the write transaction. A warm
engine (it read the case's earlier messages itself) needs nothing more."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event

from tests.service.conftest import Api


@contextmanager
def statements(api: Api) -> Iterator[list[str]]:
    """The SQL statements the app runs inside the block, one line each."""
    state = api.client.app.state.calmline  # type: ignore[attr-defined]
    engine: Engine = state.sessions.kw["bind"]
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_post_reads_its_case_and_window_in_one_statement(api: Api) -> None:
    conv = api.conversation()
    for text in ("Where is my parcel?", "Still nothing. Order 48213."):
        api.say(conv, text, suggestions="false")
    api.say(conv, "Let me check that for you.", role="agent", suggestions="false")
    with statements(api) as seen:
        posted = api.say(conv, "Any news?", suggestions="false")
    assert posted["seq"] == 4
    case_reads = [s for s in seen if s.upper().startswith("SELECT")
                  and ("conversations" in s or "messages" in s)]
    # before: one SELECT of the case's owner and status, then one of its last turns
    assert len(case_reads) == 1, case_reads
    assert "messages" in case_reads[0] and "conversations" in case_reads[0]
    assert seen.index(case_reads[0]) < min(i for i, s in enumerate(seen) if s.startswith("UPDATE"))


def test_a_post_to_an_unknown_or_closed_case_is_refused_before_any_work(api: Api) -> None:
    missing = api.client.post("/v1/conversations/999999/messages", json={"role": "customer",
                              "text": "hello?"}, headers=api.h("supervisor"))
    assert missing.status_code == 404 and "no conversation with id 999999" in missing.text
    conv = api.conversation()
    closed = api.client.post(f"/v1/conversations/{conv}/close", json={"outcome": "abandoned"},
                             headers=api.h("agent"))
    assert closed.status_code == 200, closed.text
    with statements(api) as seen:
        refused = api.client.post(f"/v1/conversations/{conv}/messages",
                                  json={"role": "agent", "text": "hello?"}, headers=api.h("agent"))
    assert refused.status_code == 409 and "is closed" in refused.text
    assert not [s for s in seen if s.startswith(("UPDATE", "INSERT"))]
    other = api.conversation("other")
    foreign = api.client.post(f"/v1/conversations/{other}/messages",
                              json={"role": "agent", "text": "hello?"}, headers=api.h("agent"))
    assert foreign.status_code == 403
