"""Shared helpers for the detector tests: an evidence assertion and a plug-in package maker."""

from __future__ import annotations

from pathlib import Path

from calmline.engine.analysis import Analysis
from calmline.signals.base import Finding


def assert_evidence_points_at_text(analysis: Analysis, finding: Finding) -> None:
    """Every span of a finding must quote the message exactly where it says it does."""
    assert finding.evidence, f"{finding.label} has no evidence"
    for ev in finding.evidence:
        if ev.start >= 0:
            assert analysis.text[ev.start : ev.end] == ev.text, ev


def write_detector_plugin(folder: Path, module: str, source: str, entry: str) -> None:
    """An installed-looking plug-in package in `folder` (put it on sys.path): the module's source
    and a dist-info whose `calmline.detectors` entry point is `entry` ("name = module:Class")."""
    (folder / f"{module}.py").write_text(source)
    dist = folder / f"{module}-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module.replace('_', '-')}\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(f"[calmline.detectors]\n{entry}\n")
