"""`calmline serve`, `calmline db upgrade` and `calmline users create`: the service's commands.

The rest of the key lifecycle (`users list | rotate | deactivate`) is in `users_cmd`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine

from calmline.cli.app import app, console, friendly_errors
from calmline.errors import InputError
from calmline.settings import get_settings

db_app = typer.Typer(help="The case store's database.", no_args_is_help=True)
users_app = typer.Typer(help="Users of the service and their API keys.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")

LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")
DatabaseOption = Annotated[str | None, typer.Option(
    "--database", help="database URL (default: CALMLINE_DATABASE_URL, else ./calmline.db)")]


def _url(database: str | None) -> str:
    return database or get_settings().database_url


@app.command("serve")
@friendly_errors
def serve_command(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port", min=0, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(help="worker processes", min=1, max=64)] = 1,
    database: DatabaseOption = None,
    log_level: Annotated[str, typer.Option(help="server log level: " + ", ".join(LOG_LEVELS))] = "info",
    keep_alive: Annotated[int, typer.Option(
        help="seconds a connection may sit idle, or take to send a request's head", min=1, max=300)] = 5,
    playbook: Annotated[Path | None, typer.Option(
        help="a team's own playbook YAML (default: the packaged one; also CALMLINE_PLAYBOOK)")] = None,
    coach: Annotated[Path | None, typer.Option(
        help="a team's own coach YAML (default: the packaged one; also CALMLINE_COACH)")] = None,
) -> None:
    """Serve the HTTP API (OpenAPI at /docs); brings the database schema up to date first.

    Logs are JSON lines on stderr (calmline.service.logs). The server bounds what a client can
    hold: a request head of at most 64 KiB, sent within --keep-alive seconds."""
    import os

    import uvicorn

    from calmline.cases import db
    from calmline.service import http_protocol, logs

    if log_level not in LOG_LEVELS:
        raise InputError(f"--log-level must be one of {', '.join(LOG_LEVELS)}, not {log_level!r}")
    _check_port_free(host, port)
    _use_team_method(playbook, coach)
    if database:
        os.environ["CALMLINE_DATABASE_URL"] = database  # seen by every worker's settings
        get_settings.cache_clear()
    engine = db.make_engine(_url(database))
    db.upgrade(engine)
    _first_admin(engine, _url(database))
    engine.dispose()
    console.print(f"calmline serving on http://{host}:{port}: console at /console/, API docs at /docs",
                  highlight=False)
    uvicorn.run("calmline.service.asgi:app", host=host, port=port, workers=workers,
                log_level=log_level, log_config=logs.uvicorn_config(log_level), access_log=False,
                http=http_protocol.BoundedH11Protocol, timeout_keep_alive=keep_alive,
                h11_max_incomplete_event_size=http_protocol.HEAD_LIMIT,
                # a worker loads its models before it answers uvicorn's health check: on a busy
                # machine that takes longer than uvicorn's 5 s, and the worker was killed and
                # restarted for ever
                timeout_worker_healthcheck=WORKER_STARTUP_S)


WORKER_STARTUP_S = 60  # how long a worker may take to come up (or answer a ping) before it is restarted


def _use_team_method(playbook: Path | None, coach: Path | None) -> None:
    """Check a team's playbook and coach now (a typo fails here, with its line, not in a
    worker) and hand their paths to every worker's settings."""
    import os

    from calmline.engine.analyzer import Analyzer
    from calmline.playbook import load_playbook
    from calmline.playbook.coach_loader import load_coach

    if playbook is not None:
        Analyzer(load_playbook(playbook), encoder=None)  # detectors, settings and order too
        os.environ["CALMLINE_PLAYBOOK"] = str(playbook.resolve())
    if coach is not None:
        load_coach(coach)
        os.environ["CALMLINE_COACH"] = str(coach.resolve())
    if playbook is not None or coach is not None:
        get_settings.cache_clear()


def _check_port_free(host: str, port: int) -> None:
    """Fail before migrating and printing keys when the address is taken (a second `make run`)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise InputError(f"cannot listen on {host!r}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise InputError(f"cannot listen on {host}:{port}: {exc.strerror}; is calmline already "
                             "running? Pick another port: `make run PORT=8001`, or "
                             "`calmline serve --port 8001`") from None


def _first_admin(engine: Engine, url: str) -> None:
    """On a store without an admin (first start), create one and write its key to a file only
    this user can read; print where, never the key (the output may well be kept in a log)."""
    from calmline.cases import agents, db

    with db.transaction(db.session_factory(engine)) as session:
        made = agents.bootstrap_admin(session)
        if made is None:
            return
        name, key = made[0].name, made[1]
        path = key_file_for(url)
        write_private(path, key + "\n")  # in the transaction: no admin is kept without its key
    console.print(f"[bold]First start:[/] created the admin user {name!r}; its API key is in "
                  f"the file below (readable only by you). Sign in with it, then delete the file; "
                  f"lost it? `calmline users rotate {name}` prints a new one. More users: "
                  "`calmline users create NAME --role ROLE`.", highlight=False)
    typer.echo(f"admin key file: {path}")


def key_file_for(url: str) -> Path:
    """Beside a SQLite database file; else (PostgreSQL, in-memory) in the working directory."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    database = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if database and database != ":memory:" and not database.startswith("file:"):
        return Path(database).resolve().with_name(f"{Path(database).stem}-admin-key.txt")
    return Path.cwd() / "calmline-admin-key.txt"


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path` readable and writable by this user only (0600), replacing any
    older file atomically; the key is never in a file anyone else could read, even briefly."""
    import os
    import tempfile

    handle, scratch = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(scratch, path)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise


@db_app.command("upgrade")
@friendly_errors
def db_upgrade_command(
    database: DatabaseOption = None,
    revision: Annotated[str, typer.Option(help="target revision")] = "head",
) -> None:
    """Run the migrations up to REVISION (default: the newest)."""
    from calmline.cases import db

    engine = db.make_engine(_url(database))
    db.upgrade(engine, revision)
    engine.dispose()
    console.print(f"database at revision {revision}", highlight=False)


@users_app.command("create")
@friendly_errors
def users_create_command(
    name: Annotated[str, typer.Argument(help="the user's unique name")],
    role: Annotated[str, typer.Option(help="agent, supervisor or admin")] = "agent",
    database: DatabaseOption = None,
) -> None:
    """Create a user and print the new API key on the last line (shown this once)."""
    from calmline.cases import agents, db

    if role not in agents.ROLES:
        raise InputError(f"--role must be one of {', '.join(agents.ROLES)}, not {role!r}")
    engine = db.make_engine(_url(database))
    db.upgrade(engine)
    with db.transaction(db.session_factory(engine)) as session:
        agent, key = agents.create_agent(session, name=name, role=role)
        agent_id = agent.id
    engine.dispose()
    typer.echo(f"created {role} {name!r} with id {agent_id}; its API key (shown once):")
    typer.echo(key)
