"""Insights over the service's case store: the same figures as the same conversations exported."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from calmline.cases.models import Agent, Base, Conversation, Message
from calmline.errors import InputError
from calmline.insights import page
from calmline.insights.database import display_url, read_database
from calmline.insights.model import ImportTally
from calmline.insights.run import RunOptions, run_insights

from .conftest import CONVERSATIONS


def _store(path: Path, extra: bool = False) -> str:
    """A SQLite case store holding the hand-made conversations (agents known by author_id)."""
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    with Session(engine) as session, session.begin():
        agents = {name: Agent(name=name, role="agent", key_hash=name * 8) for name in ("ann", "bob")}
        session.add_all(agents.values())
        session.flush()
        session.add(Conversation(channel="chat"))  # a case with no messages yet
        for conv in CONVERSATIONS:
            case = Conversation(external_id=conv["id"], channel="chat")
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


def test_database_reads_threads_and_reports_bad_messages(tmp_path: Path) -> None:
    tally = ImportTally()
    threads = list(read_database(_store(tmp_path / "c.db", extra=True), tally))
    assert [t.key for t in threads] == ["a", "b", "c"]
    assert [m.author for m in threads[0].messages] == [None, "ann", None]
    assert threads[0].messages[0].time is not None and threads[0].messages[0].time.tzinfo is not None
    assert tally.rows == 9 and tally.bad == 2
    assert [b.reason.split(": ")[1] for b in tally.bad_examples] == ["unknown role 'system'", "empty text"]


def test_database_report_equals_the_same_conversations_exported(tmp_path: Path,
                                                                  conversations_jsonl: Path) -> None:
    url = _store(tmp_path / "c.db")
    from_db = run_insights(RunOptions([], database=url, workers=1))
    from_file = run_insights(RunOptions([conversations_jsonl], workers=1))
    assert _figures(from_db) == _figures(from_file)
    assert from_db["meta"]["inputs"] == [url]


def test_console_page_renders_and_is_cached_until_a_message_arrives(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = _store(tmp_path / "c.db")
    runs: list[int] = []
    real = page.run_insights
    monkeypatch.setattr(page, "run_insights", lambda options: runs.append(1) or real(options))
    html = page.render_database_report(url)
    assert html.startswith("<!doctype html>") and html.count("<svg") >= 6 and "<script" not in html
    assert page.render_database_report(url) == html and len(runs) == 1
    engine = create_engine(url)
    with Session(engine) as session, session.begin():
        session.add(Message(conversation_id=2, seq=4, role="customer", text="still waiting!!"))
    engine.dispose()
    page.render_database_report(url)
    assert len(runs) == 2


def test_unreadable_database_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the case store"):
        run_insights(RunOptions([], database=f"sqlite:///{tmp_path / 'empty.db'}", workers=1))
    with pytest.raises(InputError, match="database URL"):
        list(read_database("nonsense://", ImportTally()))
    assert display_url("postgresql://u:secret@h/db") == "postgresql://u:***@h/db"
