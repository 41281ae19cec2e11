"""Durability (issue 12, goal): a real `calmline serve` killed with SIGKILL under load, restarted,
and every client replaying what it had not seen acknowledged (and some of what it had) with the
same `Idempotency-Key`: every message is stored exactly once, in each client's order.

The figures (requests sent, 5xx, duplicates, losses, acknowledged before the kill) are printed
and recorded as test properties (`--junitxml` keeps them).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from calmline.cases import agents, db
from tests.cases.dbs import BACKENDS, wipe
from tests.service.conftest import migrated
from tests.service.test_serve import _free_port

__all__ = ["migrated"]
CLIENTS, EACH = 4, 25
KILL_AFTER = CLIENTS * EACH // 3  # acknowledged sends before the SIGKILL


class Server:
    """`calmline serve` on one port, in its own process group (so SIGKILL takes all of it)."""

    def __init__(self, url: str, cwd: Path) -> None:
        self.port, self.url, self.cwd = _free_port(), url, cwd
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CALMLINE_")}
        env["CALMLINE_DATABASE_URL"] = self.url
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "calmline.cli.main", "serve", "--port", str(self.port),
             "--log-level", "warning"], cwd=self.cwd, env=env, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            assert self.proc.poll() is None and time.monotonic() < deadline, "server did not come up"
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)

    def kill(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=20)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.kill()


@dataclass
class Figures:
    sent: int = 0
    errors_5xx: int = 0
    transport_errors: int = 0
    replays: int = 0
    acked: dict[str, int] = field(default_factory=dict)  # key -> message id acknowledged
    lock: threading.Lock = field(default_factory=threading.Lock)


def _send(server: Server, client: httpx.Client, figures: Figures, up: threading.Event,
          url: str, key: str, text: str) -> dict[str, Any]:
    """Send until acknowledged, waiting out the server's death and restart."""
    for _ in range(400):
        up.wait(60)
        with figures.lock:
            figures.sent += 1
        try:
            response = client.post(url, json={"role": "agent", "text": text},
                                   headers={"Idempotency-Key": key})
        except httpx.TransportError:
            with figures.lock:
                figures.transport_errors += 1
            time.sleep(0.05)
            continue
        if response.status_code >= 500:
            with figures.lock:
                figures.errors_5xx += 1
            time.sleep(0.05)
            continue
        assert response.status_code == 201, response.text
        answer: dict[str, Any] = response.json()
        with figures.lock:
            figures.replays += response.headers.get("Idempotent-Replayed") == "true"
        return answer
    raise AssertionError(f"{key} was never acknowledged")


def _client(server: Server, token: str, conv: int, n: int, figures: Figures,
            up: threading.Event) -> None:
    url = f"{server.base}/v1/conversations/{conv}/messages?suggestions=false"
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        for i in range(EACH):
            key = f"client-{n}-msg-{i}"
            answer = _send(server, client, figures, up, url, key, f"client {n} update {i}")
            with figures.lock:
                figures.acked[key] = answer["id"]
        for i in range(0, EACH, 5):  # some acknowledged sends, replayed as a cautious client would
            key = f"client-{n}-msg-{i}"
            again = _send(server, client, figures, up, url, key, f"client {n} update {i}")
            assert again["id"] == figures.acked[key]


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, migrated: dict[str, tuple[str, Engine]]
             ) -> Iterator[tuple[str, Engine]]:
    url, engine = migrated[request.param]
    yield url, engine
    wipe(engine)


def test_kill_9_under_load_then_replay_stores_every_message_once(
        database: tuple[str, Engine], tmp_path: Path, record_property: Any) -> None:
    url, engine = database
    with db.transaction(db.session_factory(engine)) as session:
        agents.create_agent(session, name="admin", role="admin")
        supervisor, token = agents.create_agent(session, name="lead", role="supervisor")
    server = Server(url, tmp_path)
    server.start()
    up, figures = threading.Event(), Figures()
    up.set()
    try:
        auth = {"Authorization": f"Bearer {token}"}
        convs = [httpx.post(f"{server.base}/v1/conversations", json={"agent_id": supervisor.id},
                            headers=auth).json()["id"] for _ in range(CLIENTS)]
        threads = [threading.Thread(target=_client, args=(server, token, conv, n, figures, up))
                   for n, conv in enumerate(convs)]
        for thread in threads:
            thread.start()
        while len(figures.acked) < KILL_AFTER and any(t.is_alive() for t in threads):
            time.sleep(0.01)
        acked_before_kill = len(figures.acked)
        up.clear()
        server.kill()
        server.start()
        up.set()
        for thread in threads:
            thread.join(timeout=120)
        stored = {conv: [m["text"] for m in httpx.get(f"{server.base}/v1/conversations/{conv}",
                                                      headers=auth).json()["messages"]]
                  for conv in convs}
    finally:
        up.set()
        server.stop()
    expected = {conv: [f"client {n} update {i}" for i in range(EACH)] for n, conv in enumerate(convs)}
    duplicates = sum(len(texts) - len(set(texts)) for texts in stored.values())
    losses = sum(len(set(expected[conv]) - set(texts)) for conv, texts in stored.items())
    result = {"backend": engine.dialect.name, "requests_sent": figures.sent,
              "errors_5xx": figures.errors_5xx, "transport_errors": figures.transport_errors,
              "replays": figures.replays, "acked_before_kill": acked_before_kill,
              "duplicates": duplicates, "losses": losses}
    print(f"\ndurability: {result}")
    for name, value in result.items():
        record_property(name, value)
    assert 0 < acked_before_kill < CLIENTS * EACH  # the kill came mid-run
    assert len(figures.acked) == CLIENTS * EACH
    assert duplicates == 0 and losses == 0 and figures.errors_5xx == 0
    assert stored == expected  # exactly once, in each client's order
    assert figures.replays >= CLIENTS * len(range(0, EACH, 5))
