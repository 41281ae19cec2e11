"""Train the semantic heads: ``python -m calmline.semantic.train_heads`` (run by ``make models``).

Training data: the train split of the team's labelled sets (data/safety, data/support), the
playbook's example sentences and near misses, and, for the level head only, 5,000 GoEmotions train
comments as weak labels (Apache-2.0, one of the two public sets that may train what ships).
Decision thresholds are chosen
on the dev split, together with what the fast path and the example similarity already find, so a
head only adds what they miss. The test split is never read here. Fixed seeds, rows in the order
of the sorted data files, BLAS on one thread (models/reproducible.py: on two threads OpenBLAS adds
some sums in another order, and the coefficients moved in the fifth decimal): two runs on one
machine give the same artefact, byte for byte (`make models-check`).

Multiple-instance learning: a message labelled `violence` has one threatening sentence among
several ordinary ones. The positive instance of such a message is its sentence (or the message's
mean) closest to the label's playbook examples; every instance of a negative message is negative.
"""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import track
from sklearn.linear_model import LogisticRegression

from calmline.engine.analyzer import Analyzer
from calmline.evaluation.team_sets import SAFETY_LABELS, TeamRow, load_team_rows
from calmline.models.reproducible import training_threads
from calmline.playbook import load_playbook
from calmline.playbook.schema import LEVELS, Playbook
from calmline.semantic.encoder import WEIGHTS_SHA256, MiniLMEncoder
from calmline.semantic.heads import DEFAULT_HEADS, Head, Heads, LevelHead, dump_heads
from calmline.semantic.memory import LabelMemory, Memory, dequantise, quantise
from calmline.signals.semantic import SemanticDetector, instances, level_value, split_sentences

SEED = 13
C = 2.0
# Danger heads: less regularised, and their positive sentence re-chosen by the head itself
# (MIL_ROUNDS rounds). On dev (2026-11-27) average precision: violence 0.753 -> 0.754, self-harm
# 0.668 -> 0.783, account security 0.723 -> 0.755.
C_DANGER = 8.0
MIL_ROUNDS = 2
CLASS_WEIGHT: str | None = None  # unweighted: calibrated probabilities; thresholds are chosen on dev
LEVEL_C = 2.0
GOEMOTIONS_WEAK = 5000  # GoEmotions train comments used as weak level labels
GOEMOTIONS_WEIGHT = 0.3  # ... each counting this much against one team-labelled message
# Abuse marks the customer hostile, pages a supervisor and adds to the agent's stress load: a false
# one wrongs the customer, so its threshold weighs precision first (F0.5).
PRECISE = frozenset({"abuse"})
MIN_THRESHOLD = 0.2
FLAG_ALARMS = 0.02  # most false danger flags on ordinary support messages (dev)
HARD_ALARMS = 0.10  # ... and on the hard negatives of the safety set
WATCH_ALARMS = 0.04  # most ordinary messages a danger watch may fire on
SECTIONS = ("flags", "wants", "causes")
console = Console(stderr=True)


@dataclass(frozen=True, slots=True)
class Remembered:
    """A danger label's labelled sentences for the neighbours' reading (semantic/memory.py), each
    row with a key that says where it came from, so the labels share one bank."""

    positive: list[Positive]
    negative: list[Negative]


Positive = tuple[tuple[str, ...], np.ndarray, str]  # (where it came from, vector, sentence)
Negative = tuple[tuple[str, ...], np.ndarray]


def _sentence_texts(item: Embedded, limit: int) -> list[str]:
    """What each of the item's instances embeds: its sentences, then the whole message."""
    texts = [x.text for x in split_sentences(item.row.text, limit)]
    return [*texts, item.row.text] if len(texts) > 1 else texts


