"""`calmline users list | rotate | deactivate`: key lifecycle from the shell, no server needed.

The admin's way out when the only admin key is lost (rotate it here), and the same operations as
the API's `/v1/users` for those with database access. A running server notices within
`calmline.service.deps.KEY_CACHE_SECONDS` (it caches key lookups per process).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

import typer
from sqlalchemy.orm import Session

from calmline.cli.app import friendly_errors
from calmline.cli.serve_cmd import DatabaseOption, _url, users_app

T = TypeVar("T")
Ref = Annotated[str, typer.Argument(help="the user's name, or its id", metavar="NAME_OR_ID")]


def _in_transaction(database: str | None, work: Callable[[Session], T]) -> T:
    """Run `work` in one transaction on an up-to-date schema, and let the engine go."""
    from calmline.cases import db

    engine = db.make_engine(_url(database))
    try:
        db.upgrade(engine)
        with db.transaction(db.session_factory(engine)) as session:
            return work(session)
    finally:
        engine.dispose()


@users_app.command("list")
@friendly_errors
def users_list_command(database: DatabaseOption = None) -> None:
    """List the users in the database (--database): id, name, role, active (keys are never shown)."""
    from calmline.cases import keys

    rows = _in_transaction(database, lambda s: [
        (a.id, a.name, a.role, "yes" if a.active else "no") for a in keys.all_agents(s)])
    width = max([len(name) for _id, name, _role, _active in rows] + [4])
    typer.echo(f"{'id':>6}  {'name':<{width}}  {'role':<10}  active")
    for agent_id, name, role, active in rows:
        typer.echo(f"{agent_id:>6}  {name:<{width}}  {role:<10}  {active}")


@users_app.command("rotate")
@friendly_errors
def users_rotate_command(ref: Ref, database: DatabaseOption = None) -> None:
    """Give the user (NAME_OR_ID) a new API key, printed on the last line (shown once).

    The old key stops working (within 10 seconds on a running server)."""
    from calmline.cases import keys

    def work(session: Session) -> tuple[str, int, str]:
        agent = keys.find_agent(session, ref=ref)
        agent, key = keys.rotate_key(session, agent_id=agent.id, actor_id=None)
        return agent.name, agent.id, key

    name, agent_id, key = _in_transaction(database, work)
    typer.echo(f"rotated the key of {name!r} (id {agent_id}); the old key no longer works. "
               "The new API key (shown once):")
    typer.echo(key)


@users_app.command("deactivate")
@friendly_errors
def users_deactivate_command(ref: Ref, database: DatabaseOption = None) -> None:
    """Deactivate the user (NAME_OR_ID): its key stops working and routing skips it.

    Within 10 seconds on a running server; its cases stay as they are."""
    from calmline.cases import keys

    def work(session: Session) -> tuple[str, int]:
        agent = keys.find_agent(session, ref=ref)
        agent = keys.deactivate(session, agent_id=agent.id, actor_id=None)
        return agent.name, agent.id

    name, agent_id = _in_transaction(database, work)
    typer.echo(f"deactivated {name!r} (id {agent_id}); its API key no longer works")
