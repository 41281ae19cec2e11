"""The literal prefilter is an optimisation: it must never change what a phrase group finds,
whether it skips the whole group or narrows its alternation to the patterns whose literals occur."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calmline.playbook import default_playbook
from calmline.playbook.coach_loader import default_coach
from calmline.signals.matcher import PhraseMatcher, required_literals
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
    assert set(matcher._narrowed) == {(1, 2)}  # compiled once for this set of patterns, then kept
    assert matcher.find(normalize("all fine here")) == []
