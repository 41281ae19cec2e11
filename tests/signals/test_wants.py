from __future__ import annotations

import pytest

from calmline.engine.analyzer import Analyzer
from tests.signals.helpers import assert_evidence_points_at_text


@pytest.mark.parametrize(
    "text, wants",
    [
        ("I want my money back", {"refund"}),
        ("Please send me a new one, this one is cracked", {"replacement"}),
        ("Can you send a technician to fix it?", {"repair"}),
        ("Cancel my subscription today", {"cancellation"}),
        ("I expect some compensation for the trouble", {"compensation"}),
        ("Why was I charged twice?", {"explanation"}),
        ("I think I deserve an apology", {"apology"}),
        ("I want to talk to your supervisor", {"manager"}),
        ("I don't want a refund, I want a replacement", {"replacement"}),
        ("The delivery was fine, thank you", set()),
    ],
)
def test_wants(analyzer: Analyzer, fast_analyzer: Analyzer, text: str, wants: set[str]) -> None:
    """The fast path reads exactly these; the semantic tier may add a want the words imply, but
    never drops one, never adds one to a message that wants nothing, and never one refused."""
    fast = fast_analyzer.analyze(text)
    assert set(fast.want_labels()) == wants
    analysis = analyzer.analyze(text)
    assert wants <= set(analysis.want_labels()) if wants else not analysis.wants
    if "don't want a refund" in text:
        assert "refund" not in analysis.want_labels()
    for want in (*analysis.wants, *fast.wants):
        assert_evidence_points_at_text(analysis, want)
        assert 0 < want.score <= 1
