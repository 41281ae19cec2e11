"""Learned draft-sentence heads: anti-patterns the coach's phrase cues miss, read sentence by sentence.

A head is a logistic regression over one draft sentence's MiniLM embedding (384 numbers), one per
anti-pattern (excuse, blame, argue, policy, minimise), trained by ``make models``
(`calmline.semantic.train_draft_heads`) on the train split of data/drafts and the example
sentences in coach.yaml `draft_heads`, its threshold chosen on the train split by cross-validation
together with what the phrase cues already find (dev only reports how it does). A sentence at or
above a head's threshold is an Evidence (source "model", the sentence's span, rule
``anti_patterns.<label>``) that the scanner adds to that anti-pattern's phrase hits before its
contextual checks, so the same rules still apply.

Reply heads (`ReplyHeads`, in the same artefact) read the reply as a whole: a logistic regression
over the element-wise maximum and mean of its sentences' embeddings (768 numbers), one per
behaviour named in coach.yaml `draft_heads.replies`. Offering a fix or taking ownership has more
wordings than any phrase list ("I've put the delivery fee back on your card"); a reply head's hit
counts the behaviour when the phrase cues found none, as evidence on the sentence that reads most
like it on its own (rule ``behaviours.<label>.reply``). Anti-pattern reply heads (coach.yaml
`draft_heads.anti_replies`, the artefact's `anti_replies`) read the reply the same way for what a
draft does by what it weighs against the customer ("It's an extra £4, which still works out
cheaper than most of the other services" minimises without a minimising phrase); a hit adds
evidence (rule ``anti_patterns.<label>.reply``) on the sentence most like it, for the same
contextual checks as a sentence head's.

`DraftReader` is owned by an Engine: it holds the heads, the engine's encoder and a bounded LRU of
each sentence's embedding and head probabilities keyed by its text, so reviewing draft after draft
while the agent types only encodes the sentence that changed. Nothing is kept at module level.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
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
REPLY_DIMENSION = 2 * DIMENSION  # a reply: the maximum and the mean of its sentence vectors
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
    replies: ReplyHeads | None = None  # behaviour heads over whole replies (None: sentences only)
    anti_replies: ReplyHeads | None = None  # anti-pattern heads over whole replies

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """One row per sentence, one column per label."""
        return 1.0 / (1.0 + np.exp(-(vectors @ self.coef.T + self.intercept)))


def reply_features(vectors: np.ndarray) -> np.ndarray:
    """A reply's features from its sentence vectors (one row each): their maximum, then their mean."""
    return np.concatenate([vectors.max(0), vectors.mean(0)]).astype(np.float32)


@dataclass(frozen=True, slots=True)
class ReplyHeads:
    """Heads over whole replies, one per behaviour: p = sigmoid(coef · reply_features + intercept);
    a hit at p >= threshold."""

    labels: tuple[str, ...]
    coef: np.ndarray  # labels × 768
    intercept: np.ndarray  # labels
    thresholds: np.ndarray  # labels

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """One probability per head for the reply whose sentence vectors are `vectors`."""
        return 1.0 / (1.0 + np.exp(-(self.coef @ reply_features(vectors) + self.intercept)))

    def fired(self, rows: Sequence[tuple[int, str]], vectors: np.ndarray) -> list[tuple[str, int]]:
        """For each of `rows` (head index, label) at or above its threshold for the reply whose
        sentence vectors are `vectors` (NaN never is): the label and the index of the sentence
        that reads most like it on its own, where the hit is shown."""
        probs = self.probabilities(vectors)
        hits = [(i, label) for i, label in rows if probs[i] >= self.thresholds[i]]
        if not hits:
            return []
        alone = self.each_sentence(vectors)
        return [(label, int(alone[:, i].argmax())) for i, label in hits]

    def each_sentence(self, vectors: np.ndarray) -> np.ndarray:
        """One row per sentence, one column per head: each sentence read as if it were the reply
        (where a hit is shown: the sentence that reads most like the label on its own)."""
        both = np.hstack([vectors, vectors])
        return 1.0 / (1.0 + np.exp(-(both @ self.coef.T + self.intercept)))


def _head_rows(labels: Sequence[str], coef: np.ndarray, intercept: np.ndarray,
               thresholds: np.ndarray) -> list[dict[str, Any]]:
    return [{"label": label, "threshold": round(float(thresholds[i]), 4),
             "intercept": round(float(intercept[i]), 6), "coef": [round(float(c), 6) for c in coef[i]]}
            for i, label in enumerate(labels)]


