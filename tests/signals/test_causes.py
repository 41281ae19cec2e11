from __future__ import annotations

import pytest

from calmline.engine.analyzer import Analyzer
from tests.signals.helpers import assert_evidence_points_at_text


@pytest.mark.parametrize(
    "text, cause, area",
    [
        ("The blender arrived broken and doesn't work", "unmet_expectations", "quality_defect"),
        ("I was on hold for an hour then transferred three times", "process_friction", None),
        ("Nobody called me back and I've had no updates in a week", "lack_of_communication", None),
        ("I need it by Friday for my daughter's wedding", "outside_stress", None),
        ("You charged me twice on my credit card", "unmet_expectations", "billing_refund"),
        ("My parcel is late and the tracking never moved", "unmet_expectations", "delivery"),
        ("I'm locked out and the password reset never arrives", None, "account_access"),
        ("Your prices went up again, way too expensive", None, "pricing"),
        ("The agent was rude and hung up on me", None, "staff"),
    ],
)
def test_cause_and_area(analyzer: Analyzer, text: str, cause: str | None, area: str | None) -> None:
    analysis = analyzer.analyze(text)
    causes = {c.label for c in analysis.causes}
    areas = {a.label for a in analysis.areas}
    if cause:
        assert cause in causes, causes
    if area:
        assert area in areas, areas
    for finding in analysis.causes + analysis.areas:
        assert_evidence_points_at_text(analysis, finding)


def test_calm_thanks_has_no_cause(analyzer: Analyzer) -> None:
    analysis = analyzer.analyze("Thank you so much, all sorted!")
    assert not analysis.causes and not analysis.areas
