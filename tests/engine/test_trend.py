from __future__ import annotations

import pytest

from calmline.engine.trend import rising_over_turns, trend
from calmline.playbook import default_playbook


@pytest.mark.parametrize(
    "scores, expected",
    [([0.5], None), ([0.1, 0.5], "rising"), ([0.8, 0.3], "cooling"), ([0.4, 0.45], "steady"),
     ([0.9, 0.1, 0.2, 0.8], "rising")],
)
def test_trend(scores: list[float], expected: str | None) -> None:
    assert trend(scores, default_playbook().anger) == expected


@pytest.mark.parametrize(
    "scores, expected",
    [([0.3, 0.5, 0.7], True), ([0.3, 0.7], False), ([0.3, 0.8, 0.7], False),
     ([0.1, 0.2, 0.25], False), ([0.55, 0.6, 0.65], False)],
)
def test_rising_over_turns(scores: list[float], expected: bool) -> None:
    pb = default_playbook()
    assert rising_over_turns(scores, pb.escalation.rising, pb.anger.levels["angry"]) is expected
