"""Tiny hand-made conversations whose figures are known, written in each input format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ANGRY = "Nobody called me back about my refund, I am really angry, this is ridiculous!!"
ABUSE = "You are useless idiots, this is the WORST service ever!!! My bill is wrong AGAIN"
CALM = "Thanks, that works for me."
GOOD_REPLY = "I am so sorry, that sounds really frustrating. I will refund you today by 5pm."
BAD_REPLY = "Calm down, that is our policy."
FRUSTRATED = "My package never arrived and no one has updated me. I am so frustrated."

CONVERSATIONS: list[dict[str, Any]] = [
    {"id": "a", "customer": "cust-1", "messages": [
        {"role": "customer", "text": ANGRY, "time": "2026-03-02T10:00:00Z"},
        {"role": "agent", "text": GOOD_REPLY, "time": "2026-03-02T10:05:00Z", "author": "ann"},
        {"role": "customer", "text": CALM, "time": "2026-03-02T10:10:00Z"}]},
    {"id": "b", "customer": "cust-1", "messages": [
        {"role": "customer", "text": "ok thanks", "time": "2026-03-03T09:00:00Z"},
        {"role": "agent", "text": BAD_REPLY, "time": "2026-03-03T09:01:00Z", "author": "bob"},
        {"role": "customer", "text": ABUSE, "time": "2026-03-03T09:02:00Z"}]},
    {"id": "c", "messages": [{"role": "customer", "text": FRUSTRATED, "time": "2026-03-04T12:00:00Z"}]},
]


@pytest.fixture()
def conversations_jsonl(tmp_path: Path) -> Path:
    path = tmp_path / "export.jsonl"
    path.write_text("".join(json.dumps(c) + "\n" for c in CONVERSATIONS), encoding="utf-8")
    return path
