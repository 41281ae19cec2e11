"""The console's Insights page: the same report, over the service's own case store.

`render_database_report(url)` is what the console mounts. It runs the whole analysis in the
calling thread (one process: forking a web server's worker is not safe), so the console should
call it from a worker thread (a plain `def` route in FastAPI). A report is remembered per
database until a message is added or removed, so reloading the page is free.
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

_cache: dict[str, tuple[tuple[int, int], dict[str, Any]]] = {}
_lock = threading.Lock()


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


def database_report(database_url: str, *, refresh: bool = False) -> dict[str, Any]:
    """Every figure of the report over the case store at `database_url` (cached per version)."""
    version = _version(database_url)
    with _lock:
        cached = _cache.get(database_url)
        if cached and cached[0] == version and not refresh:
            return cached[1]
        data = run_insights(RunOptions([], database=database_url, workers=1))
        _cache[database_url] = (version, data)
        return data


def render_database_report(database_url: str, *, refresh: bool = False) -> str:
    """The self-contained HTML insights report over the case store at `database_url`.

    Raises InputError (a CalmlineError) when the database cannot be read.
    """
    return render_html(database_report(database_url, refresh=refresh))
