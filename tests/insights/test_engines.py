"""The local engine (one and two processes) and Dask give exactly the same figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from calmline.errors import InputError
from calmline.insights.run import RunOptions, run_insights

from .conftest import CONVERSATIONS


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """24 conversations: the three hand-made ones, eight times over (distinct ids), a day apart;
    customers span copies four apart, so one customer's conversations land in different chunks."""
    path = tmp_path_factory.mktemp("engines") / "export.jsonl"
    lines = [json.dumps({**c, "id": f"{c['id']}{n}", "customer": f"{c.get('customer', 'solo')}-{n % 4}",
                         "messages": [{**m, "time": m["time"].replace("2026-03-0", f"2026-0{n + 1}-0")}
                                      for m in c["messages"]]})
             for n in range(8) for c in CONVERSATIONS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _figures(report: dict) -> dict:
    return {k: v for k, v in report.items() if k != "meta"}


def test_local_two_processes_equals_one(export: Path) -> None:
    one = run_insights(RunOptions([export], workers=1, chunk_threads=24))
    two = run_insights(RunOptions([export], workers=2, chunk_threads=5))
    assert _figures(one) == _figures(two)
    assert one["overview"]["conversations"] == 24
    assert one["returns"]["customers"] == 8 and one["returns"]["returns"] == 16


def test_dask_local_cluster_equals_local(export: Path) -> None:
    distributed = pytest.importorskip("distributed")
    local = run_insights(RunOptions([export], workers=1, chunk_threads=24))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        # by address, as `--scheduler` does: the run opens (and closes) its own client
        options = RunOptions([export], engine="dask", scheduler=cluster.scheduler_address, chunk_threads=4)
        on_dask = run_insights(options)
    assert json.dumps(_figures(on_dask), sort_keys=True) == json.dumps(_figures(local), sort_keys=True)
    assert on_dask["meta"]["where"].startswith("2 Dask worker(s) at tcp://")


def test_dask_needs_a_scheduler(export: Path) -> None:
    with pytest.raises(InputError, match="--scheduler"):
        run_insights(RunOptions([export], engine="dask"))