def draft_heads_to_dict(heads: DraftHeads) -> dict[str, Any]:
    data = {"name": heads.name, "encoder_sha256": heads.encoder_sha256, "meta": heads.meta,
            "heads": _head_rows(heads.labels, heads.coef, heads.intercept, heads.thresholds)}
    if heads.replies is not None:
        r = heads.replies
        data["replies"] = _head_rows(r.labels, r.coef, r.intercept, r.thresholds)
    if heads.anti_replies is not None:
        a = heads.anti_replies
        data["anti_replies"] = _head_rows(a.labels, a.coef, a.intercept, a.thresholds)
    return data


def _parsed_heads(rows: list[Any], width: int, what: str
                  ) -> tuple[tuple[str, ...], np.ndarray, np.ndarray, np.ndarray, list[str]]:
    labels = tuple(str(h["label"]) for h in rows)
    coef = np.asarray([h["coef"] for h in rows], dtype=np.float32).reshape(len(rows), -1)
    intercept = np.asarray([float(h["intercept"]) for h in rows], dtype=np.float32)
    thresholds = np.asarray([float(h["threshold"]) for h in rows], dtype=np.float32)
    problems = []
    if not labels:
        problems.append(f"it has no {what}")
    if len(set(labels)) != len(labels):
        problems.append(f"a label appears twice among the {what} ({sorted(labels)})")
    if coef.shape[1:] != (width,):
        problems.append(f"each of the {what} needs {width} weights, not {coef.shape[1:]}")
    if not (np.isfinite(coef).all() and np.isfinite(intercept).all()):
        problems.append(f"a weight of the {what} is not a finite number")
    if not all(0.0 < t < 1.0 for t in thresholds.tolist()):
        problems.append(f"thresholds of the {what} must lie between 0 and 1 ({thresholds.tolist()})")
    return labels, coef, intercept, thresholds, problems


