"""`calmline train --from-corrections --out TEAM.yaml`: the team's corrections as a playbook.

Reads every correction stored by the service (the database from --database, else the settings),
adds the corrected messages to a base playbook as examples and near misses
(`calmline.playbook.corrections`), writes the whole playbook, checks that it loads, and prints
what changed. Serve it with CALMLINE_PLAYBOOK=TEAM.yaml; compare it with the shipped one with
`calmline eval support FILE --playbook TEAM.yaml --compare`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from calmline.cli.app import app, console, err_console, friendly_errors
from calmline.cli.serve_cmd import DatabaseOption, _url
from calmline.errors import InputError, PlaybookError


def _base_data(path: Path | None) -> tuple[dict[str, Any], str]:
    """The base playbook's YAML data (validated first) and its name for the header."""
    from importlib import resources

    import yaml

    from calmline.playbook import load_playbook

    load_playbook(path)  # fails loudly, and says where, before anything is written
    if path is None:
        text = resources.files("calmline.playbook").joinpath("default.yaml").read_text("utf-8")
        name = "the packaged default playbook"
    else:
        text, name = path.read_text("utf-8"), str(path)
    data = yaml.safe_load(text)
    return data, name


def _lessons(database: str | None) -> list[Any]:
    from calmline.cases import corrections, db

    engine = db.make_engine(_url(database))
    try:
        db.upgrade(engine)
        with db.session_factory(engine)() as session:
            return corrections.lessons(session)
    finally:
        engine.dispose()


@app.command("train")
@friendly_errors
def train_command(
    out: Annotated[Path, typer.Option("--out", help="where to write the team playbook (YAML)",
                                      show_default=False)],
    from_corrections: Annotated[bool, typer.Option(
        "--from-corrections", help="learn from the corrections people made in the console")] = False,
    playbook: Annotated[Path | None, typer.Option(
        "--playbook", help="base playbook (default: the packaged one)", show_default=False)] = None,
    database: DatabaseOption = None,
) -> None:
    """Write a team playbook (--out) from the corrections stored in the service's database.

    The base playbook plus the corrected messages as examples (a missed flag, want or cause, or a
    wrong level) and near misses (a wrong flag, want or cause)."""
    from rich.table import Table

    from calmline.playbook import load_playbook
    from calmline.playbook.corrections import Teaching, dump, teach

    if not from_corrections:
        raise InputError("say what to learn from: --from-corrections")
    base, base_name = _base_data(playbook)
    found = _lessons(database)
    if not found:
        raise InputError("no corrections stored yet: mark readings wrong in the console "
                         "(\"Reading wrong?\") or POST /v1/messages/{id}/corrections, then train again")
    taught = teach(base, [Teaching(x.kind, x.label, x.text) for x in found])
    header = (f"calmline team playbook: {base_name} plus {len(found)} correction(s) "
              f"(calmline train --from-corrections).\nRegenerate it rather than editing it by hand.")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(dump(taught.data, header), "utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {out}: {exc.strerror or exc}") from None
    try:
        load_playbook(out)
    except PlaybookError as exc:  # pragma: no cover - teach() only appends sentences
        raise PlaybookError(f"the written playbook does not load: {exc}") from exc
    table = Table("label", "examples added", "near misses added", title=f"{out}", title_justify="left")
    for name, change in sorted(taught.changes.items()):
        table.add_row(name, str(change.examples), str(change.near_misses))
    console.print(table)
    for note in taught.skipped:
        err_console.print(f"[yellow]skipped:[/] {note}", highlight=False)
    console.print(f"{taught.added} sentence(s) added from {len(found)} correction(s). Use it with "
                  f"--playbook {out} or CALMLINE_PLAYBOOK={out}.", highlight=False)
