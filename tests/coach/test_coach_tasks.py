"""The coach's evaluation tasks: the labelled set, and the ESConv / EPITOME loaders and runners."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from calmline.errors import InputError
from calmline.evaluation.coach_tasks import (
    BEHAVIOUR_LABELS,
    load_agent_replies,
    load_courtesy,
    load_epitome,
    load_esconv,
    run_behaviours,
    run_courtesy,
    run_epitome,
    run_esconv,
)
from tests.coach.support import coach_analyzer

REPLIES = Path(__file__).resolve().parents[1] / "data" / "agent_replies.jsonl"


def test_labelled_set_is_large_varied_and_uses_known_labels() -> None:
    rows = list(load_agent_replies(REPLIES))
    assert len(rows) >= 300 and len({r.text for r in rows}) == len(rows)
    used = {label for r in rows for label in r.labels}
    assert used <= set(BEHAVIOUR_LABELS)
    for label in BEHAVIOUR_LABELS:
        assert sum(label in r.labels for r in rows) >= 10, label


def test_behaviours_task_beats_its_keyword_baseline() -> None:
    rows = list(load_agent_replies(REPLIES))
    result = run_behaviours(coach_analyzer(), rows)
    assert result.n == len(rows) and set(result.per_class) == set(BEHAVIOUR_LABELS)
    macro, baseline = result.metrics["macro_f1"], result.metrics["baseline_macro_f1"]
    assert isinstance(macro, float) and isinstance(baseline, float)
    assert macro >= 0.7 and macro > baseline + 0.1


def test_esconv_rows_map_strategies(tmp_path: Path) -> None:
    file = tmp_path / "valid.jsonl"
    dialog = [{"speaker": "usr", "text": "I feel so stressed about my exams."},
              {"speaker": "sys", "text": "That sounds really stressful.",
               "strategy": "Reflection of feelings"},
              {"speaker": "sys", "text": "What is worrying you most?", "strategy": "Question"},
              {"speaker": "sys", "text": "I went through that too.", "strategy": "Self-disclosure"}]
    file.write_text(json.dumps({"dialog": dialog}) + "\n")
    rows = list(load_esconv(file))
    assert [sorted(r.labels) for r in rows] == [["acknowledge"], ["clarifying_question"], []]
    assert rows[0].seeker.startswith("I feel")
    result = run_esconv(coach_analyzer(), rows)
    assert result.per_class["acknowledge"].f1 == 1.0 and result.per_class["clarifying_question"].f1 == 1.0


def test_epitome_rows_use_level_one_and_above(tmp_path: Path) -> None:
    header = "sp_id,rp_id,seeker_post,response_post,level,rationales\n"
    (tmp_path / "explorations-reddit.csv").write_text(
        header + 'a,r1,"I lost my job.","What happened at work?",2,\n'
                 'b,r2,"I lost my job.","Same here.",0,\n')
    rows = list(load_epitome(tmp_path))
    assert [bool(r.labels) for r in rows] == [True, False]
    assert run_epitome(coach_analyzer(), rows).per_class["explorations"].f1 == 1.0


def test_courtesy_maps_remorse_to_apology_and_gratitude_to_thanks(tmp_path: Path) -> None:
    file = tmp_path / "dev.tsv"
    file.write_text("I'm so sorry, that was my mistake.\t24\ta1\n"
                    "Thank you so much for the help!\t15\ta2\n"
                    "The bus was late again.\t27\ta3\n"
                    "Cheers, that fixed it.\t15,0\ta4\n")
    rows = list(load_courtesy(file))
    assert [sorted(r.labels) for r in rows] == [["apology"], ["thanks"], [], ["thanks"]]
    result = run_courtesy(coach_analyzer(), rows)
    assert result.per_class["apology"].f1 == 1.0 and result.per_class["thanks"].f1 == 1.0
    # the keyword baseline misses "Cheers": the detector's recall on thanks is higher
    assert result.metrics["baseline_f1_thanks"] < 1.0


@pytest.mark.parametrize("loader, content", [(load_agent_replies, "{bad"), (load_esconv, "[1]")])
def test_bad_files_are_input_errors(tmp_path: Path, loader: object, content: str) -> None:
    file = tmp_path / "x.jsonl"
    file.write_text(content)
    with pytest.raises(InputError):
        list(loader(file))  # type: ignore[operator]
    with pytest.raises(InputError):
        list(load_epitome(tmp_path / "unknown.csv"))
