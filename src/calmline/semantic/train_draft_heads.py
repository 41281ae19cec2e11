"""Train the coach's learned draft heads: ``python -m calmline.semantic.train_draft_heads`` (run by
``make models``).

One logistic regression per anti-pattern named in coach.yaml `draft_heads.labels`, over the MiniLM
embedding of one draft sentence. Training data: the train split of data/drafts and the example
sentences and near misses written for each anti-pattern in coach.yaml. Every threshold is chosen on
the train split by cross-validation (below); the dev split is read once at the end, to report how
the chosen heads do on drafts nothing was fitted or chosen on (`meta.dev`); the test split is never
read here (its rows are dropped as they are loaded).

Multiple-instance learning: a draft labelled `excuse` has one excusing sentence among ordinary
ones. Its positive instance is the sentence closest to the label's examples; its other sentences
are left out (they may or may not excuse). Every sentence of a draft without the label is a
negative (those of good drafts weigh GOOD_WEIGHT), and so is every near miss.

Cross-validation: the train drafts are cut into FOLDS folds by the customer message they answer
(the drafts written for one message share its situation and often its wording, so they stay in
one fold). Each fold's drafts are reviewed with heads trained without that fold, so every train
draft is read by heads that never saw it, as a new draft will be. A threshold is chosen on those
reviews; the shipped heads are then trained on the whole train split and keep it.

Thresholds: each head's, in turn (0.20 to 0.95), with the coach read as reviews read it (phrase
cues or the head, then the anti-pattern's contextual check). A threshold qualifies when it blocks
no more of the train drafts with no anti-pattern than the phrase cues alone do, the head fires on
at least one draft and is right on at least MIN_PRECISION of those, the drafts it adds the label to
are right at least MIN_ADDED_PRECISION of the time, and the anti-pattern's F1 is no lower than with
the phrase cues alone. Of the qualifying thresholds with the best F1, the middle one is kept; with
none, the head is kept at 0.99 (off in practice). The grid reaches below 0.5 because a head's
probabilities sit low: each positive draft gives one sentence and every sentence of every other
draft is a negative (about ten to one), so a head that ranks well may never reach 0.5; the rules
above, not the probability, say whether a hit is worth showing.

Reply heads (coach.yaml `draft_heads.replies`): one logistic regression per behaviour over a whole
train draft's features (the maximum and the mean of its sentence vectors), the draft's own label
as the target; no multiple-instance step is needed. With the sentence heads at their thresholds,
each reply head's threshold is then chosen the same way: its own hits are right at least
MIN_PRECISION of the time and the behaviour's F1 is no lower than without it; the middle of the
best ones is kept, and with none the head is kept off (0.99).

Anti-pattern reply heads (coach.yaml `draft_heads.anti_replies`): the same over whole train drafts
with each draft's anti-patterns as targets, plus the team's labelled agent sentences
(tests/data/agent_replies.jsonl) and the draft heads' examples and near misses, each read as a
one-sentence reply: the hard negatives (a bare clarifying question, a plain answer) that the
drafts, whose good replies nearly all apologise first, lack. With every other head at its
threshold, each one's threshold is chosen by the sentence heads' three rules.

Fixed seed, fixed folds, fixed order, deterministic solver, BLAS on one thread
(models/reproducible.py): two runs on one machine give the same artefact, byte for byte (`make
models-check`). The heads are chosen with the engine as shipped, so they are retrained after the
semantic heads (make models does both, in that order).
"""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from rich.console import Console
from sklearn.linear_model import LogisticRegression

from calmline.engine.analyzer import Analyzer
from calmline.engine.core import Engine
from calmline.engine.draft_heads import (
    DEFAULT_DRAFT_HEADS,
    DraftHeads,
    DraftReader,
    ReplyHeads,
    draft_sentences,
    dump_draft_heads,
    reply_features,
)
from calmline.evaluation.coach_tasks import load_agent_replies
from calmline.evaluation.drafts_set import DraftRow, load_drafts
from calmline.models.reproducible import training_threads
from calmline.playbook import load_playbook
from calmline.playbook.coach_loader import default_coach
from calmline.playbook.coach_schema import CoachConfig
from calmline.semantic.encoder import WEIGHTS_SHA256, MiniLMEncoder

