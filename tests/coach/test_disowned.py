"""A draft that owns what a phrase seems to excuse or blame, in the next breath, is not blamed for
it (coach.yaml `disowned_by`); a 'but' after the disclaimer takes it back."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from calmline.engine.cues import CueScanner
from calmline.playbook.coach_loader import load_coach
from calmline.playbook.coach_schema import AntiPattern


@pytest.fixture(scope="module")
def scanner() -> CueScanner:
    return CueScanner(load_coach())


@pytest.mark.parametrize(("bare", "owned", "label"), [
    # the phrase cue, then the same draft owning it in the same sentence or the next
    ("Our drivers were under a lot of pressure that week.",
     "Our drivers were under a lot of pressure that week. That is no excuse and I'm sorry.", "excuse"),
    ("Those charges came from an in-game ad, which is common with children's games.",
     "Those charges came from an in-game ad, which is common with children's games. That's not your "
     "fault.", "minimise"),
    ("The warehouse lost the part.", "The warehouse lost the part. That's on us.", "blame"),
    ("Our courier was short of drivers that week.",
     "Our courier was short of drivers that week, which is no excuse.", "blame"),
])
def test_an_anti_pattern_owned_in_the_next_breath_is_not_one(scanner: CueScanner, bare: str,
                                                             owned: str, label: str) -> None:
    assert label in scanner.scan(bare).anti_patterns
    assert label not in scanner.scan(owned).anti_patterns


@pytest.mark.parametrize(("draft", "label"), [
    ("It's not your fault, but you should have checked the address before you paid.", "blame"),
    ("Our drivers were under a lot of pressure that week. It's no excuse, but there's nothing I can "
     "do.", "excuse"),
    # the disclaimer two sentences later is too far to own it
    ("Our drivers were under a lot of pressure that week. I've logged it. That's no excuse.", "excuse"),
    ("That's not your fault. The warehouse lost the part.", "blame"),  # said before, not after
])
def test_a_disclaimer_taken_back_or_out_of_reach_does_not_count(scanner: CueScanner, draft: str,
                                                                label: str) -> None:
    assert label in scanner.scan(draft).anti_patterns


def test_a_disowning_pattern_that_does_not_compile_is_refused() -> None:
    with pytest.raises(ValidationError, match="not a valid regex"):
        AntiPattern(title="t", why="w", weight=1, rewrite="r", disowned_by=["(unclosed"])
