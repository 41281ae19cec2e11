"""Accuracy of calmline on the shared dev data, next to the baselines a team would pick instead.

    .venv/bin/python bench/accuracy.py [--limit N] [--playbook PATH]

Runs every `calmline eval` task through calmline.evaluation (the same code as the CLI), with the
semantic tier and, in the "fast path" column, without it (what batch runs and installs without the
model read, and what the previous release read); the team's own sets are measured on their test
split (tuning used train and dev only). Then,
on the same rows and with the same metric functions: VADER (anger score = max(0, -compound),
angry when compound <= -0.05), alt-profanity-check (offensive when predict_prob >= 0.5) and a
TF-IDF + logistic regression anger classifier fitted here on GoEmotions train; the coach's tasks
(behaviours, esconv, epitome, courtesy) carry their own keyword-list baseline. Prints one table
and writes bench/out/accuracy.json. Data: $CALMLINE_DATA_DIR or ../shared/data.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from calmline import Analyzer, load_playbook
from calmline.evaluation import TaskResult, get_task, load_rows
from calmline.evaluation.datasets import load_goemotions
from calmline.evaluation.metrics import classification_result, correlation_result
from calmline.evaluation.tasks import ANGER_LABEL_IDS, ANGER_LABELS, OFFENSIVE_LABELS
from common import REPO, choose_playbook, data_dir, write_json

Scorer = Callable[[list[str]], list[float]]


def davidson_heldout(row: Any) -> bool:
    """The ~10% of Davidson rows the shipped offensive model was not trained on (its split)."""
    from calmline.models.train import heldout

    return bool(heldout(row.text))


@dataclass(frozen=True)
class Run:
    key: str  # how the row is named in the table
    task: str
    file: str  # relative to the data dir
    metrics: tuple[str, ...]
    select: Callable[[Any], bool] | None = None  # keep only these rows
    split: str | None = None  # the team's sets: which split


TEAM = REPO / "data"
SAFETY_METRICS = ("recall", "precision", "violence_recall", "self_harm_recall", "account_security_recall",
                  "violence_recall_with_watch", "self_harm_recall_with_watch",
                  "account_security_recall_with_watch", "hard_negative_false_alarms", "danger_routed")
SUPPORT_METRICS = ("level_within_one", "level_exact", "causes_micro_f1", "wants_micro_f1", "flags_micro_f1",
                   "venting_f1")
DRAFTS_METRICS = ("anti_pattern_recall", "anti_pattern_precision", "excuse_recall", "blame_recall",
                  "minimise_recall", "argue_recall", "behaviour_micro_f1", "good_drafts_blocked_rate",
                  "calm_down_as_calm_tone")


RUNS = (
    Run("anger", "anger", "goemotions/dev.tsv", ("f1", "precision", "recall", "roc_auc")),
    Run("intensity", "intensity", "semeval2018_anger_intensity/dev.tsv", ("pearson", "spearman")),
    Run("offensive/olid", "offensive", "olid/olid-training-v1.0.tsv", ("macro_f1", "f1")),
    Run("offensive/davidson-all", "offensive", "davidson_offensive/labeled_data_shared.csv",
        ("macro_f1", "f1")),
    Run("offensive/davidson-heldout", "offensive", "davidson_offensive/labeled_data_shared.csv",
        ("macro_f1", "f1"), davidson_heldout),
    Run("targeted/olid", "targeted", "olid/olid-training-v1.0.tsv", ("macro_f1", "f1")),
    Run("cause/airline", "cause", "airline_complaints/tweets_shared.csv",
        ("macro_f1", "accuracy", "coverage")),
    Run("levels/airline", "sentiment", "airline_complaints/tweets_shared.csv",
        ("negative_calm", "positive_frustrated_or_worse")),
    Run("safety/team-test", "safety", str(TEAM / "safety"), SAFETY_METRICS, split="test"),
    Run("support/team-test", "support", str(TEAM / "support"), SUPPORT_METRICS, split="test"),
    Run("coach/drafts-test", "drafts", str(TEAM / "drafts"), DRAFTS_METRICS, split="test"),
    Run("coach/suggestions-test", "suggestions", str(TEAM / "support"),
        ("pass_rate", "names_issue", "addresses_want", "clean", "coach_passes"), split="test"),
    Run("coach/labelled-replies", "behaviours", str(REPO / "tests" / "data" / "agent_replies.jsonl"),
        ("macro_f1",)),
    Run("coach/esconv", "esconv", "esconv/valid.jsonl", ("macro_f1",)),
    Run("coach/epitome", "epitome", "epitome_empathy", ("macro_f1",)),
    Run("coach/courtesy", "courtesy", "goemotions/dev.tsv", ("macro_f1",)),
)
GOALS = {("anger", "f1"): 0.55, ("intensity", "pearson"): 0.65,
         ("offensive/olid", "macro_f1"): 0.78,
         **{("safety/team-test", f"{c}_recall"): 0.95 for c in ("violence", "self_harm", "account_security")},
         ("safety/team-test", "precision"): 0.85,
         ("support/team-test", "level_within_one"): 0.85, ("support/team-test", "level_exact"): 0.55,
         ("support/team-test", "causes_micro_f1"): 0.75, ("support/team-test", "wants_micro_f1"): 0.80,
         ("support/team-test", "flags_micro_f1"): 0.85, ("support/team-test", "venting_f1"): 0.75,
         # issue 11: the coach on the team's drafts (test split)
         ("coach/drafts-test", "anti_pattern_recall"): 0.85,
         ("coach/drafts-test", "anti_pattern_precision"): 0.90,
         **{("coach/drafts-test", f"{a}_recall"): 0.75 for a in ("excuse", "blame", "minimise", "argue")},
         ("coach/drafts-test", "behaviour_micro_f1"): 0.90,
         # issue 11: the top suggestion for each support-set message passes all four checks
         ("coach/suggestions-test", "pass_rate"): 0.80}
# Goals where lower is better: met when the value is at most the goal.
CEILINGS = {("levels/airline", "negative_calm"): 0.25,
            ("levels/airline", "positive_frustrated_or_worse"): 0.10,
            ("safety/team-test", "hard_negative_false_alarms"): 0.05,
            ("coach/drafts-test", "good_drafts_blocked_rate"): 0.05,
            ("coach/drafts-test", "calm_down_as_calm_tone"): 0}
BASELINES = ("fast_path", "vader", "profanity_check", "tfidf_lr", "keyword")


def vader_scorer() -> Scorer:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()
    return lambda texts: [max(0.0, -vader.polarity_scores(t)["compound"]) for t in texts]


def profanity_scorer() -> Scorer:
    from profanity_check import predict_prob

    return lambda texts: [float(p) for p in predict_prob(texts)]


def tfidf_scorer(train: Path) -> Scorer:
    """TF-IDF (word 1-2 grams) + balanced logistic regression, fitted on GoEmotions train."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    rows = list(load_goemotions(train))
    model = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        LogisticRegression(class_weight="balanced", max_iter=2000))
    model.fit([r.text for r in rows], [bool(r.labels & ANGER_LABEL_IDS) for r in rows])
    return lambda texts: [float(p) for p in model.predict_proba(texts)[:, 1]]