SEED = 13
C = 4.0
REPLY_C = 1.0  # a reply head has twice the features and one row per draft: more regularised
EXAMPLE_WEIGHT = 1.0  # each written example counts as much as one labelled draft
# A sentence of a good draft (no anti-pattern at all) weighs this much as a negative: a head that
# fires there blocks a reply a team lead would send, the costliest mistake; one that fires on a
# draft with another anti-pattern only names the wrong one.
GOOD_WEIGHT = 3.0
# A labelled one-sentence reply with no anti-pattern, as a row of an anti-pattern reply head
GOOD_SENTENCE_WEIGHT = 5.0
# The team's labelled agent sentences (behaviours and anti-patterns), written for the phrase cues
AGENT_SENTENCES = Path(__file__).resolve().parents[3] / "tests" / "data" / "agent_replies.jsonl"
GRID = tuple(round(0.20 + 0.025 * i, 3) for i in range(31))  # 0.20 … 0.95
OFF = 0.99
# The lowest threshold an anti-pattern reply head may get. It learns from one row per reply, not
# from ten sentences per positive as a sentence head does, so its probabilities do not sit low and
# need no search from 0.2: at 0.225 the minimise head flagged "Please switch it off at the wall and
# open a window. Is anyone feeling unwell?" (0.23) for a little more F1 (then chosen on dev).
ANTI_REPLY_FLOOR = 0.3
MIN_PRECISION = 0.6  # a head's own hits must be right this often
# ... and an anti-pattern head's added hits (drafts flagged with its label with the head and not
# without it) this often: right less often, they buy recall with the coach's precision. Read on the
# cross-validated train reviews; the phrase cues alone are right about 0.8 of the time there, and a
# head held to 0.7 leaves that where it is (0.6 lowered it, 0.8 left most heads off)
MIN_ADDED_PRECISION = 0.7
console = Console(stderr=True)


@dataclass(frozen=True, slots=True)
class Embedded:
    row: DraftRow
    vectors: np.ndarray  # one row per sentence draft_sentences() reads


def embed_drafts(encoder: MiniLMEncoder, rows: Sequence[DraftRow]) -> list[Embedded]:
    out = []
    for row in rows:
        spans = draft_sentences(row.text)
        if spans:
            out.append(Embedded(row, encoder.encode([row.text[s:e] for s, e in spans])))
    return out


def train_head(label: str, examples: np.ndarray, near: np.ndarray, train: Sequence[Embedded]
               ) -> tuple[np.ndarray, float, int]:
    """(coef, intercept, positive drafts) of one label's logistic regression."""
    features = [examples, near]
    targets = [np.ones(len(examples)), np.zeros(len(near))]
    weights = [np.full(len(examples), EXAMPLE_WEIGHT), np.ones(len(near))]
    positives = 0
    for item in train:
        if label in item.row.anti_patterns:
            closest = int((item.vectors @ examples.T).max(1).argmax())
            features.append(item.vectors[closest][None])
            targets.append(np.ones(1))
            weights.append(np.ones(1))
            positives += 1
        else:
            features.append(item.vectors)
            targets.append(np.zeros(len(item.vectors)))
            weights.append(np.full(len(item.vectors), 1.0 if item.row.anti_patterns else GOOD_WEIGHT))
    model = LogisticRegression(C=C, max_iter=5000, random_state=SEED, solver="lbfgs").fit(
        np.vstack(features), np.concatenate(targets), sample_weight=np.concatenate(weights))
    return model.coef_[0].astype(np.float32), float(model.intercept_[0]), positives


