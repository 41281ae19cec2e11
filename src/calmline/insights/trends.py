"""Triggers over time, and spikes: a period where a trigger is well above its own recent level.

Days are bucketed into days (spans up to 6 weeks) or ISO weeks (Monday). A spike is a period with
at least SPIKE_MIN conversations showing the trigger and SPIKE_RATIO times the mean of the
BASELINE periods before it (at least two of them), e.g. "lack of communication up 3.0× in the
week of 2015-02-16". Small counts double by chance, so a spike must also stand SPIKE_Z Poisson
standard deviations above that mean; spikes are listed most surprising first.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import date
from typing import Any

from calmline.insights.stats import Stats

SPIKE_MIN = 5
SPIKE_RATIO = 2.0
SPIKE_Z = 3.0
BASELINE = 4
TOP_SERIES = 6


def _bucket(ordinal: int, weekly: bool) -> int:
    return ordinal - date.fromordinal(ordinal).weekday() if weekly else ordinal


def _periods(stats: Stats) -> tuple[list[int], bool]:
    # a trigger can first show on a later day than its conversation started (past midnight)
    known = [d for d in stats.days if d] + [d for _, d in stats.trig_days if d]
    if not known:
        return [], False
    weekly = max(known) - min(known) > 42
    step = 7 if weekly else 1
    first, last = _bucket(min(known), weekly), _bucket(max(known), weekly)
    return list(range(first, last + 1, step)), weekly


def spikes(series: dict[str, list[int]], periods: list[int], weekly: bool) -> list[dict[str, Any]]:
    found = []
    for key, counts in series.items():
        for i in range(2, len(counts)):
            before = counts[max(0, i - BASELINE):i]
            base = sum(before) / len(before)
            z = (counts[i] - base) / math.sqrt(max(base, 1.0))
            if counts[i] >= SPIKE_MIN and counts[i] >= SPIKE_RATIO * max(base, 1.0) and z >= SPIKE_Z:
                ratio = counts[i] / base if base else None
                when = date.fromordinal(periods[i]).isoformat()
                unit = "in the week of " if weekly else "on "
                found.append({"trigger": key, "period": when, "count": counts[i], "baseline": round(base, 2),
                              "ratio": round(ratio, 2) if ratio else None, "z": round(z, 2),
                              "text": f"{key.split(':', 1)[1].replace('_', ' ')} up "
                                      f"{f'{ratio:.1f}×' if ratio else 'from zero'} {unit}{when} "
                                      f"({counts[i]} conversations vs {base:.1f} per "
                                      f"{'week' if weekly else 'day'} before)"})
    return sorted(found, key=lambda s: (-s["z"], s["trigger"], s["period"]))


def trend(stats: Stats) -> dict[str, Any]:
    """Conversations per period for each trigger (all of them) and the spikes among them."""
    periods, weekly = _periods(stats)
    index = {p: i for i, p in enumerate(periods)}
    series: dict[str, list[int]] = {}
    for (key, day), n in sorted(stats.trig_days.items()):
        if day:
            series.setdefault(key, [0] * len(periods))[index[_bucket(day, weekly)]] += n
    totals: Counter[int] = Counter()
    for day, n in stats.days.items():
        if day:
            totals[_bucket(day, weekly)] += n
    top = sorted(series, key=lambda k: (-sum(series[k]), k))[:TOP_SERIES]
    return {"granularity": "week" if weekly else "day",
            "periods": [date.fromordinal(p).isoformat() for p in periods],
            "conversations": [totals[p] for p in periods],
            "series": {k: series[k] for k in sorted(series)}, "top": top,
            "undated_conversations": stats.days[0],
            "spikes": spikes(series, periods, weekly)}
