"""The one-page summary a team lead reads in a minute, drawn from the finished figures.

Four answers: which triggers grew this week against last, which reply behaviour moved anger most
(compared like with like, effects.py), which follow-up promises are overdue and whose, and which
agents carry the most hostile contacts. "This week" is the seven days ending on the last day the
data has (an export is history: its own last week, not the calendar's).
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from calmline.insights.stats import Stats

TOP_TRIGGERS = 5
TOP_AGENTS = 5
TOP_EFFECTS = 8


def summary(stats: Stats, fig: dict[str, Any]) -> dict[str, Any]:
    return {"triggers": weekly_triggers(stats), "behaviours": movers(fig["handling"]),
            "overdue": overdue(stats), "hostile_agents": hostile_agents(fig["agent_load"])}


def weekly_triggers(stats: Stats) -> dict[str, Any]:
    """Conversations per trigger in the last seven days of the data, and the seven before."""
    days = [d for d in stats.days if d] + [d for _, d in stats.trig_days if d]
    if not days:
        return {"week_to": None, "rows": []}
    last = max(days)
    this_week: Counter[str] = Counter()
    week_before: Counter[str] = Counter()
    for (key, day), n in stats.trig_days.items():
        if last - 7 < day <= last:
            this_week[key] += n
        elif last - 14 < day <= last - 7:
            week_before[key] += n
    keys = sorted(set(this_week) | set(week_before),
                  key=lambda k: (-this_week[k], -week_before[k], k))[:TOP_TRIGGERS]
    rows = [{"key": k, "kind": k.split(":", 1)[0], "label": k.split(":", 1)[1],
             "this_week": this_week[k], "last_week": week_before[k]} for k in keys]
    return {"week_to": date.fromordinal(last).isoformat(), "rows": rows}


def movers(handling: dict[str, Any]) -> dict[str, Any]:
    """The labels with a computable effect on the next turn's anger, largest first, and the one
    that moved anger most among those read with enough data (None when none is)."""
    if not handling.get("available"):
        return {"available": False, "top": None, "rows": []}
    rows = [r for r in handling["what_works"] if r["next_anger"]["effect"] is not None]
    rows.sort(key=lambda r: (not r["next_anger"]["enough_data"], -abs(r["next_anger"]["effect"]),
                             r["label"]))
    readable = [r for r in rows if r["next_anger"]["enough_data"]]
    top = readable[0] if readable else None
    return {"available": True, "top": top and {"label": top["label"], "title": top["title"],
                                               "kind": top["kind"], **top["next_anger"]},
            "rows": [{"label": r["label"], "title": r["title"], "kind": r["kind"], **r["next_anger"]}
                     for r in rows[:TOP_EFFECTS]]}


def overdue(stats: Stats) -> dict[str, Any]:
    """Overdue promises per owner (most first), with the oldest; `available` is False when no
    conversation came from the case store (exports carry no promises)."""
    owners: dict[str, list[int]] = {}
    for (owner, days), n in stats.overdue.items():
        owners.setdefault(owner, []).extend([days] * n)
    rows: list[dict[str, Any]] = [{"owner": owner, "promises": len(days), "oldest_days": max(days)}
                                  for owner, days in owners.items()]
    rows.sort(key=lambda r: (-r["promises"], -r["oldest_days"], r["owner"]))
    return {"available": stats.totals["outcome_recorded"] > 0,
            "total": sum(r["promises"] for r in rows), "by_owner": rows}


def hostile_agents(load: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The agents who received the most angry or hostile customer messages."""
    rows = [a for a in load if a["angry or hostile"]]
    rows.sort(key=lambda a: (-a["angry or hostile"], -a["messages received"], a["agent"]))
    return [{"agent": a["agent"], "hostile": a["angry or hostile"], "received": a["messages received"],
             "abuse": a["abuse"], "threats": a["threats"]} for a in rows[:TOP_AGENTS]]