def train_reply_heads(labels: Sequence[str], train: Sequence[Embedded]) -> ReplyHeads:
    """One logistic regression per behaviour over whole train drafts, the draft's label as target."""
    features = np.vstack([reply_features(item.vectors) for item in train])
    coefs, intercepts = [], []
    for label in labels:
        target = np.asarray([label in item.row.behaviours for item in train], dtype=float)
        model = LogisticRegression(C=REPLY_C, max_iter=5000, random_state=SEED, solver="lbfgs").fit(
            features, target)
        coefs.append(model.coef_[0].astype(np.float32))
        intercepts.append(float(model.intercept_[0]))
    return ReplyHeads(tuple(labels), np.vstack(coefs), np.asarray(intercepts, dtype=np.float32),
                      np.full(len(labels), OFF, np.float32))


def train_anti_reply_heads(labels: Sequence[str], train: Sequence[Embedded], sentences: Labelled
                           ) -> ReplyHeads:
    """One logistic regression per anti-pattern over whole train drafts and the team's labelled
    single sentences (each read as a one-sentence reply), the label as target. The sentences are
    the hard negatives drafts lack: without them a clarifying question ("What postcode did you use
    for the order?") read as blame, since the team's good drafts nearly all apologise first."""
    features = np.vstack([*(reply_features(item.vectors) for item in train),
                          np.hstack([sentences.vectors, sentences.vectors])])
    weights = np.concatenate([np.ones(len(train)), sentences.weights])
    coefs, intercepts = [], []
    for label in labels:
        target = np.asarray([label in item.row.anti_patterns for item in train]
                            + [label in found for found in sentences.labels], dtype=float)
        model = LogisticRegression(C=REPLY_C, max_iter=5000, random_state=SEED, solver="lbfgs").fit(
            features, target, sample_weight=weights)
        coefs.append(model.coef_[0].astype(np.float32))
        intercepts.append(float(model.intercept_[0]))
    return ReplyHeads(tuple(labels), np.vstack(coefs), np.asarray(intercepts, dtype=np.float32),
                      np.full(len(labels), OFF, np.float32))


@dataclass(frozen=True, slots=True)
class Labelled:
    """One-sentence replies with their anti-patterns (empty: none) and their weight as rows."""

    vectors: np.ndarray
    labels: list[frozenset[str]]
    weights: np.ndarray


def labelled_sentences(coach: CoachConfig, encoder: MiniLMEncoder, replies: Path) -> Labelled:
    """The team's labelled agent sentences (`replies`, tests/data/agent_replies.jsonl: its labels
    mix behaviours and anti-patterns; only the coach's anti-patterns are kept), then each draft
    head's examples (labelled with their anti-pattern) and near misses (none). A sentence with no
    anti-pattern weighs GOOD_SENTENCE_WEIGHT: flagging it would block a good reply."""
    known = set(coach.anti_patterns)
    rows = list(load_agent_replies(replies))
    texts = [row.text for row in rows]
    labels = [row.labels & known for row in rows]
    for label, spec in coach.draft_heads.labels.items():
        texts += [*spec.examples, *spec.near_misses]
        labels += [frozenset({label})] * len(spec.examples) + [frozenset()] * len(spec.near_misses)
    weights = np.asarray([1.0 if found else GOOD_SENTENCE_WEIGHT for found in labels])
    return Labelled(np.asarray(encoder.encode(texts), dtype=np.float32), labels, weights)


FOLDS = 5


def fold_of(row: DraftRow) -> int:
    """A train draft's cross-validation fold, by the customer message it answers (the drafts
    written for one message share its situation, and often its words: they stay together)."""
    return int(hashlib.sha1(row.customer.encode("utf-8")).hexdigest(), 16) % FOLDS


@dataclass(frozen=True, slots=True)
class Read:
    """What a review found: behaviours, anti-patterns, and whether it blocked a draft with no gold
    anti-pattern (a reply a team lead would send)."""

    behaviours: frozenset[str]
    anti_patterns: frozenset[str]
    blocked: bool


@dataclass(frozen=True, slots=True)
class Thresholds:
    """One threshold per head of each kind (None: that kind is not read)."""

    heads: np.ndarray
    replies: np.ndarray | None = None
    anti_replies: np.ndarray | None = None

    def with_kind(self, kind: str, values: np.ndarray) -> Thresholds:
        return replace(self, **{kind: values})


