"""Train the shipped linear text models: ``python -m calmline.models.train``.

Only Apache-2.0 GoEmotions and MIT Davidson data are used for training.  Hyper-parameters
(C, class weights) and decision thresholds are chosen by 5-fold cross-validation on the
training split; dev metrics are printed for information only.  scikit-learn is imported here
and nowhere at inference time.

Run twice on the same data it writes the same bytes: fixed seed and folds, the vocabulary sorted,
weights rounded to 4 decimals, the library versions (not a date or a path) in the metadata, gzip
without a timestamp, BLAS on one thread (liblinear's dot products are OpenBLAS's, split over its
threads: on two threads some weights came out 0.0001 apart; `models/reproducible.py`, and
`make models-check` compares a retrain with the committed artefacts). liblinear's result can still
move in the last digits with another scikit-learn release or CPU.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import html
import os
import sys
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_recall_curve
from sklearn.model_selection import StratifiedKFold

from calmline.models.features import INSULTS, PROFANITY, Tokenizer, feature_names, tokenize
from calmline.models.linear import LinearTextModel, dump_model
from calmline.models.reproducible import training_threads

SEED = 13
N_JOBS = min(2, os.cpu_count() or 1)
C_GRID = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2)
CLASS_WEIGHTS: tuple[str | None, ...] = (None, "balanced")
PRUNE = 0.01  # coefficients smaller than this are dropped from the artefact
MIN_DF = 2
ANGER_LABELS = frozenset({2, 3, 10})  # anger, annoyance, disapproval
RAGE_LABELS = frozenset({2, 11})  # anger, disgust
NOT_CLEAN_LABELS = frozenset({2, 3, 10, 11})  # goemotions texts never used as "clean"
MILD_PROFANITY = frozenset({"hell", "damn", "dammit", "goddamn", "bloody", "crap", "af", "wtf",
                            "piss", "pissed"})
STRONG_PROFANITY = PROFANITY - MILD_PROFANITY
# Source artefacts (tweets vs Reddit), not offensiveness: kept out of the offensive model.
DOMAIN_TOKENS = frozenset({"<user>", "<url>", "<name>", "<religion>", "<num>", "rt", "amp"})

Example = tuple[str, int]


def default_data_dir() -> Path:
    env = os.environ.get("CALMLINE_DATA_DIR")
    if env:
        return Path(env)
    repo_root = Path(__file__).resolve().parents[3]
    for candidate in (repo_root.parent / "shared" / "data", Path.cwd().parent / "shared" / "data"):
        if candidate.is_dir():
            return candidate
    return repo_root.parent / "shared" / "data"


def load_goemotions(path: Path) -> list[tuple[str, frozenset[int]]]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            text, labels, _ = line.rstrip("\n").split("\t")
            rows.append((text, frozenset(int(x) for x in labels.split(","))))
    return rows


def load_davidson(path: Path) -> list[Example]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [(html.unescape(r["tweet"]), int(r["class"] in ("0", "1"))) for r in csv.DictReader(fh)]


def goemotions_offensive_label(text: str, labels: frozenset[int]) -> int | None:
    """Weak offensive label for a GoEmotions comment, or ``None`` when it is ambiguous.

    Strong profanity (or a masked swear) is offensive language by definition.  An insult word
    counts as offensive only when annotators also heard anger/annoyance/disapproval/disgust in
    the comment ("you're an idiot") and as not offensive otherwise ("I felt so stupid"), so the
    model must learn the context rather than the word list.  Clean comments with none of those
    emotion labels are the extra negatives; the rest (mild swearing, angry but clean) is left
    out.
    """
    norms = {t.norm for t in tokenize(text)}
    angry = bool(labels & NOT_CLEAN_LABELS)
    if norms & STRONG_PROFANITY or "<masked_swear>" in norms:
        return 1
    if norms & INSULTS:
        return int(angry)
    if angry or norms & PROFANITY:
        return None
    return 0


def heldout(text: str, salt: str = "calmline-dev", mod: int = 10) -> bool:
    """Deterministic ~10% held-out split keyed on the text (duplicates stay together)."""
    return int(hashlib.sha256(f"{salt}:{text}".encode()).hexdigest(), 16) % mod == 0


@dataclass
class Vocab:
    index: dict[str, int]
    names: list[str]

    @classmethod
    def build(cls, docs: Sequence[list[str]], min_df: int,
              keep: Callable[[str], bool] | None = None) -> Vocab:
        df = Counter(f for doc in docs for f in doc)
        names = sorted(f for f, n in df.items() if n >= min_df and (keep is None or keep(f)))
        return cls({f: i for i, f in enumerate(names)}, names)

    def matrix(self, docs: Sequence[list[str]]) -> sparse.csr_matrix:
        indptr, indices = [0], []
        for doc in docs:
            indices.extend(sorted({self.index[f] for f in doc if f in self.index}))
            indptr.append(len(indices))
        data = np.ones(len(indices), dtype=np.float64)
        return sparse.csr_matrix((data, indices, indptr), shape=(len(docs), len(self.names)))


def best_threshold(y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    """Threshold maximising F1 of the positive class, and that F1."""
    prec, rec, thr = precision_recall_curve(y, p)
    f1 = 2 * prec[:-1] * rec[:-1] / np.maximum(prec[:-1] + rec[:-1], 1e-12)
    i = int(np.argmax(f1))
    return float(thr[i]), float(f1[i])


def _library_versions() -> dict[str, str]:
    import scipy
    import sklearn

    return {"numpy": np.__version__, "scipy": scipy.__version__, "scikit-learn": sklearn.__version__}


def make_clf(c: float, cw: str | None) -> LogisticRegression:
    return LogisticRegression(C=c, class_weight=cw, solver="liblinear", max_iter=1000,
                              random_state=SEED)


def _fold(x: sparse.csr_matrix, y: np.ndarray, tr: np.ndarray, te: np.ndarray, c: float,
          cw: str | None) -> np.ndarray:
    return make_clf(c, cw).fit(x[tr], y[tr]).predict_proba(x[te])[:, 1]


def cross_validate(x: sparse.csr_matrix, y: np.ndarray, c: float, cw: str | None) -> np.ndarray:
    """Out-of-fold probabilities from stratified 5-fold CV on the training data."""
    folds = list(StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED).split(x, y))
    parts = Parallel(n_jobs=N_JOBS)(delayed(_fold)(x, y, tr, te, c, cw) for tr, te in folds)
    oof = np.zeros(len(y))
    for (_, te), part in zip(folds, parts, strict=True):
        oof[te] = part
    return oof


def select(x: sparse.csr_matrix, y: np.ndarray, log: Callable[[str], None]
           ) -> tuple[float, str | None, float, float]:
    """Grid over C x class_weight by CV F1 (at each config's best threshold)."""
    best: tuple[float, float, str | None, float] | None = None
    for cw in CLASS_WEIGHTS:
        for c in C_GRID:
            thr, f1 = best_threshold(y, cross_validate(x, y, c, cw))
            log(f"    C={c:<5} class_weight={cw!s:<9} cv F1={f1:.4f} thr={thr:.3f}")
            if best is None or f1 > best[0] + 1e-9:
                best = (f1, c, cw, thr)
    assert best is not None
    f1, c, cw, thr = best
    return c, cw, thr, f1


def to_model(name: str, clf: LogisticRegression, vocab: Vocab, threshold: float,
             metadata: dict[str, Any]) -> LinearTextModel:
    coef = clf.coef_[0]
    weights = {f: round(float(w), 4) for f, w in zip(vocab.names, coef, strict=True)
               if abs(w) >= PRUNE}
    return LinearTextModel(name=name, intercept=round(float(clf.intercept_[0]), 4),
                           weights=weights, threshold=round(threshold, 4), metadata=metadata)


def metrics(model: LinearTextModel, data: Sequence[Example]) -> dict[str, float]:
    """Precision/recall/F1 (positive class) and macro-F1 of the shipped pure-Python model."""
    tp = fp = fn = tn = 0
    for text, label in data:
        pred = model.predict(text)
        tp += pred and label == 1
        fp += pred and label == 0
        fn += (not pred) and label == 1
        tn += (not pred) and label == 0
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    np_, nr = (tn / (tn + fn) if tn + fn else 0.0), (tn / (tn + fp) if tn + fp else 0.0)
    nf1 = 2 * np_ * nr / (np_ + nr) if np_ + nr else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4),
            "macro_f1": round((f1 + nf1) / 2, 4), "n": len(data), "positives": tp + fn}


