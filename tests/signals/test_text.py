from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calmline.signals.text import normalize


@pytest.mark.parametrize(
    "text, word, original",
    [
        ("I am SOOOOO angry", "so", "SOOOOO"),
        ("this is sh1t", "shit", "sh1t"),
        ("f***ing useless", "fucking", "f***ing"),
        ("F**K this", "fuck", "F**K"),
        ("what a b1tch", "bitch", "b1tch"),
        ("nooo waaaay", "way", "waaaay"),
        ("İstanbul is sooo far", "far", "far"),
    ],
)
def test_rules_see_plain_words_and_spans_point_at_what_was_typed(
    text: str, word: str, original: str
) -> None:
    norm = normalize(text)
    match = re.search(rf"\b{word}\b", norm.norm)
    assert match is not None, norm.norm
    assert norm.snippet(*match.span()) == original


@pytest.mark.parametrize("text", ["order A1234 and #99812", "pay $50 now", "@acme_support hi"])
def test_ids_amounts_and_handles_are_not_de_leeted(text: str) -> None:
    assert normalize(text).norm == text.lower()


@given(st.text())
def test_any_span_maps_inside_the_original(text: str) -> None:
    norm = normalize(text)
    for start in range(0, len(norm.norm) + 1, max(1, len(norm.norm) // 7 or 1)):
        s, e = norm.to_original(start, len(norm.norm))
        assert 0 <= s <= e <= len(text)


@pytest.mark.parametrize(
    "text",
    ["call me at 3pm on the 3rd", "10am or 5pm", "the 21st, 14th and 30th", "a 50gb plan for 17yo",
     "write to priya.n@harrowdesign.co.uk", "code gj7k2p and spring20", "ref efh5x41",
     "it's a joke!we waited", "see http://t.co/wznp5q1m0h"],
)
def test_times_dates_amounts_codes_and_addresses_are_not_read_as_leet(text: str) -> None:
    assert normalize(text).norm == text.lower()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("s**t!!!", "shit!!!"),  # the bangs after a mask are not part of the word
        ("kiss my a**", "kiss my ass"),
        ("sh!t service", "shit service"),
        ("f#@% off", "fuck off"),
        ("h3ll0 there", "hello there"),
        # A reading of another length is not applied: offsets must map back one to one.
        ("f*k", "f*k"),
        ("sh111t", "sh111t"),
    ],
)
def test_rules_read_disguised_words_as_the_word_rules_say(text: str, expected: str) -> None:
    assert normalize(text).norm == expected
