"""Normalised view of a message that phrase rules match against, with offsets back to the original.

Rules are written once in plain lower-case English; this module makes "SOOOO", "sh1t", "f***"
and "F**KING" look like "so", "shit", "fuck" and "fucking" to them, while every span still
points at the characters the customer actually typed.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

from calmline.text.disguise import WORD, undisguise

_ELONGATED = re.compile(r"([^\W\d_])\1{2,}")
# Words as the word rules spell them, not starting inside a number ("10am" is a time, not a word),
# and only those with a digit or symbol in them (the lookahead: plain words are not visited).
_WORD = re.compile(r"(?<!\w)(?=[\w'’*#@$%]*(?:[\d*#@$%]|![^\W\d_]))" + WORD)
_MAY_BE_DISGUISED = re.compile(r"[\d*#%@$]|![^\W\d_]")  # cheap test before looking at words


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """`norm` is what rules read; `to_original` maps a span of `norm` back to `original`."""

    original: str
    norm: str
    _cuts: tuple[int, ...]  # positions in `norm` after which characters were removed
    _removed: tuple[int, ...]  # cumulative characters removed at each cut
    # Scratch space of this one message: what several detectors would otherwise each work out
    # (the linear models' features). It lives and dies with the message, shared by nothing else.
    memo: dict[object, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        return self._map(start), self._map(end)

    def _map(self, pos: int) -> int:
        if not self._cuts:
            return pos
        # Characters removed at a cut lie just before it, so a span ending at the cut keeps
        # the whole elongated run ("SOOOO") and one starting there begins after it.
        idx = bisect_right(self._cuts, pos) - 1
        return pos + (self._removed[idx] if idx >= 0 else 0)

    def snippet(self, start: int, end: int) -> str:
        s, e = self.to_original(start, end)
        return self.original[s:e]


def _lower_keep_length(text: str) -> str:
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _read_word(match: re.Match[str]) -> str:
    word = match.group()
    if word.replace("'", "").replace("’", "").isalpha():
        return word
    reading = undisguise(word.replace("’", "'"), cautious=True)
    # Only a reading as long as what was typed: offsets must still map back one to one.
    return reading if reading is not None and len(reading) == len(word) else word


def _fix_words(text: str) -> str:
    """Disguised words ("sh1t", "f***ing", "@ss") read as the word they stand for."""
    if not _MAY_BE_DISGUISED.search(text):
        return text
    return _WORD.sub(_read_word, text)


def normalize(text: str) -> NormalizedText:
    """Lower-case, unmask, de-leet (all length-preserving), then collapse elongations."""
    low = _fix_words(_lower_keep_length(text))
    if not _ELONGATED.search(low):
        return NormalizedText(text, low, (), ())
    parts: list[str] = []
    cuts: list[int] = []
    removed: list[int] = []
    total = 0
    last = 0
    out_len = 0
    for match in _ELONGATED.finditer(low):
        chunk = low[last : match.start() + 1]
        parts.append(chunk)
        out_len += len(chunk)
        total += match.end() - match.start() - 1
        cuts.append(out_len)
        removed.append(total)
        last = match.end()
    parts.append(low[last:])
    norm = "".join(parts)
    return NormalizedText(text, norm, tuple(cuts), tuple(removed))
