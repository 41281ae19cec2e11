"""Insights at scale: N messages (default 1,000,000) resampled from the public tweets into threads.

    .venv/bin/python bench/scale.py [--messages N] [--configs 1,2,dask]

Writes the Twitter-layout input with `calmline.insights.sample` (seeded), then times the whole
report (read, thread rebuild, analysis, figures) on 1 process, 2 processes and a Dask
LocalCluster of 2 worker processes. Each run is a child process whose whole process tree
(workers, Dask nanny and workers) is sampled for memory; prints messages/s, wall time and peak
memory, checks that all runs give identical figures, and writes bench/out/scale.json.
Goal: 1M messages in under 10 minutes with peak memory under 2 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import OUT, data_dir  # noqa: E402

GOAL_SECONDS, GOAL_BYTES = 600, 2 * 1024**3


def tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            continue
    return total


def run_child(config: str, source: Path, result: Path) -> dict[str, Any]:
    """Run one configuration in a child process; sample its process tree's memory."""
    cmd = [sys.executable, __file__, "--child", config, "--input", str(source), "--result", str(result)]
    started = time.perf_counter()
    child = psutil.Popen(cmd)
    peak = 0
    while child.poll() is None:
        peak = max(peak, tree_rss(child))
        time.sleep(0.2)
    if child.returncode:
        sys.exit(f"{config}: the run failed (exit {child.returncode})")
    report = json.loads(result.read_text(encoding="utf-8"))
    return {"config": config, "wall_seconds": round(time.perf_counter() - started, 1),
            "report_seconds": report["meta"]["seconds"], "messages": report["import"]["messages"],
            "messages_per_second": report["meta"]["messages_per_second"],
            "peak_memory_mb": round(peak / 2**20),
            "load_average_15min": round(os.getloadavg()[2], 2),
            "figures": {k: v for k, v in report.items() if k != "meta"}}


def child(config: str, source: Path, result: Path) -> None:
    from calmline.insights.run import RunOptions, run_insights

    if config == "dask":
        from distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        with cluster, Client(cluster) as client:
            report = run_insights(RunOptions([source], engine="dask", client=client))
    else:
        report = run_insights(RunOptions([source], workers=int(config)))
    result.write_text(json.dumps(report, default=str), encoding="utf-8")


def summary_line(r: dict[str, Any]) -> str:
    """One printed line per run, with the time 1M messages would take at the measured rate."""
    per_million = r["wall_seconds"] * 1_000_000 / r["messages"]
    ok = per_million < GOAL_SECONDS and r["peak_memory_mb"] * 2**20 < GOAL_BYTES
    return (f"{r['config']:>5}: {r['messages']:,} messages in {r['wall_seconds']} s "
            f"({r['messages_per_second']:,.0f} messages/s in the report), peak memory "
            f"{r['peak_memory_mb']} MB; 1M at this rate: {per_million / 60:.1f} min "
            f"[{'meets' if ok else 'misses'} the goal]; 15-min load average {r['load_average_15min']}")


def main() -> None:
    parser = argparse.ArgumentParser(description="time the insights report at scale")
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--configs", default="1,2,dask", help="comma-separated: 1, 2, dask")
    parser.add_argument("--child"), parser.add_argument("--input"), parser.add_argument("--result")
    args = parser.parse_args()
    if args.child:
        return child(args.child, Path(args.input), Path(args.result))
    from calmline.insights.sample import write_sample

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "scale.csv"
        started = time.perf_counter()
        write_sample(data_dir(), source, args.messages)
        print(f"generated {args.messages:,} messages ({source.stat().st_size / 2**20:.0f} MB) "
              f"in {time.perf_counter() - started:.0f} s")
        runs = [run_child(c, source, Path(tmp) / f"{c}.json") for c in args.configs.split(",")]
    for r in runs:
        print(summary_line(r))
    same = all(r["figures"] == runs[0]["figures"] for r in runs)
    print(f"identical figures across runs: {same}; CPU cores visible: {psutil.cpu_count()}")
    OUT.mkdir(exist_ok=True)
    summary = [{k: v for k, v in r.items() if k != "figures"} for r in runs]
    text = json.dumps({"runs": summary, "identical": same}, indent=2)
    (OUT / "scale.json").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
