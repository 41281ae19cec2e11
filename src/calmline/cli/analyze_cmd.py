"""`calmline analyze`: one customer message, for people (Rich) or machines (--json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from calmline.cli.app import app, console, friendly_errors
from calmline.cli.inputs import read_conversation_file, read_text
from calmline.cli.render import render_analysis
from calmline.engine.analyzer import Analyzer
from calmline.playbook import load_playbook

PlaybookOption = Annotated[
    Path | None, typer.Option("--playbook", help="a team's own playbook YAML (default: built-in)")
]


HOW_TO_GIVE_MESSAGE = ('give it as an argument (calmline analyze "your message"), or pipe it in '
                       '(calmline analyze - < message.txt)')


@app.command("analyze")
@friendly_errors
def analyze_command(
    text: Annotated[str | None, typer.Argument(
        help="the customer message; - (or nothing, with input piped) reads it from stdin",
        show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the analysis as JSON")] = False,
    history: Annotated[Path | None, typer.Option(
        "--history", help="earlier turns: a conversation JSON file (docs/conversation.schema.json)"
    )] = None,
    playbook: PlaybookOption = None,
) -> None:
    """Read one customer message (an argument, or stdin): anger, causes, wants, flags, escalation.

    --history FILE adds the earlier turns (a conversation JSON file), for the trend.
    """
    message = read_text(text, what="customer message", how=HOW_TO_GIVE_MESSAGE)
    turns = read_conversation_file(history).turns() if history else []
    analysis = Analyzer(load_playbook(playbook)).analyze(message, turns)
    if as_json:
        typer.echo(json.dumps(analysis.to_dict(), ensure_ascii=False, default=str))
    else:
        console.print(render_analysis(analysis))
