"""Pattern flags from the playbook: threats (violence, self-harm, legal, regulator, going
public, churn) and requests for a manager. Each carries its playbook route."""

from __future__ import annotations

from typing import ClassVar

from calmline.playbook.schema import Playbook
from calmline.signals.base import DetectionContext, Finding, register
from calmline.signals.literals import LiteralIndex
from calmline.signals.matcher import Candidates, PhraseMatcher
from calmline.signals.negation import is_negated
from calmline.signals.text import NormalizedText


def _matcher(flag: tuple[str, str | None, PhraseMatcher]) -> PhraseMatcher:
    return flag[2]


@register
class ThreatsDetector:
    """Every playbook flag that is pure phrasing; negated mentions ("not going to sue") skip."""

    name: ClassVar[str] = "threats"
    labels: ClassVar[tuple[str, ...]] = ()
    sections: ClassVar[tuple[str, ...]] = ("flags",)  # every flag with `detector: threats`

    def __init__(self, playbook: Playbook) -> None:
        index = LiteralIndex()  # one scan per message for all its groups
        self._flags = [
            (name, flag.route, PhraseMatcher.from_group(f"flags.{name}", flag, source="pattern",
                                                        index=index))
            for name, flag in playbook.flags.items()
            if flag.detector == self.name and flag.patterns  # abuse, swearing: `detector: abuse`
        ]
        self._candidates = Candidates(self._flags, _matcher)

    def detect(self, text: NormalizedText, context: DetectionContext) -> list[Finding]:
        findings = []
        lowered = ""  # evidence offsets are in the original text
        for label, route, matcher in self._candidates(text):
            found = matcher.find(text)
            if not found:
                continue
            lowered = lowered or text.original.lower()
            hits = [e for e in found if not is_negated(lowered, e.start)]
            if hits:
                score = min(0.99, 0.8 + 0.05 * (len(hits) - 1))
                findings.append(Finding(label, score, self.name, matcher.reason, tuple(hits),
                                        route=route))
        return findings

