"""The team's labelled drafts (data/drafts) and the `drafts` eval task that scores the coach on them."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest

from calmline.errors import InputError
from calmline.evaluation.drafts_set import KEY_ANTI_PATTERNS, load_drafts, run_drafts
from calmline.evaluation.tasks import evaluate
from calmline.playbook.coach_loader import load_coach
from tests.coach.support import coach_analyzer

ROOT = Path(__file__).resolve().parents[2]
DRAFTS = ROOT / "data" / "drafts"


def _split_of(example_id: str) -> str:
    bucket = int(hashlib.sha1(example_id.encode("utf-8")).hexdigest(), 16) % 10
    return "train" if bucket < 6 else "dev" if bucket < 8 else "test"


def test_the_set_is_large_split_by_id_and_covers_every_label() -> None:
    rows = list(load_drafts(DRAFTS))
    coach = load_coach()
    assert len(rows) >= 400
    assert len({r.id for r in rows}) == len(rows) and len({(r.customer, r.text) for r in rows}) == len(rows)
    assert all(r.split == _split_of(r.id) for r in rows)
    assert {r.channel for r in rows} == {"chat", "email"}
    counts = Counter(label for r in rows for label in (*r.behaviours, *r.anti_patterns))
    for label in (*coach.behaviours, *coach.anti_patterns):
        assert counts[label] >= 5, label
    for label in KEY_ANTI_PATTERNS:
        assert counts[label] >= 30, label
    hard = sum(r.kind in ("hard_good", "hard_bad") for r in rows)
    assert 0.4 <= hard / len(rows) <= 0.7


def test_no_reply_is_taken_from_the_tuning_set() -> None:
    tuned = ROOT / "tests" / "data" / "agent_replies.jsonl"
    seen = {json.loads(line)["text"].strip().lower() for line in tuned.read_text("utf-8").splitlines()}
    assert not [r.id for r in load_drafts(DRAFTS) if r.text.strip().lower() in seen]


def _write(path: Path, *rows: dict[str, object]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    return path


def _draft(i: int, text: str, behaviours: list[str], anti: list[str],
           customer: str = "My parcel is late, where is it?") -> dict[str, object]:
    return {"id": f"t-{i}", "split": "test", "channel": "chat", "customer": customer, "text": text,
            "gold": {"behaviours": behaviours, "anti_patterns": anti}, "kind": "bad" if anti else "good"}


def test_calm_down_is_counted_and_never_read_as_a_calm_tone(tmp_path: Path) -> None:
    path = _write(tmp_path / "d.jsonl",
                  _draft(1, "Please calm down, it's our policy.", [], ["minimise", "policy"]),
                  _draft(2, "I'm sorry it's late. I'll chase the courier and message you by 4pm today.",
                         ["calm_tone", "apology", "ownership", "timeline"], []))
    result = run_drafts(coach_analyzer(), list(load_drafts(path)))
    assert result.metrics["calm_down_drafts"] == 1
    assert result.metrics["calm_down_as_calm_tone"] == 0
    assert result.metrics["good_drafts"] == 1 and result.metrics["good_drafts_blocked"] == 0
    assert result.per_class["anti.minimise"].recall == 1.0
    assert result.per_class["behaviour.apology"].recall == 1.0


def test_a_good_draft_the_guard_blocks_is_counted(tmp_path: Path) -> None:
    # gold says good, but the words make the coach block it: the figure must show it
    path = _write(tmp_path / "d.jsonl",
                  _draft(1, "Please calm down, it's our policy.", ["calm_tone"], []))
    result = run_drafts(coach_analyzer(), list(load_drafts(path)))
    assert result.metrics["good_drafts_blocked"] == 1 and result.metrics["good_drafts_blocked_rate"] == 1.0


@pytest.mark.parametrize(("change", "message"), [
    ({"split": "holdout"}, "split 'holdout'"),
    ({"gold": {"behaviours": ["charm"], "anti_patterns": []}}, "not the coach's labels"),
    ({"gold": {"behaviours": []}}, "not a labelled draft"),
    ({"customer": None, "text": None}, "d.jsonl:1"),
])
def test_bad_rows_are_input_errors_naming_file_and_line(tmp_path: Path, change: dict[str, object],
                                                        message: str) -> None:
    row = {**_draft(1, "Thanks, I'll look now.", [], []), **change}
    if change.get("text", "") is None:
        row.pop("text")
    path = _write(tmp_path / "d.jsonl", row)
    with pytest.raises(InputError, match=message):
        list(load_drafts(path))


def test_split_keeps_only_that_split(tmp_path: Path) -> None:
    path = _write(tmp_path / "d.jsonl", _draft(1, "Sorry about that.", ["calm_tone", "apology"], []),
                  {**_draft(2, "I'll look now.", ["calm_tone", "ownership"], []), "split": "train"})
    assert evaluate("drafts", path, coach_analyzer(), split="train").n == 1
    with pytest.raises(InputError, match="--split applies"):
        evaluate("courtesy", path, coach_analyzer(), split="train")
