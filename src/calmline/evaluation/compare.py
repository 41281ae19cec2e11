"""Two runs of one task side by side: the shipped playbook and a team's (`calmline eval --compare`).

Both ran on the same rows, so every difference is the playbook's. The headline metrics and the
per-class F1 get one row each, with the change; a JSON form keeps both whole results.
"""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from calmline.evaluation.metrics import Number, TaskResult
from calmline.evaluation.report import fmt

__all__ = ["compare_table", "render_compare", "to_json_line"]


def _delta(before: Number, after: Number) -> str:
    if before is None or after is None or isinstance(before, bool) or isinstance(after, bool):
        return ""
    if isinstance(before, int) and isinstance(after, int):
        return "=" if before == after else f"{after - before:+,}"
    change = float(after) - float(before)
    return "=" if abs(change) < 5e-4 else f"{change:+.3f}"


def compare_table(shipped: TaskResult, team: TaskResult, team_name: str = "team") -> Table:
    """One row per metric (then per class F1): shipped, team, and the change."""
    table = Table()
    table.add_column("metric")
    table.add_column("shipped", justify="right")
    table.add_column(team_name, justify="right")
    table.add_column("change", justify="right")
    table.add_row("n", fmt(shipped.n), fmt(team.n), "")
    names = list(dict.fromkeys([*shipped.metrics, *team.metrics]))
    for name in names:
        a, b = shipped.metrics.get(name), team.metrics.get(name)
        table.add_row(name, fmt(a), fmt(b), _delta(a, b))
    classes = list(dict.fromkeys([*shipped.per_class, *team.per_class]))
    if classes:
        table.add_section()
    for label in classes:
        a = shipped.per_class[label].f1 if label in shipped.per_class else None
        b = team.per_class[label].f1 if label in team.per_class else None
        table.add_row(f"{label} f1", fmt(a), fmt(b), _delta(a, b))
    return table


def render_compare(shipped: TaskResult, team: TaskResult, console: Console, team_name: str) -> None:
    where = f" on {escape(team.file)}" if team.file else ""
    console.print(f"[bold]calmline eval {team.task}[/]{where}: the shipped playbook and "
                  f"{escape(team_name)}", highlight=False)
    console.print(compare_table(shipped, team, "team"))
    for note in dict.fromkeys([*shipped.notes, *team.notes]):
        console.print(f"[dim]note: {escape(note)}[/]", highlight=False)


def to_json_line(shipped: TaskResult, team: TaskResult, team_name: str) -> str:
    data: dict[str, Any] = {"task": team.task, "file": team.file, "shipped": shipped.to_dict(),
                            "team": {**team.to_dict(), "playbook": team_name}}
    return json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
