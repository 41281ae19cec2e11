"""The single most useful next move: for a draft (fix the worst problem first) or for the moment.

Order of priority: the heaviest anti-pattern in the draft (rewrite that span), then the heaviest
gap (what the moment lacks), then the most valuable behaviour the moment expects but the draft
does not show; a draft with none of these is good to send.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from calmline.engine.slots import fill_known
from calmline.playbook.coach_schema import CoachConfig, Moment


class _Weighted(Protocol):
    @property
    def label(self) -> str: ...
    @property
    def weight(self) -> float: ...


def _filled(text: str, slots: Mapping[str, str]) -> str:
    return fill_known(text, slots)


def rewrite_for(config: CoachConfig, label: str, slots: Mapping[str, str]) -> str:
    """The calmer rewrite of an anti-pattern's span, with this conversation's facts."""
    return _filled(config.anti_patterns[label].rewrite, slots)


def next_move(config: CoachConfig, anti: Sequence[tuple[_Weighted, str]],
              gaps: Sequence[_Weighted], missing: Sequence[str], slots: Mapping[str, str]) -> str:
    """`anti` pairs each flagged anti-pattern with its first span; `missing` lists expected
    behaviours the draft lacks, most valuable first."""
    if anti:
        worst, span = max(anti, key=lambda pair: pair[0].weight)
        return f"Rewrite “{span}”: {rewrite_for(config, worst.label, slots)}"
    if gaps:
        top = max(gaps, key=lambda g: g.weight)
        return _filled(config.gaps[top.label].move, slots)
    if missing:
        return _filled(config.behaviours[missing[0]].hint, slots)
    return "Good to send."


def move_for_moment(config: CoachConfig, moment: Moment, slots: Mapping[str, str]) -> str:
    """What the next reply should do, before any draft exists (for the console). A weaker danger
    sign in the latest message (slot `watch`) adds that danger moment's gentle check-in."""
    spec = config.moments[moment]
    hints = [_filled(config.behaviours[b].hint, slots) for b in spec.expect if b != "calm_tone"]
    watch = config.moments.get(slots.get("watch", ""))  # type: ignore[call-overload]
    if watch is not None and watch.watch and not spec.routes:
        hints = [_filled(watch.watch, slots), *hints[:1]]
    return f"{spec.description}. " + " ".join(h for h in hints[:2] if h)
