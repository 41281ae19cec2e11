"""Call transcripts keep "um" and stutters; the issue rules read past them, and only them."""

from __future__ import annotations

import pytest

from calmline.engine.phrases import issue_object, issue_phrase
from calmline.text.spoken import without_fillers


@pytest.mark.parametrize(("said", "written"), [
    ("yeah hi the um the tracking hasn't moved", "yeah hi the tracking hasn't moved"),
    ("Um, the the router is down", "the router is down"),
    ("erm so uh my bill went up", "so my bill went up"),
])
def test_fillers_and_stutters_are_taken_out(said: str, written: str) -> None:
    assert without_fillers(said) == written


@pytest.mark.parametrize("text", [
    "I had had enough by then.",  # grammar, not a stutter
    "She said that that was the last one.",
    "The umbrella and the ermine coat arrived.",  # words that start like a filler
    "Order 44 44 was split.\nSecond line kept.",
])
def test_written_messages_read_the_same(text: str) -> None:
    assert without_fillers(text) == text


def test_a_transcribed_call_names_its_object() -> None:
    call = "yeah hi the um the tracking hasn't moved since monday"
    assert issue_object([call]) == "the tracking"
    assert issue_phrase(["um my the the router is is down"]) is not None
