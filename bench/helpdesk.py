"""Helpdesk intake: a simulated day of Chatwoot and Zendesk events on PostgreSQL (or SQLite).

    python bench/helpdesk.py                                # 500 conversations on PostgreSQL
    python bench/helpdesk.py --conversations 100 --backend sqlite --clients 4

Half the conversations come from Chatwoot (`message_created`, then a resolve now and then) and
half from Zendesk (the trigger's ticket webhook, the solving update repeating the last comment),
2 to 5 messages each, built from the helpdesks' documented payloads (the test fixtures), signed
as each helpdesk signs them. 30% of the events are redelivered and all of them are shuffled, then
`--clients` threads send them to the real app (in process, over ASGI) on a fresh database.

Prints, per helpdesk, events sent, the intake rate and the latency (p50/p95/p99), then checks the
store: every message exactly once and in the order it was written, and the resolved cases closed.
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


def day(conversations: int, seed: int) -> tuple[list[tuple[str, dict[str, Any]]], dict[str, list[str]],
                                                 set[str]]:
    """(events in delivery order, each case's texts in writing order, the cases resolved)."""
    rng = random.Random(seed)
    events: list[tuple[str, dict[str, Any]]] = []
    expected: dict[str, list[str]] = {}
    solved: set[str] = set()
    message = 0
    for n in range(conversations):
        zendesk = n % 2 == 1
        external = f"zendesk:{50000 + n}" if zendesk else f"chatwoot:{ACCOUNT}:{900 + n}"
        expected[external] = []
        event: dict[str, Any] = {}
        for turn in range(rng.randint(2, 5)):
            message += 1
            words = f"conversation {n} line {turn}: my order {70000 + n} is late, I want it fixed"
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
    return events, expected, solved


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
    events, expected, solved = day(args.conversations, args.seed)
    url, cleanup = database(args.backend)
    try:
        app = create_app(Settings(database_url=url, chatwoot_webhook_secret=CW_SECRET,
                                  chatwoot_account_id=ACCOUNT, zendesk_webhook_secret=ZD_SECRET,
                                  max_text_chars=5000))
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
        wrong_order = [e for e, texts in expected.items() if found.get(e, ([], ""))[0] != texts
                       and sorted(found.get(e, ([], ""))[0]) == sorted(texts)]
        lost = sum(len(set(texts) - set(found.get(e, ([], ""))[0])) for e, texts in expected.items())
        twice = sum(len(found.get(e, ([], ""))[0]) - len(set(found.get(e, ([], ""))[0]))
                    for e in expected)
        not_closed = [e for e in solved if found.get(e, ([], ""))[1] != "closed"]
    finally:
        cleanup()
    figures: dict[str, Any] = {"backend": args.backend, "conversations": args.conversations,
                               "events": len(events), "clients": args.clients,
                               "seconds": round(elapsed, 2),
                               "events_per_second": round(len(events) / elapsed, 1),
                               "errors": len(errors), "lost": lost, "stored_twice": twice,
                               "out_of_order": len(wrong_order), "resolved_not_closed": len(not_closed)}
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
    for line in errors[:5]:
        console.print(f"  [red]{line}[/]")
    write_json("helpdesk.json", figures)


if __name__ == "__main__":
    main()
