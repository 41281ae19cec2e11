from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from calmline.cli.main import app

runner = CliRunner()


def test_analyze_json_for_machines() -> None:
    result = runner.invoke(app, ["analyze", "I want a refund NOW, this is ridiculous!!!", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output.strip().splitlines()[-1])
    assert data["wants"][0]["label"] == "refund"
    assert data["anger"]["level"] in ("frustrated", "angry", "hostile")
    assert data["anger"]["evidence"]


def test_analyze_rich_for_people() -> None:
    result = runner.invoke(app, ["analyze", "My lawyer will hear about this"])
    assert result.exit_code == 0, result.output
    assert "legal" in result.output and "escalate now" in result.output


def test_analyze_reads_stdin() -> None:
    result = runner.invoke(app, ["analyze", "-", "--json"], input="where is my parcel?")
    assert result.exit_code == 0
    assert json.loads(result.output)["text"] == "where is my parcel?"


def test_history_file_gives_a_trend(tmp_path: Path) -> None:
    history = tmp_path / "conv.json"
    history.write_text(json.dumps({"id": "c1", "messages": [
        {"role": "customer", "text": "Hello, quick question about my bill", "time": "2026-11-24T10:00:00Z"},
        {"role": "agent", "text": "Sure!"}]}))
    result = runner.invoke(app, ["analyze", "THIS IS A SCAM!!! I am furious", "--json",
                                 "--history", str(history)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["anger"]["trend"] == "rising"


def test_bad_history_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = runner.invoke(app, ["analyze", "hi", "--history", str(bad)])
    assert result.exit_code == 2
    assert "not valid JSON" in result.output and "Traceback" not in result.output
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"messages": [{"role": "bot", "text": "x"}]}))
    result = runner.invoke(app, ["analyze", "hi", "--history", str(wrong)])
    assert result.exit_code == 2 and "role" in result.output
    missing = runner.invoke(app, ["analyze", "hi", "--history", str(tmp_path / "nope.json")])
    assert missing.exit_code == 2 and "cannot read" in missing.output


def test_bad_playbook_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "pb.yaml"
    bad.write_text("detectors: []\n")
    result = runner.invoke(app, ["analyze", "hi", "--playbook", str(bad)])
    assert result.exit_code == 2 and "invalid playbook" in result.output


def test_demo_replays_the_bundled_conversation() -> None:
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    assert "turn 1" in result.output and "turn 11" in result.output
    assert "escalate now" in result.output and "legal" in result.output
