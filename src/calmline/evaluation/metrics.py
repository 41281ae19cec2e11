"""Metrics (sklearn.metrics, scipy.stats) and the result types every evaluation task returns.

The same functions score calmline and the baselines in ``bench/accuracy.py``, so their figures
are computed identically. Values that cannot be computed (ROC-AUC with one class present, a
correlation of a constant) are ``None`` rather than NaN, so results stay valid JSON.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from scipy import stats
from sklearn import metrics as skm

Number = float | int | None

__all__ = [
    "ClassScores",
    "Confusion",
    "Number",
    "TaskResult",
    "classification_result",
    "correlation_result",
]


@dataclass(frozen=True, slots=True)
class ClassScores:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True, slots=True)
class Confusion:
    """Counts of gold label (rows, `labels`) against predicted label (columns, `predicted`)."""

    labels: tuple[str, ...]
    predicted: tuple[str, ...]
    matrix: tuple[tuple[int, ...], ...]


@dataclass(frozen=True, slots=True)
class TaskResult:
    """What one evaluation run measured; `metrics` holds the headline numbers."""

    task: str
    n: int
    metrics: dict[str, Number]
    per_class: dict[str, ClassScores] = field(default_factory=dict)
    confusion: Confusion | None = None
    notes: tuple[str, ...] = ()
    file: str = ""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"task": self.task, "file": self.file, "n": self.n,
                                "metrics": dict(self.metrics)}
        data["per_class"] = {
            label: {"precision": s.precision, "recall": s.recall, "f1": s.f1, "support": s.support}
            for label, s in self.per_class.items()
        }
        if self.confusion is not None:
            data["confusion"] = {"labels": list(self.confusion.labels),
                                 "predicted": list(self.confusion.predicted),
                                 "matrix": [list(row) for row in self.confusion.matrix]}
        data["notes"] = list(self.notes)
        return data


def _r(value: float) -> float | None:
    value = float(value)
    return None if math.isnan(value) else round(value, 4)


def _per_class(y_true: Sequence[str], y_pred: Sequence[str],
               labels: Sequence[str]) -> dict[str, ClassScores]:
    precision, recall, f1, support = skm.precision_recall_fscore_support(
        y_true, y_pred, labels=list(labels), zero_division=0)
    return {label: ClassScores(round(float(p), 4), round(float(r), 4), round(float(f), 4), int(s))
            for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)}


def _confusion(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]) -> Confusion:
    predicted = list(labels) + sorted({p for p in y_pred if p not in labels})
    everything = predicted + sorted({t for t in y_true if t not in predicted})
    matrix = skm.confusion_matrix(y_true, y_pred, labels=everything)
    rows = [[int(c) for c in row[: len(predicted)]] for row in matrix[: len(labels)]]
    return Confusion(tuple(labels), tuple(predicted), tuple(tuple(row) for row in rows))


def _roc_auc(y_true: Sequence[bool], scores: Sequence[float]) -> float | None:
    if len(set(y_true)) < 2:
        return None
    return _r(skm.roc_auc_score(list(y_true), list(scores)))


def classification_result(
    task: str, y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str],
    positive: str | None = None, scores: Sequence[float] | None = None,
    notes: Sequence[str] = (),
) -> TaskResult:
    """Per-class P/R/F1, macro-F1 over `labels`, accuracy and the confusion matrix.

    Predictions outside `labels` (e.g. "none") count as misses and get their own column in the
    confusion matrix. With `positive`, its precision/recall/F1/support become headline metrics,
    and with `scores` (higher = more positive) the ROC-AUC is added.
    """
    if len(y_true) != len(y_pred):
        raise ValueError("y_true and y_pred differ in length")
    per_class = _per_class(y_true, y_pred, labels)
    macro = sum(s.f1 for s in per_class.values()) / len(per_class) if per_class else 0.0
    n = len(y_true)
    metrics: dict[str, Number] = {}
    if positive is not None:
        best = per_class[positive]
        metrics.update(precision=best.precision, recall=best.recall, f1=best.f1,
                       support=best.support)
    metrics["macro_f1"] = round(macro, 4)
    metrics["accuracy"] = round(sum(t == p for t, p in zip(y_true, y_pred, strict=True)) / n, 4) \
        if n else 0.0
    if positive is not None and scores is not None:
        metrics["roc_auc"] = _roc_auc([t == positive for t in y_true], scores)
    return TaskResult(task, n, metrics, per_class, _confusion(y_true, y_pred, labels),
                      tuple(notes))


def correlation_result(task: str, gold: Sequence[float], scores: Sequence[float],
                       notes: Sequence[str] = ()) -> TaskResult:
    """Pearson r (with p-value) and Spearman rho of `scores` against `gold`."""
    if len(gold) != len(scores):
        raise ValueError("gold and scores differ in length")
    metrics: dict[str, Number] = {"pearson": None, "pearson_p": None, "spearman": None}
    if len(gold) >= 2 and len(set(gold)) > 1 and len(set(scores)) > 1:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pearson = stats.pearsonr(gold, scores)
            spearman = stats.spearmanr(gold, scores)
        metrics.update(pearson=_r(pearson.statistic), pearson_p=float(f"{pearson.pvalue:.3g}"),
                       spearman=_r(spearman.statistic))
    mae = sum(abs(g - s) for g, s in zip(gold, scores, strict=True)) / len(gold) if gold else 0.0
    metrics["mae"] = round(mae, 4)
    return TaskResult(task, len(gold), metrics, notes=tuple(notes))
