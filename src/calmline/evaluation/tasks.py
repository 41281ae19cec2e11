"""The evaluation tasks: what calmline predicts on each public dataset, and how it is scored.

``TASKS`` maps a task name to a :class:`Task` (its file loader and its runner). A runner takes
an :class:`~calmline.Analyzer` and the loaded rows, calls ``analyzer.analyze`` on every text, and
returns a :class:`~calmline.evaluation.metrics.TaskResult`.

- ``anger`` (GoEmotions TSV): gold positive = label 2, 3 or 10 (anger, annoyance, disapproval);
  predicted positive = ``anger.score >= playbook.anger.levels["annoyed"]``. ROC-AUC of the score.
- ``intensity`` (SemEval-2018 anger intensity TSV): Pearson / Spearman of ``anger.score`` against
  ``anger_intensity``.
- ``offensive`` (Davidson CSV: class 0 or 1; or OLID TSV: subtask_a OFF): predicted offensive when
  the analysis has an ``abuse`` or ``swearing`` flag, or its ``offensive`` side finding (in
  ``analysis.extra``) reaches the offensive model's decision threshold (0.5 without a model).
- ``targeted`` (OLID TSV, OFF rows only): TIN when the analysis has an ``abuse`` or ``violence``
  flag, else UNT.
- ``cause`` (Twitter US Airline Sentiment CSV, negative rows): each ``negativereason`` maps to
  exactly one calmline label (an area or a cause) in :data:`CAUSE_TARGETS`:

  ===========================  ====================  ==========================================
  negativereason               target label          why
  ===========================  ====================  ==========================================
  Late Flight                  delivery (area)       timing: the service did not arrive on time
  Cancelled Flight             delivery (area)       timing: the service did not arrive at all
  Lost Luggage                 delivery (area)       the bag was not delivered with the customer
  Damaged Luggage              quality_defect (area) the bag came back damaged
  Bad Flight                   quality_defect (area) poor quality of the service itself
  longlines                    process_friction      waiting in queues
  Customer Service Issue       process_friction      holds, no answers, being passed around
  Flight Attendant Complaints  staff (area)          staff behaviour
  Flight Booking Problems      billing_refund (area) booking, payment and changes of tickets
  ===========================  ====================  ==========================================

  "Can't Tell" and any reason not in the table are left out. The prediction is the
  highest-scoring finding (areas and causes together; ties go to more evidence, then to the
  order above) whose label is one of the five targets, or ``none``. Other labels such as
  ``unmet_expectations`` (which also fires on "late", "lost", "cancelled flight") are ignored:
  they are not a target of any reason. Caveat: this public file replaced the word "late" with
  "Late Flight" inside tweets ("Late Flightr"), which flatters recall on ``delivery``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import islice
from pathlib import Path
from typing import Any

from calmline.engine.analysis import Analysis
from calmline.engine.analyzer import Analyzer
from calmline.errors import CalmlineError, InputError
from calmline.evaluation import coach_tasks, datasets, drafts_set, team_sets
from calmline.evaluation.datasets import (
    AirlineRow,
    EmotionRow,
    IntensityRow,
    OffensiveRow,
    OlidRow,
)
from calmline.evaluation.metrics import TaskResult, classification_result, correlation_result
from calmline.playbook.schema import Playbook

Tick = Callable[[], None]

ANGER_LABEL_IDS = frozenset({2, 3, 10})  # anger, annoyance, disapproval
ANGER_LABELS = ("calm", "angry")
OFFENSIVE_LABELS = ("NOT", "OFF")
TARGETED_LABELS = ("UNT", "TIN")
OFFENSIVE_FLAGS = frozenset({"abuse", "swearing"})
TARGETED_FLAGS = frozenset({"abuse", "violence"})
INSULT_RULE = "anger.lexicon.insult"  # the playbook lexicon group of insult words
NO_CAUSE = "none"
CAUSE_TARGETS: dict[str, str] = {
    "Late Flight": "delivery",
    "Cancelled Flight": "delivery",
    "Lost Luggage": "delivery",
    "Damaged Luggage": "quality_defect",
    "Bad Flight": "quality_defect",
    "longlines": "process_friction",
    "Customer Service Issue": "process_friction",
    "Flight Attendant Complaints": "staff",
    "Flight Booking Problems": "billing_refund",
}
CAUSE_LABELS: tuple[str, ...] = tuple(dict.fromkeys(CAUSE_TARGETS.values()))


@dataclass(frozen=True, slots=True)
class Task:
    """One evaluation: `load` reads (and selects) rows from a file, `run` scores them."""

    name: str
    summary: str
    load: Callable[[Path], Iterator[Any]]
    run: Callable[[Analyzer, Sequence[Any], Tick | None], TaskResult]


def analyze_all(analyzer: Analyzer, texts: Iterable[str], tick: Tick | None = None
                ) -> list[Analysis]:
    """`analyzer.analyze` over each text, one by one (calling `tick` after each)."""
    results: list[Analysis] = []
    for text in texts:
        results.append(analyzer.analyze(text))
        if tick is not None:
            tick()
    return results


def anger_threshold(playbook: Playbook) -> float:
    return playbook.anger.levels["annoyed"]


def offensive_threshold(playbook: Playbook) -> float:
    """The decision threshold of the playbook's offensive model (0.5 when there is none)."""
    flag = playbook.flags.get("abuse")
    if flag is None or not flag.model:
        return 0.5
    from calmline.signals.modelref import resolve_model

    try:
        return resolve_model(flag.model).threshold
    except CalmlineError:
        return 0.5


