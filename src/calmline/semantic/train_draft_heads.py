"""Train the coach's learned draft heads: ``python -m calmline.semantic.train_draft_heads`` (run by
``make models``).

One logistic regression per anti-pattern named in coach.yaml `draft_heads.labels`, over the MiniLM
embedding of one draft sentence. Training data: the train split of data/drafts and the example
sentences and near misses written for each anti-pattern in coach.yaml. The dev split chooses each
head's threshold; the test split is never read here (its rows are dropped as they are loaded).

Multiple-instance learning: a draft labelled `excuse` has one excusing sentence among ordinary
ones. Its positive instance is the sentence closest to the label's examples; its other sentences
are left out (they may or may not excuse). Every sentence of a draft without the label is a
negative (those of good drafts weigh GOOD_WEIGHT), and so is every near miss.

Thresholds: each head's, in turn (0.20 to 0.95), is chosen on dev with
the coach read as reviews read it (phrase cues or the head, then the anti-pattern's contextual
check). A threshold qualifies when it blocks no more of dev's good drafts than the phrase cues
alone do, the head fires on at least one dev draft and is right on at least MIN_PRECISION of those,
and the anti-pattern's F1 on dev is no lower than with the phrase cues alone. Of the qualifying
thresholds with the best F1, the middle one is kept; with none, the head is kept at 0.99 (off in
practice). The grid reaches below 0.5 because a head's probabilities sit low: each positive draft
gives one sentence and every sentence of every other draft is a negative (about ten to one), so a
head that ranks well (dev ROC AUC 0.77 to 0.88) may never reach 0.5; the three rules above, not the
probability, say whether a hit is worth showing.

Reply heads (coach.yaml `draft_heads.replies`): one logistic regression per behaviour over a whole
train draft's features (the maximum and the mean of its sentence vectors), the draft's own label
as the target; no multiple-instance step is needed. With the sentence heads at their thresholds,
each reply head's threshold is then chosen on dev: its own hits are right at least MIN_PRECISION
of the time and the behaviour's F1 is no lower than without it; the middle of the best ones is
kept, and with none the head is kept off (0.99).

Anti-pattern reply heads (coach.yaml `draft_heads.anti_replies`): the same over whole train drafts
with each draft's anti-patterns as targets, plus the team's labelled agent sentences
(tests/data/agent_replies.jsonl) and the draft heads' examples and near misses, each read as a
one-sentence reply: the hard negatives (a bare clarifying question, a plain answer) that the
drafts, whose good replies nearly all apologise first, lack. With every other head at its
threshold, each one's threshold is chosen on dev by the sentence heads' three rules.

Fixed seed, fixed order, deterministic solver, BLAS on one thread (models/reproducible.py): two
runs on one machine give the same artefact, byte for byte (`make models-check`). The heads are
chosen with the engine as shipped, so they are retrained after the semantic heads (make models
does both, in that order).
"""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
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
# open a window. Is anyone feeling unwell?" (0.23) for a little more F1 on dev.
ANTI_REPLY_FLOOR = 0.3
MIN_PRECISION = 0.6  # a head's own hits on dev must be right this often
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


@dataclass
class DevReader:
    """Reviews dev's drafts the way `calmline eval drafts` does, with heads at given thresholds."""

    engine: Engine
    rows: Sequence[DraftRow]
    reader: DraftReader

    def run(self, thresholds: np.ndarray) -> tuple[list[set[str]], list[set[str]], int]:
        """(labels flagged, labels flagged by a head's evidence, good drafts blocked)."""
        self.reader.heads = replace(self.reader.heads, thresholds=thresholds.astype(np.float32))
        self.engine.learned = self.reader
        flagged, learned, blocked = [], [], 0
        for row in self.rows:
            turns = [{"role": "customer", "text": row.customer}] if row.customer.strip() else []
            review = self.engine.review(row.text, turns)
            flagged.append({a.label for a in review.anti_patterns})
            learned.append({a.label for a in review.anti_patterns
                            if any(e.source == "model" for e in a.evidence)})
            blocked += int(review.verdict == "blocked" and not row.anti_patterns)
        return flagged, learned, blocked


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


