"""`calmline db upgrade` and `calmline users create` (the key is the last line)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from calmline.cases import agents, db
from calmline.cli import serve_cmd  # noqa: F401  (registers the commands)
from calmline.cli.app import app


def test_db_upgrade_and_users_create(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()
    upgraded = runner.invoke(app, ["db", "upgrade", "--database", url])
    assert upgraded.exit_code == 0, upgraded.output
    made = runner.invoke(app, ["users", "create", "lee", "--role", "supervisor", "--database", url])
    assert made.exit_code == 0, made.output
    key = made.output.strip().splitlines()[-1]
    engine = db.make_engine(url)
    with db.session_factory(engine)() as session:
        user = agents.agent_by_key(session, key=key)
        assert user is not None and user.role == "supervisor" and user.name == "lee"
    engine.dispose()
    bad = runner.invoke(app, ["users", "create", "x", "--role", "king", "--database", url])
    assert bad.exit_code != 0 and "role" in bad.output
    dup = runner.invoke(app, ["users", "create", "lee", "--database", url])
    assert dup.exit_code != 0 and "already exists" in dup.output


def test_unreachable_database_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    runner = CliRunner()
    for url in (f"sqlite:///{tmp_path}/missing/dir/x.db", "postgresql+psycopg://u:secret@127.0.0.1:1/none"):
        done = runner.invoke(app, ["db", "upgrade", "--database", url])
        assert done.exit_code != 0 and "cannot open the database" in done.output, done.output
        assert "Traceback" not in done.output and "secret" not in done.output
    bad = runner.invoke(app, ["serve", "--log-level", "loud"])
    assert bad.exit_code != 0 and "--log-level" in bad.output


def test_serve_on_a_taken_port_says_so_before_touching_the_database(tmp_path: Path) -> None:
    import socket

    url = f"sqlite:///{tmp_path / 'untouched.db'}"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = CliRunner().invoke(app, ["serve", "--port", str(port), "--database", url])
    assert done.exit_code != 0 and f"127.0.0.1:{port}" in done.output and "--port" in done.output
    assert "Traceback" not in done.output
    assert not (tmp_path / "untouched.db").exists()
