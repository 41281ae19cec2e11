"""Accuracy of calmline on the shared dev data, next to the baselines a team would pick instead.

    .venv/bin/python bench/accuracy.py [--limit N] [--playbook PATH]

Runs every `calmline eval` task through calmline.evaluation (the same code as the CLI), then,
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
    Run("coach/labelled-replies", "behaviours", str(REPO / "tests" / "data" / "agent_replies.jsonl"),
        ("macro_f1",)),
    Run("coach/esconv", "esconv", "esconv/valid.jsonl", ("macro_f1",)),
    Run("coach/epitome", "epitome", "epitome_empathy", ("macro_f1",)),
    Run("coach/courtesy", "courtesy", "goemotions/dev.tsv", ("macro_f1",)),
)
GOALS = {("anger", "f1"): 0.55, ("intensity", "pearson"): 0.65,
         ("offensive/olid", "macro_f1"): 0.78}
BASELINES = ("vader", "profanity_check", "tfidf_lr", "keyword")


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
    if task == "offensive" and name == "profanity_check":
        scores = scorer(texts)
        gold = [OFFENSIVE_LABELS[r.offensive] for r in rows]
        pred = [OFFENSIVE_LABELS[s >= 0.5] for s in scores]
        return classification_result(task, gold, pred, OFFENSIVE_LABELS, "OFF", scores)
    return None


def run_all(analyzer: Analyzer, data: Path, limit: int | None,
            scorers: dict[str, Scorer]) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    for run in RUNS:
        task = get_task(run.task)
        rows = load_rows(task, data / run.file, None if run.select else limit)
        rows = [r for r in rows if run.select(r)][:limit] if run.select else rows
        print(f"  {run.key}: {len(rows):,} rows ...", file=sys.stderr, flush=True)
        start = time.perf_counter()
        result = task.run(analyzer, rows, None)
        entry: dict[str, Any] = {"calmline": result, "seconds": time.perf_counter() - start,
                                 "file": run.file}
        for name, scorer in scorers.items():
            entry[name] = baseline(name, run.task, rows, scorer)
        results[run.key] = entry
    return results


def table_rows(results: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for run in RUNS:
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
            value = row["calmline"]
            row["met"] = None if goal is None or value is None else value >= goal
            rows.append(row)
    return rows


def show(rows: list[dict[str, Any]], label: str) -> None:
    def cell(value: Any) -> str:
        return "-" if value is None else f"{value:.3f}"

    table = Table(title=f"calmline accuracy ({label})", title_justify="left")
    for name in ("task", "metric", "n", "calmline", "VADER", "profanity-check", "TF-IDF+LR",
                 "keyword", "goal", "met"):
        table.add_column(name, justify="left" if name in ("task", "metric") else "right")
    for r in rows:
        met = {None: "", True: "yes", False: "NO"}[r["met"]]
        goal = "" if r["goal"] is None else f">= {r['goal']}"
        table.add_row(r["task"], r["metric"], f"{r['n']:,}", cell(r["calmline"]),
                      *(cell(r[name]) for name in BASELINES), goal, met)
    Console(width=140).print(table)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="first N rows of each file")
    parser.add_argument("--playbook", default=None, help="playbook YAML (default: shipped)")
    args = parser.parse_args(argv)
    data = data_dir()
    playbook, label = choose_playbook(args.playbook)
    analyzer = Analyzer(load_playbook(playbook))
    print("fitting TF-IDF+LR on goemotions/train.tsv ...", file=sys.stderr, flush=True)
    scorers = {"vader": vader_scorer(), "profanity_check": profanity_scorer(),
               "tfidf_lr": tfidf_scorer(data / "goemotions" / "train.tsv")}
    results = run_all(analyzer, data, args.limit, scorers)
    rows = table_rows(results)
    show(rows, label)
    out = write_json("accuracy.json", {
        "measured": label, "data_dir": str(data), "limit": args.limit, "table": rows,
        "results": {key: {name: (value.to_dict() if isinstance(value, TaskResult) else value)
                          for name, value in entry.items()} for key, entry in results.items()}})
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
