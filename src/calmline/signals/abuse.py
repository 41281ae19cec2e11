"""Abuse aimed at the agent versus swearing about the situation.

"You are a useless idiot" is abuse (route: supervisor); "this is f***ing ridiculous" is venting
swearing (no route, but it raises anger). The offensive-language model backs both up.
"""

from __future__ import annotations

from typing import ClassVar

from calmline.models.features import Tokenizer
from calmline.models.linear import LinearTextModel
from calmline.playbook.schema import Playbook
from calmline.signals.base import DetectionContext, Evidence, Finding, register
from calmline.signals.literals import LiteralIndex
from calmline.signals.matcher import Candidates, PhraseMatcher
from calmline.signals.modelref import model_evidence, resolve_model
from calmline.signals.text import NormalizedText


def _itself(matcher: PhraseMatcher) -> PhraseMatcher:
    return matcher


@register
class AbuseDetector:
    name: ClassVar[str] = "abuse"
    labels: ClassVar[tuple[str, ...]] = ("abuse", "swearing", "offensive")

    def __init__(self, playbook: Playbook) -> None:
        abuse = playbook.flags.get("abuse")
        swearing = playbook.flags.get("swearing")
        index = LiteralIndex()  # one scan per message for all its groups
        self._abuse = (PhraseMatcher.from_group("flags.abuse", abuse, "pattern", index)
                       if abuse else None)
        self._abuse_route = abuse.route if abuse else None
        self._model_weight = abuse.model_weight if abuse else 0.0
        self._model: LinearTextModel | None = (
            resolve_model(abuse.model, Tokenizer()) if abuse is not None and abuse.model else None
        )
        self._swearing = swearing
        self._swear_words = [PhraseMatcher.from_group(f"anger.lexicon.{g.name}", g, index=index)
                             for g in playbook.anger.lexicon if g.swearing]
        self._swear_candidates = Candidates(self._swear_words, _itself)

    def detect(self, text: NormalizedText, context: DetectionContext) -> list[Finding]:
        findings: list[Finding] = []
        probability, model_evidence = self._offensive(text)
        if self._model is not None:
            findings.append(Finding(
                "offensive", round(probability, 4), self.name,
                "offensive-language model probability", model_evidence,
                raw_score=round(probability, 4)))
        targeted = self._abuse.find(text) if self._abuse else []
        if targeted and self._abuse_route is not None:
            score = max(0.85, 1 - (1 - 0.85) * (1 - self._model_weight * probability))
            findings.append(Finding("abuse", round(score, 4), self.name,
                                    self._abuse.reason if self._abuse else "abuse",
                                    tuple(targeted) + model_evidence, route=self._abuse_route))
            return findings
        swears = [e for matcher in self._swear_candidates(text) for e in matcher.find(text)]
        if swears and self._swearing is not None:
            score = max(0.6, probability)
            findings.append(Finding("swearing", round(score, 4), self.name, self._swearing.reason,
                                    tuple(swears), route=None))
        return findings

    def _offensive(self, text: NormalizedText) -> tuple[float, tuple[Evidence, ...]]:
        if self._model is None:
            return 0.0, ()
        result = self._model.score(text.original, text.memo)
        if result.probability < self._model.threshold:
            return result.probability, ()  # nothing offensive to point at
        return result.probability, model_evidence(self._model, result, text.original)