@dataclass
class ReplyDevReader:
    """Dev's reviews with one kind of reply heads (`kind`: "replies", the behaviours', or
    "anti_replies") at given thresholds, everything else fixed. A draft is reviewed once per set
    of heads that fire on it: most trials change a few drafts."""

    dev: DevReader
    kind: str = "replies"
    peaks: list[np.ndarray | None] = field(default_factory=list)
    memo: dict[tuple[int, tuple[bool, ...]], tuple[set[str], set[str], bool]] = field(
        default_factory=dict)

    def __post_init__(self) -> None:
        whole = getattr(self.dev.reader.heads, self.kind)
        assert whole is not None
        self.peaks = []
        for row in self.dev.rows:
            spans = draft_sentences(row.text)
            vectors = self.dev.reader.vectors([row.text[s:e] for s, e in spans]) if spans else None
            self.peaks.append(whole.probabilities(vectors) if vectors is not None else None)

    def fires(self, thresholds: np.ndarray) -> list[tuple[bool, ...]]:
        return [tuple(bool(x) for x in (p >= thresholds)) if p is not None else ()
                for p in self.peaks]

    def reviews(self, thresholds: np.ndarray) -> list[tuple[set[str], set[str], bool]]:
        """(behaviours found, anti-patterns found, blocked) for each dev draft."""
        heads = self.dev.reader.heads
        whole = getattr(heads, self.kind)
        self.dev.reader.heads = replace(heads, **{self.kind: replace(
            whole, thresholds=thresholds.astype(np.float32))})
        self.dev.engine.learned = self.dev.reader
        out = []
        for index, (row, fired) in enumerate(zip(self.dev.rows, self.fires(thresholds), strict=True)):
            key = (index, fired)
            if key not in self.memo:
                turns = [{"role": "customer", "text": row.customer}] if row.customer.strip() else []
                review = self.dev.engine.review(row.text, turns)
                self.memo[key] = ({c.label for c in review.behaviours if c.found},
                                  {a.label for a in review.anti_patterns},
                                  review.verdict == "blocked" and not row.anti_patterns)
            out.append(self.memo[key])
        return out


def choose_reply_thresholds(dev: ReplyDevReader, labels: Sequence[str], *, anti: bool = False
                            ) -> tuple[np.ndarray, dict[str, object]]:
    """Each reply head's threshold in turn (the others at theirs), as the module doc says: its own
    hits on dev right at least MIN_PRECISION of the time, and its label's F1 no lower than without
    it. With `anti` (the anti-pattern reply heads) also no more of dev's good drafts blocked, and
    from ANTI_REPLY_FLOOR up."""

    def scored(review: tuple[set[str], set[str], bool]) -> set[str]:
        """What a review (behaviours, anti-patterns, blocked) found of the heads' family."""
        return review[1] if anti else review[0]

    grid = [t for t in GRID if t >= ANTI_REPLY_FLOOR] if anti else list(GRID)
    thresholds = np.full(len(labels), OFF, dtype=np.float32)
    read = dev.reviews(thresholds)
    base_blocked = sum(blocked for _, _, blocked in read)
    report: dict[str, object] = {}
    for index, label in enumerate(labels):
        gold = [label in (row.anti_patterns if anti else row.behaviours) for row in dev.dev.rows]
        before = _f1(gold, [label in scored(r) for r in read])[0]
        fit: list[tuple[float, float]] = []
        for t in grid:
            trial = thresholds.copy()
            trial[index] = t
            tried = dev.reviews(trial)
            f = _f1(gold, [label in scored(r) for r in tried])[0]
            fires = [bool(p is not None and p[index] >= t) for p in dev.peaks]
            if ((not anti or sum(r[2] for r in tried) <= base_blocked) and any(fires)
                    and _own_precision(gold, fires) >= MIN_PRECISION and f >= before - 1e-9):
                fit.append((t, f))
        thresholds[index], best_f = _middle_of_best(fit, before)
        read = dev.reviews(thresholds)
        chosen = float(thresholds[index])
        report[label] = {"threshold": round(chosen, 3), "dev_f1": round(best_f, 4),
                         "dev_f1_before": round(before, 4)}
        console.print(f"{'anti-pattern ' if anti else ''}reply head {label}: threshold {chosen:.3f} "
                      f"(dev F1 {before:.3f} without it, {best_f:.3f} with it)")
    return thresholds, report


def _own_precision(gold: Sequence[bool], fires: Sequence[bool]) -> float:
    """How often a head's own hits on dev are right."""
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


def choose_thresholds(dev: DevReader, labels: Sequence[str]) -> tuple[np.ndarray, dict[str, object]]:
    """Each label's threshold in turn (the others at theirs), as the module doc says."""
    thresholds = np.full(len(labels), OFF, dtype=np.float32)
    flagged, _, base_blocked = dev.run(thresholds)
    peaks = []  # each dev draft's highest probability per head, before any check
    for row in dev.rows:
        spans = draft_sentences(row.text)
        probs = dev.reader.sentence_probabilities([row.text[s:e] for s, e in spans]) if spans else None
        peaks.append(probs.max(0) if probs is not None else np.zeros(len(labels), np.float32))
    report: dict[str, object] = {"cues_only_good_blocked": base_blocked}
    for index, label in enumerate(labels):
        gold = [label in row.anti_patterns for row in dev.rows]
        cues_f1 = _f1(gold, [label in f for f in flagged])[0]
        fit: list[tuple[float, float]] = []
        for t in GRID:
            trial = thresholds.copy()
            trial[index] = t
            found, _, blocked = dev.run(trial)
            f = _f1(gold, [label in x for x in found])[0]
            fires = [bool(p[index] >= t) for p in peaks]
            if (blocked <= base_blocked and any(fires) and _own_precision(gold, fires) >= MIN_PRECISION
                    and f >= cues_f1 - 1e-9):
                fit.append((t, f))
        thresholds[index], best_f = _middle_of_best(fit, cues_f1)
        flagged, _, _ = dev.run(thresholds)
        chosen = float(thresholds[index])
        report[label] = {"threshold": round(chosen, 3), "dev_f1": round(best_f, 4),
                         "dev_f1_cues_only": round(cues_f1, 4)}
        console.print(f"draft head {label}: threshold {chosen:.3f} (dev F1 {cues_f1:.3f} with the "
                      f"phrase cues alone, {best_f:.3f} with the head)")
    return thresholds, report


