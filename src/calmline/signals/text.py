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

_ELONGATED = re.compile(r"([^\W\d_])\1{2,}")
_LEET_WORD = re.compile(r"(?<![\w@$])(?=[\w@$]*[a-z])(?=[\w@$]*[0-9@$])[a-z0-9@$]{3,}(?![\w@$])")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
_MASKED_WORD = re.compile(r"\b[a-z][a-z*#@%$!]*[*#%][a-z*#@%$!]*")
_MASKABLE = (
    "fuck", "fucking", "fucked", "fucker", "fuckers", "shit", "shitty", "bitch", "bastard",
    "asshole", "damn", "crap", "dick", "piss", "pissed", "cunt", "motherfucker", "bullshit",
)
_MASK_CHARS = frozenset("*#@%$!")
_HAS_MASK = re.compile(r"[*#%]")
_HAS_LEET = re.compile(r"[\d@$]")


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


def _unmask(word: str) -> str:
    for candidate in _MASKABLE:
        if len(candidate) == len(word) and all(
            w == c or w in _MASK_CHARS for w, c in zip(word, candidate, strict=True)
        ) and word[0] == candidate[0]:
            return candidate
    return word


def _deleet(word: str) -> str:
    letters = sum(ch.isalpha() for ch in word)
    others = len(word) - letters
    if letters < 2 or others > min(letters, 2) or (word[0] == "@" and len(word) > 4):
        return word  # an id ("a1234"), an amount or a handle, not a disguised word
    return word.translate(_LEET)


def _fix_words(text: str) -> str:
    if _HAS_MASK.search(text):
        text = _MASKED_WORD.sub(lambda m: _unmask(m.group(0)), text)
    if _HAS_LEET.search(text):
        text = _LEET_WORD.sub(lambda m: _deleet(m.group(0)), text)
    return text


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
