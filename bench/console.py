"""How fast the console feels: page load times and the live draft review, in a real browser.

    .venv/bin/python bench/console.py [--loads N] [--chars N] [--delay MS]

Starts `calmline serve` on a fresh SQLite file, loads the demo data, and drives Debian's Chromium
(/usr/bin/chromium, headless) through Playwright. Page load: milliseconds from navigation start
until the page shows its data (the `calmline-ready` performance mark), median and p90 over N loads
of each page. Draft review: the agent types a reply at a steady pace into the "just arrived" demo
conversation; for each review, the request time and the time from the last keystroke to the
checklist being updated (including the debounce). Writes bench/out/console.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

CHROMIUM = os.environ.get("CALMLINE_CHROMIUM", "/usr/bin/chromium")
DRAFT = ("I'm really sorry about the wait and the transfers, and thank you for your patience. "
         "Just to confirm, your $89 refund for order KD-20931 has not arrived. I will chase it "
         "with billing now and email you by 5pm today.")


def serve(workdir: Path) -> tuple[subprocess.Popen[str], str, str]:
    """`calmline serve` on a free port; returns it, its URL and the admin key from the file it
    names."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    exe = Path(sys.executable).with_name("calmline")
    env = {**os.environ, "CALMLINE_DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}"}
    process = subprocess.Popen([str(exe), "serve", "--port", str(port), "--log-level", "warning"],
                               cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    url, key = f"http://127.0.0.1:{port}", None
    assert process.stdout is not None
    for line in process.stdout:  # where the key is is printed before uvicorn starts
        found = re.search(r"admin key file: (\S+)", line)  # the key itself never is (a log keeps it)
        if found:
            key = Path(found.group(1)).read_text("utf-8").strip()
            break
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    if key is None:
        raise SystemExit("calmline serve named no admin key file")
    return process, url, key


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"n": len(ordered), "median": round(statistics.median(ordered), 1),
            "p90": round(ordered[int(0.9 * (len(ordered) - 1))], 1), "max": round(ordered[-1], 1)}


def measure(url: str, admin: str, loads: int, chars: int, delay: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    demo = httpx.post(f"{url}/console/api/demo", headers={"Authorization": f"Bearer {admin}"},
                      timeout=120).json()
    keys = {u["role"]: u["key"] for u in demo["users"]}
    ids = demo["conversations"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        results: dict[str, Any] = {"page_ready_ms": {}}
        pages = {"conversations": "/console/", "queue": "/console/queue",
                 "followups": "/console/followups?status=open", "insights": "/console/insights",
                 "conversation": f"/console/conversations/{ids[3]}", "sign-in": "/console/signin"}
        context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=url)
        context.add_init_script(f"localStorage.setItem('calmline.key', {json.dumps(keys['supervisor'])})")
        page = context.new_page()
        for name, path in pages.items():  # as the supervisor, who sees every page
            times = []
            for _ in range(loads):
                page.goto(path)
                page.wait_for_selector("body[data-ready]")
                times.append(page.evaluate("performance.getEntriesByName('calmline-ready')[0].startTime"))
            results["page_ready_ms"][name] = summary(times)
        context.close()
        context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=url)
        agent = next(u["key"] for u in demo["users"] if u["name"].startswith("Alex"))
        context.add_init_script(f"localStorage.setItem('calmline.key', {json.dumps(agent)})")
        page = context.new_page()
        page.goto(f"/console/conversations/{ids[4]}")
        page.wait_for_selector("body[data-ready]")
        page.click("#draft")
        page.keyboard.type(DRAFT[:chars], delay=delay)
        page.wait_for_timeout(300)
        reviews = page.evaluate("window.calmlineMetrics.reviews")
        results["draft_review"] = {
            "typing_delay_ms": delay, "chars": min(chars, len(DRAFT)),
            "request_ms": summary([r["request_ms"] for r in reviews]),
            "keystroke_to_checklist_ms": summary([r["since_input_ms"] for r in reviews])}
        browser.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loads", type=int, default=10, help="loads of each page")
    parser.add_argument("--chars", type=int, default=len(DRAFT), help="characters of the draft to type")
    parser.add_argument("--delay", type=int, default=120, help="milliseconds between keystrokes")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"no Chromium at {CHROMIUM}: apt-get install chromium")
    with tempfile.TemporaryDirectory() as tmp:
        process, url, admin = serve(Path(tmp))
        try:
            results = measure(url, admin, args.loads, args.chars, args.delay)
        finally:
            process.terminate()
            process.wait(timeout=10)
    print(json.dumps(results, indent=2))
    out = Path(__file__).with_name("out")
    out.mkdir(exist_ok=True)
    (out / "console.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
