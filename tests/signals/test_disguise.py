"""The word rules both readers share (calmline.text.disguise): the phrase rules' normalised view
and the linear models' tokenizer read a disguised word as the same word."""

from __future__ import annotations

import pytest

from calmline.models.features import normalize_word
from calmline.signals.text import normalize
from calmline.text.disguise import is_masked, undisguise, unmask


@pytest.mark.parametrize(
    "word, expected",
    [
        ("sh1t", "shit"), ("b!tch", "bitch"), ("@ss", "ass"), ("a$$hole", "asshole"),
        ("h3ll0", "hello"), ("f**k", "fuck"), ("f***ing", "fucking"), ("f#@%", "fuck"),
        ("s***", "shit"), ("a**", "ass"),
        ("f*k", "fuck"),  # a mask stands for as many letters as it has, failing that for any
        ("mp3", None), ("win10", None), ("a1234", None),  # a digit is leet only before a letter
        ("john@example", None), ("@acme", None),  # an address or a handle, not a masked word
        ("x*z*q", None),
    ],
)
def test_undisguise(word: str, expected: str | None) -> None:
    assert undisguise(word) == expected


@pytest.mark.parametrize(
    "word, plain, cautious",
    [
        ("h3ll0", "hello", "hello"), ("sh!t", "shit", "shit"),  # a word, a known swear
        ("efh5x41", "efhsxai", None),  # a booking code: more digits than a word disguises
        ("suck!we", "suckiwe", None),  # two words run together
    ],
)
def test_cautious_reads_only_what_looks_like_a_word(word: str, plain: str, cautious: str | None
                                                     ) -> None:
    assert undisguise(word) == plain
    assert undisguise(word, cautious=True) == cautious


def test_unmask_prefers_the_earlier_swear_of_the_same_length() -> None:
    assert unmask("s**t") == "shit"  # not "slut"
    assert unmask("d**n") == "damn"


@pytest.mark.parametrize("word, masked", [("x*z*q", True), ("f#ck", True), ("john@example", False),
                                          ("$hit", False), ("hello", False), ("***", False)])
def test_is_masked(word: str, masked: bool) -> None:
    assert is_masked(word) is masked


@pytest.mark.parametrize("word", ["sh1t", "b!tch", "$hit", "a$$hole", "h3ll0", "f**k", "f***ing",
                                  "sh*t", "f#@%", "a**hole", "s***", "b1tch"])
def test_both_readers_read_a_disguised_word_alike(word: str) -> None:
    assert normalize(word).norm == normalize_word(word)[0]