def _remembered(label: str, examples: np.ndarray, example_texts: Sequence[str], near: np.ndarray,
                near_texts: Sequence[str], train: Sequence[Embedded], likeliest: Callable[[Embedded], int],
                limit: int) -> Remembered:
    """Positives: the playbook's examples and the likeliest sentence of each message labelled
    with the label; negatives: the near misses and every instance of the messages labelled
    without it."""
    positive: list[Positive] = [(("example", label, t), v, t)
                                for t, v in zip(example_texts, examples, strict=True)]
    negative: list[Negative] = [(("near", label, t), v) for t, v in zip(near_texts, near, strict=True)]
    for item in train:
        if not _labelled(item, "flags", label):
            continue
        if _gold(item, "flags", label):
            i = likeliest(item)
            positive.append(((item.row.id, str(i)), item.vectors[i], _sentence_texts(item, limit)[i]))
        else:
            negative += [((item.row.id, str(i)), v) for i, v in enumerate(item.vectors)]
    return Remembered(positive, negative)


def _as_memory(parts: Remembered, label: str) -> Memory:
    """One label's parts as a Memory over the same int8 rows the shipped bank holds."""
    rows = np.vstack([v for _, v, _ in parts.positive] + [v for _, v in parts.negative])
    bank = dequantise(*quantise(rows))
    n = len(parts.positive)
    texts = tuple(t[:160] for _, _, t in parts.positive)
    return Memory(bank, {label: LabelMemory(np.arange(n), np.arange(n, len(rows)), texts)})


def shared_memory(parts: dict[str, Remembered]) -> Memory:
    """Every danger label's parts in one bank: a sentence two labels remember is one row."""
    rows: dict[tuple[str, ...], np.ndarray] = {}
    for p in parts.values():
        for key, vector, _ in p.positive:
            rows.setdefault(key, vector)
        for key, vector in p.negative:
            rows.setdefault(key, vector)
    order = {key: i for i, key in enumerate(rows)}
    bank = dequantise(*quantise(np.vstack(list(rows.values()))))
    labels = {label: LabelMemory(np.asarray([order[k] for k, _, _ in p.positive], dtype=np.intp),
                                 np.asarray([order[k] for k, _ in p.negative], dtype=np.intp),
                                 tuple(t[:160] for _, _, t in p.positive))
              for label, p in parts.items()}
    return Memory(bank, labels)


@dataclass(frozen=True, slots=True)
class Embedded:
    row: TeamRow
    source: str  # "safety" or "support": which labels the row's gold covers
    vectors: np.ndarray  # instances (sentences + mean)


def _labelled(item: Embedded, section: str, label: str) -> bool:
    """Does this row's gold say anything about the label? Safety rows only know their own flags."""
    return item.source == "support" or (section == "flags" and label in SAFETY_LABELS)


def _gold(item: Embedded, section: str, label: str) -> bool:
    value = item.row.gold.get(section, ())
    return bool(value) if isinstance(value, bool) else label in value


def _fbeta(gold: np.ndarray, pred: np.ndarray, beta: float) -> float:
    tp = float((gold & pred).sum())
    fp = float((~gold & pred).sum())
    fn = float((gold & ~pred).sum())
    if tp == 0:
        return 0.0
    b2 = beta * beta
    return (1 + b2) * tp / ((1 + b2) * tp + b2 * fn + fp)


def embed_rows(encoder: MiniLMEncoder, playbook: Playbook, folder: Path, source: str) -> list[Embedded]:
    rows = [r for r in load_team_rows(folder) if r.split in ("train", "dev")]
    out = []
    for row in track(rows, description=f"embedding {source}", console=console):
        sentences = split_sentences(row.text, playbook.semantic.max_sentences)
        if sentences:
            out.append(Embedded(row, source, instances(encoder.encode([s.text for s in sentences]))))
    return out


def _fit(section: str, label: str, group_examples: np.ndarray, group_near: np.ndarray,
         train: Sequence[Embedded], pick: Callable[[Embedded], int], c: float) -> LogisticRegression | None:
    """A logistic regression over instances: the playbook's examples and near misses, one
    instance (`pick`) of each labelled message, every instance of each unlabelled one."""
    features = [group_examples, group_near]
    targets = [np.ones(len(group_examples)), np.zeros(len(group_near))]
    for item in train:
        if not _labelled(item, section, label):
            continue
        if _gold(item, section, label):
            features.append(item.vectors[pick(item)][None])
            targets.append(np.ones(1))
        else:
            features.append(item.vectors)
            targets.append(np.zeros(len(item.vectors)))
    x, y = np.vstack(features), np.concatenate(targets)
    if y.sum() < 5 or (1 - y).sum() < 5:
        return None
    return LogisticRegression(C=c, class_weight=CLASS_WEIGHT, max_iter=5000, random_state=SEED).fit(x, y)


