"""Learned draft-sentence heads: anti-patterns the coach's phrase cues miss, read sentence by sentence.

A head is a logistic regression over one draft sentence's MiniLM embedding (384 numbers), one per
anti-pattern (excuse, blame, argue, policy, minimise), trained by ``make models``
(`calmline.semantic.train_draft_heads`) on the train split of data/drafts and the example
sentences in coach.yaml `draft_heads`, its threshold chosen on the dev split together with what the
phrase cues already find. A sentence at or above a head's threshold is an Evidence (source
"model", the sentence's span, rule ``anti_patterns.<label>``) that the scanner adds to that
anti-pattern's phrase hits before its contextual checks, so the same rules still apply.

`DraftReader` is owned by an Engine: it holds the heads, the engine's encoder and a bounded LRU of
head probabilities keyed by sentence text, so reviewing draft after draft while the agent types
only encodes the sentence that changed. Nothing is kept at module level.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from calmline.engine.cues import Sentences
from calmline.engine.lru import LruCache
from calmline.errors import ModelError
from calmline.models.artifact_json import load_for_encoder, write_json_gz
from calmline.signals.base import Evidence

if TYPE_CHECKING:
    from calmline.playbook.coach_schema import CoachConfig
    from calmline.semantic.encoder import MiniLMEncoder

DEFAULT_DRAFT_HEADS = "draft_heads"
DIMENSION = 384
MIN_WORDS = 3  # "Hi Sam," and "Thanks," are not read
MAX_SENTENCES = 40  # a long email costs at most this many sentences
MAX_CHARS = 600  # a sentence longer than this is read by its first 600 characters
_WORD = re.compile(r"[A-Za-z']+")

Spans = tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class DraftHeads:
    """Heads for `labels`: p = sigmoid(coef · x + intercept) per label; a hit at p >= threshold."""

    name: str
    encoder_sha256: str
    labels: tuple[str, ...]
    coef: np.ndarray  # labels × 384
    intercept: np.ndarray  # labels
    thresholds: np.ndarray  # labels
    meta: dict[str, Any] = field(default_factory=dict)

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """One row per sentence, one column per label."""
        return 1.0 / (1.0 + np.exp(-(vectors @ self.coef.T + self.intercept)))


def draft_heads_to_dict(heads: DraftHeads) -> dict[str, Any]:
    return {"name": heads.name, "encoder_sha256": heads.encoder_sha256, "meta": heads.meta,
            "heads": [{"label": label, "threshold": round(float(heads.thresholds[i]), 4),
                       "intercept": round(float(heads.intercept[i]), 6),
                       "coef": [round(float(c), 6) for c in heads.coef[i]]}
                      for i, label in enumerate(heads.labels)]}


def draft_heads_from_dict(data: Mapping[str, Any]) -> DraftHeads:
    """Parsed and checked: 384 finite weights per head, a threshold in (0, 1), no label twice."""
    try:
        rows = list(data["heads"])
        labels = tuple(str(h["label"]) for h in rows)
        coef = np.asarray([h["coef"] for h in rows], dtype=np.float32).reshape(len(rows), -1)
        intercept = np.asarray([float(h["intercept"]) for h in rows], dtype=np.float32)
        thresholds = np.asarray([float(h["threshold"]) for h in rows], dtype=np.float32)
        heads = DraftHeads(str(data["name"]), str(data["encoder_sha256"]), labels, coef, intercept,
                           thresholds, dict(data.get("meta", {})))
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"draft heads file is malformed: {exc}") from exc
    problems = []
    if not labels:
        problems.append("it has no heads")
    if len(set(labels)) != len(labels):
        problems.append(f"a label appears twice ({sorted(labels)})")
    if coef.shape[1:] != (DIMENSION,):
        problems.append(f"each head needs {DIMENSION} weights, not {coef.shape[1:]}")
    if not (np.isfinite(coef).all() and np.isfinite(intercept).all()):
        problems.append("a weight is not a finite number")
    if not all(0.0 < t < 1.0 for t in thresholds.tolist()):
        problems.append(f"thresholds must lie between 0 and 1 ({thresholds.tolist()})")
    if problems:
        raise ModelError("draft heads file is malformed: " + "; ".join(problems))
    return heads


def dump_draft_heads(heads: DraftHeads, path: Path) -> None:
    """Write gzip JSON with fixed key order and no timestamp: the same heads, the same bytes."""
    write_json_gz(draft_heads_to_dict(heads), path)


def load_draft_heads(ref: str, encoder_sha256: str) -> DraftHeads:
    """A shipped artefact by name, or a team's file by path; refused if made for other weights."""
    return load_for_encoder(ref, draft_heads_from_dict, encoder_sha256, "draft heads")


