"""bench/load.py keeps working: a tiny run against a real `calmline serve` on SQLite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parents[2] / "bench" / "load.py"


def test_load_bench_small_run_stores_every_message_once_in_order() -> None:
    done = subprocess.run([sys.executable, str(BENCH), "--backend", "sqlite", "--clients", "5",
                           "--messages", "40", "--conversations", "4", "--rate", "0", "--workers", "1"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    result = done.stdout.strip().splitlines()[-1]
    assert "backend=sqlite requests=40 errors=0" in result, result
    assert "verify=ok: every message stored exactly once, in order" in result, result
