"""Why the customer is angry (PLAYBOOK §1 root causes) and which product/service area it is about.

Both come from the playbook (`causes` and `areas`), so a team can rename or add areas.
"""

from __future__ import annotations

from typing import ClassVar

from calmline.playbook.schema import Playbook
from calmline.signals.base import DetectionContext, Finding, register
from calmline.signals.literals import LiteralIndex
from calmline.signals.phrases import build, candidates, match_groups
from calmline.signals.text import NormalizedText


@register
class CausesDetector:
    name: ClassVar[str] = "causes"
    labels: ClassVar[tuple[str, ...]] = ()
    sections: ClassVar[tuple[str, ...]] = ("causes", "areas")

    def __init__(self, playbook: Playbook) -> None:
        index = LiteralIndex()  # one scan per message for all its groups
        self._matchers = build("causes", playbook.causes, index) + build("areas", playbook.areas, index)
        self._candidates = candidates(self._matchers)

    def detect(self, text: NormalizedText, context: DetectionContext) -> list[Finding]:
        return match_groups(text, self._candidates(text), self.name)
