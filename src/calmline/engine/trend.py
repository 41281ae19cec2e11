"""Anger over the conversation: trend of the latest turns, and "rising despite replies"."""

from __future__ import annotations

from collections.abc import Sequence

from calmline.engine.analysis import Trend
from calmline.playbook.schema import AngerConfig, RisingConfig


def trend(scores: Sequence[float], cfg: AngerConfig) -> Trend | None:
    """Compare the latest score with the mean of the previous `window - 1` customer turns."""
    if len(scores) < 2:
        return None
    window = scores[-cfg.trend.window :]
    before = sum(window[:-1]) / (len(window) - 1)
    change = window[-1] - before
    if change >= cfg.trend.min_change:
        return "rising"
    if change <= -cfg.trend.min_change:
        return "cooling"
    return "steady"


def rising_over_turns(scores: Sequence[float], cfg: RisingConfig, level_bound: float) -> bool:
    """True when anger rose at every one of the last `turns` customer turns, by `min_rise` in
    total, and now stands at `min_level` or above."""
    if len(scores) < cfg.turns:
        return False
    last = scores[-cfg.turns :]
    steps_up = all(b >= a for a, b in zip(last, last[1:], strict=False))
    return steps_up and last[-1] - last[0] >= cfg.min_rise and last[-1] >= level_bound
