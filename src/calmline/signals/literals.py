"""One Aho-Corasick scan per message tells every phrase group whether it can match at all.

Each phrase group registers the literal every one of its patterns must contain; a group whose
literals are all absent skips its regex. This is what keeps ~40 regex groups under ~50 µs.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from operator import itemgetter

import ahocorasick

_lock = threading.Lock()
_known: set[str] = set()
_automaton: ahocorasick.Automaton | None = None
_value = itemgetter(1)


def register(literals: Iterable[str]) -> None:
    global _automaton
    new = set(literals) - _known
    if new:
        with _lock:
            _known.update(new)
            _automaton = None


def _build() -> ahocorasick.Automaton | None:
    global _automaton
    with _lock:
        if _automaton is None and _known:
            automaton = ahocorasick.Automaton()
            for literal in _known:
                automaton.add_word(literal, literal)
            automaton.make_automaton()
            _automaton = automaton
        return _automaton


def present(text: str) -> frozenset[str]:
    """The registered literals that occur in `text` (overlapping occurrences included)."""
    automaton = _automaton or _build()
    if automaton is None or not text:
        return frozenset()
    return frozenset(map(_value, automaton.iter(text)))