class Reviews:
    """Reviews drafts the way `calmline eval drafts` does, each part's drafts with that part's
    heads (in cross-validation, a fold's drafts with the heads trained without it) at the
    thresholds asked for. Each draft is reviewed once per set of head hits it gets: most trials
    change a few drafts."""

    def __init__(self, engine: Engine, parts: Sequence[tuple[Sequence[DraftRow], DraftHeads]],
                 reader: Callable[[DraftHeads], DraftReader]) -> None:
        self.engine = engine
        self.parts = [(rows, reader(heads)) for rows, heads in parts]
        self._heads = [heads for _, heads in parts]  # as fitted: `read` sets their thresholds
        self.rows = [row for rows, _ in self.parts for row in rows]
        self._memo: dict[tuple[int, object], Read] = {}
        # each draft's part, then its head probabilities: one row per sentence for the sentence
        # heads, one value per head for each kind of reply heads (None: no sentence worth reading)
        self.probs: list[tuple[int, np.ndarray | None, np.ndarray | None, np.ndarray | None]] = []
        for part, (rows, read) in enumerate(self.parts):
            for row in rows:
                spans = draft_sentences(row.text)
                if not spans:
                    self.probs.append((part, None, None, None))
                    continue
                texts = [row.text[s:e] for s, e in spans]
                vectors = read.vectors(texts)
                replies, anti = read.heads.replies, read.heads.anti_replies
                self.probs.append((part, read.sentence_probabilities(texts),
                                   replies.probabilities(vectors) if replies is not None else None,
                                   anti.probabilities(vectors) if anti is not None else None))

    def peaks(self, kind: str, index: int) -> list[float]:
        """Each draft's probability for one head before any check (a sentence head's: its most
        likely sentence)."""
        at = {"heads": 1, "replies": 2, "anti_replies": 3}[kind]
        out = []
        for probs in self.probs:
            found = probs[at]
            assert not isinstance(found, int)
            out.append(0.0 if found is None else float(found[:, index].max() if at == 1 else found[index]))
        return out

    def read(self, thresholds: Thresholds) -> list[Read]:
        """Every draft's review with the heads at `thresholds`."""
        for (_, reader), heads in zip(self.parts, self._heads, strict=True):
            reader.heads = replace(
                heads, thresholds=thresholds.heads.astype(np.float32),
                replies=_at(heads.replies, thresholds.replies),
                anti_replies=_at(heads.anti_replies, thresholds.anti_replies))
        out = []
        for index, (row, probs) in enumerate(zip(self.rows, self.probs, strict=True)):
            part, sentence, replies, anti = probs
            key = (index, None if sentence is None else (
                tuple(tuple(np.flatnonzero(sentence[:, i] >= t).tolist())
                      for i, t in enumerate(thresholds.heads.tolist())),
                _over(replies, thresholds.replies), _over(anti, thresholds.anti_replies)))
            if key not in self._memo:
                self.engine.learned = self.parts[part][1]
                turns = [{"role": "customer", "text": row.customer}] if row.customer.strip() else []
                review = self.engine.review(row.text, turns)
                self._memo[key] = Read(frozenset(c.label for c in review.behaviours if c.found),
                                       frozenset(a.label for a in review.anti_patterns),
                                       review.verdict == "blocked" and not row.anti_patterns)
            out.append(self._memo[key])
        return out


def _at(heads: ReplyHeads | None, thresholds: np.ndarray | None) -> ReplyHeads | None:
    """Reply heads at `thresholds`, or None when that kind is not read."""
    if heads is None or thresholds is None:
        return None
    return replace(heads, thresholds=thresholds.astype(np.float32))


def _off(thresholds: np.ndarray | None) -> np.ndarray | None:
    return None if thresholds is None else np.full(len(thresholds), OFF, np.float32)


def _over(probs: np.ndarray | None, thresholds: np.ndarray | None) -> tuple[bool, ...]:
    if probs is None or thresholds is None:
        return ()
    return tuple(bool(x) for x in probs >= thresholds)


