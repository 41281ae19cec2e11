"""Insights: learn from past conversations at any scale (PLAYBOOK §7).

Importers stream threads out of exports (calmline JSON/JSONL, mapped CSV, the Twitter layout);
`collect_chunk` analyses a chunk with the live analyzer and the reply coach into an integer tally;
engines (local processes or Dask) merge tallies; `figures` and `write_report` turn the total into
a self-contained HTML report and a JSON file. `run_insights(RunOptions(...))` does all of it;
`render_database_report(url)` renders the report over the service's case store (the console page).
"""

from __future__ import annotations

from calmline.insights.page import database_report, render_database_report
from calmline.insights.report import render_html, write_report
from calmline.insights.run import RunOptions, run_insights

__all__ = ["RunOptions", "database_report", "render_database_report", "render_html", "run_insights",
           "write_report"]
