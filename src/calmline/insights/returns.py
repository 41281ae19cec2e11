"""Do customers come back, and do they come back angry (PLAYBOOK §7: the outcome of an encounter).

This is the one figure that spans conversations, so it cannot be a per-thread count. Each worker
emits one small record per conversation with a customer id — (customer, start second, anger level
of the first customer message, trajectory class) — into a Counter, which merges by addition like
every other tally. The ordering per customer happens only in `returns()`, over the merged records,
sorted by the whole record, so the figure is the same whatever the chunking or engine. Memory: one
record per conversation that has a customer id (about 220 bytes with a short id), on the driver.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from itertools import pairwise
from typing import Any

from calmline.insights.intervals import newcombe, wilson

UNDATED = -1  # start second of a conversation without a time: counted, but never ordered
NO_CUSTOMER_MESSAGE = -1  # first-message rank of a conversation with only agent messages
CLASSES = ("de-escalated", "stayed", "escalated", "single message")
ANNOYED = 1  # rank of "annoyed" in collect.LEVELS: a next conversation at least this starts angry
MIN_PAIRS = 10  # below this many returns in a group, the figure says "too few to read"

Visit = tuple[str, int, int, str]  # customer, start second (UNDATED), first rank, trajectory class


def visit(customer: str, start: datetime | None, first_rank: int | None, trajectory: str) -> Visit:
    """The record one conversation contributes (see the module docstring)."""
    second = int(start.timestamp()) if start is not None else UNDATED
    return customer, second, NO_CUSTOMER_MESSAGE if first_rank is None else first_rank, trajectory


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _group(angry: int, pairs: int) -> dict[str, Any]:
    return {"returns": pairs, "came_back_angry": angry, "share": _share(angry, pairs),
            "ci95": [round(x, 4) for x in wilson(angry, pairs)], "enough_data": pairs >= MIN_PAIRS}


def _timelines(visits: Counter[Visit]) -> dict[str, list[Visit]]:
    """Each customer's conversations, sorted by the whole record (time first): deterministic."""
    by_customer: dict[str, list[Visit]] = {}
    for record in sorted(visits):
        by_customer.setdefault(record[0], []).extend([record] * visits[record])
    return by_customer


def returns(visits: Counter[Visit], conversations: int) -> dict[str, Any]:
    """The figure: repeat customers, and how often the next conversation started angry, by how the
    previous one ended. `conversations` is every conversation of the run (for the count of those
    without a customer id)."""
    timelines = _timelines(visits)
    with_id = sum(visits.values())
    repeat = sum(len(t) > 1 for t in timelines.values())
    pairs: Counter[tuple[str, bool]] = Counter()
    undated = skipped = 0
    for timeline in timelines.values():
        dated = [v for v in timeline if v[1] != UNDATED]
        undated += len(timeline) - len(dated)
        for before, after in pairwise(dated):
            if after[2] == NO_CUSTOMER_MESSAGE:
                skipped += 1
            else:
                pairs[(before[3], after[2] >= ANNOYED)] += 1
    groups = {c: _group(pairs[(c, True)], pairs[(c, True)] + pairs[(c, False)]) for c in CLASSES}
    total = sum(pairs.values())
    esc, de = groups["escalated"], groups["de-escalated"]
    low, high = newcombe(esc["came_back_angry"], esc["returns"], de["came_back_angry"], de["returns"])
    return {
        "customers": len(timelines), "conversations_with_customer": with_id,
        "conversations_without_customer": max(0, conversations - with_id),
        "repeat_customers": repeat, "repeat_share": _share(repeat, len(timelines)),
        "repeat_ci95": [round(x, 4) for x in wilson(repeat, len(timelines))],
        "undated_conversations": undated, "returns_without_customer_message": skipped,
        "returns": total, "came_back_angry": _group(sum(pairs[(c, True)] for c in CLASSES), total),
        "by_previous": groups,
        "escalated_vs_de_escalated": {
            "difference": round(esc["share"] - de["share"], 4) if esc["returns"] and de["returns"] else None,
            "difference_ci95": [round(low, 4), round(high, 4)],
            "enough_data": esc["enough_data"] and de["enough_data"]},
    }


def headline(fig: dict[str, Any]) -> list[str]:
    """A sentence only when escalated-before vs de-escalated-before clears zero with enough data."""
    cmp = fig["escalated_vs_de_escalated"]
    low, high = cmp["difference_ci95"]
    if not cmp["enough_data"] or cmp["difference"] is None or (low <= 0 <= high):
        return []
    esc, de = fig["by_previous"]["escalated"], fig["by_previous"]["de-escalated"]
    more = "more" if low > 0 else "less"
    return [f"Customers whose previous conversation escalated came back angry {more} often than "
            f"those whose previous one de-escalated: {100 * esc['share']:.0f}% of {esc['returns']:,} "
            f"vs {100 * de['share']:.0f}% of {de['returns']:,} ({100 * cmp['difference']:+.0f} points, "
            f"95% CI {100 * low:+.0f} to {100 * high:+.0f})."]
