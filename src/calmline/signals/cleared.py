"""A danger flag the customer clears in their own words: "that login was me", "I wasn't hacked".

A message that tells the account was used by the customer themselves reads like a takeover to the
phrases and to the sentence model alike (it names a login, a payment, a security alert), and the
sentence that says so ("it was me") is often not the one that reads as the flag, so a
sentence-by-sentence check (`watch_only_patterns`) cannot see it. The playbook's
`cleared_patterns` are read over the whole message instead. Because a missed danger is the worst
error calmline can make, a cleared message is still shown as a sign to check, never dropped, and
`cleared_unless_patterns` keep a message flagged when it also denies something ("that wasn't
me", "someone else") or reports someone else's doubt ("the bank asked if it was me").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from calmline.playbook.schema import FlagConfig
from calmline.signals.base import Evidence


def _words(patterns: list[str]) -> re.Pattern[str]:
    """The patterns as one case-insensitive pattern of whole words (as `flags.sentence_pattern`;
    flags.py reads clearances, so this module cannot import from it)."""
    return re.compile(r"\b(?:" + "|".join(patterns) + r")\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Clearance:
    """One flag's clearing words, the words that undo them, and what the agent is told."""

    label: str
    says: re.Pattern[str]
    unless: re.Pattern[str] | None
    reason: str

    @classmethod
    def of(cls, label: str, flag: FlagConfig) -> Clearance | None:
        """The flag's clearance, or None when the playbook gives it no `cleared_patterns`."""
        if not flag.cleared_patterns:
            return None
        return cls(label, _words(flag.cleared_patterns),
                   _words(flag.cleared_unless_patterns) if flag.cleared_unless_patterns else None,
                   flag.cleared_reason)

    def find(self, text: str) -> Evidence | None:
        """Where `text` (the whole original message) clears the flag, or None: it says none of
        the clearing words, or says one of the words that undo them anywhere."""
        said = self.says.search(text)
        if said is None or (self.unless is not None and self.unless.search(text)):
            return None
        return Evidence(said.start(), said.end(), said.group(), "pattern",
                        f"watch.{self.label}.cleared", 1.0)

    def words(self, said: Evidence) -> str:
        """The reason's clause: what the customer said and what it tells instead."""
        instead = f": {self.reason}" if self.reason else ""
        return f"the customer says \"{said.text}\"{instead}"
