"""`calmline insights`: a report over past conversations, on this machine or a Dask cluster."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from calmline.cli.app import app, console, err_console, friendly_errors
from calmline.errors import InputError
from calmline.insights.importers import EMPTY_TEXT, parse_columns
from calmline.insights.report import write_report
from calmline.insights.run import RunOptions, run_insights


def _estimate(paths: list[Path], fmt: str, db: str | None) -> int | None:
    """Messages to expect (lines of CSV inputs, for the progress bar); None (a pulsing bar) when
    JSON inputs or a database make the number unknown up front."""
    if db or fmt in ("json", "jsonl") or any(
            p.suffix.lower() in (".json", ".jsonl", ".ndjson") for p in paths):
        return None
    lines = 0
    for path in paths:
        with path.open("rb") as handle:
            lines += sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b"")) - 1
    return max(lines, 0)


def _check_outputs(workers: int, *outputs: Path | None) -> None:
    """Refuse numbers and paths that cannot work before minutes of analysis, not after."""
    if workers < 1:
        raise InputError(f"--processes must be at least 1, not {workers}")
    for path in (p for p in outputs if p is not None):
        if path.is_dir() or not path.name:
            raise InputError(f"{path} is a folder: give a file name, e.g. {path / 'report.html'}")
        if not path.parent.is_dir():
            raise InputError(f"cannot write {path}: the folder {path.parent} does not exist")


def _empty_text_rows(imported: dict[str, Any]) -> str | None:
    """How many skipped rows had no text ("at least N" when only the first bad rows were kept)."""
    kept = imported["bad_examples"]
    count = sum(1 for b in kept if b["reason"].endswith(EMPTY_TEXT))
    if not count:
        return None
    return f"{'at least ' if imported['bad_rows'] > len(kept) else ''}{count:,}"


@app.command("insights")
@friendly_errors
def insights_command(
    inputs: Annotated[list[Path] | None, typer.Argument(
        help="exports: .jsonl/.json conversations, or .csv (mapped, or the Twitter layout)")] = None,
    db: Annotated[str | None, typer.Option(
        "--db", help="also read the service's case store at this SQLAlchemy URL, "
                     "e.g. sqlite:///calmline.db")] = None,
    out: Annotated[Path, typer.Option("--out", help="the HTML report to write")] = Path("report.html"),
    json_out: Annotated[Path | None, typer.Option("--json-out", help="also write every figure as JSON "
                                                  "(default: next to --out, .json)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="auto|jsonl|json|csv|twcs")] = "auto",
    columns: Annotated[str | None, typer.Option(
        "--columns",
        help="CSV mapping, e.g. conversation=ticket_id,role=sender,text=body,time=ts,author=agent,"
             "customer=client_id")] = None,
    engine: Annotated[str, typer.Option("--engine", help="local (processes here) or dask")] = "local",
    workers: Annotated[int, typer.Option("--processes", "--workers",
                                         help="local worker processes")] = min(2, os.cpu_count() or 1),
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Dask scheduler address")] = None,
    playbook: Annotated[Path | None, typer.Option("--playbook", help="a team's own playbook YAML")] = None,
    coach: Annotated[Path | None, typer.Option("--coach", help="a team's own coach YAML")] = None,
) -> None:
    """Learn from past conversations (export files and/or --db): triggers, trajectories, handling.

    Also agent load and training material; an HTML report (--out) and every figure as JSON.
    """
    inputs = inputs or []
    _check_outputs(workers, out, json_out)
    options = RunOptions(inputs, fmt, parse_columns(columns), engine, workers, scheduler,
                         str(playbook) if playbook else None, database=db,
                         coach=str(coach) if coach else None)
    total = _estimate([p for p in inputs if p.is_file()], fmt, db)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("messages"), TimeElapsedColumn(), console=console, transient=True) as bar:
        # CSV inputs are grouped on disk before the first chunk is analysed: say so meanwhile
        task = bar.add_task("reading", total=total)
        data = run_insights(options, lambda n: bar.update(task, advance=n, description="analysing"))
    meta, imported = data["meta"], data["import"]
    problems = [f"{b['source']}:{b['line']}: {b['reason']}" for b in imported["bad_examples"][:5]]
    if not imported["threads"]:
        raise InputError("no conversation could be read from the inputs"
                         + (": " + "; ".join(problems) if problems else ""))
    json_path = json_out or out.with_suffix(".json")
    write_report(data, out, json_path)
    console.print(f"[bold]{imported['threads']:,}[/] conversations, {imported['messages']:,} messages "
                  f"in {meta['seconds']} s ({meta['messages_per_second'] or 0:,.0f} messages/s); "
                  f"{imported['bad_rows']:,} bad rows skipped")
    empty = _empty_text_rows(imported)
    if empty:
        err_console.print(f"[yellow]warning:[/] {empty} rows or turns with empty text were skipped "
                          "(not analysed, not counted)", highlight=False, soft_wrap=True)
    for problem in problems:
        console.print(f"  [yellow]skipped[/] {problem}", highlight=False)
    if imported["bad_rows"] > len(problems):
        console.print(f"  … and {imported['bad_rows'] - len(problems):,} more (listed in the report)")
    console.print(f"report: {out}\nfigures: {json_path}")
