"""Training material chosen by what works here, so the examples teach the right habit.

"Well handled": a reply that showed at least one behaviour that clearly lowers the next turn's
anger here (effects.py: the whole 95% interval below zero; a behaviour whose estimate merely leans
below zero could be doing nothing, and would teach a habit on noise), showed no
anti-pattern, and after which the customer's anger fell. "Badly handled": a reply that showed an
anti-pattern, after which anger rose. A reply with an anti-pattern is never well handled and one
without is never badly handled, so no exchange can be both (stats.Stats.offer keeps the two pools
apart from the first chunk on). Within each list, the biggest change in anger comes first.
"""

from __future__ import annotations

from typing import Any

from calmline.insights.stats import TOP_K, Exchange, Stats


def _calming(row: dict[str, Any]) -> bool:
    effect = row["next_anger"]
    return (row["kind"] == "behaviour" and effect["effect"] is not None
            and effect.get("ci95") is not None and effect["ci95"][1] < 0)


def _unique(items: list[Exchange]) -> list[Exchange]:
    return list({(e.key, e.index): e for e in items}.values())


def training(stats: Stats, what_works: list[dict[str, Any]]) -> dict[str, Any]:
    """{"best": [...], "worst": [...], "calming_behaviours": labels}: the examples, and why."""
    calming = [row["label"] for row in what_works if _calming(row)]
    candidates = _unique([e for label in calming for e in stats.calmed.get(label, [])])
    best = sorted(candidates, key=lambda e: (-e.score, e.key, e.index))[:TOP_K]
    harmful = _unique([e for pool in stats.angered.values() for e in pool])
    worst = sorted(harmful, key=lambda e: (e.score, e.key, e.index))[:TOP_K]
    return {"best": [{**e.to_dict(), "helped_by": [b for b in e.behaviours if b in calming]}
                     for e in best],
            "worst": [e.to_dict() for e in worst], "calming_behaviours": calming}
