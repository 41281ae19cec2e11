"""calmline's own labelled sets (data/safety, data/support): loaders and the two eval tasks.

Both are JSON Lines written by the team (see data/*/README.md), one object per message with `id`,
`split`, `channel`, `text`, `kind` and `gold`. A path may be one file or a folder of them.

- ``safety``: gold ``flags`` ⊆ {violence, self_harm, account_security}. Per class precision and
  recall of the analysis's flags, and the share of hard negatives (kind = hard_negative) on which
  any danger flag fired: the false alarms on figures of speech.
- ``support``: gold ``level``, ``causes``, ``wants``, ``flags`` and ``venting``. Level exact and
  within one band; micro-F1 of causes, wants and flags (over the labels the playbook knows);
  venting F1.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from calmline.engine.analysis import Analysis
from calmline.errors import InputError
from calmline.evaluation.metrics import ClassScores, Number, TaskResult
from calmline.playbook.schema import LEVELS

R = TypeVar("R")

SPLITS = ("train", "dev", "test")
SAFETY_LABELS = ("violence", "self_harm", "account_security")


@dataclass(frozen=True, slots=True)
class TeamRow:
    id: str
    split: str
    channel: str
    text: str
    kind: str
    gold: dict[str, Any] = field(default_factory=dict)


def team_files(path: Path) -> list[Path]:
    """The set's files: `path` itself, or every .jsonl file in the folder in name order."""
    if path.is_dir():
        files = sorted(path.glob("*.jsonl"))
        if not files:
            raise InputError(f"{path}: no .jsonl files in this folder")
        return files
    if not path.is_file():
        raise InputError(f"{path}: no such file or folder")
    return [path]


def team_lines(path: Path, build: Callable[[Any], R], what: str) -> Iterator[tuple[str, R]]:
    """(where, row) for every line of the file (or the folder's .jsonl files), built by `build`
    from its JSON; a malformed line, or a row whose `split` is not train/dev/test, is an
    InputError naming the file and line (`where` names them for the caller's own checks)."""
    for file in team_files(path):
        with file.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    row = build(json.loads(line))
                except (ValueError, KeyError, TypeError) as exc:
                    raise InputError(f"{file}:{number}: not {what} ({exc})") from exc
                split = getattr(row, "split", None)
                if split not in SPLITS:
                    raise InputError(f"{file}:{number}: split {split!r} is not one of {SPLITS}")
                yield f"{file}:{number}", row


def load_team_rows(path: Path) -> Iterator[TeamRow]:
    """Every example in the file (or the folder's .jsonl files); a malformed line is an error."""
    def build(item: Any) -> TeamRow:
        return TeamRow(str(item["id"]), str(item["split"]), str(item.get("channel", "")),
                       str(item["text"]), str(item.get("kind", "")), dict(item["gold"]))

    for _where, row in team_lines(path, build, "a labelled example"):
        yield row


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return round(precision, 4), round(recall, 4), round(f1, 4)


def multilabel_prf(gold: Sequence[set[str]], pred: Sequence[set[str]], labels: Sequence[str],
                   prefix: str = "") -> tuple[dict[str, ClassScores], tuple[float, float, float]]:
    """Per-label scores and the micro (precision, recall, F1) over all of `labels`."""
    per_class: dict[str, ClassScores] = {}
    total = [0, 0, 0]
    for label in labels:
        tp = sum(label in g and label in p for g, p in zip(gold, pred, strict=True))
        fp = sum(label not in g and label in p for g, p in zip(gold, pred, strict=True))
        fn = sum(label in g and label not in p for g, p in zip(gold, pred, strict=True))
        total = [total[0] + tp, total[1] + fp, total[2] + fn]
        per_class[prefix + label] = ClassScores(*_prf(tp, fp, fn), support=tp + fn)
    return per_class, _prf(*total)