def train_one(name: str, train: Sequence[Example], dev: Mapping[str, Sequence[Example]],
              meta: dict[str, Any], log: Callable[[str], None],
              keep: Callable[[str], bool] | None = None) -> LinearTextModel:
    log(f"[{name}] {len(train)} training texts, {sum(y for _, y in train)} positive")
    tokenizer = Tokenizer()  # this run's: remembers the chunks of its texts, then goes
    docs = [feature_names(t, tokenizer) for t, _ in train]
    vocab = Vocab.build(docs, MIN_DF, keep)
    x = vocab.matrix(docs)
    y = np.array([lab for _, lab in train])
    log(f"[{name}] {len(vocab.names)} features; 5-fold CV grid on train:")
    c, cw, thr, cv_f1 = select(x, y, log)
    clf = make_clf(c, cw).fit(x, y)
    metadata = dict(meta, cv_f1=round(cv_f1, 4), seed=SEED, created_by="calmline.models.train",
                    # liblinear's result can move in the last digits between library releases:
                    # the same versions reproduce the artefact exactly
                    trained_with=_library_versions(),
                    hyperparameters={"C": c, "class_weight": cw, "min_df": MIN_DF,
                                     "prune": PRUNE, "solver": "liblinear"})
    model = to_model(name, clf, vocab, thr, metadata).with_tokenizer(tokenizer)
    metadata["dev_metrics"] = {k: metrics(model, v) for k, v in dev.items()}
    log(f"[{name}] chose C={c} class_weight={cw} threshold={model.threshold:.4f} "
        f"cv F1={cv_f1:.4f}; {len(model.weights)} weights kept")
    return model


