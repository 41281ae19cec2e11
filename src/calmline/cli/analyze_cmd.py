"""`calmline analyze`: one customer message, for people (Rich) or machines (--json)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from calmline.cli.app import app, console, friendly_errors
from calmline.cli.render import render_analysis
from calmline.conversation import read_conversation
from calmline.engine.analyzer import Analyzer
from calmline.errors import InputError
from calmline.playbook import load_playbook

PlaybookOption = Annotated[
    Path | None, typer.Option("--playbook", help="a team's own playbook YAML (default: built-in)")
]


def read_text_argument(text: str | None) -> str:
    if text is None or text == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise InputError("give the message as an argument, or pipe it in with '-'")
        return sys.stdin.read()
    return text


@app.command("analyze")
@friendly_errors
def analyze_command(
    text: Annotated[str | None, typer.Argument(help="the customer message, or - for stdin")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the analysis as JSON")] = False,
    history: Annotated[Path | None, typer.Option(
        "--history", help="earlier turns: a conversation JSON file (docs/conversation.schema.json)"
    )] = None,
    playbook: PlaybookOption = None,
) -> None:
    """Read one customer message: anger, causes, wants, facts, flags, venting, escalation."""
    message = read_text_argument(text)
    turns = read_conversation(history).turns() if history else []
    analysis = Analyzer(load_playbook(playbook)).analyze(message, turns)
    if as_json:
        typer.echo(json.dumps(analysis.to_dict(), ensure_ascii=False, default=str))
    else:
        console.print(render_analysis(analysis))
