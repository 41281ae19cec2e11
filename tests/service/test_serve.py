"""`calmline serve` for real: zero config (SQLite file in the working directory), migrations on
start, a first admin key written once to a file only its user can read (never printed: the output
may be kept in a log), and an API that answers on the port."""

from __future__ import annotations

import os
import re
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running(cwd: Path, printed: list[str], *options: str) -> Iterator[str]:
    """`calmline serve` in `cwd` with no CALMLINE_* settings; yields its base URL once it answers.
    What it printed (output and logs) is appended to `printed` when it has stopped."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALMLINE_")}
    proc = subprocess.Popen([sys.executable, "-m", "calmline.cli.main", "serve", "--port", str(port),
                             "--log-level", "warning", *options], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None and time.monotonic() < deadline, "server did not come up"
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        printed.append(proc.communicate(timeout=20)[0])


def admin_key_file(printed: str) -> Path:
    """The key file `serve` named on its first start."""
    found = re.findall(r"admin key file: (\S+)", printed)
    assert len(found) == 1, printed
    return Path(found[0])


def test_serve_zero_config_writes_the_first_admin_key_once_to_a_private_file(tmp_path: Path) -> None:
    printed: list[str] = []
    with running(tmp_path, printed) as base:
        assert httpx.get(f"{base}/healthz").json() == {"status": "ok", "database": "ok"}
    key_file = admin_key_file(printed[0])
    assert key_file == tmp_path / "calmline-admin-key.txt"  # beside calmline.db
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text("utf-8").strip()
    assert key.startswith("cl_") and key not in printed[0], printed[0]
    assert "calmline users rotate" in printed[0]
    assert (tmp_path / "calmline.db").exists()
    with running(tmp_path, printed) as base:
        auth = {"Authorization": f"Bearer {key}"}
        made = httpx.post(f"{base}/v1/users", json={"name": "ana", "role": "agent"}, headers=auth)
        assert made.status_code == 201, made.text
        assert httpx.get(f"{base}/v1/supervisor/queue", headers=auth).status_code == 200
        assert httpx.get(f"{base}/v1/supervisor/queue").status_code == 401
    assert "admin key" not in printed[1], printed[1]  # once: a restart makes no new key
    assert key_file.read_text("utf-8").strip() == key


def test_a_taken_port_says_how_to_pick_another_with_make_and_with_serve(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith("CALMLINE_")}
        done = subprocess.run([sys.executable, "-m", "calmline.cli.main", "serve", "--port", str(port)],
                              cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    said = " ".join((done.stdout + done.stderr).split())
    assert done.returncode != 0 and "make run PORT=" in said and "calmline serve --port" in said, said
    assert not (tmp_path / "calmline.db").exists()  # refused before migrating or making keys


def test_a_worker_answers_the_supervisor_before_it_builds_the_app() -> None:
    """With --workers N, uvicorn's supervisor kills a worker that does not answer its health check
    within 5 s, and a worker answers only once it has unpickled its config (the HTTP protocol
    class) and set up logging (the JSON formatter): on a busy machine, importing the whole app
    there took 8 s and the workers were killed and restarted for ever. Those two modules must not
    import the app (its analyzer, database and routers)."""
    code = ("import sys; import calmline.service.http_protocol, calmline.service.logs; "
            "print(sorted(m for m in sys.modules if m.startswith(('calmline.service.app', "
            "'calmline.service.routers', 'sqlalchemy', 'fastapi.routing'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          check=True)
    assert done.stdout.strip() == "[]", done.stdout
