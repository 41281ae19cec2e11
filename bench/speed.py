"""Speed of the full `analyze` on one core, next to VADER on the same texts in the same run.

    .venv/bin/python bench/speed.py [--passes N] [--limit N] [--playbook PATH] [--fast-path]

Texts: GoEmotions dev ($CALMLINE_DATA_DIR/goemotions/dev.tsv). Reports analyzer build (load)
time, messages/s one by one (and through a batch API if calmline has one), p50/p90/p99/max
latency of single calls (time.perf_counter_ns around each call, after a warm-up), VADER's
messages/s and the ratio, and peak RSS after loading and after the run. Then the reply coach, on
one Engine built once and warmed up, as the service holds it (with an analyzer of its own, whose
encoder has not read the texts above): `review` latency of labelled agent replies
(tests/data/agent_replies.jsonl) as the next turn of a 12-turn chat, cold and warm. Cold: each
draft against a conversation of its own that the engine and its encoder never read (the bundled
demo chat's roles, agent turns and times, its 8 customer turns replaced by team support messages,
data/support train and dev, no emails, each used once): what the first review of an inline
conversation (POST /v1/reviews with the turns in the body) pays. Warm: every draft against the
demo chat, already read (the console reviewing a draft as the agent types); each with its CPU
time beside the wall clock, which on a shared machine also counts other processes' turns. The
process is pinned to one CPU and BLAS to one thread, as the service runs it (engine/blas.py).
Writes bench/out/speed-*.json.

`--fast-path` measures the analyzer batch runs use: lexicon and linear models, semantic tier off
(`Analyzer(playbook, encoder=None)`); without it the analyzer loads the semantic tier when it can.
`--texts support` measures on the team's support messages (data/support: chat, email, call and
social, up to about 1,900 characters) instead of GoEmotions' short comments.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import calmline
from calmline.engine.blas import one_blas_thread
from calmline.evaluation.datasets import load_goemotions
from common import choose_playbook, data_dir, write_json

GOAL_P99_MS = 5.0  # the fast path
GOAL_SEMANTIC_P99_MS = 20.0  # with the semantic tier, per customer message on one core
GOAL_RATE = 10_000.0  # the fast path
GOAL_REVIEW_P99_MS = 10.0
REPO = Path(__file__).resolve().parent.parent
WARMUP = 300


def pin_one_core() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity)"
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)  # bytes on macOS, KiB on Linux


def current_rss_mib() -> float | None:
    """Resident set size now (Linux /proc), as peak RSS never goes down."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def rate(call: Callable[[str], Any], texts: Sequence[str], passes: int) -> float:
    """Messages per second calling `call` on each text, one by one, `passes` times."""
    start = time.perf_counter()
    for _ in range(passes):
        for text in texts:
            call(text)
    return passes * len(texts) / (time.perf_counter() - start)


def summary_ms(samples: list[int]) -> dict[str, float]:
    """p50/p90/p99/max/mean in ms of samples in ns."""
    samples = sorted(samples)

    def pct(q: float) -> float:
        return samples[min(len(samples) - 1, int(q * len(samples)))] / 1e6

    return {"p50": pct(0.50), "p90": pct(0.90), "p99": pct(0.99), "max": samples[-1] / 1e6,
            "mean": sum(samples) / len(samples) / 1e6}


def timed_ns(call: Callable[[Any], Any], texts: Sequence[Any]) -> tuple[list[int], list[int]]:
    """Wall-clock (time.perf_counter_ns) and CPU (time.process_time_ns) of each call: on a
    shared machine the wall clock also counts the time other processes held the core."""
    wall: list[int] = []
    cpu: list[int] = []
    for text in texts:
        start, start_cpu = time.perf_counter_ns(), time.process_time_ns()
        call(text)
        cpu.append(time.process_time_ns() - start_cpu)
        wall.append(time.perf_counter_ns() - start)
    return wall, cpu


def latencies_ms(call: Callable[[str], Any], texts: Sequence[str]) -> dict[str, float]:
    return summary_ms(timed_ns(call, texts)[0])


def batch_rate(analyzer: calmline.Analyzer, texts: Sequence[str], passes: int) -> float | None:
    batch = getattr(analyzer, "analyze_many", None) or getattr(calmline, "analyze_many", None)
    if batch is None:
        return None
    start = time.perf_counter()
    for _ in range(passes):
        list(batch(texts))
    return passes * len(texts) / (time.perf_counter() - start)


def demo_chat() -> list[Any]:
    """The bundled demo chat as 12 turns (it has 11: one more customer question)."""
    from calmline.conversation import read_conversation
    from calmline.signals.base import Turn

    turns = read_conversation(REPO / "src" / "calmline" / "demo" / "angry_chat.json").turns()[:12]
    while len(turns) < 12:
        turns.append(Turn("customer", "And the refund, when exactly will I see it?", None))
    return turns


