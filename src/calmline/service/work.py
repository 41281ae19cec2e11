"""Engine work for one request: in a worker thread, with a time budget, stopped if the client goes.

A review of a long inline conversation costs real CPU. Run in the thread pool with a `Budget`,
the work stops between turns when `settings.work_seconds` have passed (503, nothing stored), and
a watcher on the event loop cancels the budget as soon as the client disconnects, so a caller
who gave up no longer holds a worker thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio
from anyio import to_thread
from fastapi import Request

from calmline.engine.budget import Budget

T = TypeVar("T")
POLL_SECONDS = 0.2


async def bounded(request: Request, seconds: float, work: Callable[[Budget], T]) -> T:
    """`work(budget)` in a worker thread; the budget is cancelled if the client disconnects."""
    budget = Budget(seconds)

    async def watch() -> None:
        while not budget.cancelled.is_set():
            await anyio.sleep(POLL_SECONDS)
            if await request.is_disconnected():
                budget.cancel()

    outcome: list[T] = []
    failure: list[BaseException] = []

    async def run() -> None:
        try:
            outcome.append(await to_thread.run_sync(work, budget))
        except Exception as exc:  # re-raised below, outside the task group (no ExceptionGroup)
            failure.append(exc)

    async with anyio.create_task_group() as group:
        group.start_soon(watch)
        await run()
        group.cancel_scope.cancel()
    if failure:
        raise failure[0]
    return outcome[0]
