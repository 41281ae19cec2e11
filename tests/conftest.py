"""Shared fixtures: the real default analyzer (models and playbook as shipped)."""

from __future__ import annotations

import pytest

import calmline
from calmline.engine.analyzer import Analyzer


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    return calmline.default_analyzer()


@pytest.fixture(scope="session")
def fast_analyzer(analyzer: Analyzer) -> Analyzer:
    """The fast path only (lexicon and linear models), as batch runs and installs without the
    semantic model read."""
    return Analyzer(analyzer.playbook, encoder=None)
