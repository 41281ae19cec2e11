"""Bad or missing input to any command: one clear line on stderr, a non-zero exit, no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from calmline.cli.main import app

runner = CliRunner()
GOOD_TURN = {"role": "customer", "text": "Where is my parcel?"}


def assert_clear_error(result: Any, *phrases: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output and "error:" in result.stderr
    for phrase in phrases:
        assert phrase in result.stderr, result.stderr


@pytest.mark.parametrize("text", ["", "   \n\t"])
def test_analyze_refuses_an_empty_message(text: str) -> None:
    assert_clear_error(runner.invoke(app, ["analyze", text]), "customer message is empty", "argument",
                       "calmline analyze -")


@pytest.mark.parametrize("args", [["analyze"], ["analyze", "-"]])
def test_analyze_refuses_empty_stdin(args: list[str]) -> None:
    assert_clear_error(runner.invoke(app, args, input=""), "customer message is empty")


def test_analyze_still_reads_piped_stdin_without_a_dash() -> None:
    result = runner.invoke(app, ["analyze", "--json"], input="my parcel is late")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["text"] == "my parcel is late"


def test_stdin_that_is_not_utf8_is_a_clear_error() -> None:
    assert_clear_error(runner.invoke(app, ["analyze", "-"], input=b"\xff\xfe late"), "not UTF-8")


@pytest.mark.parametrize("draft", [None, "", "  "])
def test_review_requires_a_draft(tmp_path: Path, draft: str | None) -> None:
    conv = tmp_path / "chat.json"
    conv.write_text(json.dumps([GOOD_TURN]))
    args = ["review", "--conversation", str(conv)] + ([] if draft is None else ["--draft", draft])
    assert_clear_error(runner.invoke(app, args, input=""), "draft reply is empty", "--draft")


def conversation_command(name: str, path: Path) -> list[str]:
    return {"analyze": ["analyze", "where is it?", "--history", str(path)],
            "review": ["review", "--conversation", str(path), "--draft", "Sorry, checking now."],
            "suggest": ["suggest", "--conversation", str(path)]}[name]


COMMANDS = ["analyze", "review", "suggest"]
WRONG_SHAPES = [
    ({"turns": [GOOD_TURN]}, 'no "messages" list'),
    ({}, 'no "messages" list'),
    ([], "no turns"),
    ({"messages": []}, "no turns"),
    ("hello", "not a conversation"),
    ({"messages": "hello"}, '"messages" must be a list'),
    ([GOOD_TURN, {"role": "agent", "text": ""}], "turn 2: text: is empty"),
    ([GOOD_TURN, {"role": "agent", "text": "  \n"}], "turn 2: text: is empty"),
    ([GOOD_TURN, GOOD_TURN, {"role": "bot", "text": "hi"}], "turn 3: role:"),
    ([GOOD_TURN, {"role": "agent"}], "turn 2: text: Field required"),
    ([GOOD_TURN, "just a string"], "turn 2: expected an object"),
]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("data, phrase", WRONG_SHAPES)
def test_conversation_file_of_the_wrong_shape_names_file_and_turn(
        tmp_path: Path, command: str, data: Any, phrase: str) -> None:
    path = tmp_path / "chat.json"
    path.write_text(json.dumps(data))
    assert_clear_error(runner.invoke(app, conversation_command(command, path)), str(path), phrase)


@pytest.mark.parametrize("command", COMMANDS)
def test_unreadable_conversation_files(tmp_path: Path, command: str) -> None:
    latin = tmp_path / "latin1.json"
    latin.write_bytes(json.dumps([{"role": "customer", "text": "café"}]).encode("latin-1").replace(
        b"\\u00e9", b"\xe9"))
    assert_clear_error(runner.invoke(app, conversation_command(command, latin)), str(latin), "not UTF-8")
    broken = tmp_path / "broken.json"
    broken.write_text('[{"role": "customer",\n "text": }]')
    assert_clear_error(runner.invoke(app, conversation_command(command, broken)), str(broken),
                       "not valid JSON", "line 2")
    assert_clear_error(runner.invoke(app, conversation_command(command, tmp_path)), str(tmp_path),
                       "is a folder")
    assert_clear_error(runner.invoke(app, conversation_command(command, tmp_path / "none.json")),
                       "cannot read")


def test_a_utf8_bom_is_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps([GOOD_TURN]).encode())
    result = runner.invoke(app, ["analyze", "still nothing!!", "--json", "--history", str(path)])
    assert result.exit_code == 0, result.output


def test_demo_refuses_a_pause_it_cannot_sleep() -> None:
    for pause in ("-1", "nan"):
        assert_clear_error(runner.invoke(app, ["demo", "--pause", pause]), "--pause must be between")


def test_insights_checks_its_numbers_and_outputs_before_reading(tmp_path: Path) -> None:
    export = tmp_path / "export.jsonl"
    export.write_text(json.dumps({"messages": [GOOD_TURN]}) + "\n")
    assert_clear_error(runner.invoke(app, ["insights", str(export), "--processes", "0"]),
                       "--processes must be at least 1")
    assert_clear_error(runner.invoke(app, ["insights", str(export), "--out", str(tmp_path)]), "is a folder")
    nowhere = tmp_path / "no" / "r.html"
    assert_clear_error(runner.invoke(app, ["insights", str(export), "--out", str(nowhere)]), "does not exist")


def test_train_out_under_a_file_is_a_clear_error(tmp_path: Path) -> None:
    from tests.cli.test_train_cmd import NEWSLETTER, _store

    url = f"sqlite:///{tmp_path / 'calmline.db'}"
    _store(url, [("missed_flag", "public", NEWSLETTER)])
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = runner.invoke(app, ["train", "--from-corrections", "--database", url,
                                 "--out", str(blocker / "team.yaml")])
    assert_clear_error(result, "cannot write")


@pytest.mark.parametrize("command, says", [
    ([], ["argument, or stdin", "--draft, or stdin", "--conversation", "TASK FILE", "--db", "no input"]),
    (["analyze"], ["stdin", "--history"]),
    (["review"], ["--draft", "--conversation", "role", "text"]),
    (["suggest"], ["--conversation"]),
    (["insights"], ["--db", ".jsonl"]),
    (["train"], ["--out", "corrections"]),
    (["users", "rotate"], ["NAME_OR_ID"]),
])
def test_help_says_what_input_each_command_takes(command: list[str], says: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for phrase in says:
        assert phrase in result.stdout, (phrase, result.stdout)


def calmline(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """The installed `calmline` script, as a person at a shell runs it."""
    script = Path(sys.executable).with_name("calmline")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "calmline.cli.main"]
    return subprocess.run([*command, *args], input=stdin, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": "200"}, check=False)


def test_real_process_exit_codes_and_no_traceback(tmp_path: Path) -> None:
    empty = calmline("analyze", "")
    assert empty.returncode == 2 and empty.stdout == ""
    assert empty.stderr.startswith("error: the customer message is empty") and "Traceback" not in empty.stderr
    assert len(empty.stderr.strip().splitlines()) == 1
    bad = tmp_path / "chat.json"
    bad.write_text(json.dumps({"messages": [GOOD_TURN, {"role": "agent", "text": ""}]}))
    shape = calmline("review", "--conversation", str(bad), "--draft", "Sorry!")
    assert shape.returncode == 2 and "Traceback" not in shape.stderr
    assert f"{bad}: not a valid conversation: turn 2: text: is empty" in shape.stderr