def baseline(name: str, task: str, rows: Sequence[Any], scorer: Scorer) -> TaskResult | None:
    """Score `rows` with a baseline the way calmline is scored; None where it does not apply."""
    texts = [r.text for r in rows]
    if task == "anger" and name in ("vader", "tfidf_lr"):
        scores = scorer(texts)
        cut = 0.05 if name == "vader" else 0.5  # compound <= -0.05 / probability >= 0.5
        gold = [ANGER_LABELS[bool(r.labels & ANGER_LABEL_IDS)] for r in rows]
        pred = [ANGER_LABELS[s >= cut] for s in scores]
        return classification_result(task, gold, pred, ANGER_LABELS, "angry", scores)
    if task == "intensity" and name in ("vader", "tfidf_lr"):
        return correlation_result(task, [r.intensity for r in rows], scorer(texts))
    if task == "sentiment" and name == "vader":
        scores, result = scorer(texts), {}
        for sentiment in ("negative", "positive"):
            chosen = [sc for sc, r in zip(scores, rows, strict=True) if r.sentiment == sentiment]
            if chosen:  # VADER's anger = max(0, -compound); calm below 0.05, frustrated from 0.45
                result[f"{sentiment}_calm"] = round(sum(sc < 0.05 for sc in chosen) / len(chosen), 4)
                result[f"{sentiment}_frustrated_or_worse"] = round(
                    sum(sc >= 0.45 for sc in chosen) / len(chosen), 4)
        return TaskResult(task, len(rows), result)
    if task == "offensive" and name == "profanity_check":
        scores = scorer(texts)
        gold = [OFFENSIVE_LABELS[r.offensive] for r in rows]
        pred = [OFFENSIVE_LABELS[s >= 0.5] for s in scores]
        return classification_result(task, gold, pred, OFFENSIVE_LABELS, "OFF", scores)
    return None


