"""Shared shape of the phrase-group detectors (wants, causes, areas): one Finding per group hit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from calmline.playbook.schema import PhraseGroup
from calmline.signals.base import Finding
from calmline.signals.literals import LiteralIndex
from calmline.signals.matcher import Candidates, PhraseMatcher
from calmline.signals.negation import is_refused
from calmline.signals.text import NormalizedText


def build(section: str, groups: Mapping[str, PhraseGroup], index: LiteralIndex
          ) -> list[tuple[str, PhraseMatcher]]:
    """The section's groups compiled, their literals in the owner's `index`."""
    return [(label, PhraseMatcher.from_group(f"{section}.{label}", g, index=index))
            for label, g in groups.items()]


def _matcher(group: tuple[str, PhraseMatcher]) -> PhraseMatcher:
    return group[1]


def candidates(matchers: Sequence[tuple[str, PhraseMatcher]]) -> Candidates[tuple[str, PhraseMatcher]]:
    """Look the groups up by the literals a message holds (see `Candidates`)."""
    return Candidates(matchers, _matcher)


def match_groups(
    text: NormalizedText, matchers: Sequence[tuple[str, PhraseMatcher]], detector: str,
    *, settled: bool = False
) -> list[Finding]:
    """Score = 0.6 for one un-negated hit, +0.1 per further hit, at most 0.95. With `settled`
    (wants), a hit for something they already have ("the refund came through") does not count."""
    lowered = ""
    findings = []
    for label, matcher in matchers:
        found = matcher.find(text)
        if not found:
            continue
        lowered = lowered or text.original.lower()
        hits = [e for e in found if not is_refused(lowered, e.start, settled=settled)]
        if hits:
            score = min(0.95, 0.6 + 0.1 * (len(hits) - 1)) * min(1.0, matcher.weight)
            findings.append(Finding(label, round(score, 4), detector, matcher.reason, tuple(hits)))
    return findings
