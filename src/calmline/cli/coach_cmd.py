"""`calmline review` and `calmline suggest`: the reply coach, for people (Rich) or machines (--json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from calmline.cli.analyze_cmd import PlaybookOption
from calmline.cli.app import app, console, friendly_errors
from calmline.cli.inputs import read_conversation_file, read_text
from calmline.cli.render import highlight
from calmline.explain import explain

if TYPE_CHECKING:
    from calmline.engine.analyzer import Analyzer
    from calmline.engine.coach import Review
    from calmline.engine.composer import Suggestion
    from calmline.playbook.coach_schema import CoachConfig

ConversationOption = Annotated[Path, typer.Option(
    "--conversation", help="the conversation so far: a JSON file of turns, each with role (customer "
    "or agent) and text (docs/conversation.schema.json)",
    show_default=False)]
JsonOption = Annotated[bool, typer.Option("--json", help="print one JSON object")]
CoachOption = Annotated[Path | None, typer.Option(
    "--coach", help="a team's own coach YAML (default: built-in coach.yaml)")]
HOW_TO_GIVE_DRAFT = 'give it with --draft "your reply", or pipe it in (--draft - < draft.txt)'


def _score_style(score: int) -> str:
    return "green" if score >= 80 else "yellow" if score >= 50 else "red"


def render_review(review: Review, title: str = "draft review") -> RenderableType:
    """The draft with anti-pattern spans underlined, the checklist, what is missing, the score."""
    spans = tuple(e for a in review.anti_patterns for e in a.evidence)
    parts: list[RenderableType] = [highlight(review.draft, spans, "underline bold red")]
    checklist = Table(title="behaviours", title_justify="left", show_edge=False)
    for column in ("", "behaviour", "evidence"):
        checklist.add_column(column)
    for b in review.behaviours:
        if b.found or b.expected:
            mark = "[green]✓[/]" if b.found else "[red]✗[/]"
            words = ", ".join(f"“{e.text}”" for e in b.evidence[:3] if e.end - e.start < 80)
            checklist.add_row(mark, b.title + (" (expected now)" if b.expected else ""), words or "—")
    parts.append(checklist)
    if review.anti_patterns:
        anti = Table(title="anti-patterns", title_justify="left", show_edge=False)
        for column in ("span", "why it hurts", "calmer rewrite"):
            anti.add_column(column)
        for a in review.anti_patterns:
            # which anti-pattern, and how it was read (a phrase, the reply as a whole, the question
            # left unanswered): a flag no phrase explains still says where it comes from
            read = "; ".join(dict.fromkeys(explain(e.source, e.rule) for e in a.evidence))
            anti.add_row(Text.assemble(f"“{a.evidence[0].text}”\n", (a.title, "bold"),
                                       (f"\nread as: {read}", "dim")), a.why, a.rewrite)
        parts.append(anti)
    for gap in review.missing:
        parts.append(Text(f"missing: {gap.title} — {gap.why}", style="yellow"))
    for c in review.commitments:
        parts.append(Text(f"promise: {c.what} (due {c.due.isoformat() if c.due else 'no time given'})",
                          style="cyan"))
    style = _score_style(review.score)
    parts.append(Text.assemble(("score ", "bold"), (f"{review.score}/100", f"bold {style}"),
                               (f"   moment: {review.moment} · stage: {review.stage}", "dim")))
    parts.append(Text.assemble(("next move: ", "bold"), review.next_move))
    return Panel(Group(*parts), title=title, border_style=style)


def render_suggestions(suggestions: list[Suggestion]) -> RenderableType:
    panels: list[RenderableType] = []
    for number, s in enumerate(suggestions, start=1):
        body = Text(s.text)
        if s.placeholders:
            body.append(f"\nfill in: {', '.join(s.placeholders)}", style="yellow")
        panels.append(Panel(body, title=f"{number} · score {s.score} · {s.source}",
                            border_style=_score_style(s.score), title_align="left"))
    return Group(*panels)


def _analyzer_and_coach(playbook: Path | None, coach: Path | None) -> tuple[Analyzer, CoachConfig]:
    from calmline.engine.analyzer import Analyzer as _Analyzer
    from calmline.playbook import load_playbook
    from calmline.playbook.coach_loader import load_coach

    return _Analyzer(load_playbook(playbook)), load_coach(coach)


@app.command("review")
@friendly_errors
def review_command(
    conversation: ConversationOption,
    draft: Annotated[str | None, typer.Option(
        "--draft", help="the agent's draft reply; - (or leaving it out, with input piped) reads stdin",
        show_default=False)] = None,
    as_json: JsonOption = False,
    playbook: PlaybookOption = None,
    coach: CoachOption = None,
) -> None:
    """Review a draft reply (--draft, or stdin) to a conversation file (--conversation): score, next move.

    The behaviours it shows and misses, its anti-patterns with calmer rewrites, its promises.
    """
    from calmline.engine.coach import review

    text = read_text(draft, what="draft reply", how=HOW_TO_GIVE_DRAFT)
    chat = read_conversation_file(conversation)
    analyzer, config = _analyzer_and_coach(playbook, coach)
    verdict = review(text, chat, analyzer, coach=config)
    if as_json:
        typer.echo(json.dumps(verdict.to_dict(), ensure_ascii=False, default=str))
    else:
        console.print(render_review(verdict))


@app.command("suggest")
@friendly_errors
def suggest_command(
    conversation: ConversationOption,
    as_json: JsonOption = False,
    playbook: PlaybookOption = None,
    coach: CoachOption = None,
) -> None:
    """Suggest two or three replies to a conversation file (--conversation), each reviewed by the coach."""
    from calmline.engine.composer import suggest
    from calmline.engine.rewriter import rewriter_from_env

    chat = read_conversation_file(conversation)
    analyzer, config = _analyzer_and_coach(playbook, coach)
    found = suggest(chat, analyzer, coach=config,
                    rewriter=rewriter_from_env())
    if as_json:
        typer.echo(json.dumps({"suggestions": [s.to_dict() for s in found]}, ensure_ascii=False,
                              default=str))
    else:
        console.print(render_suggestions(found))