def is_offensive(analysis: Analysis, threshold: float) -> bool:
    if any(f.label in OFFENSIVE_FLAGS for f in analysis.flags):
        return True
    return any(f.label == "offensive" and f.score >= threshold for f in analysis.extra)


def predicted_cause(analysis: Analysis) -> str:
    """The highest-scoring finding among the cause task's target labels, or "none"."""
    found = [f for f in (*analysis.areas, *analysis.causes) if f.label in CAUSE_LABELS]
    if not found:
        return NO_CAUSE
    best = max(found, key=lambda f: (f.score, len(f.evidence), -CAUSE_LABELS.index(f.label)))
    return best.label


def run_anger(analyzer: Analyzer, rows: Sequence[EmotionRow], tick: Tick | None = None
              ) -> TaskResult:
    threshold = anger_threshold(analyzer.playbook)
    scores = [a.anger.score for a in analyze_all(analyzer, (r.text for r in rows), tick)]
    gold = [ANGER_LABELS[bool(r.labels & ANGER_LABEL_IDS)] for r in rows]
    pred = [ANGER_LABELS[s >= threshold] for s in scores]
    note = f"angry = anger.score >= {threshold} (the playbook's `annoyed` bound)"
    return classification_result("anger", gold, pred, ANGER_LABELS, "angry", scores, [note])


def run_intensity(analyzer: Analyzer, rows: Sequence[IntensityRow], tick: Tick | None = None
                  ) -> TaskResult:
    scores = [a.anger.score for a in analyze_all(analyzer, (r.text for r in rows), tick)]
    return correlation_result("intensity", [r.intensity for r in rows], scores,
                              ["anger.score against anger_intensity"])


def run_offensive(analyzer: Analyzer, rows: Sequence[OffensiveRow], tick: Tick | None = None
                  ) -> TaskResult:
    threshold = offensive_threshold(analyzer.playbook)
    analyses = analyze_all(analyzer, (r.text for r in rows), tick)
    gold = [OFFENSIVE_LABELS[r.offensive] for r in rows]
    pred = [OFFENSIVE_LABELS[is_offensive(a, threshold)] for a in analyses]
    scores = [max((f.score for f in a.extra if f.label == "offensive"), default=0.0)
              for a in analyses]
    sources = sorted({r.source for r in rows})
    note = (f"OFF = abuse or swearing flag, or offensive model score >= {threshold}; "
            f"format: {', '.join(sources)}")
    return classification_result("offensive", gold, pred, OFFENSIVE_LABELS, "OFF",
                                 scores if any(scores) else None, [note])


