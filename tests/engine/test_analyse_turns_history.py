"""`Engine.analyse_turns` scores each earlier customer turn once and hands the scored turns in as
the history of every later turn: it must read exactly what `Analyzer.analyze` reads when each
turn is given the plain turns before it (which scores them all again, for every turn)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from calmline.conversation import read_conversation
from calmline.engine.analyzer import Analyzer
from calmline.engine.core import Engine
from calmline.evaluation.team_sets import load_team_rows
from calmline.signals.base import Turn

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2026, 11, 24, 10, tzinfo=UTC)


def _demo() -> list[Turn]:
    return read_conversation(ROOT / "src" / "calmline" / "demo" / "angry_chat.json").turns()


def _support_chat() -> list[Turn]:
    """Twelve turns: the team's support messages (train) from the customer, one agent line
    between, the second customer turn with the anger score a case store keeps."""
    texts = [row.text for row in load_team_rows(ROOT / "data" / "support" / "chat.jsonl")
             if row.split == "train"][:8]
    lines = (ROOT / "tests" / "data" / "agent_replies.jsonl").read_text("utf-8").splitlines()
    replies = [json.loads(line)["text"] for line in lines[:4]]
    turns = [Turn("customer", texts.pop(0), START)]
    for i, reply in enumerate(replies):
        turns.append(Turn("agent", reply, START + timedelta(minutes=2 * i + 1)))
        turns.append(Turn("customer", texts.pop(0), START + timedelta(minutes=2 * i + 2),
                          0.5 if i == 0 else None))
    return turns + [Turn("customer", text, None) for text in texts[:3]]


def _one_by_one(analyzer: Analyzer, turns: list[Turn]) -> tuple[object, ...]:
    return tuple(None if turn.role == "agent" else analyzer.analyze(turn.text, turns[:i], turn.time)
                 for i, turn in enumerate(turns))


class ScoreCounting(Analyzer):
    """The real analyzer, counting the context-free anger scores of history turns."""

    scores = 0

    def anger_score(self, text: str) -> float:
        self.scores += 1
        return super().anger_score(text)


@pytest.mark.parametrize("conversation", [_demo, _support_chat])
@pytest.mark.parametrize("fast", [True, False])
def test_the_turns_read_as_each_read_alone(conversation, fast: bool, analyzer: Analyzer,  # type: ignore[no-untyped-def]
                                           fast_analyzer: Analyzer) -> None:
    reader = fast_analyzer if fast else analyzer
    turns = conversation()
    assert len(turns) >= 11
    assert Engine(reader).analyse_turns(turns) == _one_by_one(reader, turns)
    # grown by one turn: the analyses re-used, only the new turn read (with the history scored)
    grown = [*turns, Turn("customer", "And the refund, when exactly will I see it?", None)]
    engine = Engine(reader)
    engine.analyse_turns(turns)
    assert engine.analyse_turns(grown) == _one_by_one(reader, grown)


def test_each_earlier_customer_turn_is_scored_once(analyzer: Analyzer) -> None:
    counting = ScoreCounting(analyzer.playbook, encoder=None)
    turns = _support_chat()
    unscored = [t for t in turns[:-1] if t.role == "customer" and t.anger is None]
    Engine(counting).analyse_turns(turns)
    assert counting.scores == len(unscored)  # not once for every turn after each of them
