"""`calmline eval suggestions`: the top suggestion for each support-set message, checked four ways."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from calmline.errors import InputError
from calmline.evaluation.tasks import evaluate
from tests.coach.support import coach_analyzer

ROWS = [
    {"id": "t-1", "split": "dev", "channel": "chat", "kind": "support",
     "text": "My new TV arrived cracked across the screen. I want a replacement.",
     "gold": {"level": "frustrated", "causes": ["quality_defect"], "wants": ["replacement"],
              "flags": [], "venting": False}},
    {"id": "t-2", "split": "test", "channel": "chat", "kind": "support",
     "text": "The blender I bought broke after two days, I want my money back",
     "gold": {"level": "annoyed", "causes": ["quality_defect"], "wants": ["refund"],
              "flags": [], "venting": False}},
]


def write(tmp_path: Path) -> Path:
    path = tmp_path / "support.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    return path


def test_the_task_checks_the_top_suggestion_of_one_split(tmp_path: Path) -> None:
    result = evaluate("suggestions", write(tmp_path), coach_analyzer(), split="dev")
    assert result.n == 1
    assert result.metrics["pass_rate"] == 1.0  # the cracked TV's reply names it and offers the replacement
    assert {"names_issue", "addresses_want", "clean", "coach_passes"} <= set(result.metrics)


def test_an_unknown_split_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        evaluate("suggestions", write(tmp_path), coach_analyzer(), split="holdout")
