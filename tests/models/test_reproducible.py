"""`make models` gives the same bytes when it is run again (models/reproducible.py says what is pinned):
cut-down trainings run twice, in processes with other hash seeds and other BLAS thread counts, and
compared byte for byte; every trainer runs BLAS on one thread; `python -m calmline.models.check`
names what differs. (`make models-check` retrains the real artefacts: minutes, not part of the suite.)
"""

from __future__ import annotations

import csv
import gzip
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from calmline.evaluation.team_sets import TeamRow
from calmline.models import check
from calmline.models import train as linear_train
from calmline.models.artifact_json import write_json_gz
from calmline.models.reproducible import training_threads
from calmline.semantic import train_draft_heads, train_heads
from calmline.semantic.heads import Heads, dump_heads

WORDS = ("parcel", "refund", "order", "call", "week", "today", "again", "still", "account", "bill",
         "driver", "box", "email", "phone", "line", "engineer")
ANGRY = ("furious", "ridiculous", "useless", "hate", "angry", "unacceptable", "disgusting")
SWEARS = ("shit", "fuck", "fucking", "bitch", "idiot")


def _tiny_public_data(root: Path) -> Path:
    """GoEmotions and Davidson files of a few hundred made-up rows, shaped like ../shared/data's."""
    rng = np.random.default_rng(7)
    (root / "goemotions").mkdir(parents=True)
    (root / "davidson_offensive").mkdir()
    for split, n in (("train", 300), ("dev", 60)):
        lines = []
        for i in range(n):
            words = list(rng.choice(WORDS, size=6))
            labels = ["27"]  # neutral
            if i % 3 == 0:
                words[int(rng.integers(6))] = str(rng.choice(ANGRY))
                labels = [str(rng.choice(["2", "3", "10", "11"]))]
            if i % 7 == 0:
                words.append(str(rng.choice(SWEARS)))
            lines.append(f"{' '.join(words)} {i % 11}\t{','.join(labels)}\tid{split}{i}\n")
        (root / "goemotions" / f"{split}.tsv").write_text("".join(lines), encoding="utf-8")
    with (root / "davidson_offensive" / "labeled_data_shared.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["count", "hate_speech", "offensive_language", "neither", "class", "tweet"])
        for i in range(300):
            words = list(rng.choice(WORDS, size=5))
            offensive = i % 2 == 0
            if offensive:
                words[int(rng.integers(5))] = str(rng.choice(SWEARS))
            writer.writerow([3, 0, 3 if offensive else 0, 0 if offensive else 3, 1 if offensive else 2,
                             f"@user {' '.join(words)} &amp; {i % 13}"])
    return root


def test_linear_models_retrain_to_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The linear trainer twice on the same data: here, and in a process with another hash seed
    (set and dict order) and another BLAS thread count. Same bytes, and gzip carries no time.
    (Cross-validation folds run in this process: worker processes would cost seconds to start.)"""
    data = _tiny_public_data(tmp_path / "data")
    args = ["--data", str(data), "--models", "anger", "offensive"]
    monkeypatch.setattr(linear_train, "N_JOBS", 1)
    assert linear_train.main([*args, "--out", str(tmp_path / "one")]) == 0
    again = ("import sys; import calmline.models.train as t; t.N_JOBS = 1; "
             "raise SystemExit(t.main(sys.argv[1:]))")
    env = {**os.environ, "PYTHONHASHSEED": "12345", "OPENBLAS_NUM_THREADS": "2", "OMP_NUM_THREADS": "2"}
    subprocess.run([sys.executable, "-c", again, *args, "--out", str(tmp_path / "two")],
                   check=True, env=env, capture_output=True, timeout=120)
    for name in ("anger.json.gz", "offensive.json.gz"):
        one, two = (tmp_path / "one" / name).read_bytes(), (tmp_path / "two" / name).read_bytes()
        assert one == two, name
        assert one[4:8] == b"\0\0\0\0" and not one[3] & 0x08  # gzip mtime 0, no file name
    lines, same = check.compare(tmp_path / "one", tmp_path / "two")
    assert same and [line.split()[1] for line in lines] == ["anger.json.gz", "offensive.json.gz"]


def _items(rng: np.random.Generator, n: int, label: str) -> list[train_heads.Embedded]:
    """Messages of two or three sentence vectors; a third carry `label` and one sentence near `1`."""
    items = []
    for i in range(n):
        vectors = rng.standard_normal((int(rng.integers(2, 4)), 384)).astype(np.float32)
        labelled = i % 3 == 0
        if labelled:
            vectors[0, :8] += 2.5
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        gold: dict[str, Any] = {"flags": [label] if labelled else []}
        items.append(train_heads.Embedded(
            TeamRow(f"m{i}", "train" if i % 4 else "dev", "chat", f"message {i}. sentence two.", "", gold),
            "safety", vectors))
    return items


def _train_danger_heads(out: Path) -> bytes:
    """A danger head as `make models` trains one (the head, two rounds of choosing each message's
    positive sentence, the labelled sentences' memory, flag and watch thresholds chosen on dev),
    dumped as the shipped file is."""
    rng = np.random.default_rng(3)
    items = _items(rng, 160, "violence")
    train = [i for i in items if i.row.split == "train"]
    dev = [i for i in items if i.row.split == "dev"]
    examples = rng.standard_normal((12, 384)).astype(np.float32)
    examples[:, :8] += 2.5
    near = rng.standard_normal((12, 384)).astype(np.float32)
    examples /= np.linalg.norm(examples, axis=1, keepdims=True)
    near /= np.linalg.norm(near, axis=1, keepdims=True)
    remembered: dict[str, train_heads.Remembered] = {}
    head = train_heads.train_head("flags", "violence", examples, near, train, dev,
                                  np.zeros(len(dev), dtype=bool), danger=True,
                                  texts=([f"example {i}" for i in range(12)],
                                         [f"near {i}" for i in range(12)]),
                                  limit=12, remembered=remembered)
    assert head is not None and head.watch is not None
    dump_heads(Heads("test", "sha", {("flags", "violence"): head}, None, {"seed": train_heads.SEED},
                     train_heads.shared_memory(remembered)), out)
    return out.read_bytes()


def test_semantic_heads_retrain_to_the_same_bytes(tmp_path: Path) -> None:
    """A danger head with its memory, trained twice (under two BLAS thread limits, each run inside
    `training_threads` as the trainer's main is): the same file."""
    runs = []
    for outer in (1, 2):
        with threadpool_limits(limits=outer), training_threads():
            runs.append(_train_danger_heads(tmp_path / f"heads-{outer}.json.gz"))
    assert runs[0] == runs[1]


@pytest.mark.parametrize("main", [linear_train.main, train_heads.main, train_draft_heads.main],
                         ids=["linear", "semantic_heads", "draft_heads"])
def test_every_trainer_runs_blas_on_one_thread(main: Callable[..., Any], monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    """OpenBLAS splits some sums over its threads and adds the parts in an order that depends on
    how many there are: each trainer's main holds BLAS to one thread (stopped at its first step)."""
    seen: list[set[int]] = []

    class StopError(Exception):
        """Raised at the trainer's first step: the test has seen what it needs."""

    def first_step(*_: Any, **__: Any) -> Any:
        seen.append({pool["num_threads"] for pool in threadpool_info()})
        raise StopError

    module = sys.modules[main.__module__]
    step = {"calmline.models.train": "default_data_dir", "calmline.semantic.train_heads": "load_playbook",
            "calmline.semantic.train_draft_heads": "default_coach"}[main.__module__]
    monkeypatch.setattr(module, step, first_step)
    with threadpool_limits(limits=2), pytest.raises(StopError):
        main(["--out", str(tmp_path)])
    assert seen == [{1}]


def test_check_names_what_differs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """models/check.py: same bytes; the same JSON under another gzip header; another model; missing."""
    committed, retrained = tmp_path / "committed", tmp_path / "retrained"
    committed.mkdir()
    retrained.mkdir()
    model = {"name": "m", "weights": {"a": 0.5, "b": -1.0},
             "heads": [{"section": "flags", "label": "abuse", "coef": [0.1, 0.2, 0.3]}]}
    for name in ("same", "header", "model", "missing"):
        write_json_gz(model, committed / f"{name}.json.gz")
    write_json_gz(model, retrained / "same.json.gz")
    (retrained / "header.json.gz").write_bytes(
        gzip.compress(gzip.decompress((committed / "same.json.gz").read_bytes()), mtime=1))
    write_json_gz({**model, "weights": {"a": 0.5, "b": -1.25},
                   "heads": [{"section": "flags", "label": "abuse", "coef": [0.1, 0.25, 0.4]}]},
                  retrained / "model.json.gz")
    assert check.main([str(retrained), "--expected", str(committed)]) == 1
    out = capsys.readouterr().out
    assert "same     same.json.gz" in out
    assert "DIFFERS  header.json.gz" in out and "the gzip bytes only" in out
    assert "DIFFERS  model.json.gz" in out and "/weights/b: -1.0 -> -1.25" in out
    assert "/heads[flags.abuse]/coef: 2 of 3 numbers, by up to 0.1" in out
    assert "MISSING  missing.json.gz" in out
    assert check.main([str(committed), "--expected", str(committed)]) == 0
    assert check.main([str(retrained), "--expected", str(committed), "same.json.gz"]) == 0