def unread_chats(shape: Sequence[Any]) -> list[list[Any]]:
    """Conversations of the demo chat's shape (its roles, agent turns and times) whose customer
    turns are the team's support messages (data/support, train and dev rows, chat, call and
    social: emails are not chat turns), each message used once: conversations an engine never
    read, with sentences its encoder has not embedded (bar the odd "Hi" two messages share).
    In a fixed shuffled order, so each conversation mixes writers and channels."""
    import random

    from calmline.evaluation.team_sets import load_team_rows
    from calmline.signals.base import Turn

    texts = [row.text for row in load_team_rows(REPO / "data" / "support")
             if row.split in ("train", "dev") and row.channel != "email"]
    random.Random(12).shuffle(texts)
    slots = [i for i, turn in enumerate(shape) if turn.role == "customer"]
    chats = []
    for start in range(0, len(texts) - len(slots) + 1, len(slots)):
        chat = list(shape)
        for slot, text in zip(slots, texts[start:start + len(slots)], strict=True):
            chat[slot] = Turn("customer", text, shape[slot].time)
        chats.append(chat)
    return chats


def review_latencies(analyzer: calmline.Analyzer) -> dict[str, Any]:
    """p50/p99 of `review` for labelled drafts against 12-turn conversations, on one engine.

    `analyzer` should be fresh: one whose encoder has not read the support messages already.
    The engine is built once and warmed on the demo chat, as a server holds it. Cold: each draft
    is reviewed as the next reply to a conversation of its own that neither the engine nor the
    encoder has read (what the first review of an inline conversation pays). Warm: every draft
    against the demo chat, already read (the console re-reviewing as the agent types)."""
    import json

    from calmline.engine.core import Engine

    turns = demo_chat()
    lines = (REPO / "tests" / "data" / "agent_replies.jsonl").read_text("utf-8").splitlines()
    drafts = [json.loads(line)["text"] for line in lines if line.strip()]
    chats = unread_chats(turns)
    engine = Engine(analyzer)  # what a server holds: built once, it remembers what it read
    for draft in drafts[:20]:
        engine.review(draft, turns)
    cold_wall, cold_cpu = timed_ns(lambda pair: engine.review(*pair),
                                   list(zip(drafts, chats, strict=False)))
    warm_wall, warm_cpu = timed_ns(lambda d: engine.review(d, turns), drafts)
    return {"turns": len(turns), "drafts": len(drafts), "cold_chats": len(cold_wall),
            "cold_customer_turns": sum(t.role == "customer" for t in turns),
            "cold_ms": summary_ms(cold_wall), "cold_cpu_ms": summary_ms(cold_cpu),
            "warm_ms": summary_ms(warm_wall), "warm_cpu_ms": summary_ms(warm_cpu)}


def vader_rate(texts: Sequence[str], passes: int) -> float:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()
    for text in texts[:WARMUP]:
        vader.polarity_scores(text)
    return rate(vader.polarity_scores, texts, passes)


def measure(texts: list[str], playbook: Any, passes: int, fast_path: bool = False
            ) -> dict[str, Any]:
    rss_start = current_rss_mib()
    start = time.perf_counter()
    loaded = calmline.load_playbook(playbook)
    analyzer = (calmline.Analyzer(loaded, encoder=None) if fast_path
                else calmline.Analyzer(loaded))
    load_s = time.perf_counter() - start
    peak_loaded = peak_rss_mib()
    rss_loaded = current_rss_mib()
    for text in texts[:WARMUP]:
        analyzer.analyze(text)
    one_by_one = rate(analyzer.analyze, texts, passes)
    latency = latencies_ms(analyzer.analyze, texts)
    batch = batch_rate(analyzer, texts, passes)
    rss_run = current_rss_mib()
    peak_run = peak_rss_mib()
    vader = vader_rate(texts, passes)
    # a second analyzer of the same kind for the reviews: this one's encoder has read the texts
    # above (with --texts support, the very messages the cold conversations are made of)
    reviews = review_latencies(calmline.Analyzer(loaded, encoder=None) if fast_path
                               else calmline.Analyzer(loaded))
    return {"review": reviews, "load_s": load_s, "rss_before_load_mib": rss_start,
            "rss_after_load_mib": rss_loaded,
            "peak_rss_after_load_mib": peak_loaded, "rss_after_run_mib": rss_run,
            "peak_rss_after_run_mib": peak_run, "rate_one_by_one": one_by_one, "rate_batch": batch,
            "latency_ms": latency, "vader_rate": vader, "ratio_vs_vader": one_by_one / vader}


