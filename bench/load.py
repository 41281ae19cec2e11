"""Load benchmark: `calmline serve` on loopback, N concurrent clients posting customer messages.

    python bench/load.py                      # SQLite and PostgreSQL, 50 clients, 200 msg/s, 2 workers
    python bench/load.py --backend postgresql --workers 2 --rate 200 --messages 4000
    python bench/load.py --backend sqlite --rate 0 --messages 500   # as fast as it goes

For each backend: starts the server as a subprocess on a free port (SQLite file in a temp dir, or
a private schema on PostgreSQL, dropped afterwards), creates a supervisor key with
`calmline users create`, opens `--conversations` cases, and lets `--clients` clients (one
keep-alive connection each) post customer messages round-robin over them (several clients write
to each conversation at once) on a fixed schedule of `--rate` messages per second (open loop:
latency counts from when a message was due), until `--messages` are sent or `--seconds` pass.
Prints the achieved requests/s, p50/p90/p99 latency, the server's CPU per message and the machine's
load average before and after (on a shared machine, compare CPU per message, not latency), then checks
that every message sent is stored exactly once, with seq 1..n, and in each client's sending order."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

import httpx

LAUNCH = "from calmline.cli import serve_cmd; from calmline.cli.app import app; app()"
TEXTS = ["This is RIDICULOUS, order {n} still hasn't arrived and nobody answers!",
         "I was charged twice for my subscription, I want my money back.",
         "Hello, can you tell me where my parcel {n} is?",
         "Third time I'm writing. You people are useless. Refund order {n} NOW."]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-c", LAUNCH, *args], env=env, capture_output=True,
                          text=True, check=True)
    return done.stdout


async def wait_up(base: str, proc: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(1200):  # a busy shared machine takes a while to load the models
            if proc.poll() is not None:
                raise SystemExit(f"server exited with {proc.returncode}")
            try:
                if (await client.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("server did not come up in 120 s")


def cpu_seconds(pid: int) -> float:
    """User+system CPU of the server process and its workers so far (psutil comes with dask)."""
    import psutil

    total = 0.0
    root = psutil.Process(pid)
    for proc in [root, *root.children(recursive=True)]:
        try:
            times = proc.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return total


class Connection:
    """A bare HTTP/1.1 keep-alive connection for the posting phase: httpx costs a millisecond or
    more of CPU per request, which on a small machine is taken from the server being measured."""

    def __init__(self, host: str, port: int, key: str) -> None:
        self.host, self.port, self.key = host, port, key
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: dict[str, object]) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        data = json.dumps(body).encode()
        self.writer.write(f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nAuthorization: Bearer {self.key}"
                          f"\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
                          .encode() + data)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        length = next(int(line.split(":", 1)[1]) for line in lines[1:]
                      if line.lower().startswith("content-length:"))
        return status, await self.reader.readexactly(length)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def drive(base: str, key: str, args: argparse.Namespace, server_pid: int) -> dict[str, object]:
    headers = {"Authorization": f"Bearer {key}"}
    limits = httpx.Limits(max_connections=args.clients + 5)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=60) as client:
        convs = [(await client.post("/v1/conversations", json={})).json()["id"]
                 for _ in range(args.conversations)]
        counter = iter(range(args.messages))
        sent: dict[int, list[tuple[int, str]]] = defaultdict(list)  # conv -> (client, text)
        latencies: list[float] = []
        errors: list[str] = []
        began = time.perf_counter()
        deadline = began + args.seconds

        host, port = base.removeprefix("http://").split(":")
        query = "?suggestions=" + ("true" if args.suggestions else "false")

        async def worker(wid: int) -> None:
            connection = Connection(host, int(port), key)
            try:
                await post_all(wid, connection)
            finally:
                await connection.close()

        async def post_all(wid: int, connection: Connection) -> None:
            for n in counter:
                due = began + n / args.rate if args.rate else time.perf_counter()
                if due > deadline:
                    return
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                conv = convs[n % len(convs)]
                text = f"[{wid}:{n}] " + TEXTS[n % len(TEXTS)].format(n=48000 + n)
                status, answer = await connection.post(f"/v1/conversations/{conv}/messages{query}",
                                                       {"role": "customer", "text": text})
                # from when the message was due, not when it went out: a server that falls behind
                # the schedule is charged for the queueing it causes (no coordinated omission)
                latencies.append(time.perf_counter() - due)
                if status != 201:
                    errors.append(f"{status} {answer[:200]!r}")
                else:
                    sent[conv].append((wid, text))

        load_before = os.getloadavg()[0]  # others' work on the machine skews every figure
        cpu_before, client_before = cpu_seconds(server_pid), time.process_time()
        await asyncio.gather(*(worker(i) for i in range(args.clients)))
        elapsed = time.perf_counter() - began
        server_cpu = cpu_seconds(server_pid) - cpu_before
        client_cpu = time.process_time() - client_before
        problems = await verify(client, sent)
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return 1000 * ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else 0.0

    return {"requests": len(latencies), "errors": len(errors), "seconds": round(elapsed, 2),
            "rps": round(len(latencies) / elapsed, 1), "p50_ms": round(pct(0.50), 1),
            "p90_ms": round(pct(0.90), 1), "p99_ms": round(pct(0.99), 1),
            "mean_ms": round(1000 * statistics.fmean(ordered), 1) if ordered else 0.0,
            "server_cpu_ms_per_msg": round(1000 * server_cpu / max(1, len(latencies)), 2),
            "client_cpu_ms_per_msg": round(1000 * client_cpu / max(1, len(latencies)), 2),
            "load_avg_1m_before": round(load_before, 2), "load_avg_1m": round(os.getloadavg()[0], 2),
            "verify": problems or "ok: every message stored exactly once, in order",
            "first_errors": errors[:3]}


async def verify(client: httpx.AsyncClient, sent: dict[int, list[tuple[int, str]]]) -> list[str]:
    problems = []
    for conv, items in sent.items():
        stored = (await client.get(f"/v1/conversations/{conv}")).json()["messages"]
        texts = [m["text"] for m in stored]
        if [m["seq"] for m in stored] != list(range(1, len(stored) + 1)):
            problems.append(f"conversation {conv}: seq is not 1..n")
        if sorted(texts) != sorted(t for _, t in items) or len(set(texts)) != len(texts):
            problems.append(f"conversation {conv}: {len(texts)} stored vs {len(items)} sent")
        for wid in {w for w, _ in items}:
            mine = [t for w, t in items if w == wid]
            if [t for t in texts if t.startswith(f"[{wid}:")] != mine:
                problems.append(f"conversation {conv}: client {wid}'s messages out of order")
    return problems[:10]


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, object]:
    env = dict(os.environ)
    tmp = tempfile.TemporaryDirectory(prefix="calmline-bench-")
    schema = None
    if backend == "sqlite":
        url = f"sqlite:///{Path(tmp.name) / 'calmline.db'}"
    else:
        import psycopg

        schema = f"bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(args.pg_dsn, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        url = f"{args.pg_url}?options=-csearch_path%3D{schema}"
    env["CALMLINE_DATABASE_URL"] = url
    port = free_port()
    key = cli("users", "create", "bench", "--role", "supervisor", env=env).strip().splitlines()[-1]
    proc = subprocess.Popen([sys.executable, "-c", LAUNCH, "serve", "--port", str(port),
                             "--workers", str(args.workers), "--log-level", "warning"],
                            env=env, cwd=tmp.name, stdout=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        asyncio.run(wait_up(base, proc))
        return {"backend": backend, **asyncio.run(drive(base, key, args, proc.pid))}
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        if schema:
            import psycopg

            with psycopg.connect(args.pg_dsn, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        tmp.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--messages", type=int, default=2000, help="total messages to post")
    parser.add_argument("--conversations", type=int, default=100)
    parser.add_argument("--rate", type=float, default=200,
                        help="messages per second, spread over the clients (0: as fast as they can)")
    parser.add_argument("--seconds", type=float, default=60, help="stop posting after this long")
    parser.add_argument("--workers", type=int, default=2,
                        help="server worker processes (`calmline serve --workers`; one per core)")
    parser.add_argument("--no-suggestions", dest="suggestions", action="store_false",
                        help="ask the server not to compose suggested replies")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    args.pg_dsn = args.pg_url.replace("postgresql+psycopg://", "postgresql://")
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    rate = f"at {args.rate:g} msg/s" if args.rate else "as fast as possible"
    print(f"{args.clients} clients, {args.messages} messages over {args.conversations} conversations "
          f"{rate}, suggestions {'on' if args.suggestions else 'off'}, {args.workers} server worker(s)")
    for backend in backends:
        result = run_backend(backend, args)
        print(" ".join(f"{k}={v}" for k, v in result.items()), flush=True)


if __name__ == "__main__":
    main()
