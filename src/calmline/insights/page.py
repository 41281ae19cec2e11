"""The console's Insights page: the same report, over the service's own case store.

`render_database_report(url, ...)` is what the console mounts, with the server's own playbook and
coach (a team's method reaches the page too). It runs the whole analysis in the calling thread
(one process: forking a web server's worker is not safe), so the console calls it from a worker
thread (a plain `def` route in FastAPI). A `ReportCache` (one per app) remembers the report until
a message is added or removed, so reloading the page is free.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from calmline.errors import InputError
from calmline.insights.database import display_url, reader_engine
from calmline.insights.report import render_html
from calmline.insights.run import RunOptions, run_insights


class ReportCache:
    """The last report of each case store, with the store's version it was built on."""

    def __init__(self) -> None:
        self.reports: dict[tuple[str, str | None, str | None], tuple[tuple[int, int], dict[str, Any]]] = {}
        self.lock = threading.Lock()  # one build at a time: a report reads the whole store


def _version(url: str) -> tuple[int, int]:
    """(messages, highest message id): changes whenever a message is added or deleted."""
    from calmline.cases.models import Message

    engine = reader_engine(url)
    try:
        with engine.connect() as connection:
            row = connection.execute(select(func.count(Message.id), func.max(Message.id))).one()
    except SQLAlchemyError as exc:
        raise InputError(f"cannot read the case store at {display_url(url)}: "
                         f"{str(exc).splitlines()[0]}") from exc
    finally:
        engine.dispose()
    return int(row[0] or 0), int(row[1] or 0)


def database_report(database_url: str, *, playbook: str | None = None, coach: str | None = None,
                    cache: ReportCache | None = None, refresh: bool = False) -> dict[str, Any]:
    """Every figure of the report over the case store at `database_url`, read with `playbook` and
    `coach` (paths; None: the packaged ones), remembered in `cache` while the store is unchanged."""
    version = _version(database_url)
    key = (database_url, playbook, coach)
    cache = cache or ReportCache()
    with cache.lock:
        cached = cache.reports.get(key)
        if cached and cached[0] == version and not refresh:
            return cached[1]
        data = run_insights(RunOptions([], database=database_url, workers=1, playbook=playbook,
                                       coach=coach))
        cache.reports[key] = (version, data)
        return data


def render_database_report(database_url: str, *, playbook: str | None = None,
                           coach: str | None = None, cache: ReportCache | None = None,
                           refresh: bool = False) -> str:
    """The self-contained HTML insights report over the case store at `database_url`.

    Raises InputError (a CalmlineError) when the database cannot be read.
    """
    return render_html(database_report(database_url, playbook=playbook, coach=coach, cache=cache,
                                       refresh=refresh))
