"""The semantic tier's encoder: the pinned weights, the same vectors as sentence-transformers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from calmline.engine.analyzer import Analyzer
from calmline.semantic.encoder import (
    WEIGHTS_SHA256,
    MiniLMEncoder,
    SemanticUnavailableError,
    model_dir,
    sha256_of,
)

REFERENCE = json.loads((Path(__file__).parent / "reference_embeddings.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def encoder(analyzer: Analyzer) -> MiniLMEncoder:
    assert analyzer.encoder is not None, "the semantic tier must load in the test environment"
    return analyzer.encoder


def test_installed_weights_are_the_pinned_ones() -> None:
    assert sha256_of(model_dir() / "model.safetensors") == WEIGHTS_SHA256


def test_vectors_match_sentence_transformers(encoder: MiniLMEncoder) -> None:
    """Reference vectors were computed once with sentence-transformers on torch (fp32); the int8
    graph must stay within cosine 0.97 of them, and keep their order of similarity."""
    ours = encoder.encode(REFERENCE["sentences"])
    reference = np.asarray(REFERENCE["embeddings"], dtype=np.float32)
    assert ours.shape == reference.shape == (3, 384)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)
    assert (ours * reference).sum(1).min() >= 0.97
    assert np.array_equal(np.argsort(ours @ ours.T, axis=1), np.argsort(reference @ reference.T, axis=1))


def test_meaning_is_closer_than_words(encoder: MiniLMEncoder) -> None:
    threat, figure, paraphrase = encoder.encode([
        "I will hurt your driver", "this wait is killing me", "your driver is going to get hurt"])
    assert threat @ paraphrase > threat @ figure + 0.2


def test_empty_input_and_long_sentences(encoder: MiniLMEncoder) -> None:
    assert encoder.encode([]).shape == (0, 384)
    long = encoder.encode(["refund " * 2000])
    assert long.shape == (1, 384) and np.isfinite(long).all()


def test_other_weights_are_refused(tmp_path: Path) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"not the model")
    with pytest.raises(SemanticUnavailableError, match="not the pinned"):
        MiniLMEncoder(tmp_path, cache_dir=tmp_path)


def test_missing_weights_are_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SemanticUnavailableError, match="no model weights"):
        MiniLMEncoder(tmp_path, cache_dir=tmp_path)


def test_an_unwritable_cache_folder_only_costs_time(tmp_path: Path) -> None:
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder should be")
    encoder = MiniLMEncoder(cache_dir=blocked)
    (vector,) = encoder.encode(["where is my parcel"])
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-4
    assert blocked.is_file()