def _scorer(head: Head, memory: Memory | None) -> Callable[[Embedded], float]:
    """A message's score as the service reads it: the head's highest probability over its
    instances, mixed with the neighbours' reading when the label has a memory."""
    def score(item: Embedded) -> float:
        probs = head.probabilities(item.vectors)
        if memory is None:
            return float(probs.max())
        return float(memory.mix(probs, memory.reading_of(head.label, probs, item.vectors)).max())

    return score


def train_head(section: str, label: str, group_examples: np.ndarray, group_near: np.ndarray,
               train: Sequence[Embedded], dev: Sequence[Embedded], base_dev: np.ndarray,
               danger: bool = False, *, texts: tuple[Sequence[str], Sequence[str]] = ((), ()),
               limit: int = 12, remembered: dict[str, Remembered] | None = None) -> Head | None:
    """A label's head, its threshold chosen on dev together with what is already found.

    Danger flags (the playbook's `danger: true`) maximise F2, recall first; abuse F0.5; the rest F1.
    """
    def closest(item: Embedded) -> int:
        return int((item.vectors @ group_examples.T).max(1).argmax()) if len(group_examples) else -1

    model = _fit(section, label, group_examples, group_near, train, closest, C_DANGER if danger else C)
    if model is None:
        return None
    # A danger message says it in one sentence among ordinary ones ("cancel everything, I won't
    # be around"): the sentence closest to the playbook's examples may be the ordinary one, which
    # teaches the head that cancelling is a danger sign. Each round takes instead the sentence
    # the head itself rates most likely, and refits (multiple-instance learning).
    for _ in range(MIL_ROUNDS if danger else 0):
        def likeliest(item: Embedded, fitted: LogisticRegression = model) -> int:
            return int(fitted.predict_proba(item.vectors)[:, 1].argmax())

        model = _fit(section, label, group_examples, group_near, train, likeliest, C_DANGER) or model
    coef, intercept = model.coef_[0].astype(np.float32), float(model.intercept_[0])
    head = Head(section, label, coef, intercept, 0.5)
    score = _scorer(head, None)
    if danger and remembered is not None:
        # the neighbours' reading (semantic/memory.py): the labelled sentences, the positive one
        # of each message chosen by the final head, as the service will read them
        def final(item: Embedded, fitted: LogisticRegression = model) -> int:
            return int(fitted.predict_proba(item.vectors)[:, 1].argmax())

        parts = _remembered(label, group_examples, texts[0], group_near, texts[1], train, final, limit)
        remembered[label] = parts
        score = _scorer(head, _as_memory(parts, label))
    scored = [(item, score(item)) for item in dev if _labelled(item, section, label)]
    gold = np.array([_gold(item, section, label) for item, _ in scored])
    probs = np.array([p for _, p in scored])
    base = np.array([b for item, b in zip(dev, base_dev, strict=True) if _labelled(item, section, label)])
    # Few dev positives make low thresholds noisy: only a danger head (watched, never routed on
    # its own below the flag threshold) may go under MIN_THRESHOLD.
    low = np.arange(0.05, MIN_THRESHOLD, 0.01) if danger else ()
    grid = [round(float(t), 3) for t in (*low, *np.arange(MIN_THRESHOLD, 0.99, 0.025))]
    beta = 2.0 if danger else 0.5 if label in PRECISE else 1.0
    ordinary = np.array([item.source == "support" and not g
                         for (item, _), g in zip(scored, gold, strict=True)])
    hard = np.array([item.row.kind == "hard_negative" for item, _ in scored])

    def alarms(t: float) -> tuple[float, float]:
        """False alarms at threshold t: on ordinary support messages, and on hard negatives."""
        pred = base | (probs >= t)
        return (float(pred[ordinary].mean()) if ordinary.any() else 0.0,
                float(pred[hard].mean()) if hard.any() else 0.0)

    best_t, best_f = 0.99, _fbeta(gold, base, beta)
    for t in grid:
        f = _fbeta(gold, base | (probs >= t), beta)
        # a flag pages a team: it may fire on at most FLAG_ALARMS of ordinary messages
        if f > best_f + 1e-9 and (section != "flags" or danger or alarms(t)[0] <= FLAG_ALARMS):
            best_t, best_f = t, f
    if not danger:
        return Head(section, label, coef, intercept, round(best_t, 3))
    # A danger flag routes to security or wellbeing, so it may fire on at most FLAG_ALARMS of the
    # ordinary support messages and HARD_ALARMS of the hard negatives ("this wait is killing me").
    # Down to the F2-best threshold the message is watched: the agent is asked to check, nothing
    # is routed; the watch too stays under WATCH_ALARMS of ordinary messages.
    flag_t = next((t for t in grid if alarms(t)[0] <= FLAG_ALARMS and alarms(t)[1] <= HARD_ALARMS), 0.99)
    watch_t = next((t for t in grid if t >= best_t and alarms(t)[0] <= WATCH_ALARMS), flag_t)
    return Head(section, label, coef, intercept, round(flag_t, 3), round(min(watch_t, flag_t), 3))


