"""Small linear heads on the sentence embeddings, trained on the team's own labelled sets.

A head is a logistic regression over one embedding (384 numbers) with the decision threshold chosen
on the dev split. Flag, want and cause heads read every sentence of a message, and the mean of them,
and keep the highest probability, so a danger sentence buried in a billing complaint still counts.
The level head reads the message's mean embedding and the fast path's score (`LevelHead`).
The danger labels' heads are read together with the team's labelled sentences (`memory`,
semantic/memory.py), stored in the same file.
`make models` trains them (`python -m calmline.semantic.train_heads`); a team can train its
own from corrections and name the file in its playbook (`semantic.heads`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from calmline.errors import ModelError
from calmline.models.artifact_json import load_for_encoder, write_json_gz
from calmline.semantic.memory import Memory, memory_from_dict, memory_to_dict, quantise

DEFAULT_HEADS = "semantic_heads"


@dataclass(frozen=True, slots=True)
class Head:
    """One label's head: p = sigmoid(coef · x + intercept), fires at p >= threshold.

    A danger label also has a lower `watch` threshold: between the two the message is not flagged
    or routed, but the agent is told to check (a missed danger is the worst error calmline can make;
    routing every sad or cross message to security is the second worst).
    """

    section: str
    label: str
    coef: np.ndarray
    intercept: float
    threshold: float
    watch: float | None = None

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(vectors @ self.coef + self.intercept)))


@dataclass(frozen=True, slots=True)
class LevelHead:
    """Which level the message reads as: a multinomial logistic regression over the message's mean
    embedding and the fast path's anger score, giving the probability of each level.

    `score` is the expected anger (each level's probability times the middle of its band).
    """

    coef: np.ndarray  # levels × (384 + 1)
    intercept: np.ndarray  # levels
    values: np.ndarray  # the middle of each level's band, in the order of `coef`'s rows

    def probabilities(self, vector: np.ndarray, fast_score: float) -> np.ndarray:
        logits = self.coef @ np.append(vector, fast_score) + self.intercept
        logits = np.exp(logits - logits.max())
        return logits / logits.sum()

    def score(self, vector: np.ndarray, fast_score: float) -> float:
        return float(self.probabilities(vector, fast_score) @ self.values)


@dataclass(frozen=True, slots=True)
class Heads:
    name: str
    encoder_sha256: str
    heads: dict[tuple[str, str], Head] = field(default_factory=dict)
    level: LevelHead | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    memory: Memory | None = None  # the danger labels' labelled sentences (semantic/memory.py)

    def head(self, section: str, label: str) -> Head | None:
        return self.heads.get((section, label))


def heads_to_dict(heads: Heads) -> dict[str, Any]:
    memory = None
    if heads.memory is not None:
        q, scale = quantise(heads.memory.bank)
        memory = memory_to_dict(q, scale, heads.memory)
    return {"memory": memory,
        "name": heads.name, "encoder_sha256": heads.encoder_sha256, "meta": heads.meta,
        "heads": [{"section": h.section, "label": h.label, "threshold": round(h.threshold, 4),
                   "watch": None if h.watch is None else round(h.watch, 4),
                   "intercept": round(h.intercept, 6), "coef": [round(float(c), 6) for c in h.coef]}
                  for h in heads.heads.values()],
        "level": None if heads.level is None else {
            "intercept": [round(float(c), 6) for c in heads.level.intercept],
            "values": [round(float(c), 6) for c in heads.level.values],
            "coef": [[round(float(c), 6) for c in row] for row in heads.level.coef]},
    }


def heads_from_dict(data: dict[str, Any]) -> Heads:
    try:
        parsed = {
            (h["section"], h["label"]): Head(h["section"], h["label"], np.asarray(h["coef"], np.float32),
                                             float(h["intercept"]), float(h["threshold"]),
                                             None if h.get("watch") is None else float(h["watch"]))
            for h in data["heads"]}
        level = data.get("level")
        return Heads(str(data["name"]), str(data["encoder_sha256"]), parsed,
                     LevelHead(np.asarray(level["coef"], np.float32),
                               np.asarray(level["intercept"], np.float32),
                               np.asarray(level["values"], np.float32)) if level else None,
                     dict(data.get("meta", {})),
                     memory_from_dict(data["memory"]) if data.get("memory") else None)
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"semantic heads file is malformed: {exc}") from exc


def dump_heads(heads: Heads, path: Path) -> None:
    """Gzip JSON with fixed key order and no timestamp: the same heads, the same bytes."""
    write_json_gz(heads_to_dict(heads), path)


def load_heads(ref: str, encoder_sha256: str) -> Heads:
    """A shipped heads artefact by name, or a team's file by path; refused if made for other weights."""
    return load_for_encoder(ref, heads_from_dict, encoder_sha256, "semantic heads")