def run_all(analyzer: Analyzer, fast: Analyzer, data: Path, limit: int | None,
            scorers: dict[str, Scorer], runs: Sequence[Run] = RUNS) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    for run in runs:
        task = get_task(run.task)
        rows = load_rows(task, data / run.file, None if run.select else limit, run.split)
        rows = [r for r in rows if run.select(r)][:limit] if run.select else rows
        print(f"  {run.key}: {len(rows):,} rows ...", file=sys.stderr, flush=True)
        start = time.perf_counter()
        result = task.run(analyzer, rows, None)
        entry: dict[str, Any] = {"calmline": result, "seconds": time.perf_counter() - start,
                                 "file": run.file, "split": run.split,
                                 "fast_path": task.run(fast, rows, None)}
        for name, scorer in scorers.items():
            entry[name] = baseline(name, run.task, rows, scorer)
        results[run.key] = entry
    return results


def table_rows(results: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for run in RUNS:
        if run.key not in results:
            continue
        entry = results[run.key]
        for metric in run.metrics:
            row: dict[str, Any] = {"task": run.key, "metric": metric, "n": entry["calmline"].n,
                                   "calmline": entry["calmline"].metrics.get(metric)}
            for name in BASELINES:
                if name == "keyword":  # the coach tasks score their keyword baseline themselves
                    row[name] = entry["calmline"].metrics.get(f"baseline_{metric}")
                    continue
                found = entry.get(name)
                row[name] = found.metrics.get(metric) if found is not None else None
            goal = row["goal"] = GOALS.get((run.key, metric))
            ceiling = row["ceiling"] = CEILINGS.get((run.key, metric))
            value = row["calmline"]
            row["met"] = (None if value is None else value >= goal if goal is not None
                          else value <= ceiling if ceiling is not None else None)
            rows.append(row)
    return rows


def show(rows: list[dict[str, Any]], label: str) -> None:
    def cell(value: Any) -> str:
        return "-" if value is None else f"{value:.3f}"

    table = Table(title=f"calmline accuracy ({label})", title_justify="left")
    for name in ("task", "metric", "n", "calmline", "fast path", "VADER", "profanity-check", "TF-IDF+LR",
                 "keyword", "goal", "met"):
        table.add_column(name, justify="left" if name in ("task", "metric") else "right")
    for r in rows:
        met = {None: "", True: "yes", False: "NO"}[r["met"]]
        goal = (f">= {r['goal']}" if r["goal"] is not None
                else f"<= {r['ceiling']}" if r["ceiling"] is not None else "")
        table.add_row(r["task"], r["metric"], f"{r['n']:,}", cell(r["calmline"]),
                      *(cell(r[name]) for name in BASELINES), goal, met)
    Console(width=160).print(table)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="first N rows of each file")
    parser.add_argument("--playbook", default=None, help="playbook YAML (default: shipped)")
    parser.add_argument("--only", default=None, help="run only the tasks whose key contains this text")
    args = parser.parse_args(argv)
    data = data_dir()
    playbook, label = choose_playbook(args.playbook)
    analyzer = Analyzer(load_playbook(playbook))
    fast = Analyzer(analyzer.playbook, encoder=None)  # what batch runs (and installs without the model) read
    print("fitting TF-IDF+LR on goemotions/train.tsv ...", file=sys.stderr, flush=True)
    scorers = {"vader": vader_scorer(), "profanity_check": profanity_scorer(),
               "tfidf_lr": tfidf_scorer(data / "goemotions" / "train.tsv")}
    runs = [r for r in RUNS if not args.only or args.only in r.key]
    results = run_all(analyzer, fast, data, args.limit, scorers, runs)
    rows = table_rows(results)
    show(rows, label)
    out = write_json("accuracy.json" if not args.only else "accuracy-partial.json", {
        "measured": label, "data_dir": str(data), "limit": args.limit, "table": rows,
        "results": {key: {name: (value.to_dict() if isinstance(value, TaskResult) else value)
                          for name, value in entry.items()} for key, entry in results.items()}})
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
