"""`calmline insights` skips turns and rows with empty text, says how many, and does not count them."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from calmline.cli.main import app

CUSTOMER = {"role": "customer", "text": "My refund is two weeks late and nobody answers!!"}
AGENT = {"role": "agent", "text": "I am sorry, I will send it today."}
BLANK_AGENT = {"role": "agent", "text": "  "}


def test_empty_turns_are_skipped_counted_and_reported(tmp_path: Path) -> None:
    jsonl = tmp_path / "export.jsonl"
    jsonl.write_text("\n".join(json.dumps(c) for c in [
        {"id": "a", "messages": [CUSTOMER, BLANK_AGENT, AGENT]},
        {"id": "b", "messages": [{"role": "customer", "text": ""}]},
    ]) + "\n")
    as_json = tmp_path / "more.json"
    as_json.write_text(json.dumps([{"id": "c", "messages": [CUSTOMER, {"role": "agent", "text": ""}]}]))
    out = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["insights", str(jsonl), str(as_json), "--out", str(out),
                                      "--processes", "1"])
    assert result.exit_code == 0, result.output
    assert "2 conversations, 3 messages" in result.stdout  # the empty turns are not messages
    assert "warning: 3 rows or turns with empty text were skipped" in result.stderr
    data = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert data["import"]["messages"] == 3
    reasons = {(b["source"], b["line"], b["reason"]) for b in data["import"]["bad_examples"]}
    assert reasons == {("export.jsonl", 1, "turn 2: empty text"),
                       ("export.jsonl", 2, "every turn has empty text"),
                       ("more.json", 1, "conversation 1, turn 2: empty text")}
    assert "turn 2: empty text" in out.read_text(encoding="utf-8")  # the report's rows-skipped table


def test_no_warning_when_every_turn_has_text(tmp_path: Path) -> None:
    jsonl = tmp_path / "export.jsonl"
    jsonl.write_text(json.dumps({"messages": [CUSTOMER, AGENT]}) + "\n")
    result = CliRunner().invoke(app, ["insights", str(jsonl), "--out", str(tmp_path / "r.html"),
                                      "--processes", "1"])
    assert result.exit_code == 0, result.output
    assert "empty text" not in result.output
