"""The analyzer: runs the playbook's detectors over one message and assembles an Analysis.

`Analyzer` is built once (playbook validated, detectors constructed, models loaded and cached)
and is then cheap per message; `analyze()` for one message and `analyze_conversation()` for a
whole thread use the same detectors, so batch insights never re-implement a signal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from calmline.engine.analysis import Analysis, Anger, Fact, Venting
from calmline.engine.escalation import EscalationPolicy
from calmline.engine.trend import rising_over_turns, trend
from calmline.errors import DetectorError, InputError
from calmline.playbook.schema import LEVELS, Playbook
from calmline.signals.base import (
    DetectionContext,
    Detector,
    DetectorFactory,
    Evidence,
    Finding,
    Turn,
    declared_order_problems,
    detector_settings,
    labels_of,
    registry,
)
from calmline.signals.protest import ProtestRule
from calmline.signals.text import normalize

if TYPE_CHECKING:
    from calmline.semantic.encoder import MiniLMEncoder

HistoryItem = Turn | str | Mapping[str, Any]
# the anger a message's words, cues and meaning show before any flag's floor: (score, evidence,
# reason, the model's raw score)
_Felt = tuple[float, tuple[Evidence, ...], str, float | None]


def as_turn(item: HistoryItem) -> Turn:
    """Accept a Turn, a plain string (a customer message) or a {"role", "text"} mapping."""
    if isinstance(item, Turn):
        return item
    if isinstance(item, str):
        return Turn("customer", item)
    if isinstance(item, Mapping):
        role, text = item.get("role", "customer"), item.get("text")
        if role not in ("customer", "agent") or not isinstance(text, str):
            raise InputError(f"history turn needs role customer|agent and a text: {dict(item)!r}")
        time = item.get("time")
        if isinstance(time, str):
            try:
                time = datetime.fromisoformat(time.replace("Z", "+00:00"))
            except ValueError as exc:
                raise InputError(f"history turn has an invalid time {time!r}") from exc
        stored = item.get("stored")
        return Turn(role, text, time if isinstance(time, datetime) else None, item.get("anger"),
                    stored if callable(stored) else None)
    raise InputError(f"history turn must be a string or an object, not {type(item).__name__}")


def _check_flag_detectors(playbook: Playbook, factories: Mapping[str, DetectorFactory]) -> None:
    """A flag's `detector` must exist and raise the flag (`labels_of`: a fixed label, or one of
    the flags it reads from the playbook): otherwise the flag would silently never fire."""
    for name, flag in playbook.flags.items():
        factory = factories.get(flag.detector)
        if factory is None:
            raise DetectorError(f"flags.{name}.detector names unknown detector {flag.detector!r}; "
                                f"known: {sorted(factories)}")
        labels = labels_of(factory, playbook)
        if name not in labels:
            raise DetectorError(f"flags.{name}.detector is {flag.detector!r}, which raises only "
                                f"{sorted(labels)}: the flag would never fire")


def _build(factory: DetectorFactory, playbook: Playbook, encoder: MiniLMEncoder | None,
           settings: Any) -> Detector:
    """One detector, given what it declares it takes (encoder, settings)."""
    options: dict[str, Any] = {}
    if getattr(factory, "needs_encoder", False):
        options["encoder"] = encoder
    if settings is not None:
        options["settings"] = settings
    return factory(playbook, **options)


class Analyzer:
    """Runs the playbook's detectors; owns the semantic encoder it was given (or loaded).

    `encoder="auto"` loads the semantic tier when the playbook enables it and the model package is
    installed; when it cannot, every analysis notes that it was read with the fast path only.
    `encoder=None` asks for the fast path (batch runs).
    """

    def __init__(self, playbook: Playbook,
                 encoder: MiniLMEncoder | Literal["auto"] | None = "auto") -> None:
        self.playbook = playbook
        factories = registry()
        missing = [name for name in playbook.detectors if name not in factories]
        if missing:
            raise DetectorError(
                f"playbook names unknown detectors {missing}; known: {sorted(factories)}")
        _check_flag_detectors(playbook, factories)
        disorder = declared_order_problems(playbook.detectors, factories)
        if disorder:
            raise DetectorError("detectors are out of order: " + "; ".join(disorder))
        settings = {name: detector_settings(name, factories[name],
                                            playbook.detector_settings.get(name))
                    for name in playbook.detectors}
        self.semantic_note: str | None = None
        if encoder == "auto":
            encoder = self._load_encoder(playbook)
        self.encoder = encoder
        self.detectors: list[Detector] = [
            _build(factories[name], playbook, encoder, settings[name])
            for name in playbook.detectors]
        self._escalation = EscalationPolicy(playbook)
        self._protest = {name: rule for name, flag in playbook.flags.items()
                         if (rule := ProtestRule.of(name, flag)) is not None}

    def _load_encoder(self, playbook: Playbook) -> MiniLMEncoder | None:
        if not playbook.semantic.enabled or "semantic" not in playbook.detectors:
            return None
        from calmline.semantic.encoder import MiniLMEncoder, SemanticUnavailableError

        try:
            return MiniLMEncoder()
        except SemanticUnavailableError as exc:
            self.semantic_note = f"read with the fast path only (semantic tier off: {exc})"
            return None

    def analyze(
        self, text: str, history: Iterable[HistoryItem] | None = None,
        time: datetime | None = None,
    ) -> Analysis:
        if not isinstance(text, str):
            raise InputError(f"text must be a string, not {type(text).__name__}")
        turns = [self.scored(as_turn(item)) for item in (history or ())]
        return self._analyze(text, turns, time)

    def analyze_conversation(self, turns: Iterable[HistoryItem]) -> list[Analysis | None]:
        """One Analysis per customer turn (None for agent turns), scoring each turn once."""
        seen: list[Turn] = []
        results: list[Analysis | None] = []
        for item in turns:
            turn = as_turn(item)
            if turn.role == "agent":
                results.append(None)
                seen.append(turn)
                continue
            analysis = self._analyze(turn.text, seen, turn.time)
            results.append(analysis)
            seen.append(Turn("customer", turn.text, turn.time, analysis.anger.score))
        return results

    def anger_score(self, text: str) -> float:
        """Just the anger score (no context): what history turns are scored with."""
        norm = normalize(text[: self.playbook.limits.max_chars])
        context = DetectionContext(self.playbook)
        for detector in self.detectors:
            if detector.name == "anger":
                return next(f.score for f in detector.detect(norm, context) if f.label == "anger")
        return 0.0

    def _floor(self, flag: str, meant: bool = False) -> float:
        """The least anger `flag` implies; none for a flag whose floor stands in for the meaning
        when the semantic tier read the level (`meant`)."""
        config = self.playbook.flags.get(flag)
        if config is None or config.anger_floor in (None, "calm") or (
                meant and config.anger_floor_fast_path_only):
            return 0.0
        return self.playbook.anger.levels[config.anger_floor]  # type: ignore[index]

    def scored(self, turn: Turn) -> Turn:
        """`turn` as `analyze` reads it in a history: a customer turn without an anger score gets
        its `anger_score`. Scoring a conversation's turns once and handing them in as the history
        of each later turn (as `Engine.analyse_turns` does) reads the same, with each turn scored
        once instead of once for every turn after it."""
        if turn.role == "agent" or turn.anger is not None:
            return turn
        return Turn(turn.role, turn.text, turn.time, self.anger_score(turn.text))

    def _analyze(self, text: str, history: Sequence[Turn], time: datetime | None) -> Analysis:
        notes: list[str] = []
        limit = self.playbook.limits.max_chars
        if len(text) > limit:
            notes.append(f"message longer than {limit} characters: analysed the first {limit}")
            text = text[:limit]
        if not text.strip():
            notes.append("empty message")
        if self.semantic_note:
            notes.append(self.semantic_note)
        norm = normalize(text)
        prior: dict[str, list[Finding]] = {}
        for detector in self.detectors:
            context = DetectionContext(self.playbook, history, time, prior)
            prior[detector.name] = detector.detect(norm, context)
        return self._assemble(norm, prior, history, notes)

    def _assemble(self, norm: Any, prior: dict[str, list[Finding]], history: Sequence[Turn],
                  notes: list[str]) -> Analysis:
        pb = self.playbook
        found = [f for findings in prior.values() for f in findings]
        flags = merge_findings(f for f in found if f.label in pb.flags and f.detector != "wants"
                               and f.section in (None, "flags"))
        semantic = prior.get("semantic", [])
        level = next((f for f in semantic if f.label == "anger_level"), None)
        felt = self._felt(prior.get("anger", []), level)
        if self._protest:
            felt_level = pb.anger.level_of(felt[0]) if level is not None else None
            flags = tuple(f for f in flags if f.label not in self._protest
                          or self._protest[f.label].stands(f, norm.original, felt_level))
        anger = self._anger(felt, flags, history, meant=level is not None)
        facts = tuple(Fact(f.label, f.value or f.evidence[0].text, f.evidence[0].text,
                           f.evidence[0].start, f.evidence[0].end)
                      for f in prior.get("facts", []) if f.evidence)
        wants = merge_findings([*prior.get("wants", []), *(f for f in semantic if f.section == "wants")])
        venting_found = next(iter(prior.get("venting", [])), None)
        venting = (Venting(True, venting_found.reason, venting_found.evidence) if venting_found
                   else Venting(False, "the message asks for something or is calm"))
        scores = [t.anger for t in history if t.role == "customer" and t.anger is not None]
        rising = rising_over_turns([*scores, anger.score], pb.escalation.rising,
                                   pb.anger.levels.get(pb.escalation.rising.min_level, 0.0)
                                   if pb.escalation.rising.min_level != "calm" else 0.0)
        known = {"anger", "abuse", "threats", "wants", "causes", "facts", "venting", "semantic"}
        flags, watch = signs_to_check(flags, (f for f in found if f.section == "watch"))
        escalate = self._escalation.decide(norm, flags, wants, facts, rising, watch)
        extra = (*(f for name, fs in prior.items() for f in fs
                   if (name not in known or f.label == "offensive") and f.section != "watch"),
                 *watch)
        causes = [*prior.get("causes", []), *(f for f in semantic if f.section in ("causes", "areas"))]
        return Analysis(
            text=norm.original, anger=anger,
            causes=merge_findings(f for f in causes if f.label in pb.causes),
            areas=merge_findings(f for f in causes if f.label in pb.areas),
            wants=wants, facts=facts, flags=flags, venting=venting, escalate=escalate,
            extra=extra, notes=tuple(notes))

    def _felt(self, found: list[Finding], semantic: Finding | None = None) -> _Felt:
        """The anger the message's words, cues and meaning show, before any flag's floor."""
        cfg = self.playbook.anger
        base = next((f for f in found if f.label == "anger"), None)
        score = base.score if base else 0.0
        evidence: tuple[Evidence, ...] = base.evidence if base else ()
        reason = base.reason if base else "no anger detector in the playbook"
        meant = LEVELS.index(cfg.level_of(semantic.score)) if semantic is not None else 0
        if semantic is not None and meant > LEVELS.index(cfg.level_of(score)) \
                and meant >= LEVELS.index(self.playbook.semantic.min_raise_level):
            # Meaning can raise the level (polite fury, sarcasm, deadlines carry no angry words);
            # it never lowers what the words and cues show, and moves the score only when it
            # reads a higher level.
            reason += f"; raised by meaning: {semantic.reason}"
            evidence = evidence + semantic.evidence
            score = semantic.score
        return score, evidence, reason, base.raw_score if base else None

    def _anger(self, felt: _Felt, flags: tuple[Finding, ...], history: Sequence[Turn],
               meant: bool) -> Anger:
        """The anger `felt`, raised to the floors of the flags (`_floor`; `meant`: the semantic
        tier read the level), with its trend over the customer's earlier turns."""
        cfg = self.playbook.anger
        score, evidence, reason, raw = felt
        for flag in flags:
            floor = self._floor(flag.label, meant=meant)
            if floor > score:
                score = floor
                evidence = evidence + flag.evidence
                reason += f"; at least {cfg.level_of(floor)} because of {flag.label}"
        scores = [t.anger for t in history if t.role == "customer" and t.anger is not None]
        return Anger(round(score, 4), cfg.level_of(score), evidence,
                     trend([*scores, score], cfg), raw, reason)


