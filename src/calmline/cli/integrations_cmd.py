"""`calmline integrations check | import`: connect calmline to Chatwoot or Zendesk, and bring a
helpdesk's history in for insights."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import ValidationError
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from calmline.cli.app import app, console, err_console, friendly_errors
from calmline.errors import CalmlineError, InputError
from calmline.settings import Settings

if TYPE_CHECKING:
    from calmline.integrations.chatwoot import ChatwootClient
    from calmline.integrations.resume import ResumableExport
    from calmline.integrations.zendesk import ZendeskClient

integrations_app = typer.Typer(help="Chatwoot and Zendesk: check the set-up, import history.",
                               no_args_is_help=True)
app.add_typer(integrations_app, name="integrations")

MARKS = {"ok": "[green]ok[/]  ", "warn": "[yellow]warn[/]", "fail": "[bold red]FAIL[/]"}


class ExportStoppedError(CalmlineError):
    """The helpdesk stopped answering mid-export; what was written is kept."""


@integrations_app.command("check")
@friendly_errors
def check_command() -> None:
    """Test each connected helpdesk: reachable, token accepted, webhook secret set, labels there.

    Reads the same settings as the server (CALMLINE_* variables or .env); exits non-zero when
    anything needs fixing, and says how."""
    from calmline.catalogue import build_catalogue
    from calmline.integrations.check import check_all
    from calmline.playbook import load_playbook

    settings = _settings()
    findings = check_all(settings, build_catalogue(load_playbook(settings.playbook)))
    for finding in findings:
        console.print(f"{MARKS[finding.level]} {finding.helpdesk:<9} {finding.what:<15} "
                      f"{finding.message}", highlight=False)
        if finding.fix and finding.level != "ok":
            console.print(f"{'':<32}→ {finding.fix}", highlight=False, style="dim")
    failed = sum(f.level == "fail" for f in findings)
    if failed:
        err_console.print(f"[bold red]{failed} problem{'s' if failed > 1 else ''} to fix[/]")
        raise typer.Exit(1)
    console.print("[green]ready[/]")


def _settings() -> Settings:
    """This process's settings, read now; a bad value is a one-line error naming its variable."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(f"CALMLINE_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
                             for e in exc.errors()[:3])
        raise InputError(f"bad setting: {problems}") from None


def _since(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise InputError(f"--since: expected a date like 2025-01-31, got {text!r}") from None


@integrations_app.command("import")
@friendly_errors
def import_command(
    helpdesk: Annotated[str, typer.Argument(help="chatwoot or zendesk")],
    out: Annotated[Path, typer.Option("--out", help="the JSONL file to write (calmline's "
                                      "interchange format, read by `calmline insights`)")],
    since: Annotated[str | None, typer.Option(
        "--since", help="only conversations created on or after this date (YYYY-MM-DD)")] = None,
    resume: Annotated[bool, typer.Option(
        "--resume", help="continue an interrupted export into the same --out")] = False,
) -> None:
    """Export a helpdesk's past conversations for `calmline insights` (either engine)."""
    from calmline.integrations.connect import chatwoot_client, missing_settings, zendesk_client
    from calmline.integrations.http import HelpdeskCallError
    from calmline.integrations.resume import ResumableExport

    settings, start = _settings(), _since(since)
    if helpdesk not in ("chatwoot", "zendesk"):
        raise InputError(f"unknown helpdesk {helpdesk!r}; choose chatwoot or zendesk")
    missing = missing_settings(settings, helpdesk)
    if missing:
        raise InputError(f"{helpdesk} is not connected: set {', '.join(missing)} "
                         f"(docs/integrations/{helpdesk}.md; then `calmline integrations check`)")
    client = chatwoot_client(settings) if helpdesk == "chatwoot" else zendesk_client(settings)
    assert client is not None  # its URL is set
    source = {"helpdesk": helpdesk, "url": client.api.base_url,
              "account": settings.chatwoot_account_id if helpdesk == "chatwoot" else None,
              "since": start.isoformat() if start else None}
    with ResumableExport(out, source, resume=resume) as export, Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed:,}"),
            TextColumn("conversations"), TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task(f"reading {helpdesk}", total=None, completed=len(export.done))
        try:
            written = _run(client, export, start,
                           lambda n, total: bar.update(task, advance=n, total=total))
        except HelpdeskCallError as exc:
            raise ExportStoppedError(f"{helpdesk} stopped answering ({exc}); {len(export.done):,} "
                                     f"conversations are in {out}: run the same command with "
                                     "--resume to continue") from exc
        except KeyboardInterrupt:
            err_console.print(f"stopped: run the same command with --resume to continue ({out})")
            raise
        finally:
            client.close()
    console.print(f"[bold]{written:,}[/] conversations written this run, {len(export.done):,} in "
                  f"{out}\nnext: calmline insights {out}")


def _run(client: ChatwootClient | ZendeskClient, export: ResumableExport, start: date | None,
         progress: Callable[[int, int | None], None]) -> int:
    from calmline.insights.import_chatwoot import export_chatwoot
    from calmline.insights.import_zendesk import export_zendesk
    from calmline.integrations.chatwoot import ChatwootClient

    if isinstance(client, ChatwootClient):
        return export_chatwoot(client, export, since=start, progress=progress)
    return export_zendesk(client, export, since=start, progress=progress)
