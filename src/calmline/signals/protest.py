"""A flag that is a threat only when it is said in protest: churn (PLAYBOOK §2).

"I'd like to cancel my broadband contract please, I'm moving abroad" asks for the `cancellation`
want and threatens nothing: a retention call is the wrong answer to it. "Cancel my account, I've
had enough of being ignored" is a threat to leave. The flag's `protest` rule tells them apart: the
flag's own patterns ("I'm switching to another provider", "you've lost a customer") are the threat
at any level; a request (`protest.request_patterns`, or a reading by meaning) is the threat only
from `protest.min_level` up, as the message reads before any flag's floor, and never where the
customer gives a reason the company cannot change or says nothing is wrong
(`protest.reason_patterns`: moving abroad, a death in the family, a new job).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from calmline.playbook.schema import LEVELS, FlagConfig, LevelName
from calmline.signals.base import Finding
from calmline.signals.flags import sentence_pattern
from calmline.signals.negation import is_negated


@dataclass(frozen=True, slots=True)
class ProtestRule:
    """One flag's rule (`FlagConfig.protest`), built once per analyzer."""

    label: str
    min_level: int  # the index of `protest.min_level` in LEVELS
    reasons: re.Pattern[str] | None

    @classmethod
    def of(cls, label: str, flag: FlagConfig) -> ProtestRule | None:
        if flag.protest is None:
            return None
        return cls(label, LEVELS.index(flag.protest.min_level),
                   sentence_pattern(flag.protest.reason_patterns))

    def threat(self, finding: Finding) -> bool:
        """Did one of the flag's own patterns (not a request, not a reading by meaning) find it?"""
        own = f"flags.{self.label}"
        return any(e.source == "pattern" and e.rule == own for e in finding.evidence)

    def reason(self, original: str) -> re.Match[str] | None:
        """The first reason the company cannot change that the message gives, not negated ("I'm
        not moving abroad, I'm leaving because of the outages" gives none)."""
        if self.reasons is None:
            return None
        lowered = original.lower()
        return next((m for m in self.reasons.finditer(original)
                     if not is_negated(lowered, m.start())), None)

    def stands(self, finding: Finding, original: str, level: LevelName | None) -> bool:
        """Is `finding` (this flag, in the message `original`) the threat, or only a request?
        `level`: the message's level before any flag's floor, where the semantic tier read it;
        None on the fast path, whose words alone cannot tell a calm request from a curt, upset
        one ("Cancel my subscription."): there only a reason tells it is no threat."""
        if self.threat(finding):
            return True
        if self.reason(original) is not None:
            return False
        return level is None or LEVELS.index(level) >= self.min_level
