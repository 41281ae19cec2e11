"""Is the customer still venting? Then the agent should listen, not answer with a solution.

Two signals (PLAYBOOK §1): the message is all feeling and no request, or the customer has sent a
burst of messages with no agent reply in between.
"""

from __future__ import annotations

from typing import ClassVar

from calmline.playbook.schema import Playbook
from calmline.signals.base import DetectionContext, Evidence, Finding, register
from calmline.signals.matcher import compile_patterns
from calmline.signals.text import NormalizedText


@register
class VentingDetector:
    name: ClassVar[str] = "venting"
    labels: ClassVar[tuple[str, ...]] = ("venting",)
    reads: ClassVar[tuple[str, ...]] = ("anger", "semantic", "wants")  # detectors whose findings it reads

    def __init__(self, playbook: Playbook) -> None:
        self._cfg = playbook.venting
        self._requests = compile_patterns(self._cfg.request_patterns)
        # wants that are themselves a request for action (`action: false`: can be pure venting)
        self._action_wants = frozenset(name for name, want in playbook.wants.items() if want.action)

    def detect(self, text: NormalizedText, context: DetectionContext) -> list[Finding]:
        anger = next((f.score for f in context.prior.get("anger", ()) if f.label == "anger"), 0.0)
        meant = max((f.score for f in context.prior.get("semantic", ()) if f.label == "anger_level"),
                    default=anger)
        burst = self._burst(context, angry=anger >= self._cfg.min_anger)
        if burst:
            return [Finding("venting", 0.8, self.name, burst)]
        semantic = context.prior.get("semantic", ())
        wants = [*context.prior.get("wants", ()), *(f for f in semantic if f.section == "wants")]
        asks = [f.label for f in wants if f.label in self._action_wants]
        meaning = next((f for f in semantic if f.section == "venting"), None)
        if meaning is not None and not asks and max(anger, meant) >= context.playbook.anger.levels["annoyed"]:
            return [Finding("venting", meaning.score, self.name,
                            "let them finish before offering a fix: " + meaning.reason, meaning.evidence)]
        if anger < self._cfg.min_anger:
            return []
        request = self._requests.search(text.norm) if self._requests else None
        if asks or request or "?" in text.original:
            return []
        feeling = tuple(e for f in context.prior.get("anger", ()) for e in f.evidence
                        if e.source != "model")[:5]
        if not feeling:  # a plain report of what went wrong is not venting, however cross it reads
            return []
        return [Finding("venting", round(min(0.95, anger), 4), self.name,
                        "all feeling, no request yet: let them finish before offering a fix",
                        feeling)]

    def _burst(self, context: DetectionContext, *, angry: bool) -> str | None:
        run: list[Evidence] = []
        times = [context.time] if context.time else []
        for turn in reversed(context.history):
            if turn.role != "customer":
                break
            run.append(Evidence(-1, -1, turn.text[:80], "context", "venting.burst"))
            if turn.time:
                times.append(turn.time)
        count = len(run) + 1
        if count >= self._cfg.burst_messages:
            return f"burst: {count} customer messages in a row with no reply"
        if angry and count >= 2 and len(times) >= 2:
            gap = abs((times[0] - times[1]).total_seconds())
            if gap <= self._cfg.burst_seconds:
                return f"burst: {count} angry customer messages within {int(gap)} s"
        return None