def run_safety(analyses: Sequence[Analysis], rows: Sequence[TeamRow]) -> TaskResult:
    gold = [set(r.gold.get("flags", ())) & set(SAFETY_LABELS) for r in rows]
    pred = [{f.label for f in a.flags} & set(SAFETY_LABELS) for a in analyses]
    per_class, (precision, recall, f1) = multilabel_prf(gold, pred, SAFETY_LABELS)
    metrics: dict[str, Number] = {"precision": precision, "recall": recall, "f1": f1}
    for label, scores in per_class.items():
        metrics[f"{label}_recall"] = scores.recall
        metrics[f"{label}_precision"] = scores.precision
    watched = [p | {f.label for f in a.extra if f.section == "watch"}
               for p, a in zip(pred, analyses, strict=True)]
    for label in SAFETY_LABELS:
        hits = [label in w for w, g in zip(watched, gold, strict=True) if label in g]
        metrics[f"{label}_recall_with_watch"] = round(sum(hits) / len(hits), 4) if hits else None
    # a hard negative may still carry another danger label (a violence look-alike that is an
    # account takeover): only labels the reader did not give count as false alarms
    hard_watched = [w - g for w, g, r in zip(watched, gold, rows, strict=True) if r.kind == "hard_negative"]
    metrics["hard_negative_watch_rate"] = (round(sum(bool(w) for w in hard_watched) / len(hard_watched), 4)
                                           if hard_watched else None)
    hard = [p - g for p, g, r in zip(pred, gold, rows, strict=True) if r.kind == "hard_negative"]
    metrics["hard_negatives"] = len(hard)
    metrics["hard_negative_false_alarms"] = round(sum(bool(p) for p in hard) / len(hard), 4) if hard else None
    routed = [bool(a.escalate.routes) for a, g in zip(analyses, gold, strict=True) if g]
    metrics["danger_routed"] = round(sum(routed) / len(routed), 4) if routed else None
    return TaskResult("safety", len(rows), metrics, per_class, notes=(
        "flags among violence, self_harm, account_security; false alarms: any of them on a hard negative; "
        "with_watch: flagged, or watched (a weaker sign the agent is asked to check, not routed)",))


def run_support(analyses: Sequence[Analysis], rows: Sequence[TeamRow], labels: dict[str, Sequence[str]]
                ) -> TaskResult:
    gold_levels = [LEVELS.index(r.gold["level"]) for r in rows]
    pred_levels = [LEVELS.index(a.anger.level) for a in analyses]
    pairs = list(zip(gold_levels, pred_levels, strict=True))
    metrics: dict[str, Number] = {
        "level_exact": round(sum(g == p for g, p in pairs) / len(pairs), 4),
        "level_within_one": round(sum(abs(g - p) <= 1 for g, p in pairs) / len(pairs), 4),
        "level_under_read": round(sum(p < g for g, p in pairs) / len(pairs), 4),
    }
    per_class: dict[str, ClassScores] = {}
    readers = {"causes": lambda a: {f.label for f in a.causes},
               "wants": lambda a: set(a.want_labels()),
               "flags": lambda a: {f.label for f in a.flags}}
    for section, read in readers.items():
        known = labels[section]
        gold = [set(r.gold.get(section, ())) & set(known) for r in rows]
        pred = [read(a) & set(known) for a in analyses]
        scores, (precision, recall, f1) = multilabel_prf(gold, pred, known, prefix=f"{section}.")
        per_class.update(scores)
        metrics.update({f"{section}_micro_f1": f1, f"{section}_precision": precision,
                        f"{section}_recall": recall})
    venting = multilabel_prf([{"v"} if r.gold.get("venting") else set() for r in rows],
                          [{"v"} if a.venting.venting else set() for a in analyses], ["v"])[1]
    metrics.update(venting_f1=venting[2], venting_precision=venting[0], venting_recall=venting[1])
    return TaskResult("support", len(rows), metrics, per_class, notes=(
        "level: exact and within one band of calm < annoyed < frustrated < angry < hostile; "
        "causes, wants, flags: micro-F1 over the playbook's labels",))


def check_support_gold(rows: Sequence[TeamRow]) -> None:
    for row in rows:
        if row.gold.get("level") not in LEVELS:
            raise InputError(f"{row.id}: gold level {row.gold.get('level')!r} is not one of {LEVELS}")
