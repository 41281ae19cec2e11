"""Speed of the full `analyze` on one core, next to VADER on the same texts in the same run.

    .venv/bin/python bench/speed.py [--passes N] [--limit N] [--playbook PATH] [--fast-path]

Texts: GoEmotions dev ($CALMLINE_DATA_DIR/goemotions/dev.tsv). Reports analyzer build (load)
time, messages/s one by one (and through a batch API if calmline has one), p50/p90/p99/max
latency of single calls (time.perf_counter_ns around each call, after a warm-up), VADER's
messages/s and the ratio, and peak RSS after loading and after the run. Then the reply coach:
`review` latency of each labelled agent reply (tests/data/agent_replies.jsonl) as the next turn
of the bundled 12-turn demo chat, cold (the conversation read afresh for every draft: the first
review of a conversation) and warm (the conversation already read: the console reviewing a draft
as the agent types). The process is pinned to one CPU. Writes bench/out/speed.json.

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


def latencies_ms(call: Callable[[str], Any], texts: Sequence[str]) -> dict[str, float]:
    timer = time.perf_counter_ns
    samples: list[int] = []
    for text in texts:
        start = timer()
        call(text)
        samples.append(timer() - start)
    samples.sort()

    def pct(q: float) -> float:
        return samples[min(len(samples) - 1, int(q * len(samples)))] / 1e6

    return {"p50": pct(0.50), "p90": pct(0.90), "p99": pct(0.99), "max": samples[-1] / 1e6,
            "mean": sum(samples) / len(samples) / 1e6}


def batch_rate(analyzer: calmline.Analyzer, texts: Sequence[str], passes: int) -> float | None:
    batch = getattr(analyzer, "analyze_many", None) or getattr(calmline, "analyze_many", None)
    if batch is None:
        return None
    start = time.perf_counter()
    for _ in range(passes):
        list(batch(texts))
    return passes * len(texts) / (time.perf_counter() - start)


def review_latencies(analyzer: calmline.Analyzer) -> dict[str, Any]:
    """p50/p99 of `review` for every labelled draft against a 12-turn conversation."""
    import json

    from calmline.conversation import read_conversation
    from calmline.engine.core import Engine
    from calmline.signals.base import Turn

    turns = read_conversation(REPO / "src" / "calmline" / "demo" / "angry_chat.json").turns()[:12]
    while len(turns) < 12:  # the demo chat has 11 turns: one more customer question
        turns.append(Turn("customer", "And the refund, when exactly will I see it?", None))
    lines = (REPO / "tests" / "data" / "agent_replies.jsonl").read_text("utf-8").splitlines()
    drafts = [json.loads(line)["text"] for line in lines if line.strip()]
    engine = Engine(analyzer)  # what a server holds: it remembers the conversation between drafts
    for draft in drafts[:20]:
        engine.review(draft, turns)

    def cold(draft: str) -> Any:
        return Engine(analyzer).review(draft, turns)  # a fresh engine: the first review of a case

    return {"turns": len(turns), "drafts": len(drafts),
            "cold_ms": latencies_ms(cold, drafts),
            "warm_ms": latencies_ms(lambda d: engine.review(d, turns), drafts)}


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
    reviews = review_latencies(analyzer)
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
        f"review (ms), {rv['turns']}-turn chat, {rv['drafts']} drafts: cold p50 {cold['p50']:.2f}"
        f" p99 {cold['p99']:.2f} max {cold['max']:.2f}; warm p50 {warm['p50']:.2f}"
        f" p99 {warm['p99']:.2f} max {warm['max']:.2f}",
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
