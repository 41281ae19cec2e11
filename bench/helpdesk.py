"""Helpdesk intake: a simulated day of Chatwoot and Zendesk events on PostgreSQL (or SQLite).

    python bench/helpdesk.py                                # 500 conversations on PostgreSQL
    python bench/helpdesk.py --conversations 100 --backend sqlite --clients 4

Half the conversations come from Chatwoot (`message_created`, then a resolve now and then) and
half from Zendesk (the trigger's ticket webhook, the solving update repeating the last comment),
2 to 5 messages each, built from the helpdesks' documented payloads (the test fixtures), signed
as each helpdesk signs them. 30% of the events are redelivered and all of them are shuffled, then
`--clients` threads send them to the real app (in process, over ASGI) on a fresh database.

One conversation in ten opens with a legal threat. calmline is connected to a fake Chatwoot and a
fake Zendesk (local HTTP servers answering the documented endpoints, tests/integrations), so its
actions go out as they would: a private or internal note and the `calmline-legal` tag on each of
those conversations, and nothing on the others.

Prints, per helpdesk, events sent, the intake rate and the latency (p50/p95/p99), then checks the
store: every message exactly once and in the order it was written, and the resolved cases closed;
and the helpdesks: one note and the right tag for each escalated conversation, no action elsewhere.
Writes bench/out/helpdesk.json.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from tests.integrations.conftest import CHATWOOT_TOKEN, ZENDESK_EMAIL, ZENDESK_TOKEN  # noqa: E402
from tests.integrations.fake_helpdesk import FakeHelpdesk, fake_chatwoot, fake_zendesk  # noqa: E402
from tests.integrations.intake_helpers import (  # noqa: E402
    ACCOUNT,
    CW_SECRET,
    T0,
    ZD_SECRET,
    cw_conversation,
    cw_message,
    cw_post,
    zd_post,
    zd_ticket,
)

from calmline.cases import agents, db  # noqa: E402
from calmline.service import create_app  # noqa: E402
from calmline.settings import Settings  # noqa: E402
from common import write_json  # noqa: E402

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


THREAT = "I am taking legal action against you over this"
Day = tuple[list[tuple[str, dict[str, Any]]], dict[str, list[str]], set[str], set[str]]


def day(conversations: int, seed: int) -> Day:
    """(events in delivery order, each case's texts in writing order, the cases resolved, the
    cases that open with a legal threat)."""
    rng = random.Random(seed)
    events: list[tuple[str, dict[str, Any]]] = []
    expected: dict[str, list[str]] = {}
    solved: set[str] = set()
    threats: set[str] = set()
    message = 0
    for n in range(conversations):
        zendesk = n % 2 == 1
        external = f"zendesk:{50000 + n}" if zendesk else f"chatwoot:{ACCOUNT}:{900 + n}"
        expected[external] = []
        event: dict[str, Any] = {}
        for turn in range(rng.randint(2, 5)):
            message += 1
            words = f"conversation {n} line {turn}: my order {70000 + n} is late, I want it fixed"
            if turn == 0 and n % 10 == 3:
                words += f". {THREAT}."
                threats.add(external)
            at, agent = T0 + 60 * turn, turn % 2 == 1
            event = (zd_ticket(50000 + n, message, words, at=at, author="555" if agent else "20978392")
                     if zendesk else cw_message(900 + n, message, words, at=at,
                                                kind="outgoing" if agent else "incoming"))
            expected[external].append(words)
            events += [("zendesk" if zendesk else "chatwoot", event)] * (2 if rng.random() < 0.3 else 1)
        if n % 5 < 2:
            solved.add(external)
            events.append(("zendesk", dict(event, ticket=dict(event["ticket"], status="Solved")))
                          if zendesk else ("chatwoot", cw_conversation(
                              "conversation_status_changed", 900 + n, updated_at=T0 + 3600)))
    rng.shuffle(events)
    return events, expected, solved, threats


def helpdesk_actions(chatwoot: FakeHelpdesk, zendesk: FakeHelpdesk) -> dict[str, dict[str, int]]:
    """Per conversation (its external id), the notes and the `calmline-legal` tags it received."""
    found: dict[str, dict[str, int]] = {}

    def count(external: str, what: str) -> None:
        found.setdefault(external, {"notes": 0, "legal_tags": 0, "other": 0})[what] += 1

    for r in chatwoot.requests:
        parts = r.path.split("/")  # /api/v1/accounts/3/conversations/<id>/<what>
        if len(parts) < 7 or r.method != "POST":
            continue
        external = f"chatwoot:{ACCOUNT}:{parts[6]}"
        if parts[-1] == "messages" and (r.body or {}).get("private") is True:
            count(external, "notes")
        elif parts[-1] == "labels" and "calmline-legal" in (r.body or {}).get("labels", ()):
            count(external, "legal_tags")
        elif parts[-1] != "toggle_priority":
            count(external, "other")
    for r in zendesk.requests:
        parts = r.path.split("/")  # /api/v2/tickets/<id>.json or /api/v2/tickets/<id>/tags.json
        if r.method != "PUT" or len(parts) < 5:
            continue
        external = f"zendesk:{parts[4].removesuffix('.json')}"
        if r.path.endswith("/tags.json"):
            count(external, "legal_tags" if "calmline-legal" in (r.body or {}).get("tags", ())
                  else "other")
        elif ((r.body or {}).get("ticket") or {}).get("comment", {}).get("public") is False:
            count(external, "notes")
    return found


def database(backend: str) -> tuple[str, Any]:
    """(url, cleanup) of a fresh, migrated database."""
    if backend == "sqlite":
        folder = tempfile.mkdtemp(prefix="calmline-helpdesk-")
        url = f"sqlite:///{folder}/calmline.db"
        db.upgrade(db.make_engine(url))
        return url, lambda: None
    schema = f"calmline_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    db.upgrade(db.make_engine(url))

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()

    return url, drop


def stored(client: TestClient, key: str) -> dict[str, tuple[list[str], str]]:
    """Each helpdesk case's texts in stored order, and its status."""
    headers = {"Authorization": f"Bearer {key}"}
    out: dict[str, tuple[list[str], str]] = {}
    offset = 0
    while True:
        page = client.get("/v1/conversations", params={"limit": 200, "offset": offset},
                          headers=headers).json()
        for case in page:
            detail = client.get(f"/v1/conversations/{case['id']}", headers=headers).json()
            out[case["external_id"]] = ([m["text"] for m in detail["messages"]], case["status"])
        if len(page) < 200:
            return out
        offset += 200


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=500)
    parser.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--clients", type=int, default=8, help="threads sending at once")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.conversations < 2 or args.clients < 1:
        parser.error("--conversations must be at least 2 and --clients at least 1")
    console = Console()
    events, expected, solved, threats = day(args.conversations, args.seed)
    url, cleanup = database(args.backend)
    chatwoot, zendesk = fake_chatwoot(), fake_zendesk()
    try:
        with chatwoot.running(), zendesk.running():
            figures = run_day(args, console, url, events, expected, solved, threats, chatwoot, zendesk)
    finally:
        cleanup()
    write_json("helpdesk.json", figures)