def mib(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def report(result: dict[str, Any]) -> None:
    lat = result["latency_ms"]
    batch = result["rate_batch"]
    rv = result["review"]
    cold, warm = rv["cold_ms"], rv["warm_ms"]
    lines = [
        f"measured:          {result['measured']} ({result['cpu']}, Python {result['python']})",
        f"texts:             {result['n']:,} {result['texts']} messages x {result['passes']} pass(es)",
        f"analyzer load:     {result['load_s'] * 1000:,.0f} ms",
        f"analyze, 1 by 1:   {result['rate_one_by_one']:,.0f} msgs/s",
        "analyze, batch:    " + (f"{batch:,.0f} msgs/s" if batch else
                                 "n/a (calmline has no batch API yet; one-by-one only)"),
        f"latency (ms):      p50 {lat['p50']:.3f}  p90 {lat['p90']:.3f}  p99 {lat['p99']:.3f}"
        f"  max {lat['max']:.3f}  mean {lat['mean']:.3f}",
        f"VADER, 1 by 1:     {result['vader_rate']:,.0f} msgs/s  "
        f"(calmline/VADER = {result['ratio_vs_vader']:.2f}x)",
        f"peak RSS (MiB):    after load {result['peak_rss_after_load_mib']:.1f}, "
        f"after run {result['peak_rss_after_run_mib']:.1f}",
        f"RSS now (MiB):     before load {mib(result['rss_before_load_mib'])}, after load "
        f"{mib(result['rss_after_load_mib'])}, after run {mib(result['rss_after_run_mib'])}",
        f"review (ms), {rv['turns']}-turn chat, cold ({rv['cold_chats']} unread chats): p50"
        f" {cold['p50']:.2f} p90 {cold['p90']:.2f} p99 {cold['p99']:.2f} max {cold['max']:.2f}"
        f" (CPU p50 {rv['cold_cpu_ms']['p50']:.2f} p99 {rv['cold_cpu_ms']['p99']:.2f})",
        f"review (ms), warm ({rv['drafts']} drafts, the demo chat read): p50 {warm['p50']:.2f}"
        f" p99 {warm['p99']:.2f} max {warm['max']:.2f} (CPU p50 {rv['warm_cpu_ms']['p50']:.2f}"
        f" p99 {rv['warm_cpu_ms']['p99']:.2f})",
        f"goal p99 <= {result['goal_p99_ms']} ms:   {'met' if result['goal_p99_met'] else 'NOT met'}",
        f"goal review p99 <= {GOAL_REVIEW_P99_MS} ms (cold): "
        f"{'met' if cold['p99'] <= GOAL_REVIEW_P99_MS else 'NOT met'}",
    ]
    if result["goal_rate_met"] is not None:
        lines.append(f"goal >= {GOAL_RATE:,.0f} msgs/s: {'met' if result['goal_rate_met'] else 'NOT met'}")
    print("\n".join(lines))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=1, help="passes over the texts")
    parser.add_argument("--limit", type=int, default=None, help="first N texts only")
    parser.add_argument("--playbook", default=None, help="playbook YAML (default: shipped)")
    parser.add_argument("--fast-path", action="store_true",
                        help="semantic tier off: lexicon and linear models only (batch runs)")
    parser.add_argument("--texts", choices=("goemotions", "support"), default="goemotions",
                        help="GoEmotions dev comments, or the team's support messages")
    args = parser.parse_args(argv)
    cpu = pin_one_core()
    one_blas_thread()  # as the service runs (service/app.py, engine/blas.py)
    if args.texts == "support":
        from calmline.evaluation.team_sets import load_team_rows

        texts = [row.text for row in load_team_rows(REPO / "data" / "support")]
    else:
        texts = [row.text for row in load_goemotions(data_dir() / "goemotions" / "dev.tsv")]
    texts = texts[: args.limit] if args.limit else texts
    playbook, label = choose_playbook(args.playbook)
    if args.fast_path:
        label += ", fast path (semantic tier off)"
    result: dict[str, Any] = {"measured": label, "cpu": cpu, "python": platform.python_version(),
                              "machine": platform.machine(), "n": len(texts),
                              "passes": args.passes}
    result["fast_path"] = args.fast_path
    result.update(measure(texts, playbook, args.passes, args.fast_path))
    result["texts"] = args.texts
    result["goal_p99_ms"] = GOAL_P99_MS if args.fast_path else GOAL_SEMANTIC_P99_MS
    result["goal_p99_met"] = result["latency_ms"]["p99"] <= result["goal_p99_ms"]
    result["goal_rate_met"] = result["rate_one_by_one"] >= GOAL_RATE if args.fast_path else None
    report(result)
    name = f"speed-{'fast-path' if args.fast_path else 'semantic'}-{args.texts}.json"
    print(f"wrote {write_json(name, result)}")


if __name__ == "__main__":
    main()
