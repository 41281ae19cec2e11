"""Tasks and metrics: exact figures on tiny hand-made data, with a stub analyzer for control."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from calmline import Analyzer, load_playbook
from calmline.engine.analysis import Analysis, Anger, Escalation, Venting
from calmline.errors import InputError
from calmline.evaluation import TASKS, evaluate, get_task, load_rows
from calmline.evaluation.datasets import AirlineRow, EmotionRow, IntensityRow, OffensiveRow, OlidRow
from calmline.evaluation.metrics import classification_result, correlation_result
from calmline.evaluation.report import render, to_json_line
from calmline.evaluation.tasks import (
    CAUSE_LABELS,
    CAUSE_TARGETS,
    is_offensive,
    predicted_cause,
    run_anger,
    run_cause,
    run_intensity,
    run_offensive,
    run_targeted,
)
from calmline.signals.base import Evidence, Finding


def finding(label: str, score: float = 0.9, evidence: int = 1) -> Finding:
    spans = tuple(Evidence(0, 1, "x", "pattern", label) for _ in range(evidence))
    return Finding(label, score, "stub", label, spans)


def analysis(text: str, score: float = 0.0, flags: tuple[str, ...] = (),
             areas: tuple[Finding, ...] = (), causes: tuple[Finding, ...] = (),
             extra: tuple[Finding, ...] = ()) -> Analysis:
    return Analysis(text, Anger(score, "calm", ()), causes, areas, (), (),
                    tuple(finding(f) for f in flags), Venting(False, ""), Escalation(False), extra)


@dataclass
class StubAnalyzer:
    """Answers from a table text -> Analysis, like a perfect (or chosen) predictor."""

    answers: dict[str, Analysis]
    playbook: Any = field(default_factory=load_playbook)
    calls: int = 0

    def analyze(self, text: str) -> Analysis:
        self.calls += 1
        return self.answers[text]


def stub(*items: Analysis) -> Any:
    return StubAnalyzer({a.text: a for a in items})


def test_anger_perfect_predictor() -> None:
    rows = [EmotionRow("1", "grr", frozenset({2})), EmotionRow("2", "meh", frozenset({3, 27})),
            EmotionRow("3", "boo", frozenset({10})), EmotionRow("4", "yay", frozenset({17}))]
    fake = stub(analysis("grr", 0.9), analysis("meh", 0.3), analysis("boo", 0.5),
                analysis("yay", 0.1))
    ticks: list[int] = []
    result = run_anger(fake, rows, lambda: ticks.append(1))
    assert result.metrics["f1"] == 1.0 and result.metrics["precision"] == 1.0
    assert result.metrics["roc_auc"] == 1.0 and result.metrics["support"] == 3
    assert result.confusion is not None and result.confusion.matrix == ((1, 0), (0, 3))
    assert len(ticks) == 4 and result.n == 4


def test_anger_one_miss() -> None:
    rows = [EmotionRow("1", "grr", frozenset({2})), EmotionRow("2", "meh", frozenset({3})),
            EmotionRow("3", "yay", frozenset({17}))]
    fake = stub(analysis("grr", 0.9), analysis("meh", 0.1), analysis("yay", 0.2))
    result = run_anger(fake, rows)
    assert result.metrics["precision"] == 1.0 and result.metrics["recall"] == 0.5
    assert result.metrics["f1"] == pytest.approx(0.6667)
    assert result.metrics["roc_auc"] == 0.5


def test_intensity_correlation() -> None:
    rows = [IntensityRow(str(i), f"t{i}", v, None) for i, v in enumerate([0.1, 0.5, 0.9])]
    fake = stub(*(analysis(f"t{i}", v / 2) for i, v in enumerate([0.1, 0.5, 0.9])))
    result = run_intensity(fake, rows)
    assert result.metrics["pearson"] == 1.0 and result.metrics["spearman"] == 1.0


def test_correlation_of_a_constant_is_none() -> None:
    result = correlation_result("intensity", [0.1, 0.5, 0.9], [0.3, 0.3, 0.3])
    assert result.metrics["pearson"] is None
    assert json.loads(to_json_line(result))["metrics"]["pearson"] is None


def test_offensive_flags_or_model_score() -> None:
    threshold = 0.5
    assert is_offensive(analysis("a", flags=("swearing",)), threshold)
    assert is_offensive(analysis("a", flags=("abuse",)), threshold)
    assert is_offensive(analysis("a", extra=(finding("offensive", 0.5),)), threshold)
    assert not is_offensive(analysis("a", extra=(finding("offensive", 0.49),)), threshold)
    assert not is_offensive(analysis("a", flags=("legal",)), threshold)


def test_offensive_task_macro_f1() -> None:
    rows = [OffensiveRow("1", "bad", True, "olid"), OffensiveRow("2", "nice", False, "olid"),
            OffensiveRow("3", "worse", True, "olid"), OffensiveRow("4", "fine", False, "olid")]
    fake = stub(analysis("bad", flags=("abuse",)), analysis("nice"),
                analysis("worse"), analysis("fine", flags=("swearing",)))
    result = run_offensive(fake, rows)
    assert result.metrics["macro_f1"] == 0.5 and result.per_class["OFF"].support == 2
    assert result.confusion is not None and result.confusion.matrix == ((1, 1), (1, 1))


def test_targeted_task() -> None:
    rows = [OlidRow("1", "you idiot", "OFF", "TIN", "IND"),
            OlidRow("2", "damn", "OFF", "UNT", "NULL")]
    fake = stub(analysis("you idiot", flags=("violence",)), analysis("damn", flags=("swearing",)))
    result = run_targeted(fake, rows)
    assert result.metrics["macro_f1"] == 1.0 and set(result.per_class) == {"TIN", "UNT"}


def test_cause_prediction_picks_the_best_target() -> None:
    a = analysis("x", areas=(finding("delivery", 0.7), finding("staff", 0.8)),
                 causes=(finding("unmet_expectations", 0.95),))
    assert predicted_cause(a) == "staff"
    tie = analysis("x", areas=(finding("delivery", 0.8), finding("staff", 0.8, evidence=2)))
    assert predicted_cause(tie) == "staff"
    assert predicted_cause(analysis("x", causes=(finding("outside_stress"),))) == "none"


def test_cause_mapping_is_one_label_per_reason() -> None:
    assert "Can't Tell" not in CAUSE_TARGETS
    assert set(CAUSE_TARGETS.values()) == set(CAUSE_LABELS)
    assert CAUSE_TARGETS["Flight Attendant Complaints"] == "staff"
    assert CAUSE_TARGETS["longlines"] == "process_friction"


def test_cause_task_counts_none_as_a_miss() -> None:
    rows = [AirlineRow("1", "late", "negative", "Late Flight", "U"),
            AirlineRow("2", "rude", "negative", "Flight Attendant Complaints", "U"),
            AirlineRow("3", "queue", "negative", "longlines", "U")]
    fake = stub(analysis("late", areas=(finding("delivery"),)),
                analysis("rude", areas=(finding("staff"),)), analysis("queue"))
    result = run_cause(fake, rows)
    assert result.per_class["delivery"].f1 == 1.0 and result.per_class["staff"].f1 == 1.0
    assert result.per_class["process_friction"].recall == 0.0
    assert result.metrics["coverage"] == pytest.approx(0.6667)
    assert result.confusion is not None and result.confusion.predicted[-1] == "none"


def test_confusion_has_an_extra_column_for_other_predictions() -> None:
    result = classification_result("t", ["a", "b"], ["a", "none"], ["a", "b"])
    assert result.confusion is not None
    assert result.confusion.predicted == ("a", "b", "none")
    assert result.confusion.matrix == ((1, 0, 0), (0, 0, 1))


def test_unknown_task_and_bad_limit(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown task 'nope'.*anger"):
        get_task("nope")
    path = tmp_path / "g.tsv"
    path.write_text("hi\t2\tx\n", "utf-8")
    with pytest.raises(InputError, match="--limit"):
        load_rows(TASKS["anger"], path, 0)


def test_no_rows_left_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "o.tsv"
    path.write_text("id\ttweet\tsubtask_a\tsubtask_b\n1\thello\tNOT\tNULL\n", "utf-8")
    with pytest.raises(InputError, match="no rows to evaluate for task 'targeted'"):
        load_rows(TASKS["targeted"], path)


def test_evaluate_end_to_end_with_the_lexicon_playbook(
        tmp_path: Path, lexicon_analyzer: Analyzer) -> None:
    path = tmp_path / "a.csv"
    path.write_text(
        "tweet_id,airline_sentiment,negativereason,airline,text,tweet_created\n"
        "1,negative,Flight Attendant Complaints,U,the flight attendant was so rude,x\n"
        "2,negative,Can't Tell,U,meh,x\n"
        "3,neutral,,U,ok,x\n", "utf-8")
    result = evaluate("cause", path, lexicon_analyzer)
    assert result.n == 1 and result.file == str(path)
    assert result.per_class["staff"].f1 == 1.0


def test_render_prints_tables() -> None:
    from rich.console import Console

    console = Console(record=True, width=120)
    render(classification_result("anger", ["angry", "calm"], ["angry", "calm"],
                                 ["calm", "angry"], "angry", [0.9, 0.1]), console)
    text = console.export_text()
    assert "macro_f1" in text and "roc_auc" in text and "gold \\ predicted" in text