def draft_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence worth reading: whitespace trimmed, at least MIN_WORDS words,
    at most MAX_SENTENCES of them. A sentence ends after its ". ! ?" run or at a line break."""
    sentences = text if isinstance(text, Sentences) else Sentences(text)
    bounds = [*zip((0, *sentences.ends), sentences.stops, strict=False), (
        sentences.ends[-1] if sentences.ends else 0, len(text))]
    found: list[tuple[int, int]] = []
    for start, end in bounds:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if len(_WORD.findall(text[start:end])) >= MIN_WORDS:
            found.append((start, end))
            if len(found) == MAX_SENTENCES:
                break
    return found


class DraftReader:
    """One engine's heads and encoder, and the probabilities of the sentences it has read.

    Safe to share between threads (the encoder may run concurrently; the cache takes its lock only
    around dictionary operations).
    """

    def __init__(self, heads: DraftHeads, encoder: MiniLMEncoder, *, labels: Iterable[str] | None = None,
                 weights: Mapping[str, float] | None = None, cache_size: int = 4096) -> None:
        keep = set(heads.labels) if labels is None else set(labels)
        self.heads = heads
        self.encoder = encoder
        self._rows = [(i, label) for i, label in enumerate(heads.labels) if label in keep]
        self._weights = dict(weights or {})
        self._probs: LruCache[str, np.ndarray] = LruCache(cache_size)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(label for _, label in self._rows)

    def sentence_probabilities(self, sentences: list[str]) -> np.ndarray:
        """One row per sentence, one column per head; only new sentences are encoded (in one call)."""
        out = np.zeros((len(sentences), len(self.heads.labels)), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        for row, sentence in enumerate(sentences):
            cached = self._probs.get(sentence)
            if cached is None:
                missing.setdefault(sentence, []).append(row)
            else:
                out[row] = cached
        if missing:
            texts = list(missing)
            probs = self.heads.probabilities(self.encoder.encode([t[:MAX_CHARS] for t in texts]))
            for text, p in zip(texts, probs, strict=True):
                self._probs.put(text, p)
                out[missing[text]] = p
        return out

    def strongest(self, text: str, floor: float) -> dict[str, Spans]:
        """The one anti-pattern the draft's sentences read most like, with its sentence, when its
        head gives at least `floor` (read for a reply that does nothing else: see `CueScanner.scan`)."""
        spans = draft_sentences(text)
        if not spans or not self._rows:
            return {}
        probs = self.sentence_probabilities([text[s:e] for s, e in spans])
        p, row, (index, label) = max((float(probs[r, i]), r, (i, lab))
                                     for r in range(len(spans)) for i, lab in self._rows)
        if math.isnan(p) or p < floor:
            return {}
        s, e = spans[row]
        return {label: (Evidence(s, e, text[s:e], "model", f"anti_patterns.{label}.bare_reply",
                                 self._weights.get(label, 0.0)),)}

    def find(self, text: str) -> dict[str, Spans]:
        """Each head's sentences at or above its threshold, as anti-pattern evidence."""
        spans = draft_sentences(text)
        if not spans or not self._rows:
            return {}
        probs = self.sentence_probabilities([text[s:e] for s, e in spans])
        found: dict[str, Spans] = {}
        for index, label in self._rows:
            threshold = float(self.heads.thresholds[index])
            hits = tuple(Evidence(s, e, text[s:e], "model", f"anti_patterns.{label}",
                                  self._weights.get(label, 0.0))
                         for (s, e), p in zip(spans, probs[:, index].tolist(), strict=True)
                         if p >= threshold and not math.isnan(p))
            if hits:
                found[label] = hits
        return found


def draft_reader(coach: CoachConfig, encoder: MiniLMEncoder | None, cache_size: int = 4096
                 ) -> DraftReader | None:
    """The coach's learned heads over `encoder`, or None: no encoder (the semantic tier is off or
    could not load) or no artefact named in coach.yaml `draft_heads` (phrase cues only)."""
    ref = coach.draft_heads.artefact
    if encoder is None or not ref:
        return None
    from calmline.semantic.encoder import WEIGHTS_SHA256

    heads = load_draft_heads(ref, WEIGHTS_SHA256)
    weights = {k: a.weight for k, a in coach.anti_patterns.items()}
    return DraftReader(heads, encoder, labels=coach.anti_patterns, weights=weights,
                       cache_size=cache_size)