def base_predictions(analyzer: Analyzer, dev: Sequence[Embedded]) -> dict[tuple[str, str], np.ndarray]:
    """What the fast path and the example similarity find on dev, label by label."""
    found: dict[tuple[str, str], list[bool]] = {}
    analyses = [analyzer.analyze(item.row.text)
                for item in track(dev, description="reading dev", console=console)]
    pb = analyzer.playbook
    for section in SECTIONS:
        for label in getattr(pb, section):
            found[(section, label)] = [
                label in ({f.label for f in a.flags} if section == "flags" else set(a.want_labels())
                          if section == "wants" else {f.label for f in a.causes})
                for a in analyses]
    found[("venting", "venting")] = [a.venting.venting for a in analyses]
    return {k: np.array(v) for k, v in found.items()}


def goemotions_weak_levels(data: Path, limit: int) -> list[tuple[str, int]]:
    """GoEmotions (Apache-2.0) train comments as weak level labels: anger, annoyance or disapproval
    → frustrated, anything else → calm. They keep the level head honest outside support language."""
    from calmline.evaluation.datasets import load_goemotions

    rows = list(load_goemotions(data / "goemotions" / "train.tsv"))
    np.random.default_rng(SEED).shuffle(rows)
    angry = frozenset({2, 3, 10})
    return [(r.text, LEVELS.index("frustrated") if r.labels & angry else 0) for r in rows[:limit]]


def train_level(playbook: Playbook, encoder: MiniLMEncoder, fast: Analyzer, level_vectors: np.ndarray,
                level_targets: np.ndarray, train: Sequence[Embedded], dev: Sequence[Embedded],
                public: Path) -> tuple[LevelHead, float]:
    values = np.array([level_value(playbook, level) for level in LEVELS], dtype=np.float32)

    def fast_score(text: str) -> float:
        return fast.analyze(text).anger.score

    support_train = [i for i in train if i.source == "support"]
    rows_x = [np.append(v, t) for v, t in zip(level_vectors, level_targets, strict=True)]
    rows_y = [int(np.abs(values - t).argmin()) for t in level_targets]
    weights = [1.0] * len(rows_y)
    for item in support_train:
        rows_x.append(np.append(item.vectors[-1], fast_score(item.row.text)))
        rows_y.append(LEVELS.index(item.row.gold["level"]))
        weights.append(1.0)
    weak = goemotions_weak_levels(public, GOEMOTIONS_WEAK)
    for text, level in track(weak, description="weak levels (GoEmotions train)", console=console):
        sentences = split_sentences(text, playbook.semantic.max_sentences)
        if sentences:
            pooled = instances(encoder.encode([s.text for s in sentences]))[-1]
            rows_x.append(np.append(pooled, fast_score(text)))
            rows_y.append(level)
            weights.append(GOEMOTIONS_WEIGHT)
    model = LogisticRegression(C=LEVEL_C, max_iter=5000, random_state=SEED).fit(
        np.array(rows_x), np.array(rows_y), sample_weight=np.array(weights))
    head = LevelHead(model.coef_.astype(np.float32), model.intercept_.astype(np.float32),
                     values[model.classes_])
    support_dev = [i for i in dev if i.source == "support"]
    read = [(i, fast_score(i.row.text)) for i in support_dev]
    within = np.mean([abs(LEVELS.index(playbook.anger.level_of(max(fast, head.score(i.vectors[-1], fast))))
                          - LEVELS.index(i.row.gold["level"])) <= 1 for i, fast in read])
    return head, float(within)