def is_targeted(analysis: Analysis) -> bool:
    """OLID's TIN is an insult or threat aimed at anyone; calmline's abuse flag is only the ones
    aimed at the agent, so insult words behind a venting `swearing` flag count as targeted too."""
    return any(f.label in TARGETED_FLAGS or (
        f.label == "swearing" and any(e.rule == INSULT_RULE for e in f.evidence)) for f in analysis.flags)


def run_targeted(analyzer: Analyzer, rows: Sequence[OlidRow], tick: Tick | None = None
                 ) -> TaskResult:
    analyses = analyze_all(analyzer, (r.text for r in rows), tick)
    gold = [r.subtask_b for r in rows]
    pred = [TARGETED_LABELS[is_targeted(a)] for a in analyses]
    note = ("OLID OFF rows; TIN = abuse or violence flag, or an insult word (aimed at someone, "
            "if not at the agent), else UNT")
    return classification_result("targeted", gold, pred, TARGETED_LABELS, "TIN", notes=[note])


def run_cause(analyzer: Analyzer, rows: Sequence[AirlineRow], tick: Tick | None = None
              ) -> TaskResult:
    analyses = analyze_all(analyzer, (r.text for r in rows), tick)
    gold = [CAUSE_TARGETS[r.reason] for r in rows]
    pred = [predicted_cause(a) for a in analyses]
    covered = sum(p != NO_CAUSE for p in pred)
    result = classification_result("cause", gold, pred, CAUSE_LABELS, notes=[
        "negativereason mapped to one label each (see docs/eval.md); 'none' = no target found"])
    result.metrics["coverage"] = round(covered / len(pred), 4) if pred else 0.0
    return result


def run_sentiment(analyzer: Analyzer, rows: Sequence[AirlineRow], tick: Tick | None = None
                  ) -> TaskResult:
    """How levels fall on tweets a crowd labelled negative, neutral or positive.

    Negative tweets read as calm are anger calmline missed; positive tweets read as frustrated or
    worse are false alarms. Levels are an ordinal reading, so no single F1 is given.
    """
    analyses = analyze_all(analyzer, (r.text for r in rows), tick)
    levels = analyzer.playbook.anger
    metrics: dict[str, float | int | None] = {}
    for sentiment in ("negative", "neutral", "positive"):
        scores = [a.anger.score for a, r in zip(analyses, rows, strict=True) if r.sentiment == sentiment]
        metrics[f"{sentiment}_n"] = len(scores)
        if not scores:
            continue
        calm = sum(s < levels.levels["annoyed"] for s in scores)
        metrics[f"{sentiment}_calm"] = round(calm / len(scores), 4)
        metrics[f"{sentiment}_frustrated_or_worse"] = round(
            sum(s >= levels.levels["frustrated"] for s in scores) / len(scores), 4)
    return TaskResult("sentiment", len(rows), metrics, notes=(
        "negative_calm: negative tweets read as calm (missed anger); positive_frustrated_or_worse: "
        "false alarms on praise",))


def run_team_safety(analyzer: Analyzer, rows: Sequence[team_sets.TeamRow], tick: Tick | None = None
                    ) -> TaskResult:
    return team_sets.run_safety(analyze_all(analyzer, (r.text for r in rows), tick), rows)


def run_team_support(analyzer: Analyzer, rows: Sequence[team_sets.TeamRow], tick: Tick | None = None
                     ) -> TaskResult:
    team_sets.check_support_gold(rows)
    pb = analyzer.playbook
    labels: dict[str, Sequence[str]] = {"causes": list(pb.causes), "wants": list(pb.wants),
                                        "flags": list(pb.flags)}
    return team_sets.run_support(analyze_all(analyzer, (r.text for r in rows), tick), rows, labels)


def _targeted_rows(path: Path) -> Iterator[OlidRow]:
    for row in datasets.load_olid(path):
        if row.subtask_a == "OFF":
            if row.subtask_b not in TARGETED_LABELS:
                raise InputError(f"{path}: OLID row {row.id} is OFF but subtask_b is "
                                 f"{row.subtask_b!r}, not TIN or UNT")
            yield row


def _cause_rows(path: Path) -> Iterator[AirlineRow]:
    for row in datasets.load_airline(path):
        if row.sentiment == "negative" and row.reason in CAUSE_TARGETS:
            yield row