def run_day(args: argparse.Namespace, console: Console, url: str,
            events: list[tuple[str, dict[str, Any]]], expected: dict[str, list[str]],
            solved: set[str], threats: set[str], chatwoot: FakeHelpdesk, zendesk: FakeHelpdesk
            ) -> dict[str, Any]:
    """Send the day's events to the app, check the store and the helpdesks; the figures."""
    app = create_app(Settings(
        database_url=url, chatwoot_url=chatwoot.url, chatwoot_account_id=ACCOUNT,
        chatwoot_api_token=CHATWOOT_TOKEN, chatwoot_webhook_secret=CW_SECRET,
        zendesk_url=zendesk.url, zendesk_email=ZENDESK_EMAIL, zendesk_api_token=ZENDESK_TOKEN,
        zendesk_webhook_secret=ZD_SECRET, max_text_chars=5000))
    with db.transaction(app.state.calmline.sessions) as session:
        _, key = agents.create_agent(session, name="bench lead", role="supervisor")
    latencies: dict[str, list[float]] = {"chatwoot": [], "zendesk": []}
    errors: list[str] = []
    with TestClient(app) as client, Progress(console=console, transient=True) as progress:
        task = progress.add_task("sending events", total=len(events))

        def send(item: tuple[str, dict[str, Any]]) -> None:
            kind, event = item
            began = time.perf_counter()
            answer = (zd_post if kind == "zendesk" else cw_post)(client, event)
            latencies[kind].append((time.perf_counter() - began) * 1000)
            if answer.status_code >= 300:
                errors.append(f"{kind} {answer.status_code}: {answer.text[:200]}")
            progress.advance(task)

        client.app.state.calmline.engine.analyze("warm up the models")  # type: ignore[attr-defined]
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            list(pool.map(send, events))
        elapsed = time.perf_counter() - started
        found = stored(client, key)
        sink = client.app.state.helpdesk_sink  # type: ignore[attr-defined]
        drained = sink.wait_idle(120)
        failed_actions = len(sink.failures)
    wrong_order = [e for e, texts in expected.items() if found.get(e, ([], ""))[0] != texts
                   and sorted(found.get(e, ([], ""))[0]) == sorted(texts)]
    lost = sum(len(set(texts) - set(found.get(e, ([], ""))[0])) for e, texts in expected.items())
    twice = sum(len(found.get(e, ([], ""))[0]) - len(set(found.get(e, ([], ""))[0]))
                for e in expected)
    not_closed = [e for e in solved if found.get(e, ([], ""))[1] != "closed"]
    acted = helpdesk_actions(chatwoot, zendesk)
    right = [e for e in threats if acted.get(e) == {"notes": 1, "legal_tags": 1, "other": 0}]
    stray = [e for e in acted if e not in threats]
    figures: dict[str, Any] = {"backend": args.backend, "conversations": args.conversations,
                               "events": len(events), "clients": args.clients,
                               "seconds": round(elapsed, 2),
                               "events_per_second": round(len(events) / elapsed, 1),
                               "errors": len(errors), "lost": lost, "stored_twice": twice,
                               "out_of_order": len(wrong_order), "resolved_not_closed": len(not_closed),
                               "escalated": len(threats), "note_and_tag_once": len(right),
                               "actions_elsewhere": len(stray), "actions_failed": failed_actions,
                               "actions_drained": drained}
    for kind, values in latencies.items():
        figures[kind] = {"events": len(values), "p50_ms": round(statistics.median(values), 1),
                         "p95_ms": round(percentile(values, 0.95), 1),
                         "p99_ms": round(percentile(values, 0.99), 1)}
    console.print(f"{len(events)} events for {args.conversations} conversations on {args.backend}, "
                  f"{args.clients} clients: {figures['events_per_second']} events/s")
    for kind in latencies:
        f = figures[kind]
        console.print(f"  {kind}: {f['events']} events, p50 {f['p50_ms']} ms, p95 {f['p95_ms']} ms, "
                      f"p99 {f['p99_ms']} ms")
    console.print(f"  errors {len(errors)}, lost {lost}, stored twice {twice}, out of order "
                  f"{len(wrong_order)}, resolved but open {len(not_closed)}")
    console.print(f"  helpdesk actions: {len(right)} of {len(threats)} legal threats got one note and "
                  f"the calmline-legal tag; {len(stray)} other conversations got an action; "
                  f"{failed_actions} calls failed" + ("" if drained else "; the queue did not drain"))
    for line in errors[:5]:
        console.print(f"  [red]{line}[/]")
    return figures


if __name__ == "__main__":
    main()
