"""Fixtures the coach's learned-head tests share: the packaged engine with its draft heads (the
semantic tier on), the same engine reading phrase cues only, and the encoder alone. Each skips
where the semantic tier cannot load."""

from __future__ import annotations

import pytest

import calmline
from calmline.engine.core import Engine
from calmline.semantic.encoder import MiniLMEncoder


@pytest.fixture(scope="module")
def engine() -> Engine:
    analyzer = calmline.default_analyzer()
    if analyzer.encoder is None:
        pytest.skip(f"the semantic tier is off here: {analyzer.semantic_note}")
    found = Engine(analyzer)
    assert found.learned is not None, "the packaged coach names its draft heads"
    assert found.learned.heads.replies is not None and found.learned.heads.anti_replies is not None
    return found


@pytest.fixture(scope="module")
def cues_only(engine: Engine) -> Engine:
    return Engine(engine.analyzer, learned=False)


@pytest.fixture(scope="module")
def encoder(engine: Engine) -> MiniLMEncoder:
    assert engine.analyzer.encoder is not None
    return engine.analyzer.encoder
