"""`calmline eval TASK FILE`: score calmline on a public dataset file (see docs/eval.md).

Tasks: anger (GoEmotions TSV), intensity (SemEval-2018 anger intensity TSV), offensive (Davidson
CSV or OLID TSV), targeted (OLID TSV) and cause (airline complaints CSV). Rich tables go to
stdout; with --json stdout holds exactly one line, a JSON object. The progress bar is on stderr.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from calmline.cli.app import app, console, err_console, friendly_errors
from calmline.errors import InputError

if TYPE_CHECKING:
    from calmline.engine.analyzer import Analyzer
    from calmline.evaluation.metrics import TaskResult
    from calmline.evaluation.tasks import Task

TASK_HELP = ("anger | intensity | offensive | targeted | cause | sentiment | safety | support | drafts | "
             "behaviours | esconv | epitome | courtesy")


def _run(task: Task, analyzer: Analyzer, rows: Sequence[Any], file: Path) -> TaskResult:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (TextColumn("[progress.description]{task.description}"), BarColumn(),
               MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err_console, transient=True,
                  disable=not err_console.is_terminal) as progress:
        bar = progress.add_task(f"eval {task.name}", total=len(rows))
        result = task.run(analyzer, rows, lambda: progress.advance(bar))
    return replace(result, file=str(file))


def _compare(task: Task, rows: Sequence[Any], file: Path, playbook: Path | None,
             json_output: bool) -> None:
    """Run the task with the shipped playbook and with `playbook`, and show both side by side."""
    from calmline.engine.analyzer import Analyzer
    from calmline.evaluation import compare
    from calmline.playbook import load_playbook

    if playbook is None:
        raise InputError("--compare needs --playbook TEAM.yaml: the playbook to set beside the shipped one")
    team_analyzer = Analyzer(load_playbook(playbook))
    team = _run(task, team_analyzer, rows, file)
    # the same model reads both: load it once
    shipped_analyzer = (Analyzer(load_playbook(), encoder=team_analyzer.encoder)
                        if team_analyzer.encoder is not None else Analyzer(load_playbook()))
    shipped = _run(task, shipped_analyzer, rows, file)
    if json_output:
        typer.echo(compare.to_json_line(shipped, team, str(playbook)))
    else:
        compare.render_compare(shipped, team, console, str(playbook))


@app.command("eval")
@friendly_errors
def eval_command(
    task: Annotated[str, typer.Argument(help=TASK_HELP, show_default=False)],
    file: Annotated[Path, typer.Argument(help="dataset file in that task's format",
                                         show_default=False)],
    json_output: Annotated[bool, typer.Option(
        "--json", help="print one JSON object (the last and only line of stdout)")] = False,
    playbook: Annotated[Path | None, typer.Option(
        "--playbook", help="evaluate with this playbook instead of the default")] = None,
    compare: Annotated[bool, typer.Option(
        "--compare", help="also run the shipped playbook on the same rows and show both")] = False,
    limit: Annotated[int | None, typer.Option(
        "--limit", help="evaluate only the first N rows", show_default=False)] = None,
    split: Annotated[str | None, typer.Option(
        "--split", help="safety, support, drafts and suggestions only: evaluate one split (train, dev "
        "or test)",
        show_default=False)] = None,
) -> None:
    """Score calmline on a labelled dataset (TASK FILE): precision/recall/F1, correlations, confusion.

    anger: GoEmotions TSV; anger, annoyance or disapproval = angry.

    intensity: SemEval-2018 anger intensity TSV; Pearson and Spearman.

    offensive: Davidson CSV or OLID TSV (read from the header).

    targeted: OLID TSV, offensive rows; TIN vs UNT.

    cause: airline complaints CSV; negativereason vs calmline areas and causes.

    sentiment: airline complaints CSV; levels on negative, neutral and positive tweets.

    safety: the team's safety set (data/safety, a file or the folder); danger recall, precision, false alarms.

    support: the team's support set (data/support); level, causes, wants, flags, venting.

    drafts: the team's agent drafts (data/drafts); anti-pattern recall and precision, behaviour
    micro-F1, good drafts blocked, "calm down" read as a calm tone.

    Details and the cause mapping: docs/eval.md.
    """
    from calmline.engine.analyzer import Analyzer
    from calmline.evaluation.report import render, to_json_line
    from calmline.evaluation.tasks import get_task, load_rows
    from calmline.playbook import load_playbook

    spec = get_task(task)
    rows = load_rows(spec, file, limit, split)
    if compare:
        _compare(spec, rows, file, playbook, json_output)
        return
    analyzer = Analyzer(load_playbook(playbook))
    result = _run(spec, analyzer, rows, file)
    if json_output:
        typer.echo(to_json_line(result))
    else:
        render(result, console)