def choose(reviews: Reviews, kind: str, labels: Sequence[str], fixed: Thresholds
           ) -> tuple[np.ndarray, dict[str, object]]:
    """Each head's threshold of one kind ("heads", "replies" or "anti_replies") in turn, the
    others at theirs and every other kind at `fixed`, as the module doc says. Anti-pattern heads
    also may block no more good drafts than without any head of their kind, and anti-pattern reply
    heads start from ANTI_REPLY_FLOOR."""
    anti = kind != "replies"
    grid = [t for t in GRID if t >= ANTI_REPLY_FLOOR] if kind == "anti_replies" else list(GRID)
    thresholds = np.full(len(labels), OFF, dtype=np.float32)
    read = reviews.read(fixed.with_kind(kind, thresholds))
    base_blocked = sum(r.blocked for r in read)
    report: dict[str, object] = {"good_blocked_without": base_blocked} if anti else {}

    def found(r: Read, label: str) -> bool:
        return label in (r.anti_patterns if anti else r.behaviours)

    for index, label in enumerate(labels):
        gold = [label in (row.anti_patterns if anti else row.behaviours) for row in reviews.rows]
        before = _f1(gold, [found(r, label) for r in read])[0]
        peaks = reviews.peaks(kind, index)
        fit: list[tuple[float, float]] = []
        for t in grid:
            trial = thresholds.copy()
            trial[index] = t
            tried = reviews.read(fixed.with_kind(kind, trial))
            f = _f1(gold, [found(r, label) for r in tried])[0]
            fires = [p >= t for p in peaks]
            added = [found(new, label) and not found(old, label)
                     for new, old in zip(tried, read, strict=True)]
            if ((not anti or sum(r.blocked for r in tried) <= base_blocked) and any(fires)
                    and _own_precision(gold, fires) >= MIN_PRECISION
                    and (not anti or _own_precision(gold, added) >= MIN_ADDED_PRECISION)
                    and f >= before - 1e-9):
                fit.append((t, f))
        thresholds[index], best_f = _middle_of_best(fit, before)
        read = reviews.read(fixed.with_kind(kind, thresholds))
        chosen = float(thresholds[index])
        report[label] = {"threshold": round(chosen, 3), "cv_f1": round(best_f, 4),
                         "cv_f1_before": round(before, 4)}
        what = {"heads": "draft head", "replies": "reply head", "anti_replies": "anti-pattern reply head"}
        console.print(f"{what[kind]} {label}: threshold {chosen:.3f} (train cross-validated F1 "
                      f"{before:.3f} without it, {best_f:.3f} with it)")
    return thresholds, report


def _own_precision(gold: Sequence[bool], fires: Sequence[bool]) -> float:
    """How often `fires` (a head's hits, or the drafts it adds its label to) are right."""
    return sum(g and h for g, h in zip(gold, fires, strict=True)) / max(1, sum(fires))


