"""`calmline serve` for real: zero config (SQLite file in the working directory), migrations on
start, a first admin key printed once, and an API that answers on the port."""

from __future__ import annotations

import os
import socket
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
def running(cwd: Path, printed: list[str]) -> Iterator[str]:
    """`calmline serve` in `cwd` with no CALMLINE_* settings; yields its base URL once it answers.
    What it printed is appended to `printed` when it has stopped."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALMLINE_")}
    proc = subprocess.Popen([sys.executable, "-m", "calmline.cli.main", "serve", "--port", str(port),
                             "--log-level", "warning"], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
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


def test_serve_zero_config_prints_the_first_admin_key_once(tmp_path: Path) -> None:
    printed: list[str] = []
    with running(tmp_path, printed) as base:
        assert httpx.get(f"{base}/healthz").json() == {"status": "ok", "database": "ok"}
    keys = [line.split("admin key:", 1)[1].strip() for line in printed[0].splitlines()
            if "admin key:" in line]
    assert len(keys) == 1 and keys[0].startswith("cl_"), printed[0]
    assert (tmp_path / "calmline.db").exists()
    with running(tmp_path, printed) as base:
        auth = {"Authorization": f"Bearer {keys[0]}"}
        made = httpx.post(f"{base}/v1/users", json={"name": "ana", "role": "agent"}, headers=auth)
        assert made.status_code == 201, made.text
        assert httpx.get(f"{base}/v1/supervisor/queue", headers=auth).status_code == 200
        assert httpx.get(f"{base}/v1/supervisor/queue").status_code == 401
    assert "admin key:" not in printed[1], printed[1]  # shown once: a restart prints no new key
