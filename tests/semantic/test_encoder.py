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


def test_seen_sentences_come_from_the_cache_unchanged(encoder: MiniLMEncoder,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Each sentence runs alone, so a remembered vector is the very one the model gives: the cache
    changes the cost, never a result. Repeats within one call are embedded once too."""
    sentences = ["Thanks for your help, have a good day.", "Where is order 55120?",
                 "Thanks for your help, have a good day."]
    fresh = encoder.encode(sentences, remember=False)
    assert np.array_equal(fresh[0], fresh[2])
    embedded: list[str] = []
    real = encoder._embed
    monkeypatch.setattr(encoder, "_embed", lambda texts: (embedded.extend(texts), real(texts))[1])
    first = encoder.encode(sentences)
    assert embedded == sentences[:2]  # sentences no other test reads
    embedded.clear()
    again = encoder.encode([sentences[1], "Where is order 55121?", sentences[0]])
    assert embedded == ["Where is order 55121?"]
    assert np.array_equal(first, fresh) and np.array_equal(again[[2, 0]], fresh[:2])
    again[0] = 0  # the caller's array is its own: the cached row is untouched
    assert np.array_equal(encoder.encode([sentences[1]])[0], fresh[1])


def test_the_cache_is_bounded(tmp_path: Path) -> None:
    small = MiniLMEncoder(cache_size=2)
    small.encode(["one", "two", "three", "two", "long " * 300])
    assert list(small._vectors) == ["two", "three"]  # the long sentence is not kept
    none = MiniLMEncoder(cache_size=0)
    assert np.array_equal(none.encode(["one"]), small.encode(["one"], remember=False))
    assert not none._vectors
