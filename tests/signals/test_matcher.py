"""The literal prefilter is an optimisation: it must never change what a phrase group finds,
whether it skips the whole group or narrows its alternation to the patterns whose literals occur."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calmline.playbook import default_playbook
from calmline.playbook.coach_loader import default_coach
from calmline.signals.matcher import MERGED_CHARS, PhraseMatcher, required_literals
from calmline.signals.text import normalize


def _all_matchers() -> list[PhraseMatcher]:
    pb = default_playbook()
    groups = {f"wants.{k}": g for k, g in pb.wants.items()}
    groups |= {f"causes.{k}": g for k, g in pb.causes.items()}
    groups |= {f"areas.{k}": g for k, g in pb.areas.items()}
    groups |= {f"flags.{k}": g for k, g in pb.flags.items() if g.patterns}
    groups |= {f"anger.{g.name}": g for g in pb.anger.lexicon}
    found = [PhraseMatcher.from_group(rule, group) for rule, group in groups.items()]
    coach = default_coach()  # the coach's cues: the largest alternations (a hundred patterns)
    cues = {f"anti_patterns.{k}": c for k, c in coach.anti_patterns.items()}
    cues |= {f"behaviours.{k}": c for k, c in coach.behaviours.items()}
    return found + [PhraseMatcher.from_patterns(rule, c.title, c.weight, c.patterns, source="cue")
                    for rule, c in cues.items()]


MATCHERS = _all_matchers()
WORDS = sorted({w for m in MATCHERS for w in (m.literals or ())} | {"you", "i", "am", "not", "my"})


@pytest.mark.parametrize(
    "pattern, literals",
    [
        ("fuck\\w*", ("fuck",)),
        ("on hold", ("on hold",)),
        ("pissed( off)?", ("pissed",)),
        ("(kill|shoot) (you|u)", ("kill", "shoot")),
        ("(you|u)( such| a)* (idiot|moron)", ("idiot", "moron")),
        ("\\w+", None),
    ],
)
def test_required_literals(pattern: str, literals: tuple[str, ...] | None) -> None:
    assert required_literals([pattern]) == literals


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join))
def test_prefilter_never_hides_a_match(text: str) -> None:
    norm = normalize(text)
    for matcher in MATCHERS:
        unfiltered = dataclasses.replace(matcher, literals=None, _parts=None)
        assert matcher.find(norm, limit=10) == unfiltered.find(norm, limit=10), matcher.rule


def test_narrowing_runs_only_the_patterns_whose_literals_occur() -> None:
    matcher = PhraseMatcher.from_patterns("t", "t", 1.0, [r"not my fault", r"you should have",
                                                          r"as i said", r"calm down"])
    norm = normalize("You should have read it, AS I SAID.")
    assert [e.text for e in matcher.find(norm)] == ["You should have", "AS I SAID"]
    # each needs a literal: run alone (each compiled once and kept), no alternation compiled
    assert set(matcher._single) == {1, 2} and not matcher._narrowed
    assert matcher.find(normalize("all fine here")) == []
    # until the set has run over MERGED_CHARS characters: then their alternation is compiled
    again = normalize("as I said, you should have")
    while not matcher._narrowed:
        assert [e.text for e in matcher.find(again)] == ["as I said", "you should have"]
    assert set(matcher._narrowed) == {(1, 2)}
    assert matcher._scanned[(1, 2)] >= MERGED_CHARS - len(again.norm)


def test_a_long_text_compiles_the_alternation_at_once() -> None:
    matcher = PhraseMatcher.from_patterns("t", "t", 1.0, [r"not my fault", r"calm down"])
    norm = normalize("Please calm down. " + "The parcel is on its way. " * 200)
    assert [e.text for e in matcher.find(norm)] == ["calm down"]
    assert set(matcher._narrowed) == {(1,)} and not matcher._single


def test_a_pattern_without_literals_narrows_to_a_compiled_alternation() -> None:
    matcher = PhraseMatcher.from_patterns("t", "t", 1.0, [r"not my fault", r"\d{3,}", r"calm down"])
    norm = normalize("Order 12345: calm down.")
    assert [e.text for e in matcher.find(norm)] == ["12345", "calm down"]
    assert set(matcher._narrowed) == {(1, 2)} and not matcher._single


@pytest.mark.parametrize(
    "patterns, text",
    [
        # at one position the first pattern in order wins, even when a later one is longer
        (["sorry", "sorry for (the|this) (delay|wait)", "the delay"],
         "Sorry for the delay, so sorry for this wait"),
        # a later pattern's earlier match comes first; an earlier one's overlapped match is dropped
        (["the delay is", "sorry for the", "delay"], "sorry for the delay is not ok, delay"),
        # a pattern that fails its trailing look-ahead gives way to the next one at that position
        (["calm", "calm down( now)?"], "calmly, calm down now, calm"),
        (["(you|u) (idiot|moron)", "idiot"], "you idiot idiotic idiot u moron"),
    ],
)
def test_merged_patterns_find_what_the_alternation_finds(patterns: list[str], text: str) -> None:
    # one pattern more whose literal is absent, so that the group narrows
    matcher = PhraseMatcher.from_patterns("t", "t", 1.0, [*patterns, "not my fault"])
    norm = normalize(text)
    whole = dataclasses.replace(matcher, literals=None, _parts=None)
    assert matcher.find(norm, limit=20) == whole.find(norm, limit=20)
    assert matcher._single and not matcher._narrowed  # it went the merged way


def _team_texts() -> list[str]:
    """The team's support messages (train and dev) and the labelled agent replies."""
    import json
    from pathlib import Path

    from calmline.evaluation.team_sets import load_team_rows

    root = Path(__file__).resolve().parents[2]
    texts = [row.text for row in load_team_rows(root / "data" / "support")
             if row.split in ("train", "dev")]
    lines = (root / "tests" / "data" / "agent_replies.jsonl").read_text("utf-8").splitlines()
    return texts + [json.loads(line)["text"] for line in lines if line.strip()]


def test_narrowing_finds_what_the_whole_group_finds_on_the_team_texts() -> None:
    wholes = [dataclasses.replace(m, literals=None, _parts=None) for m in MATCHERS]
    for text in _team_texts():
        norm = normalize(text.replace("’", "'"))
        for matcher, whole in zip(MATCHERS, wholes, strict=True):
            assert matcher.find(norm, limit=50) == whole.find(norm, limit=50), (matcher.rule, text)