def train(coach: CoachConfig, drafts: Path, encoder: MiniLMEncoder,
          replies_file: Path = AGENT_SENTENCES) -> DraftHeads:
    np.random.seed(SEED)
    rows = [r for r in load_drafts(drafts) if r.split in ("train", "dev")]  # test never read
    train_rows = [r for r in rows if r.split == "train"]
    dev_rows = [r for r in rows if r.split == "dev"]
    embedded = embed_drafts(encoder, train_rows)
    labels = tuple(coach.draft_heads.labels)
    coefs, intercepts, counts = [], [], {}
    for label in labels:
        spec = coach.draft_heads.labels[label]
        coef, intercept, positives = train_head(label, encoder.encode(spec.examples),
                                                encoder.encode(spec.near_misses), embedded)
        coefs.append(coef)
        intercepts.append(intercept)
        counts[label] = {"train_drafts": positives, "examples": len(spec.examples),
                         "near_misses": len(spec.near_misses)}
    heads = DraftHeads(DEFAULT_DRAFT_HEADS, WEIGHTS_SHA256, labels, np.vstack(coefs),
                       np.asarray(intercepts, dtype=np.float32), np.full(len(labels), OFF, np.float32))
    engine = Engine(Analyzer(load_playbook(), encoder=encoder), coach, learned=False)
    reader = DraftReader(heads, encoder, labels=coach.anti_patterns,
                         weights={k: a.weight for k, a in coach.anti_patterns.items()})
    dev = DevReader(engine, dev_rows, reader)
    thresholds, report = choose_thresholds(dev, labels)
    replies = None
    if coach.draft_heads.replies:
        reply_labels = tuple(coach.draft_heads.replies)
        replies = train_reply_heads(reply_labels, embedded)
        reader = DraftReader(replace(reader.heads, thresholds=thresholds, replies=replies), encoder,
                             labels=coach.anti_patterns,
                             weights={k: a.weight for k, a in coach.anti_patterns.items()},
                             behaviours=coach.behaviours)
        reply_thresholds, reply_report = choose_reply_thresholds(
            ReplyDevReader(DevReader(engine, dev_rows, reader)), reply_labels)
        replies = replace(replies, thresholds=reply_thresholds)
        report["replies"] = reply_report
    anti_replies = None
    if coach.draft_heads.anti_replies:
        anti_labels = tuple(coach.draft_heads.anti_replies)
        anti_replies = train_anti_reply_heads(anti_labels, embedded,
                                              labelled_sentences(coach, encoder, replies_file))
        reader = DraftReader(replace(reader.heads, thresholds=thresholds, replies=replies,
                                     anti_replies=anti_replies), encoder,
                             labels=coach.anti_patterns,
                             weights={k: a.weight for k, a in coach.anti_patterns.items()},
                             behaviours=coach.behaviours)
        anti_thresholds, anti_report = choose_reply_thresholds(
            ReplyDevReader(DevReader(engine, dev_rows, reader), "anti_replies"), anti_labels,
            anti=True)
        anti_replies = replace(anti_replies, thresholds=anti_thresholds)
        report["anti_replies"] = anti_report
    digest = hashlib.sha256()
    for file in sorted(drafts.glob("*.jsonl")):
        digest.update(file.read_bytes())
    examples = "\x1f".join(f"{k}:{s}" for k, v in coach.draft_heads.labels.items()
                           for s in (*v.examples, "|", *v.near_misses))
    trained_on: dict[str, object] = {
        "train_drafts": len(train_rows), "dev_drafts": len(dev_rows),
        "data_sha256": digest.hexdigest(),
        "examples_sha256": hashlib.sha256(examples.encode()).hexdigest()}
    if anti_replies is not None:
        trained_on["sentences_sha256"] = hashlib.sha256(replies_file.read_bytes()).hexdigest()
    meta = {"trained_on": trained_on, "positives": counts, "dev": report, "seed": SEED, "C": C,
            "good_weight": GOOD_WEIGHT, "min_precision": MIN_PRECISION}
    if replies is not None or anti_replies is not None:
        meta["reply_c"] = REPLY_C
    if anti_replies is not None:
        meta["good_sentence_weight"] = GOOD_SENTENCE_WEIGHT
    return replace(heads, thresholds=thresholds, meta=meta, replies=replies,
                   anti_replies=anti_replies)


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
    heads = train(default_coach(), args.drafts, MiniLMEncoder(), args.sentences)
    out = args.out / f"{DEFAULT_DRAFT_HEADS}.json.gz"
    dump_draft_heads(heads, out)
    console.print(f"wrote {out} ({len(heads.labels)} heads, {out.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
