"""The report's one-page summary in a real browser: over a case store with two weeks of dated
conversations, closed cases and overdue promises, all four panels are plots, and the summary fits
one screen. The screenshot goes to test-artifacts/insights-summary.png for a person to look at."""

from __future__ import annotations

import os
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from calmline.cases.models import Agent, Base, Conversation, FollowUp, Message
from calmline.insights.report import render_html
from calmline.insights.run import RunOptions, run_insights

from .test_effects import known_truth_corpus

CHROMIUM = os.environ.get("CALMLINE_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SHOT = Path(__file__).resolve().parents[2] / "test-artifacts" / "insights-summary.png"
AGENTS = ("ann", "bob", "cai", "dee")


def store(path: Path, now: datetime) -> str:
    """A SQLite case store: the known-truth corpus spread over 14 days, each agent's cases in turn,
    the older half closed, and some overdue promises."""
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    rng = random.Random(3)
    with Session(engine) as session, session.begin():
        agents = [Agent(name=n, role="agent", key_hash=n * 16) for n in AGENTS]
        session.add_all(agents)
        session.flush()
        for n, conv in enumerate(known_truth_corpus(160, seed=11)):
            agent = agents[n % 4 if n % 3 else 1]  # bob takes an extra share
            start = now - timedelta(days=n % 14, hours=2)
            closed = n % 14 >= 7
            case = Conversation(external_id=conv["id"], agent_id=agent.id,
                                status="closed" if closed else "open",
                                outcome=rng.choice(["resolved", "resolved", "escalated"]) if closed else None)
            session.add(case)
            session.flush()
            for seq, m in enumerate(conv["messages"], start=1):
                session.add(Message(conversation_id=case.id, seq=seq, role=m["role"], text=m["text"],
                                    time=start + timedelta(minutes=seq),
                                    author_id=agent.id if m["role"] == "agent" else None))
            if not closed and n % 5 == 0:
                session.add(FollowUp(conversation_id=case.id, owner_id=agent.id, what="call back",
                                     due=now - timedelta(days=n % 4, hours=3)))
    engine.dispose()
    return url


def test_the_summary_is_one_page_of_plots(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    report = run_insights(RunOptions([], database=store(tmp_path / "cases.db", datetime.now(UTC)),
                                     workers=1))
    summary = report["summary"]
    assert summary["overdue"]["total"] and summary["hostile_agents"][0]["agent"] == "bob"
    assert summary["behaviours"]["top"] is not None and summary["triggers"]["rows"]
    page_file = tmp_path / "report.html"
    page_file.write_text(render_html(report), encoding="utf-8")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(page_file.as_uri())
        section = page.locator("#summary")
        box = section.bounding_box()
        panels = section.locator(".glance > div")
        plots = [panels.nth(i).locator("svg").count() for i in range(panels.count())]
        tables = section.locator("table").count()
        SHOT.parent.mkdir(parents=True, exist_ok=True)
        section.screenshot(path=str(SHOT))
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        browser.close()
    assert not errors and not overflow
    assert plots == [1, 1, 1, 1] and tables == 0  # plots, not tables
    assert box is not None and box["y"] + box["height"] <= 900 * 1.25  # about one screen, from the top
