"""The literal prefilter is an optimisation: it must never change what a phrase group finds."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calmline.playbook import default_playbook
from calmline.signals.matcher import PhraseMatcher, required_literals
from calmline.signals.text import normalize


def _all_matchers() -> list[PhraseMatcher]:
    pb = default_playbook()
    groups = {f"wants.{k}": g for k, g in pb.wants.items()}
    groups |= {f"causes.{k}": g for k, g in pb.causes.items()}
    groups |= {f"areas.{k}": g for k, g in pb.areas.items()}
    groups |= {f"flags.{k}": g for k, g in pb.flags.items() if g.patterns}
    groups |= {f"anger.{g.name}": g for g in pb.anger.lexicon}
    return [PhraseMatcher.from_group(rule, group) for rule, group in groups.items()]


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
        unfiltered = dataclasses.replace(matcher, literals=None)
        assert matcher.find(norm) == unfiltered.find(norm), matcher.rule
