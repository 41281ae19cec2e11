"""`calmline review` and `calmline suggest` through the real Typer app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import calmline.cli.coach_cmd  # noqa: F401  (registers the commands on the app)
from calmline.cli.app import app, console
from tests.coach.support import lexicon_only_playbook, models_present

runner = CliRunner()
CHAT = {"id": "c1", "channel": "chat", "messages": [
    {"role": "customer", "author": "Dana", "time": "2026-11-24T10:00:00Z",
     "text": "My order #LP-48213 is 5 days late and nobody called me back. I want a refund."}]}


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, list[str]]:
    conv = tmp_path / "conv.json"
    conv.write_text(json.dumps(CHAT))
    extra: list[str] = []
    if not models_present():
        playbook = tmp_path / "pb.yaml"
        playbook.write_text(yaml.safe_dump(lexicon_only_playbook()))
        extra = ["--playbook", str(playbook)]
    return conv, extra


def test_review_json_is_one_object(files: tuple[Path, list[str]]) -> None:
    conv, extra = files
    result = runner.invoke(app, ["review", "--conversation", str(conv), "--draft",
                                 "Calm down, that's our policy.", "--json", *extra])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output.strip().splitlines()[-1])
    assert {a["label"] for a in data["anti_patterns"]} >= {"minimise", "policy"}
    assert 0 <= data["score"] <= 100 and data["next_move"]


def test_review_for_people_shows_score_and_next_move(files: tuple[Path, list[str]]) -> None:
    conv, extra = files
    result = runner.invoke(app, ["review", "--conversation", str(conv), "--draft",
                                 "I'm sorry, Dana. I will refund order LP-48213 within 3-5 business days.",
                                 *extra])
    assert result.exit_code == 0, result.output
    assert "score" in result.output and "next move" in result.output and "promise" in result.output


def test_review_for_people_says_how_each_anti_pattern_was_read(files: tuple[Path, list[str]],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    conv, extra = files
    monkeypatch.setattr(console, "width", 240)  # each cell on one line, so the words can be read
    result = runner.invoke(app, ["review", "--conversation", str(conv), "--draft",
                                 "Calm down, that's our policy.", *extra])
    assert result.exit_code == 0, result.output
    words = " ".join(result.output.split())
    assert "minimises or dismisses" in words  # the anti-pattern's own name, not only its span
    assert "read as: a phrase the coach flags as minimise" in words


def test_review_reads_the_draft_from_stdin(files: tuple[Path, list[str]]) -> None:
    conv, extra = files
    result = runner.invoke(app, ["review", "--conversation", str(conv), "--draft", "-", "--json", *extra],
                           input="Thank you for your patience.")
    assert result.exit_code == 0 and json.loads(result.output)["draft"] == "Thank you for your patience."


def test_suggest_json_and_rich(files: tuple[Path, list[str]]) -> None:
    conv, extra = files
    result = runner.invoke(app, ["suggest", "--conversation", str(conv), "--json", *extra])
    assert result.exit_code == 0, result.output
    suggestions = json.loads(result.output)["suggestions"]
    assert 2 <= len(suggestions) <= 3 and all(s["text"] for s in suggestions)
    rich = runner.invoke(app, ["suggest", "--conversation", str(conv), *extra])
    assert rich.exit_code == 0 and "score" in rich.output


@pytest.mark.parametrize("content, message", [("{nope", "not valid JSON"),
                                              (json.dumps({"messages": [{"role": "bot", "text": "x"}]}),
                                               "role")])
@pytest.mark.parametrize("command", ["review", "suggest"])
def test_bad_conversation_is_a_clear_error(tmp_path: Path, command: str, content: str,
                                           message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    args = [command, "--conversation", str(bad)] + (["--draft", "hi"] if command == "review" else [])
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output


def test_missing_conversation_file_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["review", "--conversation", str(tmp_path / "no.json"), "--draft", "hi"])
    assert result.exit_code == 2 and "cannot read" in result.output


def test_bad_coach_file_is_a_clear_error(files: tuple[Path, list[str]], tmp_path: Path) -> None:
    conv, extra = files
    coach = tmp_path / "coach.yaml"
    coach.write_text("behaviours: [")
    result = runner.invoke(app, ["suggest", "--conversation", str(conv), "--coach", str(coach), *extra])
    assert result.exit_code == 2 and "not valid YAML" in result.output