def draft_heads_from_dict(data: Mapping[str, Any]) -> DraftHeads:
    """Parsed and checked: 384 finite weights per sentence head (768 per reply head), a threshold
    in (0, 1), no label twice. A file without reply heads of either kind (an earlier one, or a
    team's own) still loads: its replies are read sentence by sentence only."""
    try:
        labels, coef, intercept, thresholds, problems = _parsed_heads(
            list(data["heads"]), DIMENSION, "heads")
        whole: dict[str, ReplyHeads | None] = {"replies": None, "anti_replies": None}
        for key, what in (("replies", "reply heads"), ("anti_replies", "anti-pattern reply heads")):
            if data.get(key) is not None:
                r_labels, r_coef, r_intercept, r_thresholds, more = _parsed_heads(
                    list(data[key]), REPLY_DIMENSION, what)
                problems += more
                whole[key] = ReplyHeads(r_labels, r_coef, r_intercept, r_thresholds)
        heads = DraftHeads(str(data["name"]), str(data["encoder_sha256"]), labels, coef, intercept,
                           thresholds, dict(data.get("meta", {})), whole["replies"],
                           whole["anti_replies"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"draft heads file is malformed: {exc}") from exc
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
    found: list[tuple[int, int]] = []
    for start, end in sentences.trimmed():
        if len(_WORD.findall(text[start:end])) >= MIN_WORDS:
            found.append((start, end))
            if len(found) == MAX_SENTENCES:
                break
    return found


class DraftReader:
    """One engine's heads and encoder, and the sentences it has read (embedding and head
    probabilities, by text).

    Safe to share between threads (the encoder may run concurrently; the cache takes its lock only
    around dictionary operations).
    """

    def __init__(self, heads: DraftHeads, encoder: MiniLMEncoder, *, labels: Iterable[str] | None = None,
                 weights: Mapping[str, float] | None = None, cache_size: int = 4096,
                 behaviours: Iterable[str] | None = None) -> None:
        keep = set(heads.labels) if labels is None else set(labels)
        self.heads = heads
        self.encoder = encoder
        self._rows = [(i, label) for i, label in enumerate(heads.labels) if label in keep]
        # reply heads of the coach's own behaviours (a team's coach may have dropped one)
        known = None if behaviours is None else set(behaviours)
        replies = heads.replies.labels if heads.replies is not None else ()
        self._reply_rows = [(i, label) for i, label in enumerate(replies)
                            if known is None or label in known]
        anti = heads.anti_replies.labels if heads.anti_replies is not None else ()
        self._anti_rows = [(i, label) for i, label in enumerate(anti) if label in keep]
        self._weights = dict(weights or {})
        self._sentences: LruCache[str, tuple[np.ndarray, np.ndarray]] = LruCache(cache_size)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(label for _, label in self._rows)

    def _read(self, sentences: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(vectors, head probabilities), one row per sentence; only new sentences are encoded
        (in one call)."""
        vectors = np.zeros((len(sentences), DIMENSION), dtype=np.float32)
        probs = np.zeros((len(sentences), len(self.heads.labels)), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        for row, sentence in enumerate(sentences):
            cached = self._sentences.get(sentence)
            if cached is None:
                missing.setdefault(sentence, []).append(row)
            else:
                vectors[row], probs[row] = cached
        if missing:
            texts = list(missing)
            new = np.asarray(self.encoder.encode([t[:MAX_CHARS] for t in texts]), dtype=np.float32)
            new_probs = self.heads.probabilities(new)
            for text, v, p in zip(texts, new, new_probs, strict=True):
                self._sentences.put(text, (v, p))
                vectors[missing[text]] = v
                probs[missing[text]] = p
        return vectors, probs

    def vectors(self, sentences: list[str]) -> np.ndarray:
        """One embedding per sentence (encoded once, then cached)."""
        return self._read(sentences)[0]

    def sentence_probabilities(self, sentences: list[str]) -> np.ndarray:
        """One row per sentence, one column per head."""
        return self._read(sentences)[1]

    def _reply_read(self, text: str) -> tuple[list[tuple[int, int]], np.ndarray] | None:
        """(sentence spans, their vectors); None without reply heads or a sentence worth reading."""
        spans = draft_sentences(text)
        if not spans or self.heads.replies is None:
            return None
        return spans, self._read([text[s:e] for s, e in spans])[0]

    def reply_probabilities(self, text: str) -> np.ndarray | None:
        """Each reply head's probability for the whole reply (None: no reply heads, or no sentence
        worth reading)."""
        read = self._reply_read(text)
        replies = self.heads.replies
        return replies.probabilities(read[1]) if read is not None and replies is not None else None

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

    def find(self, text: str, whole: bool = True) -> dict[str, Spans]:
        """Each head's sentences at or above its threshold, as anti-pattern evidence; then, with
        `whole`, each anti-pattern reply head at or above its threshold, for a label no sentence
        head found, as evidence on the sentence that reads most like it on its own. The reviewer
        reads the whole reply only against a complaint (`DraftContext.complaint`): the heads learnt
        from replies to upset customers, and read a plain answer to a calm question as arguing."""
        spans = draft_sentences(text)
        if not spans or not (self._rows or self._anti_rows):
            return {}
        vectors, probs = self._read([text[s:e] for s, e in spans])
        found: dict[str, Spans] = {}
        for index, label in self._rows:
            threshold = float(self.heads.thresholds[index])
            hits = tuple(Evidence(s, e, text[s:e], "model", f"anti_patterns.{label}",
                                  self._weights.get(label, 0.0))
                         for (s, e), p in zip(spans, probs[:, index].tolist(), strict=True)
                         if p >= threshold and not math.isnan(p))
            if hits:
                found[label] = hits
        heads = self.heads.anti_replies
        if heads is None or not self._anti_rows or not whole:
            return found
        rows = [(i, label) for i, label in self._anti_rows if label not in found]
        for label, at in heads.fired(rows, vectors):
            s, e = spans[at]
            found[label] = (Evidence(s, e, text[s:e], "model", f"anti_patterns.{label}.reply",
                                     self._weights.get(label, 0.0)),)
        return found

    def find_behaviours(self, text: str) -> dict[str, Spans]:
        """Each reply head at or above its threshold, as evidence of its behaviour on the sentence
        that reads most like it on its own."""
        replies = self.heads.replies
        read = self._reply_read(text) if self._reply_rows else None
        if read is None or replies is None:
            return {}
        spans, vectors = read
        found: dict[str, Spans] = {}
        for label, at in replies.fired(self._reply_rows, vectors):
            s, e = spans[at]
            found[label] = (Evidence(s, e, text[s:e], "model", f"behaviours.{label}.reply"),)
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
                       cache_size=cache_size, behaviours=coach.behaviours)
