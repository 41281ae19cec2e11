"""What works here: the effect of each reply behaviour and anti-pattern, comparing like with like.

An *exchange* is a customer turn, the agent's reply to it, and the customer's next turn. Replies
differ in more than what the agent did: an angry customer with a billing problem early in the
conversation calms differently from an annoyed one near agreement. So exchanges are grouped into
strata of the same cause (the strongest cause of the turn replied to, or "none"), the same starting
anger band (that turn's level) and the same stage (the stage machine's, when the reply was
written). Within a stratum, replies that showed a label are compared with replies that did not;
strata where only one side occurs say nothing and are left out.

The pooled effect is the weighted mean of the per-stratum differences, each stratum weighted
n_with·n_without / (n_with + n_without) (the Cochran–Mantel–Haenszel weight for a difference).
Its interval is a normal approximation: the within-group variance is pooled over the compared
strata (so a stratum with one exchange on a side still counts), the estimate's variance is
σ² / Σweights, and the 95 % interval is the estimate ± 1.96 standard errors. Exchanges of one
conversation are treated as independent, which makes intervals somewhat too narrow when a
conversation has many; MIN_EXCHANGES guards the small samples where that matters most.

Two effects per label: on the next customer turn's anger (next − before, in anger points, so a
negative effect means calmer), and on the case being resolved (in share points), the latter over
exchanges of cases whose outcome is known (a case still open in the store has none yet).

The tally is integer counts and sums only, keyed (label, stratum, side, stat), so chunks merge
exactly on any engine (stats.py); all floating point happens once, here, over the merged tally.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from typing import Any

from calmline.engine.analysis import Analysis
from calmline.insights.intervals import Z95
from calmline.insights.stats import SCALE

MIN_EXCHANGES = 10  # compared exchanges needed on each side before an effect is read
WITH, WITHOUT = "with", "without"
METHOD = ("stratified by cause, starting anger level and stage; strata pooled with weights "
          "n_with*n_without/(n_with+n_without); 95% normal-approximation interval")

Tally = Counter[tuple[str, str, str, str]]


def stratum(before: Analysis, stage: str) -> str:
    """The like-with-like group of an exchange: "cause|anger level|stage"."""
    cause = max(before.causes, key=lambda f: (f.score, f.label)).label if before.causes else "none"
    return f"{cause}|{before.anger.level}|{stage}"


def count_exchange(tally: Tally, labels: Iterable[str], found: set[str], group: str,
                   change: int, resolved: bool | None) -> None:
    """Add one exchange: `change` is next − before anger in 1/SCALE units; `resolved` None when
    the case's outcome is not known yet."""
    for label in labels:
        side = WITH if label in found else WITHOUT
        tally[(label, group, side, "n")] += 1
        tally[(label, group, side, "d")] += change
        tally[(label, group, side, "d2")] += change * change
        if resolved is not None:
            tally[(label, group, side, "on")] += 1
            tally[(label, group, side, "r")] += int(resolved)


Strata = dict[str, dict[str, Counter[str]]]  # stratum -> side -> stat -> sum


def by_label(tally: Tally) -> dict[str, Strata]:
    """The tally regrouped once: label -> stratum -> side -> stat."""
    out: dict[str, Strata] = {}
    for (label, group, side, stat), value in tally.items():
        sides = out.setdefault(label, {}).setdefault(group, {WITH: Counter(), WITHOUT: Counter()})
        sides[side][stat] += value
    return out


def pooled(groups: list[tuple[int, int, int, int, int, int]], unit: float) -> dict[str, Any]:
    """The weighted effect over strata given as (n1, sum1, sumsq1, n0, sum0, sumsq0) with both
    sides present; `unit` converts sums to the reported scale. Interval: normal approximation."""
    n_with = sum(g[0] for g in groups)
    n_without = sum(g[3] for g in groups)
    base = {"exchanges_with": n_with, "exchanges_without": n_without, "strata": len(groups),
            "enough_data": min(n_with, n_without) >= MIN_EXCHANGES}
    weight_sum, weighted, squares = 0.0, 0.0, 0.0
    for n1, s1, q1, n0, s0, q0 in groups:
        weight = n1 * n0 / (n1 + n0)
        weight_sum += weight
        weighted += weight * (s1 / n1 - s0 / n0)
        squares += (q1 - s1 * s1 / n1) + (q0 - s0 * s0 / n0)
    freedom = n_with + n_without - 2 * len(groups)
    if not groups or freedom <= 0:
        return {**base, "effect": None, "ci95": None}
    effect = weighted / weight_sum
    error = math.sqrt(max(squares, 0.0) / freedom / weight_sum)
    return {**base, "effect": round(effect * unit, 4),
            "ci95": [round((effect - Z95 * error) * unit, 4), round((effect + Z95 * error) * unit, 4)]}


def effect_of(strata: Strata) -> dict[str, Any]:
    """A label's effect on the next turn's anger and on the case being resolved, and the number
    of exchanges whose reply showed it (compared or not)."""
    anger, outcome = [], []
    for sides in strata.values():
        w, o = sides[WITH], sides[WITHOUT]
        if w["n"] and o["n"]:
            anger.append((w["n"], w["d"], w["d2"], o["n"], o["d"], o["d2"]))
        if w["on"] and o["on"]:
            outcome.append((w["on"], w["r"], w["r"], o["on"], o["r"], o["r"]))
    return {"exchanges": sum(sides[WITH]["n"] for sides in strata.values()),
            "next_anger": pooled(anger, 1 / SCALE), "resolved": pooled(outcome, 1.0)}


def helps(row: dict[str, Any]) -> bool:
    """Read with enough data, and the anger interval lies wholly below zero."""
    anger = row["next_anger"]
    return bool(anger["enough_data"] and anger["ci95"] and anger["ci95"][1] < 0)


def hurts(row: dict[str, Any]) -> bool:
    anger = row["next_anger"]
    return bool(anger["enough_data"] and anger["ci95"] and anger["ci95"][0] > 0)
