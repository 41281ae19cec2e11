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
        ("My washing machine floods the kitchen. I need someone out today.", {"repair"}),
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


@pytest.mark.parametrize("text", ["Thanks so much, the refund came through this morning. All sorted!",
                                  "Got my refund today, thank you!",
                                  "The replacement arrived and works perfectly, thanks."])
def test_what_they_already_have_is_not_wanted(analyzer: Analyzer, fast_analyzer: Analyzer, text: str) -> None:
    """A thank-you for a refund that arrived is not a request for one (the coach once answered it
    with "Repeat their issue back: ... and you'd like a refund")."""
    assert not analyzer.analyze(text).wants and not fast_analyzer.analyze(text).wants


@pytest.mark.parametrize("text, want", [("Still no refund after 3 weeks.", "refund"),
                                        ("I never got my refund and it's been a month.", "refund"),
                                        ("The refund still hasn't come through.", "refund"),
                                        ("No replacement yet, and you promised Tuesday.", "replacement")])
def test_what_never_came_is_still_wanted(analyzer: Analyzer, fast_analyzer: Analyzer, text: str,
                                         want: str) -> None:
    """'no' and 'never' here say the thing did not come, not that they refuse it."""
    assert want in analyzer.analyze(text).want_labels()
    assert want in fast_analyzer.analyze(text).want_labels()