def _keep_offensive(feature: str) -> bool:
    return not any(part in DOMAIN_TOKENS for part in feature.split(" "))


def _weak_offensive(rows: Sequence[tuple[str, frozenset[int]]]) -> list[Example]:
    labelled = ((t, goemotions_offensive_label(t, ls)) for t, ls in rows)
    return [(t, y) for t, y in labelled if y is not None]


def run(data: Path, out: Path, models: Sequence[str], log: Callable[[str], None]
        ) -> dict[str, LinearTextModel]:
    go_train = load_goemotions(data / "goemotions" / "train.tsv")
    go_dev = load_goemotions(data / "goemotions" / "dev.tsv")
    go_meta = {"trained_on": ["goemotions/train.tsv"], "licence": "Apache-2.0 (GoEmotions)"}
    built: dict[str, LinearTextModel] = {}
    for name, labels in (("anger", ANGER_LABELS), ("rage", RAGE_LABELS)):
        if name not in models:
            continue
        tr = [(t, int(bool(ls & labels))) for t, ls in go_train]
        dv = [(t, int(bool(ls & labels))) for t, ls in go_dev]
        meta = dict(go_meta, positive_labels=sorted(labels))
        built[name] = train_one(name, tr, {"goemotions_dev": dv}, meta, log)
    if "offensive" in models:
        dav = load_davidson(data / "davidson_offensive" / "labeled_data_shared.csv")
        dav_tr = [ex for ex in dav if not heldout(ex[0])]
        dav_dev = [ex for ex in dav if heldout(ex[0])]
        go_tr = _weak_offensive(go_train)
        go_dv = _weak_offensive(go_dev)
        meta = {"trained_on": ["davidson_offensive/labeled_data_shared.csv (90%, hash split)",
                               "goemotions/train.tsv (weak labels: see "
                               "goemotions_offensive_label)"],
                "licence": "MIT (Davidson et al. 2017); Apache-2.0 (GoEmotions)",
                "positive_labels": ["davidson class 0 (hate)", "davidson class 1 (offensive)"]}
        dev = {"davidson_heldout": dav_dev, "goemotions_dev_weak": go_dv}
        built["offensive"] = train_one("offensive", dav_tr + go_tr, dev, meta, log,
                                       keep=_keep_offensive)
    out.mkdir(parents=True, exist_ok=True)
    for name, model in built.items():
        size = dump_model(model, out / f"{name}.json.gz")
        log(f"wrote {out / f'{name}.json.gz'} ({size / 1024:.0f} KiB)")
    return built


@training_threads()  # the same sums on any number of cores (models/reproducible.py)
def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m calmline.models.train", description=__doc__)
    parser.add_argument("--data", type=Path, default=None,
                        help="shared data dir (default: $CALMLINE_DATA_DIR or ../shared/data)")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "artifacts")
    parser.add_argument("--models", nargs="+", default=["anger", "rage", "offensive"],
                        choices=["anger", "rage", "offensive"])
    args = parser.parse_args(argv)
    data = args.data or default_data_dir()
    if not (data / "goemotions").is_dir():
        print(f"data directory not found: {data}", file=sys.stderr)
        return 2
    built = run(data, args.out, args.models, lambda msg: print(msg, flush=True))
    print("\ndev metrics (decision threshold chosen by CV on train):")
    for name, model in built.items():
        for split, m in model.metadata["dev_metrics"].items():
            print(f"  {name:<10} {split:<40} P={m['precision']:.3f} R={m['recall']:.3f} "
                  f"F1={m['f1']:.3f} macroF1={m['macro_f1']:.3f} (n={m['n']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
