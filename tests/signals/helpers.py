"""A shared assertion helper for the table-driven detector tests."""

from __future__ import annotations

from calmline.engine.analysis import Analysis
from calmline.signals.base import Finding


def assert_evidence_points_at_text(analysis: Analysis, finding: Finding) -> None:
    """Every span of a finding must quote the message exactly where it says it does."""
    assert finding.evidence, f"{finding.label} has no evidence"
    for ev in finding.evidence:
        if ev.start >= 0:
            assert analysis.text[ev.start : ev.end] == ev.text, ev
