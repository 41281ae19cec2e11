"""Browser tests: a real `calmline serve` on a free port with its own SQLite file, driven by
Debian's Chromium through Playwright (never a downloaded browser).

Every page a test opens is watched: a console error or an uncaught exception fails the test.
Screenshots go to test-artifacts/console/ (gitignored) for a human to look at.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

CHROMIUM = os.environ.get("CALMLINE_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"

if TYPE_CHECKING:
    from playwright import sync_api


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    url: str
    database_url: str
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)

    def admin_key(self, wait: float = 5.0) -> str | None:
        """The first admin's key, from the file whose path `calmline serve` printed on the empty
        store (it never prints the key itself)."""
        deadline = time.monotonic() + wait
        while True:
            for line in list(self.output):
                found = re.search(r"admin key file: (\S+)", line)
                if found:
                    return Path(found.group(1)).read_text("utf-8").strip()
            if time.monotonic() > deadline:
                return None
            time.sleep(0.1)


def start_server(workdir: Path) -> Iterator[Server]:
    """`calmline serve` on a fresh SQLite file, as `make run` starts it (first start included)."""
    port = free_port()
    database_url = f"sqlite:///{workdir / 'console.db'}"
    env = {**os.environ, "CALMLINE_DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"}
    exe = Path(sys.executable).with_name("calmline")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "calmline.cli.main"]
    process = subprocess.Popen([*command, "serve", "--port", str(port), "--log-level", "warning"],
                               cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    server = Server(f"http://127.0.0.1:{port}", database_url, process)

    def drain() -> None:  # keep the pipe empty (a full pipe would block the server) and keep the lines
        for line in process.stdout or ():
            server.output.append(line.rstrip("\n"))

    threading.Thread(target=drain, daemon=True).start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{server.url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            time.sleep(0.2)
            raise RuntimeError("calmline serve exited:\n" + "\n".join(server.output))
        time.sleep(0.2)
    else:
        process.kill()
        raise RuntimeError("calmline serve did not come up in 60 s")
    yield server
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from start_server(tmp_path_factory.mktemp("console"))


@pytest.fixture(scope="package")  # closed after the console tests: a live sync Playwright keeps an
def browser() -> Iterator[sync_api.Browser]:  # event loop running that later tests' own loops trip on
    playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
    if not Path(CHROMIUM).exists():  # `make test` installs it with apt-get first
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """The screenshot folder, emptied once per run: under pytest-xdist the first worker to get here
    empties it (a lock and the run's id in a marker file), so no worker deletes another's shots."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run is None:
        shutil.rmtree(ARTIFACTS, ignore_errors=True)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        return ARTIFACTS
    ARTIFACTS.parent.mkdir(parents=True, exist_ok=True)
    marker = ARTIFACTS.parent / ".console-run"
    with (ARTIFACTS.parent / ".console-lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.exists() or marker.read_text() != run:
            shutil.rmtree(ARTIFACTS, ignore_errors=True)
            marker.write_text(run)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


class Watched:
    """A browser context at 1280×800 whose pages fail the test on any console error."""

    def __init__(self, browser: sync_api.Browser, base: str, artifacts: Path) -> None:
        self.browser, self.base = browser, base
        self.contexts: list[sync_api.BrowserContext] = []
        self.errors: list[str] = []
        self.artifacts = artifacts

    def page(self, new_context: bool = False) -> sync_api.Page:
        """A watched page; `new_context` gives it its own storage (another signed-in user)."""
        if new_context or not self.contexts:
            self.contexts.append(self.browser.new_context(viewport={"width": 1280, "height": 800},
                                                          base_url=self.base))
        page = self.contexts[-1].new_page()
        page.on("console", lambda m: self.errors.append(f"console {m.type}: {m.text} ({page.url})")
                if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e} ({page.url})"))
        return page

    def shot(self, page: sync_api.Page, name: str, full: bool = False) -> None:
        page.screenshot(path=str(self.artifacts / f"{name}.png"), full_page=full)


@pytest.fixture
def watched(browser: sync_api.Browser, server: Server, artifacts: Path) -> Iterator[Watched]:
    session = Watched(browser, server.url, artifacts)
    yield session
    for context in session.contexts:
        context.close()
    assert session.errors == [], "\n".join(session.errors)


def sign_in(page: sync_api.Page, key: str) -> None:
    page.goto("/console/signin")
    page.fill("#key", key)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/console/(\?.*)?$"))



def post_json(server: Server, key: str, path: str, body: dict[str, object]) -> dict[str, object]:
    """POST to the running server's API as `key`; the created object (asserts 201)."""
    response = httpx.post(f"{server.url}{path}", json=body, headers={"Authorization": f"Bearer {key}"},
                          timeout=30)
    assert response.status_code == 201, response.text
    data: dict[str, object] = response.json()
    return data
