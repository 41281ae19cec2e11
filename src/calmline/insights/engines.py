"""Where the chunks are analysed: here (one or more processes) or on a Dask cluster.

Both engines run the same `collect_chunk` over the same chunks and merge integer tallies, so
their results are exactly equal. At most `2 × workers` chunks are in flight at a time, so memory
stays bounded however long the input is.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from itertools import islice
from typing import Any

from calmline.insights.collect import collect_chunk, engine_for
from calmline.insights.model import Thread
from calmline.insights.stats import Stats

Progress = Callable[[int], None]  # called with the number of messages just finished
CHUNK_THREADS = 200


def chunked(threads: Iterable[Thread], size: int = CHUNK_THREADS) -> Iterator[list[Thread]]:
    iterator = iter(threads)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _size(chunk: list[Thread]) -> int:
    return sum(len(t.messages) for t in chunk)


def _noop(done: int) -> None:
    return None


def run_local(chunks: Iterable[list[Thread]], workers: int = 2, playbook: str | None = None,
              progress: Progress = _noop, coach: str | None = None) -> Stats:
    """Analyse in this process (workers=1) or in a pool of `workers` processes.

    `playbook` and `coach` are a team's YAML texts (None: the packaged ones), as `collect_chunk`
    takes them.
    """
    total = Stats()
    if workers <= 1:
        for chunk in chunks:
            total.merge(collect_chunk(chunk, playbook, coach))
            progress(_size(chunk))
        return total
    engine_for(playbook, coach)  # built once here, inherited by forked workers
    # fork where there is one: workers inherit the loaded analyzer and need no importable __main__
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: dict[Future[Stats], int] = {}
        for chunk in chunks:
            pending[pool.submit(collect_chunk, chunk, playbook, coach)] = _size(chunk)
            if len(pending) >= 2 * workers:
                _drain(pending, total, progress, FIRST_COMPLETED)
        _drain(pending, total, progress, None)
    return total


def _drain(pending: dict[Future[Stats], int], total: Stats, progress: Progress, until: str | None) -> None:
    done, _ = wait(pending, return_when=until or "ALL_COMPLETED")
    for future in done:
        total.merge(future.result())
        progress(pending.pop(future))


def run_dask(chunks: Iterable[list[Thread]], client: Any, playbook: str | None = None,
             progress: Progress = _noop, window: int | None = None, coach: str | None = None
             ) -> Stats:
    """Analyse on the Dask cluster behind `client` (a distributed.Client)."""
    from distributed import as_completed

    window = window or max(2, 2 * sum(client.nthreads().values()))
    total = Stats()
    sizes: dict[str, int] = {}
    running = as_completed()
    for chunk in chunks:
        future = client.submit(collect_chunk, chunk, playbook, coach, pure=False)
        sizes[future.key] = _size(chunk)
        running.add(future)
        while running.count() >= window:
            _take(next(running), total, sizes, progress)
    for future in running:
        _take(future, total, sizes, progress)
    return total


def _take(future: Any, total: Stats, sizes: dict[str, int], progress: Progress) -> None:
    total.merge(future.result())
    progress(sizes.pop(future.key))
    future.release()


def dask_client(scheduler: str) -> Any:
    """A client for the scheduler at `scheduler` (tcp://host:8786)."""
    from distributed import Client

    from calmline.errors import InputError

    try:
        return Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise InputError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