def _middle_of_best(fit: Sequence[tuple[float, float]], before: float) -> tuple[float, float]:
    """(threshold, F1): the middle of the qualifying thresholds with the best F1 (a small shift of
    the scores changes nothing), or OFF and `before` when none qualifies."""
    best_f = max((f for _, f in fit), default=before)
    plateau = [t for t, f in fit if f >= best_f - 1e-9]
    return (plateau[(len(plateau) - 1) // 2] if plateau else OFF), best_f


def _f1(gold: Sequence[bool], pred: Sequence[bool]) -> tuple[float, float, float]:
    tp = sum(g and p for g, p in zip(gold, pred, strict=True))
    fp = sum(p and not g for g, p in zip(gold, pred, strict=True))
    fn = sum(g and not p for g, p in zip(gold, pred, strict=True))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return (2 * precision * recall / (precision + recall) if tp else 0.0), precision, recall


@dataclass(frozen=True, slots=True)
class Fitted:
    """Heads of every kind fitted on some train drafts, their thresholds off."""

    heads: DraftHeads
    positives: dict[str, dict[str, int]]


def fit_heads(coach: CoachConfig, encoder: MiniLMEncoder, train: Sequence[Embedded],
              sentences: Labelled | None) -> Fitted:
    """Every head the coach names, fitted on `train` (and the examples, near misses and, for the
    anti-pattern reply heads, the labelled sentences), each kept off (OFF) until chosen."""
    labels = tuple(coach.draft_heads.labels)
    coefs, intercepts, counts = [], [], {}
    for label in labels:
        spec = coach.draft_heads.labels[label]
        coef, intercept, positives = train_head(label, encoder.encode(spec.examples),
                                                encoder.encode(spec.near_misses), train)
        coefs.append(coef)
        intercepts.append(intercept)
        counts[label] = {"train_drafts": positives, "examples": len(spec.examples),
                         "near_misses": len(spec.near_misses)}
    replies = (train_reply_heads(tuple(coach.draft_heads.replies), train)
               if coach.draft_heads.replies else None)
    anti = (train_anti_reply_heads(tuple(coach.draft_heads.anti_replies), train, sentences)
            if coach.draft_heads.anti_replies and sentences is not None else None)
    heads = DraftHeads(DEFAULT_DRAFT_HEADS, WEIGHTS_SHA256, labels, np.vstack(coefs),
                       np.asarray(intercepts, dtype=np.float32), np.full(len(labels), OFF, np.float32),
                       replies=replies, anti_replies=anti)
    return Fitted(heads, counts)


def _only(heads: DraftHeads, kinds: set[str]) -> DraftHeads:
    """`heads` with only the reply-head kinds in `kinds` (the others not read)."""
    return replace(heads, replies=heads.replies if "replies" in kinds else None,
                   anti_replies=heads.anti_replies if "anti_replies" in kinds else None)


def dev_report(reviews: Reviews, thresholds: Thresholds, fitted: DraftHeads) -> dict[str, object]:
    """How the chosen heads do on dev, which chose nothing: each anti-pattern head's F1 with the
    phrase cues alone and with every head, each reply head's F1 without the reply heads and with,
    and the good drafts blocked without any head and with all of them."""
    off = Thresholds(np.full(len(thresholds.heads), OFF, np.float32), _off(thresholds.replies),
                     _off(thresholds.anti_replies))
    cues, full = reviews.read(off), reviews.read(thresholds)
    no_replies = reviews.read(replace(thresholds, replies=off.replies))
    rows = reviews.rows

    def f1(read: list[Read], label: str, anti: bool) -> float:
        gold = [label in (row.anti_patterns if anti else row.behaviours) for row in rows]
        return round(_f1(gold, [label in (r.anti_patterns if anti else r.behaviours) for r in read])[0], 4)

    report: dict[str, object] = {"drafts": len(rows), "cues_only_good_blocked": sum(r.blocked for r in cues),
                                 "good_blocked": sum(r.blocked for r in full)}
    for label in fitted.labels:
        report[label] = {"dev_f1": f1(full, label, True), "dev_f1_cues_only": f1(cues, label, True)}
    if fitted.replies is not None:
        report["replies"] = {label: {"dev_f1": f1(full, label, False),
                                     "dev_f1_before": f1(no_replies, label, False)}
                             for label in fitted.replies.labels}
    if fitted.anti_replies is not None:
        report["anti_replies"] = {label: {"dev_f1": f1(full, label, True)}
                                  for label in fitted.anti_replies.labels}
    return report


def train(coach: CoachConfig, drafts: Path, encoder: MiniLMEncoder,
          replies_file: Path = AGENT_SENTENCES) -> DraftHeads:
    np.random.seed(SEED)
    rows = [r for r in load_drafts(drafts) if r.split in ("train", "dev")]  # test never read
    train_rows = [r for r in rows if r.split == "train"]
    dev_rows = [r for r in rows if r.split == "dev"]
    embedded = embed_drafts(encoder, train_rows)
    sentences = labelled_sentences(coach, encoder, replies_file) if coach.draft_heads.anti_replies else None
    engine = Engine(Analyzer(load_playbook(), encoder=encoder), coach, learned=False)
    weights = {k: a.weight for k, a in coach.anti_patterns.items()}

    def reader(heads: DraftHeads) -> DraftReader:
        return DraftReader(heads, encoder, labels=coach.anti_patterns, weights=weights,
                           behaviours=coach.behaviours)

    # each fold's drafts (those with a sentence worth reading) and the heads fitted without it
    folds = [([item.row for item in embedded if fold_of(item.row) == k],
              fit_heads(coach, encoder, [item for item in embedded if fold_of(item.row) != k],
                        sentences).heads)
             for k in range(FOLDS)]
    labels = tuple(coach.draft_heads.labels)
    chosen = Thresholds(np.full(len(labels), OFF, np.float32))
    values, report = choose(Reviews(engine, [(r, _only(h, set())) for r, h in folds], reader), "heads",
                            labels, chosen)
    chosen = replace(chosen, heads=values)
    whole = fit_heads(coach, encoder, embedded, sentences)
    kinds: set[str] = set()
    for kind in ("replies", "anti_replies"):
        heads_of_kind = getattr(whole.heads, kind)
        if heads_of_kind is None:
            continue
        kinds.add(kind)
        parts = [(r, _only(h, kinds)) for r, h in folds]
        values, report[kind] = choose(Reviews(engine, parts, reader), kind, heads_of_kind.labels,
                                      chosen.with_kind(kind, np.full(len(heads_of_kind.labels), OFF,
                                                                     np.float32)))
        chosen = chosen.with_kind(kind, values)
    heads = replace(whole.heads, thresholds=chosen.heads,
                    replies=_at(whole.heads.replies, chosen.replies),
                    anti_replies=_at(whole.heads.anti_replies, chosen.anti_replies))
    dev = dev_report(Reviews(engine, [(dev_rows, heads)], reader), chosen, heads)
    console.print(f"dev (read once, chose nothing): {dev}")
    digest = hashlib.sha256()
    for file in sorted(drafts.glob("*.jsonl")):
        digest.update(file.read_bytes())
    examples = "\x1f".join(f"{k}:{s}" for k, v in coach.draft_heads.labels.items()
                           for s in (*v.examples, "|", *v.near_misses))
    trained_on: dict[str, object] = {
        "train_drafts": len(train_rows), "dev_drafts": len(dev_rows),
        "data_sha256": digest.hexdigest(),
        "examples_sha256": hashlib.sha256(examples.encode()).hexdigest()}
    if heads.anti_replies is not None:
        trained_on["sentences_sha256"] = hashlib.sha256(replies_file.read_bytes()).hexdigest()
    meta = {"trained_on": trained_on, "positives": whole.positives, "folds": FOLDS, "cv": report,
            "dev": dev, "seed": SEED, "C": C, "good_weight": GOOD_WEIGHT, "min_precision": MIN_PRECISION,
            "min_added_precision": MIN_ADDED_PRECISION}
    if heads.replies is not None or heads.anti_replies is not None:
        meta["reply_c"] = REPLY_C
    if heads.anti_replies is not None:
        meta["good_sentence_weight"] = GOOD_SENTENCE_WEIGHT
    return replace(heads, meta=meta)


@training_threads()  # the same sums on any number of cores (models/reproducible.py)
def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    root = Path(__file__).resolve().parents[3]
    parser.add_argument("--drafts", type=Path, default=root / "data" / "drafts",
                        help="the team's labelled drafts (data/drafts)")
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).resolve().parents[1] / "models" / "artifacts")
    parser.add_argument("--sentences", type=Path, default=AGENT_SENTENCES,
                        help="the team's labelled agent sentences (tests/data/agent_replies.jsonl)")
    args = parser.parse_args(argv)
    # every train draft is read by five folds' heads: its sentences are embedded once
    heads = train(default_coach(), args.drafts, MiniLMEncoder(cache_size=1 << 16), args.sentences)
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / f"{DEFAULT_DRAFT_HEADS}.json.gz"
    dump_draft_heads(heads, out)
    console.print(f"wrote {out} ({len(heads.labels)} heads, {out.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