TASKS: dict[str, Task] = {
    "anger": Task("anger", "GoEmotions TSV: anger/annoyance/disapproval vs the rest",
                  datasets.load_goemotions, run_anger),
    "intensity": Task("intensity", "SemEval-2018 anger intensity TSV: correlation",
                      datasets.load_intensity, run_intensity),
    "offensive": Task("offensive", "Davidson CSV or OLID TSV: offensive vs not",
                      datasets.load_offensive, run_offensive),
    "targeted": Task("targeted", "OLID TSV, offensive rows: targeted (TIN) vs untargeted (UNT)",
                     _targeted_rows, run_targeted),
    "cause": Task("cause", "Airline complaints CSV: negativereason vs calmline areas/causes",
                  _cause_rows, run_cause),
    "sentiment": Task("sentiment", "Airline complaints CSV: levels on negative, neutral and positive tweets",
                      datasets.load_airline, run_sentiment),
    "safety": Task("safety", "the team's safety set (data/safety): violence, self-harm, account security",
                   team_sets.load_team_rows, run_team_safety),
    "support": Task("support", "the team's support set (data/support): level, causes, wants, flags, venting",
                    team_sets.load_team_rows, run_team_support),
    "drafts": Task("drafts", "the team's agent drafts (data/drafts): anti-patterns, behaviours, blocks",
                   drafts_set.load_drafts, drafts_set.run_drafts),
    "behaviours": Task("behaviours", "labelled agent replies JSONL: per-behaviour P/R/F1",
                       coach_tasks.load_agent_replies, coach_tasks.run_behaviours),
    "esconv": Task("esconv", "ESConv valid.jsonl: supporter strategy -> behaviour, per-strategy F1",
                   coach_tasks.load_esconv, coach_tasks.run_esconv),
    "epitome": Task("epitome", "EPITOME folder or <mechanism>-reddit.csv: level >= 1 -> behaviour",
                    coach_tasks.load_epitome, coach_tasks.run_epitome),
    "suggestions": Task("suggestions", "the team's support set (data/support): does the top suggestion "
                        "name the issue, answer the want, read cleanly and pass the coach",
                        team_sets.load_team_rows, coach_tasks.run_suggestions),
    "courtesy": Task("courtesy", "GoEmotions TSV: remorse -> apology, gratitude -> thanks",
                     coach_tasks.load_courtesy, coach_tasks.run_courtesy),
}


TEAM_SETS = ("safety", "support", "drafts", "suggestions")  # the tasks whose rows carry a split


def get_task(name: str) -> Task:
    task = TASKS.get(name.strip().lower())
    if task is None:
        raise InputError(f"unknown task {name!r}; choose one of: {', '.join(TASKS)}")
    return task


def load_rows(task: Task, path: str | Path, limit: int | None = None, split: str | None = None
              ) -> list[Any]:
    """The task's rows from `path` (the first `limit` of them, of one `split` of the team's sets);
    InputError when there are none."""
    if limit is not None and limit < 1:
        raise InputError(f"--limit must be at least 1, not {limit}")
    loaded: Iterable[Any] = task.load(Path(path))
    if split is not None:
        if split not in team_sets.SPLITS:
            raise InputError(f"--split must be one of {', '.join(team_sets.SPLITS)}, not {split!r}")
        if task.name not in TEAM_SETS:
            raise InputError(f"--split applies to the team's sets ({', '.join(TEAM_SETS)}), "
                             f"not {task.name!r}")
        loaded = (row for row in loaded if row.split == split)
    rows = list(islice(loaded, limit))
    if not rows:
        raise InputError(f"{path}: no rows to evaluate for task {task.name!r}")
    return rows


def evaluate(name: str, path: str | Path, analyzer: Analyzer, limit: int | None = None,
             tick: Tick | None = None, split: str | None = None) -> TaskResult:
    """Load `path` for task `name`, run it, and return the result (with `file` set)."""
    task = get_task(name)
    result = task.run(analyzer, load_rows(task, path, limit, split), tick)
    return replace(result, file=str(path))
