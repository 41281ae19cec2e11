"""The Insights page's content: the insights report over the case store.

`calmline.insights` owns the report; the console only embeds it, read with the server's own
playbook and coach and remembered in the app's `ReportCache`. A report that cannot be built says
why on the page (and in the log) instead of failing the console.
"""

from __future__ import annotations

import logging
from typing import Any

from calmline.insights.page import ReportCache, render_database_report
from calmline.settings import Settings

log = logging.getLogger("calmline.console")


def report(settings: Settings, allowed: bool, cache: ReportCache) -> dict[str, Any]:
    """{"available": True, "html": the report} or {"available": False, "reason": why not}."""
    if not allowed:
        return {"available": False, "reason": "Insights cover the whole team: they need a "
                                              "supervisor or admin key."}
    try:
        html = render_database_report(settings.database_url, playbook=settings.playbook,
                                      coach=settings.coach, cache=cache)
    except Exception as exc:  # a report failure must not take the console down
        log.exception("insights report failed")
        return {"available": False, "reason": f"The insights report could not be built "
                                              f"({type(exc).__name__}). See the server log."}
    return {"available": True, "html": html}
