"""Compile the playbook's phrase groups into one regex each and turn matches into Evidence."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from calmline.playbook.schema import PhraseGroup
from calmline.signals.base import Evidence
from calmline.signals.text import NormalizedText


def compile_patterns(patterns: Iterable[str], *, raw: bool = False) -> re.Pattern[str] | None:
    """One alternation for all patterns (one scan per message); None when there are none."""
    parts = [p if raw else rf"(?<!\w)(?:{p})(?!\w)" for p in patterns]
    if not parts:
        return None
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PhraseMatcher:
    """A compiled phrase group: `find` returns one Evidence per match, spans in the original."""

    rule: str
    reason: str
    weight: float
    regex: re.Pattern[str] | None
    source: str = "lexicon"

    @classmethod
    def from_group(cls, rule: str, group: PhraseGroup, source: str = "lexicon") -> PhraseMatcher:
        return cls(rule, group.reason, group.weight, compile_patterns(group.patterns, raw=group.raw),
                   source)

    def find(self, text: NormalizedText, limit: int = 5) -> list[Evidence]:
        if self.regex is None:
            return []
        found: list[Evidence] = []
        for match in self.regex.finditer(text.norm):
            start, end = text.to_original(*match.span())
            if start == end:
                continue
            found.append(Evidence(start, end, text.original[start:end], self.source, self.rule,
                                  self.weight))
            if len(found) >= limit:
                break
        return found
