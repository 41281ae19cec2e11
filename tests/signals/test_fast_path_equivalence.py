"""The fast path (lexicon + linear models, no semantic tier) reads a fixed corpus exactly as before.

Speed work on the detectors, the tokenizer and the linear models must not change a single result.
`tests/data/fast_path_golden.json.gz` holds a frozen corpus (hand-written edge cases: masking,
leetspeak, elongation, caps, emoji, ids, amounts, dates, over-long messages; the default
playbook's example sentences and near misses; the customer messages and some agent replies of
`tests/data/agent_replies.jsonl`; a sample of GoEmotions dev messages), three short conversations,
and `analysis.to_dict()` of every message as the analyzer read it when the file was written.

When a result is meant to change (a playbook or model change), regenerate the expected results
for the same corpus and review the diff:

    .venv/bin/python tests/signals/test_fast_path_equivalence.py --regenerate
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Any

import pytest

import calmline
from calmline.engine.analyzer import HistoryItem

GOLDEN = Path(__file__).resolve().parent.parent / "data" / "fast_path_golden.json.gz"


def _plain(value: Any) -> Any:
    """What the golden file stores: the JSON round trip of a value (tuples become lists)."""
    return json.loads(json.dumps(value, ensure_ascii=False))


def _analyzer() -> calmline.Analyzer:
    return calmline.Analyzer(calmline.load_playbook(), encoder=None)


def _read(analyzer: calmline.Analyzer, texts: list[str], conversations: list[list[HistoryItem]]
          ) -> dict[str, Any]:
    analyses = [_plain(analyzer.analyze(text).to_dict()) for text in texts]
    threads = []
    for turns in conversations:
        per_turn = [None if a is None else a.to_dict() for a in analyzer.analyze_conversation(turns)]
        last = analyzer.analyze(str(turns[-1]), history=turns[:-1]).to_dict()
        threads.append(_plain({"turns": per_turn, "last_with_history": last}))
    return {"analyses": analyses, "conversations": threads}


def _load() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(gzip.decompress(GOLDEN.read_bytes()).decode("utf-8"))
    return data


@pytest.fixture(scope="module")
def golden() -> dict[str, Any]:
    return _load()


@pytest.fixture(scope="module")
def current(golden: dict[str, Any]) -> dict[str, Any]:
    return _read(_analyzer(), golden["corpus"]["texts"], golden["corpus"]["conversations"])


def test_corpus_is_varied(golden: dict[str, Any]) -> None:
    texts = golden["corpus"]["texts"]
    assert len(texts) >= 300
    assert len(set(texts)) == len(texts)
    analyses = golden["expected"]["analyses"]
    assert sum(bool(a["flags"]) for a in analyses) >= 30
    assert sum(bool(a["wants"]) for a in analyses) >= 30
    assert sum(bool(a["facts"]) for a in analyses) >= 30
    assert sum(a["escalate"]["escalate"] for a in analyses) >= 20
    assert len({a["anger"]["level"] for a in analyses}) == 5


def test_every_message_reads_as_before(golden: dict[str, Any], current: dict[str, Any]) -> None:
    texts = golden["corpus"]["texts"]
    differ = [i for i, (want, got) in enumerate(
        zip(golden["expected"]["analyses"], current["analyses"], strict=True)) if want != got]
    assert not differ, f"{len(differ)} message(s) read differently, first: {texts[differ[0]]!r}"


def test_conversations_read_as_before(golden: dict[str, Any], current: dict[str, Any]) -> None:
    assert current["conversations"] == golden["expected"]["conversations"]


def regenerate() -> None:
    corpus = _load()["corpus"]
    expected = _read(_analyzer(), corpus["texts"], corpus["conversations"])
    blob = json.dumps({"corpus": corpus, "expected": expected}, ensure_ascii=False, sort_keys=True)
    GOLDEN.write_bytes(gzip.compress(blob.encode("utf-8"), compresslevel=9, mtime=0))
    print(f"wrote {GOLDEN} ({len(corpus['texts'])} messages)")


if __name__ == "__main__":
    if sys.argv[1:] != ["--regenerate"]:
        sys.exit(__doc__)
    regenerate()
