"""What the customer wants: refund, replacement, repair, cancellation, compensation, explanation,
apology or a manager (labels come from the playbook's `wants` section)."""

from __future__ import annotations

from typing import ClassVar

from calmline.playbook.schema import Playbook
from calmline.signals.base import DetectionContext, Finding, register
from calmline.signals.literals import LiteralIndex
from calmline.signals.phrases import build, candidates, match_groups
from calmline.signals.text import NormalizedText


@register
class WantsDetector:
    name: ClassVar[str] = "wants"
    labels: ClassVar[tuple[str, ...]] = ()
    sections: ClassVar[tuple[str, ...]] = ("wants",)

    def __init__(self, playbook: Playbook) -> None:
        self._matchers = build("wants", playbook.wants, LiteralIndex())
        self._candidates = candidates(self._matchers)

    def detect(self, text: NormalizedText, context: DetectionContext) -> list[Finding]:
        return match_groups(text, self._candidates(text), self.name, settled=True)
