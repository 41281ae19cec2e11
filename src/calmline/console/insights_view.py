"""The Insights page's content: the insights report over the case store, when that is available.

`calmline.insights` owns the report; the console only embeds it. The report builder is looked up
when the page asks (never at import), so the console keeps working on an install where insights
over a database are not available: the page then shows why instead of failing.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger("calmline.console")
BUILDERS = ("render_database_report", "database_report_html", "render_db_report")


def _builder() -> Callable[[str], str] | None:
    try:
        module = importlib.import_module("calmline.insights")
    except ImportError:
        return None
    for name in BUILDERS:
        found = getattr(module, name, None)
        if callable(found):
            return found
    return None


def report(database_url: str, allowed: bool) -> dict[str, Any]:
    """{"available": True, "html": the report} or {"available": False, "reason": why not}."""
    if not allowed:
        return {"available": False, "reason": "Insights cover the whole team: they need a "
                                              "supervisor or admin key."}
    build = _builder()
    if build is None:
        return {"available": False,
                "reason": "Insights over the live case store are not available in this install. "
                          "Run `calmline insights` over an export to get the report as a file."}
    try:
        html = build(database_url)
    except Exception as exc:  # a report failure must not take the console down
        log.exception("insights report failed")
        return {"available": False, "reason": f"The insights report could not be built "
                                              f"({type(exc).__name__}). See the server log."}
    return {"available": True, "html": html}
