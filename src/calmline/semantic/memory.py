"""The team's labelled sentences, kept for the danger labels: a reading by the nearest neighbours.

A danger head is one linear boundary through the embedding space; the sentences the team labelled
are many small islands. A sentence is also read by how much closer it sits to the K sentences the
team labelled with the label (the likeliest sentence of each labelled message, and the playbook's
examples) than to the K nearest labelled without it (every sentence of the other messages, and the
near misses). The two readings err on different messages, so the danger score is their mix:
``(1 - weight) * head + weight * neighbours``. Out of fold on the train and dev splits
(2026-11-27, four folds), at the same 1.5% of false alarms on ordinary support messages, the mix
caught 80% of violence messages (the head alone 70%), 72% of self-harm (62%) and 87% of account
takeovers (78%).

The neighbours only read the sentences a danger head already gives at least `gate` (about one
sentence in eight of ordinary support messages): the bank is a few thousand sentences, and most
sentences are nowhere near a danger.

The bank is stored with the heads (`semantic/heads.py`), one row of int8 per sentence with its
scale, so the shipped file stays small; training scores dev on the same dequantised rows as the
service reads.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

import numpy as np

K = 5  # neighbours on each side
SHARPNESS = 20.0  # a 0.05 difference in mean similarity moves the reading from 0.5 to 0.73
WEIGHT = 0.5  # the neighbours' share of the danger score
GATE = 0.05  # the head probability below which a sentence's neighbours are not read
TEXT_CHARS = 160
# OpenBLAS spreads a product over threads beyond about 2^19 multiply-adds, at ten times the CPU
# for a few rows (see signals/semantic.py): the bank is read in blocks below it
_ONE_THREAD = 1 << 19


@dataclass(frozen=True, slots=True)
class LabelMemory:
    """Which rows of the bank the team labelled with the label, which without it, and the
    labelled rows' sentences (shown as evidence)."""

    positive: np.ndarray  # row indices
    negative: np.ndarray
    texts: tuple[str, ...]  # one per positive row


@dataclass(frozen=True, slots=True)
class Reading:
    """What the neighbours say of each instance of a message, for one label."""

    score: np.ndarray  # per instance, in (0, 1)
    nearest: np.ndarray  # per instance: the closest labelled sentence (index into `texts`)
    similarity: np.ndarray  # ... and how close it is


@dataclass(frozen=True, slots=True)
class Memory:
    bank: np.ndarray  # rows × 384, float32 (dequantised)
    labels: dict[str, LabelMemory] = field(default_factory=dict)
    k: int = K
    sharpness: float = SHARPNESS
    weight: float = WEIGHT
    gate: float = GATE

    def similarities(self, vectors: np.ndarray) -> np.ndarray:
        """Every instance against every row of the bank, in blocks of bank rows small enough for
        one BLAS thread (a product spread over threads costs several times the CPU on a busy
        machine: 4 sentences against 7,500 rows, 15 ms instead of 2.6 ms)."""
        step = max(1, _ONE_THREAD // max(1, len(vectors) * self.bank.shape[1]))
        return np.hstack([vectors @ self.bank[i:i + step].T for i in range(0, len(self.bank), step)])

    def gated(self, heads: np.ndarray) -> np.ndarray:
        """The instances (rows of `heads`, instances × labels) some head gives at least `gate`:
        the only ones the neighbours read."""
        return np.flatnonzero((heads >= self.gate).any(1)) if heads.size else np.zeros(0, np.intp)

    def read(self, label: str, sims: np.ndarray, rows: np.ndarray, instances: int) -> Reading | None:
        """The label's reading of `rows` (the instances `sims` holds, rows × bank), as arrays
        over all `instances` (0 where not read), or None without the label's memory."""
        memory = self.labels.get(label)
        if memory is None or not len(rows):
            return None
        pos, neg = sims[:, memory.positive], sims[:, memory.negative]
        k_pos, k_neg = min(self.k, pos.shape[1]), min(self.k, neg.shape[1])
        near_pos = -np.partition(-pos, k_pos - 1, axis=1)[:, :k_pos].mean(1)
        near_neg = -np.partition(-neg, k_neg - 1, axis=1)[:, :k_neg].mean(1)
        score = np.zeros(instances, dtype=np.float32)
        nearest = np.zeros(instances, dtype=np.intp)
        similarity = np.zeros(instances, dtype=np.float32)
        score[rows] = 1.0 / (1.0 + np.exp(-(near_pos - near_neg) * self.sharpness))
        nearest[rows] = pos.argmax(1)
        similarity[rows] = pos[np.arange(len(pos)), nearest[rows]]
        return Reading(score, nearest, similarity)

    def mix(self, head: np.ndarray, reading: Reading | None) -> np.ndarray:
        """The danger score per instance: the head's probability, mixed with the neighbours'
        reading on the instances where the head reaches `gate` (elsewhere the neighbours add
        nothing)."""
        mixed = (1.0 - self.weight) * head
        if reading is not None:
            mixed = mixed + np.where(head >= self.gate, self.weight * reading.score, 0.0)
        return mixed.astype(np.float32)

    def reading_of(self, label: str, head: np.ndarray, vectors: np.ndarray) -> Reading | None:
        """One label read alone (training scores dev this way): its gated instances only."""
        rows = np.flatnonzero(head >= self.gate)
        return self.read(label, self.similarities(vectors[rows]), rows, len(vectors)) if len(rows) else None


def quantise(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 rows and their float32 scales (a row is `q * scale`)."""
    scale = np.maximum(np.abs(rows).max(1), 1e-12).astype(np.float32) / 127.0
    return np.round(rows / scale[:, None]).astype(np.int8), scale


def dequantise(q: np.ndarray, scale: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(q.astype(np.float32) * scale[:, None], dtype=np.float32)


def memory_to_dict(q: np.ndarray, scale: np.ndarray, memory: Memory) -> dict[str, Any]:
    return {"rows": int(q.shape[0]), "dim": int(q.shape[1]),
            "bank": base64.b64encode(np.ascontiguousarray(q).tobytes()).decode("ascii"),
            "scale": base64.b64encode(scale.astype("<f4").tobytes()).decode("ascii"),
            "k": memory.k, "sharpness": memory.sharpness, "weight": memory.weight, "gate": memory.gate,
            "labels": {label: {"positive": [int(i) for i in m.positive],
                               "negative": [int(i) for i in m.negative], "texts": list(m.texts)}
                       for label, m in sorted(memory.labels.items())}}


def memory_from_dict(data: dict[str, Any]) -> Memory:
    rows, dim = int(data["rows"]), int(data["dim"])
    q = np.frombuffer(base64.b64decode(data["bank"]), dtype=np.int8).reshape(rows, dim)
    scale = np.frombuffer(base64.b64decode(data["scale"]), dtype="<f4").astype(np.float32)
    if scale.shape != (rows,):
        raise ValueError("the memory's scales do not match its rows")
    labels = {}
    for label, m in data["labels"].items():
        positive = np.asarray(m["positive"], dtype=np.intp)
        negative = np.asarray(m["negative"], dtype=np.intp)
        texts = tuple(str(t) for t in m["texts"])
        if len(texts) != len(positive) or not len(positive) or not len(negative) or (
                max(positive.max(), negative.max()) >= rows or min(positive.min(), negative.min()) < 0):
            raise ValueError(f"the memory of {label!r} names rows it does not have")
        labels[str(label)] = LabelMemory(positive, negative, texts)
    return Memory(dequantise(q, scale), labels, int(data["k"]), float(data["sharpness"]),
                  float(data["weight"]), float(data["gate"]))