def signs_to_check(flags: tuple[Finding, ...], watch: Iterable[Finding]
                   ) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """(flags, watch): one sign to check per label, and none for a label that is flagged.

    The fast path and the semantic tier may each see a weaker sign of the same danger ("that
    login was me" and the sentence that reads like a takeover): the agent is asked to check once,
    with both the phrase and the sentence. A sign of a label flagged on the same message says
    nothing more than the flag: its evidence joins the flag's, and the flag stays as it was read.
    """
    signs = merge_findings(watch)
    flagged = {f.label for f in flags}
    more = {s.label: s.evidence for s in signs if s.label in flagged}
    if more:
        flags = tuple(replace(f, evidence=f.evidence + tuple(e for e in more[f.label]
                                                                if e not in f.evidence))
                      if f.label in more else f for f in flags)
    return flags, tuple(s for s in signs if s.label not in flagged)


def merge_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """One finding per label: the strongest one's score and reason, every detector's evidence.

    The fast path and the semantic tier often find the same flag or want; people should see it once,
    with both the phrase that matched and the example sentence it resembles.
    """
    merged: dict[str, Finding] = {}
    for finding in findings:
        seen = merged.get(finding.label)
        if seen is None:
            merged[finding.label] = finding
            continue
        strong, weak = (finding, seen) if finding.score > seen.score else (seen, finding)
        merged[finding.label] = Finding(
            strong.label, strong.score, strong.detector, strong.reason,
            strong.evidence + tuple(e for e in weak.evidence if e not in strong.evidence),
            strong.raw_score, strong.route or weak.route, strong.value or weak.value, strong.section)
    return tuple(merged.values())
