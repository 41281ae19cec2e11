"""`calmline demo`: replay a bundled angry chat; show what calmline sees and how it coaches each reply."""

from __future__ import annotations

import json
import time
from importlib import resources
from typing import Annotated

import typer
from rich.rule import Rule

from calmline.cli.analyze_cmd import PlaybookOption
from calmline.cli.app import app, console, friendly_errors
from calmline.cli.coach_cmd import render_review
from calmline.cli.render import render_analysis
from calmline.conversation import parse_conversation
from calmline.engine.analyzer import Analyzer
from calmline.engine.coach import review
from calmline.errors import InputError
from calmline.playbook import load_playbook

DEMO = "angry_chat.json"
MAX_PAUSE = 60.0


@app.command("demo")
@friendly_errors
def demo_command(
    pause: Annotated[float, typer.Option(help=f"seconds to wait between turns (0 to {MAX_PAUSE:g})")] = 0.0,
    playbook: PlaybookOption = None,
) -> None:
    """Replay a bundled angry-customer chat through the analyzer and the coach (no input needed)."""
    if not 0 <= pause <= MAX_PAUSE:  # also refuses nan
        raise InputError(f"--pause must be between 0 and {MAX_PAUSE:g} seconds, not {pause:g}")
    raw = resources.files("calmline.demo").joinpath(DEMO).read_text("utf-8")
    conversation = parse_conversation(json.loads(raw), DEMO)
    analyzer = Analyzer(load_playbook(playbook))
    console.print(Rule(f"calmline demo — conversation {conversation.id} ({conversation.channel})"))
    analyses = analyzer.analyze_conversation(conversation.turns())
    for number, (message, analysis) in enumerate(
        zip(conversation.messages, analyses, strict=True), start=1
    ):
        who = message.author or message.role
        if analysis is None:  # an agent turn: show how the coach would have reviewed it
            prior = conversation.model_copy(update={"messages": conversation.messages[: number - 1]})
            console.print(render_review(review(message.text, prior, analyzer),
                                        title=f"turn {number} · agent {who} — coach review"))
        else:
            console.print(render_analysis(analysis, title=f"turn {number} · customer {who}"))
        if pause:
            time.sleep(pause)
    console.print(Rule("end of demo — try `calmline analyze \"your message\"`"))