@training_threads()  # the same sums on any number of cores (models/reproducible.py)
def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[3] / "data",
                        help="folder holding safety/ and support/ (the team's labelled sets)")
    parser.add_argument("--public", type=Path, default=None,
                        help="the shared public data (default: $CALMLINE_DATA_DIR or ../shared/data)")
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).resolve().parents[1] / "models" / "artifacts")
    args = parser.parse_args(argv)
    np.random.seed(SEED)
    shipped = load_playbook()
    # heads are trained against what the examples alone find, so the old heads stay out
    playbook = shipped.model_copy(update={"semantic": shipped.semantic.model_copy(update={"heads": None})})
    encoder = MiniLMEncoder()
    detector = SemanticDetector(playbook, encoder)  # the playbook's examples, embedded
    items = [*embed_rows(encoder, playbook, args.data / "safety", "safety"),
             *embed_rows(encoder, playbook, args.data / "support", "support")]
    train = [i for i in items if i.row.split == "train"]
    dev = [i for i in items if i.row.split == "dev"]
    base = base_predictions(Analyzer(playbook, encoder=encoder), dev)
    heads: dict[tuple[str, str], Head] = {}
    remembered: dict[str, Remembered] = {}
    for index in detector.indexes:
        if index.section not in SECTIONS:
            continue
        head = train_head(index.section, index.label, index.positive, index.negative, train, dev,
                          base[(index.section, index.label)], index.danger,
                          texts=(index.examples, index.near_misses),
                          limit=playbook.semantic.max_sentences, remembered=remembered)
        if head is not None:
            heads[(index.section, index.label)] = head
            watch = f", watch from {head.watch}" if head.watch is not None else ""
            console.print(f"head {index.section}.{index.label}: threshold {head.threshold}{watch}")
    venting = detector.venting_index
    if venting is not None:
        head = train_head("venting", "venting", venting.positive, venting.negative,
                          [i for i in train if i.source == "support"],
                          [i for i in dev if i.source == "support"],
                          base[("venting", "venting")][[i.source == "support" for i in dev]])
        if head is not None:
            heads[("venting", "venting")] = head
    level_vectors, level_targets = detector.level_examples()
    from calmline.models.train import default_data_dir

    level, within = train_level(playbook, encoder, Analyzer(playbook, encoder=None), level_vectors,
                                level_targets, train, dev, args.public or default_data_dir())
    digest = hashlib.sha256()
    for folder in ("safety", "support"):
        for file in sorted((args.data / folder).glob("*.jsonl")):
            digest.update(file.read_bytes())
    meta = {"trained_on": {"train_messages": len(train), "dev_messages": len(dev),
                           "data_sha256": digest.hexdigest(), "playbook_examples": "default.yaml"},
            "seed": SEED, "C": C, "level_C": LEVEL_C, "goemotions_weak": GOEMOTIONS_WEAK,
            "goemotions_weight": GOEMOTIONS_WEIGHT, "level_dev_within_one": round(within, 4)}
    out = args.out / f"{DEFAULT_HEADS}.json.gz"
    memory = shared_memory(remembered) if remembered else None
    if memory is not None:
        meta["memory"] = {"rows": int(memory.bank.shape[0]), "k": memory.k, "weight": memory.weight,
                          "gate": memory.gate, "labels": sorted(memory.labels)}
    dump_heads(Heads(DEFAULT_HEADS, WEIGHTS_SHA256, heads, level, meta, memory), out)
    console.print(f"wrote {out} ({len(heads)} heads; level within one band on dev {within:.3f})")


if __name__ == "__main__":
    main()
