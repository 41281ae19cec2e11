"""The service keeps BLAS on one thread (engine/blas.py): the engine's products are small, and
waking OpenBLAS's threads for them cost more than the products on a busy machine. Checked in a
fresh interpreter, so nothing another test set up decides the answer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import sys
import threadpoolctl
import numpy  # noqa: F401  (loads the BLAS library)
from calmline.service import create_app
from calmline.settings import Settings

def blas_threads():
    return [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]

print("before", max(blas_threads()))
create_app(Settings(database_url=sys.argv[1]))
print("after", max(blas_threads()))
"""


def test_the_service_runs_blas_on_one_thread(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'blas.db'}"
    done = subprocess.run([sys.executable, "-c", SCRIPT, url], capture_output=True, text=True,
                          timeout=120, env={"OPENBLAS_NUM_THREADS": "2", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    lines = dict(line.split() for line in done.stdout.splitlines())
    assert lines == {"before": "2", "after": "1"}, done.stdout
