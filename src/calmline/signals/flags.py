"""Pattern flags from the playbook: threats (violence, self-harm, legal, regulator, going
public, churn) and requests for a manager. Each carries its playbook route."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import ClassVar

from calmline.playbook.schema import Playbook
from calmline.signals.base import DetectionContext, Evidence, Finding, register
from calmline.signals.cleared import Clearance
from calmline.signals.literals import LiteralIndex
from calmline.signals.matcher import Candidates, PhraseMatcher
from calmline.signals.negation import is_negated
from calmline.signals.text import NormalizedText

_SENTENCE_END = re.compile(r"[.!?\n;]")


def sentence_around(text: str, at: int) -> tuple[int, str]:
    """The sentence of `text` that holds offset `at` (ends at . ! ? ; or a line break), and where
    it starts."""
    start = max((m.end() for m in _SENTENCE_END.finditer(text, 0, at)), default=0)
    end = _SENTENCE_END.search(text, at)
    return start, text[start:end.end() if end else len(text)]


def sentence_pattern(patterns: Sequence[str]) -> re.Pattern[str] | None:
    """A flag's sentence patterns (`watch_only_patterns`, `target_patterns`) as one
    case-insensitive pattern of whole words to search a sentence with (None without any)."""
    if not patterns:
        return None
    return re.compile(r"\b(?:" + "|".join(patterns) + r")\b", re.IGNORECASE)


def request_rule(label: str) -> str:
    """The rule that names a flag's `protest.request_patterns` in its evidence."""
    return f"flags.{label}.request"


def _matcher(flag: tuple[str, str | None, PhraseMatcher]) -> PhraseMatcher:
    return flag[2]


@register
class ThreatsDetector:
    """Every playbook flag that is pure phrasing; negated mentions ("not going to sue") skip.

    A danger phrase in a sentence the playbook names as only sounding like it (`watch_only_patterns`:
    "I volunteer with a suicide prevention charity", "I could die of embarrassment") is a watch,
    a sign for the agent to check, not a flag to route; so is a flag in a message the customer
    clears in their own words (`cleared_patterns`: "I thought I'd been hacked, but it was me")."""

    name: ClassVar[str] = "threats"
    labels: ClassVar[tuple[str, ...]] = ()
    sections: ClassVar[tuple[str, ...]] = ("flags",)  # every flag with `detector: threats`

    def __init__(self, playbook: Playbook) -> None:
        index = LiteralIndex()  # one scan per message for all its groups
        mine = [(name, flag) for name, flag in playbook.flags.items()
                if flag.detector == self.name]  # abuse, swearing: `detector: abuse`
        self._flags = [
            (name, flag.route, PhraseMatcher.from_group(f"flags.{name}", flag, source="pattern",
                                                        index=index))
            for name, flag in mine if flag.patterns
        ] + [  # a request that is the flag only in protest (churn): the analyzer decides
            (name, flag.route, PhraseMatcher.from_patterns(
                request_rule(name), flag.reason, flag.weight, flag.protest.request_patterns,
                source="pattern", raw=flag.raw, index=index))
            for name, flag in mine if flag.protest is not None and flag.protest.request_patterns
        ]
        self._candidates = Candidates(self._flags, _matcher)
        self._watch_only = {name: (pattern, flag.watch_only_reason)
                            for name, flag in playbook.flags.items()
                            if (pattern := sentence_pattern(flag.watch_only_patterns)) is not None}
        self._cleared = {name: clearance for name, flag in playbook.flags.items()
                         if (clearance := Clearance.of(name, flag)) is not None}

    def detect(self, text: NormalizedText, context: DetectionContext) -> list[Finding]:
        findings = []
        lowered = ""  # evidence offsets are in the original text
        for label, route, matcher in self._candidates(text):
            found = matcher.find(text)
            if not found:
                continue
            lowered = lowered or text.original.lower()
            hits = [e for e in found if not is_negated(lowered, e.start)]
            told = self._told_otherwise(label, text.original, hits)
            said = self._cleared[label].find(text.original) if hits and label in self._cleared else None
            if said is not None:
                findings.append(self._watch(label, matcher.reason, [*hits, said],
                                            self._cleared[label].words(said)))
            elif told and len(told) == len(hits):
                findings.append(self._watch(label, matcher.reason, told))
            elif hits:
                hits = [e for e in hits if e not in told]
                score = min(0.99, 0.8 + 0.05 * (len(hits) - 1))
                findings.append(Finding(label, score, self.name, matcher.reason, tuple(hits),
                                        route=route))
        return findings

    def _told_otherwise(self, label: str, original: str, hits: list[Evidence]) -> list[Evidence]:
        if label not in self._watch_only or not hits:
            return []
        pattern = self._watch_only[label][0]
        told = []
        for e in hits:
            start, sentence = sentence_around(original, e.start)
            # the phrase must be part of what the sentence tells instead ("suicide prevention"),
            # not beside it ("I'm not suicidal but I want to die" still flags)
            if any(start + m.start() < e.end and e.start < start + m.end()
                   for m in pattern.finditer(sentence)):
                told.append(e)
        return told

    def _watch(self, label: str, reason: str, told: list[Evidence], said: str = "") -> Finding:
        first = told[0]
        if said:
            why = f"\"{first.text}\", but {said}"
        else:
            instead = self._watch_only[label][1]
            because = f": {instead}" if instead else ""
            why = f"\"{first.text}\" is said in a sentence the playbook says is not one on its own{because}"
        return Finding(
            label, 0.5, self.name,
            f"a weak sign of {label.replace('_', ' ')} ({reason or label}), not certain: {why}; check "
            "with the customer before routing",
            tuple(Evidence(e.start, e.end, e.text, e.source,
                           f"watch.{label}.{'cleared' if said else 'watch_only'}", e.weight)
                  for e in told), section="watch")

