"""Turn a merged `Stats` tally into the report's figures: plain JSON-ready dicts and lists.

Everything here is a pure function of the integer tally, so every engine gets identical figures.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from calmline.insights import handling as adapter
from calmline.insights.collect import LEVELS, SECS_BUCKETS
from calmline.insights.effects import METHOD, MIN_EXCHANGES, by_label, effect_of
from calmline.insights.headlines import headlines
from calmline.insights.returns import returns
from calmline.insights.stats import SCALE, Stats
from calmline.insights.summary import summary
from calmline.insights.training import training
from calmline.insights.trends import trend
from calmline.playbook.coach_loader import default_coach
from calmline.playbook.coach_schema import CoachConfig
from calmline.playbook.schema import WellbeingConfig

# Agent load replays the live service's stress model (the playbook's `wellbeing` section): each
# received message of anger >= min_anger adds its anger (+abuse_stress when abuse), the load
# halves every half_life_minutes, and at `breather` the agent is prompted to take a breather.


def _r(value: float) -> float:
    return round(value, 4)


def share(part: int, whole: int) -> float:
    return _r(part / whole) if whole else 0.0


def figures(stats: Stats, wellbeing: WellbeingConfig | None = None,
            coach: CoachConfig | None = None) -> dict[str, Any]:
    """Every figure of the report, keyed by section (agent load under `wellbeing`'s model), and
    the headlines drawn from them."""
    fig: dict[str, Any] = {"overview": overview(stats), "triggers": triggers(stats), "trend": trend(stats),
           "trajectories": trajectories(stats), "returns": returns(stats.visits, stats.totals["threads"]),
           "handling": handling(stats, coach or default_coach()),
           "agent_load": agent_load(stats, wellbeing or WellbeingConfig())}
    fig["training"] = training(stats, fig["handling"].get("what_works", []))
    fig["summary"] = summary(stats, fig)
    return {"headlines": headlines(fig), **fig}


def overview(stats: Stats) -> dict[str, Any]:
    t = stats.totals
    customer = t["customer"]
    return {"conversations": t["threads"], "messages": t["messages"], "customer_messages": customer,
            "agent_messages": t["agent"],
            "levels": [{"level": lv, "messages": stats.levels[lv],
                        "share": share(stats.levels[lv], customer)} for lv in LEVELS],
            "flagged_for_escalation": t["flagged_escalation"],
            "outcome": outcome(stats)}


OUTCOMES = ("resolved", "escalated", "transferred", "abandoned", "open")


def outcome(stats: Stats) -> dict[str, int]:
    """Conversations per outcome: the case store's where it recorded one (`recorded` of them),
    the stage tracker's for exports; any other outcome a store holds is listed too."""
    counts = {k: stats.outcome[k] for k in OUTCOMES}
    counts.update({k: n for k, n in sorted(stats.outcome.items()) if k not in OUTCOMES})
    return {**counts, "recorded": stats.totals["outcome_recorded"]}


def triggers(stats: Stats) -> list[dict[str, Any]]:
    """Causes and product areas: conversations and messages showing them, and their mean anger."""
    rows = []
    for key, convs in stats.trig_threads.items():
        kind, label = key.split(":", 1)
        msgs = stats.trig_msgs[key]
        rows.append({"key": key, "kind": kind, "label": label, "conversations": convs, "messages": msgs,
                     "share_of_conversations": share(convs, stats.totals["threads"]),
                     "avg_anger": _r(stats.trig_anger[key] / msgs / SCALE) if msgs else 0.0})
    return sorted(rows, key=lambda r: (-r["conversations"], r["key"]))


def _median_bucket(hist: Counter[int]) -> int | None:
    total = sum(hist.values())
    if not total:
        return None
    running = 0
    for bucket in sorted(hist):
        running += hist[bucket]
        if running * 2 >= total:
            return bucket
    return None


def _secs_label(bucket: int | None) -> str | None:
    if bucket is None:
        return None
    bounds = (0, *SECS_BUCKETS)
    def fmt(s: int) -> str:
        return f"{s // 3600} h" if s >= 3600 else f"{s // 60} min"
    if bucket >= len(SECS_BUCKETS):
        return f"over {fmt(bounds[-1])}"
    return f"{fmt(bounds[bucket])}–{fmt(bounds[bucket + 1])}"


def trajectories(stats: Stats) -> dict[str, Any]:
    tr, t = stats.trajectory, stats.totals
    multi = sum(tr[k] for k in ("de-escalated", "stayed", "escalated"))
    return {
        "conversations_with_2_plus_customer_messages": multi,
        "shares": {k: {"conversations": tr[k], "share": share(tr[k], multi)}
                   for k in ("de-escalated", "stayed", "escalated")},
        "single_message_conversations": tr["single message"],
        "reached_frustrated": t["calmed"] + t["never_calmed"], "calmed": t["calmed"],
        "never_calmed": t["never_calmed"],
        "turns_to_calm": {"median": _median_bucket(stats.calm_turns),
                          "mean": round(sum(k * v for k, v in stats.calm_turns.items()) / t["calmed"], 1)
                          if t["calmed"] else None,
                          "histogram": {str(k): stats.calm_turns[k] for k in sorted(stats.calm_turns)}},
        "time_to_calm": {"median": _secs_label(_median_bucket(stats.calm_secs)),
                         "mean_minutes": _r(t["calm_secs_sum"] / t["calm_timed"] / 60) if t["calm_timed"]
                         else None, "timed": t["calm_timed"],
                         "histogram": {_secs_label(k): stats.calm_secs[k] for k in sorted(stats.calm_secs)}},
    }


def handling(stats: Stats, coach: CoachConfig) -> dict[str, Any]:
    """Behaviours and anti-patterns per agent and overall, and what works here (the coach's
    labels and titles: the team's own coach when it has one)."""
    behaviours, anti_patterns = adapter.labels(coach)
    labels = {**{f"+{k}": v for k, v in behaviours.items()},
              **{f"-{k}": v for k, v in anti_patterns.items()}}
    overall: Counter[str] = Counter()
    for (_, label), n in stats.reply_labels.items():
        overall[label] += n
    replies = sum(stats.replies.values())
    agents = [{"agent": agent, "replies": n,
               "labels": {lb[1:]: share(stats.reply_labels[(agent, lb)], n) for lb in labels
                          if stats.reply_labels[(agent, lb)]},
               # replies the coach blocked that went out anyway (the case store's audit log)
               "sent_over_guard": stats.guard[(agent, "sent_over_guard")],
               "sent_while_blocked": stats.guard[(agent, "sent_while_blocked")]}
              for agent, n in sorted(stats.replies.items(), key=lambda kv: (-kv[1], kv[0]))]
    return {"available": True, "replies": replies,
            "behaviour_labels": list(behaviours), "anti_labels": list(anti_patterns),
            "overall": [{"label": lb[1:], "kind": "behaviour" if lb[0] == "+" else "anti-pattern",
                         "title": title, "replies": overall[lb], "share": share(overall[lb], replies)}
                        for lb, title in labels.items()],
            "agents": agents,
            "what_works": what_works(stats, labels), "min_exchanges": MIN_EXCHANGES,
            "what_works_method": METHOD}


def what_works(stats: Stats, labels: dict[str, str]) -> list[dict[str, Any]]:
    """Each label's effects, comparing like with like (effects.py), in the coach config's order."""
    grouped = by_label(stats.effects)
    return [{"label": lb[1:], "kind": "behaviour" if lb[0] == "+" else "anti-pattern", "title": title,
             **effect_of(grouped.get(lb, {}))} for lb, title in labels.items()]


def replay_load(events: list[tuple[int, int]], wellbeing: WellbeingConfig) -> tuple[float, int]:
    """Peak decayed load over (minute, points) events, and how often it crossed the breather."""
    load, peak, crossings, last = 0.0, 0.0, 0, None
    for minute, points in sorted(events):
        if last is not None:
            load *= 0.5 ** ((minute - last) / wellbeing.half_life_minutes)
        before, load, last = load, load + points / SCALE, minute
        peak = max(peak, load)
        crossings += before < wellbeing.breather <= load
    return _r(peak), crossings


def agent_load(stats: Stats, wellbeing: WellbeingConfig) -> list[dict[str, Any]]:
    """Hostility each agent received, and the breathers the live service would have prompted."""
    events: dict[str, list[tuple[int, int]]] = {}
    for (agent, minute), points in stats.agent_minutes.items():
        events.setdefault(agent, []).append((minute, points))
    rows = []
    for agent in sorted({a for a, _ in stats.agent}):
        peak, crossings = replay_load(events.get(agent, []), wellbeing)
        row: dict[str, Any] = {"agent": agent, **{k: stats.agent[(agent, k)] for k in (
            "conversations", "messages received", "angry or hostile", "abuse", "threats")}}
        row.update(peak_load=peak, breathers=crossings, needed_breather=crossings > 0,
                   undated_stress=stats.agent[(agent, "undated stress")])
        rows.append(row)
    return sorted(rows, key=lambda r: (-r["breathers"], -r["peak_load"], -r["angry or hostile"],
                                       r["agent"]))
