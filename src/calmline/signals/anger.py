"""Anger intensity: the shipped linear model, calibrated, plus visible cues (caps, !!!, lexicon)."""

from __future__ import annotations

import math
import re
from typing import ClassVar

from calmline.models.features import Tokenizer
from calmline.models.linear import LinearTextModel
from calmline.playbook.schema import Playbook
from calmline.signals.base import DetectionContext, Evidence, Finding, register
from calmline.signals.literals import LiteralIndex
from calmline.signals.matcher import Candidates, PhraseMatcher
from calmline.signals.modelref import model_evidence, resolve_model
from calmline.signals.negation import is_hypothetical, is_negated
from calmline.signals.text import NormalizedText

_CAPS_WORD = re.compile(r"\b[A-Z][A-Z']{2,}\b")
_WORD = re.compile(r"\b[^\W\d_]{3,}\b")
_BANGS = re.compile(r"[!?]{2,}|!(?:\s*!)+")
_ELONGATED = re.compile(r"([^\W\d_])\1{2,}")
# "never been so disappointed", "no wonder I'm upset": the feeling is said, not denied
_INTENSIFIED = re.compile(r"\bnever\s+(?:been|felt)\s+(?:so|more|this)\W*$|\bno wonder\b[^.!?]*$")
_ACRONYMS = frozenset({"USA", "FAQ", "DHL", "UPS", "USPS", "TV", "ETA", "ASAP", "CEO", "API", "SIM",
                       "PIN", "ATM", "UK", "EU", "NYC", "LOL", "OMG", "WTF", "FYI", "DM", "PM", "AM"})


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _itself(matcher: PhraseMatcher) -> PhraseMatcher:
    return matcher


def _said(lowered: str, start: int) -> bool:
    """The customer says the word at `start` of themselves: "not angry, just confused" does not
    count, "I've never been so disappointed" does."""
    return not is_negated(lowered, start) or bool(_INTENSIFIED.search(lowered, 0, start))


def calibrate(probability: float, threshold: float, bound: float, ceiling: float = 1.0) -> float:
    """Monotone map sending the model's decision threshold onto the playbook's `annoyed` bound.

    Above the threshold the probability is spread up to `ceiling`: the model says *whether* a
    message is angry far better than *how* angry, so the top levels are left to visible cues.
    """
    if probability <= threshold:
        return bound * probability / threshold if threshold > 0 else bound
    return bound + (max(ceiling, bound) - bound) * (probability - threshold) / (1 - threshold)


@register
class AngerDetector:
    """One calibrated anger score per message; every point of it traceable to a span."""

    name: ClassVar[str] = "anger"
    labels: ClassVar[tuple[str, ...]] = ("anger",)

    def __init__(self, playbook: Playbook) -> None:
        cfg = playbook.anger
        self._bound = cfg.levels["annoyed"]
        self._level_of = cfg.level_of
        self._scale = cfg.cue_scale
        self._ceiling = cfg.model_ceiling
        self._cues = {cue.name: cue for cue in cfg.cues}
        index = LiteralIndex()  # one scan per message for all its groups
        self._lexicon = [PhraseMatcher.from_group(f"anger.lexicon.{g.name}", g, index=index)
                         for g in cfg.lexicon]
        self._lexicon_candidates = Candidates(self._lexicon, _itself)
        self._floors = {f"anger.lexicon.{g.name}": cfg.levels[g.floor] for g in cfg.lexicon
                        if g.floor is not None and g.floor != "calm"}
        names = ([cfg.model] if cfg.model else []) + list(cfg.extra_models)
        tokenizer = Tokenizer()  # this detector's: its models share what it remembers
        self._models: list[LinearTextModel] = [resolve_model(name, tokenizer) for name in names]

    def detect(self, text: NormalizedText, context: DetectionContext) -> list[Finding]:
        evidence: list[Evidence] = []
        base = self._bound * 0.3  # lexicon-only baseline: calm unless cues say otherwise
        if self._models:
            calibrated = []
            for model in self._models:
                result = model.score(text.original, text.memo)
                calibrated.append(calibrate(result.probability, model.threshold, self._bound,
                                            self._ceiling))
                evidence.extend(model_evidence(model, result, text.original))
            base = sum(calibrated) / len(calibrated)
        boost, floor, felt = 0.0, 0.0, ""
        lowered = ""  # evidence offsets are in the original text
        for matcher in self._lexicon_candidates(text):
            found = matcher.find(text, limit=3)
            if not found:
                continue
            lowered = lowered or text.original.lower()
            at_least = self._floors.get(matcher.rule, 0.0)
            # a feeling word counts said as felt: not denied, and for a word that sets a floor
            # not supposed either ("if I'm not happy with it"); anger words in a condition
            # still count ("if this isn't fixed I'll be furious" is angry now)
            hits = [e for e in found if _said(lowered, e.start)
                    and not (at_least and is_hypothetical(lowered, e.start))]
            if not hits:
                continue
            boost += matcher.weight * (1 + 0.25 * (len(hits) - 1))
            evidence.extend(hits)
            if at_least > floor:
                floor, felt = at_least, matcher.reason
        boost += self._cue_boost(text, evidence)
        score = _sigmoid(_logit(base) + self._scale * boost) if boost else base
        reason = "model probabilities calibrated to the playbook levels"
        if boost:
            reason += f", raised by {len([e for e in evidence if e.source != 'model'])} cue(s)"
        if floor > score:
            score = floor
            reason += f"; at least {self._level_of(floor)} because the customer {felt}"
        return [Finding("anger", round(score, 4), self.name, reason, tuple(evidence),
                        raw_score=round(base, 4))]

    def _cue_boost(self, text: NormalizedText, evidence: list[Evidence]) -> float:
        boost = 0.0
        original = text.original
        if (cue := self._cues.get("caps")) is not None and not original.islower():
            caps = [m for m in _CAPS_WORD.finditer(original) if m.group(0) not in _ACRONYMS]
            words = len(_WORD.findall(original)) if caps else 0
            if len(caps) >= 2 or (caps and words <= 3):
                share = len(caps) / max(words, 1)
                boost += cue.weight * min(1.0, 0.4 + share)
                evidence.extend(Evidence(m.start(), m.end(), m.group(0), "cue", "anger.cues.caps",
                                         cue.weight) for m in caps[:5])
        if (cue := self._cues.get("exclamations")) is not None and (
                "!" in original or "?" in original):
            bangs = list(_BANGS.finditer(original))
            if bangs:
                boost += cue.weight * min(1.0, 0.5 * len(bangs) + 0.1 * len(bangs[0].group(0)))
                evidence.extend(Evidence(m.start(), m.end(), m.group(0), "cue",
                                         "anger.cues.exclamations", cue.weight) for m in bangs[:3])
        # A run in the original is a run in the normalised text too (lower-casing, unmasking
        # and de-leeting never change a letter into another), so no cut means no run.
        if (cue := self._cues.get("elongation")) is not None and text._cuts:
            runs = list(_ELONGATED.finditer(original))
            if runs:
                boost += cue.weight
                evidence.extend(Evidence(m.start(), m.end(), m.group(0), "cue",
                                         "anger.cues.elongation", cue.weight) for m in runs[:3])
        return boost
