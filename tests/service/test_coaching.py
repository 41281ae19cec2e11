"""Re-using a case's earlier analyses gives exactly what analysing the whole conversation gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import calmline
from calmline.service import coaching

CHAT = [("customer", "Where is my order 48213? It was due last week."),
        ("agent", "I'm sorry it's late. Let me check that for you."),
        ("customer", "This is RIDICULOUS, third time I'm asking and nobody calls back!!!"),
        ("customer", "I want a refund NOW or I'm going to my lawyer."),
        ("agent", "I understand how frustrating this is. I will refund it today by 5pm."),
        ("customer", "ok. thanks."),
        ("customer", "still waiting though"),
        ("agent", "Thanks for your patience, the refund is on its way.")]


def test_incremental_analyses_match_the_whole_conversation() -> None:
    analyzer = calmline.default_analyzer()
    engine = calmline.Engine(analyzer)  # its own caches: nothing carried over from other tests
    start = datetime(2026, 11, 24, 10, tzinfo=UTC)
    stored: list[dict[str, Any]] = []  # the turns as the store hands them back (with anger)
    for step, (role, text) in enumerate(CHAT):
        turn = {"role": role, "text": text, "time": start + timedelta(minutes=step)}
        window = stored[-4:]  # a small window, so it slides on
        got = coaching.assess(engine, [*window, turn], with_suggestions=False, key=-4242)
        want = analyzer.analyze_conversation([*window, turn])[-1]
        if role == "agent":
            assert got.latest is None and want is None
        else:
            assert got.latest is not None and want is not None
            assert got.latest.to_dict() == want.to_dict()
        assert got.stage
        stored.append({**turn, "anger": got.latest.anger.score if got.latest else None})
    # another writer's turn the key never saw is analysed too, not skipped
    extra = {"role": "customer", "text": "HELLO?? anyone???", "time": start + timedelta(hours=1)}
    last = {"role": "customer", "text": "I am done with you people.", "time": start + timedelta(hours=2)}
    scored = {**extra, "anger": analyzer.analyze(extra["text"], stored[-3:]).anger.score}
    got = coaching.assess(engine, [*stored[-3:], scored, last], with_suggestions=False, key=-4242)
    want = analyzer.analyze_conversation([*stored[-3:], scored, last])[-1]
    assert got.latest is not None and want is not None and got.latest.to_dict() == want.to_dict()
