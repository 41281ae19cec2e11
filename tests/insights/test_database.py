"""Insights over the service's case store: the same figures as the same conversations exported.

Run on SQLite and, where one is reachable, on PostgreSQL (a private schema of
`CALMLINE_TEST_PG_URL`, dropped afterwards), like the storage tests.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from calmline.cases.conversations import close_conversation
from calmline.cases.models import Agent, Base, Conversation, Customer, FollowUp, Message
from calmline.errors import InputError
from calmline.insights import page
from calmline.insights.database import display_url, read_database
from calmline.insights.model import ImportTally
from calmline.insights.report import render_html
from calmline.insights.run import RunOptions, run_insights

from .conftest import CONVERSATIONS

PG_URL = os.environ.get("CALMLINE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database with the case store's tables."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'cases.db'}"
        engine = create_engine(url)
        Base.metadata.create_all(engine)
        engine.dispose()
        yield url
        return
    schema = f"calmline_insights_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, connect_args={"connect_timeout": 3})
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # no server here: the SQLite case still runs
        admin.dispose()
        pytest.skip(f"PostgreSQL at {PG_URL} unreachable: {type(exc).__name__}")
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def fill(url: str, extra: bool = False) -> str:
    """Put the hand-made conversations (agents known by author_id) into the store at `url`."""
    engine = create_engine(url)
    with Session(engine) as session, session.begin():
        agents = {name: Agent(name=name, role="agent", key_hash=name * 8) for name in ("ann", "bob")}
        session.add_all(agents.values())
        session.flush()
        session.add(Conversation(channel="chat"))  # a case with no messages yet
        customers = {c["customer"]: Customer(external_id=c["customer"])
                     for c in CONVERSATIONS if c.get("customer")}
        session.add_all(customers.values())
        session.flush()
        for conv in CONVERSATIONS:
            customer = customers.get(conv.get("customer", ""))
            case = Conversation(external_id=conv["id"], channel="chat",
                                customer_id=customer.id if customer else None)
            session.add(case)
            session.flush()
            for seq, m in enumerate(conv["messages"], start=1):
                agent = agents.get(m.get("author", ""))
                session.add(Message(conversation_id=case.id, seq=seq, role=m["role"], text=m["text"],
                                    time=datetime.fromisoformat(m["time"]),
                                    author_id=agent.id if agent else None))
        if extra:
            case = Conversation(channel="chat")
            session.add(case)
            session.flush()
            session.add_all([Message(conversation_id=case.id, seq=1, role="system", text="note"),
                             Message(conversation_id=case.id, seq=2, role="customer", text="  ")])
    engine.dispose()
    return url


def _figures(report: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in report.items() if k not in ("meta", "import")}


def test_database_reads_threads_and_reports_bad_messages(empty_store: str) -> None:
    tally = ImportTally()
    threads = list(read_database(fill(empty_store, extra=True), tally))
    assert [t.key for t in threads] == ["a", "b", "c"]
    assert [t.customer for t in threads] == ["cust-1", "cust-1", None]
    assert [m.author for m in threads[0].messages] == [None, "ann", None]
    assert threads[0].messages[0].time is not None and threads[0].messages[0].time.tzinfo is not None
    assert tally.rows == 9 and tally.bad == 2
    assert [b.reason.split(": ")[1] for b in tally.bad_examples] == ["unknown role 'system'", "empty text"]


def test_database_report_equals_the_same_conversations_exported(empty_store: str,
                                                                  conversations_jsonl: Path) -> None:
    url = fill(empty_store)
    from_db = run_insights(RunOptions([], database=url, workers=1))
    from_file = run_insights(RunOptions([conversations_jsonl], workers=1))
    # the store records every outcome ("open" here) and can hold promises; an export does neither
    assert from_db["overview"]["outcome"].pop("recorded") == 3
    assert from_file["overview"]["outcome"].pop("recorded") == 0
    assert from_db["summary"]["overdue"].pop("available") is True
    assert from_file["summary"]["overdue"].pop("available") is False
    assert _figures(from_db) == _figures(from_file)
    assert from_db["meta"]["inputs"] == [display_url(url)]


def test_outcomes_and_overdue_promises_are_the_case_stores(empty_store: str) -> None:
    """Two cases closed (resolved, escalated), one open: the report counts what the store says,
    not what the stage tracker reads; overdue promises are the store's open follow-ups past due."""
    url = fill(empty_store)
    now = datetime.now(UTC)
    engine = create_engine(url)
    with Session(engine) as session, session.begin():
        cases = {c.external_id: c for c in session.scalars(select(Conversation))}
        bob = session.scalars(select(Agent).where(Agent.name == "bob")).one()
        close_conversation(session, conversation_id=cases["a"].id, outcome="resolved")
        close_conversation(session, conversation_id=cases["b"].id, outcome="escalated")
        late = now - timedelta(days=3, hours=1)
        session.add_all([
            FollowUp(conversation_id=cases["c"].id, owner_id=bob.id, what="call back", due=late),
            FollowUp(conversation_id=cases["c"].id, owner_id=bob.id, what="later",
                     due=now + timedelta(days=1)),
            FollowUp(conversation_id=cases["c"].id, owner_id=bob.id, what="done", due=late, status="done")])
    engine.dispose()
    report = run_insights(RunOptions([], database=url, workers=1))
    assert report["overview"]["outcome"] == {"resolved": 1, "escalated": 1, "transferred": 0,
                                             "abandoned": 0, "open": 1, "recorded": 3}
    assert report["summary"]["overdue"]["by_owner"] == [{"owner": "bob", "promises": 1, "oldest_days": 3}]
    html = render_html(report)
    assert "as recorded in the case store" in html and "1 resolved, 1 escalated, 1 still open" in html
    assert "1 promise is overdue; the oldest is 3 days late" in html


def test_console_page_renders_and_is_cached_until_a_message_arrives(
        empty_store: str, monkeypatch: pytest.MonkeyPatch) -> None:
    url = fill(empty_store)
    runs: list[int] = []
    real = page.run_insights
    monkeypatch.setattr(page, "run_insights", lambda options: runs.append(1) or real(options))
    cache = page.ReportCache()  # the app's
    html = page.render_database_report(url, cache=cache)
    assert html.startswith("<!doctype html>") and html.count("<svg") >= 6 and "<script" not in html
    assert page.render_database_report(url, cache=cache) == html and len(runs) == 1
    engine = create_engine(url)
    with Session(engine) as session, session.begin():
        case = session.scalars(select(Conversation).where(Conversation.external_id == "a")).one()
        session.add(Message(conversation_id=case.id, seq=4, role="customer", text="still waiting!!"))
    engine.dispose()
    page.render_database_report(url, cache=cache)
    assert len(runs) == 2


def test_unreadable_database_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the case store"):
        run_insights(RunOptions([], database=f"sqlite:///{tmp_path / 'empty.db'}", workers=1))
    with pytest.raises(InputError, match="database URL"):
        list(read_database("nonsense://", ImportTally()))
    assert display_url("postgresql://u:secret@h/db") == "postgresql://u:***@h/db"
