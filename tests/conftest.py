"""Shared fixtures: the real default analyzer (models and playbook as shipped)."""

from __future__ import annotations

import os

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


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto` (pyproject's addopts): the whole suite gets one worker per core; a run of chosen
    files or tests (`pytest tests/x.py`) stays in this process, where it starts sooner than workers
    that each load the models. PYTEST_XDIST_AUTO_NUM_WORKERS still wins."""
    if config.option.file_or_dir and not os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return 0
    return None  # pytest-xdist's own count
