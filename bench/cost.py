"""Cost curve: what one review or one message costs as the conversation grows, through the same
engine and coaching adapter the service uses.

    python bench/cost.py                 # the curve and the warm per-message figures
    python bench/cost.py --sizes 10 40   # only these conversation lengths

1. Review of an inline conversation (`POST /v1/reviews` with `conversation`): CPU seconds for
   10, 20, 40, 80 and 500 turns of about 3,800 characters, each on a fresh engine (nothing
   remembered). Only the last 30 turns are read, so the cost stops growing at 30 turns.
2. A live case whose window holds 30 turns of 20,000 characters, then chat-length messages: the
   cost of each new message (`POST .../messages`: analysis of the new turn, stage, next move,
   and suggestions when the customer wrote it) and of a review of a draft after it, with the
   engine warm as in a running server, single-threaded with BLAS on one thread as the server
   runs it (no HTTP, no database). Prints p50/p99 in
   ms (all posts, then customers' and agents' apart), and what posting one
   20,000-character message costs itself (linear in its length).
3. The same case after a restart (or on a worker that did not take its last messages): the next
   post on an engine that remembers nothing, with the readings the case store kept (the service
   hands them to the engine) and without them (every customer turn of the window read again).

Writes bench/out/cost.json and bench/out/cost.svg (the curve).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress

sys.path.insert(0, str(Path(__file__).resolve().parent))

import calmline  # noqa: E402
from calmline.engine.analysis import Analysis  # noqa: E402
from calmline.engine.blas import one_blas_thread  # noqa: E402
from calmline.engine.core import Engine  # noqa: E402
from calmline.insights.svg import hbars  # noqa: E402
from calmline.service import coaching  # noqa: E402
from common import OUT, write_json  # noqa: E402

START = datetime(2026, 11, 2, 9, tzinfo=UTC)
CUSTOMER = ("Order {n} still has not arrived and nobody answers my emails. I was told it would "
            "come last Tuesday, then Friday, and the tracking page says nothing at all. ")
AGENT = ("I'm sorry about order {n}. I have checked with the warehouse and I will call you "
         "tomorrow at 10am with the tracking number and a refund if it is lost. ")


def turn(n: int, chars: int) -> dict[str, Any]:
    role = "customer" if n % 2 == 0 else "agent"
    line = (CUSTOMER if role == "customer" else AGENT).format(n=1000 + n)
    return {"role": role, "text": (line * (chars // len(line) + 1))[:chars],
            "time": START + timedelta(minutes=n)}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def curve(sizes: list[int], progress: Progress) -> dict[int, float]:
    out: dict[int, float] = {}
    task = progress.add_task("review cost by length", total=len(sizes))
    for size in sizes:
        engine = Engine(calmline.default_analyzer())
        turns = [turn(n + size * 1000, 3800) for n in range(size)]
        began = time.process_time()
        coaching.review(engine, "I'm sorry, let me check that for you.", turns)
        out[size] = time.process_time() - began
        progress.advance(task)
    return out


def live(messages: int, progress: Progress) -> dict[str, float]:
    """A case whose window is full of 20,000-character turns, then `messages` chat-length ones
    (the window slides over the long turns): the cost of each post and of a review after it."""
    engine = Engine(calmline.default_analyzer())
    stored: list[dict[str, Any]] = []
    post_ms: list[float] = []
    customer_ms: list[float] = []
    agent_ms: list[float] = []
    review_ms: list[float] = []
    long_ms: list[float] = []
    task = progress.add_task("live case, 20k-character turns in the window",
                             total=coaching.WINDOW + messages)
    for n in range(coaching.WINDOW + messages):
        new = turn(n, 20_000 if n < coaching.WINDOW else 160)
        window = stored[-(coaching.WINDOW - 1):]
        began = time.perf_counter()
        found = coaching.assess(engine, [*window, new], key=1)  # suggestions after a customer's
        posted = (time.perf_counter() - began) * 1000
        kept = (Analysis.from_dict(found.latest.to_dict())  # as the case store keeps it
                if found.latest is not None and new["role"] == "customer" else None)
        stored.append({**new, "anger": found.latest.anger.score if found.latest else None,
                       **({"stored": lambda kept=kept: kept} if kept is not None else {})})
        began = time.perf_counter()
        coaching.review(engine, "I'm sorry, I will call you tomorrow at 10am.",
                        stored[-coaching.WINDOW:], key=1)
        reviewed = (time.perf_counter() - began) * 1000
        if n >= coaching.WINDOW:
            post_ms.append(posted)
            (customer_ms if new["role"] == "customer" else agent_ms).append(posted)
            review_ms.append(reviewed)
        else:
            long_ms.append(posted)
        progress.advance(task)
    after = turn(coaching.WINDOW + messages, 160)
    restart = {}
    for name, window in (("with", stored[-(coaching.WINDOW - 1):]),
                         ("without", [{k: v for k, v in t.items() if k != "stored"}
                                      for t in stored[-(coaching.WINDOW - 1):]])):
        began = time.perf_counter()
        coaching.assess(Engine(engine.analyzer), [*window, after], key=1)
        restart[name] = (time.perf_counter() - began) * 1000
    return {"post_p50_ms": statistics.median(post_ms), "post_p99_ms": percentile(post_ms, 0.99),
            "customer_post_p99_ms": percentile(customer_ms, 0.99),
            "agent_post_p99_ms": percentile(agent_ms, 0.99),
            "restart_post_stored_ms": restart["with"], "restart_post_unstored_ms": restart["without"],
            "review_p50_ms": statistics.median(review_ms),
            "review_p99_ms": percentile(review_ms, 0.99), "messages": len(post_ms),
            "long_post_p50_ms": statistics.median(long_ms)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 20, 40, 80, 500])
    parser.add_argument("--messages", type=int, default=40,
                        help="messages measured once the 30-turn window is full")
    args = parser.parse_args()
    if min(args.sizes) < 1 or args.messages < 1:
        parser.error("sizes and --messages must be positive")
    console = Console()
    one_blas_thread()  # as the service runs (service/app.py, engine/blas.py)
    calmline.default_analyzer()  # model loading is not part of any request
    with Progress(console=console, transient=True) as progress:
        costs = curve(args.sizes, progress)
        steady = live(args.messages, progress)
    console.print("review of an inline conversation (turns of ~3,800 characters), CPU seconds:")
    for size, seconds in costs.items():
        console.print(f"  {size:>4} turns  {seconds:6.2f} s")
    console.print(f"live case, chat-length messages while the 30-turn window holds 20,000-character "
                  f"turns ({steady['messages']} messages): post p50 {steady['post_p50_ms']:.1f} ms, "
                  f"p99 {steady['post_p99_ms']:.1f} ms (a customer's p99 "
                  f"{steady['customer_post_p99_ms']:.1f} ms, with suggestions; an agent's "
                  f"{steady['agent_post_p99_ms']:.1f} ms); review p50 {steady['review_p50_ms']:.1f} ms, "
                  f"p99 {steady['review_p99_ms']:.1f} ms (posting a 20,000-character message "
                  f"itself: p50 {steady['long_post_p50_ms']:.0f} ms)")
    console.print(f"the next post after a restart: {steady['restart_post_stored_ms']:.0f} ms with the "
                  f"readings the case store kept, {steady['restart_post_unstored_ms']:.0f} ms reading "
                  f"the window again")
    write_json("cost.json", {"review_cpu_seconds_by_turns": costs, "live_case": steady})
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "cost.svg").write_text(hbars([(f"{size} turns", seconds, f"{seconds:.2f} s")
                                         for size, seconds in costs.items()]), "utf-8")
    console.print(f"wrote {OUT / 'cost.json'} and {OUT / 'cost.svg'}")


if __name__ == "__main__":
    main()
