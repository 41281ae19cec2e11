"""`calmline users list | rotate | deactivate` against a real database file."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from calmline.cases import agents, audit, db
from calmline.cli import users_cmd  # noqa: F401  (registers the commands)
from calmline.cli.app import app


def _active(url: str, key: str) -> str | None:
    engine = db.make_engine(url)
    with db.session_factory(engine)() as session:
        agent = agents.agent_by_key(session, key=key)
        name = agent.name if agent is not None else None
    engine.dispose()
    return name


def _actions(url: str) -> list[str]:
    engine = db.make_engine(url)
    with db.session_factory(engine)() as session:
        actions = [e.action for e in audit.history(session, entity="agent")]
    engine.dispose()
    return actions


def test_list_rotate_deactivate(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'keys.db'}"
    runner = CliRunner()
    made = runner.invoke(app, ["users", "create", "lee", "--role", "supervisor", "--database", url])
    old = made.output.strip().splitlines()[-1]
    runner.invoke(app, ["users", "create", "kim", "--database", url])

    rotated = runner.invoke(app, ["users", "rotate", "lee", "--database", url])
    assert rotated.exit_code == 0, rotated.output
    new = rotated.output.strip().splitlines()[-1]
    assert new.startswith(agents.KEY_PREFIX) and new != old
    assert _active(url, new) == "lee" and _active(url, old) is None

    by_id = runner.invoke(app, ["users", "rotate", "1", "--database", url])  # lee is id 1
    newer = by_id.output.strip().splitlines()[-1]
    assert by_id.exit_code == 0 and _active(url, newer) == "lee" and _active(url, new) is None

    off = runner.invoke(app, ["users", "deactivate", "lee", "--database", url])
    assert off.exit_code == 0, off.output
    assert _active(url, newer) is None

    listed = runner.invoke(app, ["users", "list", "--database", url])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.strip().splitlines()
    assert lines[0].split() == ["id", "name", "role", "active"]
    assert [line.split() for line in lines[1:]] == [["1", "lee", "supervisor", "no"],
                                                    ["2", "kim", "agent", "yes"]]
    assert agents.KEY_PREFIX not in listed.output
    assert _actions(url) == ["created", "created", "key_rotated", "key_rotated", "deactivated"]


def test_unknown_user_and_refusals_are_one_line_errors(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'keys.db'}"
    runner = CliRunner()
    for command in (["users", "rotate", "nobody"], ["users", "deactivate", "404"]):
        done = runner.invoke(app, [*command, "--database", url])
        assert done.exit_code != 0 and "no user named or numbered" in done.output, done.output
        assert "Traceback" not in done.output
    runner.invoke(app, ["users", "create", "root", "--role", "admin", "--database", url])
    last = runner.invoke(app, ["users", "deactivate", "root", "--database", url])
    assert last.exit_code != 0 and "last active admin" in last.output
