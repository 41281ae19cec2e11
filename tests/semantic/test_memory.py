"""The danger labels' memory of the team's labelled sentences (semantic/memory.py): stored small,
read only past the gate, mixed with the head, and shown as the closest labelled sentence."""

from __future__ import annotations

import numpy as np
import pytest

from calmline.engine.analyzer import Analyzer
from calmline.errors import ModelError
from calmline.semantic.encoder import WEIGHTS_SHA256
from calmline.semantic.heads import DEFAULT_HEADS, Heads, heads_from_dict, heads_to_dict, load_heads
from calmline.semantic.memory import (
    LabelMemory,
    Memory,
    dequantise,
    memory_from_dict,
    memory_to_dict,
    quantise,
)


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture(scope="module")
def toy() -> Memory:
    """Two positives near e0, many negatives near e1: a sentence near e0 reads high."""
    rng = np.random.default_rng(5)
    base = np.eye(384, dtype=np.float32)
    pos = _unit(base[0] + 0.1 * rng.standard_normal((6, 384)))
    neg = _unit(base[1] + 0.1 * rng.standard_normal((20, 384)))
    bank = dequantise(*quantise(np.vstack([pos, neg])))
    return Memory(bank, {"self_harm": LabelMemory(np.arange(6), np.arange(6, 26),
                                                  tuple(f"positive {i}" for i in range(6)))}, k=3)


def test_int8_rows_keep_the_similarities() -> None:
    rows = _unit(np.random.default_rng(1).standard_normal((50, 384)))
    back = dequantise(*quantise(rows))
    assert back.dtype == np.float32 and back.shape == rows.shape
    assert np.abs((rows * back).sum(1) - 1.0).max() < 1e-3
    # quantising the dequantised rows again gives the same rows: a stored bank round-trips
    assert np.array_equal(dequantise(*quantise(back)), back)


def test_a_sentence_near_the_labelled_ones_reads_high_and_names_the_closest(toy: Memory) -> None:
    near, far = _unit(np.eye(384, dtype=np.float32)[[0, 1]])
    vectors = np.vstack([near, far])
    head = np.array([0.2, 0.2], dtype=np.float32)
    reading = toy.reading_of("self_harm", head, vectors)
    assert reading is not None
    assert reading.score[0] > 0.9 > 0.1 > reading.score[1]
    assert reading.similarity[0] > 0.4 and 0 <= reading.nearest[0] < 6
    mixed = toy.mix(head, reading)
    assert mixed[0] == pytest.approx(0.5 * 0.2 + 0.5 * reading.score[0], abs=1e-6)


def test_under_the_gate_the_neighbours_are_not_read(toy: Memory) -> None:
    vectors = _unit(np.eye(384, dtype=np.float32)[[0]])
    head = np.array([0.01], dtype=np.float32)  # the head sees nothing: the bank is not read
    assert toy.reading_of("self_harm", head, vectors) is None
    assert toy.mix(head, None)[0] == pytest.approx(0.005)
    assert toy.read("violence", toy.similarities(vectors), np.arange(1), 1) is None  # no memory


def test_the_blocked_product_is_the_plain_one(toy: Memory) -> None:
    vectors = _unit(np.random.default_rng(2).standard_normal((7, 384)))
    assert np.allclose(toy.similarities(vectors), vectors @ toy.bank.T, atol=1e-5)


def test_a_memory_round_trips_and_a_broken_one_is_refused(toy: Memory) -> None:
    q, scale = quantise(toy.bank)
    data = memory_to_dict(q, scale, toy)
    again = memory_from_dict(data)
    assert np.array_equal(again.bank, toy.bank) and again.k == 3
    assert again.labels["self_harm"].texts == toy.labels["self_harm"].texts
    broken = {**data, "labels": {"self_harm": {**data["labels"]["self_harm"], "positive": [0, 99]}}}
    with pytest.raises(ValueError, match="names rows it does not have"):
        memory_from_dict(broken)
    heads = Heads("t", WEIGHTS_SHA256, memory=toy)
    bad = {**heads_to_dict(heads), "memory": {**data, "scale": "AAAA"}}
    with pytest.raises(ModelError):
        heads_from_dict(bad)


def test_the_shipped_heads_remember_the_danger_labels() -> None:
    heads = load_heads(DEFAULT_HEADS, WEIGHTS_SHA256)
    assert heads.memory is not None
    assert set(heads.memory.labels) == {"violence", "self_harm", "account_security"}
    assert all(len(m.texts) == len(m.positive) for m in heads.memory.labels.values())


def test_a_danger_flag_shows_the_closest_sentence_the_team_labelled(analyzer: Analyzer) -> None:
    analysis = analyzer.analyze("Cancel the phone contract. I've written letters to my kids and "
                                "sorted my affairs, I won't need it after this week.")
    found = analysis.flag("self_harm")
    assert found is not None
    assert "the closest sentence the team labelled self harm" in found.reason
    shown = found.reason.split("the closest sentence the team labelled self harm: \"")[1]
    shown = shown.split("\" (similarity")[0]
    assert 0 < len(shown) <= 101  # cut between words, with "…" when longer
