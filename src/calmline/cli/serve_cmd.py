"""`calmline serve`, `calmline db upgrade` and `calmline users create`: the service's commands.

The rest of the key lifecycle (`users list | rotate | deactivate`) is in `users_cmd`.
"""

from __future__ import annotations

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
) -> None:
    """Serve the HTTP API (OpenAPI at /docs); brings the database schema up to date first."""
    import os

    import uvicorn

    from calmline.cases import db

    if log_level not in LOG_LEVELS:
        raise InputError(f"--log-level must be one of {', '.join(LOG_LEVELS)}, not {log_level!r}")
    _check_port_free(host, port)
    if database:
        os.environ["CALMLINE_DATABASE_URL"] = database  # seen by every worker's settings
        get_settings.cache_clear()
    engine = db.make_engine(_url(database))
    db.upgrade(engine)
    _first_admin(engine)
    engine.dispose()
    console.print(f"calmline serving on http://{host}:{port}: console at /console/, API docs at /docs",
                  highlight=False)
    uvicorn.run("calmline.service.asgi:app", host=host, port=port, workers=workers,
                log_level=log_level, access_log=False)


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
                             "running? Pick another port with --port") from None


def _first_admin(engine: Engine) -> None:
    """On a store without an admin (first start), create one and print its key, this once."""
    from calmline.cases import agents, db

    with db.transaction(db.session_factory(engine)) as session:
        made = agents.bootstrap_admin(session)
        if made is None:
            return
        name, key = made[0].name, made[1]
    console.print(f"[bold]First start:[/] created the admin user {name!r}. Its API key is shown "
                  "only this once; keep it (more users: `calmline users create NAME --role ROLE`):",
                  highlight=False)
    typer.echo(f"admin key: {key}")


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
